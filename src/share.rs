//! Reading and writing the page URL: share links (`#run=v2.…`), embedded scenarios
//! (`#scenario=v2.…`) and quick settings (`?seed=7&voters=5&brokers=2&prevote=off`). The
//! embed options (`?embed&theme=…`) are read by [`crate::embed::options`].
//!
//! A `v2` link's text is packed with raw DEFLATE. The page carries no DEFLATE code of its own:
//! it uses the browser's `CompressionStream` / `DecompressionStream` (`"deflate-raw"`), so
//! making a link and opening one are asynchronous. The core does the rest (the engine line,
//! the base64url, the checks) exactly as for the CLI's links.

use js_sys::futures::JsFuture;
use js_sys::Uint8Array;
use kraftlab_core::run::script::{self, MAX_SCRIPT_BYTES};
use kraftlab_core::run::Timeline;
use kraftlab_core::scenario::share::SharedRun;
use kraftlab_core::scenario::share::{
    link_from_deflated, link_text, other_engine, other_engine_of, payload, run_from_v1_text,
    run_from_v2_text, InflateError, Payload, MAX_TEXT_BYTES,
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

/// The page's own address, without query or fragment: what a plain link opens.
pub fn page_address() -> String {
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

thread_local! {
    /// How many times the run was remembered: only the newest packing reaches the address bar.
    static REMEMBERED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Keeps the playground's run in the address bar (`#run=v2.…`, in place of the current history
/// entry), so a reload or a copied address reopens it. Called after every action; the browser
/// packs asynchronously, and a packing overtaken by a newer one is dropped. The text is bounded
/// by the run's limits, like any share link.
pub fn remember(text: String) {
    let generation = REMEMBERED.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    js_sys::futures::spawn_local(async move {
        let Some(packed) = pack(text).await else {
            return;
        };
        if REMEMBERED.with(|g| g.get()) != generation {
            return;
        }
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#run={packed}")));
        }
    });
}

/// The folder the page is served from (ending in `/`): where `embed.html` and
/// `kraftlab-embed.js` live beside it.
pub fn site_dir() -> String {
    let b = page_address();
    match b.rfind('/') {
        Some(i) => b[..=i].to_string(),
        None => format!("{b}/"),
    }
}

/// Why a link in the URL was not opened: the message, the link's text when it could be read
/// (so a hand-written scenario's author sees what was read), and whether it was refused only
/// because another engine made it (then the reader is offered this engine).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    /// What went wrong, in a sentence.
    pub message: String,
    /// The unpacked text, if it unpacked.
    pub text: Option<String>,
    /// Refused only for its engine version: "open with the current engine" may load it.
    pub other_engine: bool,
}

impl LinkError {
    fn new(message: String, text: Option<String>) -> LinkError {
        LinkError {
            message,
            text,
            other_engine: false,
        }
    }
}

/// A link's packed text, unpacked with the browser's `DecompressionStream` up to `limit`
/// bytes. Every refusal says why.
async fn unpack(link: &str, limit: usize) -> Result<Vec<u8>, String> {
    match payload(link)? {
        Payload::Plain(text) => Ok(text),
        Payload::Deflated(packed) => {
            let inflate = DecompressionStream::new("deflate-raw")
                .map_err(|_| InflateError::Damaged.reason())?;
            match pipe(&packed, &inflate, limit).await {
                Ok(Some(text)) => Ok(text),
                Ok(None) => Err(InflateError::TooLarge.reason()),
                Err(_) => Err(InflateError::Damaged.reason()),
            }
        }
    }
}

/// Refuses a text another engine made (the core's `other_engine_of`), unless the reader chose
/// this engine, marking the refusal so that the page offers that choice.
fn check_engine(text: &str, v1: bool, current_engine: bool) -> Result<(), LinkError> {
    match other_engine_of(text, v1).filter(|_| !current_engine) {
        Some(v) => Err(LinkError {
            message: other_engine(v),
            text: Some(text.to_string()),
            other_engine: true,
        }),
        None => Ok(()),
    }
}

/// Opens a share link as the core's `decode` does, inflating with the browser's
/// `DecompressionStream` up to the core's limit.
async fn decode(link: &str, current_engine: bool) -> Result<SharedRun, LinkError> {
    let v1 = link.starts_with("v1.");
    let bytes = unpack(link, MAX_TEXT_BYTES)
        .await
        .map_err(|e| LinkError::new(e, None))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    check_engine(&text, v1, current_engine)?;
    let run = if v1 {
        run_from_v1_text(bytes, false)
    } else {
        run_from_v2_text(bytes, false)
    };
    run.map_err(|e| LinkError::new(e, Some(text)))
}

/// Opens an embedded scenario (`#scenario=v2.…`, or `v1.` for plain text): unpacks it and
/// runs it to its end (`kraftlab_core::run::script`).
async fn record_scenario(link: &str, current_engine: bool) -> Result<Timeline, LinkError> {
    let bytes = unpack(link, MAX_SCRIPT_BYTES + 1)
        .await
        .map_err(|e| LinkError::new(e, None))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| LinkError::new("the scenario is not UTF-8 text".into(), None))?;
    check_engine(&text, false, current_engine)?;
    script::record(&text, false).map_err(|e| LinkError::new(e, Some(text)))
}

fn query() -> Option<web_sys::UrlSearchParams> {
    web_sys::UrlSearchParams::new_with_str(&location()?.search().ok()?).ok()
}

/// What the URL asks for at start-up.
pub enum Start {
    /// A fresh cluster.
    Fresh(ClusterSpec),
    /// The link's run: a share link's, not replayed yet (the app replays it in slices), or an
    /// embedded scenario's, already run to its end; either is then shown from its start.
    Run(Box<Timeline>),
    /// A link that could not be loaded, with why, and the fresh cluster to show instead.
    Refused(LinkError, ClusterSpec),
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

/// Reads the URL: the quick settings, and the share link or embedded scenario, if any, opened.
/// With `current_engine` (the reader chose it), a link of another engine runs on this one.
pub async fn start_from_url(current_engine: bool) -> Start {
    let spec = spec_from_url();
    let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
    if let Some(run) = hash.strip_prefix("#run=") {
        return match decode(run, current_engine).await {
            // Replayed after mounting, in slices with a progress bar (crate::replay).
            Ok(shared) => Start::Run(Box::new(Timeline::pending(shared.spec, shared.actions))),
            Err(mut e) => {
                e.message = format!("This share link was not loaded: {}.", e.message);
                Start::Refused(e, spec)
            }
        };
    }
    if let Some(scenario) = hash.strip_prefix("#scenario=") {
        return match record_scenario(scenario, current_engine).await {
            Ok(timeline) => Start::Run(Box::new(timeline)),
            Err(mut e) => {
                e.message = format!("This scenario was not loaded: {}.", e.message);
                Start::Refused(e, spec)
            }
        };
    }
    Start::Fresh(spec)
}

/// What the URL asks for, with any share link ignored (what [`crate::App`] shows).
pub fn start_without_link() -> Start {
    Start::Fresh(spec_from_url())
}
