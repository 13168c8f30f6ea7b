//! `yaml/*`: what reading a file finds beyond its syntax.

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[&super::ambiguous::AmbiguousScalar];
