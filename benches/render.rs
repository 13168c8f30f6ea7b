//! Speed baseline of the native Kustomize build: `build` + `Build::to_yaml` (what
//! `grill-lint render DIR` does, without process start-up) on the reference overlays.
//!
//! Targets: the bundled reference deployment (`kustomize/overlays/{dev-lab,prod-lab}`) when
//! present, the recorded fixtures `redis-tree` (base, dev-lab, prod-lab) and `synthetic-200`
//! (20 and 80 patches), plus any directories listed in `GRILL_BENCH_DIRS` (colon-separated,
//! e.g. trees written by `scripts/synth-tree.py`). A target whose build fails is not timed: it
//! is reported on stderr, since timing a failure would be a meaningless baseline.
//! `scripts/bench-render.sh` compares the same trees against `kubectl kustomize`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use grill_lint::kustomize;
use grill_lint::source::SourceMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `(label, directory)` of every target that exists.
fn targets() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = root.join("tests/fixtures/kustomize-cases");
    let mut out: Vec<(String, PathBuf)> = [
        ("dev-lab", root.join("kustomize/overlays/dev-lab")),
        ("prod-lab", root.join("kustomize/overlays/prod-lab")),
        (
            "fixture-redis-base",
            cases.join("redis-tree/kustomize/base/databases/redis"),
        ),
        (
            "fixture-dev-lab",
            cases.join("redis-tree/kustomize/overlays/dev-lab"),
        ),
        (
            "fixture-prod-lab",
            cases.join("redis-tree/kustomize/overlays/prod-lab"),
        ),
        ("synthetic-200-20p", cases.join("synthetic-200/overlay")),
        (
            "synthetic-200-80p",
            cases.join("synthetic-200/overlay-80patches"),
        ),
    ]
    .into_iter()
    .map(|(label, dir)| (label.to_string(), dir))
    .collect();
    if let Some(extra) = std::env::var_os("GRILL_BENCH_DIRS") {
        for dir in std::env::split_paths(&extra) {
            let label = dir
                .components()
                .rev()
                .take(3)
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("/");
            out.push((format!("extra:{label}"), dir));
        }
    }
    out.retain(|(label, dir)| {
        let present = dir.is_dir();
        if !present {
            eprintln!(
                "render bench: {label}: {} does not exist, not timed",
                dir.display()
            );
        }
        present
    });
    out
}

/// One render: a fresh source map (every file read again), the build, the printed YAML.
fn render(dir: &Path) -> (kustomize::Build, String) {
    let sources = SourceMap::new();
    let build = kustomize::build(dir, &sources);
    let yaml = build.to_yaml();
    (build, yaml)
}

fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (label, dir) in targets() {
        let (build, yaml) = render(&dir);
        if build.failed {
            eprintln!(
                "render bench: {label}: the native build of {} FAILS; not timed",
                dir.display()
            );
            continue;
        }
        eprintln!(
            "render bench: {label}: {} documents, {} bytes of YAML",
            build.resources.len(),
            yaml.len()
        );
        group.bench_function(label.as_str(), |b| {
            b.iter(|| black_box(render(black_box(&dir))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
