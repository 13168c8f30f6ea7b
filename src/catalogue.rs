//! The catalogue as people read it: `grill-lint rules`, `grill-lint explain`, docs/rules.md.
//! Rule files give the text; the check registry says which rules are checked; the policy in
//! force gives each parameter's value per environment.

use crate::checks::is_implemented;
use crate::policy::Policy;
use crate::rules::{all, Rule};

const PLANNED: &str = "**Status: planned** — documented with its policy, not checked yet.";

fn status(r: &Rule) -> Option<&'static str> {
    (!is_implemented(r.rule)).then_some(PLANNED)
}

/// `grill-lint rules`: one line per rule.
pub fn list_text() -> String {
    let width = all().iter().map(|r| r.id.len()).max().unwrap_or(0);
    all()
        .iter()
        .map(|r| {
            let planned = if is_implemented(r.rule) {
                ""
            } else {
                " (planned)"
            };
            format!(
                "{:width$}  {:7}  {}{planned}\n",
                r.id,
                r.severity.as_str(),
                r.summary
            )
        })
        .collect()
}

/// `grill-lint explain RULE`, with the parameters as `policy` sets them.
pub fn explain(id: &str, policy: &Policy) -> Option<String> {
    let r = crate::rules::get(id)?;
    Some(r.markdown("#", status(r), &policy.parameters_markdown(r.rule)))
}

/// `docs/rules.md`, generated from the registry and the bundled policy (a test keeps the file
/// in step).
pub fn docs_markdown(policy: &Policy) -> String {
    let mut s = String::from(
        "# grill-lint rules\n\n<!-- Generated from rules/*.yaml by `GRILL_UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n",
    );
    let mut group = "";
    for r in all() {
        let g = r.rule.group();
        if g != group {
            s.push_str(&format!("## {g}/*\n\n"));
            group = g;
        }
        s.push_str(&r.markdown("###", status(r), &policy.parameters_markdown(r.rule)));
    }
    s
}
