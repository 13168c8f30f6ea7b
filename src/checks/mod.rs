//! Checks over a built overlay. Each check reads the rendered resources (whose nodes point at
//! their source lines) and returns findings; none re-parses a file.

pub mod ambiguous;
pub mod secrets;

use crate::diag::Finding;
use crate::kustomize::Build;
use crate::source::{SourceMap, Span};
use crate::yaml::Node;

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
        object(&r.node, sources, &mut out);
    }
    out
}

/// The checks of one Kubernetes object, rendered or read from a single file.
pub fn object(doc: &Node, sources: &SourceMap, out: &mut Outcome) {
    ambiguous::check_resource(doc, &mut out.findings);
    crate::k8s::check_object(doc, &mut out.findings);
    secrets::of_object(doc, &mut out.secrets);
    embedded_configs(doc, sources, out);
}

/// redis.conf / sentinel.conf text carried in ConfigMap data keys (`*.conf`), linted with the
/// same rules as standalone files, located in the YAML block scalar or generator source file.
fn embedded_configs(doc: &Node, sources: &SourceMap, out: &mut Outcome) {
    if doc.str_at(&["kind"]) != Some("ConfigMap") {
        return;
    }
    let Some(data) = doc.get("data").and_then(|d| d.as_map()) else {
        return;
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
