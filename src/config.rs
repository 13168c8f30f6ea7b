//! `.grill-lint.yaml`: the user's configuration, found by walking up from the linted path.
//!
//! ```yaml
//! rules:
//!   redis/log-level: warning        # a severity, or `off`
//!   redis/memory-limit:              # or a mapping: severity, params, environments
//!     params: {memory_limit: 2Gi}    #   parameters for every environment
//!     environments:
//!       dev-lab: {memory_limit: 1Gi} #   and per environment
//! environments:
//!   staging:                         # a new environment...
//!     extends: prod-lab              # ...that starts from prod-lab's policy
//!     rules:                         # and overrides what differs
//!       redis/memory-limit: {memory_limit: 1Gi}
//!       k8s/storage: {storage: 10Gi}
//! ignore:
//!   - rule: k8s/image-tag            # an ID or a group (`k8s/`)
//!     path: "kustomize/overlays/dev-lab/**"   # optional glob, relative to this file's directory
//!     environment: dev-lab           # optional
//!     reason: dev pulls a moving tag on purpose   # required
//! ```
//! Anything else, an unknown rule, or an entry without `reason` makes the config invalid
//! (exit 2): a misspelled setting must not silently do nothing.

use crate::diag::{Finding, Severity};
use crate::hash::HashMap;
use crate::rules::id;
use crate::source::SourceMap;
use crate::yaml::{parse_stream, Limits, Node};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".grill-lint.yaml";

#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    /// `None` = the rule is disabled.
    pub severities: HashMap<String, Option<Severity>>,
    pub ignores: Vec<Ignore>,
    /// Parameters a rule gets in every environment (`rules: {ID: {params: …}}`).
    pub params: HashMap<String, Params>,
    /// Parameters a rule gets in one environment (`rules: {ID: {environments: {ENV: …}}}`).
    pub env_params: HashMap<String, HashMap<String, Params>>,
    /// Environments the configuration defines (`environments:`), in file order.
    pub environments: Vec<Environment>,
}

/// Parameter values by name, as written.
pub type Params = serde_json::Map<String, serde_json::Value>;

/// An environment the configuration defines or extends.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    /// The environment whose policy this one starts from.
    pub extends: Option<String>,
    /// Per-rule parameter overrides.
    pub rules: HashMap<String, Params>,
    /// Where the environment is defined (`file:line:col`), for messages.
    pub at: String,
}

#[derive(Debug)]
pub struct Ignore {
    pub rule: String,
    pub path: Option<String>,
    pub environment: Option<String>,
    pub reason: String,
    /// Where the entry's `rule:` value is written (findings about the entry point there).
    pub span: crate::source::Span,
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
        .any(|r| crate::suppress::matches_rule(pattern, r.rule))
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
    for e in map.entries.iter() {
        match e.key.as_str() {
            Some("rules") => {
                let Some(rules) = e.value.as_map() else {
                    return Err(format!(
                        "{}: `rules` must map rule IDs to a severity or `off`",
                        where_(&e.value)
                    ));
                };
                for r in rules.entries.iter() {
                    let id = r.key.as_str().unwrap_or("");
                    if !known_rule(id) {
                        return Err(format!(
                            "{}: {}",
                            where_(&r.key),
                            crate::suppress::unknown_rule_message(id)
                        ));
                    }
                    if let Some(m) = r.value.as_map() {
                        rule_entry(&mut cfg, id, m, &r.value, &where_)?;
                        continue;
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
            Some("environments") => {
                let Some(envs) = e.value.as_map() else {
                    return Err(format!(
                        "{}: `environments` must map environment names to their policy",
                        where_(&e.value)
                    ));
                };
                for env in envs.entries.iter() {
                    cfg.environments.push(environment_entry(env, &where_)?);
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
                    "{}: unknown setting `{}` (known: rules, environments, ignore)",
                    where_(&e.key),
                    e.key.as_str().unwrap_or("?")
                ))
            }
        }
    }
    Ok(cfg)
}

fn severity_value(v: &Node, where_: &dyn Fn(&Node) -> String) -> Result<Option<Severity>, String> {
    match v.as_str() {
        Some("off") => Ok(None),
        Some(s) => Severity::parse(s)
            .map(Some)
            .ok_or_else(|| format!("{}: `{s}` is not error, warning, info or off", where_(v))),
        None => Err(format!("{}: expected a severity or `off`", where_(v))),
    }
}

fn params_value(v: &Node, what: &str, where_: &dyn Fn(&Node) -> String) -> Result<Params, String> {
    match v.to_json() {
        serde_json::Value::Object(m) => Ok(m),
        serde_json::Value::Null => Ok(Params::new()),
        _ => Err(format!(
            "{}: {what} must map parameter names to values",
            where_(v)
        )),
    }
}

/// `rules: {ID: {severity, params, environments}}`.
fn rule_entry(
    cfg: &mut Config,
    id: &str,
    m: &crate::yaml::Map,
    node: &Node,
    where_: &dyn Fn(&Node) -> String,
) -> Result<(), String> {
    if id.ends_with('/') || !id.contains('/') {
        return Err(format!(
            "{}: parameters belong to one rule, not to the group `{id}`",
            where_(node)
        ));
    }
    for e in m.entries.iter() {
        match e.key.as_str() {
            Some("severity") => {
                cfg.severities
                    .insert(id.to_string(), severity_value(&e.value, where_)?);
            }
            Some("params") => {
                let p = params_value(&e.value, "`params`", where_)?;
                cfg.params.insert(id.to_string(), p);
            }
            Some("environments") => {
                let Some(envs) = e.value.as_map() else {
                    return Err(format!(
                        "{}: `environments` must map environment names to parameters",
                        where_(&e.value)
                    ));
                };
                for env in envs.entries.iter() {
                    let name = env.key.as_str().unwrap_or("").to_string();
                    let p = params_value(&env.value, "an environment's parameters", where_)?;
                    cfg.env_params
                        .entry(id.to_string())
                        .or_default()
                        .insert(name, p);
                }
            }
            other => {
                return Err(format!(
                    "{}: unknown key `{}` for rule `{id}` (known: severity, params, environments)",
                    where_(&e.key),
                    other.unwrap_or("?")
                ))
            }
        }
    }
    Ok(())
}

/// `environments: {NAME: {extends, rules}}`.
fn environment_entry(
    env: &crate::yaml::Entry,
    where_: &dyn Fn(&Node) -> String,
) -> Result<Environment, String> {
    let name = env
        .key
        .as_str()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{}: an environment needs a name", where_(&env.key)))?;
    let mut out = Environment {
        name: name.to_string(),
        extends: None,
        rules: HashMap::default(),
        at: where_(&env.key),
    };
    if env.value.is_null() {
        return Ok(out);
    }
    let Some(m) = env.value.as_map() else {
        return Err(format!(
            "{}: environment `{name}` must be a mapping (extends, rules)",
            where_(&env.value)
        ));
    };
    for e in m.entries.iter() {
        match e.key.as_str() {
            Some("extends") => {
                out.extends = Some(
                    e.value
                        .as_str()
                        .ok_or_else(|| {
                            format!("{}: `extends` names an environment", where_(&e.value))
                        })?
                        .to_string(),
                );
            }
            Some("rules") => {
                let Some(rules) = e.value.as_map() else {
                    return Err(format!(
                        "{}: `rules` must map rule IDs to parameters",
                        where_(&e.value)
                    ));
                };
                for r in rules.entries.iter() {
                    let id = r.key.as_str().unwrap_or("");
                    if crate::rules::RuleId::lookup(id).is_none() {
                        return Err(format!("{}: unknown rule `{id}`", where_(&r.key)));
                    }
                    let p = params_value(&r.value, "a rule's parameters", where_)?;
                    out.rules.insert(id.to_string(), p);
                }
            }
            other => {
                return Err(format!(
                    "{}: unknown key `{}` in environment `{name}` (known: extends, rules)",
                    where_(&e.key),
                    other.unwrap_or("?")
                ))
            }
        }
    }
    Ok(out)
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
    let rule_node = m
        .get("rule")
        .filter(|n| n.as_str().is_some())
        .ok_or_else(|| format!("{}: an ignore entry needs `rule`", where_(it)))?;
    let rule = rule_node.as_str().unwrap_or_default();
    if !known_rule(rule) {
        return Err(format!(
            "{}: {}",
            where_(rule_node),
            crate::suppress::unknown_rule_message(rule)
        ));
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
        span: rule_node.span,
    })
}

impl Config {
    /// Applies the ignore entries (severities are the policy's). Returns the kept findings plus
    /// `lint/unused-suppression` for entries that matched nothing (located in the config file).
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        sources: &SourceMap,
        config_file: Option<&crate::source::SourceFile>,
    ) -> Vec<Finding> {
        let mut used = vec![false; self.ignores.len()];
        let mut out = Vec::new();
        'f: for f in findings {
            let path = self.glob_path(&sources.get(f.primary.file).path);
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
        if config_file.is_some() {
            for (i, ig) in self.ignores.iter().enumerate() {
                if !used[i] {
                    out.push(
                        Finding::new(
                            id::LINT_UNUSED_SUPPRESSION,
                            ig.span,
                            format!("this ignore entry for {} suppresses nothing", ig.rule),
                        )
                        .help("remove the entry, or fix its rule, path or environment"),
                    );
                }
            }
        }
        out
    }

    /// The path an ignore glob is matched against: relative to the configuration file's
    /// directory, so that an entry means the same files from whatever directory grill-lint
    /// runs in. A file outside that directory is matched by its absolute path.
    fn glob_path(&self, file: &Path) -> String {
        let abs = |p: &Path| {
            crate::paths::clean(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
        };
        let file = abs(file);
        let base = self.path.as_deref().and_then(Path::parent).map(abs);
        match base.as_deref().and_then(|b| file.strip_prefix(b).ok()) {
            Some(rel) => rel.to_string_lossy().replace('\\', "/"),
            None => file.to_string_lossy().into_owned(),
        }
    }
}

/// Glob match on `/`-separated paths: `*` and `?` within a segment, `**` across segments.
///
/// Both levels match greedily and, on a mismatch, retry from the last star one element
/// further: time O(pattern × path) however many stars a pattern has (a pattern comes from a
/// configuration file in the repository, which a pull request can change), and no allocation
/// (it runs once per ConfigMap key for the cache-strategy pattern).
pub fn glob_match(pattern: &str, path: &str) -> bool {
    /// The first segment of `s` and the rest after it; empty segments are skipped.
    fn next(s: &str) -> Option<(&str, &str)> {
        let s = s.trim_start_matches('/');
        match s.find('/') {
            _ if s.is_empty() => None,
            Some(i) => Some((&s[..i], &s[i..])),
            None => Some((s, "")),
        }
    }
    fn seg(p: &[u8], s: &[u8]) -> bool {
        let (mut i, mut j) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while j < s.len() {
            if i < p.len() && (p[i] == b'?' || p[i] == s[j]) {
                i += 1;
                j += 1;
            } else if i < p.len() && p[i] == b'*' {
                star = Some((i, j));
                i += 1;
            } else if let Some((si, sj)) = star {
                star = Some((si, sj + 1));
                i = si + 1;
                j = sj + 1;
            } else {
                return false;
            }
        }
        p[i..].iter().all(|&c| c == b'*')
    }
    let (mut p, mut s) = (pattern, path);
    // The pattern after the last `**`, and where in the path it is tried next.
    let mut star: Option<(&str, &str)> = None;
    loop {
        match next(p) {
            Some(("**", rest)) => {
                star = Some((rest, s));
                p = rest;
                continue;
            }
            Some((ps, p_rest)) => {
                if let Some((ss, s_rest)) = next(s) {
                    if seg(ps.as_bytes(), ss.as_bytes()) {
                        (p, s) = (p_rest, s_rest);
                        continue;
                    }
                }
            }
            None if next(s).is_none() => return true,
            None => {}
        }
        let Some((sp, from)) = star else { return false };
        let Some((_, from)) = next(from) else {
            return false;
        };
        star = Some((sp, from));
        (p, s) = (sp, from);
    }
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
        assert!(glob_match("**", ""));
        assert!(glob_match("a/**", "a"));
        assert!(glob_match("**/b/**/d", "a/b/c/b/d"));
        assert!(!glob_match("**/b/**/d", "a/b/c/d/e"));
        assert!(glob_match("*.json", "cache-strategy.json"));
        assert!(!glob_match("*.json", "cache.json.bak"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(glob_match("/a//b/", "a/b"));
    }

    /// The greedy matcher against the plain recursive definition, on short random inputs.
    #[test]
    fn globs_agree_with_the_recursive_definition() {
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
        let split = |x: &str| -> Vec<String> {
            x.split('/')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        };
        // A small xorshift: deterministic, printed seed.
        let seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut x = seed;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as usize
        };
        let pat_atoms = ["a", "b", "*", "?", "**", "/", "a*", "*b"];
        let path_atoms = ["a", "b", "ab", "/", "ba"];
        for _ in 0..20_000 {
            let p: String = (0..next(7)).map(|_| pat_atoms[next(8)]).collect();
            let s: String = (0..next(7)).map(|_| path_atoms[next(5)]).collect();
            let (pv, sv) = (split(&p), split(&s));
            let pr: Vec<&str> = pv.iter().map(String::as_str).collect();
            let sr: Vec<&str> = sv.iter().map(String::as_str).collect();
            assert_eq!(
                glob_match(&p, &s),
                segs(&pr, &sr),
                "seed {seed:#x}: {p:?} on {s:?}"
            );
        }
    }

    /// Many stars against a long path: the recursive matcher took exponential time here.
    #[test]
    fn globs_with_many_stars_are_not_exponential() {
        let p = format!("{}b", "*a".repeat(40));
        let s = "a".repeat(5_000);
        assert!(!glob_match(&p, &s));
        let p = format!("{}/b", "**/a".repeat(40));
        let s = vec!["a"; 2_000].join("/");
        assert!(!glob_match(&p, &s));
    }

    #[test]
    fn unused_entry_is_located_at_its_rule_and_globs_are_relative_to_the_config() {
        let map = SourceMap::new();
        let dir = std::env::temp_dir().join(format!("grill-cfg-loc-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let p = dir.join(".grill-lint.yaml");
        // The rule name also appears in the comment on line 1: the finding must not land there.
        std::fs::write(
            &p,
            "# silences yaml/ambiguous-scalar and redis/daemonize\nignore:\n  - rule: yaml/ambiguous-scalar\n    path: \"sub/*.yaml\"\n    reason: legacy flags\n  - rule: redis/daemonize\n    reason: never fires here\n",
        )
        .unwrap();
        let cfg = load(&p, &map).unwrap();
        let target = map.add(dir.join("sub/a.yaml"), "a: yes\n");
        let f = Finding::new(id::YAML_AMBIGUOUS_SCALAR, target.span(3, 6), "x");
        let out = cfg.apply(vec![f], &map, map.load(&p).ok().as_deref());
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule, "lint/unused-suppression");
        let file = map.get(out[0].primary.file);
        let lc = file.line_col(out[0].primary.start as usize);
        assert_eq!(
            (lc.line, file.slice(out[0].primary)),
            (6, "redis/daemonize")
        );
        std::fs::remove_dir_all(&dir).unwrap();
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
        assert_eq!(cfg.severities["k8s/"], Some(Severity::Warning));
        assert_eq!(cfg.severities["redis/log-level"], None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
