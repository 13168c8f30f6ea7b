//! Policy per environment, fail-closed builds and the headroom numbers of the design document,
//! run through the real binary on small overlays written to a scratch directory.
//!
//! Issue 7, items 2 (a staging environment from `.grill-lint.yaml` alone, an environment without
//! policy, `--env nope`, an unknown parameter, `explain`, postgresql.conf), 6 (a failed build
//! still gets the checks whose inputs were built, never exit 0) and 7 (512Mi/768mb fails,
//! 2Gi/1536mb passes, 2Gi/1611m fails).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The prod-lab fixture that passes every rule: redis.yaml and sentinel.yaml.
fn prod_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules/redis/maxmemory-headroom/pass");
    ["redis.yaml", "sentinel.yaml"]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(f)).expect("fixture exists");
            (f.to_string(), text)
        })
        .collect()
}

/// Writes an overlay directory `name` (its environment) under a fresh scratch directory.
fn overlay(
    test: &str,
    name: &str,
    files: &[(String, String)],
    extra_resources: &[&str],
) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("environments-{test}"));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let mut k = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: grill-stats\nresources:\n",
    );
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
        k.push_str(&format!("  - {f}\n"));
    }
    for r in extra_resources {
        k.push_str(&format!("  - {r}\n"));
    }
    std::fs::write(dir.join("kustomization.yaml"), k).unwrap();
    dir
}

fn replace(files: &[(String, String)], from: &str, to: &str) -> Vec<(String, String)> {
    let mut hit = false;
    let out = files
        .iter()
        .map(|(f, t)| {
            hit |= t.contains(from);
            (f.clone(), t.replace(from, to))
        })
        .collect();
    assert!(hit, "`{from}` is in the fixture");
    out
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs grill-lint; a lint run is limited to the rule groups these fixtures are written for
/// (the Redis world and what reading and building report): their minimal manifests are not meant
/// to satisfy the workload, network, monitoring and backup rules.
fn grill(cwd: &Path, args: &[&str]) -> Out {
    let subcommand = matches!(args.first(), Some(&("explain" | "rules" | "render")));
    let mut all: Vec<&str> = Vec::new();
    if !subcommand && !args.contains(&"--select") {
        all.extend(["--select", "redis/,sentinel/,model/,kustomize/,yaml/,lint/"]);
    }
    all.extend(args);
    let o = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(cwd)
        .args(&all)
        .output()
        .unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn findings(o: &Out) -> Vec<Value> {
    let v: Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}): {}\n{}", o.stdout, o.stderr));
    v["findings"].as_array().cloned().unwrap_or_default()
}

fn of_rule<'a>(fs: &'a [Value], rule: &str) -> Vec<&'a Value> {
    fs.iter().filter(|f| f["rule"] == rule).collect()
}

#[test]
fn a_staging_environment_from_the_configuration_alone_applies_its_own_numbers() {
    let config = "environments:\n  staging:\n    extends: prod-lab\n    rules:\n      redis/memory-limit: {memory_limit: 1Gi}\n";
    // prod-lab's 2Gi is not staging's 1Gi; everything else staging inherits from prod-lab.
    let dir = overlay("staging-2gi", "staging", &prod_files(), &[]);
    std::fs::write(dir.parent().unwrap().join(".grill-lint.yaml"), config).unwrap();
    let o = grill(&dir, &["--format", "json", "."]);
    let fs = findings(&o);
    let limit = of_rule(&fs, "redis/memory-limit");
    assert_eq!(limit.len(), 1, "{fs:#?}");
    assert!(
        limit[0]["message"].as_str().unwrap().contains("2Gi")
            && limit[0]["message"].as_str().unwrap().contains("1Gi"),
        "{limit:#?}"
    );
    assert_eq!(o.code, 1);
    // With staging's numbers (1Gi, maxmemory 768mb) and prod-lab's for the rest: clean.
    let files = replace(&prod_files(), "memory: 2Gi", "memory: 1Gi");
    let files = replace(&files, "maxmemory 1536mb", "maxmemory 768mb");
    let dir = overlay("staging-1gi", "staging", &files, &[]);
    std::fs::write(dir.parent().unwrap().join(".grill-lint.yaml"), config).unwrap();
    let o = grill(&dir, &["--format", "json", "."]);
    assert_eq!(findings(&o), Vec::<Value>::new(), "{}", o.stderr);
    assert_eq!(o.code, 0);
    // prod-lab's persistence policy is inherited: appendonly no fails in staging too.
    let files = replace(&files, "appendonly yes", "appendonly no");
    let dir = overlay("staging-aof", "staging", &files, &[]);
    std::fs::write(dir.parent().unwrap().join(".grill-lint.yaml"), config).unwrap();
    let fs = findings(&grill(&dir, &["--format", "json", "."]));
    assert_eq!(of_rule(&fs, "redis/persistence").len(), 1, "{fs:#?}");
}

#[test]
fn an_environment_without_policy_is_reported_as_partly_checked() {
    let dir = overlay("no-policy", "qa", &prod_files(), &[]);
    let o = grill(&dir, &["--color", "never", "."]);
    assert!(
        o.stdout.contains("only partly checked")
            && o.stdout.contains("no policy for environment `qa`"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("redis/memory-limit"), "{}", o.stdout);
}

#[test]
fn an_unknown_environment_or_parameter_is_exit_2() {
    let dir = overlay("bad-env", "prod-lab", &prod_files(), &[]);
    let o = grill(&dir, &["--env", "nope", "."]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("nope"), "{}", o.stderr);
    std::fs::write(
        dir.parent().unwrap().join(".grill-lint.yaml"),
        "environments:\n  staging:\n    extends: prod-lab\n    rules:\n      redis/memory-limit: {memory_limt: 1Gi}\n",
    )
    .unwrap();
    let o = grill(&dir, &["."]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("redis/memory-limit")
            && o.stderr.contains("staging")
            && o.stderr.contains("memory_limt"),
        "{}",
        o.stderr
    );
}

#[test]
fn explain_shows_the_values_of_every_environment() {
    let o = grill(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["explain", "redis/memory-limit"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    for want in ["dev-lab", "512Mi", "prod-lab", "2Gi"] {
        assert!(o.stdout.contains(want), "`{want}` missing:\n{}", o.stdout);
    }
}

#[test]
fn postgresql_conf_that_no_redis_reads_is_not_linted_as_redis_conf() {
    let mut files = prod_files();
    files.push((
        "postgres.yaml".into(),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: postgres-config\ndata:\n  postgresql.conf: |\n    max_connections = 100\n    shared_buffers = 128MB\n  pg_hba.conf: |\n    host all all 0.0.0.0/0 md5\n".into(),
    ));
    let dir = overlay("postgres", "prod-lab", &files, &[]);
    let o = grill(&dir, &["--format", "json", "."]);
    let fs = findings(&o);
    assert!(
        !fs.iter().any(|f| f["location"]["file"] == "postgres.yaml"),
        "{fs:#?}"
    );
    assert_eq!(o.code, 0, "{fs:#?}");
}

/// An overlay with one missing resource file next to a Redis whose maxmemory exceeds its limit.
fn broken(test: &str) -> PathBuf {
    let files = replace(&prod_files(), "maxmemory 1536mb", "maxmemory 3gb");
    overlay(test, "prod-lab", &files, &["missing.yaml"])
}

#[test]
fn a_failed_build_still_checks_what_was_built_and_never_passes() {
    let dir = broken("failed-build");
    let fs = findings(&grill(&dir, &["--format", "json", "."]));
    assert_eq!(of_rule(&fs, "kustomize/missing-file").len(), 1, "{fs:#?}");
    assert_eq!(of_rule(&fs, "redis/maxmemory-headroom").len(), 1, "{fs:#?}");
    let o = grill(&dir, &["--color", "never", "."]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("only partly checked"), "{}", o.stdout);
    // Hiding the build's findings does not make the overlay pass.
    let o = grill(&dir, &["--ignore", "kustomize", "--ignore", "redis", "."]);
    assert_ne!(o.code, 0, "{}", o.stdout);
    std::fs::write(
        dir.parent().unwrap().join(".grill-lint.yaml"),
        "rules:\n  kustomize/: off\n  redis/: off\n",
    )
    .unwrap();
    let o = grill(&dir, &["."]);
    assert_ne!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_ne!(o.code, 2, "{}", o.stderr);
}

#[test]
fn a_failed_build_withholds_conclusions_from_absence() {
    // Sentinel is in the missing file: prod-lab's "no Sentinel" must not be concluded.
    let files: Vec<(String, String)> = prod_files()
        .into_iter()
        .filter(|(f, _)| f != "sentinel.yaml")
        .collect();
    let dir = overlay("withheld", "prod-lab", &files, &["sentinel.yaml"]);
    let o = grill(&dir, &["--format", "json", "."]);
    let fs = findings(&o);
    assert_eq!(of_rule(&fs, "kustomize/missing-file").len(), 1, "{fs:#?}");
    assert!(of_rule(&fs, "sentinel/required").is_empty(), "{fs:#?}");
    assert_eq!(o.code, 1);
}

#[test]
fn the_design_documents_headroom_numbers() {
    for (limit, maxmemory, fires) in [
        ("512Mi", "768mb", true),
        ("2Gi", "1536mb", false),
        ("2Gi", "1611m", true),
        ("2Gi", "1610612736", false),
        ("2Gi", "1610612737", true),
        ("2048Mi", "1536mb", false),
    ] {
        let files = replace(&prod_files(), "memory: 2Gi", &format!("memory: {limit}"));
        let files = replace(
            &files,
            "maxmemory 1536mb",
            &format!("maxmemory {maxmemory}"),
        );
        let dir = overlay("headroom", "prod-lab", &files, &[]);
        let o = grill(
            &dir,
            &[
                "--select",
                "redis/maxmemory-headroom",
                "--format",
                "json",
                ".",
            ],
        );
        let fs = findings(&o);
        assert_eq!(
            fs.len(),
            usize::from(fires),
            "{limit} / {maxmemory}: {fs:#?}"
        );
        if let Some(f) = fs.first() {
            let msg = f["message"].as_str().unwrap();
            assert!(msg.contains(maxmemory) && msg.contains(limit), "{msg}");
            assert_eq!(f["location"]["file"], "redis.yaml");
            assert!(
                f["related"].as_array().is_some_and(|r| r
                    .iter()
                    .any(|l| l["message"].as_str().unwrap_or("").contains("memory limit"))),
                "{f:#?}"
            );
            assert_eq!(o.code, 1);
        }
    }
}

/// A base holding the prod-lab fixture and overlays `envs` on it, each with `patch` (if any).
fn based(test: &str, files: &[(String, String)], envs: &[&str], patch: Option<&str>) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("environments-{test}"));
    let _ = std::fs::remove_dir_all(&root);
    let base = root.join("base");
    std::fs::create_dir_all(&base).unwrap();
    let mut k = String::from("resources:\n");
    for (f, text) in files {
        std::fs::write(base.join(f), text).unwrap();
        k.push_str(&format!("  - {f}\n"));
    }
    std::fs::write(base.join("kustomization.yaml"), k).unwrap();
    for env in envs {
        let dir = root.join("overlays").join(env);
        std::fs::create_dir_all(&dir).unwrap();
        let mut k = String::from("namespace: grill-stats\nresources:\n  - ../../base\n");
        if let Some(p) = patch {
            std::fs::write(dir.join("patch.yaml"), p).unwrap();
            k.push_str("patches:\n  - path: patch.yaml\n");
        }
        std::fs::write(dir.join("kustomization.yaml"), k).unwrap();
    }
    root
}

#[test]
fn a_patched_value_is_reported_at_the_patch_with_the_base_value_it_replaces() {
    let patch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  template:\n    spec:\n      containers:\n        - name: redis\n          resources:\n            limits:\n              memory: 1Gi\n";
    let root = based("patched", &prod_files(), &["prod-lab"], Some(patch));
    let o = grill(&root, &["--format", "json", "overlays/prod-lab"]);
    let fs = findings(&o);
    for rule in ["redis/memory-limit", "redis/maxmemory-headroom"] {
        let f = of_rule(&fs, rule);
        assert_eq!(f.len(), 1, "{rule}: {fs:#?}");
        let f = f[0];
        let related = f["related"].as_array().unwrap();
        let base = related
            .iter()
            .find(|l| l["message"] == "the base value this replaces")
            .unwrap_or_else(|| panic!("{rule}: no base label: {f:#}"));
        assert_eq!(base["file"], "base/redis.yaml", "{f:#}");
        let patch_at = if rule == "redis/memory-limit" {
            &f["location"]
        } else {
            related
                .iter()
                .find(|l| l["message"].as_str().unwrap_or("").contains("memory limit"))
                .unwrap()
        };
        assert_eq!(patch_at["file"], "overlays/prod-lab/patch.yaml", "{f:#}");
    }
}

#[test]
fn a_base_line_wrong_in_both_environments_is_reported_once() {
    // Both environments read the base's redis.conf, which lacks `jemalloc-bg-thread yes`.
    let files: Vec<(String, String)> = prod_files()
        .into_iter()
        .map(|(f, t)| (f, t.replace("    jemalloc-bg-thread yes\n", "")))
        .collect();
    let root = based("once", &files, &["dev-lab", "prod-lab"], None);
    let o = grill(
        &root,
        &[
            "--format",
            "json",
            "--select",
            "redis/required-setting",
            ".",
        ],
    );
    let fs = findings(&o);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(
        fs[0]["environments"],
        serde_json::json!(["dev-lab", "prod-lab"])
    );
    assert_eq!(fs[0]["location"]["file"], "base/redis.yaml");
}

#[test]
fn a_sentinel_without_auth_pass_for_a_password_protected_redis_fails() {
    let files = replace(
        &prod_files(),
        "              echo \"sentinel auth-pass mymaster ${REDIS_PASSWORD}\" >> /data/sentinel.conf\n",
        "",
    );
    let dir = overlay("no-auth-pass", "prod-lab", &files, &[]);
    let o = grill(
        &dir,
        &["--select", "sentinel/auth", "--format", "json", "."],
    );
    let fs = findings(&o);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(fs[0]["message"]
        .as_str()
        .unwrap()
        .contains("without `sentinel auth-pass`"));
    assert_eq!(fs[0]["location"]["file"], "sentinel.yaml");
    assert_eq!(
        fs[0]["related"][0]["file"], "redis.yaml",
        "the requirepass line: {:#}",
        fs[0]
    );
    assert_eq!(o.code, 1);
}
