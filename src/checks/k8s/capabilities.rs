//! `k8s/capabilities`: every container drops the required capabilities (`ALL`) and adds none
//! beyond the allowed ones.

use super::{at_value, describe, key_span, own, sc_anchor};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct Capabilities;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub required_drop: Vec<String>,
    pub allowed_add: Vec<String>,
}

/// `NET_RAW` and `CAP_NET_RAW` name the same capability; the runtime accepts both.
fn norm(cap: &str) -> String {
    let up = cap.to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

impl Check for Capabilities {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_CAPABILITIES];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let p = cx.params;
        for w in &d.workloads {
            for c in &w.containers {
                let who = describe(w, c);
                let caps = own(c, "capabilities");
                let drop = caps.and_then(|n| n.get("drop"));
                let dropped: Vec<String> = drop
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Node::as_str)
                    .map(norm)
                    .collect();
                let missing: Vec<&str> = p
                    .required_drop
                    .iter()
                    .filter(|r| !dropped.contains(&norm(r)))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    let list = missing.join(", ");
                    let f = match (drop, caps) {
                        (Some(dn), _) => at_value(
                            Finding::new(
                                id::K8S_CAPABILITIES,
                                dn.span,
                                format!("{who} does not drop {list}: it keeps the runtime's default capabilities"),
                            )
                            .label(format!("drops {}", if dropped.is_empty() { "nothing".to_string() } else { dropped.join(", ") })),
                            dn,
                        ),
                        (None, Some(cn)) => Finding::new(
                            id::K8S_CAPABILITIES,
                            key_span(c.node.get("securityContext").unwrap_or(cn), "capabilities").unwrap_or(cn.span),
                            format!("{who} sets capabilities without dropping {list}: it keeps the runtime's default capabilities"),
                        ),
                        (None, None) => Finding::new(
                            id::K8S_CAPABILITIES,
                            sc_anchor(c),
                            format!("{who} does not drop {list}: it keeps the runtime's default capabilities (CHOWN, DAC_OVERRIDE, NET_RAW, SETUID, …)"),
                        ),
                    };
                    out.push(f.help(format!(
                        "set `capabilities: {{drop: [{}]}}` in its securityContext",
                        p.required_drop.join(", ")
                    )));
                }
                for a in caps
                    .and_then(|n| n.get("add"))
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                {
                    let Some(name) = a.as_str() else { continue };
                    if p.allowed_add.iter().any(|x| norm(x) == norm(name)) {
                        continue;
                    }
                    out.push(at_value(
                        Finding::new(
                            id::K8S_CAPABILITIES,
                            a.span,
                            format!("{who} adds the capability {name}"),
                        )
                        .label("added")
                        .help(if p.allowed_add.is_empty() {
                            format!("remove {name} from `capabilities.add`: no container of this deployment needs one")
                        } else {
                            format!("remove {name}; only {} may be added", p.allowed_add.join(", "))
                        }),
                        a,
                    ));
                }
            }
        }
    }
}
