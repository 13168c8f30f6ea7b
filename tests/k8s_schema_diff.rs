//! Differential test of `k8s/schema`'s JSON Schema verdict against `kubernetes-validate
//! --strict` (the PyPI package whose schema data grill-lint bundles), run on generated objects.
//!
//! A seeded generator starts from a valid object of every bundled built-in kind (the custom
//! resources are left out: kubernetes-validate has no schema for them and passes them
//! unchecked) and, for most objects, mutates it once or twice: a typo in a field name at any
//! depth, a value of another JSON type, a removed field (often a required one), an added unknown
//! field. Every object goes through both validators; the verdicts (valid or not) must be equal,
//! and when kubernetes-validate reports an error its path must lead to one of grill-lint's.
//! API-server checks beyond the schema (`detail = "api"`) are not part of the comparison; the
//! unmutated templates must pass them too.
//!
//! The oracle is installed from PyPI into a virtual environment under the system temp directory
//! (`python3 -m venv`, reused by later runs once complete). Without python3, venv or pip the
//! test skips loudly, and fails under `CI=true`.
//!
//! Environment: `GRILL_SCHEMA_SEED` fixes the seed (printed on every run),
//! `GRILL_SCHEMA_OBJECTS` the count (default 600).

mod common;

use grill_lint::k8s::schema;
use grill_lint::source::SourceMap;
use grill_lint::yaml::{parse_stream, Limits};
use serde_json::{json, Value as J};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const KV_VERSION: &str = "1.37.0";
const K8S_VERSION: &str = "1.32";
const DEFAULT_OBJECTS: usize = 600;
/// Oracle processes run side by side (the machine has two cores).
const BATCHES: usize = 2;

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

fn pod_spec(rich: bool) -> J {
    let mut c = json!({
        "name": "redis",
        "image": "redis:7.2.5",
        "ports": [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}],
    });
    if rich {
        c["imagePullPolicy"] = json!("IfNotPresent");
        c["command"] = json!(["redis-server", "/etc/redis/redis.conf"]);
        c["env"] = json!([
            {"name": "REDIS_PORT", "value": "6379"},
            {"name": "REDIS_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "redis-auth", "key": "password"}}}
        ]);
        c["resources"] =
            json!({"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}});
        c["securityContext"] = json!({
            "runAsUser": 999, "runAsGroup": 999, "runAsNonRoot": true,
            "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}
        });
        c["livenessProbe"] =
            json!({"tcpSocket": {"port": "redis"}, "initialDelaySeconds": 10, "periodSeconds": 5});
        c["readinessProbe"] =
            json!({"exec": {"command": ["redis-cli", "ping"]}, "timeoutSeconds": 2});
        c["volumeMounts"] =
            json!([{"name": "config", "mountPath": "/etc/redis", "readOnly": true}]);
    }
    let mut spec = json!({"containers": [c]});
    if rich {
        spec["securityContext"] =
            json!({"fsGroup": 999, "seccompProfile": {"type": "RuntimeDefault"}});
        spec["volumes"] =
            json!([{"name": "config", "configMap": {"name": "redis-config", "defaultMode": 420}}]);
        spec["terminationGracePeriodSeconds"] = json!(30);
        spec["nodeSelector"] = json!({"kubernetes.io/os": "linux"});
        spec["tolerations"] = json!([{"key": "dedicated", "operator": "Equal", "value": "redis", "effect": "NoSchedule"}]);
        spec["affinity"] = json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
             "labelSelector": {"matchLabels": {"app": "redis"}}}}]}});
    }
    spec
}

fn template(rich: bool) -> J {
    json!({"metadata": {"labels": {"app": "redis"}}, "spec": pod_spec(rich)})
}

/// A valid object of every bundled built-in kind.
fn templates() -> Vec<J> {
    let sel = json!({"matchLabels": {"app": "redis"}});
    let meta = json!({"name": "x", "namespace": "grill-stats", "labels": {"app.kubernetes.io/name": "redis"}, "annotations": {"note": "generated"}});
    let mut job_pod = template(true);
    job_pod["spec"]["restartPolicy"] = json!("OnFailure");
    let objs = vec![
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta,
               "spec": {"type": "ClusterIP", "selector": {"app": "redis"}, "sessionAffinity": "None",
                        "ports": [{"name": "redis", "port": 6379, "targetPort": "redis", "protocol": "TCP"},
                                  {"name": "sentinel", "port": 26379, "targetPort": 26379}]}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
               "data": {"redis.conf": "maxmemory 256mb\n", "mode": "cache"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque",
               "stringData": {"password": "not-a-real-password"}, "data": {"user": "ZGVmYXVsdA=="}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
               "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                        "resources": {"requests": {"storage": "1Gi"}}}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "x"},
               "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                        "persistentVolumeReclaimPolicy": "Retain", "hostPath": {"path": "/data/redis"}}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta, "automountServiceAccountToken": false}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": {"team": "grill"}}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec(true)}),
        json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": meta,
               "spec": {"limits": [{"type": "Container", "default": {"memory": "512Mi"}, "defaultRequest": {"cpu": "100m"}}]}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta,
               "spec": {"hard": {"requests.memory": "4Gi", "pods": "20"}}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
               "spec": {"serviceName": "redis", "replicas": 3, "selector": sel, "template": template(true),
                        "podManagementPolicy": "OrderedReady",
                        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                        "volumeClaimTemplates": [{"metadata": {"name": "data"},
                            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}}]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
               "spec": {"replicas": 1, "selector": sel, "template": template(true),
                        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                        "revisionHistoryLimit": 3}}),
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
               "spec": {"selector": sel, "template": template(false)}}),
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
               "spec": {"replicas": 2, "selector": sel, "template": template(false)}}),
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
               "spec": {"backoffLimit": 2, "ttlSecondsAfterFinished": 600, "template": job_pod.clone()}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
               "spec": {"schedule": "0 2 * * *", "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid",
                        "successfulJobsHistoryLimit": 3,
                        "jobTemplate": {"spec": {"backoffLimit": 1, "template": job_pod}}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
               "spec": {"podSelector": sel, "policyTypes": ["Ingress", "Egress"],
                        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "grill-stats"}}},
                                              {"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["monitoring"]}]}}],
                                     "ports": [{"port": 6379, "protocol": "TCP"}, {"port": "redis"}]}],
                        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                                    "ports": [{"port": 53, "protocol": "UDP", "endPort": 54}]}]}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta,
               "spec": {"ingressClassName": "nginx",
                        "rules": [{"host": "redis.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                            "backend": {"service": {"name": "redis", "port": {"number": 6379}}}}]}}]}}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta,
               "spec": {"minAvailable": 2, "selector": sel}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta,
               "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta,
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "redis"},
               "subjects": [{"kind": "ServiceAccount", "name": "redis", "namespace": "grill-stats"}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "x"},
               "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "x"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "redis"},
               "subjects": [{"kind": "ServiceAccount", "name": "redis", "namespace": "grill-stats"}]}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
               "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "app"},
                        "minReplicas": 1, "maxReplicas": 4,
                        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "x"},
               "value": 1000, "globalDefault": false, "description": "Redis"}),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "x"},
               "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer",
               "reclaimPolicy": "Retain", "parameters": {"type": "ssd"}}),
    ];
    objs
}

/// Every JSON pointer below `v` (as segment lists), except the identity of the object.
fn pointers(v: &J, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let protected = matches!(
        at.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        ["apiVersion"] | ["kind"] | ["metadata"] | ["metadata", "name"]
    );
    if !at.is_empty() && !protected {
        out.push(at.clone());
    }
    match v {
        J::Object(m) => {
            for (k, x) in m {
                at.push(k.clone());
                pointers(x, at, out);
                at.pop();
            }
        }
        J::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(i.to_string());
                pointers(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn parent_mut<'a>(v: &'a mut J, path: &[String]) -> Option<&'a mut J> {
    let mut cur = v;
    for seg in &path[..path.len() - 1] {
        cur = match cur {
            J::Object(m) => m.get_mut(seg)?,
            J::Array(a) => a.get_mut(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn typo(rng: &mut Rng, key: &str) -> String {
    let mut c: Vec<char> = key.chars().collect();
    if c.is_empty() {
        return "x".into();
    }
    let i = rng.below(c.len());
    match rng.below(5) {
        0 => {
            c[i] = if c[i].is_uppercase() {
                c[i].to_ascii_lowercase()
            } else {
                c[i].to_ascii_uppercase()
            }
        }
        1 if c.len() > 1 => {
            c.remove(i);
        }
        2 => c.insert(i, c[i]),
        3 if i + 1 < c.len() => c.swap(i, i + 1),
        _ => c.push('s'),
    }
    c.into_iter().collect()
}

fn other_type(rng: &mut Rng, v: &J) -> J {
    let options: Vec<J> = vec![
        json!("12"),
        json!("text"),
        json!(7),
        json!(true),
        json!(2.5),
        json!({"a": "b"}),
        json!(["x"]),
        J::Null,
    ];
    loop {
        let o = options[rng.below(options.len())].clone();
        let same = std::mem::discriminant(&o) == std::mem::discriminant(v)
            && !(o.is_number() && v.is_number() && o.is_f64() != v.is_f64());
        if !same {
            return o;
        }
    }
}

/// One mutation; `None` when the chosen spot did not allow it.
fn mutate(rng: &mut Rng, obj: &mut J) -> Option<String> {
    let mut all = Vec::new();
    pointers(obj, &mut Vec::new(), &mut all);
    let path = all.get(rng.below(all.len()))?.clone();
    let last = path.last()?.clone();
    let parent = parent_mut(obj, &path)?;
    let what = rng.below(4);
    match (what, parent) {
        (0, J::Object(m)) => {
            let new = typo(rng, &last);
            if m.contains_key(&new) {
                return None;
            }
            let v = m.shift_remove(&last)?;
            m.insert(new.clone(), v);
            Some(format!("renamed /{} to `{new}`", path.join("/")))
        }
        (1, J::Object(m)) => {
            m.shift_remove(&last)?;
            Some(format!("removed /{}", path.join("/")))
        }
        (2, J::Object(m)) => {
            m.insert("extraField".into(), json!(1));
            Some(format!("added extraField beside /{}", path.join("/")))
        }
        (_, parent) => {
            let slot = match parent {
                J::Object(m) => m.get_mut(&last)?,
                J::Array(a) => a.get_mut(last.parse::<usize>().ok()?)?,
                _ => return None,
            };
            let new = other_type(rng, slot);
            let d = format!("/{}: {slot} -> {new}", path.join("/"));
            *slot = new;
            Some(d)
        }
    }
}

struct Case {
    obj: J,
    mutations: Vec<String>,
}

fn generate(seed: u64, n: usize) -> Vec<Case> {
    let base = templates();
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let mut obj = base[i % base.len()].clone();
            obj["metadata"]["name"] = json!(format!("o-{i}"));
            let mut mutations = Vec::new();
            if !rng.chance(20) {
                let want = 1 + rng.below(2);
                let mut tries = 0;
                while mutations.len() < want && tries < 20 {
                    tries += 1;
                    if let Some(m) = mutate(&mut rng, &mut obj) {
                        mutations.push(m);
                    }
                }
            }
            Case { obj, mutations }
        })
        .collect()
}

/// grill-lint's schema errors as dotted paths (kubernetes-validate's notation), or the parse
/// problem.
fn ours(text: &str) -> Result<Vec<(String, String)>, String> {
    let map = SourceMap::new();
    let file = map.add("o.json", text);
    let parsed = parse_stream(&file, Limits::default());
    if let Some(f) = parsed.findings.first() {
        return Err(f.message.clone());
    }
    let bundle = schema::bundle(K8S_VERSION).expect("bundled");
    let errors = schema::validate(bundle, &parsed.docs[0]).ok_or("no schema for the object")?;
    Ok(errors
        .into_iter()
        .filter(|e| e.kind.is_schema())
        .map(|e| {
            let dotted = e
                .pointer
                .split('/')
                .skip(1)
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect::<Vec<_>>()
                .join(".");
            (dotted, e.message)
        })
        .collect())
}

fn api_findings(text: &str) -> Vec<String> {
    let map = SourceMap::new();
    let file = map.add("o.json", text);
    let parsed = parse_stream(&file, Limits::default());
    let mut out = Vec::new();
    let bundle =
        grill_lint::k8s::schema::bundle(grill_lint::k8s::schema::configured_version().unwrap())
            .unwrap();
    grill_lint::k8s::check_object(bundle, &parsed.docs[0], &mut out);
    out.into_iter().map(|f| f.message).collect()
}

#[test]
fn templates_are_valid_for_both_layers() {
    for t in templates() {
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(ours(&text).map(|e| e.len()), Ok(0), "{text}");
        assert_eq!(api_findings(&text), Vec::<String>::new(), "{text}");
    }
    // One template per bundled built-in kind.
    let bundle = schema::bundle(K8S_VERSION).unwrap();
    let mut missing: Vec<&str> = bundle
        .kinds()
        .filter(|k| !k.starts_with("monitoring.coreos.com/"))
        .filter(|k| {
            !templates().iter().any(|t| {
                format!(
                    "{}/{}",
                    t["apiVersion"].as_str().unwrap(),
                    t["kind"].as_str().unwrap()
                ) == *k
            })
        })
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "kinds without a template: {missing:?}");
}

#[test]
fn the_generator_makes_invalid_objects_too() {
    let cases = generate(7, 200);
    let invalid = cases
        .iter()
        .filter(|c| {
            !ours(&serde_json::to_string(&c.obj).unwrap())
                .unwrap()
                .is_empty()
        })
        .count();
    assert!((60..190).contains(&invalid), "{invalid} of 200 invalid");
}

fn skip_or_fail(why: &str) {
    if common::in_ci() {
        panic!("k8s_schema_diff: {why} (CI=true: this test must run in CI)");
    }
    eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!! SKIPPED k8s_schema_diff: {why}");
    eprintln!("!! (set CI=true to turn this skip into a failure)");
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
}

/// kubernetes-validate in a virtual environment, installed on first use.
fn oracle() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("grill-lint-kubernetes-validate-{KV_VERSION}"));
    let exe = dir.join("bin/kubernetes-validate");
    let ready = dir.join(".grill-lint-ready");
    if ready.is_file() && exe.is_file() {
        return Ok(exe);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let run = |cmd: &mut Command, what: &str| -> Result<(), String> {
        let out = cmd
            .output()
            .map_err(|e| format!("{what}: cannot run: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{what} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&dir),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    )?;
    run(
        Command::new(dir.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("kubernetes-validate=={KV_VERSION}"),
        ]),
        "pip install kubernetes-validate",
    )?;
    std::fs::write(&ready, "").map_err(|e| e.to_string())?;
    Ok(exe)
}

/// Object name → (dotted path, message) of the error kubernetes-validate reports for it.
type OracleErrors = HashMap<String, (String, String)>;

/// Runs the oracle on one batch file.
fn run_oracle(exe: &Path, file: &Path) -> Result<OracleErrors, String> {
    let out = Command::new(exe)
        .args(["--strict", "--quiet", "--no-warn", "-k", K8S_VERSION])
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut errors = HashMap::new();
    for line in stdout.lines() {
        // ERROR <file> did not validate for resource <kind>/<name> against version 1.32: <path>: <msg>
        let Some(rest) = line.strip_prefix("ERROR ") else {
            return Err(format!("unexpected oracle output: {line}"));
        };
        let (_, after) = rest
            .split_once(" for resource ")
            .ok_or_else(|| format!("unexpected oracle output: {line}"))?;
        let (res, after) = after
            .split_once(" against version ")
            .ok_or_else(|| format!("unexpected oracle output: {line}"))?;
        let name = res.rsplit('/').next().unwrap_or(res).to_string();
        let (_, detail) = after.split_once(": ").unwrap_or(("", after));
        let (path, msg) = detail.split_once(": ").unwrap_or(("", detail));
        errors.insert(name, (path.to_string(), msg.to_string()));
    }
    if !out.status.success() && errors.is_empty() {
        return Err(format!(
            "kubernetes-validate failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(errors)
}

#[test]
fn schema_verdicts_agree_with_kubernetes_validate() {
    let seed = std::env::var("GRILL_SCHEMA_SEED")
        .ok()
        .and_then(|s| {
            s.strip_prefix("0x")
                .map_or_else(|| s.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
        })
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let n = std::env::var("GRILL_SCHEMA_OBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_OBJECTS);
    eprintln!("k8s_schema_diff: seed {seed:#x} (GRILL_SCHEMA_SEED), {n} objects");
    let exe = match oracle() {
        Ok(exe) => exe,
        Err(why) => return skip_or_fail(&why),
    };
    let cases = generate(seed, n);
    let texts: Vec<String> = cases
        .iter()
        .map(|c| serde_json::to_string(&c.obj).unwrap())
        .collect();
    let tmp = common::TempDir::new("schema-diff");
    let files: Vec<PathBuf> = (0..BATCHES)
        .map(|b| {
            let path = tmp.path().join(format!("batch-{b}.yaml"));
            let body: Vec<&str> = texts
                .iter()
                .enumerate()
                .filter(|(i, _)| i % BATCHES == b)
                .map(|(_, t)| t.as_str())
                .collect();
            std::fs::write(&path, body.join("\n---\n")).unwrap();
            path
        })
        .collect();
    let started = std::time::Instant::now();
    let results: Vec<Result<OracleErrors, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .iter()
            .map(|f| s.spawn(|| run_oracle(&exe, f)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut theirs = HashMap::new();
    for r in results {
        theirs.extend(r.unwrap_or_else(|e| panic!("seed {seed:#x}: {e}")));
    }
    eprintln!(
        "k8s_schema_diff: kubernetes-validate took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut failures = Vec::new();
    let mut invalid = 0;
    for (i, (case, text)) in cases.iter().zip(&texts).enumerate() {
        let name = format!("o-{i}");
        let mine = ours(text).unwrap_or_else(|e| panic!("seed {seed:#x} object {i}: {e}"));
        let their = theirs.get(&name);
        if their.is_some() {
            invalid += 1;
        }
        let agree = match their {
            None => mine.is_empty(),
            Some((path, _)) => mine
                .iter()
                .any(|(p, _)| path.is_empty() || p == path || p.starts_with(&format!("{path}."))),
        };
        if !agree {
            failures.push(format!(
                "object {i} ({}): mutations {:?}\n  kubernetes-validate: {}\n  grill-lint: {:?}\n  object: {text}",
                case.obj["kind"],
                case.mutations,
                their.map_or("valid".to_string(), |(p, m)| format!("{p}: {m}")),
                mine
            ));
        }
    }
    eprintln!(
        "k8s_schema_diff: {n} objects, {invalid} invalid per kubernetes-validate, {} disagreements",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "seed {seed:#x} (rerun with GRILL_SCHEMA_SEED={seed:#x}): {} of {n} objects disagree:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        invalid * 4 >= n,
        "too few invalid objects ({invalid} of {n})"
    );
}
