//! The host API's engine side. A page that embeds KRaft Lab in an iframe drives it with
//! `postMessage` (protocol version 1, docs/embedding.md): the protocol itself — reading the
//! host's messages, the `origins=` allow-list, counting what it ignores, events, the resize
//! protocol — lives in `embed/kraftlab-host.js`, which the app loads only when it runs inside
//! a frame, so none of it weighs on a first visit. That script calls one function the app
//! puts on the page, `window.__kraftlabHost(kind, text, number)`, which does what the host
//! asked through the same paths as the app's own controls and answers with a plain object:
//!
//! - `command` runs `text`, any scenario-language line (as the console does), and answers
//!   `{ok: true, output}` or `{ok: false, error}`;
//! - `play`, `pause`, `seek` (`number` is virtual ms), `speed` (`number` is virtual seconds
//!   per wall second) and `get-state` answer the state: virtual time, whether it plays,
//!   Kafka's LeaderId and its epoch, the high watermark, every node's role, status and epoch,
//!   the `describe --status` text, and the open lesson step and whether its exercise is
//!   solved (the script turns changes of these into events);
//! - any other kind answers `undefined`, and the script counts the message as ignored.

use std::cell::Cell;

use kraftlab_core::types::SimTime;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::lab::Lab;
use crate::lesson::attempt::Attempt;
use crate::route::Route;

/// Sets `key` on `object` (a JS object built field by field: the host script reads it as is,
/// with no JSON in between).
fn set(object: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(object, &key.into(), &value.into());
}

/// The state, now: virtual time, whether it plays, Kafka's LeaderId (the active controller;
/// in ZooKeeper mode, the controller broker) and its epoch, the high watermark, every node's
/// label (as the picture and the test hooks spell it), role, status and epoch, the
/// `describe --status` text, and the open lesson step and whether its exercise is solved.
fn state(lab: Lab) -> JsValue {
    let s = js_sys::Object::new();
    let nodes = js_sys::Array::new();
    lab.run.view.with_untracked(|v| {
        let leader = v.leader.and_then(|l| v.node(l));
        set(&s, "time_ms", lab.run.now.get_untracked().as_ms() as f64);
        set(
            &s,
            "leader",
            leader
                .map(|n| JsValue::from(n.id.0))
                .unwrap_or(JsValue::NULL),
        );
        set(&s, "epoch", leader.map(|n| n.epoch).unwrap_or(0));
        set(
            &s,
            "hw",
            leader
                .and_then(|n| n.high_watermark)
                .map(|hw| JsValue::from(hw as f64))
                .unwrap_or(JsValue::NULL),
        );
        for n in &v.nodes {
            let node = js_sys::Object::new();
            set(&node, "id", n.id.to_string());
            set(&node, "role", n.role_label());
            set(&node, "status", n.status.label());
            set(&node, "epoch", n.epoch);
            nodes.push(&node);
        }
    });
    set(&s, "nodes", nodes);
    set(&s, "playing", lab.run.playing.get_untracked());
    let quorum = lab.run.quorum_status.with_untracked(|t| {
        t.lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    });
    set(&s, "quorum", quorum);
    if let Route::Lesson { slug, .. } = lab.route.get_untracked() {
        if lab.player.active.get_untracked() {
            set(&s, "lesson", slug);
            set(&s, "step", (lab.player.step.get_untracked() + 1) as u32);
        }
    }
    let solved = matches!(lab.player.attempt.get_untracked(), Attempt::Solved { .. });
    set(&s, "solved", solved);
    s.into()
}

/// Does what the host asked; the answer (the state, or a command's `{ok, output | error}`),
/// or `undefined` for a kind it does not know.
fn call(lab: Lab, kind: &str, text: &str, number: f64) -> JsValue {
    let number = if number.is_finite() { number } else { 0.0 };
    match kind {
        "command" => {
            let reply = js_sys::Object::new();
            match lab.player.run_text(lab, text) {
                Ok(out) => {
                    set(&reply, "ok", true);
                    set(&reply, "output", out);
                }
                Err(e) => {
                    set(&reply, "ok", false);
                    set(&reply, "error", e);
                }
            }
            return reply.into();
        }
        "play" => lab.run.playing.set(true),
        "pause" => lab.run.playing.set(false),
        "seek" => lab.seek(SimTime((number.max(0.0) as u64).saturating_mul(1000))),
        "speed" => lab.run.speed.set(number.clamp(0.01, 10.0)),
        "get-state" => {}
        _ => return JsValue::UNDEFINED,
    }
    state(lab)
}

thread_local! {
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// When the page runs inside a frame (or was opened as an embed), puts the host API's entry
/// point and the link's allow-list (`origins`, read by [`crate::embed::options`]) on the page
/// and loads the protocol script beside the app.
pub fn install(lab: Lab, embed: bool, origins: &[String]) {
    let Some(w) = web_sys::window() else {
        return;
    };
    let framed = w.parent().ok().flatten().is_some_and(|p| p != w);
    if !(framed || embed) || INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let entry = Closure::<dyn Fn(String, String, f64) -> JsValue>::new(
        move |kind: String, text: String, number: f64| call(lab, &kind, &text, number),
    );
    let _ = js_sys::Reflect::set(&w, &"__kraftlabHost".into(), entry.as_ref());
    let allowed: js_sys::Array = origins.iter().map(|o| JsValue::from_str(o)).collect();
    let _ = js_sys::Reflect::set(&w, &"__kraftlabOrigins".into(), &allowed);
    // The entry point lives as long as the page.
    entry.forget();
    let Some(document) = w.document() else {
        return;
    };
    if let Ok(script) = document.create_element("script") {
        let _ = script.set_attribute("src", "kraftlab-host.js");
        if let Some(head) = document.head() {
            let _ = head.append_child(script.unchecked_ref());
        }
    }
}
