//! The directive table, compiled into the binary from `data/redis-directives.tsv`.
//!
//! The TSV (one row per directive: name, aliases, type, range or enum, default, mutability,
//! flags, versions, live check, notes) is the research result for Redis 7.0 → 8.0-pre. It is
//! embedded with `include_str!` and read once into [`Spec`]s; a test checks that every row is
//! understood, so a malformed edit of the TSV fails the build's tests, not a user's run.
//! grill-lint judges against Redis 7.0 (the version of the reference server): a directive whose
//! `versions` do not include 7.0 is unknown there, and its 7.0 spelling may differ
//! (`server_cpulist` before 7.4's `server-cpulist`).

use crate::hash::HashMap;
use std::sync::LazyLock;

static TSV: &str = include_str!("../../data/redis-directives.tsv");

/// The value grammar of a directive.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Bool,
    /// `string2ll` integer in `min..=max`.
    Int {
        min: i128,
        max: i128,
    },
    /// `memtoull` size in `min..=max` (bytes).
    Memory {
        min: u64,
        max: u64,
    },
    /// A memory size or `N%` (0..=100).
    MemoryPercent {
        max: u64,
    },
    /// `strtoll(…, 8)` in `0..=max` (octal digits).
    Octal {
        max: i64,
    },
    Enum(Vec<String>),
    /// One or more enum values (`shutdown-on-sigterm save now`).
    EnumFlags(Vec<String>),
    /// Any single argument; `empty_is_unset` when `""` means "not set".
    Str {
        empty_is_unset: bool,
    },
    /// A form with its own grammar (`special:save`, `directive:rename`, …), named by its form.
    Form(String),
    /// Accepted with exactly one argument and ignored (`list-max-ziplist-entries`).
    DeprecatedIgnored,
}

#[derive(Clone, Debug)]
pub struct Spec {
    /// The canonical name (the TSV's `name` column).
    pub name: String,
    pub aliases: Vec<String>,
    pub ty: Type,
    pub default: String,
    /// `MULTI_ARG_CONFIG`: a single argument is re-split on spaces.
    pub multi_arg: bool,
    pub sensitive: bool,
    /// The Redis versions that know the directive, as written in the TSV.
    pub versions: String,
    /// The name Redis 7.0 accepts for it, when 7.0 knows it.
    pub name_7_0: Option<String>,
    pub notes: String,
}

/// How a written name resolved.
#[derive(Clone, Copy, Debug)]
pub struct Lookup {
    pub spec: &'static Spec,
    /// The name was a compatibility alias (`slaveof`), not the 7.0 name.
    pub alias: bool,
    /// Redis 7.0 knows this spelling.
    pub known_in_7_0: bool,
}

pub struct Table {
    pub specs: Vec<Spec>,
    by_name: HashMap<String, (usize, bool)>,
}

/// The table, read on first use.
pub static TABLE: LazyLock<Table> = LazyLock::new(|| {
    Table::parse(TSV).unwrap_or_else(|e| panic!("data/redis-directives.tsv: {e}"))
});

impl Table {
    pub fn parse(tsv: &str) -> Result<Table, String> {
        let mut specs = Vec::new();
        for (n, row) in tsv.lines().enumerate().skip(1) {
            if row.trim().is_empty() {
                continue;
            }
            specs.push(parse_row(row).map_err(|e| format!("row {}: {e}", n + 1))?);
        }
        let mut by_name = HashMap::default();
        for (i, s) in specs.iter().enumerate() {
            by_name.insert(s.name.clone(), (i, false));
            for a in &s.aliases {
                by_name.insert(a.clone(), (i, true));
            }
        }
        Ok(Table { specs, by_name })
    }

    /// Looks up a lower-cased directive name.
    pub fn lookup(&'static self, name: &str) -> Option<Lookup> {
        let &(i, via_alias) = self.by_name.get(name)?;
        let spec = &self.specs[i];
        let known_in_7_0 = match &spec.name_7_0 {
            Some(n7) => n7 == name || (via_alias && !spec.aliases.iter().any(|a| a == n7)),
            None => false,
        };
        Some(Lookup {
            spec,
            alias: via_alias && spec.name_7_0.as_deref() != Some(name),
            known_in_7_0,
        })
    }

    /// Every name Redis 7.0 accepts (for did-you-mean).
    pub fn names_7_0(&self) -> impl Iterator<Item = &str> {
        self.specs
            .iter()
            .filter(|s| s.name_7_0.is_some())
            .flat_map(|s| {
                s.name_7_0
                    .iter()
                    .map(String::as_str)
                    .chain(s.aliases.iter().map(String::as_str))
                    .filter(|n| !n.contains('<'))
            })
    }
}

fn parse_row(row: &str) -> Result<Spec, String> {
    let cols: Vec<&str> = row.split('\t').collect();
    let col = |i: usize| cols.get(i).copied().unwrap_or("").trim();
    let name = col(0).to_string();
    if name.is_empty() {
        return Err("empty name".into());
    }
    let aliases: Vec<String> = col(1)
        .split([',', ' '])
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    let flags = col(6);
    let versions = col(7).to_string();
    let name_7_0 = versions.split(',').find_map(|v| {
        let v = v.trim();
        if v == "7.0" {
            Some(name.clone())
        } else {
            v.strip_prefix("7.0(as ")
                .and_then(|r| r.strip_suffix(')'))
                .map(str::to_string)
        }
    });
    Ok(Spec {
        ty: parse_type(col(2), col(3))?,
        default: col(4).to_string(),
        multi_arg: flags.contains("MULTI_ARG_CONFIG"),
        sensitive: flags.contains("SENSITIVE_CONFIG"),
        name,
        aliases,
        versions,
        name_7_0,
        notes: col(9).to_string(),
    })
}

fn parse_type(ty: &str, range: &str) -> Result<Type, String> {
    let words = || range.split('|').map(str::to_string).collect::<Vec<_>>();
    Ok(match ty {
        "bool" => Type::Bool,
        "int" => {
            let (min, max) = bounds(range)?;
            Type::Int { min, max }
        }
        "memory" => {
            let (min, max) = bounds(range)?;
            Type::Memory {
                min: u64::try_from(min).map_err(|e| e.to_string())?,
                max: u64::try_from(max).map_err(|e| e.to_string())?,
            }
        }
        "memory|percent" => {
            let first = range.split_whitespace().next().unwrap_or("");
            let (_, max) = bounds(first)?;
            Type::MemoryPercent {
                max: u64::try_from(max).map_err(|e| e.to_string())?,
            }
        }
        "octal" => {
            let first = range.split_whitespace().next().unwrap_or("");
            let (_, max) = bounds(first)?;
            let max = i64::from_str_radix(&max.to_string(), 8).map_err(|e| e.to_string())?;
            Type::Octal { max }
        }
        "enum" => Type::Enum(words()),
        "enum-flags" => Type::EnumFlags(words()),
        "string" => Type::Str {
            empty_is_unset: range == "empty=>unset",
        },
        "deprecated-ignored" => Type::DeprecatedIgnored,
        t => match t.split_once(':') {
            Some(("special" | "directive", form)) => Type::Form(form.to_string()),
            _ => return Err(format!("unknown type `{t}`")),
        },
    })
}

fn bounds(range: &str) -> Result<(i128, i128), String> {
    let (lo, hi) = range
        .split_once("..")
        .ok_or_else(|| format!("range `{range}` has no `..`"))?;
    let num = |s: &str| s.parse::<i128>().map_err(|e| format!("`{s}`: {e}"));
    Ok((num(lo)?, num(hi)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_tsv_is_understood() {
        let rows = TSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(TABLE.specs.len(), rows);
        assert_eq!(rows, 197);
        // Every name and alias resolves back to its row.
        for row in TSV.lines().skip(1) {
            let name = row.split('\t').next().unwrap();
            assert_eq!(TABLE.lookup(name).unwrap().spec.name, name);
        }
    }

    #[test]
    fn types_ranges_and_aliases() {
        let m = TABLE.lookup("maxmemory").unwrap();
        assert_eq!(
            m.spec.ty,
            Type::Memory {
                min: 0,
                max: u64::MAX
            }
        );
        let p = TABLE.lookup("port").unwrap();
        assert_eq!(p.spec.ty, Type::Int { min: 0, max: 65535 });
        let s = TABLE.lookup("slaveof").unwrap();
        assert!(s.alias && s.known_in_7_0);
        assert_eq!(s.spec.name, "replicaof");
        assert!(s.spec.multi_arg);
        assert_eq!(
            TABLE.lookup("unixsocketperm").unwrap().spec.ty,
            Type::Octal { max: 0o777 }
        );
        assert!(TABLE.lookup("requirepass").unwrap().spec.sensitive);
        match &TABLE.lookup("appendfsync").unwrap().spec.ty {
            Type::Enum(v) => assert_eq!(v, &["everysec", "always", "no"]),
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn versions_decide_what_7_0_knows() {
        let new = TABLE.lookup("set-max-listpack-entries").unwrap();
        assert!(!new.known_in_7_0);
        let dashed = TABLE.lookup("server-cpulist").unwrap();
        assert!(!dashed.known_in_7_0);
        let under = TABLE.lookup("server_cpulist").unwrap();
        assert!(under.known_in_7_0 && !under.alias);
        assert!(TABLE.names_7_0().any(|n| n == "server_cpulist"));
        assert!(!TABLE.names_7_0().any(|n| n == "server-cpulist"));
    }
}
