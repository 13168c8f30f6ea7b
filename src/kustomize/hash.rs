//! The name-suffix hash of generated ConfigMaps and Secrets (kustomize v5 `hasher`):
//! SHA-256 over Go-`encoding/json` text of `{kind, name: "", data[, binaryData]}` (ConfigMap)
//! or `{kind, type, name: "", data[, stringData]}` (Secret), first ten hex digits mapped
//! through `0→g 1→h 3→k a→m e→t`. The name is always empty (a kustomize quirk, research §5.10).

use crate::yaml::Node;
use serde_json::Value as J;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// The suffix for a generated object (`None` for kinds kustomize does not hash).
pub fn suffix(obj: &Node) -> Option<String> {
    let kind = obj.str_at(&["kind"])?;
    let field = |k: &str| match obj.get(k) {
        Some(n) if !n.is_null() => n.to_json(),
        _ => J::String(String::new()),
    };
    let mut m = serde_json::Map::new();
    m.insert("kind".into(), J::String(kind.to_string()));
    m.insert("name".into(), J::String(String::new()));
    m.insert("data".into(), field("data"));
    let extra = match kind {
        "ConfigMap" => "binaryData",
        "Secret" => {
            m.insert("type".into(), field("type"));
            "stringData"
        }
        _ => return None,
    };
    if obj.get(extra).and_then(Node::as_map).is_some() {
        m.insert(extra.into(), field(extra));
    }
    let mut text = String::new();
    go_json(&J::Object(m), &mut text);
    Some(encode(&Sha256::digest(text.as_bytes())))
}

fn encode(digest: &[u8]) -> String {
    let mut hex = String::new();
    for b in digest.iter().take(5) {
        let _ = write!(hex, "{b:02x}");
    }
    hex.chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// Go `encoding/json` output: sorted keys, no spaces, HTML-safe escaping.
pub fn go_json(v: &J, out: &mut String) {
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => out.push_str(&n.to_string()),
        J::String(s) => go_string(s, out),
        J::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(x, out);
            }
            out.push(']');
        }
        J::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(k, out);
                out.push(':');
                go_json(&o[*k], out);
            }
            out.push('}');
        }
    }
}

fn go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    fn h(t: &str) -> String {
        let m = SourceMap::new();
        let f = m.add("x", t);
        suffix(&parse_stream(&f, Limits::default()).docs[0]).unwrap()
    }

    #[test]
    fn known_suffixes_from_the_oracle() {
        assert_eq!(
            h("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: empty}\n"),
            "6ct58987ht"
        );
        assert_eq!(
            h("apiVersion: v1\nkind: Secret\nmetadata: {name: redis-auth}\ntype: Opaque\ndata: {password: czNjcjN0}\n"),
            "25k92892fb"
        );
    }

    #[test]
    fn html_characters_are_escaped() {
        let mut s = String::new();
        go_json(&serde_json::json!({"b": "<&>\u{2028}", "a": 1}), &mut s);
        assert_eq!(s, r#"{"a":1,"b":"\u003c\u0026\u003e\u2028"}"#);
    }
}
