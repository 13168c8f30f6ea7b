//! `metadata.annotations` as kustomize's internal build annotations shape it (all observed
//! with kubectl, Kustomize v5.5.0).
//!
//! During a build kustomize keeps its bookkeeping in annotations (`internal.config.
//! kubernetes.io/previousNames` and friends, `prefixes`, `suffixes`, `generatorBehavior`,
//! `needsHashSuffix`); this builder keeps the same facts in [`Res`] instead. They matter in
//! three visible ways, reproduced here:
//! * a JSON6902 patch sees them: `add /metadata/annotations/x` works on an object without
//!   annotations exactly when kustomize had annotated it (it was generated, renamed, given a
//!   namespace or JSON-patched under `patches:` before), and `copy` from
//!   `/metadata/annotations` copies them ([`expose`]);
//! * after every JSON6902 patch kustomize re-writes the annotations as a string map
//!   (`SetAnnotations`): `on` patched in becomes `"true"`, `1e3` becomes `"1000"`
//!   ([`settle`]);
//! * at the end of the build it does the same with each value's source text (`1.50` stays
//!   `"1.50"`, `~` becomes `"~"`, a list or map becomes `""`; `output::annotations_as_strings`)
//!   and drops an empty or null `annotations` ([`finish`]).

use super::namespace::is_cluster_scoped;
use super::resource::{ensure_map, norm_ns, put, Res, ResId};
use crate::yaml::{Map, Node, Resolved, Scalar, Value};

/// The key prefix of kustomize's internal annotations.
const INTERNAL: &str = "internal.config.kubernetes.io/";

/// The internal annotations kustomize carries on `r` at this point of the build.
pub fn internal(r: &Res) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |k: &str, v: String| out.push((format!("{INTERNAL}{k}"), v));
    if let Some(g) = &r.generated {
        add("generatorBehavior", g.behavior.to_string());
        if g.hash {
            add("needsHashSuffix", "enabled".to_string());
        }
    }
    if !r.prefixes.is_empty() {
        add("prefixes", r.prefixes.join(","));
    }
    if !r.suffixes.is_empty() {
        add("suffixes", r.suffixes.join(","));
    }
    if !r.prev.is_empty() {
        add("previousKinds", joined(&r.prev, |id| &id.kind));
        add("previousNames", joined(&r.prev, |id| &id.name));
        add(
            "previousNamespaces",
            joined(&r.prev, |id| {
                if is_cluster_scoped(id) {
                    "_non_namespaceable_"
                } else {
                    norm_ns(&id.namespace)
                }
            }),
        );
    }
    out
}

fn joined(ids: &[ResId], field: impl Fn(&ResId) -> &str) -> String {
    ids.iter().map(field).collect::<Vec<_>>().join(",")
}

/// Before a JSON6902 patch: puts the internal annotations into the document (creating
/// `metadata.annotations` when there are any), at the object's origin.
pub fn expose(r: &mut Res) {
    let pairs = internal(r);
    if pairs.is_empty() {
        return;
    }
    let at = r.origin;
    if let Some(m) = ensure_map(&mut r.node, &["metadata", "annotations"], at) {
        for (k, v) in pairs {
            put(m, &k, Node::string(v, at));
        }
    }
}

/// After a JSON6902 patch: the internal annotations come out again and every value becomes
/// the string of its JSON reading (`SetAnnotations`); an empty map is removed.
pub fn settle(node: &mut Node) {
    let Some(meta) = node.get_mut("metadata").and_then(Node::as_map_mut) else {
        return;
    };
    let Some(m) = meta.get_mut("annotations").and_then(Node::as_map_mut) else {
        return;
    };
    m.entries_mut().retain(|e| !is_internal(&e.key));
    for e in m.entries_mut().iter_mut() {
        let text = match &e.value.value {
            Value::Scalar(s) => json_text(s),
            _ => String::new(),
        };
        e.value.value = Value::Scalar(Scalar::string(text));
    }
    if m.is_empty() {
        meta.remove("annotations");
    }
}

/// At the end of the build an empty or null `annotations` is gone (kustomize re-sets the
/// annotations of every object without its internal ones).
pub fn finish(node: &mut Node) {
    let Some(meta) = node.get_mut("metadata").and_then(Node::as_map_mut) else {
        return;
    };
    if meta
        .get("annotations")
        .is_some_and(|a| a.is_null() || a.as_map().is_some_and(Map::is_empty))
    {
        meta.remove("annotations");
    }
}

fn is_internal(key: &Node) -> bool {
    key.as_str().is_some_and(|k| k.starts_with(INTERNAL))
}

/// The text Go's JSON encoding gives the value (the patched object went through JSON).
fn json_text(s: &Scalar) -> String {
    match s.resolve() {
        Resolved::Null => "null".to_string(),
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Float(f) => super::json6902::float_text(f).unwrap_or_else(|| f.to_string()),
        Resolved::Str(t) => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    fn doc(t: &str) -> Node {
        let m = SourceMap::new();
        let f = m.add("o", t);
        parse_stream(&f, Limits::default()).docs.remove(0)
    }

    fn json(n: &Node) -> serde_json::Value {
        n.to_json()["metadata"]["annotations"].clone()
    }

    /// Observed: `{a: 1, b: true, c: null, d: 1.50, e: ~, f: , g: 0x10, h: [1], i: {j: k}}`
    /// prints as `"1"`, `"true"`, `"null"`, `"1.50"`, `"~"`, `""`, `"0x10"`, `""`, `""`.
    #[test]
    fn at_the_end_values_are_their_source_text() {
        let mut n = doc("metadata:\n  name: c\n  annotations: {a: 1, b: true, c: null, d: 1.50, e: ~, f: , g: 0x10, h: [1], i: {j: k}}\n");
        let span = n.path(&["metadata", "annotations", "d"]).unwrap().span;
        finish(&mut n);
        assert!(super::super::output::normalise(&mut n).is_empty());
        assert_eq!(
            json(&n),
            serde_json::json!({"a": "1", "b": "true", "c": "null", "d": "1.50", "e": "~",
                "f": "", "g": "0x10", "h": "", "i": ""})
        );
        assert_eq!(
            n.path(&["metadata", "annotations", "d"]).unwrap().span,
            span
        );
    }

    #[test]
    fn empty_or_null_annotations_are_dropped() {
        for t in [
            "metadata: {name: c, annotations: {}}\n",
            "metadata: {name: c, annotations: }\n",
        ] {
            let mut n = doc(t);
            finish(&mut n);
            assert!(n.path(&["metadata", "annotations"]).is_none(), "{t}");
            assert_eq!(n.str_at(&["metadata", "name"]), Some("c"));
        }
    }

    /// Observed: after a JSON6902 patch `0x10` is `"16"`, `1.0` is `"1"`, internal keys go.
    #[test]
    fn after_a_json_patch_values_are_their_json_text() {
        let mut n = doc("metadata:\n  annotations: {a: 0x10, b: 1.0, c: x, internal.config.kubernetes.io/previousNames: c}\n");
        settle(&mut n);
        assert_eq!(json(&n), serde_json::json!({"a": "16", "b": "1", "c": "x"}));
        let mut only_internal =
            doc("metadata:\n  annotations: {internal.config.kubernetes.io/previousNames: c}\n");
        settle(&mut only_internal);
        assert!(only_internal.path(&["metadata", "annotations"]).is_none());
    }
}
