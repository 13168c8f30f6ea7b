//! `model/*`: what the overlay deploys.

use super::Entry;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[];
