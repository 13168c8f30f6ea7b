//! Rule tests over whole configs: each rule failing and passing, findings located in
//! standalone files and in ConfigMap scalars, secrets never printed, and the Debian package's
//! own redis.conf and sentinel.conf accepted.

use super::*;
use crate::source::{LineCol, SourceMap};
use crate::yaml::{parse_stream, Limits};
use proptest::prelude::*;
use std::sync::Arc;

fn lint_text(path: &str, text: &str) -> (Arc<SourceFile>, Vec<Finding>) {
    let map = SourceMap::new();
    let f = map.add(path, text);
    let kind = detect_kind(Path::new(path), text);
    let findings = lint_file(&f, kind);
    (f, findings)
}

fn conf(text: &str) -> Vec<Finding> {
    lint_text("redis.conf", text).1
}

fn rules(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

/// The findings of `rule`, as (line, column, located text).
fn located(f: &SourceFile, findings: &[Finding], rule: &str) -> Vec<(u32, u32, String)> {
    findings
        .iter()
        .filter(|x| x.rule == rule)
        .map(|x| {
            let LineCol { line, column } = f.line_col(x.primary.start as usize);
            (line, column, f.slice(x.primary).to_string())
        })
        .collect()
}

#[test]
fn unknown_directive_suggests_the_closest_name() {
    let (f, found) = lint_text("redis.conf", "port 6379\nmaxmemory-polcy allkeys-lru\n");
    assert_eq!(
        located(&f, &found, "redis/unknown-directive"),
        vec![(2, 1, "maxmemory-polcy".to_string())]
    );
    let help = found[0].help.as_deref().unwrap_or("");
    assert!(help.contains("`maxmemory-policy`"), "{help}");
    assert!(is_refusal(&found[0]));
    assert!(conf("maxmemory-policy allkeys-lru\n").is_empty());
    let found = conf("rename-comand KEYS \"\"\n");
    assert_eq!(
        found[0].help.as_deref(),
        Some("did you mean `rename-command`?")
    );
}

#[test]
fn directives_of_later_versions_are_unknown_to_7_0() {
    let found = conf("server-cpulist 0-3\nset-max-listpack-entries 64\n");
    assert_eq!(rules(&found), ["redis/unknown-directive"; 2]);
    assert!(found[0].help.as_deref().unwrap().contains("server_cpulist"));
    assert!(conf("server_cpulist 0-3\n").is_empty());
}

#[test]
fn invalid_value_points_at_the_argument() {
    let (f, found) = lint_text(
        "redis.conf",
        "# memory\n  maxmemory   2GiB\nappendonly true\n",
    );
    assert_eq!(
        located(&f, &found, "redis/invalid-value"),
        vec![(2, 15, "2GiB".to_string()), (3, 12, "true".to_string())]
    );
    assert!(found.iter().all(is_refusal));
    assert!(conf("maxmemory 2gb\nappendonly yes\n").is_empty());
}

#[test]
fn unbalanced_quotes_are_located_at_the_quote() {
    let (f, found) = lint_text("redis.conf", "dir /data\nlogfile \"/var/log/x\n");
    assert_eq!(
        located(&f, &found, "redis/invalid-value"),
        vec![(2, 9, "\"/var/log/x".to_string())]
    );
}

#[test]
fn inline_comment_is_a_refusal_only_when_it_breaks_the_line() {
    let (f, found) = lint_text("redis.conf", "maxmemory 100mb # cache\n");
    assert_eq!(
        located(&f, &found, "redis/inline-comment"),
        vec![(1, 17, "# cache".to_string())]
    );
    assert!(is_refusal(&found[0]));
    let found = conf("loadmodule /m.so # comment\n");
    assert_eq!(rules(&found), ["redis/inline-comment"]);
    assert!(!is_refusal(&found[0]));
    // A `#` inside quotes is data, and an ACL `#<sha256>` rule is no comment.
    assert!(conf("masteruser \"a#b\"\n").is_empty());
    let hash = "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
    assert!(conf(&format!("user app on {hash} ~* +@read\n")).is_empty());
}

#[test]
fn duplicates_are_reported_at_the_later_line() {
    let (f, found) = lint_text("redis.conf", "maxmemory 1mb\nport 1\nMAXMEMORY 2mb\n");
    assert_eq!(
        located(&f, &found, "redis/duplicate-directive"),
        vec![(3, 1, "MAXMEMORY 2mb".to_string())]
    );
    assert_eq!(f.line_col(found[0].related[0].span.start as usize).line, 1);
    // Aliases name the same directive.
    let mut alias = rules(&conf("replicaof a 1\nslaveof b 2\n"));
    alias.sort();
    assert_eq!(
        alias,
        ["redis/deprecated-directive", "redis/duplicate-directive"]
    );
    let accumulating = "save 900 1\nsave 60 100\nrename-command KEYS \"\"\nrename-command DEBUG \"\"\n\
                        client-output-buffer-limit normal 0 0 0\nclient-output-buffer-limit pubsub 32mb 8mb 60\n";
    assert!(conf(accumulating).is_empty());
}

#[test]
fn sentinel_options_are_duplicates_per_master() {
    let text = "sentinel monitor a 10.0.0.1 6379 2\nsentinel monitor b 10.0.0.2 6379 2\n\
                sentinel down-after-milliseconds a 5000\nsentinel down-after-milliseconds b 5000\n\
                sentinel down-after-milliseconds a 6000\nsentinel known-replica a 10.0.0.3 6379\n\
                sentinel known-replica a 10.0.0.4 6379\n";
    let (f, found) = lint_text("sentinel.conf", text);
    assert_eq!(located(&f, &found, "redis/duplicate-directive").len(), 1);
    assert_eq!(
        found[0].primary,
        f.span(f.line_start(5).unwrap(), f.line_start(5).unwrap() + 39)
    );
}

#[test]
fn deprecated_aliases_name_the_current_directive() {
    let found = conf("hash-max-ziplist-entries 512\n");
    assert_eq!(rules(&found), ["redis/deprecated-directive"]);
    assert!(found[0]
        .help
        .as_deref()
        .unwrap()
        .contains("hash-max-listpack-entries"));
    assert!(conf("hash-max-listpack-entries 512\n").is_empty());
}

#[test]
fn unexpanded_variables() {
    let (f, found) = lint_text(
        "redis.conf",
        "replica-announce-ip $POD_IP\nrequirepass ${REDIS_PASSWORD}\n",
    );
    assert_eq!(
        located(&f, &found, "redis/unexpanded-variable"),
        vec![
            (1, 21, "$POD_IP".to_string()),
            (2, 13, "${REDIS_PASSWORD}".to_string())
        ]
    );
    assert!(found[0].message.contains("$POD_IP"));
    // The variable *is* the password Redis would use: not repeated, and no plaintext finding.
    assert!(!found[1].message.contains("REDIS_PASSWORD"));
    assert_eq!(found.len(), 2);
    assert!(conf("replica-announce-ip 10.0.0.1\n").is_empty());
}

#[test]
fn plaintext_secrets_are_located_but_never_shown() {
    let text = "requirepass hunter2\nmasterauth hunter2\nuser app on >hunter2 ~* +@all\nrequirepass \"\"\n";
    let (f, found) = lint_text("redis.conf", text);
    let secrets = located(&f, &found, "redis/plaintext-secret");
    assert_eq!(secrets.len(), 3);
    assert_eq!((secrets[0].0, secrets[1].0, secrets[2].0), (1, 2, 3));
    let sentinel = "sentinel monitor m 10.0.0.1 6379 2\nsentinel auth-pass m hunter2\nsentinel sentinel-pass hunter2\n";
    let (_, found) = lint_text("sentinel.conf", sentinel);
    assert_eq!(rules(&found), ["redis/plaintext-secret"; 2]);
}

/// Every text a finding carries, for the secret scan.
fn texts(f: &Finding) -> Vec<String> {
    let mut t = vec![f.message.clone()];
    t.extend(f.primary_label.clone());
    t.extend(f.help.clone());
    t.extend(f.related.iter().map(|l| l.message.clone()));
    t
}

#[test]
fn a_planted_password_never_reaches_any_finding_text() {
    const PW: &str = "Pl4nt3dS3cret";
    let redis = format!(
        "requirepass {PW}\nmasterauth {PW}\nrequirepass {PW} # note\nrequirepass \"{PW}\nrequirepass {PW} x\n\
         masteruser {PW}\nmasterauth {PW}$HOME\nuser app on >{PW} ~* +@all\nuser app on <{PW}\n\
         user bad on >{PW} +nosuchcommand\nuser x on <{PW}\ntls-key-file-pass {PW}\nrequirepas {PW}\n\
         masterauth \"{PW}\" \"{PW}\"\n"
    );
    let sentinel = format!(
        "sentinel monitor m 10.0.0.1 6379 2\nsentinel auth-pass m {PW}\nsentinel auth-pass nosuch {PW}\n\
         sentinel sentinel-pass {PW}\nsentinel auth-pass m {PW} extra\nsentinel sentinel-pass {PW} # x\n"
    );
    for (path, text) in [("redis.conf", redis), ("sentinel.conf", sentinel)] {
        let (f, found) = lint_text(path, &text);
        // Every planted password of a secret-bearing line lies inside a secret span, for
        // reports that print source lines.
        let conf = parse(&f, detect_kind(Path::new(path), &text));
        let spans = secret_spans(&conf);
        for (at, _) in text.match_indices(PW) {
            let line = &text[text[..at].rfind('\n').map_or(0, |n| n + 1)..];
            let secret_line = [
                "requirepass ",
                "masterauth ",
                "tls-key-file-pass ",
                "user ",
                "sentinel auth-pass",
                "sentinel sentinel-pass",
            ]
            .iter()
            .any(|p| line.starts_with(p));
            let covered = spans.iter().any(|s| s.range().contains(&at));
            assert_eq!(covered, secret_line, "{path} at {at}: {}", &line[..20]);
        }
        assert!(found.len() >= 8, "{path}: {found:#?}");
        for f in &found {
            for t in texts(f) {
                assert!(!t.contains(PW), "{path}: secret in {}: {t}", f.rule);
            }
        }
    }
}

#[test]
fn masking_hides_secrets_and_keeps_offsets() {
    let text = "requirepass \"pässwörd\"\nmaxmemory 2GiB\nuser a on >x1 ~*\n";
    let (f, found) = lint_text("redis.conf", text);
    let masked = crate::source::mask(&f.text, f.id, &secret_spans(&parse(&f, ConfKind::Redis)));
    assert_eq!(masked.len(), text.len());
    assert!(
        !masked.contains("wörd") && !masked.contains(">x1"),
        "{masked}"
    );
    assert!(masked.starts_with("requirepass ****") && masked.contains("\nmaxmemory 2GiB\n"));
    let bad = found
        .iter()
        .find(|x| x.rule == "redis/invalid-value")
        .unwrap();
    assert_eq!(&masked[bad.primary.range()], "2GiB");
}

#[test]
fn daemonize_and_protected_mode() {
    let (f, found) = lint_text(
        "redis.conf",
        "daemonize yes\nprotected-mode no\nbind 127.0.0.1 -::1\n",
    );
    assert_eq!(
        located(&f, &found, "redis/daemonize"),
        vec![(1, 11, "yes".to_string())]
    );
    let pm = located(&f, &found, "redis/protected-mode");
    assert_eq!(pm.iter().map(|l| l.0).collect::<Vec<_>>(), [2, 3]);
    assert!(found.iter().all(|f| !is_refusal(f)));
    assert!(conf("daemonize no\nprotected-mode yes\nbind * -::*\n").is_empty());
    // Sentinel runs with protected-mode off by design.
    assert!(lint_text("sentinel.conf", "protected-mode no\n")
        .1
        .is_empty());
}

#[test]
fn sentinel_hostnames_need_resolve_hostnames_in_any_order() {
    let monitor = "sentinel monitor mymaster redis-0.redis-headless 6379 2\n";
    let (f, found) = lint_text("sentinel.conf", monitor);
    assert_eq!(
        located(&f, &found, "sentinel/resolve-hostnames"),
        vec![(1, 27, "redis-0.redis-headless".to_string())]
    );
    assert!(is_refusal(&found[0]));
    let after = format!("{monitor}sentinel resolve-hostnames yes\n");
    assert!(lint_text("sentinel.conf", &after).1.is_empty());
    let ip = "sentinel monitor mymaster 10.1.2.3 6379 2\n";
    assert!(lint_text("sentinel.conf", ip).1.is_empty());
}

#[test]
fn sentinel_quorum() {
    let q = |n: &str| {
        let text = format!("sentinel monitor m 10.0.0.1 6379 {n}\n");
        lint_text("sentinel.conf", &text).1
    };
    let zero = q("0");
    assert_eq!(rules(&zero), ["sentinel/quorum"]);
    assert!(is_refusal(&zero[0]));
    let one = q("1");
    assert_eq!(rules(&one), ["sentinel/quorum"]);
    assert!(!is_refusal(&one[0]));
    assert!(q("2").is_empty());
    assert_eq!(rules(&q("two")), ["sentinel/quorum"]);
}

#[test]
fn sentinel_statements_need_their_master() {
    let text = "sentinel down-after-milliseconds m 5000\nsentinel monitor m 10.0.0.1 6379 2\n\
                sentinel failover-timeout other 1000\n";
    let (f, found) = lint_text("sentinel.conf", text);
    assert_eq!(
        located(&f, &found, "redis/invalid-value"),
        vec![(3, 27, "other".to_string())]
    );
    // In a redis.conf (no `sentinel monitor` line, so not detected as Sentinel's).
    let found = conf("port 6379\nsentinel down-after-milliseconds m 5000\n");
    assert_eq!(rules(&found), ["redis/invalid-value"]);
    assert!(is_refusal(&found[0]));
}

#[test]
fn rename_command_follows_the_command_table() {
    assert!(conf("rename-command GET \"\"\nrename-command SET GET\n").is_empty());
    let found = conf("rename-command CONFIG x\nrename-command config y\nrename-command KEYS set\n");
    assert_eq!(rules(&found), ["redis/invalid-value"; 2]);
    assert_eq!(
        rules(&conf("rename-command nosuch x\n")),
        ["redis/invalid-value"]
    );
}

#[test]
fn sentinel_has_its_own_command_table() {
    let monitor = "sentinel monitor m 10.0.0.1 6379 2\n";
    let sentinel = |line: &str| lint_text("sentinel.conf", &format!("{monitor}{line}\n")).1;
    assert_eq!(
        rules(&sentinel("rename-command GET x")),
        ["redis/invalid-value"]
    );
    assert_eq!(rules(&sentinel("user x on +get")), ["redis/invalid-value"]);
    assert!(sentinel("rename-command PING x").is_empty());
    assert!(sentinel("user x on +ping +@read").is_empty());
}

#[test]
fn users_are_checked_and_unique() {
    assert!(conf("user default on nopass ~* &* +@all\nuser ops on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 +@admin\n").is_empty());
    assert_eq!(
        rules(&conf("user a on\nuser a off\n")),
        ["redis/invalid-value"]
    );
    assert_eq!(rules(&conf("user a on +nosuch\n")), ["redis/invalid-value"]);
    assert_eq!(
        rules(&conf("aclfile /etc/users.acl\nuser a on\n")),
        ["redis/invalid-value"]
    );
}

#[test]
fn tls_needs_certificate_key_and_ca() {
    let files = "tls-cert-file /tls/c.pem\ntls-key-file /tls/k.pem\n";
    assert_eq!(rules(&conf("tls-port 6380\n")), ["redis/invalid-value"]);
    assert_eq!(
        rules(&conf(&format!("tls-port 6380\n{files}"))),
        ["redis/invalid-value"]
    );
    assert!(conf(&format!("tls-port 6380\n{files}tls-ca-cert-dir /tls\n")).is_empty());
    assert!(conf(&format!("tls-port 6380\n{files}tls-auth-clients no\n")).is_empty());
    let replication = format!("tls-replication yes\n{files}tls-auth-clients no\n");
    assert_eq!(rules(&conf(&replication)), ["redis/invalid-value"]);
    assert!(conf("tls-port 0\ntls-cert-file /c.pem\n").is_empty());
}

#[test]
fn what_redis_accepts_but_does_not_apply_is_ignored_value_not_a_refusal() {
    for (text, why) in [
        ("hz 1900\n", "hz-clamped"),
        ("hz 0\n", "hz-clamped"),
        ("maxmemory mb\n", "memory-without-digits"),
        ("maxmemory \"\"\n", "memory-without-digits"),
        ("maxmemory 99999999999999999999gb\n", "memory-overflow"),
        ("list-max-ziplist-entries 512\n", "ignored-directive"),
        ("lua-replicate-commands yes\n", "ignored-directive"),
    ] {
        let found = conf(text);
        assert_eq!(rules(&found), ["redis/ignored-value"], "{text}");
        assert_eq!(found[0].severity, crate::diag::Severity::Warning, "{text}");
        assert_eq!(found[0].detail, Some(why), "{text}");
        assert!(!is_refusal(&found[0]), "{text}");
    }
    // What Redis refuses stays invalid-value and a refusal.
    let found = conf("maxmemory 2GiB\n");
    assert_eq!(rules(&found), ["redis/invalid-value"]);
    assert!(is_refusal(&found[0]));
    assert!(conf("hz 500\n").is_empty());
}

#[test]
fn kind_from_name_or_content() {
    assert_eq!(
        detect_kind(Path::new("a/sentinel.conf"), ""),
        ConfKind::Sentinel
    );
    assert_eq!(
        detect_kind(Path::new("sentinel-prod.conf"), ""),
        ConfKind::Sentinel
    );
    assert_eq!(
        detect_kind(Path::new("x.conf"), "port 1\n  SENTINEL Monitor m h 1 2\n"),
        ConfKind::Sentinel
    );
    assert_eq!(
        detect_kind(Path::new("redis.conf"), "port 1\n"),
        ConfKind::Redis
    );
}

#[test]
fn debian_package_configs_have_no_refusal() {
    let redis = include_str!("../../tests/fixtures/redis/debian-redis.conf");
    let sentinel = include_str!("../../tests/fixtures/redis/debian-sentinel.conf");
    let (_, found) = lint_text("/etc/redis/redis.conf", redis);
    assert!(found.iter().all(|f| !is_refusal(f)), "{found:#?}");
    // Debian's file is made for a host: it daemonizes and binds to loopback.
    assert_eq!(rules(&found), ["redis/protected-mode", "redis/daemonize"]);
    let (_, found) = lint_text("/etc/redis/sentinel.conf", sentinel);
    assert_eq!(rules(&found), ["redis/daemonize"]);
    let conf = parse(&SourceMap::new().add("r.conf", redis), ConfKind::Redis);
    assert_eq!(conf.directives.len(), 71);
    assert_eq!(conf.value("port"), Some("6379"));
}

/// The ConfigMap value at `data.<key>` of a YAML file, linted in place.
fn lint_yaml(yaml: &str, key: &str) -> (Arc<SourceFile>, Vec<Finding>) {
    let map = SourceMap::new();
    let f = map.add("configmap.yaml", yaml);
    let parsed = parse_stream(&f, Limits::default());
    let node = parsed.docs[0].path(&["data", key]).expect("key").clone();
    let findings = lint_embedded(&f, &node, ConfKind::Redis);
    (f, findings)
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis\ndata:\n";

#[test]
fn embedded_literal_blocks_report_at_the_yaml_line_and_column() {
    for indicator in ["|", "|-", "|+", "|2"] {
        let yaml = format!(
            "{CM}  redis.conf: {indicator}\n    port 6379\n    # memory\n    maxmemory 2GiB\n\n    appendonly maybe\n  other: x\n"
        );
        let (f, found) = lint_yaml(&yaml, "redis.conf");
        assert_eq!(
            located(&f, &found, "redis/invalid-value"),
            vec![(9, 15, "2GiB".to_string()), (11, 16, "maybe".to_string())],
            "{indicator}"
        );
    }
}

#[test]
fn embedded_blocks_at_any_indentation() {
    let yaml = "items:\n- kind: ConfigMap\n  data:\n    redis.conf: |-\n          daemonize yes\n          maxmemory-polcy x\n";
    let map = SourceMap::new();
    let f = map.add("list.yaml", yaml);
    let parsed = parse_stream(&f, Limits::default());
    let items = parsed.docs[0].get("items").unwrap();
    let crate::yaml::Value::Seq(items) = &items.value else {
        panic!("seq")
    };
    let node = items[0].path(&["data", "redis.conf"]).unwrap();
    let found = lint_embedded(&f, node, ConfKind::Redis);
    assert_eq!(
        located(&f, &found, "redis/daemonize"),
        vec![(5, 21, "yes".to_string())]
    );
    assert_eq!(
        located(&f, &found, "redis/unknown-directive"),
        vec![(6, 11, "maxmemory-polcy".to_string())]
    );
}

#[test]
fn embedded_quoted_scalars_map_their_arguments() {
    let yaml =
        format!("{CM}  redis.conf: \"port 6379\\nmaxmemory 2GiB\\n\"\n  s.conf: 'daemonize yes'\n");
    let (f, found) = lint_yaml(&yaml, "redis.conf");
    assert_eq!(
        located(&f, &found, "redis/invalid-value"),
        vec![(6, 37, "2GiB".to_string())]
    );
    let (f, found) = lint_yaml(&yaml, "s.conf");
    assert_eq!(
        located(&f, &found, "redis/daemonize"),
        vec![(7, 22, "yes".to_string())]
    );
}

proptest! {
    #[test]
    fn linting_never_panics(text in "\\PC*|[a-z \"'\\\\#$%{}\n\t0-9-]*") {
        let (f, found) = lint_text("redis.conf", &text);
        for x in &found {
            prop_assert!(x.primary.end as usize <= f.text.len());
        }
        let sentinel = format!("sentinel monitor m h 1 2\n{text}");
        lint_text("sentinel.conf", &sentinel);
    }

    #[test]
    fn embedding_never_panics(text in "[a-z \"'\\\\#\n\t0-9]*") {
        let yaml = format!("{CM}  redis.conf: {}\n", serde_json::to_string(&text).unwrap());
        let map = SourceMap::new();
        let f = map.add("cm.yaml", yaml);
        let parsed = parse_stream(&f, Limits::default());
        if let Some(node) = parsed.docs.first().and_then(|d| d.path(&["data", "redis.conf"])) {
            for x in lint_embedded(&f, node, ConfKind::Redis) {
                prop_assert!(x.primary.end as usize <= f.text.len());
            }
        }
    }
}

#[test]
fn a_bare_variable_reference_is_not_masked() {
    let text = "requirepass ${REDIS_PASSWORD}\nmasterauth pre${X}\n";
    let map = crate::source::SourceMap::new();
    let f = map.add("redis.conf", text);
    let masked = crate::source::mask(&f.text, f.id, &secret_spans(&parse(&f, ConfKind::Redis)));
    assert!(
        masked.starts_with("requirepass ${REDIS_PASSWORD}\n"),
        "{masked}"
    );
    assert!(masked.ends_with("masterauth *******\n"), "{masked}");
}

#[test]
fn embedded_duplicate_names_the_file_line_of_the_first() {
    // Line 7 of the YAML file is the config's line 1; the message must say 7, not 1.
    let yaml =
        format!("{CM}  redis.conf: |\n    maxmemory 1mb\n    port 6379\n    maxmemory 2mb\n");
    let (f, found) = lint_yaml(&yaml, "redis.conf");
    let dup: Vec<_> = found
        .iter()
        .filter(|x| x.rule == "redis/duplicate-directive")
        .collect();
    assert_eq!(dup.len(), 1, "{found:?}");
    assert_eq!(f.line_col(dup[0].primary.start as usize).line, 9);
    assert!(
        dup[0].message.contains("first on line 7"),
        "{}",
        dup[0].message
    );
    assert_eq!(f.line_col(dup[0].related[0].span.start as usize).line, 7);
}
