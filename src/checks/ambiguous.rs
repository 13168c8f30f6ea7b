//! `yaml/ambiguous-scalar`: an unquoted value that YAML 1.1 (the Kubernetes API decoder) reads
//! differently from YAML 1.2, in a place where Kubernetes expects a string.
//!
//! kustomize keeps `on` as the string "on", but `kubectl apply` converts YAML to JSON with YAML
//! 1.1 rules, so the API server receives `true` and rejects the object (or, for an
//! `int-or-string` field, silently gets another value).

use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::rules::{id, RuleId};
use crate::yaml::{scalar::ambiguity, Node, Value};

pub struct AmbiguousScalar;

impl Check for AmbiguousScalar {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::YAML_AMBIGUOUS_SCALAR];
    const SCOPE: Scope = Scope::Object;

    fn object(&self, doc: &Node, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        check_resource(doc, &mut out.findings);
    }
}

/// Map-valued fields whose values must all be strings.
const STRING_MAPS: &[&[&str]] = &[
    &["metadata", "labels"],
    &["metadata", "annotations"],
    &["data"],
    &["stringData"],
];

pub fn check_resource(doc: &Node, out: &mut Vec<Finding>) {
    for path in STRING_MAPS {
        if let Some(m) = doc.path(path).and_then(Node::as_map) {
            for e in &m.entries {
                flag(&e.value, out);
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
                        flag(v, out);
                    }
                }
                for field in ["command", "args"] {
                    for a in c.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
                        flag(a, out);
                    }
                }
            }
        }
    });
}

fn flag(v: &Node, out: &mut Vec<Finding>) {
    let Value::Scalar(s) = &v.value else { return };
    if let Some(what) = ambiguity(s) {
        out.push(
            Finding::new(
                id::YAML_AMBIGUOUS_SCALAR,
                v.span,
                format!(
                    "`{}` is a string to kustomize but {what} to the Kubernetes API (YAML 1.1)",
                    s.text
                ),
            )
            .label("unquoted")
            .help(format!("quote it: \"{}\"", s.text)),
        );
    }
}
