//! ZooKeeper vs KRaft, side by side: one fault applied to both modes with the same shape and
//! partition count (a real simulation of each, the bulk work charged by the cost model), the
//! recovery drawn as a timeline of phases per mode, and a sweep over partition counts plotted
//! on log axes. The model's assumptions are always shown with the result.

use crate::math::num;
use kraftlab_core::run::compare::{
    assumptions, compare, Comparison, Fault, ModeResult, Shape, SWEEP,
};
use kraftlab_core::types::secs;
use leptos::prelude::*;

/// Phase colours, in phase order (colour-blind safe, and each bar is also labelled).
const PHASE_COLOURS: &[(&str, &str)] = &[
    ("failure detected", "#9e9e9e"),
    ("controller elected", "#e69f00"),
    ("metadata loaded", "#d55e00"),
    ("brokers updated", "#cc79a7"),
    ("writes possible", "#0072b2"),
    ("all partitions led", "#009e73"),
];

fn colour(name: &str) -> &'static str {
    PHASE_COLOURS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .unwrap_or("#777")
}

fn secs_text(ms: u64) -> String {
    format!("{} s", kraftlab_core::decimal::fixed(ms as f64 / 1000.0, 1))
}

/// One mode's timeline as a bar of phases scaled to `scale_ms`.
fn timeline(r: &ModeResult, scale_ms: u64) -> impl IntoView {
    let width = 520.0;
    let scale = width / scale_ms.max(1) as f64;
    let title = if r.mode == "kraft" {
        "KRaft"
    } else {
        "ZooKeeper"
    };
    let total = r
        .recovery_ms
        .map(secs_text)
        .unwrap_or_else(|| "not within 3 h".into());
    let bars = r
        .phases
        .iter()
        .map(|p| {
            let x = p.start_ms as f64 * scale;
            let w = ((p.end_ms - p.start_ms) as f64 * scale).max(1.5);
            let label = format!(
                "{}: {} → {} ({})",
                p.name,
                secs_text(p.start_ms),
                secs_text(p.end_ms),
                secs_text(p.end_ms - p.start_ms)
            );
            view! {
                <rect x=num(x) y="18" width=num(w) height="18" fill=colour(p.name) data-phase=p.name>
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    let rows = r
        .phases
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <td><span class="swatch" style=format!("background:{}", colour(p.name))></span>{p.name}</td>
                    <td>{secs_text(p.start_ms)}</td>
                    <td>{secs_text(p.end_ms)}</td>
                    <td>{secs_text(p.end_ms - p.start_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="compare-mode" data-testid="compare-mode" data-mode=r.mode
            data-recovery-ms=r.recovery_ms.map(|v| v.to_string()).unwrap_or_default()>
            <h3>{title}": recovered in "{total.clone()}</h3>
            <svg viewBox=format!("0 0 {} 40", num(width + 4.0)) class="compare-bar" role="img"
                aria-label=format!("{title} recovery timeline, {total}")>
                <text x="0" y="12" class="compare-axis">"0 s"</text>
                <text x=num(width) y="12" text-anchor="end" class="compare-axis">{secs_text(scale_ms)}</text>
                {bars}
            </svg>
            <table class="compare-phases">
                <thead><tr><th>"phase"</th><th>"from"</th><th>"to"</th><th>"took"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn result_view(c: Comparison) -> impl IntoView {
    let scale = c
        .zookeeper
        .recovery_ms
        .max(c.kraft.recovery_ms)
        .unwrap_or(1)
        .max(1);
    let speedup = match (c.zookeeper.recovery_ms, c.kraft.recovery_ms) {
        (Some(z), Some(k)) if k > 0 => format!(
            "KRaft recovered {}× faster ({} vs {}).",
            kraftlab_core::decimal::fixed(z as f64 / k as f64, 1),
            secs_text(k),
            secs_text(z)
        ),
        _ => String::new(),
    };
    let story = |r: &ModeResult| {
        r.story
            .iter()
            .take(40)
            .map(|l| view! { <li>{l.clone()}</li> })
            .collect_view()
    };
    view! {
        <div data-testid="compare-result">
            <p class="compare-headline">{format!(
                "{}: {} brokers, {} partitions. ",
                c.fault.name(),
                c.shape.brokers,
                c.shape.partitions
            )}<strong>{speedup}</strong></p>
            {timeline(&c.zookeeper, scale)}
            {timeline(&c.kraft, scale)}
            <details>
                <summary>"What happened"</summary>
                <h4>"ZooKeeper mode"</h4>
                <ol class="compare-story">{story(&c.zookeeper)}</ol>
                <h4>"KRaft"</h4>
                <ol class="compare-story">{story(&c.kraft)}</ol>
            </details>
        </div>
    }
}

/// The sweep as a table and a log–log plot.
fn sweep_view(rows: Vec<Comparison>) -> impl IntoView {
    let (w, h) = (520.0, 200.0);
    let max_ms = rows
        .iter()
        .flat_map(|r| [r.zookeeper.recovery_ms, r.kraft.recovery_ms])
        .flatten()
        .max()
        .unwrap_or(1000) as f64;
    let min_ms = 1000.0f64;
    let x = |p: u64| {
        let (a, b) = (
            crate::math::log10(SWEEP[0] as f64),
            crate::math::log10(SWEEP[SWEEP.len() - 1] as f64),
        );
        30.0 + (crate::math::log10(p as f64) - a) / (b - a) * (w - 60.0)
    };
    let y = |ms: u64| {
        let v = crate::math::log10((ms as f64).max(min_ms));
        let (a, b) = (
            crate::math::log10(min_ms),
            crate::math::log10(max_ms.max(min_ms * 10.0)),
        );
        h - 20.0 - (v - a) / (b - a) * (h - 40.0)
    };
    let line = |pick: fn(&Comparison) -> Option<u64>| {
        rows.iter()
            .filter_map(|r| {
                pick(r).map(|ms| {
                    format!(
                        "{},{}",
                        kraftlab_core::decimal::fixed(x(r.shape.partitions), 1),
                        kraftlab_core::decimal::fixed(y(ms), 1)
                    )
                })
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let zk_line = line(|r| r.zookeeper.recovery_ms);
    let kraft_line = line(|r| r.kraft.recovery_ms);
    let labels = rows
        .iter()
        .map(|r| {
            let p = r.shape.partitions;
            let text = if p >= 1_000_000 {
                format!("{}M", p / 1_000_000)
            } else {
                format!("{}K", p / 1000)
            };
            view! { <text x=num(x(p)) y=num(h - 4.0) text-anchor="middle" class="compare-axis">{text}</text> }
        })
        .collect_view();
    let table = rows
        .iter()
        .map(|r| {
            let z = r.zookeeper.recovery_ms;
            let k = r.kraft.recovery_ms;
            view! {
                <tr data-partitions=r.shape.partitions.to_string()>
                    <td>{r.shape.partitions.to_string()}</td>
                    <td>{z.map(secs_text).unwrap_or_else(|| "-".into())}</td>
                    <td>{k.map(secs_text).unwrap_or_else(|| "-".into())}</td>
                    <td>{match (z, k) {
                        (Some(z), Some(k)) if k > 0 => format!("{}×", kraftlab_core::decimal::fixed(z as f64 / k as f64, 1)),
                        _ => "-".into(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div data-testid="compare-sweep-result">
            <svg viewBox=format!("0 0 {} {}", num(w), num(h)) class="compare-plot" role="img"
                aria-label="Recovery time against partition count, ZooKeeper and KRaft, log scales">
                <polyline points=zk_line fill="none" stroke="#d55e00" stroke-width="2.5" />
                <polyline points=kraft_line fill="none" stroke="#0072b2" stroke-width="2.5" stroke-dasharray="6 3" />
                <text x="34" y="14" fill="#d55e00" class="compare-axis">"ZooKeeper (solid)"</text>
                <text x="34" y="28" fill="#0072b2" class="compare-axis">"KRaft (dashed)"</text>
                {labels}
            </svg>
            <table class="compare-phases">
                <thead><tr><th>"partitions"</th><th>"ZooKeeper"</th><th>"KRaft"</th><th>"speed-up"</th></tr></thead>
                <tbody>{table}</tbody>
            </table>
        </div>
    }
}

/// The comparison panel.
#[component]
pub fn ComparePanel() -> impl IntoView {
    let fault = RwSignal::new("crash-controller".to_string());
    let partitions = RwSignal::new(100_000u64);
    let brokers = RwSignal::new(3usize);
    let pause_s = RwSignal::new(40u64);
    let zk_clients = RwSignal::new(0u64);
    let result = RwSignal::new(None::<Result<Comparison, String>>);
    let sweep = RwSignal::new(None::<Result<Vec<Comparison>, String>>);
    let shape = move || Shape {
        brokers: brokers.get_untracked(),
        partitions: partitions.get_untracked(),
        zk_clients: zk_clients.get_untracked(),
        ..Shape::default()
    };
    let the_fault = move || Fault::parse(&fault.get_untracked(), secs(pause_s.get_untracked()));
    let run = move |_| {
        result.set(Some(the_fault().and_then(|f| compare(f, &shape()))));
    };
    let run_sweep = move |_| {
        sweep.set(Some(the_fault().and_then(|f| {
            SWEEP
                .iter()
                .map(|p| {
                    compare(
                        f,
                        &Shape {
                            partitions: *p,
                            ..shape()
                        },
                    )
                })
                .collect()
        })));
    };
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
            {move || result.get().map(|r| match r {
                Ok(c) => result_view(c).into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            })}
            {move || sweep.get().map(|r| match r {
                Ok(rows) => sweep_view(rows).into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            })}
            <details>
                <summary>"Model assumptions"</summary>
                <ul>{assumptions(&Shape::default()).into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
            </details>
        </section>
    }
}
