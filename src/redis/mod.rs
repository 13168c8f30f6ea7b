//! redis.conf and sentinel.conf: tokenizer, directive table, value grammar and file-level rules.
//!
//! PLACEHOLDER until issue #4's validator is merged (the lead's integration branch only).

use crate::diag::Finding;
use crate::source::SourceFile;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfKind {
    Redis,
    Sentinel,
}

pub fn detect_kind(path: &Path, text: &str) -> ConfKind {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.starts_with("sentinel")
        || text
            .lines()
            .any(|l| l.trim_start().starts_with("sentinel monitor"))
    {
        ConfKind::Sentinel
    } else {
        ConfKind::Redis
    }
}

pub fn lint_file(_file: &SourceFile, _kind: ConfKind) -> Vec<Finding> {
    Vec::new()
}

pub fn lint_embedded(
    _file: &SourceFile,
    _node: &crate::yaml::Node,
    _kind: ConfKind,
) -> Vec<Finding> {
    Vec::new()
}
