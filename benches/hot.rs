//! The hot paths one overlay's lint spends its time in, each alone: reading YAML, a
//! strategic-merge patch, the generator name hash, schema validation of every rendered object,
//! and the full lint of one reference overlay (prod-lab, the bigger one). `benches/redis.rs`
//! covers redis.conf; `benches/render.rs` the builder on whole trees.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use grill_lint::kustomize::{self, resource::ResId, smp};
use grill_lint::lint::{lint, Options};
use grill_lint::source::SourceMap;
use grill_lint::yaml::{parse_stream, Limits, Node};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docs(map: &SourceMap, path: &Path) -> Vec<Node> {
    let text = std::fs::read_to_string(path).expect("the reference tree is readable");
    parse_stream(&map.add(path, text), Limits::default()).docs
}

fn kind<'a>(docs: &'a [Node], kind: &str) -> &'a Node {
    docs.iter()
        .find(|d| d.str_at(&["kind"]) == Some(kind))
        .expect("the reference tree holds this kind")
}

fn bench(c: &mut Criterion) {
    let root = root();
    let base = root.join("kustomize/base/databases/redis.yaml");
    let patch = root.join("kustomize/overlays/prod-lab/redis-statefulset.yaml");
    let map = SourceMap::new();

    let text = std::fs::read_to_string(&base).unwrap();
    let file = map.add(&base, text);
    c.bench_function("yaml parse (base redis.yaml)", |b| {
        b.iter(|| black_box(parse_stream(black_box(&file), Limits::default())))
    });

    let base_docs = docs(&map, &base);
    let sts = kind(&base_docs, "StatefulSet");
    let patch_doc = docs(&map, &patch).remove(0);
    let id = ResId::of(sts);
    c.bench_function("smp (prod-lab StatefulSet patch)", |b| {
        b.iter(|| {
            let mut dest = sts.clone();
            smp::merge_object(&mut dest, black_box(&patch_doc), &id);
            black_box(dest)
        })
    });

    let prod = root.join("kustomize/overlays/prod-lab");
    let build = kustomize::build(&prod, &map);
    let cm = build
        .resources
        .iter()
        .map(|r| &r.node)
        .find(|n| n.str_at(&["kind"]) == Some("ConfigMap"))
        .expect("prod-lab renders a ConfigMap");
    c.bench_function("hash (a rendered ConfigMap)", |b| {
        b.iter(|| black_box(kustomize::hash::suffix(black_box(cm))))
    });

    let version = grill_lint::k8s::schema::configured_version().expect("a bundled version");
    let bundle = grill_lint::k8s::schema::bundle(version).expect("the bundle loads");
    c.bench_function("schema validation (prod-lab objects)", |b| {
        b.iter(|| {
            for r in &build.resources {
                black_box(grill_lint::k8s::schema::validate(bundle, &r.node));
            }
        })
    });

    let target = vec![prod];
    let opts = Options::default();
    c.bench_function("full lint (prod-lab)", |b| {
        b.iter(|| black_box(lint(black_box(&target), &opts).expect("prod-lab lints")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
