//! ZooKeeper vs KRaft, side by side: one fault applied to both modes with the same shape and
//! partition count (a real simulation of each, the bulk work charged by the cost model), the
//! recovery drawn as a timeline of phases per mode, and a sweep over partition counts plotted
//! on log axes. The model's assumptions are always shown with the result. The form is here;
//! the comparison itself is computed and drawn by the comparison worker
//! ([`crate::compare_client`], `crates/compare`), off the main thread and out of the first
//! load.

use kraftlab_core::run::compare::{assumptions, Fault, Shape};
use leptos::prelude::*;

use crate::compare_client;

/// The comparison panel.
#[component]
pub fn ComparePanel() -> impl IntoView {
    let fault = RwSignal::new("crash-controller".to_string());
    let partitions = RwSignal::new(100_000u64);
    let brokers = RwSignal::new(3usize);
    let pause_s = RwSignal::new(40u64);
    let zk_clients = RwSignal::new(0u64);
    // The worker's HTML (or why there is none), and whether an answer is on its way.
    let result = RwSignal::new(None::<Result<String, String>>);
    let sweep = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(0u32);
    let ask = move |is_sweep: bool| {
        let into = if is_sweep { sweep } else { result };
        busy.update(|b| *b += 1);
        compare_client::request(
            is_sweep,
            &fault.get_untracked(),
            pause_s.get_untracked(),
            partitions.get_untracked(),
            brokers.get_untracked(),
            zk_clients.get_untracked(),
            move |answer| {
                busy.update(|b| *b = b.saturating_sub(1));
                into.set(Some(answer));
            },
        );
    };
    let run = move |_| ask(false);
    let run_sweep = move |_| ask(true);
    let options = Fault::NAMES
        .iter()
        .map(|n| view! { <option value=*n selected=move || fault.get() == *n>{*n}</option> })
        .collect_view();
    let sizes = [1_000u64, 10_000, 100_000, 1_000_000, 2_000_000]
        .into_iter()
        .map(|p| view! { <option value=p.to_string() selected=move || partitions.get() == p>{p.to_string()}</option> })
        .collect_view();
    view! {
        <section class="panel compare" aria-label="ZooKeeper versus KRaft" data-testid="compare-panel">
            <h2>"ZooKeeper vs KRaft"</h2>
            <p class="hint">"The same fault, replayed in both modes with the same shape; each run is a real simulation, and the per-partition bulk work takes the cost model's time."</p>
            <div class="form compare-form">
                <label>"Fault "
                    <select data-testid="compare-fault" on:change=move |ev| fault.set(event_target_value(&ev))>{options}</select>
                </label>
                <label>"Partitions "
                    <select data-testid="compare-partitions" on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u64>() { partitions.set(v) }
                    }>{sizes}</select>
                </label>
                <label>"Brokers "
                    <input type="number" min="3" max="12" data-testid="compare-brokers" prop:value=move || brokers.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<usize>() { brokers.set(v.clamp(3, 12)) } } />
                </label>
                <label>"Pause (s) "
                    <input type="number" min="1" max="600" prop:value=move || pause_s.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u64>() { pause_s.set(v.clamp(1, 600)) } } />
                </label>
                <label>"Other ZooKeeper clients per server "
                    <input type="number" min="0" max="20000" step="500" data-testid="compare-zk-clients" prop:value=move || zk_clients.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u64>() { zk_clients.set(v.min(20_000)) } } />
                </label>
                <button type="button" class="btn" data-testid="compare-run" on:click=run>"Compare"</button>
                <button type="button" class="btn" data-testid="compare-sweep" on:click=run_sweep>"Sweep 1K → 2M"</button>
            </div>
            <p class="muted" role="status" data-testid="compare-busy" hidden=move || busy.get() == 0>
                "Running both simulations in the background…"
            </p>
            {move || result.get().map(|r| match r {
                Ok(html) => view! { <div inner_html=html></div> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            })}
            {move || sweep.get().map(|r| match r {
                Ok(html) => view! { <div inner_html=html></div> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            })}
            <details>
                <summary>"Model assumptions"</summary>
                <ul>{assumptions(&Shape::default()).into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
            </details>
        </section>
    }
}
