//! The seeded config generator: small redis.conf and sentinel.conf files, about half of them
//! meant to be refused, drawn from the directive catalogue.
//!
//! The generator's own guess of the verdict (`expect_valid`) is only used to balance the corpus
//! and to print how often the guess matched; the truth is always what redis-server says.
//!
//! Deliberately NOT generated, because their outcome depends on the machine or on startup
//! rather than on the file (documented in the test's header too): `dir`, `include` and
//! `sentinel notification-script` paths missing on the test machine (they name container paths
//! in a real deployment), a module option without its `loadmodule` line and the
//! `aclfile`+`user` and `cluster-enabled`+`replicaof` conflicts (post-parse checks the
//! parse-only oracle never reaches), `activedefrag yes` (Debian's build refuses it, production
//! images accept it), and TLS options in sentinel files (a real start needs certificates).

use super::rng::SplitMix64;
use super::table::{self, Directive, Kind};
use std::collections::HashSet;

/// One generated file.
#[derive(Clone, Debug)]
pub struct Config {
    pub index: u64,
    pub text: String,
    /// The generator's guess (see the module header).
    pub expect_valid: bool,
    /// Feature tags of every line (`bool`, `memory-unit`, `inline-comment`, …) for coverage.
    pub features: Vec<&'static str>,
    /// Canonical names of the catalogue directives the file uses.
    pub directives: Vec<String>,
}

/// One line before assembly.
struct Line {
    text: String,
    valid: bool,
    feature: &'static str,
    directive: Option<String>,
}

impl Line {
    fn new(text: String, valid: bool, feature: &'static str) -> Line {
        Line {
            text,
            valid,
            feature,
            directive: None,
        }
    }
    fn of(mut self, directive: &str) -> Line {
        self.directive = Some(directive.to_string());
        self
    }
}

/// Cross-line state of one file, so that valid lines stay valid together.
#[derive(Default)]
struct Ctx {
    users: HashSet<String>,
    renamed: HashSet<String>,
    aclfile: bool,
    cluster_enabled: bool,
    replicaof: bool,
    masters: Vec<String>,
    sentinel_renamed: HashSet<(String, String)>,
    resolve_hostnames: bool,
    myid: bool,
}

/// Directive names removed from Redis long ago, or simply wrong.
const UNKNOWN_NAMES: &[&str] = &[
    "vm-enabled",
    "hash-max-zipmap-entries",
    "glueoutputbuf",
    "foo-bar",
    "maxmemory-polcy",
    "slave-of",
    "appendonly-yes",
    "requirepassword",
];

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
const BAD_STRINGS: &[&str] = &[
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

/// Hand-picked lines at the edges of Redis' tokenizer and grammar, with the generator's guess
/// (checked against redis-server 7.0.15 when written; the oracle decides anyway).
const EDGE_LINES: &[(&str, bool)] = &[
    (r#"maxmemory "\x31\x30mb""#, true),
    (r#"maxmemory "\x3""#, false),
    (r#"requirepass "\xZZ""#, true),
    (r#"requirepass "a\"b""#, true),
    (r#"requirepass "abc\""#, false),
    (r#"requirepass "ab\"#, false),
    (r"requirepass 'a\'b'", true),
    (r"requirepass 'a\\'", false),
    (r#"requirepass ""x"#, false),
    (r#"requirepass "" """#, false),
    (r#"requirepass " ""#, true),
    (r#""" yes"#, false),
    (r#""maxmemory" "100mb""#, true),
    ("'appendonly' 'yes'", true),
    ("maxmemory\u{b}100mb", true),
    ("maxmemory\u{c}100mb", true),
    ("maxmemory 100mb\u{b}", true),
    ("maxmemory\u{a0}100mb", false),
    ("slowlog-log-slower-than -9223372036854775808", false),
    ("slowlog-log-slower-than 9223372036854775807", true),
    ("slowlog-log-slower-than -1", true),
    ("SAVE 900 1", true),
    ("Include /dev/null", true),
    ("USER edge-user on >pw ~* +@all", true),
    (r#"Rename-Command KEYS """#, true),
    ("LoadModule /opt/x.so", true),
    (r#"save " ""#, true),
    (r#"save "900 1 300""#, false),
    (r#"save 900 1 """#, false),
    ("save -1 1", false),
    ("save 900 1 300 10 60 10000 1 1", true),
    (r#"bind "" 127.0.0.1"#, true),
    ("bind -127.0.0.1", true),
    ("notify-keyspace-events K E", false),
    (r#"notify-keyspace-events "$""#, true),
    ("maxmemory-clients 0%", true),
    ("maxmemory-clients 100%", true),
    (r#"latency-tracking-info-percentiles "50 99""#, true),
    ("latency-tracking-info-percentiles 1e1", true),
    ("latency-tracking-info-percentiles 50 nan", false),
    (r#"client-output-buffer-limit "normal 0 0 0""#, true),
    ("client-output-buffer-limit normal 0 0 0 replica", false),
    ("client-output-buffer-limit normal 0 0 abc", false),
    ("client-output-buffer-limit NORMAL 1GB 1gb 10", true),
    (r#"oom-score-adj-values "0 200 800""#, true),
    (r#"shutdown-on-sigterm "save now""#, true),
    ("user edge-sel on (~x +get)", true),
    ("user edge-sel2 on >pw (~x +get", false),
    ("user edge-pat on ~x %R~y &c +@read -@all", true),
    ("user edge-reset reset on >pw allkeys allcommands", true),
    ("user edge-rm on <pw", false),
    (r#"user "edge spaced" on"#, true),
    ("replicaof no one extra", false),
    ("replicaof 127.0.0.1 -1", false),
    ("replicaof 127.0.0.1 65536", false),
    ("maxmemory 18446744073709551615", true),
    ("maxmemory 18446744073709551616", true),
    ("port -0", false),
    ("port 00", false),
    ("unixsocketperm 0o777", false),
    ("unixsocketperm 7777", false),
    ("hz 0", true),
    ("hz 501", true),
    ("hz -1", false),
    (r#"appendonly "yes ""#, false),
    ("appendonly ''", false),
    (r#"dbfilename """#, true),
    ("dbfilename ..", true),
    ("appenddirname dir/x", false),
    (r#"proc-title-template """#, false),
    (r#"proc-title-template "{title}{port}""#, true),
    ("list-max-ziplist-entries", false),
    ("lua-replicate-commands yes", true),
];

pub struct Generator {
    table: Vec<Directive>,
    /// Indices into `table` of the 7.0 directives, grouped by [`value_class`].
    classes: Vec<Vec<usize>>,
    /// Every name any version accepts, lower-cased (to keep misspellings unknown).
    known: HashSet<String>,
}

impl Default for Generator {
    fn default() -> Generator {
        Generator::new()
    }
}

impl Generator {
    pub fn new() -> Generator {
        let table = table::load();
        let known = table
            .iter()
            .flat_map(|d| d.names_7_0.iter().chain(&d.newer_names))
            .map(|n| n.to_ascii_lowercase())
            .collect();
        let mut by_class: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (i, d) in table.iter().enumerate() {
            if d.in_7_0() && d.kind != Kind::Form("sentinel".into()) {
                by_class.entry(value_class(d)).or_default().push(i);
            }
        }
        let classes = by_class.into_values().collect();
        Generator {
            table,
            classes,
            known,
        }
    }

    /// Canonical names of the directives redis-server 7.0 accepts (coverage target).
    pub fn names_7_0(&self) -> Vec<String> {
        self.table
            .iter()
            .filter(|d| d.in_7_0() && self.usable_in_redis(d))
            .map(|d| d.name.clone())
            .collect()
    }

    fn usable_in_redis(&self, d: &Directive) -> bool {
        d.kind != Kind::Form("sentinel".into())
    }

    /// A redis.conf of a few lines, roughly half meant to be refused.
    pub fn redis_config(&self, seed: u64, index: u64) -> Config {
        let mut rng = SplitMix64::for_case(seed, index);
        let mut ctx = Ctx::default();
        let mut lines = Vec::new();
        for _ in 0..2 + rng.below(5) {
            lines.push(self.valid_line(&mut rng, &mut ctx));
            if rng.chance(20) {
                lines.push(filler(&mut rng));
            }
        }
        if rng.chance(10) {
            mutate_a_line(&mut rng, &mut lines);
        }
        if rng.chance(15) {
            let (text, valid) = *rng.pick(EDGE_LINES);
            // No `user` line next to an `aclfile` (a post-parse conflict, module header).
            let user = text
                .get(..5)
                .is_some_and(|w| w.eq_ignore_ascii_case("user "));
            if !(user && ctx.aclfile) {
                let at = rng.below(lines.len() as u64 + 1) as usize;
                lines.insert(at, Line::new(text.to_string(), valid, "edge-line"));
            }
        }
        if rng.chance(12) {
            if let Some(dup) = self.duplicate(&mut rng, &mut ctx, &lines) {
                lines.push(dup);
            }
        }
        // Below one half: mutated and edge lines make some of the other files invalid too.
        if rng.chance(40) {
            let bad_lines = if rng.chance(12) { 2 } else { 1 };
            for _ in 0..bad_lines {
                let group = self.invalid_lines(&mut rng, &mut ctx);
                let at = rng.below(lines.len() as u64 + 1) as usize;
                lines.splice(at..at, group);
            }
        }
        assemble(&mut rng, index, lines)
    }

    /// A sentinel.conf: one or two `sentinel monitor` lines, options, a few redis lines, and
    /// (about half the time) exactly one line Sentinel should refuse — only one, because
    /// Sentinel applies its lines after parsing, in its own order, so the "first" error of a
    /// file with two could legitimately be either.
    pub fn sentinel_config(&self, seed: u64, index: u64) -> Config {
        let mut rng = SplitMix64::for_case(seed, index ^ 0x5E17_1E1);
        let mut ctx = Ctx {
            resolve_hostnames: rng.chance(25),
            ..Ctx::default()
        };
        let mut lines = Vec::new();
        if ctx.resolve_hostnames {
            lines.push(Line::new(
                format!("sentinel resolve-hostnames {}", mixed_case(&mut rng, "yes")),
                true,
                "sentinel-resolve-hostnames",
            ));
        }
        for name in ["mymaster", "cache_2"]
            .iter()
            .take(1 + rng.below(2) as usize)
        {
            lines.push(monitor_line(&mut rng, &mut ctx, name));
        }
        for _ in 0..1 + rng.below(4) {
            lines.push(sentinel_option(&mut rng, &mut ctx));
        }
        for _ in 0..rng.below(3) {
            lines.push(self.simple_line(&mut rng, true));
            if rng.chance(20) {
                lines.push(filler(&mut rng));
            }
        }
        if rng.chance(50) {
            let bad = if rng.chance(20) {
                self.simple_line(&mut rng, false)
            } else {
                sentinel_invalid(&mut rng, &mut ctx)
            };
            let at = rng.below(lines.len() as u64 + 1) as usize;
            lines.insert(at, bad);
        }
        maybe_swap_two_lines(&mut rng, &mut lines);
        assemble(&mut rng, index, lines)
    }

    fn pick_directive<'a>(&'a self, rng: &mut SplitMix64) -> &'a Directive {
        loop {
            let d = rng.pick(&self.table);
            if d.in_7_0() && self.usable_in_redis(d) {
                return d;
            }
        }
    }

    /// A line redis-server should accept, drawn uniformly from the 7.0 catalogue.
    fn valid_line(&self, rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
        loop {
            let d = self.pick_directive(rng);
            if let Some((args, feature)) = value(rng, ctx, d, true) {
                let name = written_name(rng, d);
                let feature = if name != d.name && d.names_7_0.contains(&name) {
                    "alias"
                } else {
                    feature
                };
                let text = directive_line(rng, d, &name, &args);
                return Line::new(text, true, feature).of(&d.name);
            }
        }
    }

    /// A line of a plain-typed directive (bool/int/memory/enum), valid or not: the redis part
    /// of a sentinel.conf, where special forms behave differently.
    fn simple_line(&self, rng: &mut SplitMix64, valid: bool) -> Line {
        loop {
            let d = self.pick_directive(rng);
            let plain = matches!(
                d.kind,
                Kind::Bool | Kind::Int { .. } | Kind::Memory { .. } | Kind::Enum(_)
            );
            if !plain || !decidable_at_start(d) {
                continue;
            }
            let mut ctx = Ctx::default();
            if let Some((args, feature)) = value(rng, &mut ctx, d, valid) {
                let name = written_name(rng, d);
                return Line::new(decorate(rng, &name, &args), valid, feature).of(&d.name);
            }
        }
    }

    /// The same single-value directive as an earlier line, set again (Redis: last one wins).
    fn duplicate(&self, rng: &mut SplitMix64, ctx: &mut Ctx, lines: &[Line]) -> Option<Line> {
        let earlier = lines
            .iter()
            .filter_map(|l| l.directive.as_deref())
            .find(|n| {
                self.table.iter().any(|d| {
                    d.name == *n
                        && matches!(
                            d.kind,
                            Kind::Bool | Kind::Int { .. } | Kind::Memory { .. } | Kind::Enum(_)
                        )
                })
            })?;
        let d = self.table.iter().find(|d| d.name == earlier)?;
        let (args, _) = value(rng, ctx, d, true)?;
        Some(Line::new(decorate(rng, &d.name, &args), true, "duplicate").of(&d.name))
    }

    /// One line (or a valid line plus the line that makes it fail) redis-server should refuse.
    fn invalid_lines(&self, rng: &mut SplitMix64, ctx: &mut Ctx) -> Vec<Line> {
        match rng.below(100) {
            0..=39 => vec![self.bad_value(rng, ctx)],
            40..=47 => vec![self.bad_arity(rng, ctx)],
            48..=57 => vec![self.unknown_name(rng, ctx)],
            58..=62 => vec![self.newer_name(rng, ctx)],
            63..=70 => vec![self.bad_quoting(rng)],
            71..=82 => vec![self.inline_comment(rng, ctx)],
            83..=91 => failing_duplicate(rng, ctx),
            92..=96 => vec![Line::new(
                "sentinel monitor mymaster 127.0.0.1 6379 2".into(),
                false,
                "sentinel-in-redis-mode",
            )
            .of("sentinel")],
            _ => vec![Line::new(
                format!("rename-command CONFIG|SET cfgset-{}", hex(rng, 6)),
                false,
                "rename-subcommand-crash",
            )
            .of("rename-command")],
        }
    }

    /// A bad value for a directive of a uniformly drawn value class, so that classes with a
    /// single directive (octal, percent, each multi-argument form) are reached as often as ints.
    fn bad_value(&self, rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
        loop {
            let class = rng.pick(&self.classes);
            let d = &self.table[*rng.pick(class)];
            if let Some((args, feature)) = value(rng, ctx, d, false) {
                let name = written_name(rng, d);
                let text = directive_line(rng, d, &name, &args);
                return Line::new(text, false, feature).of(&d.name);
            }
        }
    }

    /// A single-argument directive with none or two arguments.
    fn bad_arity(&self, rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
        loop {
            let d = self.pick_directive(rng);
            let single = matches!(
                d.kind,
                Kind::Bool
                    | Kind::Int { .. }
                    | Kind::Memory { .. }
                    | Kind::Octal
                    | Kind::Enum(_)
                    | Kind::Str
                    | Kind::DeprecatedIgnored
            );
            if !single {
                continue;
            }
            let Some((args, _)) = value(rng, ctx, d, true) else {
                continue;
            };
            let text = if rng.chance(40) {
                d.name.clone()
            } else {
                format!("{} {args} {args}", d.name)
            };
            return Line::new(text, false, "arity").of(&d.name);
        }
    }

    fn unknown_name(&self, rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
        loop {
            let d = self.pick_directive(rng);
            let args = value(rng, ctx, d, true).map(|v| v.0).unwrap_or_default();
            if rng.chance(30) {
                let name = rng.pick(UNKNOWN_NAMES);
                return Line::new(format!("{name} {args}"), false, "unknown-name");
            }
            let base = rng.pick(&d.names_7_0).clone();
            let name = misspell(rng, &base);
            let plain = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
            if plain && !self.known.contains(&name.to_ascii_lowercase()) {
                return Line::new(format!("{name} {args}"), false, "misspelled-name");
            }
        }
    }

    /// A name only Redis 7.2+ accepts, with a value valid for it.
    fn newer_name(&self, rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
        let newer: Vec<&Directive> = self
            .table
            .iter()
            .filter(|d| !d.newer_names.is_empty())
            .collect();
        loop {
            let d = *rng.pick(&newer);
            if let Some((args, _)) = value(rng, ctx, d, true) {
                let name = rng.pick(&d.newer_names);
                return Line::new(format!("{name} {args}"), false, "newer-version-name");
            }
        }
    }

    fn bad_quoting(&self, rng: &mut SplitMix64) -> Line {
        loop {
            let d = self.pick_directive(rng);
            if d.kind == Kind::Str && !d.name.starts_with("tls-") {
                let value = rng.pick(BAD_STRINGS);
                return Line::new(format!("{} {value}", d.name), false, "bad-quoting").of(&d.name);
            }
        }
    }

    /// A valid single-value line followed by `# comment` (Redis has no inline comments).
    fn inline_comment(&self, rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
        loop {
            let d = self.pick_directive(rng);
            let single = matches!(
                d.kind,
                Kind::Bool | Kind::Int { .. } | Kind::Memory { .. } | Kind::Enum(_)
            );
            if let (true, Some((args, _))) = (single, value(rng, ctx, d, true)) {
                let comment = rng.pick(&["# comment", "#x", "# cache size", "#"]);
                let text = format!("{} {args} {comment}", d.name);
                return Line::new(text, false, "inline-comment").of(&d.name);
            }
        }
    }
}

/// The argument text of a valid or invalid value for `d`, with a feature tag; `None` when the
/// directive cannot take such a value in this file (context conflicts, nothing invalid).
fn value(
    rng: &mut SplitMix64,
    ctx: &mut Ctx,
    d: &Directive,
    valid: bool,
) -> Option<(String, &'static str)> {
    match &d.kind {
        Kind::Bool if d.name == "cluster-enabled" => Some(cluster_enabled(rng, ctx, valid)),
        Kind::Bool => Some(bool_value(rng, d, valid)),
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
    // Debian's build refuses `activedefrag yes` (see the module header).
    let word = if d.name == "activedefrag" {
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

/// A pair: a valid `user`/`rename-command` line and the later line that repeats it.
fn failing_duplicate(rng: &mut SplitMix64, ctx: &mut Ctx) -> Vec<Line> {
    if rng.chance(50) && !ctx.aclfile {
        let name = format!("dup-{}", hex(rng, 6));
        ctx.users.insert(name.clone());
        vec![
            Line::new(format!("user {name} on >{} ~*", hex(rng, 8)), true, "user").of("user"),
            Line::new(format!("user {name} off"), false, "user-duplicate").of("user"),
        ]
    } else {
        let cmd = format!("SUNION{}", ["", "STORE"][rng.below(2) as usize]);
        vec![
            Line::new(
                format!("rename-command {cmd} r1-{}", hex(rng, 4)),
                true,
                "rename-command",
            )
            .of("rename-command"),
            Line::new(
                format!("rename-command {cmd} r2-{}", hex(rng, 4)),
                false,
                "rename-command-twice",
            )
            .of("rename-command"),
        ]
    }
}

fn monitor_line(rng: &mut SplitMix64, ctx: &mut Ctx, name: &str) -> Line {
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

fn sentinel_option(rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
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

fn sentinel_invalid(rng: &mut SplitMix64, ctx: &mut Ctx) -> Line {
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
fn maybe_swap_two_lines(rng: &mut SplitMix64, lines: &mut [Line]) {
    if lines.len() > 1 && rng.chance(20) {
        let a = rng.below(lines.len() as u64) as usize;
        let b = rng.below(lines.len() as u64) as usize;
        lines.swap(a, b);
    }
}

/// One random character-level edit (a quote, backslash, `#`, blank inserted; a character
/// dropped) of one directive line: tokenizer corners nobody listed. Lines naming paths (`dir`,
/// `include`) are left alone: an edited path would be missing on this machine; no `.` is
/// inserted: a dotted name is a module option, refused only after parsing.
fn mutate_a_line(rng: &mut SplitMix64, lines: &mut [Line]) {
    let candidates: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = &lines[i];
            let path = matches!(l.directive.as_deref(), Some("dir" | "include"));
            l.directive.is_some() && !path && !l.text.contains('\n')
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    let line = &mut lines[*rng.pick(&candidates)];
    let mut chars: Vec<char> = line.text.chars().collect();
    let at = rng.below(chars.len() as u64 + 1) as usize;
    if rng.chance(25) && at < chars.len() {
        chars.remove(at);
    } else {
        chars.insert(
            at,
            *rng.pick(&[' ', '"', '\'', '\\', '#', '\t', 'x', '0', '%']),
        );
    }
    line.text = chars.into_iter().collect();
    line.valid = false;
    line.feature = "mutated-line";
}

/// A comment or blank line.
fn filler(rng: &mut SplitMix64) -> Line {
    let text = rng.pick(&[
        "",
        "# a comment",
        "   # indented comment",
        "\t",
        "#maxmemory 1gb",
    ]);
    Line::new(text.to_string(), true, "comment-or-blank")
}

fn assemble(rng: &mut SplitMix64, index: u64, lines: Vec<Line>) -> Config {
    let eol = if rng.chance(5) { "\r\n" } else { "\n" };
    let mut text = lines
        .iter()
        .map(|l| l.text.replace('\n', eol))
        .collect::<Vec<_>>()
        .join(eol);
    if rng.chance(90) {
        text.push_str(eol);
    }
    Config {
        index,
        text,
        expect_valid: lines.iter().all(|l| l.valid),
        features: lines.iter().map(|l| l.feature).collect(),
        directives: lines.iter().filter_map(|l| l.directive.clone()).collect(),
    }
}

/// The name as written: canonical, an alias, or in another letter case.
fn written_name(rng: &mut SplitMix64, d: &Directive) -> String {
    if d.kind == Kind::Form("module-config".into()) {
        return rng
            .pick(&["examplemod.max-items", "search.timeout"])
            .to_string();
    }
    let name = rng.pick(&d.names_7_0).clone();
    if rng.chance(10) {
        mixed_case(rng, &name)
    } else {
        name
    }
}

/// The decorated line; a module option comes with the `loadmodule` line of its module (without
/// one, Redis refuses after parsing, which the parse-only oracle cannot see).
fn directive_line(rng: &mut SplitMix64, d: &Directive, name: &str, args: &str) -> String {
    let line = decorate(rng, name, args);
    match name.split_once('.') {
        Some((module, _)) if d.kind == Kind::Form("module-config".into()) => {
            format!("loadmodule /usr/lib/redis/modules/{module}.so\n{line}")
        }
        _ => line,
    }
}

/// `name args` with Redis-neutral variations: indentation, tabs, trailing blanks, a quoted name.
fn decorate(rng: &mut SplitMix64, name: &str, args: &str) -> String {
    let indent = if rng.chance(8) {
        *rng.pick(&["  ", "\t"])
    } else {
        ""
    };
    let sep = if rng.chance(8) {
        *rng.pick(&["\t", "   "])
    } else {
        " "
    };
    let trail = if rng.chance(5) { " \t" } else { "" };
    let name = if rng.chance(3) {
        format!("\"{name}\"")
    } else {
        name.to_string()
    };
    if args.is_empty() {
        format!("{indent}{name}{trail}")
    } else {
        format!("{indent}{name}{sep}{args}{trail}")
    }
}

/// Each ASCII letter upper-cased with probability 1/3 (at least one, when there is one).
fn mixed_case(rng: &mut SplitMix64, s: &str) -> String {
    if !rng.chance(30) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if rng.chance(33) {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

/// One edit: a dropped, doubled or swapped character, or `-` turned into `_`.
fn misspell(rng: &mut SplitMix64, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return format!("{s}x");
    }
    let i = rng.below(chars.len() as u64 - 1) as usize;
    match rng.below(4) {
        0 => {
            chars.remove(i);
        }
        1 => chars.insert(i, chars[i]),
        2 => chars.swap(i, i + 1),
        _ => {
            if let Some(p) = chars.iter().position(|&c| c == '-') {
                chars[p] = '_';
            } else {
                chars.push('s');
            }
        }
    }
    chars.into_iter().collect()
}

fn hex(rng: &mut SplitMix64, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'))
        .collect()
}

/// Whether a real start (the sentinel oracle) decides the directive by the file alone: TLS
/// options fail without certificates, and sizes that a start allocates or raises limits for
/// (`databases 2147483647`, `maxclients 3172615986`) run the start out of time or memory.
fn decidable_at_start(d: &Directive) -> bool {
    const SIZED_AT_START: &[&str] = &["databases", "maxclients", "io-threads", "oom-score-adj"];
    !d.name.starts_with("tls-") && !SIZED_AT_START.contains(&d.name.as_str())
}

/// The value grammar a directive is checked with: its kind, each multi-argument form on its
/// own, and the strings with a validator apart from free strings.
fn value_class(d: &Directive) -> String {
    const VALIDATED: &[&str] = &[
        "dbfilename",
        "appendfilename",
        "appenddirname",
        "cluster-announce-hostname",
        "proc-title-template",
    ];
    match &d.kind {
        Kind::Form(form) => format!("form:{form}"),
        Kind::Str if VALIDATED.contains(&d.name.as_str()) => format!("string:{}", d.name),
        Kind::Memory { lo, .. } if *lo > 0 => "memory-with-minimum".into(),
        other => format!("{:?}", std::mem::discriminant(other)),
    }
}
