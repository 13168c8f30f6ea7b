//! `k8s/namespace`: every namespaced object of the overlay is in the environment's namespace
//! (after kustomize's `namespace:` transformer, whose line the value then points at).

use super::at_value;
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{kind_of, name_of, name_span, Deployment};
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct Namespace;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub namespace: String,
}

/// Kinds that live outside any namespace (the API's cluster-scoped built-in kinds).
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

impl Check for Namespace {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_NAMESPACE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let want = cx.params.namespace.as_str();
        // One finding per line that sets a wrong namespace (the kustomization's `namespace:`
        // sets it for every object at once).
        let mut wrong: Vec<(&Node, Vec<String>)> = Vec::new();
        for o in &d.objects {
            let kind = kind_of(o);
            if kind.is_empty() || CLUSTER_SCOPED.contains(&kind) {
                continue;
            }
            let what = format!("{kind} `{}`", name_of(o));
            match o.path(&["metadata", "namespace"]).filter(|n| !n.is_null()) {
                Some(ns) if ns.as_str() == Some(want) => {}
                Some(ns) => match wrong.iter_mut().find(|(n, _)| n.span == ns.span) {
                    Some((_, objs)) => objs.push(what),
                    None => wrong.push((ns, vec![what])),
                },
                None => {
                    let at = name_span(o);
                    out.push(
                        Finding::new(
                            id::K8S_NAMESPACE,
                            at,
                            format!(
                                "{what} has no namespace: it lands in whatever namespace `kubectl apply` uses, not `{want}`"
                            ),
                        )
                        .help(format!("add `namespace: {want}` to the overlay's kustomization")),
                    );
                }
            }
        }
        for (ns, objs) in wrong {
            let got = ns.as_str().unwrap_or("");
            let who = match objs.as_slice() {
                [one] => format!("{one} is"),
                [first, rest @ ..] => format!("{first} and {} more object(s) are", rest.len()),
                [] => continue,
            };
            out.push(at_value(
                Finding::new(
                    id::K8S_NAMESPACE,
                    ns.span,
                    format!("{who} in namespace `{got}`, not the environment's `{want}`"),
                )
                .label(format!("namespace `{got}`"))
                .help(format!("set `namespace: {want}`")),
                ns,
            ));
        }
    }
}
