//! `namePrefix` / `nameSuffix`, the generated-name hash suffix, and the root name-reference
//! step: every reference field of kustomize's built-in nameReference table that names an
//! object of the build under any earlier name is rewritten to its final name.

use super::fieldspec::visit_path;
use super::kustomization::Str;
use super::namespace::is_cluster_scoped;
use super::resource::{norm_ns, put, set_name, Res, ResId};
use crate::diag::Finding;
use crate::hash::HashMap;
use crate::rules::id;
use crate::source::Span;
use crate::yaml::{Node, Value};

/// Kinds whose names prefixes and suffixes leave alone.
fn keeps_name(kind: &str) -> bool {
    matches!(kind, "Namespace" | "CustomResourceDefinition")
}

/// Applies `namePrefix` (`prefix = true`) or `nameSuffix`.
pub fn apply_affix(resources: &mut [Res], affix: &Str, prefix: bool) {
    for r in resources.iter_mut() {
        if keeps_name(r.kind()) {
            continue;
        }
        let name = r.name().to_string();
        let new = if prefix {
            format!("{}{name}", affix.text)
        } else {
            format!("{name}{}", affix.text)
        };
        r.store_prev();
        set_name(&mut r.node, new, affix.span);
        if prefix {
            r.prefixes.push(affix.text.clone());
        } else {
            r.suffixes.push(affix.text.clone());
        }
    }
}

/// Appends the content hash to every generated object that wants one.
pub fn apply_hashes(resources: &mut [Res]) {
    for r in resources.iter_mut() {
        let Some(g) = r.generated.clone().filter(|g| g.hash) else {
            continue;
        };
        let Some(suffix) = super::hash::suffix(&r.node) else {
            continue;
        };
        let name = format!("{}-{suffix}", r.name());
        r.store_prev();
        set_name(&mut r.node, name, g.entry);
    }
}

/// How a reference field is checked beyond kind and name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    /// The map at the path holds `kind` and `name` (roleRef, scaleTargetRef).
    KindRef,
    /// RBAC subjects: ServiceAccount entries get name and namespace.
    Subjects,
}

struct RefSpec {
    /// Referenced (group, kind)s.
    targets: &'static [(&'static str, &'static str)],
    /// Referring kind (`None`: any).
    referrer: Option<&'static str>,
    path: String,
    special: Special,
}

const CM: &[(&str, &str)] = &[("", "ConfigMap")];
const SECRET: &[(&str, &str)] = &[("", "Secret")];
const SERVICE: &[(&str, &str)] = &[("", "Service")];
const SA: &[(&str, &str)] = &[("", "ServiceAccount")];
const PVC: &[(&str, &str)] = &[("", "PersistentVolumeClaim")];
const PV: &[(&str, &str)] = &[("", "PersistentVolume")];
const ROLES: &[(&str, &str)] = &[
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
];
const STORAGE_CLASS: &[(&str, &str)] = &[("storage.k8s.io", "StorageClass")];
const PRIORITY_CLASS: &[(&str, &str)] = &[("scheduling.k8s.io", "PriorityClass")];
const INGRESS_CLASS: &[(&str, &str)] = &[("networking.k8s.io", "IngressClass")];
const SCALABLE: &[(&str, &str)] = &[
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "ReplicaSet"),
    ("", "ReplicationController"),
];

const POD_SPECS: &[(&str, &str)] = &[
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
];

fn specs() -> Vec<RefSpec> {
    let mut v = Vec::new();
    let mut add = |targets, referrer, path: String, special| {
        v.push(RefSpec {
            targets,
            referrer,
            path,
            special,
        })
    };
    for (kind, p) in POD_SPECS {
        let k = Some(*kind);
        for c in ["containers", "initContainers"] {
            add(
                CM,
                k,
                format!("{p}/{c}/env/valueFrom/configMapKeyRef/name"),
                Special::None,
            );
            add(
                CM,
                k,
                format!("{p}/{c}/envFrom/configMapRef/name"),
                Special::None,
            );
            add(
                SECRET,
                k,
                format!("{p}/{c}/env/valueFrom/secretKeyRef/name"),
                Special::None,
            );
            add(
                SECRET,
                k,
                format!("{p}/{c}/envFrom/secretRef/name"),
                Special::None,
            );
        }
        add(CM, k, format!("{p}/volumes/configMap/name"), Special::None);
        add(
            CM,
            k,
            format!("{p}/volumes/projected/sources/configMap/name"),
            Special::None,
        );
        add(
            SECRET,
            k,
            format!("{p}/volumes/secret/secretName"),
            Special::None,
        );
        add(
            SECRET,
            k,
            format!("{p}/volumes/projected/sources/secret/name"),
            Special::None,
        );
        add(
            SECRET,
            k,
            format!("{p}/imagePullSecrets/name"),
            Special::None,
        );
        add(SA, k, format!("{p}/serviceAccountName"), Special::None);
        add(
            PVC,
            k,
            format!("{p}/volumes/persistentVolumeClaim/claimName"),
            Special::None,
        );
        add(
            PRIORITY_CLASS,
            k,
            format!("{p}/priorityClassName"),
            Special::None,
        );
    }
    let s = |x: &str| x.to_string();
    add(
        SECRET,
        Some("ServiceAccount"),
        s("imagePullSecrets/name"),
        Special::None,
    );
    add(
        SECRET,
        Some("ServiceAccount"),
        s("secrets/name"),
        Special::None,
    );
    add(
        SECRET,
        Some("Ingress"),
        s("spec/tls/secretName"),
        Special::None,
    );
    for kind in ["Role", "ClusterRole"] {
        add(CM, Some(kind), s("rules/resourceNames"), Special::None);
        add(SECRET, Some(kind), s("rules/resourceNames"), Special::None);
    }
    add(
        SERVICE,
        Some("StatefulSet"),
        s("spec/serviceName"),
        Special::None,
    );
    add(
        SERVICE,
        Some("Ingress"),
        s("spec/rules/http/paths/backend/service/name"),
        Special::None,
    );
    add(
        SERVICE,
        Some("Ingress"),
        s("spec/defaultBackend/service/name"),
        Special::None,
    );
    add(
        SERVICE,
        Some("Ingress"),
        s("spec/rules/http/paths/backend/serviceName"),
        Special::None,
    );
    add(
        SERVICE,
        Some("Ingress"),
        s("spec/backend/serviceName"),
        Special::None,
    );
    add(
        SERVICE,
        Some("APIService"),
        s("spec/service/name"),
        Special::None,
    );
    for kind in [
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ] {
        add(
            SERVICE,
            Some(kind),
            s("webhooks/clientConfig/service/name"),
            Special::None,
        );
    }
    for kind in ["RoleBinding", "ClusterRoleBinding"] {
        add(SA, Some(kind), s("subjects"), Special::Subjects);
        add(ROLES, Some(kind), s("roleRef"), Special::KindRef);
    }
    add(
        STORAGE_CLASS,
        Some("PersistentVolume"),
        s("spec/storageClassName"),
        Special::None,
    );
    add(
        STORAGE_CLASS,
        Some("PersistentVolumeClaim"),
        s("spec/storageClassName"),
        Special::None,
    );
    add(
        STORAGE_CLASS,
        Some("StatefulSet"),
        s("spec/volumeClaimTemplates/spec/storageClassName"),
        Special::None,
    );
    add(
        SCALABLE,
        Some("HorizontalPodAutoscaler"),
        s("spec/scaleTargetRef"),
        Special::KindRef,
    );
    add(
        PV,
        Some("PersistentVolumeClaim"),
        s("spec/volumeName"),
        Special::None,
    );
    add(
        INGRESS_CLASS,
        Some("Ingress"),
        s("spec/ingressClassName"),
        Special::None,
    );
    v
}

/// What the reference step needs to know about each object.
struct Candidate {
    id: ResId,
    names: Vec<String>,
    namespaces: Vec<String>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    name_span: Span,
}

impl Candidate {
    fn of(r: &Res) -> Candidate {
        let ids = r.all_ids();
        Candidate {
            id: r.id(),
            names: ids.iter().map(|i| i.name.clone()).collect(),
            namespaces: ids.iter().map(|i| i.namespace.clone()).collect(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
            name_span: r
                .node
                .path(&["metadata", "name"])
                .map_or(r.origin, |n| n.span),
        }
    }
}

/// All objects, indexed by every name they ever had.
struct Candidates {
    all: Vec<Candidate>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Candidates {
    fn new(resources: &[Res]) -> Candidates {
        let all: Vec<Candidate> = resources.iter().map(Candidate::of).collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, c) in all.iter().enumerate() {
            let mut names = c.names.clone();
            names.dedup();
            for n in names {
                by_name.entry(n).or_default().push(i);
            }
        }
        Candidates { all, by_name }
    }
}

/// The referring object as the selection rules see it.
struct Referrer {
    namespace: String,
    /// For RoleBindings and ClusterRoleBindings: the namespaces their subjects name.
    subject_namespaces: Vec<String>,
    cluster_scoped: bool,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    span: Span,
}

/// Picks the object a reference `name` (of one of `targets`, kind `kind` if given) means.
fn select<'a>(
    cands: &'a Candidates,
    referrer: &Referrer,
    targets: &[(&str, &str)],
    kind: Option<&str>,
    name: &str,
    subject_ns: Option<&str>,
) -> Result<Option<&'a Candidate>, Finding> {
    let matching: Vec<&Candidate> = cands
        .by_name
        .get(name)
        .into_iter()
        .flatten()
        .map(|&i| &cands.all[i])
        .filter(|c| targets.contains(&(c.id.group.as_str(), c.id.kind.as_str())))
        .filter(|c| kind.is_none_or(|k| k == c.id.kind))
        .filter(|c| c.names.iter().any(|n| n == name))
        // kustomize's `SubsetThatCouldBeReferencedByResource`: same namespace, cluster-scoped
        // either side, or a namespace an RBAC binding's subjects name.
        .filter(|c| {
            referrer.cluster_scoped
                || is_cluster_scoped(&c.id)
                || norm_ns(&c.id.namespace) == norm_ns(&referrer.namespace)
                || referrer.subject_namespaces.contains(&c.id.namespace)
        })
        .filter(|c| subject_ns.is_none_or(|ns| c.namespaces.iter().any(|n| n == ns)))
        .collect();
    if matching.len() <= 1 {
        return Ok(matching.first().copied());
    }
    let same_affixes: Vec<&Candidate> = matching
        .iter()
        .copied()
        .filter(|c| c.prefixes == referrer.prefixes && c.suffixes == referrer.suffixes)
        .collect();
    match same_affixes.len() {
        1 => return Ok(Some(same_affixes[0])),
        0 => return Ok(None),
        _ => {}
    }
    if same_affixes.iter().all(|c| c.id == same_affixes[0].id) {
        return Ok(Some(same_affixes[0]));
    }
    Err(Finding::new(
        id::KUSTOMIZE_DUPLICATE_RESOURCE,
        referrer.span,
        format!(
            "found multiple possible referrals for `{name}`; kustomize fails on this reference"
        ),
    ))
}

fn rename(node: &mut Node, c: &Candidate) {
    if node.as_str() == Some(c.id.name.as_str()) {
        return;
    }
    let old = node.span;
    *node = Node::string(c.id.name.clone(), c.name_span);
    node.overrode = Some(old);
}

/// The root name-reference step. Returns kustomize's failures.
pub fn fix_references(resources: &mut [Res]) -> Vec<Finding> {
    let cands = Candidates::new(resources);
    let specs = specs();
    let mut errors = Vec::new();
    for r in resources.iter_mut() {
        let id = r.id();
        let subject_namespaces = r
            .node
            .get("subjects")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|s| s.str_at(&["namespace"]).map(str::to_string))
            .collect();
        let referrer = Referrer {
            namespace: id.namespace.clone(),
            subject_namespaces,
            cluster_scoped: super::namespace::is_cluster_scoped(&id),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
            span: r.origin,
        };
        for spec in specs
            .iter()
            .filter(|s| s.referrer.is_none_or(|k| k == id.kind))
        {
            let segs: Vec<&str> = spec.path.split('/').collect();
            visit_path(&mut r.node, &segs, false, r.origin, &mut |n: &mut Node| {
                let res = match spec.special {
                    Special::None => fix_plain(n, &cands, &referrer, spec.targets),
                    Special::KindRef => fix_kind_ref(n, &cands, &referrer, spec.targets),
                    Special::Subjects => fix_subjects(n, &cands, &referrer),
                };
                if let Err(f) = res {
                    errors.push(f);
                }
            });
        }
    }
    errors
}

fn fix_plain(
    n: &mut Node,
    cands: &Candidates,
    referrer: &Referrer,
    targets: &[(&str, &str)],
) -> Result<(), Finding> {
    match &mut n.value {
        Value::Seq(items) => {
            for it in std::sync::Arc::make_mut(items).iter_mut() {
                fix_plain(it, cands, referrer, targets)?;
            }
            Ok(())
        }
        Value::Scalar(_) => {
            let Some(name) = n.as_str().map(str::to_string) else {
                return Ok(());
            };
            if let Some(c) = select(cands, referrer, targets, None, &name, None)? {
                rename(n, c);
            }
            Ok(())
        }
        Value::Map(_) => Ok(()),
    }
}

fn fix_kind_ref(
    n: &mut Node,
    cands: &Candidates,
    referrer: &Referrer,
    targets: &[(&str, &str)],
) -> Result<(), Finding> {
    let (Some(kind), Some(name)) = (
        n.str_at(&["kind"]).map(str::to_string),
        n.str_at(&["name"]).map(str::to_string),
    ) else {
        return Ok(());
    };
    if let Some(c) = select(cands, referrer, targets, Some(&kind), &name, None)? {
        if let Some(node) = n.get_mut("name") {
            rename(node, c);
        }
    }
    Ok(())
}

fn fix_subjects(n: &mut Node, cands: &Candidates, referrer: &Referrer) -> Result<(), Finding> {
    let Some(items) = n.as_seq_mut() else {
        return Ok(());
    };
    for s in items.iter_mut() {
        if s.str_at(&["kind"]) != Some("ServiceAccount") {
            continue;
        }
        let Some(name) = s.str_at(&["name"]).map(str::to_string) else {
            continue;
        };
        let ns = s.str_at(&["namespace"]).map(str::to_string);
        let Some(c) = select(cands, referrer, SA, None, &name, ns.as_deref())? else {
            continue;
        };
        if let Some(node) = s.get_mut("name") {
            rename(node, c);
        }
        if !c.id.namespace.is_empty() {
            if let Some(m) = s.as_map_mut() {
                put(
                    m,
                    "namespace",
                    Node::string(c.id.namespace.clone(), c.name_span),
                );
            }
        }
    }
    Ok(())
}
