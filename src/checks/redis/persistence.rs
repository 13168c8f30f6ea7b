//! `redis/persistence`: the effective `save` rules, `appendonly` and `appendfsync` against the
//! environment's persistence policy.

use super::common::{anchor, describe, per_config, provenance, servers, value_span};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{Deployment, Traced};
use crate::redis::value::strtoll;
use crate::rules::{id, RuleId};
use crate::source::Span;
use serde::Deserialize;

pub struct Persistence;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// `[seconds, changes]` pairs; `[]`: snapshots disabled.
    pub save: Vec<(i64, i64)>,
    pub appendonly: Option<String>,
    pub appendfsync: Option<String>,
}

/// Redis 7's snapshot rules when the config has no `save` line.
const DEFAULT_SAVE: &[(i64, i64)] = &[(3600, 1), (300, 100), (60, 10000)];

/// The snapshot rules the config leaves in force, and the line that states them last.
fn effective_save(conf: &Traced) -> Option<(Vec<(i64, i64)>, Span)> {
    let mut rules: Option<Vec<(i64, i64)>> = None;
    let mut at = None;
    for line in conf.all("save") {
        at = Some(line.line);
        let args: Vec<&str> = line.args.iter().map(|a| a.text.as_str()).collect();
        if args.len() == 1 && args[0].is_empty() {
            rules = Some(Vec::new());
            continue;
        }
        if args.len() % 2 != 0 {
            return None; // Redis refuses it: redis/invalid-value
        }
        let r = rules.get_or_insert_with(Vec::new);
        for pair in args.chunks(2) {
            r.push((strtoll(pair[0], 10).0, strtoll(pair[1], 10).0));
        }
    }
    match (rules, at) {
        (Some(r), Some(at)) => Some((r, at)),
        _ => Some((DEFAULT_SAVE.to_vec(), anchor(conf))),
    }
}

fn show(rules: &[(i64, i64)]) -> String {
    if rules.is_empty() {
        return "save \"\"".to_string();
    }
    rules
        .iter()
        .map(|(s, c)| format!("save {s} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sorted(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.sort_unstable();
    v.dedup();
    v
}

impl Check for Persistence {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::REDIS_PERSISTENCE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let p = cx.params;
        for s in per_config(servers(d)) {
            let conf = s.conf;
            if let Some((have, at)) = effective_save(conf) {
                if sorted(have.clone()) != sorted(p.save.clone()) {
                    let stated = conf.has("save");
                    let msg = if stated {
                        format!(
                            "snapshot rules `{}` differ from the environment's `{}`",
                            show(&have),
                            show(&p.save)
                        )
                    } else {
                        format!(
                            "{} has no `save` line: Redis snapshots by its default `{}`, not the environment's `{}`",
                            describe(conf),
                            show(&have),
                            show(&p.save)
                        )
                    };
                    let f = Finding::new(id::REDIS_PERSISTENCE, at, msg)
                        .label(if stated {
                            "the last `save` line"
                        } else {
                            "no `save` line in this config"
                        })
                        .help(format!(
                            "write {}",
                            if p.save.is_empty() {
                                "`save \"\"`".to_string()
                            } else {
                                p.save
                                    .iter()
                                    .map(|(s, c)| format!("`save {s} {c}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            }
                        ));
                    out.push(provenance(f, None, Some(conf)));
                }
            }
            let aof_on = conf
                .value("appendonly")
                .unwrap_or("no")
                .eq_ignore_ascii_case("yes");
            for (name, want, default) in [
                ("appendonly", p.appendonly.as_deref(), "no"),
                ("appendfsync", p.appendfsync.as_deref(), "everysec"),
            ] {
                let Some(want) = want else { continue };
                if name == "appendfsync" && !aof_on {
                    continue; // without AOF there is nothing to fsync (appendonly speaks)
                }
                let line = conf.get(name);
                let have = match line {
                    Some(_) => match conf.value(name) {
                        Some(v) => v,
                        None => continue,
                    },
                    None => default,
                };
                if have.eq_ignore_ascii_case(want) {
                    continue;
                }
                let f = match line {
                    Some(l) => Finding::new(
                        id::REDIS_PERSISTENCE,
                        value_span(l),
                        format!("{name} {have} differs from the environment's {want}"),
                    )
                    .label(format!("`{name} {have}`")),
                    None => Finding::new(
                        id::REDIS_PERSISTENCE,
                        anchor(conf),
                        format!(
                            "{} sets no `{name}`: Redis uses {default}, not the environment's {want}",
                            describe(conf)
                        ),
                    )
                    .label(format!("no `{name}` line in this config")),
                }
                .help(format!("write `{name} {want}`"));
                out.push(provenance(f, None, Some(conf)));
            }
        }
    }
}
