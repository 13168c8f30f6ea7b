//! `k8s/privilege-escalation`: `allowPrivilegeEscalation: false` on every container, and no
//! `privileged: true`. `privileged: true` with `allowPrivilegeEscalation: false` is what the
//! API server refuses.

use super::{at_value, describe, own, sc_anchor};
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};

pub struct PrivilegeEscalation;

impl Check for PrivilegeEscalation {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::K8S_PRIVILEGE_ESCALATION];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        for w in &d.workloads {
            for c in &w.containers {
                let who = describe(w, c);
                let ape = own(c, "allowPrivilegeEscalation");
                let privileged = own(c, "privileged").filter(|v| v.as_bool() == Some(true));
                if let Some(pv) = privileged {
                    let mut f = Finding::new(
                        id::K8S_PRIVILEGE_ESCALATION,
                        pv.span,
                        format!(
                            "{who} is privileged: it gets every capability and the host's devices"
                        ),
                    )
                    .label("privileged");
                    if let Some(a) = ape.filter(|a| a.as_bool() == Some(false)) {
                        f = Finding::new(
                            id::K8S_PRIVILEGE_ESCALATION,
                            pv.span,
                            format!(
                                "{who} sets `privileged: true` with `allowPrivilegeEscalation: false`: the API server refuses it (\"cannot set `allowPrivilegeEscalation` to false and `privileged` to true\")"
                            ),
                        )
                        .label("privileged")
                        .related(a.span, "allowPrivilegeEscalation: false");
                    }
                    out.push(at_value(
                        f.help("remove `privileged: true` (or set `privileged: false`)"),
                        pv,
                    ));
                }
                match ape {
                    Some(v) if v.as_bool() == Some(false) => {}
                    Some(v) => out.push(at_value(
                        Finding::new(
                            id::K8S_PRIVILEGE_ESCALATION,
                            v.span,
                            format!(
                                "{who} has `allowPrivilegeEscalation: {}`: a setuid binary can gain privileges",
                                v.as_str().unwrap_or("")
                            ),
                        )
                        .label("not false")
                        .help("set `allowPrivilegeEscalation: false`"),
                        v,
                    )),
                    None => out.push(
                        Finding::new(
                            id::K8S_PRIVILEGE_ESCALATION,
                            sc_anchor(c),
                            format!(
                                "{who} does not set `allowPrivilegeEscalation: false` (it defaults to true): a setuid binary can gain privileges"
                            ),
                        )
                        .help("add `allowPrivilegeEscalation: false` to its securityContext"),
                    ),
                }
            }
        }
    }
}
