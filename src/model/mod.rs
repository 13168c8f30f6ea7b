//! The Redis world of one environment, found in the rendered objects by following references,
//! never by names.
//!
//! - Every pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) is a
//!   [`Workload`]; every container of it (init containers included) a [`Container`] with its
//!   command line after Kubernetes' `$(VAR)` expansion of the container's env.
//! - A container that runs `redis-sentinel`, or `redis-server … --sentinel`, is a Sentinel;
//!   every other container running `redis-server` is a Redis server ([`Role`]), directly or
//!   through a shell script (`sh -c "exec redis-server …"`).
//! - A process's config file is the first positional argument of the program. It is traced
//!   ([`trace`]) through volumeMounts → volumes → ConfigMap/Secret key (after hash suffixes and
//!   prefixes, which the build already applied to both sides), and through init containers that
//!   copy it into a shared `emptyDir` (`cp`, `cat … >`, `sed … >`, `envsubst <… >`) and append
//!   lines (`echo "requirepass …" >>`). Only a config traced to a Redis or Sentinel process is
//!   read as redis.conf; each is parsed once, here.
//! - References the catalogue lists (volumes, envFrom, key refs, serviceName, Service
//!   selectors, ServiceMonitor selectors, Sentinel monitor hosts) are recorded with whether they
//!   resolve, for `model/dangling-reference` and the checks that follow them.

mod cache;
pub mod shell;
mod trace;

use crate::diag::Label;
use crate::hash::HashMap;
use crate::kustomize::Resource;
use crate::redis::{ConfKind, Directive, RedisConf};
use crate::source::{SourceMap, Span};
use crate::yaml::Node;

pub use cache::{has_shape, CacheStrategy};
pub use trace::ConfSource;

/// What a container is, by the program it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Redis,
    Sentinel,
    /// `redis_exporter` (by its program or image).
    Exporter,
    Other,
}

/// One word of a container's command line, after `$(VAR)` expansion.
#[derive(Clone, Debug)]
pub struct Arg {
    pub text: String,
    /// The `command`/`args` item it comes from.
    pub span: Span,
}

#[derive(Debug)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub name: &'a str,
    /// The `name:` value (where a person adds a missing field).
    pub name_span: Span,
    pub init: bool,
    /// `command` then `args`, `$(VAR)` expanded.
    pub argv: Vec<Arg>,
    pub role: Role,
    pub image: Option<&'a Node>,
}

impl<'a> Container<'a> {
    /// The env entry named `name`.
    pub fn env(&self, name: &str) -> Option<&'a Node> {
        self.node
            .get("env")
            .and_then(Node::as_seq)?
            .iter()
            .find(|e| e.get("name").and_then(Node::as_str) == Some(name))
    }

    /// The `containerPort` values the container declares, in order.
    pub fn declared_ports(&self) -> Vec<&'a Node> {
        self.node
            .get("ports")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|p| p.get("containerPort"))
            .collect()
    }

    /// The volumeMounts of the container.
    pub fn mounts(&self) -> &'a [Node] {
        self.node
            .get("volumeMounts")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
    }
}

#[derive(Debug)]
pub struct Workload<'a> {
    pub node: &'a Node,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
    /// The pod template's `metadata` (labels) and `spec`.
    pub pod_meta: Option<&'a Node>,
    pub pod: &'a Node,
    pub containers: Vec<Container<'a>>,
}

impl<'a> Workload<'a> {
    /// `spec.replicas` (Kubernetes' default is 1 when absent).
    pub fn replicas(&self) -> Option<&'a Node> {
        self.node.path(&["spec", "replicas"])
    }

    pub fn replica_count(&self) -> i64 {
        self.replicas().and_then(Node::as_i64).unwrap_or(1)
    }

    /// The pod template's label value `key`.
    pub fn pod_label(&self, key: &str) -> Option<&'a str> {
        self.pod_meta?.path(&["labels", key])?.as_str()
    }

    /// The pod template's labels.
    pub fn pod_labels(&self) -> Vec<(&'a str, &'a str)> {
        let Some(m) = self
            .pod_meta
            .and_then(|m| m.get("labels"))
            .and_then(Node::as_map)
        else {
            return Vec::new();
        };
        m.entries
            .iter()
            .filter_map(|e| Some((e.key.as_str()?, e.value.as_str()?)))
            .collect()
    }

    /// The pod volume named `name`.
    pub fn volume(&self, name: &str) -> Option<&'a Node> {
        self.pod
            .get("volumes")
            .and_then(Node::as_seq)?
            .iter()
            .find(|v| v.get("name").and_then(Node::as_str) == Some(name))
    }

    /// A short description: "StatefulSet `redis`".
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.kind, self.name)
    }
}

/// A Redis server or Sentinel process.
#[derive(Debug)]
pub struct Process {
    pub workload: usize,
    pub container: usize,
    pub kind: ConfKind,
    /// The config file argument, as expanded, and where it is written.
    pub config_path: Option<Arg>,
    /// Index into [`Deployment::configs`], when the config could be traced.
    pub config: Option<usize>,
    /// Why the config could not be traced (when `config` is `None`).
    pub untraced: Option<String>,
}

/// A config the model traced to a process, parsed once.
#[derive(Debug)]
pub struct Traced {
    pub kind: ConfKind,
    /// The text as the ConfigMap, Secret or generator file holds it.
    pub file: RedisConf,
    /// Lines an init container appends (`echo "…" >>`), in order, located in its script.
    pub appended: Vec<Appended>,
    pub source: ConfSource,
    /// How the process reaches the file: mount, volume, copying script line (related labels).
    pub chain: Vec<Label>,
    /// The process reads the file straight from a ConfigMap/Secret volume (read-only).
    pub read_only: bool,
    /// No script or mount led to the file: it is the overlay's only key of that name.
    pub guessed: bool,
}

#[derive(Debug)]
pub struct Appended {
    pub directive: Directive,
    /// Appended only under a condition (`if [ "$HOSTNAME" != redis-0 ]`).
    pub conditional: bool,
}

impl Traced {
    /// The directive that takes effect: the last appended line of that name, else the file's.
    pub fn get(&self, name: &str) -> Option<&Directive> {
        self.appended
            .iter()
            .rev()
            .find(|a| a.directive.name == name && !a.conditional)
            .map(|a| &a.directive)
            .or_else(|| self.file.get(name))
    }

    /// Every line of `name`: the file's, then the appended ones (conditional included).
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Directive> + 's {
        self.file.all(name).chain(
            self.appended
                .iter()
                .map(|a| &a.directive)
                .filter(move |d| d.name == name),
        )
    }

    /// Whether `name` is set by the file or by an appended line (conditional ones included).
    pub fn has(&self, name: &str) -> bool {
        self.all(name).next().is_some()
    }

    /// The single argument of the effective directive.
    pub fn value(&self, name: &str) -> Option<&str> {
        match self.get(name)?.args.as_slice() {
            [a] => Some(a.text.as_str()),
            _ => None,
        }
    }

    /// `sentinel SUB …` lines, the file's and the appended ones.
    pub fn sentinel<'s>(&'s self, sub: &'s str) -> impl Iterator<Item = &'s Directive> + 's {
        self.all("sentinel").filter(move |d| {
            d.args
                .first()
                .is_some_and(|a| a.text.eq_ignore_ascii_case(sub))
        })
    }
}

/// A reference from one object to another, and whether it resolves in this overlay.
#[derive(Debug, Clone)]
pub struct Reference {
    pub kind: RefKind,
    /// The name (and key) referred to.
    pub name: String,
    pub key: Option<String>,
    /// The value that names it.
    pub span: Span,
    /// What refers (e.g. "volume `config` of StatefulSet `redis`").
    pub from: String,
    pub resolved: bool,
    /// `optional: true`: Kubernetes tolerates the absence.
    pub optional: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    ConfigMap,
    ConfigMapKey,
    Secret,
    SecretKey,
    /// A StatefulSet's `serviceName`.
    Service,
    /// A Service selector that selects no pod.
    ServiceSelector,
    /// A ServiceMonitor selector that selects no Service.
    ServiceMonitorSelector,
    /// A Sentinel `monitor` host that is no Service/pod DNS name of the namespace.
    MonitorHost,
    /// A PersistentVolumeClaim a pod mounts.
    Claim,
}

/// The deployment of one environment.
pub struct Deployment<'a> {
    pub env: Option<&'a str>,
    pub objects: Vec<&'a Node>,
    pub workloads: Vec<Workload<'a>>,
    pub processes: Vec<Process>,
    pub configs: Vec<Traced>,
    pub references: Vec<Reference>,
    /// The cache-strategy JSON documents ([`Deployment::read_cache_strategies`]; empty until read).
    pub cache: Vec<CacheStrategy>,
    /// The glob the cache strategies were looked for with (empty until read).
    pub cache_pattern: String,
    /// The build finished: whatever is absent is really absent.
    pub complete: bool,
    by_id: HashMap<(&'a str, &'a str, &'a str), usize>,
}

/// `metadata.namespace`, or "" (the build's namespace transformer has applied).
pub fn namespace_of(n: &Node) -> &str {
    n.str_at(&["metadata", "namespace"]).unwrap_or("")
}

/// Where an object's `metadata.name` is written (the object itself when it has none): where
/// a finding about the whole object points.
pub fn name_span(n: &Node) -> Span {
    n.path(&["metadata", "name"]).map_or(n.span, |x| x.span)
}

pub fn name_of(n: &Node) -> &str {
    n.str_at(&["metadata", "name"]).unwrap_or("")
}

pub fn kind_of(n: &Node) -> &str {
    n.str_at(&["kind"]).unwrap_or("")
}

impl<'a> Deployment<'a> {
    /// The model of the rendered `resources`. `complete` is false when the build failed
    /// part-way (checks then draw no conclusion from absence).
    pub fn new(
        resources: &'a [Resource],
        env: Option<&'a str>,
        complete: bool,
        sources: &SourceMap,
    ) -> Deployment<'a> {
        let objects: Vec<&Node> = resources.iter().map(|r| &r.node).collect();
        let mut by_id = HashMap::default();
        for (i, o) in objects.iter().enumerate() {
            by_id
                .entry((kind_of(o), namespace_of(o), name_of(o)))
                .or_insert(i);
        }
        let workloads = objects.iter().filter_map(|o| workload(o)).collect();
        let mut d = Deployment {
            env,
            objects,
            workloads,
            processes: Vec::new(),
            configs: Vec::new(),
            references: Vec::new(),
            cache: Vec::new(),
            cache_pattern: String::new(),
            complete,
            by_id,
        };
        trace::processes(&mut d, sources);
        trace::references(&mut d);
        d
    }

    /// The object of `kind` named `name` in `namespace`.
    pub fn object(&self, kind: &str, namespace: &str, name: &str) -> Option<&'a Node> {
        self.by_id
            .get(&(kind, namespace, name))
            .map(|&i| self.objects[i])
    }

    /// Every object of `kind`.
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'a Node> + 's {
        self.objects
            .iter()
            .copied()
            .filter(move |o| kind_of(o) == kind)
    }

    pub fn container(&self, p: &Process) -> &Container<'a> {
        &self.workloads[p.workload].containers[p.container]
    }

    pub fn workload_of(&self, p: &Process) -> &Workload<'a> {
        &self.workloads[p.workload]
    }

    /// Redis server processes.
    pub fn redis(&self) -> impl Iterator<Item = &Process> {
        self.processes.iter().filter(|p| p.kind == ConfKind::Redis)
    }

    /// Sentinel processes.
    pub fn sentinels(&self) -> impl Iterator<Item = &Process> {
        self.processes
            .iter()
            .filter(|p| p.kind == ConfKind::Sentinel)
    }

    pub fn config_of(&self, p: &Process) -> Option<&Traced> {
        p.config.map(|i| &self.configs[i])
    }

    /// The workloads whose pods a Service-style selector (`{key: value}`) selects, in
    /// `namespace`.
    pub fn selected_by(&self, namespace: &str, selector: &Node) -> Vec<usize> {
        let Some(sel) = selector.as_map() else {
            return Vec::new();
        };
        if sel.is_empty() {
            return Vec::new();
        }
        self.workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.namespace == namespace)
            .filter(|(_, w)| {
                sel.entries.iter().all(|e| {
                    matches!((e.key.as_str(), e.value.as_str()), (Some(k), Some(v)) if w.pod_label(k) == Some(v))
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// What a `host` of this namespace's DNS names: a Service, or one pod of a StatefulSet
    /// behind its headless Service (`redis-0.redis-headless.ns.svc.cluster.local`).
    pub fn resolve_host(&self, namespace: &str, host: &str) -> Option<Host<'a>> {
        let host = host.trim_end_matches('.');
        let rest = host
            .strip_suffix(".svc.cluster.local")
            .or_else(|| host.strip_suffix(".svc"))
            .unwrap_or(host);
        let labels: Vec<&str> = rest.split('.').collect();
        let (pod, svc, ns) = match labels.as_slice() {
            [svc] => (None, *svc, namespace),
            [svc, ns] => (None, *svc, *ns),
            [pod, svc, ns] => (Some(*pod), *svc, *ns),
            _ => return None,
        };
        if ns != namespace {
            return None;
        }
        let service = self.object("Service", ns, svc)?;
        let Some(pod) = pod else {
            return Some(Host {
                service,
                statefulset: None,
                ordinal: None,
            });
        };
        // A pod name of a StatefulSet whose serviceName is this Service: NAME-ORDINAL.
        let (set, ordinal) = pod.rsplit_once('-')?;
        let ordinal: i64 = ordinal.parse().ok()?;
        let w = self.workloads.iter().position(|w| {
            w.kind == "StatefulSet"
                && w.name == set
                && w.namespace == ns
                && w.node.str_at(&["spec", "serviceName"]) == Some(svc)
        })?;
        Some(Host {
            service,
            statefulset: Some(w),
            ordinal: Some(ordinal),
        })
    }
}

/// Whether a label selector (`matchLabels`, `matchExpressions`) selects an object with
/// `labels`: [`crate::k8s::selector`]'s semantics (an empty selector selects everything; a
/// missing or malformed one, which the API server refuses, selects nothing).
pub fn selects(selector: &Node, labels: Option<&Node>) -> bool {
    use crate::k8s::selector::{labels_of, Selector};
    Selector::from_node(Some(selector)).is_ok_and(|s| s.matches(&labels_of(labels)))
}

/// Whether ServiceMonitor `sm` selects Service `svc` as the Prometheus Operator does: its
/// `selector` on the Service's labels, in the namespaces of `namespaceSelector` (`any: true`,
/// or `matchNames`; absent: the ServiceMonitor's own namespace).
pub fn service_monitor_selects(sm: &Node, svc: &Node) -> bool {
    let Some(sel) = sm.path(&["spec", "selector"]) else {
        return false;
    };
    let ns_sel = sm.path(&["spec", "namespaceSelector"]);
    let any = ns_sel.and_then(|n| n.get("any")).and_then(Node::as_bool) == Some(true);
    let in_ns = any
        || match ns_sel
            .and_then(|n| n.get("matchNames"))
            .and_then(Node::as_seq)
        {
            Some(names) => names.iter().any(|n| n.as_str() == Some(namespace_of(svc))),
            None => namespace_of(sm) == namespace_of(svc),
        };
    in_ns && selects(sel, svc.path(&["metadata", "labels"]))
}

/// A DNS name resolved in the overlay.
#[derive(Debug, Clone, Copy)]
pub struct Host<'a> {
    pub service: &'a Node,
    /// Index into [`Deployment::workloads`] when the name is a StatefulSet pod's.
    pub statefulset: Option<usize>,
    pub ordinal: Option<i64>,
}

/// The pod template of a workload object, if it is one.
fn workload(o: &Node) -> Option<Workload<'_>> {
    let kind = kind_of(o);
    let template = match kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => o.path(&["spec", "template"])?,
        "CronJob" => o.path(&["spec", "jobTemplate", "spec", "template"])?,
        "Pod" => o,
        _ => return None,
    };
    let pod = template.get("spec")?;
    let mut containers = Vec::new();
    for (field, init) in [("initContainers", true), ("containers", false)] {
        for c in pod.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
            containers.push(container(c, init));
        }
    }
    Some(Workload {
        node: o,
        kind,
        name: name_of(o),
        namespace: namespace_of(o),
        pod_meta: template.get("metadata"),
        pod,
        containers,
    })
}

fn container(c: &Node, init: bool) -> Container<'_> {
    let vars: HashMap<&str, &str> = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| Some((e.get("name")?.as_str()?, e.get("value")?.as_str()?)))
        .collect();
    let mut argv = Vec::new();
    for field in ["command", "args"] {
        for a in c.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(t) = a.as_str() {
                argv.push(Arg {
                    text: expand(t, &vars),
                    span: a.span,
                });
            }
        }
    }
    let image = c.get("image");
    let role = role(
        &argv,
        c.get("command").is_some(),
        image.and_then(Node::as_str),
    );
    let name = c.get("name");
    Container {
        node: c,
        name: name.and_then(Node::as_str).unwrap_or(""),
        name_span: name.map_or(c.span, |n| n.span),
        init,
        argv,
        role,
        image,
    }
}

/// Kubernetes' `$(VAR)` expansion of command and args: a defined literal var is replaced,
/// `$$` is a literal `$`, anything else stays as written.
pub fn expand(text: &str, vars: &HashMap<&str, &str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            out.push('$');
            rest = a;
        } else if let Some(body) = after.strip_prefix('(') {
            match body.find(')') {
                Some(j) if vars.contains_key(&body[..j]) => {
                    out.push_str(vars[&body[..j]]);
                    rest = &body[j + 1..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The program a command line runs, looking through `sh -c SCRIPT` and `exec`.
pub fn program_words(argv: &[Arg]) -> Vec<String> {
    let Some(first) = argv.first() else {
        return Vec::new();
    };
    let shell = matches!(
        basename(&first.text),
        "sh" | "bash" | "ash" | "dash" | "zsh"
    );
    if shell {
        if let Some(script) = argv
            .iter()
            .position(|a| a.text.starts_with('-') && a.text.contains('c'))
            .and_then(|i| argv.get(i + 1))
        {
            for cmd in shell::commands(&script.text) {
                let mut words: Vec<String> = cmd.words.into_iter().map(|w| w.text).collect();
                while words
                    .first()
                    .is_some_and(|w| w == "exec" || w.contains('=') && !w.starts_with('-'))
                {
                    words.remove(0);
                }
                if words.first().is_some_and(|w| {
                    matches!(
                        basename(w),
                        "redis-server" | "redis-sentinel" | "redis_exporter"
                    )
                }) {
                    return words;
                }
            }
            return Vec::new();
        }
    }
    argv.iter().map(|a| a.text.clone()).collect()
}

/// A container's role by its program; without `command` the image's entrypoint runs (with the
/// `args`), so a redis_exporter image is the exporter whatever its flags.
fn role(argv: &[Arg], has_command: bool, image: Option<&str>) -> Role {
    let words = program_words(argv);
    match words.first().map(|w| basename(w)) {
        Some("redis-sentinel") => Role::Sentinel,
        Some("redis-server") if words.iter().any(|w| w == "--sentinel") => Role::Sentinel,
        Some("redis-server") => Role::Redis,
        Some("redis_exporter") => Role::Exporter,
        _ if !has_command && image.is_some_and(|i| image_name(i).ends_with("redis_exporter")) => {
            Role::Exporter
        }
        _ => Role::Other,
    }
}

/// The repository part of an image reference (`oliver006/redis_exporter` of
/// `oliver006/redis_exporter:v1.62.0@sha256:…`).
pub fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}
