//! Entry point of the web app: install the panic hook, mount the app.
fn main() {
    kraftlab_app::start();
}
