//! `yaml/ambiguous-scalar`: an unquoted value that YAML 1.1 (the Kubernetes API decoder) reads
//! differently from YAML 1.2, in a place where Kubernetes expects a string.
//!
//! kustomize keeps `on` as the string "on", but `kubectl apply` converts YAML to JSON with YAML
//! 1.1 rules, so the API server receives `true` and rejects the object (or, for an
//! `int-or-string` field, silently gets another value).

use crate::diag::Finding;
use crate::yaml::{scalar::ambiguity, Node, Value};

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

pub fn check_resource(doc: &Node, out: &mut Vec<Finding>) {
    for path in STRING_MAPS {
        if let Some(m) = doc.path(path).and_then(Node::as_map) {
            for e in &m.entries {
                flag(&e.value, out);
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
            for e in &map.entries {
                flag(&e.value, out);
            }
        }
        for expr in m
            .get("matchExpressions")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            for v in expr.get("values").and_then(Node::as_seq).unwrap_or(&[]) {
                flag(v, out);
            }
        }
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
                "yaml/ambiguous-scalar",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    #[test]
    fn every_label_annotation_and_selector_map_counts() {
        let text = "apiVersion: apps/v1
kind: Deployment
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
            check_resource(&doc, &mut out);
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
