//! A vector stored in shared, copy-on-write chunks, so that copies of the world are cheap: the
//! timeline keeps up to 256 copies (checkpoints), and a copy shares every chunk it did not
//! change since. A replica's log and the checkers' per-offset memory use it; a plain `Vec` of
//! a million entries would be copied whole into every checkpoint.
//!
//! It grows at the back, shrinks at the back (a truncation) and drops a prefix (the records a
//! snapshot covers), as a log does.

use std::collections::VecDeque;
use std::sync::Arc;

const CHUNK: usize = 256;

/// A vector of `T` in copy-on-write chunks of 256.
#[derive(Clone, Debug)]
pub struct ChunkedVec<T: Clone> {
    chunks: VecDeque<Arc<Vec<T>>>,
    /// Elements of the first chunk dropped from the front.
    head: usize,
    len: usize,
}

impl<T: Clone> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: VecDeque::new(),
            head: 0,
            len: 0,
        }
    }
}

impl<T: Clone> ChunkedVec<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn place(&self, i: usize) -> (usize, usize) {
        let abs = self.head + i;
        (abs / CHUNK, abs % CHUNK)
    }

    /// The element at `i`.
    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let (c, k) = self.place(i);
        self.chunks.get(c)?.get(k)
    }

    /// The element at `i`, for change (copies its chunk if a checkpoint shares it).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        let (c, k) = self.place(i);
        Arc::make_mut(self.chunks.get_mut(c)?).get_mut(k)
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// The last element, for change.
    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.len.checked_sub(1).and_then(|i| self.get_mut(i))
    }

    /// Appends an element.
    pub fn push(&mut self, value: T) {
        if (self.head + self.len).is_multiple_of(CHUNK) {
            self.chunks.push_back(Arc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.back_mut().expect("a chunk was just ensured");
        Arc::make_mut(last).push(value);
        self.len += 1;
    }

    /// Removes and returns the last element.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let last = self.chunks.back_mut()?;
        let value = Arc::make_mut(last).pop();
        self.len -= 1;
        if self.chunks.back().is_some_and(|c| c.is_empty()) {
            self.chunks.pop_back();
        }
        if self.len == 0 {
            self.clear();
        }
        value
    }

    /// Keeps the first `len` elements.
    pub fn truncate(&mut self, len: usize) {
        while self.len > len {
            self.pop();
        }
    }

    /// Drops the first `n` elements (whole chunks are released, a partial one is skipped).
    pub fn drop_front(&mut self, n: usize) {
        let n = n.min(self.len);
        self.head += n;
        self.len -= n;
        while self.head >= CHUNK && !self.chunks.is_empty() {
            self.chunks.pop_front();
            self.head -= CHUNK;
        }
        if self.len == 0 {
            self.clear();
        }
    }

    /// Removes every element.
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.head = 0;
        self.len = 0;
    }

    /// The index of the first element for which `pred` is false, if `pred` holds for a prefix
    /// only (as `slice::partition_point`).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).is_some_and(&mut pred) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The elements from index `from` on, in order.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &T> {
        (from..self.len).filter_map(move |i| self.get(i))
    }

    /// All elements, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.iter_from(0)
    }

    /// Grows with `fill` up to `len` elements.
    pub fn resize(&mut self, len: usize, fill: T) {
        while self.len < len {
            self.push(fill.clone());
        }
    }
}

/// A [`ChunkedVec`] indexed by log offset from a base that only moves up: the checkers'
/// per-offset memory. Offsets below the base have been forgotten ([`OffsetVec::forget_below`]),
/// so that memory follows the part of the log some replica still holds as records instead of
/// the whole run (a day of the default cluster is 170,000 offsets).
#[derive(Clone, Debug)]
pub struct OffsetVec<T: Clone> {
    /// The offset of the first element kept.
    base: u64,
    items: ChunkedVec<T>,
}

impl<T: Clone> Default for OffsetVec<T> {
    fn default() -> Self {
        OffsetVec {
            base: 0,
            items: ChunkedVec::default(),
        }
    }
}

impl<T: Clone> OffsetVec<T> {
    /// The first offset still held: everything below it was forgotten.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The offset just past the last element (what the length would be had nothing been
    /// forgotten).
    pub fn end(&self) -> u64 {
        self.base + self.items.len() as u64
    }

    /// The element at `offset`; `None` past the end and below the base.
    pub fn get(&self, offset: u64) -> Option<&T> {
        let i = offset.checked_sub(self.base)?;
        self.items.get(usize::try_from(i).ok()?)
    }

    /// The element at `offset`, for change (copies its chunk if a checkpoint shares it).
    pub fn get_mut(&mut self, offset: u64) -> Option<&mut T> {
        let i = offset.checked_sub(self.base)?;
        self.items.get_mut(usize::try_from(i).ok()?)
    }

    /// Appends the element for offset [`OffsetVec::end`].
    pub fn push(&mut self, value: T) {
        self.items.push(value);
    }

    /// Appends `fill` until [`OffsetVec::end`] reaches `end`.
    pub fn fill_to(&mut self, end: u64, fill: T) {
        while self.end() < end {
            self.items.push(fill.clone());
        }
    }

    /// Forgets every element below `offset` (at most up to the end, so that the end stays
    /// where it was); the base never moves down.
    pub fn forget_below(&mut self, offset: u64) {
        let to = offset.min(self.end());
        if to > self.base {
            self.items.drop_front((to - self.base) as usize);
            self.base = to;
        }
    }
}

impl<T: Clone + PartialEq> PartialEq for ChunkedVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_unchanged_chunks_and_diverge_on_change() {
        let mut a = ChunkedVec::default();
        for i in 0..1_000u64 {
            a.push(i);
        }
        let b = a.clone();
        *a.get_mut(5).unwrap() = 99;
        a.push(1_000);
        assert_eq!(a.get(5), Some(&99));
        assert_eq!(b.get(5), Some(&5));
        assert_eq!((a.len(), b.len()), (1_001, 1_000));
        assert!(
            Arc::ptr_eq(&a.chunks[1], &b.chunks[1]),
            "the middle chunk is shared"
        );
        assert!(
            !Arc::ptr_eq(&a.chunks[0], &b.chunks[0]),
            "the changed chunk is not"
        );
        assert_eq!(a.get(1_001), None);
    }

    #[test]
    fn an_offset_vec_forgets_a_prefix_and_keeps_its_offsets() {
        let mut v = OffsetVec::default();
        v.fill_to(1_000, 0u64);
        *v.get_mut(999).unwrap() = 7;
        v.forget_below(600);
        assert_eq!((v.base(), v.end()), (600, 1_000));
        assert_eq!(
            (v.get(599), v.get(600), v.get(999)),
            (None, Some(&0), Some(&7))
        );
        v.forget_below(300);
        assert_eq!(v.base(), 600, "the base never moves down");
        v.forget_below(5_000);
        assert_eq!((v.base(), v.end()), (1_000, 1_000), "nor past the end");
        v.push(9);
        assert_eq!(v.get(1_000), Some(&9));
        assert_eq!(
            v.items.chunks.len(),
            1,
            "the forgotten chunks were released"
        );
    }

    #[test]
    fn it_shrinks_at_both_ends_like_a_log() {
        let mut v = ChunkedVec::default();
        for i in 0..10_000u64 {
            v.push(i);
        }
        v.drop_front(5_000);
        assert_eq!(
            (v.len(), v.get(0), v.last()),
            (5_000, Some(&5_000), Some(&9_999))
        );
        assert_eq!(
            v.chunks.len(),
            10_000usize.div_ceil(CHUNK) - 5_000 / CHUNK,
            "the dropped chunks were released"
        );
        v.truncate(10);
        assert_eq!((v.len(), v.last()), (10, Some(&5_009)));
        assert_eq!(v.partition_point(|x| *x < 5_004), 4);
        assert_eq!(v.iter_from(8).copied().collect::<Vec<_>>(), [5_008, 5_009]);
        assert_eq!(v.pop(), Some(5_009));
        v.drop_front(100);
        assert!(v.is_empty());
        v.push(1);
        assert_eq!(v.get(0), Some(&1));
    }
}
