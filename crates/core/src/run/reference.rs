//! The reference run: one fixed run (seed, hostile network, faults) whose full trace every
//! target must reproduce exactly. The native tests and the browser tests both compare its
//! digest to the same recorded value, so native and WebAssembly builds are proven to replay
//! the same run byte for byte.

use crate::trace::TraceEvent;
use crate::types::{ms, secs, NodeId, SimTime};

use crate::sim::action::UserAction;
use crate::sim::NetworkConfig;
use crate::sim::{ClusterSpec, World};

/// The run's trace, one line per event (every event, messages included).
pub fn reference_trace() -> Vec<String> {
    let mut spec = ClusterSpec::kraft(5, 3, 2026);
    spec.network = NetworkConfig {
        latency_min: ms(3),
        latency_max: ms(25),
        loss_ppm: 20_000,
        duplicate_ppm: 10_000,
        reorder: true,
    };
    let mut world = crate::check::checked_world(spec, false);
    world.set_recording(true);
    let actions = [
        (secs(3), UserAction::Write { count: 4, to: None }),
        (secs(4), UserAction::Crash(NodeId(3000))),
        (secs(5), UserAction::Pause(NodeId(3001), ms(2_500))),
        (
            secs(6),
            UserAction::Partition(vec![
                vec![NodeId(3001), NodeId(3002), NodeId(0)],
                vec![NodeId(3003), NodeId(3004), NodeId(1), NodeId(2)],
            ]),
        ),
        (secs(9), UserAction::Write { count: 2, to: None }),
        (secs(12), UserAction::Heal),
        (secs(13), UserAction::Restart(NodeId(3000))),
        (secs(15), UserAction::Shutdown(NodeId(3002))),
        (secs(18), UserAction::TimeoutNow(NodeId(3004))),
        (secs(20), UserAction::Write { count: 3, to: None }),
    ];
    let mut lines: Vec<String> = Vec::new();
    let mut take = |w: &mut World| lines.extend(w.take_trace().iter().map(TraceEvent::line));
    for (at, action) in actions {
        world.run_until(SimTime(at));
        let _ = world.apply(&action);
        take(&mut world);
    }
    world.run_until(SimTime(secs(30)));
    take(&mut world);
    lines
}

/// `lines=<n>\nfnv64=<hex>\n` of a trace: small enough to commit, exact enough to compare.
pub fn digest(lines: &[String]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for line in lines {
        for b in line.bytes().chain(std::iter::once(b'\n')) {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("lines={}\nfnv64={h:016x}\n", lines.len())
}
