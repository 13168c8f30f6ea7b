//! Splitting config text into lines and arguments exactly as Redis 7.0 does.
//!
//! Redis reads a config file by splitting it on `\n`, trimming each line of `" \t\r\n"`, skipping
//! lines that are then empty or start with `#`, and splitting the rest with `sdssplitargs`:
//! whitespace separates arguments; `"…"` takes C escapes (`\n \r \t \b \a \\ \" \xHH`, any other
//! `\c` is `c`); `'…'` takes only `\'`; a closing quote must be followed by whitespace or the end
//! of the line; an opening quote may appear inside a bare word (`a"b c"` is the one argument
//! `ab c`); a NUL byte ends the line. There are no inline comments: a `#` later on a line is an
//! ordinary argument. This module reproduces that byte for byte and keeps the byte range of every
//! argument. It is a pure function of its input (a fuzz target can call [`tokenize`] directly).

/// One line of config text. Offsets are byte offsets into the tokenized text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The line's content after Redis' trimming (`start..end`).
    pub start: usize,
    pub end: usize,
    pub kind: LineKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Empty after trimming, or only whitespace that `sdssplitargs` skips (`\v`, `\f`).
    Blank,
    /// The first non-blank character is `#`.
    Comment,
    /// At least one argument; the first is the directive name (not yet lower-cased).
    Args(Vec<Token>),
    /// `sdssplitargs` failed: Redis refuses with "Unbalanced quotes in configuration line".
    Unbalanced(QuoteError),
}

/// One argument as Redis sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The argument after quote removal and escape processing (bytes that are not UTF-8, which a
    /// `\xHH` escape can produce, are replaced by U+FFFD).
    pub text: String,
    /// Byte range of the argument as written, quotes included.
    pub start: usize,
    pub end: usize,
    /// True when any part of the argument was quoted.
    pub quoted: bool,
}

/// Why a line's quotes do not balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteError {
    /// Offset of the opening quote of the failing argument.
    pub quote: usize,
    /// Offset where the error shows (end of line, or the character after the closing quote).
    pub at: usize,
    pub kind: QuoteErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteErrorKind {
    /// The line ends inside quotes.
    Unterminated,
    /// A closing quote is followed by something other than whitespace.
    TextAfterClosingQuote,
}

impl QuoteError {
    pub fn describe(&self) -> &'static str {
        match self.kind {
            QuoteErrorKind::Unterminated => "the quote opened here is never closed",
            QuoteErrorKind::TextAfterClosingQuote => {
                "a closing quote must be followed by a space or the end of the line"
            }
        }
    }
}

/// C `isspace` in the C locale.
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The characters `sdstrim(line, " \t\r\n")` removes.
fn is_trim(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Splits the whole text into lines the way `loadServerConfigFromString` does.
pub fn tokenize(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split('\n').enumerate() {
        lines.push(line(text, offset, offset + raw.len(), i + 1));
        offset += raw.len() + 1;
    }
    lines
}

fn line(text: &str, from: usize, to: usize, number: usize) -> Line {
    let bytes = text.as_bytes();
    let mut start = from;
    let mut end = to;
    while start < end && is_trim(bytes[start]) {
        start += 1;
    }
    while end > start && is_trim(bytes[end - 1]) {
        end -= 1;
    }
    let kind = match bytes.get(start) {
        _ if start == end => LineKind::Blank,
        Some(b'#') => LineKind::Comment,
        _ => match split_args(text, start, end) {
            Ok(tokens) if tokens.is_empty() => LineKind::Blank,
            Ok(tokens) => LineKind::Args(tokens),
            Err(e) => LineKind::Unbalanced(e),
        },
    };
    Line {
        number,
        start,
        end,
        kind,
    }
}

/// `sdssplitargs` over `text[start..end]`; offsets in the result are offsets into `text`.
pub fn split_args(text: &str, start: usize, end: usize) -> Result<Vec<Token>, QuoteError> {
    let bytes = text.as_bytes().get(start..end).unwrap_or(&[]);
    // A NUL byte ends the C string.
    let bytes = match bytes.iter().position(|&b| b == 0) {
        Some(n) => &bytes[..n],
        None => bytes,
    };
    let mut tokens = Vec::new();
    let mut p = 0;
    loop {
        while p < bytes.len() && is_c_space(bytes[p]) {
            p += 1;
        }
        if p >= bytes.len() {
            return Ok(tokens);
        }
        let (token, next) = one_arg(bytes, p).map_err(|mut e| {
            e.quote += start;
            e.at += start;
            e
        })?;
        tokens.push(Token {
            text: String::from_utf8(token.0)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            start: start + p,
            end: start + next,
            quoted: token.1,
        });
        p = next;
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Reads one argument starting at `p` (not a space). Returns (bytes, quoted) and the offset just
/// past the argument.
fn one_arg(bytes: &[u8], mut p: usize) -> Result<((Vec<u8>, bool), usize), QuoteError> {
    #[derive(PartialEq)]
    enum Mode {
        Bare,
        Double,
        Single,
    }
    let at = |i: usize| bytes.get(i).copied();
    let mut out = Vec::new();
    let mut mode = Mode::Bare;
    let mut quoted = false;
    let mut quote_at = p;
    loop {
        let c = at(p);
        match mode {
            Mode::Double => match c {
                None => return Err(unterminated(quote_at, p)),
                Some(b'\\') if at(p + 1) == Some(b'x') => {
                    match (at(p + 2).and_then(hex), at(p + 3).and_then(hex)) {
                        (Some(h), Some(l)) => {
                            out.push(h * 16 + l);
                            p += 3;
                        }
                        _ => {
                            out.push(b'x');
                            p += 1;
                        }
                    }
                }
                Some(b'\\') if at(p + 1).is_some() => {
                    p += 1;
                    out.push(match bytes[p] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                }
                Some(b'"') => return closing(bytes, quote_at, p).map(|n| ((out, quoted), n)),
                Some(b) => out.push(b),
            },
            Mode::Single => match c {
                None => return Err(unterminated(quote_at, p)),
                Some(b'\\') if at(p + 1) == Some(b'\'') => {
                    p += 1;
                    out.push(b'\'');
                }
                Some(b'\'') => return closing(bytes, quote_at, p).map(|n| ((out, quoted), n)),
                Some(b) => out.push(b),
            },
            Mode::Bare => match c {
                None | Some(b' ' | b'\n' | b'\r' | b'\t') => return Ok(((out, quoted), p)),
                Some(b'"') => {
                    mode = Mode::Double;
                    quoted = true;
                    quote_at = p;
                }
                Some(b'\'') => {
                    mode = Mode::Single;
                    quoted = true;
                    quote_at = p;
                }
                Some(b) => out.push(b),
            },
        }
        p += 1;
    }
}

fn unterminated(quote: usize, at: usize) -> QuoteError {
    QuoteError {
        quote,
        at,
        kind: QuoteErrorKind::Unterminated,
    }
}

/// A closing quote at `p`: it must be followed by whitespace or the end.
fn closing(bytes: &[u8], quote: usize, p: usize) -> Result<usize, QuoteError> {
    match bytes.get(p + 1) {
        Some(&b) if !is_c_space(b) => Err(QuoteError {
            quote,
            at: p + 1,
            kind: QuoteErrorKind::TextAfterClosingQuote,
        }),
        _ => Ok(p + 1),
    }
}

/// Writes `arg` so that [`split_args`] reads it back unchanged (what `sdscatrepr` does).
pub fn quote(arg: &str) -> String {
    let mut s = String::with_capacity(arg.len() + 2);
    s.push('"');
    for c in arg.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{7}' => s.push_str("\\a"),
            '\u{8}' => s.push_str("\\b"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                s.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn args(line: &str) -> Result<Vec<String>, QuoteErrorKind> {
        split_args(line, 0, line.len())
            .map(|t| t.into_iter().map(|t| t.text).collect())
            .map_err(|e| e.kind)
    }

    fn v(items: &[&str]) -> Result<Vec<String>, QuoteErrorKind> {
        Ok(items.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn splits_on_whitespace_and_keeps_spans() {
        let t = split_args("maxmemory  100mb\t x", 0, 19).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!((t[0].start, t[0].end), (0, 9));
        assert_eq!((t[1].start, t[1].end), (11, 16));
        assert_eq!((t[2].start, t[2].end), (18, 19));
    }

    #[test]
    fn double_quotes_take_c_escapes() {
        assert_eq!(args(r#"a "\x41\n\t\\\"\q""#), v(&["a", "A\n\t\\\"q"]));
        // `\x` without two hex digits is a plain `x`.
        assert_eq!(args(r#""\xZ1""#), v(&["xZ1"]));
        assert_eq!(args(r##""#\"" b"##), v(&["#\"", "b"]));
    }

    #[test]
    fn single_quotes_take_only_escaped_quote() {
        assert_eq!(args(r"'a\'b\n'"), v(&["a'b\\n"]));
    }

    #[test]
    fn quotes_inside_bare_words() {
        assert_eq!(args(r#"a"b c""#), v(&["ab c"]));
        assert_eq!(
            args(r#"requirepass a"b"#),
            Err(QuoteErrorKind::Unterminated)
        );
        assert_eq!(
            args(r#"requirepass "a"b"#),
            Err(QuoteErrorKind::TextAfterClosingQuote)
        );
        assert_eq!(args(r#""abc"#), Err(QuoteErrorKind::Unterminated));
        assert_eq!(args("'a'b"), Err(QuoteErrorKind::TextAfterClosingQuote));
    }

    #[test]
    fn empty_quoted_arguments_are_arguments() {
        assert_eq!(args(r#"save """#), v(&["save", ""]));
        assert_eq!(args("save ''"), v(&["save", ""]));
    }

    #[test]
    fn vertical_tab_separates_only_after_quotes() {
        // A bare word ends only at space, tab, CR, LF; `\v` is part of it.
        assert_eq!(args("a\u{b}b"), v(&["a\u{b}b"]));
        assert_eq!(args("\"a\"\u{b}b"), v(&["a", "b"]));
    }

    #[test]
    fn nul_ends_the_line() {
        assert_eq!(args("a\0b c"), v(&["a"]));
    }

    #[test]
    fn lines_trim_comments_and_blanks() {
        let lines = tokenize("# c\n\n  port 1 \r\n\t# x\nbind a # b\n\u{b}");
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0].kind, LineKind::Comment);
        assert_eq!(lines[1].kind, LineKind::Blank);
        match &lines[2].kind {
            LineKind::Args(t) => {
                assert_eq!(t[0].text, "port");
                assert_eq!(t[0].start, 7);
            }
            k => panic!("{k:?}"),
        }
        assert_eq!(lines[3].kind, LineKind::Comment);
        match &lines[4].kind {
            LineKind::Args(t) => assert_eq!(t.len(), 4, "no inline comments"),
            k => panic!("{k:?}"),
        }
        assert_eq!(lines[5].kind, LineKind::Blank);
        assert_eq!(lines[4].number, 5);
    }

    #[test]
    fn error_points_at_the_opening_quote() {
        let e = split_args(r#"x "ab"#, 0, 5).unwrap_err();
        assert_eq!(e.quote, 2);
        assert_eq!(e.at, 5);
    }

    proptest! {
        #[test]
        fn never_panics_and_spans_are_in_bounds(s in "\\PC*|[ \"'\\\\x0-9a-f\t\r\n#]*") {
            for line in tokenize(&s) {
                prop_assert!(line.start <= line.end && line.end <= s.len());
                if let LineKind::Args(tokens) = line.kind {
                    for t in tokens {
                        prop_assert!(line.start <= t.start && t.start < t.end && t.end <= line.end);
                        prop_assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
                    }
                }
            }
        }

        #[test]
        fn quoted_arguments_round_trip(items in proptest::collection::vec("\\PC*|[ \"'\\\\\n\t#x0-9]*", 1..6)) {
            let line: Vec<String> = items.iter().map(|a| quote(a)).collect();
            let line = line.join(" ");
            prop_assert_eq!(args(&line), Ok(items.clone()));
        }

        #[test]
        fn re_tokenizing_a_token_gives_the_same_argument(s in "[a-z \"'\\\\]{0,30}") {
            if let Ok(tokens) = split_args(&s, 0, s.len()) {
                for t in tokens {
                    let again = split_args(&s, t.start, t.end).unwrap();
                    prop_assert_eq!(again.len(), 1);
                    prop_assert_eq!(&again[0].text, &t.text);
                }
            }
        }
    }
}
