//! `backup/*`: the backup and verification CronJobs.

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[];
