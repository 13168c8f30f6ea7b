//! The budget of one build: how many values and bytes of scalar text its operations may copy
//! or create.
//!
//! A few lines of kustomization can make a build grow without bound: thirty JSON6902 `copy`
//! operations of `/spec` into `/spec/lN` double the object thirty times; so do thirty
//! `replacements` that copy `spec` into a new field of itself; a delimiter replacement of a
//! field into itself doubles a string; a long `namePrefix` or a big label set is copied into
//! every object. Every operation that copies or creates values charges what it is about to
//! copy *before* it copies it, so the build stops, with one located `yaml/limits` finding
//! naming the limit and the operation, while memory is still small. Once the budget is spent
//! every later charge fails, and the build does no more work.
//!
//! A value is a scalar, a sequence or a mapping (a mapping key is counted with its entry, not
//! as a value of its own); bytes are the bytes of scalar text, keys included. Real overlays
//! stay far below the limits: the bundled prod-lab overlay is a few thousand values.

use crate::diag::Finding;
use crate::rules::id;
use crate::source::Span;
use crate::yaml::{Node, Value};

/// Values the operations of one build may copy or create.
pub const MAX_VALUES: usize = 1 << 20;
/// Bytes of scalar text the operations of one build may copy or create.
pub const MAX_BYTES: usize = 64 << 20;

/// What one build has spent so far.
#[derive(Debug, Default)]
pub struct Budget {
    values: usize,
    bytes: usize,
    exhausted: bool,
}

/// The budget ran out: which limit, and what the build would have reached.
#[derive(Clone, Copy, Debug)]
pub struct Exceeded {
    /// False when an earlier charge already ran out (its finding was already made).
    pub first: bool,
    bytes: bool,
    reached: usize,
}

/// Values and scalar bytes of `n` (see the module documentation). Stops counting past the
/// limits, so charging a huge subtree costs no more than the budget itself.
pub fn size(n: &Node) -> (usize, usize) {
    let (mut values, mut bytes) = (0usize, 0usize);
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        values += 1;
        match &n.value {
            Value::Scalar(s) => bytes += s.text.len(),
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(m) => {
                for e in m.entries.iter() {
                    bytes += e.key.as_str().map_or(0, str::len);
                    stack.push(&e.value);
                }
            }
        }
        if values > MAX_VALUES || bytes > MAX_BYTES {
            break;
        }
    }
    (values, bytes)
}

/// Values and bytes of an accumulated object: its node and the history kept beside it (every
/// earlier id, prefix and suffix), which a copy duplicates too.
pub fn res_size(r: &super::resource::Res) -> (usize, usize) {
    let (mut values, mut bytes) = size(&r.node);
    for id in &r.prev {
        values += 5;
        bytes += id.group.len() + id.version.len() + id.kind.len();
        bytes += id.namespace.len() + id.name.len();
    }
    for a in r.prefixes.iter().chain(&r.suffixes) {
        values += 1;
        bytes += a.len();
    }
    (values, bytes)
}

impl Budget {
    /// Charges `values` and `bytes` about to be copied or created.
    pub fn charge(&mut self, values: usize, bytes: usize) -> Result<(), Exceeded> {
        if self.exhausted {
            return Err(Exceeded {
                first: false,
                bytes: false,
                reached: self.values,
            });
        }
        self.values = self.values.saturating_add(values);
        self.bytes = self.bytes.saturating_add(bytes);
        let over_values = self.values > MAX_VALUES;
        if over_values || self.bytes > MAX_BYTES {
            self.exhausted = true;
            return Err(Exceeded {
                first: true,
                bytes: !over_values,
                reached: if over_values { self.values } else { self.bytes },
            });
        }
        Ok(())
    }

    /// Charges the size of `n` (about to be copied).
    pub fn charge_node(&mut self, n: &Node) -> Result<(), Exceeded> {
        let (v, b) = size(n);
        self.charge(v, b)
    }

    /// Marks the budget spent (another limit of the build was reached): later charges fail
    /// without a finding of their own.
    pub fn exhaust(&mut self) {
        self.exhausted = true;
    }

    /// True once a charge has failed: the build stops doing work.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }
}

impl Exceeded {
    /// The finding at the operation `at`, described by `operation` ("this JSON6902 `copy`
    /// operation"); `None` when an earlier operation already reported the spent budget.
    pub fn finding(&self, at: Span, operation: &str) -> Option<Finding> {
        if !self.first {
            return None;
        }
        let message = if self.bytes {
            format!(
                "{operation} takes the build to {} bytes of text, past its limit of {MAX_BYTES} bytes (build size limit); the build stops here",
                self.reached
            )
        } else {
            format!(
                "{operation} takes the build to {} values, past its limit of {MAX_VALUES} values (build size limit); the build stops here",
                self.reached
            )
        };
        Some(Finding::new(id::YAML_LIMITS, at, message).help(
            "a real overlay copies a few thousand values: look for an operation that copies an object into itself, over and over",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    #[test]
    fn size_counts_values_and_text_keys_with_their_entries() {
        let map = SourceMap::new();
        let f = map.add("t.yaml", "a: [xy, z]\nb: {c: 1}\n");
        let doc = parse_stream(&f, Limits::default()).docs.remove(0);
        // root map, the list, xy, z, the inner map, 1
        assert_eq!(size(&doc), (6, "a".len() + 3 + "b".len() + "c".len() + 1));
    }

    #[test]
    fn the_first_charge_past_the_limit_reports_and_later_ones_are_silent() {
        let mut b = Budget::default();
        b.charge(MAX_VALUES, 0).unwrap();
        let e = b.charge(2, 0).unwrap_err();
        assert!(e.first);
        let f = e
            .finding(Span::file_start(crate::source::FileId(0)), "this op")
            .unwrap();
        assert!(
            f.message.contains(&format!("{}", MAX_VALUES + 2)),
            "{}",
            f.message
        );
        assert!(f.message.contains(&format!("{MAX_VALUES}")));
        let again = b.charge(0, 0).unwrap_err();
        assert!(!again.first && again.finding(f.primary, "x").is_none());
        assert!(b.exhausted());
        let mut b = Budget::default();
        let e = b.charge(1, MAX_BYTES + 1).unwrap_err();
        let f = e.finding(f.primary, "this op").unwrap();
        assert!(f.message.contains("bytes of text"), "{}", f.message);
    }
}
