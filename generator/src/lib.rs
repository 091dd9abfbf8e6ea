//! Seeded generator of synthetic event streams.
