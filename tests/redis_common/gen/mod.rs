//! The seeded config generator: small redis.conf and sentinel.conf files, about half of them
//! meant to be refused, drawn from the directive catalogue.
//!
//! The generator's own guess of the verdict (`expect_valid`) is only used to balance the corpus
//! and to print how often the guess matched; the truth is always what redis-server says.
//!
//! Deliberately NOT generated, because their outcome depends on the machine or on startup
//! rather than on the file (documented in the test's header too): `dir`, `include` and
//! `sentinel notification-script` paths missing on the test machine (they name container paths
//! in a real deployment), ACL rules naming unknown commands or categories, a module option
//! without its `loadmodule` line, the `aclfile`+`user` and `cluster-enabled`+`replicaof`
//! conflicts (all checked after parsing, which the parse-only oracle never reaches;
//! `post_parse_refusals_agree_with_a_real_start` checks them with a real start instead),
//! `activedefrag yes` (Debian's build refuses it, upstream images accept it), TLS turned on
//! (`tls-port`, `tls-replication`, `tls-cluster`: refused at startup without certificates), and
//! TLS options or start-sized settings (`databases`, `maxclients`, …) in sentinel files.

mod sentinel;
mod text;
mod values;

use super::rng::SplitMix64;
use super::table::{self, Directive, Kind};
use sentinel::{
    maybe_swap_two_lines, monitor_line, sentinel_edge, sentinel_invalid, sentinel_option,
};
use std::collections::HashSet;
use text::{decorate, directive_line, hex, misspell, mixed_case, written_name};
use values::{value, BAD_STRINGS};

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
        let mut rng = SplitMix64::for_case(seed, index ^ 0x05E1_71E1);
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
            let bad = match rng.below(10) {
                0 | 1 => self.simple_line(&mut rng, false),
                2 | 3 => sentinel_edge(&mut rng),
                _ => sentinel_invalid(&mut rng, &mut ctx),
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

/// One random character-level edit (a quote, backslash, `#`, blank inserted; a character
/// dropped) of one directive line: tokenizer corners nobody listed. Lines naming paths (`dir`,
/// `include`) are left alone (an edited path would be missing on this machine), and so are
/// `user` lines (an edited command name in an ACL rule is refused only at startup); no `.` is
/// inserted: a dotted name is a module option, refused only after parsing.
fn mutate_a_line(rng: &mut SplitMix64, lines: &mut [Line]) {
    let candidates: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = &lines[i];
            let path = matches!(l.directive.as_deref(), Some("dir" | "include" | "user"));
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

/// Whether a real start (the sentinel oracle) decides the directive by the file alone: TLS
/// options fail without certificates, and sizes that a start allocates or raises limits for
/// (`databases 2147483647`, `maxclients 3172615986`) run the start out of time or memory.
fn decidable_at_start(d: &Directive) -> bool {
    const SIZED_AT_START: &[&str] = &["databases", "maxclients", "io-threads", "oom-score-adj"];
    !d.name.starts_with("tls-") && !SIZED_AT_START.contains(&d.name.as_str())
}

/// The value grammar a directive is checked with: its kind, each multi-argument form on its
/// own, the strings with a validator apart from free strings, and ints and memory sizes by the
/// sign of their lower bound (so that range edges come up often).
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
        Kind::Int { lo, .. } => format!("int:{}", lo.signum()),
        other => format!("{:?}", std::mem::discriminant(other)),
    }
}
