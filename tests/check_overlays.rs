//! `grill-lint check` on kustomize trees: the reference deployment passes, every broken case
//! gives findings located in real input files, duplicate definitions name both files, and one
//! overlay's build failure does not hide another overlay's findings.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn check_json(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(cwd)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// Problems with the locations of a report: every location must name a readable file (never
/// rendered output) and a line inside it.
fn location_problems(cwd: &Path, v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        let mut locs = vec![&f["location"]];
        locs.extend(f["related"].as_array().unwrap());
        for l in locs {
            let file = cwd.join(l["file"].as_str().unwrap());
            let line = l["line"].as_u64().unwrap() as usize;
            match std::fs::read_to_string(&file) {
                Err(e) => out.push(format!("{} points at {}: {e}", f["rule"], file.display())),
                Ok(text) if line < 1 || line > text.lines().count().max(1) => out.push(format!(
                    "{} points at line {line} outside {}",
                    f["rule"],
                    file.display()
                )),
                Ok(_) if file.ends_with("expected.yaml") => {
                    out.push(format!("{} located in rendered output", f["rule"]))
                }
                Ok(_) => {}
            }
        }
    }
    out
}

fn assert_located(cwd: &Path, v: &Value) {
    let problems = location_problems(cwd, v);
    assert!(problems.is_empty(), "{problems:#?}\n{v:#}");
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("grill-check-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn the_reference_deployment_has_no_findings() {
    let (code, v) = check_json(Path::new(ROOT), &["kustomize/"]);
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"]["targets"],
        serde_json::json!(["kustomize/overlays/dev-lab", "kustomize/overlays/prod-lab"])
    );
}

/// Build targets of the shared kustomize cases whose `kubectl kustomize` run failed.
fn failing_case_targets() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(ROOT).join("tests/fixtures/kustomize-cases")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(e.path());
            }
        }
        let exp = d.join("expected.yaml");
        if exp.is_file()
            && std::fs::read_to_string(&exp)
                .map(|t| t.trim().is_empty())
                .unwrap_or(false)
        {
            out.push(d);
        }
    }
    out.sort();
    out
}

#[test]
fn every_broken_shared_case_gives_located_findings() {
    let targets = failing_case_targets();
    assert!(
        targets.len() >= 10,
        "expected the shared failing cases under tests/fixtures/kustomize-cases, found {}",
        targets.len()
    );
    let root = Path::new(ROOT);
    let mut problems = Vec::new();
    for t in targets {
        // k-abs holds a placeholder path that only the differential test substitutes; as it is,
        // it names a file that does not exist, which is itself a located finding.
        let rel = t.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let (code, v) = check_json(root, &[&rel]);
        let n = v["findings"].as_array().map_or(0, Vec::len);
        if code != 1 || n == 0 {
            problems.push(format!("{rel}: exit {code}, {n} findings"));
            continue;
        }
        problems.extend(
            location_problems(root, &v)
                .into_iter()
                .map(|p| format!("{rel}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn two_files_defining_the_same_object_name_both() {
    let d = tempdir("dup");
    let cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  a: \"1\"\n";
    write(
        &d,
        "app/kustomization.yaml",
        "resources:\n  - one.yaml\n  - two.yaml\n",
    );
    write(&d, "app/one.yaml", cm);
    write(
        &d,
        "app/two.yaml",
        &format!("# the same object again\n{cm}"),
    );
    let (code, v) = check_json(&d, &["app"]);
    assert_eq!(code, 1, "{v:#}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "kustomize/duplicate-resource")
        .unwrap_or_else(|| panic!("{v:#}"));
    let files: Vec<&str> = std::iter::once(&f["location"])
        .chain(f["related"].as_array().unwrap())
        .map(|l| l["file"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"app/one.yaml") && files.contains(&"app/two.yaml"),
        "{f:#}"
    );
    assert_eq!(
        f["location"]["file"], "app/two.yaml",
        "reported at the later definition"
    );
    assert_located(&d, &v);
}

#[test]
fn a_failing_overlay_does_not_hide_the_other() {
    let d = tempdir("two");
    write(&d, "base/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(
        &d,
        "base/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels:\n    enabled: on\n",
    );
    write(
        &d,
        "overlays/broken/kustomization.yaml",
        "resources:\n  - ../../base\n  - missing.yaml\n",
    );
    write(
        &d,
        "overlays/fine/kustomization.yaml",
        "resources:\n  - ../../base\nnamespace: grill-stats\n",
    );
    let (code, v) = check_json(&d, &["."]);
    assert_eq!(code, 1);
    let rules: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["environments"][0].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        rules.contains(&("kustomize/missing-file", "broken")),
        "{v:#}"
    );
    // The broken overlay still gets the checks of what it built: the base line is reported once,
    // for both environments.
    let ambiguous = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "yaml/ambiguous-scalar")
        .expect("the base line is checked");
    assert_eq!(
        ambiguous["environments"],
        serde_json::json!(["broken", "fine"])
    );
    assert_eq!(
        v["summary"]["incomplete"][0]["target"],
        serde_json::json!("overlays/broken"),
        "{v:#}"
    );
    assert_eq!(
        v["summary"]["targets"],
        serde_json::json!(["overlays/broken", "overlays/fine"])
    );
    assert_located(&d, &v);
}

#[test]
fn a_base_line_wrong_in_two_environments_is_reported_once() {
    let d = tempdir("once");
    write(&d, "base/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(
        &d,
        "base/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels:\n    enabled: on\n",
    );
    for env in ["dev-lab", "prod-lab"] {
        write(
            &d,
            &format!("overlays/{env}/kustomization.yaml"),
            "namespace: grill-stats\nresources:\n  - ../../base\n",
        );
    }
    // These overlays deploy no Redis (model/redis-not-found says so); the merge is what counts.
    let (_, v) = check_json(&d, &["--select", "yaml", "."]);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(
        f[0]["environments"],
        serde_json::json!(["dev-lab", "prod-lab"])
    );
    assert_eq!(f[0]["location"]["file"], "base/cm.yaml");
    assert_eq!(f[0]["location"]["line"], 6);
}

#[test]
fn files_mode_lints_the_overlays_that_read_a_file() {
    let d = tempdir("files");
    write(&d, "base/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(
        &d,
        "base/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n",
    );
    write(&d, "other/kustomization.yaml", "resources:\n  - svc.yaml\n");
    write(
        &d,
        "other/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    );
    for env in ["dev-lab", "prod-lab"] {
        write(
            &d,
            &format!("overlays/{env}/kustomization.yaml"),
            "resources:\n  - ../../base\n",
        );
    }
    let (_, v) = check_json(&d, &["--files-mode", "overlays", "base/cm.yaml"]);
    assert_eq!(
        v["summary"]["targets"],
        serde_json::json!(["overlays/dev-lab", "overlays/prod-lab"])
    );
}

/// Files mode builds only the overlays whose directories can hold the changed file: one
/// reached through a component's `resources` is found, one under a repeated `resources` key
/// (the build keeps the last) too, and an overlay that includes neither is not linted.
#[test]
fn files_mode_follows_components_and_repeated_keys() {
    let d = tempdir("files-graph");
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
    write(&d, "base/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(&d, "base/cm.yaml", &cm("cfg"));
    write(&d, "shared/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(&d, "shared/cm.yaml", &cm("shared"));
    write(&d, "later/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(&d, "later/cm.yaml", &cm("later"));
    write(
        &d,
        "comp/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - ../shared\n",
    );
    write(
        &d,
        "overlays/dev-lab/kustomization.yaml",
        "resources:\n  - ../../base\ncomponents:\n  - ../../comp\n",
    );
    write(
        &d,
        "overlays/prod-lab/kustomization.yaml",
        "resources:\n  - ../../base\nresources:\n  - ../../later\n",
    );
    write(
        &d,
        "overlays/test-lab/kustomization.yaml",
        "resources:\n  - ../../base\n",
    );
    let (_, v) = check_json(&d, &["--files-mode", "overlays", "shared/cm.yaml"]);
    assert_eq!(
        v["summary"]["targets"],
        serde_json::json!(["overlays/dev-lab"])
    );
    let (_, v) = check_json(&d, &["--files-mode", "overlays", "later/cm.yaml"]);
    assert_eq!(
        v["summary"]["targets"],
        serde_json::json!(["overlays/prod-lab"])
    );
}

#[test]
fn a_configmap_file_linted_alone_checks_its_redis_conf() {
    let d = tempdir("cmfile");
    write(&d, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  redis.conf: |\n    port 6379\n    maxmemory 1gb # one gig\n");
    let (code, v) = check_json(&d, &["cm.yaml"]);
    assert_eq!(code, 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "redis/inline-comment");
    assert_eq!(f["location"]["line"], 8);
    assert_located(&d, &v);
}

/// `--files-mode=overlays`: a changed YAML file that no kustomization reads is linted as a file
/// (not "no findings in nothing"); a changed file grill-lint cannot lint is no error.
#[test]
fn files_mode_lints_a_file_no_overlay_reads_as_a_file() {
    let d = tempdir("files-stray");
    write(&d, "base/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(
        &d,
        "base/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n",
    );
    write(
        &d,
        "overlays/dev-lab/kustomization.yaml",
        "resources:\n  - ../../base\n",
    );
    write(
        &d,
        "extra/stray.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:\n    exposed: yes\n",
    );
    write(&d, "extra/README.md", "notes\n");
    let (code, v) = check_json(
        &d,
        &[
            "--select",
            "yaml/",
            "--files-mode",
            "overlays",
            "--fail-on",
            "warning",
            "base/cm.yaml",
            "extra/stray.yaml",
            "extra/README.md",
        ],
    );
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        v["summary"]["targets"],
        serde_json::json!(["overlays/dev-lab", "extra/stray.yaml"])
    );
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["rule"], "yaml/ambiguous-scalar");
    assert_eq!(f[0]["location"]["file"], "extra/stray.yaml");
    assert_eq!(f[0]["location"]["line"], 6);
}

/// A file a build reads but whose content a later step replaces still gets the checks that need
/// no environment: the base is deployable by itself.
#[test]
fn a_replaced_base_redis_conf_is_still_checked() {
    let d = tempdir("replaced");
    write(
        &d,
        "base/kustomization.yaml",
        "resources:\n  - redis.yaml\nconfigMapGenerator:\n  - name: redis-config\n    files:\n      - redis.conf\n",
    );
    // Only a config a Redis process reads is a redis.conf.
    write(
        &d,
        "base/redis.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  serviceName: redis\n  selector:\n    matchLabels: {app: redis}\n  template:\n    metadata:\n      labels: {app: redis}\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.2.5\n          command: [redis-server, /etc/redis/redis.conf]\n          volumeMounts:\n            - {name: config, mountPath: /etc/redis}\n      volumes:\n        - name: config\n          configMap: {name: redis-config}\n",
    );
    write(
        &d,
        "base/redis.conf",
        "port 6379\nmaxmemory 384mb # dev size\n",
    );
    for env in ["dev-lab", "prod-lab"] {
        write(
            &d,
            &format!("overlays/{env}/kustomization.yaml"),
            "resources:\n  - ../../base\nconfigMapGenerator:\n  - name: redis-config\n    behavior: replace\n    files:\n      - redis.conf\n",
        );
        write(
            &d,
            &format!("overlays/{env}/redis.conf"),
            "port 6379\nmaxmemory 1gb\n",
        );
    }
    for args in [
        vec!["--select", "redis/inline-comment", "."],
        vec![
            "--select",
            "redis/inline-comment",
            "--files-mode",
            "overlays",
            "base/redis.conf",
        ],
    ] {
        let (code, v) = check_json(&d, &args);
        assert_eq!(code, 1, "{args:?}: {v:#}");
        let f = v["findings"].as_array().unwrap();
        assert_eq!(f.len(), 1, "{args:?}: {v:#}");
        assert_eq!(f[0]["rule"], "redis/inline-comment");
        assert_eq!(f[0]["location"]["file"], "base/redis.conf");
        assert_eq!(f[0]["location"]["line"], 2);
        assert_eq!(
            f[0]["environments"],
            serde_json::json!(["dev-lab", "prod-lab"])
        );
    }
}

/// One edit a person could make to the reference deployment, and the finding it must give.
struct Mutation {
    what: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
    rule: &'static str,
    /// The file the finding must point at.
    at: &'static str,
}

const MUTATIONS: &[Mutation] = &[
    Mutation {
        what: "the exporter scrapes a port the Service does not have",
        file: "base/databases/redis-monitoring.yaml",
        from: "value: redis://redis:6379",
        to: "value: redis://redis:6380",
        rule: "monitoring/exporter",
        at: "base/databases/redis-monitoring.yaml",
    },
    Mutation {
        what: "the exporter's password written out",
        file: "base/databases/redis-monitoring.yaml",
        from: "            - name: REDIS_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: redis-auth\n                  key: password\n",
        to: "            - name: REDIS_PASSWORD\n              value: not-a-secret\n",
        rule: "monitoring/exporter",
        at: "base/databases/redis-monitoring.yaml",
    },
    Mutation {
        what: "the exporter listens elsewhere",
        file: "base/databases/redis-monitoring.yaml",
        from: "value: 0.0.0.0:9121",
        to: "value: 0.0.0.0:9200",
        rule: "monitoring/exporter",
        at: "base/databases/redis-monitoring.yaml",
    },
    Mutation {
        what: "the ServiceMonitor endpoint names a port the Service does not have",
        file: "base/databases/redis-monitoring.yaml",
        from: "    - port: metrics\n      path: /metrics",
        to: "    - port: http-metrics\n      path: /metrics",
        rule: "monitoring/service-monitor",
        at: "base/databases/redis-monitoring.yaml",
    },
    Mutation {
        what: "the ServiceMonitor selects another Service",
        file: "base/databases/redis-monitoring.yaml",
        from: "spec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: redis-exporter\n  endpoints:",
        to: "spec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: redis-metrics\n  endpoints:",
        rule: "monitoring/service-monitor",
        at: "base/databases/redis-monitoring.yaml",
    },
    Mutation {
        what: "Redis admits the whole monitoring namespace",
        file: "base/databases/redis-network-policy.yaml",
        from: "  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/part-of: grill-stats\n      ports:\n        - protocol: TCP\n          port: 6379",
        to: "  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: monitoring\n      ports:\n        - protocol: TCP\n          port: 6379",
        rule: "netpol/allowed-clients",
        at: "base/databases/redis-network-policy.yaml",
    },
    Mutation {
        what: "the exporter admits grill-stats pods instead of Prometheus",
        file: "base/databases/redis-network-policy.yaml",
        from: "          podSelector:\n            matchLabels:\n              app.kubernetes.io/name: prometheus",
        to: "          podSelector:\n            matchLabels:\n              app.kubernetes.io/part-of: grill-stats",
        rule: "netpol/allowed-clients",
        at: "base/databases/redis-network-policy.yaml",
    },
];

#[test]
fn edits_to_the_reference_deployment_are_reported_at_the_line_to_fix() {
    let mut problems = Vec::new();
    for m in MUTATIONS {
        let dir = tempdir("mutation");
        common::copy_tree(&Path::new(ROOT).join("kustomize"), &dir).unwrap();
        let path = dir.join(m.file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(m.from),
            "{}: `{}` not in {}",
            m.what,
            m.from,
            m.file
        );
        std::fs::write(&path, text.replacen(m.from, m.to, 1)).unwrap();
        for overlay in ["overlays/dev-lab", "overlays/prod-lab"] {
            let (code, v) = check_json(&dir, &[overlay]);
            assert_located(&dir, &v);
            let hits: Vec<&Value> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == m.rule)
                .collect();
            if code != 1 || hits.is_empty() {
                problems.push(format!(
                    "{} ({overlay}): exit {code}, no {} finding: {v:#}",
                    m.what, m.rule
                ));
            } else if !hits.iter().any(|f| f["location"]["file"] == m.at) {
                problems.push(format!(
                    "{} ({overlay}): {} not located in {}: {hits:#?}",
                    m.what, m.rule, m.at
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Renames the cache-strategy key in the base and both overlays, and writes one prod TTL as a
/// string.
fn renamed_strategy(dir: &Path, new_key: &str) {
    for f in [
        "base/databases/redis-config.yaml",
        "overlays/dev-lab/redis-config.yaml",
        "overlays/prod-lab/redis-config.yaml",
    ] {
        let p = dir.join(f);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("  cache-strategy.json: |"), "{f}");
        let mut text = text.replace("  cache-strategy.json: |", &format!("  {new_key}: |"));
        if f.starts_with("overlays/prod-lab") {
            text = text.replacen("\"ttl\": 3600,", "\"ttl\": \"3600\",", 1);
        }
        std::fs::write(&p, text).unwrap();
    }
}

#[test]
fn the_cache_strategy_is_found_by_the_configured_pattern_and_its_shape() {
    let dir = tempdir("cache-pattern");
    common::copy_tree(&Path::new(ROOT).join("kustomize"), &dir).unwrap();
    renamed_strategy(&dir, "caches.strategy");
    // A JSON key of another shape (a dashboard) is not a cache strategy.
    let base = dir.join("base/databases/redis-config.yaml");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replacen(
            "\ndata:\n",
            "\ndata:\n  dashboard.json: '{\"panels\": [{\"title\": \"memory\"}]}'\n",
            1,
        ),
    )
    .unwrap();
    let rules = |v: &Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    // The default pattern finds no strategy: said, not silently passed.
    let (code, v) = check_json(&dir, &["overlays/prod-lab"]);
    assert_located(&dir, &v);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(rules(&v), ["cache/missing-type"], "{v:#}");
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`*.json`"),
        "{v:#}"
    );
    // Named by the policy, it is read and checked.
    write(
        &dir,
        ".grill-lint.yaml",
        "rules:\n  cache/schema:\n    params:\n      file_pattern: \"*.strategy\"\n",
    );
    let (code, v) = check_json(&dir, &["overlays/prod-lab"]);
    assert_located(&dir, &v);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(rules(&v), ["cache/schema"], "{v:#}");
    let (code, v) = check_json(&dir, &["overlays/dev-lab"]);
    assert_eq!((code, rules(&v)), (0, vec![]), "{v:#}");
    let _ = std::fs::remove_dir_all(&dir);
}
