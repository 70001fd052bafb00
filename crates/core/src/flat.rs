//! Small ordered collections stored as one sorted vector: [`FlatMap`] and [`FlatSet`].
//!
//! Why they exist: the core keeps dozens of small ordered maps (per node, per epoch, per
//! session, per timer kind...), and every distinct `BTreeMap<K, V>` instantiates its own copy
//! of the B-tree's node, search, split, merge, steal, clone and drop code, about 3 KB of
//! WebAssembly each. A sorted vector needs only a binary search and a `Vec` insert or remove,
//! so the browser bundle shrinks by tens of kilobytes, and for a handful of entries it is at
//! least as fast (one allocation, contiguous memory).
//!
//! They keep `BTreeMap`'s contract where the simulator relies on it: iteration is in key order
//! (so runs stay byte-identical), `insert` replaces the value but keeps the stored key, and
//! collecting from an iterator keeps the last value given for a key. Building from an iterator
//! inserts one entry at a time rather than sorting (no sort instantiation per type): that is
//! linear for already-sorted input, the common case, and quadratic only for large unsorted
//! input, which these small maps never see. Keep `BTreeMap` for maps that can hold thousands
//! of entries with inserts in the middle (the metadata image, the ZooKeeper tree, per-partition
//! state).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;

/// Finds `key` among sorted keys: `Ok(index)` if present, `Err(insertion point)` if not.
/// One search routine shared by the map and the set.
#[inline]
fn search<T, Q>(items: &[T], key: &Q, key_of: impl Fn(&T) -> &Q) -> Result<usize, usize>
where
    Q: Ord + ?Sized,
{
    items.binary_search_by(|probe| key_of(probe).cmp(key))
}

/// An ordered map stored as a vector of `(key, value)` pairs sorted by key: `BTreeMap`'s
/// behaviour for small maps, with far less code per instantiation (see the module docs).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlatMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for FlatMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> FlatMap<K, V> {
    /// An empty map; allocates nothing.
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// How many entries the map holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if the map holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    /// The entries in key order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    /// The keys in order.
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys(self.entries.iter())
    }

    /// The values in key order.
    pub fn values(&self) -> Values<'_, K, V> {
        Values(self.entries.iter())
    }

    /// The values in key order, mutable.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut(self.entries.iter_mut())
    }

    /// The keys in order, consuming the map.
    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }

    /// The values in key order, consuming the map.
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// The entry with the smallest key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// The entry with the largest key.
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    /// Removes and returns the entry with the smallest key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.entries.is_empty() {
            None
        } else {
            Some(self.entries.remove(0))
        }
    }

    /// Removes and returns the entry with the largest key.
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        self.entries.pop()
    }

    /// Keeps only the entries for which `keep` returns true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> FlatMap<K, V> {
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        search(&self.entries, key, |(k, _)| k.borrow())
    }

    /// The value for `key`, if any.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The stored key and value for `key`, if any.
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    /// The value for `key`, mutable, if any.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match self.find(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    /// True if the map holds `key`.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_ok()
    }

    /// Sets `key`'s value, returning the old one. Like `BTreeMap`, an existing key is kept.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match self.find(key) {
            Ok(i) => Some(self.entries.remove(i).1),
            Err(_) => None,
        }
    }

    /// The place for `key`, to read, fill or update in one search.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let found = self.find(&key);
        Entry {
            map: self,
            key,
            found,
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for FlatMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for FlatMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            // Sorted input appends without a search, so collecting a sorted source is linear.
            match self.entries.last() {
                Some((last, _)) if *last < k => self.entries.push((k, v)),
                _ => {
                    self.insert(k, v);
                }
            }
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for FlatMap<K, V> {
    fn from(items: [(K, V); N]) -> Self {
        items.into_iter().collect()
    }
}

impl<K, V, Q> std::ops::Index<&Q> for FlatMap<K, V>
where
    K: Ord + Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for FlatMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V> IntoIterator for FlatMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a FlatMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut FlatMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

/// A place in a [`FlatMap`] found by [`FlatMap::entry`]: present or not, with its index.
pub struct Entry<'a, K, V> {
    map: &'a mut FlatMap<K, V>,
    key: K,
    found: Result<usize, usize>,
}

impl<'a, K, V> Entry<'a, K, V> {
    /// The value, inserting `make()` first if the key was absent.
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.found {
            Ok(i) => i,
            Err(i) => {
                self.map.entries.insert(i, (self.key, make()));
                i
            }
        };
        &mut self.map.entries[i].1
    }

    /// The value, inserting `value` first if the key was absent.
    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    /// The value, inserting `V::default()` first if the key was absent.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Runs `f` on the value if the key is present; the entry is returned for chaining.
    pub fn and_modify(self, f: impl FnOnce(&mut V)) -> Self {
        if let Ok(i) = self.found {
            f(&mut self.map.entries[i].1);
        }
        self
    }

    /// The entry's key.
    pub fn key(&self) -> &K {
        match self.found {
            Ok(i) => &self.map.entries[i].0,
            Err(_) => &self.key,
        }
    }
}

macro_rules! wrap_iter {
    ($(#[$doc:meta])* $name:ident, $inner:ty, $item:ty, |$e:ident| $map:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name<'a, K, V>($inner);

        impl<'a, K, V> Iterator for $name<'a, K, V> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                self.0.next().map(|$e| $map)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }

        impl<'a, K, V> DoubleEndedIterator for $name<'a, K, V> {
            fn next_back(&mut self) -> Option<$item> {
                self.0.next_back().map(|$e| $map)
            }
        }

        impl<'a, K, V> ExactSizeIterator for $name<'a, K, V> {}
    };
}

wrap_iter!(
    /// [`FlatMap::iter`]: entries in key order.
    Iter, std::slice::Iter<'a, (K, V)>, (&'a K, &'a V), |e| (&e.0, &e.1)
);
wrap_iter!(
    /// [`FlatMap::keys`]: keys in order.
    Keys, std::slice::Iter<'a, (K, V)>, &'a K, |e| &e.0
);
wrap_iter!(
    /// [`FlatMap::values`]: values in key order.
    Values, std::slice::Iter<'a, (K, V)>, &'a V, |e| &e.1
);

/// [`FlatMap::iter_mut`]: entries in key order, values mutable.
pub struct IterMut<'a, K, V>(std::slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

/// [`FlatMap::values_mut`]: values in key order, mutable.
pub struct ValuesMut<'a, K, V>(std::slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for ValuesMut<'a, K, V> {
    type Item = &'a mut V;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(_, v)| v)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for ValuesMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(_, v)| v)
    }
}

impl<K, V> ExactSizeIterator for ValuesMut<'_, K, V> {}

/// An ordered set stored as a sorted vector: `BTreeSet`'s behaviour for small sets, with far
/// less code per instantiation (see the module docs).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlatSet<T> {
    items: Vec<T>,
}

impl<T> Default for FlatSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> FlatSet<T> {
    /// An empty set; allocates nothing.
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// How many items the set holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True if the set holds no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Removes every item.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The items in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The smallest item.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// The largest item.
    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// Removes and returns the smallest item.
    pub fn pop_first(&mut self) -> Option<T> {
        if self.items.is_empty() {
            None
        } else {
            Some(self.items.remove(0))
        }
    }

    /// Removes and returns the largest item.
    pub fn pop_last(&mut self) -> Option<T> {
        self.items.pop()
    }

    /// Keeps only the items for which `keep` returns true, in order.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

impl<T: Ord> FlatSet<T> {
    fn find<Q>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        search(&self.items, item, |t| t.borrow())
    }

    /// True if the set holds `item`.
    pub fn contains<Q>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(item).is_ok()
    }

    /// The stored item equal to `item`, if any.
    pub fn get<Q>(&self, item: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(item).ok().map(|i| &self.items[i])
    }

    /// Adds `item`; false if it was already there (the stored one is kept, like `BTreeSet`).
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    /// Removes `item`; false if it was not there.
    pub fn remove<Q>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match self.find(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// The items of `self` not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a FlatSet<T>) -> impl Iterator<Item = &'a T> + 'a {
        self.items.iter().filter(move |t| !other.contains(*t))
    }

    /// The items in both `self` and `other`, in order.
    pub fn intersection<'a>(&'a self, other: &'a FlatSet<T>) -> impl Iterator<Item = &'a T> + 'a {
        self.items.iter().filter(move |t| other.contains(*t))
    }

    /// True if every item of `self` is in `other`.
    pub fn is_subset(&self, other: &FlatSet<T>) -> bool {
        self.items.iter().all(|t| other.contains(t))
    }
}

impl<T: Ord> FromIterator<T> for FlatSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

impl<T: Ord> Extend<T> for FlatSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for t in iter {
            // Sorted input appends without a search, so collecting a sorted source is linear.
            match self.items.last().map(|last| last.cmp(&t)) {
                Some(Ordering::Less) => self.items.push(t),
                _ => {
                    self.insert(t);
                }
            }
        }
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for FlatSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<T: fmt::Debug> fmt::Debug for FlatSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.items.iter()).finish()
    }
}

impl<T> IntoIterator for FlatSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a FlatSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Sorts `items` stably by `less` (a strict "comes before"), by insertion.
///
/// Why not `slice::sort_by`: each distinct element type or comparison instantiates the
/// standard library's driftsort, 3 to 4 KB of WebAssembly apiece; this is a few hundred bytes.
/// Use it for the short lists the simulator and the app sort (voters, live brokers, the
/// cluster's nodes) and for input that is already nearly sorted, where it is linear.
pub fn insertion_sort_by<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && less(&items[j], &items[j - 1]) {
            items.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Sorts `items` in ascending order, stably, by insertion; see [`insertion_sort_by`] for why.
pub fn insertion_sort<T: Ord>(items: &mut [T]) {
    insertion_sort_by(items, |a, b| a < b);
}

/// A `FlatMap` is written as a JSON object (or any serde map), in key order: the znode
/// formats keep their maps in these.
impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for FlatMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A `FlatMap` is read from any serde map; a key given twice keeps its last value.
impl<'de, K, V> serde::Deserialize<'de> for FlatMap<K, V>
where
    K: Ord + serde::Deserialize<'de>,
    V: serde::Deserialize<'de>,
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K, V> serde::de::Visitor<'de> for Visit<K, V>
        where
            K: Ord + serde::Deserialize<'de>,
            V: serde::Deserialize<'de>,
        {
            type Value = FlatMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = FlatMap::new();
                while let Some((k, v)) = a.next_entry()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// A small deterministic generator for the model tests.
    fn numbers(seed: u64, n: usize, modulo: u64) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 33) % modulo
            })
            .collect()
    }

    #[test]
    fn the_map_behaves_like_a_btree_map() {
        for seed in 0..20 {
            let mut flat = FlatMap::new();
            let mut tree = BTreeMap::new();
            let ops = numbers(seed, 400, 40);
            for (i, k) in ops.iter().enumerate() {
                match i % 5 {
                    0 | 1 => assert_eq!(flat.insert(*k, i), tree.insert(*k, i)),
                    2 => assert_eq!(flat.remove(k), tree.remove(k)),
                    3 => *flat.entry(*k).or_default() += 1,
                    _ => {
                        if let Some(v) = flat.get_mut(k) {
                            *v += 7;
                        }
                        if let Some(v) = tree.get_mut(k) {
                            *v += 7;
                        }
                    }
                }
                if i % 5 == 3 {
                    *tree.entry(*k).or_default() += 1;
                }
                assert_eq!(flat.len(), tree.len());
                assert_eq!(flat.get(k), tree.get(k));
            }
            let a: Vec<_> = flat.iter().collect();
            let b: Vec<_> = tree.iter().collect();
            assert_eq!(a, b);
            assert_eq!(format!("{flat:?}"), format!("{tree:?}"));
            assert_eq!(flat.first_key_value(), tree.first_key_value());
            assert_eq!(flat.last_key_value(), tree.last_key_value());
            let rev: Vec<_> = flat.keys().rev().collect();
            let tree_rev: Vec<_> = tree.keys().rev().collect();
            assert_eq!(rev, tree_rev);
            flat.retain(|k, _| k % 3 != 0);
            tree.retain(|k, _| k % 3 != 0);
            assert!(flat.iter().eq(tree.iter()));
            assert_eq!(flat.pop_first(), tree.pop_first());
            assert_eq!(flat.pop_last(), tree.pop_last());
        }
    }

    #[test]
    fn insertion_sort_matches_the_stable_sort() {
        for seed in 0..20 {
            let mut a: Vec<(u64, usize)> = numbers(seed, 60, 8)
                .into_iter()
                .enumerate()
                .map(|(i, k)| (k, i))
                .collect();
            let mut b = a.clone();
            insertion_sort_by(&mut a, |x, y| x.0 < y.0);
            b.sort_by_key(|x| x.0);
            assert_eq!(a, b);
            insertion_sort(&mut a);
            b.sort();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn collecting_keeps_the_last_value_for_a_key_and_sorts() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        let flat: FlatMap<_, _> = pairs.into_iter().collect();
        let tree: BTreeMap<_, _> = pairs.into_iter().collect();
        assert!(flat.iter().eq(tree.iter()));
        assert_eq!(flat[&3], 'c');
    }

    #[test]
    fn the_set_behaves_like_a_btree_set() {
        for seed in 0..20 {
            let mut flat = FlatSet::new();
            let mut tree = BTreeSet::new();
            for (i, k) in numbers(seed, 300, 30).into_iter().enumerate() {
                if i % 3 == 2 {
                    assert_eq!(flat.remove(&k), tree.remove(&k));
                } else {
                    assert_eq!(flat.insert(k), tree.insert(k));
                }
                assert_eq!(flat.contains(&k), tree.contains(&k));
            }
            assert!(flat.iter().eq(tree.iter()));
            assert_eq!(format!("{flat:?}"), format!("{tree:?}"));
            let other: FlatSet<u64> = numbers(seed + 100, 20, 30).into_iter().collect();
            let other_tree: BTreeSet<u64> = other.iter().copied().collect();
            assert!(flat.difference(&other).eq(tree.difference(&other_tree)));
            assert!(flat.intersection(&other).eq(tree.intersection(&other_tree)));
            assert_eq!(flat.is_subset(&other), tree.is_subset(&other_tree));
            assert_eq!(flat.first(), tree.first());
            assert_eq!(flat.last(), tree.last());
        }
    }
}
