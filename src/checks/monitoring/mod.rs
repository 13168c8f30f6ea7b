//! `monitoring/*`: the exporter, its ServiceMonitor and the alerts.

pub mod alerts;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[&alerts::Alerts];
