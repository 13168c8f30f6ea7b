//! The kustomization file as a typed value that keeps the span of every field.
//!
//! Parsing follows kustomize's loader: unknown fields fail the build, deprecated fields are
//! normalised (`bases` after `resources`, `imageTags` into `images`, `env` into `envs`) and
//! warned about, and the fields the native renderer does not implement are refused by name.

use super::fieldspec::FieldSpec;
use crate::diag::Finding;
use crate::rules::id;
use crate::source::{FileId, Span};
use crate::yaml::{Node, Resolved, Value};

/// A string value with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    pub text: String,
    pub span: Span,
}

impl Str {
    fn of(n: &Node) -> Option<Str> {
        Some(Str {
            text: n.as_str()?.to_string(),
            span: n.span,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelMode {
    /// `metadata/labels` only.
    Metadata,
    /// `includeTemplates`: metadata and pod templates.
    Templates,
    /// `includeSelectors` or `commonLabels`: metadata, templates and selectors.
    Selectors,
}

#[derive(Clone, Debug)]
pub struct LabelSet {
    pub pairs: Vec<(Str, Str)>,
    pub mode: LabelMode,
    pub fields: Vec<FieldSpec>,
}

/// A `patches` target selector.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub group: Option<Str>,
    pub version: Option<Str>,
    pub kind: Option<Str>,
    pub name: Option<Str>,
    pub namespace: Option<Str>,
    pub label_selector: Option<Str>,
    pub annotation_selector: Option<Str>,
    pub span: Option<Span>,
}

/// Where a patch's text comes from.
#[derive(Clone, Debug)]
pub enum PatchSource {
    File(Str),
    /// The inline scalar node (its span and style locate the text in the kustomization).
    Inline(Node),
}

#[derive(Clone, Debug)]
pub struct PatchSpec {
    pub source: PatchSource,
    pub target: Option<Target>,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
    /// The whole entry.
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct GenOptions {
    pub labels: Vec<(Str, Str)>,
    pub annotations: Vec<(Str, Str)>,
    pub disable_hash: Option<bool>,
    pub immutable: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    Create,
    Merge,
    Replace,
}

#[derive(Clone, Debug)]
pub struct GenSpec {
    pub name: Option<Str>,
    pub namespace: Option<Str>,
    pub behavior: Behavior,
    /// The behavior as kustomize names it in its `generatorBehavior` annotation
    /// (`unspecified` when missing or unknown, else `create`, `merge`, `replace`).
    pub behavior_name: &'static str,
    pub literals: Vec<Str>,
    pub files: Vec<Str>,
    pub envs: Vec<Str>,
    pub options: GenOptions,
    /// Secret `type`.
    pub type_: Option<Str>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ImageSpec {
    pub name: Str,
    pub new_name: Option<Str>,
    pub new_tag: Option<Str>,
    pub digest: Option<Str>,
    pub tag_suffix: Option<Str>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ReplicaSpec {
    pub name: Str,
    pub count: Str,
}

#[derive(Clone, Debug)]
pub struct Kustomization {
    pub file: FileId,
    pub is_component: bool,
    /// `resources` then `bases`.
    pub resources: Vec<Str>,
    pub components: Vec<Str>,
    pub namespace: Option<Str>,
    pub name_prefix: Option<Str>,
    pub name_suffix: Option<Str>,
    /// `labels` entries in order, then `commonLabels`.
    pub labels: Vec<LabelSet>,
    pub common_annotations: Vec<(Str, Str)>,
    pub patches_strategic_merge: Vec<PatchSpec>,
    pub patches: Vec<PatchSpec>,
    pub patches_json6902: Vec<PatchSpec>,
    pub config_maps: Vec<GenSpec>,
    pub secrets: Vec<GenSpec>,
    pub generator_options: GenOptions,
    pub images: Vec<ImageSpec>,
    pub replicas: Vec<ReplicaSpec>,
    /// `sortOptions.order: fifo`.
    pub fifo: bool,
    /// `replacements` entries, read by [`super::replacements`] when they run.
    pub replacements: Vec<Node>,
}

/// Parse outcome: findings, and whether kustomize would refuse the file.
pub struct Parsed {
    pub kustomization: Kustomization,
    pub findings: Vec<Finding>,
    pub failed: bool,
}

const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "helmCharts",
        "pre-render the chart (`helm template`) and list the output under `resources`",
    ),
    (
        "helmGlobals",
        "pre-render the chart (`helm template`) and list the output under `resources`",
    ),
    (
        "helmChartInflationGenerator",
        "pre-render the chart (`helm template`) and list the output under `resources`",
    ),
    (
        "generators",
        "kustomize plugins are not supported; render them offline",
    ),
    (
        "transformers",
        "kustomize plugins are not supported; use the equivalent kustomization fields",
    ),
    ("validators", "kustomize plugins are not supported"),
    (
        "openapi",
        "custom OpenAPI schemas change merge behaviour and are not supported",
    ),
    (
        "crds",
        "custom CRD schemas change merge behaviour and are not supported",
    ),
    (
        "vars",
        "`vars` is deprecated and not supported; use `replacements`",
    ),
    (
        "configurations",
        "custom field specs (`configurations`) are not yet supported",
    ),
    ("buildMetadata", "`buildMetadata` is not supported"),
];

const KNOWN: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "labels",
    "commonLabels",
    "commonAnnotations",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "images",
    "imageTags",
    "replicas",
    "sortOptions",
    "replacements",
];

const DEPRECATED: &[(&str, &str)] = &[
    ("bases", "list the directories under `resources`"),
    (
        "commonLabels",
        "use `labels` with `includeSelectors: true` (or without it to leave selectors alone)",
    ),
    (
        "patchesStrategicMerge",
        "use `patches` (each entry `path:` or `patch:`)",
    ),
    ("patchesJson6902", "use `patches` with a `target`"),
    ("imageTags", "use `images`"),
];

struct Cx {
    findings: Vec<Finding>,
    failed: bool,
}

impl Cx {
    fn bad(&mut self, span: Span, msg: String) {
        self.findings.push(
            Finding::new(
                id::KUSTOMIZE_UNSUPPORTED,
                span,
                format!("{msg}; kustomize refuses this kustomization, so nothing of this overlay was checked"),
            ),
        );
        self.failed = true;
    }
    /// A string-typed field. kustomize decodes kustomizations as YAML 1.1 into Go strings,
    /// so an unquoted `y`, `on` or `7` (a bool or number there) fails the build.
    fn str_field(&mut self, n: &Node, what: &str) -> Option<Str> {
        match &n.value {
            Value::Scalar(s) => match s.resolve_11() {
                Resolved::Null => None,
                Resolved::Str(_) => Str::of(n),
                other => {
                    let kind = if matches!(other, Resolved::Bool(_)) {
                        "boolean"
                    } else {
                        "number"
                    };
                    let mut f = Finding::new(
                        id::YAML_AMBIGUOUS_SCALAR,
                        n.span,
                        format!(
                            "kustomize reads `{}` in `{what}` as a {kind} (YAML 1.1) where a string is required, and refuses the kustomization; nothing of this overlay was checked",
                            s.text
                        ),
                    )
                    .help(format!("quote it: \"{}\"", s.text));
                    f.severity = crate::diag::Severity::Error;
                    self.findings.push(f);
                    self.failed = true;
                    None
                }
            },
            _ => {
                self.bad(n.span, format!("`{what}` must be a string"));
                None
            }
        }
    }
    fn str_list(&mut self, n: &Node, what: &str) -> Vec<Str> {
        match &n.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| self.str_field(i, what))
                .collect(),
            _ if n.is_null() => Vec::new(),
            _ => {
                self.bad(n.span, format!("`{what}` must be a list of strings"));
                Vec::new()
            }
        }
    }
    fn str_map(&mut self, n: &Node, what: &str) -> Vec<(Str, Str)> {
        match &n.value {
            Value::Map(m) => m
                .entries
                .iter()
                .filter_map(|e| {
                    let v = if e.value.is_null() {
                        Some(Str {
                            text: String::new(),
                            span: e.value.span,
                        })
                    } else {
                        self.str_field(&e.value, what)
                    };
                    Some((Str::of(&e.key)?, v?))
                })
                .collect(),
            _ if n.is_null() => Vec::new(),
            _ => {
                self.bad(n.span, format!("`{what}` must be a map of strings"));
                Vec::new()
            }
        }
    }
    fn seq<'a>(&mut self, n: &'a Node, what: &str) -> &'a [Node] {
        match &n.value {
            Value::Seq(items) => items,
            _ => {
                if !n.is_null() {
                    self.bad(n.span, format!("`{what}` must be a list"));
                }
                &[]
            }
        }
    }
    fn map_fields<'a>(
        &mut self,
        n: &'a Node,
        what: &str,
        allowed: &[&str],
    ) -> Vec<(&'a str, &'a Node)> {
        let Some(m) = n.as_map() else {
            self.bad(n.span, format!("each `{what}` entry must be a map"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in m.entries.iter() {
            let k = e.key.as_str().unwrap_or("");
            if allowed.contains(&k) {
                out.push((k, &e.value));
            } else {
                self.bad(e.key.span, format!("unknown field `{k}` in `{what}`"));
            }
        }
        out
    }
    fn bool_field(&mut self, n: &Node, what: &str) -> Option<bool> {
        if n.is_null() {
            return None;
        }
        let b = n.as_bool();
        if b.is_none() {
            self.bad(n.span, format!("`{what}` must be true or false"));
        }
        b
    }
}

/// The shape a kustomization field's Go type requires.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Str,
    StrList,
    List,
    Map,
}

fn shape_of(field: &str) -> Option<Shape> {
    Some(match field {
        "apiVersion" | "kind" | "namespace" | "namePrefix" | "nameSuffix" => Shape::Str,
        "resources"
        | "bases"
        | "components"
        | "configurations"
        | "crds"
        | "generators"
        | "transformers"
        | "validators"
        | "patchesStrategicMerge"
        | "buildMetadata" => Shape::StrList,
        "labels"
        | "patches"
        | "patchesJson6902"
        | "configMapGenerator"
        | "secretGenerator"
        | "images"
        | "imageTags"
        | "replicas"
        | "replacements"
        | "vars"
        | "helmCharts"
        | "helmChartInflationGenerator" => Shape::List,
        "metadata" | "generatorOptions" | "sortOptions" | "openapi" | "helmGlobals"
        | "commonLabels" | "commonAnnotations" => Shape::Map,
        _ => return None,
    })
}

fn shape_name(v: &Value) -> &'static str {
    match v {
        Value::Scalar(_) => "a scalar",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a map",
    }
}

/// Top-level fields whose value has the wrong shape for kustomize's Go struct (kubectl:
/// "invalid Kustomization: json: cannot unmarshal … into Go struct field …"), each located at
/// the value. `null` is allowed everywhere (it decodes as the empty value).
fn shape_errors(map: &crate::yaml::Map) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in map.entries.iter() {
        let Some(key) = e.key.as_str() else { continue };
        let Some(shape) = shape_of(key) else { continue };
        let v = &e.value;
        if v.is_null() {
            continue;
        }
        let (ok, want) = match (shape, &v.value) {
            (Shape::Str, Value::Scalar(_)) => (true, "a string"),
            (Shape::Str, _) => (false, "a string"),
            (Shape::StrList, Value::Seq(items)) => {
                if let Some(bad) = items.iter().find(|i| !matches!(i.value, Value::Scalar(_))) {
                    out.push(invalid(
                        bad.span,
                        format!(
                            "each `{key}` entry must be a string (a file path), not {}",
                            shape_name(&bad.value)
                        ),
                    ));
                }
                (true, "")
            }
            (Shape::StrList, _) => (false, "a list of strings (file paths)"),
            (Shape::List, Value::Seq(_)) => (true, ""),
            (Shape::List, _) => (false, "a list"),
            (Shape::Map, Value::Map(_)) => (true, ""),
            (Shape::Map, _) => (false, "a map"),
        };
        if !ok {
            out.push(invalid(
                e.key.span,
                format!("`{key}` must be {want}, not {}", shape_name(&v.value)),
            ));
        }
    }
    out
}

fn invalid(span: Span, msg: String) -> Finding {
    Finding::new(
        id::KUSTOMIZE_UNSUPPORTED,
        span,
        format!("{msg}: kubectl refuses this kustomization as invalid, so nothing of this overlay was checked"),
    )
    .help("give the field the type kustomize expects (see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/)")
}

/// Parses the kustomization document `doc` of `file`.
pub fn parse(doc: &Node, file: FileId) -> Parsed {
    let mut cx = Cx {
        findings: Vec::new(),
        failed: false,
    };
    let mut k = Kustomization {
        file,
        is_component: false,
        resources: Vec::new(),
        components: Vec::new(),
        namespace: None,
        name_prefix: None,
        name_suffix: None,
        labels: Vec::new(),
        common_annotations: Vec::new(),
        patches_strategic_merge: Vec::new(),
        patches: Vec::new(),
        patches_json6902: Vec::new(),
        config_maps: Vec::new(),
        secrets: Vec::new(),
        generator_options: GenOptions::default(),
        images: Vec::new(),
        replicas: Vec::new(),
        fifo: false,
        replacements: Vec::new(),
    };
    let Some(map) = doc.as_map() else {
        if !doc.is_null() {
            cx.bad(doc.span, "a kustomization must be a map".into());
        }
        return Parsed {
            kustomization: k,
            findings: cx.findings,
            failed: cx.failed,
        };
    };
    // kustomize decodes the whole file into its Go struct before anything else: a field of the
    // wrong type makes the kustomization invalid, and nothing else about it is reported.
    let invalid = shape_errors(map);
    if !invalid.is_empty() {
        return Parsed {
            kustomization: k,
            findings: invalid,
            failed: true,
        };
    }
    let mut bases = Vec::new();
    let mut common_labels = None;
    for e in map.entries.iter() {
        let key = e.key.as_str().unwrap_or("");
        let v = &e.value;
        if let Some((_, help)) = UNSUPPORTED.iter().find(|(f, _)| *f == key) {
            cx.findings.push(
                Finding::new(
                    id::KUSTOMIZE_UNSUPPORTED,
                    e.key.span,
                    format!("`{key}` is not supported by the native renderer; nothing of this overlay was checked"),
                )
                .help(*help),
            );
            cx.failed = true;
            continue;
        }
        if !KNOWN.contains(&key) {
            cx.bad(e.key.span, format!("unknown kustomization field `{key}`"));
            continue;
        }
        if let Some((_, help)) = DEPRECATED.iter().find(|(f, _)| *f == key) {
            cx.findings.push(
                Finding::new(
                    id::KUSTOMIZE_DEPRECATED_FIELD,
                    e.key.span,
                    format!("`{key}` is deprecated"),
                )
                .help(*help),
            );
        }
        match key {
            "apiVersion" | "metadata" => {}
            "kind" => match v.as_str() {
                Some("Component") => k.is_component = true,
                Some("Kustomization") | None => {}
                Some(other) => cx.bad(v.span, format!("unknown kustomization kind `{other}`")),
            },
            "resources" => k.resources = cx.str_list(v, key),
            "bases" => bases = cx.str_list(v, key),
            "components" => k.components = cx.str_list(v, key),
            "namespace" => k.namespace = cx.str_field(v, key),
            "namePrefix" => k.name_prefix = cx.str_field(v, key),
            "nameSuffix" => k.name_suffix = cx.str_field(v, key),
            "commonLabels" => {
                common_labels = Some(LabelSet {
                    pairs: cx.str_map(v, key),
                    mode: LabelMode::Selectors,
                    fields: Vec::new(),
                })
            }
            "commonAnnotations" => k.common_annotations = cx.str_map(v, key),
            "labels" => {
                for item in cx.seq(v, key) {
                    if let Some(l) = label_set(&mut cx, item) {
                        k.labels.push(l);
                    }
                }
            }
            "patches" => {
                for item in cx.seq(v, key) {
                    if let Some(p) = patch(&mut cx, item, key) {
                        k.patches.push(p);
                    }
                }
            }
            "patchesJson6902" => {
                for item in cx.seq(v, key) {
                    if let Some(p) = patch(&mut cx, item, key) {
                        k.patches_json6902.push(p);
                    }
                }
            }
            "patchesStrategicMerge" => {
                for item in cx.seq(v, key) {
                    if let Some(p) = psm_entry(&mut cx, item) {
                        k.patches_strategic_merge.push(p);
                    }
                }
            }
            "configMapGenerator" | "secretGenerator" => {
                for item in cx.seq(v, key) {
                    if let Some(g) = generator(&mut cx, item, key) {
                        if key == "configMapGenerator" {
                            k.config_maps.push(g)
                        } else {
                            k.secrets.push(g)
                        }
                    }
                }
            }
            "generatorOptions" => k.generator_options = gen_options(&mut cx, v),
            "images" | "imageTags" => {
                for item in cx.seq(v, key) {
                    if let Some(i) = image(&mut cx, item) {
                        k.images.push(i);
                    }
                }
            }
            "replicas" => {
                for item in cx.seq(v, key) {
                    if let Some(r) = replica(&mut cx, item) {
                        k.replicas.push(r);
                    }
                }
            }
            "sortOptions" => sort_options(&mut cx, v, &mut k),
            "replacements" => k.replacements = cx.seq(v, key).to_vec(),
            _ => {}
        }
    }
    k.resources.extend(bases);
    k.labels.extend(common_labels);
    Parsed {
        kustomization: k,
        findings: cx.findings,
        failed: cx.failed,
    }
}

fn label_set(cx: &mut Cx, item: &Node) -> Option<LabelSet> {
    let mut pairs = Vec::new();
    let (mut sel, mut tmpl) = (false, false);
    let mut fields = Vec::new();
    for (k, v) in cx.map_fields(
        item,
        "labels",
        &["pairs", "includeSelectors", "includeTemplates", "fields"],
    ) {
        match k {
            "pairs" => pairs = cx.str_map(v, "labels.pairs"),
            "includeSelectors" => sel = cx.bool_field(v, k).unwrap_or(false),
            "includeTemplates" => tmpl = cx.bool_field(v, k).unwrap_or(false),
            _ => {
                for f in cx.seq(v, "labels.fields") {
                    fields.extend(field_spec(cx, f));
                }
            }
        }
    }
    let mode = if sel {
        LabelMode::Selectors
    } else if tmpl {
        LabelMode::Templates
    } else {
        LabelMode::Metadata
    };
    Some(LabelSet {
        pairs,
        mode,
        fields,
    })
}

fn field_spec(cx: &mut Cx, n: &Node) -> Option<FieldSpec> {
    let mut spec = FieldSpec::any("", false);
    for (k, v) in cx.map_fields(n, "fields", &["path", "kind", "group", "version", "create"]) {
        match k {
            "path" => spec.path = cx.str_field(v, k)?.text,
            "kind" => spec.kind = cx.str_field(v, k).map(|s| s.text),
            "group" => spec.group = cx.str_field(v, k).map(|s| s.text),
            "create" => spec.create = cx.bool_field(v, k).unwrap_or(false),
            _ => {}
        }
    }
    Some(spec)
}

fn target(cx: &mut Cx, n: &Node) -> Target {
    let mut t = Target {
        span: Some(n.span),
        ..Target::default()
    };
    for (k, v) in cx.map_fields(
        n,
        "target",
        &[
            "group",
            "version",
            "kind",
            "name",
            "namespace",
            "labelSelector",
            "annotationSelector",
        ],
    ) {
        let s = cx.str_field(v, k);
        match k {
            "group" => t.group = s,
            "version" => t.version = s,
            "kind" => t.kind = s,
            "name" => t.name = s,
            "namespace" => t.namespace = s,
            "labelSelector" => t.label_selector = s,
            _ => t.annotation_selector = s,
        }
    }
    t
}

fn patch(cx: &mut Cx, item: &Node, what: &str) -> Option<PatchSpec> {
    let (mut path, mut inline, mut tgt) = (None, None, None);
    let (mut name_change, mut kind_change) = (false, false);
    for (k, v) in cx.map_fields(item, what, &["path", "patch", "target", "options"]) {
        match k {
            "path" => path = cx.str_field(v, k),
            "patch" => inline = (!v.is_null()).then(|| v.clone()),
            "target" => tgt = (!v.is_null()).then(|| target(cx, v)),
            _ => {
                for (o, ov) in cx.map_fields(v, "options", &["allowNameChange", "allowKindChange"])
                {
                    let b = cx.bool_field(ov, o).unwrap_or(false);
                    if o == "allowNameChange" {
                        name_change = b;
                    } else {
                        kind_change = b;
                    }
                }
            }
        }
    }
    let source = match (path, inline) {
        (Some(p), None) => PatchSource::File(p),
        (None, Some(n)) => PatchSource::Inline(n),
        (Some(_), Some(_)) => {
            cx.bad(
                item.span,
                format!("a `{what}` entry may not have both `path` and `patch`"),
            );
            return None;
        }
        (None, None) => {
            cx.bad(
                item.span,
                format!("a `{what}` entry needs `path` or `patch`"),
            );
            return None;
        }
    };
    // kustomize: "must specify the target name" (observed; `patches:` has no such rule).
    if let (Some(t), "patchesJson6902") = (&tgt, what) {
        if t.name.as_ref().is_none_or(|n| n.text.is_empty()) {
            cx.bad(
                t.span.unwrap_or(item.span),
                "a `patchesJson6902` target must give the object's `name`".to_string(),
            );
            return None;
        }
    }
    Some(PatchSpec {
        source,
        target: tgt,
        allow_name_change: name_change,
        allow_kind_change: kind_change,
        span: item.span,
    })
}

/// A `patchesStrategicMerge` entry: a file path, or (when it holds a newline or starts like a
/// document) the patch itself.
fn psm_entry(cx: &mut Cx, item: &Node) -> Option<PatchSpec> {
    let s = cx.str_field(item, "patchesStrategicMerge")?;
    let source = if s.text.contains('\n') || s.text.trim_start().starts_with("apiVersion:") {
        PatchSource::Inline(item.clone())
    } else {
        PatchSource::File(s)
    };
    Some(PatchSpec {
        source,
        target: None,
        allow_name_change: false,
        allow_kind_change: false,
        span: item.span,
    })
}

fn gen_options(cx: &mut Cx, n: &Node) -> GenOptions {
    let mut o = GenOptions::default();
    if n.is_null() {
        return o;
    }
    for (k, v) in cx.map_fields(
        n,
        "generatorOptions",
        &[
            "labels",
            "annotations",
            "disableNameSuffixHash",
            "immutable",
        ],
    ) {
        match k {
            "labels" => o.labels = cx.str_map(v, k),
            "annotations" => o.annotations = cx.str_map(v, k),
            "disableNameSuffixHash" => o.disable_hash = cx.bool_field(v, k),
            _ => o.immutable = cx.bool_field(v, k),
        }
    }
    o
}

fn generator(cx: &mut Cx, item: &Node, what: &str) -> Option<GenSpec> {
    let mut g = GenSpec {
        name: None,
        namespace: None,
        behavior: Behavior::Create,
        behavior_name: "unspecified",
        literals: Vec::new(),
        files: Vec::new(),
        envs: Vec::new(),
        options: GenOptions::default(),
        type_: None,
        span: item.span,
    };
    let mut allowed = vec![
        "name",
        "namespace",
        "behavior",
        "literals",
        "files",
        "envs",
        "env",
        "options",
    ];
    if what == "secretGenerator" {
        allowed.push("type");
    }
    let mut env = None;
    for (k, v) in cx.map_fields(item, what, &allowed) {
        match k {
            "name" => g.name = cx.str_field(v, k),
            "namespace" => g.namespace = cx.str_field(v, k),
            "behavior" => {
                g.behavior_name = match v.as_str() {
                    Some("create") => "create",
                    Some("merge") => "merge",
                    Some("replace") => "replace",
                    _ => "unspecified",
                };
                g.behavior = match g.behavior_name {
                    "merge" => Behavior::Merge,
                    "replace" => Behavior::Replace,
                    // kustomize treats every other value (even `add`) as create.
                    _ => Behavior::Create,
                };
            }
            "literals" => g.literals = cx.str_list(v, k),
            "files" => g.files = cx.str_list(v, k),
            "envs" => g.envs = cx.str_list(v, k),
            "env" => env = cx.str_field(v, k),
            "options" => g.options = gen_options(cx, v),
            _ => g.type_ = cx.str_field(v, k),
        }
    }
    g.envs.extend(env);
    Some(g)
}

fn image(cx: &mut Cx, item: &Node) -> Option<ImageSpec> {
    let (mut name, mut new_name, mut new_tag, mut digest, mut suffix) =
        (None, None, None, None, None);
    for (k, v) in cx.map_fields(
        item,
        "images",
        &["name", "newName", "newTag", "digest", "tagSuffix"],
    ) {
        let s = cx.str_field(v, k);
        match k {
            "name" => name = s,
            "newName" => new_name = s,
            "newTag" => new_tag = s,
            "digest" => digest = s,
            _ => suffix = s,
        }
    }
    Some(ImageSpec {
        name: name?,
        new_name,
        new_tag,
        digest,
        tag_suffix: suffix,
        span: item.span,
    })
}

fn replica(cx: &mut Cx, item: &Node) -> Option<ReplicaSpec> {
    let (mut name, mut count) = (None, None);
    for (k, v) in cx.map_fields(item, "replicas", &["name", "count"]) {
        if k == "name" {
            name = cx.str_field(v, k);
        } else if v.as_i64().is_some() {
            count = Str::of(v);
        } else {
            cx.bad(v.span, "`replicas[].count` must be an integer".into());
        }
    }
    Some(ReplicaSpec {
        name: name?,
        count: count?,
    })
}

fn sort_options(cx: &mut Cx, v: &Node, k: &mut Kustomization) {
    for (f, fv) in cx.map_fields(v, "sortOptions", &["order", "legacySortOptions"]) {
        match (f, fv.as_str()) {
            ("order", Some("fifo")) => k.fifo = true,
            ("order", Some("legacy")) => {}
            _ => cx.bad(
                fv.span,
                format!("`sortOptions.{f}` other than `order: legacy|fifo` is not supported"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{parse_stream, Limits};

    fn parse_text(t: &str) -> Parsed {
        let map = SourceMap::new();
        let f = map.add("kustomization.yaml", t);
        let doc = parse_stream(&f, Limits::default()).docs.remove(0);
        parse(&doc, f.id)
    }

    #[test]
    fn bases_follow_resources_and_common_labels_come_last() {
        let p = parse_text(
            "bases: [b]\nresources: [a]\ncommonLabels: {x: v}\nlabels:\n- pairs: {z: w}\n",
        );
        let k = &p.kustomization;
        let r: Vec<_> = k.resources.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(r, ["a", "b"]);
        assert_eq!(k.labels.len(), 2);
        assert_eq!(k.labels[1].mode, LabelMode::Selectors);
        assert!(!p.failed);
        let deprecated = p
            .findings
            .iter()
            .filter(|f| f.rule == id::KUSTOMIZE_DEPRECATED_FIELD)
            .count();
        assert_eq!(deprecated, 2);
    }

    #[test]
    fn yaml11_booleans_and_numbers_in_string_fields_fail() {
        let p = parse_text("commonLabels: {x: y}\n");
        assert!(p.failed);
        assert_eq!(
            p.findings.last().unwrap().rule.as_str(),
            id::YAML_AMBIGUOUS_SCALAR
        );
        let p = parse_text("images:\n- name: redis\n  newTag: 7\n");
        assert!(p.failed);
        assert!(!parse_text("images:\n- name: redis\n  newTag: \"7\"\n").failed);
    }

    /// Observed with kubectl: `patchesJson6902` needs a target `name`, `patches:` does not.
    #[test]
    fn a_patches_json6902_target_must_name_the_object() {
        for t in ["{kind: ConfigMap}", "{kind: ConfigMap, name: \"\"}"] {
            let p = parse_text(&format!(
                "patchesJson6902:\n- {{path: p.yaml, target: {t}}}\n"
            ));
            assert!(p.failed, "{t}");
            assert!(p.kustomization.patches_json6902.is_empty());
        }
        let named = parse_text("patchesJson6902:\n- {path: p.yaml, target: {name: c}}\n");
        assert!(!named.failed);
        assert!(!parse_text("patches:\n- {path: p.yaml, target: {kind: ConfigMap}}\n").failed);
    }

    #[test]
    fn unknown_and_unsupported_fields_fail() {
        let p = parse_text("foo: 1\n");
        assert!(p.failed);
        let p = parse_text("helmCharts: []\n");
        assert!(p.failed);
        assert!(p.findings[0].message.contains("helmCharts"));
    }
}
