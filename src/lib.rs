//! grill-lint: a linter for Redis deployments on Kubernetes managed with Kustomize.
//!
//! The data flow runs one way: files → [`source::SourceMap`] → [`yaml`] span trees →
//! [`kustomize`] native build (every rendered node keeps its origin) → the Redis model →
//! checks → [`report`].

pub mod diag;
pub mod rules;
pub mod source;
pub mod yaml;
pub mod kustomize;
pub mod redis;
