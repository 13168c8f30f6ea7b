//! Kubernetes semantics the checks share: CronJob schedules and label selectors.

pub mod cron;
pub mod selector;
