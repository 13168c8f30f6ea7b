//! The JSON reader and the cache-strategy schema validator on arbitrary text, as a file and as
//! a ConfigMap block scalar: no panic, every span inside the file it names.
#![no_main]
use grill_lint::json::{self, schema, Limits};
use grill_lint::source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let map = SourceMap::new();
    let f = map.add("c.json", text);
    let d = json::parse_file(&f, Limits::default());
    for e in &d.errors {
        assert!(e.span.end as usize <= text.len());
    }
    if let Some(root) = &d.root {
        for e in schema::validate_cache_strategy(root) {
            assert!(e.span.end as usize <= text.len());
        }
    }
    let indented: String = text.lines().map(|l| format!("    {l}\n")).collect();
    let yaml = format!("data:\n  cache.json: |\n{indented}");
    let y = map.add("cm.yaml", yaml.clone());
    let parsed = grill_lint::yaml::parse_stream(&y, Default::default());
    if let Some(node) = parsed.docs.first().and_then(|d| d.path(&["data", "cache.json"])) {
        if let Some(d) = json::parse_scalar(&y, node, Limits::default()) {
            for e in &d.errors {
                assert!(e.span.end as usize <= yaml.len());
            }
        }
    }
});
