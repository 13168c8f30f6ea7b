//! `k8s/probes`: every long-running container has the probes the policy requires.

use super::{describe, long_running};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct Probes;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// `readinessProbe`, `livenessProbe`, `startupProbe`.
    pub probes: Vec<String>,
}

impl Check for Probes {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_PROBES];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        for w in &d.workloads {
            for c in w.containers.iter().filter(|c| long_running(w, c)) {
                let missing: Vec<&str> = cx
                    .params
                    .probes
                    .iter()
                    .filter(|p| c.node.get(p).is_none_or(|n| n.is_null()))
                    .map(String::as_str)
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let why = if missing.contains(&"readinessProbe") {
                    "the Service sends clients to it before it is ready"
                } else {
                    "nothing restarts it when it hangs"
                };
                out.push(
                    Finding::new(
                        id::K8S_PROBES,
                        c.name_span,
                        format!(
                            "{} has no {}: {why}",
                            describe(w, c),
                            missing.join(" and ")
                        ),
                    )
                    .label("add the probes to this container")
                    .help(format!(
                        "add {} (e.g. `tcpSocket: {{port: …}}`, or an exec `redis-cli ping` with REDISCLI_AUTH in the env)",
                        missing.join(" and ")
                    )),
                );
            }
        }
    }
}
