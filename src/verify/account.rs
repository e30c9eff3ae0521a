//! Every number written in a verify statement accounted for (#25): under `--strict`, each
//! literal inside a statement is a given (`let x = 2.5`, a `vary`, the point a page function
//! is called at), stated or claimed (a side of a link, or paired with an expression by
//! [`check::claims`](super::check::claims) or a call's written-out body), a formula constant,
//! or a value of the page restated at its decimals. Anything else is a number the check only
//! did arithmetic with — `exp(-2.31)` where the page's score is -2.3 — and is reported at its
//! place with the page's nearest values.

use rustc_hash::FxHashSet;

use super::ast::{BinOp, Binding, Expr, ExprKind, Rel, Stmt};
use super::check::{body_pairs, matched_children};
use super::error::VerifyError;
use super::eval::{Env, ScopeId};
use crate::linalg::{parse_decimal, Num, Value};

/// Numbers that may stand anywhere in a formula without standing for a value of the page:
/// 0, 1, 2 and ½ (`1 - σ`, `2 * x`, `0.5 * (t - y)^2`, `max(0, z)`).
pub const CONSTANTS: [&str; 4] = ["0", "1", "2", "0.5"];

/// Built-ins whose arguments are sizes, not values.
const SIZES: [&str; 3] = ["zeros", "ones", "eye"];

/// The literals of `stmt` that nothing accounts for, each as a located error naming the
/// page's values nearest to it. `stmt` has run: the names it uses (and defines) are in `env`.
pub fn unaccounted(stmt: &Stmt, env: &Env, scope: ScopeId) -> Vec<VerifyError> {
    let defined = defines(stmt);
    unclaimed(stmt, env, scope)
        .into_iter()
        .filter(|e| {
            let text = number_text(e);
            !CONSTANTS.contains(&text.trim_start_matches('-'))
                && !restates(&text, env, scope, defined)
        })
        .map(|e| report(e, env, scope, defined))
        .collect()
}

/// The value name a statement defines, if any.
fn defines(stmt: &Stmt) -> Option<&str> {
    match &stmt.binding {
        Some((Binding::Value(n), _)) => Some(n.as_str()),
        _ => None,
    }
}

/// A number as written, with its sign (`-2.31`).
pub fn number_text(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Neg(x) => format!("-{}", number_text(x)),
        ExprKind::Num(t) => t.clone(),
        _ => String::new(),
    }
}

/// The numbers of `stmt` (each a number or a negated number) that are not given, stated,
/// claimed, nor in a place that is the formula's own (an exponent, an index, a size, the point
/// a page function is called at), in the order written. Whether each is a formula constant or
/// a page value is for the caller.
pub fn unclaimed<'s>(stmt: &'s Stmt, env: &Env, scope: ScopeId) -> Vec<&'s Expr> {
    if stmt.directive.is_some() || stmt.circuit.is_some() {
        return Vec::new();
    }
    let mut accounted = FxHashSet::default();
    // `let x = 2.5` (or a written vector or matrix) is a given.
    if defines(stmt).is_some() && stmt.first.is_literal() {
        numbers(&stmt.first, &mut accounted);
    }
    let mut left = &stmt.first;
    for (rel, right) in &stmt.links {
        for side in [left, right] {
            if side.ungrouped().is_literal() {
                numbers(side, &mut accounted);
            }
        }
        if matches!(rel, Rel::Eq | Rel::Approx) {
            paired(left.ungrouped(), right.ungrouped(), &mut accounted);
            for (call, written) in [(left, right), (right, left)] {
                if let ExprKind::Call(name, _) = &call.ungrouped().kind {
                    if let Some(f) = env.function_in(name, scope) {
                        let mut pairs = Vec::new();
                        body_pairs(&f.body, written, &f.params, &mut pairs);
                        for (_, literal, _) in pairs {
                            numbers(literal, &mut accounted);
                        }
                    }
                }
            }
        }
        left = right;
    }
    let mut out: Vec<&Expr> = std::iter::once(&stmt.first)
        .chain(stmt.links.iter().map(|(_, e)| e))
        .flat_map(|e| loose(e, env, scope, &accounted))
        .collect();
    out.sort_by_key(|e| e.span.start);
    out
}

/// Adds the start of every number written in `e`.
fn numbers(e: &Expr, out: &mut FxHashSet<usize>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if let ExprKind::Num(_) = e.kind {
            out.insert(e.span.start);
        }
        stack.extend(e.children());
    }
}

/// The literals of `a` and `b` that stand where the other side has an expression.
fn paired(a: &Expr, b: &Expr, out: &mut FxHashSet<usize>) {
    stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
        for (x, y) in matched_children(a, b) {
            let (x, y) = (x.ungrouped(), y.ungrouped());
            match (x.is_literal(), y.is_literal()) {
                (true, true) => {}
                (true, false) => numbers(x, out),
                (false, true) => numbers(y, out),
                (false, false) => paired(x, y, out),
            }
        }
    })
}

/// The numbers of `e` (a number with its sign) that are not in `accounted` and not in a
/// place that is the formula's own.
fn loose<'e>(
    e: &'e Expr,
    env: &Env,
    scope: ScopeId,
    accounted: &FxHashSet<usize>,
) -> Vec<&'e Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        // A negative number is reported with its sign.
        let (e, num) = match &e.kind {
            ExprKind::Neg(x) if matches!(x.kind, ExprKind::Num(_)) => (e, &**x),
            _ => (e, e),
        };
        match &num.kind {
            ExprKind::Num(_) => {
                if !accounted.contains(&num.span.start) {
                    out.push(e);
                }
                continue;
            }
            // The exponent of a power and an index are the formula's own.
            ExprKind::Binary(BinOp::Pow | BinOp::PowElem, base, _) => {
                stack.push(base);
                continue;
            }
            ExprKind::Index(x, _) => {
                stack.push(x);
                continue;
            }
            ExprKind::Call(f, _) if SIZES.contains(&f.as_str()) => continue,
            // `repeat(N, step, x0)`: the number of steps is the formula's own, a start
            // written out is given.
            ExprKind::Call(f, args) if f == "repeat" && env.function_in(f, scope).is_none() => {
                stack.extend(args.iter().skip(2).filter(|a| !a.is_literal()));
                continue;
            }
            // The point a page function is called at, written out, is given.
            ExprKind::Call(f, args) if env.function_in(f, scope).is_some() => {
                stack.extend(args.iter().filter(|a| !a.is_literal()));
                continue;
            }
            ExprKind::Grad(_, args)
            | ExprKind::Partial { args, .. }
            | ExprKind::NumGrad { args, .. } => {
                stack.extend(args.iter().filter(|a| !a.is_literal()));
                continue;
            }
            _ => {}
        }
        stack.extend(e.children());
    }
    out
}

/// Whether the number `text` is, at its written decimals, a value `scope` sees (a scalar or
/// an entry), or its negation (`x - 0.3` for `x + b` with b = -0.3).
/// (`defined`, the name the statement itself defines, is left out: its value came from the
/// number.)
fn restates(text: &str, env: &Env, scope: ScopeId, defined: Option<&str>) -> bool {
    let Some(written) = parse_decimal(text) else {
        return false;
    };
    let places = super::check::written_precision(&Expr {
        kind: ExprKind::Num(text.to_string()),
        span: 0..0,
    })
    .and_then(|p| p.first().copied().flatten())
    .unwrap_or(0);
    env.visible_values(scope).iter().any(|(name, v)| {
        Some(*name) != defined
            && v.elements().iter().any(|x| {
                let r = x.round_to(places);
                r == written || -r == written
            })
    })
}

/// The error for a number nothing accounts for, naming the two values nearest to it.
fn report(e: &Expr, env: &Env, scope: ScopeId, defined: Option<&str>) -> VerifyError {
    let (sign, num) = match &e.kind {
        ExprKind::Neg(x) => ("-", &**x),
        _ => ("", e),
    };
    let ExprKind::Num(digits) = &num.kind else {
        return VerifyError::new(e.span.clone(), "this number is not accounted for");
    };
    let text = format!("{sign}{digits}");
    let x = parse_decimal(digits).map_or(0.0, |r| Num::Exact(r).to_f64());
    let mut near: Vec<(f64, String, String)> = Vec::new();
    for (name, v) in env.visible_values(scope) {
        if Some(name) == defined {
            continue;
        }
        let (rows, cols) = v.dims();
        for (k, n) in v.elements().iter().enumerate() {
            let y = n.to_f64();
            let at = match v {
                Value::Scalar(_) => name.to_string(),
                Value::Vector(_) => format!("{name}[{k}]"),
                Value::Matrix { .. } if rows == 1 || cols == 1 => format!("{name}[{k}]"),
                Value::Matrix { .. } => format!("{name}[{}, {}]", k / cols, k % cols),
            };
            near.push(((x.abs() - y.abs()).abs(), at, n.brief()));
        }
    }
    near.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let nearest: Vec<String> = near
        .iter()
        .take(2)
        .map(|(_, at, v)| format!("`{at}` = {v}"))
        .collect();
    let message = if nearest.is_empty() {
        format!("{text} matches no value on this page")
    } else {
        format!(
            "{text} matches no value on this page; nearest: {}",
            nearest.join(", ")
        )
    };
    VerifyError::new(e.span.clone(), message).hint(
        "under --strict every number in a check is a given (`let x = …`), stated against what \
         it stands for, a formula constant (0, 1, 2, 0.5, an exponent, an index, a size) or a \
         value of the page at the decimals written; write the name it stands for, or define it \
         with `let`",
    )
}
