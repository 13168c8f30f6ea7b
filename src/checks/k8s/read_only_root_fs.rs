//! `k8s/read-only-root-fs`: every container sets `readOnlyRootFilesystem: true`.

use super::{at_value, describe, own, sc_anchor};
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};

pub struct ReadOnlyRootFs;

impl Check for ReadOnlyRootFs {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::K8S_READ_ONLY_ROOT_FS];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        for w in &d.workloads {
            for c in &w.containers {
                let who = describe(w, c);
                match own(c, "readOnlyRootFilesystem") {
                    Some(v) if v.as_bool() == Some(true) => {}
                    Some(v) => out.push(at_value(
                        Finding::new(
                            id::K8S_READ_ONLY_ROOT_FS,
                            v.span,
                            format!(
                                "{who} has `readOnlyRootFilesystem: {}`: its image filesystem is writable",
                                v.as_str().unwrap_or("")
                            ),
                        )
                        .label("not true")
                        .help("set `readOnlyRootFilesystem: true` and mount a volume at every path the process writes"),
                        v,
                    )),
                    None => {
                        // A misspelt key (`readOnlyRootFileSystem`) leaves the field unset: say so
                        // at the line a person wrote (k8s/schema reports the unknown field too).
                        let typo = c.node.get("securityContext").and_then(|sc| sc.as_map()).and_then(|m| {
                            m.entries.iter().find(|e| {
                                e.key.as_str().is_some_and(|k| {
                                    k != "readOnlyRootFilesystem"
                                        && k.eq_ignore_ascii_case("readOnlyRootFilesystem")
                                })
                            })
                        });
                        if let Some(e) = typo {
                            let k = e.key.as_str().unwrap_or("");
                            out.push(
                                Finding::new(
                                    id::K8S_READ_ONLY_ROOT_FS,
                                    e.key.span,
                                    format!(
                                        "{who} sets `{k}`, which is not `readOnlyRootFilesystem`: the API server drops the unknown field, so its image filesystem stays writable"
                                    ),
                                )
                                .label("misspelt: the field stays unset")
                                .help("rename the key to `readOnlyRootFilesystem` (field names are case-sensitive)"),
                            );
                            continue;
                        }
                        out.push(
                        Finding::new(
                            id::K8S_READ_ONLY_ROOT_FS,
                            sc_anchor(c),
                            format!(
                                "{who} does not set `readOnlyRootFilesystem: true`: its image filesystem is writable"
                            ),
                        )
                        .help("add `readOnlyRootFilesystem: true` to its securityContext and mount a volume at every path the process writes"),
                    )
                    }
                }
            }
        }
    }
}
