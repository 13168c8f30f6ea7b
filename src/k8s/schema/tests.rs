use super::*;
use crate::diag::Finding;
use crate::source::SourceMap;

fn lint(yaml: &str) -> (SourceMap, Vec<Finding>) {
    let map = SourceMap::new();
    let file = map.add("t.yaml", yaml);
    let parsed = crate::yaml::parse_stream(&file, crate::yaml::Limits::default());
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let mut out = Vec::new();
    for d in &parsed.docs {
        crate::k8s::check_object(
            crate::k8s::schema::bundle(crate::k8s::schema::configured_version().unwrap()).unwrap(),
            d,
            &mut out,
        );
    }
    (map, out)
}

/// (line, message, help) of each finding.
fn lines(yaml: &str) -> Vec<(usize, String, String)> {
    let (map, out) = lint(yaml);
    out.into_iter()
        .map(|f| {
            let file = map.get(f.primary.file);
            let lc = file.line_col(f.primary.start as usize);
            (lc.line as usize, f.message, f.help.unwrap_or_default())
        })
        .collect()
}

const STS: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis
  selector:
    matchLabels: {app: redis}
  template:
    metadata:
      labels: {app: redis}
    spec:
      containers:
        - name: redis
          image: redis:7.2.5
          securityContext:
            readOnlyRootFilesystem: true
";

#[test]
fn a_valid_object_has_no_findings() {
    assert_eq!(lines(STS), vec![]);
}

#[test]
fn an_unknown_field_is_reported_on_its_key_with_the_field_meant() {
    let got = lines(&STS.replace("readOnlyRootFilesystem", "readOnlyRootFileSystem"));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 17);
    assert!(got[0]
        .1
        .contains("unknown field `readOnlyRootFileSystem` in SecurityContext"));
    assert_eq!(got[0].2, "did you mean `readOnlyRootFilesystem`?");
    let got = lines(&STS.replace(
        "          image:",
        "          imagePullPolcy: Always\n          image:",
    ));
    assert_eq!(got[0].2, "did you mean `imagePullPolicy`?", "{got:?}");
}

#[test]
fn wrong_types_missing_fields_and_int_or_string() {
    let got = lines(
        &STS.replace("  serviceName: redis\n", "  replicas: \"3\"\n")
            .replace(
                "          securityContext:",
                "          ports:\n            - name: redis\n          livenessProbe:\n            tcpSocket: {port: true}\n          securityContext:",
            ),
    );
    let msgs: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
    assert!(
        msgs.contains(&"`replicas` must be an integer, not a string"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"`spec` (StatefulSetSpec) is missing its required field `serviceName`"),
        "{msgs:?}"
    );
    // A list item lacking a field: reported on its first key, where a person adds it.
    let port = got
        .iter()
        .find(|g| g.1.contains("`containerPort`"))
        .expect("containerPort");
    assert_eq!(port.0, 17, "{got:?}");
    assert!(
        msgs.contains(&"`port` must be an integer or a string, not a boolean"),
        "{msgs:?}"
    );
}

#[test]
fn quantities_are_checked_where_the_schema_has_one() {
    let got = lines(&STS.replace(
        "          securityContext:",
        "          resources:\n            limits: {memory: 1GB, cpu: 0.5}\n          securityContext:",
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "`memory: 1GB` is not a Kubernetes quantity");
}

#[test]
fn custom_resources_are_strict_too() {
    let sm = "apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: redis
spec:
  selector:
    matchLabels: {app: redis-exporter}
  endpoints:
    - port: metrics
      intervall: 30s
      targetPort: 9121
";
    let got = lines(sm);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 10);
    assert_eq!(got[0].2, "did you mean `interval`?");
    assert!(lines(&sm.replace("intervall", "interval")).is_empty());
    let pr = "apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: redis
spec:
  groups:
    - name: redis
      rules:
        - alert: RedisDown
          expr: redis_up == 0
          for: 1m
          labels: {severity: critical}
";
    assert!(lines(pr).is_empty(), "{:?}", lines(pr));
    let got = lines(&pr.replace("    - name: redis\n", "    - rules_: []\n"));
    assert!(
        got.iter()
            .any(|g| g.1.contains("missing its required field `name`")),
        "{got:?}"
    );
}

#[test]
fn an_api_version_the_release_does_not_serve() {
    let got = lines("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: redis\nspec:\n  minAvailable: 1\n");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 1);
    assert_eq!(got[0].2, "write `apiVersion: policy/v1`");
    // A custom resource the bundle does not know is not a finding.
    assert!(lines(
        "apiVersion: example.com/v1\nkind: RedisCluster\nmetadata:\n  name: r\nspec: {x: 1}\n"
    )
    .is_empty());
}

#[test]
fn string_fields_come_from_the_schema() {
    let map = SourceMap::new();
    let file = map.add(
        "t.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: r\nspec:\n  sessionAffinity: yes\n  ports:\n    - port: 6379\n      targetPort: on\n",
    );
    let doc = &crate::yaml::parse_stream(&file, crate::yaml::Limits::default()).docs[0];
    let mut seen = Vec::new();
    assert!(visit_string_scalars(
        bundle("1.32").unwrap(),
        doc,
        &mut |n| seen.push(n.as_str().unwrap_or("").to_string())
    ));
    // `port` is an integer field; apiVersion, kind, `name`, `sessionAffinity` and the int-or-string
    // `targetPort` are string fields.
    assert_eq!(seen, ["v1", "Service", "r", "yes", "on"]);
}

fn rule_with(params: &str) -> crate::rules::Rule {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/k8s/schema.yaml"
    ))
    .unwrap();
    let cut = text.find("params:").expect("params in the rule file");
    crate::rules::parse_rule_file(
        "rules/k8s/schema.yaml",
        &format!("{}{params}", &text[..cut]),
    )
    .unwrap()
}

#[test]
fn the_version_is_a_setting_and_an_unknown_one_is_an_error() {
    assert_eq!(configured_version(), Ok("1.32"));
    assert_eq!(
        version_of(&rule_with("params:\n  kubernetes_version: v1.32\n")),
        Ok("1.32")
    );
    let e = version_of(&rule_with("params:\n  kubernetes_version: \"1.99\"\n")).unwrap_err();
    assert!(
        e.contains("`1.99` has no bundled schemas (bundled: 1.32)"),
        "{e}"
    );
    let e = version_of(&rule_with("params:\n  kubernetes_version: 1.32\n")).unwrap_err();
    assert!(e.contains("must be a string"), "{e}");
    let e = version_of(&rule_with(
        "params:\n  kubernetes_version: \"1.32\"\nenvironments:\n  prod-lab:\n    kubernetes_version: \"1.31\"\n",
    ))
    .unwrap_err();
    assert!(e.contains("cannot differ per environment"), "{e}");
}

#[test]
fn the_bundle_records_its_origin_and_parses_only_what_is_used() {
    let b = bundle("1.32").unwrap();
    assert_eq!(b.version, "1.32");
    assert!(
        b.origin.contains("kubernetes-validate 1.37.0"),
        "{}",
        b.origin
    );
    assert!(
        b.origin.contains("prometheus-operator v0.93.0"),
        "{}",
        b.origin
    );
    for k in [
        "v1/Service",
        "apps/v1/StatefulSet",
        "apps/v1/Deployment",
        "apps/v1/DaemonSet",
        "batch/v1/Job",
        "batch/v1/CronJob",
        "v1/ConfigMap",
        "v1/Secret",
        "v1/PersistentVolumeClaim",
        "networking.k8s.io/v1/NetworkPolicy",
        "v1/ServiceAccount",
        "policy/v1/PodDisruptionBudget",
        "rbac.authorization.k8s.io/v1/Role",
        "rbac.authorization.k8s.io/v1/RoleBinding",
        "v1/Namespace",
        "v1/Pod",
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PrometheusRule",
    ] {
        assert!(b.kinds().any(|x| x == k), "{k} is bundled");
    }
    assert!(b.defs.len() > 200);
    let hpa = "io.k8s.api.autoscaling.v2.HPAScalingRules";
    // Nothing in this test binary validates an HPA: its definitions stay unparsed.
    assert!(b.defs[hpa].parsed.get().is_none());
}

/// Every definition of every bundle reads as a typed [`Schema`]: a keyword the walker does not
/// implement fails here, not on a user's object.
#[test]
fn every_bundled_definition_is_a_schema_the_walker_implements() {
    for v in versions() {
        let b = bundle(v).unwrap();
        assert!(b.defs.len() > 100, "{v}: {} definitions", b.defs.len());
        for (name, d) in &b.defs {
            let parsed: Result<Schema, _> = serde_json::from_str(d.raw);
            assert!(parsed.is_ok(), "{v} {name}: {:?}", parsed.err());
        }
    }
}
