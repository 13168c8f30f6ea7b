//! Per-line validation: does Redis 7.0 accept this directive with these arguments?
//!
//! Each check reproduces the setter Redis runs for the directive while reading the file
//! (`config.c` of 7.0.15): the argument count, then the type grammar and range, then the
//! directive's own validator. A [`Problem`] names the argument at fault, Redis' own wording
//! where it helps, and — for the few values Redis accepts but reads in a way nobody means
//! (`maxmemory mb` is 0) — the [`super::Divergence`] that makes grill-lint stricter.
//! Checks that need other lines (rename-command, users, Sentinel masters) live in `lint`.

use super::commands::CommandTable;
use super::model::{Arg, Directive};
use super::table::{Spec, Type};
use super::tokenize::split_args;
use super::value::{memtoull, string2ld, string2ll, strtoll, yes_no, MemoryError};
use crate::source::Span;

pub use super::problem::{Check, Problem};

/// Redis' message for a line it cannot place.
pub const BAD_DIRECTIVE: &str = "Bad directive or wrong number of arguments";

/// Validates a directive Redis 7.0 knows, with `args` as written (possibly cut before a `#`).
pub fn check(d: &Directive, spec: &Spec, args: &[Arg], cmds: &CommandTable) -> Check {
    match &spec.ty {
        Type::Form(form) if !spec.multi_arg && is_statement(form) => statement(d, form, args, cmds),
        Type::DeprecatedIgnored => {
            if args.len() != 1 {
                return Err(Problem::new(format!(
                    "`{}` takes exactly one argument (Redis: \"{BAD_DIRECTIVE}\")",
                    d.written
                )));
            }
            Err(Problem::new(
                "accepted for compatibility and silently ignored by Redis 7: it has no effect",
            )
            .diverging("ignored-directive")
            .help("remove it; `list-max-listpack-size` sets the list encoding"))
        }
        _ if !spec.multi_arg && args.len() != 1 => Err(wrong_count(d, args.len())),
        _ if spec.multi_arg && args.len() == 1 && !args[0].text.is_empty() => {
            table_value(spec, &resplit(&args[0]))
        }
        _ => table_value(spec, args),
    }
}

fn wrong_count(d: &Directive, n: usize) -> Problem {
    let p = Problem::new(format!(
        "wrong number of arguments: `{}` takes exactly one argument, found {n}",
        d.written
    ));
    if n > 1 {
        p.at(1).help("quote a value that contains spaces")
    } else {
        p
    }
}

/// A `MULTI_ARG_CONFIG` directive given one argument splits it again (`save "900 1"`); if the
/// inner quotes do not balance Redis gets no arguments at all.
fn resplit(a: &Arg) -> Vec<Arg> {
    let inner = split_args(&a.text, 0, a.text.len()).unwrap_or_default();
    inner
        .into_iter()
        .map(|t| Arg {
            text: t.text,
            span: a.span,
            quoted: a.quoted,
            hash: false,
        })
        .collect()
}

/// Forms handled outside the table in `loadServerConfigFromString`.
fn is_statement(form: &str) -> bool {
    matches!(
        form,
        "path" | "rename" | "acl-user" | "module" | "module-config" | "sentinel"
    )
}

fn statement(d: &Directive, form: &str, args: &[Arg], cmds: &CommandTable) -> Check {
    let ok = match form {
        "path" => args.len() == 1,
        "rename" => args.len() == 2,
        "acl-user" if !args.is_empty() => return super::acl::check_user(args, cmds),
        "acl-user" | "module" => !args.is_empty(),
        "module-config" => {
            if args.is_empty() {
                return Err(Problem::new(
                    "a module configuration needs a value (Redis: \"Module config specified without value\")",
                ));
            }
            true
        }
        // `sentinel` lines are checked as a whole in `sentinel`.
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Problem::new(format!(
            "wrong number of arguments for `{}` (Redis: \"{BAD_DIRECTIVE}\")",
            d.written
        )))
    }
}

/// The type grammar of a table directive.
fn table_value(spec: &Spec, args: &[Arg]) -> Check {
    let one = || args.first().map(|a| a.text.as_str()).unwrap_or("");
    match &spec.ty {
        Type::Bool => yes_no(one())
            .map(|_| ())
            .ok_or_else(|| Problem::new("must be `yes` or `no`").at(0)),
        Type::Int { min, max } => int(one(), *min, *max, spec),
        Type::Memory { min, max } => memory(one(), *min, *max),
        Type::MemoryPercent { max } => memory_percent(one(), *max),
        Type::Octal { max } => octal(one(), *max),
        Type::Enum(values) => enumeration(args, values, false),
        Type::EnumFlags(values) => {
            enumeration(args, values, true)?;
            let has = |v: &str| args.iter().any(|a| a.text.eq_ignore_ascii_case(v));
            if has("save") && has("nosave") {
                return Err(Problem::new("`save` and `nosave` cannot be used together"));
            }
            Ok(())
        }
        Type::Str { .. } => string(&spec.name, one()),
        Type::Form(form) => special(form, args),
        Type::DeprecatedIgnored => Ok(()),
    }
}

fn int(s: &str, min: i128, max: i128, spec: &Spec) -> Check {
    let v = string2ll(s).ok_or_else(|| {
        let p =
            Problem::new("not an integer (no sign `+`, leading zeros, decimals or units)").at(0);
        if memtoull(s).is_some() && !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()) {
            p.help(format!(
                "`{}` takes a plain number; units are only for memory sizes",
                spec.name
            ))
        } else {
            p
        }
    })?;
    let v = v as i128;
    if v < min || v > max {
        return Err(Problem::new(format!("must be between {min} and {max}")).at(0));
    }
    if spec.name == "hz" && !(1..=500).contains(&v) {
        return Err(Problem::new(
            "Redis clamps `hz` to 1..500: the value written is not the value used",
        )
        .at(0)
        .diverging("hz-clamped"));
    }
    Ok(())
}

fn memory(s: &str, min: u64, max: u64) -> Check {
    let (v, wrapped) = memtoull(s).ok_or_else(|| memory_error(MemoryError::Invalid))?;
    if v < min || v > max {
        return Err(Problem::new(format!("must be between {min} and {max} bytes")).at(0));
    }
    if s.is_empty() || !s.as_bytes()[0].is_ascii_digit() {
        return Err(memory_error(MemoryError::NoDigits).diverging("memory-without-digits"));
    }
    if wrapped {
        return Err(memory_error(MemoryError::Overflow).diverging("memory-overflow"));
    }
    Ok(())
}

fn memory_error(e: MemoryError) -> Problem {
    let p = Problem::new(e.to_string()).at(0);
    match e {
        MemoryError::Invalid => {
            p.help("write e.g. `100mb` (1mb = 1024*1024) or `100m` (1m = 1000*1000)")
        }
        _ => p,
    }
}

fn memory_percent(s: &str, max: u64) -> Check {
    if memtoull(s).is_some() {
        return memory(s, 0, max);
    }
    match s
        .strip_suffix('%')
        .filter(|n| !n.is_empty())
        .and_then(string2ll)
    {
        Some(p) if p > 100 => Err(Problem::new("a percentage must be at most 100%").at(0)),
        Some(p) if p >= 0 => Ok(()),
        _ => Err(Problem::new("not a memory size or a percentage (`10%`)").at(0)),
    }
}

fn octal(s: &str, max: i64) -> Check {
    let (v, whole) = strtoll(s, 8);
    if !whole {
        return Err(Problem::new("not an octal number").at(0));
    }
    if v < 0 || v > max {
        return Err(Problem::new(format!("must be between 0 and {max:o} (octal)")).at(0));
    }
    Ok(())
}

fn enumeration(args: &[Arg], values: &[String], flags: bool) -> Check {
    let list = values.join(", ");
    if args.is_empty() || (!flags && args.len() != 1) {
        return Err(Problem::new(format!("expects one of: {list}")));
    }
    for (i, a) in args.iter().enumerate() {
        if !values.iter().any(|v| v.eq_ignore_ascii_case(&a.text)) {
            return Err(Problem::new(format!("`{}` is not one of: {list}", a.text)).at(i));
        }
    }
    Ok(())
}

fn basename(name: &str, s: &str, may_be_empty: bool) -> Check {
    if s.is_empty() && !may_be_empty {
        return Err(Problem::new(format!("`{name}` cannot be empty")).at(0));
    }
    if s.contains(['/', '\\']) {
        return Err(
            Problem::new(format!("`{name}` must be a file name, not a path"))
                .at(0)
                .help("put the directory in `dir`"),
        );
    }
    Ok(())
}

/// Validators of string directives.
fn string(name: &str, s: &str) -> Check {
    match name {
        "dbfilename" => basename(name, s, true),
        "appendfilename" | "appenddirname" => basename(name, s, false),
        "cluster-announce-hostname" => {
            if s.len() >= 256
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            {
                Err(
                    Problem::new("hostnames may only contain letters, digits, hyphens and dots")
                        .at(0),
                )
            } else {
                Ok(())
            }
        }
        "proc-title-template" => proc_title(s),
        _ => Ok(()),
    }
}

fn proc_title(s: &str) -> Check {
    const VARS: &[&str] = &[
        "title",
        "listen-addr",
        "server-mode",
        "port",
        "tls-port",
        "unixsocket",
        "config-file",
    ];
    let bad = || {
        Problem::new(
            "template is empty without `{title}`, has an unclosed `{`, or uses an unknown variable",
        )
        .at(0)
    };
    // Redis expands the template with an empty title, trims spaces and refuses an empty result.
    let mut rest = s;
    let mut expanded = String::new();
    while let Some(open) = rest.find('{') {
        expanded.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(bad)?;
        let var = &after[..close];
        if !VARS.contains(&var) {
            return Err(bad());
        }
        // Expanded while reading the file, when the title and the socket are still empty.
        if var != "title" && var != "unixsocket" {
            expanded.push_str(var);
        }
        rest = &after[close + 1..];
    }
    expanded.push_str(rest);
    if expanded.trim_matches(' ').is_empty() {
        return Err(bad());
    }
    Ok(())
}

/// The `special:*` forms of the table.
fn special(form: &str, args: &[Arg]) -> Check {
    match form {
        "save" => save(args),
        "client-output-buffer-limit" => client_output_buffer_limit(args),
        "int-triple" => {
            if args.len() != 3 {
                return Err(Problem::new(format!(
                    "takes exactly 3 values, found {}",
                    args.len()
                )));
            }
            for (i, a) in args.iter().enumerate() {
                let (v, whole) = strtoll(&a.text, 10);
                if !whole || !(-2000..=2000).contains(&v) {
                    return Err(Problem::new(
                        "each value must be an integer between -2000 and 2000",
                    )
                    .at(i));
                }
            }
            Ok(())
        }
        "flags-string" => {
            let s = args.first().map(|a| a.text.as_str()).unwrap_or("");
            match s.chars().find(|c| !"Ag$lshzxeKEtmdn".contains(*c)) {
                Some(c) => Err(Problem::new(format!(
                    "`{c}` is not an event class; use the characters of `Ag$lshzxeKEtmdn`"
                ))
                .at(0)),
                None => Ok(()),
            }
        }
        "address-list" if args.len() > 16 => {
            Err(Problem::new(format!("at most 16 addresses, found {}", args.len())).at(16))
        }
        "host-port" => host_port(args),
        "float-list" => {
            if args.len() == 1 && args[0].text.is_empty() {
                return Ok(());
            }
            for (i, a) in args.iter().enumerate() {
                match string2ld(&a.text) {
                    None => return Err(Problem::new("not a number").at(i)),
                    Some(v) if !(0.0..=100.0).contains(&v) => {
                        return Err(Problem::new("percentiles must be between 0 and 100").at(i))
                    }
                    Some(_) => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn save(args: &[Arg]) -> Check {
    if args.len() == 1 && args[0].text.is_empty() {
        return Ok(());
    }
    if args.len() % 2 == 1 {
        return Err(Problem::new(format!(
            "takes pairs of <seconds> <changes>, found an odd number of values ({})",
            args.len()
        ))
        .at(args.len() - 1));
    }
    for (i, a) in args.iter().enumerate() {
        let (v, whole) = strtoll(&a.text, 10);
        let min = if i % 2 == 0 { 1 } else { 0 };
        if !whole || v < min {
            let what = if i % 2 == 0 {
                "seconds must be an integer of at least 1"
            } else {
                "changes must be an integer of at least 0"
            };
            return Err(Problem::new(what).at(i));
        }
    }
    Ok(())
}

fn client_output_buffer_limit(args: &[Arg]) -> Check {
    if args.len() % 4 != 0 {
        return Err(Problem::new(format!(
            "takes groups of 4 values (<class> <hard> <soft> <soft-seconds>), found {}",
            args.len()
        )));
    }
    for (g, chunk) in args.chunks(4).enumerate() {
        let class = chunk[0].text.to_ascii_lowercase();
        if !matches!(class.as_str(), "normal" | "replica" | "slave" | "pubsub") {
            return Err(Problem::new(format!(
                "`{}` is not a client class: normal, replica or pubsub",
                chunk[0].text
            ))
            .at(g * 4));
        }
        if let Some(k) = (1..3).find(|&k| memtoull(&chunk[k].text).is_none()) {
            return Err(memory_error(MemoryError::Invalid).at(g * 4 + k));
        }
        let (secs, whole) = strtoll(&chunk[3].text, 10);
        if !whole || secs < 0 {
            return Err(
                Problem::new("soft-seconds must be an integer of at least 0").at(g * 4 + 3),
            );
        }
    }
    Ok(())
}

fn host_port(args: &[Arg]) -> Check {
    if args.len() != 2 {
        return Err(Problem::new(format!(
            "takes <host> <port> or `no one`, found {} values",
            args.len()
        )));
    }
    if args[0].text.eq_ignore_ascii_case("no") && args[1].text.eq_ignore_ascii_case("one") {
        return Ok(());
    }
    let (port, whole) = strtoll(&args[1].text, 10);
    if !whole || !(0..=65535).contains(&port) {
        return Err(Problem::new("the port must be an integer between 0 and 65535").at(1));
    }
    Ok(())
}

/// The span a problem points at.
pub fn problem_span(d: &Directive, args: &[Arg], p: &Problem) -> Span {
    match p.arg.and_then(|i| args.get(i)) {
        Some(a) => a.span,
        None => d.line,
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::parse_text;
    use super::super::{embed::OffsetMap, ConfKind};
    use super::*;
    use crate::source::SourceMap;

    /// Checks one line; `Ok` or the problem's message.
    fn line(text: &str) -> Result<(), String> {
        let map = SourceMap::new();
        let f = map.add("t.conf", text);
        let conf = parse_text(&f.text, &OffsetMap::Identity, &f, ConfKind::Redis);
        let d = &conf.directives[0];
        check(
            d,
            d.spec.expect("known"),
            &d.args,
            CommandTable::of(ConfKind::Redis),
        )
        .map_err(|p| p.message)
    }

    #[test]
    fn accepts_what_redis_accepts() {
        for ok in [
            "maxmemory 100mb",
            "MAXMEMORY 1GB",
            "maxmemory 0",
            "appendonly YES",
            "maxmemory-policy ALLKEYS-LRU",
            "save \"\"",
            "save",
            "save 900 1 300 10",
            "save \"3600 1 300 100\"",
            "save \"+900\" \"01\"",
            "bind 127.0.0.1 -::1",
            "bind",
            "bind \"\"",
            "client-output-buffer-limit normal 0 0 0 replica 256mb 64mb 60",
            "client-output-buffer-limit",
            "oom-score-adj-values \"1 2 3\"",
            "replicaof no one",
            "replicaof redis-0 +6379",
            "slaveof h \"\"",
            "notify-keyspace-events KEA$",
            "notify-keyspace-events \"\"",
            "latency-tracking-info-percentiles 50 99.9 1e1",
            "shutdown-on-sigint \"save now\"",
            "unixsocketperm 0777",
            "unixsocketperm \"\"",
            "maxmemory-clients 5%",
            "maxmemory-clients 10mb",
            "dbfilename \"\"",
            "proc-title-template \"{title} {port}\"",
            "port 65535",
            "slowlog-log-slower-than -1",
            "include /etc/redis/x.conf",
            "rename-command FLUSHALL \"\"",
            "user default on",
            "loadmodule /x.so a b",
            "foo.bar 1",
            "save \"\\\"x\"",
        ] {
            assert_eq!(line(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_redis_refuses() {
        for bad in [
            "maxmemory 2GiB",
            "maxmemory 1.5gb",
            "maxmemory 2t",
            "maxmemory -1",
            "maxmemory +100mb",
            "maxmemory 50%",
            "maxmemory 2 gb",
            "maxmemory",
            "maxmemory 100mb # cache",
            "maxmemory-policy lru",
            "appendfsync sometimes",
            "appendonly true",
            "protected-mode 1",
            "save 900",
            "save 0 1",
            "save 900 1 # hourly",
            "databases 0",
            "databases 016",
            "databases +16",
            "timeout 1e3",
            "slowlog-max-len 1k",
            "port 70000",
            "maxclients 0",
            "unixsocketperm 999",
            "unixsocketperm -1",
            "maxmemory-clients 200%",
            "maxmemory-clients -5%",
            "maxmemory-clients 05%",
            "bind a b c d e f g h i j k l m n o p q",
            "notify-keyspace-events Z",
            "client-output-buffer-limit replica 256mb 64mb",
            "client-output-buffer-limit master 0 0 0",
            "client-output-buffer-limit pubsub 32MiB 8mb 60",
            "dbfilename /data/dump.rdb",
            "appendfilename \"\"",
            "replicaof redis-0 abc",
            "shutdown-on-sigterm save nosave",
            "latency-tracking-info-percentiles 50 101",
            "latency-tracking-info-percentiles inf",
            "proc-title-template \"{foo}\"",
            "proc-title-template \"\"",
            "proc-title-template {title}",
            "oom-score-adj-values 0 200",
            "oom-score-adj-values 0 200 9999",
            "cluster-announce-hostname a_b",
            "include",
            "include a b",
            "rename-command FLUSHALL",
            "user",
            "loadmodule",
            "foo.bar",
            "list-max-ziplist-entries 1 2",
        ] {
            assert!(line(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn divergences_are_marked() {
        let div = |text: &str| {
            let map = SourceMap::new();
            let f = map.add("t.conf", text);
            let conf = parse_text(&f.text, &OffsetMap::Identity, &f, ConfKind::Redis);
            let d = &conf.directives[0];
            check(
                d,
                d.spec.unwrap(),
                &d.args,
                CommandTable::of(ConfKind::Redis),
            )
            .unwrap_err()
            .divergence
        };
        assert_eq!(div("maxmemory mb"), Some("memory-without-digits"));
        assert_eq!(div("maxmemory \"\""), Some("memory-without-digits"));
        assert_eq!(
            div("maxmemory 99999999999999999999gb"),
            Some("memory-overflow")
        );
        assert_eq!(div("hz 1000"), Some("hz-clamped"));
        assert_eq!(div("list-max-ziplist-entries 5"), Some("ignored-directive"));
        assert_eq!(div("repl-backlog-size 0"), None);
    }
}
