//! `monitoring/service-monitor`: Prometheus reaches every redis_exporter. The scrape path is
//! followed link by link, and a finding is made at the first link that breaks: a Service
//! selects the exporter's pods, one of its ports forwards to the port the exporter listens on, a
//! ServiceMonitor selects that Service (labels and namespace, as the Prometheus Operator reads
//! them), and each endpoint's `port` names a port of the Service that forwards there.
//! A PodMonitor that selects the exporter's pods is a path too (the Service is not needed then).

use super::exporter::{exporters, listens_on, target_on};
use crate::checks::netpol::scope::PodsOf;
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::k8s::selector::labels_of;
use crate::model::{name_of, name_span, namespace_of, service_monitor_selects, Deployment};
use crate::rules::{id, RuleId};
use crate::yaml::Node;

pub struct ServiceMonitorCheck;

fn flow_labels(labels: &[(String, String)]) -> String {
    let items: Vec<String> = labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", items.join(", "))
}

impl Check for ServiceMonitorCheck {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::MONITORING_SERVICE_MONITOR];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        let monitors: Vec<&Node> = d.of_kind("ServiceMonitor").collect();
        let mut seen = Vec::new();
        let mut reported_endpoints = Vec::new();
        for e in exporters(d) {
            if seen.contains(&e.workload) || matches!(e.w.kind, "Job" | "CronJob") {
                continue;
            }
            seen.push(e.workload);
            let w = e.w;
            let pods = PodsOf::new(w);
            let pod_monitored = d.of_kind("PodMonitor").any(|pm| {
                namespace_of(pm) == w.namespace
                    && pm.path(&["spec", "selector"]).is_some_and(|s| {
                        crate::model::selects(s, w.pod_meta.and_then(|m| m.get("labels")))
                    })
            });
            if pod_monitored {
                continue;
            }
            let (listen, _) = listens_on(e.c);
            let services: Vec<&Node> = d
                .of_kind("Service")
                .filter(|s| namespace_of(s) == w.namespace)
                .filter(|s| {
                    s.path(&["spec", "selector"])
                        .is_some_and(|sel| d.selected_by(w.namespace, sel).contains(&e.workload))
                })
                .collect();
            if services.is_empty() {
                let shown: Vec<(String, String)> = pods.labels.clone().into_iter().collect();
                out.absent(
                    Finding::new(
                        id::MONITORING_SERVICE_MONITOR,
                        name_span(w.node),
                        format!(
                            "no Service selects the pods of {}, so no ServiceMonitor can scrape the exporter",
                            w.describe()
                        ),
                    )
                    .label("no Service")
                    .help(format!(
                        "add a Service with `selector: {}` and a port named `metrics` forwarding to {}",
                        flow_labels(&shown),
                        listen.map_or("the exporter's port".into(), |p| p.to_string())
                    )),
                );
                continue;
            }
            for svc in services {
                let svc_name = name_of(svc);
                let ports = svc
                    .path(&["spec", "ports"])
                    .and_then(Node::as_seq)
                    .unwrap_or(&[]);
                // The Service ports that reach the exporter's listen port.
                let metrics: Vec<&Node> = ports
                    .iter()
                    .filter(|p| listen.is_none_or(|l| target_on(&pods, p) == Some(l)))
                    .collect();
                if metrics.is_empty() {
                    let l = listen.unwrap_or(0);
                    out.push(
                        Finding::new(
                            id::MONITORING_SERVICE_MONITOR,
                            svc.path(&["spec", "ports"]).map_or(name_span(svc), |n| n.span),
                            format!(
                                "no port of Service `{svc_name}` forwards to port {l}, where the exporter of {} listens",
                                w.describe()
                            ),
                        )
                        .label("not the metrics port")
                        .related(e.c.name_span, format!("container `{}` listens on {l}", e.c.name))
                        .help(format!("add `{{name: metrics, port: {l}, targetPort: {l}}}` to its ports")),
                    );
                    continue;
                }
                let selecting: Vec<&&Node> = monitors
                    .iter()
                    .filter(|sm| service_monitor_selects(sm, svc))
                    .collect();
                if selecting.is_empty() {
                    let labels: Vec<(String, String)> =
                        labels_of(svc.path(&["metadata", "labels"]))
                            .into_iter()
                            .collect();
                    let mut f = Finding::new(
                        id::MONITORING_SERVICE_MONITOR,
                        name_span(svc),
                        format!(
                            "no ServiceMonitor selects Service `{svc_name}` of the exporter of {}: Prometheus never scrapes it, and the Redis alerts see no series",
                            w.describe()
                        ),
                    )
                    .label("not scraped");
                    for sm in &monitors {
                        if let Some(sel) = sm.path(&["spec", "selector"]) {
                            f = f.related(
                                sel.span,
                                format!("ServiceMonitor `{}` selects other Services", name_of(sm)),
                            );
                        }
                    }
                    let port_name = metrics[0]
                        .get("name")
                        .and_then(Node::as_str)
                        .unwrap_or("metrics");
                    f = f.help(if labels.is_empty() {
                        format!("label Service `{svc_name}` and add a ServiceMonitor whose selector matches the labels, with `endpoints: [{{port: {port_name}}}]`")
                    } else {
                        format!(
                            "add a ServiceMonitor with `selector: {{matchLabels: {}}}` and `endpoints: [{{port: {port_name}}}]`",
                            flow_labels(&labels)
                        )
                    });
                    out.absent(f);
                    continue;
                }
                let names: Vec<&str> = metrics
                    .iter()
                    .filter_map(|p| p.get("name").and_then(Node::as_str))
                    .collect();
                for sm in selecting {
                    let endpoints = sm
                        .path(&["spec", "endpoints"])
                        .and_then(Node::as_seq)
                        .unwrap_or(&[]);
                    if endpoints.is_empty() {
                        out.push(
                            Finding::new(
                                id::MONITORING_SERVICE_MONITOR,
                                sm.path(&["spec"]).map_or(name_span(sm), |n| n.span),
                                format!(
                                    "ServiceMonitor `{}` has no endpoints: it selects Service `{svc_name}` and scrapes nothing",
                                    name_of(sm)
                                ),
                            )
                            .label("no endpoints")
                            .help(format!(
                                "add `endpoints: [{{port: {}}}]`",
                                names.first().copied().unwrap_or("metrics")
                            )),
                        );
                        continue;
                    }
                    let scrapes = endpoints.iter().any(|ep| {
                        match ep.get("port").and_then(Node::as_str) {
                            Some(n) => names.contains(&n),
                            // `targetPort` (deprecated) names the pod's port directly.
                            None => ep.get("targetPort").is_some_and(|t| {
                                pods.port(t).and_then(|n| u16::try_from(n).ok()) == listen
                            }),
                        }
                    });
                    if scrapes {
                        continue;
                    }
                    for ep in endpoints {
                        let at = ep
                            .get("port")
                            .or_else(|| ep.get("targetPort"))
                            .unwrap_or(ep);
                        if reported_endpoints.contains(&at.span) {
                            continue;
                        }
                        reported_endpoints.push(at.span);
                        let what = match ep.get("port").and_then(Node::as_str) {
                            Some(n)
                                if ports
                                    .iter()
                                    .any(|p| p.get("name").and_then(Node::as_str) == Some(n)) =>
                            {
                                format!("names port `{n}` of Service `{svc_name}`, which does not forward to the exporter")
                            }
                            Some(n) => format!(
                                "names port `{n}`, which Service `{svc_name}` does not have"
                            ),
                            None => format!("names no port of Service `{svc_name}`"),
                        };
                        let mut f = Finding::new(
                            id::MONITORING_SERVICE_MONITOR,
                            at.span,
                            format!(
                                "an endpoint of ServiceMonitor `{}` {what}: the Prometheus Operator generates no scrape target for it",
                                name_of(sm)
                            ),
                        )
                        .label("no such port")
                        .related(
                            svc.path(&["spec", "ports"]).map_or(name_span(svc), |n| n.span),
                            format!("the ports of Service `{svc_name}`"),
                        );
                        f = f.help(match names.first() {
                            Some(n) => format!("write `port: {n}`"),
                            None => format!(
                                "name the metrics port of Service `{svc_name}` (`name: metrics`) and write `port: metrics` here"
                            ),
                        });
                        out.push(f);
                    }
                }
            }
        }
    }
}
