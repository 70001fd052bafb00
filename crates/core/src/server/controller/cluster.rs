//! Cluster membership on the active controller: brokers register (and get their broker epoch),
//! keep their session alive with heartbeats, are unfenced once caught up, fenced when their
//! session expires, and leave through a controlled shutdown that first moves their leadership
//! away (Kafka's `ClusterControlManager` and `BrokerHeartbeatManager`).

use crate::effect::Ctx;
use crate::kraft::Replica;
use crate::metadata::rpc::{ControllerError, ControllerRpc};
use crate::record::{BrokerId, BrokerRegistrationChangeRecord, Record, RegisterBrokerRecord};
use crate::trace::Event;
use crate::types::{ms, NodeId, Offset};
use crate::uuid::Uuid;

use super::records::{controlled_shutdown_records, fence_records, unfence_records};
use super::{Controller, Decision, Pending, BROKER_SESSION_TIMEOUT_MS};

impl Controller {
    /// BrokerRegistration: a new incarnation gets a RegisterBrokerRecord (fenced, its broker
    /// epoch the record's offset); the same incarnation asking again keeps its epoch; another
    /// live incarnation of the same id is refused.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn register(
        &mut self,
        raft: &Replica,
        from: NodeId,
        correlation: u64,
        broker_id: BrokerId,
        cluster_id: &str,
        incarnation_id: Uuid,
        ctx: &mut Ctx,
    ) -> Result<Decision, ControllerRpc> {
        let active = self.active.as_mut().expect("checked by the caller");
        let refuse = |error| ControllerRpc::BrokerRegistrationResponse {
            error,
            broker_epoch: -1,
        };
        if cluster_id != self.cluster_id {
            return Err(refuse(ControllerError::InconsistentClusterId));
        }
        if let Some(existing) = active.image.brokers.get(&broker_id) {
            let live = active
                .sessions
                .get(&broker_id)
                .is_some_and(|t| ctx.now.since(*t) < ms(BROKER_SESSION_TIMEOUT_MS));
            if live && !existing.fenced && existing.incarnation != incarnation_id {
                return Err(refuse(ControllerError::DuplicateBrokerRegistration));
            }
            if existing.incarnation == incarnation_id {
                // The same process asking again: keep its epoch.
                let rpc = ControllerRpc::BrokerRegistrationResponse {
                    error: ControllerError::None,
                    broker_epoch: existing.epoch,
                };
                return Ok((
                    Vec::new(),
                    Some(Pending::Reply {
                        to: from,
                        correlation,
                        rpc,
                    }),
                ));
            }
        }
        // The broker epoch is the offset this record will get.
        let epoch = raft.next_offset() as i64;
        active.sessions.insert(broker_id, ctx.now);
        let record = Record::RegisterBroker(Box::new(RegisterBrokerRecord {
            broker_id,
            incarnation_id,
            broker_epoch: epoch,
            endpoint: format!("broker-{broker_id}"),
            fenced: true,
            in_controlled_shutdown: false,
        }));
        let rpc = ControllerRpc::BrokerRegistrationResponse {
            error: ControllerError::None,
            broker_epoch: epoch,
        };
        Ok((
            vec![record],
            Some(Pending::Reply {
                to: from,
                correlation,
                rpc,
            }),
        ))
    }

    /// BrokerHeartbeat: renews the broker's session, unfences it once caught up, and walks it
    /// through a controlled shutdown when it asks to stop.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn heartbeat(
        &mut self,
        raft: &Replica,
        from: NodeId,
        correlation: u64,
        broker_id: BrokerId,
        broker_epoch: i64,
        offset: Offset,
        (want_fence, want_shut_down): (bool, bool),
        ctx: &mut Ctx,
    ) -> Result<Decision, ControllerRpc> {
        let active = self.active.as_mut().expect("checked by the caller");
        let answer = |error, caught_up, fenced, shut| ControllerRpc::BrokerHeartbeatResponse {
            error,
            is_caught_up: caught_up,
            is_fenced: fenced,
            should_shut_down: shut,
        };
        let Some(reg) = active.image.brokers.get(&broker_id).cloned() else {
            return Err(answer(
                ControllerError::BrokerIdNotRegistered,
                false,
                true,
                false,
            ));
        };
        if reg.epoch != broker_epoch {
            return Err(answer(
                ControllerError::StaleBrokerEpoch,
                false,
                true,
                false,
            ));
        }
        active.sessions.insert(broker_id, ctx.now);
        active.broker_offsets.insert(broker_id, offset);
        let caught_up = offset >= reg.epoch as Offset;
        let later = |rpc| {
            Some(Pending::Reply {
                to: from,
                correlation,
                rpc,
            })
        };
        if reg.fenced {
            if want_shut_down {
                active.sessions.remove(&broker_id);
                return Err(answer(ControllerError::None, caught_up, true, true));
            }
            if !want_fence && caught_up {
                let records = unfence_records(&active.image, broker_id);
                return Ok((
                    records,
                    later(answer(ControllerError::None, true, false, false)),
                ));
            }
            return Err(answer(ControllerError::None, caught_up, true, false));
        }
        let modelled = raft.config().modelled_partitions > 0;
        if want_shut_down
            && !reg.in_controlled_shutdown
            && active.image.led_by(broker_id) == 0
            && !modelled
        {
            // Leads nothing: SHUTDOWN_NOW at once, fenced and out of every ISR.
            active.sessions.remove(&broker_id);
            let records = fence_records(&active.image, broker_id, false);
            return Ok((
                records,
                later(answer(ControllerError::None, caught_up, true, true)),
            ));
        }
        if want_shut_down || reg.in_controlled_shutdown {
            if !reg.in_controlled_shutdown {
                active.charge_moves(broker_id, raft.config(), "controlled shutdown", ctx);
                let records = controlled_shutdown_records(&active.image, broker_id);
                let end = raft.next_offset() + records.len() as Offset;
                active.controlled_shutdown.insert(broker_id, end);
                return Ok((
                    records,
                    later(answer(ControllerError::None, caught_up, false, false)),
                ));
            }
            let moved_by = active
                .controlled_shutdown
                .get(&broker_id)
                .copied()
                .unwrap_or(0);
            let others_caught_up = active
                .image
                .brokers
                .values()
                .filter(|b| b.id != broker_id && !b.fenced)
                .all(|b| {
                    active
                        .broker_offsets
                        .get(&b.id)
                        .is_some_and(|o| *o >= moved_by)
                });
            let moved = active.moves_until.is_none_or(|t| ctx.now >= t);
            if active.image.led_by(broker_id) == 0 && others_caught_up && moved {
                active.sessions.remove(&broker_id);
                let records = vec![Record::BrokerRegistrationChange(
                    BrokerRegistrationChangeRecord {
                        broker_id,
                        broker_epoch: reg.epoch,
                        fenced: 1,
                        in_controlled_shutdown: 0,
                    },
                )];
                return Ok((
                    records,
                    later(answer(ControllerError::None, caught_up, true, true)),
                ));
            }
            return Err(answer(ControllerError::None, caught_up, false, false));
        }
        Err(answer(ControllerError::None, caught_up, false, false))
    }

    /// Fences every broker whose session expired (`broker.session.timeout.ms` without a
    /// heartbeat), one after another at once, in broker-id order: Kafka's
    /// `maybeFenceOneStaleBroker` fences one and `rescheduleMaybeFenceStaleBrokers` runs it
    /// again immediately while another is stale, each fencing seeing the previous one's
    /// records in the controller's in-memory image.
    pub(super) fn fence_expired_session(&mut self, raft: &mut Replica, ctx: &mut Ctx) {
        while self.active.as_ref().is_some_and(|a| !a.fencing_blocked) {
            let Some(active) = self.active.as_mut() else {
                return;
            };
            let expired = active.sessions.iter().find_map(|(b, last)| {
                let reg = active.image.brokers.get(b)?;
                (!reg.fenced && ctx.now.since(*last) >= ms(BROKER_SESSION_TIMEOUT_MS)).then_some(*b)
            });
            let Some(b) = expired else {
                return;
            };
            {
                let keep_leader = raft.config().buggify.fence_without_reelection;
                active.charge_moves(b, raft.config(), "fencing", ctx);
                let records = fence_records(&active.image, b, keep_leader);
                ctx.emit(Event::BrokerFenced {
                    broker: b,
                    why: "no heartbeat for broker.session.timeout.ms (9 s)".into(),
                });
                // A controller that cannot write (only a stale one, with a teaching switch on)
                // stops fencing instead of trying again at every poll.
                if self.write(raft, records, None, ctx).is_none() {
                    if let Some(a) = self.active.as_mut() {
                        a.fencing_blocked = true;
                    }
                }
            }
        }
    }
}
