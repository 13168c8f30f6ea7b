//! Where secret values are written, so that no report prints them. Findings never carry a
//! secret; a report that prints source lines masks these spans in them.
//!
//! Secrets are known from the files themselves, whatever happens to the build later:
//! [`in_file`] finds them in one file from its YAML tree (when it parses), from the file read
//! as a redis.conf, and from its lines ([`lexical`], which needs no parse at all, so a syntax
//! error, a duplicate key or a failed patch cannot switch masking off). The build adds what
//! only it knows (a `secretGenerator`'s source files, values a patch moved into a Secret).
//! Masking errs on the side of hiding: a masked harmless value costs a little context, a shown
//! password cannot be taken back.

use crate::redis::{ConfKind, OffsetMap};
use crate::source::{SourceFile, SourceMap, Span};
use crate::yaml::{parse_stream, Limits, Node, Value};
use regex::Regex;
use std::sync::LazyLock;

/// Env var (and key) names that hold credentials: a superset of the `k8s/secret-in-env` policy
/// patterns (a test keeps it one), because masking must never show less than the rule calls
/// secret.
pub fn is_secret_name(name: &str) -> bool {
    // PASS, PWD, SECRET, TOKEN, AUTH, CREDENTIAL, PRIVATE_KEY, PRIVATEKEY, API_KEY, APIKEY, by
    // first letter. A case-insensitive substring search in place: this runs for every key of
    // every object the masking walks, so most positions cost one comparison.
    let n = name.as_bytes();
    (0..n.len()).any(|i| {
        let names: &[&[u8]] = match n[i].to_ascii_uppercase() {
            b'P' => &[b"PASS", b"PWD", b"PRIVATE_KEY", b"PRIVATEKEY"],
            b'S' => &[b"SECRET"],
            b'T' => &[b"TOKEN"],
            b'A' => &[b"AUTH", b"API_KEY", b"APIKEY"],
            b'C' => &[b"CREDENTIAL"],
            _ => return false,
        };
        names.iter().any(|p| {
            n.get(i..i + p.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(p))
        })
    })
}

/// A key that names a secret but holds only a reference to it (`secretKeyRef`, `secretName`).
fn is_reference_key(key: &str) -> bool {
    let k = key.as_bytes();
    ["ref", "refs", "name", "names"]
        .iter()
        .any(|s| k.len() >= s.len() && k[k.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes()))
}

/// A key (YAML map key, env file key) whose value is a secret.
fn is_secret_key(key: &str) -> bool {
    is_secret_name(key) && !is_reference_key(key)
}

/// The byte length of the Redis password directive that `word` starts with (`requirepass`,
/// `--requirepass`, `masterauth`, `auth-pass`, glued `requirepasspw`), or of the whole word when
/// it is a misspelling of one (`requirepas`, `require-pass`, `masterauht`).
pub fn password_directive_len(word: &str) -> Option<usize> {
    const DIRECTIVES: &[&str] = &[
        "requirepass",
        "masterauth",
        "authpass",
        "sentinelpass",
        "tlskeyfilepass",
        "tlsclientkeyfilepass",
    ];
    // Compare without dashes and underscores, keeping where each kept byte came from.
    let kept: Vec<(usize, u8)> = word
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_alphanumeric())
        .map(|(i, b)| (i, b.to_ascii_lowercase()))
        .collect();
    let norm: String = kept.iter().map(|&(_, b)| b as char).collect();
    if norm.is_empty() {
        return None;
    }
    for d in DIRECTIVES {
        if norm.starts_with(d) {
            return Some(kept[d.len() - 1].0 + 1);
        }
    }
    // normalized_levenshtein(a, b) = 1 - distance / max(len), and the distance is at least the
    // difference of the lengths: words whose length alone rules a match out are not compared
    // (every word of a large file passes through here).
    let close = ["requirepass", "masterauth"].iter().any(|d| {
        let (a, b) = (norm.len(), d.len());
        a.abs_diff(b) * 4 <= a.max(b) && strsim::normalized_levenshtein(&norm, d) >= 0.75
    });
    close.then_some(word.len())
}

/// The byte ranges of the passwords in URLs of `text` (`redis://user:PASSWORD@host:6379`,
/// `rediss://:PASSWORD@host`): the part after the first `:` of the user information, which
/// ends at the last `@` before the host.
pub fn url_passwords(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        let authority_len = text[start..]
            .find(|c: char| {
                matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(text.len() - start);
        let authority = &text[start..start + authority_len];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                if colon + 1 < at {
                    out.push(start + colon + 1..start + at);
                }
            }
        }
        from = start + authority_len;
    }
    out
}

/// Command-line flags whose next argument (or `=` value) is a password.
fn is_password_flag(arg: &str) -> bool {
    let a = arg.trim();
    if !a.starts_with('-') {
        return false;
    }
    let name = a.trim_start_matches('-');
    let name = name.split('=').next().unwrap_or(name);
    password_directive_len(name).is_some() || is_secret_key(name) || name == "a"
}

/// Secret values of one Kubernetes object (or kustomization, or patch): every value of a
/// Secret's `data`/`stringData`; the `value` of any `{name, value}` pair whose name is
/// password-like (env vars, and JSON6902 ops that add one); the scalar value of any key that is
/// password-like; the argument after a password flag in any list (`[--requirepass, pw]`).
pub fn of_object(doc: &Node, out: &mut Vec<Span>) {
    if doc.str_at(&["kind"]) == Some("Secret") {
        for field in ["data", "stringData"] {
            if let Some(v) = doc.get(field) {
                match v.as_map() {
                    Some(m) => out.extend(m.entries.iter().map(|e| e.value.span)),
                    None => out.push(v.span),
                }
            }
        }
    }
    doc.walk(|n| match &n.value {
        Value::Map(m) => {
            if let (Some(name), Some(v)) = (m.get("name").and_then(Node::as_str), m.get("value")) {
                if is_secret_name(name) {
                    out.push(v.span);
                }
            }
            for e in m.entries.iter() {
                let secret_key = e.key.as_str().is_some_and(is_secret_key);
                if secret_key && e.value.as_scalar().is_some() {
                    out.push(e.value.span);
                }
            }
        }
        Value::Seq(items) => {
            for (i, it) in items.iter().enumerate() {
                let Some(text) = it.as_str() else { continue };
                if !is_password_flag(text) {
                    continue;
                }
                if text.contains('=') {
                    out.push(it.span);
                } else if let Some(next) = items.get(i + 1) {
                    out.push(next.span);
                }
            }
        }
        // A password in a URL (`REDIS_ADDR: redis://:pw@redis:6379`), under any key.
        Value::Scalar(sc) => {
            if !url_passwords(&sc.text).is_empty() {
                out.push(n.span);
            }
        }
    });
}

/// [`of_object`] plus the passwords of every redis config a ConfigMap carries, under any key
/// (`redis.conf`, `users.acl`, `redis.conf.tpl`): masking does not depend on the key's name.
pub fn of_resource(doc: &Node, sources: &SourceMap, out: &mut Vec<Span>) {
    of_object(doc, out);
    let Some(data) = doc.get("data").and_then(Node::as_map) else {
        return;
    };
    for e in data.entries.iter() {
        if e.value.as_str().is_none() {
            continue;
        }
        conf_secrets(sources, &e.value, out);
    }
}

/// Passwords of a redis config held by scalar `node`, parsed once per run of `sources`.
fn conf_secrets(sources: &SourceMap, node: &Node, out: &mut Vec<Span>) {
    if !may_hold_arguments(node) {
        return;
    }
    for kind in [ConfKind::Redis, ConfKind::Sentinel] {
        if let Some(conf) = crate::redis::parse_embedded_shared(sources, node, kind) {
            out.extend(crate::redis::secret_spans(&conf));
        }
    }
}

/// [`conf_secrets`] of a scalar written in `file`, with no run to share the parse with.
fn conf_secrets_in(file: &SourceFile, node: &Node, out: &mut Vec<Span>) {
    if !may_hold_arguments(node) {
        return;
    }
    for kind in [ConfKind::Redis, ConfKind::Sentinel] {
        if let Some(conf) = crate::redis::parse_embedded(file, node, kind) {
            out.extend(crate::redis::secret_spans(&conf));
        }
    }
}

/// Whether a scalar can hold a config line with an argument: a password is always an argument
/// (of `requirepass`, `user`, a misspelled directive). A value without whitespace or quotes is
/// one word per line, so it has none; most ConfigMap values are such words (a port, a host, a
/// flag), and skipping them keeps masking linear in the bytes that matter.
fn may_hold_arguments(node: &Node) -> bool {
    node.as_scalar().is_some_and(|s| {
        s.text
            .trim_end()
            .bytes()
            .any(|b| crate::redis::tokenize::is_c_space(b) || matches!(b, b'"' | b'\'' | b'\0'))
    })
}

/// Every secret span of one file, known from the file alone: its lines ([`lexical`]), the file
/// read as a redis config, and, when it parses as YAML, its objects, the redis configs in its
/// ConfigMaps and the generator literals of a kustomization.
pub fn in_file(file: &SourceFile) -> Vec<Span> {
    let mut out: Vec<Span> = lexical(&file.text)
        .into_iter()
        .map(|r| file.span(r.start, r.end))
        .collect();
    for kind in [ConfKind::Redis, ConfKind::Sentinel] {
        out.extend(crate::redis::secret_spans(&crate::redis::parse(file, kind)));
    }
    let parsed = parse_stream(file, Limits::default());
    for doc in &parsed.docs {
        of_object(doc, &mut out);
        if let Some(data) = doc.get("data").and_then(Node::as_map) {
            for e in data.entries.iter().filter(|e| e.value.span.file == file.id) {
                conf_secrets_in(file, &e.value, &mut out);
            }
        }
        kustomization_literals(file, doc, &mut out);
    }
    out
}

/// Generator literals of a kustomization: a `secretGenerator` literal is secret whole; a
/// `configMapGenerator` literal's value may carry a redis config, whose passwords are located
/// on the bytes of the literal that hold them.
fn kustomization_literals(file: &SourceFile, doc: &Node, out: &mut Vec<Span>) {
    for (field, secret) in [("secretGenerator", true), ("configMapGenerator", false)] {
        for g in doc.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
            for lit in g.get("literals").and_then(Node::as_seq).unwrap_or(&[]) {
                if secret {
                    out.push(lit.span);
                    continue;
                }
                let Some((text, map)) = literal_value(file, lit) else {
                    continue;
                };
                for kind in [ConfKind::Redis, ConfKind::Sentinel] {
                    let conf = crate::redis::model::parse_text(&text, &map, file, kind);
                    out.extend(crate::redis::secret_spans(&conf));
                }
            }
        }
    }
}

/// The value of a generator literal `key=value` (one pair of surrounding quotes removed, as
/// kustomize does) and the map of its bytes into `file`.
pub fn literal_value(file: &SourceFile, lit: &Node) -> Option<(String, OffsetMap)> {
    let (text, map) = OffsetMap::for_scalar(file, lit)?;
    let eq = text.find('=')?;
    let v = &text[eq + 1..];
    let b = v.as_bytes();
    let quoted = b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0];
    let (start, end) = if quoted {
        (eq + 2, text.len() - 1)
    } else {
        (eq + 1, text.len())
    };
    Some((
        text[start..end].to_string(),
        OffsetMap::Shifted(Box::new(map), start),
    ))
}

/// Whether `span` overlaps one of `secrets`.
pub fn overlaps(secrets: &[Span], span: Span) -> bool {
    secrets.iter().any(|s| {
        s.file == span.file
            && s.start < span.end.max(span.start + 1)
            && span.start < s.end.max(s.start + 1)
    })
}

/// Whether the value of `node` is, or may be, secret judging by the file it was written in
/// (wherever it was copied to since) or by its own text.
pub fn may_be_secret(node: &Node, sources: &SourceMap) -> bool {
    FileSecrets::default().may_be_secret(node, sources)
}

/// [`in_file`] for each file asked about, computed once per file.
#[derive(Default)]
pub struct FileSecrets {
    cache: std::cell::RefCell<crate::hash::HashMap<crate::source::FileId, Vec<Span>>>,
}

impl FileSecrets {
    /// See [`may_be_secret`].
    pub fn may_be_secret(&self, node: &Node, sources: &SourceMap) -> bool {
        if node.span.file.0 as usize >= sources.len() {
            return true;
        }
        let in_source = {
            let mut cache = self.cache.borrow_mut();
            let spans = cache
                .entry(node.span.file)
                .or_insert_with(|| in_file(&sources.get(node.span.file)));
            overlaps(spans, node.span)
        };
        if in_source {
            return true;
        }
        let mut shown = String::new();
        node.walk(|n| {
            if let Some(s) = n.as_scalar() {
                shown.push_str(&s.text);
                shown.push('\n');
            }
        });
        !lexical(&shown).is_empty()
    }
}

/// The keys whose values `replacements` entries copy into a Secret (the last segment of each
/// such source `fieldPath`): those values are secret in their source files too, even when the
/// build stops before it copies them.
pub fn replacement_sources(entries: &[Node]) -> Vec<String> {
    let mut out = Vec::new();
    for r in entries {
        let into_secret = r
            .get("targets")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .any(|t| {
                t.path(&["select", "kind"]).and_then(Node::as_str) == Some("Secret")
                    || t.get("fieldPaths")
                        .and_then(Node::as_seq)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(Node::as_str)
                        .any(|p| last_segment(p).is_some_and(|k| is_secret_key(&k)))
            });
        let source = r.path(&["source", "fieldPath"]).and_then(Node::as_str);
        if let (true, Some(k)) = (into_secret, source.and_then(last_segment)) {
            out.push(k);
        }
    }
    out
}

/// The last key of a dotted field path (`data.redis\.conf` → `redis.conf`), without a list
/// selector.
fn last_segment(path: &str) -> Option<String> {
    let mut last = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                last.push('.');
                chars.next();
            }
            '.' => last.clear(),
            _ => last.push(c),
        }
    }
    let last = last.split('[').next().unwrap_or("").to_string();
    (!last.is_empty()).then_some(last)
}

/// The values of YAML keys named `keys` in `text`, found from its lines alone (a block scalar's
/// lines included).
pub fn lexical_keys(text: &str, keys: &[String]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    if keys.is_empty() {
        return out;
    }
    let mut block: Option<usize> = None;
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start().len();
        if let Some(bi) = block {
            if line.trim().is_empty() || indent > bi {
                out.push(start + indent..start + line.len());
                continue;
            }
            block = None;
        }
        let Some(c) = KEY.captures(line) else {
            continue;
        };
        let key = c.get(2).map_or("", |m| m.as_str()).trim();
        if keys.iter().any(|k| k == key) {
            let after = c.get(0).map_or(line.len(), |m| m.end());
            out.push(start + after..start + line.len());
            block = Some(indent);
        }
    }
    out.retain(|r| r.start < r.end);
    out
}

static BARE_VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$[A-Za-z_][A-Za-z0-9_]*)$",
    )
    .expect("regex")
});
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9_-]+").expect("regex"));
static KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(\s*(?:-\s+)*)["']?([^\s"':{}\[\],#][^"':{}\[\],#]*?)["']?\s*:(?:\s|$)"#)
        .expect("regex")
});
static ASSIGN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z_][A-Za-z0-9_.-]*)=").expect("regex"));
static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s{,])name\s*:\s*["']?([A-Za-z0-9_.-]+)"#).expect("regex")
});
static VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:^|[\s{,])value\s*:"#).expect("regex"));
static SECRET_KIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*kind\s*:\s*["']?Secret["']?\s*(?:#.*)?$"#).expect("regex"));

/// One line of the file: its byte range (without the line break).
struct Line<'a> {
    start: usize,
    text: &'a str,
}

impl Line<'_> {
    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start().len()
    }
    fn blank(&self) -> bool {
        let t = self.text.trim();
        t.is_empty() || t.starts_with('#')
    }
    /// The content after indentation and sequence dashes.
    fn content_start(&self) -> usize {
        let mut t = self.text.trim_start();
        while let Some(rest) = t.strip_prefix('-') {
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                t = rest.trim_start();
            } else {
                break;
            }
        }
        self.text.len() - t.len()
    }
}

/// Secret byte ranges found in the lines of `text`, with no parse: a file that does not parse
/// (or parses into something unexpected) is masked all the same. Hides the rest of a line after
/// a Redis password directive (misspelled, glued to its value, behind `--`) and the next line
/// when that is empty; ACL password rules on `user` lines; the value of a password-like key
/// (`password: x`, `REDIS_PASS=x`); the `value` next to a password-like `name`; every value of
/// a Secret's `data`/`stringData` block and of a `secretGenerator` block.
pub fn lexical(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        lines.push(Line {
            start: at,
            text: raw.trim_end_matches(['\n', '\r']),
        });
        at += raw.len();
    }
    let mut out = Vec::new();
    // Passwords in URLs, on every line (comments included: a snippet shows them too).
    for l in &lines {
        out.extend(
            url_passwords(l.text)
                .into_iter()
                .map(|r| l.start + r.start..l.start + r.end),
        );
    }
    // Documents holding `kind: Secret`.
    let mut secret_doc = vec![false; lines.len()];
    let mut doc_start = 0;
    for i in 0..=lines.len() {
        let boundary = i == lines.len() || lines[i].text.starts_with("---");
        if boundary {
            let secret = lines[doc_start..i]
                .iter()
                .any(|l| SECRET_KIND.is_match(l.text));
            secret_doc[doc_start..i].fill(secret);
            doc_start = i + 1;
        }
    }
    // The rest of a line from `from`, its leading blanks left out. A bare variable reference
    // (`${REDIS_PASSWORD}`) holds no secret: masking it would hide the text a finding about it
    // asks the reader to change.
    let rest_of = |l: &Line, from: usize| {
        let rest = &l.text[from.min(l.text.len())..];
        let value = rest.trim_start();
        let start = l.text.len() - value.len();
        let bare = value.trim_end().trim_matches(['"', '\'']);
        if BARE_VARIABLE.is_match(bare) {
            return 0..0;
        }
        l.start + start..l.start + l.text.len()
    };
    // A block whose deeper lines are secret: the indent of its key, whether whole lines are
    // secret (else the values of its keys), and the indent of its keys once seen.
    let mut block: Option<(usize, bool, Option<usize>)> = None;
    // `secretGenerator:` block: its indent; sequence items at that indent belong to it.
    let mut generator: Option<usize> = None;
    let mut pending_next = false;
    // `value:` wanted after a password-like `name:` (for a few lines).
    let mut want_value = 0u8;
    // The value ranges of `value:` lines since the current list item started.
    let mut item_values: Vec<std::ops::Range<usize>> = Vec::new();
    for (n, l) in lines.iter().enumerate() {
        if l.blank() {
            continue;
        }
        let indent = l.indent();
        let cs = l.content_start();
        if pending_next {
            pending_next = false;
            out.push(rest_of(l, cs));
        }
        if let Some((bi, whole, keys)) = block.as_mut() {
            if indent > *bi {
                let first = *keys.get_or_insert(indent);
                let key = KEY.captures(l.text).filter(|_| !*whole && indent == first);
                match key {
                    Some(c) => out.push(rest_of(l, c.get(0).map_or(cs, |m| m.end()))),
                    None => out.push(rest_of(l, cs)),
                }
                continue;
            }
            block = None;
        }
        if let Some(gi) = generator {
            if indent > gi || (indent == gi && l.text[indent..].starts_with('-')) {
                if let Some(eq) = l.text.find('=') {
                    out.push(rest_of(l, eq + 1));
                }
            } else {
                generator = None;
            }
        }
        if cs > indent {
            // A new list item: values before it belong to another item.
            item_values.clear();
            want_value = 0;
        }
        let mut name_line = false;
        // Keys.
        if let Some(c) = KEY.captures(l.text) {
            let key = c.get(2).map_or("", |m| m.as_str()).trim();
            let after = c.get(0).map_or(l.text.len(), |m| m.end());
            let value = l.text[after..].trim();
            let block_indicator = value.starts_with(['|', '>']);
            let flow_open = value.starts_with(['{', '[']);
            if key == "secretGenerator" {
                generator = Some(indent);
            }
            if secret_doc[n] && (key == "data" || key == "stringData") {
                if !value.is_empty() {
                    out.push(rest_of(l, after));
                }
                block = Some((indent, false, None));
            } else if is_secret_key(key) {
                if !value.is_empty() {
                    out.push(rest_of(l, after));
                }
                if block_indicator || flow_open {
                    block = Some((indent, true, None));
                }
            }
            if key == "value" {
                let r = rest_of(l, after);
                if want_value > 0 {
                    out.push(r.clone());
                    if block_indicator || flow_open {
                        block = Some((indent, true, None));
                    }
                    want_value = 0;
                }
                item_values.push(r);
            }
        }
        // `name: REDIS_PASSWORD` and its `value`, before, on or after its line.
        if let Some(c) = NAME.captures(l.text) {
            if c.get(1).is_some_and(|m| is_secret_name(m.as_str())) {
                if let Some(v) = VALUE.find(l.text) {
                    out.push(rest_of(l, v.end()));
                }
                out.append(&mut item_values);
                want_value = 4;
                name_line = true;
            }
        }
        if !name_line && want_value > 0 {
            want_value -= 1;
        }
        // `KEY=value` with a password-like key (env files, literals, shell lines).
        for c in ASSIGN.captures_iter(l.text) {
            if c.get(1).is_some_and(|m| is_secret_key(m.as_str())) {
                let end = c.get(0).map_or(0, |m| m.end());
                out.push(rest_of(l, end));
                break;
            }
        }
        // Redis password directives anywhere on the line, and ACL password rules.
        let mut acl_user = false;
        for w in WORD.find_iter(l.text) {
            if w.as_str().eq_ignore_ascii_case("user") {
                acl_user = true;
            }
            if let Some(len) = password_directive_len(w.as_str()) {
                let from = w.start() + len;
                out.push(rest_of(l, from));
                let rest = l.text[from..].trim_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ']' | ':' | '=')
                });
                if rest.is_empty() {
                    pending_next = true;
                }
                break;
            }
        }
        if acl_user {
            let mut off = 0;
            for tok in l.text.split_inclusive(char::is_whitespace) {
                let t = tok.trim_start_matches(['"', '\'', '[', ',']);
                let indicator = matches!(t.trim(), ">" | ">-" | ">+" | "<");
                if t.starts_with(['>', '<']) && !indicator {
                    let s = off + (tok.len() - t.len());
                    out.push(l.start + s..l.start + off + tok.trim_end().len());
                }
                off += tok.len();
            }
        }
    }
    out.retain(|r| r.start < r.end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The in-place search finds exactly what a search of the upper-cased name finds.
        #[test]
        fn secret_names_match_an_upper_cased_search(name in "[a-zA-Z_éK]{0,6}(pass|Pwd|SECRET|tOkEn|auth|credential|private_?key|api_?KEY|ap|PRIVATE)?[a-zA-Z_]{0,6}") {
            let upper = name.to_ascii_uppercase();
            let expected = ["PASS", "PWD", "SECRET", "TOKEN", "AUTH", "CREDENTIAL", "PRIVATE_KEY",
                "PRIVATEKEY", "API_KEY", "APIKEY"].iter().any(|p| upper.contains(p));
            proptest::prop_assert_eq!(is_secret_name(&name), expected, "{}", name);
        }
    }

    /// Masking must cover at least every name the `k8s/secret-in-env` policy calls secret (it
    /// may cover more: hiding too much is harmless, showing a password is not).
    #[test]
    fn masking_covers_the_policys_secret_names() {
        let rule = crate::rules::get("k8s/secret-in-env").expect("bundled rule");
        let patterns = rule.params["name_patterns"]
            .as_array()
            .expect("name_patterns list");
        assert!(!patterns.is_empty());
        for p in patterns {
            let core = p.as_str().expect("a glob").trim_matches('*');
            assert!(super::is_secret_name(&format!("REDIS_{core}_FILE")), "{p}");
        }
        for n in ["REDIS_PASS", "DB_PWD", "PASSPHRASE", "redis_password"] {
            assert!(is_secret_name(n), "{n}");
        }
    }

    fn masked(text: &str) -> String {
        let map = SourceMap::new();
        let f = map.add("t.yaml", text);
        crate::source::mask(&f.text, f.id, &in_file(&f))
    }

    #[test]
    fn url_passwords_are_the_user_information_after_its_colon() {
        let t = "a redis://:p1@h:6379 b rediss://user:p2@h/0 c http://user@h d x:y@z e ://:@h";
        let found: Vec<&str> = url_passwords(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(found, ["p1", "p2"]);
        // The last `@` ends the user information (an `@` inside the password stays secret).
        let t = "redis://u:p@ss@h";
        assert_eq!(
            url_passwords(t)
                .into_iter()
                .map(|r| &t[r])
                .collect::<Vec<_>>(),
            ["p@ss"]
        );
    }

    #[test]
    fn directives_are_found_misspelled_glued_and_behind_flags() {
        for (line, hidden) in [
            ("requirepass\"pw1\"\n", "pw1"),
            ("requirepas pw2\n", "pw2"),
            ("require-pass pw3\n", "pw3"),
            ("requirepass \0pw4\n", "pw4"),
            ("requirepasspw5\n", "pw5"),
            ("args: [--requirepass, pw6]\n", "pw6"),
            ("args:\n  - --requirepass\n  - pw7\n", "pw7"),
            ("args: [\"--masterauth=pw8\"]\n", "pw8"),
            ("sentinel auth-pass m pw9\n", "pw9"),
            ("user app on >pwA ~* +@all\n", "pwA"),
            ("value: redis://:pwB@redis:6379\n", "pwB"),
            ("# was rediss://default:pwC@10.0.0.1:6380/0\n", "pwC"),
            ("args: [\"--redis.addr=redis://u:pwD@h\"]\n", "pwD"),
        ] {
            let m = masked(line);
            assert!(!m.contains(hidden), "{line:?} → {m:?}");
        }
        // A harmless line keeps its text.
        assert_eq!(
            masked("port 6379\nmaxmemory 1gb\n"),
            "port 6379\nmaxmemory 1gb\n"
        );
    }

    #[test]
    fn yaml_places_are_found_without_a_parse() {
        // Each text is broken YAML (a tab, an unclosed flow), so only the lines tell.
        let cases = [
            "kind: Secret\nstringData:\n  password: pwB\n\tbad: [\n",
            "data:\n  token: x\nkind: Secret\n  password: |\n    pwC\n  [\n",
            "env:\n  - name: REDIS_PASS\n    value: pwD\n  - {name: DB_PWD, value: pwE}\n  - value: pwF\n    name: PASSPHRASE\n[\n",
            "secretGenerator:\n- name: s\n  literals:\n  - key=pwG\n  - other=\"pwH\"\n[\n",
            "REDIS_PASSWORD=pwI\nMODE=on\n",
            "data:\n  users.acl: |\n    user app on >pwJ ~* +@all\n  [\n",
        ];
        for text in cases {
            let m = masked(text);
            for pw in [
                "pwB", "pwC", "pwD", "pwE", "pwF", "pwG", "pwH", "pwI", "pwJ",
            ] {
                assert!(!m.contains(pw), "{text:?} → {m:?}");
            }
        }
        // Other values stay visible.
        let m = masked(
            "env:\n  - name: MODE\n    value: on\n  - name: REDIS_PASSWORD\n    value: pw\n",
        );
        assert!(m.contains("value: on") && !m.contains("pw\n"), "{m}");
        let m = masked("volumes:\n  - secret:\n      secretName: redis-auth\n");
        assert!(m.contains("redis-auth"), "{m}");
    }

    #[test]
    fn tree_places_are_found() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  redis.conf.tpl: \"port 1\\nrequirepass pwK\\n\"\n  x: |\n    masterauth pwL\n";
        let m = masked(text);
        assert!(!m.contains("pwK") && !m.contains("pwL"), "{m}");
    }
}
