//! The run the page drives: a core [`Timeline`] kept outside the reactive graph, and the signals
//! the components read after every frame or action (the `ClusterView` snapshot, the tools'
//! outputs, the feed). Nothing here draws; nothing here is chrome.

use kraftlab_core::run::{FeedItem, FeedLevel, Pacing, Timeline};
use kraftlab_core::sim::{ClusterSpec, ClusterView, UserAction, World};
use kraftlab_core::tools::{metadata, quorum, zookeeper, ToolText};
use kraftlab_core::types::{NodeId, SimTime};
use leptos::prelude::*;

/// Many topics being created, a slice per frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkJob {
    /// Topic name prefix.
    pub prefix: String,
    /// Topics asked for.
    pub total: u32,
    /// Topics submitted so far.
    pub done: u32,
    /// Partitions per topic.
    pub partitions: u32,
    /// Replication factor.
    pub replication_factor: u32,
}

/// Partitions submitted per frame by a scale run.
const BULK_PARTITIONS_PER_FRAME: u32 = 20_000;

/// The simulation and what the components read of it. All fields are cheap handles.
#[derive(Clone, Copy)]
pub struct Run {
    /// The run with time travel.
    pub timeline: StoredValue<Timeline>,
    /// The current snapshot (rebuilt when an event ran; its `now` is then current).
    pub view: RwSignal<ClusterView>,
    /// Virtual time now, every frame: what moves messages, timer arcs and the clock. A frame
    /// in which no event ran changes this alone.
    pub now: RwSignal<SimTime>,
    /// End of the recording.
    pub horizon: RwSignal<SimTime>,
    /// Now as the transport bar (the clock, the scrubber, the timer arcs) shows it: exact
    /// after an action, a seek or a pause, at most [`CLOCK_PER_SECOND`] times a second while
    /// playing (a clock and a scrubber rewritten every frame cost the page a layout a frame).
    pub shown_now: RwSignal<SimTime>,
    /// The end of the recording as the scrubber shows it, paced like `shown_now`.
    pub shown_horizon: RwSignal<SimTime>,
    /// `kafka-metadata-quorum describe --status` now (in ZooKeeper mode, each server's `srvr`),
    /// each line tied to its node.
    pub quorum_status: RwSignal<ToolText>,
    /// `kafka-metadata-quorum describe --replication` now (in ZooKeeper mode, `get /controller`).
    pub quorum_replication: RwSignal<ToolText>,
    /// True when the cluster runs in ZooKeeper mode: the tools panel shows ZooKeeper's tools.
    pub zk_mode: RwSignal<bool>,
    /// ZooKeeper mode's counterpart of the log tail: the newest znodes of the serving
    /// ZooKeeper leader, by creation zxid.
    pub zk_log: RwSignal<Vec<zookeeper::ZnodeChange>>,
    /// The newest feed lines at the chosen level, oldest first.
    pub feed: RwSignal<Vec<FeedItem>>,
    /// The most detailed feed level shown; by default only the story.
    pub feed_level: RwSignal<FeedLevel>,
    /// How many lines the chosen level folds away (of the lines the run keeps).
    pub feed_folded: RwSignal<usize>,
    /// What `feed` was built from: (newest line's seq, lines kept, level), so an unchanged
    /// feed costs a comparison per frame, not a copy.
    feed_key: StoredValue<(Option<u64>, usize, FeedLevel)>,
    /// `kafka-topics --describe` of the active controller's image (or of the node chosen in
    /// the metadata panel), recomputed only when that image's content changes.
    pub topics_text: RwSignal<String>,
    /// Whose image the metadata panel describes (`None`: the active controller's).
    pub topics_of: RwSignal<Option<NodeId>>,
    /// Which image `topics_text` was computed from: (node, offset-free content digest).
    topics_key: StoredValue<Option<(Option<NodeId>, u64)>>,
    /// A scale run being submitted in slices (one CreateTopics of about 20,000 partitions per
    /// frame), so that no single frame writes a million records.
    pub bulk: RwSignal<Option<BulkJob>>,
    /// True while the simulation cannot keep up with the chosen speed (a frame ran out of its
    /// time budget): virtual time then runs slower than asked, and the page stays responsive.
    pub behind: RwSignal<bool>,
    /// The whole run as it was before the last action that dropped a recorded future, for
    /// the toast's Undo.
    pub undo: StoredValue<Option<Timeline>>,
    /// The recording's actions for the scrubber's marks: (virtual ms, the scenario line).
    pub marks: RwSignal<Vec<(u64, String)>>,
    /// The run's event count when the snapshot was last built in full, so that a frame in
    /// which nothing happened (most frames at the default speed) only moves the clock.
    published: StoredValue<Option<u64>>,
    /// Bumped when the panels beside the picture (the tools' outputs, the feed, the log and
    /// image tables) should read the run again: at every refresh while paused or acting, at
    /// most [`PANELS_PER_SECOND`] times a second while playing. The picture follows every
    /// event; text tables read at 60 Hz only cost the page layout and nobody can read them.
    pub panels: RwSignal<usize>,
    /// When the panels and the transport bar may next follow a playing run.
    pace: StoredValue<Pace>,
    /// Running or paused.
    pub playing: RwSignal<bool>,
    /// A shared run being replayed in slices: how far it got, and its end.
    pub replaying: RwSignal<Option<(SimTime, SimTime)>>,
    /// Virtual seconds per wall second.
    pub speed: RwSignal<f64>,
    /// Fast-forward while nothing is in flight.
    pub skip_idle: RwSignal<bool>,
    /// True while idle time is being skipped (for the indicator).
    pub skipping: RwSignal<bool>,
}

const FEED_SHOWN: usize = 120;

/// How often the panels beside the picture follow a playing run (see [`Run::panels`]).
pub const PANELS_PER_SECOND: f64 = 8.0;

/// How often the transport bar's clock and scrubber follow a playing run.
pub const CLOCK_PER_SECOND: f64 = 15.0;

/// When the slower parts of the page next follow a playing run (frame clock, ms).
#[derive(Clone, Copy, Default)]
struct Pace {
    /// The panels are behind the snapshot: a frame skipped them.
    panels_behind: bool,
    /// The panels may be refreshed from then on.
    panels_at: f64,
    /// The transport bar may follow from then on.
    transport_at: f64,
}

/// Records of each log the snapshot copies: none. The log view reads the logs from the run
/// itself (any stretch of them, `log_view::matrix`), and copying and printing a tail of every
/// log at every event cost the frame for nothing.
const LOG_TAIL: usize = 0;

/// How many of the newest znodes the ZooKeeper-mode log panel lists.
const ZNODES_SHOWN: usize = 16;

/// At most this many partitions are described in full in the metadata panel.
const TOPICS_DESCRIBED: usize = 300;

impl Run {
    /// A run around `timeline`, published once.
    pub fn new(timeline: Timeline) -> Run {
        let view = ClusterView::build(timeline.world(), LOG_TAIL);
        let run = Run {
            now: RwSignal::new(view.now),
            view: RwSignal::new(view),
            horizon: RwSignal::new(timeline.horizon()),
            shown_now: RwSignal::new(timeline.now()),
            shown_horizon: RwSignal::new(timeline.horizon()),
            timeline: StoredValue::new(timeline),
            quorum_status: RwSignal::new(ToolText::default()),
            quorum_replication: RwSignal::new(ToolText::default()),
            zk_mode: RwSignal::new(false),
            zk_log: RwSignal::new(Vec::new()),
            feed: RwSignal::new(Vec::new()),
            feed_level: RwSignal::new(FeedLevel::Story),
            feed_folded: RwSignal::new(0),
            feed_key: StoredValue::new((None, usize::MAX, FeedLevel::Story)),
            topics_text: RwSignal::new(String::new()),
            topics_of: RwSignal::new(None),
            topics_key: StoredValue::new(None),
            behind: RwSignal::new(false),
            bulk: RwSignal::new(None),
            undo: StoredValue::new(None),
            published: StoredValue::new(None),
            panels: RwSignal::new(0),
            pace: StoredValue::new(Pace::default()),
            marks: RwSignal::new(Vec::new()),
            playing: RwSignal::new(true),
            replaying: RwSignal::new(None),
            speed: RwSignal::new(0.25),
            skip_idle: RwSignal::new(true),
            skipping: RwSignal::new(false),
        };
        run.refresh();
        run
    }

    /// After a frame at `clock_ms` (the frame clock): publishes the snapshot if an event was
    /// processed, otherwise only the clock (and the recording's end), which is all that
    /// changed; the panels follow when they are due (see [`Run::panels`]).
    fn refresh_frame(&self, clock_ms: f64) {
        let (events, now, horizon) = self
            .timeline
            .with_value(|t| (t.world().stats().events, t.now(), t.horizon()));
        let pace = self.pace.get_value();
        let due = clock_ms >= pace.panels_at;
        if due {
            self.pace
                .update_value(|p| p.panels_at = clock_ms + 1000.0 / PANELS_PER_SECOND);
        }
        if clock_ms >= pace.transport_at {
            self.pace
                .update_value(|p| p.transport_at = clock_ms + 1000.0 / CLOCK_PER_SECOND);
            self.show_transport(now, horizon);
        }
        if self.published.get_value() != Some(events) {
            self.publish(due);
            return;
        }
        if self.now.get_untracked() != now {
            self.now.set(now);
        }
        if self.horizon.get_untracked() != horizon {
            self.horizon.set(horizon);
        }
        if pace.panels_behind && due {
            self.publish_panels();
        }
    }

    /// Brings the panels and the transport bar up to date if a playing frame left them
    /// behind (the run paused).
    pub fn catch_up_panels(&self) {
        if self.pace.get_value().panels_behind {
            self.publish_panels();
        }
        self.show_transport(self.now.get_untracked(), self.horizon.get_untracked());
    }

    fn show_transport(&self, now: SimTime, horizon: SimTime) {
        if self.shown_now.get_untracked() != now {
            self.shown_now.set(now);
        }
        if self.shown_horizon.get_untracked() != horizon {
            self.shown_horizon.set(horizon);
        }
    }

    /// Publishes the timeline's current state to the signals, the panels and the transport
    /// bar included.
    pub fn refresh(&self) {
        self.publish(true);
        self.show_transport(self.now.get_untracked(), self.horizon.get_untracked());
    }

    /// Publishes the snapshot; the panels too if `panels`, otherwise they are marked behind.
    fn publish(&self, panels: bool) {
        self.published
            .set_value(self.timeline.with_value(|t| Some(t.world().stats().events)));
        let (view, horizon, zk) = self.timeline.with_value(|t| {
            let world = t.world();
            (
                ClusterView::build(world, LOG_TAIL),
                t.horizon(),
                world.spec().is_zk(),
            )
        });
        if self.now.get_untracked() != view.now {
            self.now.set(view.now);
        }
        self.view.set(view);
        if self.zk_mode.get_untracked() != zk {
            self.zk_mode.set(zk);
        }
        self.horizon.set(horizon);
        self.refresh_marks();
        if panels {
            self.publish_panels();
        } else {
            self.pace.update_value(|p| p.panels_behind = true);
        }
    }

    /// The panels' part of a refresh: the tools' outputs, the feed, the topics, and a bump of
    /// [`Run::panels`] for the tables that read the snapshot.
    fn publish_panels(&self) {
        self.pace.update_value(|p| p.panels_behind = false);
        let level = self.feed_level.get_untracked();
        let (status, replication, feed) = self.timeline.with_value(|t| {
            let world = t.world();
            let (status, replication) = if world.spec().is_zk() {
                let srvr = zookeeper::srvr(world).unwrap_or_else(|e| error_text(&e));
                let controller = zookeeper::get(world, "/controller")
                    .map(|t| ToolText::from_text(&t, |_| None))
                    .unwrap_or_else(|e| error_text(&e));
                (srvr, controller)
            } else {
                match quorum::describe_quorum(world) {
                    Ok(q) => (
                        quorum::describe_status(&q),
                        quorum::describe_replication(&q, false),
                    ),
                    Err(e) => (error_text(&e), error_text(&e)),
                }
            };
            let key = (t.feed().next_back().map(|f| f.seq), t.feed().len(), level);
            let feed = (self.feed_key.get_value() != key).then(|| {
                self.feed_key.set_value(key);
                let folded = t.feed().filter(|f| f.level > level).count();
                let mut shown: Vec<FeedItem> = t
                    .feed()
                    .rev()
                    .filter(|f| f.level <= level)
                    .take(FEED_SHOWN)
                    .cloned()
                    .collect();
                shown.reverse();
                (shown, folded)
            });
            (status, replication, feed)
        });
        if self.quorum_status.with_untracked(|s| *s != status) {
            self.quorum_status.set(status);
        }
        if self
            .quorum_replication
            .with_untracked(|s| *s != replication)
        {
            self.quorum_replication.set(replication);
        }
        if let Some((feed, folded)) = feed {
            if self.feed.with_untracked(|f| *f != feed) {
                self.feed.set(feed);
            }
            if self.feed_folded.get_untracked() != folded {
                self.feed_folded.set(folded);
            }
        }
        self.refresh_topics();
        self.panels.update(|n| *n = n.wrapping_add(1));
    }

    /// The snapshot, read by a panel: tracked through [`Run::panels`], so the panel follows a
    /// playing run at the panels' pace rather than at every event.
    pub fn with_panel_view<R>(&self, f: impl FnOnce(&ClusterView) -> R) -> R {
        self.panels.track();
        self.view.with_untracked(f)
    }

    /// Follows the recording's actions into `marks` when they changed (an action, a fork, a
    /// loaded run).
    fn refresh_marks(&self) {
        let changed = self.timeline.with_value(|t| {
            let last = t.actions().last().map(|(at, _)| at.0 / 1_000);
            self.marks.with_untracked(|m| {
                m.len() != t.actions().len() || m.last().map(|(at, _)| *at) != last
            })
        });
        if changed {
            let marks = self.timeline.with_value(|t| {
                t.actions()
                    .iter()
                    .map(|(at, a)| (at.0 / 1_000, a.to_command()))
                    .collect()
            });
            self.marks.set(marks);
        }
    }

    /// Recomputes `topics_text` (in ZooKeeper mode also `zk_log`) if the described image's
    /// content (the ZooKeeper tree) changed. Large images are summarized: describing a million
    /// partitions every frame would stall the page.
    pub fn refresh_topics(&self) {
        let of = self.topics_of.get_untracked();
        let text = self.timeline.with_value(|t| {
            let world = t.world();
            if world.spec().is_zk() {
                // No image in ZooKeeper mode: the topics, and the newest znodes, are read from
                // the tree, again only when the snapshot's fingerprint of it moved.
                let key = Some((None, self.view.with_untracked(|v| v.metadata.digest)));
                if self.topics_key.get_value() == key {
                    return None;
                }
                self.topics_key.set_value(key);
                let log = world
                    .zk_leader()
                    .map(|l| zookeeper::newest_znodes(world, l, ZNODES_SHOWN))
                    .unwrap_or_default();
                if self.zk_log.with_untracked(|z| *z != log) {
                    self.zk_log.set(log);
                }
                return Some(zookeeper::describe_topics(world).unwrap_or_else(|e| e));
            }
            let image = match of {
                Some(id) => world.image_of(id),
                None => world.authority_image(),
            };
            let key = image.as_ref().ok().map(|i| (of, i.digest));
            if key.is_some() && self.topics_key.get_value() == key {
                return None;
            }
            self.topics_key.set_value(key);
            Some(match image {
                Err(e) => e,
                Ok(image) if image.topics.is_empty() => "(no topics yet: create one)".to_string(),
                Ok(image) if image.partition_count <= TOPICS_DESCRIBED => {
                    metadata::describe_topics(image, None).unwrap_or_else(|e| e)
                }
                Ok(image) => {
                    let mut s = format!(
                        "{} topics, {} partitions: the first topics, in full\n",
                        image.topics.len(),
                        image.partition_count
                    );
                    let mut shown = 0;
                    for name in image.topic_ids.keys() {
                        if shown >= TOPICS_DESCRIBED {
                            break;
                        }
                        if let Ok(t) = metadata::describe_topics(image, Some(name)) {
                            shown += t.lines().count();
                            s += &t;
                        }
                    }
                    s
                }
            })
        });
        if let Some(text) = text {
            self.topics_text.set(text);
        }
    }

    /// Applies a user action now (forking the recorded future); `Ok` says what was done.
    pub fn act(&self, action: UserAction) -> Result<String, String> {
        let result = self
            .timeline
            .try_update_value(|t| t.act(action))
            .unwrap_or_else(|| Err("the run is gone".into()));
        self.refresh();
        result
    }

    /// Submits the next slice of a scale run, if one is going (called once per frame); returns
    /// what to tell the user when the run finished or stopped.
    pub fn bulk_step(&self) -> Option<Result<String, String>> {
        let job = self.bulk.get_untracked()?;
        let slice = (BULK_PARTITIONS_PER_FRAME / job.partitions.max(1))
            .max(1)
            .min(job.total - job.done);
        let action = UserAction::Admin(kraftlab_core::server::AdminOp::CreateTopics {
            prefix: job.prefix.clone(),
            first: job.done,
            count: slice,
            partitions: job.partitions,
            replication_factor: job.replication_factor,
        });
        let result = self
            .timeline
            .try_update_value(|t| t.act(action))
            .unwrap_or_else(|| Err("the run is gone".into()));
        // Published in full at the next frame, whether or not an event ran.
        self.published.set_value(None);
        match result {
            Err(why) => {
                self.bulk.set(None);
                Some(Err(format!("the scale run stopped: {why}")))
            }
            Ok(_) if job.done + slice >= job.total => {
                self.bulk.set(None);
                Some(Ok(format!(
                    "submitted {} topics of {} partitions; watch the images fill up",
                    job.total, job.partitions
                )))
            }
            Ok(_) => {
                self.bulk.set(Some(BulkJob {
                    done: job.done + slice,
                    ..job
                }));
                None
            }
        }
    }

    /// Replaces the run with a fresh cluster.
    pub fn reset(&self, spec: ClusterSpec) {
        self.load(Timeline::new(spec));
    }

    /// Replaces the run (a loaded link).
    pub fn load(&self, timeline: Timeline) {
        self.timeline.set_value(timeline);
        self.refresh();
    }

    /// Moves to virtual time `t` within the recording.
    pub fn seek(&self, t: SimTime) {
        self.timeline.update_value(|tl| tl.seek(t));
        self.refresh();
    }

    /// Processes exactly one event.
    pub fn step(&self) {
        self.playing.set(false);
        self.timeline.update_value(|t| {
            t.step();
        });
        self.refresh();
    }

    /// Advances the run by `wall_ms` of wall time at the chosen speed (the frame clock reading
    /// `clock_ms`, which paces the panels), giving up when
    /// `over_budget` says the frame has spent its time, or at the event after which `stop`
    /// holds (see `Timeline::advance_paced_until`).
    pub fn advance(
        &self,
        wall_ms: f64,
        clock_ms: f64,
        over_budget: impl FnMut() -> bool,
        stop: Option<&mut dyn FnMut(&World) -> bool>,
    ) {
        let speed = self.speed.get_untracked();
        let skip = self.skip_idle.get_untracked();
        let pacing = self
            .timeline
            .try_update_value(|t| t.advance_paced_until(wall_ms, speed, skip, over_budget, stop))
            .unwrap_or_default();
        let Pacing {
            skipping, behind, ..
        } = pacing;
        if self.skipping.get_untracked() != skipping {
            self.skipping.set(skipping);
        }
        if self.behind.get_untracked() != behind {
            self.behind.set(behind);
        }
        self.refresh_frame(clock_ms);
    }
}

/// A tool's refusal as one unlinked line.
fn error_text(e: &str) -> ToolText {
    ToolText::from_text(e, |_| None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kraftlab_core::sim::ClusterSpec;

    /// Three seconds of play in 60 frames a second: the picture's snapshot follows every
    /// frame with an event, the panels about 8 times a second, the clock about 15; a pause
    /// brings both up to date.
    #[test]
    fn panels_and_clock_follow_a_playing_run_at_their_pace() {
        let owner = Owner::new();
        owner.with(|| {
            let run = Run::new(Timeline::new(ClusterSpec::kraft(3, 2, 1)));
            // 1x: three wall seconds are three virtual seconds, enough for a first election.
            run.speed.set(1.0);
            let panels_before = run.panels.get_untracked();
            let mut clock_moves = 0;
            let mut shown = run.shown_now.get_untracked();
            let frame_ms = 1000.0 / 60.0;
            for frame in 0..180 {
                run.advance(frame_ms, frame as f64 * frame_ms, || false, None);
                if run.shown_now.get_untracked() != shown {
                    shown = run.shown_now.get_untracked();
                    clock_moves += 1;
                }
            }
            let bumps = run.panels.get_untracked() - panels_before;
            // 3 s at 8 and 15 a second: 24 and 45, give or take the first frame.
            assert!((22..=26).contains(&bumps), "panels refreshed {bumps} times");
            assert!(
                (43..=47).contains(&clock_moves),
                "clock moved {clock_moves} times"
            );
            // The picture is never behind: its clock is the run's now.
            let now = run.timeline.with_value(|t| t.now());
            assert_eq!(run.now.get_untracked(), now);
            // A pause catches the panels and the clock up.
            run.catch_up_panels();
            assert_eq!(run.shown_now.get_untracked(), now);
            assert!(!run.pace.get_value().panels_behind);
            // The quorum has elected by now, and the panel says what the run says.
            let status = run
                .timeline
                .with_value(|t| {
                    quorum::describe_quorum(t.world()).map(|q| quorum::describe_status(&q))
                })
                .expect("a leader within 3 s");
            assert!(run.quorum_status.with_untracked(|s| *s == status));
        });
    }
}
