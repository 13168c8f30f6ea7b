//! `sentinel/failover-impossible`: Sentinel is deployed but cannot fail over — too few Redis
//! pods, pods that do not replicate the first one, or a CONFIG command Sentinel cannot call
//! (removed, or renamed without `sentinel rename-command`).

use crate::checks::redis::common::{
    anchor, describe, monitored, per_config, provenance, sentinels, servers,
};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct FailoverImpossible;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Redis pods the environment runs (`None`: only the minimum applies).
    pub redis_replicas: Option<i64>,
    /// With Sentinel, at least a primary and one replica.
    pub min_redis_replicas: i64,
}

impl Check for FailoverImpossible {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::SENTINEL_FAILOVER_IMPOSSIBLE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let want = cx
            .params
            .redis_replicas
            .unwrap_or(cx.params.min_redis_replicas)
            .max(cx.params.min_redis_replicas);
        let mut reported = Vec::new();
        for s in per_config(sentinels(d)) {
            let ns = s.workload.namespace;
            for m in s.conf.sentinel("monitor") {
                let (Some(master), Some(host)) = (m.args.get(1), m.args.get(2)) else {
                    continue;
                };
                let Some(wi) = monitored(d, ns, &host.text) else {
                    continue; // resolves to nothing: model/dangling-reference
                };
                if reported.contains(&(wi, master.text.clone())) {
                    continue;
                }
                reported.push((wi, master.text.clone()));
                let w = &d.workloads[wi];
                let have = w.replica_count();
                let monitor_label = format!("Sentinel monitors `{}` here", master.text);
                if have < want {
                    let node = w.replicas();
                    let f = Finding::new(
                        id::SENTINEL_FAILOVER_IMPOSSIBLE,
                        node.map_or(w.node.span, |n| n.span),
                        format!(
                            "{} runs {have} Redis pod(s) under Sentinel, fewer than the {want} a failover needs: there is no replica to promote",
                            w.describe()
                        ),
                    )
                    .label(format!("{have} Redis pod(s)"))
                    .related(host.span, monitor_label.clone())
                    .help(format!("set `replicas: {want}` (one primary, {} replica(s))", want - 1));
                    out.push(provenance(f, node, None));
                }
                let confs = per_config(
                    servers(d)
                        .into_iter()
                        .filter(|r| r.process.workload == wi)
                        .collect(),
                );
                for r in &confs {
                    let conf = r.conf;
                    if have > 1 {
                        let lines: Vec<_> = conf.all("replicaof").collect();
                        let to_first = lines.iter().any(|l| {
                            l.args.first().is_some_and(|h| {
                                d.resolve_host(ns, &h.text).is_some_and(|h| {
                                    h.statefulset == Some(wi) && h.ordinal == Some(0)
                                })
                            })
                        });
                        if !to_first {
                            let first_pod = format!("{}-0", w.name);
                            let f = match lines.first() {
                                None => Finding::new(
                                    id::SENTINEL_FAILOVER_IMPOSSIBLE,
                                    anchor(conf),
                                    format!(
                                        "the pods of {} other than `{first_pod}` do not replicate it: {} has no `replicaof` line, in the file or appended",
                                        w.describe(),
                                        describe(conf)
                                    ),
                                )
                                .label("no `replicaof` line in this config"),
                                Some(l) => Finding::new(
                                    id::SENTINEL_FAILOVER_IMPOSSIBLE,
                                    l.args.first().map_or(l.line, |a| a.span),
                                    format!(
                                        "the pods of {} do not replicate `{first_pod}`: no `replicaof` line names it",
                                        w.describe()
                                    ),
                                )
                                .label("not the first pod"),
                            }
                            .related(host.span, monitor_label.clone())
                            .help(format!(
                                "append `replicaof {first_pod}.{}.{ns}.svc.cluster.local PORT` in the init container of every pod but `{first_pod}`",
                                w.node.str_at(&["spec", "serviceName"]).unwrap_or("SERVICE")
                            ));
                            out.push(provenance(f, None, Some(conf)));
                        }
                    }
                    let rename = conf
                        .all("rename-command")
                        .filter(|l| {
                            l.args
                                .first()
                                .is_some_and(|a| a.text.eq_ignore_ascii_case("config"))
                        })
                        .last();
                    let Some(new) = rename.and_then(|l| l.args.get(1)) else {
                        continue;
                    };
                    if new.text.is_empty() {
                        let f = Finding::new(
                            id::SENTINEL_FAILOVER_IMPOSSIBLE,
                            new.span,
                            format!(
                                "CONFIG is removed on the Redis that Sentinel monitors as `{}`: Sentinel sends CONFIG REWRITE to the promoted replica, so failover cannot complete",
                                master.text
                            ),
                        )
                        .label("CONFIG removed")
                        .related(host.span, monitor_label.clone())
                        .help(format!(
                            "rename CONFIG to a random name instead and add `sentinel rename-command {} CONFIG <that name>` to sentinel.conf",
                            master.text
                        ));
                        out.push(provenance(f, None, Some(conf)));
                        continue;
                    }
                    let told = s
                        .conf
                        .sentinel("rename-command")
                        .filter(|l| {
                            l.args.get(1).is_some_and(|a| a.text == master.text)
                                && l.args
                                    .get(2)
                                    .is_some_and(|a| a.text.eq_ignore_ascii_case("config"))
                        })
                        .last();
                    match told.and_then(|l| l.args.get(3)) {
                        Some(name) if name.text == new.text => {}
                        Some(name) => out.push(
                            Finding::new(
                                id::SENTINEL_FAILOVER_IMPOSSIBLE,
                                name.span,
                                format!(
                                    "Sentinel calls CONFIG of `{}` by another name than the one Redis gives it: failover cannot reconfigure the replicas",
                                    master.text
                                ),
                            )
                            .label("not the name Redis uses")
                            .related(new.span, "the name Redis renames CONFIG to")
                            .help("write the same name in `rename-command CONFIG` and `sentinel rename-command`"),
                        ),
                        None => {
                            let f = Finding::new(
                                id::SENTINEL_FAILOVER_IMPOSSIBLE,
                                new.span,
                                format!(
                                    "CONFIG is renamed on the Redis that Sentinel monitors as `{}`, but sentinel.conf has no `sentinel rename-command {} CONFIG`: Sentinel's CONFIG REWRITE fails on failover",
                                    master.text, master.text
                                ),
                            )
                            .label("Sentinel does not know this name")
                            .related(host.span, monitor_label.clone())
                            .help(format!(
                                "add `sentinel rename-command {} CONFIG <the same name>` to sentinel.conf",
                                master.text
                            ));
                            out.push(provenance(f, None, Some(conf)));
                        }
                    }
                }
            }
        }
    }
}
