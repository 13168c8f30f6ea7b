//! `monitoring/*`: the exporter, its ServiceMonitor and the alerts.

pub mod alerts;
pub mod exporter;
pub mod service_monitor;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &alerts::Alerts,
    &exporter::ExporterCheck,
    &service_monitor::ServiceMonitorCheck,
];
