//! `--format human`: rustc-style diagnostics through miette, with the source snippet of the real
//! file, the primary label on the value to change, related labels on the other half of the
//! contradiction (in their own file when it differs) and a `help:` line.

use super::{Report, Shown};
use crate::diag::{Finding, Severity};
use crate::hash::HashMap;
use crate::source::{FileId, Span};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

struct Snippet {
    severity: miette::Severity,
    code: String,
    message: String,
    help: Option<String>,
    source: NamedSource<Indexed>,
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

/// A file's shown text with its line starts indexed once, so that a snippet costs its own lines
/// and not a scan from the top of the file (miette's `str` source walks every byte before the
/// span: 20,000 findings in one file were quadratic).
#[derive(Clone)]
struct Indexed {
    text: Arc<str>,
    /// Offsets where lines start, by miette's reckoning: after `\n`, and after a `\r` that no
    /// `\n` follows.
    lines: Arc<[usize]>,
}

impl Indexed {
    fn new(text: Arc<str>) -> Indexed {
        let b = text.as_bytes();
        let mut lines = vec![0];
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                lines.push(i + 1);
            }
        }
        Indexed {
            text,
            lines: lines.into(),
        }
    }
}

impl SourceCode for Indexed {
    /// miette's own reading, run on the text from a line far enough above the span that its
    /// result cannot differ, then moved back to the file's offsets and line numbers.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let line = self.lines.partition_point(|&s| s <= span.offset()) - 1;
        let first = line.saturating_sub(context_lines_before + 1);
        let base = self.lines[first];
        let rest = self.text.as_bytes().get(base..).unwrap_or_default();
        let local = SourceSpan::new(span.offset().saturating_sub(base).into(), span.len());
        let inner = <[u8] as SourceCode>::read_span(
            rest,
            &local,
            context_lines_before,
            context_lines_after,
        )?;
        let at = *inner.span();
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((at.offset() + base).into(), at.len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// The file as the snippet shows it: secret values masked, offsets unchanged.
fn named_source(report: &Report, shown: &Texts, span: Span) -> NamedSource<Indexed> {
    let f = report.sources.get(span.file);
    NamedSource::new(super::display_path(&f.path), shown.get(f.id))
}

/// Each file's shown text and line index, made once per render.
struct Texts<'a> {
    shown: Shown<'a>,
    indexed: RefCell<HashMap<FileId, Indexed>>,
}

impl Texts<'_> {
    fn get(&self, id: FileId) -> Indexed {
        if let Some(i) = self.indexed.borrow().get(&id) {
            return i.clone();
        }
        let i = Indexed::new(self.shown.text(id));
        self.indexed.borrow_mut().insert(id, i.clone());
        i
    }
}

fn labeled(span: Span, text: Option<String>, primary: bool) -> LabeledSpan {
    let range = span.start as usize..span.end as usize;
    if primary {
        LabeledSpan::new_primary_with_span(text, range)
    } else {
        LabeledSpan::new_with_span(text, range)
    }
}

fn snippet(report: &Report, shown: &Texts, f: &Finding) -> Snippet {
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
                source: named_source(report, shown, r.span),
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
        source: named_source(report, shown, f.primary),
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
    let shown = Texts {
        shown: Shown::new(report),
        indexed: RefCell::default(),
    };
    for f in &report.findings {
        let d = snippet(report, &shown, f);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The indexed reading is miette's reading, whatever the line endings and wherever the span.
    #[test]
    fn indexed_source_reads_as_miette_does() {
        let text = "a: 1\nb:\r\n  c: 2\rd: [x, y]\n\n\ne: last";
        let indexed = Indexed::new(Arc::from(text));
        for start in 0..text.len() {
            for len in [0, 1, 3, 9] {
                let span = SourceSpan::new(start.into(), len.min(text.len() - start));
                for context in [0, 1, 2] {
                    let want = text.read_span(&span, context, context);
                    let got = indexed.read_span(&span, context, context);
                    match (want, got) {
                        (Ok(w), Ok(g)) => {
                            let at = (start, len, context);
                            assert_eq!(w.data(), g.data(), "{at:?}");
                            assert_eq!(w.span(), g.span(), "{at:?}");
                            assert_eq!(w.line(), g.line(), "{at:?}");
                            assert_eq!(w.column(), g.column(), "{at:?}");
                            assert_eq!(w.line_count(), g.line_count(), "{at:?}");
                        }
                        (Err(_), Err(_)) => {}
                        (w, g) => panic!(
                            "{start} {len} {context}: {:?} vs {:?}",
                            w.is_ok(),
                            g.is_ok()
                        ),
                    }
                }
            }
        }
    }
}
