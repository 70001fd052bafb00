//! Keyboard shortcuts (the help overlay lists them).

use kraftlab_core::sim::UserAction;
use kraftlab_core::types::secs;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::controls::{slider_from_speed, speed_from_slider};
use crate::components::header::restart_all;
use crate::state::{Dialog, Lab};

fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        .unwrap_or(false)
}

/// Listens for shortcuts on the window.
pub fn install(lab: Lab) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let key = ev.key();
        if key == "Escape" {
            lab.dialog.set(Dialog::None);
            lab.selected_node.set(None);
            lab.selected_message.set(None);
            return;
        }
        if typing(&ev) || lab.dialog.get_untracked() != Dialog::None {
            return;
        }
        // Space on a focused button or node is theirs.
        let on_control = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| {
                e.tag_name() == "BUTTON" || e.get_attribute("role").as_deref() == Some("button")
            });
        let handled = match key.as_str() {
            " " if !on_control => {
                lab.playing.update(|p| *p = !*p);
                true
            }
            "." | "ArrowRight" => {
                lab.step();
                true
            }
            "+" | "=" => {
                lab.speed
                    .update(|s| *s = speed_from_slider((slider_from_speed(*s) + 20.0).min(100.0)));
                true
            }
            "-" | "_" => {
                lab.speed
                    .update(|s| *s = speed_from_slider((slider_from_speed(*s) - 20.0).max(-200.0)));
                true
            }
            "[" => {
                let now = lab.view.with_untracked(|v| v.now);
                lab.playing.set(false);
                lab.seek(kraftlab_core::types::SimTime(now.0.saturating_sub(secs(1))));
                true
            }
            "]" => {
                let now = lab.view.with_untracked(|v| v.now);
                lab.seek(now + secs(1));
                true
            }
            "l" | "L" => {
                lab.seek(lab.horizon.get_untracked());
                true
            }
            "w" | "W" => {
                lab.act(UserAction::Write { count: 1, to: None });
                true
            }
            "k" | "K" => {
                match lab.view.with_untracked(|v| v.leader) {
                    Some(l) => lab.act(UserAction::Crash(l)),
                    None => lab.say("there is no active controller to crash".into(), true),
                }
                true
            }
            "r" | "R" => {
                restart_all(&lab);
                true
            }
            "h" | "H" => {
                lab.act(UserAction::Heal);
                true
            }
            "p" | "P" => {
                lab.dialog.set(Dialog::Partition);
                true
            }
            "n" | "N" => {
                lab.dialog.set(Dialog::NewCluster);
                true
            }
            "s" | "S" => {
                lab.dialog.set(Dialog::Share);
                true
            }
            "?" => {
                lab.dialog.set(Dialog::Help);
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
