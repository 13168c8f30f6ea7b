//! `user <name> [rule …]` lines: the ACL SETUSER grammar of Redis 7.0, as checked when the
//! server starts (unknown commands and categories abort the start: "Critical error while
//! loading ACLs").
//!
//! Rules never appear in messages: `>password` and `#hash` rules are secrets, and the messages
//! name only the kind of rule and its position.

use super::commands::{CommandTable, CATEGORIES};
use super::model::Arg;
use super::problem::Problem;

/// Checks the rules of one `user` line (`args[0]` is the user name).
pub fn check_user(args: &[Arg], cmds: &CommandTable) -> Result<(), Problem> {
    let mut hashes: Vec<String> = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let text = args[i].text.as_str();
        if text.starts_with('(') {
            // A selector: rules up to the argument that ends with `)`, joined by spaces.
            let close = (i..args.len())
                .find(|&k| args[k].text.ends_with(')'))
                .ok_or_else(|| Problem::new("ACL selector `(` is never closed").at(i))?;
            let joined: Vec<&str> = args[i..=close].iter().map(|a| a.text.as_str()).collect();
            let joined = joined.join(" ");
            let inner = joined
                .strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .unwrap_or("");
            for rule in inner.split_whitespace() {
                selector_rule(rule, cmds).map_err(|m| Problem::new(m).at(i))?;
            }
            i = close + 1;
            continue;
        }
        rule(text, &mut hashes, cmds)
            .map_err(|m| Problem::new(format!("ACL rule {} of user line: {m}", i)).at(i))?;
        i += 1;
    }
    Ok(())
}

fn is_hash(h: &str) -> bool {
    h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// True for a valid `#<sha256 hex>` password-hash rule.
pub fn is_hash_rule(rule: &str) -> bool {
    rule.strip_prefix('#').is_some_and(is_hash)
}

/// True when a rule carries a password in clear text (`>secret`, `<secret`).
pub fn is_password_rule(rule: &str) -> bool {
    rule.starts_with('>') || rule.starts_with('<')
}

/// One rule outside a selector. `hashes` holds the SHA-256 (hex) of the user's passwords so far:
/// `<password` and `!hash` must remove one that exists.
fn rule(r: &str, hashes: &mut Vec<String>, cmds: &CommandTable) -> Result<(), String> {
    const FLAGS: &[&str] = &[
        "on",
        "off",
        "nopass",
        "resetpass",
        "reset",
        "skip-sanitize-payload",
        "sanitize-payload",
        "clearselectors",
    ];
    if FLAGS.iter().any(|f| f.eq_ignore_ascii_case(r)) {
        if ["resetpass", "reset", "nopass"]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(r))
        {
            hashes.clear();
        }
        return Ok(());
    }
    let removed = |hashes: &mut Vec<String>, h: &str| match hashes.iter().position(|q| q == h) {
        Some(k) => {
            hashes.remove(k);
            Ok(())
        }
        None => Err("removes a password the user does not have".to_string()),
    };
    if let Some(p) = r.strip_prefix('>') {
        hashes.push(sha256_hex(p));
        return Ok(());
    }
    if let Some(p) = r.strip_prefix('<') {
        return removed(hashes, &sha256_hex(p));
    }
    if let Some(h) = r.strip_prefix('#').or_else(|| r.strip_prefix('!')) {
        if !is_hash(h) {
            return Err(
                "a password hash must be exactly 64 lower-case hexadecimal characters".into(),
            );
        }
        if r.starts_with('!') {
            return removed(hashes, h);
        }
        hashes.push(h.to_string());
        return Ok(());
    }
    selector_rule(r, cmds)
}

fn sha256_hex(password: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rules that are valid both for the user and inside a `(…)` selector.
fn selector_rule(r: &str, cmds: &CommandTable) -> Result<(), String> {
    const FLAGS: &[&str] = &[
        "allkeys",
        "resetkeys",
        "allchannels",
        "resetchannels",
        "allcommands",
        "nocommands",
    ];
    if FLAGS.iter().any(|f| f.eq_ignore_ascii_case(r)) || r.starts_with('~') || r.starts_with('&') {
        return Ok(());
    }
    if let Some(perm) = r.strip_prefix('%') {
        return key_permission(perm);
    }
    match r.split_at_checked(1) {
        Some(("+", cmd)) => command(cmd, true, cmds),
        Some(("-", cmd)) => command(cmd, false, cmds),
        _ => Err("not an ACL rule".into()),
    }
}

/// `%R~pattern`, `%W~…`, `%RW~…` (the pattern may be empty).
fn key_permission(perm: &str) -> Result<(), String> {
    let (flags, _pattern) = perm
        .split_once('~')
        .ok_or_else(|| "key permission without `~pattern`".to_string())?;
    let upper = flags.to_ascii_uppercase();
    if !matches!(upper.as_str(), "R" | "W" | "RW" | "WR") {
        return Err("key permissions are `%R~`, `%W~` or `%RW~` followed by a pattern".into());
    }
    Ok(())
}

/// `+cmd`, `-cmd`, `+cmd|sub`, `+@category`, `+cmd|first-arg` (allow only).
fn command(spec: &str, allow: bool, cmds: &CommandTable) -> Result<(), String> {
    let lower = spec.to_ascii_lowercase();
    if let Some(cat) = lower.strip_prefix('@') {
        return if CATEGORIES.binary_search(&cat).is_ok() || cat == "all" {
            Ok(())
        } else {
            Err("unknown ACL category".into())
        };
    }
    let Some((cmd, sub)) = lower.split_once('|') else {
        return if cmds.has_command(&lower) {
            Ok(())
        } else {
            Err("unknown command".into())
        };
    };
    if !cmds.has_command(cmd) {
        return Err("unknown command".into());
    }
    if sub.is_empty() {
        return Err("empty subcommand".into());
    }
    if cmds.is_container(cmd) {
        if cmds.has_subcommand(&lower) {
            Ok(())
        } else {
            Err("unknown subcommand".into())
        }
    } else if allow && !sub.contains('|') {
        Ok(())
    } else {
        Err("a first-argument rule (`cmd|arg`) can only allow, with one argument".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn user(line: &str) -> Result<(), Problem> {
        let args: Vec<Arg> = line
            .split(' ')
            .map(|t| Arg {
                text: t.to_string(),
                span: Span::file_start(FileId(0)),
                quoted: false,
                hash: false,
            })
            .collect();
        check_user(&args, CommandTable::of(crate::redis::ConfKind::Redis))
    }

    #[test]
    fn accepts_what_redis_7_0_starts_with() {
        for ok in [
            "x", "x on", "x ON >p", "x on +get|0", "x on +config|get", "x on -config|get",
            "x on +@ALL", "x on %RW~x %W~y", "x on +GET|0", "x on +Config|GET", "x on ~",
            "x on &chan", "x on (~foo +get)", "x on ( ~foo )", "x on ()",
            "x nopass resetpass reset allkeys resetkeys allchannels resetchannels allcommands nocommands skip-sanitize-payload sanitize-payload clearselectors",
            "x on #abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
            "x on >a <a", "x on %R~",
            "x on >a !ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", "x on -@all +acl|whoami", "default on nopass ~* &* +@all",
        ] {
            assert_eq!(user(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_redis_7_0_refuses() {
        for bad in [
            "x on +nosuch",
            "x on +@nosuch",
            "x on +config|nosuch",
            "x on -get|0",
            "x on +select|0|1",
            "x on +|",
            "x on +get|",
            "x on #abc",
            "x on %X~foo",
            "x on (~foo +get",
            "x on <foo",
            "x on +acl|whoami|x",
            "x on bogus",
            "x on #ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        ] {
            assert!(user(bad).is_err(), "{bad}");
        }
    }
}
