//! What kustomize's final JSON encoding does to scalar values (research §6.2): integral
//! floats print as integers (`1e3` → `1000`), plain timestamps become RFC 3339 strings
//! (`2024-01-01` → `"2024-01-01T00:00:00Z"`, go-yaml v3 decodes them to `time.Time`), and an
//! infinite or NaN float cannot be encoded at all, which fails the build. Annotation values
//! are always strings.

use super::json6902::float_text;
use crate::yaml::{Node, Resolved, Scalar, Style, Value};

/// Rewrites scalars the way the JSON encoding does. Returns the nodes that cannot be encoded.
pub fn normalise(node: &mut Node) -> Vec<crate::source::Span> {
    annotations_as_strings(node);
    let mut bad = Vec::new();
    // Only the scalars that change are written (the object shares the rest with its base).
    node.edit_where(
        |n| match &n.value {
            Value::Scalar(s) if matches!(s.resolve(), Resolved::Float(f) if !f.is_finite()) => {
                bad.push(n.span);
                false
            }
            Value::Scalar(s) => encoded(s).is_some_and(|new| new != *s),
            _ => false,
        },
        |n| {
            if let Value::Scalar(s) = &mut n.value {
                if let Some(new) = encoded(s) {
                    *s = new;
                }
            }
        },
    );
    bad
}

/// The scalar the JSON encoding gives back for `s`, where it rewrites one: an integral or
/// otherwise finite float in Go's notation, a plain timestamp as an RFC 3339 string.
fn encoded(s: &Scalar) -> Option<Scalar> {
    match s.resolve() {
        Resolved::Float(f) => float_text(f).map(Scalar::plain),
        Resolved::Str(t) if s.style == Style::Plain && s.tag.is_none() => {
            timestamp(t).map(Scalar::string)
        }
        _ => None,
    }
}

/// kustomize keeps an object's annotations as `map[string]string` (it manages its internal
/// annotations there), so every value comes out as a string of its source text (`0777`,
/// `on`, `~` stay as written) and a non-scalar value as `""`. Patches are loaded as objects
/// too, so a patch's `annotations: {x: null}` sets the string `"null"` instead of deleting.
pub fn annotations_as_strings(node: &mut Node) {
    let done = |m: &crate::yaml::Map| {
        m.entries.iter().all(|e| {
            e.value
                .as_scalar()
                .is_some_and(|s| s.style == Style::DoubleQuoted && s.tag.is_none())
        })
    };
    if node
        .path(&["metadata", "annotations"])
        .and_then(Node::as_map)
        .is_none_or(done)
    {
        return;
    }
    let Some(m) = node
        .path_mut(&["metadata", "annotations"])
        .and_then(Node::as_map_mut)
    else {
        return;
    };
    for e in m.entries_mut().iter_mut() {
        let text = e.value.as_str().unwrap_or("").to_string();
        e.value.value = Value::Scalar(Scalar::string(text));
    }
}

/// 1–2 digit number at the start of `s`, and the rest.
fn num(s: &str, max_digits: usize) -> Option<(u32, &str)> {
    let n = s
        .bytes()
        .take(max_digits)
        .take_while(u8::is_ascii_digit)
        .count();
    if n == 0 {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The RFC 3339 text of a plain scalar go-yaml v3 reads as a timestamp (its formats
/// `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00`, `2006-1-2 15:4:5.999999999`).
pub fn timestamp(t: &str) -> Option<String> {
    let b = t.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let year: u32 = t[..4].parse().ok()?;
    let (month, rest) = num(&t[5..], 2)?;
    let rest = rest.strip_prefix('-')?;
    let (day, rest) = num(rest, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if rest.is_empty() {
        return Some(format!("{date}T00:00:00Z"));
    }
    let (tz_allowed, rest) = match rest.as_bytes()[0] {
        b'T' => (true, &rest[1..]),
        b' ' => (false, &rest[1..]),
        _ => return None,
    };
    let (h, rest) = num(rest, 2)?;
    let (mi, rest) = num(rest.strip_prefix(':')?, 2)?;
    let (sec, mut rest) = num(rest.strip_prefix(':')?, 2)?;
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut frac = String::new();
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return None;
        }
        frac = r[..n].trim_end_matches('0').to_string();
        rest = &r[n..];
    }
    let zone = if !tz_allowed {
        if !rest.is_empty() {
            return None;
        }
        "Z".to_string()
    } else if rest == "Z" {
        "Z".to_string()
    } else {
        let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-')?;
        let (oh, r) = num(&rest[1..], 2)?;
        let (om, r) = num(r.strip_prefix(':')?, 2)?;
        if !r.is_empty() || rest[1..].len() != 5 {
            return None;
        }
        if oh == 0 && om == 0 {
            "Z".to_string()
        } else {
            format!("{sign}{oh:02}:{om:02}")
        }
    };
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    Some(format!("{date}T{h:02}:{mi:02}:{sec:02}{frac}{zone}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_as_go_prints_them() {
        assert_eq!(
            timestamp("2024-01-01").as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
        assert_eq!(
            timestamp("2024-1-1").as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
        assert_eq!(
            timestamp("2001-12-14T21:59:43.10-05:00").as_deref(),
            Some("2001-12-14T21:59:43.1-05:00")
        );
        assert_eq!(
            timestamp("2001-12-14 21:59:43").as_deref(),
            Some("2001-12-14T21:59:43Z")
        );
        assert_eq!(timestamp("2002-12-14 21:59:43.1 -5"), None);
        assert_eq!(timestamp("2001-12-14t21:59:43.10-05:00"), None);
        assert_eq!(timestamp("2023-02-29"), None);
        assert_eq!(timestamp("1.10"), None);
    }
}
