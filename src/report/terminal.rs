//! Terminal text that is not a report of findings: `explain`'s markdown rendered with ANSI
//! styles, and `--statistics` (findings per rule).

use super::Report;
use crate::diag::Severity;
use std::collections::BTreeMap;

const BOLD: &str = "\x1b[1m";
const UNDERLINE: &str = "\x1b[4m";
const CODE: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// Markdown (the subset rule documentation uses: ATX headings, fenced code, inline code,
/// paragraphs, lists) for a terminal: headings bold, code blocks indented and coloured, the
/// fences and `#` marks gone.
pub fn markdown(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str(&format!("    {CODE}{line}{RESET}\n"));
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if hashes > 0 && line[hashes..].starts_with(' ') {
            let title = inline(line[hashes..].trim(), BOLD);
            let style = if hashes == 1 {
                format!("{BOLD}{UNDERLINE}")
            } else {
                BOLD.to_string()
            };
            out.push_str(&format!("{style}{title}{RESET}\n"));
            continue;
        }
        out.push_str(&inline(line, ""));
        out.push('\n');
    }
    out
}

/// Inline code spans coloured and `**strong**` bold; `after` restores the surrounding style.
fn inline(line: &str, after: &str) -> String {
    let mut out = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("{CODE}{part}{RESET}{after}"));
            continue;
        }
        for (j, text) in part.split("**").enumerate() {
            if j % 2 == 1 {
                out.push_str(&format!("{BOLD}{text}{RESET}{after}"));
            } else {
                out.push_str(text);
            }
        }
    }
    out
}

/// `--statistics`: one line per rule with its number of findings, most first (ruff's layout),
/// then the usual summary line.
pub fn statistics(report: &Report) -> String {
    let mut per: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for f in &report.findings {
        let e = per.entry(f.rule.as_str()).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    let mut rows: Vec<(&str, usize, Severity)> =
        per.into_iter().map(|(r, (n, s))| (r, n, s)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (rule, n, sev) in &rows {
        out.push_str(&format!("{n:>5}  {rule:width$}  {}\n", sev.as_str()));
    }
    out.push_str(&format!(
        "grill-lint: {} finding(s) of {} rule(s): {} error(s), {} warning(s), {} info(s)\n",
        report.findings.len(),
        rows.len(),
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_styled_for_a_terminal() {
        let out =
            markdown("# `redis/x`\n\n**What it does.** Reports `hz`.\n\n```conf\nhz 1900\n```\n");
        assert_eq!(
            out,
            format!(
                "{BOLD}{UNDERLINE}{CODE}redis/x{RESET}{BOLD}{RESET}\n\n{BOLD}What it does.{RESET} Reports {CODE}hz{RESET}.\n\n    {CODE}hz 1900{RESET}\n"
            )
        );
        assert!(!out.contains("```") && !out.contains("# "));
    }
}
