//! Cluster membership on the active controller: brokers register (and get their broker epoch),
//! keep their session alive with heartbeats, are unfenced once caught up, fenced when their
//! session expires, and leave through a controlled shutdown that first moves their leadership
//! away (Kafka's `ClusterControlManager` and `BrokerHeartbeatManager`).
//!
//! Over 800 lines only with its step tests: the code is about 280 lines; the tests stay beside the
//! steps they test.

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
    /// epoch the record's offset); the same incarnation asking again gets an amended
    /// RegisterBrokerRecord that keeps its epoch and its fenced and controlled-shutdown state;
    /// another live incarnation of the same id is refused (`ClusterControlManager.registerBroker`).
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
                .is_some_and(|c| ctx.now.since(c.at) < ms(BROKER_SESSION_TIMEOUT_MS));
            if live && !existing.fenced && existing.incarnation != incarnation_id {
                return Err(refuse(ControllerError::DuplicateBrokerRegistration));
            }
            if existing.incarnation == incarnation_id {
                // The same process asking again (its answer was lost, say): the registration
                // is amended, keeping its epoch and state. Its session starts again
                // (`BrokerHeartbeatManager.register`), with no metadata offset known.
                let record = Record::RegisterBroker(Box::new(RegisterBrokerRecord {
                    broker_id,
                    incarnation_id,
                    broker_epoch: existing.epoch,
                    endpoint: format!("broker-{broker_id}"),
                    fenced: existing.fenced,
                    in_controlled_shutdown: existing.in_controlled_shutdown,
                }));
                let rpc = ControllerRpc::BrokerRegistrationResponse {
                    error: ControllerError::None,
                    broker_epoch: existing.epoch,
                };
                active.touch(broker_id, ctx.now);
                active.broker_offsets.insert(broker_id, -1);
                return Ok((
                    vec![record],
                    Some(Pending::Reply {
                        to: from,
                        correlation,
                        rpc,
                    }),
                ));
            }
        }
        // The broker epoch is the offset this record will get. The old incarnation's
        // heartbeat state goes (`BrokerHeartbeatManager.remove`), and the new one's session
        // starts.
        let epoch = raft.next_offset() as i64;
        active.broker_offsets.remove(&broker_id);
        active.controlled_shutdown.remove(&broker_id);
        active.touch(broker_id, ctx.now);
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
    /// through a controlled shutdown when it asks to stop (`QuorumController.processBrokerHeartbeat`,
    /// `ReplicationControlManager.processBrokerHeartbeat`,
    /// `BrokerHeartbeatManager.calculateNextBrokerState`). A heartbeat that changes nothing is
    /// still answered only once what the controller wrote before it is committed; only a
    /// refusal goes at once.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn heartbeat(
        &mut self,
        raft: &Replica,
        from: NodeId,
        correlation: u64,
        broker_id: BrokerId,
        broker_epoch: i64,
        offset: i64,
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
        // `checkBrokerEpoch`: no registration at all is a stale epoch too.
        let Some(reg) = active
            .image
            .brokers
            .get(&broker_id)
            .filter(|reg| reg.epoch == broker_epoch)
            .cloned()
        else {
            return Err(answer(
                ControllerError::StaleBrokerEpoch,
                false,
                true,
                false,
            ));
        };
        active.touch(broker_id, ctx.now);
        active.broker_offsets.insert(broker_id, offset);
        let caught_up = offset >= reg.register_record_offset as i64;
        let later = |rpc| {
            Some(Pending::Reply {
                to: from,
                correlation,
                rpc,
            })
        };
        // Nothing to write: answered once the earlier writes are committed.
        let read = |rpc| Ok((Vec::new(), later(rpc)));
        if reg.fenced {
            if want_shut_down {
                // FENCED → SHUTDOWN_NOW is a change of state: `handleBrokerFenced` writes the
                // fencing again, and the broker is told once it is committed.
                active.sessions.remove(&broker_id);
                let records = fence_records(&active.image, broker_id, false);
                return Ok((
                    records,
                    later(answer(ControllerError::None, caught_up, true, true)),
                ));
            }
            if !want_fence && caught_up {
                let records = unfence_records(&active.image, broker_id);
                return Ok((
                    records,
                    later(answer(ControllerError::None, true, false, false)),
                ));
            }
            return read(answer(ControllerError::None, caught_up, true, false));
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
                // `processBatchEndOffset`: the offset of the last of these records.
                let last = (raft.next_offset() + records.len() as Offset) as i64 - 1;
                active.controlled_shutdown.insert(broker_id, last);
                return Ok((
                    records,
                    later(answer(ControllerError::None, caught_up, false, false)),
                ));
            }
            let moved_by = active
                .controlled_shutdown
                .get(&broker_id)
                .copied()
                .unwrap_or(-1);
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
            return read(answer(ControllerError::None, caught_up, false, false));
        }
        read(answer(ControllerError::None, caught_up, false, false))
    }

    /// Fences every broker whose session expired (`broker.session.timeout.ms` without a
    /// heartbeat), one after another at once, the one silent longest first: Kafka's
    /// `maybeFenceOneStaleBroker` fences the first of the unfenced brokers, kept in order of
    /// last contact (`BrokerHeartbeatManager.findOneStaleBroker`), and
    /// `rescheduleMaybeFenceStaleBrokers` runs it again immediately while another is stale,
    /// each fencing seeing the previous one's records in the controller's in-memory image.
    pub(super) fn fence_expired_session(&mut self, raft: &mut Replica, ctx: &mut Ctx) {
        while self.active.as_ref().is_some_and(|a| !a.fencing_blocked) {
            let Some(active) = self.active.as_mut() else {
                return;
            };
            let expired = active
                .sessions
                .iter()
                .filter(|(b, _)| active.image.brokers.get(b).is_some_and(|r| !r.fenced))
                .min_by_key(|(_, c)| **c)
                .filter(|(_, c)| ctx.now.since(c.at) >= ms(BROKER_SESSION_TIMEOUT_MS))
                .map(|(b, _)| *b);
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

#[cfg(test)]
mod tests {
    //! One request or one timer at a time on the active controller: registration, heartbeats,
    //! unfencing, session expiry and controlled shutdown, each with the exact records it writes
    //! and the exact answer it sends (docs/fidelity.md, The metadata layer).

    use crate::trace::Event;

    use super::super::testing::*;

    const NOTHING: [&str; 0] = [];
    const NO_ANSWER: [(i32, &str); 0] = [];
    const NOBODY: [i32; 0] = [];

    /// Brokers 0, 1, 2 (epochs 1, 2, 3), all unfenced, and topic `orders` whose partition 0 is
    /// led by 0 and partition 1 by 1, every replica in sync. The log: FeatureLevelRecord (0),
    /// the three registrations (1–3), the topic (4–6) and the leader's LeaderChangeMessage (7).
    fn three_brokers() -> Given {
        Given::cluster()
            .brokers(&[0, 1, 2])
            .topic("orders", &[&[0, 1, 2], &[1, 2, 0]])
    }

    // ----- activation -----------------------------------------------------------------------

    #[test]
    fn activation_on_an_empty_log_writes_the_bootstrap_metadata_version() {
        let c = Given::empty_log().active();

        assert!(c.is_active());
        assert!(c
            .startup
            .events()
            .iter()
            .any(|e| matches!(e, Event::ControllerActivated { epoch: 1 })));
        assert_eq!(
            c.log(),
            [
                "LeaderChangeMessage(leaderId=3000, voters=[3000], grantingVoters=[3000])",
                "FeatureLevelRecord(name=metadata.version, featureLevel=21)",
            ]
        );
        // A log that already has a metadata.version gets nothing on activation.
        let c = Given::cluster().active();
        assert_eq!(
            c.log(),
            [
                "FeatureLevelRecord(name=metadata.version, featureLevel=21)",
                "LeaderChangeMessage(leaderId=3000, voters=[3000], grantingVoters=[3000])",
            ]
        );
    }

    // ----- registration ---------------------------------------------------------------------

    #[test]
    fn registration_writes_a_fenced_register_broker_record_whose_offset_is_the_broker_epoch() {
        let mut c = Given::cluster().active();
        assert_eq!(c.next_offset(), 2);

        let s = c.deliver(0, register(0, incarnation(0)));

        // Appended after the linger and answered only once committed.
        assert_eq!(s.records(), NOTHING);
        assert_eq!(s.answers(), NO_ANSWER);
        let s = c.commit();
        assert_eq!(
            s.records(),
            ["RegisterBrokerRecord(brokerId=0, brokerEpoch=2, fenced=true)"]
        );
        assert_eq!(
            s.answers(),
            [(0, "BrokerRegistrationResponse brokerEpoch=2")]
        );
        assert!(c.image().brokers[&0].fenced);
        assert_eq!(c.broker_epoch(0), 2);
    }

    #[test]
    fn registrations_in_one_linger_get_consecutive_offsets_as_epochs() {
        let mut c = Given::cluster().active();

        c.deliver(1, register(1, incarnation(1)));
        c.deliver(0, register(0, incarnation(0)));
        let s = c.commit();

        assert_eq!(
            s.records(),
            [
                "RegisterBrokerRecord(brokerId=1, brokerEpoch=2, fenced=true)",
                "RegisterBrokerRecord(brokerId=0, brokerEpoch=3, fenced=true)",
            ]
        );
        assert_eq!(
            s.answers(),
            [
                (1, "BrokerRegistrationResponse brokerEpoch=2"),
                (0, "BrokerRegistrationResponse brokerEpoch=3"),
            ]
        );
    }

    #[test]
    fn another_incarnation_of_a_live_broker_is_refused_until_its_session_expires() {
        let mut c = Given::cluster().brokers(&[0]).active();

        let s = c.deliver(0, register(0, other_incarnation(0)));

        // Refused at once, nothing written.
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerRegistrationResponse brokerEpoch=-1 error=DUPLICATE_BROKER_REGISTRATION"
            )]
        );
        assert_eq!(s.records(), NOTHING);

        // 9 s without a heartbeat: the old incarnation is fenced, the new one may register.
        let s = c.poll_at(9_000);
        assert_eq!(s.fenced(), [0]);
        c.commit();
        let epoch = c.next_offset();
        let s = c.request(0, register(0, other_incarnation(0)));
        assert_eq!(
            s.records_but_noops(),
            [format!(
                "RegisterBrokerRecord(brokerId=0, brokerEpoch={epoch}, fenced=true)"
            )]
        );
        assert_eq!(
            s.answers(),
            [(
                0,
                format!("BrokerRegistrationResponse brokerEpoch={epoch}").as_str()
            )]
        );
    }

    #[test]
    fn the_same_incarnation_registering_again_keeps_its_broker_epoch() {
        let mut c = Given::cluster().brokers(&[0]).active();

        let s = c.request(0, register(0, incarnation(0)));

        assert_eq!(
            s.answers(),
            [(0, "BrokerRegistrationResponse brokerEpoch=1")]
        );
        assert!(!c.image().brokers[&0].fenced);
    }

    #[test]
    fn the_same_incarnation_registering_again_gets_an_amended_register_broker_record() {
        let mut c = Given::cluster().brokers(&[0]).active();

        let s = c.request(0, register(0, incarnation(0)));

        assert_eq!(
            s.records(),
            ["RegisterBrokerRecord(brokerId=0, brokerEpoch=1, fenced=false)"]
        );
        assert_eq!(
            s.answers(),
            [(0, "BrokerRegistrationResponse brokerEpoch=1")]
        );
    }

    #[test]
    fn after_an_amended_registration_a_fenced_broker_must_catch_up_to_the_new_record() {
        // Broker 0 registered at offset 1, still fenced; its answer was lost and it asks again.
        let mut c = Given::cluster().fenced_broker(0).active();
        let amended = c.next_offset() as i64;
        let s = c.request(0, register(0, incarnation(0)));
        assert_eq!(
            s.records(),
            ["RegisterBrokerRecord(brokerId=0, brokerEpoch=1, fenced=true)"]
        );

        // Past its epoch's record but not the amended one (`registerBrokerRecordOffset`).
        let s = c.request(0, heartbeat(0, 1).offset(amended - 1));
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=false isFenced=true shouldShutDown=false"
            )]
        );
        let s = c.request(0, heartbeat(0, 1).offset(amended));
        assert_eq!(
            s.records_but_noops(),
            ["BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=-1)"]
        );
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=false shouldShutDown=false"
            )]
        );
    }

    #[test]
    fn a_registration_for_another_cluster_is_refused() {
        let mut c = Given::cluster().active();
        let rpc = match register(0, incarnation(0)) {
            crate::metadata::rpc::ControllerRpc::BrokerRegistrationRequest {
                broker_id,
                incarnation_id,
                ..
            } => crate::metadata::rpc::ControllerRpc::BrokerRegistrationRequest {
                broker_id,
                cluster_id: "another-cluster".into(),
                incarnation_id,
            },
            _ => unreachable!(),
        };

        let s = c.deliver(0, rpc);

        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerRegistrationResponse brokerEpoch=-1 error=INCONSISTENT_CLUSTER_ID"
            )]
        );
        assert_eq!(c.commit().records(), NOTHING);
    }

    #[test]
    fn a_standby_controller_answers_not_controller() {
        let mut c = Given::cluster().brokers(&[0]).standby();

        let s = c.deliver(0, register(0, incarnation(0)));
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerRegistrationResponse brokerEpoch=-1 error=NOT_CONTROLLER"
            )]
        );
        let s = c.deliver(0, heartbeat(0, 1).offset(3));
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=false isFenced=true shouldShutDown=false error=NOT_CONTROLLER"
            )]
        );
        assert_eq!(s.records(), NOTHING);
    }

    // ----- heartbeats -----------------------------------------------------------------------

    #[test]
    fn a_fenced_broker_is_told_whether_it_caught_up_with_its_registration() {
        // Broker 0 registered at offset 1, still fenced.
        let mut c = Given::cluster().fenced_broker(0).active();

        let s = c.deliver(0, heartbeat(0, 1).offset(0).want_fence());
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=false isFenced=true shouldShutDown=false"
            )]
        );
        // Caught up once it has applied the offset of its RegisterBrokerRecord (1), but it
        // asked to stay fenced (STARTING): still fenced, nothing written.
        let s = c.deliver(0, heartbeat(0, 1).offset(1).want_fence());
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=true shouldShutDown=false"
            )]
        );
        assert_eq!(c.commit().records(), NOTHING);
    }

    #[test]
    fn a_caught_up_broker_that_stops_asking_to_be_fenced_is_unfenced_and_leads_leaderless_partitions(
    ) {
        // Broker 0 (epoch 1) fenced; partition 0 has no leader and only 0 in its ISR.
        let mut c = Given::cluster()
            .fenced_broker(0)
            .brokers(&[1])
            .topic_with("orders", &[(&[0, 1], &[0], -1), (&[1, 0], &[1], 1)])
            .active();

        let s = c.deliver(0, heartbeat(0, 1).offset(c.caught_up()));
        assert_eq!(
            s.answers(),
            NO_ANSWER,
            "answered once the unfencing is committed"
        );
        let s = c.commit();

        assert_eq!(
            s.records(),
            [
                "BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=-1)",
                "PartitionChangeRecord(topicId=orders, partitionId=0, leader=0)",
            ]
        );
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=false shouldShutDown=false"
            )]
        );
        assert_eq!(c.partition("orders", 0), (0, vec![0]));
    }

    #[test]
    fn a_broker_behind_its_registration_stays_fenced_even_if_it_asks() {
        let mut c = Given::cluster().fenced_broker(0).active();

        let s = c.deliver(0, heartbeat(0, 1).offset(0));

        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=false isFenced=true shouldShutDown=false"
            )]
        );
        assert_eq!(c.commit().records(), NOTHING);
        assert!(c.image().brokers[&0].fenced);
    }

    #[test]
    fn a_heartbeat_with_a_stale_broker_epoch_is_refused_and_keeps_no_session_alive() {
        let mut c = three_brokers().active();

        c.set_time(5_000);
        let s = c.deliver(0, heartbeat(0, 7).offset(c.caught_up()));

        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=false isFenced=true shouldShutDown=false error=STALE_BROKER_EPOCH"
            )]
        );
        // Its session still started at the activation: fenced at 9 s.
        assert_eq!(c.poll_at(9_000).fenced(), [0, 1, 2]);
    }

    #[test]
    fn a_heartbeat_from_an_unregistered_broker_is_a_stale_broker_epoch() {
        let mut c = Given::cluster().active();

        let s = c.deliver(4, heartbeat(4, 1).offset(c.caught_up()));

        assert_eq!(
            s.answers(),
            [(
                4,
                "BrokerHeartbeatResponse isCaughtUp=false isFenced=true shouldShutDown=false error=STALE_BROKER_EPOCH"
            )]
        );
    }

    #[test]
    fn an_answer_that_writes_nothing_waits_for_earlier_writes_to_commit() {
        let mut c = Given::cluster().fenced_broker(0).brokers(&[1]).active();

        // Broker 0's unfencing is written but not committed when broker 1 heartbeats.
        c.deliver(0, heartbeat(0, 1).offset(c.caught_up()));
        let s = c.deliver(1, heartbeat(1, 2).offset(c.caught_up()));
        assert_eq!(s.answers(), NO_ANSWER);

        let s = c.commit();
        assert_eq!(
            s.answers(),
            [
                (
                    0,
                    "BrokerHeartbeatResponse isCaughtUp=true isFenced=false shouldShutDown=false"
                ),
                (
                    1,
                    "BrokerHeartbeatResponse isCaughtUp=true isFenced=false shouldShutDown=false"
                ),
            ]
        );
    }

    // ----- session expiry -------------------------------------------------------------------

    #[test]
    fn a_broker_without_heartbeat_for_9_s_is_fenced_its_leadership_moved_and_isrs_shrunk() {
        let mut c = three_brokers().active();
        c.set_time(5_000);
        for (b, epoch) in [(1, 2), (2, 3)] {
            // Handled, then the idle controller's NoOpRecord committed: an answer that writes
            // nothing waits for what the controller wrote before it.
            let s = c.request(b, heartbeat(b, epoch).offset(c.caught_up()));
            assert_eq!(
                s.answers(),
                [(
                    b,
                    "BrokerHeartbeatResponse isCaughtUp=true isFenced=false shouldShutDown=false"
                )]
            );
        }

        let s = c.poll_at(8_999);
        assert_eq!(s.fenced(), NOBODY);
        let s = c.poll_at(9_000);
        assert_eq!(s.fenced(), [0]);
        let s = s.then(c.commit());

        assert_eq!(
            s.records_but_noops(),
            [
                "PartitionChangeRecord(topicId=orders, partitionId=0, isr=[1,2], leader=1)",
                "PartitionChangeRecord(topicId=orders, partitionId=1, isr=[1,2])",
                "BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=1)",
            ]
        );
        assert_eq!(s.answers(), NO_ANSWER);
        assert_eq!(c.partition("orders", 0), (1, vec![1, 2]));
        assert_eq!(c.partition("orders", 1), (1, vec![1, 2]));
    }

    #[test]
    fn a_heartbeat_starts_a_new_9_s_session() {
        let mut c = three_brokers().active();
        c.set_time(5_000);
        for (b, epoch) in [(0, 1), (1, 2), (2, 3)] {
            c.deliver(b, heartbeat(b, epoch).offset(c.caught_up()));
        }

        assert_eq!(c.poll_at(9_000).fenced(), NOBODY);
        assert_eq!(c.poll_at(13_999).fenced(), NOBODY);
        assert_eq!(c.poll_at(14_000).fenced(), [0, 1, 2]);
    }

    #[test]
    fn several_stale_brokers_are_fenced_one_after_another_in_one_poll() {
        let mut c = three_brokers().active();
        c.set_time(5_000);
        c.deliver(2, heartbeat(2, 3).offset(c.caught_up()));

        let s = c.poll_at(9_000);

        assert_eq!(s.fenced(), [0, 1]);
        // The second fencing sees the first one's records: broker 1 had just become the
        // leader of partition 0, and hands it on to 2.
        let s = s.then(c.commit());
        assert_eq!(
            s.records_but_noops(),
            [
                "PartitionChangeRecord(topicId=orders, partitionId=0, isr=[1,2], leader=1)",
                "PartitionChangeRecord(topicId=orders, partitionId=1, isr=[1,2])",
                "BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=1)",
                "PartitionChangeRecord(topicId=orders, partitionId=0, isr=[2], leader=2)",
                "PartitionChangeRecord(topicId=orders, partitionId=1, isr=[2], leader=2)",
                "BrokerRegistrationChangeRecord(brokerId=1, brokerEpoch=2, fenced=1)",
            ]
        );
        assert_eq!(c.partition("orders", 0), (2, vec![2]));
    }

    #[test]
    fn stale_brokers_are_fenced_longest_silent_first() {
        let mut c = three_brokers().active();
        c.set_time(1_000);
        c.deliver(0, heartbeat(0, 1).offset(c.caught_up()));
        c.set_time(5_000);
        c.deliver(2, heartbeat(2, 3).offset(c.caught_up()));

        // Nothing polls the controller until 10 s: 1 (silent since 0) and 0 (since 1 s) are
        // both stale.
        let s = c.poll_at(10_000);

        assert_eq!(s.fenced(), [1, 0]);
        let s = s.then(c.commit());
        assert_eq!(
            s.records_but_noops(),
            [
                "PartitionChangeRecord(topicId=orders, partitionId=0, isr=[0,2])",
                "PartitionChangeRecord(topicId=orders, partitionId=1, isr=[2,0], leader=2)",
                "BrokerRegistrationChangeRecord(brokerId=1, brokerEpoch=2, fenced=1)",
                "PartitionChangeRecord(topicId=orders, partitionId=0, isr=[2], leader=2)",
                "PartitionChangeRecord(topicId=orders, partitionId=1, isr=[2])",
                "BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=1)",
            ]
        );
    }

    #[test]
    fn the_last_replica_in_the_isr_stays_in_it_when_its_broker_is_fenced() {
        // Partition 0 is led by 0 alone; partition 1 by 1, with 0 out of sync.
        let mut c = Given::cluster()
            .brokers(&[0, 1])
            .topic_with("orders", &[(&[0, 1], &[0], 0), (&[1, 0], &[1], 1)])
            .active();
        c.set_time(5_000);
        c.deliver(1, heartbeat(1, 2).offset(c.caught_up()));

        let s = c.poll_at(9_000).then(c.commit());

        assert_eq!(
            s.records_but_noops(),
            [
                "PartitionChangeRecord(topicId=orders, partitionId=0, leader=-1)",
                "BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=1)",
            ]
        );
        assert_eq!(c.partition("orders", 0), (-1, vec![0]));
    }

    // ----- controlled shutdown --------------------------------------------------------------

    #[test]
    fn controlled_shutdown_moves_leadership_away_then_lets_the_broker_stop() {
        let mut c = three_brokers().active();
        // Before the first NoOpRecord (500 ms).
        c.set_time(100);
        for (b, epoch) in [(1, 2), (2, 3)] {
            c.deliver(b, heartbeat(b, epoch).offset(c.caught_up()));
        }

        // WantShutDown from the leader of partition 0.
        let s = c.deliver(0, heartbeat(0, 1).offset(c.caught_up()).want_shut_down());
        assert_eq!(s.answers(), NO_ANSWER);
        let s = c.commit();
        assert_eq!(
            s.records(),
            [
                "BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, inControlledShutdown=1)",
                "PartitionChangeRecord(topicId=orders, partitionId=0, isr=[1,2], leader=1)",
                "PartitionChangeRecord(topicId=orders, partitionId=1, isr=[1,2])",
            ]
        );
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=false shouldShutDown=false"
            )]
        );
        assert!(c.image().brokers[&0].in_controlled_shutdown);
        assert_eq!(c.partition("orders", 0), (1, vec![1, 2]));

        // It leads nothing now, but 1 and 2 have not reported replaying the moves yet.
        let s = c.deliver(0, heartbeat(0, 1).offset(c.caught_up()).want_shut_down());
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=false shouldShutDown=false"
            )]
        );
        assert_eq!(c.commit().records(), NOTHING);

        // Once they have, the broker is fenced and told to shut down.
        for (b, epoch) in [(1, 2), (2, 3)] {
            c.deliver(b, heartbeat(b, epoch).offset(c.caught_up()));
        }
        let s = c.request(0, heartbeat(0, 1).offset(c.caught_up()).want_shut_down());
        assert_eq!(
            s.records(),
            ["BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=1)"]
        );
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=true shouldShutDown=true"
            )]
        );
        assert!(c.image().brokers[&0].fenced);
    }

    #[test]
    fn a_broker_that_leads_nothing_shuts_down_at_once_leaving_the_isrs() {
        // Broker 0 follows partition 0 and leads nothing.
        let mut c = Given::cluster()
            .brokers(&[0, 1])
            .topic("orders", &[&[1, 0]])
            .active();

        let s = c.request(0, heartbeat(0, 1).offset(c.caught_up()).want_shut_down());

        assert_eq!(
            s.records(),
            [
                "PartitionChangeRecord(topicId=orders, partitionId=0, isr=[1])",
                "BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=1)",
            ]
        );
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=true shouldShutDown=true"
            )]
        );
    }

    #[test]
    fn a_fenced_broker_asking_to_shut_down_gets_a_fence_record_written_again() {
        let mut c = Given::cluster().fenced_broker(0).active();

        let s = c.deliver(0, heartbeat(0, 1).offset(c.caught_up()).want_shut_down());
        assert_eq!(s.answers(), NO_ANSWER);
        let s = c.commit();

        assert_eq!(
            s.records(),
            ["BrokerRegistrationChangeRecord(brokerId=0, brokerEpoch=1, fenced=1)"]
        );
        assert_eq!(
            s.answers(),
            [(
                0,
                "BrokerHeartbeatResponse isCaughtUp=true isFenced=true shouldShutDown=true"
            )]
        );
    }
}
