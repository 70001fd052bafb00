//! `sin`, `cos`, `log10` and `10^x` for the app's drawings and the speed slider.
//!
//! Why not `f64::sin` and friends: on wasm32 they compile in Rust's own libm (about 8 KB of
//! WebAssembly: argument reduction, polynomial kernels), while the browser already has them in
//! `Math`. On the wasm target these call the browser's; natively (the app's unit tests) they
//! are the standard library's. Only pictures and the slider use them, never the simulation, so
//! the last bit of a result never matters.

#[cfg(target_arch = "wasm32")]
use js_sys::Math;

/// Sine of `x` radians.
pub fn sin(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return Math::sin(x);
    #[cfg(not(target_arch = "wasm32"))]
    x.sin()
}

/// Cosine of `x` radians.
pub fn cos(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return Math::cos(x);
    #[cfg(not(target_arch = "wasm32"))]
    x.cos()
}

/// Base-10 logarithm of `x`.
pub fn log10(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return Math::log10(x);
    #[cfg(not(target_arch = "wasm32"))]
    x.log10()
}

/// Ten to the power `x`.
pub fn exp10(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return Math::pow(10.0, x);
    #[cfg(not(target_arch = "wasm32"))]
    10f64.powf(x)
}

/// `x` as attribute or label text: the shortest decimal that reads back as `x`, as
/// `x.to_string()` prints it (in the range of screen coordinates and speeds).
///
/// Why not `to_string()`: an `f64` given to a view (or to `{}`) brings the standard library's
/// shortest-float printer (Grisu, Dragon4 and their tables, about 15 KB of WebAssembly) while
/// the browser's `Number.prototype.toString` makes the same digits. Natively, for the unit
/// tests, it is the standard library's.
pub fn num(x: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Number::from(x)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default();
    #[cfg(not(target_arch = "wasm32"))]
    x.to_string()
}
