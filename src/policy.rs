//! The policy in force: the bundled rule files (`rules/`) with the user's `.grill-lint.yaml` on
//! top, resolved once per run into a severity per rule and typed parameters per check and
//! environment.
//!
//! Parameters are resolved per rule and environment by shallow merges, later wins:
//! the rule file's `params`, the configuration's `rules.ID.params`, then for each environment
//! of the `extends` chain from its root down to the environment itself: the rule file's
//! `environments.ENV`, the configuration's `rules.ID.environments.ENV` and the configuration's
//! `environments.ENV.rules.ID`. A rule that has a value for any environment is
//! *environment-specific*: in an environment that no policy names it is not run (its defaults
//! are no policy for that place), and the report says so.
//!
//! Every check's parameters are deserialised into its typed struct (unknown fields refused) for
//! every known environment when the policy loads, so a misspelled parameter is exit 2 before
//! anything is linted, never a silent default.

use crate::checks::{self, Prepared};
use crate::config::{Config, Params};
use crate::hash::HashMap;
use crate::rules::{RuleId, Severity};
use std::collections::BTreeMap;

/// Where a known environment comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Defined {
    /// A rule file of the bundled policy gives it values.
    Bundled,
    /// `.grill-lint.yaml` defines it (at `file:line:col`).
    Config(String),
}

#[derive(Clone, Debug)]
pub struct Environment {
    pub name: String,
    pub extends: Option<String>,
    pub defined: Defined,
}

/// The resolved parameters of one rule.
#[derive(Clone, Debug, Default)]
struct RuleParams {
    /// For an environment no policy names (and for files linted alone).
    default: Params,
    /// For each known environment.
    per_env: BTreeMap<String, Params>,
    /// Some environment has a value of its own.
    env_specific: bool,
}

/// The loaded policy. Cheap to share between threads.
pub struct Policy {
    environments: Vec<Environment>,
    severities: HashMap<RuleId, Option<Severity>>,
    params: HashMap<RuleId, RuleParams>,
    /// Per registered check (same index as [`checks::checks()`]): its typed parameters for
    /// each known environment, and for no environment.
    prepared: Vec<(Prepared, HashMap<String, Prepared>)>,
}

/// Whether a check may run in an environment, and with which parameters.
pub enum Applies<'p> {
    Yes(&'p Prepared),
    /// The check's rule is environment-specific and no policy names this environment.
    NoPolicy,
}

impl Policy {
    /// The bundled policy alone.
    pub fn bundled() -> Result<Policy, String> {
        Policy::load(&Config::default())
    }

    /// The bundled policy with `config` on top. An error names the setting at fault.
    pub fn load(config: &Config) -> Result<Policy, String> {
        let rules = crate::rules::registry().map_err(str::to_string)?;
        let environments = environments(rules, config)?;
        let mut severities = HashMap::default();
        for r in rules {
            severities.insert(
                r.rule,
                config_severity(config, r.rule).unwrap_or(Some(r.severity)),
            );
        }
        let mut params = HashMap::default();
        for r in rules {
            params.insert(r.rule, resolve(r, config, &environments)?);
        }
        for id in config
            .params
            .keys()
            .chain(config.env_params.keys())
            .chain(config.environments.iter().flat_map(|e| e.rules.keys()))
        {
            let rule = RuleId::lookup(id).ok_or_else(|| format!("unknown rule `{id}`"))?;
            if checks::params_owner(rule).is_none() {
                return Err(format!(
                    "rule `{id}` takes no parameters{}",
                    if checks::is_implemented(rule) {
                        ""
                    } else {
                        " (it is not checked yet)"
                    }
                ));
            }
        }
        let mut prepared = Vec::new();
        for c in checks::checks() {
            let rule = c.rules()[0];
            let p: &RuleParams = params
                .get(&rule)
                .ok_or("a check names a rule without a file")?;
            let prep = |env: Option<&str>, m: &Params| {
                c.prepare(serde_json::Value::Object(m.clone()))
                    .map_err(|e| {
                        let place = env
                            .map_or("its defaults".to_string(), |e| format!("environment `{e}`"));
                        format!("rule `{rule}`, {place}: invalid parameters: {e}")
                    })
            };
            let default = prep(None, &p.default)?;
            // Most environments set a rule's parameters as the defaults or as another
            // environment does: equal parameters share one prepared value.
            let mut seen: Vec<(&Params, Prepared)> = vec![(&p.default, default.clone())];
            let mut per_env = HashMap::default();
            for (env, m) in &p.per_env {
                let prepared = match seen.iter().find(|(s, _)| *s == m) {
                    Some((_, done)) => done.clone(),
                    None => {
                        let done = prep(Some(env), m)?;
                        seen.push((m, done.clone()));
                        done
                    }
                };
                per_env.insert(env.clone(), prepared);
            }
            prepared.push((default, per_env));
        }
        Ok(Policy {
            environments,
            severities,
            params,
            prepared,
        })
    }

    /// The known environments: the bundled ones, then those the configuration defines.
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    pub fn is_known(&self, env: &str) -> bool {
        self.environments.iter().any(|e| e.name == env)
    }

    /// The severity of `rule` in this run (`None`: the rule is off).
    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        self.severities
            .get(&rule)
            .copied()
            .unwrap_or(Some(crate::rules::default_severity(rule)))
    }

    /// Whether `rule` has a value of its own in some environment.
    pub fn is_env_specific(&self, rule: RuleId) -> bool {
        self.params.get(&rule).is_some_and(|p| p.env_specific)
    }

    /// The parameters of the check at `index` of [`checks::checks()`] for `env` (`None`: a file
    /// linted alone without `--env`).
    pub fn applies(&self, index: usize, env: Option<&str>) -> Applies<'_> {
        let (default, per_env) = &self.prepared[index];
        let rule = checks::checks()[index].rules()[0];
        match env {
            Some(e) => match per_env.get(e) {
                Some(p) => Applies::Yes(p),
                None if self.is_env_specific(rule) => Applies::NoPolicy,
                None => Applies::Yes(default),
            },
            None if self.is_env_specific(rule) => Applies::NoPolicy,
            None => Applies::Yes(default),
        }
    }

    /// One parameter of `rule` for `env` as the policy sets it (for `explain` and tests).
    pub fn param(&self, rule: RuleId, env: Option<&str>, name: &str) -> Option<&serde_json::Value> {
        let p = self.params.get(&rule)?;
        env.and_then(|e| p.per_env.get(e))
            .unwrap_or(&p.default)
            .get(name)
    }

    /// The parameter section of a rule's documentation: each parameter's value for every
    /// known environment, as this policy sets it.
    pub fn parameters_markdown(&self, rule: RuleId) -> String {
        let Some(p) = self.params.get(&rule) else {
            return String::new();
        };
        let mut names: Vec<&String> = p.default.keys().collect();
        for m in p.per_env.values() {
            for k in m.keys() {
                if !names.contains(&k) {
                    names.push(k);
                }
            }
        }
        if names.is_empty() {
            return String::new();
        }
        let envs: Vec<&str> = self.environments.iter().map(|e| e.name.as_str()).collect();
        let mut s = String::from("**Parameters**\n\n");
        if p.env_specific {
            s.push_str("| parameter | ");
            s.push_str(&envs.join(" | "));
            s.push_str(" |\n|---|");
            s.push_str(&"---|".repeat(envs.len()));
            s.push('\n');
            for n in names {
                s.push_str(&format!("| `{n}` |"));
                for e in &envs {
                    let v = p.per_env.get(*e).and_then(|m| m.get(n.as_str()));
                    s.push_str(&format!(" {} |", cell(v)));
                }
                s.push('\n');
            }
            s.push_str(
                "\nAn environment that no policy names is not checked by this rule (the report says so).\n\n",
            );
        } else {
            for n in names {
                s.push_str(&format!("- `{n}`: {}\n", cell(p.default.get(n.as_str()))));
            }
            s.push_str("\nThe same in every environment.\n\n");
        }
        s
    }
}

fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "–".to_string(),
        Some(v) => format!("`{v}`"),
    }
}

/// The severity the configuration gives a rule (by ID, else by the most specific group).
fn config_severity(config: &Config, rule: RuleId) -> Option<Option<Severity>> {
    if let Some(s) = config.severities.get(rule.as_str()) {
        return Some(*s);
    }
    config
        .severities
        .iter()
        .filter(|(k, _)| crate::suppress::matches_rule(k, rule))
        .max_by_key(|(k, _)| k.len())
        .map(|(_, v)| *v)
}

fn environments(rules: &[crate::rules::Rule], config: &Config) -> Result<Vec<Environment>, String> {
    let mut out: Vec<Environment> = Vec::new();
    for r in rules {
        for e in r.environments.keys() {
            if !out.iter().any(|x| &x.name == e) {
                out.push(Environment {
                    name: e.clone(),
                    extends: None,
                    defined: Defined::Bundled,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    for e in &config.environments {
        if let Some(x) = out.iter_mut().find(|x| x.name == e.name) {
            if e.extends.is_some() {
                return Err(format!(
                    "{}: environment `{}` exists already; it cannot extend another",
                    e.at, e.name
                ));
            }
            x.defined = Defined::Config(e.at.clone());
            continue;
        }
        out.push(Environment {
            name: e.name.clone(),
            extends: e.extends.clone(),
            defined: Defined::Config(e.at.clone()),
        });
    }
    for e in &out {
        chain(&out, &e.name)?;
    }
    Ok(out)
}

/// `env` and the environments it extends, root first.
fn chain<'a>(envs: &'a [Environment], env: &'a str) -> Result<Vec<&'a str>, String> {
    let mut out = vec![env];
    let mut at = env;
    while let Some(parent) = envs
        .iter()
        .find(|e| e.name == at)
        .and_then(|e| e.extends.as_deref())
    {
        if !envs.iter().any(|e| e.name == parent) {
            let known: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
            return Err(format!(
                "environment `{at}` extends `{parent}`, which no policy defines (known: {})",
                known.join(", ")
            ));
        }
        if out.contains(&parent) {
            return Err(format!(
                "environment `{env}` extends itself ({} → {parent})",
                out.join(" → ")
            ));
        }
        out.push(parent);
        at = parent;
    }
    out.reverse();
    Ok(out)
}

fn merge(into: &mut Params, from: Option<&Params>) {
    if let Some(from) = from {
        for (k, v) in from {
            into.insert(k.clone(), v.clone());
        }
    }
}

fn resolve(
    rule: &crate::rules::Rule,
    config: &Config,
    envs: &[Environment],
) -> Result<RuleParams, String> {
    let id = rule.id.as_str();
    let mut default = rule.params.clone();
    merge(&mut default, config.params.get(id));
    let cfg_env = config.env_params.get(id);
    let own = |env: &str| -> Vec<Option<&Params>> {
        vec![
            rule.environments.get(env),
            cfg_env.and_then(|m| m.get(env)),
            config
                .environments
                .iter()
                .find(|e| e.name == env)
                .and_then(|e| e.rules.get(id)),
        ]
    };
    let env_specific = envs
        .iter()
        .any(|e| own(&e.name).iter().any(Option::is_some));
    if let Some(m) = cfg_env {
        if let Some(unknown) = m.keys().find(|e| !envs.iter().any(|x| &x.name == *e)) {
            return Err(format!(
                "rule `{id}`: environment `{unknown}` is not defined (add it under `environments:`)"
            ));
        }
    }
    let mut per_env = BTreeMap::new();
    for e in envs {
        let mut m = default.clone();
        for link in chain(envs, &e.name)? {
            for layer in own(link) {
                merge(&mut m, layer);
            }
        }
        per_env.insert(e.name.clone(), m);
    }
    Ok(RuleParams {
        default,
        per_env,
        env_specific,
    })
}
