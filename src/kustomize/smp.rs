//! Strategic merge as kustomize (kyaml `merge2`) implements it — not apimachinery's.
//!
//! Maps merge recursively, `null` deletes, scalars and non-associative lists are replaced.
//! Associative lists (merge keys from the Kubernetes 1.21 schema in [`list_strategy`]) are
//! re-ordered the way kyaml does it: with at most one merge key in use, the elements the patch
//! names come first in patch order; with a compound key in use, new elements are prepended and
//! a patch element that only partly matches destination elements (one side lacks a key
//! value) is dropped, as kyaml does (kubernetes-sigs/kustomize#3620). A value the destination
//! lacks (a field or a list element) is walked against nothing, so its directives apply. `$patch:
//! delete|replace|merge` are honoured; `$retainKeys`, `$setElementOrder/…` and
//! `$deleteFromPrimitiveList/…` are not implemented by kustomize and are copied verbatim.
//! Every value taken from the patch keeps the patch's span, with `overrode` = the span of the
//! value it replaced.

use super::resource::ResId;
use crate::hash::{HashMap, HashSet};
use crate::source::Span;
use crate::yaml::{Map, Node, Style, Value};

/// How a list merges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListStrategy {
    /// Replaced wholesale by the patch's list.
    Replace,
    /// Associative, with these merge keys.
    Keys(&'static [&'static str]),
    /// A set of scalars (finalizers).
    PrimitiveSet,
}

/// Kinds the embedded 1.21 schema knows (everything else — CRDs — has no merge keys).
const KNOWN: &[(&str, &str)] = &[
    ("", "Pod"),
    ("", "PodTemplate"),
    ("", "ReplicationController"),
    ("", "Service"),
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "ServiceAccount"),
    ("", "Namespace"),
    ("", "PersistentVolumeClaim"),
    ("", "PersistentVolume"),
    ("", "Endpoints"),
    ("", "LimitRange"),
    ("", "ResourceQuota"),
    ("", "Node"),
    ("", "Event"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("apps", "ControllerRevision"),
    ("extensions", "Deployment"),
    ("extensions", "DaemonSet"),
    ("extensions", "ReplicaSet"),
    ("extensions", "Ingress"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("policy", "PodDisruptionBudget"),
    ("policy", "PodSecurityPolicy"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "IngressClass"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("storage.k8s.io", "StorageClass"),
    ("scheduling.k8s.io", "PriorityClass"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
];

const CONTAINER_LISTS: &[&str] = &["containers", "initContainers", "ephemeralContainers"];

/// The pod spec's path inside a workload kind.
fn pod_spec_prefix(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &["spec"],
        "PodTemplate" => &["template", "spec"],
        "Deployment"
        | "ReplicaSet"
        | "DaemonSet"
        | "StatefulSet"
        | "Job"
        | "ReplicationController" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

fn pod_spec_list(rel: &[&str]) -> Option<ListStrategy> {
    use ListStrategy::Keys;
    Some(match rel {
        [c] if CONTAINER_LISTS.contains(c) => Keys(&["name"]),
        ["volumes"] | ["imagePullSecrets"] => Keys(&["name"]),
        ["hostAliases"] => Keys(&["ip"]),
        ["topologySpreadConstraints"] => Keys(&["topologyKey", "whenUnsatisfiable"]),
        [c, "env"] if CONTAINER_LISTS.contains(c) => Keys(&["name"]),
        [c, "volumeMounts"] if CONTAINER_LISTS.contains(c) => Keys(&["mountPath"]),
        [c, "volumeDevices"] if CONTAINER_LISTS.contains(c) => Keys(&["devicePath"]),
        [c, "ports"] if CONTAINER_LISTS.contains(c) => Keys(&["containerPort", "protocol"]),
        _ => return None,
    })
}

/// The merge strategy of the list at `path` (map keys from the object root) of `id`'s kind.
pub fn list_strategy(id: &ResId, path: &[&str]) -> ListStrategy {
    if !KNOWN.contains(&(id.group.as_str(), id.kind.as_str())) {
        return ListStrategy::Replace;
    }
    match path {
        ["metadata", "finalizers"] => return ListStrategy::PrimitiveSet,
        ["metadata", "ownerReferences"] => return ListStrategy::Keys(&["uid"]),
        ["spec", "ports"] if id.kind == "Service" => {
            return ListStrategy::Keys(&["port", "protocol"])
        }
        ["secrets"] if id.kind == "ServiceAccount" => return ListStrategy::Keys(&["name"]),
        _ => {}
    }
    if let Some(prefix) = pod_spec_prefix(&id.kind) {
        if let Some(rel) = path.strip_prefix(prefix) {
            if let Some(s) = pod_spec_list(rel) {
                return s;
            }
        }
    }
    ListStrategy::Replace
}

const DIRECTIVE: &str = "$patch";

fn directive(n: &Node) -> Option<&str> {
    n.get(DIRECTIVE)?.as_str()
}

/// The first `$patch` directive of a patch document that kustomize does not know (it knows
/// `replace`, `merge` and `delete`, spelled so; observed: `bogus`, `retainKeys` and `Delete` fail
/// the build with "unknown patch strategy"), with its text.
pub fn unknown_directive(patch: &Node) -> Option<(crate::source::Span, String)> {
    let mut found = None;
    patch.walk(|n| {
        if found.is_some() {
            return;
        }
        if let Some(v) = n.get(DIRECTIVE).and_then(Node::as_scalar) {
            if !matches!(v.text.as_str(), "replace" | "merge" | "delete") {
                found = n.get(DIRECTIVE).map(|d| (d.span, v.text.clone()));
            }
        }
    });
    found
}

/// Whether a patch document deletes its target object (`$patch: delete`).
pub fn deletes_object(patch: &Node) -> bool {
    directive(patch) == Some("delete")
}

/// Merges `patch` into the object `dest` (of id `id`).
pub fn merge_object(dest: &mut Node, patch: &Node, id: &ResId) {
    let mut path = Vec::new();
    merge(dest, patch, id, &mut path);
    dedup_lists(dest, id, &mut path);
}

/// kyaml walks the whole object during a strategic merge, not only what the patch names, and
/// every associative list it walks keeps one element per merge-key value: the last one, at
/// the first one's position — or, when a compound key is in use (as in [`associative`]), at
/// its own, the last position (observed with kubectl; so a patch merged into the first of two
/// same-named containers is lost). A list where an element lacks its single merge key keeps
/// only such elements (observed for containers and env).
fn dedup_lists(dest: &mut Node, id: &ResId, path: &mut Vec<String>) {
    // Found without changing anything, so that lists with nothing to drop (nearly all of
    // them) and everything around them stay shared with the tree the object was copied from.
    let mut plans = Vec::new();
    plan_dedup(dest, id, path, &mut Vec::new(), &mut plans);
    // Plans come in post-order: a list's elements are deduplicated before the list itself,
    // and no plan moves what a later one's path leads through.
    for (at, order) in plans {
        let Some(Value::Seq(items)) = dest.at_path_mut(&at).map(|n| &mut n.value) else {
            continue;
        };
        let items = std::sync::Arc::make_mut(items);
        let mut slots: Vec<Option<Node>> = items.drain(..).map(Some).collect();
        items.extend(
            order
                .iter()
                .filter_map(|&i| slots.get_mut(i).and_then(Option::take)),
        );
    }
}

/// The lists below `n` that [`dedup_lists`] changes: where each is (child indexes, see
/// [`Node::at_path_mut`]) and which of its elements it keeps, in order.
fn plan_dedup(
    n: &Node,
    id: &ResId,
    path: &mut Vec<String>,
    at: &mut Vec<u32>,
    plans: &mut Vec<(Vec<u32>, Vec<usize>)>,
) {
    match &n.value {
        Value::Map(m) => {
            for (i, e) in m.entries.iter().enumerate() {
                let Some(k) = e.key.as_str() else { continue };
                path.push(k.to_string());
                at.push(2 * i as u32 + 1);
                plan_dedup(&e.value, id, path, at, plans);
                at.pop();
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(i as u32);
                plan_dedup(item, id, path, at, plans);
                at.pop();
            }
            let here: Vec<&str> = path.iter().map(String::as_str).collect();
            if let ListStrategy::Keys(keys) = list_strategy(id, &here) {
                if let Some(order) = dedup_order(items, keys) {
                    plans.push((at.clone(), order));
                }
            }
        }
        Value::Scalar(_) => {}
    }
}

/// The elements an associative list keeps (indexes, in their new order); `None` when it keeps
/// all of them where they are.
fn dedup_order(items: &[Node], keys: &[&str]) -> Option<Vec<usize>> {
    let used = used_keys(items.iter(), keys);
    let single = used.len() <= 1;
    // With at most one key in use, elements are told apart by that key alone.
    let keys: Vec<&str> = match used.as_slice() {
        [] => keys.iter().take(1).copied().collect(),
        _ => used,
    };
    let tuples: Vec<Vec<String>> = items.iter().map(|i| key_values(i, &keys)).collect();
    let order: Vec<usize> = if single && tuples.iter().any(|t| t.iter().all(String::is_empty)) {
        (0..items.len())
            .filter(|&i| tuples[i].iter().all(String::is_empty))
            .collect()
    } else {
        // First and last position of each key tuple (one pass; a search per element was
        // quadratic in the list's length, on every list of every patched object).
        let mut first_at: HashMap<&[String], usize> = HashMap::default();
        let mut last_at: HashMap<&[String], usize> = HashMap::default();
        for (i, t) in tuples.iter().enumerate() {
            first_at.entry(t.as_slice()).or_insert(i);
            last_at.insert(t.as_slice(), i);
        }
        let mut order = Vec::with_capacity(items.len());
        for (i, t) in tuples.iter().enumerate() {
            let first = first_at.get(t.as_slice()) == Some(&i);
            let last = last_at.get(t.as_slice()) == Some(&i);
            if single && first {
                order.push(last_at.get(t.as_slice()).copied().unwrap_or(i));
            } else if !single && last {
                order.push(i);
            }
        }
        order
    };
    let unchanged = order.len() == items.len() && order.iter().enumerate().all(|(i, &j)| i == j);
    (!unchanged).then_some(order)
}

/// A value the destination lacks: the patch value walked against nothing (kyaml does walk
/// it, so `$patch: delete` elements and `null`s inside it are applied, not copied).
fn fresh(patch: &Node, id: &ResId, path: &mut Vec<String>) -> Node {
    let mut n = match &patch.value {
        Value::Map(_) => Node::map(Vec::new(), patch.span),
        Value::Seq(_) => Node::seq(Vec::new(), patch.span),
        Value::Scalar(_) => return patch.clone(),
    };
    merge(&mut n, patch, id, path);
    n
}

fn replace_with(dest: &mut Node, mut new: Node) {
    new.overrode = Some(dest.span);
    *dest = new;
}

fn merge(dest: &mut Node, patch: &Node, id: &ResId, path: &mut Vec<String>) {
    match &patch.value {
        Value::Map(pm) => merge_map(dest, patch, pm, id, path),
        Value::Seq(items) => merge_seq(dest, patch, items, id, path),
        Value::Scalar(ps) => {
            let mut new = patch.clone();
            // kyaml keeps the destination's quoting when the patch writes a plain scalar, so
            // `"x"` patched with `1e3` stays a string (observed with kubectl).
            if let (Some(ds), Value::Scalar(ns)) = (dest.as_scalar(), &mut new.value) {
                if ps.style == Style::Plain && ps.tag.is_none() && ds.style != Style::Plain {
                    ns.style = ds.style;
                }
            }
            replace_with(dest, new)
        }
    }
}

fn merge_map(dest: &mut Node, patch: &Node, pm: &Map, id: &ResId, path: &mut Vec<String>) {
    if directive(patch) == Some("replace") {
        let mut m = pm.clone();
        m.remove(DIRECTIVE);
        replace_with(dest, Node::new(Value::Map(m), patch.span));
        return;
    }
    if dest.as_map().is_none() {
        let old = dest.span;
        *dest = Node::map(Vec::new(), patch.span);
        if !matches!(old, s if s == patch.span) {
            dest.overrode = Some(old);
        }
    }
    // The destination grows by the patch's new keys, so a large patch alone is enough.
    let big = pm.len() >= INDEXED_FROM;
    if big {
        merge_map_indexed(dest, pm, id, path);
        return;
    }
    for e in pm.entries.iter() {
        let Some(k) = e.key.as_str() else { continue };
        if k == DIRECTIVE {
            continue;
        }
        let Some(dm) = dest.as_map_mut() else { return };
        if e.value.is_null() {
            dm.remove(k);
            continue;
        }
        path.push(k.to_string());
        match dm.get_mut(k) {
            Some(dv) if !dv.is_null() => merge(dv, &e.value, id, path),
            _ => {
                let new = fresh(&e.value, id, path);
                dm.remove(k);
                dm.entries_mut().push(crate::yaml::Entry {
                    key: e.key.clone(),
                    value: new,
                });
            }
        }
        path.pop();
    }
}

/// Maps this large on both sides merge through an index: a key search per patch key is
/// quadratic (a 100,000-key patch of a 100,000-key ConfigMap took minutes).
const INDEXED_FROM: usize = 64;

/// [`merge_map`]'s loop with the same effect, in linear time: deleted entries are marked and
/// dropped at the end, a re-added key goes to the end as before.
fn merge_map_indexed(dest: &mut Node, pm: &Map, id: &ResId, path: &mut Vec<String>) {
    let Some(dm) = dest.as_map_mut() else { return };
    let mut at: HashMap<String, usize> = HashMap::default();
    for (i, e) in dm.entries.iter().enumerate() {
        if let Some(k) = e.key.as_str() {
            at.entry(k.to_string()).or_insert(i);
        }
    }
    let mut gone = vec![false; dm.entries.len()];
    for e in pm.entries.iter() {
        let Some(k) = e.key.as_str() else { continue };
        if k == DIRECTIVE {
            continue;
        }
        let here = at.get(k).copied();
        if e.value.is_null() {
            if let Some(i) = here {
                gone[i] = true;
                at.remove(k);
            }
            continue;
        }
        path.push(k.to_string());
        match here {
            Some(i) if !dm.entries[i].value.is_null() => {
                merge(&mut dm.entries_mut()[i].value, &e.value, id, path)
            }
            _ => {
                let new = fresh(&e.value, id, path);
                if let Some(i) = here {
                    gone[i] = true;
                }
                at.insert(k.to_string(), dm.entries.len());
                gone.push(false);
                dm.entries_mut().push(crate::yaml::Entry {
                    key: e.key.clone(),
                    value: new,
                });
            }
        }
        path.pop();
    }
    let mut keep = gone.into_iter().map(|g| !g);
    dm.entries_mut().retain(|_| keep.next().unwrap_or(true));
}

fn merge_seq(dest: &mut Node, patch: &Node, items: &[Node], id: &ResId, path: &mut Vec<String>) {
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    let strategy = list_strategy(id, &keys);
    let replace_all = items.iter().any(|i| directive(i) == Some("replace"));
    let patch_items: Vec<&Node> = items
        .iter()
        .filter(|i| directive(i) != Some("replace"))
        .collect();
    if strategy == ListStrategy::Replace || replace_all || dest.as_seq().is_none() {
        let list: Vec<Node> = patch_items
            .iter()
            .filter(|i| directive(i) != Some("delete"))
            .map(|i| (*i).clone())
            .collect();
        replace_with(dest, Node::seq(list, patch.span));
        return;
    }
    let old: Vec<Node> = dest.as_seq().map(<[Node]>::to_vec).unwrap_or_default();
    let merged = match strategy {
        ListStrategy::PrimitiveSet => primitive_set(old, &patch_items),
        ListStrategy::Keys(keys) => associative(old, &patch_items, keys, id, path),
        ListStrategy::Replace => return,
    };
    if let Some(s) = dest.as_seq_mut() {
        *s = merged;
    }
}

fn primitive_set(old: Vec<Node>, patch: &[&Node]) -> Vec<Node> {
    let mut out: Vec<Node> = patch.iter().map(|n| (*n).clone()).collect();
    let in_patch: HashSet<Option<&str>> = patch.iter().map(|p| p.as_str()).collect();
    for o in old {
        if !in_patch.contains(&o.as_str()) {
            out.push(o);
        }
    }
    out
}

fn key_values(n: &Node, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| n.get(k).and_then(Node::as_str).unwrap_or("").to_string())
        .collect()
}

fn associative(
    old: Vec<Node>,
    patch: &[&Node],
    keys: &[&str],
    id: &ResId,
    path: &mut Vec<String>,
) -> Vec<Node> {
    let used = used_keys(old.iter().chain(patch.iter().copied()), keys);
    if used.len() <= 1 {
        let key = used.first().copied().unwrap_or(keys[0]);
        single_key(old, patch, key, id, path)
    } else {
        compound_key(old, patch, keys, id, path)
    }
}

/// The merge keys some element gives a non-empty value.
fn used_keys<'k, 'n>(
    items: impl Iterator<Item = &'n Node> + Clone,
    keys: &[&'k str],
) -> Vec<&'k str> {
    keys.iter()
        .copied()
        .filter(|k| {
            items.clone().any(|n| {
                n.get(k)
                    .and_then(Node::as_str)
                    .is_some_and(|v| !v.is_empty())
            })
        })
        .collect()
}

fn single_key(
    old: Vec<Node>,
    patch: &[&Node],
    key: &str,
    id: &ResId,
    path: &mut Vec<String>,
) -> Vec<Node> {
    let mut taken = vec![false; old.len()];
    let mut out = Vec::new();
    let mut seen: HashSet<&str> = HashSet::default();
    // Key value → positions in `old`, in order (the first untaken one matches).
    let mut by_value: HashMap<&str, std::collections::VecDeque<usize>> = HashMap::default();
    for (i, o) in old.iter().enumerate() {
        if let Some(v) = o.get(key).and_then(Node::as_str) {
            by_value.entry(v).or_default().push_back(i);
        }
    }
    for p in patch {
        let v = p.get(key).and_then(Node::as_str).unwrap_or("");
        // Of several patch elements with one key value only the first counts (observed).
        if v.is_empty() || !seen.insert(v) {
            continue;
        }
        let found = by_value.get_mut(v).and_then(|q| q.pop_front());
        if let Some(i) = found {
            taken[i] = true;
        }
        if directive(p) == Some("delete") {
            continue;
        }
        out.push(match found {
            Some(i) => {
                let mut d = old[i].clone();
                merge(&mut d, p, id, path);
                d
            }
            None => fresh(p, id, path),
        });
    }
    out.extend(
        old.into_iter()
            .zip(taken)
            .filter(|(_, t)| !t)
            .map(|(o, _)| o),
    );
    out
}

fn compound_key(
    mut old: Vec<Node>,
    patch: &[&Node],
    keys: &[&str],
    id: &ResId,
    path: &mut Vec<String>,
) -> Vec<Node> {
    let mut new = Vec::new();
    let mut removed = vec![false; old.len()];
    let patch_keys: Vec<Vec<String>> = patch.iter().map(|p| key_values(p, keys)).collect();
    // A merged element keeps its key values (the patch element has the same ones), so the
    // destination's key tuples are computed once, not once per patch element.
    let olds: Vec<Vec<String>> = old.iter().map(|o| key_values(o, keys)).collect();
    for (p, pv) in patch.iter().zip(&patch_keys) {
        // Agrees wherever both have a value, but not exactly.
        let partial = |o: &Vec<String>| {
            o != pv
                && o.iter()
                    .zip(pv)
                    .all(|(a, b)| a == b || a.is_empty() || b.is_empty())
        };
        // ... and sets a key this element leaves empty (destination or patch alike).
        let narrower = |o: &Vec<String>| {
            partial(o) && o.iter().zip(pv).any(|(a, b)| !a.is_empty() && b.is_empty())
        };
        if olds.iter().chain(&patch_keys).any(narrower) {
            continue;
        }
        match olds.iter().position(|o| o == pv) {
            Some(i) if directive(p) == Some("delete") => removed[i] = true,
            Some(i) => merge(&mut old[i], p, id, path),
            None if olds.iter().any(partial) || directive(p) == Some("delete") => {}
            None => new.push(fresh(p, id, path)),
        }
    }
    new.extend(
        old.into_iter()
            .zip(removed)
            .filter(|(_, r)| !r)
            .map(|(o, _)| o),
    );
    new
}

/// A list a strategic-merge patch re-ordered.
#[derive(Debug)]
pub struct Reordered {
    /// The JSON pointer of the list.
    pub pointer: String,
    /// Where the patch moves an element: that element's `name` entry in the patch (the patch's
    /// list when no named element moved).
    pub span: Span,
    /// What moved, for a label.
    pub note: String,
    /// The element names of the list after the merge, in order (`None`: an unnamed element).
    pub order: Vec<Option<String>>,
}

impl Reordered {
    /// The name of the element now at `index` (negative: counted from the end, as in JSON
    /// patches).
    pub fn name_at(&self, index: i64) -> Option<&str> {
        let len = self.order.len() as i64;
        let i = if index < 0 { index + len } else { index };
        usize::try_from(i)
            .ok()
            .and_then(|i| self.order.get(i)?.as_deref())
    }
}

/// The lists (reached through `patch`) whose elements now sit at other indices than before the
/// merge: the hazard for a later index-based JSON patch.
pub fn reordered_lists(before: &Node, after: &Node, patch: &Node) -> Vec<Reordered> {
    let mut out = Vec::new();
    walk_reorders(Some(before), Some(after), patch, String::new(), &mut out);
    out
}

fn element_name(n: &Node) -> Option<&str> {
    n.get("name").and_then(Node::as_str)
}

fn walk_reorders(
    before: Option<&Node>,
    after: Option<&Node>,
    patch: &Node,
    pointer: String,
    out: &mut Vec<Reordered>,
) {
    match &patch.value {
        Value::Map(pm) => {
            // Only a patch value with a list somewhere below can reorder one: a scalar is
            // skipped before the (linear) key searches, and a patch with many other values
            // searches through an index (a 2,000-key patch was quadratic).
            let inner = || pm.entries.iter().filter(|e| e.value.as_scalar().is_none());
            fn index(n: Option<&Node>) -> Option<HashMap<&str, usize>> {
                let m = n?.as_map()?;
                let mut at = HashMap::with_capacity_and_hasher(m.entries.len(), Default::default());
                for (i, e) in m.entries.iter().enumerate() {
                    if let Some(k) = e.key.as_str() {
                        at.entry(k).or_insert(i);
                    }
                }
                Some(at)
            }
            fn child<'n>(
                n: Option<&'n Node>,
                at: &Option<HashMap<&str, usize>>,
                k: &str,
            ) -> Option<&'n Node> {
                match at {
                    Some(at) => at
                        .get(k)
                        .and_then(|&i| n?.as_map()?.entries.get(i))
                        .map(|e| &e.value),
                    None => n.and_then(|n| n.get(k)),
                }
            }
            let indexed = inner().count() >= INDEXED_FROM;
            let (bi, ai) = if indexed {
                (index(before), index(after))
            } else {
                (None, None)
            };
            for e in inner() {
                let Some(k) = e.key.as_str() else { continue };
                let ptr = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                walk_reorders(
                    child(before, &bi, k),
                    child(after, &ai, k),
                    &e.value,
                    ptr,
                    out,
                );
            }
        }
        Value::Seq(items) => {
            let (Some(b), Some(a)) = (before.and_then(Node::as_seq), after.and_then(Node::as_seq))
            else {
                return;
            };
            let moved = b
                .iter()
                .zip(a.iter())
                .any(|(x, y)| element_name(x).is_some() && element_name(x) != element_name(y));
            if moved {
                out.push(mover(b, a, patch, items, &pointer));
            }
            for p in items.iter() {
                let Some(name) = element_name(p) else {
                    continue;
                };
                let bi = b.iter().position(|x| element_name(x) == Some(name));
                let ai = a.iter().position(|x| element_name(x) == Some(name));
                if let (Some(bi), Some(ai)) = (bi, ai) {
                    walk_reorders(b.get(bi), a.get(ai), p, format!("{pointer}/{ai}"), out);
                }
            }
        }
        Value::Scalar(_) => {}
    }
}

/// The first named patch element that now sits at another index (or is new), described.
fn mover(b: &[Node], a: &[Node], list: &Node, items: &[Node], pointer: &str) -> Reordered {
    let index_of = |l: &[Node], name: &str| l.iter().position(|x| element_name(x) == Some(name));
    let order = a
        .iter()
        .map(|x| element_name(x).map(str::to_string))
        .collect();
    let moved = items.iter().find_map(|p| {
        let name = element_name(p)?;
        let ai = index_of(a, name)?;
        let bi = index_of(b, name);
        (bi != Some(ai)).then_some((p, name, bi, ai))
    });
    let Some((p, name, bi, ai)) = moved else {
        return Reordered {
            pointer: pointer.to_string(),
            span: list.span,
            note: "this strategic-merge patch re-orders the list".into(),
            order,
        };
    };
    let note = match bi {
        Some(bi) => format!("this patch moves `{name}` from index {bi} to index {ai}"),
        None => format!("this patch inserts `{name}` at index {ai}"),
    };
    Reordered {
        pointer: pointer.to_string(),
        span: name_entry_span(p).unwrap_or(p.span),
        note,
        order,
    }
}

/// The span of a mapping's `name: …` entry, key to value.
fn name_entry_span(element: &Node) -> Option<Span> {
    let e = element
        .as_map()?
        .entries
        .iter()
        .find(|e| e.key.as_str() == Some("name"))?;
    (e.key.span.file == e.value.span.file).then_some(Span {
        file: e.key.span.file,
        start: e.key.span.start,
        end: e.value.span.end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    fn doc(map: &SourceMap, name: &str, t: &str) -> Node {
        let f = map.add(name, t);
        parse_stream(&f, Limits::default()).docs.remove(0)
    }

    fn names(n: &Node, p: &[&str], key: &str) -> Vec<String> {
        n.path(p)
            .and_then(Node::as_seq)
            .unwrap()
            .iter()
            .map(|e| e.str_at(&[key]).unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn named_elements_move_to_the_front() {
        let m = SourceMap::new();
        let mut d = doc(
            &m,
            "d",
            "apiVersion: apps/v1\nkind: StatefulSet\nspec:\n  template:\n    spec:\n      containers:\n      - name: redis\n        image: r\n      - name: exporter\n        image: e\n",
        );
        let p = doc(
            &m,
            "p",
            "spec:\n  template:\n    spec:\n      containers:\n      - name: exporter\n        image: e2\n",
        );
        let id = ResId::of(&d);
        merge_object(&mut d, &p, &id);
        let c = ["spec", "template", "spec", "containers"];
        assert_eq!(names(&d, &c, "name"), ["exporter", "redis"]);
        let img = d.path(&c).unwrap().as_seq().unwrap()[0]
            .get("image")
            .unwrap();
        assert_eq!(img.as_str(), Some("e2"));
        assert_eq!(img.span.file, p.span.file);
        assert!(img.overrode.is_some());
    }

    #[test]
    fn unknown_kinds_replace_lists_and_null_deletes() {
        let m = SourceMap::new();
        let mut d = doc(
            &m,
            "d",
            "kind: PrometheusRule\nspec:\n  groups: [{name: a}]\n  x: 1\n",
        );
        let p = doc(&m, "p", "spec:\n  groups: [{name: b}]\n  x: null\n");
        let id = ResId::of(&d);
        merge_object(&mut d, &p, &id);
        assert_eq!(names(&d, &["spec", "groups"], "name"), ["b"]);
        assert!(d.path(&["spec", "x"]).is_none());
    }

    /// Observed with kubectl: same-named elements collapse to the last one at the first
    /// one's place, even in lists the patch does not name; a patch merged into a duplicated
    /// element is lost; of two same-named patch elements the first counts.
    #[test]
    fn duplicate_merge_keys_collapse_like_kyaml() {
        let m = SourceMap::new();
        let mut d = doc(
            &m,
            "d",
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - {name: b, image: x1}\n      - {name: a, image: a}\n      - {name: b, image: x2}\n      - {name: c, image: c1}\n      - {name: c, image: c2}\n      - {name: e, image: e}\n      - {name: z, image: z}\n      volumes:\n      - {name: v, emptyDir: {}}\n      - {name: v, configMap: {name: q}}\n",
        );
        let p = doc(
            &m,
            "p",
            "spec:\n  template:\n    spec:\n      containers:\n      - {name: a, image: a2}\n      - {name: c, args: [x]}\n      - {name: e, args: [y]}\n      - {name: z, image: z1}\n      - {name: z, args: [z2]}\n",
        );
        let id = ResId::of(&d);
        merge_object(&mut d, &p, &id);
        let spec = d.path(&["spec", "template", "spec"]).unwrap().to_json();
        assert_eq!(
            spec["containers"],
            serde_json::json!([
                {"name": "a", "image": "a2"},
                {"name": "c", "image": "c2"},
                {"name": "e", "image": "e", "args": ["y"]},
                {"name": "z", "image": "z1"},
                {"name": "b", "image": "x2"},
            ])
        );
        assert_eq!(
            spec["volumes"],
            serde_json::json!([{"name": "v", "configMap": {"name": "q"}}])
        );
    }

    /// Observed: Service ports `[80 a, 81 x, 80 b, 82 y, 81 x2, 80/UDP u, 83 z]` (compound
    /// key in use) keep `[80 b, 82 y, 81 x2, 80/UDP u, 83 z]`; without UDP, `[80 a, 81 x,
    /// 80 b, 82 y]` keeps `[80 b, 81 x, 82 y]`.
    #[test]
    fn with_a_compound_key_in_use_the_last_duplicate_keeps_its_place() {
        let m = SourceMap::new();
        let run = |ports: &str| {
            let mut d = doc(
                &m,
                ports,
                &format!("apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n  ports: {ports}\n"),
            );
            let id = ResId::of(&d);
            merge_object(&mut d, &doc(&m, "p", "metadata: {labels: {x: y}}\n"), &id);
            names(&d, &["spec", "ports"], "name")
        };
        assert_eq!(
            run("[{port: 80, name: a}, {port: 81, name: x}, {port: 80, name: b}, {port: 82, name: y}, {port: 81, name: x2}, {port: 80, protocol: UDP, name: u}, {port: 83, name: z}]"),
            ["b", "y", "x2", "u", "z"]
        );
        assert_eq!(
            run("[{port: 80, name: a}, {port: 81, name: x}, {port: 80, name: b}, {port: 82, name: y}]"),
            ["b", "x", "y"]
        );
    }

    #[test]
    fn a_list_with_a_keyless_element_keeps_only_those() {
        let m = SourceMap::new();
        let mut d = doc(
            &m,
            "d",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    env: [{name: X, value: '1'}, {name: X, value: '2'}, {value: '3'}]\n",
        );
        let p = doc(&m, "p", "metadata: {labels: {x: y}}\n");
        let id = ResId::of(&d);
        merge_object(&mut d, &p, &id);
        assert_eq!(
            d.path(&["spec", "containers"]).unwrap().to_json(),
            serde_json::json!([{"name": "a", "env": [{"value": "3"}]}])
        );
    }

    #[test]
    fn a_plain_patch_scalar_keeps_the_destination_quoting() {
        let m = SourceMap::new();
        let mut d = doc(&m, "d", "kind: Pod\nspec: {a: x, b: \"x\", c: 5}\n");
        let p = doc(&m, "p", "spec: {a: 1e3, b: 1e3, c: \"7\"}\n");
        let id = ResId::of(&d);
        merge_object(&mut d, &p, &id);
        let j = d.to_json();
        assert_eq!(j["spec"]["a"], serde_json::json!(1000.0));
        assert_eq!(j["spec"]["b"], serde_json::json!("1e3"));
        assert_eq!(j["spec"]["c"], serde_json::json!("7"));
    }

    #[test]
    fn compound_key_partial_match_is_dropped() {
        let m = SourceMap::new();
        let mut d = doc(
            &m,
            "d",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: r\n    ports:\n    - {containerPort: 6379, name: redis}\n",
        );
        let p = doc(
            &m,
            "p",
            "spec:\n  containers:\n  - name: r\n    ports:\n    - {containerPort: 6379, protocol: TCP, name: renamed}\n",
        );
        let id = ResId::of(&d);
        merge_object(&mut d, &p, &id);
        let ports = d.path(&["spec", "containers"]).unwrap().as_seq().unwrap()[0]
            .get("ports")
            .unwrap()
            .as_seq()
            .unwrap();
        assert_eq!(ports.len(), 1);
        assert_eq!(ports[0].str_at(&["name"]), Some("redis"));
    }
}
