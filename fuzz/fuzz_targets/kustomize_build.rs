//! The native kustomize build on an arbitrary kustomization plus one resource file and one
//! patch file: no panic, whatever the input.
#![no_main]
use grill_lint::source::SourceMap;
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicUsize, Ordering};

static N: AtomicUsize = AtomicUsize::new(0);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Three files separated by a NUL: kustomization, resource, patch.
    let mut parts = text.splitn(3, '\0');
    let (k, r, p) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let dir = std::env::temp_dir().join(format!("grill-fuzz-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed) % 4));
    let _ = std::fs::create_dir_all(&dir);
    for (name, body) in [("kustomization.yaml", k), ("res.yaml", r), ("patch.yaml", p)] {
        if std::fs::write(dir.join(name), body).is_err() {
            return;
        }
    }
    let sources = SourceMap::new();
    let build = grill_lint::kustomize::build(&dir, &sources);
    let _ = build.to_yaml();
});
