//! Reading and writing the page URL: share links (`#run=v2.…`), embed mode (`?embed`), and
//! quick settings (`?seed=7&voters=5&brokers=2&prevote=off`).
//!
//! A `v2` link's text is packed with raw DEFLATE. The page carries no DEFLATE code of its own:
//! it uses the browser's `CompressionStream` / `DecompressionStream` (`"deflate-raw"`), so
//! making a link and opening one are asynchronous. The core does the rest (the engine line,
//! the base64url, the checks) exactly as for the CLI's links.

use js_sys::futures::JsFuture;
use js_sys::Uint8Array;
use kraftlab_core::run::Timeline;
use kraftlab_core::scenario::share::SharedRun;
use kraftlab_core::scenario::share::{
    link_from_deflated, link_text, payload, run_from_v1_text, run_from_v2_text, InflateError,
    Payload, MAX_TEXT_BYTES,
};
use kraftlab_core::sim::ClusterSpec;
use wasm_bindgen::prelude::*;

// The Compression Streams API (web-sys has it only behind `web_sys_unstable_apis`): transform
// streams, handed to `ReadableStream.pipeThrough`.
#[wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;

    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The page address without query or fragment.
fn base() -> String {
    location()
        .map(|l| {
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// Pipes `bytes` through a browser transform stream (a `CompressionStream` or a
/// `DecompressionStream`) and reads what comes out: `Ok(None)` as soon as that passes `limit`
/// bytes (the stream is cancelled there, so a hostile link cannot fill memory); `Err` when the
/// browser refuses the data.
async fn pipe(bytes: &[u8], transform: &JsValue, limit: usize) -> Result<Option<Vec<u8>>, JsValue> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let input = web_sys::Blob::new_with_u8_array_sequence(&parts)?.stream();
    let reader: web_sys::ReadableStreamDefaultReader = input
        .pipe_through(transform.unchecked_ref())
        .get_reader()
        .unchecked_into();
    let mut out = Vec::new();
    loop {
        let chunk: web_sys::ReadableStreamReadResult =
            JsFuture::from(reader.read()).await?.unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            return Ok(Some(out));
        }
        let piece = Uint8Array::new(&chunk.get_value());
        let start = out.len();
        let end = start + piece.length() as usize;
        if end > limit {
            let _ = JsFuture::from(reader.cancel()).await;
            return Ok(None);
        }
        out.resize(end, 0);
        piece.copy_to(&mut out[start..]);
    }
}

/// The text a link packs for the run so far (the core's `link_text`).
pub fn run_text(t: &Timeline) -> String {
    link_text(t.spec(), t.actions())
}

/// The `v2.…` link of a run's [`run_text`], packed by the browser's raw DEFLATE. `None` if
/// the browser cannot compress.
pub async fn pack(text: String) -> Option<String> {
    let deflate = CompressionStream::new("deflate-raw").ok()?;
    let packed = pipe(text.as_bytes(), &deflate, usize::MAX).await.ok()??;
    Some(link_from_deflated(&packed))
}

/// The page address that opens a packed run (with `?embed` for the iframe snippet).
pub fn link_for(packed: &str, embed: bool) -> String {
    format!(
        "{}{}#run={packed}",
        base(),
        if embed { "?embed" } else { "" },
    )
}

/// Opens a share link as the core's `decode` does, inflating with the browser's
/// `DecompressionStream` up to the core's limit. Every refusal says why.
async fn decode(link: &str) -> Result<SharedRun, String> {
    match payload(link)? {
        Payload::Plain(text) => run_from_v1_text(text, true),
        Payload::Deflated(packed) => {
            let inflate = DecompressionStream::new("deflate-raw")
                .map_err(|_| InflateError::Damaged.reason())?;
            match pipe(&packed, &inflate, MAX_TEXT_BYTES).await {
                Ok(Some(text)) => run_from_v2_text(text, true),
                Ok(None) => Err(InflateError::TooLarge.reason()),
                Err(_) => Err(InflateError::Damaged.reason()),
            }
        }
    }
}

fn query() -> Option<web_sys::UrlSearchParams> {
    web_sys::UrlSearchParams::new_with_str(&location()?.search().ok()?).ok()
}

/// True when the page is loaded for embedding (`?embed`).
pub fn embed_mode() -> bool {
    query().is_some_and(|q| q.has("embed"))
}

/// The speed the URL asks for (`?speed=2`), within the slider's range.
pub fn speed_from_url() -> Option<f64> {
    // Read exactly in millionths (no float parser in the bundle): the same f64 as
    // `str::parse` for up to six decimals, then clamped.
    let text = query()?.get("speed")?;
    let v = kraftlab_core::decimal::parse_scaled(text.strip_prefix('+').unwrap_or(&text), 6)?;
    (v.units > 0 || !v.exact()).then(|| (v.rounded() as f64 / 1e6).clamp(0.01, 10.0))
}

/// True if the URL asks to start paused (`?paused`).
pub fn paused_from_url() -> bool {
    query().is_some_and(|q| q.has("paused"))
}

/// What the URL asks for at start-up.
pub enum Start {
    /// A fresh cluster.
    Fresh(ClusterSpec),
    /// A shared run, not replayed yet (the app replays it in slices, then shows its start).
    Shared(Box<Timeline>),
    /// A link that could not be loaded, with why, and the fresh cluster to show instead.
    Refused(String, ClusterSpec),
}

/// The cluster the URL's quick settings ask for.
fn spec_from_url() -> ClusterSpec {
    let mut spec = ClusterSpec::kraft(3, 3, 42);
    if let Some(q) = query() {
        let num = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok());
        if let Some(s) = num("seed") {
            spec.seed = s;
        }
        let voters = num("voters")
            .map(|v| v.clamp(1, 7) as usize)
            .unwrap_or(spec.controllers.len());
        let brokers = num("brokers")
            .map(|v| v.min(8) as usize)
            .unwrap_or(spec.brokers.len());
        let seed = spec.seed;
        let prevote = q.get("prevote").map(|v| v != "off").unwrap_or(true);
        spec = ClusterSpec::kraft(voters, brokers, seed);
        spec.quorum.prevote = prevote;
    }
    spec
}

/// Reads the URL: the quick settings, and the share link, if any, opened.
pub async fn start_from_url() -> Start {
    let spec = spec_from_url();
    let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
    if let Some(run) = hash.strip_prefix("#run=") {
        return match decode(run).await {
            // Replayed after mounting, in slices with a progress bar (crate::replay).
            Ok(shared) => Start::Shared(Box::new(Timeline::pending(shared.spec, shared.actions))),
            Err(why) => Start::Refused(format!("This share link was not loaded: {why}."), spec),
        };
    }
    Start::Fresh(spec)
}

/// What the URL asks for, with any share link ignored (what [`crate::App`] shows).
pub fn start_without_link() -> Start {
    Start::Fresh(spec_from_url())
}
