//! redis.conf and sentinel.conf: tokenizer, directive table, value grammar and file-level rules.
//!
//! A config is read the way redis-server 7.0 reads it ([`tokenize`]), resolved against the
//! directive table compiled from `data/redis-directives.tsv` ([`table`]), and every line is
//! checked with Redis' own grammar ([`check`], [`acl`], [`sentinel`]). The same code runs for a
//! standalone file ([`lint_file`]) and for a config embedded in a YAML scalar
//! ([`lint_embedded`]): an [`OffsetMap`] takes every argument back to the line and column of the
//! file a person edits. [`parse`] exposes the parsed model for the deployment checks.
//!
//! Agreement with Redis: a finding that means "redis-server 7.0 refuses to start" answers
//! [`is_refusal`], and nothing else does; a line Redis accepts but does not apply as written is
//! `redis/ignored-value`, a warning.

pub mod acl;
pub mod check;
pub mod commands;
pub mod embed;
pub mod lint;
pub mod model;
pub mod problem;
pub mod sentinel;
pub mod table;
pub mod tokenize;
pub mod value;

pub use embed::OffsetMap;
pub use lint::{lint, secret_spans, REFUSAL};
pub use model::{Arg, Directive, RedisConf};
pub use tokenize::tokenize;
pub use value::{parse_memory, MemoryError};

use crate::diag::Finding;
use crate::hash::HashMap;
use crate::source::{SourceFile, SourceMap, Span};
use crate::yaml::{Node, Style};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Which program reads the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfKind {
    Redis,
    Sentinel,
}

/// Detects the kind from the file name (`sentinel*.conf` → Sentinel) or content (a
/// `sentinel monitor` line).
pub fn detect_kind(path: &Path, text: &str) -> ConfKind {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if name.starts_with("sentinel") && name.ends_with(".conf") {
        return ConfKind::Sentinel;
    }
    let monitors = text.lines().any(|l| {
        let mut words = l.split_whitespace();
        words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("sentinel"))
            && words
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("monitor"))
    });
    if monitors {
        ConfKind::Sentinel
    } else {
        ConfKind::Redis
    }
}

/// Parses a whole standalone config file.
/// Lines of a standalone config file grill-lint checks (a real redis.conf has about 2,000;
/// each checked line costs a few hundred bytes of model).
pub const MAX_CONF_LINES: usize = 200_000;

pub fn parse(file: &SourceFile, kind: ConfKind) -> RedisConf {
    model::parse_text(&file.text, &OffsetMap::Identity, file, kind)
}

/// Parses the config held by YAML scalar `node` (written in `file`); `None` if it is no scalar.
pub fn parse_embedded(file: &SourceFile, node: &Node, kind: ConfKind) -> Option<RedisConf> {
    let (text, map) = OffsetMap::for_scalar(file, node)?;
    Some(model::parse_text(&text, &map, file, kind))
}

/// What one run computed from YAML scalars, by where and how each is written and by `K`. A
/// patch can leave a built value with a span whose text it is not, so the text belongs to the
/// key too; it is compared on a hit rather than hashed (a config is kilobytes, and every
/// overlay of a monorepo asks again for the same few).
struct ByScalar<K, V>(Mutex<HashMap<(Span, Style, K), Vec<(Box<str>, V)>>>);

impl<K, V> Default for ByScalar<K, V> {
    fn default() -> Self {
        ByScalar(Mutex::new(HashMap::default()))
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> ByScalar<K, V> {
    /// The value for `node` (a scalar) and `k`, made by `make` the first time.
    fn get_or(&self, node: &Node, k: K, make: impl FnOnce() -> Option<V>) -> Option<V> {
        let scalar = node.as_scalar()?;
        let key = (node.span, scalar.style, k);
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = lock().get(&key).and_then(|same_place| {
            same_place
                .iter()
                .find(|(text, _)| **text == *scalar.text)
                .map(|(_, v)| v.clone())
        }) {
            return Some(found);
        }
        let v = make()?;
        lock()
            .entry(key)
            .or_default()
            .push((scalar.text.as_str().into(), v.clone()));
        Some(v)
    }
}

/// The configs parsed from YAML scalars in one run, by the program that reads them: all that
/// [`parse_embedded`] depends on besides the scalar.
#[derive(Default)]
struct Embedded(ByScalar<ConfKind, Arc<RedisConf>>);

/// [`parse_embedded`] of `node` in the file of its span, parsed once per run: masking reads every
/// ConfigMap value as both configs and the model reads the ones a process loads.
pub fn parse_embedded_shared(
    sources: &SourceMap,
    node: &Node,
    kind: ConfKind,
) -> Option<Arc<RedisConf>> {
    sources.memo::<Embedded>().0.get_or(node, kind, || {
        let file = sources.get(node.span.file);
        let aligned = scalar_text_shared(sources, node)?;
        let (text, map) = &*aligned;
        Some(Arc::new(model::parse_text(text, map, &file, kind)))
    })
}

/// The scalars aligned with their source in one run (see [`scalar_text_shared`]).
#[derive(Default)]
struct Aligned(ByScalar<(), Arc<(String, OffsetMap)>>);

/// [`OffsetMap::for_scalar`] of `node` in the file of its span, aligned once per run: the
/// model maps every script and config it traces through the same few scalars.
pub fn scalar_text_shared(sources: &SourceMap, node: &Node) -> Option<Arc<(String, OffsetMap)>> {
    sources.memo::<Aligned>().0.get_or(node, (), || {
        let file = sources.get(node.span.file);
        Some(Arc::new(OffsetMap::for_scalar(&file, node)?))
    })
}

/// Lints a whole standalone config file (spans are byte ranges in `file`).
pub fn lint_file(file: &SourceFile, kind: ConfKind) -> Vec<Finding> {
    lint(&parse(file, kind))
}

/// Lints the config held by YAML scalar `node` (a ConfigMap value written in `file`); findings
/// point into the YAML file. A node that is not a scalar has no config to lint.
pub fn lint_embedded(file: &SourceFile, node: &Node, kind: ConfKind) -> Vec<Finding> {
    parse_embedded(file, node, kind)
        .map(|c| lint(&c))
        .unwrap_or_default()
}

/// True when a finding means redis-server 7.0 would refuse to start on this config: exactly
/// `redis/invalid-value` and the other refusals (an inline comment Redis reads as arguments,
/// an unknown directive, …). `redis/ignored-value` (accepted, not applied as written) is not.
pub fn is_refusal(f: &Finding) -> bool {
    f.detail == Some(REFUSAL)
}

#[cfg(test)]
mod tests;
