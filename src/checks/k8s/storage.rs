//! `k8s/storage`: the Redis data claim — the volumeClaimTemplate or PersistentVolumeClaim of
//! the volume that Redis' `dir` lies on — requests the environment's storage.

use super::at_value;
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::quantity::Quantity;
use crate::model::{name_span, Deployment, Workload};
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct Storage;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// A Kubernetes quantity; `None`: not checked.
    pub storage: Option<String>,
}

/// The official image's working directory, where Redis writes with its default `dir ./`.
const IMAGE_WORKDIR: &str = "/data";

/// `dir` as an absolute path: relative paths resolve against the container's working
/// directory.
fn data_dir(dir: Option<&str>, workdir: Option<&str>) -> String {
    let base = workdir.unwrap_or(IMAGE_WORKDIR);
    match dir {
        Some(d) if d.starts_with('/') => d.to_string(),
        Some(d) => {
            let d = d.trim_start_matches("./");
            if d.is_empty() || d == "." {
                base.to_string()
            } else {
                format!("{}/{d}", base.trim_end_matches('/'))
            }
        }
        None => base.to_string(),
    }
}

fn under(path: &str, mount: &str) -> bool {
    let m = mount.trim_end_matches('/');
    path == m || m.is_empty() || path.starts_with(&format!("{m}/"))
}

/// The claim (its `storage` request node) that backs the volume `name` of `w`.
fn claim<'a>(d: &Deployment<'a>, w: &Workload<'a>, name: &str) -> Option<(&'a Node, String)> {
    if w.kind == "StatefulSet" {
        if let Some(t) = w
            .node
            .path(&["spec", "volumeClaimTemplates"])
            .and_then(Node::as_seq)
            .and_then(|ts| {
                ts.iter()
                    .find(|t| t.str_at(&["metadata", "name"]) == Some(name))
            })
        {
            return Some((
                t,
                format!("volumeClaimTemplate `{name}` of {}", w.describe()),
            ));
        }
    }
    let claim = w
        .volume(name)?
        .str_at(&["persistentVolumeClaim", "claimName"])?;
    let pvc = d.object("PersistentVolumeClaim", w.namespace, claim)?;
    Some((pvc, format!("PersistentVolumeClaim `{claim}`")))
}

impl Check for Storage {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_STORAGE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let Some(want_text) = cx.params.storage.as_deref() else {
            return;
        };
        let Ok(want) = Quantity::parse(want_text) else {
            return; // the policy loader reports a malformed quantity
        };
        let mut seen = Vec::new();
        for p in d.redis() {
            let w = d.workload_of(p);
            let c = d.container(p);
            let dir = d.config_of(p).and_then(|t| t.value("dir"));
            let workdir = c.node.get("workingDir").and_then(Node::as_str);
            let path = data_dir(dir, workdir);
            // The most specific mount that holds the data directory.
            let Some(mount) = c
                .mounts()
                .iter()
                .filter(|m| {
                    m.get("mountPath")
                        .and_then(Node::as_str)
                        .is_some_and(|mp| under(&path, mp))
                })
                .max_by_key(|m| {
                    m.get("mountPath")
                        .and_then(Node::as_str)
                        .map_or(0, str::len)
                })
            else {
                continue; // no volume: the data is lost with the pod (redis/* persistence rules)
            };
            let Some(vol) = mount.get("name").and_then(Node::as_str) else {
                continue;
            };
            let Some((claim, what)) = claim(d, w, vol) else {
                continue; // emptyDir or another volume type: not a claim
            };
            if seen.contains(&claim.span) {
                continue;
            }
            seen.push(claim.span);
            let env = cx.env.unwrap_or("this environment");
            let req = claim.path(&["spec", "resources", "requests", "storage"]);
            let Some(req) = req.filter(|r| !r.is_null()) else {
                let anchor = name_span(claim);
                out.push(
                    Finding::new(
                        id::K8S_STORAGE,
                        anchor,
                        format!(
                            "{what}, which holds Redis' data directory {path}, requests no storage; {env} needs {want_text}"
                        ),
                    )
                    .help(format!(
                        "add `resources: {{requests: {{storage: {want_text}}}}}` to the claim's spec"
                    )),
                );
                continue;
            };
            let Some(text) = req.as_str() else { continue };
            let Ok(got) = Quantity::parse(text) else {
                continue; // k8s/schema reports a malformed quantity
            };
            if got != want {
                let cmp = if got < want { "less" } else { "more" };
                out.push(at_value(
                    Finding::new(
                        id::K8S_STORAGE,
                        req.span,
                        format!(
                            "{what}, which holds Redis' data directory {path}, requests {text}: {cmp} than the {want_text} {env} needs"
                        ),
                    )
                    .label(format!("{text} requested"))
                    .help(format!("request `storage: {want_text}`")),
                    req,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_resolves_like_redis() {
        assert_eq!(data_dir(Some("/data"), None), "/data");
        assert_eq!(data_dir(Some("./"), None), "/data");
        assert_eq!(data_dir(Some("db"), Some("/srv/")), "/srv/db");
        assert_eq!(data_dir(None, Some("/var/lib/redis")), "/var/lib/redis");
        assert!(under("/data", "/data/"));
        assert!(under("/data/x", "/data"));
        assert!(!under("/database", "/data"));
    }
}
