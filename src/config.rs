//! `.grill-lint.yaml`: the user's configuration, found by walking up from the linted path.
//!
//! ```yaml
//! rules:
//!   redis/log-level: warning        # a severity, or `off`
//! ignore:
//!   - rule: k8s/image-tag            # an ID or a group (`k8s/`)
//!     path: "kustomize/overlays/dev-lab/**"   # optional glob on the displayed path
//!     environment: dev-lab           # optional
//!     reason: dev pulls a moving tag on purpose   # required
//! ```
//! Anything else, an unknown rule, or an entry without `reason` makes the config invalid
//! (exit 2): a misspelled setting must not silently do nothing.

use crate::diag::{Finding, Severity};
use crate::source::SourceMap;
use crate::yaml::{parse_stream, Limits, Node};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".grill-lint.yaml";

#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    /// `None` = the rule is disabled.
    pub severities: HashMap<String, Option<Severity>>,
    pub ignores: Vec<Ignore>,
}

#[derive(Debug)]
pub struct Ignore {
    pub rule: String,
    pub path: Option<String>,
    pub environment: Option<String>,
    pub reason: String,
}

/// Finds `.grill-lint.yaml` in `start` or the nearest directory above it, up to the top of
/// the git repository holding `start` (outside git, up to the filesystem root): a file in a
/// directory above the repository must not switch rules off for it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    let top = crate::source::repo_root(&dir);
    loop {
        let p = dir.join(FILE_NAME);
        if crate::targets::present(&p) {
            return Some(p);
        }
        let at_top = top
            .as_deref()
            .is_some_and(|t| std::fs::canonicalize(&dir).is_ok_and(|d| d == t));
        if at_top || !dir.pop() {
            return None;
        }
    }
}

/// The configuration file a run uses: `--config`, or the one [`discover`] finds from the
/// first PATH.
pub fn path_for(explicit: Option<&Path>, paths: &[PathBuf]) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => paths.first().and_then(|p| discover(p)),
    }
}

fn known_rule(pattern: &str) -> bool {
    crate::rules::all()
        .iter()
        .any(|r| crate::suppress::matches_rule(pattern, &r.id))
}

/// Reads a configuration file. It must resolve (symlinks followed) inside the tree of the
/// directory that holds it: its repository, or that directory outside git.
pub fn load(path: &Path, sources: &SourceMap) -> Result<Config, String> {
    let root = crate::source::tree_root(path);
    let file = sources
        .load_within(path, &root)
        .map_err(|e| e.to_string())?;
    let parsed = parse_stream(&file, Limits::default());
    let where_ = |n: &Node| {
        let lc = file.line_col(n.span.start as usize);
        format!("{}:{}:{}", path.display(), lc.line, lc.column)
    };
    if let Some(f) = parsed.findings.first() {
        let lc = file.line_col(f.primary.start as usize);
        return Err(format!(
            "{}:{}:{}: {}",
            path.display(),
            lc.line,
            lc.column,
            f.message
        ));
    }
    let mut cfg = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let Some(root) = parsed.docs.first() else {
        return Ok(cfg);
    };
    if root.is_null() {
        return Ok(cfg);
    }
    let map = root
        .as_map()
        .ok_or_else(|| format!("{}: the configuration must be a mapping", where_(root)))?;
    for e in &map.entries {
        match e.key.as_str() {
            Some("rules") => {
                let Some(rules) = e.value.as_map() else {
                    return Err(format!(
                        "{}: `rules` must map rule IDs to a severity or `off`",
                        where_(&e.value)
                    ));
                };
                for r in &rules.entries {
                    let id = r.key.as_str().unwrap_or("");
                    if !known_rule(id) {
                        return Err(format!("{}: unknown rule `{id}`", where_(&r.key)));
                    }
                    let sev = match r.value.as_str() {
                        Some("off") => None,
                        Some(s) => Some(Severity::parse(s).ok_or_else(|| {
                            format!(
                                "{}: `{s}` is not error, warning, info or off",
                                where_(&r.value)
                            )
                        })?),
                        None => {
                            return Err(format!(
                                "{}: expected a severity or `off`",
                                where_(&r.value)
                            ))
                        }
                    };
                    cfg.severities.insert(id.to_string(), sev);
                }
            }
            Some("ignore") => {
                let Some(items) = e.value.as_seq() else {
                    return Err(format!("{}: `ignore` must be a list", where_(&e.value)));
                };
                for it in items {
                    cfg.ignores.push(ignore_entry(it, &where_)?);
                }
            }
            _ => {
                return Err(format!(
                    "{}: unknown setting `{}` (known: rules, ignore)",
                    where_(&e.key),
                    e.key.as_str().unwrap_or("?")
                ))
            }
        }
    }
    Ok(cfg)
}

fn ignore_entry(it: &Node, where_: &dyn Fn(&Node) -> String) -> Result<Ignore, String> {
    let m = it
        .as_map()
        .ok_or_else(|| format!("{}: an ignore entry must be a mapping", where_(it)))?;
    for k in m.keys() {
        if !matches!(k, "rule" | "path" | "environment" | "reason") {
            return Err(format!(
                "{}: unknown key `{k}` in an ignore entry (known: rule, path, environment, reason)",
                where_(it)
            ));
        }
    }
    let rule = m
        .get("rule")
        .and_then(Node::as_str)
        .ok_or_else(|| format!("{}: an ignore entry needs `rule`", where_(it)))?;
    if !known_rule(rule) {
        return Err(format!("{}: unknown rule `{rule}`", where_(it)));
    }
    let reason = m
        .get("reason")
        .and_then(Node::as_str)
        .map(str::trim)
        .unwrap_or("");
    if reason.is_empty() {
        return Err(format!(
            "{}: the ignore entry for `{rule}` has no `reason`",
            where_(it)
        ));
    }
    Ok(Ignore {
        rule: rule.to_string(),
        path: m.get("path").and_then(Node::as_str).map(str::to_string),
        environment: m
            .get("environment")
            .and_then(Node::as_str)
            .map(str::to_string),
        reason: reason.to_string(),
    })
}

impl Config {
    /// Applies severities and ignore entries. Returns the kept findings plus
    /// `lint/unused-suppression` for entries that matched nothing (located in the config file).
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        sources: &SourceMap,
        config_file: Option<&crate::source::SourceFile>,
    ) -> Vec<Finding> {
        let mut used = vec![false; self.ignores.len()];
        let mut out = Vec::new();
        'f: for mut f in findings {
            if let Some(sev) = self.severity_for(f.rule) {
                match sev {
                    None => continue,
                    Some(s) => f.severity = s,
                }
            }
            let path = crate::report::display_path(&sources.get(f.primary.file).path);
            for (i, ig) in self.ignores.iter().enumerate() {
                let rule_ok = crate::suppress::matches_rule(&ig.rule, f.rule);
                let path_ok = ig.path.as_deref().is_none_or(|g| glob_match(g, &path));
                let env_ok = ig
                    .environment
                    .as_deref()
                    .is_none_or(|e| f.environments.iter().any(|x| x == e));
                if rule_ok && path_ok && env_ok {
                    used[i] = true;
                    continue 'f;
                }
            }
            out.push(f);
        }
        if let Some(file) = config_file {
            for (i, ig) in self.ignores.iter().enumerate() {
                if !used[i] {
                    let at = file.text.find(&ig.rule).unwrap_or(0);
                    out.push(
                        Finding::new(
                            "lint/unused-suppression",
                            file.span(at, at + ig.rule.len()),
                            format!("this ignore entry for {} suppresses nothing", ig.rule),
                        )
                        .help("remove the entry, or fix its rule, path or environment"),
                    );
                }
            }
        }
        out
    }

    fn severity_for(&self, rule: &str) -> Option<Option<Severity>> {
        if let Some(s) = self.severities.get(rule) {
            return Some(*s);
        }
        self.severities
            .iter()
            .find(|(k, _)| crate::suppress::matches_rule(k, rule))
            .map(|(_, v)| *v)
    }
}

/// Glob match on `/`-separated paths: `*` and `?` within a segment, `**` across segments.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    fn segs(p: &[&str], s: &[&str]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(&"**") => (0..=s.len()).any(|i| segs(&p[1..], &s[i..])),
            Some(pp) => {
                !s.is_empty() && seg(pp.as_bytes(), s[0].as_bytes()) && segs(&p[1..], &s[1..])
            }
        }
    }
    fn seg(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => (0..=s.len()).any(|i| seg(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && seg(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && seg(&p[1..], &s[1..]),
        }
    }
    let p: Vec<&str> = pattern.split('/').filter(|x| !x.is_empty()).collect();
    let s: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    if p.len() > 64 || s.len() > 256 {
        return false;
    }
    segs(&p, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "kustomize/**",
            "kustomize/overlays/dev-lab/p.yaml"
        ));
        assert!(glob_match("**/*.yaml", "a/b/c.yaml"));
        assert!(glob_match("a/?.yaml", "a/b.yaml"));
        assert!(!glob_match("a/*.yaml", "a/b/c.yaml"));
    }

    #[test]
    fn invalid_configs_are_refused() {
        let map = SourceMap::new();
        let dir = std::env::temp_dir().join(format!("grill-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            ("ignore:\n  - rule: k8s/probes\n", "no `reason`"),
            ("rules:\n  redis/nope: off\n", "unknown rule"),
            ("rulez: {}\n", "unknown setting"),
            ("rules:\n  k8s/probes: loud\n", "is not error"),
        ];
        for (i, (text, msg)) in cases.iter().enumerate() {
            let p = dir.join(format!("c{i}.yaml"));
            std::fs::write(&p, text).unwrap();
            let err = load(&p, &map).unwrap_err();
            assert!(err.contains(msg), "{err}");
        }
        let p = dir.join("ok.yaml");
        std::fs::write(&p, "rules:\n  k8s/: warning\n  redis/log-level: off\nignore:\n  - rule: k8s/image-tag\n    reason: pinned by digest elsewhere\n").unwrap();
        let cfg = load(&p, &map).unwrap();
        assert_eq!(
            cfg.severity_for("k8s/probes"),
            Some(Some(Severity::Warning))
        );
        assert_eq!(cfg.severity_for("redis/log-level"), Some(None));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
