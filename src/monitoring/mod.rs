//! Monitoring: the PromQL of alert rules.

pub mod promql;
