//! The cache-strategy JSON of a deployment: a ConfigMap key (or the generator file it was built
//! from) whose name matches the policy's `file_pattern` and whose content has the strategy's
//! shape, read once with spans into the file that holds it. Every `cache/*` check and
//! `redis/databases` read it from here.

use super::{kind_of, Deployment};
use crate::config::glob_match;
use crate::json::{self, JsonDoc, Limits};
use crate::source::{SourceMap, Span};
use crate::yaml::Node;

/// The strategy's fields: a JSON object whose values use one of them is a cache strategy.
const FIELDS: [&str; 4] = ["ttl", "key_prefix", "database", "description"];

/// One cache-strategy document found in the deployment.
#[derive(Debug)]
pub struct CacheStrategy {
    pub key: String,
    /// Where the ConfigMap key (the file name) is written.
    pub key_span: Span,
    pub doc: JsonDoc,
}

/// Whether a parsed document has the shape of a cache strategy: an object with at least one
/// member that is an object using a strategy field. A document that does not parse cannot be
/// told apart, and is kept (its syntax errors are `cache/schema`'s).
pub fn has_shape(doc: &JsonDoc) -> bool {
    let Some(root) = &doc.root else {
        return true;
    };
    root.as_map().is_some_and(|m| {
        m.entries.iter().any(|e| {
            e.value
                .as_map()
                .is_some_and(|t| FIELDS.iter().any(|f| t.get(f).is_some()))
        })
    })
}

impl Deployment<'_> {
    /// Finds the cache strategies among the ConfigMap keys matching `pattern` (a glob on the
    /// key, which is the generator file's name for generated ones).
    pub fn read_cache_strategies(&mut self, sources: &SourceMap, pattern: &str) {
        let mut out = Vec::new();
        for cm in self.objects.iter().filter(|o| kind_of(o) == "ConfigMap") {
            let Some(data) = cm.get("data").and_then(Node::as_map) else {
                continue;
            };
            for e in data.entries.iter() {
                let Some(key) = e.key.as_str() else { continue };
                if !glob_match(pattern, key) {
                    continue;
                }
                let file = sources.get(e.value.span.file);
                let Some(doc) = json::parse_scalar(&file, &e.value, Limits::default()) else {
                    continue;
                };
                if has_shape(&doc) {
                    out.push(CacheStrategy {
                        key: key.to_string(),
                        key_span: e.key.span,
                        doc,
                    });
                }
            }
        }
        self.cache = out;
        self.cache_pattern = pattern.to_string();
    }
}
