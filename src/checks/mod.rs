//! The check registry: every rule of the catalogue is either produced by the pipeline itself
//! (reading files, building overlays, suppressions: [`PIPELINE_RULES`]) or by a registered
//! [`Check`] in a group's `CHECKS` list ([`checks`]). A rule in neither is *planned*: documented, not checked.
//!
//! A check declares its rules, the scope it looks at and a typed parameter struct. The policy
//! deserialises the parameters (from the rule file of the check's first rule, with
//! `.grill-lint.yaml` on top) for every environment when it loads, refusing unknown fields; a
//! check receives its environment and its parameters and runs only when one of its rules is
//! enabled. Checks never choose a severity: the pipeline applies the policy's.
//!
//! Files are grouped as the catalogue is: `checks/<group>/<rule>.rs`.

pub mod backup;
pub mod cache;
pub mod k8s;
pub mod model;
pub mod monitoring;
pub mod netpol;
pub mod redis;
pub mod sentinel;
pub mod yaml;

use crate::diag::Finding;
use crate::model::Deployment;
use crate::redis::RedisConf;
use crate::rules::{id, RuleId};
use crate::source::{SourceMap, Span};
use crate::yaml::Node;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::sync::Arc;

/// What a check looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Reading a file (YAML, redis.conf tokens): produced by the readers.
    Read,
    /// Building an overlay: produced by the kustomize builder.
    Build,
    /// Suppression comments and configuration entries: produced by the pipeline.
    Suppression,
    /// One redis.conf or sentinel.conf: a file linted alone, or a config the model traced to a
    /// Redis or Sentinel process.
    Config,
    /// One Kubernetes object: rendered, or read from a file linted alone.
    Object,
    /// The whole deployment of one environment ([`Deployment`]).
    Deployment,
}

/// What a check is given besides its input.
pub struct Cx<'a, P> {
    /// The environment whose policy applies (`None`: a file linted alone without `--env`).
    pub env: Option<&'a str>,
    pub params: &'a P,
    pub sources: &'a SourceMap,
    /// Where secret values are written (sorted): a message must never quote a value there.
    pub secrets: &'a [Span],
}

/// Where a check puts its findings.
#[derive(Debug, Default)]
pub struct Out {
    pub findings: Vec<Finding>,
    /// False when the inputs are incomplete (the build failed part-way): then a check may not
    /// conclude anything from the *absence* of something.
    pub complete: bool,
    /// Rules whose conclusions from absence were withheld because the inputs were incomplete.
    pub withheld: Vec<RuleId>,
}

impl Out {
    pub fn new(complete: bool) -> Out {
        Out {
            complete,
            ..Out::default()
        }
    }

    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// A finding that concludes from the absence of something (no Sentinel, no policy covers a
    /// pod): reported only when the inputs are complete, else withheld and said so.
    pub fn absent(&mut self, f: Finding) {
        if self.complete {
            self.findings.push(f);
        } else if !self.withheld.contains(&f.rule) {
            self.withheld.push(f.rule);
        }
    }
}

/// A check: a compiled template that its rule files give IDs, documentation and parameters.
pub trait Check: Send + Sync + 'static {
    /// The parameters, deserialised from the rule file of `RULES[0]` (unknown fields refused).
    type Params: DeserializeOwned + Send + Sync + 'static;
    /// The rules it reports; `RULES[0]` owns the parameters.
    const RULES: &'static [RuleId];
    const SCOPE: Scope;

    /// [`Scope::Config`]: one parsed config.
    fn config(&self, _conf: &RedisConf, _cx: &Cx<'_, Self::Params>, _out: &mut Out) {}
    /// [`Scope::Object`]: one Kubernetes object.
    fn object(&self, _doc: &Node, _cx: &Cx<'_, Self::Params>, _out: &mut Out) {}
    /// [`Scope::Deployment`]: the model of one environment.
    fn deployment(&self, _d: &Deployment<'_>, _cx: &Cx<'_, Self::Params>, _out: &mut Out) {}
}

/// Parameters for a check that has none (any field is refused).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// A check's parameters once deserialised.
pub type Prepared = Arc<dyn Any + Send + Sync>;

/// What a check is run on.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    Config(&'a RedisConf),
    Object(&'a Node),
    Deployment(&'a Deployment<'a>),
}

/// A [`Check`] with its types erased, as the registry holds it.
pub trait Registered: Send + Sync {
    fn rules(&self) -> &'static [RuleId];
    fn scope(&self) -> Scope;
    fn prepare(&self, params: serde_json::Value) -> Result<Prepared, String>;
    fn run(
        &self,
        input: Input<'_>,
        env: Option<&str>,
        params: &Prepared,
        sources: &SourceMap,
        secrets: &[Span],
        out: &mut Out,
    );
}

impl<C: Check> Registered for C {
    fn rules(&self) -> &'static [RuleId] {
        C::RULES
    }
    fn scope(&self) -> Scope {
        C::SCOPE
    }
    fn prepare(&self, params: serde_json::Value) -> Result<Prepared, String> {
        let p: C::Params = serde_json::from_value(params).map_err(|e| e.to_string())?;
        Ok(Arc::new(p))
    }
    fn run(
        &self,
        input: Input<'_>,
        env: Option<&str>,
        params: &Prepared,
        sources: &SourceMap,
        secrets: &[Span],
        out: &mut Out,
    ) {
        // The policy prepared these parameters with this check's `prepare`.
        let Some(params) = params.downcast_ref::<C::Params>() else {
            return;
        };
        let cx = Cx {
            env,
            params,
            sources,
            secrets,
        };
        match input {
            Input::Config(c) => self.config(c, &cx, out),
            Input::Object(o) => self.object(o, &cx, out),
            Input::Deployment(d) => self.deployment(d, &cx, out),
        }
    }
}

/// One check, as a group's list holds it.
pub type Entry = &'static (dyn Registered + 'static);

/// Every registered check, group by group (each group module lists its own in `CHECKS`). The
/// policy prepares parameters in this order.
pub fn checks() -> &'static [Entry] {
    static ALL: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        [
            yaml::CHECKS,
            model::CHECKS,
            redis::CHECKS,
            sentinel::CHECKS,
            cache::CHECKS,
            k8s::CHECKS,
            netpol::CHECKS,
            monitoring::CHECKS,
            backup::CHECKS,
        ]
        .concat()
    })
}

/// The rules the pipeline produces itself, by scope.
pub static PIPELINE_RULES: &[(Scope, &[RuleId])] = &[
    (
        Scope::Read,
        &[id::YAML_SYNTAX, id::YAML_DUPLICATE_KEY, id::YAML_LIMITS],
    ),
    (
        Scope::Build,
        &[
            id::KUSTOMIZE_MISSING_FILE,
            id::KUSTOMIZE_OUTSIDE_ROOT,
            id::KUSTOMIZE_CYCLE,
            id::KUSTOMIZE_DUPLICATE_RESOURCE,
            id::KUSTOMIZE_PATCH_TARGET_MISSING,
            id::KUSTOMIZE_PATCH_FAILED,
            id::KUSTOMIZE_UNSUPPORTED,
            id::KUSTOMIZE_DEPRECATED_FIELD,
            id::KUSTOMIZE_INDEX_PATCH_AFTER_SMP,
        ],
    ),
    (
        Scope::Suppression,
        &[
            id::LINT_UNUSED_SUPPRESSION,
            id::LINT_SUPPRESSION_WITHOUT_REASON,
        ],
    ),
];

/// Whether some check or the pipeline reports `rule` (else it is planned).
pub fn is_implemented(rule: RuleId) -> bool {
    checks().iter().any(|c| c.rules().contains(&rule))
        || PIPELINE_RULES.iter().any(|(_, r)| r.contains(&rule))
}

/// The check whose parameters come from `rule`'s file, if any.
pub fn params_owner(rule: RuleId) -> Option<usize> {
    checks().iter().position(|c| c.rules()[0] == rule)
}

/// What the checks of one target found, and where secret values are written (for masking).
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub secrets: Vec<Span>,
    /// Why the target was only partly checked (empty: fully checked).
    pub partial: Vec<String>,
    /// The target's build failed: the run can never pass.
    pub failed_build: bool,
}
