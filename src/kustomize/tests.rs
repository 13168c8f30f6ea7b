//! End-to-end tests of the builder on small trees written to a temporary directory: the
//! rendered values, where each one says it came from, and which problems fail the build.

use super::build;
use crate::source::{SourceMap, Span};
use crate::yaml::Node;
use std::path::{Path, PathBuf};

/// A tree of files in a fresh temporary directory, removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str, files: &[(&str, &str)]) -> Tree {
        let root = std::env::temp_dir().join(format!("grill-kb-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Tree(root)
    }
    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `file:line` of a span, the file named relative to `root`.
fn loc(map: &SourceMap, root: &Path, span: Span) -> String {
    let f = map.get(span.file);
    let rel = f
        .path
        .strip_prefix(root)
        .unwrap_or(&f.path)
        .display()
        .to_string();
    format!("{rel}:{}", f.line_col(span.start as usize).line)
}

fn find<'a>(nodes: &'a [super::Resource], kind: &str) -> &'a Node {
    &nodes
        .iter()
        .find(|r| r.node.str_at(&["kind"]) == Some(kind))
        .unwrap()
        .node
}

const BASE_STS: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: redis
        image: redis:7.0
        resources:
          limits:
            memory: 1Gi
      volumes:
      - name: config
        configMap:
          name: redis-config
";

fn overlay_tree() -> Tree {
    Tree::new(
        "overlay",
        &[
            ("base/kustomization.yaml", "resources: [sts.yaml]\nconfigMapGenerator:\n- name: redis-config\n  files: [redis.conf]\n"),
            ("base/sts.yaml", BASE_STS),
            ("base/redis.conf", "port 6379\nmaxmemory 100mb\n"),
            (
                "prod/kustomization.yaml",
                "resources: [../base]\nnamespace: cache\nnamePrefix: prod-\nlabels:\n- pairs: {env: prod}\n  includeTemplates: true\nimages:\n- name: redis\n  newTag: 7.2.4\nreplicas:\n- name: redis\n  count: 3\npatches:\n- path: mem.yaml\n",
            ),
            (
                "prod/mem.yaml",
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  template:\n    spec:\n      containers:\n      - name: redis\n        resources:\n          limits:\n            memory: 4Gi\n",
            ),
        ],
    )
}

#[test]
fn every_value_points_at_the_line_that_wrote_it() {
    let t = overlay_tree();
    let map = SourceMap::new();
    let b = build(&t.path("prod"), &map);
    assert!(!b.failed, "{:?}", b.findings);
    let sts = find(&b.resources, "StatefulSet");
    let at = |p: &[&str]| loc(&map, &t.0, sts.path(p).unwrap().span);
    let container = &sts
        .path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .as_seq()
        .unwrap()[0];
    let mem = container.path(&["resources", "limits", "memory"]).unwrap();
    assert_eq!(mem.as_str(), Some("4Gi"));
    assert_eq!(loc(&map, &t.0, mem.span), "prod/mem.yaml:12");
    assert_eq!(loc(&map, &t.0, mem.overrode.unwrap()), "base/sts.yaml:14");
    let image = container.get("image").unwrap();
    assert_eq!(image.as_str(), Some("redis:7.2.4"));
    assert_eq!(loc(&map, &t.0, image.span), "prod/kustomization.yaml:9");
    assert_eq!(at(&["metadata", "namespace"]), "prod/kustomization.yaml:2");
    assert_eq!(sts.str_at(&["metadata", "name"]), Some("prod-redis"));
    assert_eq!(at(&["metadata", "name"]), "prod/kustomization.yaml:3");
    assert_eq!(at(&["spec", "replicas"]), "prod/kustomization.yaml:12");
    assert_eq!(
        at(&["spec", "template", "metadata", "labels", "env"]),
        "prod/kustomization.yaml:5"
    );
    assert_eq!(
        at(&["spec", "template", "spec", "volumes"]),
        "base/sts.yaml:16"
    );
    // The generated ConfigMap: hashed name, data from the file, reference rewritten.
    let cm = find(&b.resources, "ConfigMap");
    let name = cm.str_at(&["metadata", "name"]).unwrap();
    assert!(
        name.starts_with("prod-redis-config-") && name.len() == "prod-redis-config-".len() + 10
    );
    let conf = cm.path(&["data", "redis.conf"]).unwrap();
    assert_eq!(loc(&map, &t.0, conf.span), "base/redis.conf:1");
    let vol = &sts
        .path(&["spec", "template", "spec", "volumes"])
        .unwrap()
        .as_seq()
        .unwrap()[0];
    assert_eq!(vol.str_at(&["configMap", "name"]), Some(name));
    // Legacy order: ConfigMap before StatefulSet.
    assert_eq!(b.resources[0].node.str_at(&["kind"]), Some("ConfigMap"));
    assert!(b.files_read.len() >= 5);
}

#[test]
fn problems_are_located_and_fail_like_kustomize() {
    let t = Tree::new(
        "problems",
        &[
            ("a/kustomization.yaml", "resources: [cm.yaml, missing.yaml]\n"),
            ("a/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"),
            ("b/kustomization.yaml", "resources: [one.yaml, two.yaml]\n"),
            ("b/one.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"),
            ("b/two.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"),
            ("c/kustomization.yaml", "resources: [cm.yaml]\npatches:\n- target: {kind: Secret}\n  patch: '[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]'\n"),
            ("c/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"),
            ("d/kustomization.yaml", "resources: [cm.yaml]\nhelmCharts: []\n"),
            ("d/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"),
            ("e/kustomization.yaml", "resources: [sub]\n"),
            ("e/sub/kustomization.yaml", "resources: [..]\n"),
            ("f/kustomization.yaml", "resources: [.]\n"),
        ],
    );
    let map = SourceMap::new();
    let a = build(&t.path("a"), &map);
    assert!(a.failed);
    assert_eq!(a.findings[0].rule.as_str(), "kustomize/missing-file");
    assert_eq!(
        loc(&map, &t.0, a.findings[0].primary),
        "a/kustomization.yaml:1"
    );

    let b = build(&t.path("b"), &map);
    let dup = b
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "kustomize/duplicate-resource")
        .unwrap();
    assert!(b.failed);
    assert_eq!(loc(&map, &t.0, dup.primary), "b/two.yaml:4");
    assert_eq!(loc(&map, &t.0, dup.related[0].span), "b/one.yaml:3");
    assert_eq!(
        dup.message,
        "two definitions of ConfigMap `c` (kustomize refuses the second)"
    );

    let c = build(&t.path("c"), &map);
    assert!(
        !c.failed,
        "a target that selects nothing is not a kustomize failure"
    );
    assert_eq!(
        c.findings[0].rule.as_str(),
        "kustomize/patch-target-missing"
    );
    assert_eq!(c.resources.len(), 1);

    let d = build(&t.path("d"), &map);
    assert!(d.failed);
    assert!(d.findings[0].message.contains("helmCharts"));

    let e = build(&t.path("e"), &map);
    assert!(e.failed);
    assert_eq!(e.findings[0].rule.as_str(), "kustomize/cycle");
    let msg = &e.findings[0].message;
    assert!(msg.contains("` includes `sub`, which includes `"), "{msg}");
    assert!(msg.ends_with("` again"), "{msg}");
    assert_eq!(e.findings[0].related.len(), 1);

    let f = build(&t.path("f"), &map);
    assert_eq!(f.findings[0].rule.as_str(), "kustomize/cycle");
    assert!(
        f.findings[0].message.ends_with("includes itself (as `.`)"),
        "{}",
        f.findings[0].message
    );
}

#[test]
fn files_outside_the_root_are_refused_even_through_symlinks() {
    let t = Tree::new(
        "outside",
        &[
            (
                "shared/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            ),
            ("k/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("ok/kustomization.yaml", "resources: [sub/../cm.yaml]\n"),
            (
                "ok/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            ),
        ],
    );
    std::os::unix::fs::symlink("../shared/cm.yaml", t.path("k/cm.yaml")).unwrap();
    let map = SourceMap::new();
    let b = build(&t.path("k"), &map);
    assert!(b.failed);
    assert_eq!(b.findings[0].rule.as_str(), "kustomize/outside-root");
    let msg = &b.findings[0].message;
    assert!(
        msg.contains("cm.yaml` resolves through a symlink to `"),
        "{msg}"
    );
    let ok = build(&t.path("ok"), &map);
    assert!(!ok.failed, "{:?}", ok.findings);
}

#[test]
fn deprecated_fields_warn_with_the_replacement() {
    let t = Tree::new(
        "deprecated",
        &[
            (
                "k/kustomization.yaml",
                "resources: [cm.yaml]\ncommonLabels: {a: b}\n",
            ),
            (
                "k/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            ),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("k"), &map);
    assert!(!b.failed);
    let f = &b.findings[0];
    assert_eq!(f.rule.as_str(), "kustomize/deprecated-field");
    assert!(f.help.as_deref().unwrap().contains("labels"));
    assert_eq!(
        b.resources[0].node.str_at(&["metadata", "labels", "a"]),
        Some("b")
    );
}

#[test]
fn an_index_patch_after_a_reordering_smp_is_flagged() {
    let t = Tree::new(
        "reorder",
        &[
            (
                "k/kustomization.yaml",
                "resources: [sts.yaml]\npatches:\n- path: p.yaml\n- target: {kind: StatefulSet}\n  patch: |-\n    - op: add\n      path: /spec/template/spec/containers/0/args\n      value: [x]\n",
            ),
            ("k/sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: redis, image: r}\n      - {name: exporter, image: e}\n"),
            ("k/p.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: exporter, image: e2}\n"),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("k"), &map);
    assert!(!b.failed);
    let f = b
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "kustomize/index-patch-after-smp")
        .expect("warning");
    assert_eq!(loc(&map, &t.0, f.primary), "k/kustomization.yaml:7");
    let moved = &f.related[0];
    assert_eq!(loc(&map, &t.0, moved.span), "k/p.yaml:8");
    assert_eq!(map.get(moved.span.file).slice(moved.span), "name: exporter");
    assert_eq!(
        moved.message,
        "this patch moves `exporter` from index 1 to index 0"
    );
    let c = b.resources[0]
        .node
        .path(&["spec", "template", "spec", "containers"])
        .unwrap();
    assert_eq!(c.as_seq().unwrap()[0].str_at(&["name"]), Some("exporter"));
}

#[test]
fn replacements_copy_a_field_with_its_source_location() {
    let t = Tree::new(
        "replacements",
        &[
            (
                "k/kustomization.yaml",
                "namePrefix: p-\nresources: [res.yaml]\nreplacements:\n- source: {kind: Service, name: redis-headless}\n  targets:\n  - select: {kind: StatefulSet}\n    fieldPaths:\n    - spec.template.spec.containers.[name=s].env.[name=URL].value\n    options: {delimiter: /, index: 2}\n",
            ),
            (
                "k/res.yaml",
                "apiVersion: v1\nkind: Service\nmetadata: {name: redis-headless}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n        env:\n        - {name: URL, value: 'redis://PLACEHOLDER.ns.svc:6379'}\n",
            ),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("k"), &map);
    assert!(!b.failed, "{:?}", b.findings);
    let sts = find(&b.resources, "StatefulSet");
    let c = &sts
        .path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .as_seq()
        .unwrap()[0];
    let v = &c.get("env").unwrap().as_seq().unwrap()[0]
        .get("value")
        .unwrap();
    assert_eq!(v.as_str(), Some("redis://p-redis-headless"));
    // The new text comes from the prefixed name: the `namePrefix` line.
    assert_eq!(loc(&map, &t.0, v.span), "k/kustomization.yaml:1");
    assert_eq!(loc(&map, &t.0, v.overrode.unwrap()), "k/res.yaml:14");
}

/// Fragments a random kustomization is assembled from: valid, odd and broken ones.
const FIELDS: &[&str] = &[
    "resources: [res.yaml]\n",
    "resources: [res.yaml, base]\n",
    "resources: [missing.yaml, ../x, 'https://example.com/x']\n",
    "resources: {a: b}\n",
    "components: [comp]\n",
    "namespace: ns\n",
    "namespace: [x]\n",
    "namePrefix: p-\n",
    "nameSuffix: -s\n",
    "commonLabels: {a: b, y: n}\n",
    "labels:\n- pairs: {t: x}\n  includeSelectors: true\n- pairs: {u: v}\n  fields: [{path: spec/x, kind: Thing, create: true}]\n",
    "commonAnnotations: {team: p}\n",
    "images:\n- name: redis\n  newTag: '7'\n- name: nginx\n  digest: sha256:1\n",
    "replicas:\n- {name: web, count: 2}\n- {name: web, count: x}\n",
    "configMapGenerator:\n- name: redis-config\n  behavior: merge\n  literals: [a=b, '=x', c]\n",
    "configMapGenerator:\n- name: g\n  envs: [app.env]\n  files: [k=res.yaml, nope]\n",
    "secretGenerator:\n- name: s\n  literals: [password=x]\n  type: kubernetes.io/tls\n",
    "generatorOptions: {disableNameSuffixHash: true, immutable: true}\n",
    "patches:\n- path: p.yaml\n",
    "patches:\n- target: {kind: '(', name: '*'}\n  patch: '[]'\n",
    "patches:\n- target: {kind: Deployment, labelSelector: 'a in (b'}\n  patch: |\n    - {op: add, path: /spec/template/spec/containers/-1/x, value: 1}\n    - {op: move, from: /nope, path: /x}\n    - {op: copy, from: /metadata, path: /metadata/x}\n    - {op: test, path: /kind, value: Deployment}\n",
    "patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - $patch: replace\n          - {name: a, ports: [{containerPort: 1, protocol: TCP}, {containerPort: 1}]}\n",
    "patches:\n- patch: '{}'\n- patch: 'a: [b'\n- path: res.yaml\n  patch: x\n",
    "patchesStrategicMerge: [p.yaml, 'apiVersion: v1']\n",
    "patchesJson6902:\n- target: {kind: Service}\n  patch: '[{\"op\": \"remove\", \"path\": \"/spec/ports/9\"}]'\n",
    "replacements:\n- source: {kind: Service, fieldPath: spec.ports.0.port, options: {delimiter: '', index: 9}}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ['spec.template.spec.containers.*.image', 'a.[b=c].d']\n    options: {create: true, delimiter: ':', index: -1}\n",
    "sortOptions: {order: fifo}\n",
    "sortOptions: {order: legacy, legacySortOptions: {}}\n",
    "kind: Component\n",
    "vars: []\n",
    "openapi: {}\n",
    "unknownField: 1\n",
    "- just a list\n",
    "&a x: *a\n",
];

const RES: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {a: b}}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: redis}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n---\nkind: List\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: redis-config}}, 7]\n---\n- 1\n";

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn random_kustomizations_never_panic(picks in proptest::collection::vec(0..FIELDS.len(), 0..8)) {
        let text: String = picks.iter().map(|&i| FIELDS[i]).collect();
        let t = Tree::new(
            &format!("fuzz-{}", picks.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("-")),
            &[
                ("k/kustomization.yaml", &text),
                ("k/res.yaml", RES),
                ("k/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n$patch: delete\n"),
                ("k/app.env", "\u{feff}A=1\n\n# c\nB\n  C = d \n"),
                ("k/base/kustomization.yaml", "resources: [../res.yaml]\n"),
                ("k/comp/kustomization.yaml", "kind: Component\nnamePrefix: c-\n"),
            ],
        );
        let map = SourceMap::new();
        let b = build(&t.path("k"), &map);
        proptest::prop_assert!(!b.failed || !b.findings.is_empty());
        let _ = b.to_yaml();
    }
}

#[test]
fn duplicate_keys_follow_each_kustomize_reader() {
    let t = Tree::new(
        "dupkeys",
        &[
            (
                "k/kustomization.yaml",
                "resources: [cm.yaml]\nnamePrefix: a-\nnamePrefix: b-\npatches:\n- path: p.yaml\n",
            ),
            ("k/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: '1'}\n"),
            (
                "k/p.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: '2'}\ndata: {y: '3'}\n",
            ),
            ("bad/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("bad/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nmetadata: {name: d}\n"),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("k"), &map);
    assert!(!b.failed, "{:?}", b.findings);
    let cm = &b.resources[0].node;
    assert_eq!(
        cm.str_at(&["metadata", "name"]),
        Some("b-c"),
        "kustomization: the later value wins"
    );
    assert_eq!(
        cm.str_at(&["data", "x"]),
        Some("2"),
        "patch: the earlier value wins"
    );
    assert!(cm.path(&["data", "y"]).is_none());
    let dups = b
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "yaml/duplicate-key")
        .count();
    assert_eq!(dups, 2, "both duplicates are still reported");
    let bad = build(&t.path("bad"), &map);
    assert!(bad.failed, "a duplicate key in a resource fails the build");
}

#[test]
fn plain_timestamps_and_floats_print_as_kustomize_encodes_them() {
    let t = Tree::new(
        "scalars",
        &[
            ("k/kustomization.yaml", "resources: [cm.yaml]\n"),
            (
                "k/cm.yaml",
                "apiVersion: v1\nkind: Thing\nmetadata: {name: c, annotations: {a: 0777, n: ~}, labels: {l: 0777}}\nspec: {d: 2024-01-01, q: '2024-01-01', f: 1e3}\n",
            ),
            ("inf/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("inf/cm.yaml", "apiVersion: v1\nkind: Thing\nmetadata: {name: c}\nspec: {x: .inf}\n"),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("k"), &map);
    let j = b.resources[0].node.to_json();
    assert_eq!(j["spec"]["d"], serde_json::json!("2024-01-01T00:00:00Z"));
    assert_eq!(j["spec"]["q"], serde_json::json!("2024-01-01"));
    assert_eq!(j["spec"]["f"], serde_json::json!(1000));
    assert_eq!(
        j["metadata"]["annotations"],
        serde_json::json!({"a": "0777", "n": "~"})
    );
    assert_eq!(j["metadata"]["labels"]["l"], serde_json::json!(511));
    let inf = build(&t.path("inf"), &map);
    assert!(inf.failed);
    assert_eq!(loc(&map, &t.0, inf.findings[0].primary), "inf/cm.yaml:4");
}

#[test]
fn a_namespace_that_merges_two_ids_fails() {
    let t = Tree::new(
        "nsconflict",
        &[
            ("k/kustomization.yaml", "namespace: a\nresources: [cm.yaml]\n"),
            (
                "k/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: b}\n",
            ),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("k"), &map);
    assert!(b.failed);
    assert_eq!(b.findings[0].rule.as_str(), "kustomize/duplicate-resource");
    assert_eq!(b.findings[0].related.len(), 2);
}

#[test]
fn generator_merge_takes_type_immutable_and_hash_wish_from_both_sides() {
    let t = Tree::new(
        "genmerge",
        &[
            (
                "base/kustomization.yaml",
                "secretGenerator:\n- name: s\n  type: kubernetes.io/basic-auth\n  literals: [a=1]\nconfigMapGenerator:\n- name: c\n  literals: [a=1]\n  options: {immutable: true}\n",
            ),
            (
                "top/kustomization.yaml",
                "resources: [../base]\nsecretGenerator:\n- name: s\n  behavior: merge\n  literals: [b=2]\nconfigMapGenerator:\n- name: c\n  behavior: merge\n  literals: [b=2]\n  options: {disableNameSuffixHash: true}\n",
            ),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("top"), &map);
    assert!(!b.failed, "{:?}", b.findings);
    let cm = find(&b.resources, "ConfigMap");
    assert_eq!(
        cm.str_at(&["metadata", "name"]),
        Some("c"),
        "the overlay disabled the hash"
    );
    assert!(
        cm.get("immutable").is_none(),
        "the overlay did not ask for immutable"
    );
    let s = find(&b.resources, "Secret");
    assert_eq!(
        s.str_at(&["type"]),
        Some("Opaque"),
        "type comes from the merging generator"
    );
    assert!(s.str_at(&["metadata", "name"]).unwrap().starts_with("s-"));
    assert_eq!(s.path(&["data"]).unwrap().as_map().unwrap().len(), 2);
}

/// Observed with kubectl: a merged or replaced generated object keeps its hash suffix only
/// when both the base's and the overlay's generator want one.
#[test]
fn a_merged_generator_is_hashed_only_if_both_levels_want_it() {
    let base = "configMapGenerator:
- {name: a, literals: [a=b]}
- {name: b, literals: [a=b]}
- {name: c, literals: [a=b], options: {disableNameSuffixHash: true}}
- {name: d, literals: [a=b]}
";
    let overlay = "resources: [../base]
configMapGenerator:
- {name: a, behavior: merge, literals: [x=y], options: {disableNameSuffixHash: true}}
- {name: b, behavior: replace, literals: [x=y], options: {disableNameSuffixHash: true}}
- {name: c, behavior: merge, literals: [x=y], options: {disableNameSuffixHash: false}}
- {name: d, behavior: merge, literals: [x=y]}
";
    let t = Tree::new(
        "merge-hash",
        &[
            ("base/kustomization.yaml", base),
            ("o/kustomization.yaml", overlay),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("o"), &map);
    assert!(!b.failed, "{:?}", b.findings);
    let names: Vec<&str> = b
        .resources
        .iter()
        .filter_map(|r| r.node.str_at(&["metadata", "name"]))
        .collect();
    assert_eq!(names, ["a", "b", "c", "d-ff5c62bg4g"]);
}

/// Observed with kubectl: `patchesJson6902` cannot add below `metadata.annotations` of an
/// object kustomize has not annotated yet, `patches:` can (it records the object's id in
/// internal annotations first, which `copy` exposes); patched-in annotation values print as
/// strings of their JSON reading.
#[test]
fn json_patches_see_kustomize_internal_annotations() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    let add = "- {op: add, path: /metadata/annotations/x, value: on}\n";
    let t = Tree::new(
        "internal-annotations",
        &[
            ("legacy/kustomization.yaml", "resources: [cm.yaml]\npatchesJson6902:\n- {target: {version: v1, kind: ConfigMap, name: c}, path: p.yaml}\n"),
            ("legacy/cm.yaml", cm),
            ("legacy/p.yaml", add),
            ("named/kustomization.yaml", "resources: [cm.yaml]\nnamespace: ns\npatchesJson6902:\n- {target: {version: v1, kind: ConfigMap, name: c}, path: p.yaml}\n"),
            ("named/cm.yaml", cm),
            ("named/p.yaml", add),
            ("patches/kustomization.yaml", "resources: [cm.yaml]\npatches:\n- {target: {kind: ConfigMap}, path: p.yaml}\n- {target: {kind: ConfigMap}, path: q.yaml}\n"),
            ("patches/cm.yaml", cm),
            ("patches/p.yaml", add),
            ("patches/q.yaml", "- {op: copy, from: /metadata/annotations, path: /data}\n"),
        ],
    );
    let map = SourceMap::new();
    let legacy = build(&t.path("legacy"), &map);
    assert!(legacy.failed);
    let failure = legacy
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "kustomize/patch-failed")
        .unwrap();
    assert!(
        failure.message.contains("missing path"),
        "{}",
        failure.message
    );
    assert_eq!(loc(&map, &t.0, failure.primary), "legacy/p.yaml:1");
    let named = build(&t.path("named"), &map);
    assert!(!named.failed, "{:?}", named.findings);
    assert_eq!(
        named.resources[0].node.to_json()["metadata"]["annotations"],
        serde_json::json!({"x": "true"})
    );
    let patched = build(&t.path("patches"), &map);
    assert!(!patched.failed, "{:?}", patched.findings);
    let j = patched.resources[0].node.to_json();
    assert_eq!(
        j["metadata"]["annotations"],
        serde_json::json!({"x": "true"})
    );
    assert_eq!(
        j["data"],
        serde_json::json!({
            "x": "true",
            "internal.config.kubernetes.io/previousKinds": "ConfigMap,ConfigMap",
            "internal.config.kubernetes.io/previousNames": "c,c",
            "internal.config.kubernetes.io/previousNamespaces": "default,default",
        })
    );
    let x = patched.resources[0]
        .node
        .path(&["metadata", "annotations", "x"])
        .unwrap();
    assert_eq!(loc(&map, &t.0, x.span), "patches/p.yaml:1");
}

/// Observed with kubectl: a targeted strategic-merge patch changes kind and name only with
/// `allowKindChange`/`allowNameChange`, and never the target's apiVersion.
#[test]
fn a_targeted_smp_keeps_the_api_version() {
    let patch = "  patch: |\n    apiVersion: v2\n    kind: Other\n    metadata: {name: other, labels: {x: y}}\n";
    let t = Tree::new(
        "smp-api-version",
        &[
            ("k/kustomization.yaml", &format!("resources: [s.yaml]\npatches:\n- target: {{name: st}}\n{patch}")),
            ("k/s.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: st}\n"),
            ("o/kustomization.yaml", &format!("resources: [s.yaml]\npatches:\n- target: {{name: st}}\n  options: {{allowKindChange: true, allowNameChange: true}}\n{patch}")),
            ("o/s.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: st}\n"),
        ],
    );
    let map = SourceMap::new();
    for (dir, kind, name) in [("k", "StatefulSet", "st"), ("o", "Other", "other")] {
        let b = build(&t.path(dir), &map);
        assert!(!b.failed, "{:?}", b.findings);
        let n = &b.resources[0].node;
        assert_eq!(n.str_at(&["apiVersion"]), Some("apps/v1"));
        assert_eq!(n.str_at(&["kind"]), Some(kind));
        assert_eq!(n.str_at(&["metadata", "name"]), Some(name));
        assert_eq!(n.str_at(&["metadata", "labels", "x"]), Some("y"));
    }
}

/// A failed `test` names both values and points at the current one, unless the object is a
/// Secret (then neither value is printed).
#[test]
fn a_failed_json_patch_test_shows_both_values_but_no_secret() {
    let patch = "- {op: test, path: /data/v, value: old}\n";
    let t = Tree::new(
        "test-op",
        &[
            (
                "cm/kustomization.yaml",
                "resources: [cm.yaml]\npatches:\n- {target: {kind: ConfigMap}, path: p.yaml}\n",
            ),
            (
                "cm/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  v: new\n",
            ),
            ("cm/p.yaml", patch),
            (
                "s/kustomization.yaml",
                "resources: [s.yaml]\npatches:\n- {target: {kind: Secret}, path: p.yaml}\n",
            ),
            (
                "s/s.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata: {name: c}\ndata:\n  v: aHVudGVyMg==\n",
            ),
            ("s/p.yaml", patch),
        ],
    );
    let map = SourceMap::new();
    let cm = build(&t.path("cm"), &map);
    assert!(cm.failed);
    let f = &cm.findings[0];
    assert_eq!(f.rule.as_str(), "kustomize/patch-failed");
    assert_eq!(
        f.message,
        "`test` expects `old` at `/data/v` of ConfigMap `c`, but finds `new`"
    );
    assert_eq!(map.get(f.primary.file).slice(f.primary), "old");
    assert_eq!(loc(&map, &t.0, f.related[0].span), "cm/cm.yaml:5");

    let s = build(&t.path("s"), &map);
    let f = &s.findings[0];
    assert_eq!(f.rule.as_str(), "kustomize/patch-failed");
    let all = format!("{} {:?} {:?}", f.message, f.related, f.help);
    assert!(!all.contains("aHVudGVyMg") && !all.contains("old"), "{all}");
    assert_eq!(loc(&map, &t.0, f.related[0].span), "s/s.yaml:5");
}

#[test]
fn empty_patch_target_is_reported_at_the_selector_that_matches_nothing() {
    let patch = "  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 2\n";
    let t = Tree::new(
        "target-field",
        &[
            ("base/sts.yaml", BASE_STS),
            ("base/kustomization.yaml", "resources: [sts.yaml]\n"),
            (
                "name/kustomization.yaml",
                &format!("resources: [../base]\npatches:\n- target:\n    kind: StatefulSet\n    name: redis-master\n{patch}"),
            ),
            (
                "labels/kustomization.yaml",
                &format!("resources: [../base]\npatches:\n- target:\n    kind: StatefulSet\n    labelSelector: app=cache\n{patch}"),
            ),
        ],
    );
    let map = SourceMap::new();
    for (dir, line, text) in [("name", 5, "redis-master"), ("labels", 5, "app=cache")] {
        let b = build(&t.path(dir), &map);
        let f = b
            .findings
            .iter()
            .find(|f| f.rule == "kustomize/patch-target-missing")
            .unwrap_or_else(|| panic!("{dir}: {:?}", b.findings));
        assert_eq!(
            loc(&map, &t.0, f.primary),
            format!("{dir}/kustomization.yaml:{line}")
        );
        assert_eq!(map.get(f.primary.file).slice(f.primary), text);
        assert!(f.message.contains(text), "{}", f.message);
    }
    // The help still lists the objects of the kind.
    let b = build(&t.path("name"), &map);
    assert!(b.findings[0]
        .help
        .as_deref()
        .unwrap_or("")
        .contains("redis"));
}

#[test]
fn a_path_escaping_the_root_is_outside_root_whether_or_not_it_exists() {
    let t = Tree::new(
        "outside-missing",
        &[
            ("o/sts.yaml", BASE_STS),
            (
                "o/kustomization.yaml",
                "resources: [sts.yaml]\npatches:\n- path: ../../../etc/passwd-not-there\n",
            ),
            ("r/kustomization.yaml", "resources:\n- ../nowhere/cm.yaml\n"),
            ("d/kustomization.yaml", "resources:\n- ../base-typo\n"),
        ],
    );
    let map = SourceMap::new();
    for (dir, rule) in [
        ("o", "kustomize/outside-root"),
        ("r", "kustomize/outside-root"),
        // Without an extension a missing entry may be a base directory, which may lie outside.
        ("d", "kustomize/missing-file"),
    ] {
        let b = build(&t.path(dir), &map);
        assert!(b.failed, "{dir}");
        let rules: Vec<_> = b.findings.iter().map(|f| f.rule).collect();
        assert_eq!(rules, vec![rule], "{dir}: {:?}", b.findings);
    }
    let b = build(&t.path("o"), &map);
    assert!(
        b.findings[0].message.contains("does not exist either"),
        "{}",
        b.findings[0].message
    );
}

/// A diamond of bases (each level lists two thin kustomizations over the level below) is
/// built once per directory: depth 20 would be 2^20 builds of the bottom. kubectl's verdict
/// stays: the bottom ConfigMap arrives twice, a duplicate id, and nothing else is wrong.
#[test]
fn a_diamond_of_bases_is_built_once_per_directory_with_kubectls_verdict() {
    let mut files = vec![
        (
            "l0/kustomization.yaml".to_string(),
            "resources: [cm.yaml]\n".to_string(),
        ),
        (
            "l0/cm.yaml".to_string(),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bottom\n".to_string(),
        ),
    ];
    for i in 1..=20 {
        for side in ["a", "b"] {
            files.push((
                format!("l{i}/{side}/kustomization.yaml"),
                format!(
                    "labels:\n  - pairs: {{side-{i}: {side}}}\nresources: [../../l{}]\n",
                    i - 1
                ),
            ));
        }
        files.push((
            format!("l{i}/kustomization.yaml"),
            "resources: [a, b]\n".to_string(),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let t = Tree::new("diamond-memo", &refs);
    let map = SourceMap::new();
    let b = build(&t.path("l20"), &map);
    assert!(b.failed);
    let rules: Vec<&str> = b.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.iter().all(|r| *r == "kustomize/duplicate-resource"),
        "{rules:?}"
    );
    assert!(!rules.is_empty());
    assert_eq!(b.resources.len(), 1);
}

/// A base reached twice through different prefixes is copied, not shared: each copy gets its
/// own prefix and its own name references.
#[test]
fn a_base_reached_twice_gives_two_independent_copies() {
    let t = Tree::new(
        "twice-memo",
        &[
            ("base/kustomization.yaml", "resources: [cm.yaml, pod.yaml]\n"),
            (
                "base/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
            ),
            (
                "base/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n    - name: v\n      configMap:\n        name: cm\n",
            ),
            ("l/kustomization.yaml", "namePrefix: l-\nresources: [../base]\n"),
            ("r/kustomization.yaml", "namePrefix: r-\nresources: [../base]\n"),
            ("top/kustomization.yaml", "resources: [../l, ../r]\n"),
        ],
    );
    let map = SourceMap::new();
    let b = build(&t.path("top"), &map);
    assert!(!b.failed, "{:?}", b.findings);
    let mut refs: Vec<(String, String)> = b
        .resources
        .iter()
        .filter(|r| r.node.str_at(&["kind"]) == Some("Pod"))
        .map(|r| {
            let name = r.node.str_at(&["metadata", "name"]).unwrap().to_string();
            let vols = r
                .node
                .path(&["spec", "volumes"])
                .and_then(Node::as_seq)
                .unwrap();
            let cm = vols[0].str_at(&["configMap", "name"]).unwrap().to_string();
            (name, cm)
        })
        .collect();
    refs.sort();
    assert_eq!(
        refs,
        [
            ("l-p".to_string(), "l-cm".to_string()),
            ("r-p".to_string(), "r-cm".to_string())
        ]
    );
}
