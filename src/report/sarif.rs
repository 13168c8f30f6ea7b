//! `--format sarif`: SARIF 2.1.0, one run; `tool.driver.rules` lists every rule of the registry.
//!
//! `partialFingerprints` hash the rule, the file, the message and the text of the primary line
//! (not its number), so a result keeps its fingerprint when unrelated lines move.

use super::Report;
use crate::diag::Severity;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn region(report: &Report, span: crate::source::Span) -> Value {
    let l = report.location(span);
    json!({
        "artifactLocation": {"uri": uri(&l.file)},
        "region": {
            "startLine": l.start.line,
            "startColumn": l.start.column,
            "endLine": l.end.line,
            "endColumn": l.end.column.max(if l.end.line == l.start.line { l.start.column } else { 1 }),
        }
    })
}

/// A relative path as a URI reference (percent-encoding what RFC 3986 does not allow).
fn uri(path: &str) -> String {
    let mut s = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn fingerprint(report: &Report, f: &crate::diag::Finding) -> String {
    let file = report.sources.get(f.primary.file);
    let l = report.location(f.primary);
    let line_text = file
        .line_start(l.start.line as usize)
        .map(|s| file.text[s..].lines().next().unwrap_or("").trim())
        .unwrap_or("");
    let mut h = Sha256::new();
    for part in [
        f.rule.as_str(),
        l.file.as_str(),
        f.message.as_str(),
        line_text,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = crate::rules::all()
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.full_description()},
                "help": {"text": r.doc.fix.trim(), "markdown": r.markdown("#", None, "")},
                "defaultConfiguration": match report.severity_of(r.rule) {
                    Some(s) => json!({"level": level(s)}),
                    None => json!({"level": level(r.severity), "enabled": false}),
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str(&format!(" (help: {h})"));
            }
            let related: Vec<Value> = f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({"id": i, "physicalLocation": region(report, r.span), "message": {"text": r.message}})
                })
                .collect();
            let mut res = json!({
                "ruleId": f.rule,
                "ruleIndex": crate::rules::all().iter().position(|r| r.rule == f.rule).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": region(report, f.primary)}],
                "partialFingerprints": {"grillLint/v1": fingerprint(report, f)},
            });
            if !related.is_empty() {
                res["relatedLocations"] = Value::Array(related);
            }
            if !f.environments.is_empty() {
                res["properties"] = json!({"environments": f.environments});
            }
            res
        })
        .collect();
    let out = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "grill-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}
