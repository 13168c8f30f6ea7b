//! Native `kustomize build` (Kustomize v5.5.0 semantics, the v1 subset of
//! `research/kustomize.md` plus `replacements`), with provenance: every rendered node keeps
//! the span where its final value was written, and `overrode` names the value a patch or
//! transformer replaced.
//!
//! The pipeline is kustomize's (research §4): per directory, resources (a directory entry is
//! built with a fresh accumulator), generators, components (sharing the accumulator), then the
//! transformers in their fixed order (patchesStrategicMerge, patches, namespace, namePrefix,
//! nameSuffix, labels then commonLabels, commonAnnotations, patchesJson6902, replicas, images,
//! replacements); at the root, hash suffixes, name references, the local-config drop, the
//! legacy sort (or fifo) and kustomize's JSON encoding of scalars. Refused with
//! `kustomize/unsupported`: remote resources, helm, plugins (`generators`, `transformers`,
//! `validators`), `openapi`, `crds`, `vars`, `configurations`, `buildMetadata`, custom sort
//! orders. Problems are located findings; the build goes on as far as it can, and `failed`
//! says whether `kubectl kustomize` would have failed.

// A `Finding` is the error type throughout: failures are rare and cold, so its size is fine.
#![allow(clippy::result_large_err)]

pub mod annotations;
pub mod budget;
pub mod fieldspec;
pub mod generators;
pub mod hash;
pub mod images;
pub mod json6902;
pub mod kustomization;
pub mod labels;
pub mod load;
pub mod names;
pub mod namespace;
pub mod order;
pub mod output;
pub mod replacements;
pub mod resource;
pub mod select;
pub mod smp;
pub mod suggest;

use crate::diag::Finding;
use crate::hash::HashMap;
use crate::rules::id;
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{Node, Value};
use budget::Budget;
use kustomization::{Behavior, Kustomization, PatchSource, PatchSpec};
pub use load::Parsed;
use load::{clean, Loader, Use};
use resource::{IdRef, Res, ResId};
use std::path::{Path, PathBuf};

/// One rendered object.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The rendered document; its nodes' spans point into the files that produced each value.
    pub node: Node,
}

/// The result of building one kustomization directory.
#[derive(Debug, Default)]
pub struct Build {
    pub root: PathBuf,
    /// Rendered objects in kustomize's output (legacy) order (partial when `failed`).
    pub resources: Vec<Resource>,
    /// Every document of every resource file the build read, as written (before patches,
    /// namespaces, prefixes), and every ConfigMap a generator made before merges and replaces:
    /// what deploying the bases by themselves would apply.
    pub raw: Vec<Resource>,
    /// Build problems, located in the kustomization or input files.
    pub findings: Vec<Finding>,
    /// True when `kubectl kustomize` would fail on this tree: it renders nothing then, and
    /// `resources` holds only what was built before and around the failure.
    pub failed: bool,
    /// Every file the build read (for `--files-mode=overlays`).
    pub files_read: Vec<FileId>,
    /// Where the build learnt that secret values are written (`secretGenerator` literals and
    /// source files, values in the objects as far as the build got), known even when the
    /// build fails, so that no report prints them. A report adds what each file shows alone
    /// ([`crate::secrets::in_file`]).
    pub secrets: Vec<Span>,
}

impl Build {
    /// The rendered objects as multi-document YAML (what `kustomize build` prints).
    pub fn to_yaml(&self) -> String {
        let docs: Vec<&Node> = self.resources.iter().map(|r| &r.node).collect();
        crate::yaml::emit::to_yaml_docs(&docs)
    }
}

/// Builds the kustomization in `dir`. Never panics; every problem is a finding.
pub fn build(dir: &Path, sources: &SourceMap) -> Build {
    build_with(dir, sources, &Parsed::default())
}

/// [`build`], with the files' documents shared with the other builds of a run.
pub fn build_with(dir: &Path, sources: &SourceMap, parsed: &Parsed) -> Build {
    let mut b = Builder {
        loader: Loader::new(sources, parsed),
        findings: Vec::new(),
        failed: false,
        reordered: Vec::new(),
        secrets: Vec::new(),
        generated: Vec::new(),
        replacement_sources: Vec::new(),
        repo: sources.repo_root(dir),
        budget: Budget::default(),
        dirs_built: 0,
        built: HashMap::default(),
        opened: Vec::new(),
        deepest: 0,
        stack_refusals: 0,
    };
    let mut acc = Vec::new();
    let fifo = b.run_dir(dir, None, Expect::Root, &mut acc, &mut Vec::new());
    // A failed build still finishes what it built, so that checks whose inputs were built run
    // (kubectl would print nothing: `render` prints nothing then either).
    b.finish(&mut acc, fifo);
    // The objects as far as the build got (all of them when it failed): a value that a patch
    // or replacement moved into a Secret, or next to a password-like env name, is secret.
    for r in &acc {
        crate::secrets::of_resource(&r.node, sources, &mut b.secrets);
    }
    // A value `replacements` would copy into a Secret, in every file read, whether or not the
    // build got to copy it (its file may not even parse).
    for id in &b.loader.files_read {
        let f = sources.get(*id);
        let found = crate::secrets::lexical_keys(&f.text, &b.replacement_sources);
        b.secrets
            .extend(found.into_iter().map(|r| f.span(r.start, r.end)));
    }
    Build {
        root: dir.to_path_buf(),
        // A build stopped by its budget holds what a hostile input grew: nothing of it is
        // checked (the budget finding says why).
        resources: if b.budget.exhausted() {
            Vec::new()
        } else {
            acc.into_iter().map(|r| Resource { node: r.node }).collect()
        },
        raw: b
            .loader
            .resource_docs()
            .into_iter()
            .chain(b.generated)
            .map(|node| Resource { node })
            .collect(),
        findings: b.findings,
        failed: b.failed,
        files_read: b.loader.files_read,
        secrets: b.secrets,
    }
}

/// The positions of an accumulator's objects by kind and name (what kustomize's id equality
/// needs to match; group, version and namespace are compared on the few candidates).
struct AccIndex(HashMap<(String, String), Vec<usize>>);

impl AccIndex {
    fn new(acc: &[Res]) -> AccIndex {
        let mut index = AccIndex(HashMap::with_capacity_and_hasher(
            acc.len(),
            Default::default(),
        ));
        for (i, r) in acc.iter().enumerate() {
            index.slot(r).push(i);
        }
        index
    }

    fn slot(&mut self, r: &Res) -> &mut Vec<usize> {
        let id = r.id_ref();
        self.0
            .entry((id.kind.to_string(), id.name.to_string()))
            .or_default()
    }
}

/// Which kind of kustomization a directory must hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The directory being built: a Kustomization or a Component.
    Root,
    /// A `resources` entry: not a Component.
    Resource,
    /// A `components` entry: a Component.
    Component,
}

/// Kustomization directories one build may open (counting each time a directory is built).
const MAX_DIRS_BUILT: usize = 4096;

/// Deepest chain of nested kustomization directories.
const MAX_DIR_DEPTH: usize = 64;
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A list an SMP re-ordered in an object.
struct Reorder {
    id: ResId,
    list: smp::Reordered,
}

struct Builder<'a> {
    loader: Loader<'a>,
    findings: Vec<Finding>,
    failed: bool,
    reordered: Vec<Reorder>,
    /// Secret values seen, whether or not the build gets to render them.
    secrets: Vec<Span>,
    /// Every ConfigMap a generator made, before any merge or replace (see [`Build::raw`]).
    generated: Vec<Node>,
    /// Keys whose values a `replacements` entry copies into a Secret.
    replacement_sources: Vec<String>,
    /// The git repository holding the built directory: no kustomization directory outside it
    /// is read (`None` outside git: kustomize's own rules only).
    repo: Option<PathBuf>,
    budget: Budget,
    /// Kustomization directories built so far (see [`MAX_DIRS_BUILT`]; a memo hit builds none).
    dirs_built: usize,
    /// Directories listed under `resources` already built in this build, by canonical path.
    built: HashMap<PathBuf, Built>,
    /// Canonical directories opened, in order (memo hits add what their build opened).
    opened: Vec<PathBuf>,
    /// The deepest directory stack reached.
    deepest: usize,
    /// Times a cycle or the depth limit refused a directory: a build that saw one depends on
    /// the stack it ran under, and is not remembered.
    stack_refusals: usize,
}

/// A directory `resources` entry as built once (kustomize builds it afresh each time it is
/// listed; the result depends only on the directory, so it is built once and copied).
struct Built {
    items: Vec<Res>,
    /// Every directory its build opened, itself included (each once).
    opened: Vec<PathBuf>,
    /// How many levels below it the stack went.
    height: usize,
}

/// A kustomization directory on the path from the root to the one being built.
struct Frame {
    dir: PathBuf,
    canon: PathBuf,
    /// The entry that included it (`None` for the root).
    entry: Option<kustomization::Str>,
}

/// One directory being built.
struct Level {
    dir: PathBuf,
    canon: PathBuf,
    file: FileId,
}

impl Builder<'_> {
    /// A finding that makes the build fail (kustomize would).
    fn fail(&mut self, f: Finding) {
        self.failed = true;
        self.findings.push(f);
    }

    /// Charges `values` and `bytes` that the operation at `at` (described by `what`) is about
    /// to copy or create; false (and the build failed, once reported) when the budget is spent.
    fn charge(&mut self, values: usize, bytes: usize, at: Span, what: &str) -> bool {
        match self.budget.charge(values, bytes) {
            Ok(()) => true,
            Err(e) => {
                self.failed = true;
                if let Some(f) = e.finding(at, what) {
                    self.findings.push(f);
                }
                false
            }
        }
    }

    fn charge_node(&mut self, n: &Node, at: Span, what: &str) -> bool {
        let (v, b) = budget::size(n);
        self.charge(v, b, at, what)
    }

    /// Charges a copy of the objects of a directory built once (see [`Self::resource_dir`]).
    fn charge_copy(&mut self, items: &[Res], at: Span) -> bool {
        let (mut values, mut bytes) = (0usize, 0usize);
        for r in items {
            let (v, b) = budget::res_size(r);
            values = values.saturating_add(v);
            bytes = bytes.saturating_add(b);
        }
        self.charge(
            values,
            bytes,
            at,
            "this directory entry (a copy of its build)",
        )
    }

    /// A span for findings about a directory that has no file to point at.
    fn dir_span(&self, dir: &Path) -> Span {
        Span::file_start(self.loader.sources.add(dir.join(""), "").id)
    }

    /// Runs steps 1–8 of research §4 for `dir` into `acc`. Returns `sortOptions` fifo.
    fn run_dir(
        &mut self,
        dir: &Path,
        entry: Option<&kustomization::Str>,
        expect: Expect,
        acc: &mut Vec<Res>,
        stack: &mut Vec<Frame>,
    ) -> bool {
        if self.budget.exhausted() {
            return false;
        }
        // A directory included along many paths is built once per path: a chain of
        // directories that each include the next one twice is exponential.
        self.dirs_built += 1;
        if self.dirs_built > MAX_DIRS_BUILT {
            self.budget.exhaust();
            let at = entry.map_or_else(|| self.dir_span(dir), |e| e.span);
            self.fail(
                Finding::new(
                    id::YAML_LIMITS,
                    at,
                    format!(
                        "this entry makes the build open its {}th kustomization directory, past the limit of {MAX_DIRS_BUILT} (build size limit); the build stops here",
                        self.dirs_built
                    ),
                )
                .help("a directory included from many places is built once for each: include shared directories once, higher up"),
            );
            return false;
        }
        let Some((level, k)) = self.open(dir, entry, expect, stack) else {
            return false;
        };
        self.opened.push(level.canon.clone());
        self.replacement_sources
            .extend(crate::secrets::replacement_sources(&k.replacements));
        stack.push(Frame {
            dir: level.dir.clone(),
            canon: level.canon.clone(),
            entry: entry.cloned(),
        });
        self.deepest = self.deepest.max(stack.len());
        self.resources(&level, &k, acc, stack);
        self.generators(&level, &k, acc);
        for c in &k.components {
            if load::is_remote(&c.text) {
                self.remote(c);
                continue;
            }
            let sub = clean(&level.dir.join(&c.text));
            self.run_dir(&sub, Some(c), Expect::Component, acc, stack);
        }
        self.transform(&level, &k, acc);
        stack.pop();
        k.fifo
    }

    /// Loads and checks the kustomization of `dir`.
    fn open(
        &mut self,
        dir: &Path,
        entry: Option<&kustomization::Str>,
        expect: Expect,
        stack: &[Frame],
    ) -> Option<(Level, Kustomization)> {
        let at = entry.map(|e| e.span);
        let at_or_dir = |b: &Self| at.unwrap_or_else(|| b.dir_span(dir));
        let Ok(canon) = self.loader.sources.canonical(dir) else {
            let span = at_or_dir(self);
            let f = Finding::new(
                id::KUSTOMIZE_MISSING_FILE,
                span,
                format!("`{}` does not exist", crate::paths::display(dir)),
            );
            self.fail(match suggest::sibling(dir) {
                Some(help) => f.help(help),
                None => f,
            });
            return None;
        };
        if let Some(repo) = self.repo.as_deref().filter(|r| !canon.starts_with(r)) {
            let span = at_or_dir(self);
            self.fail(
                Finding::new(
                    id::KUSTOMIZE_OUTSIDE_ROOT,
                    span,
                    format!(
                        "kustomization directory `{}` resolves to `{}`, outside the repository `{}`; grill-lint does not read outside the repository it lints",
                        crate::paths::display(dir),
                        crate::paths::display(&canon),
                        crate::paths::display(repo)
                    ),
                )
                .help("vendor the directory into the repository, or point at a path inside it"),
            );
            return None;
        }
        if let Some(first) = stack.iter().position(|v| v.canon.starts_with(&canon)) {
            let f = cycle_finding(&stack[first..], &canon, entry, at_or_dir(self));
            self.stack_refusals += 1;
            self.fail(f);
            return None;
        }
        if stack.len() >= MAX_DIR_DEPTH {
            self.stack_refusals += 1;
            let span = at_or_dir(self);
            self.fail(Finding::new(
                id::KUSTOMIZE_CYCLE,
                span,
                format!("kustomization directories nest deeper than {MAX_DIR_DEPTH} levels"),
            ));
            return None;
        }
        let found: Vec<PathBuf> = KUSTOMIZATION_FILES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| crate::paths::present(p))
            .collect();
        let path = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                let span = at_or_dir(self);
                self.fail(Finding::new(
                    id::KUSTOMIZE_MISSING_FILE,
                    span,
                    format!(
                        "`{}` holds no kustomization.yaml, kustomization.yml or Kustomization",
                        crate::paths::display(dir)
                    ),
                ));
                return None;
            }
            [first, second, ..] => {
                let span = |b: &mut Self, p: &Path| match b.loader.text(p, &canon) {
                    Ok(f) => Span::file_start(f.id),
                    Err(_) => at_or_dir(b),
                };
                let (s1, s2) = (span(self, first), span(self, second));
                self.fail(
                    Finding::new(
                        id::KUSTOMIZE_UNSUPPORTED,
                        s2,
                        format!(
                            "`{}` holds several kustomization files (kustomize refuses to choose); nothing of this overlay was checked",
                            crate::paths::display(dir)
                        ),
                    )
                    .related(s1, "the other kustomization file")
                    .help("keep only one of them"),
                );
                return None;
            }
        };
        let file = match self.loader.text(&path, &canon) {
            Ok(f) => f,
            Err(e) => {
                let span = at_or_dir(self);
                self.fail(e.finding(span, dir));
                return None;
            }
        };
        let docs = self.loader.docs(&file, Use::Kustomization);
        self.findings.extend(docs.findings.iter().cloned());
        if docs.failed {
            self.failed = true;
            return None;
        }
        let empty = Node::null(Span::file_start(file.id));
        let doc = docs.docs.first().unwrap_or(&empty);
        if is_empty_kustomization(doc) {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            self.fail(
                Finding::new(
                    id::KUSTOMIZE_UNSUPPORTED,
                    Span::file_start(file.id),
                    format!(
                        "`{name}` sets nothing (kustomize refuses it: kustomization.yaml is empty)"
                    ),
                )
                .help("list what the overlay builds, e.g. `resources: [../base]`"),
            );
            return None;
        }
        let parsed = kustomization::parse(doc, file.id);
        self.findings.extend(parsed.findings);
        if parsed.failed {
            self.failed = true;
            return None;
        }
        let k = parsed.kustomization;
        let wrong = match expect {
            Expect::Component if !k.is_component => Some("a Component (kind: Component) was expected under `components`, but this is a Kustomization"),
            Expect::Resource if k.is_component => Some("a Component cannot be listed under `resources`; list it under `components`"),
            _ => None,
        };
        if let Some(msg) = wrong {
            let span = at.unwrap_or_else(|| Span::file_start(file.id));
            self.fail(
                Finding::new(
                    id::KUSTOMIZE_UNSUPPORTED,
                    span,
                    format!("{msg} (kustomize refuses it)"),
                )
                .related(Span::file_start(file.id), "this kustomization"),
            );
            return None;
        }
        Some((
            Level {
                dir: dir.to_path_buf(),
                canon,
                file: file.id,
            },
            k,
        ))
    }

    fn remote(&mut self, entry: &kustomization::Str) {
        self.fail(Finding::new(
            id::KUSTOMIZE_UNSUPPORTED,
            entry.span,
            format!("remote kustomize resource `{}` is not supported; nothing of this overlay was checked", entry.text),
        ).help("render offline: vendor it or point at a local path"));
    }

    /// Step 2: `resources` (and `bases`), files and directories.
    fn resources(
        &mut self,
        level: &Level,
        k: &Kustomization,
        acc: &mut Vec<Res>,
        stack: &mut Vec<Frame>,
    ) {
        // Nothing but `append_all` changes `acc` until the entries are done.
        let mut index = AccIndex::new(acc);
        for entry in &k.resources {
            if load::is_remote(&entry.text) {
                self.remote(entry);
                continue;
            }
            let p = clean(&level.dir.join(&entry.text));
            if self.loader.sources.is_dir(&p) {
                if Path::new(&entry.text).is_absolute() {
                    self.fail(Finding::new(
                        id::KUSTOMIZE_OUTSIDE_ROOT,
                        entry.span,
                        format!(
                            "kustomization directory `{}` cannot be absolute",
                            entry.text
                        ),
                    ));
                    continue;
                }
                let sub = self.resource_dir(&p, entry, stack);
                self.append_all(acc, &mut index, sub);
                continue;
            }
            let path = match self
                .loader
                .resolve_file(&level.dir, &level.canon, &entry.text)
            {
                Ok(p) => p,
                // A missing `resources` entry without a file extension may be a base
                // directory, and a directory may lie outside the root: it is missing.
                Err(load::LoadError::Outside { path, resolved })
                    if !resolved.exists() && path.extension().is_none() =>
                {
                    self.fail(load::LoadError::Missing(path).finding(entry.span, &level.dir));
                    continue;
                }
                Err(e) => {
                    self.fail(e.finding(entry.span, &level.dir));
                    continue;
                }
            };
            self.resource_file(&path, &level.canon, entry.span, acc, &mut index);
        }
    }

    /// Builds a directory listed under `resources` with a fresh accumulator, or copies what
    /// building it earlier in this build made. A copy is taken only when the stack cannot
    /// change the result: the first build met no cycle or depth limit, no directory it opened
    /// is an ancestor (or itself) of one on the stack now, and it fits under the depth limit
    /// here too. A diamond of bases is then linear; kustomize's duplicate-id verdict is the
    /// same, since the copy holds the same objects the second build would.
    fn resource_dir(
        &mut self,
        dir: &Path,
        entry: &kustomization::Str,
        stack: &mut Vec<Frame>,
    ) -> Vec<Res> {
        let canon = self.loader.sources.canonical(dir).ok();
        if let Some(b) = canon.as_ref().and_then(|c| self.built.get(c)) {
            let fits = stack.len() + b.height < MAX_DIR_DEPTH
                && !stack
                    .iter()
                    .any(|f| b.opened.iter().any(|o| f.canon.starts_with(o)));
            if fits {
                let items = b.items.clone();
                let opened = b.opened.clone();
                self.deepest = self.deepest.max(stack.len() + b.height);
                self.opened.extend(opened);
                // The copy is new memory, charged like the build that made it.
                return match self.charge_copy(&items, entry.span) {
                    true => items,
                    false => Vec::new(),
                };
            }
        }
        let (refusals, first_opened) = (self.stack_refusals, self.opened.len());
        let deepest = std::mem::replace(&mut self.deepest, stack.len());
        let mut sub = Vec::new();
        self.run_dir(dir, Some(entry), Expect::Resource, &mut sub, stack);
        let height = self.deepest.saturating_sub(stack.len());
        self.deepest = self.deepest.max(deepest);
        let keep = self.stack_refusals == refusals && self.charge_copy(&sub, entry.span);
        if let Some(canon) = canon.filter(|_| keep) {
            let mut seen = crate::hash::HashSet::default();
            let opened = self.opened[first_opened..]
                .iter()
                .filter(|o| seen.insert(*o))
                .cloned()
                .collect();
            self.built.insert(
                canon,
                Built {
                    items: sub.clone(),
                    opened,
                    height,
                },
            );
        }
        sub
    }

    fn resource_file(
        &mut self,
        path: &Path,
        root: &Path,
        at: Span,
        acc: &mut Vec<Res>,
        index: &mut AccIndex,
    ) {
        let file = match self.loader.text(path, root) {
            Ok(f) => f,
            Err(e) => {
                self.fail(e.finding(at, path));
                return;
            }
        };
        let docs = self.loader.docs(&file, Use::Resource);
        self.findings.extend(docs.findings.iter().cloned());
        if docs.failed {
            self.failed = true;
            return;
        }
        let mut items = Vec::new();
        for d in &docs.docs {
            if d.is_null() {
                continue;
            }
            if !self.charge_node(d, d.span, "this resource") {
                return;
            }
            if d.str_at(&["kind"]) == Some("List") {
                let list = d.get("items").and_then(Node::as_seq).unwrap_or(&[]);
                for it in list {
                    items.extend(self.resource_doc(it));
                }
            } else {
                items.extend(self.resource_doc(d));
            }
        }
        self.append_all(acc, index, items);
    }

    fn resource_doc(&mut self, d: &Node) -> Option<Res> {
        if d.as_map().is_none() || d.str_at(&["kind"]).is_none() {
            self.fail(Finding::new(
                id::KUSTOMIZE_UNSUPPORTED,
                d.span,
                "a resource must be a mapping with `apiVersion`, `kind` and `metadata.name`; kustomize refuses this document",
            ));
            return None;
        }
        let name = d.path(&["metadata", "name"]);
        let named = name
            .and_then(Node::as_scalar)
            .is_some_and(|s| !s.text.is_empty() && !s.is_null());
        if !named {
            let what = match name {
                None => "has no `metadata.name`".to_string(),
                Some(n) if n.as_scalar().is_some() => "has an empty `metadata.name`".to_string(),
                Some(n) => format!("has a {} as `metadata.name`", n.kind_name()),
            };
            self.fail(
                Finding::new(
                    id::KUSTOMIZE_UNSUPPORTED,
                    name.map_or(d.span, |n| n.span),
                    format!(
                        "this {} {what}; kustomize refuses it (missing metadata.name)",
                        d.str_at(&["kind"]).unwrap_or("object")
                    ),
                )
                .help("give the object a name: `metadata.name: <string>`"),
            );
            return None;
        }
        let origin = name.map_or(d.span, |n| n.span);
        Some(Res::new(d.clone(), origin))
    }

    /// Adds objects; an id already present is kustomize's duplicate error (at the later
    /// definition, the earlier one related). `index` covers `acc` and is kept up to date, so a
    /// level with n resource entries costs O(n) and not O(n²).
    fn append_all(&mut self, acc: &mut Vec<Res>, index: &mut AccIndex, items: Vec<Res>) {
        for r in items {
            let slot = index.slot(&r);
            let dup = slot
                .iter()
                .copied()
                .find(|&i| acc[i].id_ref().equals(&r.id_ref()));
            if let Some(prev) = dup {
                let f = Finding::new(
                    id::KUSTOMIZE_DUPLICATE_RESOURCE,
                    r.origin,
                    format!(
                        "two definitions of {} (kustomize refuses the second)",
                        r.id().describe()
                    ),
                )
                .label("second definition")
                .related(acc[prev].origin, "first definition")
                .help("rename one of them or remove one");
                self.fail(f);
                continue;
            }
            slot.push(acc.len());
            acc.push(r);
        }
    }

    /// Step 4: generators with create/merge/replace.
    fn generators(&mut self, level: &Level, k: &Kustomization, acc: &mut Vec<Res>) {
        let all = k
            .config_maps
            .iter()
            .map(|g| (g, false))
            .chain(k.secrets.iter().map(|g| (g, true)));
        // Every name each object ever had → its indices (generators look objects up by any id).
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, r) in acc.iter().enumerate() {
            for name in r.names() {
                by_name.entry(name.to_string()).or_default().push(i);
            }
        }
        for (g, secret) in all {
            let made = generators::generate(
                &mut self.loader,
                &level.dir,
                &level.canon,
                g,
                &k.generator_options,
                secret,
                &mut self.secrets,
            );
            let new = match made {
                Ok(r) => {
                    if !secret {
                        self.generated.push(r.node.clone());
                    }
                    r
                }
                Err(f) => {
                    self.fail(f);
                    continue;
                }
            };
            let notes = std::mem::take(&mut self.loader.notes);
            self.findings.extend(notes);
            if !self.charge_node(&new.node, g.span, "this generator") {
                return;
            }
            let id = new.id();
            let found = by_name.get(&id.name).and_then(|c| {
                c.iter()
                    .copied()
                    .find(|&i| acc[i].any_id(|x| x.equals(&IdRef::borrow(&id))))
            });
            match (g.behavior, found) {
                (Behavior::Create, None) => {
                    by_name.entry(id.name.clone()).or_default().push(acc.len());
                    acc.push(new);
                }
                (Behavior::Create, Some(i)) => {
                    let f = Finding::new(
                        id::KUSTOMIZE_DUPLICATE_RESOURCE,
                        new.origin,
                        format!("{} already exists; a generator for it needs `behavior: merge` or `replace`", id.describe()),
                    )
                    .related(acc[i].origin, "first definition")
                    .help("add `behavior: merge` (or `replace`) to this generator, or give it another name");
                    self.fail(f);
                }
                (_, None) => self.fail(Finding::new(
                    id::KUSTOMIZE_PATCH_TARGET_MISSING,
                    new.origin,
                    format!(
                        "{} does not exist; the generator cannot merge or replace it",
                        id.describe()
                    ),
                )),
                (b, Some(i)) => merge_generated(&mut acc[i], new, b == Behavior::Merge),
            }
        }
    }

    /// Step 6: the transformers in kustomize's fixed order.
    ///
    /// The transformers that write the same text into every object (namespace, affixes,
    /// labels, annotations, images) charge that text once an object before they run; the
    /// patches and replacements charge each value they copy.
    fn transform(&mut self, level: &Level, k: &Kustomization, acc: &mut Vec<Res>) {
        let n = acc.len();
        let per_object = |b: &mut Self, values: usize, bytes: usize, at: Span, what: &str| {
            b.charge(values.saturating_mul(n), bytes.saturating_mul(n), at, what)
        };
        for p in &k.patches_strategic_merge {
            self.patch(level, p, acc, false);
        }
        for p in &k.patches {
            self.patch(level, p, acc, true);
        }
        if let Some(ns) = &k.namespace {
            if !per_object(self, 1, ns.text.len(), ns.span, "this `namespace`") {
                return;
            }
            namespace::apply(acc, ns);
            self.check_unique_ids(acc, ns.span);
        }
        for (affix, prefix, what) in [
            (&k.name_prefix, true, "this `namePrefix`"),
            (&k.name_suffix, false, "this `nameSuffix`"),
        ] {
            if let Some(a) = affix {
                // The name, and every reference to it, grows by the affix.
                if !per_object(self, 1, a.text.len(), a.span, what) {
                    return;
                }
                names::apply_affix(acc, a, prefix);
            }
        }
        for set in &k.labels {
            let specs = labels::label_specs(set);
            let bytes: usize = set
                .pairs
                .iter()
                .map(|(k, v)| k.text.len() + v.text.len())
                .sum();
            let at = set
                .pairs
                .first()
                .map_or(Span::file_start(level.file), |p| p.0.span);
            let fields = specs.len().max(1);
            if !per_object(
                self,
                set.pairs.len() * fields,
                bytes * fields,
                at,
                "this label set",
            ) {
                return;
            }
            labels::apply(acc, &specs, &set.pairs);
        }
        if let Some((first, _)) = k.common_annotations.first() {
            let pairs = &k.common_annotations;
            let bytes: usize = pairs.iter().map(|(k, v)| k.text.len() + v.text.len()).sum();
            let specs = labels::annotation_specs();
            let fields = specs.len().max(1);
            if !per_object(
                self,
                pairs.len() * fields,
                bytes * fields,
                first.span,
                "these `commonAnnotations`",
            ) {
                return;
            }
            labels::apply(acc, &specs, pairs);
        }
        for p in &k.patches_json6902 {
            self.patch(level, p, acc, false);
        }
        for r in &k.replicas {
            if !images::apply_replicas(acc, r) {
                self.fail(replicas_unmatched(r, acc));
            }
        }
        for i in &k.images {
            let bytes: usize = [&i.new_name, &i.new_tag, &i.digest, &i.tag_suffix]
                .iter()
                .filter_map(|x| x.as_ref())
                .map(|x| x.text.len())
                .sum();
            if !per_object(self, 1, bytes, i.name.span, "this `images` entry") {
                return;
            }
            images::apply_image(acc, i);
        }
        if self.budget.exhausted() {
            return;
        }
        if let Err(f) = replacements::apply(
            &mut self.loader,
            &level.dir,
            &level.canon,
            &k.replacements,
            acc,
            &mut self.budget,
        ) {
            self.fail(f);
        }
    }

    /// After `namespace`: two objects now sharing an id is kustomize's "ID conflict" error.
    fn check_unique_ids(&mut self, acc: &[Res], ns: Span) {
        let mut seen: HashMap<ResId, usize> = HashMap::default();
        for (i, r) in acc.iter().enumerate() {
            let mut id = r.id();
            id.namespace = resource::norm_ns(&id.namespace).to_string();
            if let Some(&first) = seen.get(&id) {
                let f = Finding::new(
                    id::KUSTOMIZE_DUPLICATE_RESOURCE,
                    r.origin,
                    format!(
                        "`namespace` gives {} the id of another object (kustomize: namespace transformation produces ID conflict)",
                        r.id().describe()
                    ),
                )
                .related(acc[first].origin, "the other object")
                .related(ns, "the namespace set here");
                self.fail(f);
                return;
            }
            seen.insert(id, i);
        }
    }

    /// Reads a patch's documents (file under the root, or inline text). `modern`: the entry is
    /// from `patches:`, whose inline text kustomize trims.
    fn patch_docs(&mut self, level: &Level, p: &PatchSpec, modern: bool) -> Option<Vec<Node>> {
        let docs = match &p.source {
            PatchSource::File(f) => {
                let path = match self.loader.resolve_file(&level.dir, &level.canon, &f.text) {
                    Ok(p) => p,
                    Err(e) => {
                        self.fail(e.finding(f.span, &level.dir));
                        return None;
                    }
                };
                let file = match self.loader.text(&path, &level.canon) {
                    Ok(f) => f,
                    Err(e) => {
                        self.fail(e.finding(p.span, &level.dir));
                        return None;
                    }
                };
                let d = self.loader.docs(&file, Use::Patch);
                (d.docs.clone(), d.findings.clone(), d.failed)
            }
            PatchSource::Inline(n) => {
                let file = self.loader.sources.get(level.file);
                let d = self.loader.inline_docs(&file, n, modern);
                (d.docs, d.findings, d.failed)
            }
        };
        self.findings.extend(docs.1);
        if docs.2 {
            self.failed = true;
            return None;
        }
        Some(docs.0.into_iter().filter(|d| !d.is_null()).collect())
    }

    /// One patch entry. `store_id`: kustomize's `patches:` records each JSON-patched
    /// object's id first (its `patchesJson6902` does not).
    fn patch(&mut self, level: &Level, p: &PatchSpec, acc: &mut Vec<Res>, store_id: bool) {
        if self.budget.exhausted() {
            return;
        }
        let Some(docs) = self.patch_docs(level, p, store_id) else {
            return;
        };
        for d in &docs {
            if !self.charge_node(d, p.span, "this patch") {
                return;
            }
        }
        let Some(first) = docs.first() else {
            return;
        };
        if first.as_seq().is_some() {
            self.json_patch(p, first, acc, store_id);
        } else {
            self.smp(p, &docs, acc);
        }
    }

    /// The objects a target selects, with a located error for a bad selector.
    fn selected(
        &mut self,
        p: &PatchSpec,
        t: &kustomization::Target,
        acc: &[Res],
    ) -> Option<Vec<usize>> {
        let sel = match select::Selector::new(t) {
            Ok(s) => s,
            Err((at, msg)) => {
                self.fail(Finding::new(
                    id::KUSTOMIZE_PATCH_FAILED,
                    at.span,
                    format!("invalid target selector `{}`: {msg}", at.text),
                ));
                return None;
            }
        };
        let hits: Vec<usize> = (0..acc.len()).filter(|&i| sel.matches(&acc[i])).collect();
        if hits.is_empty() {
            let (at, message) = match empty_selector_field(t, acc) {
                Some((field, s)) => (
                    s.span,
                    format!(
                        "no object has {field} `{}`, so this patch target selects nothing and the patch does nothing (kustomize is silent about it)",
                        s.text
                    ),
                ),
                None => (
                    t.span.unwrap_or(p.span),
                    "this patch target selects no object, so the patch does nothing (kustomize is silent about it)".to_string(),
                ),
            };
            let mut f = Finding::new(id::KUSTOMIZE_PATCH_TARGET_MISSING, at, message);
            if let (Some(kind), Some(name)) = (&t.kind, &t.name) {
                let same_kind = acc
                    .iter()
                    .map(|r| r.id_ref())
                    .filter(|id| id.kind == kind.text)
                    .map(|id| id.name);
                f = f.help(suggest::objects_of_kind(&kind.text, &name.text, same_kind));
            }
            self.findings.push(f);
        }
        Some(hits)
    }

    fn json_patch(&mut self, p: &PatchSpec, doc: &Node, acc: &mut [Res], store_id: bool) {
        let Some(t) = &p.target else {
            self.fail(Finding::new(
                id::KUSTOMIZE_PATCH_FAILED,
                p.span,
                "a JSON6902 patch needs a `target`",
            ));
            return;
        };
        let ops = match json6902::parse_ops(doc) {
            Ok(o) => o,
            Err((span, msg)) => {
                self.fail(Finding::new(id::KUSTOMIZE_PATCH_FAILED, span, msg));
                return;
            }
        };
        let Some(hits) = self.selected(p, t, acc) else {
            return;
        };
        for i in hits {
            self.warn_index_after_smp(&acc[i], &ops);
            if store_id {
                acc[i].store_prev();
            }
            annotations::expose(&mut acc[i]);
            let applied = json6902::apply(&mut acc[i].node, &ops, &mut self.budget);
            annotations::settle(&mut acc[i].node);
            match applied {
                Ok(()) => {}
                Err(json6902::Failure::Invalid { span, message }) => {
                    let id = acc[i].id().describe();
                    self.fail(Finding::new(
                        id::KUSTOMIZE_PATCH_FAILED,
                        span,
                        format!("{message} (patching {id})"),
                    ));
                }
                Err(json6902::Failure::Budget { span, exceeded }) => {
                    self.failed = true;
                    if let Some(f) = exceeded.finding(span, "this JSON6902 operation") {
                        self.findings.push(f);
                    }
                    return;
                }
                Err(json6902::Failure::Test { op, found }) => {
                    if let Some(op) = ops.get(op) {
                        let f = test_failed(op, found.as_ref(), &acc[i], self.loader.sources);
                        self.fail(f);
                    }
                }
            }
        }
    }

    fn warn_index_after_smp(&mut self, r: &Res, ops: &[json6902::Op]) {
        let id = r.id();
        for op in ops {
            for re in self.reordered.iter().filter(|re| re.id.equals(&id)) {
                let Some(rest) = op.path.strip_prefix(&re.list.pointer) else {
                    continue;
                };
                let index = rest.strip_prefix('/').and_then(|s| s.split('/').next());
                let Some(index) = index.and_then(|s| s.parse::<i64>().ok()) else {
                    continue;
                };
                let (pointer, path) = (&re.list.pointer, &op.path);
                let reordered = format!("`{path}` addresses `{pointer}` by index, but a strategic-merge patch re-ordered that list");
                let mut f = match re.list.name_at(index) {
                    Some(name) => Finding::new(
                        id::KUSTOMIZE_INDEX_PATCH_AFTER_SMP,
                        op.path_span,
                        format!("{reordered}: index {index} is now `{name}`"),
                    )
                    .label(format!("index {index} is `{name}` here")),
                    None => Finding::new(
                        id::KUSTOMIZE_INDEX_PATCH_AFTER_SMP,
                        op.path_span,
                        format!("{reordered}, so the index may hit another element"),
                    ),
                };
                f = f
                    .related(re.list.span, &re.list.note)
                    .help("use a strategic-merge patch that names the element instead of an index");
                self.findings.push(f);
            }
        }
    }

    fn smp(&mut self, p: &PatchSpec, docs: &[Node], acc: &mut Vec<Res>) {
        if let Some((span, text)) = docs.iter().find_map(smp::unknown_directive) {
            self.fail(
                Finding::new(
                    id::KUSTOMIZE_PATCH_FAILED,
                    span,
                    format!("unknown patch strategy `{text}` (kustomize refuses the patch)"),
                )
                .help("`$patch` takes `replace`, `merge` or `delete`"),
            );
            return;
        }
        if let Some(t) = &p.target {
            if docs.len() > 1 {
                self.fail(Finding::new(
                    id::KUSTOMIZE_PATCH_FAILED,
                    p.span,
                    "a strategic-merge patch with a `target` must hold exactly one document",
                ));
                return;
            }
            let Some(hits) = self.selected(p, t, acc) else {
                return;
            };
            let mut deleted = Vec::new();
            for i in hits {
                if self.merge_into(&mut acc[i], &docs[0], p) {
                    deleted.push(i);
                }
            }
            remove_indices(acc, &deleted);
            return;
        }
        for d in docs {
            let pid = ResId::of(d);
            let pref = IdRef::borrow(&pid);
            let hits: Vec<usize> = (0..acc.len())
                .filter(|&i| {
                    // kustomize matches the patch's id exactly, namespace included: a patch
                    // without `metadata.namespace` is for the default namespace, so it matches
                    // an object only through an id (current or earlier) without one.
                    acc[i].any_id(|id| {
                        id.gvk_name_equals(&pref)
                            && resource::norm_ns(id.namespace) == resource::norm_ns(&pid.namespace)
                    })
                })
                .collect();
            match hits.as_slice() {
                [i] => {
                    let i = *i;
                    if self.merge_into(&mut acc[i], d, p) {
                        acc.remove(i);
                    }
                }
                [] => {
                    let at = d.path(&["metadata", "name"]).map_or(d.span, |n| n.span);
                    // The same kind and name in another namespace: the patch lacks (or
                    // misspells) `metadata.namespace`.
                    let elsewhere = acc
                        .iter()
                        .find(|r| r.any_id(|id| id.gvk_name_equals(&pref)));
                    let f = match elsewhere {
                        Some(r) => {
                            let ns = resource::norm_ns(&r.id().namespace).to_string();
                            let theirs = resource::norm_ns(&pid.namespace).to_string();
                            Finding::new(
                                id::KUSTOMIZE_PATCH_TARGET_MISSING,
                                at,
                                format!(
                                    "this strategic-merge patch is for {} {} in namespace `{theirs}`, but that object is in namespace `{ns}`: kustomize matches the namespace too and fails the build",
                                    pid.kind, pid.name
                                ),
                            )
                            .related(r.origin, format!("{} {} is in namespace `{ns}`", pid.kind, pid.name))
                            .help(format!("add `namespace: {ns}` under the patch's `metadata`"))
                        }
                        None => {
                            let same_kind = acc
                                .iter()
                                .map(|r| r.id_ref())
                                .filter(|id| id.kind == pid.kind)
                                .map(|id| id.name);
                            let help = suggest::objects_of_kind(&pid.kind, &pid.name, same_kind);
                            Finding::new(
                                id::KUSTOMIZE_PATCH_TARGET_MISSING,
                                at,
                                format!(
                                    "this strategic-merge patch is for {}, which does not exist",
                                    pid.describe()
                                ),
                            )
                            .help(help)
                        }
                    };
                    self.fail(f);
                }
                _ => self.fail(Finding::new(
                    id::KUSTOMIZE_PATCH_TARGET_MISSING,
                    d.span,
                    format!(
                        "several objects match this strategic-merge patch for {}",
                        pid.describe()
                    ),
                )),
            }
        }
    }

    /// Merges one SMP document into `r`; true when the object is deleted.
    fn merge_into(&mut self, r: &mut Res, patch: &Node, p: &PatchSpec) -> bool {
        if smp::deletes_object(patch) {
            return true;
        }
        let keep = |n: &Node, path: &[&str]| n.path(path).cloned();
        let (name, kind, ns, api) = (
            keep(&r.node, &["metadata", "name"]),
            keep(&r.node, &["kind"]),
            keep(&r.node, &["metadata", "namespace"]),
            keep(&r.node, &["apiVersion"]),
        );
        if p.allow_name_change || p.allow_kind_change {
            r.store_prev();
        }
        // The patch is merged in, and the object is copied to find re-ordered lists.
        let (pv, pb) = budget::size(patch);
        let (ov, ob) = budget::size(&r.node);
        if !self.charge(pv + ov, pb + ob, p.span, "this strategic-merge patch") {
            return false;
        }
        let id = r.id();
        let before = r.node.clone();
        let mut patch = patch.clone();
        output::annotations_as_strings(&mut patch);
        smp::merge_object(&mut r.node, &patch, &id);
        if !p.allow_kind_change {
            restore(&mut r.node, &["kind"], kind);
        }
        if !p.allow_name_change {
            restore(&mut r.node, &["metadata", "name"], name);
        }
        restore(&mut r.node, &["metadata", "namespace"], ns);
        // A patch never changes apiVersion, whatever its options (observed).
        restore(&mut r.node, &["apiVersion"], api);
        for list in smp::reordered_lists(&before, &r.node, &patch) {
            self.reordered.push(Reorder { id: r.id(), list });
        }
        r.node.as_map().is_some_and(|m| m.is_empty())
    }

    /// Root steps 9–13.
    fn finish(&mut self, acc: &mut Vec<Res>, fifo: bool) {
        names::apply_hashes(acc);
        let errors = names::fix_references(acc);
        if !errors.is_empty() {
            self.failed = true;
            self.findings.extend(errors);
        }
        acc.retain(|r| {
            r.node.str_at(&[
                "metadata",
                "annotations",
                "config.kubernetes.io/local-config",
            ]) != Some("true")
        });
        if !fifo {
            order::legacy_sort(acc);
        }
        for r in acc.iter_mut() {
            annotations::finish(&mut r.node);
            for span in output::normalise(&mut r.node) {
                let mut f = Finding::new(
                    id::YAML_AMBIGUOUS_SCALAR,
                    span,
                    "this value reads as an infinite or NaN number, which kustomize cannot encode as JSON: the build fails (quote it if a string was meant)",
                );
                f.severity = crate::diag::Severity::Error;
                self.fail(f);
            }
        }
    }
}

/// The selector field of a target that selects nothing to blame: the first field that matches
/// no object on its own, else (only the combination matches nothing) the most specific field
/// written: `name`, then the selectors, `namespace`, `kind`.
fn empty_selector_field<'t>(
    t: &'t kustomization::Target,
    acc: &[Res],
) -> Option<(&'static str, &'t kustomization::Str)> {
    let fields: [(&'static str, &Option<kustomization::Str>); 7] = [
        ("kind", &t.kind),
        ("name", &t.name),
        ("namespace", &t.namespace),
        ("labelSelector", &t.label_selector),
        ("annotationSelector", &t.annotation_selector),
        ("group", &t.group),
        ("version", &t.version),
    ];
    let alone = |field: &str, s: &kustomization::Str| {
        let mut one = kustomization::Target {
            group: None,
            version: None,
            kind: None,
            name: None,
            namespace: None,
            label_selector: None,
            annotation_selector: None,
            span: t.span,
        };
        let slot = match field {
            "kind" => &mut one.kind,
            "name" => &mut one.name,
            "namespace" => &mut one.namespace,
            "labelSelector" => &mut one.label_selector,
            "annotationSelector" => &mut one.annotation_selector,
            "group" => &mut one.group,
            _ => &mut one.version,
        };
        *slot = Some(s.clone());
        select::Selector::new(&one).is_ok_and(|sel| acc.iter().any(|r| sel.matches(r)))
    };
    let written = || {
        fields
            .iter()
            .filter_map(|(f, s)| s.as_ref().map(|s| (*f, s)))
    };
    if let Some(hit) = written().find(|(f, s)| !alone(f, s)) {
        return Some(hit);
    }
    [
        "name",
        "labelSelector",
        "annotationSelector",
        "namespace",
        "kind",
    ]
    .iter()
    .find_map(|want| written().find(|(f, _)| f == want))
}

/// A `replicas` entry whose name no Deployment, StatefulSet, ReplicaSet or
/// ReplicationController carries: kustomize fails the build.
fn replicas_unmatched(r: &kustomization::ReplicaSpec, acc: &[Res]) -> Finding {
    let name = &r.name.text;
    let kinds = images::replica_kinds();
    let other: Vec<String> = acc
        .iter()
        .filter(|o| o.had_name(name))
        .map(|o| o.kind().to_string())
        .collect();
    let message = match other.first() {
        Some(kind) => format!(
            "`replicas` names `{name}`, a {kind}, which has no replicas field: kustomize fails the build"
        ),
        None => format!(
            "`replicas` names `{name}`, but no {} has that name: kustomize fails the build",
            kinds.join(", ")
        ),
    };
    let workloads: Vec<String> = acc
        .iter()
        .filter(|o| kinds.contains(&o.kind()))
        .map(|o| format!("{} {}", o.kind(), o.name()))
        .collect();
    let help = if workloads.is_empty() {
        format!(
            "remove this entry: `replicas` only sets `spec.replicas` of a {}",
            kinds.join(", ")
        )
    } else {
        format!("name one of: {}, or remove the entry", workloads.join(", "))
    };
    Finding::new(id::KUSTOMIZE_PATCH_TARGET_MISSING, r.name.span, message).help(help)
}

/// kustomize's "kustomization.yaml is empty": nothing but `apiVersion`/`kind` set to anything
/// other than its zero value (observed with kubectl: `~`, `{}`, `kind: Kustomization` and
/// `namePrefix: ""` fail; `resources: []` builds).
fn is_empty_kustomization(doc: &Node) -> bool {
    if doc.is_null() {
        return true;
    }
    let Some(m) = doc.as_map() else {
        return false;
    };
    m.entries.iter().all(|e| {
        let key = e.key.as_str().unwrap_or("");
        key == "apiVersion"
            || key == "kind"
            || e.value.as_scalar().is_some_and(|s| {
                s.is_null()
                    || s.text.is_empty()
                    || matches!(s.resolve(), crate::yaml::Resolved::Bool(false))
            })
    })
}

/// `behavior: merge` (data merged, new keys win) or `replace` (data replaced); labels and
/// annotations merge either way; `type` and `immutable` come from the new generator; the
/// hash is kept only if both generators want it; the old object keeps its place and name.
fn merge_generated(old: &mut Res, new: Res, merge: bool) {
    for field in ["data", "binaryData"] {
        let Some(new_map) = new.node.get(field).and_then(Node::as_map).cloned() else {
            if !merge {
                if let Some(m) = old.node.as_map_mut() {
                    m.remove(field);
                }
            }
            continue;
        };
        let span = new.node.get(field).map_or(new.origin, |n| n.span);
        let Some(obj) = old.node.as_map_mut() else {
            return;
        };
        match obj.get_mut(field).and_then(Node::as_map_mut) {
            Some(m) if merge => {
                for e in std::sync::Arc::unwrap_or_clone(new_map.entries) {
                    if let Some(k) = e.key.as_str().map(str::to_string) {
                        resource::put(m, &k, e.value);
                    }
                }
            }
            _ => resource::put(obj, field, Node::new(Value::Map(new_map), span)),
        }
    }
    for field in ["labels", "annotations"] {
        let Some(new_map) = new
            .node
            .path(&["metadata", field])
            .and_then(Node::as_map)
            .cloned()
        else {
            continue;
        };
        if let Some(m) = resource::ensure_map(&mut old.node, &["metadata", field], new.origin) {
            for e in std::sync::Arc::unwrap_or_clone(new_map.entries) {
                if let Some(k) = e.key.as_str().map(str::to_string) {
                    resource::put(m, &k, e.value);
                }
            }
        }
    }
    for field in ["immutable", "type"] {
        let Some(obj) = old.node.as_map_mut() else {
            break;
        };
        match new.node.get(field).cloned() {
            Some(v) => resource::put(obj, field, v),
            None => {
                obj.remove(field);
            }
        }
    }
    // Hashed only when both generators want it; a non-generated object never gets a hash
    // (observed with kubectl).
    let wants = new.generated.as_ref().is_some_and(|g| g.hash);
    if let Some(g) = old.generated.as_mut() {
        g.hash &= wants;
    }
}

/// `kustomize/patch-failed` for a `test` operation that found another value than it expects
/// in `r`. Both values are shown when they are short scalars and nothing marks them secret.
fn test_failed(op: &json6902::Op, found: Option<&Node>, r: &Res, sources: &SourceMap) -> Finding {
    use crate::secrets;
    let id = r.id();
    let mut secret_spans = Vec::new();
    secrets::of_resource(&r.node, sources, &mut secret_spans);
    let secret_node =
        |n: &Node| secrets::overlaps(&secret_spans, n.span) || secrets::may_be_secret(n, sources);
    let secret = id.kind == "Secret"
        || secrets::is_secret_name(&op.path)
        || found.is_some_and(secret_node)
        || op.value.as_ref().is_some_and(secret_node);
    let shown = |n: &Node| if secret { None } else { short_value(n) };
    let want = op.value.as_ref().and_then(shown);
    let at = op.value.as_ref().map_or(op.span, |v| v.span);
    let (path, obj) = (&op.path, id.describe());
    let Some(found) = found else {
        return Finding::new(
            id::KUSTOMIZE_PATCH_FAILED,
            at,
            format!("`test` checks `{path}` of {obj}, which does not exist"),
        )
        .label("tested value")
        .help("correct the path, or remove the `test` operation");
    };
    match (want, shown(found)) {
        (Some(want), Some(have)) => Finding::new(
            id::KUSTOMIZE_PATCH_FAILED,
            at,
            format!("`test` expects `{want}` at `{path}` of {obj}, but finds `{have}`"),
        )
        .label("tested value")
        .related(found.span, "current value")
        .help(format!(
            "if the patch suits the current value, test for `{have}` instead"
        )),
        _ => Finding::new(
            id::KUSTOMIZE_PATCH_FAILED,
            at,
            format!("`test` expects another value at `{path}` of {obj} (the values are not shown)"),
        )
        .label("tested value")
        .related(found.span, "current value")
        .help("if the patch suits the current value, test for that value instead"),
    }
}

/// A scalar's value for a message: only short single-line text that does not look like a
/// password (`requirepass …`).
fn short_value(n: &Node) -> Option<String> {
    let text = match n.to_json() {
        serde_json::Value::String(s) => s,
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => return None,
        other => other.to_string(),
    };
    let plain = !text.contains('\n') && text.chars().count() <= 80;
    (plain && !text.to_ascii_lowercase().contains("pass")).then_some(text)
}

/// `kustomize/cycle` for `entry` (at `at`), which includes `canon` again: `chain` runs from the
/// first directory inside `canon` to the one holding `entry`. Directories are named as reports
/// show paths, the entries in between as written.
fn cycle_finding(
    chain: &[Frame],
    canon: &Path,
    entry: Option<&kustomization::Str>,
    at: Span,
) -> Finding {
    let shown = |dir: &Path| crate::paths::display(dir);
    let first = chain
        .first()
        .map_or_else(|| shown(canon), |f| shown(&f.dir));
    let written = entry.map_or(".", |e| e.text.as_str());
    let mut message = format!("`{first}` includes ");
    let mut labels = Vec::new();
    for (prev, f) in chain.iter().zip(chain.iter().skip(1)) {
        if let Some(e) = &f.entry {
            message.push_str(&format!("`{}`, which includes ", e.text));
            labels.push((
                e.span,
                format!("`{}` includes `{}` here", shown(&prev.dir), e.text),
            ));
        }
    }
    let again = chain.first().is_some_and(|f| f.canon == canon);
    match (again, chain.len()) {
        (true, 1) => message = format!("`{first}` includes itself (as `{written}`)"),
        (true, _) => message.push_str(&format!("`{first}` again")),
        (false, _) => message.push_str(&format!("`{written}`, which contains `{first}`")),
    }
    let f = Finding::new(id::KUSTOMIZE_CYCLE, at, message)
        .label("this entry closes the cycle")
        .help("remove this entry; to share objects between these directories, move them into a separate directory that each of them lists");
    labels
        .into_iter()
        .fold(f, |f, (span, label)| f.related(span, label))
}

fn restore(node: &mut Node, path: &[&str], old: Option<Node>) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let Some(m) = node.path_mut(parent).and_then(Node::as_map_mut) else {
        return;
    };
    match old {
        Some(v) => {
            if m.get(last) != Some(&v) {
                resource::put(m, last, v);
            }
        }
        None => {
            m.remove(last);
        }
    }
}

fn remove_indices(acc: &mut Vec<Res>, sorted: &[usize]) {
    for &i in sorted.iter().rev() {
        acc.remove(i);
    }
}

#[cfg(test)]
mod tests;
