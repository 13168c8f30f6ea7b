//! Writes [`Node`] trees as YAML (block style, two-space indentation, kustomize-like).
//!
//! Scalars keep their reading: a plain scalar is written plain only when its text reads back
//! the same; strings that would read as another type, or that need escaping, are quoted;
//! multi-line strings use literal blocks when that round-trips, else double quotes.

use super::{Node, Resolved, Style, Value};
use std::fmt::Write;

pub fn to_yaml_docs(docs: &[&Node]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        emit_root(d, &mut out);
    }
    out
}

pub fn to_yaml(n: &Node) -> String {
    let mut out = String::new();
    emit_root(n, &mut out);
    out
}

fn emit_root(n: &Node, out: &mut String) {
    match &n.value {
        Value::Map(m) if !m.is_empty() => emit_map(n, 0, out),
        Value::Seq(s) if !s.is_empty() => emit_seq(n, 0, out),
        _ => {
            // Indented, so a content line such as `---` cannot read as a document marker.
            out.push_str(&scalar_inline(n, 2));
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn emit_map(n: &Node, ind: usize, out: &mut String) {
    let Value::Map(m) = &n.value else { return };
    for (i, e) in m.entries.iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        let key = key_text(&e.key);
        // YAML limits implicit keys to 1024 characters; longer ones need the explicit form.
        if key.chars().count() > 1000 {
            out.push_str("? ");
            out.push_str(&key);
            out.push('\n');
            indent(out, ind);
        } else {
            out.push_str(&key);
        }
        out.push(':');
        emit_value_after_key(&e.value, ind, out);
    }
}

fn emit_value_after_key(v: &Node, ind: usize, out: &mut String) {
    match &v.value {
        Value::Map(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, ind + 2);
            emit_map(v, ind + 2, out);
        }
        Value::Seq(s) if !s.is_empty() => {
            out.push('\n');
            indent(out, ind);
            emit_seq(v, ind, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar_inline(v, ind + 2));
            out.push('\n');
        }
    }
}

fn emit_seq(n: &Node, ind: usize, out: &mut String) {
    let Value::Seq(items) = &n.value else { return };
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        out.push_str("- ");
        match &it.value {
            Value::Map(m) if !m.is_empty() => emit_map(it, ind + 2, out),
            Value::Seq(s) if !s.is_empty() => emit_seq(it, ind + 2, out),
            _ => {
                out.push_str(&scalar_inline(it, ind + 2));
                out.push('\n');
            }
        }
    }
}

fn key_text(k: &Node) -> String {
    match &k.value {
        // Keys are compared by their text (as `to_json` does), so keep the text, quoting it
        // whenever plain output could change it.
        Value::Scalar(s) => {
            let plain_ok = s.style == Style::Plain
                && s.tag.is_none()
                && !s.text.is_empty()
                && (plain_safe(&s.text) || !matches!(s.resolve(), Resolved::Str(_)));
            if plain_ok {
                s.text.clone()
            } else {
                double_quoted(&s.text)
            }
        }
        _ => double_quoted(&k.to_json().to_string()),
    }
}

/// A scalar (or empty collection) on one line, or a literal block starting on this line.
fn scalar_inline(n: &Node, ind: usize) -> String {
    let s = match &n.value {
        Value::Map(_) => return "{}".into(),
        Value::Seq(_) => return "[]".into(),
        Value::Scalar(s) => s,
    };
    let resolved = s.resolve();
    let tag_prefix = match &s.tag {
        // A local tag (`!name`, primary handle) is kept when it can be written back verbatim (no
        // characters that would need %-escaping); core tags (`!!str`, ...) are implied by the
        // quoting; verbatim `!<...>` tags and tags of named handles (`!g!x`, whose `%TAG`
        // directive is not written) are dropped.
        Some(t)
            if t.len() > 1
                && t.starts_with('!')
                && t[1..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:~".contains(c)) =>
        {
            format!("{t} ")
        }
        _ => String::new(),
    };
    if let Resolved::Str(text) = &resolved {
        if s.style == Style::Plain && s.tag.is_none() && plain_safe(text) {
            return text.to_string();
        }
        if s.tag.is_none() && text.contains('\n') && literal_safe(text) {
            return literal_block(text, ind);
        }
        return format!(
            "{tag_prefix}{}",
            if plain_quotable(text) {
                single_quoted(text)
            } else {
                double_quoted(text)
            }
        );
    }
    // Null, bool, number: keep the source text (it reads back the same).
    if s.text.is_empty() && tag_prefix.is_empty() {
        return "null".into();
    }
    format!("{tag_prefix}{}", s.text)
}

fn plain_safe(t: &str) -> bool {
    if t.is_empty() || t.trim() != t {
        return false;
    }
    if !matches!(super::scalar::resolve_plain(t, false), Resolved::Str(_)) {
        return false;
    }
    if t.starts_with("---") || t.starts_with("...") {
        return false;
    }
    let first = t.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x`/`?x`/`:x` are fine when followed by a non-space, but keep it simple and quote.
        return false;
    }
    !(t.contains(": ")
        || t.contains(" #")
        || t.ends_with(':')
        || t.chars().any(|c| c.is_control() || c == '\t'))
}

fn plain_quotable(t: &str) -> bool {
    !t.chars().any(|c| c.is_control() || c == '\n') && !t.is_empty() || t.is_empty()
}

fn single_quoted(t: &str) -> String {
    format!("'{}'", t.replace('\'', "''"))
}

fn double_quoted(t: &str) -> String {
    let mut s = String::with_capacity(t.len() + 2);
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn literal_safe(t: &str) -> bool {
    // Lines must not carry trailing spaces or tabs/controls, and the first line must not start
    // with a space (indentation indicator would be needed).
    !t.starts_with(' ')
        && !t.starts_with('\n')
        && !t
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{feff}')
        && t.lines().all(|l| l.trim_end() == l)
}

fn literal_block(t: &str, ind: usize) -> String {
    let chomp = if t.ends_with("\n\n") {
        "+"
    } else if t.ends_with('\n') {
        ""
    } else {
        "-"
    };
    let mut s = format!("|{chomp}");
    let body = t.strip_suffix('\n').unwrap_or(t);
    for line in body.split('\n') {
        s.push('\n');
        if !line.is_empty() {
            for _ in 0..ind {
                s.push(' ');
            }
            s.push_str(line);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    fn roundtrip(text: &str) {
        let map = SourceMap::new();
        let f = map.add("a.yaml", text);
        let p = parse_stream(&f, Limits::default());
        assert!(p.complete, "{:?}", p.findings);
        let docs: Vec<&Node> = p.docs.iter().collect();
        let out = to_yaml_docs(&docs);
        let g = map.add("b.yaml", out.clone());
        let q = parse_stream(&g, Limits::default());
        assert!(q.complete, "re-parse failed: {:?}\n{out}", q.findings);
        let a: Vec<_> = p.docs.iter().map(|d| d.to_json()).collect();
        let b: Vec<_> = q.docs.iter().map(|d| d.to_json()).collect();
        assert_eq!(a, b, "\n{out}");
    }

    #[test]
    fn round_trips() {
        roundtrip(
            "a: 1\nb: '1'\nc: \"yes\"\nd: yes\ne: ''\nf: ~\ng: [1, 'x', {h: i}]\nk: {}\nl: []\n",
        );
        roundtrip("data:\n  redis.conf: |\n    port 6379\n\n    save 900 1\n  x: |-\n    a\n  y: \"a\\tb\\n\"\n  z: \"  lead\\nx\"\n");
        roundtrip("- a: 1\n  b:\n  - c\n  - - d\n    - e\n- ': x'\n- '#x'\n- 'a: b'\n- '- x'\n");
        roundtrip("a: !!str 12\nb: \"\\u00e9t\u{e9}\"\nc: 'it''s'\n");
    }
}
