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
use crate::record::{Record, Voter, VotersRecord};
use crate::trace::{Event, Reason};
use crate::types::{NodeId, Offset};

use super::leader::ReplicaProgress;
use super::log::Batch;
use super::replica::Replica;
use super::state::{Role, State, VoterChange};

impl Replica {
    /// The voter set a snapshot or the bootstrap configuration gives, before any VotersRecord
    /// the log still holds.
    fn base_voters(&self) -> Arc<Vec<Voter>> {
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
        if now == self.voter_keys {
            return;
        }
        let ids: Arc<Vec<NodeId>> = Arc::new(now.iter().map(|v| v.id).collect());
        self.voter_keys = now;
        self.voters = ids.clone();
        let now = ids;
        let check_quorum = self.cfg.check_quorum_timeout();
        let keys = self.voter_keys.clone();
        if let State::Leader(l) = &mut self.state {
            l.voters.retain(|id, _| now.contains(id));
            for v in keys.iter() {
                // The observer's progress moves over only if it is this very replica (same
                // directory id): a reformatted node fetching as an observer is not the voter.
                let same = l
                    .observers
                    .get(&v.id)
                    .is_some_and(|p| p.directory_id == v.directory_id);
                let progress = if same {
                    l.observers.remove(&v.id).unwrap_or_default()
                } else {
                    ReplicaProgress::default()
                };
                l.voters.entry(v.id).or_insert(progress);
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
        voters: Vec<Voter>,
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

    /// `AddRaftVoter`: `id` joins the voters once it has caught up as an observer, with the
    /// directory id it fetched with (its `ReplicaKey`). A voter id is in the set at most
    /// once: a reformatted voter must be removed before its new disk is added.
    pub fn add_voter(&mut self, id: NodeId, ctx: &mut Ctx) -> Result<String, String> {
        self.check_voter_change()?;
        if let Some(v) = self.voter_keys.iter().find(|v| v.id == id) {
            return Err(format!(
                "DUPLICATE_VOTER: {id} is already a voter (directory id {})",
                v.directory_id
            ));
        }
        let fetch_timeout = self.cfg.fetch_timeout();
        let observer = self.leader_state().and_then(|l| l.observers.get(&id));
        let caught_up = observer
            .and_then(|p: &ReplicaProgress| p.last_caught_up)
            .is_some_and(|t| ctx.now.since(t) < fetch_timeout);
        if !caught_up {
            return Err(format!(
                "REQUEST_TIMED_OUT: {id} has not caught up with the leader as an observer (start it and let it fetch first)"
            ));
        }
        let directory_id = observer.map(|p| p.directory_id).unwrap_or_default();
        let mut voters = self.voter_keys.to_vec();
        voters.push(Voter { id, directory_id });
        crate::flat::insertion_sort(&mut voters);
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
        let voters: Vec<Voter> = self
            .voter_keys
            .iter()
            .copied()
            .filter(|v| v.id != id)
            .collect();
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

#[cfg(test)]
mod tests {
    //! The voter set from VotersRecords (KIP-853), one step at a time.

    use crate::kraft::state::Role::{Leader, Resigned};
    use crate::kraft::testing::{batch, id, msg, Given, Node};
    use crate::record::{Record, Voter, VotersRecord};
    use crate::trace::{Event, Reason};

    /// Node 1, leader of epoch 2 over a dynamic quorum of voters 1, 2, 3 (log [1] and its
    /// LeaderChangeMessage: log end 2), with node 2 caught up: HW 2.
    fn leader() -> Node {
        let mut n = Given::node(1, &[1, 2, 3])
            .log(&[1])
            .config(|c| c.dynamic_quorum = true)
            .elected_in(2);
        n.deliver(2, msg::fetch(2, 2, 2, 2, Some(0)));
        assert_eq!(n.hw(), Some(2));
        n
    }

    fn voters_changed_to(step: &crate::kraft::testing::Step) -> Option<Vec<i32>> {
        step.events().into_iter().find_map(|e| match e {
            Event::VotersChanged { voters } => Some(voters.iter().map(|v| v.0).collect()),
            _ => None,
        })
    }

    fn voters_record(voters: &[i32]) -> Record {
        Record::Voters(Box::new(VotersRecord {
            voters: voters.iter().map(|v| Voter::by_id(id(*v))).collect(),
        }))
    }

    #[test]
    fn a_voters_record_changes_the_leaders_voter_set_as_soon_as_it_is_appended() {
        let mut n = leader();
        n.with(|r, ctx| r.remove_voter(id(3), ctx))
            .expect("accepted");
        assert_eq!(n.voters(), [1, 2, 3], "queued behind the append linger");

        let s = n.poll_at(25);

        assert_eq!(voters_changed_to(&s), Some(vec![1, 2]));
        assert_eq!(n.voters(), [1, 2]);
        assert_eq!(
            n.leader_state().voters.keys().copied().collect::<Vec<_>>(),
            [id(1), id(2)]
        );
        assert_eq!(n.hw(), Some(2), "in force, not yet committed");
        // Committed once a majority of the new set, {1, 2}, holds it.
        n.deliver(2, msg::fetch(2, 2, 3, 2, Some(2)));
        assert_eq!(n.hw(), Some(3));
        let s = n.poll();
        assert!(s.has(|e| matches!(e, Event::AdminCompleted { .. })));
    }

    #[test]
    fn an_added_voter_counts_towards_the_hw_at_once() {
        let mut n = leader();
        let refused = n.with(|r, ctx| r.add_voter(id(4), ctx));
        assert!(
            refused.is_err_and(|e| e.contains("has not caught up")),
            "node 4 must first catch up as an observer"
        );
        n.deliver(4, msg::fetch(2, 4, 2, 2, Some(0)));
        n.with(|r, ctx| r.add_voter(id(4), ctx)).expect("accepted");
        n.poll_at(25);
        assert_eq!(n.voters(), [1, 2, 3, 4]);

        // Nodes 1 and 2 hold the VotersRecord: a majority of the old set, not of the new.
        n.deliver(2, msg::fetch(2, 2, 3, 2, Some(2)));
        assert_eq!(n.hw(), Some(2));
        n.deliver(4, msg::fetch(2, 4, 3, 2, Some(2)));
        assert_eq!(n.hw(), Some(3));
    }

    #[test]
    fn a_second_voter_change_waits_until_the_first_commits() {
        let mut n = leader();
        n.with(|r, ctx| r.remove_voter(id(3), ctx))
            .expect("accepted");

        let second = n.with(|r, ctx| r.remove_voter(id(2), ctx));

        assert!(
            second.is_err_and(|e| e.contains("one change at a time")),
            "single-server changes only"
        );
    }

    #[test]
    fn a_follower_adopts_a_voters_record_before_it_commits_and_drops_it_on_truncation() {
        let mut n = Given::node(2, &[1, 2, 3])
            .epoch(2)
            .leader(1)
            .log(&[1])
            .config(|c| c.dynamic_quorum = true)
            .start();
        n.poll();

        let s = n.answer(
            1,
            msg::fetched(
                2,
                1,
                Some(1),
                vec![batch(1, 2, vec![voters_record(&[1, 2, 3, 4])])],
            ),
        );

        assert_eq!(voters_changed_to(&s), Some(vec![1, 2, 3, 4]));
        assert_eq!(n.voters(), [1, 2, 3, 4]);
        assert_eq!(n.hw(), Some(1), "the record is not committed");
        n.poll();
        let s = n.answer(1, msg::diverging(2, 1, (1, 1)));
        assert_eq!(n.log_epochs(), [1]);
        assert_eq!(voters_changed_to(&s), Some(vec![1, 2, 3]));
        assert_eq!(n.voters(), [1, 2, 3]);
    }

    #[test]
    fn a_leader_that_removes_itself_leads_until_the_change_commits_then_resigns() {
        let mut n = leader();
        n.with(|r, ctx| r.remove_voter(id(1), ctx))
            .expect("accepted");
        n.poll_at(25);
        assert_eq!(n.voters(), [2, 3]);
        assert!(!n.replica().is_voter());
        assert_eq!(n.role(), Leader);

        // Without its own vote, committing the VotersRecord at 2 takes both 2 and 3.
        n.deliver(2, msg::fetch(2, 2, 3, 2, Some(2)));
        assert_eq!(n.hw(), Some(2));
        assert_eq!(n.poll().transitions(), []);
        n.deliver(3, msg::fetch(2, 3, 3, 2, Some(2)));
        assert_eq!(n.hw(), Some(3));

        let s = n.poll();

        assert!(s.has(|e| matches!(e, Event::AdminCompleted { .. })));
        assert_eq!(s.transitions(), [(Leader, Resigned, 2)]);
        assert_eq!(s.reasons(), [Reason::VoterSetChanged]);
        assert_eq!(
            s.only_to(2).line(),
            "EndQuorumEpoch epoch=2 leader=1 preferredSuccessors=[2,3]"
        );
    }
}
