//! Checks over a built overlay. Each check reads the rendered resources (whose nodes point at
//! their source lines) and returns findings; none re-parses a file.

pub mod ambiguous;
pub mod secrets;

use crate::diag::Finding;
use crate::kustomize::Build;
use crate::source::{SourceMap, Span};

/// What the checks of one target found, and where secret values are written (for masking).
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub secrets: Vec<Span>,
}

/// Runs every check that applies to one built environment.
pub fn overlay(build: &Build, sources: &SourceMap) -> Outcome {
    let mut out = Outcome::default();
    for r in &build.resources {
        ambiguous::check_resource(&r.node, &mut out.findings);
        secrets::of_object(&r.node, &mut out.secrets);
    }
    embedded_configs(build, sources, &mut out);
    out
}

/// redis.conf / sentinel.conf text carried in ConfigMap data keys (`*.conf`), linted with the
/// same rules as standalone files, located in the YAML block scalar or generator source file.
fn embedded_configs(build: &Build, sources: &SourceMap, out: &mut Outcome) {
    for r in &build.resources {
        if r.node.str_at(&["kind"]) != Some("ConfigMap") {
            continue;
        }
        let Some(data) = r.node.get("data").and_then(|d| d.as_map()) else {
            continue;
        };
        for e in &data.entries {
            let (Some(key), Some(text)) = (e.key.as_str(), e.value.as_str()) else {
                continue;
            };
            if !key.ends_with(".conf") {
                continue;
            }
            let kind = crate::redis::detect_kind(std::path::Path::new(key), text);
            let file = sources.get(e.value.span.file);
            if let Some(conf) = crate::redis::parse_embedded(&file, &e.value, kind) {
                out.findings.extend(crate::redis::lint(&conf));
                out.secrets.extend(crate::redis::secret_spans(&conf));
            }
        }
    }
}
