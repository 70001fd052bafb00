//! Keyboard shortcuts (the help overlay lists them).

use kraftlab_core::sim::UserAction;
use kraftlab_core::types::secs;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::format::{slider_from_speed, speed_from_slider};
use crate::lab::Lab;
use crate::ui::Dialog;

/// True when the key goes into a text field or a list. A focused slider, checkbox or
/// button takes no letters, so the shortcuts still work there (the scrubber keeps the arrows).
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    let Some(e) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    match e.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => {
            let kind = e.get_attribute("type").unwrap_or_default();
            !matches!(kind.as_str(), "range" | "checkbox" | "radio" | "button")
                || (kind == "range" && ev.key().starts_with("Arrow"))
        }
        _ => false,
    }
}

/// Pauses and opens the details of a message in flight: the one sent after the message open
/// now, or the oldest. Messages are drawn on a canvas, so this is how a keyboard reaches them.
fn inspect_next_message(lab: Lab) {
    lab.run.playing.set(false);
    let open = lab.ui.selected_message.get_untracked();
    let next = lab.run.view.with_untracked(|v| {
        let mut ids = v.messages.iter().map(|m| m.id);
        let first = v.messages.first().map(|m| m.id);
        ids.find(|id| open.is_some_and(|o| *id > o)).or(first)
    });
    match next {
        Some(id) => {
            lab.ui.selected_node.set(None);
            lab.ui.selected_message.set(Some(id));
        }
        None => lab.say(
            "no message is in flight now: step (.) until one is sent".into(),
            false,
        ),
    }
}

/// Listens for shortcuts on the window.
pub fn install(lab: Lab) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let key = ev.key();
        if key == "Escape" {
            lab.ui.dialog.set(Dialog::None);
            lab.ui.selected_node.set(None);
            lab.ui.selected_message.set(None);
            return;
        }
        if typing(&ev) || lab.ui.dialog.get_untracked() != Dialog::None {
            return;
        }
        // Space on a focused button or node is theirs.
        let on_control = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| {
                e.tag_name() == "BUTTON"
                    || e.get_attribute("role").as_deref() == Some("button")
                    || e.get_attribute("type").as_deref() == Some("checkbox")
            });
        let handled = match key.as_str() {
            " " if !on_control => {
                lab.run.playing.update(|p| *p = !*p);
                true
            }
            "." | "ArrowRight" => {
                lab.step();
                true
            }
            "+" | "=" => {
                lab.run
                    .speed
                    .update(|s| *s = speed_from_slider((slider_from_speed(*s) + 20.0).min(100.0)));
                true
            }
            "-" | "_" => {
                lab.run
                    .speed
                    .update(|s| *s = speed_from_slider((slider_from_speed(*s) - 20.0).max(-200.0)));
                true
            }
            "[" => {
                let now = lab.run.now.get_untracked();
                lab.run.playing.set(false);
                lab.seek(kraftlab_core::types::SimTime(now.0.saturating_sub(secs(1))));
                true
            }
            "]" => {
                let now = lab.run.now.get_untracked();
                lab.seek(now + secs(1));
                true
            }
            "l" | "L" => {
                lab.seek(lab.run.horizon.get_untracked());
                true
            }
            "w" | "W" => {
                lab.act(UserAction::Write { count: 1, to: None });
                true
            }
            "k" | "K" => {
                match lab.run.view.with_untracked(|v| v.leader) {
                    Some(l) => lab.act(UserAction::Crash(l)),
                    None => lab.say("there is no active controller to crash".into(), true),
                }
                true
            }
            "r" | "R" => {
                lab.restart_all();
                true
            }
            "u" | "U" => {
                lab.undo_fork();
                true
            }
            "m" | "M" => {
                inspect_next_message(lab);
                true
            }
            "h" | "H" => {
                lab.act(UserAction::Heal);
                true
            }
            "p" | "P" => {
                lab.ui.dialog.set(Dialog::Partition);
                true
            }
            "n" | "N" if lab.route.get_untracked() == crate::route::Route::Playground => {
                lab.ui.dialog.set(Dialog::NewCluster);
                true
            }
            "s" | "S" => {
                lab.ui.dialog.set(Dialog::Share);
                true
            }
            "?" => {
                lab.ui.dialog.set(Dialog::Help);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    });
    std::mem::forget(handle);
}
