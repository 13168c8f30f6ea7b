//! kustomize's legacy output order (`SortOrderTransformer`): a fixed kind ranking, then
//! group_version_kind, namespace and name, with `~`-placeholders for empty parts.

use super::resource::{Res, ResId};
use std::cmp::Ordering;

const FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn rank(kind: &str) -> usize {
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return i;
    }
    match LAST.iter().position(|k| *k == kind) {
        Some(i) => FIRST.len() + 1 + i,
        None => FIRST.len(),
    }
}

fn or(s: &str, placeholder: &'static str) -> String {
    if s.is_empty() {
        placeholder.to_string()
    } else {
        s.to_string()
    }
}

fn gvk(id: &ResId) -> String {
    format!(
        "{}_{}_{}",
        or(&id.group, "~G"),
        or(&id.version, "~V"),
        or(&id.kind, "~K")
    )
}

fn compare(a: &ResId, b: &ResId) -> Ordering {
    let r = rank(&a.kind).cmp(&rank(&b.kind));
    if r != Ordering::Equal {
        return r;
    }
    if a.kind == "Namespace" && b.kind == "Namespace" && (a.group.is_empty() != b.group.is_empty())
    {
        return gvk(b).cmp(&gvk(a));
    }
    gvk(a)
        .cmp(&gvk(b))
        .then_with(|| or(&a.namespace, "~X").cmp(&or(&b.namespace, "~X")))
        .then_with(|| or(&a.name, "~N").cmp(&or(&b.name, "~N")))
}

/// Sorts into legacy order (stable).
pub fn legacy_sort(resources: &mut Vec<Res>) {
    let mut keyed: Vec<(ResId, Res)> = resources.drain(..).map(|r| (r.id(), r)).collect();
    keyed.sort_by(|a, b| compare(&a.0, &b.0));
    resources.extend(keyed.into_iter().map(|(_, r)| r));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(g: &str, v: &str, k: &str, ns: &str, n: &str) -> ResId {
        ResId {
            group: g.into(),
            version: v.into(),
            kind: k.into(),
            namespace: ns.into(),
            name: n.into(),
        }
    }

    #[test]
    fn namespaced_before_unnamespaced_and_webhooks_last() {
        let a = id("apps", "v1", "StatefulSet", "zz", "a");
        let b = id("apps", "v1", "StatefulSet", "", "b");
        assert_eq!(compare(&a, &b), Ordering::Less);
        let w = id(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingWebhookConfiguration",
            "",
            "v",
        );
        let n = id("networking.k8s.io", "v1", "NetworkPolicy", "", "z");
        assert_eq!(compare(&n, &w), Ordering::Less);
        let d1 = id("apps", "v1", "Deployment", "", "new");
        let d2 = id("extensions", "v1beta1", "Deployment", "", "old");
        assert_eq!(compare(&d1, &d2), Ordering::Less);
    }
}
