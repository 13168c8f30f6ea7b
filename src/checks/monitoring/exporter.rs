//! `monitoring/exporter`: every Redis server has a redis_exporter that listens on the policy's
//! port, reaches that Redis (through its Service or pod, on the port Redis listens on) and
//! authenticates with a password from a Secret.
//!
//! The exporter's settings are read as redis_exporter reads them: a command-line flag
//! (`--redis.addr=…`, `-redis.addr …`) wins over its environment variable (`REDIS_ADDR`), and
//! an unset one is the exporter's default (`redis://localhost:6379`, listen address `:9121`).
//! The address is followed through the overlay: `localhost` is the exporter's own pod, a
//! Service name its selected pods via the Service port's `targetPort`, a StatefulSet pod name
//! that pod.

use crate::checks::netpol::scope::PodsOf;
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{name_of, name_span, Container, Deployment, Role, Workload};
use crate::rules::{id, RuleId};
use crate::source::Span;
use crate::yaml::Node;
use serde::Deserialize;

pub struct ExporterCheck;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The port the exporter listens on (the ServiceMonitor and NetworkPolicy expect it).
    pub port: u16,
}

/// Redis' port when its config sets none; the exporter's defaults.
const REDIS_DEFAULT_PORT: u16 = 6379;
const DEFAULT_ADDR: &str = "redis://localhost:6379";
const DEFAULT_LISTEN: &str = ":9121";

/// One setting of the exporter, as it reads it.
#[derive(Clone, Debug)]
pub enum Setting {
    /// Neither flag nor variable: the exporter's default.
    Default,
    /// Written in the manifest (a flag's word or an env `value:`).
    Literal {
        text: String,
        span: Span,
        /// `--redis.addr` or `REDIS_ADDR`: what a message names.
        via: String,
    },
    /// From a ConfigMap, Secret or field reference: not known before the pod runs.
    Indirect { span: Span, via: String },
}

impl Setting {
    pub fn span_or(&self, fallback: Span) -> Span {
        match self {
            Setting::Default => fallback,
            Setting::Literal { span, .. } | Setting::Indirect { span, .. } => *span,
        }
    }
}

/// The value of flag `flag` (without dashes) in a command line: `-f=v`, `--f=v`, `-f v`.
fn flag<'c>(c: &'c Container<'_>, name: &str) -> Option<(&'c str, Span)> {
    let words = &c.argv;
    for (i, w) in words.iter().enumerate() {
        let Some(rest) = w
            .text
            .strip_prefix("--")
            .or_else(|| w.text.strip_prefix('-'))
        else {
            continue;
        };
        if let Some(v) = rest.strip_prefix(name) {
            if let Some(v) = v.strip_prefix('=') {
                return Some((v, w.span));
            }
            if v.is_empty() {
                if let Some(next) = words.get(i + 1) {
                    return Some((next.text.as_str(), next.span));
                }
            }
        }
    }
    None
}

/// A setting from flag `flag`, else env var `var`.
pub fn setting(c: &Container<'_>, flag_name: &str, var: &str) -> Setting {
    if let Some((v, span)) = flag(c, flag_name) {
        return Setting::Literal {
            text: v.to_string(),
            span,
            via: format!("--{flag_name}"),
        };
    }
    match c.env(var) {
        None => Setting::Default,
        Some(e) => match e.get("value") {
            Some(v) => Setting::Literal {
                text: v.as_str().unwrap_or("").to_string(),
                span: v.span,
                via: var.to_string(),
            },
            None => Setting::Indirect {
                span: e.get("valueFrom").map_or(e.span, |n| n.span),
                via: var.to_string(),
            },
        },
    }
}

/// A redis_exporter container of the deployment.
pub struct Exporter<'d, 'a> {
    pub workload: usize,
    pub w: &'d Workload<'a>,
    pub c: &'d Container<'a>,
}

pub fn exporters<'d, 'a>(d: &'d Deployment<'a>) -> Vec<Exporter<'d, 'a>> {
    let mut out = Vec::new();
    for (wi, w) in d.workloads.iter().enumerate() {
        for c in &w.containers {
            if c.role == Role::Exporter && !c.init {
                out.push(Exporter { workload: wi, w, c });
            }
        }
    }
    out
}

/// The port number at the end of an address (`:9121`, `0.0.0.0:9121`, `[::]:9121`).
pub fn listen_port(addr: &str) -> Option<u16> {
    addr.rsplit_once(':')?.1.parse().ok()
}

/// The port the exporter listens on, and where that is written.
pub fn listens_on(c: &Container<'_>) -> (Option<u16>, Setting) {
    let s = setting(c, "web.listen-address", "REDIS_EXPORTER_WEB_LISTEN_ADDRESS");
    let port = match &s {
        Setting::Default => listen_port(DEFAULT_LISTEN),
        Setting::Literal { text, .. } => listen_port(text),
        Setting::Indirect { .. } => None,
    };
    (port, s)
}

/// A Redis address as redis_exporter reads it.
#[derive(Debug, PartialEq, Eq)]
pub enum Addr {
    Tcp {
        host: String,
        port: u16,
        /// A password is written in the URL's user part.
        password: bool,
    },
    Unix(String),
    Invalid,
}

pub fn parse_addr(text: &str) -> Addr {
    let t = text.trim();
    if let Some(path) = t.strip_prefix("unix://") {
        return Addr::Unix(path.to_string());
    }
    let rest = ["redis://", "rediss://", "valkey://", "valkeys://"]
        .iter()
        .find_map(|s| t.strip_prefix(s))
        .unwrap_or(t);
    let rest = rest.split(['/', '?']).next().unwrap_or("");
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let password = userinfo.is_some_and(|u| u.split_once(':').is_some_and(|(_, p)| !p.is_empty()));
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return Addr::Invalid,
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port {
        None => REDIS_DEFAULT_PORT,
        Some(p) => match p.parse() {
            Ok(n) => n,
            Err(_) => return Addr::Invalid,
        },
    };
    if host.is_empty() {
        return Addr::Invalid;
    }
    Addr::Tcp {
        host: host.to_string(),
        port,
        password,
    }
}

/// The port Redis listens on in workload `wi` (and where the config says so), if it runs one.
fn redis_port(d: &Deployment<'_>, wi: usize) -> Option<(u16, Option<Span>)> {
    let p = d.redis().find(|p| p.workload == wi)?;
    let dir = d.config_of(p).and_then(|c| c.get("port"));
    let arg = dir.and_then(|d| d.args.first());
    match arg {
        Some(a) => Some((a.text.parse().ok()?, Some(a.span))),
        None => Some((REDIS_DEFAULT_PORT, None)),
    }
}

/// A Service port's `targetPort` (the port itself when absent) resolved on the selected pods'
/// container ports: a number, or the containerPort of that name.
pub fn target_on(pods: &PodsOf<'_>, service_port: &Node) -> Option<u16> {
    let t = service_port
        .get("targetPort")
        .or_else(|| service_port.get("port"))?;
    u16::try_from(pods.port(t)?).ok()
}

/// Where an exporter's address leads.
enum Target {
    /// A Redis workload, reached on the right port.
    Redis(usize),
    /// Not known before the pod runs (an address from a ConfigMap or Secret).
    Unknown,
    /// Broken: the finding to report (and the Redis workload it was meant for, if known).
    Broken(Finding, Option<usize>),
}

fn broken(span: Span, message: String, help: &str) -> Finding {
    Finding::new(id::MONITORING_EXPORTER, span, message)
        .label("not this Redis")
        .help(help.to_string())
}

fn target(d: &Deployment<'_>, e: &Exporter<'_, '_>) -> Target {
    let s = setting(e.c, "redis.addr", "REDIS_ADDR");
    let (text, span, via) = match &s {
        Setting::Default => (
            DEFAULT_ADDR.to_string(),
            e.c.name_span,
            "the default address".to_string(),
        ),
        Setting::Literal { text, span, via } => (text.clone(), *span, format!("`{via}`")),
        Setting::Indirect { .. } => return Target::Unknown,
    };
    let who = format!("container `{}` of {}", e.c.name, e.w.describe());
    let mismatch = |wi: usize, port: u16, at: Span, what: String| -> Option<Target> {
        let (rp, rspan) = redis_port(d, wi)?;
        if rp == port {
            return Some(Target::Redis(wi));
        }
        let mut f = broken(
            at,
            format!(
                "{who} scrapes {what} port {port}, but Redis in {} listens on {rp}",
                d.workloads[wi].describe()
            ),
            "point the exporter at the port Redis listens on",
        );
        if let Some(r) = rspan {
            f = f.related(r, format!("Redis listens on {rp}"));
        }
        Some(Target::Broken(f, Some(wi)))
    };
    match parse_addr(&text) {
        Addr::Invalid => Target::Broken(
            broken(
                span,
                format!("{via} of {who} is not a Redis address redis_exporter can read"),
                "write `redis://HOST:PORT` (HOST the Redis Service)",
            ),
            None,
        ),
        Addr::Unix(_) => match d.redis().find(|p| p.workload == e.workload) {
            Some(_) => Target::Redis(e.workload),
            None => Target::Broken(
                broken(
                    span,
                    format!("{via} of {who} is a unix socket, and no Redis runs in its pod"),
                    "run the exporter as a sidecar of Redis, or use `redis://SERVICE:PORT`",
                ),
                None,
            ),
        },
        Addr::Tcp { host, port, .. } => {
            if matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1") {
                return mismatch(e.workload, port, span, "its own pod on".into()).unwrap_or_else(
                    || {
                        Target::Broken(
                            broken(
                                span,
                                format!(
                                "{who} scrapes {host}:{port} ({via}), and no Redis runs in its pod"
                            ),
                                "write the Redis Service's name: `redis://SERVICE:PORT`",
                            ),
                            None,
                        )
                    },
                );
            }
            let ns = e.w.namespace;
            let Some(h) = d.resolve_host(ns, &host) else {
                return Target::Broken(
                    broken(
                        span,
                        format!(
                            "{who} scrapes `{host}` ({via}), which is no Service or StatefulSet pod of namespace `{ns}` in this overlay"
                        ),
                        "write the name of the Redis Service of this overlay",
                    ),
                    None,
                );
            };
            if let Some(wi) = h.statefulset {
                return mismatch(wi, port, span, format!("pod `{host}` on"))
                    .unwrap_or_else(|| not_redis(d, &who, span, &host, wi));
            }
            let svc = h.service;
            let svc_name = name_of(svc);
            let selected: Vec<usize> = svc
                .path(&["spec", "selector"])
                .map(|sel| d.selected_by(ns, sel))
                .unwrap_or_default();
            let Some(&wi) = selected
                .iter()
                .find(|&&wi| d.redis().any(|p| p.workload == wi))
            else {
                return Target::Broken(
                    broken(
                        span,
                        format!("{who} scrapes Service `{svc_name}` ({via}), which selects no Redis pod"),
                        "point the exporter at the Service that selects the Redis pods",
                    )
                    .related(name_span(svc), format!("Service `{svc_name}`")),
                    None,
                );
            };
            let ports = svc
                .path(&["spec", "ports"])
                .and_then(Node::as_seq)
                .unwrap_or(&[]);
            let Some(sp) = ports
                .iter()
                .find(|p| p.get("port").and_then(Node::as_i64) == Some(i64::from(port)))
            else {
                let mut f = broken(
                    span,
                    format!("{who} scrapes Service `{svc_name}` on port {port} ({via}), which the Service does not expose"),
                    "use the Service's Redis port",
                );
                if let Some(p) = svc.path(&["spec", "ports"]) {
                    f = f.related(p.span, format!("the ports of Service `{svc_name}`"));
                }
                return Target::Broken(f, Some(wi));
            };
            match target_on(&PodsOf::new(&d.workloads[wi]), sp) {
                Some(t) => {
                    let at = sp.get("targetPort").map_or(sp.span, |n| n.span);
                    match mismatch(wi, t, at, format!("Service `{svc_name}` forwarding to")) {
                        Some(Target::Broken(f, w)) => {
                            Target::Broken(f.related(span, format!("{via} of {who}")), w)
                        }
                        other => other.unwrap_or(Target::Unknown),
                    }
                }
                None => Target::Unknown,
            }
        }
    }
}

fn not_redis(d: &Deployment<'_>, who: &str, span: Span, host: &str, wi: usize) -> Target {
    Target::Broken(
        broken(
            span,
            format!(
                "{who} scrapes `{host}`, a pod of {}, which runs no Redis",
                d.workloads[wi].describe()
            ),
            "point the exporter at the Redis Service",
        ),
        None,
    )
}

/// Whether `path` lies on a Secret volume of the container.
fn on_secret_volume(w: &Workload<'_>, c: &Container<'_>, path: &str) -> bool {
    c.mounts().iter().any(|m| {
        let Some(mp) = m.get("mountPath").and_then(Node::as_str) else {
            return false;
        };
        let mp = mp.trim_end_matches('/');
        let under = path == mp || path.strip_prefix(mp).is_some_and(|r| r.starts_with('/'));
        under
            && m.get("name")
                .and_then(Node::as_str)
                .and_then(|n| w.volume(n))
                .is_some_and(|v| {
                    v.get("secret").is_some()
                        || v.path(&["projected", "sources"])
                            .and_then(Node::as_seq)
                            .is_some_and(|s| s.iter().any(|x| x.get("secret").is_some()))
                })
    })
}

/// What is wrong with how the exporter authenticates, if anything.
fn auth_problem(d: &Deployment<'_>, e: &Exporter<'_, '_>) -> Option<Finding> {
    let who = format!("container `{}` of {}", e.c.name, e.w.describe());
    let f = |span: Span, msg: String, label: &str| {
        Finding::new(id::MONITORING_EXPORTER, span, msg)
            .label(label.to_string())
            .help("take the password from the Redis Secret: `REDIS_PASSWORD` with `valueFrom: {secretKeyRef: {name: …, key: …}}`, or `--redis.password-file` on a Secret volume")
    };
    // An address with a password in it: the password is in the manifest.
    if let Setting::Literal { text, span, via } = setting(e.c, "redis.addr", "REDIS_ADDR") {
        if matches!(parse_addr(&text), Addr::Tcp { password: true, .. }) {
            return Some(f(
                span,
                format!("`{via}` of {who} carries the Redis password in the URL: it is in the manifest, not in a Secret"),
                "password in the address",
            ));
        }
    }
    match setting(e.c, "redis.password-file", "REDIS_PASSWORD_FILE") {
        Setting::Literal { text, span, via } => {
            return (!on_secret_volume(e.w, e.c, &text)).then(|| {
                f(
                    span,
                    format!("`{via}` of {who} names a file that is on no Secret volume of the container"),
                    "not on a Secret volume",
                )
            });
        }
        Setting::Indirect { .. } => return None,
        Setting::Default => {}
    }
    if let Some((_, span)) = flag(e.c, "redis.password") {
        return Some(f(
            span,
            format!("`--redis.password` of {who} writes the Redis password in the manifest"),
            "password in the manifest",
        ));
    }
    match e.c.env("REDIS_PASSWORD") {
        Some(env) => {
            if env.path(&["valueFrom", "secretKeyRef"]).is_some() {
                return None;
            }
            let (span, what, label) = match (env.get("value"), env.get("valueFrom")) {
                (Some(v), _) => (
                    v.span,
                    "is written in the manifest",
                    "password in the manifest",
                ),
                (None, Some(vf)) => (vf.span, "does not come from a Secret", "not a Secret"),
                (None, None) => (env.span, "is empty", "no value"),
            };
            Some(f(span, format!("`REDIS_PASSWORD` of {who} {what}"), label))
        }
        None => {
            // `envFrom` a Secret that holds REDIS_PASSWORD (or one not in this overlay).
            let from_secret =
                e.c.node
                    .get("envFrom")
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|x| x.path(&["secretRef", "name"]).and_then(Node::as_str))
                    .any(|name| {
                        d.object("Secret", e.w.namespace, name).is_none_or(|s| {
                            ["data", "stringData"]
                                .iter()
                                .any(|k| s.path(&[k, "REDIS_PASSWORD"]).is_some())
                        })
                    });
            (!from_secret).then(|| {
                f(
                    e.c.name_span,
                    format!("{who} takes no Redis password: redis_exporter cannot authenticate, and reports `redis_up 0` with no other series"),
                    "no password",
                )
            })
        }
    }
}

impl Check for ExporterCheck {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::MONITORING_EXPORTER];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let want = cx.params.port;
        let exps = exporters(d);
        let mut covered: Vec<usize> = Vec::new();
        let mut unknown = false;
        for e in &exps {
            // Where it listens, and what the container declares.
            let (port, s) = listens_on(e.c);
            if let Some(p) = port.filter(|&p| p != want) {
                out.push(
                    Finding::new(
                        id::MONITORING_EXPORTER,
                        s.span_or(e.c.name_span),
                        format!(
                            "container `{}` of {} listens on {p}, not on {want}",
                            e.c.name,
                            e.w.describe()
                        ),
                    )
                    .label("another port")
                    .help(format!(
                        "listen on `:{want}`: the ServiceMonitor and the NetworkPolicy expect it"
                    )),
                );
            }
            let declared = e.c.declared_ports();
            // Declared ports are compared once the listen port is the policy's (else the finding
            // above is the one to fix).
            if let Some(p) = port.filter(|&p| p == want) {
                if declared.is_empty() {
                    out.push(
                        Finding::new(
                            id::MONITORING_EXPORTER,
                            e.c.name_span,
                            format!(
                                "container `{}` of {} declares no container port {p}: its Service and ServiceMonitor cannot name the metrics port",
                                e.c.name,
                                e.w.describe()
                            ),
                        )
                        .label("no ports")
                        .help(format!("add `ports: [{{name: metrics, containerPort: {p}}}]`")),
                    );
                } else if !declared.iter().any(|n| n.as_i64() == Some(i64::from(p))) {
                    out.push(
                        Finding::new(
                            id::MONITORING_EXPORTER,
                            declared[0].span,
                            format!(
                                "container `{}` of {} declares port {}, but the exporter listens on {p}",
                                e.c.name,
                                e.w.describe(),
                                declared[0].as_str().unwrap_or("?")
                            ),
                        )
                        .label("another port")
                        .help(format!("declare `containerPort: {p}`")),
                    );
                }
            }
            match target(d, e) {
                Target::Redis(wi) => covered.push(wi),
                Target::Unknown => unknown = true,
                Target::Broken(f, wi) => {
                    covered.extend(wi);
                    out.push(f);
                }
            }
            if let Some(f) = auth_problem(d, e) {
                out.push(f);
            }
        }
        if unknown {
            return; // an address read at run time may be any Redis
        }
        let mut seen = Vec::new();
        for p in d.redis() {
            let w = d.workload_of(p);
            if covered.contains(&p.workload)
                || seen.contains(&p.workload)
                || matches!(w.kind, "Job" | "CronJob")
            {
                continue;
            }
            seen.push(p.workload);
            out.absent(
                Finding::new(
                    id::MONITORING_EXPORTER,
                    name_span(w.node),
                    format!(
                        "no redis_exporter scrapes Redis in {}: the Redis alerts have no data to fire on",
                        w.describe()
                    ),
                )
                .label("not monitored")
                .help(format!(
                    "add a redis_exporter (image oliver006/redis_exporter) with `REDIS_ADDR: redis://SERVICE:PORT` for this Redis, `REDIS_PASSWORD` from its Secret and `containerPort: {want}`"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_as_redis_exporter_reads_them() {
        let tcp = |h: &str, p: u16, pw: bool| Addr::Tcp {
            host: h.into(),
            port: p,
            password: pw,
        };
        assert_eq!(parse_addr("redis://redis:6379"), tcp("redis", 6379, false));
        assert_eq!(parse_addr("redis://redis"), tcp("redis", 6379, false));
        assert_eq!(
            parse_addr("rediss://r.ns.svc:6380/0"),
            tcp("r.ns.svc", 6380, false)
        );
        assert_eq!(
            parse_addr("redis-0.redis-headless:6379"),
            tcp("redis-0.redis-headless", 6379, false)
        );
        assert_eq!(
            parse_addr("redis://:s3cret@redis:6379"),
            tcp("redis", 6379, true)
        );
        assert_eq!(
            parse_addr("redis://default@redis:6379"),
            tcp("redis", 6379, false)
        );
        assert_eq!(parse_addr("redis://[::1]:7000"), tcp("::1", 7000, false));
        assert_eq!(
            parse_addr("unix:///run/redis.sock"),
            Addr::Unix("/run/redis.sock".into())
        );
        assert_eq!(parse_addr("redis://redis:port"), Addr::Invalid);
        assert_eq!(parse_addr("redis://:6379"), Addr::Invalid);
        assert_eq!(listen_port(":9121"), Some(9121));
        assert_eq!(listen_port("0.0.0.0:9200"), Some(9200));
        assert_eq!(listen_port("[::]:9121"), Some(9121));
        assert_eq!(listen_port("9121"), None);
    }
}
