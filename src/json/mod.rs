//! A strict JSON reader (RFC 8259) that keeps the span of every key and value.
//!
//! The tree is a [`yaml::Node`](crate::yaml::Node) tree: objects are maps, arrays sequences,
//! strings double-quoted scalars (decoded), numbers, `true`, `false` and `null` plain scalars
//! holding their text as written. JSON text read out of a ConfigMap block scalar is mapped back
//! to the file through the scalar's [`OffsetMap`] (the mechanism redis.conf uses), so a key's
//! span is where the key is written in the YAML file. Depth, size and duplicate keys are
//! reported as located [`JsonError`]s; nothing panics on any input, and the parser recurses at
//! most [`Limits::depth`] levels.

pub mod schema;

use crate::redis::embed::OffsetMap;
use crate::source::{SourceFile, Span};
use crate::yaml::{Entry, Map, Node, Scalar, Style, Value};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of objects and arrays.
    pub depth: usize,
    /// Longest text, in bytes.
    pub size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            depth: 64,
            size: 1 << 20,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonErrorKind {
    Syntax,
    /// Nesting deeper than the limit.
    Depth,
    /// Text longer than the limit.
    Size,
    /// A key given twice in one object (the later one wins, as in Python's and Go's readers).
    DuplicateKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub kind: JsonErrorKind,
    pub message: String,
    pub span: Span,
    /// The other half (the first occurrence of a duplicate key).
    pub related: Option<(Span, String)>,
}

#[derive(Clone, Debug)]
pub struct JsonDoc {
    /// `None` when the text does not parse (the errors say why).
    pub root: Option<Node>,
    pub errors: Vec<JsonError>,
}

/// Reads a whole file as JSON.
pub fn parse_file(file: &SourceFile, limits: Limits) -> JsonDoc {
    parse(file, &file.text, &OffsetMap::Identity, limits)
}

/// Reads the text of YAML scalar `node` (a ConfigMap value written in `file`) as JSON.
pub fn parse_scalar(file: &SourceFile, node: &Node, limits: Limits) -> Option<JsonDoc> {
    let (text, map) = OffsetMap::for_scalar(file, node)?;
    Some(parse(file, &text, &map, limits))
}

/// Reads `text`, whose offsets map into `file` through `map`.
pub fn parse(file: &SourceFile, text: &str, map: &OffsetMap, limits: Limits) -> JsonDoc {
    let mut p = Parser {
        file,
        map,
        text,
        b: text.as_bytes(),
        i: 0,
        limits,
        errors: Vec::new(),
    };
    if text.len() > limits.size {
        let e = p.error(
            JsonErrorKind::Size,
            format!(
                "JSON text is {} bytes long; the limit is {}",
                text.len(),
                limits.size
            ),
            0,
            0,
        );
        return JsonDoc {
            root: None,
            errors: vec![e],
        };
    }
    let root = match p.document() {
        Ok(n) => Some(n),
        Err(e) => {
            p.errors.push(e);
            None
        }
    };
    JsonDoc {
        root,
        errors: p.errors,
    }
}

struct Parser<'a> {
    file: &'a SourceFile,
    map: &'a OffsetMap,
    text: &'a str,
    b: &'a [u8],
    i: usize,
    limits: Limits,
    errors: Vec<JsonError>,
}

type R<T> = Result<T, JsonError>;

impl Parser<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        self.map.span(self.file, start, end)
    }

    fn error(&self, kind: JsonErrorKind, message: String, start: usize, end: usize) -> JsonError {
        JsonError {
            kind,
            message,
            span: self.span(start, end),
            related: None,
        }
    }

    fn syntax(&self, message: impl Into<String>) -> JsonError {
        let end = self.next_char_end();
        self.error(JsonErrorKind::Syntax, message.into(), self.i, end)
    }

    fn next_char_end(&self) -> usize {
        self.text
            .get(self.i..)
            .and_then(|r| r.chars().next())
            .map_or(self.i, |c| self.i + c.len_utf8())
    }

    fn found(&self) -> String {
        match self.text.get(self.i..).and_then(|r| r.chars().next()) {
            None => "the end of the text".into(),
            Some(c) => format!("`{}`", c.escape_debug()),
        }
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn document(&mut self) -> R<Node> {
        if self.text.starts_with('\u{feff}') {
            return Err(self.syntax("JSON text starts with a byte order mark"));
        }
        self.ws();
        let v = self.value(0)?;
        self.ws();
        if self.i < self.b.len() {
            return Err(self.syntax(format!(
                "expected the end of the JSON text, found {}",
                self.found()
            )));
        }
        Ok(v)
    }

    fn value(&mut self, depth: usize) -> R<Node> {
        match self.b.get(self.i) {
            None => Err(self.syntax("expected a JSON value, found the end of the text")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => {
                let (s, start) = self.string()?;
                Ok(Node::scalar(
                    Scalar {
                        text: s,
                        style: Style::DoubleQuoted,
                        tag: None,
                    },
                    self.span(start, self.i),
                ))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                for word in ["true", "false", "null"] {
                    if self.text[self.i..].starts_with(word) {
                        let start = self.i;
                        self.i += word.len();
                        return Ok(Node::scalar(Scalar::plain(word), self.span(start, self.i)));
                    }
                }
                Err(self.syntax(format!("expected a JSON value, found {}", self.found())))
            }
        }
    }

    fn too_deep(&self, depth: usize) -> Option<JsonError> {
        (depth > self.limits.depth).then(|| {
            self.error(
                JsonErrorKind::Depth,
                format!("JSON nests deeper than {} levels here", self.limits.depth),
                self.i,
                self.i + 1,
            )
        })
    }

    fn object(&mut self, depth: usize) -> R<Node> {
        if let Some(e) = self.too_deep(depth) {
            return Err(e);
        }
        let start = self.i;
        self.i += 1;
        let mut map = Map::default();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Node::new(Value::Map(map), self.span(start, self.i)));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.syntax(format!(
                    "expected a key in double quotes, found {}",
                    self.found()
                )));
            }
            let (k, kstart) = self.string()?;
            let key = Node::scalar(
                Scalar {
                    text: k.clone(),
                    style: Style::DoubleQuoted,
                    tag: None,
                },
                self.span(kstart, self.i),
            );
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.syntax(format!(
                    "expected `:` after the key \"{}\", found {}",
                    k.escape_debug(),
                    self.found()
                )));
            }
            self.i += 1;
            self.ws();
            let value = self.value(depth)?;
            if let Some(pos) = map.position(&k) {
                let first = map.entries_mut().remove(pos);
                self.errors.push(JsonError {
                    kind: JsonErrorKind::DuplicateKey,
                    message: format!("key \"{}\" is given twice in this object", k.escape_debug()),
                    span: key.span,
                    related: Some((first.key.span, "first given here".into())),
                });
            }
            map.entries_mut().push(Entry { key, value });
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Node::new(Value::Map(map), self.span(start, self.i)));
                }
                _ => {
                    return Err(self.syntax(format!(
                        "expected `,` or `}}` in an object, found {}",
                        self.found()
                    )))
                }
            }
            self.ws();
            if self.b.get(self.i) == Some(&b'}') {
                return Err(self.syntax("trailing comma before `}`: JSON allows none"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> R<Node> {
        if let Some(e) = self.too_deep(depth) {
            return Err(e);
        }
        let start = self.i;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Node::seq(items, self.span(start, self.i)));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Node::seq(items, self.span(start, self.i)));
                }
                _ => {
                    return Err(self.syntax(format!(
                        "expected `,` or `]` in an array, found {}",
                        self.found()
                    )))
                }
            }
            self.ws();
            if self.b.get(self.i) == Some(&b']') {
                return Err(self.syntax("trailing comma before `]`: JSON allows none"));
            }
        }
    }

    /// A string at `self.i` (which is `"`); returns the decoded text and its start.
    fn string(&mut self) -> R<(String, usize)> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                self.i = start;
                return Err(self.syntax("string is not closed"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok((out, start));
                }
                b'\\' => {
                    let esc = self.i;
                    let e = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    let ch = match e {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i -= 2;
                            self.unicode_escape(esc)?
                        }
                        _ => {
                            self.i = esc;
                            return Err(self.syntax("invalid escape in a string"));
                        }
                    };
                    out.push(ch);
                }
                0..=0x1f => {
                    return Err(self.syntax(
                        "control character in a string (write it as an escape such as `\\n`)",
                    ))
                }
                _ => {
                    // Copy a run of ordinary characters.
                    let run_end = self.b[self.i..]
                        .iter()
                        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                        .map_or(self.b.len(), |p| self.i + p);
                    out.push_str(&self.text[self.i..run_end]);
                    self.i = run_end;
                }
            }
        }
    }

    /// `\uXXXX` (with a surrogate pair) at `self.i`; `esc` is where the escape starts.
    fn unicode_escape(&mut self, esc: usize) -> R<char> {
        let hex4 = |p: &Parser, at: usize| -> Option<u32> {
            let h = p.text.get(at..at + 4)?;
            if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(h, 16).ok()
        };
        let bad = |p: &mut Parser, msg: &str| {
            p.i = esc;
            Err(p.syntax(msg.to_string()))
        };
        let Some(hi) = hex4(self, self.i + 2) else {
            return bad(self, "`\\u` needs four hexadecimal digits");
        };
        self.i += 6;
        if (0xd800..0xdc00).contains(&hi) {
            if self.text.get(self.i..self.i + 2) != Some("\\u") {
                return bad(self, "lone leading surrogate in a `\\u` escape");
            }
            let Some(lo) = hex4(self, self.i + 2).filter(|lo| (0xdc00..0xe000).contains(lo)) else {
                return bad(self, "lone leading surrogate in a `\\u` escape");
            };
            self.i += 6;
            let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
            return match char::from_u32(c) {
                Some(c) => Ok(c),
                None => bad(self, "invalid `\\u` escape"),
            };
        }
        match char::from_u32(hi) {
            Some(c) => Ok(c),
            None => bad(self, "lone trailing surrogate in a `\\u` escape"),
        }
    }

    fn number(&mut self) -> R<Node> {
        let start = self.i;
        let b = self.b;
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - s
        };
        match b.get(i) {
            Some(b'0') => {
                i += 1;
                if b.get(i).is_some_and(u8::is_ascii_digit) {
                    self.i = start;
                    return Err(self.syntax("number with a leading zero"));
                }
            }
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => {
                self.i = i;
                return Err(self.syntax(format!("expected a digit, found {}", self.found())));
            }
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                self.i = i;
                return Err(self.syntax("expected a digit after the decimal point"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                self.i = i;
                return Err(self.syntax("expected a digit in the exponent"));
            }
        }
        self.i = i;
        let raw = &self.text[start..i];
        if serde_json::from_str::<serde_json::Number>(raw).is_err() {
            self.i = start;
            return Err(self.error(
                JsonErrorKind::Syntax,
                format!("number {raw} is out of range"),
                start,
                i,
            ));
        }
        Ok(Node::scalar(Scalar::plain(raw), self.span(start, i)))
    }
}

/// The JSON value of a tree this module built (numbers exact, as written).
pub fn to_value(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    // Iterative over containers would be needed only beyond the depth limit the parser keeps.
    match &node.value {
        Value::Scalar(s) => match (s.style, s.text.as_str()) {
            (Style::DoubleQuoted, t) => J::String(t.to_string()),
            (_, "true") => J::Bool(true),
            (_, "false") => J::Bool(false),
            (_, "null") => J::Null,
            (_, t) => serde_json::from_str::<serde_json::Number>(t)
                .map(J::Number)
                .unwrap_or_else(|_| J::String(t.to_string())),
        },
        Value::Seq(items) => J::Array(items.iter().map(to_value).collect()),
        Value::Map(m) => J::Object(
            m.entries
                .iter()
                .map(|e| (e.key.as_str().unwrap_or("").to_string(), to_value(&e.value)))
                .collect(),
        ),
    }
}

/// The node at JSON pointer `ptr` (`/api_cache/ttl`), with the key node it is the value of.
pub fn pointer<'a>(root: &'a Node, ptr: &str) -> Option<(Option<&'a Node>, &'a Node)> {
    if ptr.is_empty() {
        return Some((None, root));
    }
    let mut key = None;
    let mut node = root;
    for raw in ptr.strip_prefix('/')?.split('/') {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        match &node.value {
            Value::Map(m) => {
                let e = m
                    .entries
                    .iter()
                    .rev()
                    .find(|e| e.key.as_str() == Some(&seg))?;
                key = Some(&e.key);
                node = &e.value;
            }
            Value::Seq(items) => {
                node = items.get(seg.parse::<usize>().ok()?)?;
                key = None;
            }
            Value::Scalar(_) => return None,
        }
    }
    Some((key, node))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits as YamlLimits};

    fn doc(text: &str) -> (std::sync::Arc<SourceFile>, JsonDoc) {
        let map = SourceMap::new();
        let f = map.add("c.json", text);
        let d = parse_file(&f, Limits::default());
        (f, d)
    }

    #[test]
    fn every_key_and_value_has_its_span() {
        let text = "{\n  \"api_cache\": {\"ttl\": 300, \"key_prefix\": \"api:\", \"database\": 3},\n  \"x\": [1, -2.5e3, true, null, \"\\u00e9\\n\"]\n}\n";
        let (f, d) = doc(text);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let root = d.root.unwrap();
        let (k, v) = pointer(&root, "/api_cache/ttl").unwrap();
        assert_eq!(f.slice(k.unwrap().span), "\"ttl\"");
        assert_eq!(f.slice(v.span), "300");
        let (_, v) = pointer(&root, "/api_cache/key_prefix").unwrap();
        assert_eq!(f.slice(v.span), "\"api:\"");
        assert_eq!(v.as_str(), Some("api:"));
        let (_, v) = pointer(&root, "/x/4").unwrap();
        assert_eq!(v.as_str(), Some("é\n"));
        let (_, v) = pointer(&root, "/api_cache").unwrap();
        assert!(f.slice(v.span).starts_with('{') && f.slice(v.span).ends_with('}'));
        assert_eq!(
            to_value(&root),
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        assert!(pointer(&root, "/nope").is_none());
        assert!(pointer(&root, "/x/9").is_none());
    }

    #[test]
    fn json_in_a_configmap_block_maps_to_the_yaml_lines() {
        let yaml = "data:\n  cache-strategy.json: |\n    {\n      \"temp\": {\"ttl\": 30,\n               \"key_prefix\": \"temp:\"}\n    }\n";
        let map = SourceMap::new();
        let f = map.add("cm.yaml", yaml);
        let parsed = parse_stream(&f, YamlLimits::default());
        let node = parsed.docs[0]
            .path(&["data", "cache-strategy.json"])
            .unwrap();
        let d = parse_scalar(&f, node, Limits::default()).unwrap();
        let root = d.root.unwrap();
        let (k, v) = pointer(&root, "/temp/key_prefix").unwrap();
        assert_eq!(f.slice(k.unwrap().span), "\"key_prefix\"");
        assert_eq!(f.slice(v.span), "\"temp:\"");
        assert_eq!(f.line_col(v.span.start as usize).line, 5);
    }

    #[test]
    fn duplicate_keys_are_located_and_the_later_wins() {
        let (f, d) = doc("{\"a\": 1, \"b\": 2, \"a\": 3}");
        assert_eq!(d.errors.len(), 1);
        let e = &d.errors[0];
        assert_eq!(e.kind, JsonErrorKind::DuplicateKey);
        assert_eq!(e.span.start, 17);
        assert_eq!(e.related.as_ref().unwrap().0.start, 1);
        let root = d.root.unwrap();
        assert_eq!(to_value(&root), serde_json::json!({"b": 2, "a": 3}));
        let _ = f;
    }

    #[test]
    fn refuses_what_strict_json_refuses() {
        let bad = [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "{'a':1}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "NaN",
            "Infinity",
            "tru",
            "\"\\x41\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"a\nb\"",
            "\"abc",
            "[1 2]",
            "{\"a\" 1}",
            "1 2",
            "\u{feff}{}",
            "[1e400]",
            "/*c*/1",
        ];
        for t in bad {
            let (f, d) = doc(t);
            assert!(d.root.is_none(), "{t:?} accepted");
            assert!(
                serde_json::from_str::<serde_json::Value>(t).is_err(),
                "serde_json accepts {t:?}"
            );
            for e in &d.errors {
                assert!(e.span.end as usize <= f.text.len());
            }
        }
        let good = [
            "0",
            "-0",
            "1e5",
            "1E+5",
            "-1.5e-3",
            "\"\\ud83d\\ude00\"",
            "[]",
            "{}",
            " [ {} , [ ] ] ",
        ];
        for t in good {
            let (_, d) = doc(t);
            assert!(
                d.root.is_some() && d.errors.is_empty(),
                "{t:?}: {:?}",
                d.errors
            );
        }
    }

    #[test]
    fn limits_are_located_findings() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let (f, d) = doc(&deep);
        assert!(d.root.is_none());
        assert_eq!(d.errors[0].kind, JsonErrorKind::Depth);
        assert_eq!(d.errors[0].span.start, 64);
        let _ = f;
        let deep = "[".repeat(1_000_000);
        let (_, d) = doc(&deep);
        assert_eq!(d.errors[0].kind, JsonErrorKind::Depth);
        let map = SourceMap::new();
        let f = map.add("big.json", format!("\"{}\"", "x".repeat(2000)));
        let d = parse_file(
            &f,
            Limits {
                depth: 8,
                size: 1000,
            },
        );
        assert_eq!(d.errors[0].kind, JsonErrorKind::Size);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_serde_json(s in "[\\[\\]{}\",:0-9a-z\\\\. \\-]{0,40}") {
            let (f, d) = doc(&s);
            let theirs = serde_json::from_str::<serde_json::Value>(&s);
            match (&d.root, theirs) {
                (Some(n), Ok(v)) => proptest::prop_assert_eq!(to_value(n), v),
                (None, Err(_)) => {}
                (ours, theirs) => proptest::prop_assert!(false, "{:?}: ours {:?}, serde_json {:?}", s, ours.is_some(), theirs.is_ok()),
            }
            for e in &d.errors {
                proptest::prop_assert!(e.span.end as usize <= f.text.len());
            }
        }
    }
}
