//! `backup/retention` and `backup/storage`: the backup job keeps the policy's number of days
//! (read from its env var) and writes to a PersistentVolumeClaim the overlay defines.

use super::schedule::backup_jobs;
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{kind_of, name_of, name_span, namespace_of, Deployment};
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

/// The containers of a CronJob's pod template.
fn containers(job: &Node) -> &[Node] {
    job.path(&[
        "spec",
        "jobTemplate",
        "spec",
        "template",
        "spec",
        "containers",
    ])
    .and_then(Node::as_seq)
    .unwrap_or(&[])
}

pub struct Retention;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionParams {
    pub job_pattern: String,
    pub verify_pattern: String,
    pub retention_days: i64,
    pub retention_env: String,
}

impl Check for Retention {
    type Params = RetentionParams;
    const RULES: &'static [RuleId] = &[id::BACKUP_RETENTION];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, RetentionParams>, out: &mut Out) {
        let p = cx.params;
        let want = p.retention_days;
        for job in backup_jobs(d, &p.job_pattern, &p.verify_pattern) {
            let name = name_of(job);
            let env = containers(job).iter().find_map(|c| {
                c.get("env").and_then(Node::as_seq)?.iter().find(|e| {
                    e.get("name").and_then(Node::as_str) == Some(p.retention_env.as_str())
                })
            });
            let Some(env) = env else {
                out.push(
                    Finding::new(
                        id::BACKUP_RETENTION,
                        name_span(job),
                        format!(
                            "backup CronJob `{name}` sets no `{}`: how long its backups are kept cannot be read",
                            p.retention_env
                        ),
                    )
                    .label("retention unknown")
                    .help(format!(
                        "add `- name: {}` with `value: \"{want}\"` to the backup container's env and prune by it",
                        p.retention_env
                    )),
                );
                continue;
            };
            let value = env.get("value");
            let days = value
                .and_then(Node::as_str)
                .and_then(|v| v.trim().parse::<i64>().ok());
            if days == Some(want) {
                continue;
            }
            let at = value.map_or(env.span, |v| v.span);
            let msg = match days {
                Some(n) => format!(
                    "backup CronJob `{name}` keeps backups {n} day(s); the policy keeps them {want}"
                ),
                None => format!(
                    "backup CronJob `{name}` sets `{}` without a literal number of days; the policy keeps {want}",
                    p.retention_env
                ),
            };
            out.push(
                Finding::new(id::BACKUP_RETENTION, at, msg)
                    .label(days.map_or("not a number".into(), |n| format!("{n} day(s)")))
                    .help(format!("set `value: \"{want}\"`")),
            );
        }
    }
}

pub struct Storage;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageParams {
    pub job_pattern: String,
    pub verify_pattern: String,
}

impl Check for Storage {
    type Params = StorageParams;
    const RULES: &'static [RuleId] = &[id::BACKUP_STORAGE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, StorageParams>, out: &mut Out) {
        let p = cx.params;
        for job in backup_jobs(d, &p.job_pattern, &p.verify_pattern) {
            let name = name_of(job);
            let ns = namespace_of(job);
            let volumes = job
                .path(&["spec", "jobTemplate", "spec", "template", "spec", "volumes"])
                .and_then(Node::as_seq)
                .unwrap_or(&[]);
            // Volumes a container mounts, by name.
            let mounted: Vec<&str> = containers(job)
                .iter()
                .flat_map(|c| c.get("volumeMounts").and_then(Node::as_seq).unwrap_or(&[]))
                .filter_map(|m| m.get("name").and_then(Node::as_str))
                .collect();
            let claims: Vec<&Node> = volumes
                .iter()
                .filter(|v| {
                    v.get("name")
                        .and_then(Node::as_str)
                        .is_some_and(|n| mounted.contains(&n))
                })
                .filter_map(|v| v.path(&["persistentVolumeClaim", "claimName"]))
                .collect();
            if claims.is_empty() {
                out.push(
                    Finding::new(
                        id::BACKUP_STORAGE,
                        name_span(job),
                        format!(
                            "backup CronJob `{name}` mounts no PersistentVolumeClaim: its backups vanish with the pod"
                        ),
                    )
                    .label("no persistent volume")
                    .help("mount a volume `persistentVolumeClaim: {claimName: redis-backup}` where the job writes"),
                );
                continue;
            }
            for c in claims {
                let claim = c.as_str().unwrap_or("");
                let exists = d.objects.iter().any(|o| {
                    kind_of(o) == "PersistentVolumeClaim"
                        && name_of(o) == claim
                        && namespace_of(o) == ns
                });
                if !exists {
                    out.absent(
                        Finding::new(
                            id::BACKUP_STORAGE,
                            c.span,
                            format!(
                                "backup CronJob `{name}` writes to PersistentVolumeClaim `{claim}`, which the overlay does not define: the job's pod stays Pending"
                            ),
                        )
                        .label("no such claim")
                        .help(format!("add a PersistentVolumeClaim `{claim}` in namespace `{ns}`")),
                    );
                }
            }
        }
    }
}
