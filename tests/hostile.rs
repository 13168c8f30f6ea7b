//! Hostile input (issue 11) and reading safety (issue 12): every input is generated here, at
//! run time, in its own temporary directory; each run has a timeout, and the finding and the
//! exit code are checked. `scripts/hostile-table.sh` measures the same inputs (release build)
//! against 1 s and 256 MB.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A run that takes longer is a hang (the inputs hung or took gigabytes before the fixes).
const TIMEOUT: Duration = Duration::from_secs(180);

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("grill-hostile-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

/// Runs grill-lint in `dir` with `--format json`; returns the exit code and the findings.
fn run(dir: &Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .args(["--format", "json"])
        .timeout(TIMEOUT)
        .output()
        .unwrap();
    let code = out.status.code().expect("grill-lint was killed (a hang?)");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let findings = serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v["findings"].as_array().cloned())
        .unwrap_or_default();
    (code, findings, stderr)
}

fn has(findings: &[Value], rule: &str, text: &str) -> bool {
    findings
        .iter()
        .any(|f| f["rule"] == rule && f["message"].as_str().unwrap_or("").contains(text))
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n";

#[test]
fn a_fifo_anywhere_in_a_build_is_refused_not_read() {
    let cases: [(&str, &str, &str); 5] = [
        ("resource", "x.yaml", "resources: [x.yaml]\n"),
        (
            "patch",
            "p.yaml",
            "resources: [c.yaml]\npatches: [{path: p.yaml}]\n",
        ),
        (
            "genfile",
            "redis.conf",
            "configMapGenerator: [{name: g, files: [redis.conf]}]\n",
        ),
        (
            "envs",
            "e.env",
            "configMapGenerator: [{name: g, envs: [e.env]}]\n",
        ),
        ("kustomization", "kustomization.yaml", ""),
    ];
    for (tag, fifo, k) in cases {
        let d = tempdir(&format!("fifo-{tag}"));
        write(&d, "c.yaml", CM);
        if !k.is_empty() {
            write(&d, "kustomization.yaml", k);
        }
        mkfifo(&d.join(fifo));
        let (code, f, err) = run(&d, &["."]);
        assert_eq!(code, 1, "{tag}: {f:?} {err}");
        assert!(has(&f, "yaml/limits", "FIFO"), "{tag}: {f:?}");
        fs::remove_dir_all(&d).unwrap();
    }
}

#[test]
fn a_device_node_is_refused_without_reading_it() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!(
            "SKIP a_device_node_is_refused_without_reading_it: mknod needs root (not root here)"
        );
        return;
    }
    for (tag, k) in [
        ("resource", "resources: [zero.yaml]\n"),
        (
            "genfile",
            "configMapGenerator: [{name: g, files: [zero.yaml]}]\n",
        ),
        (
            "secret",
            "secretGenerator: [{name: g, files: [zero.yaml]}]\n",
        ),
    ] {
        let d = tempdir(&format!("dev-{tag}"));
        write(&d, "kustomization.yaml", k);
        let ok = std::process::Command::new("mknod")
            .args([d.join("zero.yaml").to_str().unwrap(), "c", "1", "5"])
            .status()
            .unwrap()
            .success();
        assert!(ok, "mknod");
        let (code, f, err) = run(&d, &["."]);
        assert_eq!(code, 1, "{tag}: {err}");
        assert!(has(&f, "yaml/limits", "character device"), "{tag}: {f:?}");
        fs::remove_dir_all(&d).unwrap();
    }
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n  x: [a, b, c, d]\n";

#[test]
fn a_doubling_json6902_copy_chain_hits_the_build_budget() {
    let d = tempdir("copy-chain");
    write(&d, "d.yaml", DEPLOY);
    let mut ops = String::from("- {op: add, path: /spec/l0, value: {}}\n");
    for i in 1..=30 {
        ops += &format!("- {{op: copy, from: /spec, path: /spec/l{i}}}\n");
    }
    write(&d, "p.yaml", &ops);
    write(
        &d,
        "kustomization.yaml",
        "resources: [d.yaml]\npatches:\n- path: p.yaml\n  target: {kind: Deployment, name: d}\n",
    );
    let (code, f, err) = run(&d, &["."]);
    assert_eq!(code, 1, "{err}");
    assert!(has(&f, "yaml/limits", "JSON6902 operation"), "{f:?}");
    assert!(has(&f, "yaml/limits", "1048576 values"), "{f:?}");
    // The finding is at a copy operation of the patch file, the one that crossed the limit.
    let lim = f.iter().find(|x| x["rule"] == "yaml/limits").unwrap();
    assert_eq!(lim["location"]["file"], "p.yaml");
    assert!(lim["location"]["line"].as_u64().unwrap() > 1);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_doubling_replacements_chain_hits_the_build_budget() {
    let d = tempdir("repl-chain");
    write(&d, "d.yaml", DEPLOY);
    let mut k = String::from("resources: [d.yaml]\nreplacements:\n");
    for i in 1..=30 {
        k += "- source: {kind: Deployment, name: d, fieldPath: spec}\n";
        k += &format!("  targets: [{{select: {{kind: Deployment}}, fieldPaths: [spec.r{i}], options: {{create: true}}}}]\n");
    }
    write(&d, "kustomization.yaml", &k);
    let (code, f, err) = run(&d, &["."]);
    assert_eq!(code, 1, "{err}");
    assert!(
        has(&f, "yaml/limits", "this replacement takes the build to"),
        "{f:?}"
    );
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_delimiter_replacement_doubling_a_string_hits_the_byte_budget() {
    let d = tempdir("repl-bytes");
    write(
        &d,
        "c.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"0123456789abcdef\"\n",
    );
    let mut k = String::from("resources: [c.yaml]\nreplacements:\n");
    for _ in 0..40 {
        k += "- source: {kind: ConfigMap, name: c, fieldPath: data.a}\n";
        k += "  targets: [{select: {kind: ConfigMap}, fieldPaths: [data.a], options: {delimiter: ',', index: -1}}]\n";
    }
    write(&d, "kustomization.yaml", &k);
    let (code, f, _) = run(&d, &["."]);
    assert_eq!(code, 1);
    assert!(has(&f, "yaml/limits", "bytes of text"), "{f:?}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_directory_built_along_many_paths_hits_the_build_size_limit() {
    // Each directory is built once and its objects copied where it is listed again (issue 13),
    // so the 2^30 paths cost 30 levels of work, and the 2^30 objects they would render stop at
    // the build's size budget, charged for every copy.
    let d = tempdir("diamond");
    write(&d, "l0/c.yaml", CM);
    write(&d, "l0/kustomization.yaml", "resources: [c.yaml]\n");
    for i in 1..=30 {
        for side in ["a", "b"] {
            write(
                &d,
                &format!("l{i}/{side}/kustomization.yaml"),
                &format!("namePrefix: {side}-\nresources: [../../l{}]\n", i - 1),
            );
        }
        write(
            &d,
            &format!("l{i}/kustomization.yaml"),
            "resources: [a, b]\n",
        );
    }
    let (code, f, _) = run(&d, &["l30"]);
    assert_eq!(code, 1);
    assert!(
        has(
            &f,
            "yaml/limits",
            "(a copy of its build) takes the build to"
        ),
        "{f:?}"
    );
    fs::remove_dir_all(&d).unwrap();
}

fn million_keys(dir: &Path, name: &str) {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    for i in 0..1_000_000 {
        s += &format!("  k{i}: v\n");
    }
    write(dir, name, &s);
}

#[test]
fn a_mapping_of_a_million_distinct_keys_is_read_in_linear_time() {
    let d = tempdir("million");
    million_keys(&d, "big.yaml");
    let t = Instant::now();
    let (code, f, err) = run(&d, &["big.yaml"]);
    let took = t.elapsed();
    assert_eq!(code, 0, "{f:?} {err}");
    assert!(f.is_empty(), "{f:?}");
    // 1 s is for the release build (scripts/hostile-table.sh measures it); an unoptimised
    // test binary on a loaded machine takes tens of seconds, the quadratic reader took hours.
    let limit = if cfg!(debug_assertions) { 150 } else { 2 };
    eprintln!("1,000,000 keys: {took:?}");
    assert!(took < Duration::from_secs(limit), "{took:?}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_hundred_thousand_duplicate_keys_are_fast_and_counted_not_listed() {
    let d = tempdir("dups");
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n");
    for i in 0..100_000 {
        s += &format!("  k{}: v\n", i % 1000);
    }
    write(&d, "dup.yaml", &s);
    let (code, f, _) = run(&d, &["dup.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        f.len(),
        101,
        "100 one by one, then one that counts the rest"
    );
    assert!(
        has(&f, "yaml/duplicate-key", "98900 more duplicate keys"),
        "{:?}",
        f.last()
    );
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_huge_flow_sequence_hits_the_value_limit() {
    let d = tempdir("flow");
    write(
        &d,
        "seq.yaml",
        &format!("a: [{}1]\n", "1,".repeat(3_000_000)),
    );
    let (code, f, _) = run(&d, &["seq.yaml"]);
    assert_eq!(code, 1);
    assert!(has(&f, "yaml/limits", "values in one file"), "{f:?}");
    fs::remove_dir_all(&d).unwrap();
}

/// A token planted in a file outside the tree; no output format may ever contain it.
const TOKEN: &str = "Zq9PLANTEDtoken7731";

fn assert_no_token(dir: &Path, args: &[&str]) -> i32 {
    let mut code = None;
    for format in ["human", "json", "sarif", "github"] {
        let out = Command::cargo_bin("grill-lint")
            .unwrap()
            .current_dir(dir)
            .args(args)
            .args(["--format", format])
            .env("CI_TOKEN", TOKEN)
            .timeout(TIMEOUT)
            .output()
            .unwrap();
        let all = [out.stdout, out.stderr].concat();
        assert!(
            !String::from_utf8_lossy(&all).contains(TOKEN),
            "{format} shows the planted token: {}",
            String::from_utf8_lossy(&all)
        );
        code = out.status.code();
    }
    code.unwrap()
}

#[test]
fn links_out_of_the_tree_are_refused_before_reading_in_every_format() {
    let d = tempdir("links");
    // `/etc/shadow`-style: a file outside the tree that holds a secret.
    write(
        &d,
        "outside/shadow",
        &format!("root:{TOKEN}:19000:0:99999:7:::\n"),
    );
    let tree = d.join("tree");
    fs::create_dir_all(tree.join("k")).unwrap();
    std::os::unix::fs::symlink(d.join("outside/shadow"), tree.join("k/kustomization.yaml"))
        .unwrap();
    assert_eq!(assert_no_token(&tree, &["k"]), 1);
    let (_, f, _) = run(&tree, &["k"]);
    assert!(has(&f, "kustomize/outside-root", "outside"), "{f:?}");

    // `/proc/self/environ`: the environment of the run (CI_TOKEN is set by assert_no_token).
    fs::create_dir_all(tree.join("e")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", tree.join("e/kustomization.yaml")).unwrap();
    assert_eq!(assert_no_token(&tree, &["e"]), 1);

    // A resource, a patch and a generator file linked out of the tree.
    fs::create_dir_all(tree.join("r")).unwrap();
    std::os::unix::fs::symlink(d.join("outside/shadow"), tree.join("r/s.yaml")).unwrap();
    std::os::unix::fs::symlink(d.join("outside/shadow"), tree.join("r/redis.conf")).unwrap();
    write(
        &tree,
        "r/kustomization.yaml",
        "resources: [s.yaml]\nconfigMapGenerator: [{name: g, files: [redis.conf]}]\n",
    );
    assert_eq!(assert_no_token(&tree, &["r"]), 1);

    // A redis.conf named on the command line that links out of its directory.
    write(&tree, "ok/redis.conf", "port 6379\n");
    std::os::unix::fs::symlink(d.join("outside/shadow"), tree.join("ok/linked.conf")).unwrap();
    let code = assert_no_token(&tree, &["ok/linked.conf", "ok/redis.conf"]);
    assert_eq!(code, 1, "the link is a finding; the other PATH is linted");

    // A `.grill-lint.yaml` linked to the secret: exit 2, and its bytes are never shown.
    write(&tree, "c/a.yaml", CM);
    write(&tree, "c/kustomization.yaml", "resources: [a.yaml]\n");
    std::os::unix::fs::symlink(d.join("outside/shadow"), tree.join("c/.grill-lint.yaml")).unwrap();
    assert_eq!(assert_no_token(&tree, &["c"]), 2);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_kustomization_directory_outside_the_repository_is_not_read() {
    let d = tempdir("repo");
    write(&d, "elsewhere/kustomization.yaml", "resources: [c.yaml]\n");
    write(&d, "elsewhere/c.yaml", CM);
    fs::create_dir_all(d.join("repo/.git")).unwrap();
    write(
        &d,
        "repo/o/kustomization.yaml",
        "resources: [../../elsewhere]\n",
    );
    let (code, f, _) = run(&d.join("repo"), &["o"]);
    assert_eq!(code, 1);
    assert!(
        has(&f, "kustomize/outside-root", "outside the repository"),
        "{f:?}"
    );
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn an_overlay_below_the_walk_depth_is_reported_not_skipped() {
    let d = tempdir("deep");
    let mut p = PathBuf::from("tree");
    for i in 1..=30 {
        p.push(format!("d{i}"));
    }
    write(
        &d,
        p.join("kustomization.yaml").to_str().unwrap(),
        "resources: [missing.yaml]\n",
    );
    let (code, f, _) = run(&d, &["tree"]);
    assert_eq!(code, 1);
    assert!(has(&f, "yaml/limits", "walk depth limit"), "{f:?}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn configuration_discovery_stops_at_the_repository_top() {
    let d = tempdir("cfgtop");
    // Above the repository: a file that would switch the failing rule off.
    write(
        &d,
        ".grill-lint.yaml",
        "rules:\n  yaml/duplicate-key: off\n",
    );
    fs::create_dir_all(d.join("repo/.git")).unwrap();
    write(&d, "repo/bad.yaml", "a: 1\na: 2\n");
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(d.join("repo"))
        .args(["--verbose", "bad.yaml"])
        .timeout(TIMEOUT)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the file above the repository was used"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("configuration: none"), "{err}");
    // Inside the repository it is found, and --verbose names it.
    write(
        &d,
        "repo/.grill-lint.yaml",
        "rules:\n  yaml/duplicate-key: off\n",
    );
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(d.join("repo"))
        .args(["--verbose", "bad.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("configuration: .grill-lint.yaml"));
    // A FIFO named .grill-lint.yaml is refused (exit 2), not waited on or ignored.
    fs::remove_file(d.join("repo/.grill-lint.yaml")).unwrap();
    mkfifo(&d.join("repo/.grill-lint.yaml"));
    let (code, _, err) = run(&d.join("repo"), &["bad.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("FIFO"), "{err}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn exit_code_gaps_are_closed() {
    let d = tempdir("gaps");
    // One unreadable .conf among several PATHs: a located finding, the rest linted.
    write(&d, "good.conf", "port 6379\nmaxmemory 1gb\nmaxmemory 2gb\n");
    mkfifo(&d.join("pipe.conf"));
    let (code, f, err) = run(&d, &["pipe.conf", "good.conf"]);
    assert_eq!(code, 1, "{err}");
    assert!(has(&f, "yaml/limits", "FIFO"), "{f:?}");
    assert!(
        f.iter().any(|x| x["location"]["file"] == "good.conf"),
        "{f:?}"
    );
    // --files-mode overlays with a PATH that does not exist: exit 2, not a silent pass.
    write(&d, "o/kustomization.yaml", "resources: [c.yaml]\n");
    write(&d, "o/c.yaml", CM);
    let (code, _, err) = run(&d, &["--files-mode", "overlays", "missing.yaml"]);
    assert_eq!(code, 2, "{err}");
    // A report that cannot be written to stdout: exit 2 with a message.
    let full = fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("grill-lint"))
        .current_dir(&d)
        .arg("good.conf")
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the report"));
    // One Latin-1 byte in a generator's redis.conf: a located finding, not silence.
    fs::write(
        d.join("o/redis.conf"),
        b"port 6379\n# caf\xe9\nmaxmemory 1gb\n",
    )
    .unwrap();
    write(
        &d,
        "o/kustomization.yaml",
        "resources: [c.yaml]\nconfigMapGenerator: [{name: g, files: [redis.conf]}]\n",
    );
    let (code, f, _) = run(&d, &["o"]);
    assert_eq!(code, 1);
    let l = f
        .iter()
        .find(|x| x["rule"] == "redis/invalid-value")
        .expect("a finding");
    assert!(
        l["message"].as_str().unwrap().contains("0xE9 on line 2"),
        "{l}"
    );
    assert_eq!(l["location"]["file"], "o/redis.conf");
    assert_eq!(l["location"]["line"], 2);
    fs::remove_dir_all(&d).unwrap();
}
