//! Numbers as decimal text without the standard library's float formatter or float parser.
//!
//! Why: `format!("{:.3}", x)` on an `f64` pulls Grisu, Dragon4, their big-number arithmetic and
//! their tables into the browser bundle (about 15 KB of WebAssembly), and `str::parse::<f64>`
//! its own Eisel-Lemire and big-decimal code (about 5 KB). The simulator's text only ever
//! prints integers scaled by a power of ten (durations, percentages) or a ratio to a fixed
//! number of decimals, which integer arithmetic does exactly; [`fixed`] reproduces `{:.N}` bit
//! for bit, so no golden output changes. It reads durations and percentages the same way:
//! [`parse_scaled`] reads a decimal number exactly as a whole number of small units.

/// `value` printed with `decimals` digits after the point: exactly the text of
/// `format!("{value:.decimals$}")` (round half to even on the value's exact binary expansion),
/// for finite values below 2^64 and up to 9 decimals. Larger or non-finite values saturate.
pub fn fixed(value: f64, decimals: u32) -> String {
    debug_assert!(decimals <= 9);
    let bits = value.to_bits();
    let negative = bits >> 63 == 1;
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exp) = if exp_bits == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), exp_bits - 1075)
    };
    let scale = 10u128.pow(decimals);
    // value × 10^decimals = mantissa × scale × 2^exp, rounded half to even.
    let scaled = mantissa as u128 * scale;
    let units: u128 = if exp >= 0 {
        scaled.checked_shl(exp as u32).unwrap_or(u128::MAX)
    } else {
        let shift = (-exp) as u32;
        if shift >= 128 {
            0 // below 2^-75 × 2^83: rounds to zero at any supported precision
        } else {
            let whole = scaled >> shift;
            let rest = scaled & ((1u128 << shift) - 1);
            let half = 1u128 << (shift - 1);
            if rest > half || (rest == half && whole & 1 == 1) {
                whole + 1
            } else {
                whole
            }
        }
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out += &(units / scale).to_string();
    if decimals > 0 {
        let frac = (units % scale).to_string();
        out.push('.');
        for _ in frac.len()..decimals as usize {
            out.push('0');
        }
        out += &frac;
    }
    out
}

/// `units / 10^decimals` as the shortest decimal text, trailing zeros dropped: `15000, 4` →
/// `1.5`, `20000, 4` → `2`, `1, 4` → `0.0001`. The same text as `format!("{}", units as f64 /
/// 10f64.powi(decimals))` for the values the simulator prints (below 2^53).
pub fn scaled(units: u64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    let whole = units / scale;
    let frac = units % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = frac.to_string();
    let mut text = format!("{whole}.");
    for _ in digits.len()..decimals as usize {
        text.push('0');
    }
    text += digits.trim_end_matches('0');
    text
}

/// A decimal number read exactly as a whole number of units of `10^-decimals` (see
/// [`parse_scaled`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scaled {
    /// The number × 10^decimals, truncated (`u64::MAX` if larger).
    pub units: u64,
    /// The first digit cut off by the truncation (0 if none).
    pub next: u8,
    /// True if a non-zero digit follows `next`.
    pub more: bool,
}

impl Scaled {
    /// Rounded to the nearest whole unit, halves away from zero (as `f64::round`), saturating.
    pub fn rounded(self) -> u64 {
        self.units.saturating_add(u64::from(self.next >= 5))
    }

    /// True if nothing was cut off: the number is exactly `units`.
    pub fn exact(self) -> bool {
        self.next == 0 && !self.more
    }
}

/// Reads an unsigned decimal number in the grammar of `str::parse::<f64>` without sign,
/// infinity or NaN (`12`, `1.5`, `.5`, `5.`, `2e3`, `15E-1`), exactly, as a whole number of
/// units of `10^-decimals`: for any number with at most `decimals` decimals,
/// `parse_scaled(t, d)?.rounded()` is `(t.parse::<f64>()? * 10^d).round()`, and beyond that
/// it rounds the exact value (where the float product may be off by one at a half unit).
/// `None` if `text` is not such a number.
pub fn parse_scaled(text: &str, decimals: u32) -> Option<Scaled> {
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], exponent(&text[i + 1..])?),
        None => (text, 0),
    };
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = || whole.bytes().chain(frac.bytes());
    if (whole.is_empty() && frac.is_empty()) || !digits().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The value is D × 10^shift, D the digits read as one integer.
    let shift = exp + i64::from(decimals) - frac.len() as i64;
    let significant = digits().skip_while(|&b| b == b'0');
    let n = significant.clone().count() as i64;
    // The digits that stay whole, and the first one cut off.
    let keep = (n + shift.min(0)).max(0) as usize;
    let mut units = 0u64;
    for b in significant.clone().take(keep) {
        units = units.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    if shift > 0 && units != 0 {
        units = 10u64
            .checked_pow(shift.min(u32::MAX.into()) as u32)
            .map_or(u64::MAX, |scale| units.saturating_mul(scale));
    }
    let mut cut = significant.skip(keep);
    // A number below a tenth of a unit has its first significant digit further down.
    let next = if n + shift < 0 {
        0
    } else {
        cut.next().map_or(0, |b| b - b'0')
    };
    let more = if n + shift < 0 {
        n > 0
    } else {
        cut.any(|b| b != b'0')
    };
    Some(Scaled { units, next, more })
}

/// An exponent's `[+-]digits`, clamped far beyond any power of ten a `u64` holds.
fn exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits
        .bytes()
        .fold(0i64, |v, b| (v * 10 + i64::from(b - b'0')).min(1_000_000));
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(seed: u64, n: usize) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                x >> 11
            })
            .collect()
    }

    #[test]
    fn fixed_matches_the_standard_formatter() {
        let mut values = vec![
            0.0, -0.0, 0.5, 1.5, 2.5, 0.25, 0.35, 0.45, 0.125, 1e-300, 5e-324,
        ];
        for (i, n) in numbers(1, 4000).into_iter().enumerate() {
            let m = n % 10_000_000;
            let d = 1 + n % 977;
            values.push(m as f64 / 1000.0);
            values.push(m as f64 / 1_000_000.0);
            values.push(m as f64 / d as f64);
            values.push((m as f64 + 0.5) / 10f64.powi((i % 5) as i32));
            values.push(-(m as f64) / 100.0);
            values.push(f64::from_bits(n | 0x3c00_0000_0000_0000) % 1e12);
        }
        for v in values {
            for d in 0..=6 {
                assert_eq!(fixed(v, d), format!("{v:.*}", d as usize), "{v:e} .{d}");
            }
        }
    }

    #[test]
    fn scaled_matches_the_float_display() {
        for n in numbers(2, 3000)
            .into_iter()
            .map(|n| n % 2_000_000)
            .chain([0, 1, 10, 10_000])
        {
            assert_eq!(scaled(n, 4), format!("{}", n as f64 / 10_000.0));
            assert_eq!(scaled(n, 3), format!("{}", n as f64 / 1_000.0));
        }
    }

    /// `(text.parse::<f64>() * 10^d).round()` where that is exact, `None` where it fails.
    fn by_float(text: &str, d: u32) -> Option<u64> {
        let v: f64 = text.parse().ok()?;
        let v = (v * 10f64.powi(d as i32)).round();
        (v.is_finite() && v < 1.8e19).then_some(v as u64)
    }

    #[test]
    fn parse_scaled_reads_what_the_float_parser_reads() {
        let mut texts: Vec<String> = [
            "0",
            "00",
            "1",
            "1.5",
            ".5",
            "5.",
            "0.0001",
            "100",
            "100.0000",
            "2e3",
            "2E3",
            "15e-1",
            "1.5e+1",
            "0.00005",
            "0.00015",
            "999999",
            "1e-400",
            "0e999999999999",
            "007.250",
            "1.25",
            "0.125",
            "12345678.123456",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        for n in numbers(3, 3000) {
            let whole = n % 100_000;
            let frac = (n >> 20) % 10_000;
            let width = 1 + (n >> 40) as usize % 4;
            texts.push(format!("{whole}.{frac:0width$}"));
            texts.push(format!("{}.{frac:0width$}", whole % 101));
            texts.push(format!(".{frac:0width$}"));
            texts.push(format!("{whole}e{}", (n >> 50) % 6));
        }
        for t in &texts {
            for d in [0, 3, 4, 6] {
                let exact = t.split_once('.').is_none_or(|(_, f)| f.len() <= d as usize)
                    && !t.contains(['e', 'E']);
                if exact {
                    assert_eq!(
                        parse_scaled(t, d).map(Scaled::rounded),
                        by_float(t, d),
                        "{t} at {d}"
                    );
                }
            }
        }
        assert_eq!(parse_scaled("2e3", 3).unwrap().rounded(), 2_000_000);
        assert_eq!(parse_scaled("15e-1", 0).unwrap().rounded(), 2);
        assert_eq!(parse_scaled("1.5e+1", 0).unwrap().rounded(), 15);
        assert_eq!(parse_scaled("1e-400", 6).unwrap().rounded(), 0);
        assert!(!parse_scaled("1e-400", 6).unwrap().exact());
        assert_eq!(parse_scaled("0.00005", 4).unwrap().rounded(), 1);
        assert_eq!(parse_scaled("0.00004999", 4).unwrap().rounded(), 0);
        assert_eq!(parse_scaled("0.000051", 4).unwrap().rounded(), 1);
        assert_eq!(parse_scaled("0.0000051", 4).unwrap().rounded(), 0);
        assert_eq!(parse_scaled("1e30", 6).unwrap().units, u64::MAX);
        assert_eq!(
            parse_scaled("99999999999999999999", 0).unwrap().units,
            u64::MAX
        );
        let s = parse_scaled("100.00001", 4).unwrap();
        assert_eq!((s.units, s.next, s.more), (1_000_000, 1, false));
        let s = parse_scaled("99.99996", 4).unwrap();
        assert_eq!(
            (s.units, s.next, s.more, s.rounded()),
            (999_999, 6, false, 1_000_000)
        );
        assert!(parse_scaled("100.0000", 4).unwrap().exact());
        assert!(!parse_scaled("0.00000001", 4).unwrap().exact());
        for bad in [
            "", ".", "e", "e5", "1e", "1e+", "1.2.3", "-1", "+1", "1 ", " 1", "inf", "nan",
            "infinity", "1_000", "0x10", "1e5.5", "½",
        ] {
            assert_eq!(parse_scaled(bad, 4), None, "{bad}");
        }
    }
}
