//! How long validating a large redis.conf takes: a 10,000-line config (Debian's full
//! redis.conf, comments included, repeated) linted as a standalone file and as a ConfigMap
//! block scalar, and a typical 10-line config. The target is under 5 ms per 10,000 lines.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use grill_lint::redis::{lint_embedded, lint_file, ConfKind};
use grill_lint::source::SourceMap;
use grill_lint::yaml::{parse_stream, Limits};

const DEBIAN: &str = include_str!("../tests/fixtures/redis/debian-redis.conf");

/// A typical small config, with one typo and one bad value.
const SMALL: &str = "bind 0.0.0.0\nport 6379\nprotected-mode yes\nmaxmemory 256mb\n\
                     maxmemory-polcy allkeys-lru\nappendonly yes\nappendfsync everysec\n\
                     save 900 1\nsave 300 10\ndatabases 016\n";

/// The first `n` lines of Debian's redis.conf repeated.
fn config(n: usize) -> String {
    let mut out = String::new();
    for line in DEBIAN.lines().cycle().take(n) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = config(10_000);
    let map = SourceMap::new();
    let file = map.add("redis.conf", text.clone());
    c.bench_function("lint_file 10k lines", |b| {
        b.iter(|| black_box(lint_file(&file, ConfKind::Redis)))
    });
    let small = map.add("small.conf", SMALL);
    c.bench_function("lint_file 10-line config", |b| {
        b.iter(|| black_box(lint_file(&small, ConfKind::Redis)))
    });

    let mut yaml = String::from("apiVersion: v1\nkind: ConfigMap\ndata:\n  redis.conf: |\n");
    for line in text.lines() {
        yaml.push_str("    ");
        yaml.push_str(line);
        yaml.push('\n');
    }
    let yfile = map.add("configmap.yaml", yaml);
    let doc = parse_stream(&yfile, Limits::default()).docs.remove(0);
    let node = doc
        .path(&["data", "redis.conf"])
        .expect("the block scalar")
        .clone();
    c.bench_function("offset map 10k lines", |b| {
        b.iter(|| black_box(grill_lint::redis::OffsetMap::for_scalar(&yfile, &node)))
    });
    c.bench_function("lint_embedded 10k lines", |b| {
        b.iter(|| black_box(lint_embedded(&yfile, &node, ConfKind::Redis)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
