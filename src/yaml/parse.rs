//! Events → [`Node`] trees, one document at a time, without recursion.
//!
//! Bounded on hostile input: nesting depth, document count and alias expansion have budgets
//! (see [`Limits`]); exceeding one is a `yaml/limits` finding and parsing of the file stops.
//! Aliases are expanded (Kubernetes expands them) within the budget; merge keys (`<<`) are
//! applied as go-yaml does. Duplicate keys are `yaml/duplicate-key` findings; the later value
//! is kept (or the earlier one, with [`Duplicates::KeepFirst`]).

use super::{Entry, Map, Node, Scalar, Style, Value};
use crate::diag::Finding;
use crate::hash::HashMap;
use crate::rules::id;
use crate::source::{SourceFile, Span};
use saphyr_parser::{Event, Parser, ScalarStyle};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_documents: usize,
    /// Nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
    pub max_file_size: usize,
    /// Values (scalars, sequences, mappings; a mapping key is counted with its entry) in one
    /// file: 16 MiB of `[1,1,1,…]` is 8 million of them, about a gigabyte as trees.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 128,
            max_documents: 10_000,
            max_alias_nodes: 100_000,
            max_file_size: crate::source::MAX_FILE_SIZE as usize,
            max_values: 1 << 20,
        }
    }
}

#[derive(Debug, Default)]
pub struct ParsedStream {
    /// Completed documents, in file order (an empty document is a null scalar).
    pub docs: Vec<Node>,
    pub findings: Vec<Finding>,
    /// False when the file could not be read to its end (syntax error or limit).
    pub complete: bool,
}

/// Character index → byte offset, in O(64) per lookup after an O(n/64) index.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    checkpoints: Vec<u32>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Offsets<'a> {
        let ascii = text.is_ascii();
        let mut checkpoints = Vec::new();
        if !ascii {
            for (n, (b, _)) in text.char_indices().enumerate() {
                if n % 64 == 0 {
                    checkpoints.push(b as u32);
                }
            }
        }
        Offsets {
            text,
            ascii,
            checkpoints,
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let Some(&cp) = self.checkpoints.get(char_index / 64) else {
            return self.text.len();
        };
        let rest = char_index % 64;
        let tail = &self.text[cp as usize..];
        match tail.char_indices().nth(rest) {
            Some((b, _)) => cp as usize + b,
            None => self.text.len(),
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        map: Map,
        pending_key: Option<Node>,
        start: usize,
        anchor: usize,
        merges: Vec<Node>,
        index: KeyIndex,
    },
}

/// Duplicate keys of one file reported one by one; the rest are counted in one finding (a
/// generated file with 100,000 repeated keys would otherwise be a report of 100,000 findings).
pub const MAX_DUPLICATE_FINDINGS: usize = 100;

/// Mappings with fewer entries are searched linearly; from this size on, through an index.
const INDEX_FROM: usize = 8;

/// Key text → entry position of a mapping being read, so that duplicate detection and merge
/// keys stay linear in the number of keys (a linear search per key is quadratic: a
/// 1,000,000-key mapping would take hours). Built only for mappings of [`INDEX_FROM`] keys or
/// more; it stores positions only (4 bytes an entry), the keys stay in the map.
#[derive(Default)]
struct KeyIndex {
    /// (entry position, 32-bit key hash): a rehash uses the stored hash and never touches
    /// the keys again.
    table: hashbrown::HashTable<(u32, u32)>,
    state: crate::hash::RandomState,
    /// Entries of the map indexed so far.
    indexed: usize,
    /// The hash of the last key [`KeyIndex::position`] did not find, with the position that
    /// key takes when it is appended next (both callers append it at once): each key is hashed
    /// once.
    missed: Option<(usize, u32)>,
}

impl KeyIndex {
    fn key(map: &Map, i: u32) -> &str {
        map.entries[i as usize].key.as_str().unwrap_or("")
    }

    fn hash32(&self, key: &str) -> u32 {
        use std::hash::BuildHasher;
        let h = self.state.hash_one(key);
        (h ^ (h >> 32)) as u32
    }

    /// The table's 64-bit hash of a stored 32-bit one (hashbrown uses both ends of it).
    fn wide(h: u32) -> u64 {
        (u64::from(h) << 32) | u64::from(h)
    }

    /// Brings the index up to date with `map` (entries are only ever appended while reading).
    fn sync(&mut self, map: &Map) {
        if map.entries.len() < INDEX_FROM {
            return;
        }
        while self.indexed < map.entries.len() {
            let i = self.indexed as u32;
            let h = match self.missed.take() {
                Some((at, h)) if at == self.indexed => {
                    debug_assert_eq!(h, self.hash32(Self::key(map, i)));
                    h
                }
                _ => self.hash32(Self::key(map, i)),
            };
            self.table
                .insert_unique(Self::wide(h), (i, h), |&(_, h)| Self::wide(h));
            self.indexed += 1;
        }
    }

    /// The position of `key` in `map`.
    fn position(&mut self, map: &Map, key: &str) -> Option<usize> {
        if map.entries.len() < INDEX_FROM {
            return map.position(key);
        }
        self.sync(map);
        let h = self.hash32(key);
        let found = self
            .table
            .find(Self::wide(h), |&(i, hi)| {
                hi == h && Self::key(map, i) == key
            })
            .map(|&(i, _)| i as usize);
        self.missed = found.is_none().then_some((map.entries.len(), h));
        found
    }
}

/// Which value of a duplicated mapping key survives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Duplicates {
    /// The later value (go-yaml v2 / `sigs.k8s.io/yaml`, what kustomize reads kustomizations with).
    #[default]
    KeepLast,
    /// The earlier value (kyaml's field lookup, what kustomize merges patches with).
    KeepFirst,
}

struct Builder<'a> {
    file: &'a SourceFile,
    limits: Limits,
    duplicates: Duplicates,
    offsets: Offsets<'a>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    values: usize,
    /// Duplicate keys found, and where the first one not reported on its own is.
    duplicates_seen: usize,
    first_unreported: Option<Span>,
    findings: Vec<Finding>,
}

fn count_nodes(n: &Node) -> usize {
    let mut c = 0;
    n.walk(|_| c += 1);
    c
}

impl<'a> Builder<'a> {
    fn span(&self, start_char: usize, end_char: usize) -> Span {
        self.file
            .span(self.offsets.byte(start_char), self.offsets.byte(end_char))
    }

    fn limit(&mut self, span: Span, msg: String) {
        self.findings.push(Finding::new(id::YAML_LIMITS, span, msg));
    }

    /// Inserts a completed key/value into a map frame, reporting duplicates.
    fn insert(
        &mut self,
        map: &mut Map,
        merges: &mut Vec<Node>,
        index: &mut KeyIndex,
        key: Node,
        value: Node,
    ) {
        // Kubernetes objects are JSON: a key that is a mapping or a sequence cannot be decoded
        // (and its text form would grow exponentially with nesting). The entry is dropped.
        if key.as_scalar().is_none() {
            self.findings.push(
                Finding::new(id::YAML_SYNTAX, key.span, "a mapping key that is itself a mapping or a sequence: Kubernetes reads keys as strings")
                    .help("use a plain string key"),
            );
            return;
        }
        if key.as_str() == Some("<<") && key.as_scalar().is_some_and(|s| s.style == Style::Plain) {
            merges.push(value);
            return;
        }
        if let Some(k) = key.as_str() {
            if let Some(i) = index.position(map, k) {
                let first = map.entries[i].key.span;
                self.duplicates_seen += 1;
                if self.duplicates_seen > MAX_DUPLICATE_FINDINGS {
                    if self.duplicates_seen == MAX_DUPLICATE_FINDINGS + 1 {
                        self.first_unreported = Some(key.span);
                    }
                    if self.duplicates == Duplicates::KeepLast {
                        map.entries_mut()[i] = Entry { key, value };
                    }
                    return;
                }
                self.findings.push(
                    Finding::new(
                        id::YAML_DUPLICATE_KEY,
                        key.span,
                        format!("duplicate key `{k}` in this mapping"),
                    )
                    .label("defined again here")
                    .related(first, "first defined here")
                    .help(
                        "remove one of the two entries; Kubernetes silently keeps only one of them",
                    ),
                );
                if self.duplicates == Duplicates::KeepLast {
                    map.entries_mut()[i] = Entry { key, value };
                }
                return;
            }
        }
        map.entries_mut().push(Entry { key, value });
    }
}

/// True when the input ends, after `end` (where a block scalar ends), with nothing but spaces,
/// and its last non-blank character is not followed by a line break.
fn unterminated_at_eof(text: &str, end: usize) -> bool {
    let Some(rest) = text.get(end.min(text.len())..) else {
        return false;
    };
    rest.trim().is_empty() && !text.trim_end_matches([' ', '\t']).ends_with(['\n', '\r'])
}

fn style_of(s: ScalarStyle) -> Style {
    match s {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

/// Applies go-yaml merge keys: entries of the merged maps that the map does not define.
fn apply_merges(map: &mut Map, merges: Vec<Node>, index: &mut KeyIndex) {
    for m in merges {
        let sources: Vec<Node> = match m.value {
            Value::Seq(items) => std::sync::Arc::unwrap_or_clone(items),
            _ => vec![m],
        };
        for src in sources {
            if let Value::Map(sm) = src.value {
                for e in std::sync::Arc::unwrap_or_clone(sm.entries) {
                    let present = e
                        .key
                        .as_str()
                        .is_some_and(|k| index.position(map, k).is_some());
                    if !present {
                        map.entries_mut().push(e);
                    }
                }
            }
        }
    }
}

/// Parses every document of a file. Never panics; problems are findings.
pub fn parse_stream(file: &SourceFile, limits: Limits) -> ParsedStream {
    parse_stream_with(file, limits, Duplicates::KeepLast)
}

/// saphyr reports a quote left open as "invalid indentation" or "unexpected end of stream"
/// at the opening quote; this says what is usually wrong.
const UNCLOSED_QUOTE_HELP: &str = "this quote is probably never closed: close it on the same line (a quoted value that continues on the next lines must indent them deeper than its key)";

/// [`parse_stream`], choosing which value of a duplicated key is kept (it is reported either way).
pub fn parse_stream_with(
    file: &SourceFile,
    limits: Limits,
    duplicates: Duplicates,
) -> ParsedStream {
    let text: &str = &file.text;
    let mut out = ParsedStream::default();
    if text.len() > limits.max_file_size {
        out.findings.push(Finding::new(
            id::YAML_LIMITS,
            file.span(0, 0),
            format!(
                "file is {} bytes, above the file size limit of {} bytes",
                text.len(),
                limits.max_file_size
            ),
        ));
        return out;
    }
    let mut b = Builder {
        file,
        limits,
        duplicates,
        offsets: Offsets::new(text),
        anchors: HashMap::default(),
        alias_nodes: 0,
        values: 0,
        duplicates_seen: 0,
        first_unreported: None,
        findings: Vec::new(),
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut doc_root: Option<Node> = None;
    let mut complete = false;
    let parser = Parser::new_from_str(text);

    'events: for ev in parser {
        let (event, span) = match ev {
            Ok(x) => x,
            Err(e) if e.info() == "recursion limit exceeded" => {
                // The reader's own bound on flow collections (`[[[…`), reached while it reads
                // ahead: this is the nesting limit, not a syntax error.
                let at = b.offsets.byte(e.marker().index());
                let end = (at + 1).min(text.len());
                let sp = file.span(at, end.max(at));
                b.limit(
                    sp,
                    format!(
                        "flow collections nest {} levels deep here; the nesting depth limit is {} levels",
                        u8::MAX as usize + 1,
                        b.limits.max_depth
                    ),
                );
                break;
            }
            Err(e) => {
                let at = b.offsets.byte(e.marker().index());
                let end = (at + 1).min(text.len());
                let mut f = Finding::new(
                    id::YAML_SYNTAX,
                    file.span(at, end.max(at)),
                    format!("invalid YAML: {}", e.info()),
                );
                let unclosed = e.info().starts_with("while scanning a quoted scalar")
                    || e.info() == "invalid indentation in quoted scalar";
                if unclosed {
                    f = f.help(UNCLOSED_QUOTE_HELP);
                }
                b.findings.push(f);
                break;
            }
        };
        let (s, e) = (span.start.index(), span.end.index());
        // A completed node to attach to the parent frame (or to become the document root).
        let done: Node = match event {
            Event::StreamStart | Event::Nothing => continue,
            Event::StreamEnd => {
                complete = true;
                break;
            }
            Event::DocumentStart(_) => {
                if out.docs.len() >= b.limits.max_documents {
                    let sp = b.span(s, e);
                    b.limit(
                        sp,
                        format!(
                            "more than {} documents in one file (document count limit)",
                            b.limits.max_documents
                        ),
                    );
                    break;
                }
                b.anchors.clear();
                continue;
            }
            Event::DocumentEnd => {
                let root = doc_root.take().unwrap_or_else(|| Node::null(b.span(s, s)));
                out.docs.push(root);
                continue;
            }
            Event::Alias(id) => {
                let Some(target) = b.anchors.get(&id) else {
                    let sp = b.span(s, e);
                    b.findings.push(Finding::new(
                        id::YAML_SYNTAX,
                        sp,
                        "alias refers to an unknown anchor",
                    ));
                    break;
                };
                let n = count_nodes(target);
                b.alias_nodes += n;
                if b.alias_nodes > b.limits.max_alias_nodes {
                    let sp = b.span(s, e);
                    b.limit(
                        sp,
                        format!(
                            "alias expansion exceeds the budget of {} nodes (alias expansion limit)",
                            b.limits.max_alias_nodes
                        ),
                    );
                    break;
                }
                target.clone()
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| {
                    if t.handle == "tag:yaml.org,2002:" {
                        format!("!!{}", t.suffix).into_boxed_str()
                    } else {
                        format!("{}{}", t.handle, t.suffix).into_boxed_str()
                    }
                });
                // saphyr grows a plain scalar's buffer well ahead of its text: the text is
                // copied into an exact allocation and saphyr's buffer freed at once (and
                // reused for the next scalar), or every short key would pin about 128 bytes.
                let span = b.span(s, e);
                let mut text = value.as_ref().to_owned();
                drop(value);
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && unterminated_at_eof(&b.file.text, span.end as usize)
                {
                    // A block scalar's last line without a line break (the end of the input)
                    // keeps no final newline under any chomping; the parser adds one.
                    if text.ends_with('\n') {
                        text.pop();
                    }
                }
                let node = Node::scalar(
                    Scalar {
                        text,
                        style: style_of(style),
                        tag,
                    },
                    span,
                );
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= b.limits.max_depth {
                    let sp = b.span(s, e.max(s + 1));
                    b.limit(
                        sp,
                        format!(
                            "nesting depth {} exceeds the limit of {} levels (nesting depth limit)",
                            stack.len() + 1,
                            b.limits.max_depth
                        ),
                    );
                    break 'events;
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        start: s,
                        anchor,
                    }
                } else {
                    Frame::Map {
                        map: Map::default(),
                        pending_key: None,
                        start: s,
                        anchor,
                        merges: Vec::new(),
                        index: KeyIndex::default(),
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match stack.pop() {
                    Some(Frame::Seq {
                        items,
                        start,
                        anchor,
                    }) => {
                        let n = Node::seq(items, b.span(start, e));
                        (n, anchor)
                    }
                    Some(Frame::Map {
                        mut map,
                        start,
                        anchor,
                        merges,
                        mut index,
                        ..
                    }) => {
                        apply_merges(&mut map, merges, &mut index);
                        (Node::new(Value::Map(map), b.span(start, e)), anchor)
                    }
                    None => continue,
                };
                if node.1 > 0 {
                    b.anchors.insert(node.1, node.0.clone());
                }
                node.0
            }
        };
        let is_key = matches!(
            stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        );
        if !is_key {
            b.values += 1;
            if b.values > b.limits.max_values {
                let sp = done.span;
                b.limit(
                    sp,
                    format!(
                        "more than {} values in one file (value count limit); reading stops here",
                        b.limits.max_values
                    ),
                );
                break 'events;
            }
        }
        match stack.last_mut() {
            None => doc_root = Some(done),
            Some(Frame::Seq { items, .. }) => items.push(done),
            Some(Frame::Map {
                map,
                pending_key,
                merges,
                index,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(done),
                Some(key) => b.insert(map, merges, index, key, done),
            },
        }
    }
    if let Some(at) = b.first_unreported {
        let more = b.duplicates_seen - MAX_DUPLICATE_FINDINGS;
        b.findings.push(
            Finding::new(
                id::YAML_DUPLICATE_KEY,
                at,
                format!(
                    "{more} more duplicate keys in this file from here on ({} in all; only the first {MAX_DUPLICATE_FINDINGS} are reported one by one)",
                    b.duplicates_seen
                ),
            )
            .help("remove the repeated entries; Kubernetes silently keeps only one of each"),
        );
    }
    out.findings = b.findings;
    out.complete = complete
        && out
            .findings
            .iter()
            .all(|f| f.rule != id::YAML_SYNTAX && f.rule != id::YAML_LIMITS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn parse(text: &str) -> (std::sync::Arc<SourceFile>, ParsedStream) {
        let map = SourceMap::new();
        let f = map.add("t.yaml", text);
        let p = parse_stream(&f, Limits::default());
        (f, p)
    }

    #[test]
    fn block_scalar_at_end_of_input_without_line_break_has_no_final_newline() {
        // YAML 1.2 §8.1.1.2: clip and keep keep the final line break only if there is one.
        for (text, want) in [
            ("a: |\n  x\n  y", "x\ny"),
            ("a: |+\n  x", "x"),
            ("a: >\n  x\n  y", "x y"),
            ("a: |\n  x\n", "x\n"),
            ("a: |-\n  x\n", "x"),
            ("a: |\n  x\n# end", "x\n"),
        ] {
            let (_, p) = parse(text);
            assert_eq!(p.docs[0].str_at(&["a"]), Some(want), "{text:?}");
        }
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let (f, p) = parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: é-cfg\n  labels: {a: 'x'}\n",
        );
        assert!(p.complete, "{:?}", p.findings);
        let doc = &p.docs[0];
        let name = doc.path(&["metadata", "name"]).unwrap();
        assert_eq!(f.slice(name.span), "é-cfg");
        assert_eq!(f.line_col(name.span.start as usize).line, 4);
        let a = doc.path(&["metadata", "labels", "a"]).unwrap();
        assert_eq!(a.as_str(), Some("x"));
        assert_eq!(a.as_scalar().unwrap().style, Style::SingleQuoted);
        let key = &doc.as_map().unwrap().entries[1].key;
        assert_eq!(f.slice(key.span), "kind");
    }

    #[test]
    fn multi_document_and_empty_documents() {
        let (_, p) = parse("a: 1\n---\n---\nb: 2\n");
        assert_eq!(p.docs.len(), 3);
        assert!(p.docs[1].is_null());
        assert_eq!(p.docs[2].get("b").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_later_one() {
        let (f, p) = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(p.findings.len(), 1);
        let d = &p.findings[0];
        assert_eq!(d.rule.as_str(), "yaml/duplicate-key");
        assert_eq!(f.line_col(d.primary.start as usize).line, 3);
        assert_eq!(f.line_col(d.related[0].span.start as usize).line, 1);
        assert_eq!(p.docs[0].get("a").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn syntax_error_is_located() {
        let (f, p) = parse("a: [1, 2\nb: 3\n");
        assert!(!p.complete);
        assert_eq!(p.findings[0].rule.as_str(), "yaml/syntax");
        assert!(f.line_col(p.findings[0].primary.start as usize).line >= 1);
    }

    /// saphyr blames indentation or the end of the stream; the finding sits on the opening
    /// quote and the help names the likely cause.
    #[test]
    fn an_unclosed_quote_is_located_at_the_quote_with_help() {
        for text in ["a:\n  b: \"x\n  c: 1\n", "a: 'x\n"] {
            let (f, p) = parse(text);
            let d = &p.findings[0];
            assert_eq!(d.rule.as_str(), "yaml/syntax");
            assert!(matches!(f.slice(d.primary), "\"" | "'"), "{text:?}: {d:?}");
            assert_eq!(d.help.as_deref(), Some(UNCLOSED_QUOTE_HELP));
        }
        let (_, p) = parse("a: \"\\q\"\n");
        assert_eq!(
            p.findings[0].help, None,
            "an unknown escape is not an unclosed quote"
        );
    }

    #[test]
    fn deep_nesting_is_a_limit_not_a_crash() {
        // Unclosed, beyond the reader's own flow bound, and closed within it: each is the
        // depth limit, named with the depth, never a syntax error.
        for text in [
            "[".repeat(100_000),
            format!("a: {}{}", "[".repeat(300), "]".repeat(300)),
            format!("a: {}{}", "[".repeat(200), "]".repeat(200)),
        ] {
            let (_, p) = parse(&text);
            assert_eq!(p.findings.len(), 1, "{:?}", p.findings);
            let f = &p.findings[0];
            assert_eq!(f.rule, id::YAML_LIMITS, "{}", f.message);
            assert!(f.message.contains("128 levels"), "{}", f.message);
        }
        let block: String = (0..5000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        let (_, p) = parse(&block);
        assert!(
            p.findings.iter().any(|f| f.rule == id::YAML_LIMITS),
            "{:?}",
            p.findings
        );
    }

    #[test]
    fn alias_bomb_hits_the_budget() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            s += &format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(", ")
            );
        }
        let (_, p) = parse(&s);
        assert!(p
            .findings
            .iter()
            .any(|f| f.rule == id::YAML_LIMITS && f.message.contains("alias")));
    }

    #[test]
    fn aliases_and_merge_keys_expand() {
        let (_, p) = parse("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nref: *b\n");
        assert!(p.complete);
        let d = &p.docs[0];
        assert_eq!(d.path(&["other", "x"]).unwrap().as_i64(), Some(1));
        assert_eq!(d.path(&["other", "y"]).unwrap().as_i64(), Some(3));
        assert_eq!(d.path(&["ref", "y"]).unwrap().as_i64(), Some(2));
    }

    #[test]
    fn complex_keys_are_refused() {
        let (_, p) = parse("? [a, b]\n: 1\nc: 2\n");
        assert_eq!(p.findings.len(), 1);
        assert_eq!(p.findings[0].rule.as_str(), "yaml/syntax");
        assert_eq!(
            p.docs[0].as_map().unwrap().keys().collect::<Vec<_>>(),
            vec!["c"]
        );
    }

    #[test]
    fn block_scalar_keeps_text_and_style() {
        let (f, p) = parse("data:\n  redis.conf: |\n    port 6379\n    maxmemory 1gb\n");
        let v = p.docs[0].path(&["data", "redis.conf"]).unwrap();
        let s = v.as_scalar().unwrap();
        assert_eq!(s.style, Style::Literal);
        assert_eq!(s.text, "port 6379\nmaxmemory 1gb\n");
        // saphyr's span of a block scalar starts at its first content line, after the header.
        assert_eq!(f.line_col(v.span.start as usize).line, 3);
        eprintln!(
            "{:?} {:?}",
            f.line_col(v.span.start as usize),
            f.line_col(v.span.end as usize)
        );
        let (f, p) = parse("a: |2-\n    x\n  y\nb: >\n  folded\n  text\n\nc: 'q\n  r'\n");
        for k in ["a", "b", "c"] {
            let v = p.docs[0].get(k).unwrap();
            eprintln!(
                "{k}: {:?} {:?} {:?} {:?}",
                v.as_str(),
                f.line_col(v.span.start as usize),
                f.line_col(v.span.end as usize),
                f.slice(v.span)
            );
        }
    }
}
