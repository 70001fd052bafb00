//! Numbers as decimal text without the standard library's float formatter.
//!
//! Why: `format!("{:.3}", x)` on an `f64` pulls Grisu, Dragon4, their big-number arithmetic and
//! their tables into the browser bundle (about 15 KB of WebAssembly). The simulator's text
//! only ever prints integers scaled by a power of ten (durations, percentages) or a ratio to
//! a fixed number of decimals, which integer arithmetic does exactly; [`fixed`] reproduces
//! `{:.N}` bit for bit, so no golden output changes.

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
}
