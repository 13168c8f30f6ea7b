//! The rule registry: the bundled rule files (`rules/<group>/<name>.yaml`, embedded at build
//! time) parsed once. Each file gives a rule's ID (binding, from the catalogue), default
//! severity, summary, documentation (ruff's sections) and policy parameters; the Rust check it
//! names is the template, the file is the data. Numbers live in the files, never in code.

use crate::diag::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    #[serde(deserialize_with = "severity")]
    pub severity: Severity,
    pub summary: String,
    /// The compiled check template this rule binds.
    pub check: String,
    pub doc: Doc,
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Per-environment replacements of `params` entries.
    #[serde(default)]
    pub environments: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Doc {
    pub what: String,
    pub why: String,
    pub example: String,
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
}

fn severity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    let s = String::deserialize(d)?;
    Severity::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown severity `{s}`")))
}

/// Parses one rule file (used for the bundled files and by the tests).
pub fn parse_rule_file(path: &str, text: &str) -> Result<Rule, String> {
    let map = crate::source::SourceMap::new();
    let file = map.add(path, text);
    let parsed = crate::yaml::parse_stream(&file, crate::yaml::Limits::default());
    if let Some(f) = parsed.findings.first() {
        return Err(format!("{path}: {}", f.message));
    }
    let doc = parsed
        .docs
        .first()
        .ok_or_else(|| format!("{path}: empty rule file"))?;
    let rule: Rule = serde_json::from_value(doc.to_json()).map_err(|e| format!("{path}: {e}"))?;
    let expected = format!("rules/{}.yaml", rule.id);
    if path != expected {
        return Err(format!(
            "{path}: rule `{}` must live in {expected}",
            rule.id
        ));
    }
    Ok(rule)
}

/// The rules whose checks have landed. The others are documented (and carry their policy) but
/// are not checked yet: `grill-lint rules` and `explain` say so. Each implemented rule has a
/// failing and a passing fixture (`tests/rule_fixtures.rs` enforces it).
pub const IMPLEMENTED: &[&str] = &[
    "yaml/syntax",
    "yaml/duplicate-key",
    "yaml/limits",
    "yaml/ambiguous-scalar",
    "k8s/schema",
    "kustomize/missing-file",
    "kustomize/outside-root",
    "kustomize/cycle",
    "kustomize/duplicate-resource",
    "kustomize/patch-target-missing",
    "kustomize/patch-failed",
    "kustomize/unsupported",
    "kustomize/deprecated-field",
    "kustomize/index-patch-after-smp",
    "redis/unknown-directive",
    "redis/invalid-value",
    "redis/inline-comment",
    "redis/duplicate-directive",
    "redis/deprecated-directive",
    "redis/unexpanded-variable",
    "redis/plaintext-secret",
    "redis/daemonize",
    "redis/protected-mode",
    "sentinel/resolve-hostnames",
    "sentinel/quorum",
    "lint/unused-suppression",
    "lint/suppression-without-reason",
];

/// Whether a rule's check has landed.
pub fn is_implemented(id: &str) -> bool {
    IMPLEMENTED.contains(&id)
}

static REGISTRY: OnceLock<Result<Vec<Rule>, String>> = OnceLock::new();

/// Every rule, sorted by ID, or the reason the bundled files are broken (a build defect the
/// test suite catches; the CLI reports it as an internal error).
pub fn registry() -> Result<&'static [Rule], &'static str> {
    let r = REGISTRY.get_or_init(|| {
        let mut rules = RULE_FILES
            .iter()
            .map(|(p, t)| parse_rule_file(p, t))
            .collect::<Result<Vec<_>, _>>()?;
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(rules)
    });
    match r {
        Ok(v) => Ok(v),
        Err(e) => Err(e),
    }
}

/// Every rule (empty when the bundled files are broken: see [`registry`]).
pub fn all() -> &'static [Rule] {
    registry().unwrap_or(&[])
}

pub fn get(id: &str) -> Option<&'static Rule> {
    all().iter().find(|r| r.id == id)
}

/// The default severity of a rule; an ID missing from the registry is a defect the tests catch.
pub fn default_severity(id: &str) -> Severity {
    get(id).map(|r| r.severity).unwrap_or(Severity::Error)
}

impl Rule {
    /// A parameter for an environment: the environment's value, else the default.
    pub fn param(&self, env: Option<&str>, name: &str) -> Option<&serde_json::Value> {
        env.and_then(|e| self.environments.get(e))
            .and_then(|m| m.get(name))
            .or_else(|| self.params.get(name))
    }

    /// The full description (SARIF `fullDescription`).
    pub fn full_description(&self) -> String {
        format!("{} {}", self.doc.what.trim(), self.doc.why.trim())
    }

    /// The documentation as Markdown (`grill-lint explain`, docs/rules.md).
    pub fn markdown(&self, heading: &str) -> String {
        let mut s = format!("{heading} `{}`\n\n", self.id);
        s.push_str(&format!(
            "Default severity: **{}**. {}.\n\n",
            self.severity.as_str(),
            self.summary
        ));
        if !is_implemented(&self.id) {
            s.push_str("**Status: planned** — documented with its policy, not checked yet.\n\n");
        }
        s.push_str(&format!("**What it does.** {}\n\n", self.doc.what.trim()));
        s.push_str(&format!("**Why is this bad?** {}\n\n", self.doc.why.trim()));
        s.push_str(&format!(
            "**Example**\n\n```\n{}\n```\n\n",
            self.doc.example.trim_end()
        ));
        s.push_str(&format!(
            "**Use instead**\n\n```\n{}\n```\n\n",
            self.doc.fix.trim_end()
        ));
        if !self.params.is_empty() || !self.environments.is_empty() {
            s.push_str("**Parameters** (bundled policy)\n\n");
            for (k, v) in &self.params {
                s.push_str(&format!("- `{k}`: `{v}`\n"));
            }
            for (env, m) in &self.environments {
                for (k, v) in m {
                    s.push_str(&format!("- `{k}` in `{env}`: `{v}`\n"));
                }
            }
            s.push('\n');
        }
        if !self.doc.references.is_empty() {
            s.push_str("**References**\n\n");
            for r in &self.doc.references {
                s.push_str(&format!("- <{r}>\n"));
            }
            s.push('\n');
        }
        s
    }
}

/// `grill-lint rules`: one line per rule.
pub fn list_text() -> String {
    let width = all().iter().map(|r| r.id.len()).max().unwrap_or(0);
    all()
        .iter()
        .map(|r| {
            let status = if is_implemented(&r.id) {
                ""
            } else {
                " (planned)"
            };
            format!(
                "{:width$}  {:7}  {}{status}\n",
                r.id,
                r.severity.as_str(),
                r.summary
            )
        })
        .collect()
}

/// `grill-lint explain RULE`.
pub fn explain(id: &str) -> Option<String> {
    get(id).map(|r| r.markdown("#"))
}

/// `docs/rules.md`, generated from the registry (a test keeps the file in step).
pub fn docs_markdown() -> String {
    let mut s = String::from(
        "# grill-lint rules\n\n<!-- Generated from rules/*.yaml by `GRILL_UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n",
    );
    let mut group = "";
    for r in all() {
        let g = r.id.split('/').next().unwrap_or("");
        if g != group {
            s.push_str(&format!("## {g}/*\n\n"));
            group = g;
        }
        s.push_str(&r.markdown("###"));
    }
    s
}
