//! A vector stored in shared chunks, so that the checkers' per-offset memory is cheap to clone:
//! the timeline keeps up to 256 copies of the world (checkpoints), and a copy shares every
//! chunk it did not change since. A plain `Vec` of a million entries would be copied whole
//! into every checkpoint.

use std::sync::Arc;

const CHUNK: usize = 4096;

/// A growable vector of `T` in copy-on-write chunks of 4096.
#[derive(Clone, Debug)]
pub struct ChunkedVec<T: Clone> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T: Clone> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
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

    /// The element at `i`.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// The element at `i`, for change (copies its chunk if a checkpoint shares it).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        Arc::make_mut(&mut self.chunks[i / CHUNK]).get_mut(i % CHUNK)
    }

    /// Appends an element.
    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk was just ensured");
        Arc::make_mut(last).push(value);
        self.len += 1;
    }

    /// Grows with `fill` up to `len` elements.
    pub fn resize(&mut self, len: usize, fill: T) {
        while self.len < len {
            self.push(fill.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_unchanged_chunks_and_diverge_on_change() {
        let mut a = ChunkedVec::default();
        for i in 0..10_000u64 {
            a.push(i);
        }
        let b = a.clone();
        *a.get_mut(5).unwrap() = 99;
        a.push(10_000);
        assert_eq!(a.get(5), Some(&99));
        assert_eq!(b.get(5), Some(&5));
        assert_eq!((a.len(), b.len()), (10_001, 10_000));
        assert!(
            Arc::ptr_eq(&a.chunks[1], &b.chunks[1]),
            "the middle chunk is shared"
        );
        assert!(
            !Arc::ptr_eq(&a.chunks[0], &b.chunks[0]),
            "the changed chunk is not"
        );
        assert_eq!(a.get(10_001), None);
    }
}
