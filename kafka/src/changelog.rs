//! The changelog: each partition's engine snapshot, mirrored to a compacted topic so that the
//! member that takes a partition over restores it before judging (the model Kafka Streams uses).
//!
//! Partition `p` of the events topic writes to partition `p` of the changelog (modulo its
//! partition count). A snapshot is written in one transaction with the findings and offsets it
//! goes with: its bytes in chunks of at most [`CHUNK`] bytes (keys `p/c0`, `p/c1`, …, each with
//! the `edict-generation` header), then its header (key `p`, JSON [`Header`]). Compaction keeps
//! the last record of every key; a reader takes the last header and the chunks of its
//! generation. A chunk left over from a longer earlier snapshot has another generation and is
//! ignored.

use serde::{Deserialize, Serialize};

/// The largest chunk of a snapshot in one record (Kafka's default record limit is 1 MB).
pub const CHUNK: usize = 512 * 1024;

/// The header naming the generation a chunk belongs to.
pub const GENERATION: &str = "edict-generation";

/// What a snapshot of a partition's engine stands for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Counts the snapshots of this partition; chunks carry it.
    pub generation: u64,
    pub chunks: u32,
    /// The offset of the first event record the snapshot has not seen.
    pub offset: i64,
    /// Findings written for the partition so far: the next finding's sequence number.
    pub emitted: u64,
    /// An offset of the findings partition before which no finding of this partition numbered
    /// `emitted` or later can be.
    pub floor: i64,
    /// The bundle's hash, to tell a snapshot of another revision.
    pub revision: String,
}

/// The key of partition `p`'s header.
pub fn header_key(partition: i32) -> String {
    format!("{partition}")
}

/// The key of chunk `i` of partition `p`'s snapshot.
pub fn chunk_key(partition: i32, chunk: usize) -> String {
    format!("{partition}/c{chunk}")
}

/// Collects the records of one changelog partition, oldest first, into the last complete
/// snapshot of one events partition.
#[derive(Default)]
pub struct Reader {
    partition: i32,
    header: Option<(i64, Header)>,
    chunks: std::collections::HashMap<usize, (u64, Vec<u8>)>,
}

impl Reader {
    pub fn new(partition: i32) -> Reader {
        Reader {
            partition,
            ..Reader::default()
        }
    }

    /// Starts from a snapshot kept in the local store (read from the changelog at `offset`).
    pub fn seed(&mut self, offset: i64, header: Header, bytes: Vec<u8>) {
        self.chunks.clear();
        let generation = header.generation;
        self.header = Some((offset, header));
        self.chunks.insert(usize::MAX, (generation, bytes));
    }

    /// Takes one record of the changelog partition.
    pub fn record(
        &mut self,
        offset: i64,
        key: &[u8],
        value: Option<&[u8]>,
        generation: Option<u64>,
    ) {
        let Ok(key) = std::str::from_utf8(key) else {
            return;
        };
        if key == header_key(self.partition) {
            if let Some(header) = value.and_then(|v| serde_json::from_slice::<Header>(v).ok()) {
                self.header = Some((offset, header));
            }
            return;
        }
        let prefix = format!("{}/c", self.partition);
        if let (Some(index), Some(value), Some(generation)) = (
            key.strip_prefix(&prefix)
                .and_then(|i| i.parse::<usize>().ok()),
            value,
            generation,
        ) {
            self.chunks.insert(index, (generation, value.to_vec()));
        }
    }

    /// The last complete snapshot: where its header was read, the header and the bytes.
    pub fn finish(mut self) -> Option<(i64, Header, Vec<u8>)> {
        let (offset, header) = self.header.take()?;
        if let Some((generation, bytes)) = self.chunks.remove(&usize::MAX)
            && generation == header.generation
        {
            return Some((offset, header, bytes));
        }
        let mut bytes = Vec::new();
        for i in 0..header.chunks as usize {
            let (generation, chunk) = self.chunks.remove(&i)?;
            if generation != header.generation {
                return None;
            }
            bytes.extend_from_slice(&chunk);
        }
        Some((offset, header, bytes))
    }
}

/// The local store's copy of a partition's last committed snapshot: the changelog offset of
/// its header, the header and the bytes.
pub fn encode_local(offset: i64, header: &Header, bytes: &[u8]) -> Vec<u8> {
    let header = serde_json::to_vec(header).unwrap_or_default();
    let mut out = Vec::with_capacity(16 + header.len() + bytes.len());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(bytes);
    out
}

/// Reads what [`encode_local`] wrote.
pub fn decode_local(data: &[u8]) -> Option<(i64, Header, Vec<u8>)> {
    let offset = i64::from_le_bytes(data.get(..8)?.try_into().ok()?);
    let len = usize::try_from(u64::from_le_bytes(data.get(8..16)?.try_into().ok()?)).ok()?;
    let header = serde_json::from_slice(data.get(16..16 + len)?).ok()?;
    Some((offset, header, data.get(16 + len..)?.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_complete_generation_wins() {
        let mut r = Reader::new(3);
        let h = |generation, chunks| {
            serde_json::to_vec(&Header {
                generation,
                chunks,
                ..Header::default()
            })
            .unwrap_or_default()
        };
        r.record(0, b"3/c0", Some(b"ab"), Some(1));
        r.record(1, b"3/c1", Some(b"cd"), Some(1));
        r.record(2, b"3", Some(&h(1, 2)), None);
        r.record(3, b"4", Some(&h(9, 0)), None);
        r.record(4, b"3/c0", Some(b"xy"), Some(2));
        r.record(5, b"3", Some(&h(2, 1)), None);
        let (offset, header, bytes) = r.finish().unwrap_or_default();
        assert_eq!(
            (offset, header.generation, bytes.as_slice()),
            (5, 2, b"xy".as_slice())
        );
        let local = encode_local(5, &header, b"state");
        let (o, h2, b) = decode_local(&local).unwrap_or_default();
        assert_eq!((o, h2, b.as_slice()), (5, header, b"state".as_slice()));
    }
}
