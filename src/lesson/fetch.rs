//! Fetching a lesson's text from beside the app (`lessons/<file>`, copied there by Trunk), so
//! the first load carries only the index. A failure is a sentence, never a panic.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The text of `lessons/<file>`, or why it could not be read.
pub async fn lesson_text(file: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let url = format!("lessons/{file}");
    let response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|_| format!("{url}: the network request failed"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("{url}: not an HTTP response"))?;
    if !response.ok() {
        return Err(format!("{url}: the server answered {}", response.status()));
    }
    let text = response
        .text()
        .map_err(|_| format!("{url}: the body cannot be read"))?;
    let text = JsFuture::from(text)
        .await
        .map_err(|_| format!("{url}: the body cannot be read"))?;
    text.as_string()
        .ok_or_else(|| format!("{url}: the body is not text"))
}
