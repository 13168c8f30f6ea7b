//! Findings: what every check produces and every report format prints.
//!
//! A finding always has a primary location in a real source file (never in rendered output),
//! optional related labels (the other half of a contradiction, the value a patch overrode) and
//! an optional `help` line saying what to write instead.

pub use crate::rules::{id, RuleId, Severity};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// A rule ID of the catalogue (`redis/maxmemory-headroom`).
    pub rule: RuleId,
    /// Set by the pipeline from the policy in force (the rule's default severity, or what
    /// `.grill-lint.yaml` says); checks do not choose it.
    pub severity: Severity,
    pub message: String,
    pub primary: Span,
    /// Label text on the primary location (optional; the message is shown anyway).
    pub primary_label: Option<String>,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// Environments (overlay names) in which the finding holds; empty for a file linted alone.
    pub environments: Vec<String>,
    /// A machine-readable refinement of the rule set by the check that made the finding (e.g.
    /// the redis module marks lines Redis refuses and its known divergences); not printed.
    pub detail: Option<&'static str>,
}

impl Finding {
    /// A finding of `rule` at `primary`. Its severity is the rule's default until the pipeline
    /// applies the policy in force.
    pub fn new(rule: RuleId, primary: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: crate::rules::default_severity(rule),
            message: message.into(),
            primary,
            primary_label: None,
            related: Vec::new(),
            help: None,
            environments: Vec::new(),
            detail: None,
        }
    }

    pub fn label(mut self, text: impl Into<String>) -> Finding {
        self.primary_label = Some(text.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Finding {
        self.help = Some(text.into());
        self
    }

    pub fn detail(mut self, detail: &'static str) -> Finding {
        self.detail = Some(detail);
        self
    }

    pub fn env(mut self, env: impl Into<String>) -> Finding {
        self.environments.push(env.into());
        self
    }
}
