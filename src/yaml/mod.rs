//! A span-aware YAML tree built on `saphyr-parser` events.
//!
//! Every node carries the [`Span`] where its value was written. The Kustomize renderer keeps
//! that span when it moves, merges or patches nodes, so a value in rendered output still points
//! at the line of the base or the overlay patch that produced it; `overrode` records the value
//! it replaced. Scalars keep their raw text and quoting style, so the YAML 1.1 reading that
//! Kubernetes applies can be told apart from the YAML 1.2 reading ([`scalar`]).

pub mod emit;
pub mod parse;
pub mod scalar;

use crate::source::Span;
pub use parse::{parse_stream, parse_stream_with, Duplicates, Limits, ParsedStream};
pub use scalar::{Resolved, Style};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where this value was written.
    pub span: Span,
    /// The span of the value this one replaced (a base value a patch overrode), if any.
    pub overrode: Option<Span>,
}

/// Sequences and mappings share their items: cloning a tree copies no more than its root, and
/// changing a node copies only the path down to it ([`Arc::make_mut`]). A thousand overlays
/// render the same base objects from one parse, each changing a few fields of its copy.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Arc<Vec<Node>>),
    Map(Map),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The scalar's text after YAML unquoting/folding (what the parser delivers).
    pub text: String,
    pub style: Style,
    /// An explicit tag such as `!!str`, written as `!!str` (or the full handle+suffix).
    pub tag: Option<Box<str>>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Map {
    /// Shared with the trees this one was cloned from until changed: write through
    /// [`Map::entries_mut`].
    pub entries: Arc<Vec<Entry>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Scalar {
    pub fn plain(text: impl Into<String>) -> Scalar {
        Scalar {
            text: text.into(),
            style: Style::Plain,
            tag: None,
        }
    }
    /// A string that must stay a string whatever its text (emitted quoted when needed).
    pub fn string(text: impl Into<String>) -> Scalar {
        Scalar {
            text: text.into(),
            style: Style::DoubleQuoted,
            tag: None,
        }
    }
    /// YAML 1.2 core-schema reading (go-yaml v3, what kustomize reads resources with).
    pub fn resolve(&self) -> Resolved<'_> {
        scalar::resolve_12(self)
    }
    /// YAML 1.1 reading (go-yaml v2, what the Kubernetes API server's decoder applies).
    pub fn resolve_11(&self) -> Resolved<'_> {
        scalar::resolve_11(self)
    }
    pub fn is_null(&self) -> bool {
        matches!(self.resolve(), Resolved::Null)
    }
}

impl Map {
    pub fn new(entries: Vec<Entry>) -> Map {
        Map {
            entries: Arc::new(entries),
        }
    }
    /// The entries to change (copied first if another tree shares them).
    pub fn entries_mut(&mut self) -> &mut Vec<Entry> {
        Arc::make_mut(&mut self.entries)
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|e| e.key.as_str() == Some(key))
            .map(|e| &e.value)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        let i = self.position(key)?;
        Some(&mut self.entries_mut()[i].value)
    }
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key.as_str() == Some(key))
    }
    pub fn position(&self, key: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.key.as_str() == Some(key))
    }
    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.position(key)?;
        Some(self.entries_mut().remove(i))
    }
    /// Sets `key` to `value`; an existing entry keeps its place and key span.
    pub fn insert(&mut self, key: Node, value: Node) {
        if let Some(k) = key.as_str() {
            if let Some(i) = self.position(k) {
                self.entries_mut()[i].value = value;
                return;
            }
        }
        self.entries_mut().push(Entry { key, value });
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|e| e.key.as_str())
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node {
            value,
            span,
            overrode: None,
        }
    }
    pub fn scalar(s: Scalar, span: Span) -> Node {
        Node::new(Value::Scalar(s), span)
    }
    /// A plain string scalar; quoted on output if its text would read as another type.
    pub fn string(text: impl Into<String>, span: Span) -> Node {
        let text = text.into();
        let s = Scalar::plain(text.clone());
        let style = if matches!(s.resolve(), Resolved::Str(_)) {
            Style::Plain
        } else {
            Style::DoubleQuoted
        };
        Node::scalar(
            Scalar {
                text,
                style,
                tag: None,
            },
            span,
        )
    }
    pub fn map(entries: Vec<Entry>, span: Span) -> Node {
        Node::new(Value::Map(Map::new(entries)), span)
    }
    pub fn seq(items: Vec<Node>, span: Span) -> Node {
        Node::new(Value::Seq(Arc::new(items)), span)
    }
    pub fn null(span: Span) -> Node {
        Node::scalar(
            Scalar {
                text: String::new(),
                style: Style::Plain,
                tag: None,
            },
            span,
        )
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }
    /// The text of a scalar node (of any type: `3`, `true` and `"x"` all give their text).
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }
    /// The text of a scalar that reads as a string (not null/bool/number) in YAML 1.2.
    pub fn as_string(&self) -> Option<&str> {
        let s = self.as_scalar()?;
        match s.resolve() {
            Resolved::Str(_) => Some(s.text.as_str()),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self.as_scalar()?.resolve() {
            Resolved::Int(i) => Some(i),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_scalar()?.resolve() {
            Resolved::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    /// The items to change (copied first if another tree shares them).
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(s) => Some(Arc::make_mut(s)),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.is_null())
    }
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(s) => match s.resolve() {
                Resolved::Null => "null",
                Resolved::Bool(_) => "boolean",
                Resolved::Int(_) | Resolved::Float(_) => "number",
                Resolved::Str(_) => "string",
            },
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// A map value by key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?.get_mut(key)
    }
    /// Follows a path of map keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }
    pub fn path_mut(&mut self, keys: &[&str]) -> Option<&mut Node> {
        let mut n = self;
        for k in keys {
            n = n.get_mut(k)?;
        }
        Some(n)
    }
    /// The string at a path of map keys.
    pub fn str_at(&self, keys: &[&str]) -> Option<&str> {
        self.path(keys)?.as_str()
    }

    /// Converts to JSON with the YAML 1.2 reading of scalars (what kustomize does).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Scalar(s) => match s.resolve() {
                Resolved::Null => J::Null,
                Resolved::Bool(b) => J::Bool(b),
                Resolved::Int(i) => J::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f)
                    .map(J::Number)
                    .unwrap_or_else(|| J::String(s.text.clone())),
                Resolved::Str(t) => J::String(t.to_string()),
            },
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => {
                let mut obj = serde_json::Map::new();
                for e in m.entries.iter() {
                    let k = match e.key.as_scalar() {
                        Some(s) => s.text.clone(),
                        None => e.key.to_json().to_string(),
                    };
                    obj.insert(k, e.value.to_json());
                }
                J::Object(obj)
            }
        }
    }

    /// Builds a tree from JSON; every node gets `span`.
    pub fn from_json(v: &serde_json::Value, span: Span) -> Node {
        use serde_json::Value as J;
        match v {
            J::Null => Node::scalar(Scalar::plain("null"), span),
            J::Bool(b) => Node::scalar(Scalar::plain(b.to_string()), span),
            J::Number(n) => Node::scalar(Scalar::plain(n.to_string()), span),
            J::String(s) => Node::string(s.clone(), span),
            J::Array(a) => Node::seq(a.iter().map(|x| Node::from_json(x, span)).collect(), span),
            J::Object(o) => Node::map(
                o.iter()
                    .map(|(k, v)| Entry {
                        key: Node::string(k.clone(), span),
                        value: Node::from_json(v, span),
                    })
                    .collect(),
                span,
            ),
        }
    }

    /// Visits every node, depth first, without recursion.
    pub fn walk<'a>(&'a self, mut f: impl FnMut(&'a Node)) {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            f(n);
            match &n.value {
                Value::Scalar(_) => {}
                Value::Seq(items) => stack.extend(items.iter().rev()),
                Value::Map(m) => {
                    for e in m.entries.iter().rev() {
                        stack.push(&e.value);
                        stack.push(&e.key);
                    }
                }
            }
        }
    }

    /// Visits every node mutably, depth first (pre-order), without recursion. Every shared
    /// sequence and mapping below is copied: to change a few nodes of a large tree, use
    /// [`Node::edit_where`].
    pub fn walk_mut(&mut self, mut f: impl FnMut(&mut Node)) {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            f(n);
            match &mut n.value {
                Value::Scalar(_) => {}
                Value::Seq(items) => stack.extend(Arc::make_mut(items).iter_mut()),
                Value::Map(m) => {
                    for e in m.entries_mut().iter_mut() {
                        stack.push(&mut e.key);
                        stack.push(&mut e.value);
                    }
                }
            }
        }
    }

    /// The node at `path` (child indexes: of a sequence its items, of a mapping 2i for the
    /// key and 2i + 1 for the value of entry i), copying the sequences and mappings on the
    /// way if they are shared.
    pub fn at_path_mut(&mut self, path: &[u32]) -> Option<&mut Node> {
        let mut n: &mut Node = self;
        for &i in path {
            n = match &mut n.value {
                Value::Seq(items) => Arc::make_mut(items).get_mut(i as usize)?,
                Value::Map(m) => {
                    let e = m.entries_mut().get_mut(i as usize / 2)?;
                    if i % 2 == 0 {
                        &mut e.key
                    } else {
                        &mut e.value
                    }
                }
                Value::Scalar(_) => return None,
            };
        }
        Some(n)
    }

    /// Applies `edit` to every node `wants` picks (pre-order), copying only the sequences and
    /// mappings on the way to them: a tree shared with others stays shared where nothing
    /// changes. `edit` may change the node's value but not the shape of what lies below it
    /// (the nodes to edit are found before the first edit).
    pub fn edit_where(
        &mut self,
        mut wants: impl FnMut(&Node) -> bool,
        mut edit: impl FnMut(&mut Node),
    ) {
        // The path of each node to edit: child indexes from the root (an entry's key is 2i,
        // its value 2i + 1). In a depth-first walk the path of the node last visited starts
        // with the path of the parent of the node popped next.
        let mut paths: Vec<Vec<u32>> = Vec::new();
        let mut stack: Vec<(&Node, usize, u32)> = vec![(self, 0, 0)];
        let mut here: Vec<u32> = Vec::new();
        while let Some((n, depth, index)) = stack.pop() {
            here.truncate(depth.saturating_sub(1));
            if depth > 0 {
                here.push(index);
            }
            if wants(n) {
                paths.push(here.clone());
            }
            match &n.value {
                Value::Scalar(_) => {}
                Value::Seq(items) => {
                    for (i, c) in items.iter().enumerate().rev() {
                        stack.push((c, depth + 1, i as u32));
                    }
                }
                Value::Map(m) => {
                    for (i, e) in m.entries.iter().enumerate().rev() {
                        stack.push((&e.value, depth + 1, 2 * i as u32 + 1));
                        stack.push((&e.key, depth + 1, 2 * i as u32));
                    }
                }
            }
        }
        for path in paths {
            // A path leads nowhere only if an earlier edit broke the rule above.
            let Some(n) = self.at_path_mut(&path) else {
                continue;
            };
            edit(n);
        }
    }

    /// Sets the span (and clears `overrode`) of this node and everything below it: used when a
    /// whole subtree is produced by one source location.
    pub fn set_span_deep(&mut self, span: Span) {
        self.walk_mut(|n| {
            n.span = span;
            n.overrode = None;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, SourceMap};
    use std::sync::Arc;

    fn doc(text: &str) -> Node {
        let map = SourceMap::new();
        let f: Arc<SourceFile> = map.add("t.yaml", text);
        parse_stream(&f, Limits::default()).docs.remove(0)
    }

    fn entries(n: &Node) -> &Arc<Vec<Entry>> {
        &n.as_map().unwrap().entries
    }

    #[test]
    fn a_clone_shares_and_a_change_copies_only_its_path() {
        let base = doc("a: {x: 1, y: [1, 2]}\nb: {z: 3}\n");
        let mut copy = base.clone();
        assert!(Arc::ptr_eq(entries(&base), entries(&copy)));
        *copy.path_mut(&["a", "x"]).unwrap() = Node::string("9", copy.span);
        assert_eq!(base.str_at(&["a", "x"]), Some("1"));
        assert_eq!(copy.str_at(&["a", "x"]), Some("9"));
        // The root and `a` were copied; `b` and `a.y` are still the base's.
        assert!(!Arc::ptr_eq(entries(&base), entries(&copy)));
        assert!(Arc::ptr_eq(
            entries(base.get("b").unwrap()),
            entries(copy.get("b").unwrap())
        ));
        let seq = |n: &Node| match &n.path(&["a", "y"]).unwrap().value {
            Value::Seq(items) => items.clone(),
            _ => unreachable!("a.y is a sequence"),
        };
        assert!(Arc::ptr_eq(&seq(&base), &seq(&copy)));
    }

    #[test]
    fn edit_where_changes_the_picked_nodes_and_leaves_the_rest_shared() {
        let base = doc("a: {x: old, y: keep}\nb: [old, {c: old}]\nd: {e: keep}\n");
        let mut copy = base.clone();
        copy.edit_where(
            |n| n.as_str() == Some("old"),
            |n| *n = Node::string("new", n.span),
        );
        assert_eq!(copy.str_at(&["a", "x"]), Some("new"));
        assert_eq!(copy.str_at(&["a", "y"]), Some("keep"));
        let b = copy.get("b").and_then(Node::as_seq).unwrap();
        assert_eq!(b[0].as_str(), Some("new"));
        assert_eq!(b[1].str_at(&["c"]), Some("new"));
        assert_eq!(
            base.str_at(&["a", "x"]),
            Some("old"),
            "the base is untouched"
        );
        assert!(Arc::ptr_eq(
            entries(base.get("d").unwrap()),
            entries(copy.get("d").unwrap())
        ));
        // Nothing picked: nothing copied.
        let mut same = base.clone();
        same.edit_where(|_| false, |_| {});
        assert!(Arc::ptr_eq(entries(&base), entries(&same)));
    }

    #[test]
    fn at_path_mut_follows_keys_values_and_items() {
        let mut n = doc("k: [a, {m: v}]\n");
        // Entry 0's value (1), its item 1, that map's entry 0's key (0).
        assert_eq!(
            n.at_path_mut(&[1, 1, 0])
                .and_then(|n| n.as_str().map(str::to_string)),
            Some("m".into())
        );
        assert_eq!(
            n.at_path_mut(&[1, 1, 1])
                .and_then(|n| n.as_str().map(str::to_string)),
            Some("v".into())
        );
        assert!(n.at_path_mut(&[1, 5]).is_none());
        assert!(
            n.at_path_mut(&[1, 0, 0]).is_none(),
            "a scalar has no children"
        );
    }
}
