//! `cache/*`: the cache-strategy JSON.

pub mod policy;
pub mod strategy;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &strategy::Strategy,
    &policy::Ttl,
    &policy::DatabaseConflict,
    &policy::MissingType,
];
