//! `sentinel/config-not-writable`: sentinel.conf read straight from a ConfigMap or Secret
//! volume, which is read-only; Sentinel exits at start-up.

use crate::checks::redis::common::sentinels;
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};

pub struct ConfigNotWritable;

impl Check for ConfigNotWritable {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::SENTINEL_CONFIG_NOT_WRITABLE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        for s in sentinels(d) {
            if !s.conf.read_only || s.conf.guessed {
                continue;
            }
            let Some(path) = &s.process.config_path else {
                continue;
            };
            let mut f = Finding::new(
                id::SENTINEL_CONFIG_NOT_WRITABLE,
                path.span,
                format!(
                    "Sentinel in container `{}` of {} reads `{}` straight from {} `{}`, which is mounted read-only: Sentinel rewrites its config and exits at start-up",
                    s.container.name,
                    s.workload.describe(),
                    path.text,
                    s.conf.source.kind,
                    s.conf.source.name
                ),
            )
            .label("a read-only file")
            .help("copy the file into an emptyDir with an init container (`cp /template/sentinel.conf /data/sentinel.conf`) and start Sentinel on the copy");
            for l in &s.conf.chain {
                f = f.related(l.span, l.message.clone());
            }
            out.push(f);
        }
    }
}
