//! Replication by Fetch: followers and observers pull, the leader answers or parks the request
//! for up to 500 ms, divergence is detected by epoch and fixed by one truncation, and the high
//! watermark moves when a majority of **voters** holds a record of the leader's epoch
//! (KRAFT.md §2.4, §2.4.1).

use std::sync::Arc;

use crate::effect::Ctx;
use crate::record::Record;
use crate::trace::{Event, Reason, TimerKind};
use crate::types::{ms, Epoch, NodeId, Offset};

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
                    let rpc = RaftRpc::BeginQuorumEpochRequest { epoch, leader: me };
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
        if let Some(last) = self.disk.log.batches().last().cloned() {
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
            // A higher HW completes every parked fetch so followers learn it at once
            // (KAFKA-14145).
            self.complete_parked(|_| true, ctx);
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
            let rpc = self.try_complete_fetch(p.from, p.fetch_offset, p.last_fetched_epoch, ctx);
            self.respond(p.from, p.correlation, rpc, ctx);
        }
    }

    /// `tryCompleteFetchRequest`: validates the fetch position, reads records and records the
    /// fetcher's progress (which may move the HW).
    fn try_complete_fetch(
        &mut self,
        replica: NodeId,
        fetch_offset: Offset,
        last_fetched_epoch: Epoch,
        ctx: &mut Ctx,
    ) -> RaftRpc {
        let log = &self.disk.log;
        let (batches, diverging, snapshot) =
            match log.validate_fetch(fetch_offset, last_fetched_epoch) {
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
            let voter = self.voters.binary_search(&replica).is_ok();
            if let State::Leader(l) = &mut self.state {
                let progress = if voter {
                    l.voters.entry(replica).or_default()
                } else {
                    l.observers
                        .entry(replica)
                        .or_insert_with(ReplicaProgress::default)
                };
                progress.update(ctx.now, fetch_offset, end);
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
        if let State::Leader(l) = &mut self.state {
            l.note_voter_fetch(me, replica, ctx.now, check_quorum);
        }
        let rpc = self.try_complete_fetch(replica, fetch_offset, last_fetched_epoch, ctx);
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
                snapshot_id,
            };
            self.send_request(to, rpc, ctx);
            return;
        }
        let (last_fetched_epoch, fetch_offset) = self.disk.log.last_position();
        let rpc = RaftRpc::FetchRequest {
            epoch: self.epoch(),
            replica: self.id,
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
        if self.voters.binary_search(&self.id).is_ok() {
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

    /// `pollUnattached`: a voter stands when its election timer fires; an observer keeps asking
    /// random voters until one names the leader.
    pub(crate) fn poll_unattached(&mut self, ctx: &mut Ctx) {
        let State::Unattached(u) = &self.state else {
            return;
        };
        if self.is_voter() {
            if u.election_deadline.is_some_and(|t| ctx.now >= t) && !self.is_shutting_down() {
                ctx.emit(Event::TimerExpired(TimerKind::Election));
                self.stand_for_election(Reason::ElectionTimeout, ctx);
            }
        } else if !self.voters.iter().any(|v| self.requests.is_awaiting(*v)) {
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
            if let Some(last) = self.disk.log.batches().last().cloned() {
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
