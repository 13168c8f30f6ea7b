//! The recorded Kustomize oracle: every build target under `tests/fixtures/kustomize-cases`
//! (a directory holding `expected.yaml`, see the README there) is built natively and compared,
//! as data, with what `kubectl kustomize` (Kustomize v5.5.0) printed for it.
//!
//! This is the renderer's CI check that needs no kubectl. An empty `expected.yaml` means kubectl
//! failed, so the native build must fail too. A native build that fails with a
//! `kustomize/unsupported` finding where kubectl succeeded is a deliberate refusal (`vars`, …):
//! it is listed, not counted as a mismatch. A failure must also carry the rule of kubectl's
//! error class (a cycle is `kustomize/cycle`, …). A last test re-runs the live oracle on the
//! fixtures, so a drift of the installed kubectl or a damaged fixture is noticed.

mod common;

use common::{Outcome, TempDir};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The placeholder that `e11-load-restrictions/k-abs` uses for its case directory.
const CASE_PLACEHOLDER: &str = "<case>";

/// Every build target, relative to the cases directory, sorted.
fn targets() -> Vec<String> {
    let root = common::cases_dir();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if entry.file_name() == "expected.yaml" {
                let rel = dir.strip_prefix(&root).unwrap_or(&dir);
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// The directory to build for a target. A target whose kustomization names the `<case>`
/// placeholder is built from a temporary copy of its case with the placeholder replaced by
/// the copy's absolute path (the fixtures themselves are never written).
fn prepare(rel: &str) -> (PathBuf, Option<TempDir>) {
    let dir = common::cases_dir().join(rel);
    let kfile = dir.join("kustomization.yaml");
    let text = std::fs::read_to_string(&kfile).unwrap_or_default();
    if !text.contains(CASE_PLACEHOLDER) {
        return (dir, None);
    }
    let case = rel.split('/').next().unwrap_or(rel);
    let tmp = TempDir::new("case");
    let case_copy = tmp.path().join(case);
    common::copy_tree(&common::cases_dir().join(case), &case_copy)
        .unwrap_or_else(|e| panic!("cannot copy case {case}: {e}"));
    let target_copy = tmp.path().join(rel);
    let replaced = text.replace(CASE_PLACEHOLDER, &case_copy.to_string_lossy());
    std::fs::write(target_copy.join("kustomization.yaml"), replaced)
        .unwrap_or_else(|e| panic!("cannot write the k-abs copy: {e}"));
    (target_copy, Some(tmp))
}

/// The recorded oracle output of a target: `None` when kubectl failed (empty file).
fn expected(rel: &str) -> Option<Vec<serde_json::Value>> {
    let path = common::cases_dir().join(rel).join("expected.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if text.trim().is_empty() {
        return None;
    }
    Some(common::parse_docs(rel, &text).unwrap_or_else(|e| panic!("{e}")))
}

/// How one target compared.
enum Verdict {
    Equal,
    BothFailed,
    Refused(String),
    Mismatch(String),
}

fn compare(expected: Option<&[serde_json::Value]>, native: &Outcome) -> Verdict {
    match (expected, native) {
        (None, Outcome::Failed(_)) => Verdict::BothFailed,
        (None, Outcome::Built(docs)) => Verdict::Mismatch(format!(
            "kubectl fails on this tree, the native build succeeded with {} documents",
            docs.len()
        )),
        (Some(_), Outcome::Failed(msg)) if common::is_refusal(native) => {
            Verdict::Refused(msg.clone())
        }
        (Some(e), Outcome::Failed(msg)) => Verdict::Mismatch(format!(
            "kubectl builds {} documents, the native build failed:\n{msg}",
            e.len()
        )),
        (Some(e), Outcome::Built(a)) => match common::diff_streams(e, a) {
            None => Verdict::Equal,
            Some(d) => Verdict::Mismatch(d),
        },
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

#[test]
fn every_target_is_found() {
    // The README lists 115 targets; a lost fixture must not shrink the check silently.
    assert_eq!(targets().len(), 115, "targets: {:?}", targets());
}

#[test]
fn native_build_matches_recorded_kubectl_output() {
    let all = targets();
    let (mut equal, mut both_failed) = (0, 0);
    let mut refused = Vec::new();
    let mut mismatches = Vec::new();
    for rel in &all {
        let (dir, _tmp) = prepare(rel);
        let want = expected(rel);
        match compare(want.as_deref(), &common::native_build(&dir)) {
            Verdict::Equal => equal += 1,
            Verdict::BothFailed => both_failed += 1,
            Verdict::Refused(msg) => refused.push(format!("  {rel}\n{}", indent(&msg))),
            Verdict::Mismatch(d) => mismatches.push(format!("  {rel}\n{}", indent(&d))),
        }
    }
    eprintln!(
        "kustomize cases: {} targets, {equal} equal, {both_failed} failed on both sides, {} refused, {} mismatches",
        all.len(),
        refused.len(),
        mismatches.len()
    );
    if !refused.is_empty() {
        eprintln!(
            "refused by grill-lint where kubectl builds:\n{}",
            refused.join("")
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} targets differ from the recorded kubectl output:\n{}",
        mismatches.len(),
        all.len(),
        mismatches.join("")
    );
}

/// kubectl error patterns (from `expected.err`) and the rule a native failure must report for
/// them: a build that fails for another reason than kubectl's is not a pass. Errors without a
/// dedicated rule (generator conflicts, kustomization kind or field errors) are not listed.
const ERROR_RULES: &[(&[&str], &str)] = &[
    (&["cycle detected"], "kustomize/cycle"),
    (&["is not in or below"], "kustomize/outside-root"),
    (&["already registered id"], "kustomize/duplicate-resource"),
    (
        &[
            "no matches for Id",
            "does not match a config with the following GVK",
        ],
        "kustomize/patch-target-missing",
    ),
    (
        &["invalid Kustomization: json: cannot unmarshal"],
        "kustomize/unsupported",
    ),
    (
        &[
            "doc is missing path",
            "doc is missing key",
            "doc is missing from path",
            "unknown patch strategy",
            "Unable to remove nonexistent key",
            "Unable to access invalid index",
            "testing value",
        ],
        "kustomize/patch-failed",
    ),
    (
        &[
            "external plugins disabled",
            "HelmChartInflationGenerator",
            "accumulating resources from 'https://",
            "missing metadata.name",
            "kustomization.yaml is empty",
        ],
        "kustomize/unsupported",
    ),
    (&["already defined at line"], "yaml/duplicate-key"),
];

/// The rule a native failure must carry for kubectl's recorded error, if the error has one.
fn expected_rule(rel: &str) -> Option<&'static str> {
    let path = common::cases_dir().join(rel).join("expected.err");
    let err = std::fs::read_to_string(&path).unwrap_or_default();
    ERROR_RULES
        .iter()
        .find(|(patterns, _)| patterns.iter().any(|p| err.contains(p)))
        .map(|(_, rule)| *rule)
}

#[test]
fn failed_builds_report_the_rule_of_kubectls_error() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for rel in targets() {
        if expected(&rel).is_some() {
            continue;
        }
        let Some(rule) = expected_rule(&rel) else {
            continue;
        };
        let (dir, _tmp) = prepare(&rel);
        checked += 1;
        match common::native_build(&dir) {
            Outcome::Failed(msg) if msg.lines().any(|l| l.starts_with(&format!("{rule}:"))) => {}
            Outcome::Failed(msg) => wrong.push(format!(
                "  {rel}: expected a {rule} finding, got\n{}",
                indent(&msg)
            )),
            Outcome::Built(_) => wrong.push(format!("  {rel}: expected a {rule} failure, built")),
        }
    }
    eprintln!(
        "failure classes: {checked} failing targets checked, {} wrong",
        wrong.len()
    );
    assert!(
        checked >= 20,
        "only {checked} failing targets have a known class"
    );
    assert!(
        wrong.is_empty(),
        "{} failing targets fail for another reason than kubectl:\n{}",
        wrong.len(),
        wrong.join("")
    );
}

#[test]
fn recorded_outputs_match_live_kubectl() {
    let Some(kubectl) = common::require_kubectl("recorded_outputs_match_live_kubectl") else {
        return;
    };
    eprintln!("oracle: {}\n{}", kubectl.path.display(), kubectl.version);
    let mut drift = Vec::new();
    for rel in targets() {
        let (dir, _tmp) = prepare(&rel);
        let want = expected(&rel);
        let live = common::kubectl_build(&kubectl, &dir);
        let differs = match (&want, &live) {
            (None, Outcome::Failed(_)) => None,
            (Some(e), Outcome::Built(a)) => common::diff_streams(e, a),
            (None, Outcome::Built(_)) => Some("kubectl now succeeds".to_string()),
            (Some(_), Outcome::Failed(m)) => Some(format!("kubectl now fails: {m}")),
        };
        if let Some(d) = differs {
            drift.push(format!("  {rel}\n{}", indent(&d)));
        }
    }
    assert!(
        drift.is_empty(),
        "live kubectl differs from the fixtures:\n{}",
        drift.join("")
    );
}

#[test]
fn diff_names_the_first_differing_pointer() {
    let e = json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"b/c": [1, 2]}});
    assert_eq!(common::first_diff(&e, &e.clone(), ""), None);
    let a = json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"b/c": [1, 3]}});
    assert_eq!(
        common::first_diff(&e, &a, "").as_deref(),
        Some("/data/b~1c/1: expected 2, got 3")
    );
    let extra =
        json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"b/c": [1, 2]}, "x": true});
    assert_eq!(
        common::first_diff(&e, &extra, "").as_deref(),
        Some("/x: unexpected true")
    );
    // Numbers and strings are different data.
    assert!(common::first_diff(&json!({"n": 1}), &json!({"n": "1"}), "").is_some());
    // Documents in another order are a difference, reported by id.
    let d2 = json!({"kind": "Secret", "metadata": {"name": "s"}});
    let diff = common::diff_streams(&[e.clone(), d2.clone()], &[d2, e]).unwrap_or_default();
    assert!(diff.contains("document ids differ"), "{diff}");
}

#[test]
fn placeholder_target_is_built_from_a_substituted_copy() {
    let (dir, tmp) = prepare("e11-load-restrictions/k-abs");
    assert!(tmp.is_some(), "k-abs must be copied");
    let text = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap_or_default();
    assert!(!text.contains(CASE_PLACEHOLDER), "{text}");
    let abs = Path::new(
        text.trim()
            .trim_start_matches("resources: [")
            .trim_end_matches(']'),
    );
    assert!(abs.is_absolute() && abs.exists(), "{text}");
}

/// A skip is visible in the normal (captured) output and reaches scripts/test.sh's list: this
/// binary re-runs its kubectl test with an empty PATH and without CI.
#[test]
fn a_kubectl_skip_is_seen_without_nocapture() {
    if std::env::var_os("GRILL_SKIP_CHILD").is_some() {
        return;
    }
    let log = std::env::temp_dir().join(format!("grill-skiplog-k-{}", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["recorded_outputs_match_live_kubectl", "--exact"])
        .env("PATH", "")
        .env_remove("CI")
        .env("GRILL_SKIP_CHILD", "1")
        .env("GRILL_SKIP_LOG", &log)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("SKIPPED recorded_outputs_match_live_kubectl"),
        "stderr: {stderr}"
    );
    let listed = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        listed.contains("SKIPPED recorded_outputs_match_live_kubectl"),
        "{listed:?}"
    );
    let _ = std::fs::remove_file(&log);
}
