//! `k8s/image-tag`: every image, after kustomize's `images:` transformer, is pinned: a tag with
//! a full `major.minor.patch` version that is not forbidden, or a digest. A rewritten image is
//! reported at the `images:` entry that set it (the span the builder gives the new value), with
//! a related label at the image it replaced.

use super::describe;
use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::Deployment;
use crate::rules::{id, RuleId};
use serde::Deserialize;

pub struct ImageTag;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub forbidden_tags: Vec<String>,
    pub require_patch_version: bool,
}

/// The tag of an image reference (`7.2.5-alpine` of `registry:5000/redis:7.2.5-alpine`), and
/// whether it carries a digest.
fn tag_of(image: &str) -> (Option<&str>, bool) {
    let (head, digest) = match image.split_once('@') {
        Some((h, _)) => (h, true),
        None => (image, false),
    };
    let last = head.rfind('/').map_or(0, |i| i + 1);
    (head[last..].split_once(':').map(|(_, t)| t), digest)
}

/// Whether `tag` contains `N.N.N` (digits, dot, digits, dot, digits).
fn has_patch_version(tag: &str) -> bool {
    let b = tag.as_bytes();
    (0..b.len()).any(|i| {
        if i > 0 && b[i - 1].is_ascii_digit() {
            return false;
        }
        let mut j = i;
        for part in 0..3 {
            let start = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j == start {
                return false;
            }
            if part < 2 {
                if b.get(j) != Some(&b'.') {
                    return false;
                }
                j += 1;
            }
        }
        true
    })
}

impl Check for ImageTag {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::K8S_IMAGE_TAG];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let p = cx.params;
        for w in &d.workloads {
            for c in &w.containers {
                let Some(node) = c.image else { continue };
                let Some(image) = node.as_str() else { continue };
                let (tag, digest) = tag_of(image);
                if digest {
                    continue;
                }
                let (msg, label) = match tag {
                    None => (
                        format!("image `{image}` of {} has no tag: every pull takes whatever `latest` is then", describe(w, c)),
                        "no tag",
                    ),
                    Some(t) if p.forbidden_tags.iter().any(|f| f.eq_ignore_ascii_case(t)) => (
                        format!("image `{image}` of {} uses the floating tag `{t}`: pods can run different versions after a reschedule", describe(w, c)),
                        "floating tag",
                    ),
                    Some(t) if p.require_patch_version && !has_patch_version(t) => (
                        format!("image `{image}` of {} has the tag `{t}`, which names no major.minor.patch version: it moves with every release", describe(w, c)),
                        "no patch version",
                    ),
                    Some(_) => continue,
                };
                let mut f = Finding::new(id::K8S_IMAGE_TAG, node.span, msg)
                    .label(label)
                    .help(
                        "pin a full version (e.g. `redis:7.2.5-alpine`) or a digest (`@sha256:…`)",
                    );
                if let Some(base) = node.overrode.filter(|b| *b != node.span) {
                    f = f.related(base, "the image this replaces");
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(tag_of("redis"), (None, false));
        assert_eq!(tag_of("registry:5000/redis"), (None, false));
        assert_eq!(tag_of("registry:5000/redis:7.2"), (Some("7.2"), false));
        assert_eq!(tag_of("redis@sha256:ab"), (None, true));
        assert!(has_patch_version("7.2.5-alpine"));
        assert!(has_patch_version("v1.62.0"));
        assert!(!has_patch_version("7-alpine"));
        assert!(!has_patch_version("7.2"));
        assert!(!has_patch_version("latest"));
    }
}
