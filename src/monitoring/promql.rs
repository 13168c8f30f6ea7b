//! Alert expressions read as PromQL (the `promql-parser` crate), and the comparisons in them.
//!
//! [`parse`] bounds the input before the parser sees it (length, and an upper bound of the tree
//! depth from nesting and operators), so a hostile rule file cannot exhaust the stack of the
//! recursive passes over the tree. [`comparisons`] walks the parsed tree for every comparison of
//! a vector side with a constant: the metric names involved, the operator and the threshold,
//! normalised so that the vector is on the left (`0.95 < x` reads as `x > 0.95`), and recognises
//! a ratio (`a / b`) scaled by a constant (`a / b * 100 > 95` is a ratio in percent), so the
//! threshold can be compared as a fraction whichever way the alert is written.

use crate::hash::HashMap;
use crate::source::SourceMap;
use promql_parser::parser::{self, Expr};
use std::sync::{Arc, Mutex};

/// Longest expression read.
pub const MAX_EXPR_LEN: usize = 16 * 1024;
/// Largest nesting (brackets plus operators) read; the parsed tree is never deeper.
pub const MAX_DEPTH: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromqlError {
    TooLong {
        len: usize,
    },
    TooDeep {
        depth: usize,
    },
    /// The parser's message.
    Syntax(String),
}

impl std::fmt::Display for PromqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PromqlError::TooLong { len } => write!(
                f,
                "expression is {len} bytes long; grill-lint reads at most {MAX_EXPR_LEN}"
            ),
            PromqlError::TooDeep { depth } => write!(
                f,
                "expression nests {depth} levels deep; grill-lint reads at most {MAX_DEPTH}"
            ),
            PromqlError::Syntax(m) => write!(f, "{m}"),
        }
    }
}

/// The comparisons of each expression text a run has read ([`comparisons_shared`]).
#[derive(Default)]
struct Read(Mutex<HashMap<String, Result<Arc<[Comparison]>, PromqlError>>>);

/// [`parse`] then [`comparisons`], once per expression text and run: every overlay of a
/// monorepo renders the same PrometheusRule from its base.
pub fn comparisons_shared(
    sources: &SourceMap,
    expr: &str,
) -> Result<Arc<[Comparison]>, PromqlError> {
    let memo = sources.memo::<Read>();
    let lock = || memo.0.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = lock().get(expr) {
        return known.clone();
    }
    let read = parse(expr).map(|e| Arc::from(comparisons(&e)));
    lock().insert(expr.to_string(), read.clone());
    read
}

/// Parses `expr` as PromQL within the limits.
pub fn parse(expr: &str) -> Result<Expr, PromqlError> {
    if expr.len() > MAX_EXPR_LEN {
        return Err(PromqlError::TooLong { len: expr.len() });
    }
    let depth = depth_bound(expr);
    if depth > MAX_DEPTH {
        return Err(PromqlError::TooDeep { depth });
    }
    // The parser is a third-party crate: a panic in it must not end the lint.
    // Durations first: the parser panics on some Prometheus refuses anyway (a range of `2e30`
    // seconds overflows its Duration), and a caught panic still prints to stderr.
    if let Some(why) = durations_prometheus_refuses(expr) {
        return Err(PromqlError::Syntax(why));
    }
    let text = expr.to_string();
    let result = std::panic::catch_unwind(move || parser::parse(&text));
    match result {
        Ok(Ok(e)) => {
            if let Some(why) = scalar_log(&e, 0)
                .or_else(|| stacked_repetition(&e, 0))
                .or_else(|| unary_plus(expr))
            {
                return Err(PromqlError::Syntax(why));
            }
            Ok(e)
        }
        Ok(Err(m)) => Err(PromqlError::Syntax(m.trim().to_string())),
        Err(_) => Err(PromqlError::Syntax(
            "the PromQL parser failed on this expression".into(),
        )),
    }
}

/// Duration syntax `promql-parser` reads but Prometheus 2.x refuses (checked against promtool
/// 2.42 by `tests/promtool_agreement.rs`): a range, subquery step or `offset` without a unit
/// (`[90]`, `offset 90`), and a duration where a number belongs (`x > 5m`).
/// The milliseconds of a duration made of `<digits><unit>` groups, `None` when it does not fit
/// in Prometheus' signed 64-bit milliseconds.
fn duration_ms(t: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let d = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = rest[..d].parse().ok()?;
        rest = &rest[d..];
        let (unit, len): (i64, usize) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            let ms = match rest.bytes().next()? {
                b's' => 1_000,
                b'm' => 60_000,
                b'h' => 3_600_000,
                b'd' => 86_400_000,
                b'w' => 604_800_000,
                b'y' => 31_536_000_000,
                _ => return None,
            };
            (ms, 1)
        };
        rest = &rest[len..];
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    Some(total)
}

fn durations_prometheus_refuses(expr: &str) -> Option<String> {
    let b = expr.as_bytes();
    let (mut i, mut braces, mut bracket_start) = (0, 0usize, None::<usize>);
    let mut after_offset = false;
    let is_unit_run = |run: &str| {
        // (ms|s|m|h|d|w|y) followed by more `<digits><unit>` groups.
        let mut r = run;
        let mut first = true;
        while !r.is_empty() {
            if !first {
                let d = r.bytes().take_while(u8::is_ascii_digit).count();
                if d == 0 {
                    return false;
                }
                r = &r[d..];
            }
            first = false;
            let u = if r.starts_with("ms") {
                2
            } else if r.starts_with(['s', 'm', 'h', 'd', 'w', 'y']) {
                1
            } else {
                return false;
            };
            r = &r[u..];
        }
        true
    };
    let plain_number = |t: &str| {
        let t = t.trim().trim_start_matches(['+', '-']);
        !t.is_empty()
            && t.bytes().all(|c| c.is_ascii_digit() || c == b'.')
            && t.bytes().any(|c| c.is_ascii_digit())
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' | b'`' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' && c != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => braces += 1,
            b'}' => braces = braces.saturating_sub(1),
            b'[' if braces == 0 => bracket_start = Some(i + 1),
            b']' if braces == 0 => {
                if let Some(s) = bracket_start.take() {
                    for part in expr.get(s..i).unwrap_or("").split(':') {
                        let t = part.trim();
                        if plain_number(part) {
                            return Some(format!(
                                "duration `{t}` has no unit; Prometheus 2.x refuses it (write `{t}s`)"
                            ));
                        }
                        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
                        if !t.is_empty() && (digits == 0 || !is_unit_run(&t[digits..])) {
                            return Some(format!(
                                "`{t}` is not a duration; Prometheus 2.x reads only `<number><unit>` groups here (e.g. `5m`, `1h30m`)"
                            ));
                        }
                        if !t.is_empty() && duration_ms(t).is_none() {
                            return Some(format!(
                                "duration `{t}` is out of range; Prometheus refuses it"
                            ));
                        }
                    }
                }
            }
            c if braces == 0
                && bracket_start.is_none()
                && (c.is_ascii_alphabetic() || c == b'_' || c == b':') =>
            {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b':')
                {
                    i += 1;
                }
                after_offset = expr[s..i].eq_ignore_ascii_case("offset");
                continue;
            }
            c if braces == 0 && bracket_start.is_none() && (c.is_ascii_digit() || c == b'.') => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                let r = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let (num, run) = (&expr[s..r], &expr[r..i]);
                if after_offset && run.is_empty() {
                    return Some(format!(
                        "offset `{num}` has no unit; Prometheus 2.x refuses it (write `{num}s`)"
                    ));
                }
                if !after_offset && !run.is_empty() && is_unit_run(run) {
                    return Some(format!(
                        "`{num}{run}` is a duration where a number belongs; Prometheus 2.x refuses it"
                    ));
                }
                after_offset = false;
                continue;
            }
            b'+' if after_offset => return Some(
                "`offset +…`: Prometheus 2.x refuses a `+` sign on an offset (write it without)"
                    .into(),
            ),
            b' ' | b'\t' | b'\n' | b'\r' | b'-' => {}
            _ => after_offset = false,
        }
        i += 1;
    }
    None
}

/// `promql-parser` lets `exp`, `ln`, `log2` and `log10` take a constant that makes no finite
/// result (`ln(0)`); Prometheus refuses any scalar there ("expected type instant vector").
fn scalar_log(e: &Expr, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH * 2 {
        return None;
    }
    if let Expr::Call(c) = e {
        if matches!(c.func.name, "exp" | "ln" | "log2" | "log10")
            && c.args
                .args
                .first()
                .is_some_and(|a| a.value_type() == promql_parser::parser::value::ValueType::Scalar)
        {
            return Some(format!(
                "expected type instant vector in call to function \"{}\", got scalar",
                c.func.name
            ));
        }
    }
    children(e)
        .into_iter()
        .find_map(|c| scalar_log(c, depth + 1))
}

/// `promql-parser` drops a unary `+` without checking its operand; Prometheus refuses it on a
/// range vector or a string, as it refuses a unary `-`. Binary `+` and `-` type-check alike, so
/// the text with every `+` (outside strings) turned into `-` parses exactly when Prometheus
/// accepts the unary pluses.
fn unary_plus(expr: &str) -> Option<String> {
    let mut out = String::with_capacity(expr.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut changed = false;
    for c in expr.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q != '`' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                if c == '+' {
                    changed = true;
                    out.push('-');
                } else {
                    out.push(c);
                }
            }
        }
    }
    if !changed {
        return None;
    }
    let refused = std::panic::catch_unwind(move || parser::parse(&out).is_err()).unwrap_or(true);
    refused.then(|| {
        "unary `+` is only allowed on a scalar or an instant vector (Prometheus refuses it here)"
            .to_string()
    })
}

/// Label matcher regexes are compiled by Rust's `regex` in `promql-parser` but by Go's RE2 in
/// Prometheus, which refuses a repetition operator applied to another (`.+*`, `a**`, `a{2}+`):
/// "invalid nested repetition operator".
fn stacked_repetition(e: &Expr, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH * 2 {
        return None;
    }
    let vs = match e {
        Expr::VectorSelector(v) => Some(v),
        Expr::MatrixSelector(m) => Some(&m.vs),
        _ => None,
    };
    if let Some(v) = vs {
        let all = v
            .matchers
            .matchers
            .iter()
            .chain(v.matchers.or_matchers.iter().flatten());
        for m in all {
            if matches!(
                m.op,
                promql_parser::label::MatchOp::Re(_) | promql_parser::label::MatchOp::NotRe(_)
            ) {
                if let Some(op) = go_nested_repetition(&m.value) {
                    return Some(format!(
                        "regex `{}` stacks repetition operators (`{op}`); Prometheus (Go RE2) refuses it",
                        m.value
                    ));
                }
            }
        }
    }
    children(e)
        .into_iter()
        .find_map(|c| stacked_repetition(c, depth + 1))
}

/// The first repetition operator that directly follows another in RE2 syntax, if any.
fn go_nested_repetition(re: &str) -> Option<String> {
    let b = re.as_bytes();
    let (mut i, mut last_repeat) = (0, false);
    // `{n}`, `{n,}`, `{n,m}` at `i`: its length.
    let counted = |i: usize| -> Option<usize> {
        let rest = re.get(i..)?;
        let close = rest.find('}')?;
        let inner = &rest[1..close];
        let (a, bnd) = inner.split_once(',').unwrap_or((inner, ""));
        let ok = !a.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && bnd.bytes().all(|c| c.is_ascii_digit());
        ok.then_some(close + 1)
    };
    while i < b.len() {
        let rep_len = match b[i] {
            b'*' | b'+' | b'?' => Some(1),
            b'{' => counted(i),
            _ => None,
        };
        if let Some(n) = rep_len {
            if last_repeat {
                return Some(re[i..i + n].to_string());
            }
            i += n;
            // A lazy `?` belongs to the operator.
            if b.get(i) == Some(&b'?') {
                i += 1;
            }
            last_repeat = true;
            continue;
        }
        last_repeat = false;
        match b[i] {
            b'\\' => i += 2,
            b'[' => {
                // Skip a character class (a `]` right after `[` or `[^` is literal).
                i += 1;
                if b.get(i) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < b.len() && b[i] != b']' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// An upper bound of the parse tree's depth: the deepest bracket nesting plus the number of
/// operators (a chain `a + b + c` or `- - x` nests once per operator). Strings and comments
/// are skipped; label matchers inside braces are not operators.
pub fn depth_bound(expr: &str) -> usize {
    let b = expr.as_bytes();
    let (mut i, mut nest, mut max_nest, mut ops, mut braces) = (0, 0usize, 0usize, 0usize, 0usize);
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' | b'`' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' && c != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                nest += 1;
                max_nest = max_nest.max(nest);
                if c == b'{' {
                    braces += 1;
                }
            }
            b')' | b']' | b'}' => {
                nest = nest.saturating_sub(1);
                if c == b'}' {
                    braces = braces.saturating_sub(1);
                }
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'<' | b'>' | b'=' | b'!' if braces == 0 => {
                ops += 1
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b':')
                {
                    i += 1;
                }
                let word = &expr[s..i];
                if braces == 0
                    && ["and", "or", "unless", "atan2"]
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(word))
                {
                    ops += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    max_nest + ops
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    fn from_token(t: &str) -> Option<CmpOp> {
        Some(match t {
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            _ => return None,
        })
    }
    /// The operator with its operands swapped (`1 < x` is `x > 1`).
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Le => CmpOp::Ge,
            o => o,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
        }
    }
    /// True for `>`/`>=` (fires above the threshold).
    pub fn is_upper(self) -> bool {
        matches!(self, CmpOp::Gt | CmpOp::Ge)
    }
    pub fn is_lower(self) -> bool {
        matches!(self, CmpOp::Lt | CmpOp::Le)
    }
}

/// A ratio `numerator / denominator`, scaled by a constant (`100` for percent).
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    pub numerator: Vec<String>,
    pub denominator: Vec<String>,
    pub scale: f64,
}

/// One comparison of a vector expression with a constant, vector on the left.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Metric names on the vector side, sorted, without duplicates.
    pub metrics: Vec<String>,
    /// Functions applied on the vector side (`rate`, `increase`, …), sorted.
    pub functions: Vec<String>,
    pub op: CmpOp,
    /// The constant, as written (95 for `… * 100 > 95`).
    pub threshold: f64,
    pub ratio: Option<Ratio>,
    /// `bool` modifier: the comparison yields 0/1 instead of filtering.
    pub returns_bool: bool,
    /// The vector side, printed by the parser.
    pub vector: String,
}

impl Comparison {
    /// The threshold on the unscaled value: `… * 100 > 95` gives 0.95; no ratio gives it as is.
    pub fn unscaled_threshold(&self) -> f64 {
        match &self.ratio {
            Some(r) if r.scale != 0.0 => self.threshold / r.scale,
            _ => self.threshold,
        }
    }
    /// True when `metric` is on the vector side.
    pub fn involves(&self, metric: &str) -> bool {
        self.metrics.iter().any(|m| m == metric)
    }
}

/// Every comparison of a vector with a constant in `expr`, in the order written.
pub fn comparisons(expr: &Expr) -> Vec<Comparison> {
    let mut out = Vec::new();
    collect(expr, &mut out, 0);
    out
}

fn collect(e: &Expr, out: &mut Vec<Comparison>, depth: usize) {
    if depth > MAX_DEPTH * 2 {
        return;
    }
    if let Expr::Binary(b) = e {
        if let Some(op) = CmpOp::from_token(&b.op.to_string()) {
            let returns_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
            match (constant(&b.lhs, 0), constant(&b.rhs, 0)) {
                (None, Some(t)) => out.push(comparison(&b.rhs, &b.lhs, op, t, returns_bool)),
                (Some(t), None) => out.push(comparison(&b.lhs, &b.rhs, op.flip(), t, returns_bool)),
                _ => {}
            }
        }
    }
    for c in children(e) {
        collect(c, out, depth + 1);
    }
}

fn comparison(_c: &Expr, v: &Expr, op: CmpOp, threshold: f64, returns_bool: bool) -> Comparison {
    let mut metrics = Vec::new();
    let mut functions = Vec::new();
    names(v, &mut metrics, &mut functions, 0);
    metrics.sort();
    metrics.dedup();
    functions.sort();
    functions.dedup();
    Comparison {
        metrics,
        functions,
        op,
        threshold,
        ratio: ratio(v),
        returns_bool,
        vector: v.to_string(),
    }
}

/// The direct sub-expressions of `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Aggregate(a) => {
            let mut v = vec![a.expr.as_ref()];
            v.extend(a.param.as_deref());
            v
        }
        Expr::Unary(u) => vec![u.expr.as_ref()],
        Expr::Binary(b) => vec![b.lhs.as_ref(), b.rhs.as_ref()],
        Expr::Paren(p) => vec![p.expr.as_ref()],
        Expr::Subquery(s) => vec![s.expr.as_ref()],
        Expr::Call(c) => c.args.args.iter().map(|a| a.as_ref()).collect(),
        _ => Vec::new(),
    }
}

fn names(e: &Expr, metrics: &mut Vec<String>, functions: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH * 2 {
        return;
    }
    let vs = match e {
        Expr::VectorSelector(v) => Some(v),
        Expr::MatrixSelector(m) => Some(&m.vs),
        _ => None,
    };
    if let Some(v) = vs {
        if let Some(n) = &v.name {
            metrics.push(n.clone());
        }
        for m in &v.matchers.matchers {
            if m.name == "__name__" && m.op == promql_parser::label::MatchOp::Equal {
                metrics.push(m.value.clone());
            }
        }
    }
    if let Expr::Call(c) = e {
        functions.push(c.func.name.to_string());
    }
    for c in children(e) {
        names(c, metrics, functions, depth + 1);
    }
}

/// The value of an expression made only of numbers (and parentheses, unary minus, arithmetic).
fn constant(e: &Expr, depth: usize) -> Option<f64> {
    if depth > MAX_DEPTH * 2 {
        return None;
    }
    match e {
        Expr::NumberLiteral(n) => Some(n.val),
        Expr::Paren(p) => constant(&p.expr, depth + 1),
        Expr::Unary(u) => constant(&u.expr, depth + 1).map(|v| -v),
        Expr::Binary(b) => {
            let (l, r) = (constant(&b.lhs, depth + 1)?, constant(&b.rhs, depth + 1)?);
            Some(match b.op.to_string().as_str() {
                "+" => l + r,
                "-" => l - r,
                "*" => l * r,
                "/" => l / r,
                "%" => l % r,
                "^" => l.powf(r),
                _ => return None,
            })
        }
        _ => None,
    }
}

/// A product/quotient chain: constant factor, numerator and denominator terms.
fn factors<'a>(
    e: &'a Expr,
    invert: bool,
    scale: &mut f64,
    num: &mut Vec<&'a Expr>,
    den: &mut Vec<&'a Expr>,
    depth: usize,
) {
    if depth > MAX_DEPTH * 2 {
        return;
    }
    if let Some(c) = constant(e, 0) {
        *scale = if invert { *scale / c } else { *scale * c };
        return;
    }
    match e {
        Expr::Paren(p) => factors(&p.expr, invert, scale, num, den, depth + 1),
        Expr::Binary(b) if matches!(b.op.to_string().as_str(), "*" | "/") => {
            let div = b.op.to_string() == "/";
            factors(&b.lhs, invert, scale, num, den, depth + 1);
            factors(&b.rhs, invert ^ div, scale, num, den, depth + 1);
        }
        other => {
            if invert {
                den.push(other)
            } else {
                num.push(other)
            }
        }
    }
}

fn ratio(v: &Expr) -> Option<Ratio> {
    let (mut scale, mut num, mut den) = (1.0, Vec::new(), Vec::new());
    factors(v, false, &mut scale, &mut num, &mut den, 0);
    if den.is_empty() || num.is_empty() {
        return None;
    }
    let list = |terms: &[&Expr]| {
        let (mut m, mut f) = (Vec::new(), Vec::new());
        for t in terms {
            names(t, &mut m, &mut f, 0);
        }
        m.sort();
        m.dedup();
        m
    };
    Some(Ratio {
        numerator: list(&num),
        denominator: list(&den),
        scale,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn fuzz_found_inputs_are_refused_without_a_panic() {
        // cargo fuzz run promql, 2026-12-02: a huge range duration panicked inside the parser.
        for text in [
            ".220/C0_[2e30]/",
            "up[99999999999999999y]",
            "rate(up[1e3s])",
        ] {
            assert!(matches!(parse(text), Err(PromqlError::Syntax(_))), "{text}");
        }
        assert_eq!(duration_ms("1h30m"), Some(5_400_000));
        assert_eq!(duration_ms("5m"), Some(300_000));
        assert!(parse("rate(up[5m:1m])").is_ok() && parse("up[5m:]").is_ok());
    }

    use super::*;

    fn cmp(expr: &str) -> Vec<Comparison> {
        comparisons(&parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}")))
    }

    #[test]
    fn reads_the_documented_alerts() {
        let c = &cmp("redis_up == 0")[0];
        assert_eq!(
            (c.metrics.as_slice(), c.op, c.threshold),
            (&["redis_up".to_string()][..], CmpOp::Eq, 0.0)
        );

        let c = &cmp("redis_memory_used_bytes / redis_memory_max_bytes * 100 > 90")[0];
        assert_eq!(c.op, CmpOp::Gt);
        assert_eq!(c.threshold, 90.0);
        let r = c.ratio.as_ref().unwrap();
        assert_eq!(r.numerator, ["redis_memory_used_bytes"]);
        assert_eq!(r.denominator, ["redis_memory_max_bytes"]);
        assert_eq!(r.scale, 100.0);
        assert!((c.unscaled_threshold() - 0.9).abs() < 1e-12);

        // The same alert written as a fraction, reversed, and with the 100 in front.
        for e in [
            "redis_memory_used_bytes / redis_memory_max_bytes > 0.9",
            "0.9 < redis_memory_used_bytes / redis_memory_max_bytes",
            "100 * redis_memory_used_bytes / redis_memory_max_bytes > 90",
            "(redis_memory_used_bytes / redis_memory_max_bytes) * 100 > 90",
            "redis_memory_used_bytes * 100 / redis_memory_max_bytes > 90",
            "redis_memory_used_bytes / redis_memory_max_bytes > 9 / 10",
        ] {
            let c = &cmp(e)[0];
            assert_eq!(c.op, CmpOp::Gt, "{e}");
            assert!((c.unscaled_threshold() - 0.9).abs() < 1e-12, "{e}: {c:?}");
            assert_eq!(
                c.ratio.as_ref().unwrap().denominator,
                ["redis_memory_max_bytes"],
                "{e}"
            );
        }

        let c = &cmp("redis_connected_clients > 100")[0];
        assert_eq!(
            (c.op, c.threshold, c.ratio.is_none()),
            (CmpOp::Gt, 100.0, true)
        );

        let c = &cmp("rate(redis_keyspace_hits_total[5m]) / (rate(redis_keyspace_hits_total[5m]) + rate(redis_keyspace_misses_total[5m])) < 0.8")[0];
        assert_eq!(c.op, CmpOp::Lt);
        let r = c.ratio.as_ref().unwrap();
        assert_eq!(r.numerator, ["redis_keyspace_hits_total"]);
        assert_eq!(
            r.denominator,
            ["redis_keyspace_hits_total", "redis_keyspace_misses_total"]
        );
        assert_eq!(c.functions, ["rate"]);

        let c = &cmp("increase(redis_slowlog_length[5m]) > 0")[0];
        assert_eq!(c.functions, ["increase"]);
        assert!(c.involves("redis_slowlog_length"));

        let c = &cmp("1 >= {__name__=\"redis_up\"}")[0];
        assert_eq!(
            (c.op, c.metrics.as_slice()),
            (CmpOp::Le, &["redis_up".to_string()][..])
        );
    }

    #[test]
    fn several_comparisons_and_bool() {
        let cs = cmp(
            "redis_connected_slaves < 1 and on(instance) redis_instance_info{role=\"master\"} == 1",
        );
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].op, CmpOp::Lt);
        assert!(cs[1].involves("redis_instance_info"));
        let cs = cmp("max by (instance) (redis_replication_lag_seconds) > bool 30");
        assert!(cs[0].returns_bool);
        assert_eq!(cs[0].threshold, 30.0);
        // Two vectors compared: no threshold to read.
        assert!(cmp("redis_memory_used_bytes > redis_memory_max_bytes").is_empty());
        assert!(cmp("-1 < -redis_up")
            .first()
            .is_some_and(|c| c.threshold == -1.0 && c.op == CmpOp::Gt));
    }

    #[test]
    fn refuses_what_does_not_parse() {
        for e in [
            "redis_up ==",
            "rate(redis_up)",
            "sum(",
            "redis_up{",
            "1 +* 2",
            "",
            "{}",
            // Found by the promtool agreement test: read by promql-parser, refused by Prometheus.
            "max_over_time(redis_up[90]) > 0",
            "rate(redis_up[5m:30]) > 0",
            "redis_up offset 90",
            "redis_up > 905m",
            "redis:ratio:+5m",
            "redis_up offset +30s",
            "delta(+redis_up[30s]) == 0",
            "+\"x\"",
            "redis_up{instance=~\"redis-.+*\"} > 0",
            "redis_up{instance!~\"a{2}+\"} > 0",
            "ln(0)",
            "exp(-1) > 0",
        ] {
            assert!(matches!(parse(e), Err(PromqlError::Syntax(_))), "{e:?}");
        }
    }

    #[test]
    fn limits() {
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(matches!(parse(&deep), Err(PromqlError::TooDeep { .. })));
        let chain = vec!["redis_up"; 300].join(" + ");
        assert!(matches!(parse(&chain), Err(PromqlError::TooDeep { .. })));
        let unary = format!("{}1", "-".repeat(500));
        assert!(matches!(parse(&unary), Err(PromqlError::TooDeep { .. })));
        let long = format!("redis_up{{a=\"{}\"}}", "x".repeat(MAX_EXPR_LEN));
        assert!(matches!(parse(&long), Err(PromqlError::TooLong { .. })));
        // Operators inside strings and matchers do not count.
        let ok = format!("redis_up{{a=~\"{}\"}} == 0", "-+".repeat(500));
        assert!(parse(&ok).is_ok());
        let ok = format!("{}redis_up{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&ok).is_ok());
        for ok in [
            "rate(redis_up[1h30m]) > 0",
            "redis_up offset 5m > 0",
            "redis_up offset -1h",
            "rate(x[5m:]) > 0x1F",
            "redis_up > 1e3",
            "+redis_up + +1 > 1e+3",
            "ln(redis_up) > 0",
            "redis_up{le=\"5m\"} > 5",
            "redis_up{instance=~\"redis-.+?\", pod=~\"[*+]+x{2,3}\\\\*+\"} > 0",
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[a-z_(){}\\[\\]\"=~!<>+*/%^ 0-9.,-]{0,60}") {
            if let Ok(e) = parse(&s) {
                let _ = comparisons(&e);
            }
        }
    }
}
