//! Argument text for a directive of each value grammar of the catalogue, valid or not: bool,
//! int (ranges and their edges), memory (every unit, mixed case, bad units), percent, octal,
//! enums, flags, strings with their validators, and the multi-argument forms.

use super::text::{hex, misspell, mixed_case};
use super::Ctx;
use crate::redis_common::rng::SplitMix64;
use crate::redis_common::table::{Directive, Kind};

const UNITS: &[(&str, i128)] = &[
    ("", 1),
    ("b", 1),
    ("k", 1000),
    ("kb", 1024),
    ("m", 1_000_000),
    ("mb", 1 << 20),
    ("g", 1_000_000_000),
    ("gb", 1 << 30),
];

const BAD_MEMORY: &[&str] = &[
    "1.5gb", "2GiB", "2KiB", "100MiB", "2TB", "2t", "-1", "+100mb", "0x10", "50%", "\"1gb \"",
    "abc", "1 gb", "10kbb", "1e3",
];
const BAD_INT: &[&str] = &[
    "+5",
    "016",
    "1.5",
    "1e3",
    "1k",
    "abc",
    "-0",
    "0x10",
    "\"\"",
    "1 2",
    "9223372036854775808",
];
const BAD_BOOL: &[&str] = &[
    "true", "false", "1", "0", "on", "off", "maybe", "y", "\"\"", "yes no",
];
const STRING_VALUES: &[&str] = &[
    "redis-value",
    "\"quoted value\"",
    "\"\"",
    "''",
    "\"\\x41\\x42C\"",
    "'single'",
    "'it\\'s'",
    "\"line\\nbreak\"",
    "\"tab\\tsep\"",
    "\"hash # inside\"",
    "plain#hash",
    "\"caf\u{e9}\"",
];
pub(super) const BAD_STRINGS: &[&str] = &[
    "a b",
    "\"abc",
    "a\"b",
    "'a'b",
    "\"a\"b",
    "'abc",
    "\"abc\\\"",
];
const COMMANDS: &[&str] = &[
    "FLUSHALL",
    "FLUSHDB",
    "CONFIG",
    "KEYS",
    "DEBUG",
    "SHUTDOWN",
    "MONITOR",
    "BGSAVE",
    "SAVE",
    "EVAL",
    "SCRIPT",
    "SLAVEOF",
    "bgrewriteaof",
    "flushall",
];
const ACL_RULES: &[&str] = &[
    "on >pw-{hex} ~* +@all",
    "off",
    "on nopass ~cache:* +get +set",
    "on #{hash} ~* &* +@all -@dangerous",
    "on resetpass >{hex} ~* -flushall -config",
    "on >{hex} allkeys allchannels allcommands",
];
const SHUTDOWN_FLAGS_OK: &[&str] = &["default", "save", "nosave now", "save force", "now force"];
const SHUTDOWN_FLAGS_BAD: &[&str] = &["save nosave", "bogus", "save bogus", "\"\""];

/// The argument text of a valid or invalid value for `d`, with a feature tag; `None` when the
/// directive cannot take such a value in this file (context conflicts, nothing invalid).
pub(super) fn value(
    rng: &mut SplitMix64,
    ctx: &mut Ctx,
    d: &Directive,
    valid: bool,
) -> Option<(String, &'static str)> {
    match &d.kind {
        Kind::Bool if d.name == "cluster-enabled" => Some(cluster_enabled(rng, ctx, valid)),
        Kind::Bool => Some(bool_value(rng, d, valid)),
        // A TLS port turns TLS on, which needs certificates at startup (module header).
        Kind::Int { .. } if d.name == "tls-port" && valid => Some(("0".into(), "int-edge")),
        Kind::Int { lo, hi } => Some(int_value(rng, *lo, *hi, valid)),
        Kind::Memory { lo, hi } => Some(memory_value(rng, *lo, *hi, valid)),
        Kind::MemoryOrPercent => Some(memory_or_percent(rng, valid)),
        Kind::Octal => Some(octal_value(rng, valid)),
        Kind::Enum(values) => Some(enum_value(rng, values, valid)),
        Kind::EnumFlags(_) => Some(if valid {
            (rng.pick(SHUTDOWN_FLAGS_OK).to_string(), "enum-flags")
        } else {
            (
                rng.pick(SHUTDOWN_FLAGS_BAD).to_string(),
                "enum-flags-invalid",
            )
        }),
        Kind::Str => string_value(rng, ctx, d, valid),
        Kind::Form(form) => form_value(rng, ctx, form, valid),
        Kind::DeprecatedIgnored => Some(if valid {
            (
                rng.pick(&["512", "64", "abc"]).to_string(),
                "deprecated-ignored",
            )
        } else {
            (
                rng.pick(&["1 2", "\"\" x"]).to_string(),
                "deprecated-ignored-arity",
            )
        }),
    }
}

fn bool_value(rng: &mut SplitMix64, d: &Directive, valid: bool) -> (String, &'static str) {
    if !valid {
        return (rng.pick(BAD_BOOL).to_string(), "bool-invalid");
    }
    // Debian's build refuses `activedefrag yes`; TLS turned on needs certificates at startup
    // (see the module header).
    const ONLY_NO: &[&str] = &["activedefrag", "tls-replication", "tls-cluster"];
    let word = if ONLY_NO.contains(&d.name.as_str()) {
        "no"
    } else {
        rng.pick(&["yes", "no"])
    };
    (mixed_case(rng, word), "bool")
}

/// `cluster-enabled yes` only where no `replicaof` is set (their conflict is a post-parse check).
fn cluster_enabled(rng: &mut SplitMix64, ctx: &mut Ctx, valid: bool) -> (String, &'static str) {
    if !valid {
        return (rng.pick(BAD_BOOL).to_string(), "bool-invalid");
    }
    let yes = !ctx.replicaof && rng.chance(50);
    ctx.cluster_enabled |= yes;
    (mixed_case(rng, if yes { "yes" } else { "no" }), "bool")
}

fn int_value(rng: &mut SplitMix64, lo: i128, hi: i128, valid: bool) -> (String, &'static str) {
    if valid {
        let v = match rng.below(5) {
            0 => lo,
            1 => hi,
            2 => rng.between(lo, hi.min(lo + 1000)),
            _ => rng.between(lo, hi),
        };
        let edge = v == lo || v == hi;
        let text = if rng.chance(8) {
            format!("\"{v}\"")
        } else {
            v.to_string()
        };
        return (text, if edge { "int-edge" } else { "int" });
    }
    match rng.below(3) {
        0 if lo > i64::MIN as i128 => ((lo - 1).to_string(), "int-below-range"),
        1 => ((hi + 1).to_string(), "int-above-range"),
        _ => (rng.pick(BAD_INT).to_string(), "int-malformed"),
    }
}

fn memory_value(rng: &mut SplitMix64, lo: i128, hi: i128, valid: bool) -> (String, &'static str) {
    if valid {
        if hi == u64::MAX as i128 && rng.chance(25) {
            // Redis accepts and wraps (or reads `mb` / `""` as 0): a "stricter than Redis" case.
            let quirk = rng.pick(&["mb", "\"\"", "99999999999999999999gb", "GB"]);
            return (quirk.to_string(), "memory-quirk");
        }
        let (unit, mult) = *rng.pick(UNITS);
        let min_n = (lo + mult - 1) / mult;
        let max_n = (hi / mult).min(min_n + 4096);
        let n = rng.between(min_n, max_n.max(min_n));
        let zeros = if rng.chance(5) { "00" } else { "" };
        let text = format!("{zeros}{n}{}", mixed_case(rng, unit));
        return (
            text,
            if unit.is_empty() {
                "memory"
            } else {
                "memory-unit"
            },
        );
    }
    if lo > 0 && rng.chance(50) {
        return ("0".to_string(), "memory-below-range");
    }
    (rng.pick(BAD_MEMORY).to_string(), "memory-invalid")
}

fn memory_or_percent(rng: &mut SplitMix64, valid: bool) -> (String, &'static str) {
    if valid {
        if rng.chance(50) {
            return (format!("{}%", rng.between(0, 100)), "percent");
        }
        return memory_value(rng, 0, i64::MAX as i128, true);
    }
    let bad = rng.pick(&["101%", "200%", "-1%", "50.5%", "%", "5%%", "1.5gb"]);
    (bad.to_string(), "percent-invalid")
}

fn octal_value(rng: &mut SplitMix64, valid: bool) -> (String, &'static str) {
    if valid {
        let v = rng.pick(&["777", "0777", "700", "0", "0700", "660", "755"]);
        return (v.to_string(), "octal");
    }
    let v = rng.pick(&["999", "8", "1777", "abc", "-1", "0x1ff", "77 7"]);
    (v.to_string(), "octal-invalid")
}

fn enum_value(rng: &mut SplitMix64, values: &[String], valid: bool) -> (String, &'static str) {
    if valid {
        let v = rng.pick(values).clone();
        return (mixed_case(rng, &v), "enum");
    }
    let v = rng.pick(values).clone();
    let bad = match rng.below(4) {
        0 => "bogus".to_string(),
        1 => format!("{v} {v}"),
        2 => "\"\"".to_string(),
        _ => misspell(rng, &v),
    };
    if values.iter().any(|x| x.eq_ignore_ascii_case(&bad)) {
        return ("bogus".to_string(), "enum-invalid");
    }
    (bad, "enum-invalid")
}

fn string_value(
    rng: &mut SplitMix64,
    ctx: &mut Ctx,
    d: &Directive,
    valid: bool,
) -> Option<(String, &'static str)> {
    let special = match d.name.as_str() {
        "dbfilename" | "appendfilename" | "appenddirname" => Some(if valid {
            (format!("file-{}.dat", hex(rng, 4)), "basename")
        } else {
            (
                rng.pick(&["/data/dump.rdb", "dir/file", "\"a/b\""])
                    .to_string(),
                "basename-invalid",
            )
        }),
        "cluster-announce-hostname" => Some(if valid {
            ("redis-0.example.internal".to_string(), "hostname")
        } else {
            (
                rng.pick(&["bad_host", "\"a b\"", "host!"]).to_string(),
                "hostname-invalid",
            )
        }),
        "proc-title-template" => Some(if valid {
            (
                rng.pick(&[
                    "\"{title} {port}\"",
                    "\"{title} {listen-addr} {server-mode}\"",
                ])
                .to_string(),
                "proc-title",
            )
        } else {
            (
                rng.pick(&["\"{foo}\"", "\"{title\""]).to_string(),
                "proc-title-invalid",
            )
        }),
        "aclfile" => {
            if !valid || !ctx.users.is_empty() {
                return None;
            }
            ctx.aclfile = true;
            Some(("/etc/redis/users.acl".to_string(), "string"))
        }
        _ => None,
    };
    if special.is_some() {
        return special;
    }
    Some(if valid {
        (rng.pick(STRING_VALUES).to_string(), "string")
    } else {
        (rng.pick(BAD_STRINGS).to_string(), "bad-quoting")
    })
}

fn form_value(
    rng: &mut SplitMix64,
    ctx: &mut Ctx,
    form: &str,
    valid: bool,
) -> Option<(String, &'static str)> {
    let pick = |rng: &mut SplitMix64, ok: &[&str], bad: &[&str], tag| {
        let list = if valid { ok } else { bad };
        Some((rng.pick(list).to_string(), tag))
    };
    match form {
        "existing-dir" => pick(rng, &["/tmp", "."], &["", "/tmp /tmp"], "dir"),
        "save" => pick(
            rng,
            &[
                "900 1",
                "900 1 300 10",
                "\"\"",
                "''",
                "",
                "\"3600 1 300 100\"",
                "+900 01",
                "3600 1 300 100 60 10000",
            ],
            &["900", "0 1", "900 1 300", "900 -1", "abc 1", "900 abc"],
            "save",
        ),
        "client-output-buffer-limit" => pick(
            rng,
            &[
                "normal 0 0 0",
                "replica 256mb 64mb 60",
                "slave 256MB 64Mb 60",
                "pubsub 32mb 8mb 60",
                "normal 0 0 0 pubsub 32mb 8mb 60",
            ],
            &[
                "master 0 0 0",
                "replica 256mb 64mb",
                "pubsub 32MiB 8mb 60",
                "pubsub 32mb 8mb -1",
                "normal 1.5gb 0 0",
            ],
            "client-output-buffer-limit",
        ),
        "int-triple" => {
            if valid {
                let v: Vec<String> = (0..3)
                    .map(|_| rng.between(-2000, 2000).to_string())
                    .collect();
                Some((v.join(" "), "int-triple"))
            } else {
                pick(
                    rng,
                    &[],
                    &["0 200", "0 200 800 1", "0 2001 800", "0 abc 800"],
                    "",
                )
                .map(|(v, _)| (v, "int-triple-invalid"))
            }
        }
        "flags-string" => {
            if valid {
                let chars: Vec<char> = "Ag$lshzxeKEtmdn".chars().collect();
                let n = 1 + rng.below(4);
                let s: String = (0..n).map(|_| *rng.pick(&chars)).collect();
                let list = [s.as_str(), "\"\"", "KEA", "Ex"];
                Some((rng.pick(&list).to_string(), "notify-keyspace-events"))
            } else {
                pick(rng, &[], &["Z", "KEAZ", "K E", "\"K E\""], "")
                    .map(|(v, _)| (v, "notify-keyspace-events-invalid"))
            }
        }
        "address-list" => {
            if valid {
                let sixteen: Vec<String> = (1..=16).map(|i| format!("10.0.0.{i}")).collect();
                let sixteen = sixteen.join(" ");
                let list = [
                    "127.0.0.1",
                    "127.0.0.1 -::1",
                    "* -::*",
                    "0.0.0.0",
                    "\"\"",
                    "10.0.0.1 10.0.0.2",
                    "\"127.0.0.1 ::1\"",
                    sixteen.as_str(),
                ];
                Some((rng.pick(&list).to_string(), "bind"))
            } else {
                let seventeen: Vec<String> = (1..=17).map(|i| format!("10.0.0.{i}")).collect();
                Some((seventeen.join(" "), "bind-invalid"))
            }
        }
        "host-port" => {
            if valid && ctx.cluster_enabled {
                return None;
            }
            ctx.replicaof |= valid;
            pick(
                rng,
                &["127.0.0.1 6380", "no one", "redis-0.redis 6379", "NO ONE"],
                &[
                    "redis-0 abc",
                    "redis-0",
                    "redis-0 6379 extra",
                    "redis-0 70000",
                ],
                "replicaof",
            )
        }
        "float-list" => pick(
            rng,
            &["50 99 99.9", "\"\"", "0 100", "99.99"],
            &["101", "abc", "50 -1"],
            "latency-percentiles",
        ),
        "path" => pick(
            rng,
            &["/dev/null", "/nonexistent-grill-lint/*.conf"],
            &["", "/dev/null /dev/null"],
            "include",
        ),
        "rename" => rename_value(rng, ctx, valid),
        "acl-user" => user_value(rng, ctx, valid),
        "module" => pick(
            rng,
            &["/usr/lib/redis/modules/example.so", "/opt/mod.so arg1 arg2"],
            &[""],
            "loadmodule",
        ),
        "module-config" => pick(rng, &["1", "yes", "\"a b\""], &[""], "module-config"),
        _ => None,
    }
}

fn rename_value(
    rng: &mut SplitMix64,
    ctx: &mut Ctx,
    valid: bool,
) -> Option<(String, &'static str)> {
    if !valid {
        let bad = match rng.below(4) {
            0 => "NOTACOMMAND x".to_string(),
            1 => "FLUSHALL".to_string(),
            2 => "FLUSHALL \"\" x".to_string(),
            _ => "KEYS GET".to_string(),
        };
        return Some((bad, "rename-command-invalid"));
    }
    let fresh: Vec<&&str> = COMMANDS
        .iter()
        .filter(|c| !ctx.renamed.contains(&c.to_ascii_lowercase()))
        .collect();
    if fresh.is_empty() {
        return None;
    }
    let cmd = **rng.pick(&fresh);
    ctx.renamed.insert(cmd.to_ascii_lowercase());
    let target = if rng.chance(40) {
        "\"\"".to_string()
    } else {
        format!("renamed-{}", hex(rng, 8))
    };
    Some((format!("{cmd} {target}"), "rename-command"))
}

fn user_value(rng: &mut SplitMix64, ctx: &mut Ctx, valid: bool) -> Option<(String, &'static str)> {
    if ctx.aclfile {
        return None;
    }
    if !valid {
        let bad = rng.pick(&[
            "bob on badrule",
            "bob on >pw # note",
            "bob on ~",
            "bob on >a <b",
        ]);
        return Some((bad.to_string(), "user-invalid"));
    }
    let name = if ctx.users.contains("default") || rng.chance(70) {
        format!("user-{}", hex(rng, 6))
    } else {
        "default".to_string()
    };
    ctx.users.insert(name.clone());
    let rules = rng
        .pick(ACL_RULES)
        .replace("{hex}", &hex(rng, 10))
        .replace("{hash}", &hex(rng, 64));
    Some((format!("{name} {rules}"), "user"))
}
