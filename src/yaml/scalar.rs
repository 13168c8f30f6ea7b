//! Reading scalars the way the engines do.
//!
//! Kustomize (kyaml, go-yaml v3) reads YAML 1.2-style: `on`, `yes` and `y` are strings. The
//! Kubernetes API path (`sigs.k8s.io/yaml`, go-yaml v2) reads YAML 1.1: `yes`/`on`/`y` are
//! `true`, `no`/`off`/`n` are `false`. Both readings keep go-yaml's integer syntax (base prefix
//! through Go's `ParseInt(s, 0, 64)`, so `0755` is octal, underscores removed).
//! Only plain (unquoted, untagged) scalars are resolved; quoted and block scalars are strings.

use super::Scalar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// What a scalar reads as. A string borrows the scalar's text: resolving is asked of nearly
/// every scalar by nearly every pass, and must not copy it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

fn tagged(s: &Scalar) -> Option<Resolved<'_>> {
    let tag = s.tag.as_deref()?;
    let suffix = tag.rsplit([':', '!']).next().unwrap_or(tag);
    Some(match suffix {
        "str" | "binary" | "timestamp" => Resolved::Str(&s.text),
        "null" => Resolved::Null,
        "bool" => match resolve_plain(&s.text, true) {
            r @ Resolved::Bool(_) => r,
            _ => Resolved::Str(&s.text),
        },
        "int" | "float" => match resolve_plain(&s.text, false) {
            r @ (Resolved::Int(_) | Resolved::Float(_)) => r,
            _ => Resolved::Str(&s.text),
        },
        _ => return None,
    })
}

/// The go-yaml v3 (kustomize) reading.
pub fn resolve_12(s: &Scalar) -> Resolved<'_> {
    if s.style != Style::Plain {
        return tagged(s).unwrap_or_else(|| Resolved::Str(&s.text));
    }
    if let Some(r) = tagged(s) {
        return r;
    }
    resolve_plain(&s.text, false)
}

/// The go-yaml v2 (Kubernetes API decoder, and kustomize's JSON-patch values) reading.
pub fn resolve_11(s: &Scalar) -> Resolved<'_> {
    if s.style != Style::Plain {
        return tagged(s).unwrap_or_else(|| Resolved::Str(&s.text));
    }
    if let Some(r) = tagged(s) {
        return r;
    }
    resolve_plain(&s.text, true)
}

/// Resolves a plain scalar's text; `yaml11` adds the YAML 1.1 booleans.
pub fn resolve_plain(t: &str, yaml11: bool) -> Resolved<'_> {
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    if yaml11 {
        match t {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Resolved::Bool(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Resolved::Bool(false),
            _ => {}
        }
    }
    let first = t.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Resolved::Str(t);
    }
    if let Some(i) = parse_go_int(t) {
        return Resolved::Int(i);
    }
    if is_yaml_float(t) {
        if let Ok(f) = t.replace('_', "").parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    Resolved::Str(t)
}

/// Go's `strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)` plus go-yaml's `0b`/`0o`.
fn parse_go_int(t: &str) -> Option<i64> {
    let plain: String = t.chars().filter(|&c| c != '_').collect();
    let (neg, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, &plain[..]),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(r) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, r)
    } else if let Some(r) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, r)
    } else if let Some(r) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, r)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = i128::from_str_radix(body, radix).ok()?;
    let v = if neg { -mag } else { mag };
    i64::try_from(v).ok()
}

/// go-yaml's float syntax: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if int_digits == 0 && i == frac_start {
            return false;
        }
    } else if int_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// A YAML 1.1 sexagesimal number (`1:20`, `190:20:30`): the 1.1 spec reads it as a number.
pub fn is_sexagesimal(t: &str) -> bool {
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let mut parts = t.split(':');
    let Some(first) = parts.next() else {
        return false;
    };
    if first.is_empty() || !first.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut n = 0;
    for p in parts {
        n += 1;
        let p = p.split('.').next().unwrap_or(p);
        if p.is_empty()
            || p.len() > 2
            || !p.bytes().all(|c| c.is_ascii_digit())
            || p.parse::<u32>().map_or(true, |v| v > 59)
        {
            return false;
        }
    }
    n >= 1
}

/// When a plain scalar that YAML 1.2 reads as a string is read as something else by YAML 1.1
/// (Kubernetes' decoder), what it becomes there.
pub fn ambiguity(s: &Scalar) -> Option<&'static str> {
    if s.style != Style::Plain || s.tag.is_some() {
        return None;
    }
    let r12 = resolve_plain(&s.text, false);
    let r11 = resolve_plain(&s.text, true);
    match (&r12, &r11) {
        (Resolved::Str(_), Resolved::Bool(_)) => Some("a boolean"),
        (Resolved::Str(_), _) if is_sexagesimal(&s.text) => Some("a sexagesimal number"),
        (Resolved::Int(_), _)
            if s.text.len() > 1
                && s.text.trim_start_matches(['-', '+']).starts_with('0')
                && s.text
                    .trim_start_matches(['-', '+'])
                    .bytes()
                    .all(|c| c.is_ascii_digit()) =>
        {
            Some("an octal number")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Scalar {
        Scalar::plain(t)
    }

    #[test]
    fn yaml12_and_11_differ_on_yes_on() {
        assert_eq!(resolve_12(&p("yes")), Resolved::Str("yes"));
        assert_eq!(resolve_11(&p("yes")), Resolved::Bool(true));
        assert_eq!(resolve_11(&p("off")), Resolved::Bool(false));
        assert_eq!(resolve_12(&p("true")), Resolved::Bool(true));
        assert_eq!(resolve_12(&p("~")), Resolved::Null);
    }

    #[test]
    fn go_integers() {
        assert_eq!(resolve_12(&p("0755")), Resolved::Int(493));
        assert_eq!(resolve_12(&p("0x1F")), Resolved::Int(31));
        assert_eq!(resolve_12(&p("1_000")), Resolved::Int(1000));
        assert_eq!(resolve_12(&p("-12")), Resolved::Int(-12));
        assert_eq!(resolve_12(&p("08")), Resolved::Float(8.0));
        assert_eq!(resolve_12(&p("1.5")), Resolved::Float(1.5));
        assert_eq!(resolve_12(&p("1e3")), Resolved::Float(1000.0));
        assert_eq!(resolve_12(&p("6379a")), Resolved::Str("6379a"));
        assert_eq!(
            resolve_12(&p("99999999999999999999")),
            Resolved::Float(1e20)
        );
        assert_eq!(resolve_12(&p("-")), Resolved::Str("-"));
    }

    #[test]
    fn quoted_is_string() {
        let s = Scalar {
            text: "true".into(),
            style: Style::DoubleQuoted,
            tag: None,
        };
        assert_eq!(resolve_12(&s), Resolved::Str("true"));
        let t = Scalar {
            text: "12".into(),
            style: Style::Plain,
            tag: Some("!!str".into()),
        };
        assert_eq!(resolve_12(&t), Resolved::Str("12"));
    }

    #[test]
    fn ambiguous_scalars() {
        assert_eq!(ambiguity(&p("on")), Some("a boolean"));
        assert_eq!(ambiguity(&p("n")), Some("a boolean"));
        assert_eq!(ambiguity(&p("1:20")), Some("a sexagesimal number"));
        assert_eq!(ambiguity(&p("0755")), Some("an octal number"));
        assert_eq!(ambiguity(&p("redis")), None);
        assert_eq!(ambiguity(&p("10:00:00")), Some("a sexagesimal number"));
        assert_eq!(ambiguity(&p("127.0.0.1:6379")), None);
    }
}
