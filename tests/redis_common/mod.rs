//! Helpers of the redis-server agreement test (`tests/redis_agreement.rs`): a seeded config
//! generator over the directive catalogue, and an oracle that runs the real `redis-server`.

#[path = "../skip_note/mod.rs"]
mod skip_note;

pub mod compare;
pub mod gen;
pub mod oracle;
pub mod rng;
pub mod table;

use oracle::{find_redis_server, Oracle};

/// Default seed ("grill_ra" in ASCII); `GRILL_REDIS_SEED` (decimal or `0x` hex) overrides it.
pub const DEFAULT_SEED: u64 = 0x6772_696c_6c5f_7261;

/// The run's seed.
pub fn seed() -> u64 {
    match std::env::var("GRILL_REDIS_SEED") {
        Ok(s) => parse_u64(&s).unwrap_or_else(|| panic!("GRILL_REDIS_SEED={s:?} is not a number")),
        Err(_) => DEFAULT_SEED,
    }
}

/// A count from the environment variable `var`, or `default`.
pub fn count(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(s) => parse_u64(&s).unwrap_or_else(|| panic!("{var}={s:?} is not a number")),
        Err(_) => default,
    }
}

fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The oracle, or `None` after a loud notice when `redis-server` is missing locally. Under
/// `CI=true` a missing server fails the test: CI must install Debian's `redis-server`.
pub fn oracle_or_skip(test: &str) -> Option<Oracle> {
    if let Some(binary) = find_redis_server() {
        return Some(Oracle::new(binary));
    }
    let ci = std::env::var("CI").map(|v| v == "true").unwrap_or(false);
    assert!(
        !ci,
        "{test}: redis-server is not on PATH, and CI=true: install Debian's redis-server 7.0.15"
    );
    skip_note::announce(&[
        String::new(),
        format!(
            "!!! SKIPPED {test}: redis-server is not on PATH (install Debian's redis-server \
             7.0.15 to run the agreement test; under CI=true this is a failure) !!!"
        ),
        String::new(),
    ]);
    None
}
