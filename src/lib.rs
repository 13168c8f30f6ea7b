//! grill-lint: a linter for Redis deployments on Kubernetes managed with Kustomize.
//!
//! The data flow runs one way: files → [`source::SourceMap`] → [`yaml`] span trees →
//! [`kustomize`] native build (every rendered node keeps its origin) → [`checks`] → [`report`].
//! [`lint::lint`] runs the whole pipeline.

pub mod catalogue;
pub mod checks;
pub mod config;
pub mod diag;
pub mod hash;
pub mod json;
pub mod k8s;
pub mod kustomize;
pub mod lint;
pub mod model;
pub mod monitoring;
pub mod paths;
pub mod policy;
pub mod redis;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod suppress;
pub mod targets;
pub mod yaml;
