//! `yaml/*`: what reading a file finds beyond its syntax.

pub mod ambiguous_scalar;

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[&ambiguous_scalar::AmbiguousScalar];
