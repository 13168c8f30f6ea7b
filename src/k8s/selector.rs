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
use std::collections::{BTreeMap, BTreeSet};

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
                    for e in m.entries.iter() {
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

impl Requirement {
    /// Reads one `matchExpressions` item, refusing what the API server refuses.
    pub fn from_node(item: &Node) -> Result<Requirement, SelectorError> {
        expression(item)
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

/// The values one label key may take under a conjunction of requirements: absent or not, and
/// a finite set of strings or every string but a finite set.
#[derive(Clone, Debug, PartialEq, Eq)]
struct KeySet {
    absent: bool,
    strings: Strings,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Strings {
    Only(BTreeSet<String>),
    AllBut(BTreeSet<String>),
}

impl KeySet {
    fn any() -> KeySet {
        KeySet {
            absent: true,
            strings: Strings::AllBut(BTreeSet::new()),
        }
    }

    fn of(r: &Requirement) -> KeySet {
        let values = || r.values.iter().cloned().collect::<BTreeSet<_>>();
        let (absent, strings) = match r.op {
            Op::In => (false, Strings::Only(values())),
            Op::NotIn => (true, Strings::AllBut(values())),
            Op::Exists => (false, Strings::AllBut(BTreeSet::new())),
            Op::DoesNotExist => (true, Strings::Only(BTreeSet::new())),
        };
        KeySet { absent, strings }
    }

    fn intersect(&self, other: &KeySet) -> KeySet {
        use Strings::{AllBut, Only};
        let strings = match (&self.strings, &other.strings) {
            (Only(a), Only(b)) => Only(a.intersection(b).cloned().collect()),
            (Only(a), AllBut(b)) | (AllBut(b), Only(a)) => Only(a.difference(b).cloned().collect()),
            (AllBut(a), AllBut(b)) => AllBut(a.union(b).cloned().collect()),
        };
        KeySet {
            absent: self.absent && other.absent,
            strings,
        }
    }

    fn is_empty(&self) -> bool {
        !self.absent && matches!(&self.strings, Strings::Only(s) if s.is_empty())
    }

    fn is_subset(&self, other: &KeySet) -> bool {
        use Strings::{AllBut, Only};
        (!self.absent || other.absent)
            && match (&self.strings, &other.strings) {
                (Only(a), Only(b)) => a.is_subset(b),
                (Only(a), AllBut(b)) => a.is_disjoint(b),
                // Label values are unbounded: every-but-finitely-many is in no finite set.
                (AllBut(_), Only(_)) => false,
                (AllBut(a), AllBut(b)) => b.is_subset(a),
            }
    }
}

impl Selector {
    /// Per key, the values the requirements allow together (`None`: nothing matches).
    fn key_sets(reqs: &[Requirement]) -> Option<BTreeMap<&str, KeySet>> {
        let mut sets: BTreeMap<&str, KeySet> = BTreeMap::new();
        for r in reqs {
            let s = KeySet::of(r);
            let merged = match sets.get(r.key.as_str()) {
                Some(old) => old.intersect(&s),
                None => s,
            };
            if merged.is_empty() {
                return None;
            }
            sets.insert(r.key.as_str(), merged);
        }
        Some(sets)
    }

    /// True when no label set matches (null, or contradictory requirements such as `a In [x]`
    /// with `a NotIn [x]`).
    pub fn is_unsatisfiable(&self) -> bool {
        match self {
            Selector::Nothing => true,
            Selector::All(reqs) => Self::key_sets(reqs).is_none(),
        }
    }

    /// True when every label set this selector matches also matches `other` (exact: the keys
    /// are independent and label values unbounded, so a conjunction implies a requirement
    /// exactly when it constrains that key to a subset of what the requirement allows).
    pub fn implies(&self, other: &Selector) -> bool {
        let Selector::All(mine) = self else {
            return true;
        };
        let Some(sets) = Self::key_sets(mine) else {
            return true;
        };
        match other {
            Selector::Nothing => false,
            Selector::All(theirs) => theirs.iter().all(|r| {
                sets.get(r.key.as_str())
                    .unwrap_or(&KeySet::any())
                    .is_subset(&KeySet::of(r))
            }),
        }
    }

    /// This selector with one more requirement.
    fn and(&self, r: Requirement) -> Selector {
        match self {
            Selector::Nothing => Selector::Nothing,
            Selector::All(reqs) => {
                let mut reqs = reqs.clone();
                reqs.push(r);
                Selector::All(reqs)
            }
        }
    }
}

/// A CIDR block: family, network address (as a 128-bit number) and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    v6: bool,
    addr: u128,
    prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/8`, `fd00::/8`; `None` for anything the API server would refuse.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (ip, prefix) = text.trim().split_once('/')?;
        let prefix: u8 = prefix.parse().ok()?;
        let (v6, addr, bits) = match ip.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32),
            std::net::IpAddr::V6(a) => (true, u128::from(a), 128),
        };
        if prefix > bits {
            return None;
        }
        let host_bits = u32::from(bits - prefix);
        let addr = if host_bits >= 128 {
            0
        } else {
            addr >> host_bits << host_bits
        };
        Some(Cidr { v6, addr, prefix })
    }

    /// True when every address of `other` is in this block.
    pub fn contains(&self, other: &Cidr) -> bool {
        if self.v6 != other.v6 || self.prefix > other.prefix {
            return false;
        }
        let bits: u32 = if self.v6 { 128 } else { 32 };
        let host_bits = bits - u32::from(self.prefix);
        host_bits >= 128 || other.addr >> host_bits == self.addr >> host_bits
    }
}

impl Cidr {
    fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The two halves of a block (none for a single address).
    fn halves(&self) -> Option<[Cidr; 2]> {
        let bits: u8 = if self.v6 { 128 } else { 32 };
        if self.prefix >= bits {
            return None;
        }
        let prefix = self.prefix + 1;
        let high = 1u128 << (bits - prefix);
        Some([
            Cidr { prefix, ..*self },
            Cidr {
                prefix,
                addr: self.addr | high,
                ..*self
            },
        ])
    }

    /// The addresses of this block outside every hole, as disjoint blocks. Two blocks are nested
    /// or disjoint, so halving a block that strictly contains a hole ends after at most
    /// prefix-length steps per hole.
    fn minus(&self, holes: &[Cidr], out: &mut Vec<Cidr>) {
        if holes.iter().any(|h| h.contains(self)) {
            return;
        }
        if !holes.iter().any(|h| self.overlaps(h)) {
            out.push(*self);
            return;
        }
        if let Some(halves) = self.halves() {
            for h in halves {
                h.minus(holes, out);
            }
        }
    }
}

/// Exceptions beyond which [`IpBlock::within`] does not compute (and answers "not within").
const MAX_EXCEPT: usize = 64;

impl IpBlock {
    /// The addresses the block admits, as disjoint blocks (`None`: unreadable or too many
    /// exceptions).
    fn blocks(&self) -> Option<Vec<Cidr>> {
        if self.except.len() > MAX_EXCEPT {
            return None;
        }
        let cidr = Cidr::parse(&self.cidr)?;
        let holes: Vec<Cidr> = self
            .except
            .iter()
            .map(|e| Cidr::parse(e))
            .collect::<Option<_>>()?;
        let mut out = Vec::new();
        cidr.minus(&holes, &mut out);
        Some(out)
    }

    /// True when every address this block admits (its CIDR minus its exceptions), `other`
    /// admits too. Exact: both sides become disjoint blocks, and what remains of this side after
    /// removing the other's blocks must be nothing.
    pub fn within(&self, other: &IpBlock) -> bool {
        let (Some(mine), Some(theirs)) = (self.blocks(), other.blocks()) else {
            return false;
        };
        let mut rest = Vec::new();
        for b in &mine {
            b.minus(&theirs, &mut rest);
            if !rest.is_empty() {
                return false;
            }
        }
        true
    }
}

impl Peer {
    /// Reads one NetworkPolicyPeer, refusing what the API server refuses.
    pub fn from_node(node: &Node) -> Result<Peer, Vec<SelectorError>> {
        let mut invalid = Vec::new();
        match peer(node, &mut invalid) {
            Some(p) if invalid.is_empty() => Ok(p),
            _ => Err(invalid),
        }
    }

    /// The namespaces (by their labels) and pods a pod peer admits, for a policy in `policy_ns`.
    fn scopes(&self, policy_ns: &str) -> Option<(Selector, Selector)> {
        let PeerKind::Pods { pods, namespaces } = &self.kind else {
            return None;
        };
        let ns = match namespaces {
            // The policy's own namespace: the one whose name label is its name.
            None => Selector::All(vec![Requirement {
                key: NAMESPACE_NAME_LABEL.into(),
                op: Op::In,
                values: vec![policy_ns.into()],
                span: self.span,
            }]),
            Some(s) => s.clone(),
        };
        Some((ns, pods.clone().unwrap_or_else(Selector::everything)))
    }

    /// True when every source this peer admits, `other` admits too, both read in a policy of
    /// namespace `policy_ns`. Pod peers are compared by namespace and pod selectors (every
    /// namespace carries [`NAMESPACE_NAME_LABEL`]), `ipBlock` peers by address containment; an
    /// `ipBlock` is never within a pod peer nor the other way round (pod addresses are not known
    /// before the pods run).
    pub fn within(&self, policy_ns: &str, other: &Peer) -> bool {
        if let (PeerKind::IpBlock(a), PeerKind::IpBlock(b)) = (&self.kind, &other.kind) {
            return a.within(b);
        }
        let (Some((my_ns, my_pods)), Some((their_ns, their_pods))) =
            (self.scopes(policy_ns), other.scopes(policy_ns))
        else {
            return false;
        };
        let my_ns = my_ns.and(Requirement {
            key: NAMESPACE_NAME_LABEL.into(),
            op: Op::Exists,
            values: Vec::new(),
            span: self.span,
        });
        my_ns.is_unsatisfiable()
            || my_pods.is_unsatisfiable()
            || my_ns.implies(&their_ns) && my_pods.implies(&their_pods)
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

    /// Requirements over keys `a`, `b` and values `x`, `y`, `z` only: every label set over those
    /// keys with values from `x`, `y`, `z` and one value no selector names (`w`) is a witness
    /// for every difference an unbounded value set can show.
    fn arb_requirement() -> impl proptest::strategy::Strategy<Value = Requirement> {
        use proptest::prelude::*;
        let key = prop_oneof![Just("a"), Just("b")];
        let values =
            proptest::collection::btree_set(prop_oneof![Just("x"), Just("y"), Just("z")], 1..3);
        (key, 0..4u8, values).prop_map(|(k, op, vals)| {
            let op = [Op::In, Op::NotIn, Op::Exists, Op::DoesNotExist][usize::from(op)];
            Requirement {
                key: k.into(),
                op,
                values: match op {
                    Op::In | Op::NotIn => vals.into_iter().map(str::to_string).collect(),
                    _ => Vec::new(),
                },
                span: Span::new(crate::source::FileId(0), 0, 0),
            }
        })
    }

    fn every_label_set() -> Vec<Labels> {
        let choices = [None, Some("x"), Some("y"), Some("z"), Some("w")];
        let mut out = Vec::new();
        for a in choices {
            for b in choices {
                let mut l = Labels::new();
                if let Some(v) = a {
                    l.insert("a".into(), v.into());
                }
                if let Some(v) = b {
                    l.insert("b".into(), v.into());
                }
                out.push(l);
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn implication_agrees_with_every_label_set(
            a in proptest::collection::vec(arb_requirement(), 0..4),
            b in proptest::collection::vec(arb_requirement(), 0..4),
        ) {
            let (a, b) = (Selector::All(a), Selector::All(b));
            let sets = every_label_set();
            let brute = sets.iter().all(|l| !a.matches(l) || b.matches(l));
            proptest::prop_assert_eq!(a.implies(&b), brute, "{:?} => {:?}", a, b);
            proptest::prop_assert_eq!(a.is_unsatisfiable(), !sets.iter().any(|l| a.matches(l)));
        }
    }

    fn arb_block() -> impl proptest::strategy::Strategy<Value = IpBlock> {
        use proptest::prelude::*;
        let cidr = (0..=255u8, 24..=32u8).prop_map(|(a, p)| format!("10.0.0.{a}/{p}"));
        (cidr.clone(), proptest::collection::vec(cidr, 0..3))
            .prop_map(|(cidr, except)| IpBlock { cidr, except })
    }

    fn admits(b: &IpBlock, last: u8) -> bool {
        let a = Cidr::parse(&format!("10.0.0.{last}/32")).unwrap();
        Cidr::parse(&b.cidr).unwrap().contains(&a)
            && !b
                .except
                .iter()
                .any(|e| Cidr::parse(e).unwrap().contains(&a))
    }

    proptest::proptest! {
        #[test]
        fn block_containment_agrees_with_every_address(a in arb_block(), b in arb_block()) {
            let brute = (0..=255u8).all(|x| !admits(&a, x) || admits(&b, x));
            proptest::prop_assert_eq!(a.within(&b), brute, "{:?} within {:?}", a, b);
        }
    }

    #[test]
    fn peers_within_peers() {
        let peer = |y: &str| Peer::from_node(&node(y)).unwrap();
        let grill = peer("podSelector: {matchLabels: {part-of: grill-stats}}");
        // More labels, same namespace: within.
        assert!(
            peer("podSelector: {matchLabels: {part-of: grill-stats, name: api}}")
                .within("ns", &grill)
        );
        // The same selector spelled with an expression.
        assert!(peer("podSelector: {matchExpressions: [{key: part-of, operator: In, values: [grill-stats]}]}").within("ns", &grill));
        // Every pod of the namespace, a whole other namespace, every namespace: not within.
        assert!(!peer("podSelector: {}").within("ns", &grill));
        assert!(!peer(
            "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}"
        )
        .within("ns", &grill));
        assert!(!peer(
            "namespaceSelector: {}
podSelector: {matchLabels: {part-of: grill-stats}}"
        )
        .within("ns", &grill));
        // The own namespace named explicitly is the own namespace.
        assert!(peer(
            "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ns}}
podSelector: {matchLabels: {part-of: grill-stats}}"
        )
        .within("ns", &grill));
        assert!(!peer(
            "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}
podSelector: {matchLabels: {part-of: grill-stats}}"
        )
        .within("ns", &grill));
        let prom = peer(
            "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
podSelector: {matchLabels: {name: prometheus}}",
        );
        assert!(prom.within("ns", &prom));
        assert!(!grill.within("ns", &prom));
        // A selector that selects nothing is within anything.
        assert!(peer("podSelector: {matchExpressions: [{key: a, operator: Exists}, {key: a, operator: DoesNotExist}]}").within("ns", &prom));
        // Address blocks.
        let net = peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}");
        assert!(peer("ipBlock: {cidr: 10.2.0.0/16}").within("ns", &net));
        assert!(!peer("ipBlock: {cidr: 10.1.2.0/24}").within("ns", &net));
        assert!(!peer("ipBlock: {cidr: 10.0.0.0/8}").within("ns", &net));
        assert!(peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}").within("ns", &net));
        assert!(peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9]}")
            .within("ns", &peer("ipBlock: {cidr: 10.128.0.0/9}")));
        assert!(!peer("ipBlock: {cidr: 192.168.0.0/16}").within("ns", &net));
        assert!(!peer("ipBlock: {cidr: 'fd00::/8'}").within("ns", &net));
        assert!(
            peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9]}").within(
                "ns",
                &peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/10]}")
            )
        );
        assert!(
            !peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/10]}").within(
                "ns",
                &peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9]}")
            )
        );
        assert!(!peer("ipBlock: {cidr: 10.2.0.0/16}").within("ns", &grill));
        assert!(!grill.within("ns", &net));
    }

    #[test]
    fn cidr_reading_and_containment() {
        let c = |t: &str| Cidr::parse(t).unwrap();
        assert!(c("0.0.0.0/0").contains(&c("10.1.2.3/32")));
        assert!(c("::/0").contains(&c("fd00::1/128")));
        assert!(!c("0.0.0.0/0").contains(&c("::1/128")));
        assert_eq!(c("10.1.2.3/8"), c("10.0.0.0/8"));
        assert!(
            Cidr::parse("10.0.0.0/33").is_none()
                && Cidr::parse("10.0.0.0").is_none()
                && Cidr::parse("x/8").is_none()
        );
    }
}
