//! `yaml/ambiguous-scalar`: an unquoted value that YAML 1.1 (the Kubernetes API decoder) reads
//! differently from YAML 1.2, in a place where Kubernetes expects a string.
//!
//! kustomize keeps `on` as the string "on", but `kubectl apply` converts YAML to JSON with YAML
//! 1.1 rules, so the API server receives `true` and rejects the object (or, for an
//! `int-or-string` field, silently gets another value). Which fields are strings comes from the
//! bundled Kubernetes schemas (`k8s::schema`); for other kinds, a fixed list of the usual ones.

use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::rules::{id, RuleId};
use crate::yaml::{scalar::ambiguity, Node, Value};

pub struct AmbiguousScalar;

impl Check for AmbiguousScalar {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::YAML_AMBIGUOUS_SCALAR];
    const SCOPE: Scope = Scope::Object;

    fn object(&self, doc: &Node, cx: &Cx<'_, NoParams>, out: &mut Out) {
        // One cache of each file's secret spans for the whole object (a file with thousands of
        // values is scanned once, not once per value).
        let files = crate::secrets::FileSecrets::default();
        let secret = |n: &Node| {
            crate::secrets::overlaps(cx.secrets, n.span) || files.may_be_secret(n, cx.sources)
        };
        check_resource(doc, &secret, &mut out.findings);
    }
}

/// Map-valued fields of the object itself whose values must all be strings.
const STRING_MAPS: &[&[&str]] = &[&["data"], &["stringData"]];

/// Label and annotation maps and label selectors, wherever they are nested (the object's own
/// metadata, a pod template's, a `volumeClaimTemplates` or `jobTemplate` entry's, a
/// Deployment's or NetworkPolicy's selectors): their values are strings to the API.
fn label_maps<'a>(m: &'a crate::yaml::Map, out: &mut Vec<&'a Node>) {
    if let Some(meta) = m.get("metadata").and_then(Node::as_map) {
        for key in ["labels", "annotations"] {
            out.extend(meta.get(key));
        }
    }
    for key in ["matchLabels", "nodeSelector"] {
        out.extend(m.get(key));
    }
    // A Service's (or ReplicationController's) `selector` is itself a label map; a
    // LabelSelector's scalar entries are none (its maps and lists are handled above and below).
    out.extend(m.get("selector"));
}

/// `secret` tells whether a value is, or may be, secret: its text is then never quoted.
pub fn check_resource(doc: &Node, secret: &dyn Fn(&Node) -> bool, out: &mut Vec<Finding>) {
    // A kind with a bundled schema: every field the schema types as a string.
    if let Some(bundle) = crate::k8s::schema::configured_version()
        .ok()
        .and_then(crate::k8s::schema::bundle)
    {
        if crate::k8s::schema::visit_string_scalars(bundle, doc, &mut |n| flag(n, secret, out)) {
            return;
        }
    }
    // Otherwise the fields every object or pod template has.
    for path in STRING_MAPS {
        if let Some(m) = doc.path(path).and_then(Node::as_map) {
            for e in m.entries.iter() {
                flag(&e.value, secret, out);
            }
        }
    }
    // Labels, annotations and selectors, then env[].value, command and args of every
    // container, anywhere in the object.
    doc.walk(|n| {
        let Some(m) = n.as_map() else { return };
        let mut maps = Vec::new();
        label_maps(m, &mut maps);
        for map in maps.iter().filter_map(|n| n.as_map()) {
            for e in map.entries.iter() {
                flag(&e.value, secret, out);
            }
        }
        for expr in m
            .get("matchExpressions")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            for v in expr.get("values").and_then(Node::as_seq).unwrap_or(&[]) {
                flag(v, secret, out);
            }
        }
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
            id::YAML_AMBIGUOUS_SCALAR,
            v.span,
            format!(
                "this value is a string to kustomize but {what} to the Kubernetes API (YAML 1.1); it is not shown, it may be a secret"
            ),
        )
        .help("quote it: write the same value between double quotes")
    } else {
        Finding::new(
            id::YAML_AMBIGUOUS_SCALAR,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    #[test]
    fn every_label_annotation_and_selector_map_counts() {
        let text = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
  labels: {tier: cache}
spec:
  selector:
    matchLabels: {app: redis, canary: no}
    matchExpressions:
    - {key: zone, operator: In, values: [a, off]}
  template:
    metadata:
      labels: {app: redis, exporter: yes}
      annotations: {sidecar: on}
    spec:
      nodeSelector: {ssd: y}
      containers: [{name: redis, image: redis}]
  volumeClaimTemplates:
  - metadata:
      name: data
      labels: {backup: n}
---
apiVersion: v1
kind: Service
metadata: {name: redis}
spec:
  selector: {app: redis, primary: yes}
";
        let map = SourceMap::new();
        let f = map.add("d.yaml", text);
        let mut out = Vec::new();
        for doc in parse_stream(&f, Limits::default()).docs {
            check_resource(&doc, &|_| false, &mut out);
        }
        let mut flagged: Vec<(u32, &str)> = out
            .iter()
            .map(|x| {
                (
                    f.line_col(x.primary.start as usize).line,
                    f.slice(x.primary),
                )
            })
            .collect();
        flagged.sort();
        assert_eq!(
            flagged,
            vec![
                (8, "no"),
                (10, "off"),
                (13, "yes"),
                (14, "on"),
                (16, "y"),
                (21, "n"),
                (27, "yes"),
            ]
        );
    }
}
