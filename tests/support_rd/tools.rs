//! The real programs a test needs, and scratch directories that clean up after themselves.

use std::env;
use std::fs;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// True when every tool is on `PATH`. Otherwise the test is skipped loudly, or fails when the
/// environment variable `CI` is `true` (CI installs kubectl and redis-server: a skip there would
/// hide that the deployment was never run).
pub fn require(test: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("{test}: {} not found on PATH", missing.join(", "));
    if env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}; under CI=true the real-program tests must run");
    }
    // Not with eprintln!: the test harness captures the print macros of passing tests, and a
    // skip must be seen (and is listed again at the end of scripts/test.sh).
    super::skip_note::announce(&[format!(
        "SKIPPED {msg}. Install them to run this test (under CI=true it fails instead)."
    )]);
    false
}

fn on_path(tool: &str) -> bool {
    env::var_os("PATH").is_some_and(|p| env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// A fresh directory under the system temp dir, removed on drop (kept, and named, when the
/// test is failing, so its configs and logs can be inspected).
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = env::temp_dir().join(format!(
            "grill-lint-rd-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        // A leftover of an earlier run with the same process id is stale.
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        Scratch { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for inspection", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}
