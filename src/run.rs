//! The run the page drives: a core [`Timeline`] kept outside the reactive graph, and the signals
//! the components read after every frame or action (the `ClusterView` snapshot, the tools'
//! outputs, the feed). Nothing here draws; nothing here is chrome.

use kraftlab_core::run::{FeedItem, Pacing, Timeline};
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
    /// The current snapshot.
    pub view: RwSignal<ClusterView>,
    /// End of the recording.
    pub horizon: RwSignal<SimTime>,
    /// `kafka-metadata-quorum describe --status` now (in ZooKeeper mode, each server's `srvr`),
    /// each line tied to its node.
    pub quorum_status: RwSignal<ToolText>,
    /// `kafka-metadata-quorum describe --replication` now (in ZooKeeper mode, `get /controller`).
    pub quorum_replication: RwSignal<ToolText>,
    /// True when the cluster runs in ZooKeeper mode: the tools panel shows ZooKeeper's tools.
    pub zk_mode: RwSignal<bool>,
    /// The newest feed lines, newest first.
    pub feed: RwSignal<Vec<FeedItem>>,
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

/// At most this many partitions are described in full in the metadata panel.
const TOPICS_DESCRIBED: usize = 300;

impl Run {
    /// A run around `timeline`, published once.
    pub fn new(timeline: Timeline) -> Run {
        let view = ClusterView::build(timeline.world(), 24);
        let run = Run {
            view: RwSignal::new(view),
            horizon: RwSignal::new(timeline.horizon()),
            timeline: StoredValue::new(timeline),
            quorum_status: RwSignal::new(ToolText::default()),
            quorum_replication: RwSignal::new(ToolText::default()),
            zk_mode: RwSignal::new(false),
            feed: RwSignal::new(Vec::new()),
            topics_text: RwSignal::new(String::new()),
            topics_of: RwSignal::new(None),
            topics_key: StoredValue::new(None),
            behind: RwSignal::new(false),
            bulk: RwSignal::new(None),
            playing: RwSignal::new(true),
            replaying: RwSignal::new(None),
            speed: RwSignal::new(0.25),
            skip_idle: RwSignal::new(true),
            skipping: RwSignal::new(false),
        };
        run.refresh();
        run
    }

    /// Publishes the timeline's current state to the signals.
    pub fn refresh(&self) {
        let (view, status, replication, feed, horizon, zk) = self.timeline.with_value(|t| {
            let world = t.world();
            let view = ClusterView::build(world, 24);
            let zk = world.spec().is_zk();
            let (status, replication) = if zk {
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
            let feed: Vec<FeedItem> = t.feed().rev().take(FEED_SHOWN).cloned().collect();
            (view, status, replication, feed, t.horizon(), zk)
        });
        self.view.set(view);
        if self.zk_mode.get_untracked() != zk {
            self.zk_mode.set(zk);
        }
        if self.quorum_status.with_untracked(|s| *s != status) {
            self.quorum_status.set(status);
        }
        if self
            .quorum_replication
            .with_untracked(|s| *s != replication)
        {
            self.quorum_replication.set(replication);
        }
        if self
            .feed
            .with_untracked(|f| f.first() != feed.first() || f.len() != feed.len())
        {
            self.feed.set(feed);
        }
        self.horizon.set(horizon);
        self.refresh_topics();
    }

    /// Recomputes `topics_text` if the described image's content changed. Large images are
    /// summarized: describing a million partitions every frame would stall the page.
    pub fn refresh_topics(&self) {
        let of = self.topics_of.get_untracked();
        let text = self.timeline.with_value(|t| {
            let world = t.world();
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

    /// Advances the run by `wall_ms` of wall time at the chosen speed, giving up when
    /// `over_budget` says the frame has spent its time, or at the event after which `stop`
    /// holds (see `Timeline::advance_paced_until`).
    pub fn advance(
        &self,
        wall_ms: f64,
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
        self.refresh();
    }
}

/// A tool's refusal as one unlinked line.
fn error_text(e: &str) -> ToolText {
    ToolText::from_text(e, |_| None)
}
