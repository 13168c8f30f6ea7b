//! The whole pipeline as `grill-lint kustomize/` runs it, without process start-up: both
//! reference overlays built in parallel, every check, suppressions, the sorted report, and the
//! human and JSON renderings.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use grill_lint::lint::{lint, Options};
use std::path::PathBuf;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = vec![root.join("kustomize")];
    let opts = Options::default();
    let mut g = c.benchmark_group("lint");
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("check kustomize/ (both overlays)", |b| {
        b.iter(|| {
            let report = lint(black_box(&target), &opts).expect("the reference deployment lints");
            black_box(grill_lint::report::json::render(&report));
            black_box(grill_lint::report::human::render(&report, false, false));
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
