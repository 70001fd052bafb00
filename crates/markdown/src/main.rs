//! The Markdown worker: Trunk builds it as a Web Worker (`data-type="worker"`); the app posts
//! `[id, markdown]` and gets `[id, html]` back. It says `"ready"` once its message handler is
//! installed, so that nothing the app sends is lost while the module loads.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let request = js_sys::Array::from(&ev.data());
        let id = request.get(0);
        // Anything that is not text renders as nothing rather than failing.
        let markdown = request.get(1).as_string().unwrap_or_default();
        let html = kraftlab_markdown::render(&markdown);
        let _ = reply.post_message(&js_sys::Array::of2(&id, &JsValue::from_str(&html)));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

/// Natively there is nothing to serve: the library is what the tests use.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
