//! No input makes the readers panic, and what the YAML writer prints reads back as the same data.

use grill_lint::source::SourceMap;
use grill_lint::yaml::{emit, parse_stream, Limits, Node};
use proptest::prelude::*;

fn parse(text: &str) -> grill_lint::yaml::ParsedStream {
    let map = SourceMap::new();
    let f = map.add("p.yaml", text);
    parse_stream(&f, Limits::default())
}

/// YAML-ish text: mostly the characters that steer a YAML scanner.
fn yamlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(": "),
            Just("- "),
            Just("\n"),
            Just("  "),
            Just("'"),
            Just("\""),
            Just("&a "),
            Just("*a"),
            Just("? "),
            Just("|"),
            Just(">-"),
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(", "),
            Just("#"),
            Just("---\n"),
            Just("..."),
            Just("\\x41"),
            Just("é"),
            Just("key"),
            Just("on"),
            Just("0755"),
            Just("!!str "),
            Just("<<: "),
            Just("\t"),
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn yaml_parser_never_panics_on_any_text(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn yaml_parser_never_panics_on_yamlish_text(s in yamlish()) {
        let p = parse(&s);
        // Every finding points inside the file.
        for f in &p.findings {
            prop_assert!(f.primary.end as usize <= s.len());
        }
    }

    #[test]
    fn emitted_yaml_reads_back_as_the_same_data(s in yamlish()) {
        let p = parse(&s);
        if p.complete && p.findings.is_empty() {
            let docs: Vec<&Node> = p.docs.iter().collect();
            let out = emit::to_yaml_docs(&docs);
            let q = parse(&out);
            prop_assert!(q.complete, "re-parse failed for {:?}:\n{}\n{:?}", s, out, q.findings);
            let a: Vec<_> = p.docs.iter().map(|d| d.to_json()).collect();
            let b: Vec<_> = q.docs.iter().map(|d| d.to_json()).collect();
            prop_assert_eq!(a, b, "input {:?}\noutput:\n{}", s, out);
        }
    }
}

#[test]
fn hostile_documents_hit_limits_not_the_stack() {
    for text in [
        "[".repeat(1_000_000),
        "- ".repeat(200_000),
        "{a: ".repeat(100_000),
    ] {
        let p = parse(&text);
        assert!(!p.complete);
        assert!(p
            .findings
            .iter()
            .any(|f| f.rule.as_str() == "yaml/limits" || f.rule.as_str() == "yaml/syntax"));
    }
    let many_docs = "a: 1\n---\n".repeat(20_000);
    let p = parse(&many_docs);
    assert!(p
        .findings
        .iter()
        .any(|f| f.rule.as_str() == "yaml/limits" && f.message.contains("document")));
}

/// Inputs the fuzzer once broke: the reader and the writer must round-trip them.
#[test]
fn fuzz_regressions_round_trip() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz-regressions/yaml"
    );
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        n += 1;
        let p = parse(&text);
        if p.complete && p.findings.is_empty() {
            let docs: Vec<&Node> = p.docs.iter().collect();
            let out = emit::to_yaml_docs(&docs);
            let q = parse(&out);
            assert!(q.complete, "{out}");
            let a: Vec<_> = p.docs.iter().map(|d| d.to_json()).collect();
            let b: Vec<_> = q.docs.iter().map(|d| d.to_json()).collect();
            assert_eq!(a, b);
        }
    }
    assert!(n >= 2);
}
