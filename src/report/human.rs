//! `--format human`: rustc-style diagnostics through miette, with the source snippet of the real
//! file, the primary label on the value to change, related labels on the other half of the
//! contradiction (in their own file when it differs) and a `help:` line.

use super::Report;
use crate::diag::{Finding, Severity};
use crate::source::Span;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;
use std::sync::Arc;

struct Snippet {
    severity: miette::Severity,
    code: String,
    message: String,
    help: Option<String>,
    source: NamedSource<Arc<str>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Snippet>,
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet {}

impl Diagnostic for Snippet {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// The file as the snippet shows it: secret values masked, offsets unchanged.
fn named_source(report: &Report, span: Span) -> NamedSource<Arc<str>> {
    let f = report.sources.get(span.file);
    let text: Arc<str> = if report.secrets.iter().any(|s| s.file == f.id) {
        Arc::from(crate::source::mask(&f.text, f.id, &report.secrets))
    } else {
        f.text.clone()
    };
    NamedSource::new(super::display_path(&f.path), text)
}

fn labeled(span: Span, text: Option<String>, primary: bool) -> LabeledSpan {
    let range = span.start as usize..span.end as usize;
    if primary {
        LabeledSpan::new_primary_with_span(text, range)
    } else {
        LabeledSpan::new_with_span(text, range)
    }
}

fn snippet(report: &Report, f: &Finding) -> Snippet {
    let mut labels = vec![labeled(f.primary, f.primary_label.clone(), true)];
    let mut related = Vec::new();
    for r in &f.related {
        if r.span.file == f.primary.file {
            labels.push(labeled(r.span, Some(r.message.clone()), false));
        } else {
            related.push(Snippet {
                severity: miette::Severity::Advice,
                code: String::new(),
                message: r.message.clone(),
                help: None,
                source: named_source(report, r.span),
                labels: vec![labeled(r.span, Some(r.message.clone()), false)],
                related: Vec::new(),
            });
        }
    }
    let mut message = f.message.clone();
    if !f.environments.is_empty() {
        message.push_str(&format!(" [{}]", f.environments.join(", ")));
    }
    Snippet {
        severity: match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        code: f.rule.to_string(),
        message,
        help: f.help.clone(),
        source: named_source(report, f.primary),
        labels,
        related,
    }
}

pub fn render(report: &Report, color: bool, quiet: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_show_related_as_nested(true)
        .with_context_lines(1)
        .with_width(110)
        .with_links(false);
    let mut out = String::new();
    for f in &report.findings {
        let d = snippet(report, f);
        if handler.render_report(&mut out, &d).is_err() {
            let l = report.location(f.primary);
            out.push_str(&format!(
                "{}:{}:{}: {} [{}] {}\n",
                l.file,
                l.start.line,
                l.start.column,
                f.severity.as_str(),
                f.rule,
                f.message
            ));
        }
        out.push('\n');
    }
    // Partial checks are said even with --quiet: they change what a clean run means.
    for inc in &report.incomplete {
        for r in &inc.reasons {
            out.push_str(&format!(
                "note: {} was only partly checked: {r}\n",
                inc.target
            ));
        }
    }
    if !quiet {
        let (e, w, i) = (
            report.count(Severity::Error),
            report.count(Severity::Warning),
            report.count(Severity::Info),
        );
        let targets = if report.targets.is_empty() {
            "nothing".to_string()
        } else {
            report.targets.join(", ")
        };
        if e + w + i == 0 {
            out.push_str(&format!("grill-lint: no findings in {targets}\n"));
        } else {
            out.push_str(&format!(
                "grill-lint: {e} error(s), {w} warning(s), {i} info(s) in {targets}\n"
            ));
        }
    }
    out
}
