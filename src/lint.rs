//! The pipeline: targets → builds and parses → checks → suppressions → a sorted [`Report`].

use crate::checks::Outcome;
use crate::config::Config;
use crate::diag::Finding;
use crate::kustomize::Build;
use crate::report::Report;
use crate::source::{FileId, SourceMap};
use crate::targets::{self, Target};
use crate::yaml::{parse_stream, Limits};
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
    let config_path = match &opts.config {
        Some(p) => Some(p.clone()),
        None => paths
            .first()
            .or(opts.stdin.as_ref().map(|(n, _)| n))
            .and_then(|p| crate::config::discover(p)),
    };
    let config = match &config_path {
        Some(p) => crate::config::load(p, &sources)
            .map_err(|e| UsageError(format!("invalid configuration: {e}")))?,
        None => Config::default(),
    };
    for pat in opts.select.iter().chain(&opts.ignore) {
        if !crate::suppress::known_pattern(pat) {
            return Err(UsageError(crate::suppress::unknown_rule_message(pat)));
        }
    }
    // In files mode the overlays were built to learn which files they read: keep those builds.
    let jobs: Vec<(Target, Option<Build>)> = if opts.files_mode_overlays {
        let (built, unread) = overlays_reading(paths, opts.env.as_deref(), &sources)?;
        // A file no overlay reads is still a changed file: it is linted as a file.
        let alone = targets::resolve(&unread, opts.env.as_deref(), &sources)
            .map_err(|e| UsageError(e.0))?;
        built
            .into_iter()
            .map(|(t, b)| (t, Some(b)))
            .chain(alone.into_iter().map(|t| (t, None)))
            .collect()
    } else {
        targets::resolve(paths, opts.env.as_deref(), &sources)
            .map_err(|e| UsageError(e.0))?
            .into_iter()
            .map(|t| (t, None))
            .collect()
    };
    let mut jobs = jobs;
    if let Some(t) = stdin_target {
        jobs.push((t, None));
    }
    let targets: Vec<Target> = jobs.iter().map(|(t, _)| t.clone()).collect();
    let outcomes: Vec<Outcome> = jobs
        .into_par_iter()
        .map(|(t, b)| lint_target(&t, b, &sources))
        .collect();
    let mut secrets = Vec::new();
    let mut all = Vec::new();
    for o in outcomes {
        all.extend(o.findings);
        secrets.extend(o.secrets);
    }
    let findings = merge_environments(all);

    let read: Vec<FileId> = (0..sources.len() as u32).map(FileId).collect();
    let findings = crate::suppress::apply(findings, &sources, &read);
    let config_file = config_path.as_deref().and_then(|p| sources.load(p).ok());
    let findings = config.apply(findings, &sources, config_file.as_deref());
    let findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            opts.select.is_empty()
                || opts
                    .select
                    .iter()
                    .any(|p| crate::suppress::matches_rule(p, f.rule))
        })
        .filter(|f| {
            !opts
                .ignore
                .iter()
                .any(|p| crate::suppress::matches_rule(p, f.rule))
        })
        .collect();
    secrets.sort();
    secrets.dedup();
    let mut report = Report {
        sources,
        findings,
        targets: targets.iter().map(Target::display).collect(),
        secrets,
    };
    report.sort();
    Ok(report)
}

fn lint_target(t: &Target, prebuilt: Option<Build>, sources: &SourceMap) -> Outcome {
    match t {
        Target::Overlay { dir, env } => {
            let build = prebuilt.unwrap_or_else(|| crate::kustomize::build(dir, sources));
            let mut out = if build.failed {
                Outcome::default()
            } else {
                crate::checks::overlay(&build, sources)
            };
            // Every file the build read, also one whose content a later step replaced (not
            // when the build failed: then nothing of the overlay is checked).
            if !build.failed {
                let read = crate::checks::sources::read_files(&build, sources);
                out.findings.extend(read.findings);
                out.secrets.extend(read.secrets);
            }
            out.findings.splice(0..0, build.findings);
            out.secrets.extend(build.secrets);
            for f in &mut out.findings {
                f.environments = vec![env.clone()];
            }
            out
        }
        Target::Conf { path, kind } => match sources.load(path) {
            Ok(file) => {
                let conf = crate::redis::parse(&file, *kind);
                Outcome {
                    findings: crate::redis::lint(&conf),
                    secrets: crate::redis::secret_spans(&conf),
                }
            }
            Err(e) => unreadable(sources, path, &e.to_string()),
        },
        Target::Yaml { path } => match sources.load(path) {
            Ok(file) => {
                let parsed = parse_stream(&file, Limits::default());
                let mut out = Outcome {
                    findings: parsed.findings,
                    secrets: Vec::new(),
                };
                for doc in parsed.docs.iter().filter(|d| d.get("kind").is_some()) {
                    crate::checks::object(doc, sources, &mut out);
                }
                out
            }
            Err(e) => unreadable(sources, path, &e.to_string()),
        },
        Target::Json { path } => match sources.load(path) {
            Ok(file) => Outcome {
                findings: json_syntax(&file),
                secrets: Vec::new(),
            },
            Err(e) => unreadable(sources, path, &e.to_string()),
        },
    }
}

/// A file that cannot be read is a finding at the file (it exists: `resolve` checked).
fn unreadable(sources: &SourceMap, path: &Path, why: &str) -> Outcome {
    let f = sources.add(path, String::new());
    Outcome {
        findings: vec![Finding::new("yaml/limits", f.span(0, 0), why.to_string())],
        secrets: Vec::new(),
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
                "cache/schema",
                file.span(at, at),
                format!("invalid JSON: {e}"),
            )]
        }
    }
}

/// One finding per (rule, location, message), listing every environment it holds in.
fn merge_environments(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut index: std::collections::HashMap<(&'static str, crate::source::Span, String), usize> =
        Default::default();
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

/// The overlays whose build reads a file, each with its build, and the files none reads.
type OverlaysReading = (Vec<(Target, Build)>, Vec<PathBuf>);

/// `--files-mode=overlays`: every overlay under the working directory whose build reads one of
/// `paths`, and the paths that no overlay reads (to be linted as files).
fn overlays_reading(
    paths: &[PathBuf],
    env: Option<&str>,
    sources: &SourceMap,
) -> Result<OverlaysReading, UsageError> {
    let cwd = std::env::current_dir().map_err(|e| UsageError(e.to_string()))?;
    let wanted: BTreeSet<PathBuf> = paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let all = match targets::resolve(&[cwd], env, sources) {
        Ok(t) => t,
        Err(_) => return Ok((Vec::new(), paths.to_vec())),
    };
    let built: Vec<(Target, Build)> = all
        .into_par_iter()
        .filter_map(|t| match &t {
            Target::Overlay { dir, .. } => {
                let build = crate::kustomize::build(dir, sources);
                Some((t, build))
            }
            _ => None,
        })
        .collect();
    let read_by = |b: &Build| -> BTreeSet<PathBuf> {
        b.files_read
            .iter()
            .filter_map(|id| std::fs::canonicalize(&sources.get(*id).path).ok())
            .filter(|p| wanted.contains(p))
            .collect()
    };
    let mut read = BTreeSet::new();
    let mut hits = Vec::new();
    for (t, b) in built {
        let r = read_by(&b);
        if !r.is_empty() {
            read.extend(r);
            hits.push((t, b));
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
