//! Mapping a config's logical text back to bytes of the file it was written in.
//!
//! A redis.conf is linted as a standalone file (offsets map to themselves) or as the value of a
//! YAML scalar in a ConfigMap (offsets map through the scalar's syntax). For a YAML scalar the
//! logical text (what the YAML parser delivers) is aligned with the raw source character by
//! character: a logical character matches the same raw character, or the escape sequence that
//! produces it (double-quoted `\n`, `\x41`, `\u00e9`, single-quoted `''`); raw characters that
//! produce nothing (block indentation, the line breaks and indentation of folding, escaped line
//! breaks, quotes) are skipped. Literal blocks (`|`, `|-`, `|+`, any indentation) therefore map
//! exactly, and quoted or folded scalars map every argument to where it is written. When the
//! alignment cannot continue (it never panics), the remaining text maps to the last matched
//! position, or to the start of the scalar.

use crate::source::{SourceFile, Span};
use crate::yaml::{Node, Style};

/// Logical byte offset → file byte offset.
#[derive(Clone, Debug)]
pub enum OffsetMap {
    /// The config text is the file text.
    Identity,
    /// Everything maps to one offset (a scalar written in another file).
    Fixed(usize),
    /// Contiguous runs `(logical start, file start)`, sorted, the first at 0; offsets at or past
    /// `len` map to `end`. A literal block needs about one run per line.
    Runs {
        runs: Vec<(u32, u32)>,
        len: usize,
        end: usize,
    },
    /// The text from logical offset `.1` of another map's text (a generator literal's value
    /// after its `key=`).
    Shifted(Box<OffsetMap>, usize),
}

impl OffsetMap {
    pub fn map(&self, logical: usize) -> usize {
        match self {
            OffsetMap::Identity => logical,
            OffsetMap::Fixed(at) => *at,
            OffsetMap::Shifted(inner, by) => inner.map(logical + by),
            OffsetMap::Runs { runs, len, end } => {
                if logical >= *len {
                    return *end;
                }
                let k = runs.partition_point(|r| r.0 as usize <= logical);
                match k.checked_sub(1).and_then(|k| runs.get(k)) {
                    Some(&(l, f)) => f as usize + (logical - l as usize),
                    None => *end,
                }
            }
        }
    }

    /// The file span of logical `start..end`, snapped to character boundaries of `file`.
    pub fn span(&self, file: &SourceFile, start: usize, end: usize) -> Span {
        let text = &file.text;
        let mut s = self.map(start).min(text.len());
        while !text.is_char_boundary(s) {
            s -= 1;
        }
        let e = if end > start {
            self.map(end - 1) + 1
        } else {
            s
        };
        let mut e = e.max(s).min(text.len());
        while !text.is_char_boundary(e) {
            e += 1;
        }
        file.span(s, e)
    }

    /// The map for the text of scalar `node` (which must be written in `file`), with that text.
    pub fn for_scalar(file: &SourceFile, node: &Node) -> Option<(String, OffsetMap)> {
        let scalar = node.as_scalar()?;
        let logical = scalar.text.clone();
        if node.span.file != file.id {
            return Some((logical, OffsetMap::Fixed(0)));
        }
        let start = node.span.start as usize;
        let end = (node.span.end as usize).clamp(start, file.text.len());
        let raw = file.text.get(start..end).unwrap_or("");
        // A scalar reads at most as long as it is written (escapes, folding and indentation only
        // shorten it). A longer one was not written here (a patch or replacement built it, and
        // kept a source span): everything maps to the span's start, without aligning.
        if logical.len() > raw.len() {
            return Some((logical, OffsetMap::Fixed(start)));
        }
        // Text written exactly as it reads (a generator value, a file) maps to itself.
        if raw == logical {
            return Some((
                logical,
                OffsetMap::Runs {
                    runs: vec![(0, start as u32)],
                    len: raw.len(),
                    end,
                },
            ));
        }
        let map = align(&logical, raw, start, scalar.style);
        Some((logical, map))
    }
}

/// A decoded piece of raw text: the logical character it yields (if any) and its raw length.
struct Piece {
    yields: Option<char>,
    len: usize,
}

/// The next piece of `raw` at `j` for a scalar of `style`.
fn piece(raw: &str, j: usize, style: Style) -> Option<Piece> {
    let rest = raw.get(j..)?;
    let mut chars = rest.chars();
    let c = chars.next()?;
    let one = Piece {
        yields: Some(c),
        len: c.len_utf8(),
    };
    Some(match (style, c) {
        (Style::DoubleQuoted, '\\') => double_escape(rest),
        (Style::SingleQuoted, '\'') if rest.starts_with("''") => Piece {
            yields: Some('\''),
            len: 2,
        },
        _ => one,
    })
}

/// A YAML double-quoted escape at the start of `rest`.
fn double_escape(rest: &str) -> Piece {
    let mut it = rest.chars().skip(1);
    let Some(e) = it.next() else {
        return Piece {
            yields: Some('\\'),
            len: 1,
        };
    };
    let simple = |c: char| Piece {
        yields: Some(c),
        len: 1 + e.len_utf8(),
    };
    let hex = |n: usize| {
        let digits = rest.get(2..2 + n)?;
        let v = u32::from_str_radix(digits, 16).ok()?;
        Some(Piece {
            yields: char::from_u32(v),
            len: 2 + n,
        })
    };
    match e {
        'n' => simple('\n'),
        't' | '\t' => simple('\t'),
        'r' => simple('\r'),
        '0' => simple('\0'),
        'a' => simple('\u{7}'),
        'b' => simple('\u{8}'),
        'e' => simple('\u{1b}'),
        'f' => simple('\u{c}'),
        'v' => simple('\u{b}'),
        ' ' => simple(' '),
        '/' => simple('/'),
        '"' => simple('"'),
        '\\' => simple('\\'),
        'N' => simple('\u{85}'),
        '_' => simple('\u{a0}'),
        'L' => simple('\u{2028}'),
        'P' => simple('\u{2029}'),
        'x' => hex(2).unwrap_or_else(|| simple('x')),
        'u' => hex(4).unwrap_or_else(|| simple('u')),
        'U' => hex(8).unwrap_or_else(|| simple('U')),
        // An escaped line break yields nothing.
        '\n' | '\r' => Piece {
            yields: None,
            len: 2,
        },
        other => simple(other),
    }
}

/// Raw characters that may produce no logical character (indentation, folding, quotes).
fn skippable(c: char, style: Style) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
        || (style == Style::DoubleQuoted && c == '"')
        || (style == Style::SingleQuoted && c == '\'')
}

/// True for an ASCII byte that stands for itself in the raw text of `style`.
fn literal_byte(b: u8, style: Style) -> bool {
    b.is_ascii()
        && !(style == Style::DoubleQuoted && b == b'\\')
        && !(style == Style::SingleQuoted && b == b'\'')
}

/// Adds a run unless it continues the last one.
fn push_run(runs: &mut Vec<(u32, u32)>, logical: usize, file: usize) {
    if let Some(&(l, f)) = runs.last() {
        if f as usize + (logical - l as usize) == file {
            return;
        }
    }
    runs.push((logical as u32, file as u32));
}

fn align(logical: &str, raw: &str, base: usize, style: Style) -> OffsetMap {
    let (lb, rb) = (logical.as_bytes(), raw.as_bytes());
    let mut runs = Vec::new();
    let mut j = 0;
    // Quoted scalars start with their quote (a generated value that points at part of a
    // quoted literal does not).
    let quote = match style {
        Style::DoubleQuoted => Some('"'),
        Style::SingleQuoted => Some('\''),
        _ => None,
    };
    if quote.is_some_and(|q| raw.starts_with(q)) {
        j = 1;
    }
    let mut last = base + j;
    let mut i = 0;
    let escapes: &[u8] = match style {
        Style::DoubleQuoted => b"\\",
        Style::SingleQuoted => b"'",
        _ => b"",
    };
    while i < lb.len() {
        // Fastest path: the rest of the logical line is written as is (a literal block).
        let eol = lb[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(lb.len(), |p| i + p + 1);
        let line = &lb[i..eol];
        if rb.get(j..j + line.len()) == Some(line) && !line.iter().any(|b| escapes.contains(b)) {
            push_run(&mut runs, i, base + j);
            i = eol;
            j += line.len();
            last = base + j - 1;
            continue;
        }
        // Fast path: the same plain ASCII bytes on both sides.
        let same = lb[i..]
            .iter()
            .zip(rb.get(j..).unwrap_or(&[]))
            .take_while(|(a, b)| a == b && literal_byte(**a, style))
            .count();
        if same > 0 {
            push_run(&mut runs, i, base + j);
            i += same;
            j += same;
            last = base + j - 1;
            continue;
        }
        let Some(c) = logical.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let mut found = None;
        while let Some(p) = piece(raw, j, style) {
            if p.yields == Some(c) {
                found = Some(j);
                j += p.len;
                break;
            }
            let skip =
                p.yields.is_none() || raw[j..].chars().next().is_some_and(|r| skippable(r, style));
            if !skip {
                break;
            }
            j += p.len;
        }
        last = found.map_or(last, |pos| base + pos);
        push_run(&mut runs, i, last);
        i += c.len_utf8();
    }
    OffsetMap::Runs {
        runs,
        len: lb.len(),
        end: (base + j).max(last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};
    use proptest::prelude::*;

    /// The scalar at `data.<key>` of the only document.
    fn scalar_map(yaml: &str, key: &str) -> (std::sync::Arc<SourceFile>, String, OffsetMap) {
        let map = SourceMap::new();
        let f = map.add("cm.yaml", yaml);
        let parsed = parse_stream(&f, Limits::default());
        let doc = &parsed.docs[0];
        let node = doc.path(&["data", key]).expect("key");
        let (text, m) = OffsetMap::for_scalar(&f, node).unwrap();
        (f, text, m)
    }

    /// Every occurrence of `needle` in the logical text maps to the same text in the file.
    fn assert_maps(f: &SourceFile, text: &str, m: &OffsetMap, needle: &str) {
        let at = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {text:?}"));
        let span = m.span(f, at, at + needle.len());
        assert_eq!(f.slice(span), needle, "{needle}");
    }

    #[test]
    fn literal_block_maps_line_by_line() {
        for ind in ["|", "|-", "|+", "|2"] {
            let yaml = format!(
                "data:\n  redis.conf: {ind}\n    port 6379\n\n      maxmemory 1mb\n    save 900 1\nx: 1\n"
            );
            let (f, text, m) = scalar_map(&yaml, "redis.conf");
            for needle in ["port", "6379", "maxmemory", "1mb", "save", "900 1"] {
                assert_maps(&f, &text, &m, needle);
            }
        }
    }

    #[test]
    fn double_quoted_escapes_map_to_their_arguments() {
        let yaml = "data:\n  redis.conf: \"port 6379\\nmaxmemory \\x31mb\\n\\\n    save 900 1\"\n";
        let (f, text, m) = scalar_map(yaml, "redis.conf");
        assert_eq!(text, "port 6379\nmaxmemory 1mb\nsave 900 1");
        assert_maps(&f, &text, &m, "port 6379");
        assert_maps(&f, &text, &m, "save 900 1");
        let at = text.find("1mb").unwrap();
        let span = m.span(&f, at, at + 3);
        assert_eq!(f.slice(span), "\\x31mb");
    }

    #[test]
    fn single_quoted_and_plain_folded_scalars() {
        let yaml = "data:\n  a: 'it''s 1'\n  b: port\n    6379\n";
        let (f, text, m) = scalar_map(yaml, "a");
        assert_eq!(text, "it's 1");
        assert_maps(&f, &text, &m, "s 1");
        let (f, text, m) = scalar_map(yaml, "b");
        assert_eq!(text, "port 6379");
        assert_maps(&f, &text, &m, "6379");
    }

    /// Every character that is not whitespace or an escape maps to itself in the file.
    fn maps_to_itself(f: &SourceFile, text: &str, m: &OffsetMap) -> Result<(), TestCaseError> {
        for (i, c) in text.char_indices() {
            if c.is_whitespace() || c == '\\' || c == '"' || c == '\'' {
                continue;
            }
            let at = m.map(i);
            prop_assert_eq!(
                f.text.get(at..).and_then(|r| r.chars().next()),
                Some(c),
                "at {}",
                i
            );
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn literal_blocks_map_every_character(lines in proptest::collection::vec("[ -~]{0,40}", 1..12), indent in 1usize..6) {
            let pad = " ".repeat(indent);
            let mut yaml = format!("data:\n{pad}k: |\n");
            for l in &lines {
                yaml.push_str(&format!("{pad}{pad}x{l}\n"));
            }
            let map = SourceMap::new();
            let f = map.add("p.yaml", yaml);
            let parsed = parse_stream(&f, Limits::default());
            let node = parsed.docs[0].path(&["data", "k"]).unwrap();
            let (text, m) = OffsetMap::for_scalar(&f, node).unwrap();
            maps_to_itself(&f, &text, &m)?;
        }

        #[test]
        fn double_quoted_scalars_map_every_character(text in "[ -~\n\t]{0,200}") {
            let yaml = format!("data:\n  k: {}\n", serde_json::to_string(&text).unwrap());
            let map = SourceMap::new();
            let f = map.add("p.yaml", yaml);
            let parsed = parse_stream(&f, Limits::default());
            let node = parsed.docs[0].path(&["data", "k"]).unwrap();
            let (logical, m) = OffsetMap::for_scalar(&f, node).unwrap();
            prop_assert_eq!(&logical, &text);
            maps_to_itself(&f, &logical, &m)?;
        }
    }

    #[test]
    fn misalignment_never_panics() {
        let map = SourceMap::new();
        let f = map.add("x.yaml", "k: v\n");
        let node = Node::scalar(crate::yaml::Scalar::plain("zzz é\n"), f.span(3, 4));
        let (text, m) = OffsetMap::for_scalar(&f, &node).unwrap();
        let s = m.span(&f, 0, text.len());
        assert!(s.end as usize <= f.text.len());
    }
}
