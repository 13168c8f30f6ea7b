//! `redis/*`: the Redis side of the deployment.

pub mod conf_file;
pub mod databases;
pub mod port_mismatch;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &conf_file::ConfFile,
    &databases::Databases,
    &port_mismatch::PortMismatch,
];
