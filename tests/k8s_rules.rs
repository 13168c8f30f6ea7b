//! The `k8s/*` rules on the reference deployment: the four defects of issue 8 made to a copy of
//! `kustomize/` are each reported at the line that was edited, under the right rule, with a help
//! line; `k8s/storage` follows each environment's policy.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn lint_json(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(cwd)
        .args(["--format", "json", "--color", "never"])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("grill-k8s-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Replaces the first `old` at or after `from` in `text` (which must contain it).
fn edit(text: &mut String, from: usize, old: &str, new: &str) {
    let at = from
        + text[from..]
            .find(old)
            .unwrap_or_else(|| panic!("{old:?} not found"));
    text.replace_range(at..at + old.len(), new);
}

fn line_of(text: &str, needle: &str, from: usize) -> u64 {
    let at = from + text[from..].find(needle).unwrap();
    text[..at].matches('\n').count() as u64 + 1
}

#[test]
fn the_four_defects_of_issue_8_are_reported_at_their_lines() {
    let dir = tempdir("defects");
    copy_dir(&Path::new(ROOT).join("kustomize"), &dir.join("kustomize"));
    let file = dir.join("kustomize/base/databases/redis.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    // The `redis` container of the Redis StatefulSet (not its init container).
    let c = text
        .find("        - name: redis\n          image: redis:7.2.5-alpine")
        .expect("the redis container");
    edit(
        &mut text,
        c,
        "image: redis:7.2.5-alpine",
        "image: redis:latest",
    );
    edit(
        &mut text,
        c,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFileSystem: true",
    );
    edit(
        &mut text,
        c,
        "allowPrivilegeEscalation: false",
        "allowPrivilegeEscalation: true\n            privileged: true",
    );
    edit(
        &mut text,
        c,
        "            runAsNonRoot: true\n",
        "            runAsNonRoot: true\n            runAsUser: 0\n",
    );
    std::fs::write(&file, &text).unwrap();
    let expected = [
        ("k8s/image-tag", line_of(&text, "image: redis:latest", c)),
        (
            "k8s/read-only-root-fs",
            line_of(&text, "readOnlyRootFileSystem", c),
        ),
        ("k8s/run-as-user", line_of(&text, "runAsUser: 0", c)),
        (
            "k8s/privilege-escalation",
            line_of(&text, "allowPrivilegeEscalation: true", c),
        ),
        (
            "k8s/privilege-escalation",
            line_of(&text, "privileged: true", c),
        ),
    ];
    for overlay in ["dev-lab", "prod-lab"] {
        let (code, v) = lint_json(
            &dir,
            &[
                "--select",
                "k8s/",
                "--ignore",
                "k8s/schema",
                &format!("kustomize/overlays/{overlay}"),
            ],
        );
        assert_eq!(code, 1, "{v:#}");
        let got: Vec<(String, u64, String, String)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64().unwrap(),
                    f["location"]["file"].as_str().unwrap().to_string(),
                    f["help"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(got.len(), expected.len(), "{overlay}: {got:#?}");
        for (rule, line) in expected {
            let hit = got
                .iter()
                .find(|(r, l, _, _)| r == rule && *l == line)
                .unwrap_or_else(|| panic!("{overlay}: no {rule} at line {line}: {got:#?}"));
            assert!(hit.2.ends_with("base/databases/redis.yaml"), "{hit:?}");
            assert!(!hit.3.is_empty(), "{rule} has no help line");
        }
        // The kubelet's verdict is said as such.
        assert!(v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "k8s/run-as-user"
                && f["message"].as_str().unwrap().contains("kubelet refuses")));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn storage_follows_each_environments_policy() {
    // The same 5Gi claim: right for dev-lab, too small for prod-lab (whose fixture it is).
    let fail = Path::new(ROOT).join("tests/fixtures/rules/k8s/storage/fail");
    let pass = Path::new(ROOT).join("tests/fixtures/rules/k8s/storage/pass");
    let run = |dir: &Path, env: &str| {
        let (code, v) = lint_json(dir, &["--env", env, "--select", "k8s/storage", "."]);
        let msgs: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect();
        (code, msgs)
    };
    let (code, msgs) = run(&fail, "dev-lab");
    assert_eq!((code, msgs.len()), (0, 0), "{msgs:?}");
    let (code, msgs) = run(&fail, "prod-lab");
    assert_eq!(code, 1);
    assert!(
        msgs[0].contains("5Gi") && msgs[0].contains("20Gi"),
        "{msgs:?}"
    );
    // 20Gi is more than dev-lab's 5Gi.
    let (code, msgs) = run(&pass, "dev-lab");
    assert_eq!(code, 1);
    assert!(
        msgs[0].contains("more than the 5Gi dev-lab needs"),
        "{msgs:?}"
    );
}

#[test]
fn a_patched_value_is_reported_at_the_patch_with_the_base_value_related() {
    let root = tempdir("patched");
    let dir = root.join("overlay");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n  - ../base\npatches:\n  - path: patch.yaml\n",
    )
    .unwrap();
    let base = root.join("base");
    copy_dir(
        &Path::new(ROOT).join("tests/fixtures/rules/k8s/resources/pass"),
        &base,
    );
    std::fs::write(
        dir.join("patch.yaml"),
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  template:\n    spec:\n      containers:\n        - name: redis\n          securityContext:\n            readOnlyRootFilesystem: false\n",
    )
    .unwrap();
    let (code, v) = lint_json(&dir, &["--select", "k8s/read-only-root-fs", "."]);
    assert_eq!(code, 1, "{v:#}");
    let f = &v["findings"][0];
    assert_eq!(f["location"]["file"], "patch.yaml", "{f:#}");
    assert_eq!(f["location"]["line"], 11);
    let rel = &f["related"][0];
    assert!(
        rel["file"].as_str().unwrap().ends_with("redis.yaml"),
        "{f:#}"
    );
    assert_eq!(rel["message"], "the base value this replaces");
    let _ = std::fs::remove_dir_all(&root);
}
