//! Rule fixtures: a failing and a passing case for every implemented rule, and an insta snapshot
//! of what a person sees on the failing one (the ruff model: a reviewer reads the snapshot diff to
//! see how a change alters the diagnostics).
//!
//! Layout (documented in `tests/fixtures/rules/README.md`): `tests/fixtures/rules/<group>/<name>/`
//! holds `fail/` and `pass/`. The real binary lints each case from inside the case directory, so
//! the paths in the output are short and stable:
//! - `fail` must report at least one `<group>/<name>` finding, every location in a file of the
//!   case, and exit 1 exactly when the rule's default severity is `error` (run with
//!   `--select <group>/<name>`, so the exit code and the snapshot belong to that rule alone);
//!   its human output is the snapshot `tests/snapshots/<group>__<name>.snap`;
//! - `pass` must not report `<group>/<name>`, and (run without `--select`) must not report that
//!   its input could not be read or built (`yaml/syntax`, `yaml/limits`, a `kustomize/*` error):
//!   a pass case must pass because the rule holds, not because nothing was checked.
//!
//! The kustomization cases are checked against the real engine too: `kubectl kustomize` (the
//! pinned Kustomize) must refuse exactly the failing cases of the `kustomize/*` error rules and
//! build every other one (skipped loudly without kubectl, a failure under `CI=true`).
//!
//! Every case, in every output format and with every rule enabled, must not print one of the
//! [`PLANTED_SECRETS`] it contains. Cases listed in [`KNOWN_GAPS`] are implementation bugs found
//! by a correct fixture: their problems are printed on every run instead of failing the suite,
//! and a gap that no longer fails fails the suite so the list stays true. All problems of all
//! cases are collected and reported at once.

mod common;

use assert_cmd::Command;
use grill_lint::diag::Severity;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The rules whose checks have landed (the registry says which).
fn implemented() -> Vec<&'static str> {
    grill_lint::rules::all()
        .iter()
        .filter(|r| grill_lint::checks::is_implemented(r.rule))
        .map(|r| r.id.as_str())
        .collect()
}

/// A correct case that fails because of a bug in the implementation.
struct Gap {
    rule: &'static str,
    case: Case,
    /// The problem waived: text that the problem's description contains.
    problem: &'static str,
    /// One line for the lead: what is wrong in the implementation.
    reason: &'static str,
}

/// Known implementation bugs found by correct fixtures. Printed on every run; any other problem
/// of the same case still fails the suite, and so does a gap that no longer occurs.
const KNOWN_GAPS: &[Gap] = &[];

/// Password strings planted in fixtures. Whatever case contains one must never print it.
const PLANTED_SECRETS: &[&str] = &["Gr1ll-St4ts-pr0d-pw"];

const FORMATS: [&str; 4] = ["human", "json", "sarif", "github"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Fail,
    Pass,
}

impl Case {
    fn dir_name(self) -> &'static str {
        match self {
            Case::Fail => "fail",
            Case::Pass => "pass",
        }
    }
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// The rule directories present on disk, as (rule ID, directory).
fn rule_dirs() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for group in sorted_dirs(&fixtures_root()) {
        for rule in sorted_dirs(&group) {
            let id = format!("{}/{}", file_name(&group), file_name(&rule));
            out.push((id, rule));
        }
    }
    out
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What to lint in a case directory: the path named by a `target` file, else the only file of
/// the directory, else the directory itself (a kustomization).
fn target_of(dir: &Path) -> Result<String, String> {
    let target = dir.join("target");
    if target.is_file() {
        let named = std::fs::read_to_string(&target).map_err(|e| e.to_string())?;
        return Ok(named.trim().to_string());
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| file_name(p) != CASE_FILE)
        .collect();
    let has_kustomization = grill_lint::targets::kustomization_file(dir).is_some();
    match entries.as_slice() {
        [only] if only.is_file() && !has_kustomization => Ok(file_name(only)),
        _ if has_kustomization => Ok(".".into()),
        _ => Err(
            "neither a kustomization, nor a single input file, nor a `target` file naming one"
                .into(),
        ),
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A case's own settings: `case.yaml` beside its input, `env: NAME` naming the environment
/// whose policy applies (an overlay's directory is `fail` or `pass`, which no policy names).
const CASE_FILE: &str = "case.yaml";

fn case_env(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(CASE_FILE)).ok()?;
    let env = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("env:"))
        .map(|v| v.trim().trim_matches('"').to_string());
    assert!(
        env.is_some(),
        "{}: case.yaml must say `env: NAME`",
        dir.display()
    );
    env
}

fn grill(dir: &Path, args: &[&str]) -> Run {
    let mut all: Vec<String> = Vec::new();
    if let Some(env) = case_env(dir) {
        all.extend(["--env".to_string(), env]);
    }
    all.extend(args.iter().map(|a| a.to_string()));
    let out = Command::cargo_bin("grill-lint")
        .expect("the grill-lint binary is built for integration tests")
        .current_dir(dir)
        .args(&all)
        .output()
        .expect("grill-lint runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The findings of a `--format json` run, or why there are none.
fn json_findings(run: &Run) -> Result<Vec<Value>, String> {
    let v: Value = serde_json::from_str(&run.stdout).map_err(|e| {
        format!(
            "no JSON report ({e}; exit {:?}); stderr: {}",
            run.code,
            run.stderr.trim()
        )
    })?;
    v["findings"]
        .as_array()
        .cloned()
        .ok_or_else(|| "the JSON report has no `findings` array".into())
}

fn rule_of(f: &Value) -> &str {
    f["rule"].as_str().unwrap_or("")
}

/// Locations (primary and related) that do not name a line of a file of the case.
fn location_problems(dir: &Path, findings: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for f in findings {
        let related = f["related"].as_array().cloned().unwrap_or_default();
        for loc in std::iter::once(&f["location"]).chain(&related) {
            let file = loc["file"].as_str().unwrap_or("");
            let line = loc["line"].as_u64().unwrap_or(0) as usize;
            let path = dir.join(file);
            let inside = std::fs::canonicalize(&path)
                .ok()
                .zip(std::fs::canonicalize(dir).ok())
                .is_some_and(|(p, d)| p.starts_with(d));
            let lines = std::fs::read_to_string(&path)
                .map(|t| t.lines().count().max(1))
                .unwrap_or(0);
            if !inside || line == 0 || line > lines {
                out.push(format!(
                    "{} is located at {file}:{line}, which is no line of a file of this case",
                    rule_of(f)
                ));
            }
        }
    }
    out
}

/// True for a finding that means the input was not (fully) read or built.
fn unreadable(f: &Value) -> bool {
    let rule = rule_of(f);
    rule == "yaml/syntax"
        || rule == "yaml/limits"
        || (rule.starts_with("kustomize/") && f["severity"] == "error")
}

fn check_fail(rule: &str, sev: Severity, dir: &Path, target: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let run = grill(dir, &["--select", rule, "--format", "json", target]);
    let findings = match json_findings(&run) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    if !findings.iter().any(|f| rule_of(f) == rule) {
        problems.push(format!("{rule} did not fire (exit {:?})", run.code));
    }
    let expected_code = if sev == Severity::Error { 1 } else { 0 };
    if run.code != Some(expected_code) {
        problems.push(format!(
            "exit code {:?}, expected {expected_code} for a rule of severity {}",
            run.code,
            sev.as_str()
        ));
    }
    for f in findings.iter().filter(|f| rule_of(f) == rule) {
        if f["severity"] != sev.as_str() {
            problems.push(format!(
                "severity {} in the report, {} in the registry",
                f["severity"],
                sev.as_str()
            ));
        }
    }
    problems.extend(location_problems(dir, &findings));
    problems
}

fn check_pass(rule: &str, dir: &Path, target: &str) -> Vec<String> {
    let run = grill(dir, &["--format", "json", target]);
    let findings = match json_findings(&run) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let mut problems = Vec::new();
    for f in &findings {
        if rule_of(f) == rule {
            problems.push(format!("{rule} fired: {}", f["message"]));
        } else if unreadable(f) {
            problems.push(format!(
                "the input was not fully checked: {} {}",
                rule_of(f),
                f["message"]
            ));
        }
    }
    problems
}

/// Planted secrets of the case's files that any output format prints (all rules enabled).
fn leaks(dir: &Path, target: &str) -> Vec<String> {
    let planted: Vec<&str> = PLANTED_SECRETS
        .iter()
        .copied()
        .filter(|s| case_contains(dir, s))
        .collect();
    if planted.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for format in FORMATS {
        let run = grill(dir, &["--color", "never", "--format", format, target]);
        for s in &planted {
            if run.stdout.contains(s) || run.stderr.contains(s) {
                out.push(format!("--format {format} prints the planted secret `{s}`"));
            }
        }
    }
    out
}

fn case_contains(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .any(|p| {
            if p.is_dir() {
                case_contains(&p, needle)
            } else {
                std::fs::read_to_string(&p).is_ok_and(|t| t.contains(needle))
            }
        })
}

/// Compares the human output of a failing case with its snapshot; `Err` on a mismatch.
fn snapshot(rule: &str, dir: &Path, target: &str) -> Result<(), String> {
    let run = grill(
        dir,
        &[
            "--select", rule, "--color", "never", "--format", "human", target,
        ],
    );
    let name = rule.replace('/', "__");
    let rel = dir
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(dir)
        .display()
        .to_string();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!(
        "cd {rel} && grill-lint{} --select {rule} --color never --format human {target}",
        case_env(dir)
            .map(|e| format!(" --env {e}"))
            .unwrap_or_default()
    ));
    // Messages show paths relative to the working directory or as written, never absolute:
    // an absolute path would also make the snapshot depend on the checkout.
    if run.stdout.contains(env!("CARGO_MANIFEST_DIR")) {
        return Err(format!(
            "{name}: the output shows an absolute path:\n{}",
            run.stdout
        ));
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name.as_str(), &run.stdout))
    }));
    result.map_err(|_| format!("snapshot {name} differs (see the diff above)"))
}

/// Everything wrong with one case (empty: the case holds).
fn case_problems(rule: &str, case: Case, dir: &Path) -> Vec<String> {
    let Some(meta) = grill_lint::rules::get(rule) else {
        return vec![format!("{rule} is not a rule of the registry")];
    };
    let target = match target_of(dir) {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    let mut problems = match case {
        Case::Fail => check_fail(rule, meta.severity, dir, &target),
        Case::Pass => check_pass(rule, dir, &target),
    };
    problems.extend(leaks(dir, &target));
    problems
}

#[test]
fn every_implemented_rule_has_a_failing_and_a_passing_case() {
    let mut missing = Vec::new();
    for rule in implemented() {
        for case in [Case::Fail, Case::Pass] {
            let dir = fixtures_root().join(rule).join(case.dir_name());
            if !dir.is_dir() {
                missing.push(format!("{rule}: no {}", dir.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing fixtures:\n{}",
        missing.join("\n")
    );
}

#[test]
fn rule_fixtures() {
    for g in KNOWN_GAPS {
        loud(&format!(
            "KNOWN GAP {} ({}): {}",
            g.rule,
            g.case.dir_name(),
            g.reason
        ));
    }
    let mut failures = Vec::new();
    for (rule, dir) in rule_dirs() {
        let unexpected: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| file_name(&e.path()))
            .filter(|n| n != "fail" && n != "pass")
            .collect();
        if !unexpected.is_empty() {
            failures.push(format!("{rule}: unexpected entries {unexpected:?}"));
        }
        for case in [Case::Fail, Case::Pass] {
            let case_dir = dir.join(case.dir_name());
            if !case_dir.is_dir() {
                continue; // reported by the test over implemented() (or a rule not yet listed)
            }
            let label = format!("{rule} ({})", case.dir_name());
            let problems =
                waive_known_gaps(&label, &rule, case, case_problems(&rule, case, &case_dir));
            if !problems.is_empty() {
                failures.push(format!("{label}:\n  {}", problems.join("\n  ")));
            }
            if case == Case::Fail {
                if let Err(e) = target_of(&case_dir).and_then(|t| snapshot(&rule, &case_dir, &t)) {
                    failures.push(format!("{label}: {e}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule fixture problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Writes to the process's stderr directly: unlike `eprintln!`, not captured by the test
/// harness, so a known gap shows on every run, passing or not.
fn loud(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Prints and removes the problems that a [`KNOWN_GAPS`] entry waives; a gap of this case that
/// waives nothing becomes a problem itself (the bug is fixed: the entry must go).
fn waive_known_gaps(label: &str, rule: &str, case: Case, problems: Vec<String>) -> Vec<String> {
    let gaps: Vec<&Gap> = KNOWN_GAPS
        .iter()
        .filter(|g| g.rule == rule && g.case == case)
        .collect();
    let mut kept = Vec::new();
    let mut waived = vec![false; gaps.len()];
    for p in problems {
        match gaps.iter().position(|g| p.contains(g.problem)) {
            Some(i) => {
                loud(&format!("KNOWN GAP {label} still fails: {p}"));
                waived[i] = true;
            }
            None => kept.push(p),
        }
    }
    for (g, _) in gaps.iter().zip(waived).filter(|(_, w)| !w) {
        kept.push(format!(
            "listed in KNOWN_GAPS (\"{}\") but that problem is gone: remove the entry",
            g.problem
        ));
    }
    kept
}

/// Whether `kubectl kustomize` must refuse a case: only the failing cases of kustomize's own
/// error rules (the other rules' fixtures are buildable overlays with a wrong value in them).
fn kubectl_must_refuse(rule: &str, case: Case) -> bool {
    case == Case::Fail
        && rule.starts_with("kustomize/")
        && grill_lint::rules::get(rule).is_some_and(|r| r.severity == Severity::Error)
}

#[test]
fn kustomization_cases_agree_with_kubectl() {
    let Some(kubectl) = common::require_kubectl("kustomization_cases_agree_with_kubectl") else {
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rule, dir) in rule_dirs() {
        for case in [Case::Fail, Case::Pass] {
            let case_dir = dir.join(case.dir_name());
            let Ok(target) = target_of(&case_dir) else {
                continue; // reported by `rule_fixtures`
            };
            let target = case_dir.join(target);
            if grill_lint::targets::kustomization_file(&target).is_none() {
                continue;
            }
            checked += 1;
            let refused = common::kubectl_build(&kubectl, &target).is_failed();
            let must_refuse = kubectl_must_refuse(&rule, case);
            if refused != must_refuse {
                failures.push(format!(
                    "{rule} ({}): kubectl kustomize {} it, expected it to {}",
                    case.dir_name(),
                    if refused { "refuses" } else { "builds" },
                    if must_refuse { "refuse" } else { "build" },
                ));
            }
        }
    }
    assert!(checked > 0, "no kustomization case found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
