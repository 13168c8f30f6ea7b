//! `k8s/resources`: every container (init containers included) has the required requests and
//! limits; a request above its limit is what the API server rejects.

use super::{at_value, describe, key_span};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::quantity::Quantity;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct Resources;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// `requests.cpu`, `limits.memory`, …
    pub require: Vec<String>,
}

impl Check for Resources {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_RESOURCES];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        for w in &d.workloads {
            for c in &w.containers {
                let who = describe(w, c);
                let res = c.node.get("resources").filter(|r| !r.is_null());
                let missing: Vec<&str> = cx
                    .params
                    .require
                    .iter()
                    .filter(|r| {
                        let mut parts = r.splitn(2, '.');
                        let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
                            return false;
                        };
                        res.and_then(|n| n.path(&[a, b])).is_none_or(Node::is_null)
                    })
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    let anchor = res
                        .and_then(|_| key_span(c.node, "resources"))
                        .unwrap_or(c.name_span);
                    let what = if res.is_some() {
                        "sets resources without"
                    } else {
                        "has no"
                    };
                    out.push(
                        Finding::new(
                            id::K8S_RESOURCES,
                            anchor,
                            format!("{who} {what} {}", missing.join(", ")),
                        )
                        .help(format!(
                            "add {} under `resources:` (e.g. `requests: {{cpu: 50m, memory: 64Mi}}`, `limits: {{memory: 128Mi}}`)",
                            missing.join(", ")
                        )),
                    );
                }
                let Some(res) = res else { continue };
                let (Some(req), Some(lim)) = (
                    res.get("requests").and_then(Node::as_map),
                    res.get("limits").and_then(Node::as_map),
                ) else {
                    continue;
                };
                for e in req.entries.iter() {
                    let Some(name) = e.key.as_str() else { continue };
                    let Some(l) = lim.get(name) else { continue };
                    let (Some(rt), Some(lt)) = (e.value.as_str(), l.as_str()) else {
                        continue;
                    };
                    // Malformed quantities are k8s/schema's.
                    let (Ok(rq), Ok(lq)) = (Quantity::parse(rt), Quantity::parse(lt)) else {
                        continue;
                    };
                    if rq > lq {
                        out.push(at_value(
                            Finding::new(
                                id::K8S_RESOURCES,
                                e.value.span,
                                format!(
                                    "{who} requests {rt} of {name}, more than its limit {lt}: the API server rejects it (\"must be less than or equal to {name} limit\")"
                                ),
                            )
                            .label(format!("request {rt}"))
                            .related(l.span, format!("limit {lt}"))
                            .help(format!("lower the {name} request to at most {lt}, or raise the limit")),
                            &e.value,
                        ));
                    }
                }
            }
        }
    }
}
