//! `k8s/schema`: every object against the bundled strict schemas of the pinned Kubernetes
//! release (plus ServiceMonitor and PrometheusRule), and what the API server's own validation
//! refuses beyond them ([`crate::k8s`]).

use crate::checks::{Check, Cx, Out, Scope};
use crate::k8s::schema::{bundle, versions, Bundle};
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::{Deserialize, Deserializer};

pub struct Schema;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The Kubernetes minor release whose schemas apply (`"1.32"`); only bundled releases are
    /// accepted, so a wrong setting is exit 2 when the policy loads.
    #[serde(deserialize_with = "bundled")]
    pub kubernetes_version: &'static Bundle,
}

fn bundled<'de, D: Deserializer<'de>>(d: D) -> Result<&'static Bundle, D::Error> {
    let v = String::deserialize(d)?;
    let v = v.strip_prefix('v').unwrap_or(&v);
    bundle(v).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "Kubernetes version `{v}` has no bundled schemas (bundled: {}); see schemas/kubernetes/README.md",
            versions().join(", ")
        ))
    })
}

impl Check for Schema {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_SCHEMA];
    const SCOPE: Scope = Scope::Object;

    fn object(&self, doc: &Node, cx: &Cx<'_, Params>, out: &mut Out) {
        crate::k8s::check_object(cx.params.kubernetes_version, doc, &mut out.findings);
    }
}
