//! Reading and writing the page URL: share links (`#run=v2.…`), embed mode (`?embed`), and
//! quick settings (`?seed=7&voters=5&brokers=2&prevote=off`).

use kraftlab_core::run::Timeline;
use kraftlab_core::scenario::share::{decode, encode};
use kraftlab_core::sim::ClusterSpec;

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

/// The share link of a run (with `?embed` for the iframe snippet).
pub fn link_for(t: &Timeline, embed: bool) -> String {
    format!(
        "{}{}#run={}",
        base(),
        if embed { "?embed" } else { "" },
        encode(t.spec(), t.actions())
    )
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
    let v: f64 = query()?.get("speed")?.parse().ok()?;
    (v.is_finite() && v > 0.0).then(|| v.clamp(0.01, 10.0))
}

/// True if the URL asks to start paused (`?paused`).
pub fn paused_from_url() -> bool {
    query().is_some_and(|q| q.has("paused"))
}

/// What the URL asks for at start-up.
pub enum Start {
    /// A fresh cluster.
    Fresh(ClusterSpec),
    /// A shared run, positioned at its start.
    Shared(Box<Timeline>),
    /// A link that could not be loaded, with why, and the fresh cluster to show instead.
    Refused(String, ClusterSpec),
}

/// Reads the URL.
pub fn start_from_url() -> Start {
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
    let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
    if let Some(run) = hash.strip_prefix("#run=") {
        return match decode(run) {
            Ok(shared) => {
                let mut t = Timeline::replay(shared.spec, shared.actions);
                t.seek(kraftlab_core::types::SimTime::ZERO);
                Start::Shared(Box::new(t))
            }
            Err(why) => Start::Refused(format!("This share link was not loaded: {why}."), spec),
        };
    }
    Start::Fresh(spec)
}
