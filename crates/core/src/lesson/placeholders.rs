//! Narration that quotes the run: `{{leader}}`, `{{epoch}}`, `{{hw}}`, `{{time}}`,
//! `{{leo <node>}}`, `{{hw <node>}}` and a name bound with `as` (`{{old}}`), filled in from the
//! cluster as the step shows, so that "3001 won epoch 2" stays true whatever the learner did.

use crate::flat::FlatMap;
use crate::scenario::node_ref::NodeRef;
use crate::sim::World;
use crate::types::{format_duration, NodeId};

/// `text` with every `{{…}}` replaced by its value now; an unknown or unresolvable placeholder
/// is shown as `…` (a lesson's text never fails to show).
pub fn fill(text: &str, world: &World, names: &FlatMap<String, NodeId>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&value(after[..end].trim(), world, names).unwrap_or_else(|| "…".into()));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn node(word: &str, world: &World, names: &FlatMap<String, NodeId>) -> Option<NodeId> {
    NodeRef::parse(word).ok()?.resolve(world, names).ok()
}

fn value(key: &str, world: &World, names: &FlatMap<String, NodeId>) -> Option<String> {
    let words: Vec<&str> = key.split_whitespace().collect();
    Some(match words.as_slice() {
        ["epoch"] => world
            .voters()
            .iter()
            .filter_map(|v| world.node(*v)?.replica())
            .map(|r| r.epoch())
            .max()?
            .to_string(),
        ["hw"] => {
            let l = world.active_leader()?;
            world.node(l)?.replica()?.high_watermark()?.to_string()
        }
        ["hw", n] => node(n, world, names)
            .and_then(|id| world.node(id)?.replica()?.high_watermark())?
            .to_string(),
        ["leo", n] => node(n, world, names)
            .and_then(|id| Some(world.node(id)?.disk()?.log.end_offset()))?
            .to_string(),
        ["time"] => format_duration(world.now().0),
        [n] => node(n, world, names)?.to_string(),
        _ => return None,
    })
}
