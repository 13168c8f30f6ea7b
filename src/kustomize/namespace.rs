//! The `namespace` transformer (`api/filters/namespace`): sets `metadata.namespace` on every
//! object not known to be cluster-scoped (the embedded Kubernetes 1.21 table; CRD kinds are
//! namespaced), renames `Namespace` objects, and fixes the few namespace fields kustomize
//! knows (`default` RoleBinding subjects, APIService and CRD-conversion services).

use super::kustomization::Str;
use super::resource::{ensure_map, put, Res, ResId};
use crate::yaml::Node;

const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("extensions", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "NodeProxyOptions"),
    ("", "PersistentVolume"),
];

/// Whether kustomize's schema knows the kind as cluster-scoped.
pub fn is_cluster_scoped(id: &ResId) -> bool {
    CLUSTER_SCOPED.contains(&(id.group.as_str(), id.kind.as_str()))
}

/// Applies `namespace: ns` to every object.
pub fn apply(resources: &mut [Res], ns: &Str) {
    for r in resources.iter_mut() {
        let id = r.id();
        let value = || Node::string(ns.text.clone(), ns.span);
        // kustomize records the id of every object, changed or not (observed through its
        // internal annotations, see `annotations`).
        r.store_prev();
        if id.kind == "Namespace" && id.group.is_empty() {
            if id.name != ns.text {
                super::resource::set_name(&mut r.node, ns.text.clone(), ns.span);
            }
            continue;
        }
        if !is_cluster_scoped(&id) {
            if let Some(meta) = ensure_map(&mut r.node, &["metadata"], ns.span) {
                put(meta, "namespace", value());
            }
        }
        let service_path: &[&str] = match (id.group.as_str(), id.kind.as_str()) {
            ("apiregistration.k8s.io", "APIService") => &["spec", "service"],
            ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                &["spec", "conversion", "webhook", "clientConfig", "service"]
            }
            ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
                default_subjects(&mut r.node, ns);
                continue;
            }
            _ => continue,
        };
        if let Some(m) = r.node.path_mut(service_path).and_then(Node::as_map_mut) {
            put(m, "namespace", value());
        }
    }
}

/// Subjects named `default` get the namespace.
fn default_subjects(node: &mut Node, ns: &Str) {
    let Some(subjects) = node.get_mut("subjects").and_then(Node::as_seq_mut) else {
        return;
    };
    for s in subjects.iter_mut() {
        if s.str_at(&["name"]) != Some("default") {
            continue;
        }
        if let Some(m) = s.as_map_mut() {
            put(m, "namespace", Node::string(ns.text.clone(), ns.span));
        }
    }
}
