//! `redis/maxmemory-headroom`: `maxmemory` above `headroom_ratio` × the container's memory
//! limit, both locations labelled, both numbers and the ratio in the message.

use super::common::{self, memory_limit, pct, percent, provenance, redis_size, servers};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::quantity::Quantity;
use crate::model::Deployment;
use crate::redis::value::parse_memory;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct MaxmemoryHeadroom;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The largest `maxmemory` as a fraction of the memory limit.
    pub headroom_ratio: f64,
}

impl Check for MaxmemoryHeadroom {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::REDIS_MAXMEMORY_HEADROOM];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let ratio = cx.params.headroom_ratio;
        for s in servers(d) {
            let Some(a) = s.conf.get("maxmemory").and_then(common::arg) else {
                continue;
            };
            let Ok(max) = parse_memory(&a.text) else {
                continue; // refused or read as 0: other rules
            };
            if max == 0 {
                continue; // no cap: redis/maxmemory-missing
            }
            let Some(limit_node) = memory_limit(s.container) else {
                continue; // no limit: redis/memory-limit
            };
            let Some(limit_text) = limit_node.as_str() else {
                continue;
            };
            let Some(limit) = Quantity::parse(limit_text)
                .ok()
                .and_then(|q| q.ceil_u128())
                .filter(|&b| b > 0)
            else {
                continue; // not a quantity: k8s/schema
            };
            let allowed = (limit as f64 * ratio).floor() as u128;
            if u128::from(max) <= allowed {
                continue;
            }
            let share = max as f64 / limit as f64;
            let largest = if allowed >= 1 << 20 {
                redis_size(allowed >> 20 << 20)
            } else {
                redis_size(allowed)
            };
            let f = Finding::new(
                id::REDIS_MAXMEMORY_HEADROOM,
                a.span,
                format!(
                    "maxmemory {} is {} of the container memory limit {limit_text} (limit: {})",
                    a.text,
                    percent(share, ratio),
                    pct(ratio)
                ),
            )
            .label(format!("{max} bytes"))
            .related(
                limit_node.span,
                format!(
                    "the memory limit of container `{}` of {}: {limit} bytes",
                    s.container.name,
                    s.workload.describe()
                ),
            )
            .help(format!(
                "set `maxmemory {largest}` or lower ({} of {limit_text}), or raise the memory limit to fit forks and buffers",
                pct(ratio)
            ));
            out.push(provenance(f, Some(limit_node), Some(s.conf)));
        }
    }
}
