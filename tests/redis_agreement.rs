//! Agreement with the real server: grill-lint's redis.conf / sentinel.conf verdict (accepted or
//! refused, and the line) must be the one `redis-server` 7.0.15 gives.
//!
//! Phase 1 (this commit): the generator and the oracle on their own.

mod redis_common;

use redis_common::gen::{Config, Generator};
use redis_common::oracle::{self, read_banner, Mode, Oracle, Verdict, Workdir};
use std::sync::Mutex;
use std::time::Instant;

/// Worker threads running redis-server (the machine has 2 cores).
const WORKERS: usize = 2;

/// The heavy tests share the two workers: they run one after the other.
static HEAVY: Mutex<()> = Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs the oracle on every config with [`WORKERS`] threads; prints the wall time.
fn run_oracle(
    oracle: &Oracle,
    mode: Mode,
    configs: &[Config],
    what: &str,
) -> Vec<Result<Verdict, String>> {
    let dirs: Vec<Workdir> = (0..WORKERS)
        .map(|w| Workdir::new(&format!("{what}-w{w}")))
        .collect();
    let started = Instant::now();
    let verdicts = oracle::run_parallel(configs, WORKERS, |w, c| {
        oracle.check(&dirs[w].path, mode, &c.text)
    });
    let elapsed = started.elapsed();
    eprintln!(
        "oracle: {} {what} configs through redis-server in {:.2?} with {WORKERS} workers ({:.2} ms per config)",
        configs.len(),
        elapsed,
        elapsed.as_secs_f64() * 1000.0 / configs.len().max(1) as f64
    );
    verdicts
}

#[test]
fn banner_is_read_with_line_and_message() {
    let stderr = "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n\
                  Reading the configuration file, at line 2\n\
                  >>> 'appendonly maybe'\n\
                  argument must be 'yes' or 'no'\n";
    let banner = read_banner(stderr).expect("banner");
    assert_eq!(banner.line, 2);
    assert_eq!(banner.offending, "appendonly maybe");
    assert_eq!(banner.message, "argument must be 'yes' or 'no'");
    assert_eq!(
        read_banner("12:C 26 Nov # Fatal error, can't open config file"),
        None
    );
}

#[test]
fn generator_is_reproducible_from_seed_and_index() {
    let g = Generator::new();
    let a = g.redis_config(42, 7);
    assert_eq!(a.text, g.redis_config(42, 7).text);
    assert_ne!(a.text, g.redis_config(42, 8).text);
    assert_ne!(a.text, g.redis_config(43, 7).text);
    assert_eq!(g.sentinel_config(42, 7).text, g.sentinel_config(42, 7).text);
}

/// Feature tags the redis.conf corpus must contain (see `gen.rs`).
const REQUIRED_FEATURES: &[&str] = &[
    "bool",
    "bool-invalid",
    "int",
    "int-edge",
    "int-below-range",
    "int-above-range",
    "int-malformed",
    "memory",
    "memory-unit",
    "memory-invalid",
    "memory-below-range",
    "memory-quirk",
    "percent",
    "percent-invalid",
    "octal",
    "octal-invalid",
    "enum",
    "enum-invalid",
    "enum-flags",
    "enum-flags-invalid",
    "string",
    "bad-quoting",
    "basename",
    "basename-invalid",
    "hostname",
    "hostname-invalid",
    "proc-title",
    "proc-title-invalid",
    "save",
    "client-output-buffer-limit",
    "int-triple",
    "int-triple-invalid",
    "notify-keyspace-events",
    "notify-keyspace-events-invalid",
    "bind",
    "bind-invalid",
    "replicaof",
    "latency-percentiles",
    "dir",
    "include",
    "rename-command",
    "rename-command-invalid",
    "rename-command-twice",
    "rename-subcommand-crash",
    "user",
    "user-invalid",
    "user-duplicate",
    "loadmodule",
    "module-config",
    "sentinel-in-redis-mode",
    "deprecated-ignored",
    "deprecated-ignored-arity",
    "alias",
    "duplicate",
    "arity",
    "unknown-name",
    "misspelled-name",
    "newer-version-name",
    "inline-comment",
    "comment-or-blank",
];

#[test]
fn generator_covers_the_catalogue() {
    let g = Generator::new();
    let seed = redis_common::seed();
    let configs: Vec<Config> = (0..2000).map(|i| g.redis_config(seed, i)).collect();
    let used: std::collections::HashSet<&str> = configs
        .iter()
        .flat_map(|c| c.directives.iter().map(String::as_str))
        .collect();
    let missing: Vec<String> = g
        .names_7_0()
        .into_iter()
        .filter(|n| !used.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "directives never generated: {missing:?}"
    );
    let features: std::collections::HashSet<&str> = configs
        .iter()
        .flat_map(|c| c.features.iter().copied())
        .collect();
    let absent: Vec<&&str> = REQUIRED_FEATURES
        .iter()
        .filter(|f| !features.contains(**f))
        .collect();
    assert!(absent.is_empty(), "features never generated: {absent:?}");
    let valid = configs.iter().filter(|c| c.expect_valid).count();
    assert!(
        (700..=1300).contains(&valid),
        "{valid} of 2000 configs meant valid: not roughly half"
    );
    let crlf = configs.iter().filter(|c| c.text.contains("\r\n")).count();
    let quoted_name = configs
        .iter()
        .filter(|c| c.text.lines().any(|l| l.trim_start().starts_with('"')))
        .count();
    assert!(
        crlf > 0 && quoted_name > 0,
        "CRLF files: {crlf}, quoted names: {quoted_name}"
    );
}

#[test]
fn oracle_reads_known_verdicts() {
    let Some(oracle) = redis_common::oracle_or_skip("oracle_reads_known_verdicts") else {
        return;
    };
    let _serial = heavy();
    let dir = Workdir::new("known");
    let check = |mode, text: &str| oracle.check(&dir.path, mode, text).expect("oracle run");
    let refused_at = |v: Verdict| match v {
        Verdict::Refused { line, .. } => line,
        Verdict::Accepted => panic!("expected a refusal"),
    };
    assert_eq!(
        check(Mode::ParseOnly, "maxmemory 100mb\n"),
        Verdict::Accepted
    );
    assert_eq!(check(Mode::ParseOnly, "maxmemory 100mb"), Verdict::Accepted);
    let v = check(Mode::ParseOnly, "# c\nmaxmemory 100mb\nappendonly maybe\n");
    assert_eq!(refused_at(v), Some(3));
    let v = check(Mode::ParseOnly, "include /nonexistent-grill-lint/x.conf\n");
    assert_eq!(refused_at(v), None);
    let v = check(Mode::ParseOnly, "rename-command CONFIG|SET x\n");
    assert_eq!(
        refused_at(v),
        None,
        "the 7.0.15 crash is a refusal without a line"
    );
    let s = "sentinel monitor m 127.0.0.1 6380 2\nsentinel down-after-milliseconds m 5000\n";
    assert_eq!(check(oracle::SENTINEL, s), Verdict::Accepted);
    let s = "port 26379\nsentinel monitor m 127.0.0.1 6380 0\n";
    assert_eq!(refused_at(check(oracle::SENTINEL, s)), Some(2));
    assert_eq!(check(oracle::SERVER, "maxmemory 1mb\n"), Verdict::Accepted);
}

/// Phase 1 helper: how often the generator's guess matches redis-server (printed only).
#[test]
fn generated_corpus_is_balanced() {
    let Some(oracle) = redis_common::oracle_or_skip("generated_corpus_is_balanced") else {
        return;
    };
    let _serial = heavy();
    let seed = redis_common::seed();
    let n = redis_common::count("GRILL_REDIS_CONFIGS", 2000);
    eprintln!("GRILL_REDIS_SEED={seed:#x} GRILL_REDIS_CONFIGS={n}");
    let g = Generator::new();
    let configs: Vec<Config> = (0..n).map(|i| g.redis_config(seed, i)).collect();
    let verdicts = run_oracle(&oracle, Mode::ParseOnly, &configs, "redis");
    report_guesses(&configs, &verdicts);
    let ns = redis_common::count("GRILL_SENTINEL_CONFIGS", 300);
    let sconfigs: Vec<Config> = (0..ns).map(|i| g.sentinel_config(seed, i)).collect();
    let sverdicts = run_oracle(&oracle, oracle::SENTINEL, &sconfigs, "sentinel");
    report_guesses(&sconfigs, &sverdicts);
}

fn report_guesses(configs: &[Config], verdicts: &[Result<Verdict, String>]) {
    let mut accepted = 0;
    let mut wrong = Vec::new();
    for (c, v) in configs.iter().zip(verdicts) {
        let v = v.as_ref().expect("oracle run");
        accepted += v.accepted() as usize;
        if v.accepted() != c.expect_valid {
            wrong.push((c, v));
        }
    }
    eprintln!(
        "accepted {accepted} / {}; generator guessed wrong on {}",
        configs.len(),
        wrong.len()
    );
    for (c, v) in wrong.iter().take(40) {
        eprintln!(
            "--- #{} guess valid={} redis={v:?} features={:?}\n{}",
            c.index, c.expect_valid, c.features, c.text
        );
    }
}
