//! The objects a build accumulates: the rendered [`Node`] plus what kustomize tracks beside it
//! (every id the object had, whether a generator made it, the prefixes and suffixes applied).
//!
//! kustomize keeps this history in internal annotations; here it lives beside the node so the
//! rendered document never carries it.

use crate::source::Span;
use crate::yaml::{Entry, Map, Node};

/// Group/version/kind + namespace + name of an object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ResId {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// A borrowed [`ResId`] read straight from a document (no allocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdRef<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
}

impl<'a> IdRef<'a> {
    /// The id of a document (missing fields are empty).
    pub fn of(node: &'a Node) -> IdRef<'a> {
        let api = node.str_at(&["apiVersion"]).unwrap_or("");
        let (group, version) = api.split_once('/').unwrap_or(("", api));
        let meta = node.get("metadata");
        let meta_str = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Node::as_str)
                .unwrap_or("")
        };
        IdRef {
            group,
            version,
            kind: node.str_at(&["kind"]).unwrap_or(""),
            namespace: meta_str("namespace"),
            name: meta_str("name"),
        }
    }
    pub fn borrow(id: &'a ResId) -> IdRef<'a> {
        IdRef {
            group: &id.group,
            version: &id.version,
            kind: &id.kind,
            namespace: &id.namespace,
            name: &id.name,
        }
    }
    pub fn to_owned(self) -> ResId {
        ResId {
            group: self.group.into(),
            version: self.version.into(),
            kind: self.kind.into(),
            namespace: self.namespace.into(),
            name: self.name.into(),
        }
    }
    /// kustomize's `ResId.Equals`: same GVK, name and (normalised) namespace.
    pub fn equals(&self, other: &IdRef) -> bool {
        self.gvk_name_equals(other) && norm_ns(self.namespace) == norm_ns(other.namespace)
    }
    /// Same group, kind and name; versions equal or one unset.
    pub fn gvk_name_equals(&self, other: &IdRef) -> bool {
        self.kind == other.kind
            && self.name == other.name
            && self.group == other.group
            && (self.version == other.version
                || self.version.is_empty()
                || other.version.is_empty())
    }
}

impl ResId {
    /// The id of a document (missing fields are empty).
    pub fn of(node: &Node) -> ResId {
        IdRef::of(node).to_owned()
    }

    /// Namespaces compare equal when both are empty or `default`.
    /// kustomize's `ResId.Equals` (see [`IdRef::equals`]).
    pub fn equals(&self, other: &ResId) -> bool {
        IdRef::borrow(self).equals(&IdRef::borrow(other))
    }

    /// The object as a person names it: "Service `redis`", with "in namespace `x`" when it has
    /// one (kustomize's `Kind.version.group/name.[noNs]` form is for machines).
    pub fn describe(&self) -> String {
        let kind = if self.kind.is_empty() {
            "object"
        } else {
            &self.kind
        };
        if self.namespace.is_empty() {
            format!("{kind} `{}`", self.name)
        } else {
            format!("{kind} `{}` in namespace `{}`", self.name, self.namespace)
        }
    }
}

pub fn norm_ns(ns: &str) -> &str {
    if ns.is_empty() {
        "default"
    } else {
        ns
    }
}

/// Generator bookkeeping for an object a `configMapGenerator`/`secretGenerator` produced.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Whether the root appends the content hash to the name.
    pub hash: bool,
    /// The generator entry (provenance of the hash suffix).
    pub entry: Span,
    /// The generator's `behavior` as kustomize records it (`unspecified`, `create`, ...).
    pub behavior: &'static str,
}

/// One object of an accumulator.
#[derive(Clone, Debug)]
pub struct Res {
    pub node: Node,
    /// Earlier ids, oldest first (the original id is `prev[0]` when non-empty).
    pub prev: Vec<ResId>,
    pub generated: Option<Generated>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// Where the object was defined (its document, or the generator entry).
    pub origin: Span,
}

impl Res {
    pub fn new(node: Node, origin: Span) -> Res {
        Res {
            node,
            prev: Vec::new(),
            generated: None,
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            origin,
        }
    }
    pub fn id(&self) -> ResId {
        ResId::of(&self.node)
    }
    pub fn id_ref(&self) -> IdRef<'_> {
        IdRef::of(&self.node)
    }
    /// Whether any id the object ever had (current included) satisfies `f`.
    pub fn any_id(&self, f: impl Fn(&IdRef) -> bool) -> bool {
        f(&self.id_ref()) || self.prev.iter().any(|p| f(&IdRef::borrow(p)))
    }
    /// The id the object had when it entered the build.
    pub fn org_id(&self) -> ResId {
        self.prev.first().cloned().unwrap_or_else(|| self.id())
    }
    /// Every id the object ever had, oldest first, the current one last.
    pub fn all_ids(&self) -> Vec<ResId> {
        let mut v = self.prev.clone();
        v.push(self.id());
        v
    }
    /// Remembers the current id where kustomize's `StorePreviousId` does: before a
    /// namespace, prefix/suffix, `patches:` JSON6902 or renaming patch (changed or not).
    pub fn store_prev(&mut self) {
        let id = self.id();
        self.prev.push(id);
    }
    pub fn kind(&self) -> &str {
        self.node.str_at(&["kind"]).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.node.str_at(&["metadata", "name"]).unwrap_or("")
    }
    /// Every name the object had (repeats removed when adjacent), the current one first.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = std::iter::once(self.name())
            .chain(self.prev.iter().rev().map(|p| p.name.as_str()))
            .collect();
        v.dedup();
        v
    }
    /// Any name the object ever had.
    pub fn had_name(&self, name: &str) -> bool {
        self.name() == name || self.prev.iter().any(|p| p.name == name)
    }
}

/// The key node of a new entry: a string at `span`.
pub fn key(name: &str, span: Span) -> Node {
    Node::string(name, span)
}

/// Sets `map[k] = value`; a replaced value is remembered in `value.overrode`.
pub fn put(map: &mut Map, k: &str, mut value: Node) {
    if let Some(old) = map.get_mut(k) {
        if value.overrode.is_none() && old.span != value.span {
            value.overrode = Some(old.span);
        }
        *old = value;
        return;
    }
    let span = value.span;
    map.entries_mut().push(Entry {
        key: key(k, span),
        value,
    });
}

/// The map at `keys` below `node`, created (each level at `span`) where missing. `None` when
/// something on the way is not a map.
pub fn ensure_map<'a>(node: &'a mut Node, keys: &[&str], span: Span) -> Option<&'a mut Map> {
    let mut cur = node;
    for k in keys {
        let m = cur.as_map_mut()?;
        let missing = match m.get(k) {
            None => true,
            Some(v) => v.is_null(),
        };
        if missing {
            put(m, k, Node::map(Vec::new(), span));
        }
        cur = m.get_mut(k)?;
    }
    cur.as_map_mut()
}

/// Sets `metadata.name`.
pub fn set_name(node: &mut Node, name: String, span: Span) {
    if let Some(meta) = ensure_map(node, &["metadata"], span) {
        put(meta, "name", Node::string(name, span));
    }
}
