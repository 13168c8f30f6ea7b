//! Every file grill-lint reads, read once and kept as text, with a [`FileId`] each.
//!
//! Spans are byte ranges into one file. Line/column lookup (1-based, columns in Unicode
//! characters, as the CLI contract says) happens only when a report is written.

use crate::hash::HashMap;
use std::any::{Any, TypeId};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Largest file grill-lint reads (a `yaml/limits` finding past it).
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
    /// An empty span at the start of a file (for findings about a whole file).
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both (same file assumed; otherwise `self`).
    pub fn to(&self, other: Span) -> Span {
        if self.file != other.file {
            return *self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A line/column position: both 1-based, the column counted in Unicode characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as given to the reader (absolute or relative to the working directory).
    pub path: PathBuf,
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    fn new(id: FileId, path: PathBuf, text: Arc<str>) -> SourceFile {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        SourceFile {
            id,
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and character column of a byte offset (clamped to the file).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = self.line_starts[line] as usize;
        let column = self.text[start..offset].chars().count() as u32 + 1;
        LineCol {
            line: line as u32 + 1,
            column,
        }
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts
            .get(line.checked_sub(1)?)
            .map(|&o| o as usize)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of the span.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.id, start, end)
    }
}

#[derive(Debug)]
pub enum ReadError {
    Io(PathBuf, std::io::Error),
    /// More than [`MAX_FILE_SIZE`] bytes (found while reading: size metadata is not trusted).
    TooLarge {
        path: PathBuf,
    },
    /// Valid UTF-8 up to byte `at`; `bytes` is the whole (capped) content, so a caller that
    /// accepts binary data does not open the file a second time.
    NotUtf8 {
        path: PathBuf,
        at: usize,
        bytes: Vec<u8>,
    },
    /// A FIFO, socket, device or directory: refused before it is opened (a FIFO blocks forever,
    /// a device never ends).
    NotRegular {
        path: PathBuf,
        kind: &'static str,
    },
    /// The file resolves (symlinks followed) outside the tree it must stay in. Nothing of it
    /// was read.
    Outside {
        path: PathBuf,
        resolved: PathBuf,
        root: PathBuf,
    },
}

impl ReadError {
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io(p, _) => p,
            ReadError::TooLarge { path }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::NotRegular { path, .. }
            | ReadError::Outside { path, .. } => path,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |p: &Path| crate::paths::display(p);
        match self {
            ReadError::Io(p, e) => write!(f, "cannot read {}: {e}", shown(p)),
            ReadError::TooLarge { path } => write!(
                f,
                "{} is larger than the file size limit of {MAX_FILE_SIZE} bytes; it was not read past the limit",
                shown(path)
            ),
            ReadError::NotUtf8 { path, at, .. } => write!(
                f,
                "{} is not UTF-8 text (invalid byte at offset {at})",
                shown(path)
            ),
            ReadError::NotRegular { path, kind } => write!(
                f,
                "{} is a {kind}, not a regular file; grill-lint reads only regular files",
                shown(path)
            ),
            ReadError::Outside {
                path,
                resolved,
                root,
            } => write!(
                f,
                "{} resolves to {}, outside {}; grill-lint does not read files outside the tree it lints",
                shown(path),
                shown(resolved),
                shown(root)
            ),
        }
    }
}

impl std::error::Error for ReadError {}

#[derive(Default)]
struct Inner {
    files: Vec<Arc<SourceFile>>,
    by_path: HashMap<PathBuf, FileId>,
}

/// All files of one run. Cheap to share between threads; a file is read at most once.
#[derive(Default)]
pub struct SourceMap {
    inner: RwLock<Inner>,
    /// One memo per type: see [`SourceMap::memo`].
    memos: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    /// Paths with symlinks resolved, as far as this run has asked (see [`SourceMap::canonical`]).
    canonical: RwLock<HashMap<PathBuf, PathBuf>>,
    /// Whether a path is a directory, and the repository of a directory, as far as asked.
    is_dir: RwLock<HashMap<PathBuf, bool>>,
    repos: RwLock<HashMap<PathBuf, Option<PathBuf>>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// `Path::is_dir` (symlinks followed), once per path and run.
    pub fn is_dir(&self, path: &Path) -> bool {
        once(&self.is_dir, path, || path.is_dir())
    }

    /// [`repo_root`], once per path and run.
    pub fn repo_root(&self, path: &Path) -> Option<PathBuf> {
        once(&self.repos, path, || repo_root(path))
    }

    /// `std::fs::canonicalize`, once per path and run: a thousand overlays resolve the same
    /// base directories and files, each resolution a system call per path component. Like the
    /// text of a file, where a path leads is taken to stay put for the run; a path that does
    /// not resolve is asked again (it may be a file the run is about to report as missing).
    pub fn canonical(&self, path: &Path) -> std::io::Result<PathBuf> {
        once_ok(&self.canonical, path, || std::fs::canonicalize(path))
    }

    /// This run's memo of type `T` (made empty on first use): a cache of what is computed
    /// from the files, kept with them, so that its keys (spans) mean the same text for as long
    /// as it lives. `T` does its own locking.
    pub fn memo<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut memos = self.memos.lock().unwrap_or_else(|e| e.into_inner());
        let any = memos
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        drop(memos);
        // The entry of `TypeId::of::<T>()` is only ever a `T`.
        any.downcast::<T>()
            .unwrap_or_else(|_| Arc::new(T::default()))
    }

    /// Reads a file (once: later calls return the same [`SourceFile`]) through [`read_capped`].
    /// Callers that know the tree the file must stay in use [`SourceMap::load_within`].
    pub fn load(&self, path: &Path) -> Result<Arc<SourceFile>, ReadError> {
        if let Some(f) = self.lookup(path) {
            return Ok(f);
        }
        let bytes = read_capped(path)?;
        let text = String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
            path: path.to_path_buf(),
            at: e.utf8_error().valid_up_to(),
            bytes: e.into_bytes(),
        })?;
        Ok(self.insert(path.to_path_buf(), text))
    }

    /// [`SourceMap::load`], after checking that `path`, symlinks followed, lies inside `root`.
    /// Text already in the map (standard input, a file read before) is not read again.
    pub fn load_within(&self, path: &Path, root: &Path) -> Result<Arc<SourceFile>, ReadError> {
        if let Some(f) = self.lookup(path) {
            return Ok(f);
        }
        check_within(path, root)?;
        self.load(path)
    }

    /// Adds text that did not come from disk under `path` (tests, stdin). Replaces nothing:
    /// a second call with the same path gets a new id.
    pub fn add(&self, path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<SourceFile> {
        self.insert(path.into(), text.into())
    }

    fn insert(&self, path: PathBuf, text: String) -> Arc<SourceFile> {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = inner.by_path.get(&path) {
            return inner.files[id.0 as usize].clone();
        }
        let id = FileId(inner.files.len() as u32);
        let file = Arc::new(SourceFile::new(id, path.clone(), Arc::from(text)));
        inner.files.push(file.clone());
        inner.by_path.insert(path, id);
        file
    }

    fn lookup(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .by_path
            .get(path)
            .map(|id| inner.files[id.0 as usize].clone())
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.files[id.0 as usize].clone()
    }

    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .files
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a non-regular file is, for messages.
fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

/// Reads a regular file, at most [`MAX_FILE_SIZE`] bytes. Anything else (FIFO, device,
/// socket, directory) is refused from its metadata before it is opened, and again from the
/// opened descriptor (the file may have been swapped in between). The file is opened
/// non-blocking, so even a FIFO swapped in cannot hang the open; the size metadata is never
/// trusted (a device or a `/proc` file reports 0): the read itself stops past the cap.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let io = |e| ReadError::Io(path.to_path_buf(), e);
    let not_regular = |t: std::fs::FileType| ReadError::NotRegular {
        path: path.to_path_buf(),
        kind: kind_of(t),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.file_type().is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.file_type().is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let hint = meta.len().min(MAX_FILE_SIZE) as usize;
    let mut bytes = Vec::with_capacity(hint + 1);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// The value `find` gives for `path`, remembered in `known`.
fn once<T: Clone>(known: &RwLock<HashMap<PathBuf, T>>, path: &Path, find: impl FnOnce() -> T) -> T {
    match once_ok(known, path, || Ok::<T, std::convert::Infallible>(find())) {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// [`once`] for a `find` that can fail: a failure is not remembered (asked again next time).
fn once_ok<T: Clone, E>(
    known: &RwLock<HashMap<PathBuf, T>>,
    path: &Path,
    find: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    if let Some(v) = known.read().unwrap_or_else(|e| e.into_inner()).get(path) {
        return Ok(v.clone());
    }
    let v = find()?;
    known
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_path_buf(), v.clone());
    Ok(v)
}

/// Checks, before anything is opened, that `path` resolves (symlinks followed) inside `root`.
/// A path that does not exist is an I/O error (nothing to follow).
pub fn check_within(path: &Path, root: &Path) -> Result<(), ReadError> {
    let resolved = std::fs::canonicalize(path).map_err(|e| ReadError::Io(path.to_path_buf(), e))?;
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if resolved.starts_with(&canon_root) {
        Ok(())
    } else {
        Err(ReadError::Outside {
            path: path.to_path_buf(),
            resolved,
            root: root.to_path_buf(),
        })
    }
}

/// The repository that holds `path`: the nearest directory at or above it with a `.git`
/// entry (a directory, or the file of a worktree or submodule), symlinks resolved. `None`
/// outside git.
pub fn repo_root(path: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(path).ok()?;
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    loop {
        if std::fs::symlink_metadata(dir.join(".git")).is_ok() {
            return Some(dir);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The tree a PATH of the command line stands for: its repository, or (outside git) the
/// directory itself, or a file's directory. Files read for that PATH must resolve inside it.
pub fn tree_root(path: &Path) -> PathBuf {
    // A file's tree is found from the directory holding its name, never from where a
    // symlink points (a link to /etc/shadow must not make /etc the tree).
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
    };
    repo_root(&dir).unwrap_or_else(|| std::fs::canonicalize(&dir).unwrap_or(dir))
}

/// `text` (of the file `file`) with every character inside the given secret spans replaced by
/// `*` bytes, one per byte, so offsets and line numbers stay valid; line breaks are kept. This
/// is what a report that prints source lines shows instead of the file.
pub fn mask(text: &str, file: FileId, secrets: &[Span]) -> String {
    let mut ranges: Vec<std::ops::Range<usize>> = secrets
        .iter()
        .filter(|s| s.file == file)
        .map(|s| s.range())
        .collect();
    if ranges.is_empty() {
        return text.to_string();
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut next = 0;
    for (at, c) in text.char_indices() {
        while next < ranges.len() && ranges[next].end <= at {
            next += 1;
        }
        let secret = c != '\n'
            && ranges[next..]
                .iter()
                .take_while(|r| r.start <= at)
                .any(|r| r.contains(&at));
        if secret {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let map = SourceMap::new();
        let f = map.add("t.yaml", "a: 1\nbé: xyz\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 1 });
        // 'x' sits after "bé: " (4 characters, 5 bytes).
        let x = f.text.find('x').unwrap();
        assert_eq!(f.line_col(x), LineCol { line: 2, column: 5 });
        assert_eq!(f.line_col(10_000).line, 3);
    }

    #[test]
    fn masking_keeps_offsets() {
        let map = SourceMap::new();
        let f = map.add("a.conf", "requirepass sécret\nport 1\n");
        let s = f.text.find("sécret").unwrap();
        let masked = mask(&f.text, f.id, &[f.span(s, s + "sécret".len())]);
        assert_eq!(masked, "requirepass *******\nport 1\n");
        assert_eq!(mask("abc", FileId(9), &[f.span(0, 2)]), "abc");
    }
}
