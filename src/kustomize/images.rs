//! The `images` and `replicas` transformers.
//!
//! `images` rewrites the `image` of every element of any list named `containers` or
//! `initContainers`, anywhere in any object except CustomResourceDefinitions, whose image
//! name (before `:tag` / `@digest`) equals the entry's `name` exactly. `replicas` sets
//! `spec.replicas` of the workload kinds whose original or current name matches.

use super::kustomization::{ImageSpec, ReplicaSpec};
use super::resource::{ensure_map, put, Res};
use crate::yaml::{Node, Scalar, Value};

/// Splits `image` into name and the rest (`:tag`, `@digest` or both, with their marks).
pub fn split_image(image: &str) -> (&str, &str) {
    let head = image.find('@').map_or(image, |i| &image[..i]);
    let slash = head.rfind('/').map_or(0, |i| i + 1);
    let end = head[slash..].find(':').map_or(head.len(), |i| slash + i);
    (&image[..end], &image[end..])
}

/// The new image string for `image` under `spec` (`None` when the entry does not match).
pub fn rewrite(image: &str, spec: &ImageSpec) -> Option<String> {
    let (name, rest) = split_image(image);
    if name != spec.name.text {
        return None;
    }
    let name = spec.new_name.as_ref().map_or(name, |n| n.text.as_str());
    let tag = match (&spec.new_tag, &spec.digest) {
        (Some(t), Some(d)) => format!(":{}@{}", t.text, d.text),
        (Some(t), None) => format!(":{}", t.text),
        (None, Some(d)) => format!("@{}", d.text),
        (None, None) => rest.to_string(),
    };
    let tag = match &spec.tag_suffix {
        Some(s) => format!("{tag}{}", s.text),
        None => tag,
    };
    Some(format!("{name}{tag}"))
}

/// Applies one `images` entry to every object.
pub fn apply_image(resources: &mut [Res], spec: &ImageSpec) {
    let span = [
        &spec.new_tag,
        &spec.digest,
        &spec.new_name,
        &spec.tag_suffix,
    ]
    .into_iter()
    .flatten()
    .next()
    .map_or(spec.span, |s| s.span);
    for r in resources.iter_mut() {
        if r.kind() == "CustomResourceDefinition" {
            continue;
        }
        r.node.walk_mut(|n| {
            let Value::Map(m) = &mut n.value else { return };
            for e in m.entries_mut().iter_mut() {
                if !matches!(e.key.as_str(), Some("containers" | "initContainers")) {
                    continue;
                }
                let Some(items) = e.value.as_seq_mut() else {
                    continue;
                };
                for c in items.iter_mut() {
                    let Some(cm) = c.as_map_mut() else { continue };
                    let Some(new) = cm
                        .get("image")
                        .and_then(Node::as_str)
                        .and_then(|i| rewrite(i, spec))
                    else {
                        continue;
                    };
                    put(cm, "image", Node::string(new, span));
                }
            }
        });
    }
}

const REPLICA_KINDS: &[&str] = &[
    "Deployment",
    "ReplicationController",
    "ReplicaSet",
    "StatefulSet",
];

/// The kinds whose `spec.replicas` the `replicas` transformer sets (kustomize's field specs).
pub fn replica_kinds() -> &'static [&'static str] {
    REPLICA_KINDS
}

/// Applies one `replicas` entry. Returns false when no object of a replica kind has the name:
/// kustomize then fails the build ("resource with name … does not match a config with the
/// following GVK"), whatever other kinds carry that name.
pub fn apply_replicas(resources: &mut [Res], spec: &ReplicaSpec) -> bool {
    let mut matched = false;
    for r in resources.iter_mut() {
        if !REPLICA_KINDS.contains(&r.kind()) || !r.had_name(&spec.name.text) {
            continue;
        }
        matched = true;
        if let Some(s) = ensure_map(&mut r.node, &["spec"], spec.count.span) {
            put(
                s,
                "replicas",
                Node::scalar(Scalar::plain(spec.count.text.clone()), spec.count.span),
            );
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::kustomization::Str;
    use crate::source::{FileId, Span};

    fn s(t: &str) -> Str {
        Str {
            text: t.into(),
            span: Span::file_start(FileId(0)),
        }
    }

    fn spec(
        name: &str,
        new_name: Option<&str>,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> ImageSpec {
        ImageSpec {
            name: s(name),
            new_name: new_name.map(s),
            new_tag: tag.map(s),
            digest: digest.map(s),
            tag_suffix: None,
            span: Span::file_start(FileId(0)),
        }
    }

    #[test]
    fn image_rewrites() {
        assert_eq!(
            split_image("myregistry:5000/redis:7"),
            ("myregistry:5000/redis", ":7")
        );
        assert_eq!(split_image("redis@sha256:ab"), ("redis", "@sha256:ab"));
        let t = spec("redis", None, Some("7.2.4"), None);
        assert_eq!(
            rewrite("redis:7.0@sha256:x", &t).as_deref(),
            Some("redis:7.2.4")
        );
        assert_eq!(rewrite("redis", &t).as_deref(), Some("redis:7.2.4"));
        assert_eq!(rewrite("docker.io/library/redis", &t), None);
        let d = spec("redis", Some("r/redis"), None, Some("sha256:1"));
        assert_eq!(rewrite("redis:7", &d).as_deref(), Some("r/redis@sha256:1"));
    }
}
