//! What the picture means, and what the model simplifies: fixed text, written as markup
//! ([`crate::html`]).

use leptos::prelude::*;

use crate::html::push_text;
use crate::theme::{epoch_colour, message_style, MESSAGE_LEGEND};

/// What the picture means in ZooKeeper mode, where none of KRaft's messages flow.
const ZK_LEGEND: &str = "<summary>Legend (ZooKeeper mode)</summary><ul>\
<li>Circles are ZooKeeper servers: the ensemble, whose leader orders every write with ZAB \
(each one's role is written under it). Squares are brokers; the one marked CONTROLLER won \
the race to create <code>/controller</code> and runs the cluster.</li>\
<li>Every message is a grey circle: ZooKeeper requests and pings from brokers, ZAB's \
proposals and acknowledgements between servers, the controller's LeaderAndIsr and \
UpdateMetadata to brokers. Click one for its name and fields.</li>\
<li>✕ marks a crashed node, ❚❚ a paused one; NO SESSION a broker that is not connected to \
ZooKeeper (when its session expires, its ephemeral znodes go).</li></ul>";

/// The legend's list.
fn legend_html() -> String {
    let mut out = String::from(
        "<summary>Legend</summary><ul>\
         <li>Circles are controllers (voters), rounded squares brokers (observers).</li>\
         <li>Fill colour and the numeral give the node's epoch: ",
    );
    for e in 1..=5 {
        out += &format!(
            "<span class=\"swatch\" style=\"background:{}\">e{e}</span>",
            epoch_colour(e)
        );
    }
    out += "</li>\
        <li>Arcs are timers running out: grey election timeout, blue fetch timeout, green check-quorum.</li>\
        <li>Under a candidate: one mark per voter — ✓ granted, ✕ rejected, ○ no answer yet.</li>\
        <li>Filled shapes are requests, hollow ones responses; + granted or accepted, − refused. Red = will be lost.</li>\
        <li>Circle: Fetch. Diamond: Vote / PreVote. Square: BeginQuorumEpoch. Triangle: EndQuorumEpoch. A dot next to the leader is a parked Fetch.</li>\
        <li>✂ marks a cut link; ✕ a crashed node, ❚❚ a paused one, ■ one stopped or shutting down.</li>";
    for (name, what) in MESSAGE_LEGEND {
        let s = message_style(name);
        out += &format!(
            "<li><svg width=\"18\" height=\"18\" aria-hidden=\"true\" class=\"legend-msg msg-{}\"><circle cx=\"9\" cy=\"9\" r=\"6\" fill=\"{}\"></circle></svg><b>",
            s.css, s.colour
        );
        push_text(&mut out, name);
        out += "</b>: ";
        push_text(&mut out, what);
        out += "</li>";
    }
    out + "</ul>"
}

/// The legend.
#[component]
pub fn Legend() -> impl IntoView {
    let lab = expect_context::<crate::lab::Lab>();
    let kraft = legend_html();
    view! {
        <details class="panel legend" data-testid="legend"
            inner_html=move || if lab.run.zk_mode.get() { ZK_LEGEND.to_string() } else { kraft.clone() }></details>
    }
}

/// What the simulation simplifies, said plainly.
const NOTES: &str = "<summary>Model notes</summary><ul>\
<li>Protocol and timers follow Kafka 4.x (pre-vote, KIP-996; pre-vote off gives 3.9): 1–2 s election timeout, 2 s fetch timeout, 500 ms Fetch long-poll, 3 s check-quorum.</li>\
<li>The network is a teaching network: 10–20 ms one way by default, slower than a data-centre LAN so messages can be watched. Change it in New cluster.</li>\
<li>Disks flush instantly. Record sizes are not modelled.</li>\
<li>A Fetch carries the follower's high watermark (KIP-1166, Kafka 4.1), so commits reach followers in one round trip.</li>\
<li>A failover after a crash takes about 3 s: the followers notice after the 2 s fetch timeout, and most failovers go through a split vote, because Kafka randomizes the election timeout but not the fetch timeout.</li>\
<li>Records written with ✎ Write are opaque stand-ins for metadata records.</li>\
<li>Same seed and same actions give the same run, here and in the command-line simulator.</li>\
</ul>";

/// The model notes.
#[component]
pub fn ModelNotes() -> impl IntoView {
    view! { <details class="panel notes" data-testid="model-notes" inner_html=NOTES></details> }
}
