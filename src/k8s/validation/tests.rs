//! Table tests of the API-server validation helpers. Each row is an example of the Kubernetes
//! validation source's own tests or doc comments (`apimachinery/pkg/util/validation`:
//! `TestIsDNS1123Label`, `TestIsDNS1123Subdomain`, `TestIsDNS1035Label`,
//! `TestIsValidPortName`, `TestIsQualifiedName`, `TestIsValidLabelValue`,
//! `TestIsConfigMapKey`; `resource.ParseQuantity`), plus the object-level refusals of
//! `pkg/apis/{apps,batch,networking,core}/validation`.

use super::*;
use crate::k8s::schema::is_quantity;

type Check = fn(&str) -> Option<String>;

#[test]
fn name_formats_agree_with_the_kubernetes_tables() {
    let long63 = "a".repeat(63);
    let long64 = "a".repeat(64);
    let sub253 = format!(
        "{}.{}.{}.{}",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61)
    );
    let sub254 = format!("{sub253}d");
    let rows: &[(&str, Check, &str, bool)] = &[
        ("dns1123_label", dns1123_label, "a", true),
        ("dns1123_label", dns1123_label, "ab", true),
        ("dns1123_label", dns1123_label, "abc", true),
        ("dns1123_label", dns1123_label, "a1", true),
        ("dns1123_label", dns1123_label, "a-1", true),
        ("dns1123_label", dns1123_label, "a--1--2--b", true),
        ("dns1123_label", dns1123_label, "0", true),
        ("dns1123_label", dns1123_label, "01", true),
        ("dns1123_label", dns1123_label, "1-2", true),
        ("dns1123_label", dns1123_label, &long63, true),
        ("dns1123_label", dns1123_label, "", false),
        ("dns1123_label", dns1123_label, "A", false),
        ("dns1123_label", dns1123_label, "ABC", false),
        ("dns1123_label", dns1123_label, "aBc", false),
        ("dns1123_label", dns1123_label, "a_b", false),
        ("dns1123_label", dns1123_label, "-a", false),
        ("dns1123_label", dns1123_label, "a-", false),
        ("dns1123_label", dns1123_label, "a.b", false),
        ("dns1123_label", dns1123_label, "a b", false),
        ("dns1123_label", dns1123_label, &long64, false),
        ("dns1123_subdomain", dns1123_subdomain, "a", true),
        ("dns1123_subdomain", dns1123_subdomain, "a.b.c.d.e", true),
        ("dns1123_subdomain", dns1123_subdomain, "aa.bb.cc", true),
        ("dns1123_subdomain", dns1123_subdomain, "a1.b2.c3", true),
        ("dns1123_subdomain", dns1123_subdomain, "0.a", true),
        ("dns1123_subdomain", dns1123_subdomain, "11.22.33", true),
        ("dns1123_subdomain", dns1123_subdomain, &sub253, true),
        ("dns1123_subdomain", dns1123_subdomain, "", false),
        ("dns1123_subdomain", dns1123_subdomain, "A", false),
        ("dns1123_subdomain", dns1123_subdomain, "a.B", false),
        ("dns1123_subdomain", dns1123_subdomain, "a.", false),
        ("dns1123_subdomain", dns1123_subdomain, ".a", false),
        ("dns1123_subdomain", dns1123_subdomain, "a..b", false),
        ("dns1123_subdomain", dns1123_subdomain, "a.-b", false),
        ("dns1123_subdomain", dns1123_subdomain, "a_b", false),
        ("dns1123_subdomain", dns1123_subdomain, &sub254, false),
        ("dns1035_label", dns1035_label, "a", true),
        ("dns1035_label", dns1035_label, "a-1", true),
        ("dns1035_label", dns1035_label, "redis-sentinel", true),
        ("dns1035_label", dns1035_label, &long63, true),
        ("dns1035_label", dns1035_label, "0", false),
        ("dns1035_label", dns1035_label, "1-redis", false),
        ("dns1035_label", dns1035_label, "a.b", false),
        ("dns1035_label", dns1035_label, "A", false),
        ("dns1035_label", dns1035_label, &long64, false),
        ("port_name", port_name, "telnet", true),
        ("port_name", port_name, "re-mail-ck", true),
        ("port_name", port_name, "pop3", true),
        ("port_name", port_name, "a", true),
        ("port_name", port_name, "a-1", true),
        ("port_name", port_name, "1-a", true),
        ("port_name", port_name, "a-1-b-2-c-3-d-4", true),
        ("port_name", port_name, "", false),
        ("port_name", port_name, "1234", false),
        ("port_name", port_name, "a-1-b-2-c-3-d-4-e", false),
        ("port_name", port_name, "redis-sentinel-port", false),
        ("port_name", port_name, "1-", false),
        ("port_name", port_name, "-1", false),
        ("port_name", port_name, "a--b", false),
        ("port_name", port_name, "Redis", false),
        ("port_name", port_name, "a_b", false),
        ("qualified_name", qualified_name, "simple", true),
        ("qualified_name", qualified_name, "now-with-dashes", true),
        ("qualified_name", qualified_name, "1-starts-with-num", true),
        ("qualified_name", qualified_name, "1234", true),
        ("qualified_name", qualified_name, "simple/simple", true),
        (
            "qualified_name",
            qualified_name,
            "now-with-dashes/simple",
            true,
        ),
        (
            "qualified_name",
            qualified_name,
            "example.com/Uppercase_And.Dots",
            true,
        ),
        (
            "qualified_name",
            qualified_name,
            "app.kubernetes.io/name",
            true,
        ),
        ("qualified_name", qualified_name, &long63, true),
        ("qualified_name", qualified_name, "", false),
        (
            "qualified_name",
            qualified_name,
            "nospecialchars%^=@",
            false,
        ),
        ("qualified_name", qualified_name, "cantendwithadash-", false),
        (
            "qualified_name",
            qualified_name,
            "-cantstartwithadash-",
            false,
        ),
        ("qualified_name", qualified_name, "only/one/slash", false),
        ("qualified_name", qualified_name, "Example.com/abc", false),
        ("qualified_name", qualified_name, "example_com/abc", false),
        ("qualified_name", qualified_name, "example.com/", false),
        ("qualified_name", qualified_name, "/simple", false),
        ("qualified_name", qualified_name, &long64, false),
        ("label_value", label_value, "simple", true),
        ("label_value", label_value, "now-with-dashes", true),
        ("label_value", label_value, "1-starts-with-num", true),
        ("label_value", label_value, "end-with-num-1", true),
        ("label_value", label_value, "1234", true),
        ("label_value", label_value, "", true),
        ("label_value", label_value, &long63, true),
        ("label_value", label_value, "nospecialchars%^=@", false),
        (
            "label_value",
            label_value,
            "Tama-nui-te-rā.is.Māori.sun",
            false,
        ),
        ("label_value", label_value, "\\backslashes\\are\\bad", false),
        ("label_value", label_value, "-starts-with-dash", false),
        ("label_value", label_value, "ends-with-dash-", false),
        ("label_value", label_value, ".starts.with.dot", false),
        ("label_value", label_value, "ends.with.dot.", false),
        ("label_value", label_value, &long64, false),
        ("config_map_key", config_map_key, "redis.conf", true),
        ("config_map_key", config_map_key, "a", true),
        ("config_map_key", config_map_key, "_a-b.c", true),
        ("config_map_key", config_map_key, ".dotfile", true),
        ("config_map_key", config_map_key, "", false),
        ("config_map_key", config_map_key, ".", false),
        ("config_map_key", config_map_key, "..", false),
        ("config_map_key", config_map_key, "..a", false),
        ("config_map_key", config_map_key, "a/b", false),
        ("config_map_key", config_map_key, "a b", false),
        ("path_segment_name", path_segment_name, "redis-reader", true),
        ("path_segment_name", path_segment_name, "system:redis", true),
        ("path_segment_name", path_segment_name, ".", false),
        ("path_segment_name", path_segment_name, "..", false),
        ("path_segment_name", path_segment_name, "a/b", false),
        ("path_segment_name", path_segment_name, "a%b", false),
    ];
    let mut wrong = Vec::new();
    for (name, f, input, valid) in rows {
        let got = f(input);
        if got.is_none() != *valid {
            wrong.push(format!(
                "{name}({input:?}): expected valid={valid}, got {got:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn quantities_follow_parse_quantity() {
    for ok in [
        "0", "1", "1Gi", "256Mi", "500m", "0.5", ".5", "1.", "+1", "-1", "1e3", "1E-3", "1k", "1M",
        "100n", "2u", "1Ei", "1P",
    ] {
        assert!(is_quantity(ok), "{ok} is a quantity");
    }
    for bad in [
        "", "1GB", "1gi", "Gi", "1 Gi", "1.2.3", "1Mi1", "one", "1e", "1K", "1b",
    ] {
        assert!(!is_quantity(bad), "{bad} is not a quantity");
    }
}

/// Lints one object (YAML text) with the API-server checks only.
fn api_findings(yaml: &str) -> Vec<Finding> {
    let map = crate::source::SourceMap::new();
    let file = map.add("t.yaml", yaml);
    let parsed = crate::yaml::parse_stream(&file, crate::yaml::Limits::default());
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let mut out = Vec::new();
    check(&parsed.docs[0], &mut out);
    out
}

const STS: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  selector:
    matchLabels:
      app: redis
  template:
    metadata:
      labels:
        app: redis
    spec:
      containers:
        - name: redis
          image: redis:7.2
          ports:
            - name: redis
              containerPort: 6379
";

#[test]
fn object_refusals_of_the_api_server() {
    assert!(api_findings(STS).is_empty(), "{:?}", api_findings(STS));
    let rows: &[(&str, &str, &str, &str)] = &[
        // (what, replace, with, expected message fragment)
        (
            "selector value",
            "      app: redis\n  template",
            "      app: redis-x\n  template",
            "does not match template `labels`",
        ),
        (
            "selector key",
            "      app: redis\n  template",
            "      role: redis\n  template",
            "has no `role` label",
        ),
        (
            "empty selector",
            "    matchLabels:\n      app: redis\n  template",
            "    matchLabels: {}\n  template",
            "empty selector is invalid",
        ),
        (
            "long port name",
            "- name: redis\n              containerPort",
            "- name: redis-sentinel-port\n              containerPort",
            "19 characters long, at most 15",
        ),
        (
            "port number",
            "containerPort: 6379",
            "containerPort: 70000",
            "between 1 and 65535",
        ),
        (
            "container name",
            "- name: redis\n          image",
            "- name: Redis\n          image",
            "container name `Redis` is invalid",
        ),
        (
            "object name",
            "  name: redis\nspec",
            "  name: redis_main\nspec",
            "`redis_main` is not valid as an object name",
        ),
        (
            "label value",
            "        app: redis\n    spec",
            "        app: redis\n        tier: -cache\n    spec",
            "label value `-cache`",
        ),
    ];
    for (what, from, to, expect) in rows {
        assert!(STS.contains(from), "{what}: fixture text");
        let got = api_findings(&STS.replacen(from, to, 1));
        assert!(
            got.iter().any(|f| f.message.contains(expect)),
            "{what}: expected `{expect}` in {:#?}",
            got.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
    let dup = STS.replace(
        "          ports:",
        "        - name: redis\n          image: redis:7.2\n          ports:",
    );
    let got = api_findings(&dup);
    assert!(got.iter().any(|f| f.message.contains("duplicate container name `redis`") && f.related.len() == 1), "{got:#?}");
}

#[test]
fn network_policy_peers_and_cron_schedules() {
    let np = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: redis
spec:
  podSelector: {}
  ingress:
    - from:
        - {}
        - ipBlock: {cidr: 10.0.0.0/8}
          podSelector: {}
      ports:
        - port: redis-sentinel-port
";
    let got: Vec<String> = api_findings(np).into_iter().map(|f| f.message).collect();
    assert!(
        got.iter().any(|m| m.contains("must specify a peer")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|m| m.contains("may not combine `ipBlock`")),
        "{got:?}"
    );
    assert!(got.iter().any(|m| m.contains("at most 15")), "{got:?}");
    let cj = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: \"CRON_TZ=Europe/Berlin 0 2 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: redis:7.2
";
    let got: Vec<String> = api_findings(cj).into_iter().map(|f| f.message).collect();
    assert!(
        got.iter().any(|m| m.contains("`TZ=` and `CRON_TZ=`")),
        "{got:?}"
    );
    assert!(api_findings(&cj.replace("CRON_TZ=Europe/Berlin ", "")).is_empty());
}

#[test]
fn enum_field_names_inside_data_are_data() {
    let cm = "apiVersion: v1
kind: Secret
metadata:
  name: s
stringData:
  protocol: hunter2-secret
";
    assert!(api_findings(cm).is_empty());
    let svc = "apiVersion: v1
kind: Service
metadata:
  name: redis
  labels:
    protocol: custom
spec:
  selector:
    dnsPolicy: x
  ports:
    - port: 6379
      protocol: tcp
";
    let got: Vec<String> = api_findings(svc).into_iter().map(|f| f.message).collect();
    assert_eq!(
        got,
        ["`tcp` is not a supported `protocol`: the API server accepts TCP, UDP, SCTP"]
    );
}

/// A ConfigMap key in both `data` and `binaryData` is refused, pointing at both; a Secret's
/// `stringData` may repeat a `data` key (it overrides it); keys only in one field are fine.
#[test]
fn config_map_keys_in_data_and_binary_data() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x\n  b: y\nbinaryData:\n  c: eA==\n";
    assert!(api_findings(cm).is_empty(), "{:?}", api_findings(cm));
    let both = cm.replace("  c: eA==", "  c: eA==\n  b: eA==");
    let got = api_findings(&both);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0]
            .message
            .contains("duplicate ConfigMap data key name `b`"),
        "{got:#?}"
    );
    assert_eq!(got[0].related.len(), 1, "{got:#?}");
    let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  b: eA==\nstringData:\n  b: x\n";
    assert!(
        api_findings(secret).is_empty(),
        "{:?}",
        api_findings(secret)
    );
}
