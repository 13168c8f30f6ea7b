//! `k8s/schema`, API-server part: what the Kubernetes API server refuses although the JSON
//! Schema allows it. The facts (formats, lengths, messages' substance) come from the
//! Kubernetes validation source (`apimachinery/pkg/util/validation`,
//! `pkg/apis/{core,apps,batch,networking}/validation`); the table test in this module's tests
//! holds each helper to the examples that source documents.

use crate::diag::Finding;
use crate::hash::HashMap;
use crate::rules::id;
use crate::source::Span;
use crate::yaml::{Map, Node};

const RULE: crate::rules::RuleId = id::K8S_SCHEMA;

// The formats are checked byte by byte rather than with the regexes of the Kubernetes source:
// compiling a dozen regexes would cost a whole-process lint more than the checks themselves.

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn is_label(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn is_name_part(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|&c| alnum(c) || matches!(c, b'-' | b'_' | b'.'))
        && alnum(b[0])
        && alnum(b[b.len() - 1])
}

/// `IsDNS1123Label`: at most 63 characters, lowercase alphanumerics and `-`, alphanumeric at
/// both ends. `None` when valid, else why not.
pub fn dns1123_label(v: &str) -> Option<String> {
    if v.len() > 63 {
        return Some(format!(
            "is {} characters long, at most 63 are allowed",
            v.len()
        ));
    }
    if !is_label(v) {
        return Some(
            "must consist of lowercase letters, digits and '-', and start and end with a letter or digit (RFC 1123 label)"
                .into(),
        );
    }
    None
}

/// `IsDNS1123Subdomain`: at most 253 characters, dot-separated RFC 1123 labels.
pub fn dns1123_subdomain(v: &str) -> Option<String> {
    if v.len() > 253 {
        return Some(format!(
            "is {} characters long, at most 253 are allowed",
            v.len()
        ));
    }
    if !v.split('.').all(is_label) {
        return Some(
            "must consist of lowercase letters, digits, '-' and '.', and start and end with a letter or digit (RFC 1123 subdomain)"
                .into(),
        );
    }
    None
}

/// `IsDNS1035Label` (Service names): like an RFC 1123 label but starting with a letter.
pub fn dns1035_label(v: &str) -> Option<String> {
    if v.len() > 63 {
        return Some(format!(
            "is {} characters long, at most 63 are allowed",
            v.len()
        ));
    }
    if !is_label(v) || !v.as_bytes()[0].is_ascii_lowercase() {
        return Some(
            "must consist of lowercase letters, digits and '-', start with a letter and end with a letter or digit (RFC 1035 label)"
                .into(),
        );
    }
    None
}

/// `IsValidPathSegmentName` (RBAC object names): not `.` or `..`, no `/` or `%`.
pub fn path_segment_name(v: &str) -> Option<String> {
    if v == "." || v == ".." {
        return Some(format!("may not be '{v}'"));
    }
    if v.contains('/') || v.contains('%') {
        return Some("may not contain '/' or '%'".into());
    }
    None
}

/// `IsValidPortName` (IANA_SVC_NAME): 1 to 15 characters of `[-a-z0-9]`, at least one letter,
/// no leading, trailing or doubled `-`.
pub fn port_name(v: &str) -> Option<String> {
    if v.len() > 15 {
        return Some(format!(
            "is {} characters long, at most 15 are allowed (IANA service name)",
            v.len()
        ));
    }
    if v.is_empty()
        || !v
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some("must contain only lowercase letters, digits and '-'".into());
    }
    if !v.bytes().any(|b| b.is_ascii_lowercase()) {
        return Some("must contain at least one letter".into());
    }
    if v.contains("--") {
        return Some("must not contain consecutive hyphens".into());
    }
    if v.starts_with('-') || v.ends_with('-') {
        return Some("must not begin or end with a hyphen".into());
    }
    None
}

fn qualified_name_part(v: &str) -> Option<String> {
    if v.is_empty() {
        return Some("must not be empty".into());
    }
    if v.len() > 63 {
        return Some(format!(
            "name part is {} characters long, at most 63 are allowed",
            v.len()
        ));
    }
    if !is_name_part(v) {
        return Some(
            "name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit"
                .into(),
        );
    }
    None
}

/// `IsQualifiedName` (label and annotation keys): an optional DNS subdomain prefix and `/`, then
/// a name of at most 63 characters.
pub fn qualified_name(v: &str) -> Option<String> {
    match v.split_once('/') {
        None => qualified_name_part(v),
        Some((prefix, name)) => {
            if prefix.is_empty() {
                return Some("prefix part must not be empty".into());
            }
            if let Some(e) = dns1123_subdomain(prefix) {
                return Some(format!("prefix part {e}"));
            }
            if name.contains('/') {
                return Some("may contain at most one '/'".into());
            }
            qualified_name_part(name)
        }
    }
}

/// `IsValidLabelValue`: empty, or at most 63 characters like a qualified name's name part.
pub fn label_value(v: &str) -> Option<String> {
    if v.len() > 63 {
        return Some(format!(
            "is {} characters long, at most 63 are allowed",
            v.len()
        ));
    }
    if !v.is_empty() && !is_name_part(v) {
        return Some(
            "must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit"
                .into(),
        );
    }
    None
}

/// `IsConfigMapKey` (ConfigMap and Secret data keys).
pub fn config_map_key(v: &str) -> Option<String> {
    if v.len() > 253 {
        return Some(format!(
            "is {} characters long, at most 253 are allowed",
            v.len()
        ));
    }
    if v.is_empty()
        || !v
            .bytes()
            .all(|c| alnum(c) || matches!(c, b'-' | b'_' | b'.'))
    {
        return Some("must consist of letters, digits, '-', '_' or '.'".into());
    }
    if v == "." || v == ".." || v.starts_with("..") {
        return Some("must not be '.' or '..' nor start with '..'".into());
    }
    None
}

/// `IsValidPortNum`.
fn port_number(n: i64) -> Option<String> {
    (!(1..=65535).contains(&n)).then(|| format!("is {n}; a port must be between 1 and 65535"))
}

/// Fields of the built-in kinds whose values the API server restricts to a fixed set although
/// the bundled schemas only say "a string" (`validation.go`: `field.NotSupported`). The names
/// are unambiguous across the bundled built-in kinds.
const ENUMS: &[(&str, &[&str])] = &[
    ("imagePullPolicy", &["Always", "IfNotPresent", "Never"]),
    ("sessionAffinity", &["ClientIP", "None"]),
    ("protocol", &["TCP", "UDP", "SCTP"]),
    ("concurrencyPolicy", &["Allow", "Forbid", "Replace"]),
    ("podManagementPolicy", &["OrderedReady", "Parallel"]),
    ("externalTrafficPolicy", &["Cluster", "Local"]),
    ("internalTrafficPolicy", &["Cluster", "Local"]),
    (
        "dnsPolicy",
        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
    ),
    ("volumeMode", &["Filesystem", "Block"]),
    (
        "accessModes",
        &[
            "ReadWriteOnce",
            "ReadOnlyMany",
            "ReadWriteMany",
            "ReadWriteOncePod",
        ],
    ),
    ("policyTypes", &["Ingress", "Egress"]),
    (
        "terminationMessagePolicy",
        &["File", "FallbackToLogsOnError"],
    ),
];

const BUILT_IN_GROUPS: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1",
    "networking.k8s.io/v1",
    "policy/v1",
    "autoscaling/v2",
];

/// Maps whose keys are data, not field names: an enum field's name there means nothing (and the
/// value may be a secret, which a message must never quote).
const FREE_FORM: &[&str] = &[
    "labels",
    "annotations",
    "nodeSelector",
    "matchLabels",
    "selector",
    "data",
    "stringData",
    "binaryData",
    "parameters",
    "hard",
    "capacity",
    "limits",
    "requests",
];

fn enums(doc: &Node, out: &mut Vec<Finding>) {
    let api = doc
        .get("apiVersion")
        .and_then(Node::as_string)
        .unwrap_or("");
    let kind = doc.get("kind").and_then(Node::as_string).unwrap_or("");
    if !BUILT_IN_GROUPS.contains(&api) || matches!(kind, "ConfigMap" | "Secret") {
        return;
    }
    let mut stack = vec![doc];
    while let Some(n) = stack.pop() {
        match &n.value {
            crate::yaml::Value::Seq(items) => stack.extend(items.iter()),
            crate::yaml::Value::Map(m) => {
                for e in m.entries.iter() {
                    let Some(key) = e.key.as_str() else { continue };
                    if FREE_FORM.contains(&key) {
                        continue;
                    }
                    match ENUMS.iter().find(|(k, _)| *k == key) {
                        Some((_, allowed)) => enum_value(key, &e.value, allowed, out),
                        None => stack.push(&e.value),
                    }
                }
            }
            crate::yaml::Value::Scalar(_) => {}
        }
    }
}

fn enum_value(key: &str, value: &Node, allowed: &[&str], out: &mut Vec<Finding>) {
    let values: &[Node] = match value.as_seq() {
        Some(items) => items,
        None => std::slice::from_ref(value),
    };
    for v in values {
        let Some(text) = v.as_string() else { continue };
        if allowed.contains(&text) {
            continue;
        }
        let help = match crate::kustomize::suggest::closest(text, allowed.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("write one of: {}", allowed.join(", ")),
        };
        out.push(finding(
            v.span,
            format!(
                "`{text}` is not a supported `{key}`: the API server accepts {}",
                allowed.join(", ")
            ),
            "unsupported value",
            help,
        ));
    }
}

/// Runs every API-server check that applies to one object.
pub fn check(doc: &Node, out: &mut Vec<Finding>) {
    let kind = doc.get("kind").and_then(Node::as_string).unwrap_or("");
    metadata(doc, kind, out);
    enums(doc, out);
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            if let Some(spec) = doc.get("spec") {
                selector_matches_template(spec, kind, true, out);
                if let Some(t) = spec.get("template") {
                    pod_template(t, out);
                }
            }
        }
        "Job" => {
            if let Some(spec) = doc.get("spec") {
                if spec.get("manualSelector").and_then(Node::as_bool) == Some(true) {
                    selector_matches_template(spec, kind, true, out);
                }
                if let Some(t) = spec.get("template") {
                    pod_template(t, out);
                }
            }
        }
        "CronJob" => cron_job(doc, out),
        "Pod" => {
            if let Some(spec) = doc.get("spec") {
                pod_spec(spec, out);
            }
        }
        "Service" => service(doc, out),
        "NetworkPolicy" => network_policy(doc, out),
        "ConfigMap" | "Secret" => data_keys(doc, kind, out),
        "PodDisruptionBudget" => {
            if let Some(s) = doc.path(&["spec", "selector"]) {
                label_selector(s, out);
            }
        }
        _ => {}
    }
}

fn finding(span: Span, message: String, label: &str, help: impl Into<String>) -> Finding {
    Finding::new(RULE, span, message)
        .label(label)
        .help(help)
        .detail("api")
}

fn metadata(doc: &Node, kind: &str, out: &mut Vec<Finding>) {
    let Some(meta) = doc.get("metadata") else {
        return;
    };
    if let Some(name) = meta.get("name") {
        if let Some(text) = name.as_string() {
            let (problem, what) = match kind {
                "Service" => (dns1035_label(text), "a Service name"),
                "Namespace" => (dns1123_label(text), "a Namespace name"),
                "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding" => {
                    (path_segment_name(text), "an RBAC object name")
                }
                "CronJob" if text.len() > 52 => (
                    Some(format!(
                        "is {} characters long, at most 52 are allowed (the Job names it creates add 11)",
                        text.len()
                    )),
                    "a CronJob name",
                ),
                _ => (dns1123_subdomain(text), "an object name"),
            };
            if let Some(p) = problem {
                out.push(finding(
                    name.span,
                    format!("`{text}` is not valid as {what}: it {p}"),
                    "invalid name",
                    "use lowercase letters, digits and '-' (e.g. `redis-sentinel`)",
                ));
            }
        }
    }
    if let Some(ns) = meta.get("namespace") {
        if let Some(text) = ns.as_string() {
            if let Some(p) = dns1123_label(text) {
                out.push(finding(
                    ns.span,
                    format!("`{text}` is not valid as a namespace: it {p}"),
                    "invalid namespace",
                    "use lowercase letters, digits and '-' (e.g. `grill-stats`)",
                ));
            }
        }
    }
    labels(meta.get("labels"), "label", out);
    if let Some(m) = meta.get("annotations").and_then(Node::as_map) {
        let mut total = 0usize;
        for e in m.entries.iter() {
            let Some(k) = e.key.as_str() else { continue };
            total += k.len() + e.value.as_str().map_or(0, str::len);
            if let Some(p) = qualified_name(&k.to_ascii_lowercase()) {
                out.push(finding(
                    e.key.span,
                    format!("annotation key `{k}` is invalid: it {p}"),
                    "invalid annotation key",
                    "write `name` or `prefix.example.com/name`",
                ));
            }
        }
        const MAX: usize = 256 * 1024;
        if total > MAX {
            let key = meta
                .as_map()
                .and_then(|mm| mm.entry("annotations"))
                .map_or(m.entries[0].key.span, |e| e.key.span);
            out.push(finding(
                key,
                format!("annotations total {total} bytes; the API server allows at most {MAX}"),
                "too large",
                "move large data into a ConfigMap",
            ));
        }
    }
}

/// A map of labels (`metadata.labels`, `nodeSelector`, `matchLabels`, a Service selector).
fn labels(m: Option<&Node>, what: &str, out: &mut Vec<Finding>) {
    let Some(m) = m.and_then(Node::as_map) else {
        return;
    };
    for e in m.entries.iter() {
        let Some(k) = e.key.as_str() else { continue };
        if let Some(p) = qualified_name(k) {
            out.push(finding(
                e.key.span,
                format!("{what} key `{k}` is invalid: it {p}"),
                "invalid key",
                "write `name` or `prefix.example.com/name` (name: at most 63 letters, digits, '-', '_', '.')",
            ));
        }
        if let Some(v) = e.value.as_string() {
            if let Some(p) = label_value(v) {
                out.push(finding(
                    e.value.span,
                    format!("{what} value `{v}` of `{k}` is invalid: it {p}"),
                    "invalid value",
                    "use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
                ));
            }
        }
    }
}

/// `ValidateLabelSelector`: keys and values as labels; `In`/`NotIn` need values,
/// `Exists`/`DoesNotExist` take none.
fn label_selector(sel: &Node, out: &mut Vec<Finding>) {
    labels(sel.get("matchLabels"), "selector label", out);
    for req in sel
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        if let Some(k) = req.get("key") {
            if let Some(text) = k.as_string() {
                if let Some(p) = qualified_name(text) {
                    out.push(finding(
                        k.span,
                        format!("selector key `{text}` is invalid: it {p}"),
                        "invalid key",
                        "write `name` or `prefix.example.com/name`",
                    ));
                }
            }
        }
        let Some(op_node) = req.get("operator") else {
            continue;
        };
        let op = op_node.as_str().unwrap_or("");
        let n_values = req
            .get("values")
            .and_then(Node::as_seq)
            .map_or(0, <[Node]>::len);
        match op {
            "In" | "NotIn" if n_values == 0 => out.push(finding(
                op_node.span,
                format!("operator `{op}` needs at least one value, the requirement has none"),
                "no values",
                "add `values: [...]`, or use `Exists`",
            )),
            "Exists" | "DoesNotExist" if n_values > 0 => out.push(finding(
                op_node.span,
                format!("operator `{op}` takes no values, the requirement has {n_values}"),
                "values not allowed",
                "remove `values`, or use `In`",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            _ => out.push(finding(
                op_node.span,
                format!("`{op}` is not a selector operator"),
                "unknown operator",
                "use In, NotIn, Exists or DoesNotExist",
            )),
        }
    }
}

/// Whether one `matchExpressions` requirement holds for a set of labels, with
/// [`crate::k8s::selector`]'s semantics (`LabelSelectorAsSelector(...).Matches`). A malformed
/// requirement is `label_selector`'s finding, not this one's.
fn requirement_holds(req: &Node, labels: &crate::k8s::selector::Labels) -> bool {
    crate::k8s::selector::Requirement::from_node(req).map_or(true, |r| r.matches(labels))
}

/// apps/v1 (and a Job with `manualSelector`): a non-empty selector that selects the template's
/// own labels ("`selector` does not match template `labels`").
fn selector_matches_template(
    spec: &Node,
    kind: &str,
    must_not_be_empty: bool,
    out: &mut Vec<Finding>,
) {
    let Some(sel) = spec.get("selector") else {
        return; // a missing required selector is a schema finding
    };
    label_selector(sel, out);
    let template = spec.get("template");
    let tlabels_node = template.and_then(|t| t.path(&["metadata", "labels"]));
    let empty = Map::default();
    let tlabels = tlabels_node.and_then(Node::as_map).unwrap_or(&empty);
    let match_labels = sel.get("matchLabels").and_then(Node::as_map);
    let exprs = sel
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    if must_not_be_empty && match_labels.is_none_or(Map::is_empty) && exprs.is_empty() {
        if sel.as_map().is_some() {
            out.push(finding(
                sel.span,
                format!("an empty selector is invalid for a {kind}"),
                "selects nothing in particular",
                "select the pod template's labels, e.g. `matchLabels: {app.kubernetes.io/name: redis}`",
            ));
        }
        return;
    }
    let Some(template) = template else { return };
    // Where a label the template lacks would be added.
    let template_anchor = tlabels_node
        .map(|n| n.span)
        .or_else(|| template.get("metadata").map(|m| m.span))
        .unwrap_or(template.span);
    for e in match_labels.map(|m| m.entries.as_slice()).unwrap_or(&[]) {
        let (Some(k), Some(v)) = (e.key.as_str(), e.value.as_str()) else {
            continue;
        };
        match tlabels.entry(k) {
            Some(t) if t.value.as_str() == Some(v) => {}
            Some(t) => out.push(
                finding(
                    e.value.span,
                    format!(
                        "the selector wants `{k}: {v}` but the pod template's label is `{k}: {}`: `selector` does not match template `labels`",
                        t.value.as_str().unwrap_or("")
                    ),
                    "selector value",
                    format!("make both `{k}` values the same"),
                )
                .related(t.value.span, "the pod template's value"),
            ),
            None => out.push(
                finding(
                    e.key.span,
                    format!(
                        "the selector wants `{k}: {v}` but the pod template has no `{k}` label: `selector` does not match template `labels`"
                    ),
                    "selector label",
                    format!("add `{k}: {v}` to the pod template's labels"),
                )
                .related(template_anchor, "the pod template's labels"),
            ),
        }
    }
    let template_labels = crate::k8s::selector::labels_of(tlabels_node);
    for req in exprs {
        if !requirement_holds(req, &template_labels) {
            let key = req.get("key").and_then(Node::as_str).unwrap_or("");
            out.push(
                finding(
                    req.get("operator").map_or(req.span, |o| o.span),
                    format!(
                        "the selector's requirement on `{key}` does not hold for the pod template's labels: `selector` does not match template `labels`"
                    ),
                    "not satisfied by the template",
                    format!("change the requirement or the template's `{key}` label so that they agree"),
                )
                .related(template_anchor, "the pod template's labels"),
            );
        }
    }
}

fn pod_template(t: &Node, out: &mut Vec<Finding>) {
    labels(t.path(&["metadata", "labels"]), "label", out);
    if let Some(spec) = t.get("spec") {
        pod_spec(spec, out);
    }
}

/// Port values that name or number a container port (probes, Service targetPort, policies).
fn port_ref(n: &Node, field: &str, out: &mut Vec<Finding>) {
    if let Some(i) = n.as_i64() {
        if let Some(p) = port_number(i) {
            out.push(finding(
                n.span,
                format!("`{field}` {p}"),
                "not a port",
                "write a port between 1 and 65535, or a port name",
            ));
        }
    } else if let Some(s) = n.as_string() {
        if let Some(p) = port_name(s) {
            out.push(finding(
                n.span,
                format!("`{field}` names port `{s}`, which {p}"),
                "not a valid port name",
                "name the port with at most 15 lowercase letters, digits and '-' (e.g. `redis`)",
            ));
        }
    }
}

fn pod_spec(spec: &Node, out: &mut Vec<Finding>) {
    labels(spec.get("nodeSelector"), "node selector", out);
    // Container names are unique across init, regular and ephemeral containers.
    let mut seen: HashMap<&str, Span> = HashMap::default();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec.get(list).and_then(Node::as_seq).unwrap_or(&[]) {
            container(c, &mut seen, out);
        }
    }
    let mut volumes: HashMap<&str, Span> = HashMap::default();
    for v in spec.get("volumes").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(n) = v.get("name") {
            if let Some(text) = n.as_string() {
                if let Some(p) = dns1123_label(text) {
                    out.push(finding(
                        n.span,
                        format!("volume name `{text}` is invalid: it {p}"),
                        "invalid name",
                        "use at most 63 lowercase letters, digits and '-'",
                    ));
                }
                duplicate(&mut volumes, text, n.span, "volume", out);
            }
        }
    }
}

/// Reports `name` when `seen` has it; the map borrows the names from the object (a ConfigMap
/// with a million keys costs no copy of them).
fn duplicate<'a>(
    seen: &mut HashMap<&'a str, Span>,
    name: &'a str,
    span: Span,
    what: &str,
    out: &mut Vec<Finding>,
) {
    if let Some(first) = seen.get(name) {
        out.push(
            finding(
                span,
                format!("duplicate {what} name `{name}`: the API server refuses the object"),
                "second use",
                format!("give each {what} its own name"),
            )
            .related(*first, "first used here"),
        );
    } else {
        seen.insert(name, span);
    }
}

fn container<'a>(c: &'a Node, seen: &mut HashMap<&'a str, Span>, out: &mut Vec<Finding>) {
    if let Some(n) = c.get("name") {
        if let Some(text) = n.as_string() {
            if let Some(p) = dns1123_label(text) {
                out.push(finding(
                    n.span,
                    format!("container name `{text}` is invalid: it {p}"),
                    "invalid name",
                    "use at most 63 lowercase letters, digits and '-' (e.g. `redis`)",
                ));
            }
            duplicate(seen, text, n.span, "container", out);
        }
    }
    let mut port_names: HashMap<&str, Span> = HashMap::default();
    for p in c.get("ports").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(n) = p.get("name") {
            if let Some(text) = n.as_string() {
                if let Some(why) = port_name(text) {
                    out.push(finding(
                        n.span,
                        format!("container port name `{text}` {why}"),
                        "invalid port name",
                        "use at most 15 lowercase letters, digits and '-' (e.g. `redis`, `sentinel`)",
                    ));
                }
                duplicate(&mut port_names, text, n.span, "port", out);
            }
        }
        if let Some(n) = p.get("containerPort") {
            if let Some(i) = n.as_i64() {
                if let Some(why) = port_number(i) {
                    out.push(finding(
                        n.span,
                        format!("`containerPort` {why}"),
                        "not a port",
                        "write a port between 1 and 65535",
                    ));
                }
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(pr) = c.get(probe) else { continue };
        for (handler, field) in [("httpGet", "port"), ("tcpSocket", "port"), ("grpc", "port")] {
            if let Some(n) = pr.get(handler).and_then(|h| h.get(field)) {
                if handler == "grpc" {
                    if let Some(i) = n.as_i64() {
                        if let Some(why) = port_number(i) {
                            out.push(finding(
                                n.span,
                                format!("`{probe}.grpc.port` {why}"),
                                "not a port",
                                "write a port between 1 and 65535",
                            ));
                        }
                    }
                } else {
                    port_ref(n, &format!("{probe}.{handler}.port"), out);
                }
            }
        }
    }
}

fn cron_job(doc: &Node, out: &mut Vec<Finding>) {
    let Some(spec) = doc.get("spec") else { return };
    if let Some(s) = spec.get("schedule") {
        if let Some(text) = s.as_string() {
            if text.contains("TZ") {
                out.push(finding(
                    s.span,
                    format!("schedule `{text}` sets a time zone inline: the API server refuses `TZ=` and `CRON_TZ=` in a schedule"),
                    "inline time zone",
                    "remove the `TZ=`/`CRON_TZ=` prefix and set `spec.timeZone` (e.g. `timeZone: Etc/UTC`)",
                ));
            }
        }
    }
    if let Some(t) = spec.path(&["jobTemplate", "spec", "template"]) {
        pod_template(t, out);
    }
    labels(
        spec.path(&["jobTemplate", "metadata", "labels"]),
        "label",
        out,
    );
}

fn service(doc: &Node, out: &mut Vec<Finding>) {
    let Some(spec) = doc.get("spec") else { return };
    labels(spec.get("selector"), "selector label", out);
    let ports = spec.get("ports").and_then(Node::as_seq).unwrap_or(&[]);
    let mut names: HashMap<&str, Span> = HashMap::default();
    for p in ports {
        match p.get("name").and_then(Node::as_string) {
            Some(text) => {
                let n = p.get("name").expect("checked");
                if let Some(why) = dns1123_label(text) {
                    out.push(finding(
                        n.span,
                        format!("Service port name `{text}` is invalid: it {why}"),
                        "invalid port name",
                        "use at most 63 lowercase letters, digits and '-'",
                    ));
                }
                duplicate(&mut names, text, n.span, "Service port", out);
            }
            None if ports.len() > 1 => {
                let anchor = p
                    .as_map()
                    .and_then(|m| m.entries.first())
                    .map_or(p.span, |e| e.key.span);
                out.push(finding(
                    anchor,
                    format!(
                        "this Service has {} ports, so each needs a `name`",
                        ports.len()
                    ),
                    "unnamed port",
                    "add `name:` (e.g. `name: redis`)",
                ));
            }
            None => {}
        }
        if let Some(n) = p.get("port") {
            if let Some(i) = n.as_i64() {
                if let Some(why) = port_number(i) {
                    out.push(finding(
                        n.span,
                        format!("`port` {why}"),
                        "not a port",
                        "write a port between 1 and 65535",
                    ));
                }
            }
        }
        if let Some(n) = p.get("targetPort") {
            port_ref(n, "targetPort", out);
        }
    }
}

fn network_policy(doc: &Node, out: &mut Vec<Finding>) {
    let Some(spec) = doc.get("spec") else { return };
    if let Some(s) = spec.get("podSelector") {
        label_selector(s, out);
    }
    for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
        for rule in spec.get(dir).and_then(Node::as_seq).unwrap_or(&[]) {
            for port in rule.get("ports").and_then(Node::as_seq).unwrap_or(&[]) {
                if let Some(n) = port.get("port") {
                    port_ref(n, "port", out);
                    if n.as_string().is_some() {
                        if let Some(end) = port.get("endPort") {
                            out.push(finding(
                                end.span,
                                "`endPort` may not be set when `port` is a name".into(),
                                "needs a numeric port",
                                "write `port` as a number, or remove `endPort`",
                            ));
                        }
                    } else if let (Some(p), Some(end)) =
                        (n.as_i64(), port.get("endPort").and_then(Node::as_i64))
                    {
                        if end < p {
                            out.push(
                                finding(
                                    port.get("endPort").map_or(n.span, |e| e.span),
                                    format!("`endPort` {end} is below `port` {p}"),
                                    "range ends before it starts",
                                    format!("write an `endPort` of at least {p}"),
                                )
                                .related(n.span, "`port`"),
                            );
                        }
                    }
                }
            }
            for peer in rule.get(peers_key).and_then(Node::as_seq).unwrap_or(&[]) {
                policy_peer(peer, out);
            }
        }
    }
}

fn policy_peer(peer: &Node, out: &mut Vec<Finding>) {
    let has = |k: &str| peer.get(k).is_some_and(|v| !v.is_null());
    let n = ["podSelector", "namespaceSelector", "ipBlock"]
        .iter()
        .filter(|k| has(k))
        .count();
    for k in ["podSelector", "namespaceSelector"] {
        if let Some(s) = peer.get(k) {
            label_selector(s, out);
        }
    }
    if n == 0 {
        out.push(finding(
            peer.span,
            "empty NetworkPolicy peer: the API server refuses it (\"must specify a peer\")".into(),
            "no podSelector, namespaceSelector or ipBlock",
            "name the clients: `podSelector: {matchLabels: {...}}`, a `namespaceSelector`, or an `ipBlock`",
        ));
    } else if n > 1 && has("ipBlock") {
        let at = peer
            .as_map()
            .and_then(|m| m.entry("ipBlock"))
            .map_or(peer.span, |e| e.key.span);
        out.push(finding(
            at,
            "a NetworkPolicy peer may not combine `ipBlock` with a selector".into(),
            "ipBlock beside a selector",
            "split it into two peers (`- ipBlock: ...` and `- podSelector: ...`)",
        ));
    }
}

fn data_keys(doc: &Node, kind: &str, out: &mut Vec<Finding>) {
    let fields = if kind == "Secret" {
        ["data", "stringData"]
    } else {
        ["data", "binaryData"]
    };
    let [first, second] = fields.map(|f| {
        doc.get(f)
            .and_then(Node::as_map)
            .map(|m| m.entries.as_slice())
            .unwrap_or(&[])
    });
    for e in first.iter().chain(second) {
        let Some(k) = e.key.as_str() else { continue };
        if let Some(why) = config_map_key(k) {
            out.push(finding(
                e.key.span,
                format!("{kind} key `{k}` is invalid: it {why}"),
                "invalid key",
                "use letters, digits, '-', '_' and '.' (e.g. `redis.conf`)",
            ));
        }
    }
    // A ConfigMap key may not be in both `data` and `binaryData` (a Secret's `stringData`
    // overrides `data` on purpose). The keys of one mapping are already unique (the parser
    // reports duplicates), so only the two fields are compared, and only when both are there.
    if kind == "ConfigMap" && !first.is_empty() && !second.is_empty() {
        let mut seen: HashMap<&str, Span> = HashMap::default();
        for e in first.iter().chain(second) {
            if let Some(k) = e.key.as_str() {
                duplicate(&mut seen, k, e.key.span, "ConfigMap data key", out);
            }
        }
    }
}

#[cfg(test)]
mod tests;
