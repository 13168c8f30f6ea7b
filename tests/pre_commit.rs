//! The pre-commit hook, end to end, with the real `pre-commit` from PyPI in a temporary virtual
//! environment: for the README's local hook and for this repository's `.pre-commit-hooks.yaml`
//! (pre-commit builds grill-lint from the repository at `HEAD` with cargo), a good commit of the
//! reference deployment passes and a bad one (an inline comment in the base's redis.conf) is
//! blocked with the finding printed.
//!
//! Needs `python3` with `venv`, `git`, and the PyPI index. A missing `python3`/`venv`/`git`
//! skips loudly, and fails under CI=true (`scripts/test.sh` installs `python3-venv`). The
//! repository hook is built at `HEAD`: commit before trusting a local run of it.

#[path = "skip_note/mod.rs"]
mod skip_note;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn ok(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn missing_tools() -> Option<String> {
    let venv = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output();
    if !venv.is_ok_and(|o| o.status.success()) {
        return Some("python3 with the venv module (Debian: python3-venv) is missing".into());
    }
    if !Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some("git is missing".into());
    }
    None
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// The README's `.pre-commit-config.yaml` block, as a user copies it.
fn readme_config() -> String {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let start = readme
        .find("```yaml\n# .pre-commit-config.yaml\n")
        .expect("README has a .pre-commit-config.yaml block");
    let body = &readme[start + "```yaml\n".len()..];
    body[..body.find("```").unwrap()].to_string()
}

struct Env {
    tmp: PathBuf,
    venv_bin: PathBuf,
}

impl Drop for Env {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

fn setup() -> Option<Env> {
    if let Some(why) = missing_tools() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("pre-commit end-to-end test: {why}; under CI=true it must run");
        }
        skip_note::announce(&[format!(
            "!!! SKIPPED pre_commit_blocks_a_bad_commit: {why} (under CI=true this is a failure) !!!"
        )]);
        return None;
    }
    let tmp = std::env::temp_dir().join(format!("grill-pre-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let venv = tmp.join("venv");
    ok(
        "python3 -m venv",
        &Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .output()
            .unwrap(),
    );
    let venv_bin = venv.join("bin");
    ok(
        "pip install pre-commit",
        &Command::new(venv_bin.join("pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "pre-commit",
            ])
            .output()
            .unwrap(),
    );
    Some(Env { tmp, venv_bin })
}

/// A git repository holding the reference deployment and `config`, with the hook installed.
fn repo(env: &Env, name: &str, config: &str, with_grill_on_path: bool) -> (PathBuf, String) {
    let dir = env.tmp.join(name);
    copy_dir(&Path::new(ROOT).join("kustomize"), &dir.join("kustomize"));
    std::fs::write(dir.join(".pre-commit-config.yaml"), config).unwrap();
    let mut path = vec![env.venv_bin.clone()];
    if with_grill_on_path {
        path.push(
            PathBuf::from(env!("CARGO_BIN_EXE_grill-lint"))
                .parent()
                .unwrap()
                .to_path_buf(),
        );
    }
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(path)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let git = |args: &[&str]| {
        ok(
            &format!("git {args:?}"),
            &Command::new("git")
                .current_dir(&dir)
                .args(args)
                .output()
                .unwrap(),
        )
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "test@example.invalid"]);
    git(&["config", "user.name", "grill-lint test"]);
    git(&["config", "commit.gpgsign", "false"]);
    ok(
        "pre-commit install",
        &pre_commit_cmd(env, &dir, &path)
            .arg("install")
            .output()
            .unwrap(),
    );
    (dir, path)
}

fn pre_commit_cmd(env: &Env, dir: &Path, path: &str) -> Command {
    let mut c = Command::new(env.venv_bin.join("pre-commit"));
    c.current_dir(dir);
    hook_env(&mut c, env, path);
    c
}

fn hook_env(c: &mut Command, env: &Env, path: &str) {
    c.env("PATH", path)
        .env("PRE_COMMIT_HOME", env.tmp.join("cache"))
        // The repository hook is `language: rust`: pre-commit runs `cargo install` on a clone.
        // A target directory of its own under this crate's keeps its compiled dependencies
        // from one run to the next; sharing `target/` itself replaced the developer's
        // optimised `target/release/grill-lint` with this unoptimised build.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(ROOT).join("target").join("pre-commit-hook"),
        )
        // The hook is tested for its wiring, not its speed: an unoptimised build takes a
        // fraction of the release build's time on a small CI machine.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE");
}

fn commit(env: &Env, dir: &Path, path: &str, msg: &str) -> Output {
    let add = Command::new("git")
        .current_dir(dir)
        .args(["add", "-A"])
        .output()
        .unwrap();
    ok("git add", &add);
    let mut c = Command::new("git");
    c.current_dir(dir).args(["commit", "-q", "-m", msg]);
    hook_env(&mut c, env, path);
    c.output().unwrap()
}

fn good_passes_bad_is_blocked(env: &Env, dir: &Path, path: &str) {
    let good = commit(env, dir, path, "the reference deployment");
    ok("a good commit", &good);
    let conf = dir.join("kustomize/base/databases/redis-config.yaml");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(
        text.contains("    maxmemory 384mb\n"),
        "the base's redis.conf changed"
    );
    std::fs::write(
        &conf,
        text.replace(
            "    maxmemory 384mb\n",
            "    maxmemory 384mb # the dev size\n",
        ),
    )
    .unwrap();
    let bad = commit(env, dir, path, "an inline comment");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&bad.stdout),
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(
        !bad.status.success(),
        "the bad commit went through:\n{printed}"
    );
    assert!(printed.contains("redis/inline-comment"), "{printed}");
    assert!(printed.contains("redis-config.yaml"), "{printed}");
    let log = Command::new("git")
        .current_dir(dir)
        .args(["rev-list", "--count", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&log.stdout).trim(), "1");
}

#[test]
fn pre_commit_blocks_a_bad_commit() {
    let Some(env) = setup() else { return };

    // The README's local hook: grill-lint on PATH, as after `cargo install`.
    let (dir, path) = repo(&env, "readme", &readme_config(), true);
    good_passes_bad_is_blocked(&env, &dir, &path);

    // This repository's .pre-commit-hooks.yaml, built by pre-commit from HEAD.
    let head = Command::new("git")
        .current_dir(ROOT)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    ok("git rev-parse HEAD", &head);
    let rev = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let config =
        format!("repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: grill-lint\n");
    let (dir, path) = repo(&env, "hooks", &config, false);
    good_passes_bad_is_blocked(&env, &dir, &path);
}
