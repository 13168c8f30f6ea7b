//! The hash maps and sets of the whole crate.
//!
//! std's SipHash was 11 % of reading a 1,000,000-key mapping and most of the memo keys' cost at
//! scale. foldhash is several times faster on short keys; its `RandomState` is seeded per map
//! from per-process randomness, so an input cannot be prepared to collide ahead of the run
//! (the collision resistance a linter of untrusted pull requests needs: not cryptographic, but
//! not predictable either).

pub type RandomState = foldhash::fast::RandomState;
pub type HashMap<K, V> = std::collections::HashMap<K, V, RandomState>;
pub type HashSet<K> = std::collections::HashSet<K, RandomState>;
