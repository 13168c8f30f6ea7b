//! `k8s/secret-in-args`: no secret on a command line. A `command`/`args` item or an exec
//! probe/hook command that references a secret env var as `$(VAR)` (the kubelet expands it
//! before the process starts) or passes a password flag (`redis-cli -a …`) puts the password in
//! the process list. The value itself is never printed.

use super::{describe, name_matches};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{Container, Deployment};
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct SecretInArgs;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Flags whose value is a password (`-a`, `--pass`, `--requirepass`, …).
    pub secret_flags: Vec<String>,
    /// Env var names (case-insensitive globs) that hold secrets.
    pub name_patterns: Vec<String>,
}

/// Every command line of a container: where it is, and its items.
fn command_lines<'a>(c: &Container<'a>) -> Vec<(String, &'a [Node])> {
    let mut lines = Vec::new();
    for field in ["command", "args"] {
        if let Some(items) = c.node.get(field).and_then(Node::as_seq) {
            lines.push((format!("`{field}`"), items));
        }
    }
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        if let Some(items) = c
            .node
            .path(&[probe, "exec", "command"])
            .and_then(Node::as_seq)
        {
            lines.push((format!("the {probe}'s command"), items));
        }
    }
    for hook in ["postStart", "preStop"] {
        if let Some(items) = c
            .node
            .path(&["lifecycle", hook, "exec", "command"])
            .and_then(Node::as_seq)
        {
            lines.push((format!("the {hook} hook's command"), items));
        }
    }
    lines
}

/// The `$(VAR)` references of `text` (Kubernetes' expansion syntax; `$$(` is a literal).
fn var_refs(text: &str) -> Vec<&str> {
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            rest = a;
        } else if let Some(body) = after.strip_prefix('(') {
            match body.find(')') {
                Some(j) => {
                    refs.push(&body[..j]);
                    rest = &body[j + 1..];
                }
                None => break,
            }
        } else {
            rest = after;
        }
    }
    refs
}

fn basename(w: &str) -> &str {
    w.trim_matches(|c| c == '"' || c == '\'')
        .rsplit('/')
        .next()
        .unwrap_or(w)
}

/// The first secret flag given to a Redis program (`redis-cli`, `redis-server`,
/// `redis_exporter`, …) among `words`: in one command, a flag counts only after the program.
fn secret_flag<'f>(words: &[&str], flags: &'f [String]) -> Option<&'f str> {
    let mut in_redis = false;
    for (i, w) in words.iter().enumerate() {
        if matches!(*w, ";" | "|" | "&&" | "||" | "&") {
            in_redis = false;
            continue;
        }
        if basename(w).starts_with("redis") {
            in_redis = true;
            continue;
        }
        if !in_redis {
            continue;
        }
        for f in flags {
            let with_value = words.get(i + 1).is_some_and(|n| !n.starts_with('-'));
            if (*w == f.as_str() && with_value) || w.starts_with(&format!("{f}=")) {
                return Some(f.as_str());
            }
        }
    }
    None
}

/// Splits a command line (or a shell script in one of its items) into words and separators.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if n > 0 {
            out.push(";");
        }
        for w in line.split_whitespace() {
            let w = w.trim_end_matches(';');
            if w.starts_with('#') {
                break;
            }
            out.push(w);
        }
    }
    out
}

impl Check for SecretInArgs {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_SECRET_IN_ARGS];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let p = cx.params;
        for w in &d.workloads {
            for c in &w.containers {
                let who = describe(w, c);
                let from_secret = |var: &str| {
                    name_matches(&p.name_patterns, var)
                        || c.env(var)
                            .is_some_and(|e| e.path(&["valueFrom", "secretKeyRef"]).is_some())
                };
                for (what, items) in command_lines(c) {
                    // The whole command line, item by item, so `-a` and its value may be two
                    // items; each word remembers its item.
                    let mut all: Vec<(&str, usize)> = Vec::new();
                    for (i, it) in items.iter().enumerate() {
                        let Some(t) = it.as_str() else { continue };
                        all.extend(words(t).into_iter().map(|w| (w, i)));
                    }
                    let only: Vec<&str> = all.iter().map(|(w, _)| *w).collect();
                    let flag = secret_flag(&only, &p.secret_flags);
                    let mut reported = false;
                    for it in items {
                        let Some(t) = it.as_str() else { continue };
                        let Some(var) = var_refs(t).into_iter().find(|v| from_secret(v)) else {
                            continue;
                        };
                        reported = true;
                        out.push(
                            Finding::new(
                                id::K8S_SECRET_IN_ARGS,
                                it.span,
                                format!(
                                    "{what} of {who} passes `$({var})` on the command line: the kubelet expands it, so the secret shows in the process list"
                                ),
                            )
                            .label(format!("`$({var})` expanded here"))
                            .help(help(c, flag)),
                        );
                        break;
                    }
                    if reported {
                        continue;
                    }
                    let Some(flag) = flag else { continue };
                    let at = all
                        .iter()
                        .position(|(w, _)| *w == flag || w.starts_with(&format!("{flag}=")))
                        .map(|k| all[k].1)
                        .and_then(|i| items.get(i))
                        .map_or(c.name_span, |n| n.span);
                    out.push(
                        Finding::new(
                            id::K8S_SECRET_IN_ARGS,
                            at,
                            format!(
                                "{what} of {who} passes a password with `{flag}`: it shows in the process list"
                            ),
                        )
                        .label(format!("`{flag}` takes the password"))
                        .help(help(c, Some(flag))),
                    );
                }
            }
        }
    }
}

fn help(c: &Container<'_>, flag: Option<&str>) -> String {
    let drop = flag.map_or(String::new(), |f| format!(" and drop `{f} …`"));
    if c.env("REDISCLI_AUTH").is_some() {
        format!("the container already sets REDISCLI_AUTH, which redis-cli reads: remove the password from the command{drop}")
    } else {
        format!("set env `REDISCLI_AUTH` from the Secret (`valueFrom.secretKeyRef`), which redis-cli reads, and remove the password from the command{drop}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_flags() {
        assert_eq!(var_refs("x $(A) $$(B) $(C"), vec!["A"]);
        let flags = vec!["-a".to_string(), "--pass".to_string()];
        assert_eq!(
            secret_flag(&words("redis-cli -a $P ping"), &flags),
            Some("-a")
        );
        assert_eq!(secret_flag(&words("ls -a x; redis-cli ping"), &flags), None);
        assert_eq!(
            secret_flag(&words("/usr/bin/redis-cli --pass=x"), &flags),
            Some("--pass")
        );
        assert_eq!(secret_flag(&words("redis-cli -a"), &flags), None);
        assert_eq!(secret_flag(&words("redis-cli\n-a x"), &flags), None);
    }
}
