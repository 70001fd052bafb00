//! Snapshots (KIP-630): a frozen copy of the metadata image at a committed offset, so that the
//! log before it can be deleted and a replica that fell behind the log start can catch up by
//! loading the snapshot instead of replaying history it can no longer fetch.
//!
//! - **Taking one.** The server's snapshot generator freezes its image (every node does, on
//!   its own) and calls [`Replica::take_snapshot`]; the log start then moves up to it.
//! - **Serving one.** A Fetch below the leader's log start is answered with a `SnapshotId`
//!   instead of records; the fetcher asks for it with `FetchSnapshot` (apiKey 59).
//! - **Loading one.** The fetcher replaces its log with the snapshot, moves its HW up to the
//!   snapshot's end (everything in it is committed) and fetches on from there; its metadata
//!   loader swaps its image for the snapshot's (`handleLoadSnapshot`).
//!
//! Model notes: a snapshot holds the image itself rather than the records Kafka serializes it
//! into, and arrives in one `FetchSnapshot` response instead of chunks; the log prefix is
//! deleted as soon as a snapshot covers it (Kafka waits for `metadata.max.retention.*`), so
//! that catching up from a snapshot shows without gigabytes of history.

use std::sync::Arc;

use crate::effect::Ctx;
use crate::metadata::image::MetadataImage;
use crate::trace::Event;
use crate::types::{ms, NodeId};

use super::log::{Snapshot, SnapshotId};
use super::replica::Replica;
use super::rpc::{ErrorCode, RaftRpc};
use super::state::{Role, State};

impl Replica {
    /// The latest snapshot on disk.
    pub fn latest_snapshot(&self) -> Option<&Snapshot> {
        self.disk.snapshot.as_ref()
    }

    /// Freezes `image` (which must be committed: its offset at or below the HW) as the
    /// latest snapshot and deletes the log the snapshot covers. Returns false, changing
    /// nothing, if it is not newer than the current one or not committed.
    pub fn take_snapshot(&mut self, image: Arc<MetadataImage>, ctx: &mut Ctx) -> bool {
        let end = image.offset;
        let newer = self
            .disk
            .snapshot
            .as_ref()
            .is_none_or(|s| s.id.end_offset < end);
        if end == 0 || !newer || self.hw.is_none_or(|hw| end > hw) {
            return false;
        }
        let id = SnapshotId {
            end_offset: end,
            epoch: image.last_epoch,
        };
        self.disk.snapshot = Some(Snapshot {
            id,
            image,
            taken_at: ctx.now,
        });
        let before = self.disk.log.start_offset();
        self.disk.log.advance_start(id.end_offset, id.epoch);
        self.rebuild_voter_history(ctx);
        ctx.emit(Event::SnapshotTaken {
            end_offset: id.end_offset,
            epoch: id.epoch,
            log_start: self.disk.log.start_offset(),
            deleted: self.disk.log.start_offset() - before,
        });
        true
    }

    /// `handleFetchSnapshotRequest`: the leader sends its snapshot if it is the one asked for.
    pub(crate) fn handle_fetch_snapshot_request(
        &mut self,
        from: NodeId,
        correlation: u64,
        epoch: crate::types::Epoch,
        snapshot_id: SnapshotId,
        replica_directory_id: crate::uuid::Uuid,
        ctx: &mut Ctx,
    ) {
        let error = if epoch < self.epoch() {
            ErrorCode::FencedLeaderEpoch
        } else if epoch > self.epoch() {
            ErrorCode::UnknownLeaderEpoch
        } else if self.role() != Role::Leader {
            ErrorCode::NotLeaderOrFollower
        } else if self.latest_snapshot().map(|s| s.id) != Some(snapshot_id) {
            ErrorCode::SnapshotNotFound
        } else {
            ErrorCode::None
        };
        if error == ErrorCode::None {
            // A voter downloading a snapshot is a voter following this leader
            // (`updateCheckQuorumForFollowingVoter`).
            let (me, timeout) = (self.id, self.cfg.check_quorum_timeout());
            let voter = self.is_voter_key(from, replica_directory_id);
            if let State::Leader(l) = &mut self.state {
                if voter {
                    l.note_voter_fetch(me, from, ctx.now, timeout);
                }
            }
        }
        let snapshot = (error == ErrorCode::None)
            .then(|| self.latest_snapshot().cloned())
            .flatten();
        let rpc = RaftRpc::FetchSnapshotResponse {
            epoch: self.epoch(),
            leader: self.leader(),
            error,
            snapshot_id,
            snapshot: snapshot.map(Box::new),
        };
        self.respond(from, correlation, rpc, ctx);
    }

    /// `handleFetchSnapshotResponse`: replace the log with the snapshot and fetch on from its
    /// end.
    pub(crate) fn handle_fetch_snapshot_response(
        &mut self,
        from: NodeId,
        epoch: crate::types::Epoch,
        leader: Option<NodeId>,
        error: ErrorCode,
        snapshot: Option<Box<Snapshot>>,
        ctx: &mut Ctx,
    ) {
        if self.common_response(from, epoch, leader, error, ctx) {
            if error == ErrorCode::SnapshotNotFound {
                // The leader has a newer one: a plain Fetch will name it.
                self.fetching_snapshot = None;
            } else if error != ErrorCode::None {
                self.requests
                    .fail(from, ctx.now + ms(self.cfg.retry_backoff_ms));
            }
            return;
        }
        if self.leader() != Some(from) {
            return;
        }
        let fetch_timeout = self.cfg.fetch_timeout();
        if let State::Follower(f) = &mut self.state {
            f.has_fetched_from_leader = true;
            f.fetch_deadline = ctx.now + fetch_timeout;
        }
        let Some(snapshot) = snapshot else {
            return;
        };
        let id = snapshot.id;
        if self.fetching_snapshot != Some(id) {
            return; // an answer to an older request
        }
        self.fetching_snapshot = None;
        if self.disk.log.end_offset() >= id.end_offset
            && self.disk.log.epoch_at(id.end_offset - 1) == Some(id.epoch)
        {
            return; // caught up meanwhile
        }
        let removed = self.disk.log.truncate_to(self.disk.log.start_offset());
        self.disk.log.advance_start(id.end_offset, id.epoch);
        self.disk.snapshot = Some(Snapshot {
            taken_at: ctx.now,
            ..*snapshot
        });
        self.rebuild_voter_history(ctx);
        ctx.emit(Event::SnapshotFetched {
            from,
            end_offset: id.end_offset,
            epoch: id.epoch,
            replaced: removed,
        });
        if self.hw.is_none_or(|hw| hw < id.end_offset) {
            self.hw = Some(id.end_offset);
            ctx.emit(Event::HighWatermark {
                hw: id.end_offset,
                by_leader: false,
                voters: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    //! Snapshots on the wire: the leader names one to a fetcher behind its log start, serves
    //! it with FetchSnapshot, and the fetcher loads it in place of its log prefix.

    use std::sync::Arc;

    use crate::kraft::log::SnapshotId;
    use crate::kraft::testing::{id, image, msg, snapshot, Given, Node};
    use crate::trace::Event;

    use super::super::rpc::ErrorCode;

    const ID_4_2: SnapshotId = SnapshotId {
        end_offset: 4,
        epoch: 2,
    };

    /// Node 1, leader of epoch 3 with log [1, 1, 2, 2] + its LeaderChangeMessage (log end 5),
    /// HW 5 (node 2 caught up), that has snapshotted offsets 0..4 and deleted them.
    fn leader_with_a_snapshot() -> Node {
        let mut n = Given::node(1, &[1, 2, 3]).log(&[1, 1, 2, 2]).elected_in(3);
        n.deliver(2, msg::fetch(3, 2, 5, 3, Some(0)));
        assert_eq!(n.hw(), Some(5));
        assert!(n.with(|r, ctx| r.take_snapshot(Arc::new(image(4, 2)), ctx)));
        assert_eq!(n.log_range(), (4, 5));
        n
    }

    #[test]
    fn a_snapshot_cannot_cover_uncommitted_records() {
        let mut n = Given::node(1, &[1, 2, 3]).log(&[1, 1, 2, 2]).elected_in(3);
        n.deliver(2, msg::fetch(3, 2, 3, 2, Some(0)));
        assert_eq!(n.hw(), None);

        assert!(!n.with(|r, ctx| r.take_snapshot(Arc::new(image(3, 2)), ctx)));

        assert_eq!(n.log_range(), (0, 5));
        assert!(n.replica().latest_snapshot().is_none());
    }

    #[test]
    fn a_fetch_below_the_log_start_is_answered_with_the_snapshot_id() {
        let mut n = leader_with_a_snapshot();

        let s = n.deliver(3, msg::fetch(3, 3, 2, 1, Some(0)));

        assert_eq!(
            s.only_to(3).line(),
            "FetchResponse epoch=3 leader=1 highWatermark=5 snapshotId=4@2"
        );
        assert!(s.only_to(3).records().is_empty());
        assert_eq!(n.leader_state().voters[&id(3)].end_offset, None);
    }

    #[test]
    fn fetch_snapshot_is_answered_with_the_snapshot_asked_for_only() {
        let mut n = leader_with_a_snapshot();

        let s = n.deliver(3, msg::fetch_snapshot(3, 3, ID_4_2));
        assert_eq!(s.only_to(3).error(), ErrorCode::None);
        assert_eq!(
            s.only_to(3).line(),
            "FetchSnapshotResponse epoch=3 leader=1 snapshotId=4@2 partitions=0"
        );

        let older = SnapshotId {
            end_offset: 3,
            epoch: 2,
        };
        let s = n.deliver(3, msg::fetch_snapshot(3, 3, older));
        assert_eq!(s.only_to(3).error(), ErrorCode::SnapshotNotFound);
    }

    #[test]
    fn a_follower_loads_the_named_snapshot_then_fetches_from_its_end() {
        let mut n = Given::node(3, &[1, 2, 3])
            .epoch(3)
            .leader(1)
            .log(&[1, 1])
            .start();
        n.poll();

        let s = n.answer(1, msg::snapshot_named(3, 1, ID_4_2));
        assert!(s.has(|e| matches!(e, Event::SnapshotNeeded { end_offset: 4, .. })));
        let s = n.poll();
        assert_eq!(
            s.only_to(1).line(),
            "FetchSnapshot epoch=3 replica=3 snapshotId=4@2"
        );

        let s = n.answer(1, msg::snapshot_sent(3, 1, snapshot(4, 2)));

        assert!(s.has(|e| matches!(
            e,
            Event::SnapshotFetched {
                end_offset: 4,
                epoch: 2,
                replaced: 2,
                ..
            }
        )));
        assert_eq!(n.log_range(), (4, 4));
        assert_eq!(n.replica().log().last_position(), (2, 4));
        assert_eq!(n.hw(), Some(4), "everything in a snapshot is committed");
        assert_eq!(n.replica().latest_snapshot().map(|s| s.id), Some(ID_4_2));
        let s = n.poll();
        assert_eq!(
            s.only_to(1).line(),
            "Fetch epoch=3 replica=3 fetchOffset=4 lastFetchedEpoch=2 maxWaitMs=500 highWatermark=4"
        );
    }

    #[test]
    fn loading_a_snapshot_replaces_a_divergent_log_entirely() {
        // Six records of epoch 1, the last two past the snapshot's end: none survives.
        let mut n = Given::node(3, &[1, 2, 3])
            .epoch(3)
            .leader(1)
            .log(&[1, 1, 1, 1, 1, 1])
            .start();
        n.poll();
        n.answer(1, msg::snapshot_named(3, 1, ID_4_2));
        n.poll();

        let s = n.answer(1, msg::snapshot_sent(3, 1, snapshot(4, 2)));

        assert!(s.has(|e| matches!(e, Event::SnapshotFetched { replaced: 6, .. })));
        assert_eq!(n.log_range(), (4, 4));
        assert!(n.log_epochs().is_empty());
    }

    #[test]
    fn a_fetch_from_offset_zero_is_answered_with_the_snapshot_id() {
        // One batch of six epoch-1 records; the snapshot ends inside it, so no whole batch
        // can be deleted and the log start stays 0.
        let mut n = Given::node(1, &[1, 2, 3])
            .log_batches(&[(1, 6)])
            .elected_in(2);
        n.deliver(2, msg::fetch(2, 2, 7, 2, Some(0)));
        assert!(n.with(|r, ctx| r.take_snapshot(Arc::new(image(4, 1)), ctx)));
        assert_eq!(n.log_range(), (0, 7));

        let s = n.deliver(3, msg::fetch(2, 3, 0, 0, Some(0)));

        assert_eq!(
            s.only_to(3).line(),
            "FetchResponse epoch=2 leader=1 highWatermark=7 snapshotId=4@1"
        );
    }
}
