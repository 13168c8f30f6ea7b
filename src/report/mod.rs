//! Output formats. Every format reads the same sorted findings; none prints a location in
//! rendered output, and none can print a secret: findings never carry secret values (checks
//! that handle secrets only ever describe them).

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::diag::{Finding, Severity};
use crate::source::{LineCol, SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// What every format needs: the findings (sorted), the files they point into, the targets.
pub struct Report {
    pub sources: SourceMap,
    pub findings: Vec<Finding>,
    /// The linted targets as displayed paths.
    pub targets: Vec<String>,
    /// Where secret values are written: a format that prints source text masks these.
    pub secrets: Vec<Span>,
    /// Targets that were only partly checked, and why.
    pub incomplete: Vec<Incomplete>,
    /// Targets whose build failed: such a run never passes.
    pub failed_builds: usize,
    /// Each rule's severity in this run (`None`: off), for formats that list the rules.
    pub severities: Vec<(crate::rules::RuleId, Option<Severity>)>,
}

/// A target that was only partly checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incomplete {
    pub target: String,
    pub reasons: Vec<String>,
}

impl Report {
    /// A report of `findings` alone (a failed `render`).
    pub fn of(
        sources: SourceMap,
        findings: Vec<Finding>,
        targets: Vec<String>,
        secrets: Vec<Span>,
    ) -> Report {
        Report {
            sources,
            findings,
            targets,
            secrets,
            incomplete: Vec::new(),
            failed_builds: 0,
            severities: Vec::new(),
        }
    }

    /// The severity of `rule` in this run.
    pub fn severity_of(&self, rule: crate::rules::RuleId) -> Option<Severity> {
        self.severities
            .iter()
            .find(|(r, _)| *r == rule)
            .map_or(Some(crate::rules::default_severity(rule)), |(_, s)| *s)
    }
}

/// A resolved location: the displayed path plus 1-based start and end positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub start: LineCol,
    pub end: LineCol,
}

impl Report {
    pub fn location(&self, span: Span) -> Location {
        let f = self.sources.get(span.file);
        Location {
            file: display_path(&f.path),
            start: f.line_col(span.start as usize),
            end: f.line_col(span.end as usize),
        }
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == sev).count()
    }

    /// Sorts by file, line, column, rule (the contract's stable order).
    pub fn sort(&mut self) {
        type Key = (String, LineCol, crate::rules::RuleId, String);
        let mut keyed: Vec<(Key, Finding)> = std::mem::take(&mut self.findings)
            .into_iter()
            .map(|f| {
                let l = self.location(f.primary);
                ((l.file, l.start, f.rule, f.message.clone()), f)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        self.findings = keyed.into_iter().map(|(_, f)| f).collect();
    }
}

pub use crate::paths::display as display_path;
