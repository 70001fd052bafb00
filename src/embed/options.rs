//! The link options an embed (or any page) is opened with: `?embed&panels=picture,quorum&
//! theme=dark&speed=2&t=12s&origins=https://docs.example` (docs/embedding.md lists them). They
//! are read once, at start-up, from the query; the content (a run, a scenario, a lesson step,
//! the comparison) is in the hash. Unknown options are ignored and bad values fall back to the
//! default, so an old or hand-edited link still opens.

use kraftlab_core::types::{parse_duration, SimTime};

/// The page's look: light (the default), dark, or projector (large type, strong contrast).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Dark ink on light panels.
    #[default]
    Light,
    /// Light ink on dark panels, for dark docs sites.
    Dark,
    /// Larger type and heavier lines, for a room's screen.
    Projector,
}

impl Theme {
    /// The class on `<html>` that selects the theme's colours (none for the default).
    pub fn class(self) -> Option<&'static str> {
        match self {
            Theme::Light => None,
            Theme::Dark => Some("theme-dark"),
            Theme::Projector => Some("theme-projector"),
        }
    }
}

/// Which panels an embed shows beside its picture (the picture is always shown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Panels {
    /// `kafka-metadata-quorum describe --status`.
    pub quorum: bool,
    /// The metadata log view.
    pub log: bool,
    /// The event feed.
    pub feed: bool,
}

impl Panels {
    /// True when only the picture shows.
    pub fn picture_only(self) -> bool {
        self == Panels::default()
    }
}

/// Everything the link's query asks for. Built by [`EmbedOptions::from_pairs`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    /// No chrome: the page is in an iframe (`embed`).
    pub embed: bool,
    /// Start paused (`paused`, or a start time).
    pub paused: bool,
    /// Where to start, paused (`t=12s`).
    pub at: Option<SimTime>,
    /// Virtual seconds per wall second (`speed=2`), within the slider's range.
    pub speed: Option<f64>,
    /// Panels beside the picture (`panels=picture,quorum,log,feed`).
    pub panels: Panels,
    /// The look (`theme=light|dark|projector`).
    pub theme: Theme,
    /// Host origins whose commands are obeyed (`origins=https://a.example,…`); none by default.
    pub origins: Vec<String>,
    /// The iframe's accessible name (`title=`).
    pub title: Option<String>,
    /// Open a link of another engine with this one (`engine=current`): the reader chose to.
    pub current_engine: bool,
    /// The comparison's fault (`fault=crash-controller`), for `#/compare` embeds.
    pub fault: Option<String>,
    /// The comparison's partition count (`partitions=100000`).
    pub partitions: Option<u64>,
}

/// Longest text an option is read from: a link is not a place for a novel.
const MAX_OPTION_BYTES: usize = 2048;

/// Most origins an allow-list holds.
const MAX_ORIGINS: usize = 16;

impl EmbedOptions {
    /// Reads the options from the query's `(name, value)` pairs, in order.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> EmbedOptions {
        let mut o = EmbedOptions::default();
        for (name, value) in pairs {
            if value.len() > MAX_OPTION_BYTES {
                continue;
            }
            let value = value.trim();
            match name.as_str() {
                "embed" => o.embed = true,
                "paused" => o.paused = value != "0" && value != "false",
                "t" => {
                    if let Some(us) = parse_duration(value) {
                        o.at = Some(SimTime(us));
                        o.paused = true;
                    }
                }
                "speed" => o.speed = speed(value),
                "panels" => {
                    o.panels = Panels::default();
                    for p in value.split(',') {
                        match p.trim() {
                            "quorum" => o.panels.quorum = true,
                            "log" => o.panels.log = true,
                            "feed" => o.panels.feed = true,
                            _ => {}
                        }
                    }
                }
                "theme" => {
                    o.theme = match value {
                        "dark" => Theme::Dark,
                        "projector" => Theme::Projector,
                        _ => Theme::Light,
                    }
                }
                "origins" => {
                    o.origins = value
                        .split(',')
                        .map(|s| s.trim().trim_end_matches('/'))
                        .filter(|s| is_origin(s))
                        .take(MAX_ORIGINS)
                        .map(str::to_string)
                        .collect()
                }
                "title" if !value.is_empty() => o.title = Some(value.chars().take(200).collect()),
                "engine" => o.current_engine = value == "current",
                "fault" => o.fault = Some(value.to_string()),
                "partitions" => o.partitions = value.parse().ok(),
                _ => {}
            }
        }
        o
    }

    /// The page's options, from its URL.
    pub fn from_url() -> EmbedOptions {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return EmbedOptions::default();
        };
        // Only the names this page reads, each once (a repeated name: its first value).
        EmbedOptions::from_pairs(
            NAMES
                .iter()
                .filter_map(|name| params.get(name).map(|v| (name.to_string(), v))),
        )
    }
}

/// Every option name [`EmbedOptions::from_pairs`] reads.
const NAMES: [&str; 11] = [
    "embed",
    "paused",
    "t",
    "speed",
    "panels",
    "theme",
    "origins",
    "title",
    "engine",
    "fault",
    "partitions",
];

/// `https://host[:port]` or `http://…`: what `MessageEvent.origin` holds.
fn is_origin(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    })
}

/// A speed read exactly in millionths (no float parser in the bundle): the same f64 as
/// `str::parse` for up to six decimals, clamped to the slider's range.
fn speed(text: &str) -> Option<f64> {
    let v = kraftlab_core::decimal::parse_scaled(text.strip_prefix('+').unwrap_or(text), 6)?;
    (v.units > 0 || !v.exact()).then(|| (v.rounded() as f64 / 1e6).clamp(0.01, 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(q: &[(&str, &str)]) -> EmbedOptions {
        EmbedOptions::from_pairs(q.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn every_option_is_read() {
        let o = opts(&[
            ("embed", ""),
            ("panels", "picture,quorum,log"),
            ("theme", "dark"),
            ("speed", "2.5"),
            ("t", "12s"),
            (
                "origins",
                "https://docs.example, http://127.0.0.1:8080/,javascript:alert(1)",
            ),
            ("title", "Failover"),
            ("engine", "current"),
            ("fault", "crash-controller"),
            ("partitions", "10000"),
        ]);
        assert!(o.embed && o.paused && o.current_engine);
        assert_eq!(o.at, Some(SimTime(12_000_000)));
        assert_eq!(o.speed, Some(2.5));
        assert_eq!(
            o.panels,
            Panels {
                quorum: true,
                log: true,
                feed: false
            }
        );
        assert_eq!(o.theme, Theme::Dark);
        assert_eq!(o.origins, ["https://docs.example", "http://127.0.0.1:8080"]);
        assert_eq!(o.title.as_deref(), Some("Failover"));
        assert_eq!(o.partitions, Some(10_000));
    }

    #[test]
    fn bad_values_fall_back_to_the_defaults() {
        let o = opts(&[
            ("t", "soon"),
            ("speed", "-3"),
            ("theme", "neon"),
            ("panels", "everything"),
            ("origins", "*"),
            ("partitions", "many"),
        ]);
        assert_eq!(o, EmbedOptions::default());
        assert_eq!(opts(&[("speed", "1000")]).speed, Some(10.0));
        assert!(opts(&[("paused", "")]).paused);
        assert!(!opts(&[("paused", "0")]).paused);
        assert!(opts(&[("title", &"x".repeat(5000))]).title.is_none());
        assert!(opts(&[]).panels.picture_only());
    }
}
