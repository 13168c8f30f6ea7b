//! Helpers shared by the integration tests that compare grill-lint's native Kustomize build
//! with recorded or live `kubectl kustomize` output.
//!
//! * External tools follow one rule: a test that needs `kubectl` and cannot find it skips
//!   LOUDLY (a notice on stderr) unless `CI=true`, where it fails instead ([`require_kubectl`]).
//! * Outputs are compared as data, never as text: both sides are parsed with grill-lint's own
//!   YAML parser and turned into JSON ([`Outcome`]); a mismatch is explained by the first
//!   differing JSON pointer of the first differing document ([`diff_streams`]).
//! * Temporary trees live in [`TempDir`]s that remove themselves.

// Each test binary compiles this module and uses a different subset of it.
#![allow(dead_code)]

#[path = "../skip_note/mod.rs"]
mod skip_note;

use grill_lint::kustomize;
use grill_lint::source::SourceMap;
use grill_lint::yaml::{self, Limits};
use serde_json::Value as J;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The Kustomize version the recorded fixtures and the differential test are pinned to.
pub const ORACLE_KUSTOMIZE: &str = "v5.5.0";

/// The manifest directory of the crate (the repository root).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/kustomize-cases`.
pub fn cases_dir() -> PathBuf {
    repo_root().join("tests/fixtures/kustomize-cases")
}

/// True when the environment says we run in CI (`CI=true`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A located `kubectl` whose embedded Kustomize is the pinned oracle version.
#[derive(Clone, Debug)]
pub struct Kubectl {
    pub path: PathBuf,
    /// `kubectl version --client` output, for the test log.
    pub version: String,
}

/// Finds the oracle. When it is missing (or not the pinned Kustomize version) the test must
/// not pass silently: under `CI=true` this panics; otherwise it prints a loud skip notice on
/// stderr and returns `None`.
pub fn require_kubectl(test: &str) -> Option<Kubectl> {
    match locate_kubectl() {
        Ok(k) => Some(k),
        Err(why) if in_ci() => panic!("{test}: {why} (CI=true: this test must run in CI)"),
        Err(why) => {
            let bar = "!".repeat(76);
            skip_note::announce(&[
                String::new(),
                bar.clone(),
                format!("!! SKIPPED {test}: {why}"),
                "!! (set CI=true to turn this skip into a failure)".into(),
                bar,
            ]);
            None
        }
    }
}

fn locate_kubectl() -> Result<Kubectl, String> {
    let path = find_on_path("kubectl").ok_or("kubectl is not on PATH")?;
    let out = Command::new(&path)
        .args(["version", "--client"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let wanted = format!("Kustomize Version: {ORACLE_KUSTOMIZE}");
    if !version.lines().any(|l| l.trim() == wanted) {
        return Err(format!(
            "{} is not the pinned oracle ({wanted} expected, got {version:?})",
            path.display()
        ));
    }
    Ok(Kubectl { path, version })
}

fn find_on_path(tool: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|d| d.join(tool))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// What one build produced: rendered documents (as JSON) or a failure with its message.
#[derive(Clone, Debug)]
pub enum Outcome {
    Built(Vec<J>),
    Failed(String),
}

impl Outcome {
    pub fn is_failed(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
}

/// Runs `kubectl kustomize dir` (the oracle).
pub fn kubectl_build(kubectl: &Kubectl, dir: &Path) -> Outcome {
    let out = match Command::new(&kubectl.path)
        .arg("kustomize")
        .arg(dir)
        .output()
    {
        Ok(o) => o,
        Err(e) => return Outcome::Failed(format!("cannot run kubectl: {e}")),
    };
    if !out.status.success() {
        return Outcome::Failed(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    match parse_docs("kubectl output", &String::from_utf8_lossy(&out.stdout)) {
        Ok(docs) => Outcome::Built(docs),
        // The oracle's own output must parse; treat anything else as a harness failure.
        Err(e) => panic!("kubectl output for {} does not parse: {e}", dir.display()),
    }
}

/// Runs grill-lint's native build of `dir`. A successful build must also survive the round
/// trip through [`kustomize::Build::to_yaml`] (what `grill-lint render` prints): the printed
/// YAML, read back, must be the same data as the rendered nodes.
pub fn native_build(dir: &Path) -> Outcome {
    let sources = SourceMap::new();
    let build = kustomize::build(dir, &sources);
    if build.failed {
        let messages: Vec<String> = build
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect();
        return Outcome::Failed(if messages.is_empty() {
            "build failed without a finding".to_string()
        } else {
            messages.join("\n")
        });
    }
    let docs: Vec<J> = build.resources.iter().map(|r| r.node.to_json()).collect();
    let printed = build.to_yaml();
    match parse_docs("Build::to_yaml output", &printed) {
        Ok(reread) => match diff_streams(&docs, &reread) {
            None => Outcome::Built(docs),
            Some(d) => Outcome::Failed(format!(
                "Build::to_yaml does not round-trip (rendered nodes vs printed YAML read back):\n{d}"
            )),
        },
        Err(e) => Outcome::Failed(format!("Build::to_yaml output does not parse: {e}")),
    }
}

/// True when a failed native build is a deliberate refusal (a `kustomize/unsupported` finding).
pub fn is_refusal(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Failed(m) if m.lines().any(|l| l.starts_with("kustomize/unsupported:")))
}

/// Parses a multi-document YAML stream with grill-lint's parser into JSON documents
/// (YAML 1.2 reading, as kustomize reads). Empty documents are dropped, as kustomize does.
pub fn parse_docs(name: &str, text: &str) -> Result<Vec<J>, String> {
    let sources = SourceMap::new();
    let file = sources.add(name, text);
    let parsed = yaml::parse_stream(&file, Limits::default());
    if !parsed.complete || !parsed.findings.is_empty() {
        let msgs: Vec<String> = parsed.findings.iter().map(|f| f.message.clone()).collect();
        return Err(format!("{name}: {}", msgs.join("; ")));
    }
    Ok(parsed
        .docs
        .iter()
        .map(|d| scrub_volatile(d.to_json()))
        .filter(|d| !d.is_null())
        .collect())
}

/// Replaces the one value in kustomize output that depends on the kustomize build, the
/// `app.kubernetes.io/managed-by: kustomize-<version>` label of `buildMetadata:
/// [managedByLabel]` (the oracle prints `kustomize-(devel)`), by `kustomize-<version>`.
fn scrub_volatile(mut doc: J) -> J {
    if let Some(v) = doc.pointer_mut("/metadata/labels/app.kubernetes.io~1managed-by") {
        if v.as_str().is_some_and(|s| s.starts_with("kustomize-")) {
            *v = J::String("kustomize-<version>".into());
        }
    }
    doc
}

/// `Kind/namespace/name` of a rendered document, for messages.
pub fn doc_id(doc: &J) -> String {
    let s = |p: &str| doc.pointer(p).and_then(J::as_str).unwrap_or("").to_string();
    let ns = s("/metadata/namespace");
    let ns = if ns.is_empty() { "~".into() } else { ns };
    format!("{}/{}/{}", s("/kind"), ns, s("/metadata/name"))
}

/// Explains the first difference between two document streams (order matters), or `None`
/// when they are equal as data. The id lists are compared first, then the documents one by one.
pub fn diff_streams(expected: &[J], actual: &[J]) -> Option<String> {
    let ids_e: Vec<String> = expected.iter().map(doc_id).collect();
    let ids_a: Vec<String> = actual.iter().map(doc_id).collect();
    let mut out = String::new();
    if ids_e != ids_a {
        let _ = writeln!(out, "document ids differ:");
        let _ = writeln!(out, "  expected ({}): {}", ids_e.len(), ids_e.join(", "));
        let _ = writeln!(out, "  actual   ({}): {}", ids_a.len(), ids_a.join(", "));
    }
    let first = expected
        .iter()
        .zip(actual)
        .find_map(|(e, a)| first_diff(e, a, "").map(|d| format!("[{}]{d}", doc_id(e))));
    if let Some(d) = first {
        let _ = writeln!(out, "first difference: {d}");
    }
    (!out.is_empty()).then_some(out)
}

/// The first JSON pointer (below `at`) where `e` and `a` differ, with both values.
pub fn first_diff(e: &J, a: &J, at: &str) -> Option<String> {
    match (e, a) {
        (J::Object(me), J::Object(ma)) => {
            for (k, ve) in me {
                let here = format!("{at}/{}", escape_pointer(k));
                match ma.get(k) {
                    Some(va) => {
                        if let Some(d) = first_diff(ve, va, &here) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{here}: expected {}, missing", short(ve))),
                }
            }
            ma.iter()
                .find(|(k, _)| !me.contains_key(*k))
                .map(|(k, va)| format!("{at}/{}: unexpected {}", escape_pointer(k), short(va)))
        }
        (J::Array(le), J::Array(la)) => {
            for (i, (ve, va)) in le.iter().zip(la).enumerate() {
                if let Some(d) = first_diff(ve, va, &format!("{at}/{i}")) {
                    return Some(d);
                }
            }
            (le.len() != la.len()).then(|| {
                format!(
                    "{at}: expected {} items, got {} ({} != {})",
                    le.len(),
                    la.len(),
                    short(e),
                    short(a)
                )
            })
        }
        _ => (e != a).then(|| format!("{at}: expected {}, got {}", short(e), short(a))),
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON value, cut to a readable length.
fn short(v: &J) -> String {
    let s = v.to_string();
    match s.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// A directory under the system temp dir, removed (with its contents) on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("grill-lint-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        // Canonical, so that paths kubectl prints and paths we build from agree.
        let path = path.canonicalize().unwrap_or(path);
        TempDir { path }
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Writes `text` to `root/rel`, creating parent directories.
pub fn write_file(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Copies a directory tree, recreating symlinks as symlinks (the e11 cases depend on one).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &dest)?;
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}
