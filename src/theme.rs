//! Colours and shapes. Epoch colours are blues, purples, teal, slate and brown: no red,
//! orange or green, which readers take for "bad", "warning" and "healthy", since an epoch is
//! neither. Every colour is paired with a numeral or a shape, so none carries meaning alone.

/// The colour of epoch `epoch` (epoch 0, before any election, is neutral).
pub fn epoch_colour(epoch: u32) -> &'static str {
    const PALETTE: [&str; 7] = [
        "#1864AB", "#862E9C", "#0B7285", "#5C677D", "#5F3DC4", "#1098AD", "#8D5B3E",
    ];
    if epoch == 0 {
        "#9aa3ad"
    } else {
        PALETTE[(epoch as usize - 1) % PALETTE.len()]
    }
}

/// How a message type is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageShape {
    /// Fetch and its response.
    Circle,
    /// Vote and PreVote.
    Diamond,
    /// BeginQuorumEpoch.
    Square,
    /// EndQuorumEpoch.
    Triangle,
}

/// Colour, shape and CSS class of a message type.
#[derive(Clone, Copy, Debug)]
pub struct MessageStyle {
    /// Fill colour.
    pub colour: &'static str,
    /// Shape.
    pub shape: MessageShape,
    /// CSS suffix.
    pub css: &'static str,
}

/// The style of API `name`.
pub fn message_style(name: &str) -> MessageStyle {
    use MessageShape::*;
    let (colour, shape, css) = match name {
        "Fetch" => ("#2563eb", Circle, "fetch"),
        "FetchResponse" => ("#2563eb", Circle, "fetch"),
        "Vote" | "VoteResponse" => ("#7c3aed", Diamond, "vote"),
        "PreVote" | "PreVoteResponse" => ("#a78bfa", Diamond, "prevote"),
        "BeginQuorumEpoch" | "BeginQuorumEpochResponse" => ("#d97706", Square, "begin"),
        "EndQuorumEpoch" | "EndQuorumEpochResponse" => ("#dc2626", Triangle, "end"),
        _ => ("#6b7280", Circle, "other"),
    };
    MessageStyle { colour, shape, css }
}

/// The legend's message entries: name, description.
pub const MESSAGE_LEGEND: &[(&str, &str)] = &[
    ("Fetch", "a follower or observer pulls records from the leader; the response carries records and the high watermark"),
    ("PreVote", "KIP-996: may I stand? nothing is persisted, the epoch does not move"),
    ("Vote", "a candidate asks for a binding vote in its new epoch"),
    ("BeginQuorumEpoch", "the new leader announces itself (there is no heartbeat push)"),
    ("EndQuorumEpoch", "a resigning leader asks the voters to elect a successor now"),
];
