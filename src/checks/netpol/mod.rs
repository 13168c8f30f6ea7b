//! `netpol/*`: network scope.

pub mod allowed_clients;
pub mod dangling;
pub mod ports;
pub mod scope;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &scope::NetworkScope,
    &ports::PortScope,
    &ports::DnsEgress,
    &allowed_clients::AllowedClients,
    &dangling::Dangling,
];
