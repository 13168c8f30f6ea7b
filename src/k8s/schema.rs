//! `k8s/schema`, JSON Schema part: a rendered object against the bundled strict schemas of one
//! pinned Kubernetes release (`schemas/kubernetes/`, prepared by `scripts/prepare-schemas.py`).
//!
//! The validator walks the span tree itself instead of converting it to JSON, so every error
//! lands on the node that caused it: an unknown field on its key, a wrong type or enum value on
//! the value, a missing required field on the key (or list item) of the object that lacks it.
//! It implements the keywords the bundled schemas use (`type`, `properties`,
//! `additionalProperties`, `required`, `items`, `enum`, `oneOf`, `anyOf`, `$ref`, `pattern`,
//! `minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`) with JSON Schema's
//! semantics, so that its verdict equals `kubernetes-validate --strict`'s
//! (`tests/k8s_schema_diff.rs` holds it to that). Scalars are read as YAML 1.2, as kustomize
//! reads them; what YAML 1.1 would read differently is `yaml/ambiguous-scalar`'s business.
//!
//! Definitions are parsed on first use only (build.rs splits each bundle into one JSON text per
//! definition, kept as it is until a kind present in the linted objects reaches it) into a
//! typed [`Schema`] and cached for the process: a walk
//! reads struct fields, not keyword lookups in a JSON map.

use crate::hash::HashMap;
use crate::rules::id;
use crate::source::Span;
use crate::yaml::{Node, Resolved, Value};
use serde_json::Value as J;
use std::sync::OnceLock;

/// One bundled release (`schemas/kubernetes/v<minor>.json`) as build.rs prepares it: kinds and
/// definitions sorted by name, each definition its own JSON text, so that a run parses only the
/// definitions it reads and never scans the rest of the file.
struct Prepared {
    version: &'static str,
    origin: &'static str,
    /// `<apiVersion>/<kind>` → root definition.
    kinds: &'static [(&'static str, &'static str)],
    /// Definition name → its JSON.
    defs: &'static [(&'static str, &'static str)],
}

// `K8S_BUNDLES`: every bundled release, by file name.
include!(concat!(env!("OUT_DIR"), "/k8s_bundles.rs"));

pub const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
pub const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/// The minor versions whose schemas are bundled.
pub fn versions() -> Vec<&'static str> {
    K8S_BUNDLES.iter().map(|b| b.version).collect()
}

/// The `kubernetes_version` policy parameter of `k8s/schema`, checked: a version that is not
/// bundled (or a per-environment override, which the check cannot honour) is an error the CLI
/// reports with exit code 2 before linting.
pub fn configured_version() -> Result<&'static str, String> {
    let rule = crate::rules::of(id::K8S_SCHEMA).ok_or("rule `k8s/schema` is not bundled")?;
    version_of(rule)
}

/// The bundled version a `k8s/schema` rule file selects, or why it selects none.
pub fn version_of(rule: &crate::rules::Rule) -> Result<&'static str, String> {
    let file = "rules/k8s/schema.yaml";
    if let Some(env) = rule
        .environments
        .iter()
        .find(|(_, m)| m.contains_key("kubernetes_version"))
        .map(|(e, _)| e)
    {
        return Err(format!(
            "{file}: `kubernetes_version` cannot differ per environment (set for `{env}`)"
        ));
    }
    let v = rule
        .params
        .get("kubernetes_version")
        .ok_or_else(|| format!("{file}: missing parameter `kubernetes_version`"))?;
    let v = v
        .as_str()
        .ok_or_else(|| format!("{file}: `kubernetes_version` must be a string such as \"1.32\""))?;
    let v = v.strip_prefix('v').unwrap_or(v);
    versions()
        .into_iter()
        .find(|b| *b == v)
        .ok_or_else(|| {
            format!(
                "{file}: Kubernetes version `{v}` has no bundled schemas (bundled: {}); see schemas/kubernetes/README.md",
                versions().join(", ")
            )
        })
}

/// The schemas of one Kubernetes release.
pub struct Bundle {
    pub version: String,
    pub origin: String,
    /// `<apiVersion>/<kind>` → root definition.
    kinds: HashMap<&'static str, &'static str>,
    defs: HashMap<&'static str, Def>,
}

struct Def {
    /// The definition's JSON.
    raw: &'static str,
    parsed: OnceLock<Schema>,
}

/// One schema node of a prepared bundle: exactly the keywords the walker implements. A keyword
/// it does not know is a load error (a test loads every definition of every bundle), never a
/// keyword silently ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Schema {
    #[serde(rename = "$ref")]
    reference: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "one_or_many")]
    types: Vec<String>,
    properties: Option<indexmap::IndexMap<String, Schema>>,
    additional_properties: Option<Additional>,
    #[serde(default)]
    required: Vec<String>,
    items: Option<Box<Schema>>,
    #[serde(rename = "enum")]
    enumeration: Option<Vec<J>>,
    one_of: Option<Vec<Schema>>,
    any_of: Option<Vec<Schema>>,
    pattern: Option<String>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    minimum: Option<f64>,
    maximum: Option<f64>,
}

/// `additionalProperties`: `false` refuses unknown keys, a schema types them, `true` admits any.
#[derive(Debug)]
enum Additional {
    Allowed(bool),
    Schema(Box<Schema>),
}

// By hand rather than `#[serde(untagged)]`, which buffers every value before trying each
// variant: the definitions a lint reads are parsed at its start.
impl<'de> serde::Deserialize<'de> for Additional {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Additional;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a boolean or a schema")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Additional, E> {
                Ok(Additional::Allowed(b))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<Additional, A::Error> {
                let s = serde::Deserialize::deserialize(
                    serde::de::value::MapAccessDeserializer::new(m),
                )?;
                Ok(Additional::Schema(Box::new(s)))
            }
        }
        d.deserialize_any(V)
    }
}

/// `type` is one name or a list of them.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a type name or a list of them")
        }
        fn visit_str<E: serde::de::Error>(self, t: &str) -> Result<Vec<String>, E> {
            Ok(vec![t.to_string()])
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut s: A,
        ) -> Result<Vec<String>, A::Error> {
            let mut v = Vec::new();
            while let Some(t) = s.next_element::<String>()? {
                v.push(t);
            }
            Ok(v)
        }
    }
    d.deserialize_any(V)
}

impl Schema {
    fn extra(&self) -> Option<&Schema> {
        match &self.additional_properties {
            Some(Additional::Schema(s)) => Some(s),
            _ => None,
        }
    }
}

impl Bundle {
    fn def(&self, name: &str) -> Option<&Schema> {
        let d = self.defs.get(name)?;
        Some(d.parsed.get_or_init(|| {
            serde_json::from_str(d.raw).expect("bundled definitions are valid schemas")
        }))
    }
    /// The root schema name for an object's apiVersion and kind.
    pub fn root(&self, api_version: &str, kind: &str) -> Option<&str> {
        self.kinds
            .get(format!("{api_version}/{kind}").as_str())
            .copied()
    }
    /// The apiVersions this release serves a kind under (empty: a kind the bundle lacks).
    pub fn api_versions_of(&self, kind: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .kinds
            .keys()
            .filter_map(|k| k.rsplit_once('/'))
            .filter(|(_, k)| *k == kind)
            .map(|(a, _)| a)
            .collect();
        v.sort();
        v
    }
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.kinds.keys().copied()
    }
}

/// The bundle of a bundled minor version (made once per process).
pub fn bundle(version: &str) -> Option<&'static Bundle> {
    static CACHE: OnceLock<Vec<Bundle>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        K8S_BUNDLES
            .iter()
            .map(|p| Bundle {
                version: p.version.to_string(),
                origin: p.origin.to_string(),
                kinds: p.kinds.iter().copied().collect(),
                defs: p
                    .defs
                    .iter()
                    .map(|&(name, raw)| {
                        (
                            name,
                            Def {
                                raw,
                                parsed: OnceLock::new(),
                            },
                        )
                    })
                    .collect(),
            })
            .collect()
    });
    K8S_BUNDLES
        .iter()
        .position(|b| b.version == version)
        .map(|i| &all[i])
}

/// What is wrong, for tests and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    UnknownField,
    WrongType,
    Missing,
    Enum,
    Constraint,
    /// A quantity string the API server cannot parse (beyond the JSON Schema, which only says
    /// "a string or a number").
    Quantity,
}

impl ErrorKind {
    /// Whether a JSON Schema validator reports it too (`kubernetes-validate --strict`).
    pub fn is_schema(self) -> bool {
        self != ErrorKind::Quantity
    }
}

/// `resource.ParseQuantity`'s grammar: a signed decimal number, then a binary-SI suffix
/// (`Ki`…`Ei`), a decimal-SI suffix (`n u m k M G T P E`) or a decimal exponent (`e3`, `E-2`).
pub fn is_quantity(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            frac_digits += 1;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    match &s[i..] {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T"
        | "P" | "E" => true,
        suffix => {
            let Some(exp) = suffix.strip_prefix(['e', 'E']) else {
                return false;
            };
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
        }
    }
}

/// One schema violation, located.
#[derive(Clone, Debug)]
pub struct SchemaError {
    pub kind: ErrorKind,
    /// A JSON pointer to the offending value (for an unknown field: to the field).
    pub pointer: String,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: String,
}

/// Validates one object against the bundle; `None` when the bundle has no schema for its
/// apiVersion and kind (the caller decides whether that matters).
pub fn validate(bundle: &Bundle, doc: &Node) -> Option<Vec<SchemaError>> {
    let api = doc.get("apiVersion").and_then(Node::as_string)?;
    let kind = doc.get("kind").and_then(Node::as_string)?;
    let root = bundle.root(api, kind)?;
    let schema = bundle.def(root)?;
    let mut w = Walker {
        bundle,
        errors: Vec::new(),
        pointer: String::new(),
    };
    let ctx = Ctx {
        anchor: doc.span,
        field: kind,
        owner: kind,
    };
    w.check(doc, schema, &ctx);
    Some(w.errors)
}

struct Ctx<'a> {
    /// Where a missing field of this value is reported: the key that holds it, or the item.
    anchor: Span,
    /// The field's name for messages (`replicas`, `containers[0]`).
    field: &'a str,
    /// The type whose fields this value's keys are (`SecurityContext`).
    owner: &'a str,
}

struct Walker<'b> {
    bundle: &'b Bundle,
    errors: Vec<SchemaError>,
    pointer: String,
}

/// A node's JSON type under the YAML 1.2 reading.
fn type_of(n: &Node) -> &'static str {
    match &n.value {
        Value::Map(_) => "object",
        Value::Seq(_) => "array",
        Value::Scalar(s) => match s.resolve() {
            Resolved::Null => "null",
            Resolved::Bool(_) => "boolean",
            Resolved::Int(_) => "integer",
            Resolved::Float(f) if f.fract() == 0.0 && f.is_finite() => "integer-valued number",
            Resolved::Float(_) => "number",
            Resolved::Str(_) => "string",
        },
    }
}

fn type_matches(actual: &str, want: &str) -> bool {
    match want {
        "number" => matches!(actual, "number" | "integer" | "integer-valued number"),
        // JSON Schema: an integer is any number with a zero fractional part.
        "integer" => matches!(actual, "integer" | "integer-valued number"),
        w => w == actual,
    }
}

fn a_type(t: &str) -> &'static str {
    match t {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "integer-valued number" | "number" => "a number",
        "boolean" => "a boolean",
        "null" => "null",
        _ => "a value",
    }
}

/// JSON equality of a node with an enum member.
fn equals(n: &Node, v: &J) -> bool {
    let Value::Scalar(s) = &n.value else {
        return n.to_json() == *v;
    };
    match (s.resolve(), v) {
        (Resolved::Null, J::Null) => true,
        (Resolved::Bool(a), J::Bool(b)) => a == *b,
        (Resolved::Str(a), J::String(b)) => a == *b,
        (Resolved::Int(a), J::Number(b)) => b.as_f64() == Some(a as f64),
        (Resolved::Float(a), J::Number(b)) => b.as_f64() == Some(a),
        _ => false,
    }
}

fn short(def: &str) -> &str {
    def.rsplit('.').next().unwrap_or(def)
}

/// A JSON-pointer token (RFC 6901); most keys need no escaping and are not copied.
fn escape(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

impl Walker<'_> {
    fn push(&mut self, kind: ErrorKind, span: Span, message: String, label: String, help: String) {
        self.errors.push(SchemaError {
            kind,
            pointer: self.pointer.clone(),
            span,
            message,
            label,
            help,
        });
    }

    /// Whether `n` is valid against `s`, without reporting.
    fn valid(&self, n: &Node, s: &Schema) -> bool {
        let mut w = Walker {
            bundle: self.bundle,
            errors: Vec::new(),
            pointer: String::new(),
        };
        let ctx = Ctx {
            anchor: n.span,
            field: "",
            owner: "",
        };
        w.check(n, s, &ctx);
        w.errors.is_empty()
    }

    fn check(&mut self, n: &Node, s: &Schema, ctx: &Ctx) {
        if let Some(r) = s.reference.as_deref() {
            match r {
                INT_OR_STRING | QUANTITY => self.check_scalar_union(n, r, ctx),
                _ => {
                    let Some(def) = self.bundle.def(r) else {
                        return;
                    };
                    let owner = short(r);
                    self.check(
                        n,
                        def,
                        &Ctx {
                            anchor: ctx.anchor,
                            field: ctx.field,
                            owner,
                        },
                    );
                }
            }
            // The prepared schemas keep no keyword beside a `$ref`.
            return;
        }
        let actual = type_of(n);
        let want: Vec<&str> = s.types.iter().map(String::as_str).collect();
        if !want.is_empty() && !want.iter().any(|w| type_matches(actual, w)) {
            let expected: Vec<&str> = want
                .iter()
                .filter(|w| **w != "null")
                .map(|w| a_type(w))
                .collect();
            let expected = if expected.is_empty() {
                "null".to_string()
            } else {
                expected.join(" or ")
            };
            let help = match (want.iter().find(|w| **w != "null"), actual) {
                (Some(&"string"), _) if n.as_scalar().is_some() => {
                    "quote the value to make it a string".to_string()
                }
                (Some(&"integer" | &"number"), "string") => {
                    "write the number without quotes".to_string()
                }
                (Some(&"boolean"), "string") => "write `true` or `false` without quotes".into(),
                (Some(&"object"), _) => format!("write a mapping of {}'s fields", ctx.owner),
                (Some(&"array"), _) => "write a list (`- ...` items)".to_string(),
                _ => format!("write {expected}"),
            };
            self.push(
                ErrorKind::WrongType,
                n.span,
                format!("`{}` must be {expected}, not {}", ctx.field, a_type(actual)),
                format!("{} here", a_type(actual)),
                help,
            );
            return;
        }
        if let Some(options) = &s.enumeration {
            if !options.iter().any(|o| equals(n, o)) {
                let names: Vec<String> = options
                    .iter()
                    .map(|o| match o {
                        J::String(s) => s.clone(),
                        o => o.to_string(),
                    })
                    .collect();
                let text = n.as_str().unwrap_or("");
                let help = match crate::kustomize::suggest::closest(
                    text,
                    names.iter().map(String::as_str),
                ) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("write one of: {}", names.join(", ")),
                };
                self.push(
                    ErrorKind::Enum,
                    n.span,
                    format!(
                        "`{text}` is not a valid `{}`: expected one of {}",
                        ctx.field,
                        names.join(", ")
                    ),
                    "not an allowed value".into(),
                    help,
                );
                return;
            }
        }
        for (forms, exactly_one) in [(&s.one_of, true), (&s.any_of, false)] {
            if let Some(subs) = forms {
                let ok = subs.iter().filter(|x| self.valid(n, x)).count();
                if (exactly_one && ok != 1) || ok == 0 {
                    self.push(
                        ErrorKind::WrongType,
                        n.span,
                        format!(
                            "`{}` matches {ok} of the {} forms its schema allows (it needs {})",
                            ctx.field,
                            subs.len(),
                            if exactly_one { "exactly one" } else { "one" }
                        ),
                        "not an allowed form".into(),
                        "see `kubectl explain` for the field's forms".into(),
                    );
                }
            }
        }
        match &n.value {
            Value::Map(m) => self.check_map(n, m, s, ctx),
            Value::Seq(items) => {
                if let Some(item_schema) = s.items.as_deref() {
                    let base = self.pointer.len();
                    for (i, item) in items.iter().enumerate() {
                        let field = format!("{}[{i}]", ctx.field);
                        self.pointer.push_str(&format!("/{i}"));
                        self.check(
                            item,
                            item_schema,
                            &Ctx {
                                anchor: item.span,
                                field: &field,
                                owner: ctx.owner,
                            },
                        );
                        self.pointer.truncate(base);
                    }
                }
                let len = items.len() as u64;
                if let Some(min) = s.min_items {
                    if len < min {
                        self.constraint(
                            n,
                            ctx,
                            format!("must have at least {min} items, has {len}"),
                        );
                    }
                }
                if let Some(max) = s.max_items {
                    if len > max {
                        self.constraint(
                            n,
                            ctx,
                            format!("must have at most {max} items, has {len}"),
                        );
                    }
                }
            }
            Value::Scalar(sc) => match sc.resolve() {
                Resolved::Str(text) => {
                    let chars = text.chars().count() as u64;
                    if let Some(min) = s.min_length {
                        if chars < min {
                            self.constraint(
                                n,
                                ctx,
                                format!("must be at least {min} characters long, is {chars}"),
                            );
                        }
                    }
                    if let Some(max) = s.max_length {
                        if chars > max {
                            self.constraint(
                                n,
                                ctx,
                                format!("must be at most {max} characters long, is {chars}"),
                            );
                        }
                    }
                    if let Some(p) = s.pattern.as_deref() {
                        if let Some(re) = pattern(p) {
                            if !re.is_match(&text) {
                                self.constraint(
                                    n,
                                    ctx,
                                    format!("does not match the pattern `{p}`"),
                                );
                            }
                        }
                    }
                }
                Resolved::Int(_) | Resolved::Float(_) => {
                    let v = n.to_json().as_f64().unwrap_or(0.0);
                    if let Some(min) = s.minimum {
                        if v < min {
                            self.constraint(n, ctx, format!("must be at least {min}, is {v}"));
                        }
                    }
                    if let Some(max) = s.maximum {
                        if v > max {
                            self.constraint(n, ctx, format!("must be at most {max}, is {v}"));
                        }
                    }
                }
                _ => {}
            },
        }
    }

    fn constraint(&mut self, n: &Node, ctx: &Ctx, what: String) {
        self.push(
            ErrorKind::Constraint,
            n.span,
            format!("`{}` {what}", ctx.field),
            "out of bounds".into(),
            "see `kubectl explain` for the field's limits".into(),
        );
    }

    /// IntOrString and Quantity: `oneOf` a string and a number (null matches both, so it is
    /// refused, as the schema says).
    fn check_scalar_union(&mut self, n: &Node, def: &str, ctx: &Ctx) {
        let actual = type_of(n);
        let ok = match def {
            INT_OR_STRING => matches!(actual, "string" | "integer" | "integer-valued number"),
            _ => matches!(
                actual,
                "string" | "integer" | "integer-valued number" | "number"
            ),
        };
        if ok {
            if def == QUANTITY {
                if let Some(text) = n.as_string() {
                    if !is_quantity(text) {
                        self.push(
                            ErrorKind::Quantity,
                            n.span,
                            format!("`{}: {text}` is not a Kubernetes quantity", ctx.field),
                            "not a quantity".into(),
                            "write a number with an optional suffix: 256Mi, 1Gi, 500m, 2".into(),
                        );
                    }
                }
            }
            return;
        }
        let (what, example) = if def == INT_OR_STRING {
            ("an integer or a string", "6379 or \"redis\"")
        } else {
            ("a quantity (a number or a string)", "\"256Mi\" or 0.5")
        };
        self.push(
            ErrorKind::WrongType,
            n.span,
            format!("`{}` must be {what}, not {}", ctx.field, a_type(actual)),
            format!("{} here", a_type(actual)),
            format!("write {what}, e.g. {example}"),
        );
    }

    fn check_map(&mut self, n: &Node, m: &crate::yaml::Map, s: &Schema, ctx: &Ctx) {
        let props = s.properties.as_ref();
        let additional = s.additional_properties.as_ref();
        let base = self.pointer.len();
        for e in m.entries.iter() {
            let Some(key) = e.key.as_str() else { continue };
            self.pointer.push('/');
            self.pointer.push_str(&escape(key));
            if let Some(p) = props.and_then(|p| p.get(key)) {
                self.check_field(e, key, p, ctx);
            } else {
                match additional {
                    Some(Additional::Allowed(false)) => self.unknown(e, key, props, ctx),
                    Some(Additional::Schema(extra)) => self.check_field(e, key, extra, ctx),
                    Some(Additional::Allowed(true)) | None => {}
                }
            }
            self.pointer.truncate(base);
        }
        {
            for r in &s.required {
                if m.get(r).is_none() {
                    let owner = if ctx.owner == ctx.field {
                        ctx.owner.to_string()
                    } else {
                        format!("`{}` ({})", ctx.field, ctx.owner)
                    };
                    let anchor = if ctx.anchor == n.span && !m.entries.is_empty() {
                        m.entries[0].key.span
                    } else {
                        ctx.anchor
                    };
                    self.push(
                        ErrorKind::Missing,
                        anchor,
                        format!("{owner} is missing its required field `{r}`"),
                        format!("`{r}` is required here"),
                        format!("add `{r}:` here"),
                    );
                }
            }
        }
    }

    fn check_field(&mut self, e: &crate::yaml::Entry, key: &str, s: &Schema, ctx: &Ctx) {
        // An inline object (a CRD's nested schema) is named by its field.
        let owner = if s.reference.is_some() {
            ctx.owner
        } else {
            key
        };
        self.check(
            &e.value,
            s,
            &Ctx {
                anchor: e.key.span,
                field: key,
                owner,
            },
        );
    }

    fn unknown(
        &mut self,
        e: &crate::yaml::Entry,
        key: &str,
        props: Option<&indexmap::IndexMap<String, Schema>>,
        ctx: &Ctx,
    ) {
        let names: Vec<&str> = props
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let lower = key.to_ascii_lowercase();
        let guess = names
            .iter()
            .find(|c| c.to_ascii_lowercase() == lower)
            .copied()
            .or_else(|| crate::kustomize::suggest::closest(key, names.iter().copied()));
        let help = match guess {
            Some(g) => format!("did you mean `{g}`?"),
            None if names.is_empty() => format!("remove it: {} takes no fields", ctx.owner),
            None if names.len() > 12 => format!(
                "remove it, or move it where it belongs; {} has {} fields (`kubectl explain` lists them)",
                ctx.owner,
                names.len()
            ),
            None => {
                let mut sorted = names.clone();
                sorted.sort();
                format!(
                    "remove it; {}'s fields are: {}",
                    ctx.owner,
                    sorted.join(", ")
                )
            }
        };
        self.push(
            ErrorKind::UnknownField,
            e.key.span,
            format!(
                "unknown field `{key}` in {}: the API server refuses or drops it",
                ctx.owner
            ),
            format!("not a field of {}", ctx.owner),
            help,
        );
    }
}

/// A schema pattern, compiled once (ECMA-262 in JSON Schema; the bundled ones are RE2-safe).
fn pattern(p: &str) -> Option<&'static regex::Regex> {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<String, Option<&'static regex::Regex>>>> =
        OnceLock::new();
    let mut m = CACHE.get_or_init(Default::default).lock().ok()?;
    *m.entry(p.to_string())
        .or_insert_with(|| regex::Regex::new(p).ok().map(|r| &*Box::leak(Box::new(r))))
}

/// Calls `f` on every scalar of `doc` whose schema says it is a string (or an int-or-string):
/// the values YAML 1.1 must not read as anything else. `false` when the object's kind has no
/// bundled schema (nothing was visited).
pub fn visit_string_scalars<'a>(
    bundle: &Bundle,
    doc: &'a Node,
    f: &mut dyn FnMut(&'a Node),
) -> bool {
    let (Some(api), Some(kind)) = (
        doc.get("apiVersion").and_then(Node::as_string),
        doc.get("kind").and_then(Node::as_string),
    ) else {
        return false;
    };
    let Some(schema) = bundle.root(api, kind).and_then(|r| bundle.def(r)) else {
        return false;
    };
    strings_below(bundle, doc, schema, f);
    true
}

fn strings_below<'a>(bundle: &Bundle, n: &'a Node, s: &Schema, f: &mut dyn FnMut(&'a Node)) {
    if let Some(r) = s.reference.as_deref() {
        if r == INT_OR_STRING {
            if n.as_scalar().is_some() {
                f(n);
            }
            return;
        }
        if let Some(def) = bundle.def(r) {
            strings_below(bundle, n, def, f);
        }
        return;
    }
    match &n.value {
        Value::Scalar(_) => {
            if s.types.iter().any(|t| t == "string") {
                f(n);
            }
        }
        Value::Seq(items) => {
            if let Some(item) = s.items.as_deref() {
                for i in items.iter() {
                    strings_below(bundle, i, item, f);
                }
            }
        }
        Value::Map(m) => {
            let props = s.properties.as_ref();
            let extra = s.extra();
            for e in m.entries.iter() {
                let Some(k) = e.key.as_str() else { continue };
                if let Some(p) = props.and_then(|p| p.get(k)).or(extra) {
                    strings_below(bundle, &e.value, p, f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
