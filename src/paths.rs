//! Paths as grill-lint cleans and shows them: one lexical normaliser for every module, and the
//! form reports print.

use std::path::{Component, Path, PathBuf};

/// Lexical `.`/`..` removal, what Go's `filepath.Clean` does (kustomize's semantics): leading
/// `..` chains of a relative path are kept, `..` above the root of an absolute path is dropped.
/// The empty path stays empty.
pub fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                None | Some(Component::ParentDir) => out.push(".."),
                Some(Component::RootDir | Component::Prefix(_)) => {}
                Some(_) => {
                    out.pop();
                }
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A path as reports show it: relative to the working directory when the file lies below it,
/// else absolute.
pub fn display(p: &Path) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let abs = clean(&abs);
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = abs.strip_prefix(&cwd) {
            let s = rel.to_string_lossy().into_owned();
            return if s.is_empty() { ".".into() } else { s };
        }
    }
    abs.to_string_lossy().into_owned()
}

/// Whether something other than a directory exists at `p`: a file, but also a FIFO, a
/// device or a symlink (dangling or not). Such a kustomization file is then refused with a
/// located finding when it is read, instead of the directory being taken for one without
/// a kustomization.
pub fn present(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok() && !p.is_dir()
}

#[cfg(test)]
mod tests {
    use super::clean;
    use std::path::Path;

    #[test]
    fn cleans_like_go() {
        for (a, b) in [
            ("a/./b/../c", "a/c"),
            ("../../x", "../../x"),
            ("a/../../x", "../x"),
            ("/a/../../x", "/x"),
            ("/..", "/"),
            ("./", ""),
            ("a/b/..", "a"),
        ] {
            assert_eq!(clean(Path::new(a)), Path::new(b), "{a}");
        }
    }
}
