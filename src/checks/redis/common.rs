//! What the model-based `redis/*` and `sentinel/*` checks share: the Redis servers of a
//! deployment with their traced config, where to point when a directive is absent, and the
//! provenance labels (the base value a patch replaced, a guessed config).

use crate::diag::Finding;
use crate::k8s::quantity::Quantity;
use crate::model::{Container, Deployment, Process, Traced, Workload};
use crate::redis::Directive;
use crate::source::Span;
use crate::yaml::Node;
use serde::{Deserialize, Deserializer};

/// A Redis server or Sentinel process whose config the model traced.
pub struct Server<'d, 'a> {
    pub process: &'d Process,
    pub workload: &'d Workload<'a>,
    pub container: &'d Container<'a>,
    pub conf: &'d Traced,
    /// Index into [`Deployment::configs`].
    pub config: usize,
}

/// Every Redis server process with a traced config.
pub fn servers<'d, 'a>(d: &'d Deployment<'a>) -> Vec<Server<'d, 'a>> {
    with_config(d, d.redis())
}

/// Every Sentinel process with a traced config.
pub fn sentinels<'d, 'a>(d: &'d Deployment<'a>) -> Vec<Server<'d, 'a>> {
    with_config(d, d.sentinels())
}

fn with_config<'d, 'a>(
    d: &'d Deployment<'a>,
    ps: impl Iterator<Item = &'d Process>,
) -> Vec<Server<'d, 'a>> {
    ps.filter_map(|p| {
        let config = p.config?;
        Some(Server {
            process: p,
            workload: d.workload_of(p),
            container: d.container(p),
            conf: &d.configs[config],
            config,
        })
    })
    .collect()
}

/// One server per traced config (a finding located in the config is made once per config,
/// however many containers read it).
pub fn per_config<'d, 'a>(servers: Vec<Server<'d, 'a>>) -> Vec<Server<'d, 'a>> {
    let mut seen = Vec::new();
    servers
        .into_iter()
        .filter(|s| {
            let new = !seen.contains(&s.config);
            seen.push(s.config);
            new
        })
        .collect()
}

/// Where a directive the config lacks would be added: the data key that holds the file.
pub fn anchor(conf: &Traced) -> Span {
    conf.source.key_span
}

/// A short name of the config: "redis.conf of ConfigMap `redis-config`".
pub fn describe(conf: &Traced) -> String {
    format!(
        "{} of {} `{}`",
        conf.source.key, conf.source.kind, conf.source.name
    )
}

/// Adds what a reader needs to trust the location: the base value a patch replaced, and that
/// the config was guessed (no mount or script led to it).
pub fn provenance(mut f: Finding, node: Option<&Node>, conf: Option<&Traced>) -> Finding {
    if let Some(base) = node.and_then(|n| n.overrode) {
        f = f.related(base, "the base value this replaces");
    }
    if let Some(c) = conf.filter(|c| c.guessed) {
        f = f.related(
            c.source.key_span,
            format!(
                "grill-lint guessed the config: no mount or init-container copy leads here, it is the overlay's only `{}`",
                c.source.key
            ),
        );
    }
    f
}

/// `resources.limits.memory` of a container.
pub fn memory_limit<'a>(c: &Container<'a>) -> Option<&'a Node> {
    c.node.path(&["resources", "limits", "memory"])
}

/// A directive's single argument.
pub fn arg(d: &Directive) -> Option<&crate::redis::model::Arg> {
    match d.args.as_slice() {
        [a] => Some(a),
        _ => None,
    }
}

/// Where a directive's value is written (its argument, else the line).
pub fn value_span(d: &Directive) -> Span {
    d.args.first().map_or(d.line, |a| a.span)
}

/// A Kubernetes quantity parameter (`2Gi`) as written, refused at policy load when it does not
/// parse.
#[derive(Clone, Debug)]
pub struct QuantityParam {
    pub text: String,
    pub value: Quantity,
}

impl<'de> Deserialize<'de> for QuantityParam {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<QuantityParam, D::Error> {
        let text = String::deserialize(de)?;
        let value = Quantity::parse(&text).map_err(serde::de::Error::custom)?;
        Ok(QuantityParam { text, value })
    }
}

/// Bytes in Redis' largest whole unit that divides them: `384mb`, `2gb`, `1000` (bytes).
pub fn redis_size(bytes: u128) -> String {
    for (unit, n) in [("gb", 1u128 << 30), ("mb", 1 << 20), ("kb", 1 << 10)] {
        if bytes >= n && bytes % n == 0 {
            return format!("{}{unit}", bytes / n);
        }
    }
    bytes.to_string()
}

/// `ratio` as a whole percentage (or with the decimals it needs).
pub fn pct(ratio: f64) -> String {
    percent(ratio, f64::NAN)
}

/// `ratio` as a percentage with as many decimals as it takes to differ from `limit` (so that
/// "75.02% (limit: 75%)" never reads "75% (limit: 75%)").
pub fn percent(ratio: f64, limit: f64) -> String {
    let fmt = |v: f64, p: usize| {
        let s = format!("{:.*}", p, v * 100.0);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    let want = fmt(limit, 4);
    for p in 0..5 {
        let s = fmt(ratio, p);
        if s != want {
            return format!("{s}%");
        }
    }
    format!("{}%", fmt(ratio, 6))
}

/// The workload a Sentinel `monitor` host names: a StatefulSet pod directly, or the
/// StatefulSet a Service selects.
pub fn monitored(d: &Deployment<'_>, namespace: &str, host: &str) -> Option<usize> {
    let h = d.resolve_host(namespace, host)?;
    if let Some(w) = h.statefulset {
        return Some(w);
    }
    let sel = h.service.path(&["spec", "selector"])?;
    d.selected_by(namespace, sel)
        .into_iter()
        .find(|&w| d.workloads[w].kind == "StatefulSet")
}

/// The names `${VAR}` / `$VAR` in a shell word.
pub fn shell_vars(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let (body, braced) = match rest.strip_prefix('{') {
            Some(b) => (b, true),
            None => (rest, false),
        };
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if end > 0 {
            out.push(&body[..end]);
        }
        rest = if braced { &body[end..] } else { body };
    }
    out
}

/// Whether env var `var` of some init container of `w` comes from a Secret (`secretKeyRef`,
/// or `envFrom` a `secretRef`).
pub fn secret_var(w: &Workload<'_>, var: &str) -> bool {
    w.containers
        .iter()
        .filter(|c| c.init)
        .any(|c| match c.env(var) {
            Some(e) => e.path(&["valueFrom", "secretKeyRef"]).is_some(),
            None => c
                .node
                .get("envFrom")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .any(|e| e.get("secretRef").is_some()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_shows_the_decimals_that_differ() {
        assert_eq!(percent(1.5, 0.75), "150%");
        assert_eq!(percent(1_611_000_000.0 / 2_147_483_648.0, 0.75), "75.02%");
        assert_eq!(percent(0.8, 0.75), "80%");
    }

    #[test]
    fn sizes_use_the_largest_whole_unit() {
        assert_eq!(redis_size(384 << 20), "384mb");
        assert_eq!(redis_size(2 << 30), "2gb");
        assert_eq!(redis_size(1000), "1000");
    }

    #[test]
    fn shell_vars_are_found_braced_or_not() {
        assert_eq!(shell_vars("${REDIS_PASSWORD}"), vec!["REDIS_PASSWORD"]);
        assert_eq!(shell_vars("a $X-$Y_2 ${Z:-d}"), vec!["X", "Y_2", "Z"]);
        assert!(shell_vars("no vars").is_empty());
    }
}
