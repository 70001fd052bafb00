//! Dynamic quorum membership (KIP-853, Kafka 3.9+): the voter set is whatever the latest
//! `VotersRecord` in the log says — **effective as soon as it is appended**, committed or not,
//! and undone if a truncation removes it — or, before any, the bootstrap set (the static
//! `controller.quorum.voters`, or the one `kafka-storage format --initial-controllers` wrote).
//!
//! The leader changes the set one voter at a time ([`Replica::add_voter`],
//! [`Replica::remove_voter`], what `kafka-metadata-quorum add-controller` and
//! `remove-controller` ask for). There is no joint consensus: single-server changes as in the
//! Raft thesis, which is why a second change waits until the first is committed. A new voter
//! must first have caught up as an observer; a leader that removed itself resigns once the
//! change is committed.

use std::sync::Arc;

use crate::effect::Ctx;
use crate::record::{Record, VotersRecord};
use crate::trace::{Event, Reason};
use crate::types::{NodeId, Offset};

use super::leader::ReplicaProgress;
use super::log::Batch;
use super::replica::Replica;
use super::state::{Role, State, VoterChange};

impl Replica {
    /// The voter set a snapshot or the bootstrap configuration gives, before any VotersRecord
    /// the log still holds.
    fn base_voters(&self) -> Arc<Vec<NodeId>> {
        self.disk
            .snapshot
            .as_ref()
            .and_then(|s| s.image.voters.as_ref())
            .map(|v| Arc::new(v.to_vec()))
            .unwrap_or_else(|| self.bootstrap_voters.clone())
    }

    /// Rebuilds the history of VotersRecords from the log (at start-up, after a snapshot).
    pub(crate) fn rebuild_voter_history(&mut self, ctx: &mut Ctx) {
        self.voter_history.clear();
        let log = &self.disk.log;
        for (offset, _, record) in log.entries(log.start_offset(), log.end_offset()) {
            if let Record::Voters(v) = record {
                self.voter_history
                    .push((offset, Arc::new(v.voters.clone())));
            }
        }
        self.sync_voters(ctx);
    }

    /// Notes the VotersRecords of a batch just appended.
    pub(crate) fn note_appended(&mut self, batch: &Batch, ctx: &mut Ctx) {
        let mut changed = false;
        for (i, record) in batch.records.iter().enumerate() {
            if let Record::Voters(v) = record {
                self.voter_history
                    .push((batch.base_offset + i as Offset, Arc::new(v.voters.clone())));
                changed = true;
            }
        }
        if changed {
            self.sync_voters(ctx);
        }
    }

    /// Forgets the VotersRecords a truncation to `end` removed.
    pub(crate) fn note_truncated(&mut self, end: Offset, ctx: &mut Ctx) {
        let before = self.voter_history.len();
        self.voter_history.retain(|(o, _)| *o < end);
        if let Some(change) = &self.voter_change {
            if change.offset >= end {
                self.voter_change = None;
            }
        }
        if self.voter_history.len() != before {
            self.sync_voters(ctx);
        }
    }

    /// Makes the latest known set the one in force; a leader starts (or stops) tracking the
    /// progress of the voters that came (or went).
    pub(crate) fn sync_voters(&mut self, ctx: &mut Ctx) {
        let now = self
            .voter_history
            .last()
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| self.base_voters());
        if now == self.voters {
            return;
        }
        self.voters = now.clone();
        let check_quorum = self.cfg.check_quorum_timeout();
        if let State::Leader(l) = &mut self.state {
            l.voters.retain(|id, _| now.contains(id));
            for v in now.iter() {
                let progress = l.observers.remove(v).unwrap_or_default();
                l.voters.entry(*v).or_insert(progress);
            }
            // Check-quorum only makes sense with someone else to hear from.
            if l.voters.len() > 1 && l.check_quorum_deadline == crate::types::SimTime::NEVER {
                l.check_quorum_deadline = ctx.now + check_quorum;
            }
        }
        ctx.emit(Event::VotersChanged {
            voters: now.to_vec(),
        });
    }

    /// Checks common to both changes (`AddVoterHandler` / `RemoveVoterHandler` 1–3).
    fn check_voter_change(&self) -> Result<Offset, String> {
        if self.role() != Role::Leader || self.is_shutting_down() {
            return Err(format!(
                "NOT_LEADER_OR_FOLLOWER: {} is not the leader",
                self.id
            ));
        }
        let hw = self
            .hw
            .ok_or("REQUEST_TIMED_OUT: the leader does not know its high watermark yet")?;
        let pending_in_buffer = self
            .leader_state()
            .is_some_and(|l| l.pending.iter().any(|r| matches!(r, Record::Voters(_))));
        let uncommitted = self.voter_history.last().is_some_and(|(o, _)| *o >= hw);
        if pending_in_buffer || uncommitted || self.voter_change.is_some() {
            return Err(
                "REQUEST_TIMED_OUT: another voter change is not committed yet (one change at a time)"
                    .into(),
            );
        }
        Ok(hw)
    }

    /// Queues a VotersRecord behind the leader's pending records (it is appended with them at
    /// the end of the linger, so no record changes offset).
    fn append_voters(
        &mut self,
        voters: Vec<NodeId>,
        what: String,
        removes_leader: bool,
        ctx: &mut Ctx,
    ) -> Result<Offset, String> {
        let offset = self.next_offset();
        self.write(vec![Record::Voters(Box::new(VotersRecord { voters }))], ctx)?;
        self.voter_change = Some(VoterChange {
            offset,
            what,
            removes_leader,
        });
        Ok(offset)
    }

    /// `AddRaftVoter`: `id` joins the voters once it has caught up as an observer.
    pub fn add_voter(&mut self, id: NodeId, ctx: &mut Ctx) -> Result<String, String> {
        self.check_voter_change()?;
        if self.voters.contains(&id) {
            return Err(format!("DUPLICATE_VOTER: {id} is already a voter"));
        }
        let fetch_timeout = self.cfg.fetch_timeout();
        let caught_up = self
            .leader_state()
            .and_then(|l| l.observers.get(&id))
            .and_then(|p: &ReplicaProgress| p.last_caught_up)
            .is_some_and(|t| ctx.now.since(t) < fetch_timeout);
        if !caught_up {
            return Err(format!(
                "REQUEST_TIMED_OUT: {id} has not caught up with the leader as an observer (start it and let it fetch first)"
            ));
        }
        let mut voters = self.voters.to_vec();
        voters.push(id);
        voters.sort();
        let offset = self.append_voters(
            voters,
            format!("added controller {id} to the voters"),
            false,
            ctx,
        )?;
        Ok(format!(
            "AddRaftVoter {id}: VotersRecord at offset {offset}, in force at once, committed by a majority of the new set"
        ))
    }

    /// `RemoveRaftVoter`: `id` leaves the voters; a leader that removes itself resigns once the
    /// change is committed.
    pub fn remove_voter(&mut self, id: NodeId, ctx: &mut Ctx) -> Result<String, String> {
        self.check_voter_change()?;
        if !self.voters.contains(&id) {
            return Err(format!("VOTER_NOT_FOUND: {id} is not a voter"));
        }
        if self.voters.len() == 1 {
            return Err("INVALID_REQUEST: the last voter cannot be removed".into());
        }
        let voters: Vec<NodeId> = self.voters.iter().copied().filter(|v| *v != id).collect();
        let offset = self.append_voters(
            voters,
            format!("removed controller {id} from the voters"),
            id == self.id,
            ctx,
        )?;
        Ok(format!(
            "RemoveRaftVoter {id}: VotersRecord at offset {offset}, in force at once"
        ))
    }

    /// The leader's side once a voter change commits: report it, and resign if it removed
    /// itself.
    pub(crate) fn poll_voter_change(&mut self, ctx: &mut Ctx) {
        let Some(change) = &self.voter_change else {
            return;
        };
        if self.hw.is_none_or(|hw| hw <= change.offset) {
            return;
        }
        let change = self.voter_change.take().expect("checked above");
        ctx.emit(Event::AdminCompleted { what: change.what });
        if change.removes_leader && self.role() == Role::Leader {
            let successors = self
                .leader_state()
                .map(|l| l.voters_by_descending_fetch_offset(self.id))
                .unwrap_or_default();
            self.become_resigned(successors, Reason::VoterSetChanged, ctx);
        }
    }
}
