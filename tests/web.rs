//! The app mounted in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_app_mounts_and_shows_the_core_version() {
    leptos::mount::mount_to_body(kraftlab_app::App);
    leptos::task::tick().await;
    let doc = web_sys_document();
    let el = doc
        .query_selector("[data-testid=core-version]")
        .unwrap()
        .expect("version element");
    assert!(el.text_content().unwrap().contains(kraftlab_core::VERSION));
}

fn web_sys_document() -> leptos::web_sys::Document {
    leptos::prelude::document()
}

/// The browser replays the reference run exactly as the native build does: same digest as
/// the one the native test checks.
#[wasm_bindgen_test]
fn the_browser_replays_the_reference_run_like_native() {
    use kraftlab_core::run::reference::{digest, reference_trace};
    let expected = include_str!("golden/reference-run.txt");
    assert_eq!(digest(&reference_trace()), expected);
}
