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
    let files = secrets::FileSecrets::default();
    for r in &build.resources {
        // What the build knows is secret (a value `replacements` copied into a Secret is
        // secret in its source object too).
        object_in(&r.node, sources, &build.secrets, &files, &mut out);
    }
    out
}

/// The checks of one Kubernetes object, rendered or read from a single file.
pub fn object(doc: &Node, sources: &SourceMap, out: &mut Outcome) {
    object_in(doc, sources, &[], &secrets::FileSecrets::default(), out);
}

/// [`object`], with spans already known to be secret.
fn object_in(
    doc: &Node,
    sources: &SourceMap,
    secret_spans: &[Span],
    files: &secrets::FileSecrets,
    out: &mut Outcome,
) {
    let mut known = secret_spans.to_vec();
    secrets::of_resource(doc, sources, &mut known);
    let secret = |n: &Node| secrets::overlaps(&known, n.span) || files.may_be_secret(n, sources);
    ambiguous::check_resource(doc, &secret, &mut out.findings);
    out.secrets
        .extend(known.into_iter().skip(secret_spans.len()));
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
