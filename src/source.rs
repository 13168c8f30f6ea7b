//! Every file grill-lint reads, read once and kept as text, with a [`FileId`] each.
//!
//! Spans are byte ranges into one file. Line/column lookup (1-based, columns in Unicode
//! characters, as the CLI contract says) happens only when a report is written.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

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
    TooLarge { path: PathBuf, size: u64 },
    NotUtf8(PathBuf),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            ReadError::TooLarge { path, size } => write!(
                f,
                "{} is {size} bytes, above the {MAX_FILE_SIZE}-byte file size limit",
                path.display()
            ),
            ReadError::NotUtf8(p) => write!(f, "{} is not UTF-8 text", p.display()),
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
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Reads a file (once: later calls return the same [`SourceFile`]).
    pub fn load(&self, path: &Path) -> Result<Arc<SourceFile>, ReadError> {
        if let Some(f) = self.lookup(path) {
            return Ok(f);
        }
        let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(path.to_path_buf(), e))?;
        if meta.len() > MAX_FILE_SIZE {
            return Err(ReadError::TooLarge {
                path: path.to_path_buf(),
                size: meta.len(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| ReadError::Io(path.to_path_buf(), e))?;
        let text = String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8(path.to_path_buf()))?;
        Ok(self.insert(path.to_path_buf(), text))
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
