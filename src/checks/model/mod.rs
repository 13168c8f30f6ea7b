//! `model/*`: what the overlay deploys.

pub mod dangling_reference;
pub mod redis_not_found;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &redis_not_found::RedisNotFound,
    &dangling_reference::DanglingReference,
];
