//! RFC 6902 JSON patches over span trees, with the semantics of evanphx/json-patch v4 as
//! kustomize uses it: `replace` of a missing map key sets it, negative array indices count
//! from the end, a missing parent is an error. Values are read as YAML 1.1 (go-yaml v2), so
//! `on` is `true` and `0777` is 511. Whether `metadata.annotations` exists during a patch
//! depends on kustomize's internal annotations: the caller puts them in (`annotations`).

use super::budget::Budget;
use crate::source::Span;
use crate::yaml::{scalar::Resolved, Node, Scalar, Style, Value};

/// One operation, its spans kept for findings and provenance.
#[derive(Clone, Debug)]
pub struct Op {
    pub op: String,
    pub path: String,
    pub from: Option<String>,
    pub value: Option<Node>,
    pub span: Span,
    /// The span of the `path` value.
    pub path_span: Span,
}

/// Reads an operation list (YAML or JSON form, already parsed).
pub fn parse_ops(doc: &Node) -> Result<Vec<Op>, (Span, String)> {
    let items = doc.as_seq().ok_or((
        doc.span,
        "a JSON patch must be a list of operations".to_string(),
    ))?;
    items.iter().map(parse_op).collect()
}

fn parse_op(n: &Node) -> Result<Op, (Span, String)> {
    let field = |k: &str| n.get(k).and_then(Node::as_str).map(str::to_string);
    let op = field("op").ok_or((n.span, "operation without `op`".to_string()))?;
    let path_node = n.get("path");
    let path = field("path").ok_or((n.span, format!("`{op}` operation without `path`")))?;
    let value = n.get("value").map(|v| {
        let mut v = v.clone();
        as_yaml11(&mut v);
        v
    });
    if let Some(v) = &value {
        let mut problem = None;
        v.walk(|x| {
            problem = problem.take().or_else(|| not_json(x));
        });
        if let Some((span, why)) = problem {
            return Err((span, format!("unable to parse SM or JSON patch: {why}")));
        }
    }
    Ok(Op {
        op,
        path,
        from: field("from"),
        value,
        span: n.span,
        path_span: path_node.map_or(n.span, |p| p.span),
    })
}

/// Why a value (after [`as_yaml11`]) cannot be encoded as JSON, and where: an infinite or
/// NaN number or a `null` map key. kustomize fails such a patch (observed).
fn not_json(x: &Node) -> Option<(Span, &'static str)> {
    match &x.value {
        Value::Scalar(s) => matches!(s.resolve(), Resolved::Float(f) if !f.is_finite())
            .then_some((x.span, "an infinite or NaN value cannot be encoded as JSON")),
        Value::Map(m) => m
            .entries
            .iter()
            .find(|e| e.key.as_scalar().is_some_and(Scalar::is_null))
            .map(|e| (e.key.span, "a null map key cannot be encoded as JSON")),
        Value::Seq(_) => None,
    }
}

/// Rewrites plain scalars to the text of their YAML 1.1 reading (as kustomize's go-yaml v2
/// decoding of patch values does), keeping spans. Map keys become strings of that text, as
/// JSON keys are (`y:` is the key `"true"`); of keys that now read the same (`y`, `on`) the
/// last wins (observed); a `null` key stays null (it cannot be encoded).
pub fn as_yaml11(n: &mut Node) {
    n.walk_mut(|node| match &mut node.value {
        Value::Scalar(s) => {
            if let Some(text) = yaml11_text(s) {
                *s = text;
            }
        }
        Value::Map(m) => {
            for e in m.entries_mut().iter_mut() {
                if let Value::Scalar(k) = &mut e.key.value {
                    if let Some(text) = yaml11_text(k).filter(|t| !t.is_null()) {
                        *k = Scalar::string(text.text);
                    }
                }
            }
            let mut seen = crate::hash::HashSet::default();
            let mut last: Vec<bool> = (m.entries.iter().rev())
                .map(|e| e.key.as_str().is_none_or(|k| seen.insert(k.to_string())))
                .collect();
            last.reverse();
            let mut keep = last.into_iter();
            m.entries_mut().retain(|_| keep.next().unwrap_or(true));
        }
        Value::Seq(_) => {}
    });
}

/// The scalar a plain, untagged scalar becomes when read as YAML 1.1 and written as JSON.
fn yaml11_text(s: &Scalar) -> Option<Scalar> {
    if s.style != Style::Plain || s.tag.is_some() {
        return None;
    }
    Some(match s.resolve_11() {
        Resolved::Null => Scalar::plain("null"),
        Resolved::Bool(b) => Scalar::plain(b.to_string()),
        Resolved::Int(i) => Scalar::plain(i.to_string()),
        Resolved::Float(f) => Scalar::plain(float_text(f).unwrap_or_else(|| s.text.clone())),
        Resolved::Str(t) => Scalar::string(t),
    })
}

/// The JSON text of an integral float (Go prints `1e3` as `1000`).
pub fn float_text(f: f64) -> Option<String> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15).then(|| format!("{}", f as i64))
}

fn unescape(tok: &str) -> String {
    tok.replace("~1", "/").replace("~0", "~")
}

/// The tokens of a JSON pointer the way kustomize's JSON patch library reads one: split at `/`
/// and the first piece dropped, whatever it is (so `data/mode` means `/mode`, observed with
/// kubectl). `None` for a pointer without any `/` (`""`, `mode`): no place in the document,
/// except for `replace` and `test`, where `""` is the whole document.
fn tokens(ptr: &str) -> Option<Vec<String>> {
    let mut parts = ptr.split('/');
    parts.next();
    let rest: Vec<String> = parts.map(unescape).collect();
    (!rest.is_empty()).then_some(rest)
}

fn index(tok: &str, len: usize, allow_end: bool) -> Option<usize> {
    let i: i64 = tok.parse().ok()?;
    let len = len as i64;
    let i = if i < 0 { i + len } else { i };
    let max = if allow_end { len } else { len - 1 };
    (0..=max).contains(&i).then_some(i as usize)
}

fn missing(op: &str, path: &str) -> String {
    format!("{op} operation does not apply: doc is missing path: \"{path}\": missing value")
}

/// The node at `toks`.
fn get<'a>(root: &'a mut Node, toks: &[String]) -> Option<&'a mut Node> {
    let mut cur = root;
    for t in toks {
        cur = match &mut cur.value {
            Value::Map(m) => m.get_mut(t)?,
            Value::Seq(s) => {
                let i = index(t, s.len(), false)?;
                std::sync::Arc::make_mut(s).get_mut(i)?
            }
            Value::Scalar(_) => return None,
        };
    }
    Some(cur)
}

fn add(
    root: &mut Node,
    toks: &[String],
    mut value: Node,
    op: &str,
    path: &str,
) -> Result<(), String> {
    let Some((last, parent)) = toks.split_last() else {
        value.overrode = Some(root.span);
        *root = value;
        return Ok(());
    };
    let p = get(root, parent).ok_or_else(|| missing(op, path))?;
    match &mut p.value {
        Value::Map(m) => {
            super::resource::put(m, last, value);
            Ok(())
        }
        Value::Seq(s) => {
            let i = if last == "-" {
                s.len()
            } else {
                index(last, s.len(), true).ok_or_else(|| {
                    format!("{op} operation does not apply: index {last} out of range for {path}")
                })?
            };
            std::sync::Arc::make_mut(s).insert(i, value);
            Ok(())
        }
        Value::Scalar(_) => Err(missing(op, path)),
    }
}

fn remove(root: &mut Node, toks: &[String], path: &str) -> Result<Node, String> {
    let (last, parent) = toks
        .split_last()
        .ok_or_else(|| "cannot remove the whole document".to_string())?;
    let p = get(root, parent).ok_or_else(|| missing("remove", path))?;
    match &mut p.value {
        Value::Map(m) => m
            .remove(last)
            .map(|e| e.value)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {last}: missing value")),
        Value::Seq(s) => {
            let i = index(last, s.len(), false)
                .ok_or_else(|| format!("Unable to access invalid index: {last}"))?;
            Ok(std::sync::Arc::make_mut(s).remove(i))
        }
        Value::Scalar(_) => Err(missing("remove", path)),
    }
}

fn replace(root: &mut Node, toks: &[String], mut value: Node, path: &str) -> Result<(), String> {
    let Some((last, parent)) = toks.split_last() else {
        value.overrode = Some(root.span);
        *root = value;
        return Ok(());
    };
    let p = get(root, parent).ok_or_else(|| missing("replace", path))?;
    match &mut p.value {
        Value::Map(m) => {
            super::resource::put(m, last, value);
            Ok(())
        }
        Value::Seq(s) => {
            let i = index(last, s.len(), false).ok_or_else(|| {
                format!(
                    "replace operation does not apply: doc is missing key: {path}: missing value"
                )
            })?;
            value.overrode = Some(s[i].span);
            std::sync::Arc::make_mut(s)[i] = value;
            Ok(())
        }
        Value::Scalar(_) => Err(missing("replace", path)),
    }
}

/// Why [`apply`] stopped.
#[derive(Debug)]
pub enum Failure {
    /// The operation at `span` does not apply.
    Invalid { span: Span, message: String },
    /// The `test` operation `ops[op]` found another value: `found` (`None`: nothing at its path).
    Test { op: usize, found: Option<Node> },
    /// The operation at `span` would copy or create more than the build's budget allows.
    Budget {
        span: Span,
        exceeded: super::budget::Exceeded,
    },
}

/// Applies `ops` in order to `obj`. Stops at the first failing operation. Every value an
/// operation adds or copies is charged to `budget` before it is copied.
pub fn apply(obj: &mut Node, ops: &[Op], budget: &mut Budget) -> Result<(), Failure> {
    for (i, op) in ops.iter().enumerate() {
        match apply_one(obj, op, budget) {
            Ok(()) => {}
            Err(Stop::Invalid(message)) => {
                return Err(Failure::Invalid {
                    span: op.span,
                    message,
                })
            }
            Err(Stop::Test(found)) => return Err(Failure::Test { op: i, found }),
            Err(Stop::Budget(exceeded)) => {
                return Err(Failure::Budget {
                    span: op.span,
                    exceeded,
                })
            }
        }
    }
    Ok(())
}

/// Why one operation stopped (see [`Failure`]).
enum Stop {
    Invalid(String),
    Test(Option<Node>),
    Budget(super::budget::Exceeded),
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Invalid(message)
    }
}

fn apply_one(obj: &mut Node, op: &Op, budget: &mut Budget) -> Result<(), Stop> {
    let whole_document = op.path.is_empty() && matches!(op.op.as_str(), "replace" | "test");
    let toks = match tokens(&op.path) {
        Some(t) => t,
        None if whole_document => Vec::new(),
        None if op.op == "copy" => {
            return Err(Stop::from(format!(
                "copy operation does not apply: doc is missing destination path: {}: missing value",
                op.path
            )))
        }
        None => return Err(Stop::from(missing(&op.op, &op.path))),
    };
    let mut value = || -> Result<Node, Stop> {
        let v = op
            .value
            .as_ref()
            .ok_or_else(|| format!("`{}` operation without `value`", op.op))?;
        if op.op != "test" {
            budget.charge_node(v).map_err(Stop::Budget)?;
        }
        Ok(v.clone())
    };
    let from = || -> Result<Vec<String>, String> {
        let f = op
            .from
            .as_deref()
            .ok_or_else(|| format!("`{}` operation without `from`", op.op))?;
        tokens(f).ok_or_else(|| {
            format!(
                "{} operation does not apply: doc is missing from path: {f}: missing value",
                op.op
            )
        })
    };
    let done = match op.op.as_str() {
        "add" => add(obj, &toks, value()?, "add", &op.path),
        "remove" => remove(obj, &toks, &op.path).map(|_| ()),
        "replace" => replace(obj, &toks, value()?, &op.path),
        "move" => {
            let v = remove(obj, &from()?, op.from.as_deref().unwrap_or(""))?;
            add(obj, &toks, v, "move", &op.path)
        }
        "copy" => {
            let f = from()?;
            let src =
                get(obj, &f).ok_or_else(|| missing("copy", op.from.as_deref().unwrap_or("")))?;
            budget.charge_node(src).map_err(Stop::Budget)?;
            let v = src.clone();
            add(obj, &toks, v, "copy", &op.path)
        }
        "test" => {
            let want = value()?.to_json();
            let have = get(obj, &toks);
            if have.as_ref().is_some_and(|n| n.to_json() == want) {
                Ok(())
            } else {
                return Err(Stop::Test(have.map(|n| n.clone())));
            }
        }
        other => Err(format!("unexpected JSON patch operation `{other}`")),
    };
    Ok(done?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    fn doc(map: &SourceMap, name: &str, t: &str) -> Node {
        let f = map.add(name, t);
        parse_stream(&f, Limits::default()).docs.remove(0)
    }

    #[test]
    fn yaml11_values_and_negative_indices() {
        let m = SourceMap::new();
        let mut obj = doc(
            &m,
            "o",
            "metadata: {name: c, annotations: {}}\ndata: {k: v}\n",
        );
        let ops = parse_ops(&doc(
            &m,
            "p",
            "- {op: add, path: /data/a, value: on}\n- {op: add, path: /data/c, value: 0777}\n- {op: add, path: /metadata/finalizers, value: [a, b, c]}\n- {op: remove, path: /metadata/finalizers/-1}\n- {op: add, path: /metadata/annotations/t, value: x}\n",
        ))
        .unwrap();
        apply(&mut obj, &ops, &mut Budget::default()).unwrap();
        let j = obj.to_json();
        assert_eq!(j["data"]["a"], serde_json::json!(true));
        assert_eq!(j["data"]["c"], serde_json::json!(511));
        assert_eq!(j["metadata"]["finalizers"], serde_json::json!(["a", "b"]));
        assert_eq!(j["metadata"]["annotations"]["t"], serde_json::json!("x"));
    }

    /// Observed with kubectl: `{y: 1, 1e3: a, 0777: c}` as a patch value has the keys
    /// `"true"`, `"1000"`, `"511"`; `{on: x, yes: z}` is `{"true": "z"}`; a `~` key fails.
    #[test]
    fn value_keys_are_strings_of_their_yaml11_reading() {
        let m = SourceMap::new();
        let ops = parse_ops(&doc(
            &m,
            "p",
            "- {op: add, path: /spec, value: {y: 1, 1e3: a, 0777: c, n: {on: x, yes: z}}}\n",
        ))
        .unwrap();
        let v = ops[0].value.as_ref().unwrap();
        let map = v.as_map().unwrap();
        assert!(map
            .entries
            .iter()
            .filter_map(|e| e.key.as_scalar())
            .all(|k| k.resolve() == Resolved::Str(&k.text)));
        assert_eq!(
            v.to_json(),
            serde_json::json!({"true": 1, "1000": "a", "511": "c", "false": {"true": "z"}})
        );
        assert_eq!(map.get("false").and_then(Node::as_map).unwrap().len(), 1);
        let err =
            parse_ops(&doc(&m, "q", "- {op: add, path: /spec, value: [{~: b}]}\n")).unwrap_err();
        assert!(
            err.1.starts_with("unable to parse SM or JSON patch"),
            "{}",
            err.1
        );
    }

    #[test]
    fn missing_parent_and_missing_key_fail() {
        let m = SourceMap::new();
        let mut obj = doc(&m, "o", "metadata: {name: c}\nspec: {}\n");
        let add = parse_ops(&doc(&m, "p", "- {op: add, path: /spec/a/b, value: 1}\n")).unwrap();
        assert!(matches!(
            apply(&mut obj, &add, &mut Budget::default()),
            Err(Failure::Invalid { message, .. }) if message.contains("missing path")
        ));
        let rm = parse_ops(&doc(&m, "q", "- {op: remove, path: /spec/x}\n")).unwrap();
        assert!(apply(&mut obj, &rm, &mut Budget::default()).is_err());
        let lab = parse_ops(&doc(
            &m,
            "r",
            "- {op: add, path: /metadata/labels/x, value: 1}\n",
        ))
        .unwrap();
        assert!(apply(&mut obj, &lab, &mut Budget::default()).is_err());
        let ann = parse_ops(&doc(
            &m,
            "s",
            "- {op: add, path: /metadata/annotations/x, value: 1}\n",
        ))
        .unwrap();
        assert!(apply(&mut obj, &ann, &mut Budget::default()).is_err());
    }
}
