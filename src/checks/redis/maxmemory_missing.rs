//! `redis/maxmemory-missing`: a Redis server without a memory cap (absent, `0`, or a value
//! Redis reads as 0).

use super::common::{self, anchor, describe, per_config, provenance, servers};
use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::redis::value::{parse_memory, MemoryError};
use crate::rules::{id, RuleId};

pub struct MaxmemoryMissing;

impl Check for MaxmemoryMissing {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[id::REDIS_MAXMEMORY_MISSING];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        const HELP: &str = "add `maxmemory SIZE` with SIZE below the container's memory limit (redis/maxmemory-headroom says how far below)";
        for s in per_config(servers(d)) {
            let Some(line) = s.conf.get("maxmemory") else {
                let f = Finding::new(
                    id::REDIS_MAXMEMORY_MISSING,
                    anchor(s.conf),
                    format!(
                        "{} sets no `maxmemory`: Redis grows until the container is OOM-killed",
                        describe(s.conf)
                    ),
                )
                .label("no `maxmemory` line in this config")
                .help(HELP);
                out.push(provenance(f, None, Some(s.conf)));
                continue;
            };
            let Some(a) = common::arg(line) else {
                continue; // wrong argument count: redis/invalid-value
            };
            let why = match parse_memory(&a.text) {
                Ok(0) => "0 means no limit",
                Err(MemoryError::NoDigits) => "Redis reads a size without digits as 0: no limit",
                _ => continue, // a size (headroom checks it) or refused (invalid-value)
            };
            let shown = if a.text.is_empty() { "\"\"" } else { &a.text };
            let f = Finding::new(
                id::REDIS_MAXMEMORY_MISSING,
                a.span,
                format!("`maxmemory {shown}` sets no memory cap: {why}"),
            )
            .label("read as 0")
            .help(HELP);
            out.push(provenance(f, None, Some(s.conf)));
        }
    }
}
