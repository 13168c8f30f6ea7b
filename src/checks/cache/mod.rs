//! `cache/*`: the cache-strategy JSON.

pub mod strategy;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[&strategy::Strategy];
