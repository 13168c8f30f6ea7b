//! `redis/required-setting`: a directive the environment's policy requires is absent or has
//! another value (compared as Redis reads it).

use super::common::{anchor, describe, per_config, provenance, servers, value_span};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::redis::table::TABLE;
use crate::redis::value::parse_memory;
use crate::rules::{id, RuleId};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct RequiredSetting;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// directive → value, as written in redis.conf.
    pub settings: BTreeMap<String, String>,
}

/// Whether Redis reads `a` and `b` as the same value.
fn same(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    matches!((parse_memory(a), parse_memory(b)), (Ok(x), Ok(y)) if x == y)
}

impl Check for RequiredSetting {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::REDIS_REQUIRED_SETTING];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        for s in per_config(servers(d)) {
            for (name, want) in &cx.params.settings {
                let lower = name.to_ascii_lowercase();
                // The canonical name, so a policy or config may use a compatibility alias.
                let canonical = TABLE
                    .lookup(&lower)
                    .map_or(lower.clone(), |l| l.spec.name.clone());
                let f = match s.conf.get(&canonical) {
                    None => Finding::new(
                        id::REDIS_REQUIRED_SETTING,
                        anchor(s.conf),
                        format!(
                            "{} does not set `{name}`: the environment's policy requires `{name} {want}`",
                            describe(s.conf)
                        ),
                    )
                    .label(format!("no `{name}` line in this config")),
                    Some(line) => {
                        let have: Vec<&str> = line.args.iter().map(|a| a.text.as_str()).collect();
                        let have = have.join(" ");
                        if same(&have, want) {
                            continue;
                        }
                        Finding::new(
                            id::REDIS_REQUIRED_SETTING,
                            value_span(line),
                            format!(
                                "{} {have} differs from the environment's required `{name} {want}`",
                                line.written
                            ),
                        )
                        .label(format!("set to `{have}`"))
                    }
                }
                .help(format!("write `{name} {want}`"));
                out.push(provenance(f, None, Some(s.conf)));
            }
        }
    }
}
