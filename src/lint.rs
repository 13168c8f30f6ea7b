//! The pipeline: targets → builds and parses → checks → suppressions → a sorted [`Report`].

use crate::checks::{checks, Input, Out, Outcome, Scope};
use crate::config::Config;
use crate::diag::Finding;
use crate::kustomize::{Build, Resource};
use crate::model::Deployment;
use crate::policy::{Applies, Policy};
use crate::report::{Incomplete, Report};
use crate::rules::id;
use crate::rules::RuleId;
use crate::source::{FileId, SourceMap, Span};
use crate::targets::{self, Target};
use crate::yaml::{parse_stream, Limits, Node};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The environment whose policy applies (default: each overlay's directory name).
    pub env: Option<String>,
    /// Only these rules or groups (empty: all).
    pub select: Vec<String>,
    /// Not these rules or groups.
    pub ignore: Vec<String>,
    /// A `.grill-lint.yaml` to use instead of the discovered one.
    pub config: Option<PathBuf>,
    /// Map each file PATH to the overlays whose build reads it (the pre-commit hook's mode).
    pub files_mode_overlays: bool,
    /// Text read from standard input (the PATH `-`), linted as the file of this name (which
    /// gives its kind and the path reports show; the file need not exist).
    pub stdin: Option<(PathBuf, String)>,
}

/// Why the command could not do its job (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lints `paths` and returns the sorted report.
pub fn lint(paths: &[PathBuf], opts: &Options) -> Result<Report, UsageError> {
    let sources = SourceMap::new();
    let stdin_target = match &opts.stdin {
        Some((name, text)) => {
            sources.add(name, text.clone());
            match targets::classify_file(name, &sources) {
                Ok(Target::Overlay { .. }) => {
                    return Err(UsageError(format!(
                        "{}: a kustomization cannot be read from standard input (it names other files); give its directory",
                        name.display()
                    )))
                }
                Ok(t) => Some(t),
                Err(e) => return Err(UsageError(e.0)),
            }
        }
        None => None,
    };
    let paths: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let paths = &paths[..];
    // The configuration is found from the first PATH, else from the stdin file's name.
    let discover_from: Vec<PathBuf> = match (paths.first(), &opts.stdin) {
        (None, Some((name, _))) => vec![name.clone()],
        _ => paths.to_vec(),
    };
    let config_path = crate::config::path_for(opts.config.as_deref(), &discover_from);
    let config = match &config_path {
        Some(p) => crate::config::load(p, &sources)
            .map_err(|e| UsageError(format!("invalid configuration: {e}")))?,
        None => Config::default(),
    };
    let policy = Policy::load(&config).map_err(|e| {
        UsageError(match &config_path {
            Some(p) => format!("invalid configuration {}: {e}", crate::paths::display(p)),
            None => format!("the bundled policy is invalid: {e}"),
        })
    })?;
    if let Some(env) = &opts.env {
        if !policy.is_known(env) {
            return Err(UsageError(format!(
                "unknown environment `{env}` (known: {}); define it in .grill-lint.yaml, e.g. `environments: {{{env}: {{extends: {}}}}}`",
                known_environments(&policy),
                policy.environments().first().map_or("prod-lab", |e| e.name.as_str()),
            )));
        }
    }
    for pat in opts.select.iter().chain(&opts.ignore) {
        if !crate::suppress::known_pattern(pat) {
            return Err(UsageError(crate::suppress::unknown_rule_message(pat)));
        }
    }
    let selected = |rule: RuleId| {
        (opts.select.is_empty()
            || opts
                .select
                .iter()
                .any(|p| crate::suppress::matches_rule(p, rule)))
            && !opts
                .ignore
                .iter()
                .any(|p| crate::suppress::matches_rule(p, rule))
    };
    let parsed = crate::kustomize::Parsed::default();
    let run = Run {
        policy: &policy,
        enabled: checks()
            .iter()
            .map(|c| {
                c.rules()
                    .iter()
                    .any(|&r| policy.severity(r).is_some() && selected(r))
            })
            .collect(),
        sources: &sources,
        parsed: &parsed,
    };
    // In files mode the overlays were built to learn which files they read; those builds are
    // not kept (a changed base would hold every overlay's build at once): the lint builds them
    // again from the run's parsed documents.
    let mut targets: Vec<Target> = if opts.files_mode_overlays {
        let (hits, unread) = overlays_reading(paths, opts.env.as_deref(), &sources, &parsed)?;
        // A file no overlay reads is still a changed file: it is linted as a file.
        let alone = targets::resolve(&unread, opts.env.as_deref(), &sources)
            .map_err(|e| UsageError(e.0))?;
        hits.into_iter().chain(alone).collect()
    } else {
        targets::resolve(paths, opts.env.as_deref(), &sources).map_err(|e| UsageError(e.0))?
    };
    if let Some(t) = stdin_target {
        targets.push(t);
    }
    // One overlay shares nothing with another build (files mode has parsed for its probes
    // already): its documents go with its build.
    let alone = crate::kustomize::Parsed::off();
    let run = Run {
        parsed: if targets.len() > 1 || opts.files_mode_overlays {
            &parsed
        } else {
            &alone
        },
        ..run
    };
    let one = |t: &Target| lint_target(t, &run, opts.env.as_deref());
    // One target gains nothing from threads: starting rayon's pool would only add their
    // creation to a lint of a few milliseconds.
    let outcomes: Vec<Outcome> = if targets.len() > 1 {
        targets.par_iter().map(one).collect()
    } else {
        targets.iter().map(one).collect()
    };
    let mut secrets = Vec::new();
    let mut all = Vec::new();
    let mut incomplete = Vec::new();
    let mut failed_builds = 0;
    for (t, o) in targets.iter().zip(outcomes) {
        all.extend(o.findings);
        secrets.extend(o.secrets);
        failed_builds += usize::from(o.failed_build);
        if !o.partial.is_empty() {
            incomplete.push(Incomplete {
                target: t.display(),
                reasons: o.partial,
            });
        }
    }
    let findings = merge_environments(all);

    let read: Vec<FileId> = (0..sources.len() as u32).map(FileId).collect();
    let findings = crate::suppress::apply(findings, &sources, &read);
    // Already read (and checked) by `config::load` above.
    let config_file = config_path.as_deref().and_then(|p| sources.load(p).ok());
    let findings = config.apply(findings, &sources, config_file.as_deref());
    let findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| selected(f.rule))
        .filter_map(|mut f| {
            f.severity = policy.severity(f.rule)?;
            Some(f)
        })
        .collect();
    secrets.sort();
    secrets.dedup();
    let mut report = Report {
        sources,
        findings,
        targets: targets.iter().map(Target::display).collect(),
        secrets,
        incomplete,
        failed_builds,
        severities: crate::rules::all()
            .iter()
            .map(|r| (r.rule, policy.severity(r.rule)))
            .collect(),
    };
    report.sort();
    Ok(report)
}

fn known_environments(policy: &Policy) -> String {
    policy
        .environments()
        .iter()
        .map(|e| e.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What every target of one run shares: the policy and which checks are enabled.
struct Run<'a> {
    policy: &'a Policy,
    /// Per check of [`checks()`]: one of its rules is on and selected.
    enabled: Vec<bool>,
    sources: &'a SourceMap,
    /// Every file's documents, parsed once for all the builds of the run.
    parsed: &'a crate::kustomize::Parsed,
}

impl Run<'_> {
    /// Runs every enabled check of `scope` on `input`; a check whose rule has no policy for
    /// `env` is recorded in `skipped`.
    fn checks(
        &self,
        scope: Scope,
        input: Input<'_>,
        env: Option<&str>,
        secrets: &[Span],
        out: &mut Out,
        skipped: &mut Vec<RuleId>,
    ) {
        for (i, c) in checks().iter().enumerate() {
            if c.scope() != scope || !self.enabled[i] {
                continue;
            }
            match self.policy.applies(i, env) {
                Applies::Yes(p) => c.run(input, env, p, self.sources, secrets, out),
                Applies::NoPolicy => {
                    if env.is_some() && !skipped.contains(&c.rules()[0]) {
                        skipped.push(c.rules()[0]);
                    }
                }
            }
        }
    }

    /// The checks of a set of objects: each object, each config the model traced, and (for an
    /// environment) the deployment as a whole. `built` are the secret spans of the build that
    /// made `d`'s objects ([`Build::secrets`] holds those of every object it built); without a
    /// build they are found here. Every secret span is added to `secrets`, before any check
    /// runs, so that no check quotes one.
    fn objects(
        &self,
        d: &Deployment<'_>,
        whole: bool,
        built: Option<&[Span]>,
        out: &mut Out,
        secrets: &mut Vec<Span>,
        skipped: &mut Vec<RuleId>,
    ) {
        let mut all = Vec::new();
        match built {
            Some(known) => all.extend_from_slice(known),
            None => {
                for o in &d.objects {
                    crate::secrets::of_resource(o, self.sources, &mut all);
                }
            }
        }
        for c in &d.configs {
            all.extend(crate::redis::secret_spans(&c.file));
            // Lines an init container appends (`echo "requirepass literal" >> …`) hold secrets
            // too; checks may point at them.
            if !c.appended.is_empty() {
                let appended = crate::redis::RedisConf {
                    kind: c.kind,
                    directives: c.appended.iter().map(|a| a.directive.clone()).collect(),
                    unbalanced: Vec::new(),
                };
                all.extend(crate::redis::secret_spans(&appended));
            }
        }
        all.sort();
        all.dedup();
        for o in &d.objects {
            self.checks(Scope::Object, Input::Object(o), d.env, &all, out, skipped);
        }
        for c in &d.configs {
            self.checks(
                Scope::Config,
                Input::Config(&c.file),
                d.env,
                &all,
                out,
                skipped,
            );
        }
        if whole {
            self.checks(
                Scope::Deployment,
                Input::Deployment(d),
                d.env,
                &all,
                out,
                skipped,
            );
        }
        secrets.extend(all);
    }
}

/// The glob that names cache-strategy files: `cache/schema`'s `file_pattern` for the
/// environment (the bundled `*.json` when the policy has none for it).
fn cache_pattern(policy: &Policy, env: Option<&str>) -> String {
    policy
        .param(id::CACHE_SCHEMA, env, "file_pattern")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("*.json")
        .to_string()
}

fn lint_target(t: &Target, run: &Run<'_>, env_flag: Option<&str>) -> Outcome {
    let sources = run.sources;
    match t {
        Target::Overlay { dir, env } => {
            let build = crate::kustomize::build_with(dir, sources, run.parsed);
            let mut o = Outcome {
                failed_build: build.failed,
                ..Outcome::default()
            };
            let mut out = Out::new(!build.failed);
            let mut skipped = Vec::new();
            let mut d = Deployment::new(&build.resources, Some(env), !build.failed, sources);
            d.read_cache_strategies(sources, &cache_pattern(run.policy, Some(env)));
            run.objects(
                &d,
                true,
                Some(&build.secrets),
                &mut out,
                &mut o.secrets,
                &mut skipped,
            );
            // Every resource file the build read, as written: a base is deployable by itself, so
            // the redis.conf of a base ConfigMap that the overlays replace still gets the checks
            // that need no environment (what the rendered checks also found merges with it).
            let raw = Deployment::new(&build.raw, None, true, sources);
            for c in &raw.configs {
                o.secrets.extend(crate::redis::secret_spans(&c.file));
            }
            o.secrets.sort();
            for c in &raw.configs {
                run.checks(
                    Scope::Config,
                    Input::Config(&c.file),
                    None,
                    &o.secrets,
                    &mut out,
                    &mut Vec::new(),
                );
            }
            if build.failed {
                o.partial.push(
                    "the build failed: the checks ran on what was built and drew no conclusion from anything missing"
                        .to_string(),
                );
            }
            if !out.withheld.is_empty() {
                o.partial.push(format!(
                    "withheld because the build is incomplete: {}",
                    rule_list(&out.withheld)
                ));
            }
            if !skipped.is_empty() {
                o.partial.push(format!(
                    "no policy for environment `{env}` (known: {}): {} not run; add it to .grill-lint.yaml as `environments: {{{env}: {{extends: ENV}}}}` and override what differs",
                    known_environments(run.policy),
                    rule_list(&skipped)
                ));
            }
            o.findings = build.findings;
            o.findings.append(&mut out.findings);
            o.secrets.extend(build.secrets);
            for f in &mut o.findings {
                f.environments = vec![env.clone()];
            }
            o
        }
        Target::Conf { path, kind } => match sources.load_within(path, &crate::source::tree_root(path)) {
            Ok(file) if file.line_count() > crate::redis::MAX_CONF_LINES => Outcome {
                findings: vec![Finding::new(
                    id::YAML_LIMITS,
                    file.span(0, 0),
                    format!(
                        "this config has {} lines, above the limit of {} lines (config size limit); it was not checked",
                        file.line_count(),
                        crate::redis::MAX_CONF_LINES
                    ),
                )],
                ..Outcome::default()
            },
            Ok(file) => {
                let conf = crate::redis::parse(&file, *kind);
                let mut out = Out::new(true);
                let secrets = crate::redis::secret_spans(&conf);
                run.checks(
                    Scope::Config,
                    Input::Config(&conf),
                    env_flag,
                    &secrets,
                    &mut out,
                    &mut Vec::new(),
                );
                Outcome {
                    findings: out.findings,
                    secrets,
                    ..Outcome::default()
                }
            }
            Err(e) => unreadable(sources, path, &e),
        },
        Target::Yaml { path } => match sources.load_within(path, &crate::source::tree_root(path)) {
            Ok(file) => {
                let parsed = parse_stream(&file, Limits::default());
                let docs: Vec<Resource> = parsed
                    .docs
                    .into_iter()
                    .filter(|d| d.get("kind").is_some())
                    .map(|node| Resource { node })
                    .collect();
                let mut o = Outcome::default();
                let mut out = Out::new(true);
                // A file linted alone: per-object and per-config checks, no conclusions about
                // the deployment it is only a part of.
                let mut d = Deployment::new(&docs, env_flag, true, sources);
                d.read_cache_strategies(sources, &cache_pattern(run.policy, env_flag));
                run.objects(&d, false, None, &mut out, &mut o.secrets, &mut Vec::new());
                if d.processes.is_empty() {
                    // Nothing in the file runs Redis: its `*.conf` keys are read as the file
                    // mode always did (the user named this file).
                    for doc in &d.objects {
                        for (conf, _) in embedded_configs(doc, sources) {
                            run.checks(
                                Scope::Config,
                                Input::Config(&conf),
                                env_flag,
                                &o.secrets,
                                &mut out,
                                &mut Vec::new(),
                            );
                            o.secrets.extend(crate::redis::secret_spans(&conf));
                        }
                    }
                }
                o.findings = parsed.findings;
                o.findings.append(&mut out.findings);
                o
            }
            Err(e) => unreadable(sources, path, &e),
        },
        Target::TooDeep { dir } => Outcome {
            findings: vec![targets::too_deep(dir, sources)],
            ..Outcome::default()
        },
        Target::Json { path } => match sources.load_within(path, &crate::source::tree_root(path)) {
            Ok(file) => Outcome {
                findings: json_syntax(&file),
                ..Outcome::default()
            },
            Err(e) => unreadable(sources, path, &e),
        },
    }
}

fn rule_list(rules: &[RuleId]) -> String {
    let names: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
    names.join(", ")
}

/// `*.conf` keys of a ConfigMap, parsed as Redis would read them (file mode only).
fn embedded_configs(doc: &Node, sources: &SourceMap) -> Vec<(crate::redis::RedisConf, String)> {
    let mut out = Vec::new();
    if doc.str_at(&["kind"]) != Some("ConfigMap") {
        return out;
    }
    let Some(data) = doc.get("data").and_then(Node::as_map) else {
        return out;
    };
    for e in data.entries.iter() {
        let (Some(key), Some(text)) = (e.key.as_str(), e.value.as_str()) else {
            continue;
        };
        if !key.ends_with(".conf") {
            continue;
        }
        let kind = crate::redis::detect_kind(Path::new(key), text);
        let file = sources.get(e.value.span.file);
        if let Some(conf) = crate::redis::parse_embedded(&file, &e.value, kind) {
            out.push((conf, key.to_string()));
        }
    }
    out
}

/// A file that cannot be read is a finding at the file (it exists: `resolve` checked).
/// Its bytes are never shown (the file may be a link to a secret outside the tree).
fn unreadable(sources: &SourceMap, path: &Path, e: &crate::source::ReadError) -> Outcome {
    let rule = match e {
        crate::source::ReadError::Outside { .. } => id::KUSTOMIZE_OUTSIDE_ROOT,
        _ => id::YAML_LIMITS,
    };
    let f = sources.add(path, String::new());
    Outcome {
        findings: vec![Finding::new(rule, f.span(0, 0), e.to_string())],
        ..Outcome::default()
    }
}

/// Cache-strategy JSON files: the syntax is checked here; the schema rules run on the model.
fn json_syntax(file: &crate::source::SourceFile) -> Vec<Finding> {
    match serde_json::from_str::<serde_json::Value>(&file.text) {
        Ok(_) => Vec::new(),
        Err(e) => {
            let start = file.line_start(e.line()).unwrap_or(0);
            let at = file.text[start..]
                .char_indices()
                .nth(e.column().saturating_sub(1))
                .map(|(b, _)| start + b)
                .unwrap_or(start);
            vec![Finding::new(
                id::CACHE_SCHEMA,
                file.span(at, at),
                format!("invalid JSON: {e}"),
            )]
        }
    }
}

/// One finding per (rule, location, message), listing every environment it holds in.
fn merge_environments(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut index: crate::hash::HashMap<
        (crate::rules::RuleId, crate::source::Span, String),
        usize,
    > = Default::default();
    for f in findings {
        let key = (f.rule, f.primary, f.message.clone());
        match index.get(&key) {
            Some(&i) => {
                let envs: BTreeSet<String> = out[i]
                    .environments
                    .drain(..)
                    .chain(f.environments)
                    .collect();
                out[i].environments = envs.into_iter().collect();
            }
            None => {
                index.insert(key, out.len());
                out.push(f);
            }
        }
    }
    out
}

/// Which kustomization directories each one includes (`resources`, `bases`, `components`),
/// by canonical path, read once per run (discovery records those it read).
struct IncludeGraph(targets::Includes);

impl IncludeGraph {
    /// `dir` and every directory it includes, directly or not (canonical paths).
    fn closure(&mut self, dir: &Path, sources: &SourceMap) -> BTreeSet<PathBuf> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<PathBuf> = std::fs::canonicalize(dir).into_iter().collect();
        while let Some(d) = todo.pop() {
            if !seen.insert(d.clone()) {
                continue;
            }
            let next = (self.0)
                .entry(d.clone())
                .or_insert_with(|| targets::included_dirs(&d, sources));
            todo.extend(next.iter().cloned());
        }
        seen
    }
}

/// The overlays whose build reads a file, each with its build, and the files none reads.
type OverlaysReading = (Vec<Target>, Vec<PathBuf>);

/// `--files-mode=overlays`: every overlay under the working directory whose build reads one of
/// `paths`, and the paths that no overlay reads (to be linted as files).
fn overlays_reading(
    paths: &[PathBuf],
    env: Option<&str>,
    sources: &SourceMap,
    parsed: &crate::kustomize::Parsed,
) -> Result<OverlaysReading, UsageError> {
    let cwd = std::env::current_dir().map_err(|e| UsageError(e.to_string()))?;
    let wanted: BTreeSet<PathBuf> = paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut includes = targets::Includes::default();
    let all = match targets::resolve_with_graph(&[cwd], env, sources, &mut includes) {
        Ok(t) => t,
        Err(_) => return Ok((Vec::new(), paths.to_vec())),
    };
    // Every file a build reads lies inside one of its kustomization directories (kustomize's
    // root-only load restriction, symlinks followed), so only an overlay whose directory graph
    // holds a directory above a changed file can read it: the others are not built.
    let mut graph = IncludeGraph(includes);
    let candidates: Vec<Target> = all
        .into_iter()
        .filter(|t| match t {
            Target::Overlay { dir, .. } => {
                let dirs = graph.closure(dir, sources);
                wanted.iter().any(|w| dirs.iter().any(|d| w.starts_with(d)))
            }
            _ => false,
        })
        .collect();
    let read_by = |b: &Build| -> BTreeSet<PathBuf> {
        b.files_read
            .iter()
            .filter_map(|id| std::fs::canonicalize(&sources.get(*id).path).ok())
            .filter(|p| wanted.contains(p))
            .collect()
    };
    // Each build is reduced to the changed files it read as soon as it is made.
    let built: Vec<(Target, BTreeSet<PathBuf>)> = candidates
        .into_par_iter()
        .filter_map(|t| match &t {
            Target::Overlay { dir, .. } => {
                let read = read_by(&crate::kustomize::build_with(dir, sources, parsed));
                Some((t, read))
            }
            _ => None,
        })
        .collect();
    let mut read = BTreeSet::new();
    let mut hits = Vec::new();
    for (t, r) in built {
        if !r.is_empty() {
            read.extend(r);
            hits.push(t);
        }
    }
    // Only files grill-lint can lint alone (a changed README.md next to the overlays is no
    // input, not an error).
    let lintable = |p: &Path| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        [".yaml", ".yml", ".json", ".conf"]
            .iter()
            .any(|e| name.ends_with(e))
            || targets::KUSTOMIZATION_FILES.contains(&name.as_str())
    };
    let unread = paths
        .iter()
        .filter(|p| lintable(p))
        .filter(|p| std::fs::canonicalize(p).map_or(true, |c| !read.contains(&c)))
        .cloned()
        .collect();
    Ok((hits, unread))
}
