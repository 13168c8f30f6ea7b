//! The command-line contract (spec/cli.md): exit codes, output formats, configuration.

use assert_cmd::Command;
use serde_json::Value;

fn grill() -> Command {
    let mut c = Command::cargo_bin("grill-lint").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

const BROKEN: &str = "tests/fixtures/cli/broken.yaml";
const CLEAN: &str = "tests/fixtures/cli/clean.yaml";

#[test]
fn exit_codes() {
    grill().arg(CLEAN).assert().code(0);
    grill().arg(BROKEN).assert().code(1);
    grill()
        .args(["--fail-on", "never", BROKEN])
        .assert()
        .code(0);
    grill()
        .args(["--ignore", "yaml/duplicate-key", BROKEN])
        .assert()
        .code(0);
    grill()
        .args([
            "--ignore",
            "yaml/duplicate-key",
            "--fail-on",
            "warning",
            BROKEN,
        ])
        .assert()
        .code(1);
    grill()
        .arg("does/not/exist")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does/not/exist"));
    grill().args(["--format", "xml", CLEAN]).assert().code(2);
    grill()
        .args(["--select", "redis/nope", CLEAN])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown rule"));
}

#[test]
fn no_path_and_no_kustomize_dir_says_so() {
    let dir = tempdir("nopath");
    Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(&dir)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nothing to lint"));
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("grill-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn json_output_follows_the_contract() {
    let out = grill().args(["--format", "json", BROKEN]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "grill-lint");
    let f = &v["findings"];
    assert_eq!(f.as_array().unwrap().len(), 2);
    // Sorted by file, line, column: the label on line 6 comes before the duplicate on line 9.
    assert_eq!(f[0]["rule"], "yaml/ambiguous-scalar");
    assert_eq!(f[0]["severity"], "warning");
    assert_eq!(
        f[0]["location"],
        serde_json::json!({"file": BROKEN, "line": 6, "column": 14, "end_line": 6, "end_column": 16})
    );
    assert_eq!(f[1]["rule"], "yaml/duplicate-key");
    assert_eq!(f[1]["location"]["line"], 9);
    assert_eq!(f[1]["related"][0]["line"], 8);
    assert_eq!(f[1]["related"][0]["message"], "first defined here");
    assert!(f[1]["help"].is_string());
    assert_eq!(
        v["summary"],
        serde_json::json!({"errors": 1, "warnings": 1, "infos": 0, "targets": [BROKEN], "incomplete": []})
    );
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let out = grill()
        .args(["--format", "sarif", BROKEN])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &v["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        grill_lint::rules::all().len()
    );
    let res = &run["results"][1];
    assert_eq!(res["ruleId"], "yaml/duplicate-key");
    assert_eq!(
        res["locations"][0]["physicalLocation"]["region"]["startLine"],
        9
    );
    assert_eq!(
        res["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        8
    );
    assert!(res["partialFingerprints"]["grillLint/v1"].is_string());
}

#[test]
fn sarif_fingerprints_survive_unrelated_line_moves() {
    let dir = tempdir("fp");
    let text = std::fs::read_to_string(format!("{}/{BROKEN}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    std::fs::write(dir.join("a.yaml"), &text).unwrap();
    let fp = |d: &std::path::Path| -> Vec<String> {
        let out = Command::cargo_bin("grill-lint")
            .unwrap()
            .current_dir(d)
            .args(["--format", "sarif", "a.yaml"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["grillLint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = fp(&dir);
    std::fs::write(
        dir.join("a.yaml"),
        format!("# a new comment line\n\n{text}"),
    )
    .unwrap();
    assert_eq!(before, fp(&dir));
}

/// SARIF and GitHub paths are relative to the repository root (the git top level, else the
/// configuration's directory) whatever the working directory, never absolute.
#[test]
fn sarif_and_github_paths_are_relative_to_the_repository_root() {
    let broken =
        std::fs::read_to_string(format!("{}/{BROKEN}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    for marker in [".git", ".grill-lint.yaml"] {
        let repo = tempdir(&format!("root{}", marker.len()));
        if marker == ".git" {
            std::fs::create_dir_all(repo.join(".git")).unwrap();
        } else {
            std::fs::write(repo.join(marker), "rules: {}\n").unwrap();
        }
        std::fs::create_dir_all(repo.join("kustomize/base")).unwrap();
        let file = repo.join("kustomize/base/a.yaml");
        std::fs::write(&file, &broken).unwrap();
        // From the file's own directory, from the root, and from elsewhere with an absolute path.
        let runs = [
            (repo.join("kustomize/base"), "a.yaml".to_string()),
            (repo.clone(), "kustomize/base/a.yaml".to_string()),
            (std::env::temp_dir(), file.to_string_lossy().into_owned()),
        ];
        for (cwd, arg) in &runs {
            let run = |format: &str| {
                let out = Command::cargo_bin("grill-lint")
                    .unwrap()
                    .current_dir(cwd)
                    .args(["--format", format, arg])
                    .output()
                    .unwrap();
                String::from_utf8(out.stdout).unwrap()
            };
            let v: Value = serde_json::from_str(&run("sarif")).unwrap();
            let run0 = &v["runs"][0];
            let base = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                base.starts_with("file:///") && base.ends_with('/'),
                "{base}"
            );
            let canon = std::fs::canonicalize(&repo).unwrap();
            assert!(
                base.ends_with(&format!("{}/", repo.display()))
                    || base.ends_with(&format!("{}/", canon.display())),
                "{base} for {}",
                repo.display()
            );
            for r in run0["results"].as_array().unwrap() {
                let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                assert_eq!(
                    loc["uri"],
                    "kustomize/base/a.yaml",
                    "{marker} from {}",
                    cwd.display()
                );
                assert_eq!(loc["uriBaseId"], "%SRCROOT%");
            }
            let gh = run("github");
            assert!(!gh.is_empty());
            for line in gh.lines() {
                assert!(line.contains(" file=kustomize/base/a.yaml,"), "{line}");
            }
        }
    }
}

#[test]
fn sarif_rules_carry_a_name_and_tags() {
    let out = grill().args(["--format", "sarif", CLEAN]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let r = rules
        .iter()
        .find(|r| r["id"] == "redis/inline-comment")
        .unwrap();
    assert_eq!(r["name"], "inline-comment");
    assert_eq!(
        r["properties"]["tags"],
        serde_json::json!(["redis", "error"])
    );
    assert!(rules.iter().all(|r| r["name"].is_string()));
}

#[test]
fn github_output_has_one_command_per_finding() {
    let out = grill()
        .args(["--format", "github", BROKEN])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with(&format!(
        "::error file={BROKEN},line=9,col=3,endLine=9,endColumn=7,title=yaml/duplicate-key::"
    )));
}

#[test]
fn human_output_shows_the_real_file_snippet() {
    grill()
        .args(["--color", "never", BROKEN])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "duplicate key `mode` in this mapping",
        ))
        .stdout(predicates::str::contains(format!("[{BROKEN}:9:3]")))
        .stdout(predicates::str::contains("first defined here"));
}

#[test]
fn output_file_and_quiet() {
    let dir = tempdir("out");
    let target = dir.join("r.json");
    grill()
        .args(["--format", "json", "--output"])
        .arg(&target)
        .arg(BROKEN)
        .assert()
        .code(1)
        .stdout("");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 2);
    grill()
        .args(["--quiet", "--color", "never", CLEAN])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn config_file_changes_severity_and_invalid_config_is_exit_2() {
    let dir = tempdir("cfg");
    std::fs::copy(
        format!("{}/{BROKEN}", env!("CARGO_MANIFEST_DIR")),
        dir.join("b.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join(".grill-lint.yaml"),
        "rules:\n  yaml/duplicate-key: warning\n",
    )
    .unwrap();
    let run = || {
        Command::cargo_bin("grill-lint")
            .unwrap()
            .current_dir(&dir)
            .arg("b.yaml")
            .assert()
    };
    run().code(0);
    std::fs::write(
        dir.join(".grill-lint.yaml"),
        "ignore:\n  - rule: yaml/duplicate-key\n",
    )
    .unwrap();
    run()
        .code(2)
        .stderr(predicates::str::contains("no `reason`"));
    // Policy data is read as the API server reads it: an allowed client that is no peer is
    // refused when the configuration loads, not silently matched against nothing.
    std::fs::write(
        dir.join(".grill-lint.yaml"),
        "rules:\n  netpol/allowed-clients:\n    params:\n      allowed_clients:\n        redis: [{}]\n",
    )
    .unwrap();
    run()
        .code(2)
        .stderr(predicates::str::contains("must specify a peer"));
    std::fs::write(dir.join(".grill-lint.yaml"), "ignore:\n  - rule: yaml/duplicate-key\n    path: \"*.yaml\"\n    reason: fixture\n  - rule: k8s/probes\n    reason: nothing to suppress\n").unwrap();
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(&dir)
        .args(["--format", "json", "b.yaml"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        vec!["lint/unused-suppression", "yaml/ambiguous-scalar"]
    );
}

#[test]
fn rules_lists_the_catalogue_and_completions_work() {
    let out = grill().arg("rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), grill_lint::rules::all().len());
    assert!(text.contains("redis/maxmemory-headroom"));
    grill()
        .args(["completions", "bash"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("grill-lint"));
}

/// The field's CLI habits (ruff, kube-linter, kubeconform): `-` with `--stdin-filename`,
/// `--statistics`, `--exit-zero`, did-you-mean, `explain` plain when piped.
#[test]
fn stdin_statistics_exit_zero_and_did_you_mean() {
    let conf = "port 6379\nmaxmemory 1gb # one gig\nhz 1900\n";
    // The name gives the kind (a .conf) and the reported path; the file need not exist.
    let out = grill()
        .args([
            "--format",
            "json",
            "--stdin-filename",
            "conf/redis.conf",
            "-",
        ])
        .write_stdin(conf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["redis/inline-comment", "redis/ignored-value"]);
    assert_eq!(v["findings"][0]["location"]["file"], "conf/redis.conf");
    assert_eq!(v["findings"][0]["location"]["line"], 2);

    let out = grill()
        .args(["--statistics", "-"])
        .write_stdin(conf)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "    1  redis/ignored-value   warning\n    1  redis/inline-comment  error\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("one gig"),
        "statistics print no findings: {text}"
    );

    grill()
        .args(["--exit-zero", "-"])
        .write_stdin(conf)
        .assert()
        .code(0);
    grill()
        .args(["--stdin-filename", "x.conf", CLEAN])
        .assert()
        .code(2);

    for args in [
        vec!["explain", "redis/inline-coment"],
        vec!["--select", "redis/inline-coment", CLEAN],
        vec!["--ignore", "inline-comment", CLEAN],
    ] {
        grill()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "did you mean `redis/inline-comment`?",
            ));
    }
    let dir = tempdir("dym");
    std::fs::write(
        dir.join(".grill-lint.yaml"),
        "rules:\n  redis/inline-coment: off\n",
    )
    .unwrap();
    std::fs::write(dir.join("redis.conf"), "port 6379\n").unwrap();
    Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(&dir)
        .arg("redis.conf")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "did you mean `redis/inline-comment`?",
        ));

    // Piped, `explain` prints its markdown as is (no terminal styles).
    let out = grill()
        .args(["explain", "redis/inline-comment"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# `redis/inline-comment`"), "{text}");
    assert!(!text.contains('\x1b'));
}
