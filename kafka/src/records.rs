//! The headers Edict reads and writes on Kafka records.

use rdkafka::message::{Headers, Message};

/// A finding's source partition (of the events topic).
pub const SOURCE_PARTITION: &str = "edict-source-partition";
/// A finding's sequence number within its source partition.
pub const SEQ: &str = "edict-seq";
/// A dead letter's reason.
pub const REASON: &str = "edict-reason";
/// A dead letter's source topic.
pub const SOURCE_TOPIC: &str = "edict-source-topic";
/// A dead letter's offset in its source partition.
pub const SOURCE_OFFSET: &str = "edict-source-offset";
/// A heartbeat record's time (Unix seconds): the partition's stream time advances to it.
pub const ADVANCE: &str = "edict-advance";

/// A record's headers as text (headers whose value is not UTF-8 are left out).
pub fn headers(message: &impl Message) -> Vec<(String, String)> {
    let Some(headers) = message.headers() else {
        return Vec::new();
    };
    headers
        .iter()
        .filter_map(|h| {
            let value = std::str::from_utf8(h.value?).ok()?;
            Some((h.key.to_owned(), value.to_owned()))
        })
        .collect()
}

/// The value of a header, if present.
pub fn header<'a>(headers: &'a [(String, String)], key: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
