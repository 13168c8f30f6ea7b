//! The rule files, the catalogue, `docs/rules.md` and `grill-lint explain` stay in step.

use std::collections::BTreeMap;

fn catalogue() -> BTreeMap<String, String> {
    include_str!("fixtures/catalogue.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (id, sev) = l.split_once('\t').expect("id<TAB>severity");
            (id.to_string(), sev.to_string())
        })
        .collect()
}

#[test]
fn every_catalogue_rule_has_a_valid_rule_file() {
    let rules = grill_lint::rules::registry().expect("bundled rule files parse");
    let have: BTreeMap<String, String> = rules
        .iter()
        .map(|r| (r.id.clone(), r.severity.as_str().to_string()))
        .collect();
    assert_eq!(
        have,
        catalogue(),
        "rules/ must hold exactly the catalogue's IDs with their default severities"
    );
}

/// A bundled rule file as the crate's YAML reader reads it, as JSON.
fn read_rule_file(path: &str, text: &str) -> serde_json::Value {
    let map = grill_lint::source::SourceMap::new();
    let f = map.add(path, text);
    grill_lint::yaml::parse_stream(&f, Default::default())
        .docs
        .remove(0)
        .to_json()
}

#[test]
fn rule_files_satisfy_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/rule.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for (path, text) in grill_lint::rules::RULE_FILES {
        let doc = read_rule_file(path, text);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
    }
}

/// The registry loads the JSON that build.rs converts each rule file to; it must be exactly what
/// the crate's own YAML reader makes of the file, or a rule would read differently than written.
#[test]
fn the_build_time_json_of_every_rule_file_is_what_the_yaml_reader_reads() {
    let files = grill_lint::rules::RULE_FILES;
    let json = grill_lint::rules::RULE_JSON;
    assert_eq!(files.len(), json.len());
    for ((path, text), (jpath, jtext)) in files.iter().zip(json) {
        assert_eq!(path, jpath);
        let yaml = read_rule_file(path, text);
        let built: serde_json::Value = serde_json::from_str(jtext).expect("build.rs writes JSON");
        assert_eq!(built, yaml, "{path}: build.rs reads it differently");
    }
}

#[test]
fn docs_rules_md_is_generated_from_the_rule_files() {
    let want =
        grill_lint::catalogue::docs_markdown(&grill_lint::policy::Policy::bundled().unwrap());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    if std::env::var_os("GRILL_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/docs")).unwrap();
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `GRILL_UPDATE_DOCS=1 cargo test --test docs` and commit it"
    );
}

#[test]
fn explain_prints_every_rule_and_refuses_unknown_ones() {
    let bin = env!("CARGO_BIN_EXE_grill-lint");
    for r in grill_lint::rules::all() {
        let out = std::process::Command::new(bin)
            .args(["explain", &r.id])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(&r.id) && text.contains(r.doc.why.trim()),
            "{}",
            r.id
        );
    }
    let out = std::process::Command::new(bin)
        .args(["explain", "redis/nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The registry and the rule files agree: every rule file has a generated ID constant, every
/// rule is produced by exactly one scope, a rule file with parameters belongs to a check that
/// reads them (or to a planned rule), and `grill-lint rules` marks exactly the unchecked rules.
#[test]
fn the_check_registry_and_the_rule_files_agree() {
    use grill_lint::checks::{checks, is_implemented, params_owner, PIPELINE_RULES};
    let ids: Vec<&str> = grill_lint::rules::id::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    let files: Vec<&str> = grill_lint::rules::all()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, files, "generated constants and rule files differ");
    for r in grill_lint::rules::all() {
        let owners = checks().iter().filter(|c| c.rules()[0] == r.rule).count();
        assert!(owners <= 1, "{}: parameters owned by {owners} checks", r.id);
        let has_params = !r.params.is_empty() || !r.environments.is_empty();
        if has_params && is_implemented(r.rule) {
            assert!(
                params_owner(r.rule).is_some(),
                "{}: the rule file has parameters but no check reads them (a check must list it first)",
                r.id
            );
        }
        let in_pipeline = PIPELINE_RULES.iter().any(|(_, rs)| rs.contains(&r.rule));
        let in_checks = checks().iter().any(|c| c.rules().contains(&r.rule));
        assert!(
            !(in_pipeline && in_checks),
            "{}: produced by the pipeline and by a check",
            r.id
        );
    }
    let listed = grill_lint::catalogue::list_text();
    for r in grill_lint::rules::all() {
        let line = listed
            .lines()
            .find(|l| l.starts_with(&format!("{} ", r.id)))
            .unwrap();
        assert_eq!(
            line.ends_with("(planned)"),
            !is_implemented(r.rule),
            "{line}"
        );
    }
}
