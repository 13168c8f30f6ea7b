//! No secret value reaches any output format, wherever it is written and whatever goes wrong.
//!
//! The property test plants a generated password in every hiding place grill-lint knows (a
//! redis.conf in a ConfigMap under any key, glued, misspelled or behind a NUL; an ACL file; a
//! generator literal or source file; a Secret; a password-like env var; a password flag; a
//! value copied by `replacements`) and combines each with every kind of failure (none, a YAML
//! syntax error, a duplicate key, a failed patch, an unknown kustomization field), each placed
//! next to the secret so that the report prints its line. Every output — human, JSON, SARIF,
//! GitHub and `render`'s stderr — must be free of the secret's bytes.

mod common;

use assert_cmd::Command;
use common::{write_file, TempDir};
use proptest::prelude::*;
use std::path::Path;

/// A hiding place: the files it writes (`{PW}` is the secret; `#SYN#` marks where a syntax
/// error goes and `#DUP#` where a duplicate key goes, in the file the secret is in), what it
/// adds to the kustomization, and a JSON6902 `test` that fails on the secret's value.
struct Place {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// Kustomization lines (after `resources:`); `#SYN#`/`#DUP#` when the secret is here.
    kustomization: &'static str,
    /// (kind, name, path) of a value that holds the secret.
    test: (&'static str, &'static str, &'static str),
    /// The secret as it is written: digits only for places that need a number.
    numeric: bool,
}

static PLACES: &[Place] = &[
    Place {
        name: "redis.conf block",
        files: &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  redis.conf: |\n    maxmemory 2GiB\n    requirepass {PW}\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [cm.yaml]\n",
        test: ("ConfigMap", "redis-config", "/data/redis.conf"),
        numeric: false,
    },
    Place {
        name: "users.acl key",
        files: &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  users.acl: |\n    user app on >{PW} ~* +@all\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [cm.yaml]\n",
        test: ("ConfigMap", "redis-config", "/data/users.acl"),
        numeric: false,
    },
    Place {
        name: "redis.conf.tpl key, double-quoted",
        files: &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  redis.conf.tpl: \"port 6379\\nmasterauth {PW}\\n\"\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [cm.yaml]\n",
        test: ("ConfigMap", "redis-config", "/data/redis.conf.tpl"),
        numeric: false,
    },
    Place {
        name: "requirepass glued to its quoted value",
        files: &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  redis.conf: |\n    port 6379\n    requirepass\"{PW}\"\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [cm.yaml]\n",
        test: ("ConfigMap", "redis-config", "/data/redis.conf"),
        numeric: false,
    },
    Place {
        name: "misspelled directives",
        files: &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-config\ndata:\n  redis.conf: |\n    requirepas {PW}\n    require-pass {PW}\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [cm.yaml]\n",
        test: ("ConfigMap", "redis-config", "/data/redis.conf"),
        numeric: false,
    },
    Place {
        name: "generator file with a NUL before the password",
        files: &[("redis.conf", "port 6379\nrequirepass \u{0}{PW}\nmaxmemory 2GiB\n")],
        kustomization: "kind: Kustomization\nconfigMapGenerator:\n  - name: redis-config\n    files: [redis.conf]\n#SYN#\n#DUP#\n",
        test: ("ConfigMap", "redis-config", "/data/redis.conf"),
        numeric: false,
    },
    Place {
        name: "configMapGenerator literal holding a redis.conf",
        files: &[],
        kustomization: "kind: Kustomization\nconfigMapGenerator:\n  - name: redis-config\n    literals:\n      - \"redis.conf=port 6379\\nrequirepass {PW}\\nmaxmemory 2GiB\"\n#SYN#\n#DUP#\n",
        test: ("ConfigMap", "redis-config", "/data/redis.conf"),
        numeric: false,
    },
    Place {
        name: "secretGenerator literal",
        files: &[],
        kustomization: "kind: Kustomization\nsecretGenerator:\n  - name: auth\n    literals:\n      - password={PW}\n#SYN#\n#DUP#\n",
        test: ("Secret", "auth", "/data/password"),
        numeric: false,
    },
    Place {
        name: "secretGenerator env file",
        files: &[("auth.env", "MODE=on\nKEY={PW}\n")],
        kustomization: "kind: Kustomization\nsecretGenerator:\n  - name: auth\n    envs: [auth.env]\n#SYN#\n#DUP#\n",
        test: ("Secret", "auth", "/data/KEY"),
        numeric: false,
    },
    Place {
        name: "Secret stringData",
        files: &[(
            "secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\nstringData:\n  mode: on\n  password: {PW}\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [secret.yaml]\n",
        test: ("Secret", "auth", "/stringData/password"),
        numeric: false,
    },
    Place {
        name: "Secret data, unquoted octal-looking",
        files: &[(
            "secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\ndata:\n  pin: {PW}\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [secret.yaml]\n",
        test: ("Secret", "auth", "/data/pin"),
        numeric: true,
    },
    Place {
        name: "password-like env values",
        files: &[(
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1.0.0\n          env:\n            - name: MODE\n              value: on\n            - value: {PW}\n              name: PASSPHRASE\n            - {name: DB_PWD, value: {PW}}\n            - name: REDIS_PASS\n              value: {PW}\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [deploy.yaml]\n",
        test: ("Deployment", "app", "/spec/template/spec/containers/0/env/3/value"),
        numeric: false,
    },
    Place {
        name: "password flags in args",
        files: &[(
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: side\n          image: app:1.0.0\n          args:\n            - --masterauth\n            - {PW}\n        - name: app\n          image: app:1.0.0\n          args: [--requirepass, {PW}]\n#SYN#\n#DUP#\n",
        )],
        kustomization: "resources: [deploy.yaml]\n",
        test: ("Deployment", "app", "/spec/template/spec/containers/1/args/1"),
        numeric: false,
    },
    Place {
        name: "value copied into a Secret by replacements",
        files: &[
            (
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: source\ndata:\n  pin: {PW}\n#SYN#\n#DUP#\n",
            ),
            (
                "secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\nstringData:\n  pin: placeholder\n",
            ),
        ],
        kustomization: "resources: [cm.yaml, secret.yaml]\nreplacements:\n  - source: {kind: ConfigMap, name: source, fieldPath: data.pin}\n    targets:\n      - select: {kind: Secret, name: auth}\n        fieldPaths: [stringData.pin]\n",
        test: ("ConfigMap", "source", "/data/pin"),
        numeric: true,
    },
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Failure {
    None,
    Syntax,
    DuplicateKey,
    FailedPatch,
    UnknownField,
}

const FAILURES: [Failure; 5] = [
    Failure::None,
    Failure::Syntax,
    Failure::DuplicateKey,
    Failure::FailedPatch,
    Failure::UnknownField,
];

/// Writes the overlay `o/` of one place and failure into `dir`.
fn plant(dir: &Path, place: &Place, failure: Failure, pw: &str) {
    let fill = |t: &str, marked: bool| {
        let syn = if failure == Failure::Syntax && marked {
            "\tbroken: [\n"
        } else {
            ""
        };
        let dup = match failure {
            Failure::DuplicateKey if marked => "kind: again\n",
            Failure::UnknownField if marked => "bogusField: 1\n",
            _ => "",
        };
        t.replace("{PW}", pw)
            .replace("#SYN#\n", syn)
            .replace("#DUP#\n", dup)
    };
    for (rel, text) in place.files {
        write_file(dir, &format!("o/{rel}"), &fill(text, true));
    }
    let in_kustomization = place.kustomization.contains("#SYN#");
    let mut k = fill(place.kustomization, in_kustomization);
    if failure == Failure::UnknownField && !in_kustomization {
        k.push_str("bogusField: 1\n");
    }
    if failure == Failure::FailedPatch {
        let (kind, name, path) = place.test;
        k.push_str(&format!(
            "patches:\n  - target: {{kind: {kind}, name: {name}}}\n    patch: |\n      - {{op: test, path: \"{path}\", value: not-the-value}}\n"
        ));
    }
    write_file(dir, "o/kustomization.yaml", &k);
}

/// stdout and stderr of one run, with the exit code.
fn run(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        out.status.code().unwrap_or(-1),
    )
}

/// Checks one place and failure; returns what went wrong.
fn check(place: &Place, failure: Failure, pw: &str) -> Result<(), String> {
    let tmp = TempDir::new("secrets");
    let dir = tmp.path();
    plant(dir, place, failure, pw);
    let what = format!("{} with failure {failure:?}", place.name);
    let mut human = String::new();
    for fmt in ["human", "json", "sarif", "github"] {
        let (out, code) = run(dir, &["--color", "never", "--format", fmt, "o"]);
        if out.contains(pw) {
            return Err(format!("{what}: --format {fmt} leaks the secret:\n{out}"));
        }
        // A duplicate key in a kustomization is no error for kustomize (the later one wins).
        let kustomization_dup =
            failure == Failure::DuplicateKey && place.kustomization.contains("#DUP#");
        let fails = failure != Failure::None && !kustomization_dup;
        if fails && code != 1 {
            return Err(format!(
                "{what}: --format {fmt} exits {code}, not 1:\n{out}"
            ));
        }
        if fmt == "human" {
            human = out;
        }
    }
    // A failed build's findings go to render's stderr; a build that succeeds prints the
    // objects on stdout, secrets included, like `kustomize build`: only stderr is checked.
    let out = Command::cargo_bin("grill-lint")
        .unwrap()
        .current_dir(dir)
        .args(["render", "o"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains(pw) {
        return Err(format!(
            "{what}: render's stderr leaks the secret:\n{stderr}"
        ));
    }
    // The failures sit next to the secret, so the human report shows its line, masked (a
    // test that never prints the line would prove nothing). An unknown field only fails the
    // build: the report shows the kustomization.
    let near = matches!(
        failure,
        Failure::Syntax | Failure::DuplicateKey | Failure::FailedPatch
    ) || (failure == Failure::UnknownField && place.kustomization.contains("{PW}"));
    // A generator's source file is read only by a build that gets that far, and shown only
    // by a finding about the generated value.
    let in_source_file =
        !place.kustomization.contains("{PW}") && place.kustomization.contains("Generator");
    let near = near && (!in_source_file || failure == Failure::FailedPatch);
    if near && !human.contains(&"*".repeat(pw.len())) {
        return Err(format!(
            "{what}: the human report does not show the masked secret line:\n{human}"
        ));
    }
    Ok(())
}

proptest! {
    // One generated secret per run by default (each case runs grill-lint 350 times);
    // PROPTEST_CASES asks for more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1),
        max_shrink_iters: 0,
        ..ProptestConfig::default()
    })]

    /// Every hiding place with every kind of failure, for generated secrets.
    #[test]
    fn no_output_format_shows_a_planted_secret(
        word in "[A-Za-z][A-Za-z0-9]{7,14}",
        digits in "[1-7]{5,9}",
    ) {
        let mut problems = Vec::new();
        for place in PLACES {
            // A secret that reads as an octal number where the place needs one.
            let pw = if place.numeric { format!("0{digits}") } else { format!("Zq{word}") };
            for failure in FAILURES {
                if let Err(e) = check(place, failure, &pw) {
                    problems.push(e);
                }
            }
        }
        prop_assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n\n"));
    }
}

const PW: &str = "Hunter2-planted-secret";

/// Standalone files: redis.conf and sentinel.conf, every password directive and ACL rule, and
/// the smaller leaks (glued quote, misspelling, NUL).
#[test]
fn standalone_configs_never_show_a_password() {
    let tmp = TempDir::new("secrets-conf");
    let d = tmp.path();
    write_file(d, "redis.conf", &format!("requirepass {PW}\nmasterauth \"{PW}\" # inline\nuser app on >{PW} ~* +@all\nmaxmemory 2GiB\nrequirepass\"{PW}\"\nrequirepas {PW}\nrequire-pass {PW}\nrequirepass \u{0}{PW}\n"));
    write_file(
        d,
        "sentinel.conf",
        &format!("sentinel monitor m redis-0.redis 6379 2\nsentinel auth-pass m {PW}\n"),
    );
    for target in ["redis.conf", "sentinel.conf"] {
        for fmt in ["human", "json", "sarif", "github"] {
            let (out, _) = run(d, &["--color", "never", "--format", fmt, target]);
            assert!(
                out.contains("plaintext-secret") || out.contains("unknown-directive"),
                "{target}: no findings: {out}"
            );
            assert!(
                !out.contains("Hunter2"),
                "{target} --format {fmt} leaks:\n{out}"
            );
        }
    }
    // A message never quotes the text glued to a directive.
    let (out, _) = run(d, &["--format", "json", "redis.conf"]);
    assert!(out.contains("runs into the text after it"), "{out}");
}

/// `yaml/ambiguous-scalar` quotes a harmless value, and describes a secret one without it.
#[test]
fn ambiguous_scalar_quotes_only_values_that_cannot_be_secret() {
    let tmp = TempDir::new("secrets-ambiguous");
    let d = tmp.path();
    write_file(
        d,
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: {tier: on}\nstringData:\n  password: 0777123\n",
    );
    let (out, _) = run(d, &["--format", "github", "s.yaml"]);
    assert!(out.contains("`on` is a string"), "{out}");
    assert!(out.contains("it is not shown, it may be a secret"), "{out}");
    assert!(!out.contains("0777123"), "{out}");
}

/// A generator literal's redis.conf is located on its own bytes: the finding is at the
/// password's column, and the mask lands on the password, not on `redis.conf`.
#[test]
fn literal_findings_and_mask_land_on_the_right_bytes() {
    let tmp = TempDir::new("secrets-literal");
    let d = tmp.path();
    let line = "      - \"redis.conf=port 6379\\nrequirepass Zq9\\nmaxmemory 2GiB\"";
    write_file(
        d,
        "o/kustomization.yaml",
        &format!(
            "resources: [redis.yaml]\nconfigMapGenerator:\n  - name: c\n    literals:\n{line}\n"
        ),
    );
    // The Redis server that reads it: only a config a Redis process reads is a redis.conf.
    write_file(
        d,
        "o/redis.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  selector:\n    matchLabels: {app: redis}\n  template:\n    metadata:\n      labels: {app: redis}\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.2.5\n          command: [redis-server, /etc/redis/redis.conf]\n          volumeMounts:\n            - {name: config, mountPath: /etc/redis}\n      volumes:\n        - name: config\n          configMap: {name: c}\n",
    );
    let (out, _) = run(d, &["--format", "github", "o"]);
    let col = line.find("Zq9").unwrap() + 1;
    assert!(
        out.contains(&format!(
            "line=5,col={col},endLine=5,endColumn={},title=redis/plaintext-secret",
            col + 3
        )),
        "{out}"
    );
    let max = line.find("2GiB").unwrap() + 1;
    assert!(
        out.contains(&format!("col={max},")) && out.contains("redis/invalid-value"),
        "{out}"
    );
    let (human, _) = run(d, &["--color", "never", "o"]);
    assert!(
        human.contains("\"redis.conf=port 6379\\nrequirepass ***"),
        "{human}"
    );
}

/// `render --help` says that stdout carries the secrets, like `kustomize build`.
#[test]
fn render_help_says_it_prints_secrets() {
    let tmp = TempDir::new("secrets-help");
    let (out, code) = run(tmp.path(), &["render", "--help"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("secrets in") && out.contains("clear") && out.contains("docs/security.md"),
        "{out}"
    );
}
