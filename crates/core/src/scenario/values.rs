//! Values the scenario language reads inside commands: `key=value` pairs, counts, offsets,
//! percentages, on/off switches, latency ranges and millisecond settings. Each error says what
//! was expected.

use crate::types::{parse_duration, Micros};

pub(crate) fn parse_offset(v: &str) -> Result<u64, String> {
    v.parse()
        .map_err(|_| format!("`{v}` is not an offset (a whole number)"))
}

/// Parses `1.5%` (or `1.5`) as parts per million, read exactly (a `+` sign is allowed, and `-`
/// before a zero, as the float parser this replaces allowed them).
pub(crate) fn parse_percent(v: &str) -> Result<u32, String> {
    let number = v.strip_suffix('%').unwrap_or(v);
    let (negative, number) = match number.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let ppm = crate::decimal::parse_scaled(number, 4)
        .filter(|p| {
            // At most 100 exactly, and never below zero.
            (p.units < 1_000_000 || (p.units == 1_000_000 && p.exact()))
                && (!negative || (p.units == 0 && p.exact()))
        })
        .ok_or_else(|| format!("`{v}` is not a percentage between 0% and 100%"))?;
    Ok(ppm.rounded() as u32)
}

pub(crate) fn parse_on_off(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(format!("`{key}` takes on or off, got `{v}`")),
    }
}

/// Parses `10ms..20ms` or a single `15ms`.
pub(crate) fn parse_latency(v: &str) -> Result<(Micros, Micros), String> {
    let err = || format!("`latency` takes a duration or a range like `10ms..20ms`, got `{v}`");
    let (a, b) = match v.split_once("..") {
        Some((a, b)) => (
            parse_duration(a).ok_or_else(err)?,
            parse_duration(b).ok_or_else(err)?,
        ),
        None => {
            let d = parse_duration(v).ok_or_else(err)?;
            (d, d)
        }
    };
    if a > b {
        return Err(format!("latency range `{v}` goes backwards"));
    }
    if b > 60_000_000 {
        return Err("latency above one minute is not supported".into());
    }
    Ok((a, b))
}

pub(crate) fn key_values(tokens: &[String]) -> Result<Vec<(String, String)>, String> {
    tokens
        .iter()
        .map(|t| {
            t.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| format!("expected `key=value`, got `{t}`"))
        })
        .collect()
}

pub(crate) fn parse_count(k: &str, v: &str, max: usize, min: usize) -> Result<usize, String> {
    v.parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("`{k}` takes a number from {min} to {max}, got `{v}`"))
}

pub(crate) fn parse_ms_setting(k: &str, v: &str) -> Result<u64, String> {
    parse_duration(v)
        .filter(|d| *d >= 1_000 && *d <= 600_000_000)
        .map(|d| d / 1_000)
        .ok_or_else(|| format!("`{k}` takes a duration from 1ms to 10m, got `{v}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_as_the_float_parser_read_them() {
        let by_float = |v: &str| -> Option<u32> {
            let p: f64 = v.strip_suffix('%').unwrap_or(v).parse().ok()?;
            (p.is_finite() && (0.0..=100.0).contains(&p)).then(|| (p * 10_000.0).round() as u32)
        };
        let mut texts: Vec<String> = [
            "0",
            "0%",
            "-0%",
            "+5%",
            "-1%",
            "100%",
            "100.0001%",
            "1e1%",
            "1.5",
            ".5%",
            "5.%",
            "101%",
            "1e400%",
            "abc",
            "%",
            "",
            "nan%",
            "inf%",
            "0.0001%",
            "0.00005%",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        for whole in 0..=101 {
            for frac in ["", ".0", ".5", ".25", ".125", ".0625", ".9999"] {
                texts.push(format!("{whole}{frac}%"));
            }
        }
        for t in &texts {
            assert_eq!(parse_percent(t).ok(), by_float(t), "{t}");
        }
    }
}
