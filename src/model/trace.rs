//! Following references: from a Redis or Sentinel process to the ConfigMap key its config comes
//! from, and every reference the catalogue lists to whether it resolves.

use super::shell::{self, RedirectOp};
use super::{
    basename, kind_of, name_of, namespace_of, program_words, Appended, Arg, Deployment, Process,
    RefKind, Reference, Role, Traced,
};
use crate::diag::Label;
use crate::redis::{ConfKind, OffsetMap};
use crate::source::{SourceMap, Span};
use crate::yaml::Node;

/// Where a traced config's text is written.
#[derive(Debug, Clone)]
pub struct ConfSource {
    /// `ConfigMap` or `Secret`.
    pub kind: &'static str,
    pub name: String,
    pub key: String,
    /// The data key and its value in the source file.
    pub key_span: Span,
    pub value_span: Span,
}

/// Copies through init containers followed at most (a copy of a copy of …).
const MAX_HOPS: usize = 4;

struct Found {
    source: ConfSource,
    value: Node,
    chain: Vec<Label>,
    appended: Vec<(String, OffsetMap, Span, bool)>,
    read_only: bool,
}

pub(super) fn processes(d: &mut Deployment<'_>, sources: &SourceMap) {
    for wi in 0..d.workloads.len() {
        for ci in 0..d.workloads[wi].containers.len() {
            let c = &d.workloads[wi].containers[ci];
            let kind = match c.role {
                Role::Redis => ConfKind::Redis,
                Role::Sentinel => ConfKind::Sentinel,
                _ => continue,
            };
            let words = program_words(&c.argv);
            let config_path = words
                .iter()
                .skip(1)
                .find(|w| !w.starts_with('-'))
                .map(|w| Arg {
                    text: w.clone(),
                    span: c
                        .argv
                        .iter()
                        .find(|a| a.text == *w || a.text.contains(w.as_str()))
                        .map_or(c.name_span, |a| a.span),
                });
            let mut p = Process {
                workload: wi,
                container: ci,
                kind,
                config_path: config_path.clone(),
                config: None,
                untraced: None,
            };
            let found = match &config_path {
                None => Err(format!(
                    "`{}` is started without a config file",
                    words.first().map_or("redis-server", |w| basename(w))
                )),
                Some(path) => find(d, sources, wi, ci, &path.text, 0),
            };
            let (found, guessed) = match found {
                Ok(f) => (Some(f), false),
                Err(why) => {
                    p.untraced = Some(why);
                    (only_key(d, kind), true)
                }
            };
            if let Some(f) = found {
                p.config = Some(parse(d, f, kind, guessed, sources));
            }
            d.processes.push(p);
        }
    }
}

/// Parses a found config once; a second process reading the same text shares it.
fn parse(
    d: &mut Deployment<'_>,
    f: Found,
    kind: ConfKind,
    guessed: bool,
    sources: &SourceMap,
) -> usize {
    let appended_spans: Vec<Span> = f.appended.iter().map(|a| a.2).collect();
    if let Some(i) = d.configs.iter().position(|t| {
        t.kind == kind
            && t.source.value_span == f.source.value_span
            && t.appended
                .iter()
                .map(|a| a.directive.line)
                .eq(appended_spans.iter().copied())
    }) {
        return i;
    }
    let conf = crate::redis::parse_embedded_shared(sources, &f.value, kind)
        .map(|c| (*c).clone())
        .unwrap_or(crate::redis::RedisConf {
            kind,
            directives: Vec::new(),
            unbalanced: Vec::new(),
        });
    let mut appended = Vec::new();
    for (text, map, span, conditional) in f.appended {
        let file = sources.get(span.file);
        let part = crate::redis::model::parse_text(&text, &map, &file, kind);
        appended.extend(part.directives.into_iter().map(|directive| Appended {
            directive,
            conditional,
        }));
    }
    d.configs.push(Traced {
        kind,
        file: conf,
        appended,
        source: f.source,
        chain: f.chain,
        read_only: f.read_only,
        guessed,
    });
    d.configs.len() - 1
}

/// The overlay's only ConfigMap key named `redis.conf` / `sentinel.conf`.
fn only_key(d: &Deployment<'_>, kind: ConfKind) -> Option<Found> {
    let want = match kind {
        ConfKind::Redis => "redis.conf",
        ConfKind::Sentinel => "sentinel.conf",
    };
    let mut hits = d.of_kind("ConfigMap").filter_map(|cm| {
        let e = cm.get("data")?.as_map()?.entry(want)?;
        Some((cm, e))
    });
    let (cm, e) = hits.next()?;
    if hits.next().is_some() {
        return None;
    }
    Some(Found {
        source: ConfSource {
            kind: "ConfigMap",
            name: name_of(cm).to_string(),
            key: want.to_string(),
            key_span: e.key.span,
            value_span: e.value.span,
        },
        value: e.value.clone(),
        chain: Vec::new(),
        appended: Vec::new(),
        read_only: false,
    })
}

/// The source of file `path` as container `ci` of workload `wi` sees it.
fn find(
    d: &Deployment<'_>,
    sources: &SourceMap,
    wi: usize,
    ci: usize,
    path: &str,
    hops: usize,
) -> Result<Found, String> {
    let w = &d.workloads[wi];
    let c = &w.containers[ci];
    let (mount, rel) = mount_of(c.mounts(), path).ok_or_else(|| {
        format!(
            "`{path}` lies on no volume of container `{}`: the image's own file would be read",
            c.name
        )
    })?;
    let vname = mount.get("name").and_then(Node::as_str).unwrap_or("");
    let volume = w
        .volume(vname)
        .ok_or_else(|| format!("volume `{vname}` is not defined in {}", w.describe()))?;
    let mut chain = vec![Label {
        span: mount.get("mountPath").map_or(mount.span, |n| n.span),
        message: format!("`{path}` is on volume `{vname}` here"),
    }];
    let ns = w.namespace;
    for (vkind, okind, name_key) in [
        ("configMap", "ConfigMap", "name"),
        ("secret", "Secret", "secretName"),
    ] {
        let Some(src) = volume.get(vkind) else {
            continue;
        };
        let name = src.get(name_key).and_then(Node::as_str).unwrap_or("");
        let key = match src.get("items").and_then(Node::as_seq) {
            Some(items) => items
                .iter()
                .find(|i| i.get("path").and_then(Node::as_str) == Some(rel.as_str()))
                .and_then(|i| i.get("key").and_then(Node::as_str))
                .ok_or_else(|| {
                    format!("no `items` entry of volume `{vname}` maps a key to `{rel}`")
                })?
                .to_string(),
            None => rel.clone(),
        };
        let obj = d.object(okind, ns, name).ok_or_else(|| {
            format!("{okind} `{name}` of volume `{vname}` is not in this overlay")
        })?;
        let (e, field) = ["data", "stringData"]
            .iter()
            .find_map(|f| Some((obj.get(f)?.as_map()?.entry(&key)?, *f)))
            .ok_or_else(|| format!("{okind} `{name}` has no key `{key}`"))?;
        if okind == "Secret" && field == "data" {
            return Err(format!(
                "`{path}` comes from base64 data of Secret `{name}`: not read (write it as `stringData` to have it checked)"
            ));
        }
        chain.push(Label {
            span: src.get(name_key).map_or(src.span, |n| n.span),
            message: format!("volume `{vname}` is {okind} `{name}`"),
        });
        return Ok(Found {
            source: ConfSource {
                kind: if okind == "Secret" {
                    "Secret"
                } else {
                    "ConfigMap"
                },
                name: name.to_string(),
                key,
                key_span: e.key.span,
                value_span: e.value.span,
            },
            value: e.value.clone(),
            chain,
            appended: Vec::new(),
            read_only: true,
        });
    }
    if volume.get("emptyDir").is_none() {
        let what = volume
            .as_map()
            .and_then(|m| m.keys().find(|k| *k != "name"))
            .unwrap_or("unknown");
        return Err(format!(
            "`{path}` is on a `{what}` volume: its content is not in the overlay"
        ));
    }
    if hops >= MAX_HOPS {
        return Err(format!("`{path}` is copied more than {MAX_HOPS} times"));
    }
    // An emptyDir: an init container of the same pod must write the file.
    let mut found: Option<Found> = None;
    for (ii, ic) in w.containers.iter().enumerate() {
        if !ic.init {
            continue;
        }
        let Some(target) = ic.mounts().iter().find_map(|m| {
            (m.get("name").and_then(Node::as_str) == Some(vname))
                .then(|| m.get("mountPath").and_then(Node::as_str))
                .flatten()
                .map(|mp| join(mp, &rel))
        }) else {
            continue;
        };
        let Some((script, script_node)) = script_of(ic) else {
            continue;
        };
        for cmd in shell::commands(&script) {
            if let Some(src) = writes(&cmd, &target) {
                let mut f = find(d, sources, wi, ii, &src, hops + 1)?;
                f.chain.splice(0..0, chain.clone());
                f.chain.push(Label {
                    span: script_span(sources, script_node, &script, cmd.start, cmd.end),
                    message: format!("init container `{}` copies it here", ic.name),
                });
                f.read_only = false;
                found = Some(f);
            } else if let Some(f) = found.as_mut() {
                if let Some((text, at)) = appends(&cmd, &target) {
                    let map = script_map(sources, script_node, &script, at, text.len());
                    let span = script_span(sources, script_node, &script, cmd.start, cmd.end);
                    f.appended.push((text, map, span, cmd.conditional));
                }
            }
        }
    }
    found.ok_or_else(|| {
        format!(
            "`{path}` is on emptyDir volume `{vname}`, and no init container's script writes it in a way grill-lint follows (cp, cat >, sed >, envsubst <…>)"
        )
    })
}

/// The mount that holds `path`, and the path inside the volume.
fn mount_of<'n>(mounts: &'n [Node], path: &str) -> Option<(&'n Node, String)> {
    let mut best: Option<(&Node, String, usize)> = None;
    for m in mounts {
        let Some(mp) = m.get("mountPath").and_then(Node::as_str) else {
            continue;
        };
        let mp = mp.trim_end_matches('/');
        let sub = m.get("subPath").and_then(Node::as_str);
        let rel = match sub {
            Some(s) if path == mp => s.to_string(),
            Some(s) => match path.strip_prefix(mp).and_then(|r| r.strip_prefix('/')) {
                Some(r) => join(s, r),
                None => continue,
            },
            None => match path.strip_prefix(mp).and_then(|r| r.strip_prefix('/')) {
                Some(r) if !r.is_empty() => r.to_string(),
                _ => continue,
            },
        };
        if best.as_ref().is_none_or(|b| mp.len() > b.2) {
            best = Some((m, rel, mp.len()));
        }
    }
    best.map(|(m, r, _)| (m, r))
}

fn join(dir: &str, rel: &str) -> String {
    if rel.is_empty() {
        dir.to_string()
    } else {
        format!("{}/{}", dir.trim_end_matches('/'), rel)
    }
}

/// The shell script an init container runs (`sh -c SCRIPT`), with its YAML node.
fn script_of<'a>(c: &super::Container<'a>) -> Option<(String, &'a Node)> {
    let i = c
        .argv
        .iter()
        .position(|a| a.text.starts_with('-') && a.text.contains('c'))?;
    let arg = c.argv.get(i + 1)?;
    let node = ["command", "args"]
        .iter()
        .flat_map(|f| c.node.get(f).and_then(Node::as_seq).unwrap_or(&[]))
        .find(|n| n.span == arg.span)?;
    Some((arg.text.clone(), node))
}

/// The source file a command copies to `target`: `cp SRC DST`, `cat SRC > DST`,
/// `sed … SRC > DST`, `envsubst < SRC > DST`, `install … SRC DST`.
fn writes(cmd: &shell::Command, target: &str) -> Option<String> {
    let words: Vec<&str> = cmd.words.iter().map(|w| w.text.as_str()).collect();
    let prog = basename(words.first()?);
    let out = cmd
        .redirects
        .iter()
        .find(|r| r.op == RedirectOp::Write)
        .map(|r| r.target.text.as_str());
    let input = cmd
        .redirects
        .iter()
        .find(|r| r.op == RedirectOp::Read)
        .map(|r| r.target.text.clone());
    let files: Vec<&str> = words[1..]
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    match prog {
        "cp" | "install" => {
            let (src, dst) = match files.as_slice() {
                [.., src, dst] => (*src, *dst),
                _ => return None,
            };
            let hit = dst == target || join(dst, basename(src)) == target;
            hit.then(|| src.to_string())
        }
        "cat" if out == Some(target) => files.first().map(|s| s.to_string()).or(input),
        "sed" if out == Some(target) => {
            let has_e = words.iter().any(|w| *w == "-e" || *w == "--expression");
            let candidates: Vec<&str> = if has_e {
                let mut v = Vec::new();
                let mut skip = false;
                for w in &words[1..] {
                    if skip {
                        skip = false;
                    } else if *w == "-e" || *w == "--expression" {
                        skip = true;
                    } else if !w.starts_with('-') {
                        v.push(*w);
                    }
                }
                v
            } else {
                files.iter().skip(1).copied().collect()
            };
            candidates.last().map(|s| s.to_string()).or(input)
        }
        "envsubst" if out == Some(target) => input,
        _ => None,
    }
}

/// The text a command appends to `target` (`echo "…" >> DST`) and where it starts in the
/// script.
fn appends(cmd: &shell::Command, target: &str) -> Option<(String, usize)> {
    let r = cmd.redirects.iter().find(|r| r.op == RedirectOp::Append)?;
    if r.target.text != target {
        return None;
    }
    let prog = cmd.words.first()?;
    if !matches!(prog.text.as_str(), "echo" | "printf") {
        return None;
    }
    let args: Vec<&shell::Word> = cmd.words[1..]
        .iter()
        .filter(|w| !matches!(w.text.as_str(), "-e" | "-n" | "-E"))
        .collect();
    let first = args.first()?;
    let text: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let mut text = text.join(" ");
    if prog.text == "printf" {
        text = text.trim_end_matches("\\n").to_string();
    }
    Some((text, first.contiguous.unwrap_or(first.start)))
}

/// The file span of script offsets `start..end`.
fn script_span(sources: &SourceMap, node: &Node, script: &str, start: usize, end: usize) -> Span {
    if node.as_str() != Some(script) {
        return node.span;
    }
    let map = script_file_map(sources, node);
    match map {
        Some((file_len, map)) => {
            let s = map.map(start).min(file_len);
            let e = map
                .map(end.saturating_sub(1))
                .saturating_add(1)
                .clamp(s, file_len);
            Span {
                file: node.span.file,
                start: s as u32,
                end: e as u32,
            }
        }
        None => node.span,
    }
}

/// An offset map for appended text of `len` bytes at script offset `at`.
fn script_map(sources: &SourceMap, node: &Node, script: &str, at: usize, len: usize) -> OffsetMap {
    if node.as_str() != Some(script) {
        return OffsetMap::Fixed(node.span.start as usize);
    }
    match script_file_map(sources, node) {
        Some((_, map)) => {
            let start = map.map(at);
            OffsetMap::Runs {
                runs: vec![(0, start as u32)],
                len,
                end: map.map(at + len.saturating_sub(1)) + 1,
            }
        }
        None => OffsetMap::Fixed(node.span.start as usize),
    }
}

/// The map from script offsets to its file's offsets.
fn script_file_map(sources: &SourceMap, node: &Node) -> Option<(usize, OffsetMap)> {
    let file = sources.get(node.span.file);
    let aligned = crate::redis::scalar_text_shared(sources, node)?;
    Some((file.text.len(), aligned.1.clone()))
}

pub(super) fn references(d: &mut Deployment<'_>) {
    let mut refs = Vec::new();
    for w in &d.workloads {
        let ns = w.namespace;
        let from = |what: String| format!("{what} of {}", w.describe());
        for v in w.pod.get("volumes").and_then(Node::as_seq).unwrap_or(&[]) {
            let vname = v.get("name").and_then(Node::as_str).unwrap_or("");
            for (vkind, okind, name_key, kind) in [
                ("configMap", "ConfigMap", "name", RefKind::ConfigMap),
                ("secret", "Secret", "secretName", RefKind::Secret),
            ] {
                let Some(src) = v.get(vkind) else { continue };
                let Some(name_node) = src.get(name_key) else {
                    continue;
                };
                let name = name_node.as_str().unwrap_or("");
                let optional = src.get("optional").and_then(Node::as_bool) == Some(true);
                let obj = d.object(okind, ns, name);
                refs.push(Reference {
                    kind,
                    name: name.to_string(),
                    key: None,
                    span: name_node.span,
                    from: from(format!("volume `{vname}`")),
                    resolved: obj.is_some(),
                    optional,
                });
                for item in src.get("items").and_then(Node::as_seq).unwrap_or(&[]) {
                    let Some(key) = item.get("key") else { continue };
                    let k = key.as_str().unwrap_or("");
                    refs.push(Reference {
                        kind: if kind == RefKind::ConfigMap {
                            RefKind::ConfigMapKey
                        } else {
                            RefKind::SecretKey
                        },
                        name: name.to_string(),
                        key: Some(k.to_string()),
                        span: key.span,
                        from: from(format!("volume `{vname}`")),
                        resolved: obj.is_some_and(|o| has_key(o, k)),
                        optional,
                    });
                }
            }
            if let Some(claim) = v.path(&["persistentVolumeClaim", "claimName"]) {
                let name = claim.as_str().unwrap_or("");
                refs.push(Reference {
                    kind: RefKind::Claim,
                    name: name.to_string(),
                    key: None,
                    span: claim.span,
                    from: from(format!("volume `{vname}`")),
                    resolved: d.object("PersistentVolumeClaim", ns, name).is_some(),
                    optional: false,
                });
            }
        }
        for c in &w.containers {
            let cfrom = |what: &str| from(format!("{what} of container `{}`", c.name));
            for e in c.node.get("envFrom").and_then(Node::as_seq).unwrap_or(&[]) {
                for (field, okind, kind) in [
                    ("configMapRef", "ConfigMap", RefKind::ConfigMap),
                    ("secretRef", "Secret", RefKind::Secret),
                ] {
                    let Some(r) = e.get(field) else { continue };
                    let Some(n) = r.get("name") else { continue };
                    let name = n.as_str().unwrap_or("");
                    refs.push(Reference {
                        kind,
                        name: name.to_string(),
                        key: None,
                        span: n.span,
                        from: cfrom("envFrom"),
                        resolved: d.object(okind, ns, name).is_some(),
                        optional: r.get("optional").and_then(Node::as_bool) == Some(true),
                    });
                }
            }
            for e in c.node.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
                let var = e.get("name").and_then(Node::as_str).unwrap_or("");
                for (field, okind, kind) in [
                    ("configMapKeyRef", "ConfigMap", RefKind::ConfigMapKey),
                    ("secretKeyRef", "Secret", RefKind::SecretKey),
                ] {
                    let Some(r) = e.path(&["valueFrom", field]) else {
                        continue;
                    };
                    let name = r.get("name").and_then(Node::as_str).unwrap_or("");
                    let key = r.get("key").and_then(Node::as_str).unwrap_or("");
                    let obj = d.object(okind, ns, name);
                    refs.push(Reference {
                        kind,
                        name: name.to_string(),
                        key: Some(key.to_string()),
                        span: r.get("name").map_or(r.span, |n| n.span),
                        from: cfrom(&format!("env `{var}`")),
                        resolved: obj.is_some_and(|o| has_key(o, key)),
                        optional: r.get("optional").and_then(Node::as_bool) == Some(true),
                    });
                }
            }
        }
        if w.kind == "StatefulSet" {
            if let Some(svc) = w.node.path(&["spec", "serviceName"]) {
                let name = svc.as_str().unwrap_or("");
                if !name.is_empty() {
                    refs.push(Reference {
                        kind: RefKind::Service,
                        name: name.to_string(),
                        key: None,
                        span: svc.span,
                        from: format!("`serviceName` of {}", w.describe()),
                        resolved: d.object("Service", ns, name).is_some(),
                        optional: false,
                    });
                }
            }
        }
    }
    for svc in d.of_kind("Service") {
        let Some(sel) = svc.path(&["spec", "selector"]) else {
            continue;
        };
        if sel.as_map().is_none_or(|m| m.is_empty()) {
            continue;
        }
        refs.push(Reference {
            kind: RefKind::ServiceSelector,
            name: name_of(svc).to_string(),
            key: None,
            span: sel.span,
            from: format!("the selector of Service `{}`", name_of(svc)),
            resolved: !d.selected_by(namespace_of(svc), sel).is_empty(),
            optional: false,
        });
    }
    for sm in d.of_kind("ServiceMonitor") {
        let Some(sel) = sm.path(&["spec", "selector"]) else {
            continue;
        };
        let hit = d
            .of_kind("Service")
            .any(|s| crate::model::service_monitor_selects(sm, s));
        refs.push(Reference {
            kind: RefKind::ServiceMonitorSelector,
            name: name_of(sm).to_string(),
            key: None,
            span: sel.span,
            from: format!("the selector of ServiceMonitor `{}`", name_of(sm)),
            resolved: hit,
            optional: false,
        });
    }
    for p in d.sentinels() {
        let Some(conf) = d.config_of(p) else { continue };
        let ns = d.workloads[p.workload].namespace;
        for m in conf.sentinel("monitor") {
            let Some(host) = m.args.get(2) else { continue };
            refs.push(Reference {
                kind: RefKind::MonitorHost,
                name: host.text.clone(),
                key: None,
                span: host.span,
                from: format!(
                    "`sentinel monitor` of {}",
                    d.workloads[p.workload].describe()
                ),
                resolved: d.resolve_host(ns, &host.text).is_some(),
                optional: false,
            });
        }
    }
    // One reference written once (a base line built into several places) is listed once.
    refs.sort_by_key(|r| (r.span, r.kind as u8));
    refs.dedup_by(|a, b| a.span == b.span && a.kind == b.kind && a.key == b.key);
    d.references = refs;
}

fn has_key(obj: &Node, key: &str) -> bool {
    let fields: &[&str] = if kind_of(obj) == "Secret" {
        &["data", "stringData"]
    } else {
        &["data", "binaryData"]
    };
    fields.iter().any(|f| {
        obj.get(f)
            .and_then(Node::as_map)
            .is_some_and(|m| m.get(key).is_some())
    })
}
