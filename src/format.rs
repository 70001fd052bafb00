//! Small formatting helpers that several components (and the keyboard) share: the virtual
//! clock, and the logarithmic speed slider.

use kraftlab_core::types::SimTime;

/// Speed slider position (−200…100) to speed (0.01×…10×), logarithmic.
pub fn speed_from_slider(v: f64) -> f64 {
    crate::math::exp10(v / 100.0)
}

/// Speed to slider position.
pub fn slider_from_speed(s: f64) -> f64 {
    (crate::math::log10(s) * 100.0).round()
}

/// Formats a speed for humans: `0.1×`, `2×`.
pub fn speed_label(s: f64) -> String {
    if s >= 1.0 {
        format!("{}×", crate::math::num((s * 10.0).round() / 10.0))
    } else if s >= 0.1 {
        format!("{}×", crate::math::num((s * 100.0).round() / 100.0))
    } else {
        format!("{}×", crate::math::num((s * 1000.0).round() / 1000.0))
    }
}

/// Formats virtual time: `12.345 s`.
pub fn clock(t: SimTime) -> String {
    format!("{}.{:03} s", t.0 / 1_000_000, (t.0 / 1_000) % 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_slider_is_logarithmic() {
        assert!((speed_from_slider(-200.0) - 0.01).abs() < 1e-9);
        assert!((speed_from_slider(0.0) - 1.0).abs() < 1e-9);
        assert!((speed_from_slider(100.0) - 10.0).abs() < 1e-9);
        assert_eq!(slider_from_speed(0.1), -100.0);
        assert_eq!(speed_label(0.1), "0.1×");
        assert_eq!(clock(SimTime(12_345_678)), "12.345 s");
    }
}
