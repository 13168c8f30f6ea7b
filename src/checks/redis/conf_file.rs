//! The rules a redis.conf or sentinel.conf breaks by itself, without the deployment around it:
//! what redis-server refuses at start-up and the file-level mistakes next to it. One pass over
//! the parsed config ([`crate::redis::lint`]) reports them all, so that a 10,000-line config is
//! read once rather than once per rule.

use crate::checks::{Check, Cx, NoParams, Out, Scope};
use crate::redis::RedisConf;
use crate::rules::{id, RuleId};

pub struct ConfFile;

impl Check for ConfFile {
    type Params = NoParams;
    const RULES: &'static [RuleId] = &[
        id::REDIS_UNKNOWN_DIRECTIVE,
        id::REDIS_INVALID_VALUE,
        id::REDIS_INLINE_COMMENT,
        id::REDIS_DUPLICATE_DIRECTIVE,
        id::REDIS_DEPRECATED_DIRECTIVE,
        id::REDIS_UNEXPANDED_VARIABLE,
        id::REDIS_PLAINTEXT_SECRET,
        id::REDIS_DAEMONIZE,
        id::REDIS_PROTECTED_MODE,
        id::SENTINEL_RESOLVE_HOSTNAMES,
        // Only a quorum Sentinel refuses (below 1); the count is `sentinel/quorum`'s own check.
        id::SENTINEL_QUORUM,
    ];
    const SCOPE: Scope = Scope::Config;

    fn config(&self, conf: &RedisConf, _cx: &Cx<'_, NoParams>, out: &mut Out) {
        out.findings.extend(crate::redis::lint(conf));
    }
}
