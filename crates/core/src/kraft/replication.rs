//! Replication by Fetch: followers and observers pull, the leader answers or parks the request
//! for up to 500 ms, divergence is detected by epoch and fixed by one truncation, and the high
//! watermark moves when a majority of **voters** holds a record of the leader's epoch
//! (docs/fidelity.md, Replication and the high watermark).
//!
//! Over 800 lines only with its step tests: the code is about 590 lines; the tests stay beside the
//! steps they test.

use std::sync::Arc;

use crate::effect::Ctx;
use crate::record::Record;
use crate::trace::{Event, Reason, TimerKind};
use crate::types::{ms, Epoch, NodeId, Offset};
use crate::uuid::Uuid;

use super::config::OBSERVER_SESSION_TIMEOUT_MS;
use super::leader::{ParkedFetch, ReplicaProgress};
use super::log::SnapshotId;
use super::log::{Batch, FetchValidation};
use super::replica::Replica;
use super::rpc::{ErrorCode, RaftRpc};
use super::state::{FetchPosition, State};

impl Replica {
    // ----- leader side ----------------------------------------------------------------------

    /// `pollLeader`: check-quorum, the append linger, parked fetches that waited long enough,
    /// and BeginQuorumEpoch (re)sends.
    pub(crate) fn poll_leader(&mut self, ctx: &mut Ctx) {
        let me = self.id;
        let now = ctx.now;
        let period = self.cfg.begin_quorum_epoch_period();
        let prevote = self.cfg.prevote;
        let State::Leader(l) = &mut self.state else {
            return;
        };
        if now >= l.check_quorum_deadline {
            let successors = l.voters_by_descending_fetch_offset(me);
            ctx.emit(Event::TimerExpired(TimerKind::CheckQuorum));
            self.become_resigned(successors, Reason::CheckQuorum, ctx);
            self.poll_resigned(ctx);
            return;
        }
        if l.linger_deadline.is_some_and(|t| now >= t) {
            l.linger_deadline = None;
            let records = std::mem::take(&mut l.pending);
            if !records.is_empty() {
                self.append_as_leader(records, ctx);
            }
        }
        self.complete_parked(|p| p.deadline <= now, ctx);
        let State::Leader(l) = &mut self.state else {
            return;
        };
        l.expire_observers(now, ms(OBSERVER_SESSION_TIMEOUT_MS));
        if now >= l.begin_quorum_deadline {
            l.begin_quorum_deadline = now + period;
            // Kafka 3.9 resends to every voter each period; 4.x (KAFKA-16926) only to voters
            // that have not fetched for half a fetch timeout.
            let targets: Vec<NodeId> = l
                .voters
                .iter()
                .filter(|(id, _)| **id != me)
                .filter(|(_, p)| !prevote || p.last_fetch.is_none_or(|t| now.since(t) >= period))
                .map(|(id, _)| *id)
                .collect();
            let epoch = self.epoch();
            for to in targets {
                if self.requests.is_ready(to, now) {
                    let rpc = RaftRpc::BeginQuorumEpochRequest {
                        epoch,
                        leader: me,
                        voter_directory_id: self.voter_directory(to),
                    };
                    self.send_request(to, rpc, ctx);
                }
            }
        }
    }

    /// Queues client records; they are appended as one batch when the linger ends. Returns
    /// the offset the first record will get.
    pub fn write(&mut self, records: Vec<Record>, ctx: &mut Ctx) -> Result<Offset, String> {
        let count = records.len() as u64;
        let base = self.append_quietly(records, ctx)?;
        ctx.emit(Event::WriteAccepted { count });
        Ok(base)
    }

    /// [`Replica::write`] without narrating it (the controller's own records).
    pub fn append_quietly(
        &mut self,
        records: Vec<Record>,
        ctx: &mut Ctx,
    ) -> Result<Offset, String> {
        let linger = ms(self.cfg.append_linger_ms);
        let leader = self.leader();
        let base = self.next_offset();
        let shutting_down = self.is_shutting_down();
        match &mut self.state {
            State::Leader(l) if !shutting_down => {
                l.pending.extend(records);
                if l.linger_deadline.is_none() {
                    l.linger_deadline = Some(ctx.now + linger);
                }
                Ok(base)
            }
            _ => Err(match leader {
                Some(l) if l != self.id => {
                    format!("{} is not the leader (the leader is {l})", self.id)
                }
                _ => format!("{} is not the leader and knows no leader", self.id),
            }),
        }
    }

    /// Appends the leader's pending records as batches of at most `fetch_max_records` (Kafka
    /// caps a batch at 8 MiB), so that no single Fetch, load or apply is unboundedly large.
    pub(crate) fn append_as_leader(&mut self, records: Vec<Record>, ctx: &mut Ctx) {
        let max = self.cfg.fetch_max_records.max(1);
        if records.len() <= max {
            return self.append_batch_as_leader(records, ctx);
        }
        let mut records = records.into_iter();
        loop {
            let batch: Vec<Record> = records.by_ref().take(max).collect();
            if batch.is_empty() {
                break;
            }
            self.append_batch_as_leader(batch, ctx);
        }
    }

    /// Appends one batch of the leader's epoch, then lets the HW and parked fetches catch up.
    fn append_batch_as_leader(&mut self, records: Vec<Record>, ctx: &mut Ctx) {
        let batch = Batch {
            base_offset: self.disk.log.end_offset(),
            epoch: self.epoch(),
            append_time: ctx.now,
            records: Arc::from(records),
        };
        let (base_offset, count, epoch) = (batch.base_offset, batch.len() as u64, batch.epoch);
        if let Err(why) = self.disk.log.append(batch) {
            ctx.emit(Event::Illegal { what: why });
            return;
        }
        ctx.emit(Event::Appended {
            base_offset,
            count,
            epoch,
            by_leader: true,
        });
        if let Some(last) = self.disk.log.last_batch().cloned() {
            self.note_appended(&last, ctx);
        }
        let end = self.disk.log.end_offset();
        let me = self.id;
        if let State::Leader(l) = &mut self.state {
            // A leader that removed itself from the voters (KIP-853) no longer counts.
            if let Some(own) = l.voters.get_mut(&me) {
                own.update(ctx.now, end, end);
            }
        }
        self.maybe_advance_leader_hw(ctx);
        self.complete_parked(|p| p.fetch_offset < end, ctx);
    }

    /// Moves the leader's HW to what a majority of voters holds, if that is higher.
    fn maybe_advance_leader_hw(&mut self, ctx: &mut Ctx) {
        let b = self.cfg.buggify;
        let Some(candidate) = self.leader_state().and_then(|l| {
            l.majority_offset_buggified(b.count_observers, b.commit_before_own_epoch)
        }) else {
            return;
        };
        if self.hw.is_none_or(|hw| candidate > hw) {
            self.hw = Some(candidate);
            ctx.emit(Event::HighWatermark {
                hw: candidate,
                by_leader: true,
                voters: Some(self.voters.clone()),
            });
            // With KIP-1166 (Kafka 4.1) a Fetch states the follower's HW, so a higher HW
            // completes every parked fetch and followers learn it at once (KAFKA-14145). Before
            // it, the fetch purgatory completes only when the log end grows
            // (`fetchPurgatory.maybeComplete(endOffset)`): followers learn a new HW with their
            // next Fetch, up to the 500 ms long-poll later.
            if self.cfg.fetch_sends_high_watermark {
                self.complete_parked(|_| true, ctx);
            }
        }
    }

    /// Answers the parked fetches that `pick` selects.
    fn complete_parked(&mut self, pick: impl Fn(&ParkedFetch) -> bool, ctx: &mut Ctx) {
        let State::Leader(l) = &mut self.state else {
            return;
        };
        if !l.parked.iter().any(&pick) {
            return;
        }
        let (ready, waiting): (Vec<ParkedFetch>, Vec<ParkedFetch>) = std::mem::take(&mut l.parked)
            .into_iter()
            .partition(|p| pick(p));
        l.parked = waiting;
        for p in ready {
            let rpc = self.try_complete_fetch(
                p.from,
                p.directory_id,
                p.fetch_offset,
                p.last_fetched_epoch,
                ctx,
            );
            self.respond(p.from, p.correlation, rpc, ctx);
        }
    }

    /// `tryCompleteFetchRequest`: validates the fetch position, reads records and records the
    /// fetcher's progress (which may move the HW).
    fn try_complete_fetch(
        &mut self,
        replica: NodeId,
        directory_id: Uuid,
        fetch_offset: Offset,
        last_fetched_epoch: Epoch,
        ctx: &mut Ctx,
    ) -> RaftRpc {
        let log = &self.disk.log;
        // A fetcher starting from nothing gets the latest snapshot whenever there is one, even
        // if the log still starts at 0 (`tryCompleteFetchRequest`).
        let validation = match &self.disk.snapshot {
            Some(_) if fetch_offset == 0 => FetchValidation::SnapshotNeeded,
            _ => log.validate_fetch(fetch_offset, last_fetched_epoch),
        };
        let (batches, diverging, snapshot) = match validation {
            FetchValidation::Valid => (
                log.read_from(fetch_offset, self.cfg.fetch_max_records),
                None,
                None,
            ),
            FetchValidation::Diverging { epoch, end_offset } => {
                (Vec::new(), Some((epoch, end_offset)), None)
            }
            FetchValidation::SnapshotNeeded => (
                Vec::new(),
                None,
                Some(
                    self.disk
                        .snapshot
                        .as_ref()
                        .map(|s| s.id)
                        .unwrap_or(SnapshotId {
                            end_offset: log.start_offset(),
                            epoch: log.end_offset_for_epoch(0).0,
                        }),
                ),
            ),
        };
        if diverging.is_none() && snapshot.is_none() {
            let end = self.disk.log.end_offset();
            // A voter is known by id and directory id (KIP-853): a reformatted voter fetching
            // with its new disk is an observer, and its fetches move nothing.
            let voter = self.is_voter_key(replica, directory_id);
            if let State::Leader(l) = &mut self.state {
                let progress = if voter {
                    l.voters.entry(replica).or_default()
                } else {
                    l.observers
                        .entry(replica)
                        .or_insert_with(ReplicaProgress::default)
                };
                progress.update(ctx.now, fetch_offset, end);
                progress.directory_id = directory_id;
            }
            if voter || self.cfg.buggify.count_observers {
                self.maybe_advance_leader_hw(ctx);
            }
        }
        RaftRpc::FetchResponse {
            epoch: self.epoch(),
            leader: Some(self.id),
            error: ErrorCode::None,
            high_watermark: self.hw,
            log_start_offset: self.disk.log.start_offset(),
            diverging_epoch: diverging,
            snapshot_id: snapshot,
            batches,
        }
    }

    /// `handleFetchRequest`: only the leader of the fetcher's epoch serves a Fetch.
    pub(crate) fn handle_fetch_request(
        &mut self,
        from: NodeId,
        correlation: u64,
        request: FetchPosition,
        ctx: &mut Ctx,
    ) {
        let FetchPosition {
            epoch,
            replica,
            replica_directory_id,
            fetch_offset,
            last_fetched_epoch,
            max_wait_ms,
            fetcher_high_watermark,
        } = request;
        let error = if epoch < self.epoch() {
            ErrorCode::FencedLeaderEpoch
        } else if epoch > self.epoch() {
            ErrorCode::UnknownLeaderEpoch
        } else if self.role() != super::Role::Leader {
            ErrorCode::NotLeaderOrFollower
        } else if last_fetched_epoch > epoch {
            ErrorCode::InvalidRequest
        } else {
            ErrorCode::None
        };
        if error != ErrorCode::None {
            let rpc = RaftRpc::FetchResponse {
                epoch: self.epoch(),
                leader: self.leader(),
                error,
                high_watermark: None,
                log_start_offset: self.disk.log.start_offset(),
                diverging_epoch: None,
                snapshot_id: None,
                batches: Vec::new(),
            };
            self.respond(from, correlation, rpc, ctx);
            return;
        }
        let me = self.id;
        let check_quorum = self.cfg.check_quorum_timeout();
        let voter = self.is_voter_key(replica, replica_directory_id);
        if let State::Leader(l) = &mut self.state {
            if voter {
                l.note_voter_fetch(me, replica, ctx.now, check_quorum);
            }
        }
        let rpc = self.try_complete_fetch(
            replica,
            replica_directory_id,
            fetch_offset,
            last_fetched_epoch,
            ctx,
        );
        let answer_now = match &rpc {
            RaftRpc::FetchResponse {
                batches,
                diverging_epoch,
                snapshot_id,
                ..
            } => !batches.is_empty() || diverging_epoch.is_some() || snapshot_id.is_some(),
            _ => true,
        };
        // KIP-1166: a fetcher that is behind on the HW is answered at once.
        let hw_news = fetcher_high_watermark.is_some_and(|f| self.hw.is_some_and(|h| h > f));
        let answer_now = answer_now || hw_news;
        let wait = ms(max_wait_ms.min(self.cfg.fetch_max_wait_ms));
        if answer_now || wait == 0 {
            self.respond(from, correlation, rpc, ctx);
        } else if let State::Leader(l) = &mut self.state {
            // Nothing to send: park the fetch until data arrives, the HW moves, or 500 ms pass.
            l.parked.retain(|p| p.from != from);
            l.parked.push(ParkedFetch {
                from,
                directory_id: replica_directory_id,
                correlation,
                epoch,
                fetch_offset,
                last_fetched_epoch,
                fetcher_high_watermark,
                deadline: ctx.now + wait,
            });
        }
    }

    // ----- follower and observer side -------------------------------------------------------

    /// Sends a Fetch for what follows this replica's log end.
    fn send_fetch(&mut self, to: NodeId, ctx: &mut Ctx) {
        if let Some(snapshot_id) = self.fetching_snapshot {
            let rpc = RaftRpc::FetchSnapshotRequest {
                epoch: self.epoch(),
                replica: self.id,
                replica_directory_id: self.directory_id,
                snapshot_id,
            };
            self.send_request(to, rpc, ctx);
            return;
        }
        let (last_fetched_epoch, fetch_offset) = self.disk.log.last_position();
        let rpc = RaftRpc::FetchRequest {
            epoch: self.epoch(),
            replica: self.id,
            replica_directory_id: self.directory_id,
            fetch_offset,
            last_fetched_epoch,
            max_wait_ms: self.cfg.fetch_max_wait_ms,
            high_watermark: self
                .cfg
                .fetch_sends_high_watermark
                .then(|| self.hw.unwrap_or(0)),
        };
        self.send_request(to, rpc, ctx);
    }

    /// Sends a Fetch to a random voter that is ready, to discover the leader
    /// (`maybeSendAnyVoterFetch`).
    fn send_fetch_to_any_voter(&mut self, ctx: &mut Ctx) {
        let ready: Vec<NodeId> = self
            .voters
            .iter()
            .copied()
            .filter(|v| *v != self.id && self.requests.is_ready(*v, ctx.now))
            .collect();
        if let Some(to) = ctx.choose(&ready) {
            self.send_fetch(to, ctx);
        }
    }

    /// `pollFollower`: a voter that heard nothing for the fetch timeout stands for election; an
    /// observer looks for the leader elsewhere; otherwise the next Fetch goes out.
    pub(crate) fn poll_follower(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        let fetch_timeout = self.cfg.fetch_timeout();
        let Some(leader) = self.leader() else {
            return;
        };
        let State::Follower(f) = &mut self.state else {
            return;
        };
        let timed_out = now >= f.fetch_deadline;
        let voter = self.voter_keys.iter().any(|v| {
            v.id == self.id && (!self.cfg.dynamic_quorum || v.directory_id == self.directory_id)
        });
        let State::Follower(f) = &mut self.state else {
            return;
        };
        if voter {
            if timed_out {
                if !self.is_shutting_down() {
                    ctx.emit(Event::TimerExpired(TimerKind::Fetch));
                    self.stand_for_election(Reason::FetchTimeout, ctx);
                }
            } else if self.requests.is_ready(leader, now) {
                self.send_fetch(leader, ctx);
            }
            return;
        }
        if timed_out {
            // No successful Fetch for a whole fetch timeout: this observer no longer vouches
            // for a live leader (it may be a new voter that has not heard so yet, KIP-853).
            f.has_fetched_from_leader = false;
            f.fetch_deadline = now + fetch_timeout;
            self.send_fetch_to_any_voter(ctx);
        } else if self.requests.is_backing_off(leader, now) {
            self.send_fetch_to_any_voter(ctx);
        } else if self.requests.is_ready(leader, now) {
            self.send_fetch(leader, ctx);
        }
    }

    /// `pollUnattached`: a voter stands when its election timer fires; meanwhile it (Kafka 4.x,
    /// `pollUnattachedCommon`) and an observer keep asking random voters until one names the
    /// leader, so a restarted or healed voter finds the leader in about one round trip. A
    /// Kafka 3.9 voter waits silently for its timer.
    pub(crate) fn poll_unattached(&mut self, ctx: &mut Ctx) {
        let State::Unattached(u) = &self.state else {
            return;
        };
        if self.is_voter() {
            if u.election_deadline.is_some_and(|t| ctx.now >= t) && !self.is_shutting_down() {
                ctx.emit(Event::TimerExpired(TimerKind::Election));
                self.stand_for_election(Reason::ElectionTimeout, ctx);
                return;
            }
            if !self.cfg.prevote {
                return;
            }
        }
        if !self.voters.iter().any(|v| self.requests.is_awaiting(*v)) {
            self.send_fetch_to_any_voter(ctx);
        }
    }

    /// `handleFetchResponse`: truncate on divergence, or append and learn the HW.
    pub(crate) fn handle_fetch_response(&mut self, from: NodeId, rpc: RaftRpc, ctx: &mut Ctx) {
        let RaftRpc::FetchResponse {
            epoch,
            leader,
            error,
            high_watermark,
            diverging_epoch,
            snapshot_id,
            batches,
            ..
        } = rpc
        else {
            return;
        };
        if self.common_response(from, epoch, leader, error, ctx) {
            if error != ErrorCode::None {
                self.requests
                    .fail(from, ctx.now + ms(self.cfg.retry_backoff_ms));
            }
            return;
        }
        if self.leader() != Some(from) {
            return;
        }
        let fetch_timeout = self.cfg.fetch_timeout();
        let State::Follower(f) = &mut self.state else {
            return;
        };
        f.has_fetched_from_leader = true;
        f.fetch_deadline = ctx.now + fetch_timeout;
        if let Some(id) = snapshot_id {
            // Behind the leader's log start: load its snapshot first (FetchSnapshot).
            self.fetching_snapshot = Some(id);
            ctx.emit(Event::SnapshotNeeded {
                from,
                end_offset: id.end_offset,
            });
            return;
        }
        if let Some((epoch, end_offset)) = diverging_epoch {
            let point = self.disk.log.diverging_truncation_point(epoch, end_offset);
            if self.hw.is_some_and(|hw| point < hw) {
                ctx.emit(Event::Illegal {
                    what: format!(
                        "truncation to {point} would go below the high watermark {}",
                        self.hw.unwrap_or(0)
                    ),
                });
                return;
            }
            let removed = self.disk.log.truncate_to(point);
            self.note_truncated(point, ctx);
            if removed > 0 {
                ctx.emit(Event::Truncated {
                    to_offset: point,
                    removed,
                });
            }
            return;
        }
        for batch in batches {
            let end = self.disk.log.end_offset();
            if batch.base_offset != end {
                if batch.end_offset() <= end {
                    continue; // already have it (a duplicated response)
                }
                break;
            }
            let (base_offset, count, epoch) = (batch.base_offset, batch.len() as u64, batch.epoch);
            if let Err(why) = self.disk.log.append(batch) {
                ctx.emit(Event::Illegal { what: why });
                break;
            }
            ctx.emit(Event::Appended {
                base_offset,
                count,
                epoch,
                by_leader: false,
            });
            if let Some(last) = self.disk.log.last_batch().cloned() {
                self.note_appended(&last, ctx);
            }
        }
        if let Some(leader_hw) = high_watermark {
            let new = leader_hw.min(self.disk.log.end_offset());
            match self.hw {
                Some(hw) if new < hw => {}
                Some(hw) if new == hw => {}
                _ => {
                    self.hw = Some(new);
                    ctx.emit(Event::HighWatermark {
                        hw: new,
                        by_leader: false,
                        voters: None,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! One Fetch at a time: what the leader answers (records, divergence, a parked long-poll),
    //! how the follower truncates and learns the HW, and the HW rule itself.

    use crate::kraft::state::Role::Unattached;
    use crate::kraft::testing::{batches, id, msg, Given, Node};
    use crate::trace::Event;
    use crate::types::{ms, SimTime};

    /// Node 1, leader of epoch 3 over voters 1, 2, 3 with log [1, 1, 2] and its
    /// LeaderChangeMessage at offset 3 (log end 4, epoch start 3), at time 0.
    fn leader() -> Node {
        Given::node(1, &[1, 2, 3]).log(&[1, 1, 2]).elected_in(3)
    }

    /// Node 2, follower of node 1 in epoch 3, with log `epochs`.
    fn follower(epochs: &[u32]) -> Node {
        Given::node(2, &[1, 2, 3])
            .epoch(3)
            .leader(1)
            .log(epochs)
            .start()
    }

    fn hw_moved_to(step: &crate::kraft::testing::Step) -> Option<u64> {
        step.events().into_iter().find_map(|e| match e {
            Event::HighWatermark { hw, .. } => Some(*hw),
            _ => None,
        })
    }

    // ----- the leader's side -----------------------------------------------------------------

    #[test]
    fn the_leader_answers_a_fetch_with_the_records_from_its_offset() {
        let mut n = leader();

        let s = n.deliver(2, msg::fetch(3, 2, 1, 1, Some(0)));

        let answer = s.only_to(2);
        assert_eq!(answer.records(), [(1, 1), (2, 2), (3, 3)]);
        assert_eq!(
            answer.line(),
            "FetchResponse epoch=3 leader=1 highWatermark=none records=1..4"
        );
        // The fetch offset is what the leader now knows node 2 holds.
        assert_eq!(n.leader_state().voters[&id(2)].end_offset, Some(1));
    }

    #[test]
    fn a_fetch_whose_last_epoch_diverges_gets_the_end_of_the_largest_common_epoch() {
        // Leader of epoch 4 with log [1, 1, 3, 3] + its LeaderChangeMessage at 4.
        let mut n = Given::node(1, &[1, 2, 3]).log(&[1, 1, 3, 3]).elected_in(4);

        // Node 2 holds [1, 1, 2, 2, 2]: epoch 2 never existed on the leader, whose largest
        // epoch not above 2 is epoch 1, ending at offset 2.
        let s = n.deliver(2, msg::fetch(4, 2, 5, 2, Some(0)));
        assert_eq!(
            s.only_to(2).line(),
            "FetchResponse epoch=4 leader=1 highWatermark=none divergingEpoch=1@2"
        );
        assert!(s.only_to(2).records().is_empty());
        // Node 3 holds [1, 1, 3, 3, 3]: one epoch-3 record more than the leader, whose epoch 3
        // ends at 4.
        let s = n.deliver(3, msg::fetch(4, 3, 5, 3, Some(0)));
        assert_eq!(
            s.only_to(3).line(),
            "FetchResponse epoch=4 leader=1 highWatermark=none divergingEpoch=3@4"
        );
        // A diverging fetch says nothing about what the fetcher holds.
        assert_eq!(n.leader_state().voters[&id(2)].end_offset, None);
        assert_eq!(n.leader_state().voters[&id(3)].end_offset, None);
    }

    // ----- the follower's side ---------------------------------------------------------------

    #[test]
    fn a_follower_truncates_to_the_diverging_epoch_and_fetches_from_there() {
        // Given a follower in epoch 3 with log [1, 1, 2] …
        let mut n = follower(&[1, 1, 2]);
        let s = n.poll();
        assert_eq!(
            s.only_to(1).line(),
            "Fetch epoch=3 replica=2 fetchOffset=3 lastFetchedEpoch=2 maxWaitMs=500 highWatermark=0"
        );

        // … when the answer is DivergingEpoch(2, end 2) …
        let s = n.answer(1, msg::diverging(3, 1, (2, 2)));

        // … then it truncates to 2 and fetches from offset 2.
        assert!(s.has(|e| matches!(
            e,
            Event::Truncated {
                to_offset: 2,
                removed: 1
            }
        )));
        assert_eq!(n.log_epochs(), [1, 1]);
        let s = n.poll();
        assert_eq!(
            s.only_to(1).line(),
            "Fetch epoch=3 replica=2 fetchOffset=2 lastFetchedEpoch=1 maxWaitMs=500 highWatermark=0"
        );
    }

    #[test]
    fn a_follower_without_the_diverging_epoch_truncates_to_the_end_of_its_largest_epoch_below() {
        let mut n = follower(&[1, 1, 3]);
        n.poll();

        // The leader's epoch 2 (ending at 4) is one this follower never had.
        let s = n.answer(1, msg::diverging(3, 1, (2, 4)));

        assert!(s.has(|e| matches!(e, Event::Truncated { to_offset: 2, .. })));
        assert_eq!(n.log_epochs(), [1, 1]);
    }

    #[test]
    fn a_truncation_below_the_high_watermark_is_refused() {
        let mut n = follower(&[1, 1, 2, 2]);
        n.poll();
        n.answer(1, msg::fetched(3, 1, Some(4), Vec::new()));
        assert_eq!(n.hw(), Some(4));
        n.poll();

        let s = n.answer(1, msg::diverging(3, 1, (1, 2)));

        assert_eq!(
            s.illegal(),
            ["truncation to 2 would go below the high watermark 4"]
        );
        assert_eq!(n.log_epochs(), [1, 1, 2, 2]);
    }

    #[test]
    fn a_follower_learns_the_hw_capped_at_its_log_end_and_never_lowers_it() {
        let mut n = follower(&[1, 1]);
        n.poll();

        let s = n.answer(1, msg::fetched(3, 1, Some(6), batches(2, &[2])));

        assert_eq!(n.log_epochs(), [1, 1, 2]);
        assert_eq!(n.hw(), Some(3), "min(leader HW 6, log end 3)");
        assert!(s.has(|e| matches!(
            e,
            Event::HighWatermark {
                hw: 3,
                by_leader: false,
                ..
            }
        )));
        n.poll();
        let s = n.answer(1, msg::fetched(3, 1, Some(2), Vec::new()));
        assert_eq!(n.hw(), Some(3));
        assert_eq!(hw_moved_to(&s), None);
    }

    #[test]
    fn an_unattached_voter_looks_for_the_leader_while_it_waits() {
        let mut n = Given::node(1, &[1, 2, 3]).epoch(3).log(&[1, 1, 2]).start();
        assert_eq!(n.role(), Unattached);

        let s = n.poll();

        // Kafka 4.x `pollUnattachedCommon`: Fetch from a bootstrap voter.
        assert_eq!(s.sent().len(), 1);
        assert_eq!(s.sent()[0].rpc.name(), "Fetch");
    }

    // ----- the high watermark ----------------------------------------------------------------

    #[test]
    fn the_hw_moves_only_once_a_majority_of_voters_holds_a_record_of_the_leaders_epoch() {
        let mut n = leader();

        // Node 2 holds every record of the older epochs (offsets 0..3): with the leader, a
        // majority holds offset 3 — but no record of epoch 3.
        let s = n.deliver(2, msg::fetch(3, 2, 3, 2, Some(0)));
        assert_eq!(n.hw(), None);
        assert_eq!(hw_moved_to(&s), None);
        assert_eq!(
            s.only_to(2).records(),
            [(3, 3)],
            "it gets the LeaderChangeMessage"
        );

        // Once node 2 holds the LeaderChangeMessage too, everything up to 4 commits.
        let s = n.deliver(2, msg::fetch(3, 2, 4, 3, Some(0)));
        assert_eq!(n.hw(), Some(4));
        assert!(s.has(|e| matches!(
            e,
            Event::HighWatermark {
                hw: 4,
                by_leader: true,
                ..
            }
        )));
        assert_eq!(
            s.only_to(2).line(),
            "FetchResponse epoch=3 leader=1 highWatermark=4"
        );
    }

    #[test]
    fn fetches_from_observers_never_move_the_hw() {
        let mut n = leader();

        for observer in 10..15 {
            n.deliver(observer, msg::fetch(3, observer, 4, 3, Some(0)));
        }

        assert_eq!(
            n.hw(),
            None,
            "five observers at the log end are not a majority"
        );
        assert_eq!(n.leader_state().observers.len(), 5);
        assert_eq!(n.leader_state().parked.len(), 5);
        // One voter is: and the new HW goes to every parked fetcher at once.
        let s = n.deliver(3, msg::fetch(3, 3, 4, 3, Some(0)));
        assert_eq!(n.hw(), Some(4));
        assert_eq!(
            s.messages(),
            [
                (10, "FetchResponse"),
                (11, "FetchResponse"),
                (12, "FetchResponse"),
                (13, "FetchResponse"),
                (14, "FetchResponse"),
                (3, "FetchResponse")
            ]
        );
    }

    // ----- the long-poll ---------------------------------------------------------------------

    /// The leader with HW 4 (node 2 caught up) and node 3's fetch at the log end parked, with
    /// correlation id 77.
    fn leader_with_a_parked_fetch() -> Node {
        let mut n = leader();
        n.deliver(2, msg::fetch(3, 2, 4, 3, Some(0)));
        assert_eq!(n.hw(), Some(4));
        let s = n.deliver_as(3, 77, msg::fetch(3, 3, 4, 3, Some(4)));
        assert!(s.sent().is_empty(), "nothing to send yet: parked\n{s:?}");
        n
    }

    #[test]
    fn a_fetch_at_the_log_end_is_parked_and_answered_after_max_wait() {
        let mut n = leader_with_a_parked_fetch();
        assert_eq!(n.leader_state().parked.len(), 1);
        assert_eq!(n.leader_state().parked[0].deadline, SimTime(ms(500)));

        assert!(n.poll_at(499).sent().is_empty());
        let s = n.poll_at(500);

        let answer = s.only_to(3);
        assert_eq!(answer.correlation, 77);
        assert_eq!(
            answer.line(),
            "FetchResponse epoch=3 leader=1 highWatermark=4"
        );
        assert!(n.leader_state().parked.is_empty());
    }

    #[test]
    fn a_parked_fetch_is_answered_as_soon_as_the_log_grows() {
        let mut n = leader_with_a_parked_fetch();
        n.set_time(100);
        assert_eq!(n.write(1), 4);
        assert!(n.poll_at(124).sent().is_empty(), "the append lingers 25 ms");

        let s = n.poll_at(125);

        let answer = s.only_to(3);
        assert_eq!(answer.correlation, 77);
        assert_eq!(answer.records(), [(4, 3)]);
    }

    #[test]
    fn without_kip_1166_a_parked_fetch_waits_for_data_not_for_the_hw() {
        let mut n = Given::node(1, &[1, 2, 3, 4, 5])
            .log(&[1, 1, 2])
            .config(|c| c.fetch_sends_high_watermark = false)
            .elected_in(3);
        // Node 2 is at the log end: parked (2 of 5 is no majority, the HW stays unknown).
        let s = n.deliver(2, msg::fetch(3, 2, 4, 3, None));
        assert!(s.sent().is_empty());

        // Node 3 joins it: 3 of 5, the HW moves to 4, and no record was appended.
        let s = n.deliver(3, msg::fetch(3, 3, 4, 3, None));
        assert_eq!(n.hw(), Some(4));

        assert!(s.sent().is_empty(), "{s:?}");
    }
}
