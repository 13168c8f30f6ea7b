//! Agreement with Prometheus: on generated alert expressions, grill-lint's PromQL reader
//! (`grill_lint::monitoring::promql::parse`, the `promql-parser` crate behind its limits) and
//! `promtool check rules` (Debian's `prometheus` package, installed by `scripts/test.sh`) must
//! agree on which expressions parse.
//!
//! A seeded generator (splitmix64; `GRILL_PROMQL_SEED` overrides the fixed seed, printed) writes
//! `GRILL_PROMQL_EXPRS` (default 600) expressions: compositions of the selectors, functions,
//! aggregations, operators and modifiers alert rules use — which type-check or not depending on
//! how they combine (`rate` of an instant vector, a set operator on scalars, a scalar comparison
//! without `bool`) — and, for a third of them, a textual mutation (a character dropped, a token
//! inserted, the text cut short). Each expression becomes a one-rule file; promtool checks them
//! in batches and its per-file verdict is compared with grill-lint's. Every disagreement is
//! listed with the expression and both verdicts before the test fails.
//!
//! The generator keeps to the PromQL both sides implement: Debian's promtool is Prometheus 2.42,
//! so functions and syntax added later (`limitk`, `fill`, `info`, `or` in matchers, duration
//! arithmetic) are not generated. `promtool` missing: the test skips loudly, or fails under
//! CI=true.

use grill_lint::monitoring::promql;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEFAULT_SEED: u64 = 0x7072_6f6d_716c_0001;
const DEFAULT_EXPRS: usize = 600;
const BATCH: usize = 150;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const METRICS: &[&str] = &[
    "redis_up",
    "redis_memory_used_bytes",
    "redis_memory_max_bytes",
    "redis_connected_clients",
    "redis_slowlog_length",
    "redis_keyspace_hits_total",
    "redis_keyspace_misses_total",
    "redis_connected_slaves",
    "redis:ratio:5m",
];
const MATCHERS: &[&str] = &[
    "job=\"redis\"",
    "instance=~\"redis-.*\"",
    "role!=\"slave\"",
    "namespace!~\"dev|test\"",
    "__name__=\"redis_up\"",
];
const DURATIONS: &[&str] = &["30s", "5m", "1h", "1d", "90s", "1h30m"];
const RANGE_FNS: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "delta",
    "avg_over_time",
    "max_over_time",
    "min_over_time",
    "changes",
    "resets",
];
const INSTANT_FNS: &[&str] = &["abs", "ceil", "floor", "sqrt", "exp", "ln", "absent"];
const AGGS: &[&str] = &["sum", "avg", "min", "max", "count", "stddev", "group"];
const ARITH: &[&str] = &["+", "-", "*", "/", "%", "^"];
const CMP: &[&str] = &["==", "!=", ">", "<", ">=", "<="];
const SET: &[&str] = &["and", "or", "unless"];
const NUMBERS: &[&str] = &["0", "1", "0.8", "90", "100", "1e3", "0.95", ".5", "1024"];
const LABELS: &[&str] = &["instance", "job", "pod"];

fn selector(r: &mut Rng) -> String {
    let mut s = r.pick(METRICS).to_string();
    if r.chance(35) {
        let n = 1 + r.below(2);
        let ms: Vec<&str> = (0..n).map(|_| r.pick(MATCHERS)).collect();
        s = format!("{s}{{{}}}", ms.join(", "));
    }
    if r.chance(8) {
        s = format!("{s} offset {}", r.pick(DURATIONS));
    }
    s
}

fn grouping(r: &mut Rng) -> String {
    let kw = if r.chance(70) { "by" } else { "without" };
    format!("{kw} ({})", r.pick(LABELS))
}

fn expr(r: &mut Rng, depth: usize) -> String {
    let leaf = depth >= 3 || r.chance(25);
    if leaf {
        return if r.chance(75) {
            selector(r)
        } else {
            r.pick(NUMBERS).to_string()
        };
    }
    match r.below(10) {
        0 => {
            // Mostly a range vector; sometimes (a type error) an instant one.
            let arg = if r.chance(85) {
                format!("{}[{}]", selector(r), r.pick(DURATIONS))
            } else {
                expr(r, depth + 1)
            };
            format!("{}({arg})", r.pick(RANGE_FNS))
        }
        1 => format!("{}({})", r.pick(INSTANT_FNS), expr(r, depth + 1)),
        2 => {
            let agg = r.pick(AGGS);
            let inner = expr(r, depth + 1);
            if r.chance(50) {
                format!("{agg} {} ({inner})", grouping(r))
            } else {
                format!("{agg}({inner})")
            }
        }
        3 => format!("topk({}, {})", r.pick(&["3", "1"]), expr(r, depth + 1)),
        4 | 5 => {
            let op = r.pick(ARITH);
            format!("{} {op} {}", expr(r, depth + 1), expr(r, depth + 1))
        }
        6 => {
            let op = r.pick(CMP);
            let b = if r.chance(20) { " bool" } else { "" };
            format!("{} {op}{b} {}", expr(r, depth + 1), expr(r, depth + 1))
        }
        7 => {
            let op = r.pick(SET);
            let m = if r.chance(30) {
                format!(" on({})", r.pick(LABELS))
            } else {
                String::new()
            };
            format!("{} {op}{m} {}", expr(r, depth + 1), expr(r, depth + 1))
        }
        8 => format!("({})", expr(r, depth + 1)),
        _ => {
            if r.chance(50) {
                format!("-{}", expr(r, depth + 1))
            } else {
                format!(
                    "{}[{}:{}]",
                    expr(r, depth + 1),
                    r.pick(DURATIONS),
                    r.pick(&["1m", "30s"])
                )
            }
        }
    }
}

/// A comparison at the top, as alerts are written, over a generated vector side.
fn alert_expr(r: &mut Rng) -> String {
    let lhs = expr(r, 0);
    if r.chance(70) {
        format!("{lhs} {} {}", r.pick(CMP), r.pick(NUMBERS))
    } else {
        lhs
    }
}

const INSERTS: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", "+", "==", "by", "\"", "5m", ":", "@",
];

fn mutate(r: &mut Rng, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return r.pick(INSERTS).to_string();
    }
    let at = r.below(chars.len());
    match r.below(3) {
        0 => chars
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, c)| c)
            .collect(),
        1 => {
            let mut out: String = chars[..at].iter().collect();
            out.push_str(r.pick(INSERTS));
            out.extend(&chars[at..]);
            out
        }
        _ => chars[..at].iter().collect(),
    }
}

fn generate(seed: u64, n: usize) -> Vec<String> {
    let mut r = Rng(seed);
    (0..n)
        .map(|_| {
            let e = alert_expr(&mut r);
            if r.chance(33) {
                mutate(&mut r, &e)
            } else {
                e
            }
        })
        .collect()
}

fn seed() -> u64 {
    std::env::var("GRILL_PROMQL_SEED")
        .ok()
        .and_then(|v| {
            let v = v.trim().to_string();
            match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => v.parse().ok(),
            }
        })
        .unwrap_or(DEFAULT_SEED)
}

fn count() -> usize {
    std::env::var("GRILL_PROMQL_EXPRS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_EXPRS)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn promtool() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("promtool"))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if in_ci() => {
            panic!("promtool_agreement: promtool not found on PATH (CI=true: this test must run; scripts/test.sh installs Debian's `prometheus`)")
        }
        None => {
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
            );
            eprintln!("!! SKIPPED promtool_agreement: promtool not found on PATH");
            eprintln!(
                "!! (apt-get install prometheus, or run scripts/test.sh; CI=true fails instead)"
            );
            eprintln!(
                "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            None
        }
    }
}

fn rule_file(expr: &str) -> String {
    let quoted = serde_json::to_string(expr).expect("a string serialises");
    format!("groups:\n  - name: generated\n    rules:\n      - alert: Generated\n        expr: {quoted}\n")
}

/// promtool's verdict per file: Ok(()) when it parsed, Err(message) otherwise.
fn promtool_verdicts(tool: &Path, files: &[PathBuf]) -> Vec<Result<(), String>> {
    let mut out = Vec::with_capacity(files.len());
    for chunk in files.chunks(BATCH) {
        let run = Command::new(tool)
            .arg("check")
            .arg("rules")
            .args(chunk)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
        // Per file, stdout has `Checking F` then `  SUCCESS: …` or nothing; the reasons of the
        // failures are on stderr, each line starting with the file's path.
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        for f in chunk {
            let name = f.display().to_string();
            let marker = format!("Checking {name}\n");
            let Some(at) = stdout.find(&marker) else {
                panic!("promtool printed nothing for {name}:\n{stdout}\n{stderr}");
            };
            let section = &stdout[at + marker.len()..];
            let section = &section[..section.find("Checking ").unwrap_or(section.len())];
            if section.trim_start().starts_with("SUCCESS") {
                out.push(Ok(()));
            } else {
                let why = stderr
                    .lines()
                    .find(|l| l.starts_with(&format!("{name}:")))
                    .map(|l| l[name.len() + 1..].trim().to_string());
                match why {
                    Some(w) => out.push(Err(w)),
                    None => panic!("promtool gave no verdict for {name}:\n{section}\n{stderr}"),
                }
            }
        }
    }
    out
}

#[test]
fn grill_lint_and_promtool_agree_on_which_expressions_parse() {
    let Some(tool) = promtool() else { return };
    let (seed, n) = (seed(), count());
    eprintln!("promtool_agreement: seed {seed:#x} ({n} expressions; GRILL_PROMQL_SEED to repeat)");
    let exprs = generate(seed, n);
    let dir = std::env::temp_dir().join(format!("grill-lint-promql-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let files: Vec<PathBuf> = exprs
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = dir.join(format!("{i}.yaml"));
            std::fs::write(&p, rule_file(e)).expect("write rule file");
            p
        })
        .collect();
    let started = std::time::Instant::now();
    let theirs = promtool_verdicts(&tool, &files);
    let elapsed = started.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    let mut disagreements = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for (i, (e, t)) in exprs.iter().zip(&theirs).enumerate() {
        let ours = promql::parse(e);
        match (&ours, t) {
            (Ok(_), Ok(())) => valid += 1,
            (Err(_), Err(_)) => invalid += 1,
            (Ok(_), Err(why)) => disagreements.push(format!(
                "#{i} {e:?}\n   grill-lint: parses\n   promtool:   {why}"
            )),
            (Err(why), Ok(())) => disagreements.push(format!(
                "#{i} {e:?}\n   grill-lint: {why}\n   promtool:   parses"
            )),
        }
    }
    eprintln!(
        "promtool_agreement: {valid} parse on both sides, {invalid} refused on both, {} disagreements; promtool took {elapsed:.2?}",
        disagreements.len()
    );
    // A generator that produced only one kind would test nothing.
    assert!(
        valid >= n / 10 && invalid >= n / 10,
        "generator is lopsided: {valid} valid, {invalid} invalid"
    );
    assert!(
        disagreements.is_empty(),
        "seed {seed:#x}: grill-lint and promtool disagree on {} of {n} expressions:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn generator_is_deterministic_and_mixed() {
    assert_eq!(generate(7, 50), generate(7, 50));
    assert_ne!(generate(7, 50), generate(8, 50));
    let exprs = generate(DEFAULT_SEED, 300);
    let ok = exprs.iter().filter(|e| promql::parse(e).is_ok()).count();
    assert!(ok > 30 && ok < 270, "{ok} of 300 parse");
}
