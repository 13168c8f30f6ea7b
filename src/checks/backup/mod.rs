//! `backup/*`: the backup and verification CronJobs.

pub mod schedule;
pub mod storage;
pub mod verification;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &schedule::BackupSchedule,
    &verification::Verification,
    &storage::Retention,
    &storage::Storage,
];
