//! Patch target selection (`api/types/selector.go`): group/version/kind/name/namespace are
//! anchored RE2 regular expressions; name and namespace match the original or the current
//! value; label and annotation selectors use the Kubernetes selector syntax.

use super::kustomization::{Str, Target};
use super::resource::{norm_ns, IdRef, Res};
use crate::hash::HashMap;
use crate::yaml::Node;
use regex::Regex;
use std::sync::{LazyLock, Mutex};

/// A compiled target.
pub struct Selector {
    group: Option<Pattern>,
    version: Option<Pattern>,
    kind: Option<Pattern>,
    name: Option<Pattern>,
    namespace: Option<Pattern>,
    labels: Vec<Req>,
    annotations: Vec<Req>,
}

/// One selector requirement.
#[derive(Debug, PartialEq)]
enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// One anchored field pattern. Most targets name a kind or an object literally; those are
/// compared as text, so a run of 1,000 overlays does not compile the same regex 1,000 times.
enum Pattern {
    Literal(String),
    Regex(Regex),
}

impl Pattern {
    fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Literal(l) => l == text,
            Pattern::Regex(re) => re.is_match(text),
        }
    }
}

/// Characters with a meaning in RE2 syntax outside a class; a pattern without any of them
/// matches exactly its own text once anchored (`x` mode, where `#` and spaces mean something,
/// needs a `(?x)` group, which has a parenthesis).
fn is_literal(p: &str) -> bool {
    !p.contains([
        '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
    ])
}

/// Compiled regexes of the run by pattern (a `Regex` clone shares the compiled program).
static COMPILED: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);

fn anchored(s: &Option<Str>) -> Result<Option<Pattern>, (Str, String)> {
    let Some(s) = s else { return Ok(None) };
    if s.text.is_empty() {
        return Ok(None);
    }
    if is_literal(&s.text) {
        return Ok(Some(Pattern::Literal(s.text.to_string())));
    }
    let cached = COMPILED
        .lock()
        .ok()
        .and_then(|c| c.get(s.text.as_str()).cloned());
    if let Some(re) = cached {
        return Ok(Some(Pattern::Regex(re)));
    }
    let re = Regex::new(&format!("^(?:{})$", s.text)).map_err(|e| (s.clone(), e.to_string()))?;
    if let Ok(mut c) = COMPILED.lock() {
        c.insert(s.text.to_string(), re.clone());
    }
    Ok(Some(Pattern::Regex(re)))
}

impl Selector {
    /// Compiles a target; a bad regex or selector is an error at its value.
    pub fn new(t: &Target) -> Result<Selector, (Str, String)> {
        let sel = |s: &Option<Str>| -> Result<Vec<Req>, (Str, String)> {
            match s {
                Some(s) => parse_selector(&s.text).map_err(|m| (s.clone(), m)),
                None => Ok(Vec::new()),
            }
        };
        Ok(Selector {
            group: anchored(&t.group)?,
            version: anchored(&t.version)?,
            kind: anchored(&t.kind)?,
            name: anchored(&t.name)?,
            namespace: anchored(&t.namespace)?,
            labels: sel(&t.label_selector)?,
            annotations: sel(&t.annotation_selector)?,
        })
    }

    pub fn matches(&self, r: &Res) -> bool {
        let cur = r.id_ref();
        let org = r.prev.first().map_or(cur, IdRef::borrow);
        let m = |re: &Option<Pattern>, a: &str| re.as_ref().is_none_or(|re| re.is_match(a));
        let either = |re: &Option<Pattern>, a: &str, b: &str| {
            re.as_ref()
                .is_none_or(|re| re.is_match(a) || re.is_match(b))
        };
        m(&self.group, cur.group)
            && m(&self.version, cur.version)
            && m(&self.kind, cur.kind)
            && either(&self.name, cur.name, org.name)
            && either(
                &self.namespace,
                norm_ns(cur.namespace),
                norm_ns(org.namespace),
            )
            && reqs_match(&self.labels, r.node.path(&["metadata", "labels"]))
            && reqs_match(&self.annotations, r.node.path(&["metadata", "annotations"]))
    }
}

/// A parsed label or annotation selector (`k=v, k in (a,b), !k`).
pub struct Requirements(Vec<Req>);

impl Requirements {
    pub fn parse(s: &str) -> Result<Requirements, String> {
        parse_selector(s).map(Requirements)
    }
    /// Whether the labels/annotations map `map` satisfies every requirement.
    pub fn matches(&self, map: Option<&Node>) -> bool {
        reqs_match(&self.0, map)
    }
}

fn reqs_match(reqs: &[Req], map: Option<&Node>) -> bool {
    let get = |k: &str| map.and_then(|m| m.get(k)).and_then(Node::as_str);
    reqs.iter().all(|r| match r {
        Req::Eq(k, v) => get(k) == Some(v),
        Req::NotEq(k, v) => get(k) != Some(v),
        Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
        Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
        Req::Exists(k) => get(k).is_some(),
        Req::NotExists(k) => get(k).is_none(),
    })
}

/// Splits at commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn set_values(rest: &str) -> Result<Vec<String>, String> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("expected `(values)` in selector, found `{rest}`"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
}

fn parse_selector(s: &str) -> Result<Vec<Req>, String> {
    let mut out = Vec::new();
    for part in split_top(s) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        let req = if let Some(k) = p.strip_prefix('!') {
            Req::NotExists(k.trim().to_string())
        } else if let Some((k, v)) = p.split_once("!=") {
            Req::NotEq(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
            Req::Eq(k.trim().into(), v.trim().into())
        } else if let Some((k, rest)) = p.split_once(" notin ") {
            Req::NotIn(k.trim().into(), set_values(rest)?)
        } else if let Some((k, rest)) = p.split_once(" in ") {
            Req::In(k.trim().into(), set_values(rest)?)
        } else {
            Req::Exists(p.to_string())
        };
        out.push(req);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_syntax() {
        let r = parse_selector("a=b, c!=d, e in (x, y), !f, g").unwrap();
        assert_eq!(r.len(), 5);
        assert_eq!(r[2], Req::In("e".into(), vec!["x".into(), "y".into()]));
        assert_eq!(r[3], Req::NotExists("f".into()));
    }

    proptest::proptest! {
        /// A pattern taken as literal text matches exactly what the anchored regex matches.
        #[test]
        fn literal_patterns_match_as_the_regex_does(
            p in "[a-zA-Z0-9 _#&~:/=<>!,;'\"@%-]{1,6}",
            t in "[a-zA-Z0-9 _#&~:/=<>!,;'\"@%-]{0,6}",
        ) {
            proptest::prop_assert!(is_literal(&p));
            let re = Regex::new(&format!("^(?:{p})$")).unwrap();
            proptest::prop_assert_eq!(Pattern::Literal(p.clone()).is_match(&t), re.is_match(&t));
            proptest::prop_assert_eq!(Pattern::Literal(p.clone()).is_match(&p), re.is_match(&p));
        }
    }

    #[test]
    fn meta_characters_make_a_regex() {
        for p in [
            "a.b", "svc-*", "a|b", "(?x) a", "x{2}", "[ab]", "a\\d", "^a$", "a+", "a?",
        ] {
            assert!(!is_literal(p), "{p}");
        }
    }
}
