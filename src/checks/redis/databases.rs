//! `redis/databases`: Redis has enough logical databases for every cache type of the
//! cache-strategy JSON (`databases N` gives indexes 0..N-1; a `SELECT` beyond fails).

use crate::checks::cache::strategy::{int_of, types};
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};

pub struct Databases;

impl Check for Databases {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::REDIS_DATABASES];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        // The highest database index any cache type uses, with where it is written.
        let docs = &d.cache;
        let mut highest: Option<(i64, String, crate::source::Span)> = None;
        for doc in docs {
            let Some(root) = &doc.doc.root else { continue };
            for (name, _, t) in types(root) {
                if let Some((db, node)) = int_of(t, "database") {
                    if db >= 0 && highest.as_ref().is_none_or(|h| db > h.0) {
                        highest = Some((db, name.to_string(), node.span));
                    }
                }
            }
        }
        let Some((db, name, at)) = highest else {
            return;
        };
        let mut seen = Vec::new();
        for p in d.redis() {
            let Some(i) = p.config else { continue };
            if seen.contains(&i) {
                continue;
            }
            seen.push(i);
            let conf = &d.configs[i];
            // Without the directive Redis has 16, and cache/schema caps indexes at 15.
            let Some(dir) = conf.get("databases") else {
                continue;
            };
            let Some(arg) = dir.args.first() else {
                continue;
            };
            let Ok(n) = arg.text.parse::<i64>() else {
                continue; // redis/invalid-value
            };
            if n < db + 1 {
                out.push(
                    Finding::new(
                        id::REDIS_DATABASES,
                        arg.span,
                        format!(
                            "`databases {n}` gives indexes 0 to {}, but cache type `{name}` uses database {db}",
                            n - 1
                        ),
                    )
                    .label(format!("{n} database(s)"))
                    .related(at, format!("`{name}` uses database {db}"))
                    .help(format!("set `databases {}` or more", db + 1)),
                );
            }
        }
    }
}
