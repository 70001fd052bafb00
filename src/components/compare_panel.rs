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
use crate::embed::options::EmbedOptions;
use crate::form::Fields;

/// The model's assumptions, always shown with the result.
fn assumptions_html() -> String {
    let mut out = String::from("<summary>Model assumptions</summary><ul>");
    for a in assumptions(&Shape::default()) {
        out += "<li>";
        crate::html::push_text(&mut out, &a);
        out += "</li>";
    }
    out + "</ul>"
}

/// What to compare: a fault on a cluster of a shape.
struct Ask {
    fault: String,
    pause_s: u64,
    partitions: u64,
    brokers: usize,
    zk_clients: u64,
}

/// The comparison panel. Its form is read when submitted ([`crate::form`]).
#[component]
pub fn ComparePanel() -> impl IntoView {
    // The worker's HTML (or why there is none), and whether an answer is on its way.
    let result = RwSignal::new(None::<Result<String, String>>);
    let sweep = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(0u32);
    let ask = move |is_sweep: bool, a: Ask| {
        let into = if is_sweep { sweep } else { result };
        busy.update(|b| *b += 1);
        compare_client::request(
            is_sweep,
            &a.fault,
            a.pause_s,
            a.partitions,
            a.brokers,
            a.zk_clients,
            move |answer| {
                busy.update(|b| *b = b.saturating_sub(1));
                into.set(Some(answer));
            },
        );
    };
    // A link may choose the fault and the size (`?fault=…&partitions=…`); an embed of the
    // comparison runs it at once.
    let options = use_context::<EmbedOptions>().unwrap_or_default();
    let first = Ask {
        fault: options
            .fault
            .clone()
            .filter(|f| Fault::NAMES.contains(&f.as_str()))
            .unwrap_or_else(|| "crash-controller".into()),
        pause_s: 40,
        partitions: options.partitions.unwrap_or(100_000),
        brokers: 3,
        zk_clients: 0,
    };
    // The form's fields, as markup (crate::html): read once, when submitted.
    let mut sizes = vec![1_000u64, 10_000, 100_000, 1_000_000, 2_000_000];
    if !sizes.contains(&first.partitions) {
        sizes.push(first.partitions.clamp(1, 2_000_000));
        sizes.sort_unstable();
    }
    let option = |value: &str, selected: bool| {
        format!(
            "<option value=\"{value}\"{}>{value}</option>",
            if selected { " selected" } else { "" }
        )
    };
    let faults: String = Fault::NAMES
        .iter()
        .map(|n| option(n, first.fault == *n))
        .collect();
    let sizes: String = sizes
        .into_iter()
        .map(|p| option(&p.to_string(), first.partitions == p))
        .collect();
    let fields = format!(
        "<label>Fault <select name=\"fault\" data-testid=\"compare-fault\">{faults}</select></label>\
         <label>Partitions <select name=\"partitions\" data-testid=\"compare-partitions\">{sizes}</select></label>\
         <label>Brokers <input name=\"brokers\" type=\"number\" min=\"3\" max=\"12\" value=\"3\" data-testid=\"compare-brokers\"></label>\
         <label class=\"only-pause\">Pause (s) <input name=\"pause\" type=\"number\" min=\"1\" max=\"600\" value=\"40\"></label>\
         <label class=\"only-pause-zk\" title=\"Other applications' sessions on each ZooKeeper server: they reconnect at once when the ensemble re-elects\">Other ZooKeeper clients per server <input name=\"zk-clients\" type=\"number\" min=\"0\" max=\"20000\" step=\"500\" value=\"0\" data-testid=\"compare-zk-clients\"></label>\
         <button type=\"submit\" value=\"compare\" class=\"btn\" data-testid=\"compare-run\">Compare</button>\
         <button type=\"submit\" value=\"sweep\" class=\"btn\" data-testid=\"compare-sweep\">Sweep 1K → 2M</button>"
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let f = Fields::of(&ev);
        let a = Ask {
            fault: f.text("fault"),
            pause_s: f.number("pause", 1, 600, 40),
            partitions: f.number("partitions", 1, 2_000_000, 100_000),
            brokers: f.number("brokers", 3, 12, 3) as usize,
            zk_clients: f.number("zk-clients", 0, 20_000, 0),
        };
        ask(f.submitter() == Some("sweep"), a);
    };
    if options.embed {
        ask(false, first);
    }
    view! {
        <section class="panel compare" aria-label="ZooKeeper versus KRaft" data-testid="compare-panel">
            <h2>"ZooKeeper vs KRaft"</h2>
            <p class="hint">"The same fault, replayed in both modes with the same shape; each run is a real simulation, and the per-partition bulk work takes the cost model's time."</p>
            <form class="form compare-form" on:submit=submit inner_html=fields></form>
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
            <details inner_html=assumptions_html()></details>
        </section>
    }
}
