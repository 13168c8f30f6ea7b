//! Kubernetes semantics grill-lint needs and no crate gives with exactness: quantities, CronJob
//! schedules, label selectors, and objects as the API server sees them: `k8s/schema` (the
//! bundled strict JSON Schemas of one pinned release, [`schema`], plus what the API server's own
//! validation refuses beyond them, [`validation`]).

pub mod cron;
pub mod quantity;
pub mod schema;
pub mod selector;
pub mod validation;

use crate::diag::Finding;
use crate::yaml::Node;

use crate::rules::id::K8S_SCHEMA as RULE;

/// `k8s/schema` on one rendered (or standalone) object: every schema violation and API-server
/// refusal, each at the node that causes it. Objects of kinds without a bundled schema (custom
/// resources other than ServiceMonitor and PrometheusRule) get the API-server checks only.
///
/// The configured version is checked by the CLI before any linting (exit 2); a library caller
/// with an invalid setting gets no schema findings.
pub fn check_object(bundle: &schema::Bundle, doc: &Node, out: &mut Vec<Finding>) {
    schema_findings(bundle, doc, out);
    validation::check(doc, out);
}

fn schema_findings(bundle: &schema::Bundle, doc: &Node, out: &mut Vec<Finding>) {
    match schema::validate(bundle, doc) {
        Some(errors) => {
            for e in errors {
                out.push(
                    Finding::new(RULE, e.span, e.message)
                        .label(e.label)
                        .help(e.help)
                        .detail(if e.kind.is_schema() { "schema" } else { "api" }),
                );
            }
        }
        None => not_served(bundle, doc, out),
    }
}

/// A bundled kind under an apiVersion this release does not serve (`policy/v1beta1`
/// PodDisruptionBudget, removed in 1.25): the API server refuses the object outright.
fn not_served(bundle: &schema::Bundle, doc: &Node, out: &mut Vec<Finding>) {
    let (Some(api), Some(kind)) = (
        doc.get("apiVersion"),
        doc.get("kind").and_then(Node::as_string),
    ) else {
        return;
    };
    let served = bundle.api_versions_of(kind);
    let Some(text) = api.as_string() else { return };
    if served.is_empty() || served.contains(&text) {
        return;
    }
    out.push(
        Finding::new(
            RULE,
            api.span,
            format!(
                "Kubernetes {} does not serve {kind} under `{text}`",
                bundle.version
            ),
        )
        .label("not served")
        .help(format!("write `apiVersion: {}`", served.join("` or `")))
        .detail("api"),
    );
}
