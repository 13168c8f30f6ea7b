//! `model/redis-not-found`: an environment overlay in which no container runs Redis, or whose
//! Redis/Sentinel config cannot be traced (then every other Redis check would pass silently).

use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::model::{image_name, Deployment};
use crate::redis::ConfKind;
use crate::rules::{id, RuleId};

pub struct RedisNotFound;

impl Check for RedisNotFound {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::MODEL_REDIS_NOT_FOUND];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        if d.redis().next().is_none() {
            // A container with a Redis image that does not run redis-server as grill-lint
            // sees it is the likeliest place; else the first object the overlay renders.
            let redis_image = d.workloads.iter().find_map(|w| {
                w.containers.iter().find_map(|c| {
                    let img = c.image?;
                    let name = image_name(img.as_str()?);
                    (name == "redis" || name.ends_with("/redis")).then_some((w, c, img))
                })
            });
            let f = match redis_image {
                Some((w, c, img)) => Finding::new(
                    id::MODEL_REDIS_NOT_FOUND,
                    img.span,
                    format!(
                        "no container of this overlay runs `redis-server`: container `{}` of {} has a Redis image but no `redis-server` command with a config file",
                        c.name,
                        w.describe()
                    ),
                )
                .label("a Redis image")
                .help("start it with `command: [redis-server, /path/to/redis.conf]` and mount that file from a ConfigMap"),
                None => match d.objects.first() {
                    Some(o) => Finding::new(
                        id::MODEL_REDIS_NOT_FOUND,
                        o.get("kind").map_or(o.span, |k| k.span),
                        format!(
                            "no container of this overlay runs `redis-server` ({} workload(s) rendered): no redis/ or sentinel/ rule has anything to check",
                            d.workloads.len()
                        ),
                    )
                    .label("the first object the overlay renders")
                    .help("include the Redis base in `resources:`, or lint only the overlays that deploy Redis"),
                    None => return, // nothing rendered at all: the build's own findings say why
                },
            };
            out.absent(f);
        }
        for p in &d.processes {
            let Some(why) = &p.untraced else { continue };
            let c = d.container(p);
            let what = match p.kind {
                ConfKind::Redis => "Redis server",
                ConfKind::Sentinel => "Sentinel",
            };
            let at = p.config_path.as_ref().map_or(c.name_span, |a| a.span);
            let guessed = d.config_of(p).filter(|t| t.guessed);
            let mut f = Finding::new(
                id::MODEL_REDIS_NOT_FOUND,
                at,
                format!(
                    "the config of the {what} in container `{}` of {} cannot be traced: {why}",
                    c.name,
                    d.workload_of(p).describe()
                ),
            )
            .label(match guessed {
                Some(_) => "traced to nothing: checked with a guessed config",
                None => "traced to nothing: its config is not checked",
            })
            .help("mount the config from a ConfigMap (or copy it into an emptyDir with an init container) at the path the command names");
            if let Some(t) = guessed {
                f = f.related(
                    t.source.key_span,
                    format!(
                        "checked instead: the overlay's only `{}`, a guess",
                        t.source.key
                    ),
                );
            }
            out.absent(f);
        }
    }
}
