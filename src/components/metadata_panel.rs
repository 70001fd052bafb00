//! The metadata layer as users meet it: every node's metadata image (offset, lag behind the
//! high watermark, partitions, broker state, fenced or not), the topics as
//! `kafka-topics --describe` prints them, and the admin requests that write metadata records
//! (create a topic, many topics for a scale run, delete one).

use kraftlab_core::server::AdminOp;
use kraftlab_core::sim::view::NodeView;
use kraftlab_core::sim::UserAction;
use kraftlab_core::types::NodeId;
use leptos::prelude::*;

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

/// One row of the image table.
fn image_row(n: NodeView, lab: Lab) -> impl IntoView {
    let id = n.id;
    let fenced = match n.fenced {
        Some(true) => "fenced",
        Some(false) => "unfenced",
        None => "-",
    };
    let hot = move || lab.ui.hovered_node.get() == Some(id);
    view! {
        <tr
            data-node=id.to_string()
            data-fenced=n.fenced.map(|f| f.to_string()).unwrap_or_default()
            class:row-hot=hot
            on:mouseenter=move |_| lab.ui.hovered_node.set(Some(id))
            on:mouseleave=move |_| lab.ui.hovered_node.set(None)
        >
            <td>{id.to_string()}</td>
            <td>{state_of(&n)}</td>
            <td class=format!("fence-{fenced}")>{fenced}</td>
            <td>{opt(n.metadata_offset)}</td>
            <td>{opt(n.metadata_lag)}</td>
            <td>{opt(n.partitions)}</td>
            <td>{opt(n.snapshot_end)}</td>
        </tr>
    }
}

/// The panel.
#[component]
pub fn MetadataPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let name = RwSignal::new("orders".to_string());
    let partitions = RwSignal::new(3u32);
    let rf = RwSignal::new(3u32);
    let bulk_count = RwSignal::new(1000u32);
    let bulk_partitions = RwSignal::new(100u32);
    let to_delete = RwSignal::new(String::new());
    let number = |ev: leptos::ev::Event, max: u32| {
        event_target_value(&ev)
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
    };
    let create = move |_| {
        lab.act(UserAction::Admin(AdminOp::CreateTopic {
            name: name.get_untracked().trim().to_string(),
            partitions: partitions.get_untracked(),
            replication_factor: rf.get_untracked(),
            configs: Vec::new(),
        }))
    };
    let create_many = move |_| {
        let existing = lab.run.view.with_untracked(|v| v.metadata.topic_count);
        // The whole job is held to the run's budget before its first slice, so it never
        // stops part-way for a limit.
        let (total, each) = (bulk_count.get_untracked(), bulk_partitions.get_untracked());
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
            replication_factor: rf.get_untracked(),
        }));
        lab.run.playing.set(true);
    };
    let delete = move |_| {
        let topic = to_delete.get_untracked();
        if !topic.is_empty() {
            lab.act(UserAction::Admin(AdminOp::DeleteTopic { name: topic }));
        }
    };
    let rows = move || {
        lab.run.view.with(|v| {
            let mut nodes: Vec<NodeView> = v.nodes.clone();
            kraftlab_core::flat::insertion_sort_by(&mut nodes, |a, b| {
                (!a.kind.has_controller(), a.id) < (!b.kind.has_controller(), b.id)
            });
            nodes
                .into_iter()
                .map(|n| image_row(n, lab))
                .collect::<Vec<_>>()
        })
    };
    let topics = move || lab.run.view.with(|v| v.metadata.topics.clone());
    let summary = move || {
        lab.run.view.with(|v| {
            format!(
                "{} topic(s), {} partition(s); the active controller's image is at offset {}",
                v.metadata.topic_count, v.metadata.partition_count, v.metadata.offset
            )
        })
    };
    let node_ids = move || {
        lab.run
            .view
            .with(|v| v.nodes.iter().map(|n| n.id).collect::<Vec<NodeId>>())
    };
    view! {
        <section class="panel metadata-panel" aria-labelledby="metadata-title" data-testid="metadata-panel">
            <h2 id="metadata-title">"Metadata: records in, images out"</h2>
            <p class="hint">
                "The active controller turns each request into records; every node applies the committed ones to its image. "
                {summary}
                {move || lab.run.behind.get().then(|| view! { <span class="behind" data-testid="behind">" · catching up (simulating slower than the chosen speed)"</span> })}
                {move || lab.run.bulk.get().map(|j| view! { <span class="behind" data-testid="bulk-progress">{format!(" · submitting topics: {} / {}", j.done, j.total)}</span> })}
            </p>
            <div class="admin-row">
                <label>"Topic " <input type="text" size="10" data-testid="topic-name" prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>"partitions " <input type="number" min="1" max="100000" size="5" data-testid="topic-partitions" prop:value=move || partitions.get().to_string()
                    on:change=move |ev| { if let Some(n) = number(ev, 100_000) { partitions.set(n) } } /></label>
                <label>"rf " <input type="number" min="1" max="50" size="2" data-testid="topic-rf" prop:value=move || rf.get().to_string()
                    on:change=move |ev| { if let Some(n) = number(ev, 50) { rf.set(n) } } /></label>
                <button class="btn" data-testid="create-topic" title="CreateTopics: a TopicRecord and one PartitionRecord per partition" on:click=create>"+ Create topic"</button>
            </div>
            <div class="admin-row">
                <label>"Many: " <input type="number" min="1" max="100000" size="6" data-testid="bulk-count" prop:value=move || bulk_count.get().to_string()
                    on:change=move |ev| { if let Some(n) = number(ev, 100_000) { bulk_count.set(n) } } /></label>
                <label>" topics × " <input type="number" min="1" max="100000" size="5" data-testid="bulk-partitions" prop:value=move || bulk_partitions.get().to_string()
                    on:change=move |ev| { if let Some(n) = number(ev, 100_000) { bulk_partitions.set(n) } } /></label>
                <button class="btn" data-testid="create-topics" title="A scale run: the records travel in batches of at most 8192" on:click=create_many>"+ Create many"</button>
                <label>" Delete " <select data-testid="delete-choice" on:change=move |ev| to_delete.set(event_target_value(&ev))>
                    <option value="">"(topic)"</option>
                    {move || topics().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect::<Vec<_>>()}
                </select></label>
                <button class="btn btn-danger" data-testid="delete-topic" on:click=delete>"✕ Delete"</button>
            </div>
            <div class="table-scroll">
            <table class="image-table" data-testid="image-table">
                <thead><tr>
                    <th>"Node"</th><th>"Role"</th><th>"Registration"</th><th>"Image offset"</th>
                    <th title="How far the image is behind the active controller's high watermark">"Lag"</th>
                    <th>"Partitions"</th><th title="End offset of the latest snapshot">"Snapshot"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
            <p class="cmd">
                "$ kafka-topics --bootstrap-server … --describe   answered from the image of "
                <select data-testid="topics-of" aria-label="Whose image"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        lab.run.topics_of.set(NodeId::parse(&v));
                        lab.run.refresh_topics();
                    }>
                    <option value="">"the active controller"</option>
                    {move || node_ids().into_iter().map(|id| view! { <option value=id.to_string()>{format!("node {id}")}</option> }).collect::<Vec<_>>()}
                </select>
            </p>
            <pre class="quorum topics" data-testid="metadata-topics" tabindex="0" aria-label="kafka-topics --describe output">{move || lab.run.topics_text.get()}</pre>
        </section>
    }
}
