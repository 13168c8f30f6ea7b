//! The deployment model on the bundled reference deployment: what it finds by following
//! references, checked against what the manifests say.

use grill_lint::model::{Deployment, RefKind, Role};
use grill_lint::redis::ConfKind;
use grill_lint::source::SourceMap;
use std::path::Path;

fn overlay(name: &str) -> (SourceMap, grill_lint::kustomize::Build) {
    let map = SourceMap::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("kustomize/overlays")
        .join(name);
    let build = grill_lint::kustomize::build(&dir, &map);
    assert!(!build.failed, "{name} builds");
    (map, build)
}

#[test]
fn prod_traces_redis_and_sentinel_through_their_init_containers() {
    let (map, build) = overlay("prod-lab");
    let d = Deployment::new(&build.resources, Some("prod-lab"), true, &map);
    let redis: Vec<_> = d.redis().collect();
    let sentinels: Vec<_> = d.sentinels().collect();
    assert_eq!(redis.len(), 1, "one Redis server container");
    assert_eq!(sentinels.len(), 1, "one Sentinel container");
    assert_eq!(d.workload_of(redis[0]).name, "redis");
    assert_eq!(d.workload_of(redis[0]).replica_count(), 3);
    assert_eq!(d.workload_of(sentinels[0]).replica_count(), 3);

    let conf = d.config_of(redis[0]).expect("redis.conf traced");
    assert_eq!(conf.kind, ConfKind::Redis);
    assert_eq!(conf.source.name, "redis-config");
    assert_eq!(conf.source.key, "redis.conf");
    assert!(!conf.read_only && !conf.guessed);
    assert_eq!(conf.value("maxmemory"), Some("1536mb"));
    // Appended by the init container: the password line, and replicaof only on non-first pods.
    assert!(conf.has("requirepass"));
    assert_eq!(conf.value("requirepass"), Some("${REDIS_PASSWORD}"));
    assert!(conf
        .appended
        .iter()
        .any(|a| a.directive.name == "replicaof" && a.conditional));
    let file = map.get(conf.source.value_span.file);
    assert!(file.path.ends_with("overlays/prod-lab/redis-config.yaml"));
    // The chain names the mount, the volume, and the copying script line.
    assert!(conf.chain.len() >= 3, "{:?}", conf.chain);
    let copy = conf.chain.last().unwrap();
    let base = map.get(copy.span.file);
    assert!(
        base.slice(copy.span)
            .starts_with("cp /etc/redis-template/redis.conf"),
        "{}",
        base.slice(copy.span)
    );
    // An appended directive points at its text inside the script.
    let rp = conf.get("requirepass").unwrap();
    assert_eq!(base.slice(rp.name_span), "requirepass");

    let s = d.config_of(sentinels[0]).expect("sentinel.conf traced");
    assert_eq!(s.kind, ConfKind::Sentinel);
    assert!(
        s.sentinel("auth-pass").next().is_some(),
        "auth-pass is appended"
    );
    assert!(s.sentinel("monitor").next().is_some());

    // Every reference resolves, except the Secret created out of band.
    let dangling: Vec<_> = d.references.iter().filter(|r| !r.resolved).collect();
    assert!(
        dangling
            .iter()
            .all(|r| matches!(r.kind, RefKind::Secret | RefKind::SecretKey)
                && r.name == "redis-auth"),
        "{dangling:#?}"
    );
    assert!(d
        .references
        .iter()
        .any(|r| r.kind == RefKind::MonitorHost && r.resolved));
    assert!(d
        .workloads
        .iter()
        .flat_map(|w| &w.containers)
        .any(|c| c.role == Role::Exporter));
}

#[test]
fn dev_has_redis_and_no_sentinel() {
    let (map, build) = overlay("dev-lab");
    let d = Deployment::new(&build.resources, Some("dev-lab"), true, &map);
    assert_eq!(d.redis().count(), 1);
    assert_eq!(d.sentinels().count(), 0);
    let conf = d.config_of(d.redis().next().unwrap()).unwrap();
    assert_eq!(conf.value("maxmemory"), Some("384mb"));
}

#[test]
fn a_conf_key_no_redis_process_reads_is_not_a_redis_conf() {
    let map = SourceMap::new();
    let dir = std::env::temp_dir().join(format!("grill-model-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kustomization.yaml"), "resources: [pg.yaml]\n").unwrap();
    std::fs::write(
        dir.join("pg.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pg\ndata:\n  postgresql.conf: |\n    max_connections = 100 # a comment\n    shared_buffers = 128MB\n",
    )
    .unwrap();
    let build = grill_lint::kustomize::build(&dir, &map);
    let d = Deployment::new(&build.resources, None, true, &map);
    assert!(d.configs.is_empty() && d.processes.is_empty());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grill-lint"))
        .args(["--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("\"redis/"),
        "postgresql.conf was read as a redis.conf: {text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
