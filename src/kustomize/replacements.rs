//! `replacements` (kustomize `api/filters/replacement`): copy one field of one source object
//! into fields of the selected targets, optionally one `delimiter`-separated segment at a time.
//!
//! Field paths are dotted, with `[key=value]` list selectors, `*` for every element and
//! numeric indices. Objects are selected by any id they ever had; selector fields are exact
//! strings, an empty field matches everything. A copied value keeps the span of the source
//! field it came from, with `overrode` = the target value it replaced.

use super::budget::{Budget, Exceeded};
use super::load::Loader;
use super::resource::{norm_ns, IdRef, Res};
use super::select::Requirements;
use crate::diag::Finding;
use crate::rules::id;
use crate::source::Span;
use crate::yaml::{Node, Resolved, Scalar, Value};
use std::path::Path;

/// An id selector: empty fields match anything.
#[derive(Default)]
struct IdSel {
    group: String,
    version: String,
    kind: String,
    name: String,
    namespace: String,
}

impl IdSel {
    fn selects(&self, id: &IdRef) -> bool {
        let f = |sel: &str, v: &str| sel.is_empty() || sel == v;
        f(&self.group, id.group)
            && f(&self.version, id.version)
            && f(&self.kind, id.kind)
            && f(&self.name, id.name)
            && (self.namespace.is_empty() || norm_ns(&self.namespace) == norm_ns(id.namespace))
    }
}

struct Options {
    delimiter: Option<String>,
    index: i64,
    create: bool,
}

struct Target {
    select: IdSel,
    labels: Option<Requirements>,
    annotations: Option<Requirements>,
    reject: Vec<IdSel>,
    field_paths: Vec<(String, Span)>,
    options: Options,
}

struct Replacement {
    source: IdSel,
    source_path: (String, Span),
    source_options: Options,
    targets: Vec<Target>,
    span: Span,
}

fn bad(span: Span, msg: String) -> Finding {
    Finding::new(
        id::KUSTOMIZE_UNSUPPORTED,
        span,
        format!(
            "{msg}; kustomize refuses this replacement, so nothing of this overlay was checked"
        ),
    )
}

/// The string fields of a map, checked against `allowed`.
fn fields<'a>(
    n: &'a Node,
    what: &str,
    allowed: &[&str],
) -> Result<Vec<(&'a str, &'a Node)>, Finding> {
    let m = n
        .as_map()
        .ok_or_else(|| bad(n.span, format!("`{what}` must be a map")))?;
    m.entries
        .iter()
        .map(|e| {
            let k = e.key.as_str().unwrap_or("");
            if allowed.contains(&k) {
                Ok((k, &e.value))
            } else {
                Err(bad(e.key.span, format!("unknown field `{k}` in `{what}`")))
            }
        })
        .collect()
}

fn text(n: &Node) -> String {
    n.as_str().unwrap_or("").to_string()
}

/// A non-id field of a selector: its name, text and span.
type Extra = (&'static str, String, Span);

const ID_FIELDS: &[&str] = &["group", "version", "kind", "name", "namespace"];

fn id_sel(n: &Node, what: &str, extra: &[&'static str]) -> Result<(IdSel, Vec<Extra>), Finding> {
    let allowed: Vec<&str> = ID_FIELDS.iter().chain(extra).copied().collect();
    let mut sel = IdSel::default();
    let mut rest = Vec::new();
    for (k, v) in fields(n, what, &allowed)? {
        let t = text(v);
        match k {
            "group" => sel.group = t,
            "version" => sel.version = t,
            "kind" => sel.kind = t,
            "name" => sel.name = t,
            "namespace" => sel.namespace = t,
            other => {
                if let Some(known) = extra.iter().find(|e| **e == other) {
                    rest.push((*known, t, v.span));
                }
            }
        }
    }
    Ok((sel, rest))
}

fn options(n: Option<&Node>) -> Result<Options, Finding> {
    let mut o = Options {
        delimiter: None,
        index: 0,
        create: false,
    };
    let Some(n) = n else { return Ok(o) };
    for (k, v) in fields(n, "options", &["delimiter", "index", "create"])? {
        match k {
            "delimiter" => o.delimiter = Some(text(v)).filter(|d| !d.is_empty()),
            "index" => {
                o.index = v
                    .as_i64()
                    .ok_or_else(|| bad(v.span, "`index` must be an integer".into()))?
            }
            _ => o.create = v.as_bool().unwrap_or(false),
        }
    }
    Ok(o)
}

fn parse(n: &Node) -> Result<Replacement, Finding> {
    let f = fields(n, "replacements", &["source", "targets"])?;
    let get = |k: &str| f.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let src = get("source").ok_or_else(|| bad(n.span, "a replacement needs a `source`".into()))?;
    let (source, rest) = id_sel(src, "source", &["fieldPath", "options"])?;
    let source_path = rest
        .iter()
        .find(|(k, _, _)| *k == "fieldPath")
        .map_or(("metadata.name".to_string(), src.span), |(_, t, s)| {
            (t.clone(), *s)
        });
    let source_options = options(src.get("options"))?;
    let mut targets = Vec::new();
    for t in get("targets").and_then(Node::as_seq).unwrap_or(&[]) {
        targets.push(target(t)?);
    }
    Ok(Replacement {
        source,
        source_path,
        source_options,
        targets,
        span: n.span,
    })
}

fn target(t: &Node) -> Result<Target, Finding> {
    let f = fields(t, "targets", &["select", "reject", "fieldPaths", "options"])?;
    let get = |k: &str| f.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let sel_node =
        get("select").ok_or_else(|| bad(t.span, "a replacement target needs `select`".into()))?;
    let (select, rest) = id_sel(sel_node, "select", &["labelSelector", "annotationSelector"])?;
    let req = |key: &str| -> Result<Option<Requirements>, Finding> {
        match rest.iter().find(|(k, _, _)| *k == key) {
            Some((_, s, span)) => Requirements::parse(s).map(Some).map_err(|m| bad(*span, m)),
            None => Ok(None),
        }
    };
    let mut reject = Vec::new();
    for r in get("reject").and_then(Node::as_seq).unwrap_or(&[]) {
        reject.push(id_sel(r, "reject", &["labelSelector", "annotationSelector"])?.0);
    }
    let mut field_paths: Vec<(String, Span)> = get("fieldPaths")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|p| (text(p), p.span))
        .collect();
    if field_paths.is_empty() {
        field_paths.push(("metadata.name".into(), t.span));
    }
    Ok(Target {
        select,
        labels: req("labelSelector")?,
        annotations: req("annotationSelector")?,
        reject,
        field_paths,
        options: options(get("options"))?,
    })
}

/// A field path's segments: split at dots outside `[...]`; `\.` is a dot inside a segment
/// (`data.redis\.conf`, observed with kubectl).
fn split_path(p: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'.') {
            cur.push('.');
            chars.next();
            continue;
        }
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// The node at a field path (first match).
fn lookup<'a>(n: &'a Node, segs: &[String]) -> Option<&'a Node> {
    let Some((first, rest)) = segs.split_first() else {
        return Some(n);
    };
    match &n.value {
        Value::Map(m) => lookup(m.get(first)?, rest),
        Value::Seq(items) => {
            if let Some((k, v)) = list_selector(first) {
                let it = items.iter().find(|i| i.str_at(&[k]) == Some(v))?;
                return lookup(it, rest);
            }
            let i: usize = first.parse().ok()?;
            lookup(items.get(i)?, rest)
        }
        Value::Scalar(_) => None,
    }
}

fn list_selector(seg: &str) -> Option<(&str, &str)> {
    seg.strip_prefix('[')?.strip_suffix(']')?.split_once('=')
}

/// Calls `f` on every node at the path; missing map fields are created when `create`.
fn visit(n: &mut Node, segs: &[String], create: bool, span: Span, f: &mut dyn FnMut(&mut Node)) {
    let Some((first, rest)) = segs.split_first() else {
        f(n);
        return;
    };
    if create && n.is_null() {
        *n = if list_selector(first).is_some() {
            Node::seq(Vec::new(), span)
        } else {
            Node::map(Vec::new(), span)
        };
    }
    match &mut n.value {
        Value::Map(m) => {
            if m.get(first).is_none() {
                if !create {
                    return;
                }
                super::resource::put(m, first, Node::null(span));
            }
            if let Some(c) = m.get_mut(first) {
                visit(c, rest, create, span, f);
            }
        }
        Value::Seq(items) => {
            let items = std::sync::Arc::make_mut(items);
            if first == "*" {
                for it in items.iter_mut() {
                    visit(it, rest, create, span, f);
                }
            } else if let Some((k, v)) = list_selector(first) {
                let mut hit = false;
                for it in items.iter_mut().filter(|i| i.str_at(&[k]) == Some(v)) {
                    hit = true;
                    visit(it, rest, create, span, f);
                }
                if !hit && create {
                    let mut el = Node::map(Vec::new(), span);
                    if let Some(m) = el.as_map_mut() {
                        super::resource::put(m, k, Node::string(v, span));
                    }
                    items.push(el);
                    if let Some(last) = items.last_mut() {
                        visit(last, rest, create, span, f);
                    }
                }
            } else if let Some(it) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                visit(it, rest, create, span, f);
            }
        }
        Value::Scalar(_) => {}
    }
}

fn selected(r: &Res, sel: &IdSel) -> bool {
    r.any_id(|id| sel.selects(id))
}

fn source_value(r: &Replacement, resources: &[Res], budget: &mut Budget) -> Result<Node, Finding> {
    let hits: Vec<&Res> = resources
        .iter()
        .filter(|x| selected(x, &r.source))
        .collect();
    let src = match hits.as_slice() {
        [one] => *one,
        [] => {
            return Err(Finding::new(
                id::KUSTOMIZE_PATCH_TARGET_MISSING,
                r.span,
                "the replacement source selects no object (kustomize fails)",
            ))
        }
        _ => {
            return Err(Finding::new(
                id::KUSTOMIZE_PATCH_TARGET_MISSING,
                r.span,
                "the replacement source selects several objects (kustomize fails)",
            ))
        }
    };
    let (path, span) = &r.source_path;
    let value = lookup(&src.node, &split_path(path))
        .filter(|v| !v.is_null())
        .ok_or_else(|| {
            Finding::new(
                id::KUSTOMIZE_PATCH_FAILED,
                *span,
                format!(
                    "fieldPath `{path}` is missing in the replacement source {}",
                    src.id().describe()
                ),
            )
        })?;
    budget.charge_node(value).map_err(|e| spent(e, r.span))?;
    let Some(d) = &r.source_options.delimiter else {
        return Ok(value.clone());
    };
    let t = value.as_str().unwrap_or("");
    let parts: Vec<&str> = t.split(d.as_str()).collect();
    let part = usize::try_from(r.source_options.index)
        .ok()
        .and_then(|i| parts.get(i))
        .ok_or_else(|| {
            Finding::new(
                id::KUSTOMIZE_PATCH_FAILED,
                *span,
                // The value itself is not quoted: a replacement may copy a secret.
                format!(
                    "options.index {} is out of bounds: the source value splits into {} part(s) at `{d}`",
                    r.source_options.index,
                    parts.len()
                ),
            )
        })?;
    Ok(Node::string(*part, value.span))
}

/// `value` written into `field` under the target options.
fn set_field(field: &mut Node, value: &Node, o: &Options) {
    let mut value = value.clone();
    if let Some(d) = &o.delimiter {
        let cur = field.as_str().unwrap_or("").to_string();
        let mut parts: Vec<&str> = cur.split(d.as_str()).collect();
        let v = value.as_str().unwrap_or("").to_string();
        match usize::try_from(o.index) {
            Err(_) => parts.insert(0, &v),
            Ok(i) if i >= parts.len() => parts.push(&v),
            Ok(i) => parts[i] = &v,
        }
        value = Node::string(parts.join(d), value.span);
    }
    let old = field.span;
    match (field.as_scalar().cloned(), value.as_str()) {
        // kyaml copies only the text under the target's tag: a parsed string stays a string,
        // a field created empty (no tag) reads the text as whatever it looks like.
        (Some(target), Some(text)) => {
            let string = !field.is_null() && matches!(target.resolve(), Resolved::Str(_));
            let s = if string {
                Scalar::string(text)
            } else {
                Scalar::plain(text)
            };
            *field = Node::scalar(s, value.span);
        }
        _ => *field = value,
    }
    field.overrode = Some(old);
}

/// Runs one kustomization's `replacements` over `resources`.
pub fn apply(
    loader: &mut Loader,
    root: &Path,
    canon_root: &Path,
    entries: &[Node],
    resources: &mut [Res],
    budget: &mut Budget,
) -> Result<(), Finding> {
    for e in entries {
        let list = match e.get("path") {
            Some(p) => {
                let path = loader
                    .resolve_file(root, canon_root, p.as_str().unwrap_or(""))
                    .map_err(|err| err.finding(p.span, root))?;
                let file = loader
                    .text(&path, canon_root)
                    .map_err(|err| err.finding(p.span, root))?;
                let docs = loader.docs(&file, super::load::Use::Resource);
                if docs.failed {
                    return Err(docs
                        .findings
                        .first()
                        .cloned()
                        .unwrap_or_else(|| bad(p.span, "unreadable replacement file".into())));
                }
                docs.docs.iter().filter(|d| !d.is_null()).cloned().collect()
            }
            None => vec![e.clone()],
        };
        for n in &list {
            run(&parse(n)?, resources, budget)?;
        }
    }
    Ok(())
}

/// The finding for a replacement that ran out of budget.
fn spent(e: Exceeded, at: Span) -> Finding {
    e.finding(at, "this replacement").unwrap_or_else(|| {
        Finding::new(
            id::YAML_LIMITS,
            at,
            "the build's size budget is spent; this replacement was not applied",
        )
    })
}

fn run(r: &Replacement, resources: &mut [Res], budget: &mut Budget) -> Result<(), Finding> {
    let value = source_value(r, resources, budget)?;
    let (value_size, value_bytes) = super::budget::size(&value);
    for t in &r.targets {
        for res in resources.iter_mut() {
            let labels = res.node.path(&["metadata", "labels"]);
            let annotations = res.node.path(&["metadata", "annotations"]);
            if !t.labels.as_ref().is_none_or(|l| l.matches(labels))
                || !t
                    .annotations
                    .as_ref()
                    .is_none_or(|a| a.matches(annotations))
                || !selected(res, &t.select)
                || t.reject.iter().any(|rj| selected(res, rj))
            {
                continue;
            }
            for (path, span) in &t.field_paths {
                let mut hits = 0;
                let mut over = None;
                visit(
                    &mut res.node,
                    &split_path(path),
                    t.options.create,
                    value.span,
                    &mut |f| {
                        hits += 1;
                        if over.is_some() {
                            return;
                        }
                        // A delimiter splices the value into the field's text: both are copied.
                        let field_bytes = if t.options.delimiter.is_some() {
                            f.as_str().map_or(0, str::len)
                        } else {
                            0
                        };
                        match budget.charge(value_size, value_bytes + field_bytes) {
                            Ok(()) => set_field(f, &value, &t.options),
                            Err(e) => over = Some(e),
                        }
                    },
                );
                if let Some(e) = over {
                    return Err(spent(e, *span));
                }
                if hits == 0 {
                    return Err(Finding::new(
                        id::KUSTOMIZE_PATCH_FAILED,
                        *span,
                        format!(
                            "unable to find field `{path}` in replacement target {}",
                            res.id().describe()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_outside_brackets() {
        assert_eq!(
            split_path("spec.containers.[name=a.b].env.[name=X].value"),
            [
                "spec",
                "containers",
                "[name=a.b]",
                "env",
                "[name=X]",
                "value"
            ]
        );
    }
}
