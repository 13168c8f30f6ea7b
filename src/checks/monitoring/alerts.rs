//! `monitoring/alerts`: every documented alert exists in a PrometheusRule with the policy's
//! comparison. Expressions are parsed as PromQL ([`crate::monitoring::promql`]); the metric,
//! the operator and the threshold are read from the tree (a ratio written in percent, or with
//! the constant on the left, reads the same), never matched as text.

use crate::checks::{Check, Cx, Out, Scope};
use crate::diag::Finding;
use crate::model::{kind_of, name_of, name_span, Deployment};
use crate::monitoring::promql::{self, CmpOp, Comparison};
use crate::rules::{id, RuleId};
use crate::source::Span;
use crate::yaml::Node;
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Alerts;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSpec {
    pub metrics: Vec<String>,
    pub op: String,
    pub threshold: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub alerts: BTreeMap<String, AlertSpec>,
}

/// One alerting rule's expression, parsed.
struct Rule<'a> {
    name: &'a str,
    expr: &'a Node,
    comparisons: std::sync::Arc<[Comparison]>,
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn show(v: f64) -> String {
    let s = format!("{v}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

impl Check for Alerts {
    type Params = Params;
    const RULES: &'static [RuleId] = &[id::MONITORING_ALERTS];
    const SCOPE: Scope = Scope::Deployment;

    fn deployment(&self, d: &Deployment<'_>, cx: &Cx<'_, Params>, out: &mut Out) {
        let prom_rules: Vec<&Node> = d
            .objects
            .iter()
            .copied()
            .filter(|o| kind_of(o) == "PrometheusRule")
            .collect();
        let mut rules = Vec::new();
        // Expressions that do not parse (reported): an alert they name is not also "missing".
        let mut unparsed: Vec<&str> = Vec::new();
        for pr in &prom_rules {
            let groups = pr
                .path(&["spec", "groups"])
                .and_then(Node::as_seq)
                .unwrap_or(&[]);
            for g in groups {
                for r in g.get("rules").and_then(Node::as_seq).unwrap_or(&[]) {
                    let (Some(name), Some(expr)) = (
                        r.get("alert").and_then(Node::as_str),
                        r.get("expr").filter(|e| !e.is_null()),
                    ) else {
                        continue;
                    };
                    let text = expr.as_str().unwrap_or("");
                    match promql::comparisons_shared(cx.sources, text) {
                        Ok(comparisons) => rules.push(Rule {
                            name,
                            expr,
                            comparisons,
                        }),
                        Err(e) => {
                            unparsed.push(text);
                            out.push(
                            Finding::new(
                                id::MONITORING_ALERTS,
                                expr.span,
                                format!("the expression of alert `{name}` is not PromQL Prometheus accepts: {e}"),
                            )
                            .label("does not parse")
                            .help("check it with `promtool check rules`"),
                        )
                        }
                    }
                }
            }
        }
        let anchor: Option<Span> = prom_rules.first().map(|p| name_span(p));
        for (alert, spec) in &cx.params.alerts {
            let Some(want_op) = cmp_op(&spec.op) else {
                continue;
            };
            let found = rules.iter().find_map(|r| {
                r.comparisons
                    .iter()
                    .find(|c| spec.metrics.iter().all(|m| c.involves(m)))
                    .map(|c| (r, c))
            });
            let Some((r, c)) = found else {
                // Not a second finding for an alert whose expression is already reported.
                if unparsed
                    .iter()
                    .any(|t| spec.metrics.iter().all(|m| t.contains(m.as_str())))
                {
                    continue;
                }
                let what = format!(
                    "`{} {} {}`",
                    spec.metrics.join(", "),
                    spec.op,
                    show(spec.threshold)
                );
                match anchor {
                    Some(at) => out.absent(
                        Finding::new(
                            id::MONITORING_ALERTS,
                            at,
                            format!(
                                "no alert of PrometheusRule `{}` is the documented {alert} alert (a comparison of {what})",
                                name_of(prom_rules[0])
                            ),
                        )
                        .label(format!("no {alert} alert"))
                        .help(format!("add an alerting rule for {alert}: {}", example(spec))),
                    ),
                    None => {
                        if let Some(w) = d.redis().next().map(|p| d.workload_of(p)) {
                            let at = name_span(w.node);
                            out.absent(
                                Finding::new(
                                    id::MONITORING_ALERTS,
                                    at,
                                    format!("no PrometheusRule alerts on {}: the documented {alert} alert is missing", w.describe()),
                                )
                                .help(format!("add a PrometheusRule with an alert for {alert}: {}", example(spec))),
                            );
                        }
                    }
                }
                continue;
            };
            let got = c.unscaled_threshold();
            if c.op == want_op && same(got, spec.threshold) {
                continue;
            }
            let written = match &c.ratio {
                Some(r) if r.scale != 1.0 => format!(
                    "{} {} (×{} scale)",
                    c.op.as_str(),
                    show(c.threshold),
                    show(r.scale)
                ),
                _ => format!("{} {}", c.op.as_str(), show(c.threshold)),
            };
            let msg = if c.op != want_op {
                format!(
                    "alert `{}` ({alert}) compares with `{written}`; the policy's {alert} alert fires at `{} {}`",
                    r.name, spec.op, show(spec.threshold)
                )
            } else {
                format!(
                    "alert `{}` ({alert}) fires at {}; the policy's threshold is {}",
                    r.name,
                    show(got),
                    show(spec.threshold)
                )
            };
            out.push(
                Finding::new(id::MONITORING_ALERTS, r.expr.span, msg)
                    .label(format!("`{} {}`", c.op.as_str(), show(c.threshold)))
                    .help(format!("write the comparison as {}", example(spec))),
            );
        }
    }
}

fn cmp_op(s: &str) -> Option<CmpOp> {
    Some(match s {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        _ => return None,
    })
}

fn example(spec: &AlertSpec) -> String {
    match spec.metrics.as_slice() {
        [m] => format!("`{m} {} {}`", spec.op, show(spec.threshold)),
        many => {
            format!(
            "an expression over {} compared with `{} {}` (a ratio may also be written in percent)",
            many.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" and "),
            spec.op,
            show(spec.threshold)
        )
        }
    }
}
