//! How a line is written: the directive's name (canonical, alias, letter case, quoted), the
//! blanks around it, and small text edits (misspellings, hex ids).

use crate::redis_common::rng::SplitMix64;
use crate::redis_common::table::{Directive, Kind};

/// The name as written: canonical, an alias, or in another letter case.
pub(super) fn written_name(rng: &mut SplitMix64, d: &Directive) -> String {
    if d.kind == Kind::Form("module-config".into()) {
        return rng
            .pick(&["examplemod.max-items", "search.timeout"])
            .to_string();
    }
    let name = rng.pick(&d.names_7_0).clone();
    if rng.chance(10) {
        mixed_case(rng, &name)
    } else {
        name
    }
}

/// The decorated line; a module option comes with the `loadmodule` line of its module (without
/// one, Redis refuses after parsing, which the parse-only oracle cannot see).
pub(super) fn directive_line(
    rng: &mut SplitMix64,
    d: &Directive,
    name: &str,
    args: &str,
) -> String {
    let line = decorate(rng, name, args);
    match name.split_once('.') {
        Some((module, _)) if d.kind == Kind::Form("module-config".into()) => {
            format!("loadmodule /usr/lib/redis/modules/{module}.so\n{line}")
        }
        _ => line,
    }
}

/// `name args` with Redis-neutral variations: indentation, tabs, trailing blanks, a quoted name.
pub(super) fn decorate(rng: &mut SplitMix64, name: &str, args: &str) -> String {
    let indent = if rng.chance(8) {
        *rng.pick(&["  ", "\t"])
    } else {
        ""
    };
    let sep = if rng.chance(8) {
        *rng.pick(&["\t", "   "])
    } else {
        " "
    };
    let trail = if rng.chance(5) { " \t" } else { "" };
    let name = if rng.chance(3) {
        format!("\"{name}\"")
    } else {
        name.to_string()
    };
    if args.is_empty() {
        format!("{indent}{name}{trail}")
    } else {
        format!("{indent}{name}{sep}{args}{trail}")
    }
}

/// Each ASCII letter upper-cased with probability 1/3 (at least one, when there is one).
pub(super) fn mixed_case(rng: &mut SplitMix64, s: &str) -> String {
    if !rng.chance(30) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if rng.chance(33) {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

/// One edit: a dropped, doubled or swapped character, or `-` turned into `_`.
pub(super) fn misspell(rng: &mut SplitMix64, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return format!("{s}x");
    }
    let i = rng.below(chars.len() as u64 - 1) as usize;
    match rng.below(4) {
        0 => {
            chars.remove(i);
        }
        1 => chars.insert(i, chars[i]),
        2 => chars.swap(i, i + 1),
        _ => {
            if let Some(p) = chars.iter().position(|&c| c == '-') {
                chars[p] = '_';
            } else {
                chars.push('s');
            }
        }
    }
    chars.into_iter().collect()
}

pub(super) fn hex(rng: &mut SplitMix64, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'))
        .collect()
}
