//! The YAML reader and writer on arbitrary bytes: no panic, findings inside the file, and what
//! the writer prints reads back as the same data.
#![no_main]
use grill_lint::source::SourceMap;
use grill_lint::yaml::{emit, parse_stream, Limits, Node};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let map = SourceMap::new();
    let f = map.add("f.yaml", text);
    let p = parse_stream(&f, Limits::default());
    for finding in &p.findings {
        assert!(finding.primary.end as usize <= text.len());
    }
    if p.complete && p.findings.is_empty() {
        let docs: Vec<&Node> = p.docs.iter().collect();
        let out = emit::to_yaml_docs(&docs);
        let g = map.add("g.yaml", out.clone());
        let q = parse_stream(&g, Limits::default());
        assert!(q.complete, "writer output does not parse:\n{out}");
        let a: Vec<_> = p.docs.iter().map(|d| d.to_json()).collect();
        let b: Vec<_> = q.docs.iter().map(|d| d.to_json()).collect();
        // NaN never equals itself: compare the text forms.
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "\n{out}");
    }
});
