//! `backup/verification`: where the environment verifies backups, a verification CronJob exists
//! and runs at least as often as the policy says (by the longest gap between its runs).

use super::schedule::backup_jobs;
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::cron;
use crate::model::{kind_of, name_of, name_span, Deployment};
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct Verification;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub job_pattern: String,
    pub verify_pattern: String,
    pub verify: bool,
    /// hourly / daily / weekly.
    pub min_frequency: String,
}

fn period(f: &str) -> Option<u64> {
    Some(match f {
        "hourly" => 60,
        "daily" => 1440,
        "weekly" => 7 * 1440,
        _ => return None,
    })
}

impl Check for Verification {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::BACKUP_VERIFICATION];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let p = cx.params;
        if !p.verify {
            return;
        }
        let env = cx.env.unwrap_or("this environment");
        let verifiers: Vec<_> = d
            .objects
            .iter()
            .filter(|o| kind_of(o) == "CronJob" && name_of(o).contains(&p.verify_pattern))
            .collect();
        let backups = backup_jobs(d, &p.job_pattern, &p.verify_pattern);
        if verifiers.is_empty() {
            let Some(b) = backups.first() else {
                return; // no backup job either: backup/schedule has nothing to verify
            };
            let at = name_span(b);
            out.absent(
                Finding::new(
                    id::BACKUP_VERIFICATION,
                    at,
                    format!(
                        "{env} verifies its backups, but no CronJob named `*{}*` restores the backups CronJob `{}` writes",
                        p.verify_pattern,
                        name_of(b)
                    ),
                )
                .label("never verified")
                .help(format!(
                    "add a CronJob `{}-verify` that restores the latest backup into a scratch Redis and checks it, running {} or more often",
                    name_of(b),
                    p.min_frequency
                )),
            );
            return;
        }
        let Some(limit) = period(&p.min_frequency) else {
            return;
        };
        for v in verifiers {
            let Some(node) = v.path(&["spec", "schedule"]) else {
                continue;
            };
            let text = node.as_str().unwrap_or("");
            let Ok(s) = cron::validate(text) else {
                out.push(
                    Finding::new(
                        id::BACKUP_VERIFICATION,
                        node.span,
                        format!(
                            "the API server refuses the schedule `{text}` of CronJob `{}`, so the backups are never verified",
                            name_of(v)
                        ),
                    )
                    .help("write a valid five-field schedule such as `0 4 * * *`"),
                );
                continue;
            };
            let gap = s.max_gap_minutes();
            if gap.is_none_or(|g| g > limit) {
                let how = match gap {
                    None => "never runs".to_string(),
                    Some(g) => format!("goes up to {} hours between runs", g / 60),
                };
                out.push(
                    Finding::new(
                        id::BACKUP_VERIFICATION,
                        node.span,
                        format!(
                            "verification CronJob `{}` (`{text}`) {how}; {env} verifies backups at least {}",
                            name_of(v),
                            p.min_frequency
                        ),
                    )
                    .label(s.describe())
                    .help("run it daily after the backup, e.g. `0 4 * * *`"),
                );
            }
        }
    }
}
