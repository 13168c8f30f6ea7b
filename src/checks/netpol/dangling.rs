//! `netpol/dangling-selector`: a NetworkPolicy, or a same-namespace peer of it, whose
//! podSelector selects no pod of the overlay (a typo in a label, a renamed app): the policy
//! then protects nothing, or admits nobody it meant to.

use super::scope::policies;
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::k8s::selector::{labels_of, Labels, PeerKind, Selector};
use crate::model::Deployment;
use crate::rules::{id, RuleId};

pub struct Dangling;

impl Check for Dangling {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::NETPOL_DANGLING_SELECTOR];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        let pods: Vec<(&str, Labels)> = d
            .workloads
            .iter()
            .map(|w| {
                (
                    w.namespace,
                    labels_of(w.pod_meta.and_then(|m| m.get("labels"))),
                )
            })
            .collect();
        let selects_any =
            |ns: &str, s: &Selector| pods.iter().any(|(pns, l)| *pns == ns && s.matches(l));
        for (obj, p) in policies(d) {
            let shown = |s: &Selector| match s {
                Selector::All(reqs) => reqs
                    .iter()
                    .map(|r| match r.values.as_slice() {
                        [v] => format!("{}={v}", r.key),
                        _ => r.key.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Selector::Nothing => String::new(),
            };
            if !p.pod_selector.is_everything()
                && p.invalid.is_empty()
                && !selects_any(&p.namespace, &p.pod_selector)
            {
                let at = first_req(&p.pod_selector)
                    .or_else(|| obj.path(&["spec", "podSelector"]).map(|n| n.span))
                    .unwrap_or(p.span);
                out.absent(
                    Finding::new(
                        id::NETPOL_DANGLING_SELECTOR,
                        at,
                        format!(
                            "the podSelector of NetworkPolicy `{}` ({}) selects no pod of the overlay: the policy protects nothing",
                            p.name,
                            shown(&p.pod_selector)
                        ),
                    )
                    .label("selects nothing")
                    .help("match the labels of the pod template it is meant for"),
                );
            }
            let peers = p
                .ingress
                .iter()
                .chain(p.egress.iter())
                .filter_map(|r| r.peers.as_ref())
                .flatten();
            for peer in peers {
                let PeerKind::Pods {
                    pods: Some(sel),
                    namespaces: None,
                } = &peer.kind
                else {
                    continue; // other namespaces' pods are not in the overlay
                };
                if sel.is_everything() || selects_any(&p.namespace, sel) {
                    continue;
                }
                let at = first_req(sel).unwrap_or(peer.span);
                out.absent(
                    Finding::new(
                        id::NETPOL_DANGLING_SELECTOR,
                        at,
                        format!(
                            "a peer of NetworkPolicy `{}` selects pods with {}, and no pod of the overlay has them: it admits nobody",
                            p.name,
                            shown(sel)
                        ),
                    )
                    .label("matches no pod")
                    .help("use the labels of the clients' pod templates"),
                );
            }
        }
    }
}

/// Where the selector's first label is written (the likely typo).
fn first_req(s: &Selector) -> Option<crate::source::Span> {
    match s {
        Selector::All(reqs) => reqs.first().map(|r| r.span),
        Selector::Nothing => None,
    }
}
