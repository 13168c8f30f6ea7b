//! Suppressions: `# grill-lint: ignore RULE[,RULE] -- reason` comments in YAML (on the line of
//! the value or the line above) and in redis.conf text (on its own line above the directive),
//! and `ignore:` entries of `.grill-lint.yaml`.
//!
//! A comment that suppresses nothing is `lint/unused-suppression`; one without `-- reason` is
//! `lint/suppression-without-reason`. A rule may be named by its ID or by its group (`redis/`).

use crate::diag::Finding;
use crate::rules::id;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use std::collections::HashMap;

#[derive(Debug)]
struct Comment {
    span: Span,
    /// 1-based line of the comment.
    line: u32,
    /// True when the comment is the whole line (then it also covers the next line).
    own_line: bool,
    rules: Vec<String>,
    used: bool,
}

const MARKER: &str = "grill-lint: ignore";

/// Whether `pattern` (an ID, or a group ending in `/`) names `rule`.
pub fn matches_rule(pattern: &str, rule: crate::rules::RuleId) -> bool {
    let rule = rule.as_str();
    pattern == rule
        || (pattern.ends_with('/') && rule.starts_with(pattern))
        || (!pattern.contains('/') && rule.split('/').next() == Some(pattern))
}

fn scan(file: &SourceFile) -> (Vec<Comment>, Vec<Finding>) {
    let mut comments = Vec::new();
    let mut findings = Vec::new();
    let text: &str = &file.text;
    if !text.contains(MARKER) {
        return (comments, findings);
    }
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i as u32 + 1;
        if let Some(hash) = line.find('#') {
            let comment = &line[hash + 1..];
            if let Some(rest) = comment.trim_start().strip_prefix(MARKER) {
                let (rules_part, reason) = match rest.split_once("--") {
                    Some((r, why)) => (r, why.trim()),
                    None => (rest, ""),
                };
                let span = file.span(offset + hash, offset + line.trim_end().len());
                let rules: Vec<String> = rules_part
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                if reason.is_empty() {
                    findings.push(
                        Finding::new(id::LINT_SUPPRESSION_WITHOUT_REASON, span, "suppression comment without a reason")
                            .help("add the reason after `--`: `# grill-lint: ignore RULE -- why this is fine`"),
                    );
                }
                let own_line = line[..hash].trim().is_empty();
                comments.push(Comment {
                    span,
                    line: line_no,
                    own_line,
                    rules,
                    used: false,
                });
            }
        }
        offset += line.len();
    }
    (comments, findings)
}

/// Removes suppressed findings and adds the `lint/*` findings about the comments themselves.
/// `files` are the files whose comments count (the files the run read).
pub fn apply(findings: Vec<Finding>, sources: &SourceMap, files: &[FileId]) -> Vec<Finding> {
    let mut by_file: HashMap<FileId, Vec<Comment>> = HashMap::new();
    let mut extra = Vec::new();
    for &id in files {
        let f = sources.get(id);
        let (c, fs) = scan(&f);
        if !c.is_empty() {
            by_file.insert(id, c);
        }
        extra.extend(fs);
    }
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let mut suppressed = false;
        if let Some(comments) = by_file.get_mut(&f.primary.file) {
            let line = sources
                .get(f.primary.file)
                .line_col(f.primary.start as usize)
                .line;
            for c in comments.iter_mut() {
                let covers = c.line == line || (c.own_line && c.line + 1 == line);
                if covers && c.rules.iter().any(|r| matches_rule(r, f.rule)) {
                    c.used = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    for comments in by_file.values() {
        for c in comments.iter().filter(|c| !c.used) {
            kept.push(
                Finding::new(
                    id::LINT_UNUSED_SUPPRESSION,
                    c.span,
                    format!(
                        "this suppression of {} suppresses nothing",
                        c.rules.join(", ")
                    ),
                )
                .help("remove the comment, or fix the rule name"),
            );
        }
    }
    kept.extend(extra);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_suppresses_same_and_next_line() {
        let map = SourceMap::new();
        let f = map.add("a.yaml", "a: on # grill-lint: ignore yaml/ambiguous-scalar -- a flag\n# grill-lint: ignore yaml/ -- legacy\nb: off\nc: 1 # grill-lint: ignore redis/daemonize\n");
        let at = |s: &str| {
            let i = f.text.find(s).unwrap();
            Finding::new(id::YAML_AMBIGUOUS_SCALAR, f.span(i, i + 1), "x")
        };
        let out = apply(vec![at("on"), at("off")], &map, &[f.id]);
        let rules: Vec<_> = out.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            vec![
                id::LINT_UNUSED_SUPPRESSION,
                id::LINT_SUPPRESSION_WITHOUT_REASON
            ]
        );
    }

    #[test]
    fn group_patterns() {
        use crate::rules::id::REDIS_DAEMONIZE;
        assert!(matches_rule("redis/", REDIS_DAEMONIZE));
        assert!(matches_rule("redis", REDIS_DAEMONIZE));
        assert!(!matches_rule("redis/daemon", REDIS_DAEMONIZE));
    }
}
