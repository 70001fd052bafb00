//! The replicated metadata log of one replica: batches of records, each stamped with the leader
//! epoch that wrote it, plus the epoch cache that answers "where does epoch E end?".
//!
//! Kafka checks a follower's log against the leader's by `(fetch offset, last fetched epoch)`
//! instead of Raft's `prevLogIndex/prevLogTerm`. When they disagree the leader returns a
//! `DivergingEpoch` and the follower truncates to the end of the largest common epoch in one step
//! (docs/fidelity.md, Replication and the high watermark). Both halves of that exchange live here:
//! [`Log::validate_fetch`] and
//! [`Log::truncate_to_diverging`].
//!
//! Batches hold their records behind an `Arc`, so a batch fetched by a follower shares memory
//! with the leader's copy: a cluster of six nodes holds one copy of the log, not six.

use std::sync::Arc;

use crate::chunked::ChunkedVec;
use crate::metadata::image::MetadataImage;
use crate::record::Record;
use crate::types::{Epoch, Offset, SimTime};

/// A batch of records written together by one leader in one epoch.
#[derive(Clone, Debug)]
pub struct Batch {
    /// Offset of the first record.
    pub base_offset: Offset,
    /// The leader epoch that wrote this batch (Kafka's "partition leader epoch").
    pub epoch: Epoch,
    /// When the leader appended it, for the log view and `LastContainedLogTimestamp`.
    pub append_time: SimTime,
    /// The records; shared between every replica that holds this batch.
    pub records: Arc<[Record]>,
}

impl Batch {
    /// Offset just past the last record of the batch.
    pub fn end_offset(&self) -> Offset {
        self.base_offset + self.records.len() as Offset
    }

    /// Number of records in the batch.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True if the batch holds no record (never the case for appended batches).
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record at `offset`, if this batch holds it.
    pub fn record_at(&self, offset: Offset) -> Option<&Record> {
        if offset < self.base_offset {
            return None;
        }
        self.records.get((offset - self.base_offset) as usize)
    }
}

/// The result of checking a follower's fetch position against the leader's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchValidation {
    /// The follower's log matches up to its fetch offset: send records from there.
    Valid,
    /// The follower's last epoch diverges: it must truncate to `end_offset` of `epoch`.
    Diverging {
        /// The largest epoch the leader has that is not above the follower's last epoch.
        epoch: Epoch,
        /// Where that epoch ends in the leader's log.
        end_offset: Offset,
    },
    /// The fetch offset is below the log start: the follower must load a snapshot first.
    SnapshotNeeded,
}

/// One replica's copy of `__cluster_metadata-0`.
#[derive(Clone, Debug, Default)]
pub struct Log {
    /// First offset still held as records; everything below is covered by a snapshot.
    start_offset: Offset,
    /// Epoch of the record just below `start_offset` (from the snapshot id), 0 if none.
    start_epoch: Epoch,
    /// The batches, in shared chunks so that a checkpoint of the world copies pointers, not
    /// the log.
    batches: ChunkedVec<Batch>,
    /// Leader epoch cache: `(epoch, first offset of that epoch)`, ascending in both.
    epochs: Vec<(Epoch, Offset)>,
}

impl Log {
    /// An empty log, as `kafka-storage format` leaves it.
    pub fn new() -> Log {
        Log::default()
    }

    /// The log end offset (LEO): the offset the next record will get.
    pub fn end_offset(&self) -> Offset {
        self.batches
            .last()
            .map(|b| b.end_offset())
            .unwrap_or(self.start_offset)
    }

    /// First offset held as records.
    pub fn start_offset(&self) -> Offset {
        self.start_offset
    }

    /// Epoch of the last record (or of the snapshot if the log is empty past it); 0 if none.
    pub fn last_epoch(&self) -> Epoch {
        self.batches
            .last()
            .map(|b| b.epoch)
            .unwrap_or(self.start_epoch)
    }

    /// `(last epoch, end offset)`: what a candidate puts in its Vote request, and the order
    /// the "log at least as up to date" rule compares (epoch first, then offset).
    pub fn last_position(&self) -> (Epoch, Offset) {
        (self.last_epoch(), self.end_offset())
    }

    /// All batches, oldest first.
    pub fn batches(&self) -> impl Iterator<Item = &Batch> {
        self.batches.iter()
    }

    /// The last batch.
    pub fn last_batch(&self) -> Option<&Batch> {
        self.batches.last()
    }

    /// Number of records held (not counting what a snapshot covers).
    pub fn record_count(&self) -> u64 {
        self.end_offset() - self.start_offset
    }

    /// Index of the batch holding `offset`, if the log holds it.
    fn batch_index(&self, offset: Offset) -> Option<usize> {
        if offset < self.start_offset || offset >= self.end_offset() {
            return None;
        }
        let i = self.batches.partition_point(|b| b.end_offset() <= offset);
        (i < self.batches.len()).then_some(i)
    }

    /// The batch holding `offset`.
    pub fn batch_containing(&self, offset: Offset) -> Option<&Batch> {
        self.batch_index(offset).and_then(|i| self.batches.get(i))
    }

    /// The epoch and record at `offset`.
    pub fn entry(&self, offset: Offset) -> Option<(Epoch, &Record)> {
        let b = self.batches.get(self.batch_index(offset)?)?;
        b.record_at(offset).map(|r| (b.epoch, r))
    }

    /// The epoch of the record at `offset`.
    pub fn epoch_at(&self, offset: Offset) -> Option<Epoch> {
        self.batch_index(offset)
            .and_then(|i| self.batches.get(i))
            .map(|b| b.epoch)
    }

    /// Appends a batch at the log end. The caller guarantees `batch.base_offset == LEO` and that
    /// epochs never go down; both are checked because a violation would corrupt the log.
    pub fn append(&mut self, batch: Batch) -> Result<(), String> {
        if batch.base_offset != self.end_offset() {
            return Err(format!(
                "batch at offset {} does not start at the log end offset {}",
                batch.base_offset,
                self.end_offset()
            ));
        }
        if batch.epoch < self.last_epoch() {
            return Err(format!(
                "batch epoch {} is below the last epoch {}",
                batch.epoch,
                self.last_epoch()
            ));
        }
        if batch.records.is_empty() {
            return Ok(());
        }
        if self.epochs.last().map(|(e, _)| *e) != Some(batch.epoch) {
            self.epochs.push((batch.epoch, batch.base_offset));
        }
        self.batches.push(batch);
        Ok(())
    }

    /// Batches from `offset` on, at most `max_records` records in whole batches (at least one
    /// batch if any is available). `offset` must be a batch boundary, as fetch offsets are.
    pub fn read_from(&self, offset: Offset, max_records: usize) -> Vec<Batch> {
        let Some(first) = self.batch_index(offset) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut count = 0;
        for b in self.batches.iter_from(first) {
            if !out.is_empty() && count + b.len() > max_records {
                break;
            }
            count += b.len();
            out.push(b.clone());
        }
        out
    }

    /// `(epoch, end offset)` for the largest epoch not above `epoch`, like Kafka's
    /// `endOffsetForEpoch`. If the log holds no such epoch, the answer is the log start with
    /// the epoch there (the snapshot's, as `KafkaMetadataLog` answers): an older epoch cannot
    /// be vouched for once a snapshot replaced the records that held it.
    pub fn end_offset_for_epoch(&self, epoch: Epoch) -> (Epoch, Offset) {
        let i = self.epochs.partition_point(|(e, _)| *e <= epoch);
        if i == 0 {
            return (self.start_epoch, self.start_offset);
        }
        let (found, _) = self.epochs[i - 1];
        let end = self
            .epochs
            .get(i)
            .map(|(_, start)| *start)
            .unwrap_or_else(|| self.end_offset());
        (found, end)
    }

    /// The leader's check of a follower's `(fetch offset, last fetched epoch)`
    /// (`ReplicatedLog.validateOffsetAndEpoch`).
    pub fn validate_fetch(
        &self,
        fetch_offset: Offset,
        last_fetched_epoch: Epoch,
    ) -> FetchValidation {
        if fetch_offset < self.start_offset {
            return FetchValidation::SnapshotNeeded;
        }
        let (epoch, end_offset) = self.end_offset_for_epoch(last_fetched_epoch);
        if epoch != last_fetched_epoch || end_offset < fetch_offset {
            // A divergence before what the log still holds can only be mended by a snapshot.
            if self.start_offset > 0 && end_offset <= self.start_offset {
                return FetchValidation::SnapshotNeeded;
            }
            FetchValidation::Diverging { epoch, end_offset }
        } else {
            FetchValidation::Valid
        }
    }

    /// Where a follower truncates after a `DivergingEpoch(epoch, end_offset)`: if it has that
    /// epoch, to the smaller of both ends of it; otherwise to the end of its largest epoch below
    /// (`truncateToEndOffset`).
    pub fn diverging_truncation_point(&self, epoch: Epoch, end_offset: Offset) -> Offset {
        let (local_epoch, local_end) = self.end_offset_for_epoch(epoch);
        if local_epoch == epoch {
            local_end.min(end_offset)
        } else {
            local_end
        }
    }

    /// Removes every record at or above `offset`; returns how many were removed.
    pub fn truncate_to(&mut self, offset: Offset) -> u64 {
        let end = self.end_offset();
        if offset >= end {
            return 0;
        }
        let offset = offset.max(self.start_offset);
        let removed = end - offset;
        while let Some(last) = self.batches.last_mut() {
            if last.base_offset >= offset {
                self.batches.pop();
            } else if last.end_offset() > offset {
                let keep = (offset - last.base_offset) as usize;
                last.records = last.records[..keep].to_vec().into();
                break;
            } else {
                break;
            }
        }
        while let Some((_, start)) = self.epochs.last() {
            if *start >= offset {
                self.epochs.pop();
            } else {
                break;
            }
        }
        removed
    }

    /// Drops the batches a snapshot ending at `(offset, epoch)` covers entirely (Kafka deletes
    /// whole segments, so the log start may stay a little below the snapshot end). With `offset`
    /// past the log end the whole log is replaced by the snapshot.
    pub fn advance_start(&mut self, offset: Offset, epoch: Epoch) {
        if offset <= self.start_offset {
            return;
        }
        if offset >= self.end_offset() {
            self.batches.clear();
            self.epochs.clear();
            self.start_offset = offset;
            self.start_epoch = epoch;
            return;
        }
        let drop = self.batches.partition_point(|b| b.end_offset() <= offset);
        if drop == 0 {
            return;
        }
        self.start_epoch = self.batches.get(drop - 1).map(|b| b.epoch).unwrap_or(epoch);
        self.batches.drop_front(drop);
        self.start_offset = self.batches.get(0).map(|b| b.base_offset).unwrap_or(offset);
        let start = self.start_offset;
        let keep_from = self
            .epochs
            .partition_point(|(_, s)| *s <= start)
            .saturating_sub(1);
        self.epochs.drain(..keep_from);
        if let Some(first) = self.epochs.first_mut() {
            first.1 = first.1.max(start);
        }
    }

    /// Iterates over `(offset, epoch, record)` from `from` (inclusive) to `to` (exclusive).
    pub fn entries(
        &self,
        from: Offset,
        to: Offset,
    ) -> impl Iterator<Item = (Offset, Epoch, &Record)> {
        let first = self.batches.partition_point(|b| b.end_offset() <= from);
        self.batches
            .iter_from(first)
            .take_while(move |b| b.base_offset < to)
            .flat_map(move |b| {
                b.records
                    .iter()
                    .enumerate()
                    .map(move |(i, r)| (b.base_offset + i as Offset, b.epoch, r))
            })
            .filter(move |(o, _, _)| *o >= from && *o < to)
    }
}

/// A snapshot's identity: the offset it ends at and the epoch of its last record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SnapshotId {
    /// First offset not covered by the snapshot.
    pub end_offset: Offset,
    /// Epoch of the last record the snapshot covers.
    pub epoch: Epoch,
}

/// A snapshot on disk (`<end offset>-<epoch>.checkpoint`).
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// End offset and epoch of the last record it covers.
    pub id: SnapshotId,
    /// The metadata image at `id.end_offset`; shared, never copied.
    pub image: Arc<MetadataImage>,
    /// When it was taken (or fetched).
    pub taken_at: SimTime,
}

impl Snapshot {
    /// Kafka's file name for it.
    pub fn file_name(&self) -> String {
        format!(
            "{:020}-{:010}.checkpoint",
            self.id.end_offset, self.id.epoch
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(base: Offset, epoch: Epoch, n: u64) -> Batch {
        Batch {
            base_offset: base,
            epoch,
            append_time: SimTime::ZERO,
            records: (0..n)
                .map(|i| Record::Data(base + i))
                .collect::<Vec<_>>()
                .into(),
        }
    }

    fn log_of(batches: &[(Epoch, u64)]) -> Log {
        let mut log = Log::new();
        for (epoch, n) in batches {
            log.append(batch(log.end_offset(), *epoch, *n)).unwrap();
        }
        log
    }

    #[test]
    fn append_tracks_end_offset_and_epochs() {
        let log = log_of(&[(1, 3), (1, 2), (3, 4)]);
        assert_eq!(log.end_offset(), 9);
        assert_eq!(log.last_position(), (3, 9));
        assert_eq!(log.end_offset_for_epoch(1), (1, 5));
        assert_eq!(log.end_offset_for_epoch(2), (1, 5));
        assert_eq!(log.end_offset_for_epoch(3), (3, 9));
        assert_eq!(log.end_offset_for_epoch(0), (0, 0));
        assert_eq!(log.entry(4).map(|(e, _)| e), Some(1));
        assert_eq!(log.entry(5).map(|(e, _)| e), Some(3));
        assert_eq!(log.entry(9), None);
    }

    #[test]
    fn an_epoch_before_the_snapshot_is_not_vouched_for() {
        // The leader's records of epochs 1 and 3 are gone into a snapshot ending at 9@3.
        let mut leader = log_of(&[(1, 5), (3, 4), (3, 2)]);
        leader.advance_start(9, 3);
        assert_eq!(leader.start_offset(), 9);
        // A follower whose log ends at 9 in epoch 1 (a divergent tail the leader never had)
        // must not be told its log matches: it needs the snapshot.
        assert_eq!(leader.end_offset_for_epoch(1), (3, 9));
        assert_eq!(leader.validate_fetch(9, 1), FetchValidation::SnapshotNeeded);
        // One that ends exactly at the snapshot fetches on.
        assert_eq!(leader.validate_fetch(9, 3), FetchValidation::Valid);
        assert_eq!(leader.validate_fetch(4, 1), FetchValidation::SnapshotNeeded);
    }

    #[test]
    fn append_refuses_gaps_and_lower_epochs() {
        let mut log = log_of(&[(2, 3)]);
        assert!(log.append(batch(5, 2, 1)).is_err());
        assert!(log.append(batch(3, 1, 1)).is_err());
        assert!(log.append(batch(3, 2, 1)).is_ok());
    }

    #[test]
    fn validation_finds_the_divergence_point() {
        // Leader: epoch 1 offsets 0..5, epoch 3 offsets 5..9.
        let leader = log_of(&[(1, 5), (3, 4)]);
        assert_eq!(leader.validate_fetch(0, 0), FetchValidation::Valid);
        assert_eq!(leader.validate_fetch(5, 1), FetchValidation::Valid);
        assert_eq!(leader.validate_fetch(9, 3), FetchValidation::Valid);
        // A follower that wrote epoch 2 records the leader never had.
        assert_eq!(
            leader.validate_fetch(7, 2),
            FetchValidation::Diverging {
                epoch: 1,
                end_offset: 5
            }
        );
        // A follower with more epoch-1 records than the leader kept.
        assert_eq!(
            leader.validate_fetch(6, 1),
            FetchValidation::Diverging {
                epoch: 1,
                end_offset: 5
            }
        );
    }

    #[test]
    fn follower_truncates_in_one_step() {
        let mut follower = log_of(&[(1, 5), (2, 3)]);
        let point = follower.diverging_truncation_point(1, 5);
        assert_eq!(point, 5);
        assert_eq!(follower.truncate_to(point), 3);
        assert_eq!(follower.last_position(), (1, 5));
        // Truncating in the middle of a batch keeps its head.
        assert_eq!(follower.truncate_to(2), 3);
        assert_eq!(follower.end_offset(), 2);
        assert_eq!(follower.end_offset_for_epoch(1), (1, 2));
    }

    #[test]
    fn read_returns_whole_batches() {
        let log = log_of(&[(1, 2), (1, 2), (1, 2)]);
        let got = log.read_from(2, 3);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].base_offset, 2);
        let all = log.read_from(0, 100);
        assert_eq!(all.len(), 3);
        assert!(log.read_from(6, 10).is_empty());
        let offsets: Vec<Offset> = log.entries(1, 4).map(|(o, _, _)| o).collect();
        assert_eq!(offsets, vec![1, 2, 3]);
    }

    #[test]
    fn snapshot_moves_the_start() {
        let mut log = log_of(&[(1, 4), (2, 4)]);
        log.advance_start(4, 1);
        assert_eq!(log.start_offset(), 4);
        assert_eq!(log.validate_fetch(2, 1), FetchValidation::SnapshotNeeded);
        assert_eq!(log.validate_fetch(4, 1), FetchValidation::Valid);
        log.advance_start(20, 2);
        assert_eq!(log.end_offset(), 20);
        assert_eq!(log.last_epoch(), 2);
    }
}
