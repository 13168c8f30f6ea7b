//! `model/dangling-reference`: a reference that resolves to nothing in the rendered overlay.

use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{Deployment, RefKind};
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct DanglingReference;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Secrets the overlay itself must define (others may come from outside).
    pub required_secrets: Vec<String>,
}

impl Check for DanglingReference {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::MODEL_DANGLING_REFERENCE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        for r in &d.references {
            if r.resolved || r.optional {
                continue;
            }
            let secret = matches!(r.kind, RefKind::Secret | RefKind::SecretKey);
            if secret && !cx.params.required_secrets.contains(&r.name) {
                continue; // created out of band (sealed-secrets, an operator, kubectl)
            }
            let key = r.key.as_deref().unwrap_or("");
            let (msg, label, help) = match r.kind {
                RefKind::Claim => continue, // backup/storage and k8s/storage speak about claims
                RefKind::ConfigMap | RefKind::Secret => {
                    let kind = if r.kind == RefKind::Secret { "Secret" } else { "ConfigMap" };
                    (
                        format!("{kind} `{}` named by {} is not in this overlay", r.name, r.from),
                        "names nothing".to_string(),
                        format!("add {kind} `{}` to the overlay's resources or generators, or name one that exists", r.name),
                    )
                }
                RefKind::ConfigMapKey | RefKind::SecretKey => {
                    let kind = if r.kind == RefKind::SecretKey { "Secret" } else { "ConfigMap" };
                    let exists = d.of_kind(kind).any(|o| crate::model::name_of(o) == r.name);
                    if exists {
                        (
                            format!("{kind} `{}` has no key `{key}` (named by {})", r.name, r.from),
                            format!("no key `{key}`"),
                            format!("add key `{key}` to {kind} `{}`, or name a key it has", r.name),
                        )
                    } else {
                        (
                            format!("{kind} `{}` named by {} is not in this overlay", r.name, r.from),
                            "names nothing".to_string(),
                            format!("add {kind} `{}` with key `{key}` to the overlay", r.name),
                        )
                    }
                }
                RefKind::Service => (
                    format!("Service `{}` named by {} is not in this overlay: its pods get no DNS names", r.name, r.from),
                    "names no Service".to_string(),
                    format!("add the headless Service `{}` (clusterIP: None) or name the one that exists", r.name),
                ),
                RefKind::ServiceSelector => (
                    format!("{} selects no pod: Service `{}` has no endpoints", r.from, r.name),
                    "matches no pod template's labels".to_string(),
                    "make the selector match the labels of the pods it serves".to_string(),
                ),
                RefKind::ServiceMonitorSelector => (
                    format!("{} selects no Service: nothing is scraped", r.from),
                    "matches no Service's labels".to_string(),
                    "make the selector match the labels of the metrics Service".to_string(),
                ),
                RefKind::MonitorHost => (
                    format!("`{}` in {} is no Service or pod DNS name of this overlay's namespace", r.name, r.from),
                    "resolves to nothing".to_string(),
                    "name a Service, or a StatefulSet pod as POD.SERVICE.NAMESPACE.svc.cluster.local".to_string(),
                ),
            };
            out.absent(
                Finding::new(id::MODEL_DANGLING_REFERENCE, r.span, msg)
                    .label(label)
                    .help(help),
            );
        }
    }
}
