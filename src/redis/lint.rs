//! The file-level rules over a parsed [`RedisConf`]: `redis/unknown-directive`,
//! `invalid-value`, `ignored-value`, `inline-comment`, `duplicate-directive`, `deprecated-directive`,
//! `unexpanded-variable`, `plaintext-secret`, `daemonize`, the file-level part of
//! `protected-mode`, and for sentinel.conf the file-level parts of `sentinel/resolve-hostnames`
//! and `sentinel/quorum`.
//!
//! Findings that mean "redis-server 7.0 refuses to start" carry the detail [`REFUSAL`];
//! `redis/ignored-value` findings (Redis starts, but does not apply the line as written) carry
//! the reason's id (`hz-clamped`, …) and are never refusals. No message, label or help ever contains the value of a secret.

use super::acl;
use super::check::{check, problem_span, Problem, BAD_DIRECTIVE};
use super::commands::CommandTable;
use super::model::{Arg, Directive, RedisConf};
use super::sentinel;
use super::table::{Type, TABLE};
use super::value::{self, yes_no};
use super::ConfKind;
use crate::diag::Finding;
use crate::hash::{HashMap, HashSet};
use crate::rules::id;
use crate::source::Span;
use regex::Regex;
use std::sync::LazyLock;

/// The detail of a finding about a line Redis 7.0 refuses.
pub const REFUSAL: &str = "refusal";

/// Lints a parsed config.
pub fn lint(conf: &RedisConf) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &conf.unbalanced {
        out.push(
            Finding::new(
                id::REDIS_INVALID_VALUE,
                u.quote,
                format!(
                    "unbalanced quotes: {}; Redis refuses the line (\"Unbalanced quotes in configuration line\")",
                    u.error.describe()
                ),
            )
            .related(u.line, "this line")
            .help("quote the whole argument and escape quotes inside it: \"a\\\"b\"")
            .detail(REFUSAL),
        );
    }
    for d in &conf.directives {
        directive(conf.kind, d, &mut out);
    }
    duplicates(conf, &mut out);
    rename_commands(conf, &mut out);
    users(conf, &mut out);
    cross_line(conf, &mut out);
    match conf.kind {
        ConfKind::Sentinel => {
            for issue in sentinel::check(conf) {
                let d = &conf.directives[issue.index];
                // Problem indices count from the subcommand, which is `args[0]`.
                let f = finding(issue.rule, d, &d.args, &issue.problem);
                out.push(if issue.refusal { f.detail(REFUSAL) } else { f });
            }
        }
        ConfKind::Redis => {
            for d in conf.all("sentinel").filter(|d| !d.args.is_empty()) {
                out.push(
                    Finding::new(
                        id::REDIS_INVALID_VALUE,
                        d.line,
                        "a `sentinel` line in a redis.conf: Redis refuses it (\"sentinel directive while not in sentinel mode\")",
                    )
                    .help("move it to sentinel.conf, which redis-sentinel (or redis-server --sentinel) reads")
                    .detail(REFUSAL),
                );
            }
        }
    }
    out.sort_by_key(|f| (f.primary.file, f.primary.start));
    out
}

/// A finding for `problem` on directive `d` whose arguments were `args`.
fn finding(rule: crate::rules::RuleId, d: &Directive, args: &[Arg], p: &Problem) -> Finding {
    let what = match (d.name.as_str(), d.args.first()) {
        ("sentinel", Some(sub)) => format!("{} {}", d.written, sub.text),
        _ => d.written.clone(),
    };
    let mut f = Finding::new(
        rule,
        problem_span(d, args, p),
        format!("`{what}`: {}", p.message),
    );
    if p.arg.is_some() {
        f = f.related(d.name_span, "directive");
    }
    if let Some(h) = &p.help {
        f = f.help(h.clone());
    }
    f
}

/// A finding for a line Redis refuses (`redis/invalid-value`), or for one it accepts but does
/// not apply as written (`redis/ignored-value`, never a refusal).
fn refused(d: &Directive, args: &[Arg], p: &Problem) -> Finding {
    match p.ignored {
        Some(why) => finding(id::REDIS_IGNORED_VALUE, d, args, p).detail(why),
        None => finding(id::REDIS_INVALID_VALUE, d, args, p).detail(REFUSAL),
    }
}

fn directive(kind: ConfKind, d: &Directive, out: &mut Vec<Finding>) {
    let Some(spec) = d.spec.filter(|_| d.known) else {
        out.push(unknown(d));
        return;
    };
    // In a `user` line `#<64 hex>` is a password hash rule, not a comment.
    let comment = d
        .args
        .iter()
        .position(|a| a.hash && !(d.name == "user" && acl::is_hash_rule(&a.text)));
    let cmds = CommandTable::of(kind);
    let full = check(d, spec, &d.args, cmds);
    match (comment, full) {
        (Some(c), full) => {
            let span = d.args[c]
                .span
                .to(d.args.last().map_or(d.args[c].span, |a| a.span));
            let mut f = Finding::new(
                id::REDIS_INLINE_COMMENT,
                span,
                "a `#` after a directive is not a comment: Redis reads it and the words after it as more arguments",
            )
            .help("move the comment to its own line above the directive");
            match full {
                Err(p) if p.ignored.is_none() => {
                    f.message
                        .push_str(&format!(" and refuses the line ({})", p.message));
                    out.push(f.detail(REFUSAL));
                    // What is wrong before the comment, too.
                    if let Err(p) = check(d, spec, &d.args[..c], cmds) {
                        out.push(refused(d, &d.args[..c], &p));
                    }
                }
                // Redis takes the words after `#` as arguments and still starts.
                Err(p) => {
                    out.push(f);
                    out.push(refused(d, &d.args, &p));
                }
                Ok(()) => out.push(f),
            }
        }
        (None, Err(p)) => out.push(refused(d, &d.args, &p)),
        (None, Ok(())) => {}
    }
    if d.alias {
        out.push(
            Finding::new(
                id::REDIS_DEPRECATED_DIRECTIVE,
                d.name_span,
                format!(
                    "`{}` is a compatibility alias of `{}`",
                    d.written, spec.name
                ),
            )
            .help(format!("write `{}`", spec.name)),
        );
    }
    let value = d.args.first().map(|a| a.text.as_str());
    match (d.name.as_str(), value.and_then(yes_no)) {
        ("daemonize", Some(true)) if d.args.len() == 1 => out.push(
            Finding::new(
                id::REDIS_DAEMONIZE,
                d.args[0].span,
                "`daemonize yes` makes the container's main process exit at once (the pod restarts forever)",
            )
            .help("use `daemonize no` in containers"),
        ),
        ("protected-mode", Some(false)) if kind == ConfKind::Redis && d.args.len() == 1 => out.push(
            Finding::new(
                id::REDIS_PROTECTED_MODE,
                d.args[0].span,
                "`protected-mode no` turns off Redis' refusal of outside clients when no password is set",
            )
            .help("keep `protected-mode yes` and require a password (from a Secret)"),
        ),
        _ => {}
    }
    if d.name == "bind" && loopback_only(&d.args) {
        out.push(
            Finding::new(
                id::REDIS_PROTECTED_MODE,
                d.line,
                "`bind` lists only loopback addresses: other pods cannot connect",
            )
            .help("bind `* -::*` (or `0.0.0.0`) and restrict clients with a NetworkPolicy"),
        );
    }
    variables(d, out);
    secrets(d, out);
}

fn loopback_only(args: &[Arg]) -> bool {
    let addrs: Vec<&str> = args
        .iter()
        .flat_map(|a| a.text.split_whitespace())
        .map(|a| a.trim_start_matches('-'))
        .collect();
    !addrs.is_empty()
        && addrs
            .iter()
            .all(|a| a.starts_with("127.") || *a == "::1" || a.eq_ignore_ascii_case("localhost"))
}

fn unknown(d: &Directive) -> Finding {
    if let Some(len) = glued_password(d) {
        let directive = &d.written[..len];
        return Finding::new(
            id::REDIS_UNKNOWN_DIRECTIVE,
            d.name_span,
            format!(
                "`{directive}` runs into the text after it, so Redis reads one unknown directive name (Redis: \"{BAD_DIRECTIVE}\"); the rest is not shown, it may be a password"
            ),
        )
        .label("no space after the directive")
        .help(format!("put a space between `{directive}` and its value"))
        .detail(REFUSAL);
    }
    let f = Finding::new(
        id::REDIS_UNKNOWN_DIRECTIVE,
        d.name_span,
        format!(
            "`{}` is not a Redis 7.0 directive (Redis: \"{BAD_DIRECTIVE}\")",
            d.written
        ),
    )
    .detail(REFUSAL);
    if let Some(spec) = d.spec {
        let f = f.label(format!("known only in Redis {}", spec.versions));
        return match &spec.name_7_0 {
            Some(n) => f.help(format!("Redis 7.0 spells it `{n}`")),
            None => f.help("remove it, or check it against the Redis version you deploy"),
        };
    }
    match did_you_mean(&d.name) {
        Some(s) => f.help(format!("did you mean `{s}`?")),
        None => f,
    }
}

/// The closest directive name with a normalized Levenshtein similarity of at least 0.7.
fn did_you_mean(name: &str) -> Option<&'static str> {
    const MIN: f64 = 0.7;
    let len = name.chars().count();
    // The distance is at least the length difference: skip names that cannot reach MIN.
    let close = |c: &&str| {
        let (a, b) = (len as f64, c.len() as f64);
        (a - b).abs() <= (1.0 - MIN) * a.max(b)
    };
    // The table has the statements (`include`, `user`, …) too.
    TABLE
        .names_7_0()
        .filter(close)
        .map(|c| (strsim::normalized_levenshtein(name, c), c))
        .filter(|(score, _)| *score >= MIN)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Directives whose value is a password.
const PASSWORD_DIRECTIVES: &[&str] = &[
    "requirepass",
    "masterauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// The byte ranges of the file that hold secret values (passwords, ACL password rules, and the
/// rest of a line of such a directive whose quotes do not balance). Findings never contain
/// them; a report that prints source lines must redact them.
pub fn secret_spans(conf: &RedisConf) -> Vec<Span> {
    let mut spans: Vec<Span> = conf
        .directives
        .iter()
        .flat_map(|d| secret_args(d).into_iter().map(|i| &d.args[i]))
        // `${REDIS_PASSWORD}` holds no secret: masking it would hide the text a finding about it
        // asks the reader to change.
        .filter(|a| !is_bare_variable(&a.text))
        .map(|a| a.span)
        .collect();
    // The password glued to its directive's name.
    spans.extend(conf.directives.iter().filter_map(|d| {
        let len = glued_password(d)?;
        let s = d.name_span;
        Some(Span::new(
            s.file,
            (s.start as usize + len).min(s.end as usize),
            s.end as usize,
        ))
    }));
    spans.extend(
        conf.unbalanced
            .iter()
            .filter(|u| {
                PASSWORD_DIRECTIVES.contains(&u.name.as_str())
                    || u.name == "user"
                    || u.name == "sentinel"
            })
            .map(|u| u.rest),
    );
    spans
}

/// For an unknown name that starts with a password directive and goes on (`requirepass"pw"`
/// reads as `requirepasspw`), the length of the directive part; the rest is a password.
fn glued_password(d: &Directive) -> Option<usize> {
    if d.known {
        return None;
    }
    crate::secrets::password_directive_len(&d.written).filter(|&l| l < d.written.len())
}

/// Arguments that hold a secret: their values never appear in any output.
fn secret_args(d: &Directive) -> Vec<usize> {
    match d.name.as_str() {
        // A misspelled password directive (`requirepas`, `require-pass`) still holds one.
        _ if !d.known && crate::secrets::password_directive_len(&d.written).is_some() => {
            (0..d.args.len()).collect()
        }
        // Every argument: a line with a wrong count still holds the password somewhere.
        name if PASSWORD_DIRECTIVES.contains(&name) => (0..d.args.len()).collect(),
        "user" => (1..d.args.len())
            .filter(|&i| acl::is_password_rule(&d.args[i].text))
            .collect(),
        "sentinel" => match d
            .args
            .first()
            .map(|a| a.text.to_ascii_lowercase())
            .as_deref()
        {
            Some("auth-pass") => (2..d.args.len()).collect(),
            Some("sentinel-pass") => (1..d.args.len()).collect(),
            _ => vec![],
        },
        _ => vec![],
    }
    .into_iter()
    .filter(|&i| i < d.args.len())
    .collect()
}

/// The whole text is one environment-variable reference (`${X}`, `$(X)` or `$X`).
fn is_bare_variable(text: &str) -> bool {
    VARIABLE
        .find(text)
        .is_some_and(|m| m.start() == 0 && m.end() == text.len())
}

static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$[A-Za-z_][A-Za-z0-9_]*",
    )
    .expect("valid regex")
});

fn variables(d: &Directive, out: &mut Vec<Finding>) {
    let secret = secret_args(d);
    let sensitive = d.spec.is_some_and(|s| s.sensitive);
    for (i, a) in d.args.iter().enumerate() {
        let Some(m) = VARIABLE.find(&a.text) else {
            continue;
        };
        let message = if secret.contains(&i) || sensitive {
            format!(
                "the value of `{}` contains an environment variable reference: Redis never expands variables, so it is used literally",
                d.written
            )
        } else {
            format!(
                "`{}` is used literally: Redis never expands environment variables",
                m.as_str()
            )
        };
        out.push(
            Finding::new(id::REDIS_UNEXPANDED_VARIABLE, a.span, message).help(
                "render the file in an init container (e.g. `envsubst`) or `include` a file mounted from a Secret",
            ),
        );
    }
}

/// One finding per line that holds a literal password (at its first one).
fn secrets(d: &Directive, out: &mut Vec<Finding>) {
    // A misspelled directive's value is masked, but the line is reported as unknown only.
    if !d.known && d.spec.is_none() {
        return;
    }
    let literal = secret_args(d)
        .into_iter()
        .map(|i| &d.args[i])
        .find(|a| !a.text.is_empty() && !VARIABLE.is_match(&a.text) && !a.text.starts_with('<'));
    if let Some(a) = literal {
        out.push(
            Finding::new(
                id::REDIS_PLAINTEXT_SECRET,
                a.span,
                format!("a password in clear text in `{}` (value not shown)", d.written),
            )
            .help("keep passwords in a Secret: mount it and `include` the file, or append the line in an init container"),
        );
    }
}

/// Directives whose lines add up instead of replacing each other.
fn accumulates(d: &Directive) -> bool {
    matches!(
        d.name.as_str(),
        "save"
            | "client-output-buffer-limit"
            | "rename-command"
            | "include"
            | "loadmodule"
            | "user"
            | "sentinel"
    ) || matches!(d.spec.map(|s| &s.ty), Some(Type::DeprecatedIgnored))
}

/// What a line sets, for duplicate detection: the directive, or for a Sentinel option the
/// option and its master (`sentinel down-after-milliseconds mymaster`). `None` for lines that
/// accumulate.
fn setting_key(d: &Directive) -> Option<String> {
    if !d.known {
        return None;
    }
    if d.name == "sentinel" {
        let sub = d.args.first()?.text.to_ascii_lowercase();
        return match (sub.as_str(), d.args.len()) {
            (
                "monitor" | "known-replica" | "known-slave" | "known-sentinel" | "rename-command",
                _,
            ) => None,
            (_, 2) => Some(format!("sentinel {sub}")),
            (_, 3) => Some(format!("sentinel {sub} {}", d.args[1].text)),
            _ => None,
        };
    }
    (!accumulates(d)).then(|| d.name.clone())
}

fn duplicates(conf: &RedisConf, out: &mut Vec<Finding>) {
    let mut last: HashMap<String, &Directive> = HashMap::default();
    for d in &conf.directives {
        let Some(key) = setting_key(d) else {
            continue;
        };
        if let Some(prev) = last.insert(key.clone(), d) {
            out.push(
                Finding::new(
                    id::REDIS_DUPLICATE_DIRECTIVE,
                    d.line,
                    format!(
                        "`{key}` is set again (first on line {}): the last line wins",
                        prev.line_number
                    ),
                )
                .related(prev.line, "overridden by the later line")
                .help("keep one line"),
            );
        }
    }
}

/// `rename-command` lines, applied in order to the 7.0 command table.
fn rename_commands(conf: &RedisConf, out: &mut Vec<Finding>) {
    let mut lines = conf
        .all("rename-command")
        .filter(|d| d.args.len() == 2)
        .peekable();
    if lines.peek().is_none() {
        return;
    }
    let commands = CommandTable::of(conf.kind).commands;
    let mut table: HashSet<String> = commands.iter().map(|c| c.to_string()).collect();
    for d in lines {
        let from = d.args[0].text.to_ascii_lowercase();
        let to = d.args[1].text.to_ascii_lowercase();
        let problem = if from.contains('|') {
            Some(
                Problem::new(
                    "a subcommand cannot be renamed (Redis 7.0 crashes or refuses the line)",
                )
                .at(0),
            )
        } else if !table.remove(&from) {
            Some(Problem::new(format!(
                "`{}` is not a command at this point (unknown, or already renamed): Redis refuses the line",
                d.args[0].text
            ))
            .at(0))
        } else if !to.is_empty() && !table.insert(to) {
            Some(
                Problem::new(format!(
                    "`{}` is already a command name: Redis refuses the line",
                    d.args[1].text
                ))
                .at(1),
            )
        } else {
            None
        };
        if let Some(p) = problem {
            out.push(refused(d, &d.args, &p));
        }
    }
}

/// A user defined twice (the rules of each line are checked with the line).
fn users(conf: &RedisConf, out: &mut Vec<Finding>) {
    let mut seen: HashMap<&str, &Directive> = HashMap::default();
    for d in conf.all("user").filter(|d| !d.args.is_empty()) {
        if let Some(prev) = seen.insert(d.args[0].text.as_str(), d) {
            let p = Problem::new(
                "this user is already defined: Redis refuses a second `user` line for it",
            )
            .at(0);
            out.push(refused(d, &d.args, &p).related(prev.line, "first defined here"));
        }
    }
}

/// Checks Redis makes after reading every line.
fn cross_line(conf: &RedisConf, out: &mut Vec<Finding>) {
    let set = |name: &str| conf.value(name).filter(|v| !v.is_empty());
    if let (Some(_), Some(user)) = (set("aclfile"), conf.get("user")) {
        if let Some(aclfile) = conf.get("aclfile") {
            out.push(
                Finding::new(
                    id::REDIS_INVALID_VALUE,
                    aclfile.line,
                    "`aclfile` together with `user` lines: Redis refuses to start",
                )
                .related(user.line, "a user defined in the config file")
                .help("define users in one place: the ACL file or the config file")
                .detail(REFUSAL),
            );
        }
    }
    if conf.get("loadmodule").is_none() {
        for d in conf
            .directives
            .iter()
            .filter(|d| d.known && d.name.contains('.'))
        {
            out.push(
                Finding::new(
                    id::REDIS_INVALID_VALUE,
                    d.name_span,
                    format!("`{}` configures a module, but no `loadmodule` line loads one: Redis refuses to start", d.written),
                )
                .detail(REFUSAL),
            );
        }
    }
    tls(conf, out);
    let cluster = conf.value("cluster-enabled").and_then(yes_no) == Some(true);
    if let Some(r) = conf.get("replicaof").filter(|_| cluster) {
        let no_one = r.args.len() == 2 && r.args[0].text.eq_ignore_ascii_case("no");
        if !no_one {
            out.push(
                Finding::new(
                    id::REDIS_INVALID_VALUE,
                    r.line,
                    "`replicaof` with `cluster-enabled yes`: Redis refuses to start",
                )
                .detail(REFUSAL),
            );
        }
    }
}

/// TLS needs a certificate, its key and (to verify clients or peers) a CA: Redis refuses to
/// start without them ("Failed to configure TLS"). Whether the files exist is the pod's affair.
fn tls(conf: &RedisConf, out: &mut Vec<Finding>) {
    let set = |name: &str| conf.value(name).is_some_and(|v| !v.is_empty());
    let on = |name: &str| conf.value(name).and_then(yes_no) == Some(true);
    let port = conf
        .get("tls-port")
        .filter(|d| d.args.len() == 1 && value::string2ll(&d.args[0].text).is_some_and(|p| p > 0));
    let Some(trigger) = port
        .or_else(|| {
            conf.get("tls-replication")
                .filter(|_| on("tls-replication"))
        })
        .or_else(|| conf.get("tls-cluster").filter(|_| on("tls-cluster")))
    else {
        return;
    };
    let verifies = on("tls-replication")
        || on("tls-cluster")
        || !conf
            .value("tls-auth-clients")
            .is_some_and(|v| v.eq_ignore_ascii_case("no"));
    let mut missing = Vec::new();
    if !set("tls-cert-file") {
        missing.push("`tls-cert-file`");
    }
    if !set("tls-key-file") {
        missing.push("`tls-key-file`");
    }
    if verifies && !set("tls-ca-cert-file") && !set("tls-ca-cert-dir") {
        missing.push("`tls-ca-cert-file` or `tls-ca-cert-dir`");
    }
    if !missing.is_empty() {
        out.push(
            Finding::new(
                id::REDIS_INVALID_VALUE,
                trigger.line,
                format!(
                    "TLS is enabled without {}: Redis refuses to start (\"Failed to configure TLS\")",
                    missing.join(", ")
                ),
            )
            .detail(REFUSAL),
        );
    }
}
