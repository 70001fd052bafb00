//! Memory stays bounded by what a run shows, not by how long it has gone on (issue: a share
//! link whose last action was an hour in cost gigabytes to open). A counting allocator
//! measures the heap this test binary holds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kraftlab_core::run::Timeline;
use kraftlab_core::scenario::share::{decode, encode};
use kraftlab_core::sim::{ClusterSpec, UserAction};
use kraftlab_core::types::{secs, SimTime};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static A: Counting = Counting;

const MIB: usize = 1024 * 1024;

fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

fn peak_mib() -> usize {
    PEAK.load(Ordering::Relaxed) / MIB
}

/// One test at a time: the allocator counts the whole process.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_link_ending_an_hour_in_replays_in_bounded_memory() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let spec = ClusterSpec::kraft(3, 3, 42);
    let link = encode(&spec, &[(SimTime(secs(3_600)), UserAction::Heal)]);
    reset_peak();
    let run = decode(&link).expect("the link decodes");
    let t = Timeline::replay(run.spec, run.actions);
    assert_eq!(t.now(), SimTime(secs(3_600)));
    let peak = peak_mib();
    println!("replaying a one-hour link peaked at {peak} MiB");
    assert!(peak < 64, "replaying a one-hour link took {peak} MiB");
}

#[test]
fn an_idle_cluster_holds_the_same_memory_after_one_hour_and_after_four() {
    // The checkers kept a fingerprint per offset for the whole run (about 1.2 MiB per virtual
    // hour of the default cluster); they now forget what lies below every replica's log start.
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut world = kraftlab_core::check::checked_world(ClusterSpec::kraft(3, 3, 42), false);
    world.run_until(SimTime(secs(3_600)));
    let after_one = LIVE.load(Ordering::Relaxed);
    world.run_until(SimTime(secs(4 * 3_600)));
    let after_four = LIVE.load(Ordering::Relaxed);
    let grown = after_four.saturating_sub(after_one);
    println!("hour 1 → hour 4: the heap grew by {grown} bytes");
    assert!(
        grown < MIB / 2,
        "three more idle hours grew the heap by {grown} bytes"
    );
    assert!(world.violations().is_empty(), "{:?}", world.violations());
}
