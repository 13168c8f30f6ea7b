//! Differential test of the native Kustomize build against the real `kubectl kustomize`.
//!
//! A seeded generator writes random but realistic Redis trees (a base with a StatefulSet or
//! Deployment, Services, a NetworkPolicy, a backup CronJob, a PDB, RBAC, generated
//! ConfigMaps/Secrets they reference; optionally a middle overlay, a component and a sibling
//! base; a top overlay that uses most Kustomize features at once, see [`FEATURES`]). Each tree
//! is built by kubectl (the oracle) and by `grill_lint::kustomize::build`; both must succeed
//! with the same documents in the same order, or both must fail. About 10% of the trees are
//! broken on purpose to test the failure path (kubectl must refuse each of them).
//!
//! Environment: `GRILL_DIFF_TREES` (default 200) trees per run, `GRILL_DIFF_SEED` (default
//! [`DEFAULT_SEED`]) the run's seed, `GRILL_DIFF_ONLY` a single tree index to re-run. Every
//! mismatch prints the seed, the tree index, the tree's files and the first difference; the
//! test collects all mismatches before failing. Without kubectl the oracle test skips loudly
//! (fails under `CI=true`); the generator's own tests always run.

mod common;

use common::{Kubectl, Outcome, TempDir};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

const DEFAULT_SEED: u64 = 0x6772_696c_6c00_0001;
const DEFAULT_TREES: usize = 200;
/// Concurrent oracle calls (the machine is shared; two keep the run short without hogging it).
const WORKERS: usize = 2;
/// Mismatches printed with the whole tree; later ones print only their difference.
const FULL_REPORTS: usize = 12;
/// The directory of a generated tree that is built.
const TARGET: &str = "overlay";

// ---------------------------------------------------------------------------------------------
// A small PRNG (splitmix64): reproducible from a seed, no dependency.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A random non-empty subset (when `items` is non-empty) in random order.
    fn subset<T: Clone>(&mut self, items: &[T]) -> Vec<T> {
        let mut out: Vec<T> = items.to_vec();
        for i in (1..out.len()).rev() {
            out.swap(i, self.below(i + 1));
        }
        let keep = 1 + self.below(out.len().max(1));
        out.truncate(keep);
        out
    }
}

/// The seed of tree `index` in a run seeded with `seed`.
fn tree_seed(seed: u64, index: usize) -> u64 {
    let mut r = Rng::new(seed ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    r.next_u64()
}

// ---------------------------------------------------------------------------------------------
// A YAML value with control over how it is written, and its writer.

#[derive(Clone, Debug)]
enum Y {
    /// A string, written plain when that reads back as the same string, else double-quoted.
    Str(String),
    /// A scalar written exactly as given (numbers, booleans, YAML 1.1-looking words).
    Raw(String),
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
    /// The subtree in flow style (`{a: b}`, `[x, y]`).
    Flow(Box<Y>),
    /// A literal block scalar (`|`), for multi-line text.
    Block(String),
}

fn s(x: impl Into<String>) -> Y {
    Y::Str(x.into())
}
fn raw(x: impl ToString) -> Y {
    Y::Raw(x.to_string())
}
fn map<K: Into<String>>(entries: Vec<(K, Y)>) -> Y {
    Y::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}
fn empty_map() -> Y {
    Y::Map(Vec::new())
}
fn seq(items: Vec<Y>) -> Y {
    Y::Seq(items)
}
fn flow(y: Y) -> Y {
    Y::Flow(Box::new(y))
}
fn labels(pairs: &[(&str, &str)]) -> Y {
    map(pairs.iter().map(|(k, v)| (*k, s(*v))).collect())
}

impl Y {
    /// Sets a map entry, replacing an existing one in place (no-op on other values).
    fn with(mut self, key: &str, value: Y) -> Y {
        if let Y::Map(m) = &mut self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => m.push((key.to_string(), value)),
            }
        }
        self
    }
    /// Appends `item` to the sequence under `key`, creating it when absent.
    fn push_to(mut self, key: &str, item: Y) -> Y {
        if let Y::Map(m) = &mut self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, Y::Seq(items))) => items.push(item),
                Some((_, v)) => *v = seq(vec![item]),
                None => m.push((key.to_string(), seq(vec![item]))),
            }
        }
        self
    }
}

/// True when `t` written plain reads back as the string `t` in both YAML 1.1 and 1.2.
fn plain_ok(t: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let first = t.chars().next();
    first.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '$')
        && !WORDS.contains(&t.to_ascii_lowercase().as_str())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-:$@=".contains(c))
        && !t.ends_with(':')
}

fn scalar_text(t: &str) -> String {
    if plain_ok(t) {
        t.to_string()
    } else {
        serde_json::Value::String(t.to_string()).to_string()
    }
}

fn key_text(k: &str) -> String {
    scalar_text(k)
}

/// Writes one document (a map or a sequence at the top level).
fn to_yaml(y: &Y) -> String {
    let mut out = String::new();
    write_node(y, 0, &mut out);
    out
}

fn write_node(y: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match y {
        Y::Map(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                let _ = write!(out, "{pad}{}:", key_text(k));
                write_value(v, indent, out);
            }
        }
        Y::Seq(items) if !items.is_empty() => {
            for item in items {
                let _ = write!(out, "{pad}-");
                write_item(item, indent, out);
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", flow_text(other));
        }
    }
}

/// The value after `key:` (the key is already written at `indent`).
fn write_value(v: &Y, indent: usize, out: &mut String) {
    match v {
        Y::Map(m) if !m.is_empty() => {
            out.push('\n');
            write_node(v, indent + 2, out);
        }
        // Sequences at the key's own indentation, as kustomize writes them.
        Y::Seq(items) if !items.is_empty() => {
            out.push('\n');
            write_node(v, indent, out);
        }
        Y::Block(text) => write_block(text, indent + 2, out),
        other => {
            let _ = writeln!(out, " {}", flow_text(other));
        }
    }
}

/// A sequence item after `- ` (the dash is already written at `indent`).
fn write_item(v: &Y, indent: usize, out: &mut String) {
    match v {
        Y::Map(m) if !m.is_empty() => {
            let mut first = true;
            for (k, val) in m {
                if first {
                    let _ = write!(out, " {}:", key_text(k));
                    first = false;
                } else {
                    let _ = write!(out, "{}{}:", " ".repeat(indent + 2), key_text(k));
                }
                write_value(val, indent + 2, out);
            }
        }
        Y::Block(text) => write_block(text, indent + 2, out),
        other => {
            let _ = writeln!(out, " {}", flow_text(other));
        }
    }
}

fn write_block(text: &str, indent: usize, out: &mut String) {
    let chomp = if text.ends_with('\n') { "" } else { "-" };
    let _ = writeln!(out, " |{chomp}");
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{}{line}", " ".repeat(indent));
        }
    }
}

/// A value in flow style (also used for scalars and empty collections).
fn flow_text(y: &Y) -> String {
    match y {
        Y::Str(t) => scalar_text(t),
        Y::Raw(t) => t.clone(),
        Y::Block(t) => serde_json::Value::String(t.clone()).to_string(),
        Y::Flow(inner) => flow_text(inner),
        Y::Map(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k), flow_text(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Y::Seq(items) => {
            let parts: Vec<String> = items.iter().map(flow_text).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// A value as JSON text (raw scalars that are not JSON become strings).
fn json_text(y: &Y) -> String {
    to_json(y).to_string()
}

fn to_json(y: &Y) -> serde_json::Value {
    use serde_json::Value as J;
    match y {
        Y::Str(t) | Y::Block(t) => J::String(t.clone()),
        Y::Raw(t) => serde_json::from_str(t).unwrap_or_else(|_| J::String(t.clone())),
        Y::Flow(inner) => to_json(inner),
        Y::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Y::Seq(items) => J::Array(items.iter().map(to_json).collect()),
    }
}

/// Several documents in one file.
fn multi_doc(docs: &[Y]) -> String {
    docs.iter().map(to_yaml).collect::<Vec<_>>().join("---\n")
}

// ---------------------------------------------------------------------------------------------
// The tree generator.

/// Every feature the generator can use; the coverage test requires each in a default run.
const FEATURES: &[&str] = &[
    "resources-file",
    "resources-dir",
    "multi-doc-file",
    "kind-list",
    "bases-field",
    "mid-overlay",
    "component",
    "statefulset",
    "deployment",
    "service",
    "networkpolicy",
    "cronjob",
    "volume-claim-templates",
    "plain-configmap",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "labels",
    "labels-includeSelectors",
    "labels-includeTemplates",
    "commonLabels",
    "commonAnnotations",
    "smp-inline",
    "smp-file",
    "smp-reorder-containers",
    "smp-delete-directive",
    "target-kind",
    "target-name",
    "smp-target-regex",
    "smp-target-labelSelector",
    "json6902-inline",
    "json6902-file",
    "json6902-json-form",
    "json6902-target-regex",
    "json6902-target-labelSelector",
    "json6902-yaml11-value",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configmap-literals",
    "configmap-files",
    "configmap-envs",
    "secret-generator",
    "behavior-create",
    "behavior-merge",
    "behavior-replace",
    "generatorOptions",
    "generator-options",
    "name-reference-volume",
    "name-reference-envFrom",
    "name-reference-env",
    "images",
    "replicas",
    "rbac",
    "sibling-base",
    "yaml11-scalar-in-resource",
    "pdb",
    "smp-ports",
    "smp-replace-directive",
    "smp-null-delete",
    "name-reference-configMapKeyRef",
    "name-reference-projected",
    "secret-tls-files",
    "deliberate-failure",
];

/// A generated tree: files by relative path, and the features it uses.
struct Tree {
    files: BTreeMap<String, String>,
    features: BTreeSet<&'static str>,
}

impl Tree {
    fn write_to(&self, root: &std::path::Path) {
        for (rel, text) in &self.files {
            common::write_file(root, rel, text);
        }
    }
    fn listing(&self) -> String {
        let mut out = String::new();
        for (rel, text) in &self.files {
            let _ = writeln!(out, "--- {rel}");
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

/// A container of the Redis workload as the generator knows it.
#[derive(Clone)]
struct Container {
    name: &'static str,
    image: &'static str,
    port: (&'static str, u32),
}

const CONTAINERS: &[Container] = &[
    Container {
        name: "redis",
        image: "redis:7.0.15",
        port: ("redis", 6379),
    },
    Container {
        name: "exporter",
        image: "oliver006/redis_exporter:v1.55.0",
        port: ("metrics", 9121),
    },
    Container {
        name: "sentinel",
        image: "redis:7.0.15",
        port: ("sentinel", 26379),
    },
];

/// What the overlays may refer to in the base.
struct Base {
    workload_kind: &'static str,
    containers: Vec<Container>,
    has_cronjob: bool,
    has_rbac: bool,
    has_netpol: bool,
    /// Generated ConfigMaps / Secrets of the base (names before any prefix).
    configmaps: Vec<&'static str>,
    secrets: Vec<&'static str>,
}

struct Gen {
    rng: Rng,
    files: BTreeMap<String, String>,
    features: BTreeSet<&'static str>,
}

impl Gen {
    fn file(&mut self, rel: &str, text: String) {
        self.files.insert(rel.to_string(), text);
    }
    fn feature(&mut self, f: &'static str) {
        debug_assert!(FEATURES.contains(&f), "unknown feature {f}");
        self.features.insert(f);
    }
    fn chance(&mut self, p: u64) -> bool {
        self.rng.chance(p)
    }
}

/// Generates tree `index` of the run `seed`.
fn gen_tree(seed: u64, index: usize) -> Tree {
    let mut g = Gen {
        rng: Rng::new(tree_seed(seed, index)),
        files: BTreeMap::new(),
        features: BTreeSet::new(),
    };
    let base = gen_base(&mut g);
    let parent = if g.chance(35) {
        g.feature("mid-overlay");
        gen_mid(&mut g, &base);
        "../mid"
    } else {
        "../base"
    };
    let component = g.chance(35).then(|| gen_component(&mut g, &base));
    gen_overlay(&mut g, &base, parent, component);
    Tree {
        files: g.files,
        features: g.features,
    }
}

fn kustomization(kind: &str) -> Y {
    let api = if kind == "Component" {
        "kustomize.config.k8s.io/v1alpha1"
    } else {
        "kustomize.config.k8s.io/v1beta1"
    };
    map(vec![("apiVersion", s(api)), ("kind", s(kind))])
}

fn meta(name: &str, lbls: Y) -> Y {
    map(vec![("name", s(name)), ("labels", lbls)])
}

fn base_labels() -> Y {
    labels(&[("app", "redis"), ("app.kubernetes.io/component", "cache")])
}

fn gen_base(g: &mut Gen) -> Base {
    let workload_kind = if g.chance(75) {
        g.feature("statefulset");
        "StatefulSet"
    } else {
        g.feature("deployment");
        "Deployment"
    };
    let mut containers = vec![CONTAINERS[0].clone()];
    if g.chance(70) {
        containers.push(CONTAINERS[1].clone());
    }
    if g.chance(25) {
        containers.push(CONTAINERS[2].clone());
    }
    if g.chance(20) {
        containers.reverse();
    }
    let mut base = Base {
        workload_kind,
        containers,
        has_cronjob: g.chance(60),
        has_netpol: g.chance(70),
        has_rbac: g.chance(35),
        configmaps: vec!["redis-config"],
        secrets: vec!["redis-auth"],
    };
    let mut kust = kustomization("Kustomization");
    let mut resources = Vec::new();

    // Generators the workload refers to.
    let mut cm_gens = vec![gen_redis_config(g, "base")];
    if g.chance(60) {
        base.configmaps.push("redis-env");
        cm_gens.push(gen_env_configmap(g, "base", "redis-env"));
    }
    kust = kust.with("configMapGenerator", seq(cm_gens));
    kust = kust.with(
        "secretGenerator",
        seq(vec![map(vec![
            ("name", s("redis-auth")),
            (
                "literals",
                seq(vec![s(format!("password=pw-{}", g.rng.below(1000)))]),
            ),
        ])]),
    );
    g.feature("secret-generator");
    if g.chance(30) {
        kust = kust.with("generatorOptions", gen_options(g));
    }

    let workload = gen_workload(g, &base);
    g.file("base/workload.yaml", to_yaml(&workload));
    resources.push(s("workload.yaml"));
    g.feature("resources-file");

    let svc = service("redis", false, g.chance(85));
    let headless = service("redis-headless", true, true);
    g.feature("service");
    if g.chance(20) {
        g.feature("kind-list");
        let list = map(vec![
            ("apiVersion", s("v1")),
            ("kind", s("List")),
            ("items", seq(vec![svc, headless])),
        ]);
        g.file("base/services.yaml", to_yaml(&list));
    } else {
        g.feature("multi-doc-file");
        g.file("base/services.yaml", multi_doc(&[svc, headless]));
    }
    resources.push(s("services.yaml"));

    if g.chance(25) {
        g.feature("pdb");
        let pdb = map(vec![
            ("apiVersion", s("policy/v1")),
            ("kind", s("PodDisruptionBudget")),
            ("metadata", meta("redis", base_labels())),
            (
                "spec",
                map(vec![
                    ("minAvailable", raw(1)),
                    (
                        "selector",
                        map(vec![("matchLabels", labels(&[("app", "redis")]))]),
                    ),
                ]),
            ),
        ]);
        g.file("base/pdb.yaml", to_yaml(&pdb));
        resources.push(s("pdb.yaml"));
    }
    if base.has_rbac {
        let text = rbac(g);
        g.file("base/rbac.yaml", text);
        resources.push(s("rbac.yaml"));
    }
    if base.has_cronjob {
        g.feature("cronjob");
        let cj = cronjob(g);
        g.file("base/cronjob.yaml", to_yaml(&cj));
        resources.push(s("cronjob.yaml"));
    }
    if g.chance(30) {
        g.feature("plain-configmap");
        g.feature("yaml11-scalar-in-resource");
        let cm = map(vec![
            ("apiVersion", s("v1")),
            ("kind", s("ConfigMap")),
            ("metadata", meta("redis-scripts", base_labels())),
            (
                "data",
                map(vec![
                    (
                        "healthcheck.sh",
                        Y::Block("#!/bin/sh\nredis-cli ping | grep -q PONG\n".into()),
                    ),
                    // Read as YAML 1.2 by kustomize: `on`/`yes` stay strings.
                    (
                        "appendonly",
                        raw(*g.rng.pick(&["on", "yes", "off", "\"on\""])),
                    ),
                ]),
            ),
        ]);
        g.file("base/scripts.yaml", to_yaml(&cm));
        resources.push(s("scripts.yaml"));
    }
    if base.has_netpol {
        g.feature("networkpolicy");
        g.feature("resources-dir");
        let np = netpol(g);
        g.file("base/policy/netpol.yaml", to_yaml(&np));
        let mut sub = kustomization("Kustomization").with("resources", seq(vec![s("netpol.yaml")]));
        if g.chance(30) {
            sub = sub.with(
                "labels",
                seq(vec![map(vec![("pairs", labels(&[("policy", "strict")]))])]),
            );
        }
        g.file("base/policy/kustomization.yaml", to_yaml(&sub));
        resources.push(s("policy"));
    }
    if g.chance(25) {
        g.feature("commonLabels");
        kust = kust.with(
            "commonLabels",
            labels(&[("app.kubernetes.io/part-of", "redis")]),
        );
    }
    kust = kust.with("resources", seq(resources));
    g.file("base/kustomization.yaml", to_yaml(&kust));
    base
}

fn redis_conf(g: &mut Gen) -> String {
    let mem = g.rng.pick(&["100mb", "256mb", "1gb"]);
    let policy = g.rng.pick(&["allkeys-lru", "noeviction", "volatile-lfu"]);
    format!("# generated\nmaxmemory {mem}\nmaxmemory-policy {policy}\nappendonly yes\n")
}

/// `redis-config` from a file (sometimes under another key).
fn gen_redis_config(g: &mut Gen, dir: &str) -> Y {
    g.feature("configmap-files");
    let conf = redis_conf(g);
    g.file(&format!("{dir}/redis.conf"), conf);
    let entry = if g.chance(30) {
        s("redis-main.conf=redis.conf")
    } else {
        s("redis.conf")
    };
    let mut gen = map(vec![
        ("name", s("redis-config")),
        ("files", seq(vec![entry])),
    ]);
    if g.chance(20) {
        g.feature("generator-options");
        gen = gen.with(
            "options",
            map(vec![("labels", labels(&[("config", "redis")]))]),
        );
    }
    gen
}

/// A ConfigMap from literals or an env file.
fn gen_env_configmap(g: &mut Gen, dir: &str, name: &str) -> Y {
    let mut gen = map(vec![("name", s(name))]);
    if g.chance(50) {
        g.feature("configmap-envs");
        let file = format!("{name}.env");
        g.file(
            &format!("{dir}/{file}"),
            "# settings\nLOG_LEVEL=notice\nEXTRA_ARGS=--save 60=1\n\nREDIS_PORT=6379\n".into(),
        );
        gen = gen.with("envs", seq(vec![s(file)]));
    } else {
        g.feature("configmap-literals");
        let level = g.rng.pick(&["debug", "\"quoted value\"", "a=b", "on"]);
        gen = gen.with(
            "literals",
            seq(vec![s(format!("LOG_LEVEL={level}")), s("REDIS_PORT=6379")]),
        );
    }
    gen
}

fn gen_options(g: &mut Gen) -> Y {
    g.feature("generatorOptions");
    let mut opts = map(vec![("labels", labels(&[("generated", "true")]))]);
    if g.chance(30) {
        opts = opts.with("annotations", labels(&[("note", "generated by kustomize")]));
    }
    if g.chance(20) {
        opts = opts.with("disableNameSuffixHash", raw("true"));
    }
    opts
}

fn container(g: &mut Gen, c: &Container, base: &Base) -> Y {
    let mut env = vec![map(vec![("name", s("ROLE")), ("value", s(c.name))])];
    if c.name == "redis" {
        g.feature("name-reference-env");
        env.push(map(vec![
            ("name", s("REDIS_PASSWORD")),
            (
                "valueFrom",
                map(vec![(
                    "secretKeyRef",
                    map(vec![("name", s("redis-auth")), ("key", s("password"))]),
                )]),
            ),
        ]));
    }
    if c.name == "redis" && base.configmaps.contains(&"redis-env") && g.chance(50) {
        g.feature("name-reference-configMapKeyRef");
        env.push(map(vec![
            ("name", s("LOG_LEVEL")),
            (
                "valueFrom",
                map(vec![(
                    "configMapKeyRef",
                    map(vec![("name", s("redis-env")), ("key", s("LOG_LEVEL"))]),
                )]),
            ),
        ]));
    }
    let mut port = map(vec![
        ("name", s(c.port.0)),
        ("containerPort", raw(c.port.1)),
    ]);
    if g.chance(30) {
        port = port.with("protocol", s("TCP"));
    }
    let mut y = map(vec![
        ("name", s(c.name)),
        ("image", s(c.image)),
        ("ports", seq(vec![port])),
        ("env", seq(env)),
    ]);
    if c.name == "redis" {
        if base.configmaps.contains(&"redis-env") {
            g.feature("name-reference-envFrom");
            y = y.with(
                "envFrom",
                seq(vec![map(vec![(
                    "configMapRef",
                    map(vec![("name", s("redis-env"))]),
                )])]),
            );
        }
        y = y.with(
            "args",
            seq(vec![s("/etc/redis/redis.conf"), s("--port"), s("6379")]),
        );
        y = y.with(
            "volumeMounts",
            seq(vec![map(vec![
                ("name", s("config")),
                ("mountPath", s("/etc/redis")),
            ])]),
        );
    }
    if g.chance(30) {
        y = y.with(
            "resources",
            map(vec![(
                "limits",
                flow(map(vec![("memory", s("512Mi")), ("cpu", s("500m"))])),
            )]),
        );
    }
    y
}

fn pod_spec(base: &Base, containers: Vec<Y>, volumes: Y) -> Y {
    let spec = map(vec![("containers", seq(containers)), ("volumes", volumes)]);
    if base.has_rbac {
        spec.with("serviceAccountName", s("redis"))
    } else {
        spec
    }
}

/// ServiceAccount, Role and RoleBinding of the workload (the binding's subjects get the
/// namespace transformer's special treatment).
fn rbac(g: &mut Gen) -> String {
    g.feature("rbac");
    let sa = map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("ServiceAccount")),
        ("metadata", meta("redis", base_labels())),
    ]);
    let role = map(vec![
        ("apiVersion", s("rbac.authorization.k8s.io/v1")),
        ("kind", s("Role")),
        ("metadata", meta("redis", base_labels())),
        (
            "rules",
            seq(vec![map(vec![
                ("apiGroups", flow(seq(vec![s("")]))),
                ("resources", flow(seq(vec![s("pods")]))),
                ("verbs", flow(seq(vec![s("get"), s("list")]))),
            ])]),
        ),
    ]);
    let mut subjects = vec![map(vec![
        ("kind", s("ServiceAccount")),
        ("name", s("redis")),
    ])];
    if g.chance(40) {
        subjects.push(map(vec![
            ("kind", s("ServiceAccount")),
            ("name", s("external")),
            ("namespace", s("other-ns")),
        ]));
    }
    let binding = map(vec![
        ("apiVersion", s("rbac.authorization.k8s.io/v1")),
        ("kind", s("RoleBinding")),
        ("metadata", meta("redis", base_labels())),
        (
            "roleRef",
            map(vec![
                ("apiGroup", s("rbac.authorization.k8s.io")),
                ("kind", s("Role")),
                ("name", s("redis")),
            ]),
        ),
        ("subjects", seq(subjects)),
    ]);
    multi_doc(&[sa, role, binding])
}

/// A sibling base (`sentinel/`) whose Deployment refers to the main base's generated
/// ConfigMap and Secret: kustomize fixes such references at the root, across bases.
fn gen_sibling(g: &mut Gen) -> &'static str {
    g.feature("sibling-base");
    let c = map(vec![
        ("name", s("sentinel")),
        ("image", s("redis:7.0.15")),
        (
            "env",
            seq(vec![map(vec![
                ("name", s("REDIS_PASSWORD")),
                (
                    "valueFrom",
                    map(vec![(
                        "secretKeyRef",
                        map(vec![("name", s("redis-auth")), ("key", s("password"))]),
                    )]),
                ),
            ])]),
        ),
        (
            "volumeMounts",
            seq(vec![map(vec![
                ("name", s("config")),
                ("mountPath", s("/etc/redis")),
            ])]),
        ),
    ]);
    let deploy = map(vec![
        ("apiVersion", s("apps/v1")),
        ("kind", s("Deployment")),
        ("metadata", meta("sentinel", labels(&[("app", "sentinel")]))),
        (
            "spec",
            map(vec![
                (
                    "selector",
                    map(vec![("matchLabels", labels(&[("app", "sentinel")]))]),
                ),
                (
                    "template",
                    map(vec![
                        (
                            "metadata",
                            map(vec![("labels", labels(&[("app", "sentinel")]))]),
                        ),
                        (
                            "spec",
                            map(vec![
                                ("containers", seq(vec![c])),
                                (
                                    "volumes",
                                    seq(vec![map(vec![
                                        ("name", s("config")),
                                        ("configMap", map(vec![("name", s("redis-config"))])),
                                    ])]),
                                ),
                            ]),
                        ),
                    ]),
                ),
            ]),
        ),
    ]);
    g.file("sentinel/sentinel.yaml", to_yaml(&deploy));
    let mut kust = kustomization("Kustomization").with("resources", seq(vec![s("sentinel.yaml")]));
    if g.chance(50) {
        kust = kust.with("namePrefix", s("s-"));
    }
    g.file("sentinel/kustomization.yaml", to_yaml(&kust));
    "../sentinel"
}

fn gen_workload(g: &mut Gen, base: &Base) -> Y {
    g.feature("name-reference-volume");
    let containers: Vec<Y> = base
        .containers
        .clone()
        .iter()
        .map(|c| container(g, c, base))
        .collect();
    let mut volumes = vec![
        map(vec![
            ("name", s("config")),
            ("configMap", map(vec![("name", s("redis-config"))])),
        ]),
        map(vec![("name", s("tmp")), ("emptyDir", flow(empty_map()))]),
    ];
    if g.chance(20) {
        g.feature("name-reference-projected");
        volumes.push(map(vec![
            ("name", s("bundle")),
            (
                "projected",
                map(vec![(
                    "sources",
                    seq(vec![
                        map(vec![("configMap", map(vec![("name", s("redis-config"))]))]),
                        map(vec![("secret", map(vec![("name", s("redis-auth"))]))]),
                    ]),
                )]),
            ),
        ]));
    }
    let volumes = seq(volumes);
    let template = map(vec![
        (
            "metadata",
            map(vec![("labels", labels(&[("app", "redis")]))]),
        ),
        ("spec", pod_spec(base, containers, volumes)),
    ]);
    let mut spec = empty_map();
    if base.workload_kind == "StatefulSet" {
        spec = spec.with("serviceName", s("redis-headless"));
    }
    spec = spec
        .with("replicas", raw(1 + g.rng.below(3)))
        .with(
            "selector",
            map(vec![("matchLabels", labels(&[("app", "redis")]))]),
        )
        .with("template", template);
    if base.workload_kind == "StatefulSet" && g.chance(40) {
        g.feature("volume-claim-templates");
        spec = spec.with(
            "volumeClaimTemplates",
            seq(vec![map(vec![
                ("metadata", map(vec![("name", s("data"))])),
                (
                    "spec",
                    map(vec![
                        ("accessModes", flow(seq(vec![s("ReadWriteOnce")]))),
                        (
                            "resources",
                            map(vec![("requests", map(vec![("storage", s("1Gi"))]))]),
                        ),
                    ]),
                ),
            ])]),
        );
    }
    map(vec![
        ("apiVersion", s("apps/v1")),
        ("kind", s(base.workload_kind)),
        ("metadata", meta("redis", base_labels())),
        ("spec", spec),
    ])
}

fn service(name: &str, headless: bool, with_selector: bool) -> Y {
    let mut spec = empty_map();
    if headless {
        spec = spec.with("clusterIP", s("None"));
    }
    if with_selector {
        spec = spec.with("selector", labels(&[("app", "redis")]));
    }
    spec = spec.with(
        "ports",
        seq(vec![map(vec![
            ("name", s("redis")),
            ("port", raw(6379)),
            ("targetPort", s("redis")),
        ])]),
    );
    map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Service")),
        ("metadata", meta(name, base_labels())),
        ("spec", spec),
    ])
}

fn cronjob(g: &mut Gen) -> Y {
    let schedule = g.rng.pick(&["0 3 * * *", "@daily", "*/30 * * * *"]);
    let c = map(vec![
        ("name", s("backup")),
        ("image", s("redis:7.0.15")),
        (
            "args",
            flow(seq(vec![
                s("redis-cli"),
                s("-h"),
                s("redis"),
                s("--rdb"),
                s("/backup/dump.rdb"),
            ])),
        ),
        (
            "envFrom",
            seq(vec![map(vec![(
                "secretRef",
                map(vec![("name", s("redis-auth"))]),
            )])]),
        ),
    ]);
    let pod = map(vec![
        ("restartPolicy", s("OnFailure")),
        ("containers", seq(vec![c])),
    ]);
    map(vec![
        ("apiVersion", s("batch/v1")),
        ("kind", s("CronJob")),
        ("metadata", meta("redis-backup", base_labels())),
        (
            "spec",
            map(vec![
                ("schedule", s(*schedule)),
                (
                    "jobTemplate",
                    map(vec![(
                        "spec",
                        map(vec![("template", map(vec![("spec", pod)]))]),
                    )]),
                ),
            ]),
        ),
    ])
}

fn netpol(g: &mut Gen) -> Y {
    let pod_selector = if g.chance(20) {
        flow(empty_map())
    } else {
        map(vec![("matchLabels", labels(&[("app", "redis")]))])
    };
    map(vec![
        ("apiVersion", s("networking.k8s.io/v1")),
        ("kind", s("NetworkPolicy")),
        ("metadata", meta("redis", base_labels())),
        (
            "spec",
            map(vec![
                ("podSelector", pod_selector),
                ("policyTypes", seq(vec![s("Ingress")])),
                (
                    "ingress",
                    seq(vec![map(vec![
                        (
                            "from",
                            seq(vec![map(vec![(
                                "podSelector",
                                map(vec![("matchLabels", labels(&[("app", "redis-client")]))]),
                            )])]),
                        ),
                        ("ports", seq(vec![map(vec![("port", raw(6379))])])),
                    ])]),
                ),
            ]),
        ),
    ])
}

/// A middle overlay: its own prefix or suffix, a generator merge, a patch.
fn gen_mid(g: &mut Gen, base: &Base) {
    let mut kust = kustomization("Kustomization").with("resources", seq(vec![s("../base")]));
    if g.chance(60) {
        g.feature("namePrefix");
        kust = kust.with("namePrefix", s("mid-"));
    } else {
        g.feature("nameSuffix");
        kust = kust.with("nameSuffix", s("-m"));
    }
    if g.chance(30) {
        g.feature("namespace");
        kust = kust.with("namespace", s("cache-mid"));
    }
    if g.chance(60) {
        g.feature("behavior-merge");
        g.feature("configmap-literals");
        kust = kust.with(
            "configMapGenerator",
            seq(vec![map(vec![
                ("name", s("redis-config")),
                ("behavior", s("merge")),
                ("literals", seq(vec![s("mid.setting=yes")])),
            ])]),
        );
    }
    if g.chance(50) {
        let patch = smp_workload(g, base, "redis");
        g.feature("smp-file");
        g.file("mid/workload-patch.yaml", to_yaml(&patch));
        kust = kust.with(
            "patches",
            seq(vec![map(vec![("path", s("workload-patch.yaml"))])]),
        );
    }
    g.file("mid/kustomization.yaml", to_yaml(&kust));
}

/// A component: a resource of its own, a generator merge, a patch that mounts it.
fn gen_component(g: &mut Gen, base: &Base) -> &'static str {
    g.feature("component");
    g.feature("behavior-merge");
    g.file("components/tls/tls.conf", "tls-port 6380\nport 0\n".into());
    let svc = map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Service")),
        ("metadata", meta("redis-tls", base_labels())),
        (
            "spec",
            map(vec![
                ("selector", labels(&[("app", "redis")])),
                (
                    "ports",
                    seq(vec![map(vec![("name", s("tls")), ("port", raw(6380))])]),
                ),
            ]),
        ),
    ]);
    g.file("components/tls/service.yaml", to_yaml(&svc));
    let patch = map(vec![
        ("apiVersion", s("apps/v1")),
        ("kind", s(base.workload_kind)),
        ("metadata", map(vec![("name", s("redis"))])),
        (
            "spec",
            map(vec![(
                "template",
                map(vec![(
                    "spec",
                    map(vec![(
                        "volumes",
                        seq(vec![map(vec![
                            ("name", s("tls")),
                            ("secret", map(vec![("secretName", s("redis-tls"))])),
                        ])]),
                    )]),
                )]),
            )]),
        ),
    ]);
    g.feature("secret-tls-files");
    g.file(
        "components/tls/tls.crt",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
    );
    g.file(
        "components/tls/tls.key",
        "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".into(),
    );
    let kust = kustomization("Component")
        .with("resources", seq(vec![s("service.yaml")]))
        .with(
            "secretGenerator",
            seq(vec![map(vec![
                ("name", s("redis-tls")),
                ("type", s("kubernetes.io/tls")),
                ("files", seq(vec![s("tls.crt"), s("tls.key")])),
            ])]),
        )
        .with(
            "configMapGenerator",
            seq(vec![map(vec![
                ("name", s("redis-config")),
                ("behavior", s("merge")),
                ("files", seq(vec![s("tls.conf")])),
            ])]),
        )
        .with(
            "patches",
            seq(vec![map(vec![("patch", Y::Block(to_yaml(&patch)))])]),
        );
    g.file("components/tls/kustomization.yaml", to_yaml(&kust));
    "../components/tls"
}

/// An SMP on the workload: a random subset of its containers in random order (kustomize
/// moves the named ones to the front), with env additions and image/resources changes.
fn smp_workload(g: &mut Gen, base: &Base, name: &str) -> Y {
    let chosen = g.rng.subset(&base.containers);
    if chosen.len() > 1 || chosen.first().map(|c| c.name) != base.containers.first().map(|c| c.name)
    {
        g.feature("smp-reorder-containers");
    }
    let mut containers = Vec::new();
    for c in &chosen {
        let mut y = map(vec![("name", s(c.name))]);
        if g.chance(60) {
            y = y.with(
                "env",
                seq(vec![map(vec![("name", s("PATCHED")), ("value", s("yes"))])]),
            );
        }
        match g.rng.below(10) {
            0..=2 => {
                y = y.with(
                    "resources",
                    map(vec![("requests", map(vec![("memory", s("256Mi"))]))]),
                );
            }
            3 => {
                g.feature("smp-replace-directive");
                y = y.with(
                    "resources",
                    map(vec![
                        ("$patch", s("replace")),
                        ("limits", map(vec![("memory", s("1Gi"))])),
                    ]),
                );
            }
            4 => {
                g.feature("smp-null-delete");
                y = y.with("resources", raw("null"));
            }
            _ => {}
        }
        if g.chance(20) {
            y = y.with("image", s(format!("{}-patched", c.image)));
        }
        if g.chance(15) {
            // Ports merge on containerPort (+ protocol): a renamed port, with or without one.
            g.feature("smp-ports");
            let mut port = map(vec![
                ("containerPort", raw(c.port.1)),
                ("name", s(format!("{}-p", c.port.0))),
            ]);
            if g.chance(50) {
                port = port.with("protocol", s("TCP"));
            }
            y = y.with("ports", seq(vec![port]));
        }
        containers.push(y);
    }
    if base.containers.len() > 1 && g.chance(15) {
        g.feature("smp-delete-directive");
        if let Some(last) = base.containers.last() {
            containers.push(map(vec![("name", s(last.name)), ("$patch", s("delete"))]));
        }
    }
    let mut pod = map(vec![("containers", seq(containers))]);
    if g.chance(25) {
        pod = pod.with(
            "volumes",
            seq(vec![map(vec![
                ("name", s("extra")),
                ("emptyDir", flow(empty_map())),
            ])]),
        );
    }
    let mut spec = map(vec![("template", map(vec![("spec", pod)]))]);
    if g.chance(30) {
        spec = spec.with("replicas", raw(2 + g.rng.below(3)));
    }
    map(vec![
        ("apiVersion", s("apps/v1")),
        ("kind", s(base.workload_kind)),
        ("metadata", map(vec![("name", s(name))])),
        ("spec", spec),
    ])
}

/// JSON6902 operations that apply to the workload whatever earlier patches did.
fn json_ops_workload(g: &mut Gen) -> Vec<Y> {
    let menu = 7;
    let mut ops = Vec::new();
    for _ in 0..1 + g.rng.below(3) {
        let op = match g.rng.below(menu) {
            0 => op("add", "/metadata/annotations/patched-by", s("json6902")),
            1 => op("replace", "/spec/replicas", raw(1 + g.rng.below(5))),
            2 => op(
                "add",
                "/spec/template/spec/containers/0/env/-",
                map(vec![("name", s("FROM_JSON")), ("value", s("1"))]),
            ),
            3 => op(
                "add",
                "/spec/template/spec/containers/-",
                map(vec![("name", s("busybox")), ("image", s("busybox:1.36"))]),
            ),
            4 => {
                g.feature("json6902-yaml11-value");
                let v = g.rng.pick(&["on", "yes", "0777", "1e3", "~"]);
                op("add", "/metadata/annotations/yaml11", raw(v))
            }
            5 => map(vec![
                ("op", s("test")),
                ("path", s("/apiVersion")),
                ("value", s("apps/v1")),
            ]),
            _ => op(
                "add",
                "/spec/template/metadata/annotations",
                map(vec![("checksum", s("abc"))]),
            ),
        };
        ops.push(op);
    }
    ops
}

fn op(name: &str, path: &str, value: Y) -> Y {
    map(vec![("op", s(name)), ("path", s(path)), ("value", value)])
}

/// A `target:` selector for the workload, by kind, exact name, regex or label selector.
fn workload_target(g: &mut Gen, base: &Base, smp: bool) -> Y {
    let (regex_feature, label_feature) = if smp {
        ("smp-target-regex", "smp-target-labelSelector")
    } else {
        ("json6902-target-regex", "json6902-target-labelSelector")
    };
    match g.rng.below(4) {
        0 => {
            g.feature("target-kind");
            map(vec![("kind", s(base.workload_kind))])
        }
        1 => {
            g.feature("target-name");
            map(vec![
                ("group", s("apps")),
                ("version", s("v1")),
                ("kind", s(base.workload_kind)),
                ("name", s("redis")),
            ])
        }
        2 => {
            g.feature(regex_feature);
            map(vec![("kind", s(base.workload_kind)), ("name", s("re.*s"))])
        }
        _ => {
            g.feature(label_feature);
            map(vec![
                ("kind", s(base.workload_kind)),
                (
                    "labelSelector",
                    s("app=redis,app.kubernetes.io/component=cache"),
                ),
            ])
        }
    }
}

/// One `patches` entry of the top overlay.
fn overlay_patch(g: &mut Gen, base: &Base, n: usize) -> Y {
    match g.rng.below(5) {
        0 => {
            g.feature("smp-file");
            let patch = smp_workload(g, base, "redis");
            let path = format!("patches/smp-{n}.yaml");
            g.file(&format!("overlay/{path}"), to_yaml(&patch));
            map(vec![("path", s(path))])
        }
        1 => {
            g.feature("smp-inline");
            let target = workload_target(g, base, true);
            let patch = smp_workload(g, base, "redis");
            map(vec![
                ("target", target),
                ("patch", Y::Block(to_yaml(&patch))),
            ])
        }
        2 => {
            g.feature("json6902-inline");
            let target = workload_target(g, base, false);
            let ops = seq(json_ops_workload(g));
            let text = if g.chance(30) {
                g.feature("json6902-json-form");
                json_text(&ops)
            } else {
                to_yaml(&ops)
            };
            map(vec![("target", target), ("patch", Y::Block(text))])
        }
        3 => {
            g.feature("json6902-file");
            g.feature("json6902-target-labelSelector");
            let ops = seq(vec![
                op("add", "/metadata/annotations/scrape", s("true")),
                op("add", "/metadata/labels/tier", s("data")),
            ]);
            let path = format!("patches/json-{n}.yaml");
            g.file(&format!("overlay/{path}"), to_yaml(&ops));
            map(vec![
                ("target", map(vec![("labelSelector", s("app=redis"))])),
                ("path", s(path)),
            ])
        }
        _ => {
            g.feature("smp-inline");
            g.feature("smp-target-regex");
            let patch = map(vec![
                ("apiVersion", s("v1")),
                ("kind", s("Service")),
                (
                    "metadata",
                    map(vec![
                        ("name", s("any")),
                        ("annotations", labels(&[("service.alpha/scraped", "true")])),
                    ]),
                ),
            ]);
            map(vec![
                (
                    "target",
                    map(vec![("kind", s("Service")), ("name", s("redis.*"))]),
                ),
                ("patch", Y::Block(to_yaml(&patch))),
            ])
        }
    }
}

fn gen_overlay(g: &mut Gen, base: &Base, parent: &str, component: Option<&str>) {
    let mut kust = kustomization("Kustomization");
    if g.chance(10) {
        g.feature("bases-field");
        kust = kust.with("bases", seq(vec![s(parent)]));
    } else {
        kust = kust.with("resources", seq(vec![s(parent)]));
    }
    if g.chance(25) {
        let sibling = gen_sibling(g);
        kust = kust.push_to("resources", s(sibling));
    }
    if let Some(c) = component {
        kust = kust.with("components", seq(vec![s(c)]));
    }
    if g.chance(50) {
        g.feature("namespace");
        kust = kust.with(
            "namespace",
            s(*g.rng.pick(&["redis-prod", "cache", "default"])),
        );
    }
    if g.chance(40) {
        g.feature("namePrefix");
        kust = kust.with("namePrefix", s("prod-"));
    }
    if g.chance(30) {
        g.feature("nameSuffix");
        kust = kust.with("nameSuffix", s("-v2"));
    }
    if g.chance(45) {
        g.feature("labels");
        let mut entry = map(vec![("pairs", labels(&[("env", "prod")]))]);
        if g.chance(50) {
            g.feature("labels-includeSelectors");
            entry = entry.with("includeSelectors", raw("true"));
        }
        if g.chance(50) {
            g.feature("labels-includeTemplates");
            entry = entry.with("includeTemplates", raw("true"));
        }
        kust = kust.with("labels", seq(vec![entry]));
    }
    if g.chance(20) {
        g.feature("commonLabels");
        kust = kust.with("commonLabels", labels(&[("team", "platform")]));
    }
    if g.chance(35) {
        g.feature("commonAnnotations");
        kust = kust.with(
            "commonAnnotations",
            labels(&[
                ("owner", "platform-team"),
                ("docs", "https://example.com/redis#ops"),
            ]),
        );
    }
    let (kust, referenced) = overlay_generators(g, base, kust);
    let mut patches = Vec::new();
    if let Some(name) = referenced {
        // A patch that refers to a generated ConfigMap: the reference must get the hash.
        g.feature("name-reference-envFrom");
        patches.push(envfrom_patch(base, name));
    }
    if g.chance(75) {
        for n in 0..1 + g.rng.below(4) {
            patches.push(overlay_patch(g, base, n));
        }
    }
    let mut kust = kust;
    if !patches.is_empty() {
        kust = kust.with("patches", seq(patches));
    }
    if g.chance(15) {
        g.feature("patchesStrategicMerge");
        let patch = smp_workload(g, base, "redis");
        let svc_patch = map(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Service")),
            (
                "metadata",
                map(vec![
                    ("name", s("redis")),
                    ("annotations", labels(&[("psm", "applied")])),
                ]),
            ),
        ]);
        let entry = if g.chance(50) {
            g.file("overlay/psm.yaml", multi_doc(&[patch, svc_patch]));
            s("psm.yaml")
        } else {
            Y::Block(to_yaml(&patch))
        };
        kust = kust.with("patchesStrategicMerge", seq(vec![entry]));
    }
    if g.chance(15) {
        g.feature("patchesJson6902");
        let ops = seq(json_ops_workload(g));
        g.file("overlay/json6902.yaml", to_yaml(&ops));
        kust = kust.with(
            "patchesJson6902",
            seq(vec![map(vec![
                (
                    "target",
                    map(vec![
                        ("group", s("apps")),
                        ("version", s("v1")),
                        ("kind", s(base.workload_kind)),
                        ("name", s("redis")),
                    ]),
                ),
                ("path", s("json6902.yaml")),
            ])]),
        );
    }
    if g.chance(40) {
        g.feature("images");
        kust = kust.with("images", images(g));
    }
    if g.chance(30) {
        g.feature("replicas");
        kust = kust.with(
            "replicas",
            seq(vec![map(vec![
                ("name", s("redis")),
                ("count", raw(g.rng.below(6))),
            ])]),
        );
    }
    if g.chance(10) {
        g.feature("deliberate-failure");
        kust = break_tree(g, base, kust);
    }
    g.file("overlay/kustomization.yaml", to_yaml(&kust));
}

/// Overlay generators; returns the name of a new ConfigMap a patch should reference.
fn overlay_generators(g: &mut Gen, base: &Base, mut kust: Y) -> (Y, Option<&'static str>) {
    let mut cms = Vec::new();
    let mut referenced = None;
    if g.chance(30) {
        let behavior = if g.chance(70) { "merge" } else { "replace" };
        g.feature(if behavior == "merge" {
            "behavior-merge"
        } else {
            "behavior-replace"
        });
        g.feature("configmap-files");
        let conf = redis_conf(g);
        g.file("overlay/redis.conf", conf);
        cms.push(map(vec![
            ("name", s("redis-config")),
            ("behavior", s(behavior)),
            ("files", seq(vec![s("redis.conf")])),
        ]));
    }
    if g.chance(30) {
        g.feature("behavior-create");
        let gen = gen_env_configmap(g, "overlay", "overlay-settings");
        cms.push(gen.with("behavior", s("create")));
        referenced = Some("overlay-settings");
    }
    if !cms.is_empty() {
        kust = kust.with("configMapGenerator", seq(cms));
    }
    if g.chance(25) {
        g.feature("secret-generator");
        let gen = if g.chance(50) {
            g.feature("behavior-replace");
            g.file(
                "overlay/auth.env",
                "password=from-env-file\nuser=default\n".into(),
            );
            map(vec![
                ("name", s(base.secrets[0])),
                ("behavior", s("replace")),
                ("envs", seq(vec![s("auth.env")])),
            ])
        } else {
            g.feature("behavior-merge");
            map(vec![
                ("name", s(base.secrets[0])),
                ("behavior", s("merge")),
                ("literals", seq(vec![s("extra=1")])),
                ("type", s("Opaque")),
            ])
        };
        kust = kust.with("secretGenerator", seq(vec![gen]));
    }
    if g.chance(20) {
        kust = kust.with("generatorOptions", gen_options(g));
    }
    (kust, referenced)
}

fn envfrom_patch(base: &Base, cm: &str) -> Y {
    let patch = map(vec![
        ("apiVersion", s("apps/v1")),
        ("kind", s(base.workload_kind)),
        ("metadata", map(vec![("name", s("redis"))])),
        (
            "spec",
            map(vec![(
                "template",
                map(vec![(
                    "spec",
                    map(vec![(
                        "containers",
                        seq(vec![map(vec![
                            ("name", s("redis")),
                            (
                                "envFrom",
                                seq(vec![map(vec![(
                                    "configMapRef",
                                    map(vec![("name", s(cm))]),
                                )])]),
                            ),
                        ])]),
                    )]),
                )]),
            )]),
        ),
    ]);
    map(vec![("patch", Y::Block(to_yaml(&patch)))])
}

fn images(g: &mut Gen) -> Y {
    let digest = format!(
        "sha256:{:016x}{:016x}{:016x}{:016x}",
        g.rng.next_u64(),
        g.rng.next_u64(),
        g.rng.next_u64(),
        g.rng.next_u64()
    );
    let redis = match g.rng.below(3) {
        0 => map(vec![("name", s("redis")), ("newTag", s("7.2"))]),
        1 => map(vec![
            ("name", s("redis")),
            ("newName", s("registry.local:5000/redis")),
            ("newTag", s("7.2.4")),
        ]),
        _ => map(vec![("name", s("redis")), ("digest", s(digest))]),
    };
    let exporter = map(vec![
        ("name", s("oliver006/redis_exporter")),
        ("newName", s("registry.local/redis_exporter")),
    ]);
    seq(vec![redis, exporter])
}

/// Breaks the tree in one of several ways kubectl refuses.
fn break_tree(g: &mut Gen, base: &Base, kust: Y) -> Y {
    match g.rng.below(7) {
        // A numeric tag: kustomize wants a string.
        6 => kust.push_to(
            "images",
            map(vec![("name", s("redis")), ("newTag", raw("7.2"))]),
        ),
        0 => kust.push_to(
            "patchesJson6902",
            map(vec![
                (
                    "target",
                    map(vec![("kind", s(base.workload_kind)), ("name", s("redis"))]),
                ),
                ("path", s("no-such-patch.yaml")),
            ]),
        ),
        1 => {
            let patch = map(vec![
                ("apiVersion", s("apps/v1")),
                ("kind", s("StatefulSet")),
                ("metadata", map(vec![("name", s("does-not-exist"))])),
                ("spec", map(vec![("replicas", raw(3))])),
            ]);
            g.file("overlay/missing-target.yaml", to_yaml(&patch));
            kust.push_to("patchesStrategicMerge", s("missing-target.yaml"))
        }
        2 => kust.push_to(
            "configMapGenerator",
            map(vec![
                ("name", s("dup")),
                ("literals", seq(vec![s("a=1"), s("a=2")])),
            ]),
        ),
        3 => kust.push_to("resources", s("../base/workload.yaml")),
        4 => kust.push_to("resources", s("missing.yaml")),
        _ => {
            g.file(
                "overlay/broken.yaml",
                to_yaml(&seq(vec![map(vec![
                    ("op", s("remove")),
                    ("path", s("/spec/template/spec/nodeSelector")),
                ])])),
            );
            kust.push_to(
                "patchesJson6902",
                map(vec![
                    (
                        "target",
                        map(vec![("kind", s(base.workload_kind)), ("name", s("redis"))]),
                    ),
                    ("path", s("broken.yaml")),
                ]),
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running the comparison.

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn env_seed() -> u64 {
    std::env::var("GRILL_DIFF_SEED")
        .ok()
        .and_then(|v| {
            let v = v.trim();
            match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => v.parse().ok(),
            }
        })
        .unwrap_or(DEFAULT_SEED)
}

/// The result of one tree.
struct Run {
    index: usize,
    /// The generator broke this tree on purpose (kubectl must refuse it).
    broken: bool,
    /// kubectl's error class when the oracle failed.
    oracle_error: Option<String>,
    /// The mismatch report and its class (for the summary), when the two builds disagree.
    mismatch: Option<(String, String)>,
}

/// Groups mismatches for the summary: the first differing JSON pointer with list indices
/// replaced by `N` (`/spec/template/spec/containers/N/env`), or the kind of disagreement.
fn mismatch_class(problem: &str) -> String {
    let first = problem
        .lines()
        .find_map(|l| l.strip_prefix("first difference: ["))
        .and_then(|rest| rest.split_once(']'))
        .map(|(_, at)| at.split(": ").next().unwrap_or(at));
    match first {
        Some(pointer) => pointer
            .split('/')
            .map(|seg| {
                if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                    "N"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/"),
        None => problem
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(60)
            .collect(),
    }
}

/// The class of a kubectl error: the first known message pattern it contains, else its start.
fn error_class(message: &str) -> String {
    const PATTERNS: &[&str] = &[
        "no matches for Id",
        "failed to find unique target for patch",
        "doc is missing path",
        "Unable to remove nonexistent key",
        "already registered id",
        "illegally repeats the key",
        "is not in or below",
        "cycle detected",
        "cannot unmarshal",
        "behavior must be merge or replace",
        "cannot merge or replace",
        "found multiple possible referrals",
        "must build at directory",
        "no such file or directory",
        "testing value",
    ];
    match PATTERNS.iter().find(|p| message.contains(*p)) {
        Some(p) => p.to_string(),
        None => message
            .lines()
            .filter(|l| !l.starts_with("# Warning"))
            .flat_map(|l| l.split("run.go:72] ").last())
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(200)
            .collect(),
    }
}

fn run_one(kubectl: &Kubectl, seed: u64, index: usize) -> Run {
    let tree = gen_tree(seed, index);
    let dir = TempDir::new("diff");
    tree.write_to(dir.path());
    let target = dir.path().join(TARGET);
    let oracle = common::kubectl_build(kubectl, &target);
    let native = common::native_build(&target);
    let problem = match (&oracle, &native) {
        (Outcome::Built(e), Outcome::Built(a)) => common::diff_streams(e, a),
        (Outcome::Failed(_), Outcome::Failed(_)) => None,
        (Outcome::Built(e), Outcome::Failed(m)) => Some(format!(
            "kubectl builds {} documents, the native build failed:\n{m}",
            e.len()
        )),
        (Outcome::Failed(m), Outcome::Built(a)) => Some(format!(
            "kubectl fails, the native build succeeded with {} documents; kubectl said:\n{m}",
            a.len()
        )),
    };
    Run {
        index,
        broken: tree.features.contains("deliberate-failure"),
        oracle_error: match &oracle {
            Outcome::Failed(m) => Some(error_class(m)),
            Outcome::Built(_) => None,
        },
        mismatch: problem.map(|p| {
            let report = format!(
                "=== seed {seed:#x} tree {index} ===\n{p}\nfiles of tree {index}:\n{}",
                tree.listing()
            );
            (report, mismatch_class(&p))
        }),
    }
}

#[test]
fn native_build_agrees_with_kubectl_on_random_trees() {
    let Some(kubectl) = common::require_kubectl("native_build_agrees_with_kubectl_on_random_trees")
    else {
        return;
    };
    let seed = env_seed();
    let indices: Vec<usize> = match std::env::var("GRILL_DIFF_ONLY")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(i) => vec![i],
        None => (0..env_usize("GRILL_DIFF_TREES", DEFAULT_TREES)).collect(),
    };
    eprintln!(
        "kustomize diff: seed {seed:#x} (GRILL_DIFF_SEED), {} trees (GRILL_DIFF_TREES), oracle {}",
        indices.len(),
        kubectl.version.replace('\n', "; ")
    );
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let runs = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&index) = indices.get(i) else { break };
                let run = run_one(&kubectl, seed, index);
                runs.lock().unwrap_or_else(|e| e.into_inner()).push(run);
            });
        }
    });
    let mut runs = runs.into_inner().unwrap_or_else(|e| e.into_inner());
    runs.sort_by_key(|r| r.index);
    let elapsed = started.elapsed();
    let ok = runs.iter().filter(|r| r.oracle_error.is_none()).count();
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    for class in runs.iter().filter_map(|r| r.oracle_error.as_deref()) {
        *classes.entry(class).or_default() += 1;
    }
    let mismatches: Vec<&String> = runs
        .iter()
        .filter_map(|r| r.mismatch.as_ref().map(|(report, _)| report))
        .collect();
    eprintln!(
        "kustomize diff: {} trees in {:.1} s, kubectl succeeded on {ok} ({:.0}%), {} mismatches",
        runs.len(),
        elapsed.as_secs_f64(),
        100.0 * ok as f64 / runs.len().max(1) as f64,
        mismatches.len()
    );
    for (class, n) in &classes {
        eprintln!("  kubectl failed {n}x: {class}");
    }
    // A deliberately broken tree that kubectl builds is a generator bug: the failure path
    // would then go untested.
    let accepted: Vec<usize> = runs
        .iter()
        .filter(|r| r.broken && r.oracle_error.is_none())
        .map(|r| r.index)
        .collect();
    assert!(
        accepted.is_empty(),
        "generator bug: kubectl builds the deliberately broken trees {accepted:?} (seed {seed:#x})"
    );
    if mismatches.is_empty() {
        return;
    }
    let mut by_class: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for r in &runs {
        if let Some((_, class)) = &r.mismatch {
            by_class.entry(class).or_default().push(r.index);
        }
    }
    eprintln!("mismatch classes (first difference of each tree):");
    for (class, trees) in &by_class {
        eprintln!("  {:4}x {class}   trees {trees:?}", trees.len());
    }
    let mut report = String::new();
    for (n, m) in mismatches.iter().enumerate() {
        if n < FULL_REPORTS {
            report.push_str(m);
        } else {
            // Only the header and the difference; the files are one GRILL_DIFF_ONLY away.
            report.push_str(m.split("\nfiles of tree").next().unwrap_or(m));
            report.push('\n');
        }
    }
    panic!(
        "{} of {} trees differ (seed {seed:#x}; re-run one with GRILL_DIFF_SEED={seed:#x} GRILL_DIFF_ONLY=<index>):\n{report}",
        mismatches.len(),
        runs.len()
    );
}

#[test]
fn rng_is_splitmix64() {
    // Reference outputs of splitmix64 seeded with 0 (Vigna's C code).
    let mut r = Rng::new(0);
    assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
}

#[test]
fn generator_is_deterministic_per_seed_and_index() {
    let a = gen_tree(42, 7);
    let b = gen_tree(42, 7);
    assert_eq!(a.files, b.files);
    let c = gen_tree(42, 8);
    assert_ne!(
        a.files, c.files,
        "different indices should give different trees"
    );
}

#[test]
fn generator_covers_every_feature_in_a_default_run() {
    let mut seen = BTreeSet::new();
    for i in 0..DEFAULT_TREES {
        seen.extend(gen_tree(DEFAULT_SEED, i).features);
    }
    let missing: Vec<&&str> = FEATURES.iter().filter(|f| !seen.contains(*f)).collect();
    assert!(missing.is_empty(), "features never generated: {missing:?}");
}

#[test]
fn generated_files_are_yaml_our_parser_reads() {
    for i in 0..DEFAULT_TREES {
        for (rel, text) in gen_tree(DEFAULT_SEED, i).files {
            if rel.ends_with(".yaml") {
                if let Err(e) = common::parse_docs(&rel, &text) {
                    panic!("tree {i}: {rel} does not parse: {e}\n{text}");
                }
            }
        }
    }
}
