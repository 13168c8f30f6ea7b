//! `netpol/uncovered-pod` and `netpol/allow-all`: every Redis, Sentinel and exporter pod is
//! isolated for ingress by a NetworkPolicy, and no ingress rule admits everything. Selectors
//! are read with [`crate::k8s::selector`] (the API server's semantics, written once).

use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::k8s::selector::{labels_of, ContainerPort, Labels, Pod, Policy, Selector};
use crate::model::{kind_of, name_span, namespace_of, Deployment, Role, Workload};
use crate::rules::{id, RuleId};
use crate::yaml::Node;

pub struct NetworkScope;

/// The role a workload's long-running containers play, if it is one this group guards.
fn guarded_role(w: &Workload<'_>) -> Option<&'static str> {
    if matches!(w.kind, "CronJob" | "Job") {
        return None;
    }
    let roles: Vec<Role> = w
        .containers
        .iter()
        .filter(|c| !c.init)
        .map(|c| c.role)
        .collect();
    if roles.contains(&Role::Sentinel) {
        Some("Sentinel")
    } else if roles.contains(&Role::Redis) {
        Some("Redis")
    } else if roles.contains(&Role::Exporter) {
        Some("redis_exporter")
    } else {
        None
    }
}

/// The container ports of a workload's pods (for named NetworkPolicy ports).
pub fn container_ports(w: &Workload<'_>) -> Vec<ContainerPort> {
    let mut out = Vec::new();
    for c in &w.containers {
        for p in c.node.get("ports").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(n) = p.get("containerPort").and_then(Node::as_i64) else {
                continue;
            };
            let Ok(number) = u16::try_from(n) else {
                continue;
            };
            out.push(ContainerPort {
                name: p.get("name").and_then(Node::as_str).map(str::to_string),
                number,
                protocol: crate::k8s::selector::Protocol::parse(
                    p.get("protocol").and_then(Node::as_str),
                )
                .unwrap_or(crate::k8s::selector::Protocol::Tcp),
            });
        }
    }
    out
}

/// A workload's pods as the NetworkPolicy matcher reads them: their labels and container ports.
pub struct PodsOf<'a> {
    pub namespace: &'a str,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
}

impl<'a> PodsOf<'a> {
    pub fn new(w: &Workload<'a>) -> PodsOf<'a> {
        PodsOf {
            namespace: w.namespace,
            labels: labels_of(w.pod_meta.and_then(|m| m.get("labels"))),
            ports: container_ports(w),
        }
    }

    /// A port as a pod field writes it: a number, or the name of one of the container ports.
    pub fn port(&self, n: &Node) -> Option<i64> {
        n.as_i64().or_else(|| {
            let name = n.as_str()?;
            self.ports
                .iter()
                .find(|p| p.name.as_deref() == Some(name))
                .map(|p| i64::from(p.number))
        })
    }

    pub fn pod(&self) -> Pod<'_> {
        Pod {
            namespace: self.namespace,
            labels: &self.labels,
            ports: &self.ports,
        }
    }
}

/// Every NetworkPolicy of the deployment, with its object.
pub fn policies<'a>(d: &Deployment<'a>) -> Vec<(&'a Node, Policy)> {
    d.objects
        .iter()
        .filter(|o| kind_of(o) == "NetworkPolicy")
        .map(|o| (*o, Policy::from_node(o, namespace_of(o))))
        .collect()
}

impl Check for NetworkScope {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::NETPOL_UNCOVERED_POD, id::NETPOL_ALLOW_ALL];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        let policies = policies(d);
        let guarded: Vec<(&Workload<'_>, &'static str, Labels)> = d
            .workloads
            .iter()
            .filter_map(|w| {
                let role = guarded_role(w)?;
                Some((w, role, labels_of(w.pod_meta.and_then(|m| m.get("labels")))))
            })
            .collect();

        // uncovered-pod
        for (w, role, labels) in &guarded {
            let ports = container_ports(w);
            let pod = Pod {
                namespace: w.namespace,
                labels,
                ports: &ports,
            };
            if policies
                .iter()
                .any(|(_, p)| p.ingress_type && p.selects(&pod))
            {
                continue;
            }
            let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let mut f = Finding::new(
                id::NETPOL_UNCOVERED_POD,
                name_span(w.node),
                format!(
                    "{} runs {role}, and no NetworkPolicy with Ingress selects its pods: every pod of the cluster can connect to them",
                    w.describe()
                ),
            )
            .label("not isolated for ingress")
            .help(match shown.first() {
                Some(l) => format!(
                    "add a NetworkPolicy in namespace `{}` with `podSelector: {{matchLabels: {{{l}}}}}` and `policyTypes: [Ingress]` that admits only its clients",
                    w.namespace
                ),
                None => "label the pods and add a NetworkPolicy with `policyTypes: [Ingress]` that selects them".into(),
            });
            if let Some(l) = w.pod_meta.and_then(|m| m.get("labels")) {
                f = f.related(l.span, "the pod labels a policy would select");
            }
            out.absent(f);
        }

        // allow-all
        for (obj, p) in &policies {
            if !p.ingress_type {
                continue;
            }
            // The guarded pods this policy applies to, for the related label.
            let target = guarded.iter().find(|(w, _, labels)| {
                let pod = Pod {
                    namespace: w.namespace,
                    labels,
                    ports: &[],
                };
                p.selects(&pod)
            });
            let rules = obj
                .path(&["spec", "ingress"])
                .and_then(Node::as_seq)
                .unwrap_or(&[]);
            for (i, rule_node) in rules.iter().enumerate() {
                let n = i + 1;
                let from = rule_node.get("from").filter(|f| !f.is_null());
                let mut hits: Vec<(crate::source::Span, String, &str)> = Vec::new();
                match from.and_then(Node::as_seq) {
                    None | Some([]) => hits.push((
                        from.map_or(rule_node.span, |f| f.span),
                        format!(
                            "ingress rule {n} of NetworkPolicy `{}` has no `from`: it admits every pod of every namespace",
                            p.name
                        ),
                        "admits every source",
                    )),
                    Some(peers) => {
                        for peer in peers {
                            let get = |k: &str| peer.get(k).filter(|x| !x.is_null());
                            let (pods, nss, ip) =
                                (get("podSelector"), get("namespaceSelector"), get("ipBlock"));
                            if pods.is_none() && nss.is_none() && ip.is_none() {
                                hits.push((
                                    peer.span,
                                    format!(
                                        "an empty peer in ingress rule {n} of NetworkPolicy `{}` names no source; the API server refuses it (\"must specify a peer\"), and a client that accepted it would admit everything",
                                        p.name
                                    ),
                                    "empty peer",
                                ));
                                continue;
                            }
                            let ns_all = nss
                                .map(|s| Selector::from_node(Some(s)))
                                .is_some_and(|s| s.is_ok_and(|s| s.is_everything()));
                            let pods_all = pods.is_none_or(|s| {
                                Selector::from_node(Some(s)).is_ok_and(|s| s.is_everything())
                            });
                            if ns_all && pods_all {
                                hits.push((
                                    nss.map_or(peer.span, |s| s.span),
                                    format!(
                                        "peer `namespaceSelector: {{}}` in ingress rule {n} of NetworkPolicy `{}` admits every pod of every namespace",
                                        p.name
                                    ),
                                    "every namespace",
                                ));
                            }
                            if let Some(ipn) = ip {
                                let cidr = ipn.get("cidr").and_then(Node::as_str).unwrap_or("");
                                let except = ipn
                                    .get("except")
                                    .and_then(Node::as_seq)
                                    .is_some_and(|e| !e.is_empty());
                                let block = crate::k8s::selector::IpBlock {
                                    cidr: cidr.into(),
                                    except: if except { vec![String::new()] } else { Vec::new() },
                                };
                                if block.is_everything() {
                                    hits.push((
                                        ipn.get("cidr").map_or(ipn.span, |c| c.span),
                                        format!(
                                            "peer `ipBlock: {cidr}` in ingress rule {n} of NetworkPolicy `{}` admits every address",
                                            p.name
                                        ),
                                        "every address",
                                    ));
                                }
                            }
                        }
                    }
                }
                for (span, msg, label) in hits {
                    let mut f = Finding::new(id::NETPOL_ALLOW_ALL, span, msg)
                        .label(label)
                        .help("name the clients: `from: [{podSelector: {matchLabels: {app.kubernetes.io/part-of: grill-stats}}}]`");
                    if let Some((w, role, _)) = target {
                        f = f.related(
                            name_span(w.node),
                            format!("{} ({role}) is what it exposes", w.describe()),
                        );
                    }
                    out.push(f);
                }
            }
        }
    }
}
