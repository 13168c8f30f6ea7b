//! The rule registry: every rule ID of the catalogue (`spec/rules.md`), its default severity and
//! its one-line summary. IDs are binding; checks refer to them by these strings.

use crate::diag::Severity;

#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

pub static RULES: &[RuleMeta] = &[
    RuleMeta { id: "yaml/syntax", severity: Severity::Error, summary: "the file is not valid YAML (location of the first error, the parser's reason)" },
    RuleMeta { id: "yaml/duplicate-key", severity: Severity::Error, summary: "a mapping has the same key twice (Kubernetes silently keeps one)" },
    RuleMeta { id: "yaml/limits", severity: Severity::Error, summary: "a document exceeds a safety limit: alias expansion budget, nesting depth, file size (the limit and the value are named)" },
    RuleMeta { id: "yaml/ambiguous-scalar", severity: Severity::Warning, summary: "an unquoted value that YAML 1.1 (Kubernetes' decoder) reads differently from YAML 1.2: `on`, `off`, `yes`, `no`, `y`, `n`, octal-looking `0755`, sexagesimal `1:20`, where a string was meant (e.g. a label value or an env value)" },
    RuleMeta { id: "kustomize/missing-file", severity: Severity::Error, summary: "a `resources`, `components`, patch or generator path that does not exist" },
    RuleMeta { id: "kustomize/outside-root", severity: Severity::Error, summary: "a file path that escapes its kustomization root (kustomize's root-only load restriction), including through a symlink" },
    RuleMeta { id: "kustomize/cycle", severity: Severity::Error, summary: "a kustomization that includes itself, directly or indirectly" },
    RuleMeta { id: "kustomize/duplicate-resource", severity: Severity::Error, summary: "two sources define the same group/kind/namespace/name (both locations named)" },
    RuleMeta { id: "kustomize/patch-target-missing", severity: Severity::Error, summary: "a strategic-merge patch whose target does not exist; a JSON6902 patch or `patches` target selector that matches nothing (kustomize is silent on the latter: we are not)" },
    RuleMeta { id: "kustomize/patch-failed", severity: Severity::Error, summary: "a JSON6902 operation that cannot apply (missing path, failed `test`, bad index)" },
    RuleMeta { id: "kustomize/unsupported", severity: Severity::Error, summary: "a feature the native renderer refuses: remote (git/http) resources, `helmCharts`, plugin generators/transformers/validators, `openapi`, `crds`, `vars`. The message names the field and says that nothing of that overlay was checked" },
    RuleMeta { id: "kustomize/deprecated-field", severity: Severity::Warning, summary: "`commonLabels`, `patchesStrategicMerge`, `patchesJson6902`, `bases`, `vars` (with the modern replacement)" },
    RuleMeta { id: "kustomize/index-patch-after-smp", severity: Severity::Warning, summary: "a JSON6902 path that addresses a list by index (`/containers/0/...`) in a list that a strategic-merge patch in the same build re-orders (the index then hits another element)" },
    RuleMeta { id: "model/redis-not-found", severity: Severity::Error, summary: "an environment overlay with no resolvable Redis server (no redis-server container, or its config file cannot be traced to a ConfigMap/generator key)" },
    RuleMeta { id: "model/dangling-reference", severity: Severity::Error, summary: "a reference that resolves to nothing in the rendered overlay: a volume's ConfigMap/Secret, `envFrom`/`secretKeyRef`/`configMapKeyRef` (name and key), a StatefulSet `serviceName`, a Service selector that selects no pod, a ServiceMonitor selector that selects no Service, a Sentinel `monitor` host that is no Service/pod DNS name of this overlay's namespace" },
    RuleMeta { id: "redis/unknown-directive", severity: Severity::Error, summary: "a directive Redis 7.x does not accept (with a did-you-mean suggestion)" },
    RuleMeta { id: "redis/invalid-value", severity: Severity::Error, summary: "wrong argument count, not a bool/int/enum of the directive, memory size outside Redis' grammar (`b k kb m mb g gb`, case-insensitive, `1k`=1000, `1kb`=1024), value out of range, or any other line that Redis would refuse at start-up" },
    RuleMeta { id: "redis/inline-comment", severity: Severity::Error, summary: "a `#` comment after a directive on the same line (Redis reads it as more arguments and refuses to start)" },
    RuleMeta { id: "redis/duplicate-directive", severity: Severity::Warning, summary: "a non-accumulating directive set twice (the last wins; both lines named). `save`, `rename-command`, `client-output-buffer-limit`, `include`, `loadmodule`, `user` accumulate and are exempt" },
    RuleMeta { id: "redis/deprecated-directive", severity: Severity::Warning, summary: "an alias Redis keeps for compatibility (`hash-max-ziplist-*` → `hash-max-listpack-*`, `zset-max-ziplist-*`, `list-max-ziplist-size`, `slaveof` → `replicaof`, `lua-time-limit` → `busy-reply-threshold`, …)" },
    RuleMeta { id: "redis/unexpanded-variable", severity: Severity::Error, summary: "`${VAR}` or `$VAR` in a value: Redis never expands environment variables, so the literal text becomes the password, host, etc." },
    RuleMeta { id: "redis/plaintext-secret", severity: Severity::Error, summary: "a literal `requirepass`, `masterauth`, `sentinel auth-pass` or ACL password in a ConfigMap or generator file; the value is never printed in any output format" },
    RuleMeta { id: "redis/maxmemory-missing", severity: Severity::Error, summary: "`maxmemory` unset, `0`, or a value Redis reads as 0 (`mb`, `\"\"`)" },
    RuleMeta { id: "redis/maxmemory-headroom", severity: Severity::Error, summary: "`maxmemory` above `headroom_ratio` × the redis container's memory limit (fork copy-on-write during BGSAVE/AOF rewrite needs the rest). Both locations are labelled: the `maxmemory` line and the `limits.memory` line. Units: Redis `mb`=2^20, `m`=10^6; Kubernetes `Mi`=2^20, `M`=10^6, `m`=milli" },
    RuleMeta { id: "redis/memory-limit", severity: Severity::Error, summary: "the redis container has no memory limit, or it differs from the environment's `memory_limit`" },
    RuleMeta { id: "redis/maxmemory-policy", severity: Severity::Warning, summary: "`maxmemory-policy` differs from the environment's expected policy" },
    RuleMeta { id: "redis/persistence", severity: Severity::Error, summary: "`save` rules or `appendonly`/`appendfsync` differ from the environment's policy (prod: AOF on, `everysec`)" },
    RuleMeta { id: "redis/dangerous-commands", severity: Severity::Error, summary: "in an environment with `disable_commands`, a listed command (default FLUSHALL, FLUSHDB, CONFIG, KEYS, DEBUG, SHUTDOWN) is neither renamed to `\"\"`, nor renamed to a name that does not contain the original name and has at least 16 random-looking characters, nor denied to every ACL user" },
    RuleMeta { id: "redis/protected-mode", severity: Severity::Error, summary: "`protected-mode no`, or `bind` that makes Redis unreachable from other pods (only 127.0.0.1/::1)" },
    RuleMeta { id: "redis/databases", severity: Severity::Error, summary: "`databases` is smaller than 1 + the highest database index the cache strategy uses" },
    RuleMeta { id: "redis/port-mismatch", severity: Severity::Error, summary: "the `port` Redis listens on differs from the container port, the Service `targetPort`, the probes' port, or the NetworkPolicy port that admits clients" },
    RuleMeta { id: "redis/daemonize", severity: Severity::Error, summary: "`daemonize yes` (the container's main process exits at once)" },
    RuleMeta { id: "redis/log-level", severity: Severity::Warning, summary: "`loglevel` differs from the environment's (dev verbose, prod notice)" },
    RuleMeta { id: "redis/required-setting", severity: Severity::Warning, summary: "a directive that the environment's policy requires (`redis.settings`) is absent or has another value; the bundled policy requires `lazyfree-lazy-eviction yes`, `jemalloc-bg-thread yes` and `hash-max-listpack-entries 512` in both environments, as the design document does" },
    RuleMeta { id: "sentinel/required", severity: Severity::Error, summary: "an environment with `sentinel.replicas` set has no Sentinel, or a different number of Sentinel replicas; an environment without it deploys Sentinel pods" },
    RuleMeta { id: "sentinel/quorum", severity: Severity::Error, summary: "fewer than 3 Sentinels, an even count, or a quorum that is larger than the count or not a majority" },
    RuleMeta { id: "sentinel/config-not-writable", severity: Severity::Error, summary: "sentinel.conf is mounted straight from a ConfigMap/Secret (read-only): Sentinel must rewrite its config and refuses to start; copy it to an emptyDir in an init container" },
    RuleMeta { id: "sentinel/resolve-hostnames", severity: Severity::Error, summary: "`sentinel monitor` names a hostname while `sentinel resolve-hostnames yes` is absent (Sentinel then refuses to start: it cannot resolve the name; the order of the two lines does not matter, Sentinel applies its lines after reading the whole file)" },
    RuleMeta { id: "sentinel/failover-impossible", severity: Severity::Error, summary: "Sentinel is deployed but the monitored Redis StatefulSet has fewer replicas than the environment's `redis.replicas` (at least 2), or its non-first pods are not configured to replicate from the first (`replicaof`), so there is nothing to fail over to" },
    RuleMeta { id: "sentinel/auth", severity: Severity::Error, summary: "the monitored Redis requires a password and Sentinel has no `sentinel auth-pass` taken from a Secret" },
    RuleMeta { id: "cache/schema", severity: Severity::Error, summary: "the JSON does not match `schemas/cache-strategy.schema.json` (each error at the exact key or value)" },
    RuleMeta { id: "cache/duplicate-prefix", severity: Severity::Error, summary: "two cache types use the same key prefix in the same database, or one prefix is a prefix of another there (their keys collide)" },
    RuleMeta { id: "cache/ttl", severity: Severity::Error, summary: "a TTL that is not a positive integer, or outside the environment's bounds for that cache type" },
    RuleMeta { id: "cache/database-conflict", severity: Severity::Error, summary: "two cache types share a database the policy gives to one of them, or a cache type uses another database than the policy's" },
    RuleMeta { id: "cache/missing-type", severity: Severity::Error, summary: "a cache type the policy requires is absent" },
    RuleMeta { id: "k8s/run-as-user", severity: Severity::Error, summary: "Redis, Sentinel and backup containers not running as UID 999 and GID 999 with `fsGroup: 999` and `runAsNonRoot: true`; any other container running as root or without `runAsNonRoot`" },
    RuleMeta { id: "k8s/read-only-root-fs", severity: Severity::Error, summary: "`readOnlyRootFilesystem` not true (writable paths must be volumes)" },
    RuleMeta { id: "k8s/capabilities", severity: Severity::Error, summary: "capabilities not `drop: [ALL]`, or any capability added" },
    RuleMeta { id: "k8s/privilege-escalation", severity: Severity::Error, summary: "`allowPrivilegeEscalation` not false, or `privileged: true`" },
    RuleMeta { id: "k8s/resources", severity: Severity::Error, summary: "a container without CPU and memory requests and a memory limit" },
    RuleMeta { id: "k8s/storage", severity: Severity::Error, summary: "the Redis data volume claim differs from the environment's `storage`" },
    RuleMeta { id: "k8s/image-tag", severity: Severity::Warning, summary: "an image without a tag, with `latest`, or with a floating tag that names no patch version (`redis:7-alpine`) and no digest" },
    RuleMeta { id: "k8s/probes", severity: Severity::Warning, summary: "a long-running container without readiness and liveness probes" },
    RuleMeta { id: "k8s/secret-in-env", severity: Severity::Error, summary: "a password-like env var (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*AUTH*`) with a literal `value` instead of `secretKeyRef`" },
    RuleMeta { id: "k8s/secret-in-args", severity: Severity::Warning, summary: "a secret passed on a command line (e.g. `redis-cli -a $(REDIS_PASSWORD)` in a probe): it shows in the process list; use `REDISCLI_AUTH`" },
    RuleMeta { id: "k8s/namespace", severity: Severity::Error, summary: "a namespaced object outside the environment's namespace" },
    RuleMeta { id: "k8s/schema", severity: Severity::Error, summary: "a rendered object that the Kubernetes API would reject or silently change: an unknown field (`readOnlyRootFileSystem`, `imagePullPolcy` — the API server drops them, so the setting silently does nothing), a wrong type, a missing required field. Checked against bundled JSON Schemas of one pinned Kubernetes version for every built-in kind the deployment uses, plus ServiceMonitor and PrometheusRule; located at the source line" },
    RuleMeta { id: "netpol/uncovered-pod", severity: Severity::Error, summary: "a Redis, Sentinel or exporter pod that no NetworkPolicy with `Ingress` selects" },
    RuleMeta { id: "netpol/allow-all", severity: Severity::Error, summary: "an ingress rule that admits everything: no `from`, an empty peer, `namespaceSelector: {}` without a podSelector, or an `ipBlock` of `0.0.0.0/0` / `::/0`" },
    RuleMeta { id: "netpol/port-scope", severity: Severity::Error, summary: "ingress to a Redis/Sentinel/exporter pod on a port other than its service port (6379 / 26379 / 9121 by policy), or on all ports" },
    RuleMeta { id: "netpol/allowed-clients", severity: Severity::Error, summary: "a peer that is not in the policy's allowed client selectors: by default pods labelled `app.kubernetes.io/part-of: grill-stats` in the same namespace (the application services, the exporter, Sentinel, the backup jobs) for 6379/26379, and pods labelled `app.kubernetes.io/name: prometheus` in a namespace labelled `kubernetes.io/metadata.name: monitoring` for 9121" },
    RuleMeta { id: "netpol/dns-egress", severity: Severity::Error, summary: "a policy with `Egress` that does not allow DNS (UDP and TCP 53) to the cluster DNS" },
    RuleMeta { id: "netpol/dangling-selector", severity: Severity::Warning, summary: "a NetworkPolicy (or one of its peers) whose podSelector selects no pod of the overlay" },
    RuleMeta { id: "monitoring/exporter", severity: Severity::Error, summary: "no redis_exporter for the Redis pod, not on port 9121, not pointed at the Redis service/port, or not authenticated from a Secret" },
    RuleMeta { id: "monitoring/service-monitor", severity: Severity::Error, summary: "no ServiceMonitor selecting the exporter's Service, or its endpoint port name does not exist on that Service" },
    RuleMeta { id: "monitoring/alerts", severity: Severity::Error, summary: "a PrometheusRule lacks one of the documented alerts, or its threshold differs: instance down (`redis_up == 0`), memory above 90% of maxmemory, more than 100 connected clients, slow queries, cache hit ratio below 80%, replication lag. Expressions are parsed as PromQL, not matched as text" },
    RuleMeta { id: "backup/schedule", severity: Severity::Error, summary: "a backup CronJob schedule that Kubernetes would reject, or that does not match the environment's `backup.schedule` (prod daily at 02:00, dev weekly)" },
    RuleMeta { id: "backup/verification", severity: Severity::Error, summary: "an environment with `backup.verify` has no verification CronJob, or it runs less often than daily" },
    RuleMeta { id: "backup/retention", severity: Severity::Error, summary: "the retention the backup job applies differs from the policy (7 days) or cannot be found; it is read from the backup container's env var named by the policy (`retention_env`, default `BACKUP_RETENTION_DAYS`)" },
    RuleMeta { id: "backup/storage", severity: Severity::Error, summary: "the backup job writes to no persistent volume claim, or the claim does not exist" },
    RuleMeta { id: "lint/unused-suppression", severity: Severity::Warning, summary: "a suppression comment or config entry that suppresses nothing" },
    RuleMeta { id: "lint/suppression-without-reason", severity: Severity::Warning, summary: "a suppression with no `-- reason` (config entries without `reason` are refused as invalid config)" },
];

pub fn get(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

/// The default severity of a rule; an unknown ID is a programming error caught by the tests.
pub fn default_severity(id: &str) -> Severity {
    get(id).map(|r| r.severity).unwrap_or(Severity::Error)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_grouped() {
        let mut seen = std::collections::HashSet::new();
        for r in super::RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(r.id.contains('/'));
        }
    }
}

/// The full description of a rule (SARIF `fullDescription`).
pub fn full_description(r: &RuleMeta) -> String {
    r.summary.to_string()
}

/// What to do about a rule's findings (SARIF `help`).
pub fn help_text(r: &RuleMeta) -> String {
    format!("see `grill-lint explain {}`", r.id)
}

/// `grill-lint rules`: one line per rule.
pub fn list_text() -> String {
    let width = RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
    RULES
        .iter()
        .map(|r| {
            format!(
                "{:width$}  {:7}  {}\n",
                r.id,
                r.severity.as_str(),
                r.summary
            )
        })
        .collect()
}

/// `grill-lint explain RULE`.
pub fn explain(id: &str) -> Option<String> {
    let r = get(id)?;
    Some(format!(
        "{} ({})\n\n{}\n",
        r.id,
        r.severity.as_str(),
        r.summary
    ))
}
