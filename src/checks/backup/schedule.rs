//! `backup/schedule`: the backup CronJob's schedule is one the API server accepts (the
//! robfig/cron grammar of [`crate::k8s::cron`]) and the environment's: the exact schedule when
//! the policy names one (compared by the times it fires, not by text), else its frequency.

use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::k8s::cron::{self, Schedule};
use crate::model::{kind_of, name_of, Deployment};
use crate::redis::embed::OffsetMap;
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct BackupSchedule;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub job_pattern: String,
    pub verify_pattern: String,
    pub schedule: Option<String>,
    /// hourly / daily / weekly / monthly.
    pub frequency: Option<String>,
}

/// The longest gap, in minutes, a frequency allows.
fn period(frequency: &str) -> Option<u64> {
    Some(match frequency {
        "hourly" => 60,
        "daily" => 1440,
        "weekly" => 7 * 1440,
        "monthly" => 31 * 1440,
        _ => return None,
    })
}

fn human(minutes: u64) -> String {
    if minutes % 1440 == 0 {
        format!("{} day(s)", minutes / 1440)
    } else if minutes % 60 == 0 {
        format!("{} hour(s)", minutes / 60)
    } else {
        format!("{minutes} minute(s)")
    }
}

/// The backup CronJobs of a deployment (name contains `job`, not `verify`).
pub fn backup_jobs<'a>(d: &Deployment<'a>, job: &str, verify: &str) -> Vec<&'a Node> {
    d.objects
        .iter()
        .copied()
        .filter(|o| kind_of(o) == "CronJob")
        .filter(|o| {
            let n = name_of(o);
            n.contains(job) && !n.contains(verify)
        })
        .collect()
}

impl Check for BackupSchedule {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::BACKUP_SCHEDULE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let p = cx.params;
        for job in backup_jobs(d, &p.job_pattern, &p.verify_pattern) {
            let name = name_of(job);
            let Some(node) = job.path(&["spec", "schedule"]) else {
                continue; // a CronJob without a schedule: k8s/schema's
            };
            let text = node.as_str().unwrap_or("");
            let schedule = match cron::validate(text) {
                Ok(s) => s,
                Err(e) => {
                    let file = cx.sources.get(node.span.file);
                    let span = OffsetMap::for_scalar(&file, node)
                        .map(|(_, m)| m.span(&file, e.at.start, e.at.end.max(e.at.start + 1)))
                        .unwrap_or(node.span);
                    let mut f = Finding::new(
                        id::BACKUP_SCHEDULE,
                        span,
                        format!(
                            "the API server refuses the schedule of CronJob `{name}`: {}",
                            e.message
                        ),
                    )
                    .label("refused");
                    if let Some(h) = e.help {
                        f = f.help(h);
                    }
                    out.push(f);
                    continue;
                }
            };
            if let Some(want) = &p.schedule {
                let Ok(wanted) = cron::validate(want) else {
                    continue; // the policy's own schedule is validated when the policy loads
                };
                if !schedule.same_times(&wanted) {
                    out.push(
                        Finding::new(
                            id::BACKUP_SCHEDULE,
                            node.span,
                            format!(
                                "CronJob `{name}` runs {} (`{text}`); the environment's backups run {} (`{want}`)",
                                schedule.describe(),
                                wanted.describe()
                            ),
                        )
                        .label(schedule.describe())
                        .help(format!("write `schedule: \"{want}\"`")),
                    );
                }
                continue;
            }
            let Some((freq, limit)) = p.frequency.as_deref().and_then(|f| Some((f, period(f)?)))
            else {
                continue;
            };
            let gap = schedule.max_gap_minutes();
            let wrong = match gap {
                None => Some("never runs".to_string()),
                Some(g) if g > limit => Some(format!("goes up to {} without a backup", human(g))),
                Some(g) if g * 2 <= limit && !matches!(schedule, Schedule::Every { .. }) => {
                    Some(format!("runs every {} or more often", human(g)))
                }
                _ => None,
            };
            if let Some(why) = wrong {
                out.push(
                    Finding::new(
                        id::BACKUP_SCHEDULE,
                        node.span,
                        format!(
                            "CronJob `{name}` (`{text}`) {why}; the environment's backups run {freq}"
                        ),
                    )
                    .label(schedule.describe())
                    .help(match freq {
                        "weekly" => "write a weekly schedule such as `0 3 * * 0` (Sundays 03:00)".to_string(),
                        "daily" => "write a daily schedule such as `0 2 * * *`".to_string(),
                        other => format!("write a schedule that runs {other}"),
                    }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(period("weekly"), Some(10080));
        assert_eq!(period("yearly"), None);
        assert_eq!(human(2880), "2 day(s)");
        assert_eq!(human(90), "90 minute(s)");
    }
}
