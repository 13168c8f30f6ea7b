//! `k8s/secret-in-env`: a password-like env var takes its value from a Secret, never a literal.
//! The value itself is never printed.

use super::{describe, name_matches};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct SecretInEnv;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Case-insensitive globs on the variable's name.
    pub name_patterns: Vec<String>,
}

impl Check for SecretInEnv {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_SECRET_IN_ENV];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        for w in &d.workloads {
            for c in &w.containers {
                for e in c.node.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
                    let Some(name) = e.get("name").and_then(Node::as_str) else {
                        continue;
                    };
                    let Some(v) = e.get("value").filter(|v| !v.is_null()) else {
                        continue;
                    };
                    if !name_matches(&cx.params.name_patterns, name) {
                        continue;
                    }
                    // No label at a base value a patch replaced: that line may hold a password
                    // the report would show.
                    out.push(
                        Finding::new(
                            id::K8S_SECRET_IN_ENV,
                            v.span,
                            format!(
                                "env var `{name}` of {} has a literal value: the secret is in the manifest and in git",
                                describe(w, c)
                            ),
                        )
                        .label("literal value")
                        .help(format!(
                            "replace `value:` with `valueFrom: {{secretKeyRef: {{name: <secret>, key: <key>}}}}` for `{name}`"
                        )),
                    );
                }
            }
        }
    }
}
