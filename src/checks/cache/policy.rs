//! `cache/ttl`, `cache/database-conflict` and `cache/missing-type`: the cache-strategy JSON
//! against the environment's policy (each rule owns its parameters).

use super::strategy::{int_of, types};
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{name_span, Deployment};
use crate::rules::{id, RuleId};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Ttl;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TtlParams {
    pub bounds: BTreeMap<String, Bound>,
}

impl Check for Ttl {
    type Params = TtlParams;
    const RULES: &'static [RuleId] = &[id::CACHE_TTL];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, TtlParams>, out: &mut Out) {
        let env = cx.env.unwrap_or("this environment");
        for doc in &d.cache {
            let Some(root) = &doc.doc.root else { continue };
            for (name, _, t) in types(root) {
                // A TTL that is not an integer is cache/schema's.
                let Some((ttl, node)) = int_of(t, "ttl") else {
                    continue;
                };
                let bound = cx.params.bounds.get(name);
                let msg = if ttl <= 0 {
                    Some(format!(
                        "TTL of `{name}` is {ttl}: Redis deletes a key with a TTL of 0 or less at once"
                    ))
                } else {
                    match bound {
                        Some(b) if ttl < b.min => Some(format!(
                            "TTL of `{name}` is {ttl} s, below the minimum {} s of {env}",
                            b.min
                        )),
                        Some(b) if ttl > b.max => Some(format!(
                            "TTL of `{name}` is {ttl} s, above the maximum {} s of {env}",
                            b.max
                        )),
                        _ => None,
                    }
                };
                if let Some(msg) = msg {
                    let help = match bound {
                        Some(b) => format!("set `\"ttl\"` between {} and {}", b.min, b.max),
                        None => "set `\"ttl\"` to a positive number of seconds".into(),
                    };
                    out.push(
                        Finding::new(id::CACHE_TTL, node.span, msg)
                            .label(format!("{ttl} s"))
                            .help(help),
                    );
                }
            }
        }
    }
}

pub struct DatabaseConflict;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseParams {
    pub databases: BTreeMap<String, i64>,
}

impl Check for DatabaseConflict {
    type Params = DatabaseParams;
    const RULES: &'static [RuleId] = &[id::CACHE_DATABASE_CONFLICT];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, DatabaseParams>, out: &mut Out) {
        let owners = &cx.params.databases;
        for doc in &d.cache {
            let Some(root) = &doc.doc.root else { continue };
            let all = types(root);
            for (name, _, t) in &all {
                let Some((db, node)) = int_of(t, "database") else {
                    continue;
                };
                let own = owners.get(*name).copied();
                let owner = owners
                    .iter()
                    .find(|(other, &o)| o == db && other.as_str() != *name)
                    .map(|(o, _)| o.as_str());
                let mut f = match (own, owner) {
                    (Some(want), Some(other)) if want != db => Finding::new(
                        id::CACHE_DATABASE_CONFLICT,
                        node.span,
                        format!(
                            "`{name}` uses database {db}, which the policy gives to `{other}`; `{name}` belongs in database {want}"
                        ),
                    )
                    .help(format!("set `\"database\": {want}`")),
                    (Some(want), None) if want != db => Finding::new(
                        id::CACHE_DATABASE_CONFLICT,
                        node.span,
                        format!("`{name}` uses database {db}; the policy gives it database {want}"),
                    )
                    .help(format!("set `\"database\": {want}`")),
                    (None, Some(other)) => Finding::new(
                        id::CACHE_DATABASE_CONFLICT,
                        node.span,
                        format!(
                            "`{name}` uses database {db}, which the policy gives to `{other}`: a FLUSHDB or eviction there hits both"
                        ),
                    )
                    .help("give it a database no other cache type owns, and add it to the policy"),
                    _ => continue,
                };
                f = f.label(format!("database {db}"));
                if let Some(other) = owner {
                    if let Some((_, _, ot)) = all.iter().find(|(n, _, _)| *n == other) {
                        if let Some((odb, on)) = int_of(ot, "database") {
                            f = f.related(on.span, format!("`{other}` uses database {odb}"));
                        }
                    }
                }
                out.push(f);
            }
        }
    }
}

pub struct MissingType;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeEntry {
    pub ttl: i64,
    pub key_prefix: String,
    pub database: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingParams {
    pub types: BTreeMap<String, TypeEntry>,
}

impl Check for MissingType {
    type Params = MissingParams;
    const RULES: &'static [RuleId] = &[id::CACHE_MISSING_TYPE];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, MissingParams>, out: &mut Out) {
        if d.cache.is_empty() && !cx.params.types.is_empty() && !d.cache_pattern.is_empty() {
            // No strategy at all: every required type is missing. Said once, at the Redis
            // workload the application's caches live in.
            let redis = d.redis().map(|p| d.workload_of(p)).next();
            if let Some(w) = redis {
                let names: Vec<&str> = cx.params.types.keys().map(String::as_str).collect();
                out.absent(
                    Finding::new(
                        id::CACHE_MISSING_TYPE,
                        name_span(w.node),
                        format!(
                            "no cache-strategy JSON in this overlay: no ConfigMap key matching `{}` holds an object of cache types, and the policy requires {}",
                            d.cache_pattern,
                            names.join(", ")
                        ),
                    )
                    .label("no cache strategy for this Redis")
                    .help("add the cache-strategy JSON to a ConfigMap (e.g. key `cache-strategy.json`), or set `file_pattern` of cache/schema in .grill-lint.yaml to the name it has"),
                );
            }
        }
        for doc in &d.cache {
            let Some(root) = &doc.doc.root else { continue };
            if root.as_map().is_none() {
                continue; // cache/schema
            }
            let present: Vec<&str> = types(root).iter().map(|(n, _, _)| *n).collect();
            for (name, t) in &cx.params.types {
                if present.contains(&name.as_str()) {
                    continue;
                }
                out.push(
                    Finding::new(
                        id::CACHE_MISSING_TYPE,
                        doc.key_span,
                        format!("`{}` has no cache type `{name}`, which the policy requires", doc.key),
                    )
                    .label(format!("no `{name}`"))
                    .help(format!(
                        "add `\"{name}\": {{\"ttl\": {}, \"key_prefix\": \"{}\", \"database\": {}}}`",
                        t.ttl, t.key_prefix, t.database
                    )),
                );
            }
        }
    }
}
