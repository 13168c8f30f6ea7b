//! `redis/maxmemory-policy`: the eviction policy differs from the environment's.

use super::common::{anchor, describe, per_config, provenance, servers, value_span};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct MaxmemoryPolicy;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The expected policy (`None`: not checked).
    pub policy: Option<String>,
}

/// Redis' policy when the line is absent.
const DEFAULT: &str = "noeviction";

impl Check for MaxmemoryPolicy {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::REDIS_MAXMEMORY_POLICY];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let Some(want) = cx.params.policy.as_deref() else {
            return;
        };
        for s in per_config(servers(d)) {
            let line = s.conf.get("maxmemory-policy");
            let have = match line {
                Some(_) => match s.conf.value("maxmemory-policy") {
                    Some(v) => v,
                    None => continue, // argument count: redis/invalid-value
                },
                None => DEFAULT,
            };
            if have.eq_ignore_ascii_case(want) {
                continue;
            }
            let f = match line {
                Some(l) => Finding::new(
                    id::REDIS_MAXMEMORY_POLICY,
                    value_span(l),
                    format!("maxmemory-policy {have} differs from the environment's {want}"),
                )
                .label(format!("evicts under `{have}`")),
                None => Finding::new(
                    id::REDIS_MAXMEMORY_POLICY,
                    anchor(s.conf),
                    format!(
                        "{} sets no `maxmemory-policy`: Redis uses {DEFAULT}, not the environment's {want}",
                        describe(s.conf)
                    ),
                )
                .label("no `maxmemory-policy` line in this config"),
            }
            .help(format!("write `maxmemory-policy {want}`"));
            out.push(provenance(f, None, Some(s.conf)));
        }
    }
}
