//! `redis/log-level`: the log level differs from the environment's.

use super::common::{anchor, describe, per_config, provenance, servers, value_span};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct LogLevel;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The expected level (`None`: not checked).
    pub loglevel: Option<String>,
}

/// Redis' level when the line is absent.
const DEFAULT: &str = "notice";

impl Check for LogLevel {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::REDIS_LOG_LEVEL];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let Some(want) = cx.params.loglevel.as_deref() else {
            return;
        };
        for s in per_config(servers(d)) {
            let line = s.conf.get("loglevel");
            let have = match line {
                Some(_) => match s.conf.value("loglevel") {
                    Some(v) => v,
                    None => continue,
                },
                None => DEFAULT,
            };
            if have.eq_ignore_ascii_case(want) {
                continue;
            }
            let f = match line {
                Some(l) => Finding::new(
                    id::REDIS_LOG_LEVEL,
                    value_span(l),
                    format!("loglevel {have} differs from the environment's {want}"),
                )
                .label(format!("logs at `{have}`")),
                None => Finding::new(
                    id::REDIS_LOG_LEVEL,
                    anchor(s.conf),
                    format!(
                        "{} sets no `loglevel`: Redis logs at {DEFAULT}, not the environment's {want}",
                        describe(s.conf)
                    ),
                )
                .label("no `loglevel` line in this config"),
            }
            .help(format!("write `loglevel {want}`"));
            out.push(provenance(f, None, Some(s.conf)));
        }
    }
}
