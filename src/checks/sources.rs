//! The checks that need no environment, run on every file a build read, whatever later steps
//! of the build did with it.
//!
//! A base is deployable by itself (`kubectl apply -k kustomize/base/databases/`), so a
//! `redis.conf` that both overlays replace is still a file someone deploys: an inline comment in
//! it must not pass because no rendered object carries it any more. What the rendered checks
//! also find (the same rule at the same span, with the same message) is merged with it.

use super::Outcome;
use crate::kustomize::Build;
use crate::source::SourceMap;
use crate::yaml::{parse_stream, Limits};

/// File-level checks of every file `build` read: redis.conf/sentinel.conf sources (generator
/// files named `*.conf`) and the Kubernetes objects of its YAML resource files.
pub fn read_files(build: &Build, sources: &SourceMap) -> Outcome {
    let mut out = Outcome::default();
    for &id in &build.files_read {
        let file = sources.get(id);
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.ends_with(".conf") {
            let kind = crate::redis::detect_kind(&file.path, &file.text);
            let conf = crate::redis::parse(&file, kind);
            out.findings.extend(crate::redis::lint(&conf));
            out.secrets.extend(crate::redis::secret_spans(&conf));
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && !crate::targets::KUSTOMIZATION_FILES.contains(&name.as_str())
        {
            // The build reported this file's syntax already; only whole objects are checked
            // (a patch without `kind` is no object of its own).
            let parsed = parse_stream(&file, Limits::default());
            for doc in parsed.docs.iter().filter(|d| {
                d.get("kind").is_some()
                    && d.get("apiVersion").is_some()
                    && d.get("metadata").is_some()
            }) {
                super::object(doc, sources, &mut out);
            }
        }
    }
    out
}
