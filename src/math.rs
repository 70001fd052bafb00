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
