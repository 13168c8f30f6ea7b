//! Just enough of the POSIX shell to follow what a container script does with a config file:
//! simple commands split into words (quotes removed, offsets kept), their redirections, and
//! whether they run under a condition (`if`, `case`, `&&`, a loop). Anything fancier (functions,
//! here-documents, nested substitutions) is kept as opaque word text; a script that cannot be
//! followed leaves the model to say so, never to guess silently.

/// A word of a command, quotes removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Offsets of the raw word in the script.
    pub start: usize,
    pub end: usize,
    /// When the whole word is one quoted string or plain text: where its text starts in the
    /// script (its content is contiguous there). `None` for words mixing quoting styles.
    pub contiguous: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectOp {
    /// `>` (and `>|`)
    Write,
    /// `>>`
    Append,
    /// `<`
    Read,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub op: RedirectOp,
    pub target: Word,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    /// Runs only under a condition (inside `if`/`case`/a loop, or after `&&`/`||`).
    pub conditional: bool,
    /// Offsets of the whole command in the script.
    pub start: usize,
    pub end: usize,
}

/// Longest script read; a longer one is not followed.
pub const MAX_SCRIPT: usize = 256 * 1024;

/// The simple commands of `script`, in order.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    if script.len() > MAX_SCRIPT {
        return out;
    }
    let b = script.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    let mut after_logic = false;
    let mut cur = Command {
        words: Vec::new(),
        redirects: Vec::new(),
        conditional: false,
        start: 0,
        end: 0,
    };
    let mut pending: Option<RedirectOp> = None;
    let finish = |cur: &mut Command, out: &mut Vec<Command>, depth: &mut usize| {
        if let Some(first) = cur.words.first() {
            match first.text.as_str() {
                "if" | "case" | "for" | "while" | "until" => *depth += 1,
                "fi" | "esac" | "done" => *depth = depth.saturating_sub(1),
                _ => {}
            }
            // Keywords that open a body leave the rest of the line as the first command.
            let keyword = matches!(
                first.text.as_str(),
                "then" | "else" | "elif" | "do" | "if" | "while" | "until" | "!"
            );
            if keyword && cur.words.len() > 1 {
                cur.words.remove(0);
            } else if keyword {
                cur.words.clear();
            }
        }
        if !cur.words.is_empty() || !cur.redirects.is_empty() {
            out.push(std::mem::replace(
                cur,
                Command {
                    words: Vec::new(),
                    redirects: Vec::new(),
                    conditional: false,
                    start: 0,
                    end: 0,
                },
            ));
        } else {
            cur.redirects.clear();
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                let logic = (c == b'&' || c == b'|') && b.get(i + 1) == Some(&c);
                if c == b';' && b.get(i + 1) == Some(&b';') {
                    i += 1; // `;;` ends a case branch
                }
                finish(&mut cur, &mut out, &mut depth);
                i += if logic { 2 } else { 1 };
                after_logic = logic || (after_logic && c == b'|');
                if c == b'\n' || c == b';' {
                    after_logic = false;
                }
            }
            b'>' | b'<' => {
                let op = if c == b'<' {
                    RedirectOp::Read
                } else if b.get(i + 1) == Some(&b'>') {
                    i += 1;
                    RedirectOp::Append
                } else {
                    RedirectOp::Write
                };
                i += 1;
                if b.get(i) == Some(&b'|') || b.get(i) == Some(&b'&') {
                    i += 1;
                }
                pending = Some(op);
            }
            _ => {
                // A leading file descriptor number of a redirection (`2>`): drop it.
                let (w, next) = word(script, i);
                if next < b.len()
                    && (b[next] == b'>' || b[next] == b'<')
                    && w.text.bytes().all(|d| d.is_ascii_digit())
                {
                    i = next;
                    continue;
                }
                if cur.words.is_empty() && cur.redirects.is_empty() {
                    cur.start = w.start;
                    cur.conditional = depth > 0 || after_logic;
                }
                cur.end = w.end;
                match pending.take() {
                    Some(op) => cur.redirects.push(Redirect { op, target: w }),
                    None => cur.words.push(w),
                }
                i = next;
            }
        }
    }
    finish(&mut cur, &mut out, &mut depth);
    // `case` patterns (`a) …`) and the like leave words such as `"" | *[!…]*` as commands of
    // their own; they never name a file, so they are harmless here.
    out
}

/// The word starting at `i`; returns it and the offset after it.
fn word(s: &str, mut i: usize) -> (Word, usize) {
    let b = s.as_bytes();
    let start = i;
    let mut text = String::new();
    let mut styles = 0u8; // bit 0 plain, 1 single, 2 double
    let mut content_start = None;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
            b'\'' => {
                styles |= 2;
                content_start.get_or_insert(i + 1);
                let end = s[i + 1..].find('\'').map_or(b.len(), |k| i + 1 + k);
                text.push_str(&s[i + 1..end]);
                i = (end + 1).min(b.len());
            }
            b'"' => {
                styles |= 4;
                content_start.get_or_insert(i + 1);
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\'
                        && i + 1 < b.len()
                        && matches!(b[i + 1], b'"' | b'\\' | b'$' | b'`')
                    {
                        styles |= 8; // an escape: the content is not contiguous
                        i += 1;
                    }
                    let ch = s[i..].chars().next().unwrap_or(' ');
                    if ch == '$' && s[i..].starts_with("$(") {
                        let end = substitution_end(s, i);
                        text.push_str(&s[i..end]);
                        i = end;
                        continue;
                    }
                    text.push(ch);
                    i += ch.len_utf8();
                }
                i = (i + 1).min(b.len());
            }
            b'\\' if i + 1 < b.len() => {
                styles |= 8;
                let ch = s[i + 1..].chars().next().unwrap_or(' ');
                text.push(ch);
                i += 1 + ch.len_utf8();
            }
            b'$' if s[i..].starts_with("$(") => {
                styles |= 1;
                content_start.get_or_insert(i);
                let end = substitution_end(s, i);
                text.push_str(&s[i..end]);
                i = end;
            }
            _ => {
                styles |= 1;
                content_start.get_or_insert(i);
                let ch = s[i..].chars().next().unwrap_or(' ');
                text.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    let contiguous = match styles {
        1 | 2 | 4 => content_start,
        _ => None,
    };
    (
        Word {
            text,
            start,
            end: i,
            contiguous,
        },
        i.max(start + 1).min(b.len().max(start + 1)),
    )
}

/// The offset after the `$( … )` starting at `i` (nesting counted).
fn substitution_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: &Command) -> Vec<&str> {
        c.words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn copies_appends_and_conditions() {
        let s = "set -e\ncp /etc/t/redis.conf /etc/redis/redis.conf\necho \"requirepass ${P}\" >> /etc/redis/redis.conf\nif [ \"$H\" != a ]; then\n  echo 'replicaof a 6379' >> /r.conf\nfi\n";
        let cs = commands(s);
        assert_eq!(
            words(&cs[1]),
            ["cp", "/etc/t/redis.conf", "/etc/redis/redis.conf"]
        );
        assert_eq!(words(&cs[2]), ["echo", "requirepass ${P}"]);
        assert_eq!(cs[2].redirects[0].op, RedirectOp::Append);
        assert_eq!(cs[2].redirects[0].target.text, "/etc/redis/redis.conf");
        let w = &cs[2].words[1];
        let at = w.contiguous.unwrap();
        assert_eq!(&s[at..at + w.text.len()], "requirepass ${P}");
        assert!(!cs[2].conditional);
        let rep = cs
            .iter()
            .find(|c| words(c).first() == Some(&"echo") && c.words[1].text.starts_with("replicaof"))
            .unwrap();
        assert!(rep.conditional);
    }

    #[test]
    fn substitutions_and_redirect_forms() {
        let cs = commands("envsubst < /t/redis.conf > /r/redis.conf 2>/dev/null && x=$(a | b)\n");
        assert_eq!(words(&cs[0]), ["envsubst"]);
        assert_eq!(cs[0].redirects.len(), 3);
        assert_eq!(cs[0].redirects[0].op, RedirectOp::Read);
        assert!(cs[1].conditional);
        assert_eq!(words(&cs[1]), ["x=$(a | b)"]);
    }

    #[test]
    fn never_panics_on_odd_text() {
        for s in [
            "\"", "'", "$(", "\\", ">", "a >", "é\"é", "$(\"é", "if", "fi fi fi",
        ] {
            let _ = commands(s);
        }
    }
}
