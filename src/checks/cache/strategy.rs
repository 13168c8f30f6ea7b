//! `cache/schema` and `cache/duplicate-prefix`: the cache-strategy JSON, read with spans from
//! the ConfigMap key (or generator file) that holds it.

use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::json::{self, schema, JsonErrorKind};
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use crate::yaml::Node;
use serde::Deserialize;

pub struct Strategy;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Glob on the ConfigMap key or generator file name. The pipeline reads it (for every
    /// cache check) when it builds the model: [`Deployment::read_cache_strategies`].
    pub file_pattern: String,
}

impl Check for Strategy {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::CACHE_SCHEMA, id::CACHE_DUPLICATE_PREFIX];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, Params>, out: &mut Out) {
        for found in &d.cache {
            for e in &found.doc.errors {
                let what = match e.kind {
                    JsonErrorKind::Syntax => "invalid JSON",
                    JsonErrorKind::Depth | JsonErrorKind::Size => "JSON over the reader's limits",
                    JsonErrorKind::DuplicateKey => "duplicate key",
                };
                let mut f = Finding::new(
                    id::CACHE_SCHEMA,
                    e.span,
                    format!("{}: {what}: {}", found.key, e.message),
                );
                if let Some((span, label)) = &e.related {
                    f = f
                        .related(*span, label.clone())
                        .help("keep one of the two entries");
                }
                out.push(f);
            }
            let Some(root) = &found.doc.root else {
                continue;
            };
            for e in schema::validate_cache_strategy(root) {
                let mut f = Finding::new(
                    id::CACHE_SCHEMA,
                    e.span,
                    format!("{}: {}", found.key, e.message),
                );
                if let Some(h) = e.help {
                    f = f.help(h);
                }
                out.push(f);
            }
            duplicate_prefixes(root, out);
        }
    }
}

/// The cache types of a document: (name, key node, its object), in file order.
pub fn types(root: &Node) -> Vec<(&str, &Node, &crate::yaml::Map)> {
    root.as_map()
        .map(|m| {
            m.entries
                .iter()
                .filter_map(|e| Some((e.key.as_str()?, &e.key, e.value.as_map()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// An integer member of a cache type (`ttl`, `database`) with its node.
pub fn int_of<'a>(t: &'a crate::yaml::Map, key: &str) -> Option<(i64, &'a Node)> {
    let n = t.get(key)?;
    match json::to_value(n) {
        serde_json::Value::Number(v) => v.as_i64().map(|i| (i, n)),
        _ => None,
    }
}

/// Cache types of one database whose prefixes are equal or one starts the other, reported at
/// the later type with a related label at the earlier one.
fn duplicate_prefixes(root: &Node, out: &mut Out) {
    let Some(types) = root.as_map() else { return };
    let mut seen: Vec<(&str, i64, &str, &Node)> = Vec::new();
    for e in types.entries.iter() {
        let (Some(name), Some(v)) = (e.key.as_str(), e.value.as_map()) else {
            continue;
        };
        let (Some(db), Some(prefix_node)) = (
            v.get("database").and_then(Node::as_i64),
            v.get("key_prefix").filter(|n| n.as_string().is_some()),
        ) else {
            continue;
        };
        let prefix = prefix_node.as_str().unwrap_or("");
        if prefix.is_empty() {
            continue; // cache/schema refuses an empty prefix
        }
        for (other, odb, oprefix, onode) in &seen {
            if *odb != db {
                continue;
            }
            let relation = if prefix == *oprefix {
                format!("both use the key prefix `{prefix}`")
            } else if prefix.starts_with(oprefix) {
                format!("`{oprefix}` (of `{other}`) is a prefix of `{prefix}`")
            } else if oprefix.starts_with(prefix) {
                format!("`{prefix}` is a prefix of `{oprefix}` (of `{other}`)")
            } else {
                continue;
            };
            out.push(
                Finding::new(
                    id::CACHE_DUPLICATE_PREFIX,
                    prefix_node.span,
                    format!(
                        "cache types `{name}` and `{other}` share database {db} and {relation}: their keys collide"
                    ),
                )
                .label(format!("`{name}` keys"))
                .related(onode.span, format!("`{other}` keys, database {db}"))
                .help(format!(
                    "give `{name}` a prefix that neither starts nor is started by `{oprefix}`, or its own database"
                )),
            );
        }
        seen.push((name, db, prefix, prefix_node));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    #[test]
    fn prefixes_collide_only_within_a_database() {
        let map = SourceMap::new();
        let f = map.add(
            "c.json",
            r#"{"a": {"ttl": 1, "key_prefix": "temp:", "database": 1},
                "b": {"ttl": 1, "key_prefix": "temp:agg:", "database": 1},
                "c": {"ttl": 1, "key_prefix": "temp:", "database": 2},
                "d": {"ttl": 1, "key_prefix": "tem", "database": 1},
                "e": {"ttl": 1, "key_prefix": "device:", "database": 1}}"#,
        );
        let d = json::parse_file(&f, json::Limits::default());
        let mut out = Out::new(true);
        duplicate_prefixes(d.root.as_ref().unwrap(), &mut out);
        let msgs: Vec<&str> = out.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:#?}");
        assert!(
            msgs[0].contains("`b` and `a`")
                && msgs[0].contains("`temp:` (of `a`) is a prefix of `temp:agg:`")
        );
        assert!(msgs[1].contains("`d` and `a`"));
        assert!(msgs[2].contains("`d` and `b`"));
        assert_eq!(f.slice(out.findings[0].primary), "\"temp:agg:\"");
        assert_eq!(f.slice(out.findings[0].related[0].span), "\"temp:\"");
    }
}
