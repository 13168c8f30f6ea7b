//! `k8s/*`: workload hygiene, for every container the overlay deploys.

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[];
