//! `sentinel/*`: high availability.

pub mod quorum;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[&quorum::Quorum];
