//! `labels`, `commonLabels` and `commonAnnotations`: key/value pairs written at the built-in
//! field specs of kustomize v5.5.0 (`builtinpluginconsts/{commonlabels,metadatalabels,
//! templatelabels,commonannotations}.go`), overwriting what is there.

use super::fieldspec::FieldSpec;
use super::kustomization::{LabelMode, LabelSet, Str};
use super::resource::{put, Res, ResId};
use crate::yaml::Node;

const POD_AFFINITY: &[&str] = &[
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
];

/// Pod-template label paths (the `includeTemplates` set without `metadata/labels`).
fn template_specs() -> Vec<FieldSpec> {
    let t = "spec/template/metadata/labels";
    vec![
        FieldSpec::kind(Some(""), "ReplicationController", t, true),
        FieldSpec::kind(None, "Deployment", t, true),
        FieldSpec::kind(None, "ReplicaSet", t, true),
        FieldSpec::kind(None, "DaemonSet", t, true),
        FieldSpec::kind(Some("apps"), "StatefulSet", t, true),
        FieldSpec::kind(
            Some("apps"),
            "StatefulSet",
            "spec/volumeClaimTemplates[]/metadata/labels",
            true,
        ),
        FieldSpec::kind(Some("batch"), "Job", t, true),
        FieldSpec::kind(
            Some("batch"),
            "CronJob",
            "spec/jobTemplate/metadata/labels",
            true,
        ),
        FieldSpec::kind(
            Some("batch"),
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/labels",
            true,
        ),
    ]
}

/// Selector paths (added by `commonLabels` and `includeSelectors`).
fn selector_specs() -> Vec<FieldSpec> {
    let ml = "spec/selector/matchLabels";
    let mut v = vec![
        FieldSpec::kind(Some(""), "Service", "spec/selector", true),
        FieldSpec::kind(Some(""), "ReplicationController", "spec/selector", true),
        FieldSpec::kind(None, "Deployment", ml, true),
        FieldSpec::kind(None, "ReplicaSet", ml, true),
        FieldSpec::kind(None, "DaemonSet", ml, true),
        FieldSpec::kind(Some("apps"), "StatefulSet", ml, true),
        FieldSpec::kind(Some("batch"), "Job", ml, false),
        FieldSpec::kind(
            Some("batch"),
            "CronJob",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        FieldSpec::kind(Some("policy"), "PodDisruptionBudget", ml, false),
    ];
    for p in [
        "spec/podSelector/matchLabels",
        "spec/ingress/from/podSelector/matchLabels",
        "spec/egress/to/podSelector/matchLabels",
    ] {
        v.push(FieldSpec::kind(
            Some("networking.k8s.io"),
            "NetworkPolicy",
            p,
            false,
        ));
    }
    for kind in ["Deployment", "StatefulSet"] {
        for p in POD_AFFINITY {
            v.push(FieldSpec::kind(Some("apps"), kind, p, false));
        }
    }
    v
}

/// The field specs one `labels` entry (or `commonLabels`) writes to.
pub fn label_specs(set: &LabelSet) -> Vec<FieldSpec> {
    let mut v = vec![FieldSpec::any("metadata/labels", true)];
    match set.mode {
        LabelMode::Metadata => {}
        LabelMode::Templates => v.extend(template_specs()),
        LabelMode::Selectors => {
            v.extend(template_specs());
            v.extend(selector_specs());
        }
    }
    v.extend(set.fields.iter().cloned());
    v
}

/// The field specs of `commonAnnotations`.
pub fn annotation_specs() -> Vec<FieldSpec> {
    let t = "spec/template/metadata/annotations";
    let mut v = vec![FieldSpec::any("metadata/annotations", true)];
    for kind in [
        "ReplicationController",
        "Deployment",
        "ReplicaSet",
        "DaemonSet",
        "StatefulSet",
        "Job",
    ] {
        v.push(FieldSpec::kind(None, kind, t, true));
    }
    v.push(FieldSpec::kind(
        None,
        "CronJob",
        "spec/jobTemplate/metadata/annotations",
        true,
    ));
    v.push(FieldSpec::kind(
        None,
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/annotations",
        true,
    ));
    v
}

/// Writes `pairs` at every applicable spec of every object.
pub fn apply(resources: &mut [Res], specs: &[FieldSpec], pairs: &[(Str, Str)]) {
    if pairs.is_empty() {
        return;
    }
    let span = pairs[0].1.span;
    for r in resources.iter_mut() {
        let id = ResId::of(&r.node);
        for spec in specs.iter().filter(|s| s.applies(&id.group, &id.kind)) {
            spec.visit(&mut r.node, span, &mut |n: &mut Node| {
                if n.is_null() {
                    *n = Node::map(Vec::new(), n.span);
                }
                if let Some(m) = n.as_map_mut() {
                    for (k, v) in pairs {
                        put(m, &k.text, Node::string(v.text.clone(), v.span));
                    }
                }
            });
        }
    }
}
