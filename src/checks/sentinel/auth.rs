//! `sentinel/auth`: the monitored Redis requires a password but Sentinel gets no
//! `sentinel auth-pass` for it from a Secret.

use crate::checks::redis::common::{
    monitored, per_config, secret_var, sentinels, servers, shell_vars,
};
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::model::{Deployment, Traced};
use crate::redis::acl::{is_hash_rule, is_password_rule};
use crate::redis::Directive;
use crate::rules::{id, RuleId};

pub struct Auth;

/// The line by which a Redis config requires a password: `requirepass` with a value, or a
/// `user default` with a password.
fn password_line(conf: &Traced) -> Option<&Directive> {
    if let Some(l) = conf.get("requirepass") {
        if l.args.first().is_some_and(|a| !a.text.is_empty()) {
            return Some(l);
        }
    }
    conf.all("user").find(|u| {
        u.args.first().is_some_and(|a| a.text == "default")
            && u.args
                .iter()
                .skip(1)
                .any(|a| is_password_rule(&a.text) || is_hash_rule(&a.text))
            && !u.args.iter().any(|a| a.text == "nopass")
    })
}

impl Check for Auth {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::SENTINEL_AUTH];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        for s in per_config(sentinels(d)) {
            let ns = s.workload.namespace;
            for m in s.conf.sentinel("monitor") {
                let (Some(master), Some(host)) = (m.args.get(1), m.args.get(2)) else {
                    continue;
                };
                let Some(wi) = monitored(d, ns, &host.text) else {
                    continue;
                };
                let Some(pw) = servers(d)
                    .into_iter()
                    .filter(|r| r.process.workload == wi)
                    .find_map(|r| password_line(r.conf))
                else {
                    continue; // no password: nothing to authenticate
                };
                let pw_label = format!("{} requires a password here", d.workloads[wi].describe());
                let pass = s
                    .conf
                    .sentinel("auth-pass")
                    .filter(|l| l.args.get(1).is_some_and(|a| a.text == master.text))
                    .last();
                let Some(pass) = pass else {
                    out.push(
                        Finding::new(
                            id::SENTINEL_AUTH,
                            master.span,
                            format!(
                                "Sentinel monitors `{}` without `sentinel auth-pass`, but that Redis requires a password: every command gets NOAUTH and failover cannot happen",
                                master.text
                            ),
                        )
                        .label("no `sentinel auth-pass` for this master")
                        .related(pw.name_span, pw_label)
                        .help(format!(
                            "append `sentinel auth-pass {} \"$REDIS_PASSWORD\"` in the init container, with REDIS_PASSWORD from the Redis password's Secret (`secretKeyRef`)",
                            master.text
                        )),
                    );
                    continue;
                };
                let Some(value) = pass.args.get(2) else {
                    continue; // argument count: redis/invalid-value
                };
                let appended = s
                    .conf
                    .appended
                    .iter()
                    .any(|a| a.directive.line == pass.line);
                let vars = shell_vars(&value.text);
                let from_secret = if appended {
                    !vars.is_empty() && vars.iter().all(|v| secret_var(s.workload, v))
                } else {
                    s.conf.source.kind == "Secret"
                };
                if from_secret {
                    continue;
                }
                let why = if appended && vars.is_empty() {
                    "the init container appends a literal value".to_string()
                } else if appended {
                    format!(
                        "{} is no `secretKeyRef` env var of an init container",
                        vars.iter()
                            .map(|v| format!("`${v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    format!(
                        "it is written in {} `{}`",
                        s.conf.source.kind, s.conf.source.name
                    )
                };
                out.push(
                    Finding::new(
                        id::SENTINEL_AUTH,
                        pass.args.get(1).map_or(pass.name_span, |a| a.span),
                        format!(
                            "the `sentinel auth-pass` of `{}` is not taken from a Secret: {why}",
                            master.text
                        ),
                    )
                    .label("not from a Secret")
                    .related(pw.name_span, pw_label)
                    .help("append it in the init container from an env var whose `valueFrom.secretKeyRef` names the Redis password's Secret"),
                );
            }
        }
    }
}
