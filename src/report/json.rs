//! `--format json`: one object, exactly the shape of the CLI contract.

use super::Report;
use crate::diag::Severity;
use serde_json::{json, Value};

fn loc(report: &Report, span: crate::source::Span) -> serde_json::Map<String, Value> {
    let l = report.location(span);
    let mut m = serde_json::Map::new();
    m.insert("file".into(), json!(l.file));
    m.insert("line".into(), json!(l.start.line));
    m.insert("column".into(), json!(l.start.column));
    m.insert("end_line".into(), json!(l.end.line));
    m.insert("end_column".into(), json!(l.end.column));
    m
}

pub fn render(report: &Report) -> String {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let related: Vec<Value> = f
                .related
                .iter()
                .map(|r| {
                    let mut m = loc(report, r.span);
                    m.insert("message".into(), json!(r.message));
                    Value::Object(m)
                })
                .collect();
            let mut obj = serde_json::Map::new();
            obj.insert("rule".into(), json!(f.rule));
            obj.insert("severity".into(), json!(f.severity.as_str()));
            obj.insert("message".into(), json!(f.message));
            obj.insert("environments".into(), json!(f.environments));
            obj.insert("location".into(), Value::Object(loc(report, f.primary)));
            obj.insert("related".into(), Value::Array(related));
            if let Some(h) = &f.help {
                obj.insert("help".into(), json!(h));
            }
            Value::Object(obj)
        })
        .collect();
    let out = json!({
        "version": 1,
        "tool": {"name": "grill-lint", "version": env!("CARGO_PKG_VERSION")},
        "findings": findings,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "infos": report.count(Severity::Info),
            "targets": report.targets,
            "incomplete": report.incomplete.iter().map(|i| json!({"target": i.target, "reasons": i.reasons})).collect::<Vec<_>>(),
        }
    });
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
