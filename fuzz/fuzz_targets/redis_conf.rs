//! The redis.conf reader on arbitrary text, as a standalone file and as a ConfigMap block
//! scalar: no panic, and every finding points inside the file it names.
#![no_main]
use grill_lint::redis::{lint_embedded, lint_file, tokenize, ConfKind};
use grill_lint::source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = tokenize(text);
    let map = SourceMap::new();
    let f = map.add("redis.conf", text);
    for kind in [ConfKind::Redis, ConfKind::Sentinel] {
        for finding in lint_file(&f, kind) {
            assert!(finding.primary.end as usize <= text.len());
        }
    }
    let indented: String = text.lines().map(|l| format!("    {l}\n")).collect();
    let yaml = format!("data:\n  redis.conf: |\n{indented}");
    let y = map.add("cm.yaml", yaml.clone());
    let parsed = grill_lint::yaml::parse_stream(&y, Default::default());
    if let Some(node) = parsed.docs.first().and_then(|d| d.path(&["data", "redis.conf"])) {
        for finding in lint_embedded(&y, node, ConfKind::Redis) {
            assert!(finding.primary.end as usize <= yaml.len());
        }
    }
});
