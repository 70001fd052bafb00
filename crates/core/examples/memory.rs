//! Memory over long runs (issue figures, not a test): the live heap of the default cluster
//! (3 controllers, 3 brokers) after 1, 10 and 24 hours of virtual time — as a scenario session
//! holds it (`kraftlab run`) and as the page's time-travel timeline holds it (checkpoints and
//! feed included, what the playground keeps after playing that long at any speed).
//!
//! `cargo run -p kraftlab-core --release --example memory`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use kraftlab_core::run::Timeline;
use kraftlab_core::scenario::Session;
use kraftlab_core::sim::ClusterSpec;
use kraftlab_core::trace::Verbosity;
use kraftlab_core::types::{secs, SimTime};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
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

fn mib() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0)
}

fn main() {
    let hours = [1u64, 10, 24, 48];
    println!("default cluster (3 controllers + 3 brokers), live heap after virtual time:");
    let base = mib();
    let mut session = Session::new(Verbosity::Off);
    session
        .execute_command(
            &kraftlab_core::scenario::parse_command("cluster kraft voters=3 brokers=3 seed=42")
                .expect("a cluster line"),
            1,
        )
        .expect("the cluster starts");
    let started = Instant::now();
    let mut at = 0;
    for h in hours {
        let world = session.world_mut().expect("a cluster");
        while at < h {
            at += 1;
            world.run_until(SimTime(secs(at * 3_600)));
        }
        println!(
            "  scenario session  {h:>2} h: {:>7.1} MiB   ({:.1} s of wall time so far)",
            mib() - base,
            started.elapsed().as_secs_f64()
        );
    }
    drop(session);
    let base = mib();
    let mut timeline = Timeline::new(ClusterSpec::kraft(3, 3, 42));
    let started = Instant::now();
    for h in hours {
        timeline.advance_to(SimTime(secs(h * 3_600)));
        println!(
            "  page timeline     {h:>2} h: {:>7.1} MiB   ({:.1} s of wall time so far)",
            mib() - base,
            started.elapsed().as_secs_f64()
        );
    }
}
