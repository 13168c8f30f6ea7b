//! `k8s/*`: workload hygiene, for every container the overlay deploys (init containers
//! included), and the API server's verdict on every object (`k8s/schema`). The helpers here read a container's security context the way the kubelet does:
//! a field set on the container wins over the same field of the pod's `securityContext`.

pub mod capabilities;
pub mod image_tag;
pub mod namespace;
pub mod privilege_escalation;
pub mod probes;
pub mod read_only_root_fs;
pub mod resources;
pub mod run_as_user;
pub mod schema;
pub mod secret_in_args;
pub mod secret_in_env;
pub mod storage;

use super::Entry;
use crate::diag::Finding;
use crate::model::{Container, Workload};
use crate::source::Span;
use crate::yaml::Node;

/// The checks of this group, in registration order.
pub static CHECKS: &[Entry] = &[
    &run_as_user::RunAsUser,
    &read_only_root_fs::ReadOnlyRootFs,
    &capabilities::Capabilities,
    &privilege_escalation::PrivilegeEscalation,
    &resources::Resources,
    &storage::Storage,
    &image_tag::ImageTag,
    &probes::Probes,
    &secret_in_env::SecretInEnv,
    &secret_in_args::SecretInArgs,
    &namespace::Namespace,
    &schema::Schema,
];

/// Where a setting was found: on the container or inherited from the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Container,
    Pod,
}

/// A container's effective security-context field: the container's own, else the pod's (the
/// fields both levels have: runAsUser, runAsGroup, runAsNonRoot, seLinuxOptions, …).
pub fn effective<'a>(
    w: &Workload<'a>,
    c: &Container<'a>,
    field: &str,
) -> Option<(&'a Node, Level)> {
    if let Some(v) = c
        .node
        .path(&["securityContext", field])
        .filter(|v| !v.is_null())
    {
        return Some((v, Level::Container));
    }
    w.pod
        .path(&["securityContext", field])
        .filter(|v| !v.is_null())
        .map(|v| (v, Level::Pod))
}

/// The container-only security-context field (readOnlyRootFilesystem, capabilities, …).
pub fn own<'a>(c: &Container<'a>, field: &str) -> Option<&'a Node> {
    c.node
        .path(&["securityContext", field])
        .filter(|v| !v.is_null())
}

/// The span of `key` in `map`'s entries (the key itself), if present.
pub fn key_span(map: &Node, key: &str) -> Option<Span> {
    map.as_map()?.entry(key).map(|e| e.key.span)
}

/// Where a person adds a missing container security-context field: the container's
/// `securityContext:` key when it exists, else its `name:` value.
pub fn sc_anchor(c: &Container<'_>) -> Span {
    key_span(c.node, "securityContext").unwrap_or(c.name_span)
}

/// "init container `config` of StatefulSet `redis`".
pub fn describe(w: &Workload<'_>, c: &Container<'_>) -> String {
    let what = if c.init {
        "init container"
    } else {
        "container"
    };
    format!("{what} `{}` of {}", c.name, w.describe())
}

/// A finding at a value: with a related label at the base value an overlay patch replaced.
pub fn at_value(f: Finding, v: &Node) -> Finding {
    match v.overrode {
        Some(base) if base != v.span => f.related(base, "the base value this replaces"),
        _ => f,
    }
}

/// Whether `name` matches one of the case-insensitive globs (`*PASSWORD*`).
pub fn name_matches(patterns: &[String], name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    patterns
        .iter()
        .any(|p| crate::config::glob_match(&p.to_ascii_uppercase(), &n))
}

/// Whether the container runs for the pod's lifetime: a container of a workload that is not
/// a Job or CronJob (or a bare Pod that restarts), or a sidecar (an init container with
/// `restartPolicy: Always`).
pub fn long_running(w: &Workload<'_>, c: &Container<'_>) -> bool {
    if c.init {
        return c.node.get("restartPolicy").and_then(Node::as_str) == Some("Always");
    }
    match w.kind {
        "Job" | "CronJob" => false,
        "Pod" => !matches!(
            w.pod.get("restartPolicy").and_then(Node::as_str),
            Some("Never" | "OnFailure")
        ),
        _ => true,
    }
}
