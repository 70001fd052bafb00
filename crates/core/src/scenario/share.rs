//! Share links: a run — engine version, spec, timed actions — as a URL fragment.
//!
//! A link is `v<format>.<data>`. The run inside is written in the scenario language
//! (`cluster …` then one `at <time> <action>` per action). Two things are versioned, apart:
//!
//! - The **link format**, the tag before the dot: how the text is packed.
//!   - `v2` (what [`encode`] writes): base64url (no padding) of the text compressed with raw
//!     DEFLATE. The text's first line is a comment naming the engine that made it,
//!     `# engine <ENGINE_VERSION>`; the scenario parser skips it as any comment, so error
//!     line numbers count it.
//!   - `v1` (older links, still read): base64url of the plain text, with no engine line. Back
//!     then the tag *was* the engine version, and only engine 1 made links, so a `v1` link is
//!     a run of engine 1.
//! - The **engine version** ([`crate::ENGINE_VERSION`]): which simulator behaviour the run
//!   replays under. A link from an engine that would replay differently is refused with a
//!   message naming its version.
//!
//! A damaged link is refused with the reason, or with the line that does not parse; a `v2`
//! link whose text would inflate past [`MAX_TEXT_BYTES`] is refused before it takes more
//! memory than that. A link that parses is then checked against the run's limits
//! ([`crate::limits`], [`check_run`]): its cluster, every action and its end time, before any
//! replay, so a link asking for more than a run may hold is refused with the limit named.
//! Nothing is ever half-loaded.
//!
//! [`encode`] and [`decode`] do everything, compressing with miniz_oxide (the CLI, the tests).
//! The browser app carries no DEFLATE code: it uses the steps apart — [`link_text`] and
//! [`link_from_deflated`] around the browser's own `CompressionStream("deflate-raw")`, and
//! [`payload`] then [`run_from_v2_text`] (or [`run_from_v1_text`]) around its
//! `DecompressionStream`, bounded by [`MAX_TEXT_BYTES`] and refused with
//! [`InflateError::reason`]. Both make and read the same links.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::ast::Command;
use super::node_ref::NodeRef;
use super::parse::parse_script;
use crate::decimal::scaled;
use crate::limits::{Budget, Limits};
use crate::types::{format_duration, NodeId, SimTime};

use crate::sim::{ClusterSpec, UserAction};

/// The `cluster …` line that rebuilds `spec`.
pub fn cluster_line(spec: &ClusterSpec) -> String {
    let n = &spec.network;
    let q = &spec.quorum;
    let mut model = String::new();
    if q.modelled_partitions > 0 {
        model += &format!(" partitions={}", q.modelled_partitions);
    }
    let default_costs = crate::costs::CostModel::default();
    for name in crate::costs::CostModel::NAMES {
        let us = q.costs.get(name).unwrap_or(0);
        if Some(us) != default_costs.get(name) {
            model += &format!(" cost.{name}={us}");
        }
    }
    if spec.is_zk() {
        let mut s = format!(
            "cluster zk zookeepers={} brokers={} seed={} latency={}..{} loss={}% duplicate={}% reorder={}{model}",
            spec.zookeepers.len(),
            spec.brokers.len(),
            spec.seed,
            format_duration(n.latency_min),
            format_duration(n.latency_max),
            scaled(n.loss_ppm.into(), 4),
            scaled(n.duplicate_ppm.into(), 4),
            if n.reorder { "on" } else { "off" },
        );
        let zk_defaults = crate::zk::server::ZkConfig::default();
        if spec.zk_clients > 0 {
            s += &format!(" zk-clients={}", spec.zk_clients);
        }
        if spec.zk.session_timeout_ms != zk_defaults.session_timeout_ms {
            s += &format!(" session-timeout={}ms", spec.zk.session_timeout_ms);
        }
        if spec.zk.tick_ms != zk_defaults.tick_ms {
            s += &format!(" tick={}ms", spec.zk.tick_ms);
        }
        return s;
    }
    let mut s = format!(
        "cluster kraft voters={} brokers={} seed={} prevote={} fetch-hw={} latency={}..{} loss={}% duplicate={}% reorder={}",
        spec.controllers.len(),
        spec.brokers.len(),
        spec.seed,
        if q.prevote { "on" } else { "off" },
        if q.fetch_sends_high_watermark { "on" } else { "off" },
        format_duration(n.latency_min),
        format_duration(n.latency_max),
        scaled(n.loss_ppm.into(), 4),
        scaled(n.duplicate_ppm.into(), 4),
        if n.reorder { "on" } else { "off" },
    );
    if spec.quorum.dynamic_quorum {
        s += " quorum=dynamic";
    }
    if !spec.spare_controllers.is_empty() {
        s += &format!(" spare-controllers={}", spec.spare_controllers.len());
    }
    if !spec.combined.is_empty() {
        s += &format!(" combined={}", spec.combined.len());
    }
    let defaults = crate::kraft::QuorumConfig::default();
    if q.election_timeout_ms != defaults.election_timeout_ms {
        s += &format!(" election-timeout={}ms", q.election_timeout_ms);
    }
    if q.fetch_timeout_ms != defaults.fetch_timeout_ms {
        s += &format!(" fetch-timeout={}ms", q.fetch_timeout_ms);
    }
    if q.snapshot_records != defaults.snapshot_records {
        s += &format!(" snapshot-every={}", q.snapshot_records);
    }
    if q.append_linger_ms != defaults.append_linger_ms {
        s += &format!(" linger={}ms", q.append_linger_ms);
    }
    s += &model;
    let bugs = q.buggify.enabled();
    if !bugs.is_empty() {
        s += &format!(" buggify={}", bugs.join(","));
    }
    s
}

/// A run decoded from a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedRun {
    /// The cluster.
    pub spec: ClusterSpec,
    /// The actions with their times.
    pub actions: Vec<(SimTime, UserAction)>,
}

/// Most bytes a `v2` link's text may inflate to (1 MiB, far beyond any run a person makes): a
/// hostile link of a few kilobytes cannot make the page allocate more than this.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// The run as scenario text: the `cluster …` line, then one `at <time> <action>` per action.
fn run_text(spec: &ClusterSpec, actions: &[(SimTime, UserAction)]) -> String {
    let mut text = cluster_line(spec);
    text.push('\n');
    for (t, a) in actions {
        text += &format!("at {} {}\n", format_duration(t.0), a.to_command());
    }
    text
}

/// The text a `v2` link packs: the `# engine <ENGINE_VERSION>` line, then the run as
/// scenario text. [`encode`] compresses it with miniz_oxide; the browser app compresses it
/// with its own raw DEFLATE and wraps the bytes with [`link_from_deflated`].
pub fn link_text(spec: &ClusterSpec, actions: &[(SimTime, UserAction)]) -> String {
    format!(
        "# engine {}\n{}",
        crate::ENGINE_VERSION,
        run_text(spec, actions)
    )
}

/// A `v2` link around [`link_text`] compressed with raw DEFLATE (any compressor).
pub fn link_from_deflated(deflated: &[u8]) -> String {
    format!("v2.{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// Encodes a run for a URL fragment, in link format `v2` (see the module doc).
pub fn encode(spec: &ClusterSpec, actions: &[(SimTime, UserAction)]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(
        link_text(spec, actions).as_bytes(),
        miniz_oxide::deflate::CompressionLevel::BestCompression as u8,
    );
    link_from_deflated(&packed)
}

/// The refusal for a run made by another engine: older engines' runs and newer ones are
/// worded apart, so a reader knows whether to look for an older build or a newer one.
pub fn other_engine(version: u32) -> String {
    let when = if version > crate::ENGINE_VERSION {
        "a newer KRaft Lab than this one"
    } else {
        "an older KRaft Lab"
    };
    format!(
        "this link was made by engine version {version} ({when}), and this is version {}: it would not replay the same run, so it was not loaded",
        crate::ENGINE_VERSION
    )
}

/// The engine a text names on its first line (`# engine <N>`), if it does: how a packed run
/// or an embedded scenario pins the simulator behaviour it was written against.
pub fn engine_line(text: &str) -> Option<u32> {
    text.lines()
        .next()
        .and_then(|l| l.trim().strip_prefix("# engine "))
        .and_then(|v| v.trim().parse::<u32>().ok())
}

/// The engine that made `text`, when it is not this one: the one place that decides whether a
/// run link or a scenario would replay differently here. A `v1` link's run is engine 1 (its
/// tag was the engine version); any other text names its engine on its first line, if at all.
pub fn other_engine_of(text: &str, v1: bool) -> Option<u32> {
    let version = if v1 { Some(1) } else { engine_line(text) };
    version.filter(|v| *v != crate::ENGINE_VERSION)
}

/// A link's payload once its tag and base64url are read, before its text is unpacked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// Format `v1`: the run's text as it is (a run of engine 1).
    Plain(Vec<u8>),
    /// Format `v2`: the text compressed with raw DEFLATE, to inflate to at most
    /// [`MAX_TEXT_BYTES`] (then [`run_from_v2_text`]).
    Deflated(Vec<u8>),
}

/// Why raw DEFLATE data did not inflate to a link's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InflateError {
    /// It would inflate past [`MAX_TEXT_BYTES`].
    TooLarge,
    /// It is not (complete) raw DEFLATE data.
    Damaged,
}

impl InflateError {
    /// The refusal, as [`decode`] words it.
    pub fn reason(self) -> String {
        match self {
            InflateError::TooLarge => format!(
                "the link's run is larger than {} KiB once unpacked, so it was not loaded",
                MAX_TEXT_BYTES / 1024
            ),
            InflateError::Damaged => "the link is damaged (it does not unpack)".into(),
        }
    }
}

/// Reads a link's tag and base64url (`#`, `run=` and surrounding blanks are skipped). Refuses
/// what is not a link, a damaged base64url, and a tag of a format this build does not read.
pub fn payload(link: &str) -> Result<Payload, String> {
    let link = link.trim().trim_start_matches('#');
    let link = link.strip_prefix("run=").unwrap_or(link);
    let (tag, data) = link
        .split_once('.')
        .ok_or("this is not a KRaft Lab run link (expected `v<format>.<data>`)")?;
    let format: u32 = tag
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .ok_or("this is not a KRaft Lab run link (bad format tag)")?;
    let damaged_base64 = |_| "the link is damaged (it is not valid base64url)".to_string();
    match format {
        1 => Ok(Payload::Plain(
            URL_SAFE_NO_PAD.decode(data).map_err(damaged_base64)?,
        )),
        2 => Ok(Payload::Deflated(
            URL_SAFE_NO_PAD.decode(data).map_err(damaged_base64)?,
        )),
        // Tags before format 2 named the engine version; later tags name newer formats.
        other => Err(format!(
            "this link's tag `v{other}` is a newer link format than this KRaft Lab reads (or, in a link from before format 2, engine version {other}), and this is engine version {}, so it was not loaded",
            crate::ENGINE_VERSION
        )),
    }
}

/// Inflates a `v2` payload with miniz_oxide, stopping past [`MAX_TEXT_BYTES`].
fn inflate(deflated: &[u8]) -> Result<Vec<u8>, InflateError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MAX_TEXT_BYTES).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => InflateError::TooLarge,
            _ => InflateError::Damaged,
        },
    )
}

/// The run in a `v1` payload (plain text, a run of engine 1). With `check_engine`, refused
/// unless this is engine 1.
pub fn run_from_v1_text(bytes: Vec<u8>, check_engine: bool) -> Result<SharedRun, String> {
    v1_run(bytes, check_engine, &Limits::DEFAULT)
}

fn v1_run(bytes: Vec<u8>, check_engine: bool, limits: &Limits) -> Result<SharedRun, String> {
    let text = utf8(bytes)?;
    if let Some(v) = other_engine_of(&text, true).filter(|_| check_engine) {
        return Err(other_engine(v));
    }
    run_of(&text, limits)
}

/// The run in a `v2` payload's inflated text, whose first line names its engine. With
/// `check_engine`, a run of another engine is refused.
pub fn run_from_v2_text(bytes: Vec<u8>, check_engine: bool) -> Result<SharedRun, String> {
    v2_run(bytes, check_engine, &Limits::DEFAULT)
}

fn v2_run(bytes: Vec<u8>, check_engine: bool, limits: &Limits) -> Result<SharedRun, String> {
    let text = utf8(bytes)?;
    engine_line(&text).ok_or("the link is damaged (it does not say which engine made it)")?;
    if let Some(v) = other_engine_of(&text, false).filter(|_| check_engine) {
        return Err(other_engine(v));
    }
    run_of(&text, limits)
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|_| "the link is damaged (not UTF-8 text)".into())
}

fn concrete(n: &NodeRef) -> Result<NodeId, String> {
    match n {
        NodeRef::Id(id) => Ok(*id),
        other => Err(format!("a shared run names nodes by id, not `{other}`")),
    }
}

/// Decodes a link made by [`encode`] (or by the app), held to the default limits. Every
/// refusal says why.
pub fn decode(link: &str) -> Result<SharedRun, String> {
    decode_checked(link, true, &Limits::DEFAULT)
}

/// Decodes a link held to other limits than the defaults (the command line's `--limits`).
pub fn decode_with_limits(link: &str, limits: &Limits) -> Result<SharedRun, String> {
    decode_checked(link, true, limits)
}

/// Decodes a link made by an older (or newer) engine as a run of the current engine: the same
/// cluster and the same actions at the same times, which may now play out differently. For
/// the "open with the current engine" choice a refused link offers.
pub fn decode_with_current_engine(link: &str) -> Result<SharedRun, String> {
    decode_checked(link, false, &Limits::DEFAULT)
}

/// Checks a run against `limits` before it is replayed: the cluster's counted partitions,
/// every action charged in order (as if each were accepted), and the time of the last
/// action. The refusal names the action and the limit.
pub fn check_run(
    spec: &ClusterSpec,
    actions: &[(SimTime, UserAction)],
    limits: &Limits,
) -> Result<(), String> {
    limits.check_counted_partitions(spec.quorum.modelled_partitions)?;
    let mut budget = Budget::new(*limits, spec.quorum.modelled_partitions);
    for (i, (t, action)) in actions.iter().enumerate() {
        budget
            .spend(action.cost(), &action.to_command())
            .map_err(|why| format!("action {} (at {}): {why}", i + 1, format_duration(t.0)))?;
    }
    if let Some((end, _)) = actions.last() {
        limits
            .check_time(*end)
            .map_err(|why| format!("its last action: {why}"))?;
    }
    Ok(())
}

fn decode_checked(link: &str, check_engine: bool, limits: &Limits) -> Result<SharedRun, String> {
    match payload(link)? {
        Payload::Plain(text) => v1_run(text, check_engine, limits),
        Payload::Deflated(packed) => {
            let text = inflate(&packed).map_err(InflateError::reason)?;
            v2_run(text, check_engine, limits)
        }
    }
}

/// The run of a link's text, checked: a `cluster` line, then `at <time> <action>` lines in
/// time order naming nodes by id.
fn run_of(text: &str, limits: &Limits) -> Result<SharedRun, String> {
    let lines = parse_script(text).map_err(|e| format!("the link's run does not parse: {e}"))?;
    let mut iter = lines.into_iter();
    let first = iter.next().ok_or("the link holds no run")?;
    let Command::Cluster(spec) = first.command else {
        return Err("the link's run must start with `cluster`".into());
    };
    let mut actions = Vec::new();
    let mut last = SimTime::ZERO;
    for line in iter {
        let fail = |m: String| format!("line {}: {m}", line.number);
        let Command::At(t, inner) = line.command else {
            return Err(fail(
                "a shared run holds only `at <time> <action>` lines".into(),
            ));
        };
        let t = SimTime(t);
        if t < last {
            return Err(fail("actions must be in time order".into()));
        }
        last = t;
        let Command::Do(act, None) = *inner else {
            return Err(fail("expected an action after the time".into()));
        };
        let action = act.try_map_nodes(concrete).map_err(fail)?;
        actions.push((t, action));
    }
    check_run(&spec, &actions, limits)
        .map_err(|why| format!("the link's run is larger than a run may be: {why}"))?;
    Ok(SharedRun {
        spec: *spec,
        actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::sim::{NetworkChange, NetworkConfig};
    use crate::types::{ms, secs};

    /// The base64url alphabet, to damage links with.
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// A link the former hand-written encoder made (engine 1): it must keep decoding.
    const OLD_V1_LINK: &str = "v1.Y2x1c3RlciBrcmFmdCB2b3RlcnM9MyBicm9rZXJzPTEgc2VlZD03IHByZXZvdGU9b24gZmV0Y2gtaHc9b24gbGF0ZW5jeT0xMG1zLi4yMG1zIGxvc3M9MSUgZHVwbGljYXRlPTAlIHJlb3JkZXI9b2ZmCmF0IDJzIGNyYXNoIDMwMDAKYXQgM3Mgd3JpdGUgMgphdCA1cyByZXN0YXJ0IDMwMDAK";

    /// A link Chromium's `CompressionStream("deflate-raw")` packed (the web app's share dialog,
    /// engine 2): the CLI must open what the page makes.
    const CHROMIUM_V2_LINK: &str = "v2.HYlBDsIgFET3PcUkxqUEqGnqgsMg_dimCM3_1MbbW9xM3rx3AeXXkgm2C2mXSoyVfaz4lJPF9XhyWRsZCNHk7hYbU6uuZESqYb7NR-PkK-XwdUa_RSl7LlIRcfqKad_SEs7eDlPhidiVGDtfYbSy_WjtIDh4qQTzt0aNj2FsNrCXGb3WtvsB";

    /// The run [`OLD_V1_LINK`] holds.
    fn old_v1_run() -> SharedRun {
        let mut spec = ClusterSpec::kraft(3, 1, 7);
        spec.network.loss_ppm = 10_000;
        SharedRun {
            spec,
            actions: vec![
                (SimTime(secs(2)), UserAction::Crash(NodeId(3000))),
                (SimTime(secs(3)), UserAction::Write { count: 2, to: None }),
                (SimTime(secs(5)), UserAction::Restart(NodeId(3000))),
            ],
        }
    }

    /// A `v2` link holding `text` as it is (engine line included or not).
    fn v2_link(text: &str) -> String {
        let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 6);
        format!("v2.{}", URL_SAFE_NO_PAD.encode(packed))
    }

    /// A `v1` link (plain base64url, as links were before format 2) holding `text`.
    fn v1_link(text: &str) -> String {
        format!("v1.{}", URL_SAFE_NO_PAD.encode(text.as_bytes()))
    }

    #[test]
    fn links_made_by_the_former_encoder_still_decode() {
        let run = old_v1_run();
        // Engine 1 made it: this engine refuses it, and opens it on request.
        assert!(decode(OLD_V1_LINK)
            .unwrap_err()
            .contains("engine version 1"));
        assert_eq!(decode_with_current_engine(OLD_V1_LINK).unwrap(), run);
        assert_eq!(
            v1_link(&run_text(&run.spec, &run.actions)),
            OLD_V1_LINK,
            "v1 is plain base64url of the run text"
        );
        // The same run as a new link: format v2, same run back.
        let link = encode(&run.spec, &run.actions);
        assert!(link.starts_with("v2."), "{link}");
        assert_eq!(decode(&link).unwrap(), run);
    }

    #[test]
    fn new_links_are_shorter_than_v1_links() {
        // A run like one made in the app: a few faults and writes on the default cluster.
        let spec = ClusterSpec::kraft(3, 3, 42);
        let actions = vec![
            (SimTime(secs(3)), UserAction::Write { count: 1, to: None }),
            (SimTime(ms(4_200)), UserAction::Crash(NodeId(3001))),
            (SimTime(secs(6)), UserAction::Write { count: 5, to: None }),
            (SimTime(ms(7_500)), UserAction::Isolate(NodeId(3000))),
            (SimTime(secs(9)), UserAction::Heal),
            (SimTime(secs(10)), UserAction::Restart(NodeId(3001))),
            (SimTime(secs(12)), UserAction::Write { count: 2, to: None }),
        ];
        let v2 = encode(&spec, &actions);
        let v1 = v1_link(&run_text(&spec, &actions));
        assert!(v2.len() < v1.len(), "v2 {} vs v1 {}", v2.len(), v1.len());
        let run = old_v1_run();
        assert!(encode(&run.spec, &run.actions).len() < OLD_V1_LINK.len());
    }

    #[test]
    fn a_link_that_inflates_past_the_limit_is_refused() {
        // A few kilobytes that would inflate to 2 MiB of comment lines.
        let text = format!(
            "# engine {}\n{}",
            crate::ENGINE_VERSION,
            "#".repeat(2 << 20)
        );
        let bomb = v2_link(&text);
        assert!(bomb.len() < 16 * 1024, "{}", bomb.len());
        let why = decode(&bomb).unwrap_err();
        assert!(why.contains("larger than 1024 KiB"), "{why}");
        // Just under the limit is only refused for what it holds.
        let text = format!("# engine {}\ncluster kraft\n", crate::ENGINE_VERSION);
        let padded = format!("{text}{}", "#".repeat(MAX_TEXT_BYTES - text.len()));
        assert_eq!(
            decode(&v2_link(&padded)).unwrap().spec,
            decode(&v2_link(&text)).unwrap().spec
        );
    }

    #[test]
    fn the_steps_apart_make_and_read_the_same_links() {
        let run = old_v1_run();
        let text = link_text(&run.spec, &run.actions);
        assert!(text.starts_with(&format!("# engine {}\n", crate::ENGINE_VERSION)));
        // Any raw DEFLATE will do (the browser's differs from miniz_oxide's): stored blocks too.
        for level in [0, 1, 6, 10] {
            let link = link_from_deflated(&miniz_oxide::deflate::compress_to_vec(
                text.as_bytes(),
                level,
            ));
            assert_eq!(decode(&link).unwrap(), run, "level {level}");
            let Payload::Deflated(packed) = payload(&format!("#run={link}")).unwrap() else {
                panic!("a v2 link holds deflated text");
            };
            assert_eq!(
                run_from_v2_text(inflate(&packed).unwrap(), true).unwrap(),
                run
            );
        }
        assert_eq!(
            payload(OLD_V1_LINK).unwrap(),
            Payload::Plain(run_text(&run.spec, &run.actions).into_bytes())
        );
        assert!(
            run_from_v1_text(run_text(&run.spec, &run.actions).into_bytes(), true)
                .unwrap_err()
                .contains("engine version 1")
        );
        // What the browser packed opens here (as engine 2 made it).
        let chromium = decode_with_current_engine(CHROMIUM_V2_LINK).unwrap();
        assert_eq!(chromium.spec, ClusterSpec::kraft(3, 1, 42));
        assert_eq!(
            chromium.actions,
            vec![
                (
                    SimTime(10_238_226),
                    UserAction::Write { count: 1, to: None }
                ),
                (SimTime(11_896_826), UserAction::Crash(NodeId(3002))),
            ]
        );
        assert_eq!(
            InflateError::TooLarge.reason(),
            "the link's run is larger than 1024 KiB once unpacked, so it was not loaded"
        );
    }

    #[test]
    fn runs_round_trip_through_links() {
        let mut spec = ClusterSpec::kraft(5, 2, 1234);
        spec.quorum.prevote = false;
        spec.network.loss_ppm = 15_000;
        let actions = vec![
            (SimTime(secs(2)), UserAction::Crash(NodeId(3001))),
            (SimTime(ms(2_500)), UserAction::Write { count: 3, to: None }),
            (
                SimTime(secs(3)),
                UserAction::Partition(vec![
                    vec![NodeId(3000), NodeId(0)],
                    vec![NodeId(3002), NodeId(3003)],
                ]),
            ),
            (
                SimTime(secs(4)),
                UserAction::PartitionOneWay {
                    from: vec![NodeId(3004)],
                    to: vec![NodeId(1)],
                },
            ),
            (SimTime(secs(5)), UserAction::Pause(NodeId(3002), ms(8_000))),
            (SimTime(secs(6)), UserAction::Heal),
            (SimTime(secs(6)), UserAction::DropMessage(77)),
            (
                SimTime(secs(7)),
                UserAction::SetNetwork(NetworkChange::to(&NetworkConfig {
                    latency_min: ms(1),
                    latency_max: ms(4),
                    loss_ppm: 0,
                    duplicate_ppm: 10_000,
                    reorder: true,
                })),
            ),
            (SimTime(secs(8)), UserAction::TimeoutNow(NodeId(3000))),
            (SimTime(secs(9)), UserAction::Shutdown(NodeId(3000))),
            (SimTime(secs(10)), UserAction::Restart(NodeId(3001))),
            (SimTime(secs(11)), UserAction::Isolate(NodeId(0))),
            (
                SimTime(secs(12)),
                UserAction::Write {
                    count: 1,
                    to: Some(NodeId(3002)),
                },
            ),
        ];
        let link = encode(&spec, &actions);
        assert!(link.starts_with("v2."));
        let back = decode(&link).unwrap();
        assert_eq!(back.spec, spec);
        assert_eq!(back.actions, actions);
        assert_eq!(decode(&format!("#run={link}")).unwrap(), back);
    }

    #[test]
    fn bad_links_are_refused_with_a_reason() {
        let engine = crate::ENGINE_VERSION;
        let other_engine = v2_link("# engine 999\ncluster kraft\n");
        assert!(decode(&other_engine)
            .unwrap_err()
            .contains("engine version 999"));
        // An unknown tag: a newer link format, or an engine version in an old-style tag.
        assert!(decode("v999.AAAA")
            .unwrap_err()
            .contains("engine version 999"));
        assert!(decode("hello").is_err());
        assert!(decode("v1.***").unwrap_err().contains("damaged"));
        assert!(decode("v2.***").unwrap_err().contains("damaged"));
        let not_deflate = format!("v2.{}", URL_SAFE_NO_PAD.encode([0xff; 40]));
        assert!(decode(&not_deflate).unwrap_err().contains("damaged"));
        let no_engine = v2_link("cluster kraft\n");
        assert!(decode(&no_engine).unwrap_err().contains("which engine"));
        // A v1 link is refused for its engine first; opened anyway, its text is checked.
        for not_a_run in [
            v1_link("crash 3000\n"),
            v2_link(&format!("# engine {engine}\ncrash 3000\n")),
        ] {
            assert!(decode_with_current_engine(&not_a_run)
                .unwrap_err()
                .contains("start with `cluster`"));
        }
        let alias = v1_link("cluster kraft\nat 1s crash leader\n");
        assert!(decode_with_current_engine(&alias)
            .unwrap_err()
            .contains("line 2"));
        // In v2 the engine line is line 1.
        let alias = v2_link(&format!(
            "# engine {engine}\ncluster kraft\nat 1s crash leader\n"
        ));
        assert!(decode(&alias).unwrap_err().contains("line 3"));
    }

    #[test]
    fn random_links_never_panic() {
        let mut rng = SimRng::new(11);
        let good = encode(
            &ClusterSpec::kraft(3, 3, 5),
            &[(SimTime(secs(1)), UserAction::Heal)],
        );
        for _ in 0..3_000 {
            let mut bytes = good.clone().into_bytes();
            for _ in 0..rng.between(1, 6) {
                let i = rng.below(bytes.len() as u64) as usize;
                bytes[i] = B64[rng.below(64) as usize];
            }
            let _ = decode(&String::from_utf8_lossy(&bytes));
            let noise: String = (0..rng.below(40))
                .map(|_| rng.below(128) as u8 as char)
                .collect();
            let _ = decode(&noise);
        }
    }
}
