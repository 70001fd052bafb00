//! The first visit's "what you are looking at" card over the picture, and the glossary of the
//! words the picture uses. The card opens once (remembered in `localStorage`), and again from
//! the header's "What am I looking at?"; both are fixed text written as markup
//! ([`crate::html`]).

use leptos::prelude::*;

use crate::lab::Lab;

/// Where a dismissed card is remembered.
const SEEN_KEY: &str = "kraftlab.oriented";

/// True when this browser has not dismissed the card yet.
pub fn first_visit() -> bool {
    crate::lesson::progress::storage()
        .and_then(|s| s.get_item(SEEN_KEY).ok().flatten())
        .is_none()
}

fn remember_seen() {
    if let Some(s) = crate::lesson::progress::storage() {
        let _ = s.set_item(SEEN_KEY, "1");
    }
}

/// The card's text. The numbers are Kafka's defaults, which the simulation uses.
const CARD: &str = "<h2 id=\"orient-title\">What you are looking at</h2>\
<p>A Kafka cluster in KRaft mode, simulated in your browser at ¼ of real time. \
<b>Circles are controllers</b>: the voters of the metadata quorum, which elect one leader, the \
<i>active controller</i>, and keep the cluster's metadata in one replicated log. \
<b>Squares are brokers</b>: observers that fetch that log and never vote.</p>\
<ol>\
<li><b>The first seconds: nobody leads.</b> Every controller starts <code>UNATTACHED</code> (it \
knows no leader). When its election timeout runs out (1 s plus up to 1 s at random: the grey \
arc) it asks the others for a pre-vote (<code>PROSPECTIVE</code>), then stands \
(<code>CANDIDATE</code>); with a majority it becomes <code>LEADER</code>. Until then the \
brokers wait in <code>STARTING</code> and the panels say there is no active controller.</li>\
<li><b>The colour and <code>e1</code> inside a node are its epoch</b>, the election term it \
knows; each election starts a new one. The colours only tell epochs apart.</li>\
<li><b>The dots moving between nodes are messages</b>: Fetch (circles) carries the log from \
the leader to everyone else, Vote (diamonds) elects. Point at one and the run slows down, so you can click it and read its fields.</li>\
<li><b>Under the picture, the metadata log</b> of every node, offset by offset: LEO is where \
a node's log ends, HW (the high watermark) is how far it is committed.</li>\
</ol>\
<p><b>Try it:</b> click the leader and crash it (or press K), then watch the feed on the right \
tell the election. Drag the timeline back to see it again. Every word is in the glossary \
below the picture, and the ? button lists the keyboard shortcuts.</p>";

/// The first visit's card, over the picture.
#[component]
pub fn Orientation() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let open = lab.ui.orientation;
    // The run waits at its start while the card is read, then plays the first election.
    let close = move || {
        remember_seen();
        open.set(false);
        lab.run.playing.set(true);
    };
    move || {
        open.get().then(|| {
            view! {
                <div class="orientation" role="dialog" aria-labelledby="orient-title" data-testid="orientation"
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                    <div inner_html=CARD></div>
                    <p class="orient-actions">
                        <a class="btn btn-primary" href="#/lessons/why-a-quorum" data-testid="orientation-lesson"
                            on:click=move |_| close()>"Start lesson 1: Why a quorum"</a>
                        <button class="btn" data-testid="orientation-close" autofocus=true on:click=move |_| close()>"Explore on my own"</button>
                    </p>
                </div>
            }
        })
    }
}

/// The words of the picture and the panels, explained once.
const GLOSSARY: &str = "<summary>Glossary</summary><dl>\
<dt>Active controller</dt><dd>The controller that leads the metadata quorum: it alone writes \
metadata records; the others are hot standbys.</dd>\
<dt>Voter / observer</dt><dd>Voters (controllers in <code>controller.quorum.voters</code> or \
the dynamic voter set) elect the leader and count toward commits. Observers (brokers, and \
controllers not in the voter set) only fetch the log.</dd>\
<dt>UNATTACHED</dt><dd>A voter that knows no leader for its epoch yet and has not voted.</dd>\
<dt>PROSPECTIVE</dt><dd>Asking for a pre-vote (KIP-996): would the others vote for me? It \
does not raise the epoch, so a node cut off from the rest cannot disturb the quorum.</dd>\
<dt>CANDIDATE</dt><dd>Standing for election in a new epoch, voting for itself and asking \
the others with Vote.</dd>\
<dt>LEADER / FOLLOWER</dt><dd>The elected voter, and the voters that fetch from it.</dd>\
<dt>RESIGNED</dt><dd>A leader stepping down (graceful shutdown, lost check-quorum, or \
restarting as a former leader).</dd>\
<dt>Epoch (e1, e2…)</dt><dd>The election term. Every election raises it; a message from an \
older epoch is refused, which is how a deposed leader is fenced.</dd>\
<dt>LEO</dt><dd>Log end offset: the offset the next record would get.</dd>\
<dt>HW</dt><dd>High watermark: every offset below it is held by a majority of voters, so it \
is committed and may be applied to the metadata image.</dd>\
<dt>Fetch</dt><dd>How followers and observers pull the log from the leader. The leader holds \
an empty Fetch up to 500 ms (a parked Fetch); its reply carries records and the HW.</dd>\
<dt>Vote, PreVote, BeginQuorumEpoch, EndQuorumEpoch</dt><dd>Asking for a vote; asking \
whether one would be granted; the new leader announcing itself; a leader handing over.</dd>\
<dt>NoOpRecord</dt><dd>A record the active controller appends when it has written nothing for \
500 ms (<code>metadata.max.idle.interval.ms</code>), so the high watermark keeps moving and \
brokers can tell their metadata is current.</dd>\
<dt>Fenced broker</dt><dd>A broker the active controller will not give partitions to, \
because it missed its heartbeats or has not caught up.</dd>\
<dt>ZooKeeper mode: zxid, znode, session</dt><dd>ZooKeeper numbers every change with a \
zxid (epoch in the high 32 bits, counter in the low). Metadata lives in znodes such as \
<code>/controller</code> and <code>/brokers/ids/1</code>; an ephemeral znode lives as long \
as its owner's session.</dd>\
</dl>";

/// The glossary's entry for a word of the picture (`PROSPECTIVE`, `observer`, `Epoch`), as
/// plain text "term: meaning", for the word's own tooltip; empty if the glossary has none.
/// Read from the glossary itself, so a word explains itself the same way in both places.
pub fn explain(word: &str) -> String {
    let word = word.to_ascii_lowercase();
    let entry = GLOSSARY.split("<dt>").skip(1).find(|e| {
        e.split_once("</dt>")
            .is_some_and(|(term, _)| term.to_ascii_lowercase().contains(&word))
    });
    let Some(entry) = entry else {
        return String::new();
    };
    // Tags dropped (`</dt><dd>` becomes ": "), entities are none but the ellipsis's own.
    let mut out = String::new();
    let mut in_tag = false;
    for c in entry.replace("</dt><dd>", ": ").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The glossary.
#[component]
pub fn Glossary() -> impl IntoView {
    view! { <details class="panel glossary" id="glossary" data-testid="glossary" inner_html=GLOSSARY></details> }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn a_word_of_the_picture_finds_its_glossary_entry() {
        assert!(explain("PROSPECTIVE").starts_with("PROSPECTIVE: Asking for a pre-vote"));
        assert!(explain("observer").starts_with("Voter / observer: Voters"));
        assert!(explain("Epoch").starts_with("Epoch (e1, e2…): The election term."));
        // Markup is dropped.
        assert!(!explain("NoOpRecord").contains('<'));
        assert!(explain("metadata.max.idle").is_empty());
    }
}
