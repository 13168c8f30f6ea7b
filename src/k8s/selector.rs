//! Kubernetes label selectors and NetworkPolicy matching, written once for every check.
//!
//! - [`Selector`]: `matchLabels` and `matchExpressions` (`In`, `NotIn`, `Exists`,
//!   `DoesNotExist`) ANDed together; an empty selector (`{}`) selects everything, a null or absent
//!   one nothing (apimachinery's `LabelSelectorAsSelector`). Malformed selectors (an `In` without
//!   values, `Exists` with values, an unknown operator) are refused as the API server refuses
//!   them, each at its line.
//! - [`Policy`]: a NetworkPolicy with `policyTypes` defaulted as the API server defaults them
//!   (`Ingress` always, `Egress` too when egress rules are given), rules whose absent or empty
//!   `from`/`to` admit every peer and absent or empty `ports` every port, peers that combine a
//!   `podSelector` with a `namespaceSelector` matched against the namespace's labels (with the
//!   `kubernetes.io/metadata.name` label the API server sets on every namespace), `ipBlock`
//!   peers, and ports by number, by name (resolved on the destination pod's container ports)
//!   and ranges with `endPort`.

use crate::source::Span;
use crate::yaml::{Node, Value};
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// The label every namespace carries with its own name (Kubernetes ≥ 1.21).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A namespace's labels as selectors see them: its own plus [`NAMESPACE_NAME_LABEL`].
pub fn namespace_labels(name: &str, own: &Labels) -> Labels {
    let mut l = own.clone();
    l.insert(NAMESPACE_NAME_LABEL.into(), name.into());
    l
}

/// Something the API server would refuse, at its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

fn refuse(span: Span, message: impl Into<String>, help: Option<&str>) -> SelectorError {
    SelectorError {
        span,
        message: message.into(),
        help: help.map(str::to_string),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
    pub span: Span,
}

impl Requirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.key);
        match self.op {
            Op::In => v.is_some_and(|v| self.values.contains(v)),
            Op::NotIn => v.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => v.is_some(),
            Op::DoesNotExist => v.is_none(),
        }
    }
}

/// A label selector: `Nothing` (null/absent) or requirements that must all hold (none: all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Nothing,
    All(Vec<Requirement>),
}

impl Selector {
    pub fn everything() -> Selector {
        Selector::All(Vec::new())
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            Selector::Nothing => false,
            Selector::All(reqs) => reqs.iter().all(|r| r.matches(labels)),
        }
    }

    /// True for `{}`: every object matches.
    pub fn is_everything(&self) -> bool {
        matches!(self, Selector::All(r) if r.is_empty())
    }

    /// Reads a `LabelSelector`; `None` or `null` is [`Selector::Nothing`].
    pub fn from_node(node: Option<&Node>) -> Result<Selector, Vec<SelectorError>> {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return Ok(Selector::Nothing);
        };
        let Some(map) = node.as_map() else {
            return Err(vec![refuse(
                node.span,
                format!("a label selector is a mapping, not a {}", node.kind_name()),
                Some("write `matchLabels:` and/or `matchExpressions:` under it"),
            )]);
        };
        let mut reqs = Vec::new();
        let mut errors = Vec::new();
        if let Some(ml) = map.get("matchLabels").filter(|n| !n.is_null()) {
            match ml.as_map() {
                Some(m) => {
                    for e in &m.entries {
                        reqs.push(Requirement {
                            key: e.key.as_str().unwrap_or("").to_string(),
                            op: Op::In,
                            values: vec![e.value.as_str().unwrap_or("").to_string()],
                            span: e.key.span,
                        });
                    }
                }
                None => errors.push(refuse(
                    ml.span,
                    "`matchLabels` is a mapping of labels",
                    None,
                )),
            }
        }
        if let Some(me) = map.get("matchExpressions").filter(|n| !n.is_null()) {
            match me.as_seq() {
                Some(items) => {
                    for item in items {
                        match expression(item) {
                            Ok(r) => reqs.push(r),
                            Err(e) => errors.push(e),
                        }
                    }
                }
                None => errors.push(refuse(me.span, "`matchExpressions` is a list", None)),
            }
        }
        if errors.is_empty() {
            Ok(Selector::All(reqs))
        } else {
            Err(errors)
        }
    }
}

fn expression(item: &Node) -> Result<Requirement, SelectorError> {
    let key = item.get("key").and_then(Node::as_str).unwrap_or("");
    if key.is_empty() {
        return Err(refuse(item.span, "a match expression needs a `key`", None));
    }
    let op_node = item.get("operator");
    let op_text = op_node.and_then(Node::as_str).unwrap_or("");
    let op_span = op_node.map_or(item.span, |n| n.span);
    let op = match op_text {
        "In" => Op::In,
        "NotIn" => Op::NotIn,
        "Exists" => Op::Exists,
        "DoesNotExist" => Op::DoesNotExist,
        other => {
            return Err(refuse(
                op_span,
                format!("`{other}` is not a selector operator"),
                Some("use In, NotIn, Exists or DoesNotExist (case matters)"),
            ))
        }
    };
    let values_node = item.get("values").filter(|n| !n.is_null());
    let values: Vec<String> = values_node
        .and_then(Node::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    match op {
        Op::In | Op::NotIn if values.is_empty() => Err(refuse(
            values_node.map_or(op_span, |n| n.span),
            format!("`{op_text}` needs at least one value; the API server refuses it without"),
            Some("list the values under `values:`, or use Exists/DoesNotExist"),
        )),
        Op::Exists | Op::DoesNotExist if !values.is_empty() => Err(refuse(
            values_node.map_or(op_span, |n| n.span),
            format!("`{op_text}` takes no values; the API server refuses them"),
            Some("remove `values:`"),
        )),
        _ => Ok(Requirement {
            key: key.to_string(),
            op,
            values,
            span: item.span,
        }),
    }
}

/// The labels of a mapping node (`metadata.labels`), as text.
pub fn labels_of(node: Option<&Node>) -> Labels {
    node.and_then(Node::as_map)
        .map(|m| {
            m.entries
                .iter()
                .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// A protocol name; absent is TCP (the API server's default).
    pub fn parse(text: Option<&str>) -> Option<Protocol> {
        match text {
            None | Some("TCP") => Some(Protocol::Tcp),
            Some("UDP") => Some(Protocol::Udp),
            Some("SCTP") => Some(Protocol::Sctp),
            Some(_) => None,
        }
    }
}

/// A container port of a pod (what named NetworkPolicy ports resolve to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub number: u16,
    pub protocol: Protocol,
}

/// A pod as the matcher sees it.
#[derive(Clone, Debug)]
pub struct Pod<'a> {
    pub namespace: &'a str,
    pub labels: &'a Labels,
    pub ports: &'a [ContainerPort],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

/// One entry of a rule's `ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    pub protocol: Protocol,
    /// `None`: every port of the protocol.
    pub port: Option<PortRef>,
    pub end_port: Option<u16>,
    pub span: Span,
}

impl PortSpec {
    /// True when traffic to `number`/`protocol` on pod `to` is covered.
    pub fn matches(&self, number: u16, protocol: Protocol, to: &Pod) -> bool {
        if self.protocol != protocol {
            return false;
        }
        match &self.port {
            None => true,
            Some(PortRef::Number(p)) => match self.end_port {
                Some(end) => (*p..=end).contains(&number),
                None => *p == number,
            },
            Some(PortRef::Name(n)) => to.ports.iter().any(|cp| {
                cp.name.as_deref() == Some(n) && cp.protocol == protocol && cp.number == number
            }),
        }
    }

    /// The ports this entry admits on pod `to` (named ports resolved), as inclusive ranges.
    pub fn ranges(&self, to: &Pod) -> Vec<(u16, u16)> {
        match &self.port {
            None => vec![(1, 65535)],
            Some(PortRef::Number(p)) => vec![(*p, self.end_port.unwrap_or(*p))],
            Some(PortRef::Name(n)) => to
                .ports
                .iter()
                .filter(|cp| cp.name.as_deref() == Some(n) && cp.protocol == self.protocol)
                .map(|cp| (cp.number, cp.number))
                .collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    pub cidr: String,
    pub except: Vec<String>,
}

impl IpBlock {
    /// `0.0.0.0/0` or `::/0` without exceptions: every address.
    pub fn is_everything(&self) -> bool {
        self.except.is_empty() && self.cidr.trim().ends_with("/0")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerKind {
    /// `pods`: `None` means the field was absent; `namespaces` absent means the policy's own.
    Pods {
        pods: Option<Selector>,
        namespaces: Option<Selector>,
    },
    IpBlock(IpBlock),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub kind: PeerKind,
    pub span: Span,
}

impl Peer {
    /// True when pod `p` (in a namespace labelled `ns_labels`) is this peer, for a policy in
    /// namespace `policy_ns`.
    pub fn matches_pod(&self, policy_ns: &str, p: &Pod, ns_labels: &Labels) -> bool {
        match &self.kind {
            PeerKind::IpBlock(_) => false,
            PeerKind::Pods { pods, namespaces } => {
                let ns_ok = match namespaces {
                    None => p.namespace == policy_ns,
                    Some(s) => s.matches(ns_labels),
                };
                let pod_ok = match pods {
                    None => true,
                    Some(s) => s.matches(p.labels),
                };
                ns_ok && pod_ok
            }
        }
    }

    /// True when the peer admits everything: an `ipBlock` of every address, or
    /// `namespaceSelector: {}` without a `podSelector` (or with `podSelector: {}`).
    pub fn is_everything(&self) -> bool {
        match &self.kind {
            PeerKind::IpBlock(b) => b.is_everything(),
            PeerKind::Pods { pods, namespaces } => {
                namespaces.as_ref().is_some_and(Selector::is_everything)
                    && pods.as_ref().is_none_or(Selector::is_everything)
            }
        }
    }
}

/// One ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `None`: `from`/`to` absent or empty, every peer.
    pub peers: Option<Vec<Peer>>,
    /// `None`: `ports` absent or empty, every port.
    pub ports: Option<Vec<PortSpec>>,
    pub span: Span,
}

impl Rule {
    pub fn admits_port(&self, number: u16, protocol: Protocol, to: &Pod) -> bool {
        match &self.ports {
            None => true,
            Some(ps) => ps.iter().any(|p| p.matches(number, protocol, to)),
        }
    }
    pub fn admits_peer(&self, policy_ns: &str, from: &Pod, from_ns_labels: &Labels) -> bool {
        match &self.peers {
            None => true,
            Some(ps) => ps
                .iter()
                .any(|p| p.matches_pod(policy_ns, from, from_ns_labels)),
        }
    }
}

/// A NetworkPolicy, read from its object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub namespace: String,
    pub pod_selector: Selector,
    pub ingress_type: bool,
    pub egress_type: bool,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    /// Where the policy is named (`metadata.name`), for findings.
    pub span: Span,
    /// Parts the API server would refuse (the policy would not be created).
    pub invalid: Vec<SelectorError>,
}

impl Policy {
    /// Reads a NetworkPolicy object; `default_ns` is the namespace when metadata has none.
    pub fn from_node(obj: &Node, default_ns: &str) -> Policy {
        let name_node = obj.path(&["metadata", "name"]);
        let name = name_node.and_then(Node::as_str).unwrap_or("").to_string();
        let namespace = obj
            .str_at(&["metadata", "namespace"])
            .unwrap_or(default_ns)
            .to_string();
        let span = name_node.map_or(obj.span, |n| n.span);
        let spec = obj.get("spec");
        let mut invalid = Vec::new();
        let pod_selector = match spec.and_then(|s| s.get("podSelector")) {
            // Required by the API server; `{}` selects every pod of the namespace.
            None => {
                invalid.push(refuse(
                    spec.map_or(span, |s| s.span),
                    "a NetworkPolicy needs `spec.podSelector`",
                    Some("write `podSelector: {}` to select every pod of the namespace"),
                ));
                Selector::Nothing
            }
            Some(n) if n.is_null() => Selector::everything(),
            Some(n) => Selector::from_node(Some(n)).unwrap_or_else(|e| {
                invalid.extend(e);
                Selector::Nothing
            }),
        };
        let rules = |key: &str, peer_key: &str, invalid: &mut Vec<SelectorError>| -> Vec<Rule> {
            spec.and_then(|s| s.get(key))
                .and_then(Node::as_seq)
                .map(|items| items.iter().map(|r| rule(r, peer_key, invalid)).collect())
                .unwrap_or_default()
        };
        let ingress = rules("ingress", "from", &mut invalid);
        let egress = rules("egress", "to", &mut invalid);
        let types: Vec<&str> = spec
            .and_then(|s| s.get("policyTypes"))
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        let (ingress_type, egress_type) = if types.is_empty() {
            let egress_given = spec
                .and_then(|s| s.get("egress"))
                .and_then(Node::as_seq)
                .is_some_and(|s| !s.is_empty());
            (true, egress_given)
        } else {
            (types.contains(&"Ingress"), types.contains(&"Egress"))
        };
        Policy {
            name,
            namespace,
            pod_selector,
            ingress_type,
            egress_type,
            ingress,
            egress,
            span,
            invalid,
        }
    }

    /// True when the policy applies to pod `p` (same namespace, selected).
    pub fn selects(&self, p: &Pod) -> bool {
        p.namespace == self.namespace && self.pod_selector.matches(p.labels)
    }

    /// True when the policy isolates `to` for ingress and one of its rules admits `from` on
    /// `number`/`protocol`. (A pod that no Ingress policy selects admits everything; that is the
    /// caller's business: see [`ingress_allowed`].)
    pub fn admits_ingress(
        &self,
        from: &Pod,
        from_ns_labels: &Labels,
        to: &Pod,
        number: u16,
        protocol: Protocol,
    ) -> bool {
        self.ingress_type
            && self.selects(to)
            && self.ingress.iter().any(|r| {
                r.admits_port(number, protocol, to)
                    && r.admits_peer(&self.namespace, from, from_ns_labels)
            })
    }
}

/// Whether ingress from `from` to `to` on a port is allowed by a set of policies: allowed when
/// no policy with `Ingress` selects `to`, otherwise when any selecting policy admits it.
pub fn ingress_allowed(
    policies: &[Policy],
    from: &Pod,
    from_ns_labels: &Labels,
    to: &Pod,
    number: u16,
    protocol: Protocol,
) -> bool {
    let isolating: Vec<&Policy> = policies
        .iter()
        .filter(|p| p.ingress_type && p.selects(to))
        .collect();
    isolating.is_empty()
        || isolating
            .iter()
            .any(|p| p.admits_ingress(from, from_ns_labels, to, number, protocol))
}

fn rule(node: &Node, peer_key: &str, invalid: &mut Vec<SelectorError>) -> Rule {
    let peers = node
        .get(peer_key)
        .and_then(Node::as_seq)
        .filter(|s| !s.is_empty())
        .map(|s| s.iter().filter_map(|p| peer(p, invalid)).collect());
    let ports = node
        .get("ports")
        .and_then(Node::as_seq)
        .filter(|s| !s.is_empty())
        .map(|s| s.iter().filter_map(|p| port(p, invalid)).collect());
    Rule {
        peers,
        ports,
        span: node.span,
    }
}

fn peer(node: &Node, invalid: &mut Vec<SelectorError>) -> Option<Peer> {
    let get = |k: &str| node.get(k).filter(|n| !n.is_null());
    let (pods, nss, ip) = (get("podSelector"), get("namespaceSelector"), get("ipBlock"));
    let count = [pods, nss, ip].iter().filter(|n| n.is_some()).count();
    if count == 0 {
        invalid.push(refuse(
            node.span,
            "an empty peer: the API server refuses it (\"must specify a peer\")",
            Some("name the clients with `podSelector` (and `namespaceSelector` for other namespaces)"),
        ));
        return None;
    }
    if let Some(ip) = ip {
        if count > 1 {
            invalid.push(refuse(
                node.span,
                "`ipBlock` cannot be combined with a selector in one peer; the API server refuses it",
                Some("write the ipBlock as its own peer (its own `-` entry)"),
            ));
            return None;
        }
        let cidr = ip
            .get("cidr")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let except = ip
            .get("except")
            .and_then(Node::as_seq)
            .map(|s| {
                s.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        return Some(Peer {
            kind: PeerKind::IpBlock(IpBlock { cidr, except }),
            span: node.span,
        });
    }
    let mut read = |n: Option<&Node>| -> Option<Option<Selector>> {
        match n {
            None => Some(None),
            Some(n) => match Selector::from_node(Some(n)) {
                Ok(s) => Some(Some(s)),
                Err(e) => {
                    invalid.extend(e);
                    None
                }
            },
        }
    };
    let pods = read(pods)?;
    let namespaces = read(nss)?;
    Some(Peer {
        kind: PeerKind::Pods { pods, namespaces },
        span: node.span,
    })
}

fn port(node: &Node, invalid: &mut Vec<SelectorError>) -> Option<PortSpec> {
    let proto_node = node.get("protocol");
    let Some(protocol) = Protocol::parse(proto_node.and_then(Node::as_str)) else {
        invalid.push(refuse(
            proto_node.map_or(node.span, |n| n.span),
            "protocol must be TCP, UDP or SCTP",
            None,
        ));
        return None;
    };
    let port_node = node.get("port").filter(|n| !n.is_null());
    let port = match port_node {
        None => None,
        Some(p) => match p.as_i64() {
            Some(n) if (1..=65535).contains(&n) => Some(PortRef::Number(n as u16)),
            Some(n) => {
                invalid.push(refuse(p.span, format!("port {n} is outside 1-65535"), None));
                return None;
            }
            None => Some(PortRef::Name(p.as_str().unwrap_or("").to_string())),
        },
    };
    let end_node = node.get("endPort").filter(|n| !n.is_null());
    let end_port = match end_node {
        None => None,
        Some(e) => {
            let Some(PortRef::Number(start)) = port else {
                invalid.push(refuse(
                    e.span,
                    "`endPort` needs a numeric `port`; the API server refuses it with a named or absent port",
                    None,
                ));
                return None;
            };
            match e.as_i64() {
                Some(end) if end >= i64::from(start) && end <= 65535 => Some(end as u16),
                _ => {
                    invalid.push(refuse(
                        e.span,
                        format!("`endPort` must be a number from {start} (the port) to 65535"),
                        None,
                    ));
                    return None;
                }
            }
        }
    };
    Some(PortSpec {
        protocol,
        port,
        end_port,
        // The port value is what a person edits; a protocol-only entry is the entry itself.
        span: port_node.map_or(node.span, |n| n.span),
    })
}

/// True for a mapping that is empty (`{}`), as opposed to absent or null.
pub fn is_empty_map(node: Option<&Node>) -> bool {
    matches!(node.map(|n| &n.value), Some(Value::Map(m)) if m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    fn node(yaml: &str) -> Node {
        let map = SourceMap::new();
        let f = map.add("t.yaml", yaml);
        parse_stream(&f, Limits::default()).docs.remove(0)
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel(yaml: &str) -> Selector {
        let n = node(yaml);
        Selector::from_node(Some(&n)).unwrap()
    }

    #[test]
    fn selector_semantics() {
        let redis = labels(&[("app", "redis"), ("tier", "cache")]);
        let web = labels(&[("app", "web")]);
        let none = Labels::new();
        assert!(sel("{}").matches(&redis) && sel("{}").matches(&none));
        assert!(!Selector::from_node(None).unwrap().matches(&none));
        assert!(!Selector::from_node(Some(&node("null")))
            .unwrap()
            .matches(&redis));
        let s = sel("matchLabels: {app: redis}");
        assert!(s.matches(&redis) && !s.matches(&web) && !s.matches(&none));
        let s = sel("matchExpressions: [{key: app, operator: In, values: [redis, web]}]");
        assert!(s.matches(&redis) && s.matches(&web) && !s.matches(&none));
        let s = sel("matchExpressions: [{key: app, operator: NotIn, values: [redis]}]");
        assert!(!s.matches(&redis) && s.matches(&web) && s.matches(&none));
        let s = sel("matchExpressions: [{key: tier, operator: Exists}]");
        assert!(s.matches(&redis) && !s.matches(&web));
        let s = sel("matchExpressions: [{key: tier, operator: DoesNotExist}]");
        assert!(!s.matches(&redis) && s.matches(&web) && s.matches(&none));
        // matchLabels and matchExpressions are ANDed.
        let s = sel("matchLabels: {app: redis}\nmatchExpressions: [{key: tier, operator: NotIn, values: [cache]}]");
        assert!(!s.matches(&redis));
        // Empty lists are still an empty selector: everything.
        assert!(sel("matchLabels: {}\nmatchExpressions: []").is_everything());
    }

    #[test]
    fn malformed_selectors_are_refused_at_their_line() {
        for (yaml, needle) in [
            (
                "matchExpressions: [{key: a, operator: In, values: []}]",
                "needs at least one value",
            ),
            (
                "matchExpressions: [{key: a, operator: In}]",
                "needs at least one value",
            ),
            (
                "matchExpressions: [{key: a, operator: Exists, values: [x]}]",
                "takes no values",
            ),
            (
                "matchExpressions: [{key: a, operator: in, values: [x]}]",
                "not a selector operator",
            ),
            ("matchExpressions: [{operator: Exists}]", "needs a `key`"),
            ("[a]", "is a mapping"),
        ] {
            let n = node(yaml);
            let e = Selector::from_node(Some(&n)).unwrap_err();
            assert!(e[0].message.contains(needle), "{yaml}: {}", e[0].message);
        }
    }

    const POLICY: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: redis, namespace: grill-stats}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: redis}}
  ingress:
    - from:
        - podSelector: {matchLabels: {app.kubernetes.io/part-of: grill-stats}}
      ports:
        - port: 6379
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
          podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}
      ports:
        - port: metrics
    - from:
        - podSelector: {matchLabels: {app: ops}}
      ports:
        - {port: 30000, endPort: 30010, protocol: UDP}
";

    #[test]
    fn network_policy_matching() {
        let p = Policy::from_node(&node(POLICY), "default");
        assert!(p.invalid.is_empty(), "{:?}", p.invalid);
        assert!(p.ingress_type && !p.egress_type);
        let redis_l = labels(&[("app.kubernetes.io/name", "redis")]);
        let ports = [
            ContainerPort {
                name: Some("redis".into()),
                number: 6379,
                protocol: Protocol::Tcp,
            },
            ContainerPort {
                name: Some("metrics".into()),
                number: 9121,
                protocol: Protocol::Tcp,
            },
        ];
        let redis = Pod {
            namespace: "grill-stats",
            labels: &redis_l,
            ports: &ports,
        };
        let app_l = labels(&[("app.kubernetes.io/part-of", "grill-stats")]);
        let app = Pod {
            namespace: "grill-stats",
            labels: &app_l,
            ports: &[],
        };
        let app_elsewhere = Pod {
            namespace: "other",
            labels: &app_l,
            ports: &[],
        };
        let prom_l = labels(&[("app.kubernetes.io/name", "prometheus")]);
        let prom = Pod {
            namespace: "monitoring",
            labels: &prom_l,
            ports: &[],
        };
        let ns = |n: &str| namespace_labels(n, &Labels::new());
        let tcp = Protocol::Tcp;
        assert!(p.selects(&redis) && !p.selects(&app));
        assert!(p.admits_ingress(&app, &ns("grill-stats"), &redis, 6379, tcp));
        assert!(!p.admits_ingress(&app, &ns("grill-stats"), &redis, 9121, tcp));
        assert!(!p.admits_ingress(&app_elsewhere, &ns("other"), &redis, 6379, tcp));
        // The named port resolves on the destination pod; the namespace by its implied label.
        assert!(p.admits_ingress(&prom, &ns("monitoring"), &redis, 9121, tcp));
        assert!(!p.admits_ingress(&prom, &ns("monitoring"), &redis, 6379, tcp));
        assert!(!p.admits_ingress(&prom, &ns("monitor"), &redis, 9121, tcp));
        // endPort range, UDP only.
        let ops_l = labels(&[("app", "ops")]);
        let ops = Pod {
            namespace: "grill-stats",
            labels: &ops_l,
            ports: &[],
        };
        assert!(p.admits_ingress(&ops, &ns("grill-stats"), &redis, 30005, Protocol::Udp));
        assert!(!p.admits_ingress(&ops, &ns("grill-stats"), &redis, 30005, tcp));
        assert!(!p.admits_ingress(&ops, &ns("grill-stats"), &redis, 30011, Protocol::Udp));
        // A pod no policy selects is not isolated.
        let policies = [p];
        assert!(ingress_allowed(
            &policies,
            &redis,
            &ns("grill-stats"),
            &app,
            80,
            tcp
        ));
        assert!(!ingress_allowed(
            &policies,
            &app_elsewhere,
            &ns("other"),
            &redis,
            6379,
            tcp
        ));
        assert_eq!(
            policies[0].ingress[1].ports.as_ref().unwrap()[0].ranges(&redis),
            vec![(9121, 9121)]
        );
    }

    #[test]
    fn policy_types_default_as_the_api_server_does() {
        let p = Policy::from_node(&node("metadata: {name: a}\nspec: {podSelector: {}}"), "ns");
        assert!(p.ingress_type && !p.egress_type && p.ingress.is_empty());
        assert_eq!(p.namespace, "ns");
        let p = Policy::from_node(
            &node("metadata: {name: a}\nspec:\n  podSelector: {}\n  egress: [{}]"),
            "ns",
        );
        assert!(p.ingress_type && p.egress_type);
        let p = Policy::from_node(
            &node("metadata: {name: a}\nspec:\n  podSelector: {}\n  egress: []"),
            "ns",
        );
        assert!(p.ingress_type && !p.egress_type);
        let p = Policy::from_node(&node("metadata: {name: a}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]"), "ns");
        assert!(!p.ingress_type && p.egress_type);
        // An Ingress policy with no rules admits nothing; a rule `{}` admits everything.
        let l = Labels::new();
        let pod = Pod {
            namespace: "ns",
            labels: &l,
            ports: &[],
        };
        let deny = Policy::from_node(
            &node("metadata: {name: a}\nspec: {podSelector: {}, policyTypes: [Ingress]}"),
            "ns",
        );
        assert!(!deny.admits_ingress(&pod, &l, &pod, 1, Protocol::Tcp));
        let allow = Policy::from_node(
            &node("metadata: {name: a}\nspec: {podSelector: {}, ingress: [{}]}"),
            "ns",
        );
        assert!(allow.admits_ingress(&pod, &l, &pod, 1, Protocol::Tcp));
        let egress_only = Policy::from_node(
            &node("metadata: {name: a}\nspec: {podSelector: {}, policyTypes: [Egress]}"),
            "ns",
        );
        assert!(ingress_allowed(
            &[egress_only],
            &pod,
            &l,
            &pod,
            1,
            Protocol::Tcp
        ));
    }

    #[test]
    fn peers_the_api_server_refuses_and_peers_that_admit_everything() {
        let p = Policy::from_node(
            &node("metadata: {name: a}\nspec:\n  podSelector: {}\n  ingress:\n    - from: [{}]\n    - from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]\n    - ports: [{port: metrics, endPort: 9200}]"),
            "ns",
        );
        let msgs: Vec<&str> = p.invalid.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("must specify a peer"));
        assert!(msgs[1].contains("ipBlock"));
        assert!(msgs[2].contains("endPort"));
        let p = Policy::from_node(
            &node("metadata: {name: a}\nspec:\n  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: '::/0', except: ['::1/128']}}, {namespaceSelector: {}, podSelector: {matchLabels: {a: b}}}]"),
            "ns",
        );
        let all: Vec<bool> = p.ingress[0]
            .peers
            .as_ref()
            .unwrap()
            .iter()
            .map(Peer::is_everything)
            .collect();
        assert_eq!(all, [true, true, false, false]);
        assert!(
            is_empty_map(Some(&node("{}")))
                && !is_empty_map(Some(&node("null")))
                && !is_empty_map(None)
        );
    }
}
