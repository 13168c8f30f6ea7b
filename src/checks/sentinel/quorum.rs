//! `sentinel/quorum`: enough Sentinels, an odd count, and a quorum that is a majority of them
//! (and the environment's, when the policy names one).

use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct Quorum;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The fewest Sentinels a deployment may run.
    pub min_sentinels: i64,
    /// The quorum the environment expects (`None`: any majority).
    pub quorum: Option<i64>,
}

impl Check for Quorum {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::SENTINEL_QUORUM];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        // One entry per Sentinel workload: the replicas of its pods are the Sentinels.
        let mut workloads: Vec<usize> = d.sentinels().map(|p| p.workload).collect();
        workloads.dedup();
        let count: i64 = workloads
            .iter()
            .map(|&w| d.workloads[w].replica_count())
            .sum();
        let Some(&first) = workloads.first() else {
            return; // no Sentinel: `sentinel/required` speaks about that
        };
        let w = &d.workloads[first];
        let at = w.replicas();
        let count_span = at.map_or(w.node.span, |n| n.span);
        let replaced = at.and_then(|n| n.overrode);
        let mut count_finding = |msg: String, help: String| {
            let mut f = Finding::new(id::SENTINEL_QUORUM, count_span, msg)
                .label(format!("{count} Sentinel(s)"))
                .help(help);
            if let Some(base) = replaced {
                f = f.related(base, "the base value this replaces");
            }
            out.push(f);
        };
        if count < cx.params.min_sentinels {
            count_finding(
                format!(
                    "{} runs {count} Sentinel(s), fewer than the {} a failover needs to survive the loss of one",
                    w.describe(),
                    cx.params.min_sentinels
                ),
                format!("run at least {} Sentinels", cx.params.min_sentinels),
            );
        } else if count % 2 == 0 {
            count_finding(
                format!(
                    "{} runs an even number of Sentinels ({count}): it tolerates no more failures than {}",
                    w.describe(),
                    count - 1
                ),
                format!("run {} or {} Sentinels", count - 1, count + 1),
            );
        }
        let majority = count / 2 + 1;
        for p in d.sentinels() {
            let Some(conf) = d.config_of(p) else { continue };
            for m in conf.sentinel("monitor") {
                let Some(q) = m.args.get(4) else { continue };
                let Ok(quorum) = q.text.parse::<i64>() else {
                    continue; // not a number: Sentinel refuses it (redis/invalid-value)
                };
                if quorum < 1 {
                    continue; // Sentinel refuses it: reported with the file's own rules
                }
                let master = m.args.get(1).map_or("", |a| a.text.as_str());
                let msg = if quorum > count {
                    Some(format!(
                        "quorum {quorum} of master `{master}` is more than the {count} Sentinel(s) deployed: the primary is never agreed to be down, so no failover ever starts"
                    ))
                } else if quorum < majority {
                    Some(format!(
                        "quorum {quorum} of master `{master}` is not a majority of the {count} Sentinels (at least {majority}): a minority can declare a healthy primary down"
                    ))
                } else {
                    cx.params.quorum.filter(|&want| want != quorum).map(|want| {
                        format!(
                            "quorum {quorum} of master `{master}` differs from the environment's quorum {want}"
                        )
                    })
                };
                if let Some(msg) = msg {
                    let want = cx.params.quorum.unwrap_or(majority);
                    out.push(
                        Finding::new(id::SENTINEL_QUORUM, q.span, msg)
                            .label(format!("quorum {quorum}"))
                            .related(count_span, format!("{count} Sentinel(s) here"))
                            .help(format!("set the quorum to {want}")),
                    );
                }
            }
        }
    }
}
