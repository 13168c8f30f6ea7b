//! kustomize field specs: "for objects of this kind/group, the field at this path", with an
//! optional `create`. Paths are `/`-separated map keys; a sequence met on the way is entered
//! element by element (`[]` after a segment says so explicitly, as kustomize writes it).

use crate::source::Span;
use crate::yaml::{Node, Value};

/// One field spec.
#[derive(Clone, Debug)]
pub struct FieldSpec {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub path: String,
    pub create: bool,
}

impl FieldSpec {
    /// A spec for every kind.
    pub fn any(path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            group: None,
            kind: None,
            path: path.to_string(),
            create,
        }
    }
    /// A spec for one kind (`group` `None` = any group).
    pub fn kind(group: Option<&str>, kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            group: group.map(str::to_string),
            kind: Some(kind.to_string()),
            path: path.to_string(),
            create,
        }
    }
    /// Whether the spec applies to an object of this group and kind.
    pub fn applies(&self, group: &str, kind: &str) -> bool {
        self.kind.as_deref().is_none_or(|k| k == kind)
            && self.group.as_deref().is_none_or(|g| g == group)
    }
    /// Calls `f` on every node at the path (created as a null at `span` when `create` and
    /// missing; the caller fills it).
    pub fn visit(&self, node: &mut Node, span: Span, f: &mut dyn FnMut(&mut Node)) {
        let segs: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        visit_path(node, &segs, self.create, span, f);
    }
}

/// Calls `f` on every node at `segs` below `node` (see [`FieldSpec::visit`]).
pub fn visit_path(
    node: &mut Node,
    segs: &[&str],
    create: bool,
    span: Span,
    f: &mut dyn FnMut(&mut Node),
) {
    let Some((first, rest)) = segs.split_first() else {
        f(node);
        return;
    };
    match &mut node.value {
        Value::Seq(items) => {
            for it in std::sync::Arc::make_mut(items).iter_mut() {
                visit_path(it, segs, create, span, f);
            }
        }
        Value::Map(m) => {
            let (seg, list) = match first.strip_suffix("[]") {
                Some(s) => (s, true),
                None => (*first, false),
            };
            let missing = m.get(seg).is_none_or(Node::is_null);
            if missing {
                if !create || list {
                    return;
                }
                let fresh = if rest.is_empty() {
                    Node::null(span)
                } else {
                    Node::map(Vec::new(), span)
                };
                super::resource::put(m, seg, fresh);
            }
            if let Some(child) = m.get_mut(seg) {
                visit_path(child, rest, create, span, f);
            }
        }
        Value::Scalar(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn sp() -> Span {
        Span::file_start(FileId(0))
    }

    #[test]
    fn creates_missing_maps_only_with_create() {
        let mut n = Node::map(Vec::new(), sp());
        let mut hits = 0;
        FieldSpec::any("spec/selector", false).visit(&mut n, sp(), &mut |_| hits += 1);
        assert_eq!(hits, 0);
        FieldSpec::any("spec/selector", true).visit(&mut n, sp(), &mut |_| hits += 1);
        assert_eq!(hits, 1);
        assert!(n.path(&["spec", "selector"]).is_some());
    }
}
