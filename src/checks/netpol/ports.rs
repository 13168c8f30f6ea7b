//! `netpol/port-scope` and `netpol/dns-egress`: ingress to the guarded pods only on their
//! service ports, and egress policies that still let pods resolve names.

use super::scope::{policies, PodsOf};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::selector::{labels_of, namespace_labels, Labels, Pod, Protocol};
use crate::model::{name_span, Deployment, Role};
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct PortScope;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortParams {
    /// role (redis, sentinel, exporter) -> the only port ingress may admit.
    pub ports: BTreeMap<String, u16>,
}

/// The key of a role in per-role policy parameters.
pub fn role_key(r: Role) -> Option<&'static str> {
    match r {
        Role::Redis => Some("redis"),
        Role::Sentinel => Some("sentinel"),
        Role::Exporter => Some("exporter"),
        Role::Other => None,
    }
}

impl Check for PortScope {
    type Params = PortParams;
    const RULES: &'static [RuleId] = &[id::NETPOL_PORT_SCOPE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, PortParams>, out: &mut Out) {
        let pols = policies(d);
        let mut reported = Vec::new();
        for w in &d.workloads {
            if matches!(w.kind, "CronJob" | "Job") {
                continue;
            }
            let roles: Vec<&str> = w
                .containers
                .iter()
                .filter(|c| !c.init)
                .filter_map(|c| role_key(c.role))
                .collect();
            let allowed: Vec<u16> = roles
                .iter()
                .filter_map(|r| cx.params.ports.get(*r).copied())
                .collect();
            if allowed.is_empty() {
                continue;
            }
            let pods = PodsOf::new(w);
            let pod = pods.pod();
            let shown = allowed
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            for (_, p) in pols
                .iter()
                .filter(|(_, p)| p.ingress_type && p.selects(&pod))
            {
                for (i, r) in p.ingress.iter().enumerate() {
                    let mut hits = Vec::new();
                    match &r.ports {
                        None => hits.push((r.span, format!(
                            "ingress rule {} of NetworkPolicy `{}` admits every port of {} (only {shown} serve clients)",
                            i + 1, p.name, w.describe()
                        ))),
                        Some(specs) => {
                            for s in specs {
                                for (lo, hi) in s.ranges(&pod) {
                                    if lo == hi && allowed.contains(&lo) {
                                        continue;
                                    }
                                    let what = if lo == hi { format!("port {lo}") } else { format!("ports {lo}-{hi}") };
                                    hits.push((s.span, format!(
                                        "NetworkPolicy `{}` admits ingress to {} on {what}; its service port is {shown}",
                                        p.name, w.describe()
                                    )));
                                }
                            }
                        }
                    }
                    for (span, msg) in hits {
                        if reported.contains(&(span, w.name)) {
                            continue;
                        }
                        reported.push((span, w.name));
                        out.push(
                            Finding::new(id::NETPOL_PORT_SCOPE, span, msg)
                                .label("too wide")
                                .related(
                                    name_span(w.node),
                                    format!("{} serves {shown}", w.describe()),
                                )
                                .help(format!(
                                    "admit only `{{protocol: TCP, port: {}}}`",
                                    allowed[0]
                                )),
                        );
                    }
                }
            }
        }
    }
}

pub struct DnsEgress;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsParams {
    pub dns_port: u16,
    pub protocols: Vec<String>,
    /// Peers that select the cluster DNS pods (NetworkPolicyPeer shape).
    pub dns_peers: Vec<serde_json::Value>,
}

impl Check for DnsEgress {
    type Params = DnsParams;
    const RULES: &'static [RuleId] = &[id::NETPOL_DNS_EGRESS];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, DnsParams>, out: &mut Out) {
        let prm = cx.params;
        for (_, p) in policies(d).iter().filter(|(_, p)| p.egress_type) {
            // A DNS pod for each configured peer: its labels and its namespace's labels.
            let dns: Vec<(String, Labels, Labels)> = prm
                .dns_peers
                .iter()
                .map(|v| {
                    let n = Node::from_json(v, p.span);
                    let pod = labels_of(n.path(&["podSelector", "matchLabels"]));
                    let ns_own = labels_of(n.path(&["namespaceSelector", "matchLabels"]));
                    let ns = ns_own
                        .get(crate::k8s::selector::NAMESPACE_NAME_LABEL)
                        .cloned()
                        .unwrap_or_else(|| p.namespace.clone());
                    let nsl = namespace_labels(&ns, &ns_own);
                    (ns, pod, nsl)
                })
                .collect();
            let mut missing = Vec::new();
            for proto in &prm.protocols {
                let Some(pr) = Protocol::parse(Some(proto)) else {
                    continue;
                };
                let ok = dns.iter().any(|(ns, pod_l, ns_l)| {
                    let pod = Pod {
                        namespace: ns,
                        labels: pod_l,
                        ports: &[],
                    };
                    p.egress.iter().any(|r| {
                        r.admits_port(prm.dns_port, pr, &pod)
                            && r.admits_peer(&p.namespace, &pod, ns_l)
                    })
                });
                if !ok {
                    missing.push(proto.as_str());
                }
            }
            if missing.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    id::NETPOL_DNS_EGRESS,
                    p.span,
                    format!(
                        "NetworkPolicy `{}` restricts egress but admits no DNS ({} port {}) to the cluster DNS: its pods cannot resolve service names",
                        p.name,
                        missing.join(" and "),
                        prm.dns_port
                    ),
                )
                .label("egress without DNS")
                .help(format!(
                    "add an egress rule `to: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}, podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}}}]` with ports {} {}",
                    prm.protocols.join("/"),
                    prm.dns_port
                )),
            );
        }
    }
}
