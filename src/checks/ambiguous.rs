//! `yaml/ambiguous-scalar`: an unquoted value that YAML 1.1 (the Kubernetes API decoder) reads
//! differently from YAML 1.2, in a place where Kubernetes expects a string.
//!
//! kustomize keeps `on` as the string "on", but `kubectl apply` converts YAML to JSON with YAML
//! 1.1 rules, so the API server receives `true` and rejects the object (or, for an
//! `int-or-string` field, silently gets another value).

use crate::diag::Finding;
use crate::yaml::{scalar::ambiguity, Node, Value};

/// Map-valued fields whose values must all be strings.
const STRING_MAPS: &[&[&str]] = &[
    &["metadata", "labels"],
    &["metadata", "annotations"],
    &["data"],
    &["stringData"],
];

/// `secret` tells whether a value is, or may be, secret: its text is then never quoted.
pub fn check_resource(doc: &Node, secret: &dyn Fn(&Node) -> bool, out: &mut Vec<Finding>) {
    for path in STRING_MAPS {
        if let Some(m) = doc.path(path).and_then(Node::as_map) {
            for e in &m.entries {
                flag(&e.value, secret, out);
            }
        }
    }
    // env[].value, command and args of every container anywhere in the object.
    doc.walk(|n| {
        let Some(m) = n.as_map() else { return };
        for key in ["containers", "initContainers"] {
            for c in m.get(key).and_then(Node::as_seq).unwrap_or(&[]) {
                for env in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
                    if let Some(v) = env.get("value") {
                        flag(v, secret, out);
                    }
                }
                for field in ["command", "args"] {
                    for a in c.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
                        flag(a, secret, out);
                    }
                }
            }
        }
    });
}

fn flag(v: &Node, secret: &dyn Fn(&Node) -> bool, out: &mut Vec<Finding>) {
    let Value::Scalar(s) = &v.value else { return };
    let Some(what) = ambiguity(s) else { return };
    let f = if secret(v) {
        Finding::new(
            "yaml/ambiguous-scalar",
            v.span,
            format!(
                "this value is a string to kustomize but {what} to the Kubernetes API (YAML 1.1); it is not shown, it may be a secret"
            ),
        )
        .help("quote it: write the same value between double quotes")
    } else {
        Finding::new(
            "yaml/ambiguous-scalar",
            v.span,
            format!(
                "`{}` is a string to kustomize but {what} to the Kubernetes API (YAML 1.1)",
                s.text
            ),
        )
        .help(format!("quote it: \"{}\"", s.text))
    };
    out.push(f.label("unquoted"));
}
