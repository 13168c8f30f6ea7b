//! `configMapGenerator` / `secretGenerator`: key/value pairs from `literals`, `files` and
//! `envs` (kustomize's `kv` rules), turned into a ConfigMap or Secret object. Every data value
//! keeps its source: the literal's span, the env file's line, or the whole source file.

use super::kustomization::{GenOptions, GenSpec, Str};
use super::load::Loader;
use super::resource::{key, put, Generated, Res};
use crate::diag::Finding;
use crate::rules::id;
use crate::source::Span;
use crate::yaml::{Entry, Map, Node, Scalar, Value};
use std::path::Path;

/// One key/value pair with the spans of its key and value.
struct Pair {
    key: String,
    value: Vec<u8>,
    key_span: Span,
    value_span: Span,
}

/// Builds the object of one generator entry. `secret` selects a Secret; then the span of every
/// value read is added to `secrets` as soon as it is read, so that a generator that fails
/// later (a repeated key, a missing file) still has its values masked.
pub fn generate(
    loader: &mut Loader,
    root: &Path,
    canon_root: &Path,
    g: &GenSpec,
    defaults: &GenOptions,
    secret: bool,
    secrets: &mut Vec<Span>,
) -> Result<Res, Finding> {
    let name = g.name.as_ref().ok_or_else(|| {
        Finding::new(
            id::KUSTOMIZE_UNSUPPORTED,
            g.span,
            "a generator needs a `name`; kustomize refuses it, so nothing of this overlay was checked",
        )
    })?;
    let mut pairs = Vec::new();
    let keep = |pairs: &mut Vec<Pair>, secrets: &mut Vec<Span>, new: Vec<Pair>| {
        if secret {
            secrets.extend(new.iter().map(|p| p.value_span));
        }
        pairs.extend(new);
    };
    for lit in &g.literals {
        if secret {
            // The whole literal: its value span may be narrower than where the value is.
            secrets.push(lit.span);
        }
        let file = loader.sources.get(lit.span.file);
        keep(&mut pairs, secrets, vec![literal(lit, &file)?]);
    }
    for f in &g.files {
        keep(
            &mut pairs,
            secrets,
            vec![file_pair(loader, root, canon_root, f, secret)?],
        );
    }
    for e in &g.envs {
        keep(&mut pairs, secrets, env_pairs(loader, root, canon_root, e)?);
    }
    let what = if secret { "secret" } else { "configmap" };
    for (i, p) in pairs.iter().enumerate() {
        if let Some(first) = pairs[..i].iter().find(|q| q.key == p.key) {
            return Err(Finding::new(
                id::YAML_DUPLICATE_KEY,
                p.key_span,
                format!("{what} {} illegally repeats the key `{}`", name.text, p.key),
            )
            .related(first.key_span, "first definition"));
        }
    }
    pairs.sort_by(|a, b| a.key.cmp(&b.key));
    let opts = merged_options(defaults, &g.options);
    let s = g.span;
    let mut map = Map::default();
    let m = &mut map;
    put(m, "apiVersion", Node::string("v1", s));
    put(
        m,
        "kind",
        Node::string(if secret { "Secret" } else { "ConfigMap" }, s),
    );
    let mut meta = vec![Entry {
        key: key("name", name.span),
        value: Node::string(name.text.clone(), name.span),
    }];
    if let Some(ns) = &g.namespace {
        meta.push(Entry {
            key: key("namespace", ns.span),
            value: Node::string(ns.text.clone(), ns.span),
        });
    }
    for (field, list) in [("labels", &opts.labels), ("annotations", &opts.annotations)] {
        if !list.is_empty() {
            meta.push(Entry {
                key: key(field, s),
                value: string_map(list, s),
            });
        }
    }
    put(m, "metadata", Node::map(meta, s));
    let (text, binary): (Vec<&Pair>, Vec<&Pair>) = pairs
        .iter()
        .partition(|p| secret || std::str::from_utf8(&p.value).is_ok());
    let data: Vec<Entry> = text
        .iter()
        .map(|p| {
            let v = if secret {
                base64_lines(&p.value)
            } else {
                String::from_utf8_lossy(&p.value).into_owned()
            };
            entry(&p.key, p.key_span, v, p.value_span)
        })
        .collect();
    if !data.is_empty() {
        put(m, "data", Node::map(data, s));
    }
    if !binary.is_empty() {
        let b = binary
            .iter()
            .map(|p| entry(&p.key, p.key_span, base64_lines(&p.value), p.value_span))
            .collect();
        put(m, "binaryData", Node::map(b, s));
    }
    if secret {
        let t = g.type_.clone().unwrap_or(Str {
            text: "Opaque".into(),
            span: s,
        });
        put(m, "type", Node::string(t.text, t.span));
    }
    if opts.immutable == Some(true) {
        put(m, "immutable", Node::scalar(Scalar::plain("true"), s));
    }
    let mut res = Res::new(Node::new(Value::Map(map), s), s);
    res.generated = Some(Generated {
        hash: opts.disable_hash != Some(true),
        entry: s,
        behavior: g.behavior_name,
    });
    Ok(res)
}

fn entry(k: &str, key_span: Span, v: String, value_span: Span) -> Entry {
    Entry {
        key: key(k, key_span),
        value: Node::scalar(Scalar::string(v), value_span),
    }
}

fn string_map(list: &[(Str, Str)], span: Span) -> Node {
    Node::map(
        list.iter()
            .map(|(k, v)| entry(&k.text, k.span, v.text.clone(), v.span))
            .collect(),
        span,
    )
}

/// Per-generator options over `generatorOptions`: labels and annotations merged (the
/// generator's win); `disableNameSuffixHash` and `immutable` are true when either sets them
/// (observed: a generator's `false` does not undo `generatorOptions`' `true`).
fn merged_options(top: &GenOptions, own: &GenOptions) -> GenOptions {
    let merge = |a: &[(Str, Str)], b: &[(Str, Str)]| {
        let mut out: Vec<(Str, Str)> = a
            .iter()
            .filter(|(k, _)| !b.iter().any(|(bk, _)| bk.text == k.text))
            .cloned()
            .collect();
        out.extend(b.iter().cloned());
        out
    };
    GenOptions {
        labels: merge(&top.labels, &own.labels),
        annotations: merge(&top.annotations, &own.annotations),
        disable_hash: either(own.disable_hash, top.disable_hash),
        immutable: either(own.immutable, top.immutable),
    }
}

fn either(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    (a == Some(true) || b == Some(true)).then_some(true)
}

fn bad(span: Span, msg: String) -> Finding {
    Finding::new(
        id::KUSTOMIZE_UNSUPPORTED,
        span,
        format!("{msg}; kustomize refuses it, so nothing of this overlay was checked"),
    )
}

/// A literal `key=value`. The value's span covers the bytes of the literal that hold the value
/// (after `key=`, through the literal's quoting and escapes), so that a redis.conf written in
/// a literal is located, and masked, on the right bytes.
fn literal(lit: &Str, file: &crate::source::SourceFile) -> Result<Pair, Finding> {
    let (k, v) = lit.text.split_once('=').ok_or_else(|| {
        bad(
            lit.span,
            "invalid literal (expected key=value; its text is not shown, it may be a secret)"
                .to_string(),
        )
    })?;
    if k.is_empty() {
        return Err(bad(
            lit.span,
            "invalid literal (empty key before `=`)".to_string(),
        ));
    }
    let value_span = literal_node(lit, file)
        .and_then(|n| crate::secrets::literal_value(file, &n))
        .map_or(lit.span, |(text, map)| map.span(file, 0, text.len()));
    Ok(Pair {
        key: k.to_string(),
        value: unquote(v).as_bytes().to_vec(),
        key_span: lit.span,
        value_span,
    })
}

/// The literal as the scalar it was written as (its style read from its first byte).
fn literal_node(lit: &Str, file: &crate::source::SourceFile) -> Option<Node> {
    use crate::yaml::Style;
    if lit.span.file != file.id {
        return None;
    }
    let style = match file.slice(lit.span).bytes().next() {
        Some(b'"') => Style::DoubleQuoted,
        Some(b'\'') => Style::SingleQuoted,
        Some(b'|') => Style::Literal,
        Some(b'>') => Style::Folded,
        _ => Style::Plain,
    };
    let scalar = Scalar {
        text: lit.text.clone(),
        style,
        tag: None,
    };
    Some(Node::scalar(scalar, lit.span))
}

/// One pair of matching quotes around a value of at least two characters is removed.
fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

fn load_source(
    loader: &mut Loader,
    root: &Path,
    canon_root: &Path,
    entry: &Str,
    path: &str,
) -> Result<super::load::Bytes, Finding> {
    let p = loader
        .resolve_file(root, canon_root, path)
        .map_err(|e| e.finding(entry.span, root))?;
    loader
        .bytes(&p, canon_root)
        .map_err(|e| e.finding(entry.span, root))
}

fn file_pair(
    loader: &mut Loader,
    root: &Path,
    canon_root: &Path,
    f: &Str,
    secret: bool,
) -> Result<Pair, Finding> {
    let (k, path) = match f.text.split_once('=') {
        Some((k, p)) => (k.to_string(), p),
        None => (
            Path::new(&f.text)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            f.text.as_str(),
        ),
    };
    let src = load_source(loader, root, canon_root, f, path)?;
    let (bytes, id) = (src.bytes, src.file);
    let end = loader.sources.get(id).text.len();
    // A ConfigMap file that is not UTF-8 goes to `binaryData`, where no Redis check reads
    // it: one Latin-1 byte must not silently turn the checks of a redis.conf off.
    if let (Some(at), false, true) = (src.valid_up_to, secret, k.ends_with(".conf")) {
        let file = loader.sources.get(id);
        let byte = bytes.get(at).copied().unwrap_or(0);
        let line = file.line_col(at).line;
        let stop = (at + '\u{fffd}'.len_utf8()).min(end);
        loader.notes.push(
            Finding::new(
                id::REDIS_INVALID_VALUE,
                Span::new(id, at, stop),
                format!(
                    "`{k}` is not UTF-8 text: byte 0x{byte:02X} on line {line} is not valid UTF-8 (Latin-1?), so kustomize puts the file under `binaryData` and none of its Redis settings is checked"
                ),
            )
            .related(f.span, "generated from here")
            .help("save the file as UTF-8"),
        );
    }
    Ok(Pair {
        key: k,
        value: bytes,
        key_span: f.span,
        value_span: Span::new(id, 0, end),
    })
}

fn env_pairs(
    loader: &mut Loader,
    root: &Path,
    canon_root: &Path,
    e: &Str,
) -> Result<Vec<Pair>, Finding> {
    let src = load_source(loader, root, canon_root, e, &e.text)?;
    let (bytes, id) = (src.bytes, src.file);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| bad(e.span, format!("env file `{}` is not UTF-8", e.text)))?;
    let mut out = Vec::new();
    let mut offset = 0;
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let mut line = raw.trim_end_matches(['\n', '\r']);
        if n == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = raw.len() - raw.trim_start().len();
        let span = Span::new(
            id,
            start + lead,
            start + raw.trim_end_matches(['\n', '\r']).len(),
        );
        let (k, v) = trimmed.split_once('=').unwrap_or((trimmed, ""));
        let value_start = span.start as usize + k.len() + usize::from(trimmed.contains('='));
        out.push(Pair {
            key: k.to_string(),
            value: v.as_bytes().to_vec(),
            key_span: Span::new(id, span.start as usize, span.start as usize + k.len()),
            value_span: Span::new(id, value_start, span.end as usize),
        });
    }
    Ok(out)
}

/// Line length of kustomize's base64 for generated data.
const BASE64_LINE: usize = 70;

/// Base64 the way kustomize writes generated Secret `data` and ConfigMap `binaryData`
/// (its `encodeBase64`, observed with kubectl): text of 70 characters or more is cut into
/// 70-character lines, each ended by `\n`; shorter text is left as one line without `\n`.
/// The name-suffix hash is computed over this wrapped text.
fn base64_lines(bytes: &[u8]) -> String {
    let flat = base64(bytes);
    if flat.len() < BASE64_LINE {
        return flat;
    }
    let mut out = String::with_capacity(flat.len() + flat.len() / BASE64_LINE + 1);
    // Base64 is ASCII, so byte chunks are character chunks.
    for line in flat.as_bytes().chunks(BASE64_LINE) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"s3cr3t"), "czNjcjN0");
        assert_eq!(base64(&[0, 1, 2, 255]), "AAEC/w==");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    /// Values and suffix observed with `kubectl kustomize` (Kustomize v5.5.0).
    #[test]
    fn long_base64_is_wrapped_at_70_like_kustomize() {
        let a = |n: usize| base64_lines(&vec![b'a'; n]);
        assert_eq!(a(0), "");
        // 51 bytes → 68 characters: one line, no newline.
        assert_eq!(
            a(51),
            "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
        );
        assert_eq!(
            a(52),
            "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQ\n==\n"
        );
        // 105 bytes → exactly 140 characters: two full lines, each ended by a newline.
        assert_eq!(
            a(105),
            "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\n\
             FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\n"
        );
    }

    /// The hash covers the wrapped text: kubectl names this Secret `e-c7mfbkfh5g`.
    #[test]
    fn hash_covers_the_wrapped_text() {
        use crate::source::SourceMap;
        use crate::yaml::{parse_stream, Limits};
        let text = format!(
            "kind: Secret\ntype: Opaque\ndata:\n  A: {:?}\n  B: {}\n",
            base64_lines(&[b'b'; 60]),
            base64_lines(b"short")
        );
        let m = SourceMap::new();
        let f = m.add("s", &text);
        let doc = &parse_stream(&f, Limits::default()).docs[0];
        assert_eq!(
            super::super::hash::suffix(doc).as_deref(),
            Some("c7mfbkfh5g")
        );
    }

    /// Observed: `generatorOptions: {disableNameSuffixHash: true, immutable: true}` with a
    /// generator's `options: {disableNameSuffixHash: false, immutable: false}` gives an
    /// immutable ConfigMap without hash; labels merge with the generator's winning.
    #[test]
    fn option_flags_are_true_when_either_level_sets_them() {
        let m = crate::source::SourceMap::new();
        let s = |t: &str| Str {
            text: t.into(),
            span: Span::file_start(m.add("k", "").id),
        };
        let top = GenOptions {
            labels: vec![(s("a"), s("top")), (s("b"), s("top"))],
            annotations: Vec::new(),
            disable_hash: Some(true),
            immutable: Some(true),
        };
        let own = GenOptions {
            labels: vec![(s("a"), s("own"))],
            annotations: Vec::new(),
            disable_hash: Some(false),
            immutable: Some(false),
        };
        let o = merged_options(&top, &own);
        assert_eq!(o.disable_hash, Some(true));
        assert_eq!(o.immutable, Some(true));
        let labels: Vec<(&str, &str)> = o
            .labels
            .iter()
            .map(|(k, v)| (k.text.as_str(), v.text.as_str()))
            .collect();
        assert_eq!(labels, [("b", "top"), ("a", "own")]);
        let neither = merged_options(&GenOptions::default(), &GenOptions::default());
        assert_eq!((neither.disable_hash, neither.immutable), (None, None));
    }

    #[test]
    fn literal_quotes_are_stripped_once() {
        assert_eq!(unquote("\"quoted\""), "quoted");
        assert_eq!(unquote("'x'"), "x");
        assert_eq!(unquote("\""), "\"");
    }
}
