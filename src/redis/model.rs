//! The parsed config: every directive with its canonical name, the name as written, its
//! arguments and their spans in the real file. Later checks (maxmemory against the container
//! limit, persistence policy, …) read it through [`RedisConf::get`] and [`RedisConf::all`].

use super::embed::OffsetMap;
use super::table::{Spec, TABLE};
use super::tokenize::{tokenize, LineKind, QuoteError, Token};
use super::ConfKind;
use crate::source::{SourceFile, Span};

/// One argument: its text after quote and escape processing, and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub text: String,
    pub span: Span,
    /// Any part of it was quoted.
    pub quoted: bool,
    /// Written as a bare word starting with `#` (an attempted inline comment).
    pub hash: bool,
}

#[derive(Clone, Debug)]
pub struct Directive {
    /// Canonical name: the table's name after aliases (`slaveof` → `replicaof`), otherwise the
    /// lower-cased written name.
    pub name: String,
    /// The name as written.
    pub written: String,
    pub name_span: Span,
    pub args: Vec<Arg>,
    /// The whole line (trimmed).
    pub line: Span,
    /// 1-based line number in the file that holds it (the YAML file for an embedded config).
    pub line_number: usize,
    /// The table row, when the name is in the table (also for names Redis 7.0 lacks).
    pub spec: Option<&'static Spec>,
    /// Written with a compatibility alias.
    pub alias: bool,
    /// Redis 7.0 accepts this spelling.
    pub known: bool,
}

/// A line whose quotes do not balance.
#[derive(Clone, Debug)]
pub struct Unbalanced {
    pub line: Span,
    pub quote: Span,
    pub error: QuoteError,
    /// The line's first word, lower-cased (the directive it was meant to be).
    pub name: String,
    /// The rest of the line after that word.
    pub rest: Span,
}

#[derive(Clone, Debug)]
pub struct RedisConf {
    pub kind: ConfKind,
    pub directives: Vec<Directive>,
    pub unbalanced: Vec<Unbalanced>,
}

impl RedisConf {
    /// The directive that takes effect (the last one; Redis keeps the last line).
    pub fn get(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().rev().find(|d| d.name == name)
    }

    /// Every line of a directive, in file order (`save`, `user`, `rename-command`, …).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Directive> + 'a {
        self.directives.iter().filter(move |d| d.name == name)
    }

    /// The single argument of the effective directive (`get("maxmemory")` → `"100mb"`).
    pub fn value(&self, name: &str) -> Option<&str> {
        match self.get(name)?.args.as_slice() {
            [a] => Some(a.text.as_str()),
            _ => None,
        }
    }

    /// `sentinel <subcommand> …` lines with that subcommand (case-insensitive).
    pub fn sentinel<'a>(&'a self, sub: &'a str) -> impl Iterator<Item = &'a Directive> + 'a {
        self.all("sentinel").filter(move |d| {
            d.args
                .first()
                .is_some_and(|a| a.text.eq_ignore_ascii_case(sub))
        })
    }
}

/// Parses config text whose offsets map into `file` through `map`.
pub fn parse_text(text: &str, map: &OffsetMap, file: &SourceFile, kind: ConfKind) -> RedisConf {
    let mut conf = RedisConf {
        kind,
        directives: Vec::new(),
        unbalanced: Vec::new(),
    };
    for line in tokenize(text) {
        let line_span = || map.span(file, line.start, line.end);
        match line.kind {
            LineKind::Blank | LineKind::Comment => {}
            LineKind::Unbalanced(error) => {
                let content = text.get(line.start..line.end).unwrap_or("");
                let word = content.find([' ', '\t']).unwrap_or(content.len());
                conf.unbalanced.push(Unbalanced {
                    line: line_span(),
                    quote: map.span(file, error.quote, error.at.max(error.quote + 1)),
                    error,
                    name: content[..word].to_ascii_lowercase(),
                    rest: map.span(file, line.start + word, line.end),
                })
            }
            LineKind::Args(tokens) => {
                let args = tokens
                    .into_iter()
                    .map(|t| arg(text, t, map, file))
                    .collect();
                // The line of the file a person edits (inside a ConfigMap: the YAML file's
                // line), so that every line number a message quotes can be found there.
                let span = line_span();
                let number = file.line_col(span.start as usize).line as usize;
                conf.directives.push(directive(args, span, number));
            }
        }
    }
    conf
}

fn arg(text: &str, t: Token, map: &OffsetMap, file: &SourceFile) -> Arg {
    Arg {
        text: t.text,
        span: map.span(file, t.start, t.end),
        quoted: t.quoted,
        hash: text.as_bytes().get(t.start) == Some(&b'#'),
    }
}

fn directive(mut args: Vec<Arg>, line: Span, line_number: usize) -> Directive {
    let first = args.remove(0);
    let lower = first.text.to_ascii_lowercase();
    let (spec, alias, known) = match TABLE.lookup(&lower) {
        Some(l) => (Some(l.spec), l.alias, l.known_in_7_0),
        None if lower.contains('.') => (
            TABLE.lookup("<module>.<config>").map(|l| l.spec),
            false,
            true,
        ),
        None => (None, false, false),
    };
    let name = match spec {
        Some(s) if !s.name.contains('<') => s.name.clone(),
        _ => lower,
    };
    Directive {
        name,
        written: first.text,
        name_span: first.span,
        args,
        line,
        line_number,
        spec,
        alias,
        known,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    #[test]
    fn canonical_names_and_lookup() {
        let map = SourceMap::new();
        let f = map.add(
            "r.conf",
            "SLAVEOF h 1\nsave 900 1\nsave 60 5\nfoo.bar 1\nMaxMemory 1mb\n",
        );
        let c = parse_text(&f.text, &OffsetMap::Identity, &f, ConfKind::Redis);
        assert_eq!(c.get("replicaof").unwrap().written, "SLAVEOF");
        assert!(c.get("replicaof").unwrap().alias);
        assert_eq!(c.all("save").count(), 2);
        assert_eq!(c.value("maxmemory"), Some("1mb"));
        let m = c.get("maxmemory").unwrap();
        assert_eq!(f.slice(m.args[0].span), "1mb");
        assert_eq!(f.line_col(m.args[0].span.start as usize).line, 5);
        assert_eq!(
            c.get("foo.bar").unwrap().spec.unwrap().name,
            "<module>.<config>"
        );
        let s = map.add(
            "s.conf",
            "sentinel monitor m h 1 2\nSENTINEL Auth-Pass m x\nsentinel monitor n h 1 2\n",
        );
        let c = parse_text(&s.text, &OffsetMap::Identity, &s, ConfKind::Sentinel);
        assert_eq!(c.sentinel("monitor").count(), 2);
        assert_eq!(c.sentinel("auth-pass").next().unwrap().args[1].text, "m");
    }
}
