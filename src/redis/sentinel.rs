//! `sentinel …` lines of a sentinel.conf, checked as Sentinel 7.0 applies them.
//!
//! Sentinel queues its lines and applies them after reading the whole file: global options
//! first (`resolve-hostnames`, `announce-ip`, …), then every `monitor`, then the per-master
//! options. So line order does not matter, but an option for a master that no `monitor` line
//! defines is refused ("No such master with specified name."). Numbers are read with C `atoi`
//! (lenient: `two` is 0). A `monitor` host must be an IP address unless
//! `sentinel resolve-hostnames yes` is set.

use super::check::Problem;
use super::model::{Directive, RedisConf};
use super::value::{atoi, yes_no};
use crate::hash::HashSet;
use crate::rules::id;
use std::net::IpAddr;

/// A problem on the `index`-th directive of the config, under `rule`.
pub struct Issue {
    pub index: usize,
    pub rule: crate::rules::RuleId,
    pub problem: Problem,
    /// Redis refuses to start because of it.
    pub refusal: bool,
}

/// Arity of every subcommand (arguments after `sentinel`, the subcommand included).
fn arity_ok(sub: &str, n: usize) -> bool {
    match sub {
        "monitor" => n == 5,
        "down-after-milliseconds"
        | "failover-timeout"
        | "parallel-syncs"
        | "notification-script"
        | "client-reconfig-script"
        | "auth-pass"
        | "auth-user"
        | "config-epoch"
        | "leader-epoch"
        | "master-reboot-down-after-period" => n == 3,
        s if GLOBAL_SETTINGS.contains(&s) => n == 2,
        "known-slave" | "known-replica" => n == 4,
        "known-sentinel" => n == 4 || n == 5,
        "rename-command" => n == 4,
        _ => false,
    }
}

/// Subcommands that set one Sentinel-wide value (`sentinel <sub> <value>`), not a master's.
const GLOBAL_SETTINGS: &[&str] = &[
    "current-epoch",
    "myid",
    "announce-ip",
    "announce-port",
    "deny-scripts-reconfig",
    "sentinel-user",
    "sentinel-pass",
    "resolve-hostnames",
    "announce-hostnames",
];

/// Subcommands whose second argument names a master defined by `monitor`.
fn per_master(sub: &str) -> bool {
    sub != "monitor" && !GLOBAL_SETTINGS.contains(&sub)
}

/// Checks all `sentinel` lines of a sentinel.conf.
pub fn check(conf: &RedisConf) -> Vec<Issue> {
    let lines: Vec<(usize, &Directive, String)> = conf
        .directives
        .iter()
        .enumerate()
        .filter(|(_, d)| d.name == "sentinel" && !d.args.is_empty())
        .map(|(i, d)| (i, d, d.args[0].text.to_ascii_lowercase()))
        .collect();
    let mut out = Vec::new();
    let refuse = |index, problem| Issue {
        index,
        rule: id::REDIS_INVALID_VALUE,
        problem,
        refusal: true,
    };
    let resolve_hostnames = lines
        .iter()
        .filter(|(_, d, sub)| sub == "resolve-hostnames" && d.args.len() == 2)
        .filter_map(|(_, d, _)| yes_no(&d.args[1].text))
        .next_back()
        .unwrap_or(false);
    let mut masters = HashSet::default();
    let mut renamed = HashSet::default();
    for (i, d, sub) in &lines {
        let (i, a) = (*i, &d.args);
        if !arity_ok(sub, a.len()) {
            out.push(refuse(
                i,
                Problem::new(format!(
                    "`sentinel {}` with {} arguments is not a Sentinel statement (Sentinel: \"Unrecognized sentinel configuration statement.\")",
                    a[0].text,
                    a.len() - 1
                )),
            ));
            continue;
        }
        match sub.as_str() {
            "monitor" => out.extend(monitor(i, d, resolve_hostnames, &mut masters)),
            "myid" if a[1].text.len() != 40 => out.push(refuse(
                i,
                Problem::new("a Sentinel id must be exactly 40 characters").at(1),
            )),
            "deny-scripts-reconfig" | "resolve-hostnames" | "announce-hostnames"
                if yes_no(&a[1].text).is_none() =>
            {
                out.push(refuse(i, Problem::new("must be `yes` or `no`").at(1)))
            }
            _ => {}
        }
    }
    for (i, d, sub) in &lines {
        let a = &d.args;
        if !arity_ok(sub, a.len()) || !per_master(sub) {
            continue;
        }
        if !masters.contains(a[1].text.as_str()) {
            out.push(refuse(
                *i,
                Problem::new(format!(
                    "no `sentinel monitor` line defines the master `{}`",
                    a[1].text
                ))
                .at(1),
            ));
            continue;
        }
        if let Some(p) = master_option(sub, d, &mut renamed) {
            out.push(refuse(*i, p));
        }
    }
    out
}

fn monitor<'a>(
    i: usize,
    d: &'a Directive,
    resolve_hostnames: bool,
    masters: &mut HashSet<&'a str>,
) -> Vec<Issue> {
    let a = &d.args;
    let mut out = Vec::new();
    let quorum = atoi(&a[4].text);
    if quorum <= 0 {
        out.push(Issue {
            index: i,
            rule: id::SENTINEL_QUORUM,
            problem: Problem::new("the quorum must be a number of at least 1").at(4),
            refusal: true,
        });
    }
    let port = atoi(&a[3].text);
    if !(0..=65535).contains(&port) {
        out.push(Issue {
            index: i,
            rule: id::REDIS_INVALID_VALUE,
            problem: Problem::new("the port must be between 0 and 65535").at(3),
            refusal: true,
        });
    }
    if !resolve_hostnames && a[2].text.parse::<IpAddr>().is_err() {
        out.push(Issue {
            index: i,
            rule: id::SENTINEL_RESOLVE_HOSTNAMES,
            problem: Problem::new(format!(
                "`{}` is a hostname, but `sentinel resolve-hostnames yes` is not set: Sentinel refuses to start (\"Can't resolve instance hostname.\")",
                a[2].text
            ))
            .at(2)
            .help("add `sentinel resolve-hostnames yes` (and `sentinel announce-hostnames yes`)"),
            refusal: true,
        });
    }
    if !masters.insert(a[1].text.as_str()) {
        out.push(Issue {
            index: i,
            rule: id::REDIS_INVALID_VALUE,
            problem: Problem::new(format!("the master `{}` is monitored twice", a[1].text)).at(1),
            refusal: true,
        });
    }
    out
}

fn master_option<'a>(
    sub: &str,
    d: &'a Directive,
    renamed: &mut HashSet<(&'a str, String)>,
) -> Option<Problem> {
    let a = &d.args;
    match sub {
        "down-after-milliseconds" | "failover-timeout" if atoi(&a[2].text) <= 0 => {
            Some(Problem::new("must be a number of milliseconds above 0").at(2))
        }
        "master-reboot-down-after-period" if atoi(&a[2].text) < 0 => {
            Some(Problem::new("must be a number of milliseconds of at least 0").at(2))
        }
        "rename-command"
            if !renamed.insert((a[1].text.as_str(), a[2].text.to_ascii_lowercase())) =>
        {
            Some(Problem::new("the same command is renamed twice for this master").at(2))
        }
        _ => None,
    }
}
