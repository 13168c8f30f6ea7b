//! Output formats. Every format reads the same sorted findings; none prints a location in
//! rendered output, and none can print a secret: findings never carry secret values (checks
//! that handle secrets only ever describe them).

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod terminal;

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

/// The text of each file as a report may show it: every secret masked, offsets unchanged.
/// The secrets are the report's (what the build learnt) and whatever the file shows alone
/// ([`crate::secrets::in_file`]), so a file is masked even when nothing got far
/// enough to look at it: a syntax error, a failed build, a file linted alone.
pub struct Shown<'a> {
    report: &'a Report,
    cache: std::cell::RefCell<crate::hash::HashMap<crate::source::FileId, std::sync::Arc<str>>>,
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
        let mut secrets = crate::secrets::in_file(&f);
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
/// The directory SARIF and GitHub paths are relative to: the git top level above `start` (the
/// first linted path), else the directory of the configuration file in use, else the working
/// directory. Code scanning and annotations resolve paths against the repository root, so a
/// report must not depend on where grill-lint was started.
pub fn repo_root(start: &Path, config: Option<&Path>) -> std::path::PathBuf {
    let abs =
        |p: &Path| crate::paths::clean(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
    let mut dir = abs(start);
    loop {
        // `.git` is a directory in a clone and a file in a worktree or submodule.
        if dir.join(".git").exists() {
            return dir;
        }
        if !dir.pop() {
            break;
        }
    }
    if let Some(parent) = config.map(abs).as_deref().and_then(Path::parent) {
        return parent.to_path_buf();
    }
    std::env::current_dir().map_or_else(|_| abs(Path::new(".")), |d| abs(&d))
}

/// `p` relative to `root`, with `/` separators; `..` steps where `p` lies outside `root`
/// (never an absolute path).
pub fn relative_to(root: &Path, p: &Path) -> String {
    let abs =
        |p: &Path| crate::paths::clean(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
    let (root, p) = (abs(root), abs(p));
    let a: Vec<_> = root.components().collect();
    let b: Vec<_> = p.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

impl Report {
    /// A location whose file is given relative to `root` (SARIF, GitHub).
    pub fn location_in(&self, span: Span, root: &Path) -> Location {
        let f = self.sources.get(span.file);
        Location {
            file: relative_to(root, &f.path),
            start: f.line_col(span.start as usize),
            end: f.line_col(span.end as usize),
        }
    }
}
