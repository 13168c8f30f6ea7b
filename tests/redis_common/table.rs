//! The directive catalogue as the generator sees it: `data/redis-directives.tsv` (the research's
//! table, copied into the repository) reduced to what Redis 7.0.15 — the oracle — accepts.
//!
//! The generator draws names and values from this table so that every directive type of the
//! catalogue is exercised; names only newer versions accept become "unknown to 7.0" cases.

/// Value grammar of one directive, from the TSV `type` and `range_or_enum` columns.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Bool,
    Int {
        lo: i128,
        hi: i128,
    },
    Memory {
        lo: i128,
        hi: i128,
    },
    MemoryOrPercent,
    Octal,
    Enum(Vec<String>),
    EnumFlags(Vec<String>),
    Str,
    /// `special:<form>` and `directive:<form>` rows: the form after the colon.
    Form(String),
    DeprecatedIgnored,
}

#[derive(Clone, Debug)]
pub struct Directive {
    /// Canonical name (TSV `name`).
    pub name: String,
    /// Names redis-server 7.0 accepts for it (canonical name and aliases, or the 7.0 spelling).
    pub names_7_0: Vec<String>,
    /// Names only later versions accept (7.2+ directives, 7.4's dashed `*-cpulist`).
    pub newer_names: Vec<String>,
    pub kind: Kind,
}

impl Directive {
    /// Whether redis-server 7.0 knows the directive at all.
    pub fn in_7_0(&self) -> bool {
        !self.names_7_0.is_empty()
    }
}

const TSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/redis-directives.tsv"
));

/// Every row of the catalogue. Panics on a malformed row: the file is repository data, and a
/// broken copy must stop the test rather than silently shrink the generated corpus.
pub fn load() -> Vec<Directive> {
    TSV.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(parse_row)
        .collect()
}

fn parse_row(line: &str) -> Directive {
    let cols: Vec<&str> = line.split('\t').collect();
    assert!(cols.len() >= 8, "malformed TSV row: {line:?}");
    let (name, aliases, ty, range, versions) = (cols[0], cols[1], cols[2], cols[3], cols[7]);
    let mut all: Vec<String> = vec![name.to_string()];
    all.extend(
        aliases
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from),
    );
    let (names_7_0, newer_names) = split_by_version(&all, versions);
    Directive {
        name: name.to_string(),
        names_7_0,
        newer_names,
        kind: parse_kind(ty, range),
    }
}

/// `7.0,7.2,…` → every name is 7.0's; `7.0(as x),…` → only `x` is; no `7.0` → none is.
fn split_by_version(all: &[String], versions: &str) -> (Vec<String>, Vec<String>) {
    let first = versions.split(',').next().unwrap_or("");
    if first == "7.0" {
        (all.to_vec(), Vec::new())
    } else if let Some(alias) = first
        .strip_prefix("7.0(as ")
        .and_then(|s| s.strip_suffix(')'))
    {
        let newer = all.iter().filter(|n| *n != alias).cloned().collect();
        (vec![alias.to_string()], newer)
    } else {
        (Vec::new(), all.to_vec())
    }
}

fn parse_kind(ty: &str, range: &str) -> Kind {
    match ty {
        "bool" => Kind::Bool,
        "int" => {
            let (lo, hi) = parse_range(range);
            Kind::Int { lo, hi }
        }
        "memory" => {
            let (lo, hi) = parse_range(range);
            Kind::Memory { lo, hi }
        }
        "memory|percent" => Kind::MemoryOrPercent,
        "octal" => Kind::Octal,
        "enum" => Kind::Enum(range.split('|').map(String::from).collect()),
        "enum-flags" => Kind::EnumFlags(range.split('|').map(String::from).collect()),
        "string" => Kind::Str,
        "deprecated-ignored" => Kind::DeprecatedIgnored,
        other => match other.split_once(':') {
            Some(("special" | "directive", form)) => Kind::Form(form.to_string()),
            _ => panic!("unknown type {other:?} in the directive TSV"),
        },
    }
}

/// `lo..hi` (the first whitespace-separated word of the column).
fn parse_range(range: &str) -> (i128, i128) {
    let word = range.split_whitespace().next().unwrap_or("");
    let parsed = word
        .split_once("..")
        .and_then(|(lo, hi)| Some((lo.parse().ok()?, hi.parse().ok()?)));
    parsed.unwrap_or_else(|| panic!("unparsable range {range:?} in the directive TSV"))
}
