//! The comparison: grill-lint's verdict on one config against redis-server's, and the tally of
//! a whole corpus (counts, every disagreement in full).
//!
//! grill-lint refuses a config iff one of its findings `is_refusal`; the line is the first (in
//! file order) such finding's line, since Redis stops at the first bad line. Nothing is
//! excluded: what Redis accepts but does not apply as written is `redis/ignored-value`, which is
//! no refusal, so those configs must simply be accepted by both.

use super::gen::Config;
use super::oracle::Verdict;
use grill_lint::redis::{self, ConfKind};
use grill_lint::source::SourceMap;
use std::collections::BTreeMap;

/// grill-lint's view of one config.
pub struct Ours {
    /// Lines of the refusal findings, in file order.
    pub refusal_lines: Vec<u32>,
    /// Every finding, rendered for a report.
    pub rendered: Vec<String>,
}

/// Lints `text` as the file `name` of the given kind.
pub fn lint(text: &str, kind: ConfKind, name: &str) -> Ours {
    let map = SourceMap::new();
    let file = map.add(name, text);
    let mut ours = Ours {
        refusal_lines: Vec::new(),
        rendered: Vec::new(),
    };
    for f in redis::lint_file(&file, kind) {
        let at = file.line_col(f.primary.start as usize);
        let refusal = redis::is_refusal(&f);
        let tag = if refusal { "refusal" } else { "no refusal" };
        ours.rendered.push(format!(
            "{}:{} {} {} [{tag}] {}",
            at.line,
            at.column,
            f.severity.as_str(),
            f.rule,
            f.message
        ));
        if refusal {
            ours.refusal_lines.push(at.line);
        }
    }
    ours.refusal_lines.sort_unstable();
    ours
}

/// How one config came out.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Agreed,
    Disagreed(String),
}

pub fn compare(redis: &Verdict, ours: &Ours) -> Outcome {
    let first = ours.refusal_lines.first().copied();
    match (redis, first) {
        (Verdict::Accepted, None) => Outcome::Agreed,
        (Verdict::Accepted, Some(line)) => Outcome::Disagreed(format!(
            "redis-server accepts; grill-lint refuses (line {line})"
        )),
        (Verdict::Refused { .. }, None) => {
            Outcome::Disagreed("redis-server refuses; grill-lint accepts".into())
        }
        (Verdict::Refused { line: None, .. }, Some(_)) => Outcome::Agreed,
        (Verdict::Refused { line: Some(r), .. }, Some(o)) if *r == o => Outcome::Agreed,
        (Verdict::Refused { line: Some(r), .. }, Some(o)) => Outcome::Disagreed(format!(
            "both refuse, at different lines: redis-server line {r}, grill-lint line {o}"
        )),
    }
}

/// Counts and disagreements of one corpus.
pub struct Tally {
    what: &'static str,
    seed: u64,
    total: usize,
    accepted: usize,
    refused: usize,
    agreed: usize,
    /// Disagreements per generator feature tag (where to look first).
    by_feature: BTreeMap<&'static str, usize>,
    disagreements: Vec<String>,
}

impl Tally {
    pub fn new(what: &'static str, seed: u64) -> Tally {
        Tally {
            what,
            seed,
            total: 0,
            accepted: 0,
            refused: 0,
            agreed: 0,
            by_feature: BTreeMap::new(),
            disagreements: Vec::new(),
        }
    }

    /// Records one config; an oracle failure (timeout, spawn error) is a disagreement too.
    pub fn add(&mut self, config: &Config, redis: Result<&Verdict, &String>, ours: &Ours) {
        self.total += 1;
        let redis = match redis {
            Ok(v) => v,
            Err(e) => return self.disagree(config, &format!("oracle failed: {e}"), None, ours),
        };
        if redis.accepted() {
            self.accepted += 1;
        } else {
            self.refused += 1;
        }
        match compare(redis, ours) {
            Outcome::Agreed => self.agreed += 1,
            Outcome::Disagreed(why) => self.disagree(config, &why, Some(redis), ours),
        }
    }

    fn disagree(&mut self, c: &Config, why: &str, redis: Option<&Verdict>, ours: &Ours) {
        let mut features: Vec<&'static str> = c.features.clone();
        features.sort_unstable();
        features.dedup();
        for f in &features {
            *self.by_feature.entry(f).or_default() += 1;
        }
        let redis = match redis {
            Some(Verdict::Accepted) => "accepted".to_string(),
            Some(Verdict::Refused { line, message }) => match line {
                Some(l) => format!("refused at line {l}: {message}"),
                None => format!("refused (no line): {message}"),
            },
            None => "no verdict".to_string(),
        };
        let listing: Vec<String> = c
            .text
            .split('\n')
            .enumerate()
            .map(|(i, l)| format!("  {:>3} | {}", i + 1, l.escape_debug()))
            .collect();
        let findings = if ours.rendered.is_empty() {
            "  (none)".to_string()
        } else {
            ours.rendered
                .iter()
                .map(|f| format!("  {f}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        self.disagreements.push(format!(
            "=== {} config #{} (GRILL_REDIS_SEED={:#x}): {why}\n--- config (features {features:?}):\n{}\n\
             --- redis-server: {redis}\n--- grill-lint findings:\n{findings}",
            self.what,
            c.index,
            self.seed,
            listing.join("\n")
        ));
    }

    /// Prints the counts and every disagreement; fails if there is any.
    pub fn finish(self) {
        let total = self.total;
        eprintln!(
            "{}: {total} configs: redis-server accepted {}, refused {}, no verdict {}; agreed {}, \
             excluded 0 (there are no exclusions), disagreed {}",
            self.what,
            self.accepted,
            self.refused,
            total - self.accepted - self.refused,
            self.agreed,
            self.disagreements.len()
        );
        if self.disagreements.is_empty() {
            return;
        }
        for d in &self.disagreements {
            eprintln!("{d}\n");
        }
        let mut hot: Vec<(&&str, &usize)> = self.by_feature.iter().collect();
        hot.sort_by(|a, b| b.1.cmp(a.1));
        eprintln!("disagreements per generator feature: {hot:?}");
        panic!(
            "{} of {total} {} configs disagree with redis-server (all listed above, with the \
             seed to reproduce them)",
            self.disagreements.len(),
            self.what
        );
    }
}
