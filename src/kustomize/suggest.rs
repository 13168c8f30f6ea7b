//! Help lines for names that do not exist: the names that do, closest first, so that a typo
//! (`redis-servcie.yaml`, `redis-master`) points straight at what was meant.

use std::path::Path;

/// How similar a candidate must be (normalized Levenshtein) to count as a likely typo.
const TYPO: f64 = 0.7;

/// `candidates` ordered by similarity to `name`, most similar first (ties keep their order).
pub fn by_similarity<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::normalized_levenshtein(name, c), c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, c)| c).collect()
}

/// The candidate close enough to `name` to be a typo of it.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    by_similarity(name, candidates)
        .into_iter()
        .next()
        .filter(|c| strsim::normalized_levenshtein(name, c) >= TYPO)
}

/// "did you mean `…`?" for a missing file or directory `p`, from the entries beside it.
pub fn sibling(p: &Path) -> Option<String> {
    let name = p.file_name()?.to_str()?;
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
    let entries = std::fs::read_dir(dir.unwrap_or(Path::new("."))).ok()?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    closest(name, names.iter().map(String::as_str)).map(|c| format!("did you mean `{c}`?"))
}

/// "existing X objects: `a`, `b`" (closest to `name` first, at most five), or that there is none.
pub fn objects_of_kind<'a>(
    kind: &str,
    name: &str,
    existing: impl IntoIterator<Item = &'a str>,
) -> String {
    const SHOWN: usize = 5;
    let names = by_similarity(name, existing);
    if names.is_empty() {
        return format!(
            "no {kind} exists at this point of the build; check the `kind` and `apiVersion`"
        );
    }
    if let [only] = names.as_slice() {
        return format!("the only {kind} is `{only}`");
    }
    let list: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(SHOWN);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("the existing {kind} objects are {}{tail}", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_come_first_and_typos_are_recognised() {
        let names = ["redis-sentinel", "redis", "redis-master-0"];
        assert_eq!(
            by_similarity("redis-master", names),
            ["redis-master-0", "redis-sentinel", "redis"]
        );
        assert_eq!(
            closest("redis-servcie.yaml", ["redis.yaml", "redis-service.yaml"]),
            Some("redis-service.yaml")
        );
        assert_eq!(closest("kustomization.yaml", ["redis.yaml"]), None);
    }

    #[test]
    fn objects_are_listed_closest_first_and_capped() {
        let many = ["a", "b", "c", "d", "e", "redis-mastr", "g"];
        let help = objects_of_kind("StatefulSet", "redis-master", many);
        assert!(
            help.starts_with("the existing StatefulSet objects are `redis-mastr`, "),
            "{help}"
        );
        assert!(help.ends_with(" and 2 more"), "{help}");
        assert!(objects_of_kind("Secret", "x", []).starts_with("no Secret exists"));
        assert_eq!(
            objects_of_kind("Secret", "x", ["y"]),
            "the only Secret is `y`"
        );
    }
}
