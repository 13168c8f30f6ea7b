//! Sentinel lines: `sentinel monitor`, the per-master and global options, and the lines
//! Sentinel refuses (bad quorum or port, unknown master or option, duplicates, hostnames).

use super::text::hex;
use super::{Ctx, Line};
use crate::redis_common::rng::SplitMix64;

pub(super) fn monitor_line(rng: &mut SplitMix64, ctx: &mut Ctx, name: &str) -> Line {
    ctx.masters.push(name.to_string());
    let host = if ctx.resolve_hostnames && rng.chance(50) {
        "localhost"
    } else {
        "127.0.0.1"
    };
    let port = rng.between(6380, 6390);
    let quorum = rng.between(1, 3);
    let keyword = if rng.chance(15) {
        "SENTINEL"
    } else {
        "sentinel"
    };
    Line::new(
        format!("{keyword} monitor {name} {host} {port} {quorum}"),
        true,
        "sentinel-monitor",
    )
    .of("sentinel")
}

pub(super) fn sentinel_option(rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
    let m = rng.pick(&ctx.masters).clone();
    let (text, feature) = match rng.below(14) {
        0 => (
            format!("down-after-milliseconds {m} {}", rng.between(1, 60000)),
            "sentinel-down-after",
        ),
        1 => (
            format!("failover-timeout {m} {}", rng.between(1, 600000)),
            "sentinel-failover-timeout",
        ),
        2 => (
            format!("parallel-syncs {m} {}", rng.between(0, 5)),
            "sentinel-parallel-syncs",
        ),
        3 => (
            format!("auth-pass {m} pw-{}", hex(rng, 8)),
            "sentinel-auth-pass",
        ),
        4 => (format!("auth-user {m} sentinel-user"), "sentinel-auth-user"),
        5 => (
            format!(
                "master-reboot-down-after-period {m} {}",
                rng.pick(&["0", "1000"])
            ),
            "sentinel-reboot",
        ),
        6 => {
            let cmd = rng.pick(&["CONFIG", "SLAVEOF", "FLUSHALL"]).to_string();
            if !ctx.sentinel_renamed.insert((m.clone(), cmd.clone())) {
                return Line::new("# already renamed".into(), true, "comment");
            }
            (
                format!("rename-command {m} {cmd} r-{}", hex(rng, 8)),
                "sentinel-rename-command",
            )
        }
        7 => (
            format!("deny-scripts-reconfig {}", rng.pick(&["yes", "no"])),
            "sentinel-deny-scripts",
        ),
        8 => (
            format!("announce-hostnames {}", rng.pick(&["yes", "no"])),
            "sentinel-announce-hostnames",
        ),
        9 => ("announce-ip 10.0.0.5".to_string(), "sentinel-announce-ip"),
        10 => ("announce-port 26379".to_string(), "sentinel-announce-port"),
        11 => (format!("sentinel-pass sp-{}", hex(rng, 8)), "sentinel-pass"),
        12 if !ctx.myid => {
            ctx.myid = true;
            (format!("myid {}", hex(rng, 40)), "sentinel-myid")
        }
        _ => (format!("parallel-syncs {m} abc"), "sentinel-quirk"),
    };
    Line::new(format!("sentinel {text}"), true, feature).of("sentinel")
}

pub(super) fn sentinel_invalid(rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
    let m = rng.pick(&ctx.masters).clone();
    let (text, feature) = match rng.below(13) {
        0 => (
            format!(
                "monitor other 127.0.0.1 6379 {}",
                rng.pick(&["0", "two", "-1"])
            ),
            "sentinel-bad-quorum",
        ),
        1 => (
            format!("monitor other 127.0.0.1 {} 2", rng.pick(&["70000", "-1"])),
            "sentinel-bad-port",
        ),
        2 => ("monitor other 127.0.0.1 6379".to_string(), "sentinel-arity"),
        3 => ("bogus-option x".to_string(), "sentinel-unknown-option"),
        4 => (
            "down-after-milliseconds nosuch 5000".to_string(),
            "sentinel-unknown-master",
        ),
        5 => (
            format!("monitor {m} 127.0.0.1 6399 2"),
            "sentinel-duplicate-master",
        ),
        6 => (
            format!("down-after-milliseconds {m} {}", rng.pick(&["0", "-5"])),
            "sentinel-bad-time",
        ),
        7 => (format!("failover-timeout {m} 0"), "sentinel-bad-time"),
        8 => ("resolve-hostnames maybe".to_string(), "sentinel-bad-bool"),
        9 => ("myid abc".to_string(), "sentinel-bad-myid"),
        10 if !ctx.resolve_hostnames => (
            "monitor other localhost 6379 2".to_string(),
            "sentinel-hostname",
        ),
        11 => ("auth-pass nosuch pw".to_string(), "sentinel-unknown-master"),
        _ => {
            let line = format!("rename-command {m} CONFIG a-{} ", hex(rng, 4));
            let again = format!(
                "{line}\nsentinel rename-command {m} CONFIG b-{}",
                hex(rng, 4)
            );
            // Both lines as one text: the second is the refused one.
            ctx.sentinel_renamed.insert((m, "CONFIG".into()));
            (again, "sentinel-rename-twice")
        }
    };
    Line::new(format!("sentinel {text}"), false, feature).of("sentinel")
}

/// Sentinel applies its lines in its own order after parsing: swap two lines sometimes, so a
/// `monitor` line may come after the options that refer to it.
pub(super) fn maybe_swap_two_lines(rng: &mut SplitMix64, lines: &mut [Line]) {
    if lines.len() > 1 && rng.chance(20) {
        let a = rng.below(lines.len() as u64) as usize;
        let b = rng.below(lines.len() as u64) as usize;
        lines.swap(a, b);
    }
}

/// Hand-picked Sentinel lines at the edges of its grammar (numbers that are not numbers, odd
/// arities, state lines Sentinel writes itself), valid or not: the oracle decides. They name
/// `mymaster`, which every generated sentinel.conf monitors, and no hostname (no DNS lookups).
const SENTINEL_EDGE_LINES: &[(&str, bool)] = &[
    (
        "sentinel myid 0123456789012345678901234567890123456789",
        true,
    ),
    ("sentinel current-epoch abc", true),
    ("sentinel config-epoch mymaster 5", true),
    ("sentinel leader-epoch mymaster 5", true),
    ("sentinel known-replica mymaster 127.0.0.1 6381", true),
    ("sentinel known-slave mymaster 127.0.0.1 abc", false),
    ("sentinel announce-port abc", true),
    ("sentinel announce-ip", false),
    ("sentinel down-after-milliseconds mymaster abc", false),
    ("sentinel failover-timeout mymaster 1.5", true),
    ("sentinel parallel-syncs mymaster -1", true),
    ("sentinel auth-pass mymaster", false),
    ("sentinel rename-command mymaster CONFIG", false),
    ("sentinel MONITOR edge 127.0.0.1 6379 2", true),
    ("sentinel monitor my.master 127.0.0.1 6379 2", true),
    ("sentinel monitor edge 127.0.0.1 6379 2 extra", false),
    ("sentinel monitor edge 127.0.0.1 0 2", true),
    ("sentinel monitor edge 127.0.0.1 6379 99", true),
    ("sentinel monitor edge 127.0.0.1 6379 +2", true),
    ("sentinel resolve-hostnames YES", true),
    ("sentinel deny-scripts-reconfig 1", false),
    (
        "sentinel master-reboot-down-after-period mymaster -1",
        false,
    ),
    ("sentinel sentinel-user", false),
    ("sentinel", false),
    ("Sentinel Announce-Hostnames No", true),
    ("sentinel monitor mymaster 127.0.0.1 6379 2", false),
];

/// One of [`SENTINEL_EDGE_LINES`].
pub(super) fn sentinel_edge(rng: &mut SplitMix64) -> Line {
    let (text, valid) = *rng.pick(SENTINEL_EDGE_LINES);
    Line::new(text.to_string(), valid, "sentinel-edge-line").of("sentinel")
}
