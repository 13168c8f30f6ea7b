//! `netpol/allowed-clients`: every ingress peer of a policy that isolates a Redis, Sentinel or
//! exporter pod admits only that role's allowed clients. A peer is accepted when every source it
//! can admit is admitted by one of the allowed peers ([`Peer::within`]: selector implication per
//! key, namespace scope, address containment), so a narrower spelling of an allowed peer passes
//! and a whole namespace does not.
//!
//! Which role a rule concerns follows from its ports: a rule admitting only 9121 on a pod that
//! runs Redis and an exporter side by side is held to the exporter's clients; a rule without
//! ports to every role of the pod. Peers that admit everything are `netpol/allow-all`'s.

use super::ports::role_key;
use super::scope::{policies, PodsOf};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::selector::{Peer, Protocol};
use crate::model::{name_span, Deployment, Role, Workload};
use crate::rules::{id, RuleId};
use crate::source::{FileId, Span};
use crate::yaml::Node;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

pub struct AllowedClients;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// role (redis, sentinel, exporter) -> the peers that may connect to it.
    pub allowed_clients: BTreeMap<String, Vec<AllowedPeer>>,
}

/// One allowed peer of the policy data, read (and refused) as the API server reads a peer.
#[derive(Debug)]
pub struct AllowedPeer {
    pub peer: Peer,
    /// The peer as flow YAML, for help lines.
    pub shown: String,
}

impl<'de> Deserialize<'de> for AllowedPeer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let node = Node::from_json(&v, Span::new(FileId(0), 0, 0));
        let peer = Peer::from_node(&node).map_err(|errors| {
            let why: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            serde::de::Error::custom(format!(
                "allowed peer {} is not a valid NetworkPolicy peer: {}",
                flow(&v),
                why.join("; ")
            ))
        })?;
        Ok(AllowedPeer {
            peer,
            shown: flow(&v),
        })
    }
}

/// A JSON value as one line of flow YAML (`{podSelector: {matchLabels: {a: b}}}`).
fn flow(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    let text = |s: &str| {
        let plain = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-' | '_'));
        if plain {
            s.to_string()
        } else {
            J::String(s.into()).to_string()
        }
    };
    match v {
        J::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{}: {}", text(k), flow(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        J::Array(a) => format!("[{}]", a.iter().map(flow).collect::<Vec<_>>().join(", ")),
        J::String(s) => text(s),
        other => other.to_string(),
    }
}

/// A guarded container's role and the ports it serves on (declared container ports, else the
/// port its config sets, else the role's default).
struct Served {
    role: Role,
    ports: Vec<u16>,
}

fn served(d: &Deployment<'_>, wi: usize, w: &Workload<'_>) -> Vec<Served> {
    let mut out = Vec::new();
    for (ci, c) in w.containers.iter().enumerate() {
        if c.init || role_key(c.role).is_none() {
            continue;
        }
        let mut ports: Vec<u16> = c
            .declared_ports()
            .iter()
            .filter_map(|p| p.as_i64()?.try_into().ok())
            .collect();
        if ports.is_empty() {
            let configured = d
                .processes
                .iter()
                .find(|p| p.workload == wi && p.container == ci)
                .and_then(|p| d.config_of(p))
                .and_then(|t| t.value("port")?.parse().ok());
            ports.push(configured.unwrap_or(match c.role {
                Role::Sentinel => 26379,
                Role::Exporter => 9121,
                _ => 6379,
            }));
        }
        out.push(Served {
            role: c.role,
            ports,
        });
    }
    out
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Redis => "Redis",
        Role::Sentinel => "Sentinel",
        Role::Exporter => "redis_exporter",
        Role::Other => "the pod",
    }
}

impl Check for AllowedClients {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::NETPOL_ALLOWED_CLIENTS];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let pols = policies(d);
        let mut reported: Vec<(Span, Role)> = Vec::new();
        for (wi, w) in d.workloads.iter().enumerate() {
            if matches!(w.kind, "CronJob" | "Job") {
                continue;
            }
            let serving = served(d, wi, w);
            if serving.is_empty() {
                continue;
            }
            let pods = PodsOf::new(w);
            let pod = pods.pod();
            for (_, p) in pols
                .iter()
                .filter(|(_, p)| p.ingress_type && p.selects(&pod))
            {
                for (ri, rule) in p.ingress.iter().enumerate() {
                    let Some(peers) = &rule.peers else {
                        continue; // every source: netpol/allow-all
                    };
                    let roles: Vec<&Served> = serving
                        .iter()
                        .filter(|s| {
                            s.ports
                                .iter()
                                .any(|&n| rule.admits_port(n, Protocol::Tcp, &pod))
                        })
                        .collect();
                    for (pi, peer) in peers.iter().enumerate() {
                        if peer.is_everything() {
                            continue; // netpol/allow-all
                        }
                        for s in &roles {
                            let Some(allowed) =
                                role_key(s.role).and_then(|k| cx.params.allowed_clients.get(k))
                            else {
                                continue;
                            };
                            if allowed.iter().any(|a| peer.within(&p.namespace, &a.peer))
                                || reported.contains(&(peer.span, s.role))
                            {
                                continue;
                            }
                            reported.push((peer.span, s.role));
                            out.push(finding(w, p, ri, pi, peer, s, allowed));
                        }
                    }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    w: &Workload<'_>,
    p: &crate::k8s::selector::Policy,
    ri: usize,
    pi: usize,
    peer: &Peer,
    s: &Served,
    allowed: &[AllowedPeer],
) -> Finding {
    let role = role_name(s.role);
    let ports: Vec<String> = s.ports.iter().map(u16::to_string).collect();
    let shown: Vec<String> = allowed.iter().map(|a| format!("`{}`", a.shown)).collect();
    let key = role_key(s.role).unwrap_or("");
    let f = Finding::new(
        id::NETPOL_ALLOWED_CLIENTS,
        peer.span,
        format!(
            "peer {} of ingress rule {} of NetworkPolicy `{}` admits sources that are not allowed clients of {role} in {} (port {})",
            pi + 1,
            ri + 1,
            p.name,
            w.describe(),
            ports.join(", ")
        ),
    )
    .label("not an allowed client")
    .related(
        name_span(w.node),
        format!("{} runs {role}", w.describe()),
    )
    .related(p.span, format!("NetworkPolicy `{}` selects its pods", p.name));
    let help = if shown.is_empty() {
        format!("no client may connect to {role} under this environment's policy (`allowed_clients.{key}` is empty): remove the peer")
    } else {
        format!(
            "admit only {}{}; or, if this client is intended, add it to `allowed_clients.{key}` of netpol/allowed-clients in .grill-lint.yaml",
            shown.join(" or "),
            if shown.len() > 1 { " (or narrower peers)" } else { " (or a narrower peer)" }
        )
    };
    f.help(help)
}
