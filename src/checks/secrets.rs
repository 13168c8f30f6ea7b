//! Where secret values are written, so that no report prints them: the human report shows
//! source lines, and masks these spans in them. Findings themselves never carry a secret.

use crate::source::Span;
use crate::yaml::Node;

/// Env var names that hold credentials: a superset of the `k8s/secret-in-env` policy patterns
/// (a test keeps it one), because masking must never show less than the rule calls secret.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "AUTH",
        "CREDENTIAL",
        "PRIVATE_KEY",
        "API_KEY",
    ]
    .iter()
    .any(|p| n.contains(p))
}

/// Secret values of one Kubernetes object: every value of a Secret's `data`/`stringData`, and
/// literal `value`s of password-like env vars of any container.
pub fn of_object(doc: &Node, out: &mut Vec<Span>) {
    if doc.str_at(&["kind"]) == Some("Secret") {
        for field in ["data", "stringData"] {
            if let Some(m) = doc.get(field).and_then(Node::as_map) {
                out.extend(m.entries.iter().map(|e| e.value.span));
            }
        }
    }
    doc.walk(|n| {
        let Some(env) = n.get("env").and_then(Node::as_seq) else {
            return;
        };
        for e in env {
            if let (Some(name), Some(v)) = (e.get("name").and_then(Node::as_str), e.get("value")) {
                if is_secret_name(name) {
                    out.push(v.span);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
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
    }
}
