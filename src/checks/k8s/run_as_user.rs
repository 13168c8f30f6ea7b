//! `k8s/run-as-user`: Redis, Sentinel and backup containers run as the pinned UID/GID with the
//! pinned fsGroup and `runAsNonRoot: true`; every other container must not run as root and must
//! set `runAsNonRoot: true`. `runAsNonRoot: true` with `runAsUser: 0` is what the kubelet refuses.

use super::{at_value, describe, effective, key_span, Level};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{Container, Deployment, Role, Workload};
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct RunAsUser;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub fs_group: i64,
    /// Roles held to the exact IDs: `redis`, `sentinel`, `backup`.
    pub pinned_roles: Vec<String>,
    /// A CronJob whose name contains this is a backup job (the `backup/*` rules' `job_pattern`).
    pub backup_job_pattern: String,
}

fn role_name(w: &Workload<'_>, c: &Container<'_>, p: &Params) -> Option<&'static str> {
    match c.role {
        Role::Redis => Some("redis"),
        Role::Sentinel => Some("sentinel"),
        _ if w.kind == "CronJob" && w.name.contains(p.backup_job_pattern.as_str()) => {
            Some("backup")
        }
        _ => None,
    }
}

fn level_word(l: Level) -> &'static str {
    match l {
        Level::Container => "",
        Level::Pod => " (inherited from the pod's securityContext)",
    }
}

impl Check for RunAsUser {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_RUN_AS_USER];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let p = cx.params;
        for w in &d.workloads {
            let mut fs_group_needed: Option<&'static str> = None;
            for c in &w.containers {
                let role = role_name(w, c, p).filter(|r| p.pinned_roles.iter().any(|x| x == r));
                let who = describe(w, c);
                let user = effective(w, c, "runAsUser");
                let non_root = effective(w, c, "runAsNonRoot");
                let non_root_true = non_root.and_then(|(n, _)| n.as_bool()) == Some(true);
                let anchor = key_span(c.node, "securityContext").unwrap_or(c.name_span);
                // The kubelet's verdict first: it refuses to start such a container.
                if let Some((u, ul)) = user.filter(|(u, _)| u.as_i64() == Some(0)) {
                    let mut f = if non_root_true {
                        Finding::new(
                            id::K8S_RUN_AS_USER,
                            u.span,
                            format!(
                                "{who} sets `runAsUser: 0`{} with `runAsNonRoot: true`: the kubelet refuses to start it (CreateContainerConfigError)",
                                level_word(ul)
                            ),
                        )
                        .label("UID 0 is root")
                    } else {
                        Finding::new(
                            id::K8S_RUN_AS_USER,
                            u.span,
                            format!("{who} runs as root (`runAsUser: 0`{})", level_word(ul)),
                        )
                        .label("UID 0 is root")
                    };
                    if let (true, Some((n, _))) = (non_root_true, non_root) {
                        f = f.related(n.span, "runAsNonRoot: true forbids UID 0");
                    }
                    let want = if role.is_some() { p.run_as_user } else { 1000 };
                    f = f.help(format!("set `runAsUser: {want}`, a non-root UID"));
                    out.push(at_value(f, u));
                    continue;
                }
                match non_root {
                    Some((n, _)) if n.as_bool() == Some(true) => {}
                    Some((n, l)) => out.push(at_value(
                        Finding::new(
                            id::K8S_RUN_AS_USER,
                            n.span,
                            format!(
                                "{who} has `runAsNonRoot: {}`{}: the kubelet would start it as root if the image says so",
                                n.as_str().unwrap_or(""),
                                level_word(l)
                            ),
                        )
                        .help("set `runAsNonRoot: true`"),
                        n,
                    )),
                    None => out.push(
                        Finding::new(
                            id::K8S_RUN_AS_USER,
                            anchor,
                            format!(
                                "{who} does not set `runAsNonRoot: true`: nothing stops it from running as root"
                            ),
                        )
                        .help("add `runAsNonRoot: true` to its securityContext (or the pod's)"),
                    ),
                }
                let Some(role) = role else { continue };
                fs_group_needed.get_or_insert(role);
                for (field, want) in [("runAsUser", p.run_as_user), ("runAsGroup", p.run_as_group)]
                {
                    match effective(w, c, field) {
                        Some((v, _)) if v.as_i64() == Some(want) => {}
                        Some((v, l)) => out.push(at_value(
                            Finding::new(
                                id::K8S_RUN_AS_USER,
                                v.span,
                                format!(
                                    "{who}, a {role} container, runs with `{field}: {}`{}, not {want}",
                                    v.as_str().unwrap_or(""),
                                    level_word(l)
                                ),
                            )
                            .label(format!("expected {want}"))
                            .help(format!("set `{field}: {want}`")),
                            v,
                        )),
                        None => out.push(
                            Finding::new(
                                id::K8S_RUN_AS_USER,
                                anchor,
                                format!(
                                    "{who}, a {role} container, does not set `{field}`: it runs with the image's default, not {want}"
                                ),
                            )
                            .help(format!("add `{field}: {want}` to its securityContext (or the pod's)")),
                        ),
                    }
                }
            }
            let Some(role) = fs_group_needed else {
                continue;
            };
            let want = p.fs_group;
            match w.pod.path(&["securityContext", "fsGroup"]).filter(|v| !v.is_null()) {
                Some(v) if v.as_i64() == Some(want) => {}
                Some(v) => out.push(at_value(
                    Finding::new(
                        id::K8S_RUN_AS_USER,
                        v.span,
                        format!(
                            "{} runs a {role} container with `fsGroup: {}`, not {want}: its volumes may not be writable by UID {}",
                            w.describe(),
                            v.as_str().unwrap_or(""),
                            p.run_as_user
                        ),
                    )
                    .label(format!("expected {want}"))
                    .help(format!("set `fsGroup: {want}`")),
                    v,
                )),
                None => {
                    let anchor = key_span(w.pod, "securityContext")
                        .or_else(|| w.containers.first().map(|c| c.name_span))
                        .unwrap_or(w.pod.span);
                    out.push(
                        Finding::new(
                            id::K8S_RUN_AS_USER,
                            anchor,
                            format!(
                                "{} runs a {role} container without `fsGroup: {want}`: its volumes are not made writable by GID {want}",
                                w.describe()
                            ),
                        )
                        .help(format!("add `fsGroup: {want}` to the pod's securityContext")),
                    );
                }
            }
        }
    }
}
