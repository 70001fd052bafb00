//! KRaft Lab's web app: the simulator running in the page, drawn with Leptos.
use leptos::prelude::*;

/// Mounts the app on the page body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main>
            <h1>"KRaft Lab"</h1>
            <p data-testid="core-version">"core " {kraftlab_core::VERSION}</p>
        </main>
    }
}
