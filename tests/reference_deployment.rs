//! The reference deployment (`kustomize/`) really runs.
//!
//! `kubectl kustomize` renders each overlay; every redis.conf and sentinel.conf it renders is
//! prepared by running the init containers' own scripts (see `support_rd::pod`), then started
//! with the real `redis-server` / `redis-server --sentinel`. prod-lab runs as a whole on
//! loopback: three Redis processes, three Sentinels, a failover, the backup job, the restore Pod
//! of `kustomize/README.md`, and the verification job. Everything started is stopped again, also
//! when an assertion fails.
//!
//! Substitutions, because the test runs outside a cluster (each one is printed when made):
//! mount paths become directories of a scratch dir; in the prepared config files `port` becomes
//! a free loopback port per process, `bind` becomes `127.0.0.1`, `dir` its mounted directory,
//! and the cluster DNS names of pods (`replicaof`, `sentinel monitor`, `*announce-ip`) become
//! 127.0.0.1 with the port of the process that plays that pod. A DNS name is only substituted
//! after checking that it names a pod of a StatefulSet through its headless Service in the
//! rendered namespace. The backup job's `REDIS_HOST`/`REDIS_PORT` point at a loopback process.
//! Secrets are a test-only password. In prod-lab the Redis init script asks Sentinel at its
//! cluster DNS name for the primary; that name does not resolve here, so the script falls back
//! to the default topology (pod 0 primary), as on a first deployment.
//!
//! Needs kubectl, redis-server (7.x), redis-cli, redis-check-rdb and a POSIX shell with
//! coreutils and gzip; when one is missing the tests are skipped with a message, or fail under
//! `CI=true`.

mod support_rd;

use grill_lint::source::SourceMap;
use grill_lint::yaml::{self, Limits};
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use support_rd::pod::{Launch, Pod};
use support_rd::render::{self, runs_redis, str_at, Rendered};
use support_rd::server::{cli, free_ports, wait_until, Server};
use support_rd::tools::{require, Scratch};

const PASSWORD: &str = "test-only-password-0123";
const TOOLS: &[&str] = &[
    "kubectl",
    "redis-server",
    "redis-cli",
    "redis-check-rdb",
    "sh",
    "timeout",
    "sha1sum",
    "sha256sum",
    "gzip",
];
const START: Duration = Duration::from_secs(20);
const CONVERGE: Duration = Duration::from_secs(60);
const FAILOVER: Duration = Duration::from_secs(90);
/// Directives each overlay sets for its environment; everything else matches the base.
const PER_ENVIRONMENT: &[&str] = &[
    "maxmemory",
    "appendonly",
    "appendfsync",
    "loglevel",
    "rename-command",
];

fn kustomize_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("kustomize")
}

fn overlay(name: &str) -> PathBuf {
    kustomize_dir().join("overlays").join(name)
}

#[test]
fn dev_lab_runs_one_redis_with_its_config_and_backs_it_up() {
    if !require(
        "dev_lab_runs_one_redis_with_its_config_and_backs_it_up",
        TOOLS,
    ) {
        return;
    }
    let r = render::build(&overlay("dev-lab"));
    assert!(
        r.stateful_sets_running(|a| runs_redis(a, true)).is_empty(),
        "dev-lab must not deploy Sentinel"
    );
    let redis = only(
        r.stateful_sets_running(|a| runs_redis(a, false)),
        "Redis StatefulSet",
    );
    assert_eq!(replicas(redis), 1);
    let scratch = Scratch::new("dev");
    let net = Loopback::new(&r, &[(redis, 1)]);
    let server = start_pod(&r, redis, 0, &net, scratch.path());
    let port = server.port;

    let anonymous = cli(port, None, &["PING"]).unwrap_or_else(|e| e);
    assert!(
        anonymous.contains("NOAUTH"),
        "Redis must require the password: {anonymous}"
    );
    assert_eq!(authed(port, &["PING"]), "PONG");
    assert_eq!(
        authed(port, &["CONFIG", "GET", "maxmemory"]),
        "maxmemory\n402653184"
    );
    assert_eq!(
        authed(port, &["CONFIG", "GET", "appendonly"]),
        "appendonly\nno"
    );
    assert!(authed(port, &["INFO", "replication"]).contains("role:master"));

    assert!(
        r.of_kind("CronJob")
            .all(|c| !str_at(c, "/metadata/name").contains("verif")),
        "dev-lab has no backup verification job"
    );
    authed(port, &["SET", "grill-lint:probe", "42"]);
    run_backup(&r, port, scratch.path());
}

#[test]
fn prod_lab_replicates_fails_over_backs_up_and_restores() {
    if !require(
        "prod_lab_replicates_fails_over_backs_up_and_restores",
        TOOLS,
    ) {
        return;
    }
    let r = render::build(&overlay("prod-lab"));
    let redis = only(
        r.stateful_sets_running(|a| runs_redis(a, false)),
        "Redis StatefulSet",
    );
    let sentinel = only(
        r.stateful_sets_running(|a| runs_redis(a, true)),
        "Sentinel StatefulSet",
    );
    assert_eq!((replicas(redis), replicas(sentinel)), (3, 3));
    let scratch = Scratch::new("prod");
    let net = Loopback::new(&r, &[(redis, 3), (sentinel, 3)]);

    // Ordered like the StatefulSet controller: pod 0 (the primary) first.
    let mut nodes: Vec<Server> = (0..3)
        .map(|i| start_pod(&r, redis, i, &net, scratch.path()))
        .collect();
    let ports: Vec<u16> = nodes.iter().map(|s| s.port).collect();
    for s in &nodes[1..] {
        wait_replicating(s, ports[0]);
    }
    let primary = authed(ports[0], &["INFO", "replication"]);
    assert!(
        primary.contains("role:master") && primary.contains("connected_slaves:2"),
        "{primary}"
    );
    authed(ports[0], &["SET", "grill-lint:probe", "42"]);
    wait_until("the write reaches the replicas", CONVERGE, || {
        ports[1..]
            .iter()
            .try_for_each(|p| expect(authed_try(*p, &["GET", "grill-lint:probe"])?, "42"))
    })
    .unwrap_or_else(|e| panic!("{e}"));

    let renamed = check_dangerous_commands(&r, ports[0]);
    assert_eq!(
        authed(ports[0], &[renamed.as_str(), "GET", "maxmemory"]),
        "maxmemory\n1610612736"
    );
    assert_eq!(
        authed(ports[0], &[renamed.as_str(), "GET", "appendfsync"]),
        "appendfsync\neverysec"
    );

    let sentinels: Vec<Server> = (0..3)
        .map(|i| start_pod(&r, sentinel, i, &net, scratch.path()))
        .collect();
    for s in &sentinels {
        wait_until(
            &format!("{} sees the primary, 2 replicas and 2 Sentinels", s.name),
            CONVERGE,
            || sentinel_agrees(s.port, ports[0]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    // Failover: Sentinel must promote a replica and repoint the other one with the renamed
    // CONFIG (it sends CONFIG REWRITE); without `sentinel rename-command` this step fails.
    nodes[0].kill();
    let promoted = wait_until("Sentinel promotes a replica", FAILOVER, || {
        let addr = cli(
            sentinels[0].port,
            None,
            &["SENTINEL", "get-master-addr-by-name", "mymaster"],
        )?;
        ports[1..]
            .iter()
            .copied()
            .find(|p| addr == format!("127.0.0.1\n{p}"))
            .ok_or(addr)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let other = ports[1..]
        .iter()
        .copied()
        .find(|p| *p != promoted)
        .expect("two replicas");
    wait_until("the promoted replica is a primary", CONVERGE, || {
        expect_contains(
            authed_try(promoted, &["INFO", "replication"])?,
            "role:master",
        )
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let other_node = nodes
        .iter()
        .find(|s| s.port == other)
        .expect("node of the other replica");
    wait_replicating(other_node, promoted);
    assert_eq!(authed(promoted, &["GET", "grill-lint:probe"]), "42");

    run_backup(&r, promoted, scratch.path());
    restore_from_backup(&r, redis, scratch.path());
    run_verification(&r, scratch.path());
    drop(sentinels);
}

#[test]
fn init_containers_refuse_a_password_they_cannot_write_safely() {
    if !require(
        "init_containers_refuse_a_password_they_cannot_write_safely",
        &["kubectl", "sh"],
    ) {
        return;
    }
    let r = render::build(&overlay("dev-lab"));
    let redis = only(
        r.stateful_sets_running(|a| runs_redis(a, false)),
        "Redis StatefulSet",
    );
    let scratch = Scratch::new("badpw");
    let spec = redis.pointer("/spec/template/spec").expect("pod spec");
    let pod = Pod::new(
        &r,
        spec,
        &claim_names(redis),
        "redis-0",
        scratch.path(),
        "two words",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = pod
        .run_init_containers()
        .expect_err("a password with a space must be refused");
    assert!(err.contains("must be non-empty"), "{err}");
}

/// Kustomize cannot merge inside a text block, so each overlay carries complete texts; they must
/// not drift from the base outside the per-environment directives and TTLs.
#[test]
fn overlays_differ_from_the_base_only_in_environment_values() {
    let base = config_texts(&kustomize_dir().join("base/databases/redis-config.yaml"));
    for env in ["dev-lab", "prod-lab"] {
        let ours = config_texts(&overlay(env).join("redis-config.yaml"));
        assert_eq!(
            shared_directives(&ours.0),
            shared_directives(&base.0),
            "{env}: redis.conf differs from the base outside {PER_ENVIRONMENT:?}"
        );
        assert_eq!(
            without_ttls(&ours.1),
            without_ttls(&base.1),
            "{env}: the cache strategy differs from the base in more than TTLs"
        );
    }
}

// ----------------------------------------------------------------------------------------------
// Pods on loopback

/// Which loopback port plays which pod, and the rendered Services that make a DNS name valid.
struct Loopback<'a> {
    rendered: &'a Rendered,
    ports: HashMap<String, u16>,
}

impl<'a> Loopback<'a> {
    /// Gives each of the first `count` pods of each StatefulSet a free port.
    fn new(rendered: &'a Rendered, sets: &[(&Value, usize)]) -> Loopback<'a> {
        let names: Vec<String> = sets
            .iter()
            .flat_map(|(set, count)| (0..*count).map(move |i| pod_name(set, i)))
            .collect();
        let ports = free_ports(names.len());
        Loopback {
            rendered,
            ports: names.into_iter().zip(ports).collect(),
        }
    }

    fn port(&self, pod: &str) -> u16 {
        *self
            .ports
            .get(pod)
            .unwrap_or_else(|| panic!("no loopback port for {pod}"))
    }

    /// The loopback port of the pod a cluster DNS name names, after checking the name: it must
    /// be `<statefulset>-<ordinal>.<its headless service>.<namespace>.svc.cluster.local` with the
    /// Service's port.
    fn resolve(&self, host: &str, port: &str) -> Result<u16, String> {
        let labels: Vec<&str> = host.split('.').collect();
        let [pod, service, namespace, "svc", "cluster", "local"] = labels.as_slice() else {
            return Err(format!(
                "{host} is not a pod DNS name <pod>.<service>.<namespace>.svc.cluster.local"
            ));
        };
        let svc = self
            .rendered
            .find("Service", service)
            .ok_or_else(|| format!("{host}: no Service {service} in the build"))?;
        if str_at(svc, "/spec/clusterIP") != "None"
            || str_at(svc, "/metadata/namespace") != *namespace
        {
            return Err(format!(
                "{host}: {service} is not a headless Service in namespace {namespace}"
            ));
        }
        let port_ok = svc
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .is_some_and(|ps| {
                ps.iter().any(|p| {
                    p.get("port")
                        .and_then(Value::as_i64)
                        .map(|n| n.to_string())
                        .as_deref()
                        == Some(port)
                })
            });
        let owner = self.rendered.of_kind("StatefulSet").find(|s| {
            str_at(s, "/spec/serviceName") == *service
                && pod
                    .strip_prefix(str_at(s, "/metadata/name"))
                    .and_then(|r| r.strip_prefix('-'))
                    .and_then(|o| o.parse::<usize>().ok())
                    .is_some_and(|o| o < replicas(s))
        });
        if !port_ok || owner.is_none() {
            return Err(format!(
                "{host}:{port} is no pod of a StatefulSet behind {service} on that port"
            ));
        }
        Ok(self.port(pod))
    }

    /// The config file with cluster addresses, ports and paths replaced for this machine.
    fn rewrite(&self, conf: &str, own_port: u16, launch: &Launch) -> Result<String, String> {
        let mut out = String::with_capacity(conf.len());
        for line in conf.lines() {
            let t: Vec<&str> = line.split_whitespace().collect();
            let new = match t.as_slice() {
                ["port", _] => format!("port {own_port}"),
                ["bind", ..] => "bind 127.0.0.1".to_owned(),
                ["dir", path] => {
                    let host = launch
                        .host_path(path)
                        .ok_or_else(|| format!("dir {path} is on no volume"))?;
                    format!("dir {host}")
                }
                ["replicaof", host, port] if *host != "no" => {
                    format!("replicaof 127.0.0.1 {}", self.resolve(host, port)?)
                }
                ["replica-announce-ip", _] => "replica-announce-ip 127.0.0.1".to_owned(),
                ["sentinel", "announce-ip", _] => "sentinel announce-ip 127.0.0.1".to_owned(),
                ["sentinel", "monitor", name, host, port, quorum] => {
                    format!(
                        "sentinel monitor {name} 127.0.0.1 {} {quorum}",
                        self.resolve(host, port)?
                    )
                }
                _ => line.to_owned(),
            };
            if new != line {
                eprintln!("loopback substitution: `{line}` -> `{new}`");
            }
            out.push_str(&new);
            out.push('\n');
        }
        Ok(out)
    }
}

/// Prepares pod `ordinal` of `set` like its init containers do, starts its first container and
/// waits until it is ready (Redis: "Ready to accept connections"; Sentinel: it monitors).
fn start_pod(r: &Rendered, set: &Value, ordinal: usize, net: &Loopback, scratch: &Path) -> Server {
    let name = pod_name(set, ordinal);
    let spec = set
        .pointer("/spec/template/spec")
        .expect("StatefulSet pod spec");
    let root = scratch.join(&name);
    let prepare = || -> Result<Launch, String> {
        let pod = Pod::new(r, spec, &claim_names(set), &name, &root, PASSWORD)?;
        pod.run_init_containers()?;
        let main = render::containers(spec, "containers")
            .first()
            .ok_or("no container")?;
        let launch = pod.launch(str_at(main, "/name"), &[])?;
        let conf = PathBuf::from(
            launch
                .argv
                .get(1)
                .ok_or("redis-server without a config file")?,
        );
        let text = fs::read_to_string(&conf).map_err(|e| format!("{}: {e}", conf.display()))?;
        fs::write(&conf, net.rewrite(&text, net.port(&name), &launch)?)
            .map_err(|e| format!("{}: {e}", conf.display()))?;
        Ok(launch)
    };
    let launch = prepare().unwrap_or_else(|e| panic!("prepare {name}: {e}"));
    let sentinel = runs_redis(&launch.argv, true);
    let cmd = launch.command().unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut server = Server::start(&name, net.port(&name), cmd, root.join("server.log"));
    let ready = if sentinel {
        "+monitor master"
    } else {
        "ready to accept connections"
    };
    server
        .wait_for_log(ready, START)
        .unwrap_or_else(|e| panic!("{e}"));
    server
}

fn wait_replicating(replica: &Server, primary: u16) {
    wait_until(
        &format!("{} replicates from {primary}", replica.name),
        CONVERGE,
        || {
            let info = authed_try(replica.port, &["INFO", "replication"])?;
            expect_contains(info.clone(), "master_link_status:up")?;
            expect_contains(info, &format!("master_port:{primary}"))
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// One Sentinel's view: the primary's address, 2 replicas, 2 other Sentinels, quorum reachable.
fn sentinel_agrees(port: u16, primary: u16) -> Result<(), String> {
    expect(
        cli(
            port,
            None,
            &["SENTINEL", "get-master-addr-by-name", "mymaster"],
        )?,
        &format!("127.0.0.1\n{primary}"),
    )?;
    let master = cli(port, None, &["SENTINEL", "master", "mymaster"])?;
    let fields: Vec<&str> = master.lines().collect();
    let field = |k: &str| {
        fields
            .chunks(2)
            .find(|c| c[0] == k)
            .and_then(|c| c.get(1))
            .copied()
    };
    if field("num-slaves") != Some("2") || field("num-other-sentinels") != Some("2") {
        return Err(format!("SENTINEL master mymaster: {master}"));
    }
    let sentinels = cli(port, None, &["SENTINEL", "sentinels", "mymaster"])?;
    expect_contains(sentinels.clone(), "127.0.0.1")
        .map_err(|_| format!("SENTINEL sentinels: {sentinels}"))?;
    expect_contains(
        cli(port, None, &["SENTINEL", "ckquorum", "mymaster"])?,
        "OK",
    )
}

/// prod-lab removes FLUSHALL FLUSHDB KEYS DEBUG SHUTDOWN and renames CONFIG; the exporter and
/// Sentinel use the same new name. Returns it.
fn check_dangerous_commands(r: &Rendered, port: u16) -> String {
    for cmd in [
        &["FLUSHALL"][..],
        &["FLUSHDB"],
        &["KEYS", "*"],
        &["DEBUG", "SLEEP", "0"],
        &["SHUTDOWN", "NOSAVE"],
        &["CONFIG", "GET", "maxmemory"],
    ] {
        let reply = cli(port, Some(PASSWORD), cmd).unwrap_or_else(|e| e);
        assert!(
            reply.contains("unknown command"),
            "{cmd:?} must be disabled: {reply}"
        );
    }
    let conf = data_str(r, "redis-config", "redis.conf");
    let renamed = conf
        .lines()
        .find_map(
            |l| match l.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["rename-command", "CONFIG", new] => Some((*new).to_owned()),
                _ => None,
            },
        )
        .expect("prod-lab renames CONFIG");
    let sentinel_conf = data_str(r, "redis-sentinel-config", "sentinel.conf");
    assert!(
        sentinel_conf.contains(&format!(
            "sentinel rename-command mymaster CONFIG {renamed}"
        )),
        "Sentinel must know the new name of CONFIG"
    );
    let exporter = r
        .find("Deployment", "redis-exporter")
        .expect("redis-exporter Deployment");
    let env = exporter
        .pointer("/spec/template/spec/containers/0/env")
        .and_then(Value::as_array)
        .expect("exporter env");
    assert!(
        env.iter()
            .any(|e| str_at(e, "/name") == "REDIS_EXPORTER_CONFIG_COMMAND"
                && str_at(e, "/value") == renamed),
        "redis_exporter must read the configuration with the new name of CONFIG"
    );
    renamed
}

// ----------------------------------------------------------------------------------------------
// Backup jobs, run here against a loopback Redis

/// Runs the backup CronJob's container once against `port`; checks the result and retention.
fn run_backup(r: &Rendered, port: u16, scratch: &Path) {
    let job = r
        .of_kind("CronJob")
        .find(|c| {
            let n = str_at(c, "/metadata/name");
            n.contains("backup") && !n.contains("verif")
        })
        .expect("a backup CronJob");
    let port = port.to_string();
    let launch = job_launch(
        r,
        job,
        scratch,
        &[("REDIS_HOST", "127.0.0.1"), ("REDIS_PORT", &port)],
    );
    let dir = PathBuf::from(env_of(&launch, "BACKUP_DIR"));
    let days: u64 = env_of(&launch, "BACKUP_RETENTION_DAYS")
        .parse()
        .expect("retention in days");
    let day = Duration::from_secs(24 * 3600);
    let expired = dir.join("redis-20000101T000000Z.rdb.gz");
    let kept = dir.join("redis-20000102T000000Z.rdb.gz");
    aged_file(&expired, day * (days as u32) + Duration::from_secs(3600));
    aged_file(&kept, day * (days as u32 - 1));

    let out = launch
        .run_to_completion(Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("backup job: {e}"));
    assert!(
        !expired.exists(),
        "a backup older than {days} days must be deleted:\n{out}"
    );
    assert!(
        kept.exists(),
        "a backup younger than {days} days must be kept:\n{out}"
    );
    fs::remove_file(&kept).expect("remove the planted backup");

    let gz = newest(&dir, ".rdb.gz").unwrap_or_else(|| panic!("no backup written:\n{out}"));
    let meta =
        fs::read_to_string(gz.with_extension("").with_extension("json")).expect("backup metadata");
    let meta: Value = serde_json::from_str(&meta).expect("metadata is JSON");
    let digest = std::process::Command::new("sha256sum")
        .arg(&gz)
        .output()
        .expect("sha256sum");
    let digest = String::from_utf8_lossy(&digest.stdout);
    assert_eq!(
        Some(str_at(&meta, "/sha256")),
        digest.split_whitespace().next(),
        "{meta}"
    );
}

/// Runs the restore Pod of `kustomize/README.md` on the newest backup into an empty data volume,
/// then starts pod 0 of `set` on that volume: it must find the data and have AOF on.
fn restore_from_backup(r: &Rendered, set: &Value, scratch: &Path) {
    let restored = scratch.join("restored");
    let node = restored.join(pod_name(set, 0));
    let manifest = readme_restore_pod();
    let spec = manifest.pointer("/spec").expect("restore Pod spec");
    let pod = Pod::new(r, spec, &[], "redis-restore", &node, PASSWORD)
        .unwrap_or_else(|e| panic!("restore pod: {e}"));
    let container = render::containers(spec, "containers")
        .first()
        .expect("a container");
    let launch = pod
        .launch(str_at(container, "/name"), &[])
        .unwrap_or_else(|e| panic!("restore pod: {e}"));
    let backups = scratch.join("jobs").join("volumes").join("backup");
    let gz = newest(&backups, ".rdb.gz").expect("a backup to restore");
    let target = launch
        .host_path("/backup")
        .expect("restore pod mounts /backup");
    fs::copy(
        &gz,
        Path::new(&target).join(gz.file_name().expect("file name")),
    )
    .expect("put the backup on the restore pod's claim");
    let out = launch
        .run_to_completion(Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("restore pod: {e}"));
    assert!(out.contains("restored into"), "{out}");

    let net = Loopback::new(r, &[(set, 1)]);
    let server = start_pod(r, set, 0, &net, &restored);
    assert_eq!(authed(server.port, &["GET", "grill-lint:probe"]), "42");
    let persistence = authed(server.port, &["INFO", "persistence"]);
    assert!(persistence.contains("aof_enabled:1"), "{persistence}");
}

/// The restore Pod manifest of `kustomize/README.md` (the YAML block after its marker).
fn readme_restore_pod() -> Value {
    let path = kustomize_dir().join("README.md");
    let text = fs::read_to_string(&path).expect("read kustomize/README.md");
    let block = text
        .split_once("<!-- restore-pod:")
        .and_then(|(_, rest)| rest.split_once("```yaml\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(yaml, _)| yaml.to_owned())
        .expect("kustomize/README.md has the restore-pod YAML block");
    let map = SourceMap::new();
    let file = map.add(path, block);
    let parsed = yaml::parse_stream(&file, Limits::default());
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    parsed.docs.first().map(|d| d.to_json()).expect("a Pod")
}

/// Runs the verification CronJob once: it must pass on the fresh backup and fail on a damaged one.
fn run_verification(r: &Rendered, scratch: &Path) {
    let job = r
        .of_kind("CronJob")
        .find(|c| str_at(c, "/metadata/name").contains("verif"))
        .expect("a verification CronJob");
    let launch = job_launch(r, job, scratch, &[]);
    let out = launch
        .run_to_completion(Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("verification job: {e}"));
    assert!(out.contains("verified"), "{out}");

    let gz = newest(Path::new(&env_of(&launch, "BACKUP_DIR")), ".rdb.gz").expect("a backup");
    let mut bytes = fs::read(&gz).expect("read backup");
    if let Some(b) = bytes.get_mut(20) {
        *b ^= 0xff;
    }
    fs::write(&gz, bytes).expect("damage backup");
    let err = launch
        .run_to_completion(Duration::from_secs(60))
        .expect_err("a damaged backup must fail verification");
    assert!(err.contains("sha256"), "{err}");
}

/// The first container of a CronJob's pod, on a "node" dir shared by all jobs (so they share
/// the backup claim, as in the cluster).
fn job_launch(r: &Rendered, job: &Value, scratch: &Path, overrides: &[(&str, &str)]) -> Launch {
    let spec = job
        .pointer("/spec/jobTemplate/spec/template/spec")
        .expect("job pod spec");
    let name = str_at(job, "/metadata/name");
    let pod = Pod::new(
        r,
        spec,
        &[],
        &format!("{name}-manual"),
        &scratch.join("jobs"),
        PASSWORD,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let container = render::containers(spec, "containers")
        .first()
        .expect("a container");
    pod.launch(str_at(container, "/name"), overrides)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn aged_file(path: &Path, age: Duration) {
    let f = fs::File::create(path).expect("plant an old backup");
    f.set_modified(SystemTime::now() - age).expect("set mtime");
}

fn newest(dir: &Path, suffix: &str) -> Option<PathBuf> {
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.to_string_lossy().ends_with(suffix)
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .max_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok())
}

// ----------------------------------------------------------------------------------------------
// Small helpers

fn only<'a>(mut found: Vec<&'a Value>, what: &str) -> &'a Value {
    assert_eq!(found.len(), 1, "expected exactly one {what}");
    found.remove(0)
}

fn replicas(set: &Value) -> usize {
    set.pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .unwrap_or(1) as usize
}

fn pod_name(set: &Value, ordinal: usize) -> String {
    format!("{}-{ordinal}", str_at(set, "/metadata/name"))
}

fn claim_names(set: &Value) -> Vec<String> {
    set.pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| str_at(t, "/metadata/name").to_owned())
        .collect()
}

fn env_of(launch: &Launch, key: &str) -> String {
    launch
        .env
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("the container sets no {key}"))
}

fn data_str(r: &Rendered, config_map: &str, key: &str) -> String {
    r.config_map_data(config_map)
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("ConfigMap {config_map} has no {key}"))
        .to_owned()
}

fn authed(port: u16, args: &[&str]) -> String {
    authed_try(port, args).unwrap_or_else(|e| panic!("{e}"))
}

fn authed_try(port: u16, args: &[&str]) -> Result<String, String> {
    cli(port, Some(PASSWORD), args)
}

fn expect(got: String, want: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("got {got:?}, want {want:?}"))
    }
}

fn expect_contains(got: String, want: &str) -> Result<(), String> {
    if got.contains(want) {
        Ok(())
    } else {
        Err(format!("{want:?} not in {got:?}"))
    }
}

/// `data.redis.conf` and `data.cache-strategy.json` of a ConfigMap source file.
fn config_texts(path: &Path) -> (String, Value) {
    let map = SourceMap::new();
    let file = map
        .load(path)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    let parsed = yaml::parse_stream(&file, Limits::default());
    assert!(
        parsed.findings.is_empty(),
        "{}: {:?}",
        path.display(),
        parsed.findings
    );
    let doc = parsed
        .docs
        .first()
        .unwrap_or_else(|| panic!("{} is empty", path.display()));
    let text = |key: &str| {
        doc.str_at(&["data", key])
            .unwrap_or_else(|| panic!("{}: no data.{key}", path.display()))
            .to_owned()
    };
    let json = serde_json::from_str(&text("cache-strategy.json"))
        .unwrap_or_else(|e| panic!("{}: cache-strategy.json: {e}", path.display()));
    (text("redis.conf"), json)
}

/// The directive lines of a redis.conf that are not per-environment, in order.
fn shared_directives(conf: &str) -> Vec<String> {
    conf.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| {
            let name = l.split_whitespace().next().unwrap_or("").to_lowercase();
            !PER_ENVIRONMENT.contains(&name.as_str())
        })
        .map(str::to_owned)
        .collect()
}

fn without_ttls(strategy: &Value) -> Value {
    let mut v = strategy.clone();
    if let Some(types) = v.as_object_mut() {
        for t in types.values_mut() {
            if let Some(o) = t.as_object_mut() {
                o.remove("ttl");
            }
        }
    }
    v
}
