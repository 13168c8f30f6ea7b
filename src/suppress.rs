//! Suppressions: `# grill-lint: ignore RULE[,RULE] -- reason` comments in YAML (on the line of
//! the value or the line above) and in redis.conf text (on its own line above the directive
//! only: after a directive it is an inline comment Redis refuses, and is reported as such),
//! and `ignore:` entries of `.grill-lint.yaml`.
//!
//! A comment that suppresses nothing is `lint/unused-suppression`; one without `-- reason` is
//! `lint/suppression-without-reason`. A rule may be named by its ID or by its group (`redis/`).

use crate::diag::Finding;
use crate::hash::HashMap;
use crate::rules::id;
use crate::source::{FileId, SourceFile, SourceMap, Span};

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

/// Whether `pattern` names at least one rule of the catalogue.
pub fn known_pattern(pattern: &str) -> bool {
    crate::rules::all()
        .iter()
        .any(|r| matches_rule(pattern, r.rule))
}

/// The rule ID or group closest to an unknown `pattern` (`redis/inline-coment`,
/// `inline-comment`, `redis-`), if one is close enough to be what was meant.
pub fn did_you_mean(pattern: &str) -> Option<String> {
    let rules = crate::rules::all();
    let mut best: Option<(f64, String)> = None;
    let mut consider = |score: f64, id: String| {
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, id));
        }
    };
    for r in rules {
        let (group, name) = r.id.split_once('/').unwrap_or(("", r.id.as_str()));
        consider(strsim::normalized_levenshtein(pattern, &r.id), r.id.clone());
        // A name written without its group.
        consider(strsim::normalized_levenshtein(pattern, name), r.id.clone());
        consider(
            strsim::normalized_levenshtein(pattern.trim_end_matches('/'), group),
            format!("{group}/"),
        );
    }
    best.filter(|(score, _)| *score >= 0.7).map(|(_, id)| id)
}

/// `unknown rule or group `X``, with "did you mean" when one is close.
pub fn unknown_rule_message(pattern: &str) -> String {
    match did_you_mean(pattern) {
        Some(id) => format!("unknown rule or group `{pattern}` (did you mean `{id}`?)"),
        None => format!("unknown rule or group `{pattern}` (see `grill-lint rules`)"),
    }
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
    let mut by_file: HashMap<FileId, Vec<Comment>> = HashMap::default();
    let mut extra = Vec::new();
    for &id in files {
        let f = sources.get(id);
        let (c, fs) = scan(&f);
        if !c.is_empty() {
            by_file.insert(id, c);
        }
        extra.extend(fs);
    }
    // In redis.conf text a comment after a directive is no comment: Redis reads it as more
    // arguments (that is the `redis/inline-comment` finding covering it). Such a suppression
    // must not pass the very line Redis refuses; it is reported instead.
    let mut void = Vec::new();
    for f in findings
        .iter()
        .filter(|f| f.rule == id::REDIS_INLINE_COMMENT)
    {
        if let Some(comments) = by_file.get_mut(&f.primary.file) {
            comments.retain(|c| {
                let inside = c.span.start >= f.primary.start && c.span.start < f.primary.end;
                if inside {
                    void.push(c.span);
                }
                !inside
            });
        }
    }
    for span in void {
        extra.push(
            Finding::new(
                id::LINT_UNUSED_SUPPRESSION,
                span,
                "a suppression after a redis.conf directive is itself an inline comment: Redis reads it as more arguments and refuses the line, so it suppresses nothing",
            )
            .help("put `# grill-lint: ignore RULE -- reason` on its own line above the directive"),
        );
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
            let unknown: Vec<&String> = c.rules.iter().filter(|r| !known_pattern(r)).collect();
            let help = match unknown.first() {
                Some(u) => match did_you_mean(u) {
                    Some(id) => format!("`{u}` is no rule: did you mean `{id}`?"),
                    None => format!("`{u}` is no rule (see `grill-lint rules`)"),
                },
                None => "remove the comment, or fix the rule name".to_string(),
            };
            kept.push(
                Finding::new(
                    id::LINT_UNUSED_SUPPRESSION,
                    c.span,
                    format!(
                        "this suppression of {} suppresses nothing",
                        c.rules.join(", ")
                    ),
                )
                .help(help),
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
    fn a_same_line_suppression_in_redis_conf_text_suppresses_nothing() {
        let map = SourceMap::new();
        let text = "# grill-lint: ignore redis/daemonize -- the image wraps it\ndaemonize yes\nport 6379 # grill-lint: ignore redis/inline-comment -- tidy\n";
        let f = map.add("redis.conf", text);
        let conf = crate::redis::parse(&f, crate::redis::ConfKind::Redis);
        let found = crate::redis::lint(&conf);
        let out = apply(found, &map, &[f.id]);
        let mut rules: Vec<_> = out.iter().map(|x| x.rule).collect();
        rules.sort();
        // The own-line comment works; the same-line one leaves the refusal and is reported.
        assert_eq!(
            rules,
            vec![id::LINT_UNUSED_SUPPRESSION, id::REDIS_INLINE_COMMENT]
        );
        let u = out
            .iter()
            .find(|x| x.rule == id::LINT_UNUSED_SUPPRESSION)
            .unwrap();
        assert_eq!(f.line_col(u.primary.start as usize).line, 3);
        assert!(u.help.as_deref().unwrap_or("").contains("own line above"));
    }

    #[test]
    fn unknown_rules_get_a_did_you_mean() {
        assert_eq!(
            did_you_mean("redis/inline-coment").as_deref(),
            Some("redis/inline-comment")
        );
        assert_eq!(
            did_you_mean("inline-comment").as_deref(),
            Some("redis/inline-comment")
        );
        assert_eq!(did_you_mean("kustomise/").as_deref(), Some("kustomize/"));
        assert_eq!(did_you_mean("completely-unrelated-words"), None);
        let map = SourceMap::new();
        let f = map.add(
            "a.yaml",
            "# grill-lint: ignore yaml/ambigous-scalar -- flag\na: on\n",
        );
        let out = apply(Vec::new(), &map, &[f.id]);
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .help
                .as_deref()
                .unwrap()
                .contains("did you mean `yaml/ambiguous-scalar`?"),
            "{:?}",
            out[0].help
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
