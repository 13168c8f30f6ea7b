//! `sentinel/*`: high availability.

pub mod auth;
pub mod config_not_writable;
pub mod failover_impossible;
pub mod quorum;
pub mod required;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &required::Required,
    &quorum::Quorum,
    &config_not_writable::ConfigNotWritable,
    &failover_impossible::FailoverImpossible,
    &auth::Auth,
];
