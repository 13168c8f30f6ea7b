//! Helpers for `tests/reference_deployment.rs`, which runs the reference deployment
//! (`kustomize/`) with the real programs: `kubectl kustomize` renders an overlay, [`pod`] prepares
//! one pod of it on this machine the way the kubelet and its init containers would, and
//! [`server`] runs and queries `redis-server` processes that are always stopped again.

pub mod pod;
pub mod render;
pub mod server;
pub mod tools;

#[path = "../skip_note/mod.rs"]
mod skip_note;
