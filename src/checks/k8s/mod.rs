//! `k8s/*`: workload hygiene, for every container the overlay deploys, and the API server's
//! verdict on every object.

pub mod schema;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[&schema::Schema];
