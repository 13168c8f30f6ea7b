//! `--format github`: one workflow command per finding.

use super::Report;
use crate::diag::Severity;

/// Escapes a workflow-command property value (`%`, CR, LF, `:` and `,`).
fn prop(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// Escapes the message part (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let l = report.location(f.primary);
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut msg = f.message.clone();
        if let Some(h) = &f.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            prop(&l.file),
            l.start.line,
            l.start.column,
            l.end.line,
            l.end.column,
            prop(f.rule.as_str()),
            data(&msg)
        ));
    }
    out
}
