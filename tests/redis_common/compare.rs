//! The comparison: grill-lint's verdict on one config against redis-server's, and the tally of
//! a whole corpus (counts, exclusions per known divergence, every disagreement in full).
//!
//! grill-lint refuses a config iff one of its findings `is_refusal`; the line is the first (in
//! file order) such finding's line, since Redis stops at the first bad line. Refusals that are a
//! `known_divergence` (deliberately stricter than Redis) are set aside: a config Redis accepts
//! whose only refusals are divergences is excluded and counted under the divergence's id — by
//! that list alone. If Redis refuses such a config, the divergence does not explain the refusal,
//! so grill-lint missed Redis' error: that is a disagreement.

use super::gen::Config;
use super::oracle::Verdict;
use grill_lint::redis::{self, ConfKind};
use grill_lint::source::SourceMap;
use std::collections::BTreeMap;

/// grill-lint's view of one config.
pub struct Ours {
    /// Lines of the refusal findings that are not known divergences, in file order.
    pub refusal_lines: Vec<u32>,
    /// Ids of the known divergences among the refusal findings.
    pub divergences: Vec<&'static str>,
    /// Every finding, rendered for a report.
    pub rendered: Vec<String>,
}

/// Lints `text` as the file `name` of the given kind.
pub fn lint(text: &str, kind: ConfKind, name: &str) -> Ours {
    let map = SourceMap::new();
    let file = map.add(name, text);
    let mut ours = Ours {
        refusal_lines: Vec::new(),
        divergences: Vec::new(),
        rendered: Vec::new(),
    };
    for f in redis::lint_file(&file, kind) {
        let at = file.line_col(f.primary.start as usize);
        let refusal = redis::is_refusal(&f);
        let divergence = redis::known_divergence(&f);
        let tag = match (refusal, divergence) {
            (true, Some(d)) => format!("refusal, known divergence {}", d.id),
            (true, None) => "refusal".to_string(),
            (false, Some(d)) => format!("divergence {} without refusal", d.id),
            (false, None) => "no refusal".to_string(),
        };
        ours.rendered.push(format!(
            "{}:{} {} {} [{tag}] {}",
            at.line,
            at.column,
            f.severity.as_str(),
            f.rule,
            f.message
        ));
        match (refusal, divergence) {
            (true, Some(d)) => ours.divergences.push(d.id),
            (true, None) => ours.refusal_lines.push(at.line),
            _ => {}
        }
    }
    ours.refusal_lines.sort_unstable();
    ours.divergences.sort_unstable();
    ours.divergences.dedup();
    ours
}

/// How one config came out.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Agreed,
    Excluded(Vec<&'static str>),
    Disagreed(String),
}

pub fn compare(redis: &Verdict, ours: &Ours) -> Outcome {
    let first = ours.refusal_lines.first().copied();
    match (redis, first) {
        (Verdict::Accepted, None) if ours.divergences.is_empty() => Outcome::Agreed,
        (Verdict::Accepted, None) => Outcome::Excluded(ours.divergences.clone()),
        (Verdict::Accepted, Some(line)) => Outcome::Disagreed(format!(
            "redis-server accepts; grill-lint refuses (line {line})"
        )),
        (Verdict::Refused { .. }, None) if !ours.divergences.is_empty() => Outcome::Disagreed(
            "redis-server refuses; grill-lint's only refusals are known divergences".into(),
        ),
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
    excluded: usize,
    by_divergence: BTreeMap<&'static str, usize>,
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
            excluded: 0,
            by_divergence: BTreeMap::new(),
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
            Outcome::Excluded(ids) => {
                self.excluded += 1;
                for id in ids {
                    *self.by_divergence.entry(id).or_default() += 1;
                }
            }
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
            "{}: {total} configs: redis-server accepted {}, refused {}, no verdict {}; agreed {}, excluded {} \
             (per known divergence: {:?}), disagreed {}",
            self.what,
            self.accepted,
            self.refused,
            total - self.accepted - self.refused,
            self.agreed,
            self.excluded,
            self.by_divergence,
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
