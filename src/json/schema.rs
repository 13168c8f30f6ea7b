//! JSON Schema validation (the `jsonschema` crate) with each error at its key or value.
//!
//! The validator sees the JSON value of a [`JsonDoc`](super::JsonDoc) tree; every error's
//! instance path (a JSON pointer) is looked up in that tree, so the error points at the value
//! that is wrong (`"ttl": "30"`), at the unexpected key itself (`"tll"`), or, for a missing
//! property, at the key of the object that lacks it.

use super::{pointer, to_value};
use crate::source::Span;
use crate::yaml::Node;
use jsonschema::error::ValidationErrorKind as K;
use std::sync::OnceLock;

/// `schemas/cache-strategy.schema.json`, embedded.
pub const CACHE_STRATEGY_SCHEMA: &str = include_str!("../../schemas/cache-strategy.schema.json");

/// The properties a cache type may have, for did-you-mean suggestions.
const CACHE_TYPE_PROPERTIES: &[&str] = &["ttl", "key_prefix", "database", "description"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub message: String,
    pub span: Span,
    /// The JSON pointer of the offending value.
    pub path: String,
    pub help: Option<String>,
}

fn cache_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(CACHE_STRATEGY_SCHEMA).expect("the bundled schema is JSON");
        jsonschema::validator_for(&schema).expect("the bundled schema is a valid JSON Schema")
    })
}

/// Validates a cache-strategy tree against the bundled schema.
///
/// Compiling the validator costs more than the rest of a lint (the `jsonschema` crate first
/// compiles the draft 2020-12 meta-schema to check the bundled one), and a valid document has
/// no errors to locate: [`cache_strategy_valid`] answers that case with the schema's own
/// constraints, and `jsonschema` runs only for a document that breaks one. The test
/// `the_fast_verdict_is_the_validators` holds the two verdicts equal on generated documents.
pub fn validate_cache_strategy(root: &Node) -> Vec<SchemaError> {
    let value = to_value(root);
    if cache_strategy_valid(&value) {
        return Vec::new();
    }
    validate_value(cache_validator(), root, &value)
}

/// Whether `value` satisfies `schemas/cache-strategy.schema.json`: an object of at least one
/// property, each name matching `^[A-Za-z0-9_.-]+$`, each value an object with exactly the
/// required `ttl` (integer), `key_prefix` (non-empty string) and `database` (integer in
/// 0..=15), and optionally `description` (string).
fn cache_strategy_valid(value: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    // JSON Schema's `integer` is any number whose fractional part is zero (`1.0` included).
    fn integer(v: &J) -> Option<f64> {
        let n = v.as_number()?;
        if n.is_i64() || n.is_u64() {
            return n.as_f64();
        }
        n.as_f64().filter(|f| f.fract() == 0.0)
    }
    let Some(types) = value.as_object() else {
        return false;
    };
    !types.is_empty()
        && types.iter().all(|(name, t)| {
            let Some(props) = t.as_object() else {
                return false;
            };
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
                && props.iter().all(|(k, v)| match k.as_str() {
                    "ttl" => integer(v).is_some(),
                    "key_prefix" => v.as_str().is_some_and(|s| !s.is_empty()),
                    "database" => integer(v).is_some_and(|d| (0.0..=15.0).contains(&d)),
                    "description" => v.is_string(),
                    _ => false,
                })
                && ["ttl", "key_prefix", "database"]
                    .iter()
                    .all(|k| props.contains_key(*k))
        })
}

/// Validates `root` with `validator`; errors in document order.
pub fn validate(validator: &jsonschema::Validator, root: &Node) -> Vec<SchemaError> {
    validate_value(validator, root, &to_value(root))
}

/// [`validate`] of `root`, whose JSON value is `value`.
fn validate_value(
    validator: &jsonschema::Validator,
    root: &Node,
    value: &serde_json::Value,
) -> Vec<SchemaError> {
    let mut out = Vec::new();
    for e in validator.iter_errors(value) {
        let path = e.instance_path().as_str().to_string();
        let Some((key, node)) = pointer(root, &path) else {
            out.push(SchemaError {
                message: e.to_string(),
                span: root.span,
                path,
                help: None,
            });
            continue;
        };
        let name = path
            .rsplit('/')
            .next()
            .unwrap_or("")
            .replace("~1", "/")
            .replace("~0", "~");
        let shown = if path.is_empty() {
            "the document".to_string()
        } else {
            format!("`{name}`")
        };
        match e.kind() {
            K::AdditionalProperties { unexpected } => {
                for u in unexpected {
                    let entry = node
                        .as_map()
                        .and_then(|m| m.entries.iter().rev().find(|en| en.key.as_str() == Some(u)));
                    let span = entry.map_or(node.span, |en| en.key.span);
                    let best = CACHE_TYPE_PROPERTIES
                        .iter()
                        .map(|p| (strsim::jaro_winkler(p, u), *p))
                        .filter(|(s, p)| *s > 0.85 || strsim::damerau_levenshtein(p, u) <= 1)
                        .max_by(|a, b| a.0.total_cmp(&b.0));
                    out.push(SchemaError {
                        message: format!("unknown property `{u}` in {shown}"),
                        span,
                        path: format!("{path}/{}", u.replace('~', "~0").replace('/', "~1")),
                        help: Some(match best {
                            Some((_, p)) => format!("did you mean `{p}`?"),
                            None => format!(
                                "a cache type has only {}",
                                CACHE_TYPE_PROPERTIES
                                    .iter()
                                    .map(|p| format!("`{p}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        }),
                    });
                }
            }
            K::Required { property } => {
                let p = property.as_str().unwrap_or("?");
                let example = match p {
                    "ttl" => "\"ttl\": <seconds>",
                    "key_prefix" => "\"key_prefix\": \"<type>:\"",
                    "database" => "\"database\": <0..15>",
                    _ => "",
                };
                out.push(SchemaError {
                    message: format!("{shown} has no `{p}`"),
                    span: key.map_or(node.span, |k| k.span),
                    path,
                    help: (!example.is_empty()).then(|| format!("add `{example}`")),
                });
            }
            K::Type { .. } => out.push(SchemaError {
                message: format!(
                    "{shown} is {} {}; the schema wants {}",
                    article(node.kind_name_json()),
                    node.kind_name_json(),
                    type_wanted(&e)
                ),
                span: node.span,
                path,
                help: None,
            }),
            K::Minimum { limit } => out.push(SchemaError {
                message: format!("{shown} is {}, below the minimum {limit}", to_value(node)),
                span: node.span,
                path,
                help: None,
            }),
            K::Maximum { limit } => out.push(SchemaError {
                message: format!("{shown} is {}, above the maximum {limit}", to_value(node)),
                span: node.span,
                path,
                help: None,
            }),
            _ => out.push(SchemaError {
                message: format!("{shown}: {e}"),
                span: if matches!(e.kind(), K::Pattern { .. }) && key.is_some() {
                    key.map_or(node.span, |k| k.span)
                } else {
                    node.span
                },
                path,
                help: None,
            }),
        }
    }
    out.sort_by_key(|e| (e.span.file, e.span.start));
    out
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn type_wanted(e: &jsonschema::ValidationError<'_>) -> String {
    // The kind's Display is `"x" is not of type "integer"`; keep the wanted type.
    let text = e.to_string();
    text.rsplit_once(" is not of type ")
        .map(|(_, t)| t.replace('"', ""))
        .map(|t| format!("{} {t}", article(&t)))
        .unwrap_or(text)
}

trait JsonKind {
    fn kind_name_json(&self) -> &'static str;
}

impl JsonKind for Node {
    /// The JSON type name of a node built by the JSON reader.
    fn kind_name_json(&self) -> &'static str {
        match to_value(self) {
            serde_json::Value::Null => "null",
            serde_json::Value::Bool(_) => "boolean",
            serde_json::Value::Number(n) if n.is_f64() => "number",
            serde_json::Value::Number(_) => "integer",
            serde_json::Value::String(_) => "string",
            serde_json::Value::Array(_) => "array",
            serde_json::Value::Object(_) => "object",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{parse_file, Limits};
    use crate::source::SourceMap;

    fn errors(text: &str) -> Vec<(String, String, Option<String>)> {
        let map = SourceMap::new();
        let f = map.add("c.json", text);
        let d = parse_file(&f, Limits::default());
        let root = d.root.expect("parses");
        validate_cache_strategy(&root)
            .into_iter()
            .map(|e| (f.slice(e.span).to_string(), e.message, e.help))
            .collect()
    }

    #[test]
    fn the_reference_shape_is_valid() {
        let ok = r#"{"session_management": {"ttl": 3600, "key_prefix": "session:", "database": 0, "description": "user sessions"},
                     "live_temperature_data": {"ttl": 30, "key_prefix": "temp:", "database": 1}}"#;
        assert_eq!(errors(ok), vec![]);
    }

    #[test]
    fn each_error_is_at_its_key_or_value() {
        let text = r#"{
  "api_cache": {"ttl": "300", "key_prefix": "api:", "database": 16, "tll": 5},
  "device_status": {"key_prefix": "", "database": 2, "ttl": 60}
}"#;
        let e = errors(text);
        let at: Vec<&str> = e.iter().map(|(s, _, _)| s.as_str()).collect();
        assert_eq!(at, ["\"300\"", "16", "\"tll\"", "\"\""], "{e:#?}");
        assert_eq!(e[0].1, "`ttl` is a string; the schema wants an integer");
        assert_eq!(e[1].1, "`database` is 16, above the maximum 15");
        assert_eq!(e[2].1, "unknown property `tll` in `api_cache`");
        assert_eq!(e[2].2.as_deref(), Some("did you mean `ttl`?"));
        let e = errors(r#"{"temp": {"ttl": 30, "database": 1}}"#);
        assert_eq!(e[0].0, "\"temp\"");
        assert_eq!(e[0].1, "`temp` has no `key_prefix`");
        let e = errors(r#"{"temp": 5}"#);
        assert_eq!(
            (e[0].0.as_str(), e[0].1.as_str()),
            ("5", "`temp` is an integer; the schema wants an object")
        );
        let e = errors(r#"[]"#);
        assert_eq!(
            e[0].1,
            "the document is an array; the schema wants an object"
        );
        let e = errors(r#"{"t": {"ttl": 1.5, "key_prefix": "t:", "database": -1}}"#);
        assert_eq!(e.len(), 2, "{e:?}");
    }

    /// A value near the schema's edges: the property names, types and bounds it constrains.
    fn scalar() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::json;
        prop_oneof![
            (-2i64..18).prop_map(|n| json!(n)),
            prop::sample::select(vec![0.0, 1.0, 1.5, 15.0, 15.5, 16.0, -1.0, -0.5, 3e9])
                .prop_map(|f| json!(f)),
            Just(json!(u64::MAX)),
            prop::sample::select(vec!["", "s:", "x", "1"]).prop_map(|s| json!(s)),
            any::<bool>().prop_map(|b| json!(b)),
            Just(serde_json::Value::Null),
            Just(json!([])),
            Just(json!({})),
        ]
    }

    fn cache_type() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let key = prop::sample::select(vec![
            "ttl",
            "ttl",
            "key_prefix",
            "key_prefix",
            "database",
            "database",
            "description",
            "tll",
            "",
        ]);
        prop_oneof![
            4 => prop::collection::vec((key, scalar()), 0..6).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
            // Valid ones, with an occasional change, so that the valid side is well covered.
            4 => (0i64..20, prop::sample::select(vec!["a:", ""]), -1i64..17, any::<bool>())
                .prop_map(|(ttl, prefix, db, desc)| {
                    let mut v = serde_json::json!({"ttl": ttl, "key_prefix": prefix, "database": db});
                    if desc {
                        v["description"] = serde_json::json!("d");
                    }
                    v
                }),
            1 => scalar(),
        ]
    }

    fn document() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let name = prop::sample::select(vec![
            "session",
            "a.b-c_D9",
            "",
            "a b",
            "é",
            "x\n",
            "x/y",
            "api_cache",
        ]);
        prop_oneof![
            8 => prop::collection::vec((name, cache_type()), 0..4).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
            1 => scalar(),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// `jsonschema` is the oracle: the fast verdict that skips it must equal its verdict.
        #[test]
        fn the_fast_verdict_is_the_validators(doc in document()) {
            proptest::prop_assert_eq!(
                cache_strategy_valid(&doc),
                cache_validator().is_valid(&doc),
                "{}", doc
            );
        }
    }

    #[test]
    fn the_fast_verdict_sees_both_outcomes() {
        let ok = serde_json::json!({"s": {"ttl": 1.0, "key_prefix": "s:", "database": 15}});
        assert!(cache_strategy_valid(&ok) && cache_validator().is_valid(&ok));
        let bad = serde_json::json!({"s": {"ttl": 1, "key_prefix": "s:", "database": 15.5}});
        assert!(!cache_strategy_valid(&bad) && !cache_validator().is_valid(&bad));
    }
}
