//! Renders an overlay with the real `kubectl kustomize` and reads the output with grill-lint's
//! own YAML reader (so the test also proves that reader accepts what Kustomize prints).

use grill_lint::source::SourceMap;
use grill_lint::yaml::{self, Limits};
use serde_json::{Map, Value};
use std::path::Path;
use std::process::Command;

/// The objects of one rendered overlay, as JSON.
pub struct Rendered {
    pub objects: Vec<Value>,
}

/// `kubectl kustomize <dir>`; panics with kubectl's message when the build fails.
pub fn build(dir: &Path) -> Rendered {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("run kubectl kustomize {}: {e}", dir.display()));
    assert!(
        out.status.success(),
        "kubectl kustomize {} failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("kubectl kustomize prints UTF-8");
    let map = SourceMap::new();
    let file = map.add(dir.join("kubectl-kustomize-output.yaml"), text);
    let parsed = yaml::parse_stream(&file, Limits::default());
    assert!(
        parsed.complete && parsed.findings.is_empty(),
        "grill-lint's YAML reader rejects the output of kubectl kustomize {}: {:?}",
        dir.display(),
        parsed.findings
    );
    Rendered {
        objects: parsed
            .docs
            .iter()
            .map(|d| d.to_json())
            .filter(Value::is_object)
            .collect(),
    }
}

impl Rendered {
    pub fn find(&self, kind: &str, name: &str) -> Option<&Value> {
        self.objects
            .iter()
            .find(|o| str_at(o, "/kind") == kind && str_at(o, "/metadata/name") == name)
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects
            .iter()
            .filter(move |o| str_at(o, "/kind") == kind)
    }

    /// The `data` of a ConfigMap of this build.
    pub fn config_map_data(&self, name: &str) -> &Map<String, Value> {
        self.find("ConfigMap", name)
            .and_then(|cm| cm.pointer("/data"))
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("the build has no ConfigMap {name} with data"))
    }

    /// The StatefulSets whose first container's command line satisfies `pred`.
    pub fn stateful_sets_running(&self, pred: impl Fn(&[String]) -> bool) -> Vec<&Value> {
        self.of_kind("StatefulSet")
            .filter(|s| {
                containers(
                    s.pointer("/spec/template/spec").unwrap_or(&Value::Null),
                    "containers",
                )
                .first()
                .is_some_and(|c| pred(&argv(c)))
            })
            .collect()
    }
}

/// The string at a JSON pointer, or "" when absent.
pub fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `containers` or `initContainers` of a pod spec.
pub fn containers<'a>(pod_spec: &'a Value, list: &str) -> &'a [Value] {
    pod_spec
        .get(list)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A container's `command` followed by its `args`.
pub fn argv(container: &Value) -> Vec<String> {
    ["command", "args"]
        .iter()
        .filter_map(|k| container.get(*k).and_then(Value::as_array))
        .flatten()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        })
        .collect()
}

/// True for a `redis-server` command line (a Sentinel when it has `--sentinel`).
pub fn runs_redis(argv: &[String], sentinel: bool) -> bool {
    argv.first().is_some_and(|a| a == "redis-server")
        && argv.iter().any(|a| a == "--sentinel") == sentinel
}
