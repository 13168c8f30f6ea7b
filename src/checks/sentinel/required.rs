//! `sentinel/required`: Sentinel where the environment's policy wants it (with its replica
//! count), and none where it wants none.

use crate::checks::redis::common::provenance;
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct Required;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Sentinel pods the environment runs (`None`: none).
    pub replicas: Option<i64>,
}

impl Check for Required {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::SENTINEL_REQUIRED];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let mut workloads: Vec<usize> = d.sentinels().map(|p| p.workload).collect();
        workloads.dedup();
        match cx.params.replicas {
            Some(want) if workloads.is_empty() => {
                // Point at the Redis the Sentinels would watch.
                let Some(p) = d.redis().next() else {
                    return; // no Redis either: model/redis-not-found
                };
                let w = d.workload_of(p);
                let at = w
                    .node
                    .path(&["metadata", "name"])
                    .map_or(w.node.span, |n| n.span);
                out.absent(
                    Finding::new(
                        id::SENTINEL_REQUIRED,
                        at,
                        format!(
                            "no Sentinel watches {}: the environment's policy wants {want} Sentinel pod(s) for automatic failover",
                            w.describe()
                        ),
                    )
                    .label("no Sentinel monitors this Redis")
                    .help(format!(
                        "deploy Sentinel with {want} replicas (`redis-sentinel sentinel.conf` or `redis-server sentinel.conf --sentinel`)"
                    )),
                );
            }
            Some(want) => {
                for &wi in &workloads {
                    let w = &d.workloads[wi];
                    let have = w.replica_count();
                    if have == want {
                        continue;
                    }
                    let node = w.replicas();
                    let at = node.map_or(w.node.span, |n| n.span);
                    let f = Finding::new(
                        id::SENTINEL_REQUIRED,
                        at,
                        format!(
                            "{} runs {have} Sentinel pod(s), the environment's policy wants {want}",
                            w.describe()
                        ),
                    )
                    .label(format!("{have} replica(s)"))
                    .help(format!("set `replicas: {want}`"));
                    out.push(provenance(f, node, None));
                }
            }
            None => {
                for &wi in &workloads {
                    let w = &d.workloads[wi];
                    let node = w.replicas();
                    let at = w
                        .node
                        .path(&["metadata", "name"])
                        .map_or(w.node.span, |n| n.span);
                    let f = Finding::new(
                        id::SENTINEL_REQUIRED,
                        at,
                        format!(
                            "{} deploys {} Sentinel pod(s) in an environment whose policy runs no Sentinel",
                            w.describe(),
                            w.replica_count()
                        ),
                    )
                    .label("a Sentinel workload")
                    .help("remove the Sentinel objects from this overlay (a `$patch: delete` patch), or set the environment's `replicas` in .grill-lint.yaml");
                    out.push(provenance(f, node, None));
                }
            }
        }
    }
}
