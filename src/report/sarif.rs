//! `--format sarif`: SARIF 2.1.0, one run; `tool.driver.rules` lists every rule of the registry.
//!
//! Paths are relative to the repository root (see [`super::repo_root`]) and carry
//! `uriBaseId: %SRCROOT%`, which `originalUriBaseIds` defines, so code scanning finds the files
//! whatever directory grill-lint ran in.
//!
//! `partialFingerprints` hash the rule, the file, the message and the text of the primary line
//! (not its number), so a result keeps its fingerprint when unrelated lines move.

use super::Report;
use crate::diag::Severity;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The base every artifact URI is relative to.
const SRCROOT: &str = "%SRCROOT%";

fn region(report: &Report, root: &Path, span: crate::source::Span) -> Value {
    let l = report.location_in(span, root);
    json!({
        "artifactLocation": {"uri": uri(&l.file), "uriBaseId": SRCROOT},
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

/// The root as an absolute `file:` URI ending in `/` (what `originalUriBaseIds` requires).
fn root_uri(root: &Path) -> String {
    let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut path = abs.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", uri(&path))
}

/// The fingerprint hashes the masked line: a hash of a line holding a short password could
/// be reversed by trying candidates.
fn fingerprint(
    report: &Report,
    root: &Path,
    shown: &super::Shown,
    f: &crate::diag::Finding,
) -> String {
    let file = report.sources.get(f.primary.file);
    let text = shown.text(file.id);
    let l = report.location_in(f.primary, root);
    let line_text = file
        .line_start(l.start.line as usize)
        .and_then(|s| text.get(s..))
        .map(|t| t.lines().next().unwrap_or("").trim())
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

/// The report as SARIF; every path relative to `root` (the repository root).
pub fn render(report: &Report, root: &Path) -> String {
    let rules: Vec<Value> = crate::rules::all()
        .iter()
        .map(|r| {
            let (group, name) = r.id.split_once('/').unwrap_or(("", r.id.as_str()));
            json!({
                "id": r.id,
                "name": name,
                "properties": {"tags": [group, level_name(r.severity)]},
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
    let shown = super::Shown::new(report);
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
                    json!({"id": i, "physicalLocation": region(report, root, r.span), "message": {"text": r.message}})
                })
                .collect();
            let mut res = json!({
                "ruleId": f.rule,
                "ruleIndex": crate::rules::all().iter().position(|r| r.rule == f.rule).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": region(report, root, f.primary)}],
                "partialFingerprints": {"grillLint/v1": fingerprint(report, root, &shown, f)},
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
            "originalUriBaseIds": {SRCROOT: {"uri": root_uri(root)}},
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

/// The severity as the rule's tag (`error`, `warning`, `info`).
fn level_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}
