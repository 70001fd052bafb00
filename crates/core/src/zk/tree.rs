//! ZooKeeper's data tree: znodes with data, a version (`zkVersion`, bumped by every setData),
//! the zxid that created them (`czxid`, which Kafka uses as the broker epoch) and, for
//! ephemeral znodes, the session that owns them. Writes are transactions applied in zxid
//! order on every server; a `multi` applies all of its operations or none.

use std::collections::BTreeMap;

/// A session id.
pub type SessionId = u64;
/// A ZooKeeper transaction id: `(epoch << 32) | counter`.
pub type Zxid = u64;

/// One znode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Znode {
    /// Its data (Kafka stores JSON).
    pub data: String,
    /// `version`: how many times its data was set.
    pub version: i32,
    /// The zxid of the transaction that created it.
    pub czxid: Zxid,
    /// The owning session, for an ephemeral znode.
    pub ephemeral_owner: Option<SessionId>,
}

/// One write operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `create` (fails if it exists or the parent does not).
    Create {
        /// Path.
        path: String,
        /// Data.
        data: String,
        /// Owned by the writing session, deleted when it ends.
        ephemeral: bool,
    },
    /// `setData`, conditional on the version when given.
    SetData {
        /// Path.
        path: String,
        /// New data.
        data: String,
        /// Expected version (`-1` in Kafka's calls means any; here `None`).
        version: Option<i32>,
    },
    /// `delete`, conditional on the version when given.
    Delete {
        /// Path.
        path: String,
        /// Expected version.
        version: Option<i32>,
    },
    /// `check`: the version must match (used inside a multi).
    Check {
        /// Path.
        path: String,
        /// Expected version.
        version: i32,
    },
}

impl Op {
    /// The znode it touches.
    pub fn path(&self) -> &str {
        match self {
            Op::Create { path, .. }
            | Op::SetData { path, .. }
            | Op::Delete { path, .. }
            | Op::Check { path, .. } => path,
        }
    }
}

/// Why a write failed, with ZooKeeper's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZkError {
    /// `NODEEXISTS`.
    NodeExists,
    /// `NONODE`.
    NoNode,
    /// `BADVERSION`.
    BadVersion,
    /// `NOTEMPTY`.
    NotEmpty,
    /// `SESSIONEXPIRED`.
    SessionExpired,
    /// `CONNECTIONLOSS`: no answer (the server went away or has no leader).
    ConnectionLoss,
}

impl ZkError {
    /// ZooKeeper's code name.
    pub fn name(self) -> &'static str {
        match self {
            ZkError::NodeExists => "NODEEXISTS",
            ZkError::NoNode => "NONODE",
            ZkError::BadVersion => "BADVERSION",
            ZkError::NotEmpty => "NOTEMPTY",
            ZkError::SessionExpired => "SESSIONEXPIRED",
            ZkError::ConnectionLoss => "CONNECTIONLOSS",
        }
    }

    /// The variant's name, as `{:?}` prints it (`NoNode`).
    pub fn variant(self) -> &'static str {
        match self {
            ZkError::NodeExists => "NodeExists",
            ZkError::NoNode => "NoNode",
            ZkError::BadVersion => "BadVersion",
            ZkError::NotEmpty => "NotEmpty",
            ZkError::SessionExpired => "SessionExpired",
            ZkError::ConnectionLoss => "ConnectionLoss",
        }
    }
}

/// What a change means to watchers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WatchKind {
    /// The znode was created (for `exists` watches).
    Created,
    /// Its data changed.
    DataChanged,
    /// It was deleted.
    Deleted,
    /// Its children changed.
    ChildrenChanged,
}

impl WatchKind {
    /// ZooKeeper's event type name.
    pub fn name(self) -> &'static str {
        match self {
            WatchKind::Created => "NodeCreated",
            WatchKind::DataChanged => "NodeDataChanged",
            WatchKind::Deleted => "NodeDeleted",
            WatchKind::ChildrenChanged => "NodeChildrenChanged",
        }
    }
}

/// The whole tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataTree {
    nodes: BTreeMap<String, Znode>,
}

fn parent(path: &str) -> Option<&str> {
    let i = path.rfind('/')?;
    Some(if i == 0 { "/" } else { &path[..i] })
}

impl DataTree {
    /// A tree with the root only.
    pub fn new() -> DataTree {
        let mut nodes = BTreeMap::new();
        nodes.insert(
            "/".to_string(),
            Znode {
                data: String::new(),
                version: 0,
                czxid: 0,
                ephemeral_owner: None,
            },
        );
        DataTree { nodes }
    }

    /// The znode at `path`.
    pub fn get(&self, path: &str) -> Option<&Znode> {
        self.nodes.get(path)
    }

    /// The names of `path`'s children, sorted.
    pub fn children(&self, path: &str) -> Vec<String> {
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| k.len() > prefix.len() && !k[prefix.len()..].contains('/'))
            .map(|(k, _)| k[prefix.len()..].to_string())
            .collect()
    }

    /// Every znode, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Znode)> {
        self.nodes.iter()
    }

    /// Ephemeral znodes owned by `session`.
    pub fn ephemerals(&self, session: SessionId) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.ephemeral_owner == Some(session))
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn check(&self, op: &Op) -> Result<(), ZkError> {
        match op {
            Op::Create { path, .. } => {
                if self.nodes.contains_key(path) {
                    return Err(ZkError::NodeExists);
                }
                match parent(path) {
                    Some(p) if self.nodes.contains_key(p) => Ok(()),
                    _ => Err(ZkError::NoNode),
                }
            }
            Op::SetData { path, version, .. } => match self.nodes.get(path) {
                None => Err(ZkError::NoNode),
                Some(n) if version.is_some_and(|v| v != n.version) => Err(ZkError::BadVersion),
                Some(_) => Ok(()),
            },
            Op::Delete { path, version } => match self.nodes.get(path) {
                None => Err(ZkError::NoNode),
                Some(n) if version.is_some_and(|v| v != n.version) => Err(ZkError::BadVersion),
                Some(_) if !self.children(path).is_empty() => Err(ZkError::NotEmpty),
                Some(_) => Ok(()),
            },
            Op::Check { path, version } => match self.nodes.get(path) {
                None => Err(ZkError::NoNode),
                Some(n) if n.version != *version => Err(ZkError::BadVersion),
                Some(_) => Ok(()),
            },
        }
    }

    /// Applies `ops` atomically for `session` at `zxid`: all succeed or none is applied.
    /// Returns the watch triggers `(path, kind)` on success.
    pub fn apply(
        &mut self,
        ops: &[Op],
        session: SessionId,
        zxid: Zxid,
    ) -> Result<Vec<(String, WatchKind)>, ZkError> {
        // Check against a scratch copy of only what changes, in order.
        let mut scratch = self.clone_paths(ops);
        for op in ops {
            scratch.check(op)?;
            scratch.apply_one(op, session, zxid);
        }
        let mut fired = Vec::new();
        for op in ops {
            fired.extend(self.apply_one(op, session, zxid));
        }
        Ok(fired)
    }

    /// A tree holding only the znodes `ops` could look at (the paths, their parents and
    /// the children of deleted paths), so a multi can be checked without cloning everything.
    fn clone_paths(&self, ops: &[Op]) -> DataTree {
        let mut nodes = BTreeMap::new();
        for op in ops {
            let p = op.path();
            for q in [Some(p), parent(p)].into_iter().flatten() {
                if let Some(n) = self.nodes.get(q) {
                    nodes.insert(q.to_string(), n.clone());
                }
            }
            if matches!(op, Op::Delete { .. }) {
                for c in self.children(p) {
                    let full = format!("{}/{c}", if p == "/" { "" } else { p });
                    if let Some(n) = self.nodes.get(&full) {
                        nodes.insert(full, n.clone());
                    }
                }
            }
        }
        DataTree { nodes }
    }

    fn apply_one(&mut self, op: &Op, session: SessionId, zxid: Zxid) -> Vec<(String, WatchKind)> {
        let parent_changed = |p: &str| {
            parent(p)
                .map(|q| (q.to_string(), WatchKind::ChildrenChanged))
                .into_iter()
        };
        match op {
            Op::Create {
                path,
                data,
                ephemeral,
            } => {
                self.nodes.insert(
                    path.clone(),
                    Znode {
                        data: data.clone(),
                        version: 0,
                        czxid: zxid,
                        ephemeral_owner: ephemeral.then_some(session),
                    },
                );
                std::iter::once((path.clone(), WatchKind::Created))
                    .chain(parent_changed(path))
                    .collect()
            }
            Op::SetData { path, data, .. } => {
                if let Some(n) = self.nodes.get_mut(path) {
                    n.data = data.clone();
                    n.version += 1;
                }
                vec![(path.clone(), WatchKind::DataChanged)]
            }
            Op::Delete { path, .. } => {
                self.nodes.remove(path);
                std::iter::once((path.clone(), WatchKind::Deleted))
                    .chain(parent_changed(path))
                    .collect()
            }
            Op::Check { .. } => Vec::new(),
        }
    }

    /// Deletes every ephemeral of `session` (its expiry or close); returns the triggers.
    pub fn close_session(&mut self, session: SessionId) -> Vec<(String, WatchKind)> {
        let mut fired = Vec::new();
        for path in self.ephemerals(session) {
            fired.extend(self.apply_one(
                &Op::Delete {
                    path,
                    version: None,
                },
                session,
                0,
            ));
        }
        fired
    }

    /// Number of znodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True if only the root is there.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(path: &str, ephemeral: bool) -> Op {
        Op::Create {
            path: path.into(),
            data: "x".into(),
            ephemeral,
        }
    }

    #[test]
    fn creates_need_parents_and_multis_are_atomic() {
        let mut t = DataTree::new();
        assert_eq!(
            t.apply(&[create("/a/b", false)], 1, 1),
            Err(ZkError::NoNode)
        );
        t.apply(&[create("/a", false)], 1, 1).unwrap();
        t.apply(&[create("/a/b", false)], 1, 2).unwrap();
        assert_eq!(t.children("/a"), vec!["b".to_string()]);
        // The second op fails: nothing of the multi is applied.
        let multi = [
            create("/c", true),
            Op::SetData {
                path: "/a".into(),
                data: "y".into(),
                version: Some(7),
            },
        ];
        assert_eq!(t.apply(&multi, 1, 3), Err(ZkError::BadVersion));
        assert!(t.get("/c").is_none());
        let multi = [
            create("/c", true),
            Op::SetData {
                path: "/a".into(),
                data: "y".into(),
                version: Some(0),
            },
        ];
        let fired = t.apply(&multi, 9, 4).unwrap();
        assert!(fired.contains(&("/c".to_string(), WatchKind::Created)));
        assert!(fired.contains(&("/a".to_string(), WatchKind::DataChanged)));
        assert_eq!(t.get("/a").unwrap().version, 1);
        assert_eq!(t.get("/c").unwrap().czxid, 4);
        // The session's ephemerals go with it.
        let fired = t.close_session(9);
        assert!(t.get("/c").is_none());
        assert!(fired.contains(&("/c".to_string(), WatchKind::Deleted)));
        assert_eq!(
            t.apply(
                &[Op::Delete {
                    path: "/a".into(),
                    version: None
                }],
                1,
                5
            ),
            Err(ZkError::NotEmpty)
        );
    }

    #[test]
    fn a_check_in_a_multi_sees_the_ops_before_it_and_a_failed_one_undoes_them_all() {
        let mut t = DataTree::new();
        t.apply(&[create("/a", false)], 1, 1).unwrap();
        let before = t.clone();
        let set_a = Op::SetData {
            path: "/a".into(),
            data: "y".into(),
            version: Some(0),
        };

        // The check sees the setData before it (version 1, not 0): the whole multi fails.
        let multi = [
            create("/x", false),
            set_a.clone(),
            Op::Check {
                path: "/a".into(),
                version: 0,
            },
        ];
        assert_eq!(t.apply(&multi, 1, 2), Err(ZkError::BadVersion));
        assert_eq!(t, before, "nothing of a failed multi is applied");

        let multi = [
            create("/x", false),
            set_a,
            Op::Check {
                path: "/a".into(),
                version: 1,
            },
        ];
        let fired = t.apply(&multi, 1, 3).unwrap();
        assert_eq!(
            fired,
            [
                ("/x".to_string(), WatchKind::Created),
                ("/".to_string(), WatchKind::ChildrenChanged),
                ("/a".to_string(), WatchKind::DataChanged),
            ]
        );
        assert_eq!(t.get("/a").unwrap().version, 1);
        assert_eq!(t.get("/x").unwrap().czxid, 3);
    }
}
