//! `redis/memory-limit`: the Redis container has no memory limit, or not the environment's.

use super::common::{memory_limit, provenance, QuantityParam};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::quantity::Quantity;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct MemoryLimit;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The environment's limit (`None`: only its presence is checked).
    pub memory_limit: Option<QuantityParam>,
}

impl Check for MemoryLimit {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::REDIS_MEMORY_LIMIT];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let mut seen = Vec::new();
        // Every Redis server container, traced config or not: the limit is the pod's.
        for p in d.redis() {
            if seen.contains(&(p.workload, p.container)) {
                continue;
            }
            seen.push((p.workload, p.container));
            let w = d.workload_of(p);
            let c = d.container(p);
            let Some(limit) = memory_limit(c) else {
                let at = c
                    .node
                    .path(&["resources", "limits"])
                    .or_else(|| c.node.get("resources"))
                    .map_or(c.name_span, |n| n.span);
                let want = cx
                    .params
                    .memory_limit
                    .as_ref()
                    .map(|_| "the environment's memory limit")
                    .unwrap_or("a memory limit");
                out.push(
                    Finding::new(
                        id::REDIS_MEMORY_LIMIT,
                        at,
                        format!(
                            "Redis container `{}` of {} has no memory limit: `maxmemory` relates to nothing and the node's memory is at its mercy",
                            c.name,
                            w.describe()
                        ),
                    )
                    .label("no `resources.limits.memory`")
                    .help(format!("add `resources: {{limits: {{memory: ...}}}}` with {want}")),
                );
                continue;
            };
            let Some(want) = &cx.params.memory_limit else {
                continue;
            };
            let text = limit.as_str().unwrap_or("");
            let Ok(have) = Quantity::parse(text) else {
                continue; // not a quantity: k8s/schema
            };
            if have == want.value {
                continue;
            }
            let want_shown = &want.text;
            let f = Finding::new(
                id::REDIS_MEMORY_LIMIT,
                limit.span,
                format!(
                    "memory limit {text} of Redis container `{}` differs from the environment's {want_shown}",
                    c.name
                ),
            )
            .label(format!("{} is {}", text, if have < want.value { "smaller" } else { "larger" }))
            .help(format!("set `memory: {want_shown}` (and size `maxmemory` for it)"));
            out.push(provenance(f, Some(limit), None));
        }
    }
}
