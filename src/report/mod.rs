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

/// The directory SARIF and GitHub paths are relative to: the git top level above `start` (the
/// first linted path), else the directory of the configuration file in use, else the working
/// directory. Code scanning and annotations resolve paths against the repository root, so a
/// report must not depend on where grill-lint was started.
pub fn repo_root(start: &Path, config: Option<&Path>) -> std::path::PathBuf {
    let abs = |p: &Path| {
        crate::targets::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
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
    let abs = |p: &Path| {
        crate::targets::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
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
