//! What to lint: turns the command line's paths into targets.
//!
//! A kustomization directory is one environment. A directory that only contains
//! kustomizations below it stands for every *overlay* below it: a kustomization that no other
//! kustomization below the path includes (through `resources`, `bases` or `components`). A file
//! is a redis/sentinel config, a cache-strategy JSON, or a Kubernetes YAML file.

use crate::redis::ConfKind;
use crate::rules::id;
use crate::source::SourceMap;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Names kustomize accepts for a kustomization file, in its order of preference.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Directory levels searched below a path for kustomizations.
const MAX_WALK_DEPTH: usize = 24;
/// Directories visited at most while searching (a guard against huge trees).
const MAX_WALK_DIRS: usize = 20_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A kustomization directory, linted as the environment `env`.
    Overlay {
        dir: PathBuf,
        env: String,
    },
    Conf {
        path: PathBuf,
        kind: ConfKind,
    },
    Json {
        path: PathBuf,
    },
    Yaml {
        path: PathBuf,
    },
    /// A directory whose subdirectories lie deeper than the walk goes: they were not searched
    /// for overlays, which is reported (a finding), not skipped.
    TooDeep {
        dir: PathBuf,
    },
}

impl Target {
    pub fn display(&self) -> String {
        match self {
            Target::Overlay { dir, .. } => crate::paths::display(dir),
            Target::Conf { path, .. } | Target::Json { path } | Target::Yaml { path } => {
                crate::paths::display(path)
            }
            Target::TooDeep { dir } => crate::report::display_path(dir),
        }
    }
}

#[derive(Debug)]
pub struct TargetError(pub String);

pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| present(p))
}

pub use crate::paths::present;

/// Resolves the command line's paths. `env` overrides the environment name of every overlay.
/// Files are read through `sources`, so a file that discovery reads is not read again by the
/// lint that follows.
pub fn resolve(
    paths: &[PathBuf],
    env: Option<&str>,
    sources: &SourceMap,
) -> Result<Vec<Target>, TargetError> {
    resolve_with_graph(paths, env, sources, &mut Includes::default())
}

/// Canonical kustomization directory -> the canonical directories its build can include
/// directly (see [`referenced_dirs`]).
pub type Includes = crate::hash::HashMap<PathBuf, Vec<PathBuf>>;

/// [`resolve`], also recording the include graph of every kustomization directory it read.
pub fn resolve_with_graph(
    paths: &[PathBuf],
    env: Option<&str>,
    sources: &SourceMap,
    graph: &mut Includes,
) -> Result<Vec<Target>, TargetError> {
    let mut out = Vec::new();
    for p in paths {
        let meta =
            std::fs::metadata(p).map_err(|e| TargetError(format!("{}: {e}", p.display())))?;
        if meta.is_dir() {
            let (overlays, cut) = overlays_below(p, sources, graph)?;
            if overlays.is_empty() && cut.is_empty() {
                return Err(TargetError(format!(
                    "{}: no kustomization.yaml in or below this directory: nothing to lint",
                    p.display()
                )));
            }
            for dir in overlays {
                let env = env.map(str::to_string).unwrap_or_else(|| env_name(&dir));
                out.push(Target::Overlay { dir, env });
            }
            out.extend(cut.into_iter().map(|dir| Target::TooDeep { dir }));
        } else {
            out.push(classify_file(p, sources)?);
        }
    }
    out.dedup();
    Ok(out)
}

/// The environment name of an overlay: its directory name.
pub fn env_name(dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    crate::paths::clean(&abs)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "default".into())
}

pub fn classify_file(p: &Path, sources: &SourceMap) -> Result<Target, TargetError> {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".json") {
        return Ok(Target::Json {
            path: p.to_path_buf(),
        });
    }
    if name.ends_with(".yaml")
        || name.ends_with(".yml")
        || KUSTOMIZATION_FILES.contains(&name.as_str())
    {
        if KUSTOMIZATION_FILES
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&name))
        {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            return Ok(Target::Overlay {
                dir: dir.to_path_buf(),
                env: env_name(dir),
            });
        }
        return Ok(Target::Yaml {
            path: p.to_path_buf(),
        });
    }
    if name.ends_with(".conf") {
        // Read when it is linted: a file that cannot be read is a finding there, and the
        // other PATHs are still linted.
        let text = sources
            .load_within(p, &crate::source::tree_root(p))
            .map(|f| f.text.clone())
            .unwrap_or_default();
        return Ok(Target::Conf {
            path: p.to_path_buf(),
            kind: crate::redis::detect_kind(p, &text),
        });
    }
    let file = sources
        .load_within(p, &crate::source::tree_root(p))
        .map_err(|e| TargetError(e.to_string()))?;
    if looks_like_redis_conf(&file.text) {
        return Ok(Target::Conf {
            path: p.to_path_buf(),
            kind: crate::redis::detect_kind(p, &file.text),
        });
    }
    Err(TargetError(format!(
        "{}: not a kustomization, Kubernetes YAML, redis.conf/sentinel.conf or cache-strategy JSON file",
        p.display()
    )))
}

pub fn looks_like_redis_conf(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(20)
        .any(|l| {
            let d = l
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            matches!(
                d.as_str(),
                "port"
                    | "bind"
                    | "maxmemory"
                    | "save"
                    | "appendonly"
                    | "sentinel"
                    | "requirepass"
                    | "dir"
            )
        })
}

/// The finding for a [`Target::TooDeep`] directory (located at the directory itself).
pub fn too_deep(dir: &Path, sources: &SourceMap) -> crate::diag::Finding {
    let at = sources.add(dir.join(""), String::new());
    crate::diag::Finding::new(
        id::YAML_LIMITS,
        at.span(0, 0),
        format!(
            "`{}` is {MAX_WALK_DEPTH} directories down and has subdirectories: they were not searched for overlays (walk depth limit)",
            crate::report::display_path(dir)
        ),
    )
    .help("name a deeper directory as a PATH to lint the overlays below it")
}

/// Every kustomization directory at or below `root` that no other one there includes, and
/// the directories at the depth limit whose subdirectories were not walked.
fn overlays_below(
    root: &Path,
    sources: &SourceMap,
    graph: &mut Includes,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), TargetError> {
    if kustomization_file(root).is_some() {
        return Ok((vec![root.to_path_buf()], Vec::new()));
    }
    let mut cut = Vec::new();
    let mut found = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut visited = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        visited += 1;
        if visited > MAX_WALK_DIRS {
            return Err(TargetError(format!(
                "{}: more than {MAX_WALK_DIRS} directories below this path",
                root.display()
            )));
        }
        if kustomization_file(&dir).is_some() {
            found.push(dir.clone());
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .filter(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                !n.starts_with('.') && n != "target" && n != "node_modules"
            })
            .map(|e| e.path())
            .collect();
        subdirs.sort();
        if depth >= MAX_WALK_DEPTH {
            if !subdirs.is_empty() {
                cut.push(dir);
            }
            continue;
        }
        stack.extend(subdirs.into_iter().rev().map(|d| (d, depth + 1)));
    }
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| crate::paths::clean(p));
    let mut included = BTreeSet::new();
    for dir in &found {
        let (first, every) = referenced_dirs(dir, sources);
        for r in first {
            included.insert(canon(&r));
        }
        if let Ok(c) = std::fs::canonicalize(dir) {
            let every = every.iter().filter_map(|p| std::fs::canonicalize(p).ok());
            graph.insert(c, every.collect());
        }
    }
    let mut overlays: Vec<PathBuf> = found
        .into_iter()
        .filter(|d| !included.contains(&canon(d)))
        .collect();
    overlays.sort();
    Ok((overlays, cut))
}

/// The canonical directories a build of `dir` can include directly (see [`referenced_dirs`]).
pub fn included_dirs(dir: &Path, sources: &SourceMap) -> Vec<PathBuf> {
    let every = referenced_dirs(dir, sources).1;
    every
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect()
}

/// The directories a kustomization names in `resources`, `bases` and `components` (read
/// leniently: a kustomization that does not parse includes nothing here; its build reports
/// it), then the same with every value of a repeated key counted (whichever one a build
/// keeps): every directory a build of `dir` can include directly.
fn referenced_dirs(dir: &Path, sources: &SourceMap) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let Some(kfile) = kustomization_file(dir) else {
        return Default::default();
    };
    let Ok(file) = sources.load_within(&kfile, dir) else {
        return Default::default();
    };
    let parsed = crate::yaml::parse_stream(&file, crate::yaml::Limits::default());
    let (mut first, mut every) = (Vec::new(), Vec::new());
    let named = |list: &crate::yaml::Node, out: &mut Vec<PathBuf>| {
        for item in list.as_seq().unwrap_or(&[]) {
            if let Some(rel) = item.as_str() {
                let p = dir.join(rel);
                if p.is_dir() {
                    out.push(p);
                }
            }
        }
    };
    for doc in &parsed.docs {
        for field in ["resources", "bases", "components"] {
            if let Some(list) = doc.get(field) {
                named(list, &mut first);
            }
            let entries = doc.as_map().map_or(&[][..], |m| &m.entries[..]);
            for e in entries.iter().filter(|e| e.key.as_str() == Some(field)) {
                named(&e.value, &mut every);
            }
        }
    }
    (first, every)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlays_not_bases() {
        let tmp = std::env::temp_dir().join(format!("grill-targets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        for d in ["base", "overlays/dev", "overlays/prod", "components/x"] {
            std::fs::create_dir_all(tmp.join(d)).unwrap();
        }
        std::fs::write(tmp.join("base/kustomization.yaml"), "resources: []\n").unwrap();
        std::fs::write(
            tmp.join("components/x/kustomization.yaml"),
            "kind: Component\n",
        )
        .unwrap();
        for o in ["dev", "prod"] {
            std::fs::write(
                tmp.join(format!("overlays/{o}/kustomization.yaml")),
                "resources: [../../base]\ncomponents: [../../components/x]\n",
            )
            .unwrap();
        }
        let t = resolve(std::slice::from_ref(&tmp), None, &SourceMap::new()).unwrap();
        let envs: Vec<_> = t
            .iter()
            .map(|t| match t {
                Target::Overlay { env, .. } => env.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(envs, vec!["dev", "prod"]);
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
