//! Reading the files of a build: paths relative to a kustomization root, kustomize's
//! `LoadRestrictionsRootOnly` rule (a file must resolve, symlinks included, inside its root),
//! and the YAML documents of each file parsed once per build.

use crate::diag::Finding;
use crate::hash::HashMap;
pub use crate::paths::clean;
use crate::paths::display as display_path;
use crate::rules::id;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::yaml::{parse_stream_with, Duplicates, Limits, Node, ParsedStream, Style};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Why a file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    Missing(PathBuf),
    /// The file lies outside the root: `path` as the kustomization names it (lexically
    /// resolved), `resolved` with symlinks followed.
    Outside {
        path: PathBuf,
        resolved: PathBuf,
    },
    /// A directory where a file is required.
    NotFile(PathBuf),
    /// The file exists but was refused or could not be read (special file, too large, not
    /// UTF-8, outside its root, an I/O error).
    Unreadable(crate::source::ReadError),
}

impl LoadError {
    /// The finding for this error, located at the kustomization entry `at`. Paths are shown
    /// the way reports show them (relative to the working directory).
    pub fn finding(&self, at: Span, root: &Path) -> Finding {
        let shown = |p: &Path| display_path(p);
        match self {
            LoadError::Missing(p) => {
                let f = Finding::new(
                    id::KUSTOMIZE_MISSING_FILE,
                    at,
                    format!("`{}` does not exist", shown(p)),
                );
                match super::suggest::sibling(p) {
                    Some(help) => f.help(help),
                    None => f,
                }
            }
            LoadError::Outside { path, resolved } => {
                let what = if !resolved.exists() {
                    format!("`{}` (which does not exist either)", shown(path))
                } else if clean(path).starts_with(clean(root)) {
                    format!(
                        "`{}` resolves through a symlink to `{}`, which",
                        shown(path),
                        shown(resolved)
                    )
                } else {
                    format!("`{}`", shown(path))
                };
                Finding::new(
                    id::KUSTOMIZE_OUTSIDE_ROOT,
                    at,
                    format!(
                        "{what} is outside the kustomization root `{}` (kustomize refuses to load it)",
                        shown(root)
                    ),
                )
                .label(format!("outside `{}`", shown(root)))
                .help("move the file below the kustomization directory, or list its directory (with its own kustomization) under `resources`")
            }
            LoadError::NotFile(p) => Finding::new(
                id::KUSTOMIZE_MISSING_FILE,
                at,
                format!("`{}` must resolve to a file", shown(p)),
            ),
            LoadError::Unreadable(e) => {
                use crate::source::ReadError;
                let rule = match e {
                    ReadError::NotRegular { .. } | ReadError::TooLarge { .. } => id::YAML_LIMITS,
                    ReadError::Outside { .. } => id::KUSTOMIZE_OUTSIDE_ROOT,
                    ReadError::NotUtf8 { .. } => id::YAML_SYNTAX,
                    ReadError::Io(..) => id::KUSTOMIZE_MISSING_FILE,
                };
                let f = Finding::new(rule, at, e.to_string());
                match e {
                    ReadError::NotRegular { .. } => f.help("name a regular file here; FIFOs, devices and sockets are never read"),
                    ReadError::TooLarge { .. } => f.help(format!("keep files below {} bytes, or split this one", crate::source::MAX_FILE_SIZE)),
                    ReadError::Outside { .. } => f.help("move the file below the kustomization directory; grill-lint never follows a link out of the tree"),
                    _ => f,
                }
            }
        }
    }
}

/// A generator source file read as bytes.
pub struct Bytes {
    pub bytes: Vec<u8>,
    pub file: FileId,
    /// Where valid UTF-8 ends, when the file is not UTF-8 text.
    pub valid_up_to: Option<usize>,
}

/// Parsed documents of one file.
pub struct Docs {
    pub docs: Vec<Node>,
    /// Parse findings; `failed` when one of them is an error (kustomize stops on those).
    pub findings: Vec<Finding>,
    pub failed: bool,
}

/// What a file is read as: kustomize's YAML readers differ on duplicate mapping keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Use {
    /// A resource (go-yaml v3: a duplicate key is an error).
    Resource,
    /// A kustomization (`sigs.k8s.io/yaml`: the later value wins, no error).
    Kustomization,
    /// A patch (kyaml field lookup: the earlier value wins, no error).
    Patch,
}

impl Use {
    fn duplicates(self) -> Duplicates {
        if self == Use::Patch {
            Duplicates::KeepFirst
        } else {
            Duplicates::KeepLast
        }
    }
}

/// Whether kustomize stops on this file: it could not be read to its end, or has an error
/// (a duplicate key counts only for resources).
fn stops_kustomize(parsed: &ParsedStream, usage: Use) -> bool {
    !parsed.complete
        || parsed.findings.iter().any(|f| {
            f.severity == crate::diag::Severity::Error
                && (usage == Use::Resource || f.rule != id::YAML_DUPLICATE_KEY)
        })
}

/// Whether an entry names a remote resource (git or http).
pub fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.contains("?ref=")
}

/// The parsed documents of every file a run has read, shared by its builds (in parallel):
/// a base that a thousand overlays include is parsed once. The text of a file never changes
/// within a run (the source map holds it), so neither do its documents.
#[derive(Default)]
pub struct Parsed {
    docs: Mutex<HashMap<(FileId, Use), Arc<Docs>>>,
    /// False: nothing is kept past the build that parsed it (a run of one build gains nothing
    /// from keeping its documents while its checks run, and a huge file would stay in memory).
    off: bool,
}

impl Parsed {
    /// A cache that keeps nothing: every build parses for itself.
    pub fn off() -> Parsed {
        Parsed {
            off: true,
            ..Parsed::default()
        }
    }

    fn get(&self, key: (FileId, Use)) -> Option<Arc<Docs>> {
        self.docs.lock().ok()?.get(&key).cloned()
    }

    fn put(&self, key: (FileId, Use), docs: Arc<Docs>) {
        if self.off {
            return;
        }
        if let Ok(mut m) = self.docs.lock() {
            m.insert(key, docs);
        }
    }
}

/// The file loader of one build.
pub struct Loader<'a> {
    pub sources: &'a SourceMap,
    parsed: &'a Parsed,
    /// The documents this build read (a subset of `parsed`).
    docs: HashMap<(FileId, Use), Arc<Docs>>,
    pub files_read: Vec<FileId>,
    seen: crate::hash::HashSet<FileId>,
    /// Findings made while reading that do not stop the build (the builder collects them).
    pub notes: Vec<Finding>,
}

impl<'a> Loader<'a> {
    pub fn new(sources: &'a SourceMap, parsed: &'a Parsed) -> Loader<'a> {
        Loader {
            sources,
            parsed,
            docs: HashMap::default(),
            files_read: Vec::new(),
            seen: Default::default(),
            notes: Vec::new(),
        }
    }

    /// Resolves `entry` relative to `root` under the root-only restriction; `canon_root` is the
    /// root with symlinks resolved. Returns the lexical path (for display) of an existing file.
    pub fn resolve_file(
        &self,
        root: &Path,
        canon_root: &Path,
        entry: &str,
    ) -> Result<PathBuf, LoadError> {
        let p = clean(&root.join(entry));
        let Ok(canon) = self.sources.canonical(&p) else {
            // A file path that escapes the root is refused whether or not it exists: that
            // it is missing today is no reason to let it through (kubectl names only the
            // missing file, and would refuse the path once the file appears).
            if !p.starts_with(clean(root)) {
                return Err(LoadError::Outside {
                    path: p.clone(),
                    resolved: p,
                });
            }
            return Err(LoadError::Missing(p));
        };
        if !canon.starts_with(canon_root) {
            return Err(LoadError::Outside {
                path: p,
                resolved: canon,
            });
        }
        if self.sources.is_dir(&canon) {
            return Err(LoadError::NotFile(p));
        }
        Ok(p)
    }

    /// The documents of every file read as a resource, as written, in the order files were
    /// first read (for the checks of a base deployed by itself).
    pub fn resource_docs(&self) -> Vec<Node> {
        let mut files: Vec<(&FileId, &Arc<Docs>)> = self
            .docs
            .iter()
            .filter(|((_, u), d)| *u == Use::Resource && !d.failed)
            .map(|((f, _), d)| (f, d))
            .collect();
        let order: HashMap<FileId, usize> = self
            .files_read
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, i))
            .collect();
        files.sort_by_key(|(f, _)| order.get(f).copied());
        let mut out = Vec::new();
        for (_, d) in files {
            for doc in &d.docs {
                match doc.str_at(&["kind"]) {
                    Some("List") => out.extend(
                        doc.get("items")
                            .and_then(Node::as_seq)
                            .unwrap_or(&[])
                            .iter()
                            .cloned(),
                    ),
                    Some(_) => out.push(doc.clone()),
                    None => {}
                }
            }
        }
        out
    }

    /// Records a file as read (once, in the order of first reading).
    fn record(&mut self, id: FileId) {
        if self.seen.insert(id) {
            self.files_read.push(id);
        }
    }

    /// Reads a text file once and records it as read. `root` is the directory the file must
    /// resolve inside (symlinks followed), checked before the file is opened.
    pub fn text(&mut self, path: &Path, root: &Path) -> Result<Arc<SourceFile>, LoadError> {
        let f = self
            .sources
            .load_within(path, root)
            .map_err(LoadError::Unreadable)?;
        self.record(f.id);
        Ok(f)
    }

    /// Reads a file's bytes (generator sources may be binary). Binary files enter the source
    /// map as their lossy UTF-8 text so that spans still name them; `valid_up_to` is where the
    /// UTF-8 text ends (`None` when it is all UTF-8). The file is opened once, through the cap.
    pub fn bytes(&mut self, path: &Path, root: &Path) -> Result<Bytes, LoadError> {
        match self.text(path, root) {
            Ok(f) => Ok(Bytes {
                bytes: f.text.as_bytes().to_vec(),
                file: f.id,
                valid_up_to: None,
            }),
            Err(LoadError::Unreadable(crate::source::ReadError::NotUtf8 { at, bytes, .. })) => {
                let f = self
                    .sources
                    .add(path, String::from_utf8_lossy(&bytes).into_owned());
                self.record(f.id);
                Ok(Bytes {
                    bytes,
                    file: f.id,
                    valid_up_to: Some(at),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The YAML documents of a file (parsed once per run).
    pub fn docs(&mut self, file: &SourceFile, usage: Use) -> Arc<Docs> {
        let key = (file.id, usage);
        if let Some(d) = self.docs.get(&key) {
            return d.clone();
        }
        let d = self.parsed.get(key).unwrap_or_else(|| {
            let parsed = parse_stream_with(file, Limits::default(), usage.duplicates());
            let failed = stops_kustomize(&parsed, usage);
            let d = Arc::new(Docs {
                docs: parsed.docs,
                findings: parsed.findings,
                failed,
            });
            self.parsed.put(key, d.clone());
            d
        });
        self.docs.insert(key, d.clone());
        d
    }

    /// Parses the text of an inline patch scalar (`patch: |`) of `file`. When the scalar's text is
    /// laid out verbatim in the file (a literal block, or an unescaped plain scalar), the
    /// documents keep exact spans into `file`; otherwise every node gets the scalar's span.
    /// Only the scalar's own lines are parsed, so many inline patches stay linear.
    /// Reads an inline patch (the `patch:` scalar) as kustomize does: from the scalar's value,
    /// with surrounding white space trimmed when `trim` (the `patches:` field does that; the
    /// deprecated `patchesStrategicMerge` and `patchesJson6902` do not).
    pub fn inline_docs(&mut self, file: &SourceFile, scalar: &Node, trim: bool) -> Docs {
        let text = scalar.as_str().unwrap_or("");
        let verbatim = match scalar.as_scalar().map(|s| s.style) {
            Some(Style::Literal) => true,
            Some(Style::Plain) => file.slice(scalar.span) == text,
            _ => false,
        };
        // A verbatim scalar is re-parsed from the start of its first line (the text before it
        // on that line blanked), and the spans are shifted back into `file`.
        let line_start = file
            .text
            .get(..scalar.span.start as usize)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let synthetic = if verbatim {
            let lead = (scalar.span.start as usize).saturating_sub(line_start);
            let body = file.text.get(scalar.span.range()).unwrap_or("");
            let body = if trim {
                std::borrow::Cow::Borrowed(body.trim_end())
            } else {
                chomped(body, text)
            };
            format!("{}{body}", " ".repeat(lead))
        } else if trim {
            text.trim().to_string()
        } else {
            text.to_string()
        };
        let path = format!("{}#inline@{}", file.path.display(), scalar.span.start);
        let tmp = self.sources.add(path, synthetic);
        let parsed = parse_stream_with(&tmp, Limits::default(), Duplicates::KeepFirst);
        let failed = stops_kustomize(&parsed, Use::Patch);
        let shift = |sp: Span| Span {
            file: file.id,
            start: sp.start + line_start as u32,
            end: sp.end + line_start as u32,
        };
        let mut docs = parsed.docs;
        for d in &mut docs {
            if verbatim {
                d.walk_mut(|n| {
                    n.span = shift(n.span);
                    n.overrode = n.overrode.map(shift);
                });
            } else {
                d.set_span_deep(scalar.span);
            }
        }
        let findings = parsed
            .findings
            .into_iter()
            .map(|mut f| {
                f.primary = if verbatim {
                    shift(f.primary)
                } else {
                    scalar.span
                };
                f
            })
            .collect();
        Docs {
            docs,
            findings,
            failed,
        }
    }
}

/// The raw text of a block scalar cut where its value ends: trailing blank lines dropped, then
/// exactly as many line breaks as the value keeps after chomping (`|-` none, `|` one, `|+`
/// all). Kustomize parses the value, so a nested block scalar at the end of a `|-` patch has
/// no final newline there, and it must not have one here either.
fn chomped<'t>(body: &'t str, value: &str) -> std::borrow::Cow<'t, str> {
    let mut end = body.len();
    loop {
        let content = body[..end].trim_end_matches(['\n', '\r']);
        let line_start = content.rfind('\n').map_or(0, |i| i + 1);
        if line_start > 0 && content[line_start..].trim().is_empty() {
            end = line_start;
            continue;
        }
        end = content.len();
        break;
    }
    let breaks = value.len() - value.trim_end_matches('\n').len();
    if breaks == 0 {
        std::borrow::Cow::Borrowed(&body[..end])
    } else {
        std::borrow::Cow::Owned(format!("{}{}", &body[..end], "\n".repeat(breaks)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    #[test]
    fn clean_removes_dots() {
        assert_eq!(clean(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert_eq!(
            clean(Path::new("a/sub/../cm.yaml")),
            PathBuf::from("a/cm.yaml")
        );
    }

    #[test]
    fn inline_literal_keeps_file_offsets() {
        let map = SourceMap::new();
        let f = map.add("k.yaml", "patch: |\n  a: 1\n  b: two\n");
        let doc = parse_stream(&f, Limits::default()).docs.remove(0);
        let scalar = doc.get("patch").unwrap().clone();
        let parsed = Parsed::default();
        let mut l = Loader::new(&map, &parsed);
        let d = l.inline_docs(&f, &scalar, true);
        let b = d.docs[0].get("b").unwrap();
        assert_eq!(b.span.file, f.id);
        assert_eq!(f.slice(b.span), "two");
    }

    #[test]
    fn remote_entries_are_recognised() {
        assert!(is_remote("https://github.com/x/y"));
        assert!(is_remote("github.com/x/y//dir?ref=v1"));
        assert!(!is_remote("../base"));
    }
}
