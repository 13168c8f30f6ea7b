//! `redis/dangerous-commands`: a command of `disable_commands` that a client can still call —
//! neither removed (`rename-command X ""`), nor renamed to an unguessable name, nor denied to
//! every ACL user.

use super::common::{anchor, describe, per_config, provenance, servers};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{Deployment, Traced};
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct DangerousCommands;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub disable_commands: Vec<String>,
    pub min_random_length: usize,
}

/// Members of ACL category `@dangerous` among the commands this rule is usually given (Redis
/// 7.2 `COMMAND INFO`); for any other command a `-@dangerous` is not taken as a denial.
const DANGEROUS: &[&str] = &[
    "flushall",
    "flushdb",
    "config",
    "keys",
    "debug",
    "shutdown",
    "monitor",
    "save",
    "bgsave",
    "bgrewriteaof",
    "replicaof",
    "slaveof",
    "sync",
    "psync",
    "acl",
    "module",
    "cluster",
    "failover",
    "migrate",
    "restore",
    "sort",
    "swapdb",
    "client",
    "info",
    "lastsave",
    "latency",
    "role",
    "slowlog",
    "pfdebug",
    "pfselftest",
];

/// Why a rename does not hide `cmd` (`None`: it does).
pub fn weak_rename(cmd: &str, new: &str, min: usize) -> Option<String> {
    if new.to_ascii_lowercase().contains(&cmd.to_ascii_lowercase()) {
        return Some(format!("`{new}` contains the original name"));
    }
    let alnum: Vec<char> = new.chars().filter(char::is_ascii_alphanumeric).collect();
    let letters = alnum.iter().any(char::is_ascii_alphabetic);
    let digits = alnum.iter().any(char::is_ascii_digit);
    let mut distinct = alnum.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if alnum.len() < min {
        return Some(format!(
            "`{new}` has {} random-looking characters, fewer than {min}",
            alnum.len()
        ));
    }
    if !(letters && digits) || distinct.len() * 2 < min {
        return Some(format!(
            "`{new}` does not look random (it needs letters and digits, and at least {} different characters)",
            min.div_ceil(2)
        ));
    }
    None
}

/// Whether every ACL user the config defines is denied `cmd` (the implicit `default` user,
/// when no `user default` line exists, may run everything).
fn denied_to_all(conf: &Traced, cmd: &str) -> bool {
    let users: Vec<_> = conf.all("user").collect();
    let has_default = users
        .iter()
        .any(|u| u.args.first().is_some_and(|a| a.text == "default"));
    if !has_default {
        return false;
    }
    users.iter().all(|u| {
        let mut allowed = false;
        for r in u.args.iter().skip(1) {
            let r = r.text.to_ascii_lowercase();
            let (on, what) = match (r.strip_prefix('+'), r.strip_prefix('-')) {
                (Some(w), _) => (true, w),
                (_, Some(w)) => (false, w),
                _ => match r.as_str() {
                    "allcommands" => (true, "@all"),
                    "nocommands" => (false, "@all"),
                    "reset" => (false, "@all"),
                    _ => continue,
                },
            };
            let hit = match what.strip_prefix('@') {
                Some("all") => true,
                Some("dangerous") => DANGEROUS.contains(&cmd),
                // A category grill-lint has no member list for: an allow may cover it, a deny
                // is not counted on.
                Some(_) => on,
                None => what == cmd || what.split('|').next() == Some(cmd),
            };
            if hit {
                allowed = on;
            }
        }
        !allowed
    })
}

impl Check for DangerousCommands {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::REDIS_DANGEROUS_COMMANDS];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let min = cx.params.min_random_length;
        for s in per_config(servers(d)) {
            let conf = s.conf;
            let mut open = Vec::new();
            for cmd in &cx.params.disable_commands {
                let lower = cmd.to_ascii_lowercase();
                let rename = conf
                    .all("rename-command")
                    .filter(|r| {
                        r.args
                            .first()
                            .is_some_and(|a| a.text.eq_ignore_ascii_case(cmd))
                    })
                    .last();
                if let Some(new) = rename.and_then(|r| r.args.get(1)) {
                    if new.text.is_empty() {
                        continue;
                    }
                    match weak_rename(cmd, &new.text, min) {
                        None => continue,
                        Some(why) => {
                            if denied_to_all(conf, &lower) {
                                continue;
                            }
                            let f = Finding::new(
                                id::REDIS_DANGEROUS_COMMANDS,
                                new.span,
                                format!("{cmd} is renamed to a guessable name: {why}"),
                            )
                            .label("any client that guesses this name can run it")
                            .help(format!(
                                "write `rename-command {cmd} \"\"`, or rename it to at least {min} random letters and digits"
                            ));
                            out.push(provenance(f, None, Some(conf)));
                            continue;
                        }
                    }
                }
                if !denied_to_all(conf, &lower) {
                    open.push(cmd.as_str());
                }
            }
            if open.is_empty() {
                continue;
            }
            let list = open.join(", ");
            let f = Finding::new(
                id::REDIS_DANGEROUS_COMMANDS,
                anchor(conf),
                format!(
                    "{} leaves {list} callable by every client: not removed, not renamed, not denied by ACL",
                    describe(conf)
                ),
            )
            .label(format!("{} command(s) callable", open.len()))
            .help(format!(
                "add {}",
                open.iter()
                    .map(|c| format!("`rename-command {c} \"\"`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            out.push(provenance(f, None, Some(conf)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::weak_rename;

    #[test]
    fn renames_must_be_unguessable() {
        assert!(weak_rename("CONFIG", "CONFIG_ADMIN", 16).is_some());
        assert!(weak_rename("CONFIG", "admincfg", 16).is_some());
        assert!(weak_rename("CONFIG", "aaaaaaaaaaaaaaaaaaaa1", 16).is_some());
        assert!(weak_rename("CONFIG", "nhyjw510ix92789xjl2myru5", 16).is_none());
        assert!(weak_rename("CONFIG", "cfg-7Qm2vX9kLp4rT8wZ", 16).is_none());
    }
}
