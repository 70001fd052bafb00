//! The comparison worker: Trunk builds it as a Web Worker (`data-type="worker"`); the app posts
//! `[id, "compare" | "sweep", fault, pause_s, partitions, brokers, zk_clients]` and gets
//! `[id, html]` back. It also draws a run's space-time diagram: `[id, "diagram", link_text,
//! from_ms, to_ms]` (the times as numbers or text, `null` for the defaults; an optional sixth
//! element `false` stops folding routine Fetch round trips) is answered with `[id, json]`,
//! `json` being `{"svg": …, "mermaid": …, "error": null}` or `{"svg": null, "mermaid": null,
//! "error": "why"}` (see `kraftlab_compare::diagram_json`). It says `"ready"` once its message
//! handler is installed.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let a = js_sys::Array::from(&ev.data());
        let text = |i: u32| a.get(i).as_string().unwrap_or_default();
        if text(1) == "diagram" {
            // A time may come as a number or as text; anything else (null, negative, not a
            // number) means the default.
            let ms = |i: u32| {
                let v = a.get(i);
                v.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .map(|f| f as u64)
                    .or_else(|| v.as_string().and_then(|s| s.trim().parse().ok()))
            };
            let request = kraftlab_compare::DiagramRequest {
                link_text: text(2),
                from_ms: ms(3),
                to_ms: ms(4),
                fold: a.get(5).as_bool().unwrap_or(true),
            };
            let json = kraftlab_compare::diagram_json(&request);
            let _ = reply.post_message(&js_sys::Array::of2(&a.get(0), &JsValue::from_str(&json)));
            return;
        }
        // Numbers travel as text; anything unreadable becomes 0 and is refused by the limits.
        let number = |i: u32| text(i).parse::<u64>().unwrap_or(0);
        let request = kraftlab_compare::Request {
            sweep: text(1) == "sweep",
            fault: text(2),
            pause_s: number(3),
            partitions: number(4),
            brokers: number(5) as usize,
            zk_clients: number(6),
        };
        let html = kraftlab_compare::render(&request);
        let _ = reply.post_message(&js_sys::Array::of2(&a.get(0), &JsValue::from_str(&html)));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

/// Natively there is nothing to serve: the library is what the tests use.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
