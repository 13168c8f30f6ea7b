//! No secret value reaches any output format, wherever it is written: a standalone redis.conf,
//! a redis.conf inside a ConfigMap, a Secret, a secretGenerator literal, an env var literal.

use assert_cmd::Command;

const PW: &str = "Hunter2-planted-secret";

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn all_outputs(dir: &std::path::Path, target: &str) -> Vec<(String, String)> {
    ["human", "json", "sarif", "github"]
        .iter()
        .map(|fmt| {
            let out = Command::cargo_bin("grill-lint")
                .unwrap()
                .current_dir(dir)
                .args(["--color", "never", "--format", fmt, target])
                .output()
                .unwrap();
            (
                fmt.to_string(),
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            )
        })
        .collect()
}

#[test]
fn planted_passwords_never_reach_any_format() {
    let d = std::env::temp_dir().join(format!("grill-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    write(&d, "redis.conf", &format!("requirepass {PW}\nmasterauth \"{PW}\" # inline\nuser app on >{PW} ~* +@all\nmaxmemory 2GiB\n"));
    write(
        &d,
        "sentinel.conf",
        &format!("sentinel monitor m redis-0.redis 6379 2\nsentinel auth-pass m {PW}\n"),
    );
    write(
        &d,
        "app/kustomization.yaml",
        &format!("resources:\n  - cm.yaml\n  - deploy.yaml\nsecretGenerator:\n  - name: auth\n    literals:\n      - password={PW}\ncommonLabels:\n  tier: cache\n"),
    );
    write(
        &d,
        "app/cm.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  redis.conf: |\n    requirepass {PW}\n    maxmemory 1gb # one gig\n"),
    );
    write(
        &d,
        "app/deploy.yaml",
        &format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1.0.0\n          env:\n            - {{name: REDIS_PASSWORD, value: {PW}}}\n            - {{name: MODE, value: on}}\n"),
    );
    // A build that fails still must not show the literal next to its finding.
    write(
        &d,
        "broken/kustomization.yaml",
        &format!("secretGenerator:\n  - name: auth\n    literals:\n      - password={PW}\nresources: [missing.yaml]\n"),
    );
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(&d)
        .args(["render", "broken"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("missing.yaml") && !text.contains(PW),
        "{text}"
    );
    // Every planted line sits next to a line with a finding, so the human snippets show it.
    for target in ["redis.conf", "sentinel.conf", "app", "broken"] {
        let outputs = all_outputs(&d, target);
        assert!(
            outputs
                .iter()
                .any(|(_, o)| o.contains("plaintext-secret") || o.contains("ambiguous")),
            "{target}: no findings at all: {outputs:?}"
        );
        for (fmt, o) in outputs {
            assert!(
                !o.contains(PW) && !o.contains("Hunter2"),
                "{target} --format {fmt} leaks the password:\n{o}"
            );
        }
    }
    std::fs::remove_dir_all(&d).unwrap();
}
