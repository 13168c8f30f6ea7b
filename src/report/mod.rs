//! Output formats. Every format reads the same sorted findings; none prints a location in
//! rendered output, and none can print a secret: findings never carry secret values (checks
//! that handle secrets only ever describe them).

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::diag::{Finding, Severity};
use crate::source::{LineCol, SourceMap, Span};
use std::path::Path;

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
}

/// The text of each file as a report may show it: every secret masked, offsets unchanged.
/// The secrets are the report's (what the build learnt) and whatever the file shows alone
/// ([`crate::checks::secrets::in_file`]), so a file is masked even when nothing got far
/// enough to look at it: a syntax error, a failed build, a file linted alone.
pub struct Shown<'a> {
    report: &'a Report,
    cache:
        std::cell::RefCell<std::collections::HashMap<crate::source::FileId, std::sync::Arc<str>>>,
}

impl<'a> Shown<'a> {
    pub fn new(report: &'a Report) -> Shown<'a> {
        Shown {
            report,
            cache: Default::default(),
        }
    }

    pub fn text(&self, id: crate::source::FileId) -> std::sync::Arc<str> {
        if let Some(t) = self.cache.borrow().get(&id) {
            return t.clone();
        }
        let f = self.report.sources.get(id);
        let mut secrets = crate::checks::secrets::in_file(&f);
        secrets.extend(self.report.secrets.iter().filter(|s| s.file == id));
        let text: std::sync::Arc<str> = if secrets.is_empty() {
            f.text.clone()
        } else {
            std::sync::Arc::from(crate::source::mask(&f.text, id, &secrets))
        };
        self.cache.borrow_mut().insert(id, text.clone());
        text
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
        type Key = (String, LineCol, &'static str, String);
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

/// A path as reports show it: relative to the working directory when the file lies below it,
/// else absolute.
pub fn display_path(p: &Path) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let abs = crate::targets::normalize(&abs);
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = abs.strip_prefix(&cwd) {
            let s = rel.to_string_lossy().into_owned();
            return if s.is_empty() { ".".into() } else { s };
        }
    }
    abs.to_string_lossy().into_owned()
}
