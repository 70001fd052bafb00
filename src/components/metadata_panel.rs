//! The metadata layer as users meet it: every node's metadata image (offset, lag behind the
//! high watermark, partitions, broker state, fenced or not), the topics as
//! `kafka-topics --describe` prints them, and the admin requests that write metadata records
//! (create a topic, many topics for a scale run, delete one).

use kraftlab_core::server::AdminOp;
use kraftlab_core::sim::view::NodeView;
use kraftlab_core::sim::UserAction;
use kraftlab_core::types::NodeId;
use leptos::prelude::*;

use crate::form::Fields;
use crate::html::{escaped, push_text};
use crate::lab::Lab;
use crate::run::BulkJob;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

/// What the node's metadata role looks like in one word.
fn state_of(n: &NodeView) -> String {
    if !n.status.is_live() {
        return match &n.failure {
            Some(_) => "refused to start".into(),
            None => n.status.label().into(),
        };
    }
    let mut parts = Vec::new();
    if n.active_controller {
        parts.push("active controller".to_string());
    } else if n.kind.has_controller() {
        parts.push("standby controller".to_string());
    }
    if let Some(s) = n.broker_state {
        parts.push(s.to_string());
    }
    parts.join(", ")
}

/// One row of the image table, as markup.
fn image_row(out: &mut String, n: &NodeView) {
    let fenced = match n.fenced {
        Some(true) => "fenced",
        Some(false) => "unfenced",
        None => "-",
    };
    *out += &format!(
        "<tr data-node=\"{}\" data-fenced=\"{}\"><td>{}</td><td>",
        n.id,
        n.fenced.map(|f| f.to_string()).unwrap_or_default(),
        n.id
    );
    push_text(out, &state_of(n));
    *out += &format!(
        "</td><td class=\"fence-{fenced}\">{fenced}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        opt(n.metadata_offset),
        opt(n.metadata_lag),
        opt(n.partitions),
        opt(n.snapshot_end)
    );
}

/// The panel.
#[component]
pub fn MetadataPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let create = move |ev: leptos::ev::SubmitEvent| {
        let f = Fields::of(&ev);
        lab.act(UserAction::Admin(AdminOp::CreateTopic {
            name: f.text("name").trim().to_string(),
            partitions: f.number("partitions", 1, 100_000, 3) as u32,
            replication_factor: f.number("rf", 1, 50, 3) as u32,
            configs: Vec::new(),
        }))
    };
    let many = move |ev: leptos::ev::SubmitEvent| {
        let f = Fields::of(&ev);
        if f.submitter() == Some("delete") {
            let topic = f.text("topic");
            if !topic.is_empty() {
                lab.act(UserAction::Admin(AdminOp::DeleteTopic { name: topic }));
            }
            return;
        }
        let existing = lab.run.view.with_untracked(|v| v.metadata.topic_count);
        // The whole job is held to the run's budget before its first slice, so it never
        // stops part-way for a limit.
        let (total, each) = (
            f.number("count", 1, 100_000, 1000) as u32,
            f.number("each", 1, 100_000, 100) as u32,
        );
        let asked = u64::from(total) * u64::from(each);
        let room = lab.run.timeline.with_value(|t| {
            let (limits, used) = (t.world().limits(), t.world().usage());
            limits.partitions.saturating_sub(used.partitions)
        });
        if asked > room {
            lab.say(
                format!("{total} topics of {each} partitions is {asked} partitions; this run has room for {room} more (the limit `partitions`)"),
                true,
            );
            return;
        }
        lab.run.bulk.set(Some(BulkJob {
            prefix: format!("load{existing}"),
            total,
            done: 0,
            partitions: each,
            replication_factor: 3,
        }));
        lab.run.playing.set(true);
    };
    // The image table as markup, rebuilt when an image changes, not every frame.
    let rows = Memo::new(move |_| {
        lab.run.with_panel_view(|v| {
            let mut nodes: Vec<&NodeView> = v.nodes.iter().collect();
            kraftlab_core::flat::insertion_sort_by(&mut nodes, |a, b| {
                (!a.kind.has_controller(), a.id) < (!b.kind.has_controller(), b.id)
            });
            let mut out = String::new();
            for n in nodes {
                image_row(&mut out, n);
            }
            out
        })
    });
    let topics = Memo::new(move |_| lab.run.with_panel_view(|v| v.metadata.topics.clone()));
    let topic_options = move || {
        topics.with(|ts| {
            let mut out = String::from("<option value=\"\">(topic)</option>");
            for t in ts {
                let t = escaped(t);
                out += &format!("<option value=\"{t}\">{t}</option>");
            }
            out
        })
    };
    let node_ids = Memo::new(move |_| {
        lab.run
            .view
            .with(|v| v.nodes.iter().map(|n| n.id).collect::<Vec<NodeId>>())
    });
    let node_options = move || {
        node_ids.with(|ids| {
            ids.iter().fold(
                String::from("<option value=\"\">the active controller</option>"),
                |out, id| out + &format!("<option value=\"{id}\">node {id}</option>"),
            )
        })
    };
    let summary = move || {
        lab.run.with_panel_view(|v| {
            if lab.run.zk_mode.get() {
                let controller = v
                    .nodes
                    .iter()
                    .filter(|n| n.status.is_live())
                    .filter_map(|n| n.zk_controller_epoch.map(|e| (e, n.id)))
                    .max()
                    .map(|(e, id)| format!("the controller is broker {id} (controller epoch {e})"))
                    .unwrap_or_else(|| "no broker is controller right now".into());
                return format!(
                    "ZooKeeper mode: {} topic(s), {} partition(s), as znodes under /brokers/topics; {controller}, which reads them from ZooKeeper and sends each broker LeaderAndIsr and UpdateMetadata. No node keeps a metadata log or image.",
                    v.metadata.topic_count, v.metadata.partition_count
                );
            }
            format!(
                "{} topic(s), {} partition(s); the active controller's image is at offset {}",
                v.metadata.topic_count, v.metadata.partition_count, v.metadata.offset
            )
        })
    };
    view! {
        <section class="panel metadata-panel" aria-labelledby="metadata-title" data-testid="metadata-panel">
            <h2 id="metadata-title">"Metadata: records in, images out"</h2>
            <p class="hint">
                {move || (!lab.run.zk_mode.get()).then_some("The active controller turns each request into records; every node applies the committed ones to its image. ")}
                {summary}
                {move || lab.run.behind.get().then(|| view! { <span class="behind" data-testid="behind">" · catching up (simulating slower than the chosen speed)"</span> })}
                {move || lab.run.bulk.get().map(|j| view! { <span class="behind" data-testid="bulk-progress">{format!(" · submitting topics: {} / {}", j.done, j.total)}</span> })}
            </p>
            <form class="admin-row" on:submit=create>
                <label>"Topic " <input type="text" name="name" size="10" value="orders" data-testid="topic-name" /></label>
                <label>"partitions " <input type="number" name="partitions" min="1" max="100000" size="5" value="3" data-testid="topic-partitions" /></label>
                <label>"rf " <input type="number" name="rf" min="1" max="50" size="2" value="3" data-testid="topic-rf" /></label>
                <button class="btn" data-testid="create-topic" title="CreateTopics: a TopicRecord and one PartitionRecord per partition">"+ Create topic"</button>
            </form>
            <form class="admin-row" on:submit=many>
                <label>"Many: " <input type="number" name="count" min="1" max="100000" size="6" value="1000" data-testid="bulk-count" /></label>
                <label>" topics × " <input type="number" name="each" min="1" max="100000" size="5" value="100" data-testid="bulk-partitions" /></label>
                <button class="btn" value="many" data-testid="create-topics" title="A scale run: the records travel in batches of at most 8192">"+ Create many"</button>
                <label>" Delete " <select name="topic" data-testid="delete-choice" inner_html=topic_options></select></label>
                <button class="btn btn-danger" value="delete" data-testid="delete-topic">"✕ Delete"</button>
            </form>
            <div class="table-scroll" class:hidden=move || lab.run.zk_mode.get()>
            <table class="image-table" data-testid="image-table">
                <thead><tr>
                    <th>"Node"</th><th>"Role"</th><th>"Registration"</th><th>"Image offset"</th>
                    <th title="How far the image is behind the active controller's high watermark">"Lag"</th>
                    <th>"Partitions"</th><th title="End offset of the latest snapshot">"Snapshot"</th>
                </tr></thead>
                <tbody inner_html=move || rows.get()
                    on:mouseover=move |ev| lab.ui.hovered_node.set(crate::html::node_of(&ev))
                    on:mouseleave=move |_| lab.ui.hovered_node.set(None)></tbody>
            </table>
            // The row of the node under the pointer anywhere on the page, highlighted.
            <style>{move || lab.ui.hovered_node.get().map(|id| format!(".image-table tr[data-node=\"{id}\"]{{background:rgba(59,130,246,.12)}}"))}</style>
            </div>
            <p class="cmd">
                "$ kafka-topics --bootstrap-server … --describe"
                <span class:hidden=move || lab.run.zk_mode.get()>"   answered from the image of "

                <select data-testid="topics-of" aria-label="Whose image" inner_html=node_options
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        lab.run.topics_of.set(NodeId::parse(&v));
                        lab.run.refresh_topics();
                    }>
                </select></span>
                <span class:hidden=move || !lab.run.zk_mode.get()>"   (read from the znodes: no node keeps an image)"</span>
            </p>
            <pre class="quorum topics" data-testid="metadata-topics" tabindex="0" aria-label="kafka-topics --describe output">{move || lab.run.topics_text.get()}</pre>
        </section>
    }
}
