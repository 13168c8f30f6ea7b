//! `redis/port-mismatch`: the port Redis listens on (`port`, 6379 when unset) is the port the
//! container declares, the Services' targetPort, the probes' port and the NetworkPolicy port
//! that admits its clients.

use crate::checks::netpol::scope::{policies, PodsOf};
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::k8s::selector::PortRef;
use crate::model::{kind_of, namespace_of, Deployment};
use crate::rules::{id, RuleId};
use crate::source::Span;
use crate::yaml::Node;

pub struct PortMismatch;

/// Redis' port when the config does not set one.
const DEFAULT_PORT: i64 = 6379;

impl Check for PortMismatch {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::REDIS_PORT_MISMATCH];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        let pols = policies(d);
        let mut seen = Vec::new();
        for p in d.redis() {
            if seen.contains(&(p.workload, p.container)) {
                continue;
            }
            seen.push((p.workload, p.container));
            let w = d.workload_of(p);
            let c = d.container(p);
            let conf = d.config_of(p);
            let dir = conf.and_then(|c| c.get("port"));
            let arg = dir.and_then(|d| d.args.first());
            let port = match arg {
                Some(a) => match a.text.parse::<i64>() {
                    Ok(n) => n,
                    Err(_) => continue, // redis/invalid-value
                },
                None => DEFAULT_PORT,
            };
            if port == 0 {
                continue; // TCP disabled: nothing to compare
            }
            let listens: Option<(Span, String)> =
                arg.map(|a| (a.span, format!("Redis listens on {port}")));
            let pods = PodsOf::new(w);
            let ports = &pods.ports;
            let report = |span: Span, what: String, out: &mut Out| {
                let mut f = Finding::new(
                    id::REDIS_PORT_MISMATCH,
                    span,
                    format!("{what}, but Redis in {} listens on {port}", w.describe()),
                )
                .label("another port")
                .help(format!("use {port} here, or change `port` in redis.conf"));
                if let Some((s, l)) = &listens {
                    f = f.related(*s, l.clone());
                }
                out.push(f);
            };
            // The container's declared ports.
            let declared = c.declared_ports();
            if !declared.is_empty() && !declared.iter().any(|n| n.as_i64() == Some(port)) {
                let n = declared[0];
                report(
                    n.span,
                    format!(
                        "container `{}` declares port {}",
                        c.name,
                        n.as_str().unwrap_or("?")
                    ),
                    out,
                );
            }
            let resolve = |n: &Node| pods.port(n);
            // Probes with a TCP socket.
            for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
                if let Some(pn) = c.node.path(&[probe, "tcpSocket", "port"]) {
                    if let Some(n) = resolve(pn) {
                        if n != port {
                            report(pn.span, format!("the {probe} connects to port {n}"), out);
                        }
                    }
                }
            }
            // Services selecting the workload's pods: a targetPort that is none of Redis' port
            // nor another container port of the pod (a sidecar's) points nowhere Redis is.
            for svc in d
                .objects
                .iter()
                .filter(|o| kind_of(o) == "Service" && namespace_of(o) == w.namespace)
            {
                let Some(sel) = svc.path(&["spec", "selector"]) else {
                    continue;
                };
                let wi = p.workload;
                if !d.selected_by(w.namespace, sel).contains(&wi) {
                    continue;
                }
                for sp in svc
                    .path(&["spec", "ports"])
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                {
                    let target = sp.get("targetPort").or_else(|| sp.get("port"));
                    let Some(t) = target else { continue };
                    let Some(n) = resolve(t) else { continue };
                    let other_container = ports.iter().any(|cp| i64::from(cp.number) == n)
                        && !c
                            .node
                            .get("ports")
                            .and_then(Node::as_seq)
                            .unwrap_or(&[])
                            .iter()
                            .any(|p| p.get("containerPort").and_then(Node::as_i64) == Some(n));
                    if n != port && !other_container {
                        report(
                            t.span,
                            format!(
                                "Service `{}` sends traffic to port {n}",
                                crate::model::name_of(svc)
                            ),
                            out,
                        );
                    }
                }
            }
            // NetworkPolicy ports that admit clients to the Redis pods.
            let pod = pods.pod();
            for (_, pol) in pols
                .iter()
                .filter(|(_, pl)| pl.ingress_type && pl.selects(&pod))
            {
                let numeric: Vec<(u16, Span)> = pol
                    .ingress
                    .iter()
                    .filter_map(|r| r.ports.as_ref())
                    .flatten()
                    .filter_map(|s| match (&s.port, s.end_port) {
                        (Some(PortRef::Number(n)), None) => Some((*n, s.span)),
                        _ => None,
                    })
                    .collect();
                let admits = pol.ingress.iter().any(|r| {
                    r.ports.as_ref().is_none_or(|ps| {
                        ps.iter().any(|s| {
                            s.ranges(&pod)
                                .iter()
                                .any(|(lo, hi)| i64::from(*lo) <= port && port <= i64::from(*hi))
                        })
                    })
                });
                if !admits {
                    if let Some((n, span)) = numeric.first() {
                        report(
                            *span,
                            format!("NetworkPolicy `{}` admits clients on port {n}", pol.name),
                            out,
                        );
                    }
                }
            }
        }
    }
}
