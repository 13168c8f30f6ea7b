//! Kubernetes semantics grill-lint needs and no crate gives with exactness: quantities, CronJob
//! schedules and label selectors.

pub mod cron;
pub mod quantity;
pub mod selector;
