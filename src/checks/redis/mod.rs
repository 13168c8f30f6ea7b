//! `redis/*`: the Redis side of the deployment.

pub mod common;
pub mod conf_file;
pub mod dangerous_commands;
pub mod databases;
pub mod log_level;
pub mod maxmemory_headroom;
pub mod maxmemory_missing;
pub mod maxmemory_policy;
pub mod memory_limit;
pub mod persistence;
pub mod port_mismatch;
pub mod required_setting;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &conf_file::ConfFile,
    &maxmemory_missing::MaxmemoryMissing,
    &maxmemory_headroom::MaxmemoryHeadroom,
    &memory_limit::MemoryLimit,
    &maxmemory_policy::MaxmemoryPolicy,
    &persistence::Persistence,
    &dangerous_commands::DangerousCommands,
    &log_level::LogLevel,
    &required_setting::RequiredSetting,
    &databases::Databases,
    &port_mismatch::PortMismatch,
];
