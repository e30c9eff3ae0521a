//! Values written out as literals: how a computed value reads in verify source (for a
//! variant's text) and in a shown step (`{x₀ + 0.01}` and `expand(W2 · W1)` are replaced by
//! the numbers they stand for before the step is typeset).

use std::borrow::Cow;
use std::ops::Range;

use super::ast::{BinOp, Expr, ExprKind, Stmt};
use super::error::{Result, VerifyError};
use super::eval::{Env, ScopeId};
use crate::linalg::{Num, Value};

/// Decimals an approximate value is written with when nothing says how many.
pub const DEFAULT_DECIMALS: u32 = 4;

/// One number as the language writes it: `3`, `-1.5`, `1/3`; `decimals` (what the literal it
/// replaces wrote) pads an exact decimal and rounds an approximate one.
pub fn number_source(x: &Num, decimals: Option<u32>) -> String {
    match x {
        Num::Exact(_) => {
            let text = x.to_string();
            match decimals {
                // `0.50` replaced by 3/4 reads `0.75`, and by 1 reads `1.00`.
                Some(d) if d > 0 && !text.contains('/') => {
                    let places = text.split_once('.').map_or(0, |(_, f)| f.len()) as u32;
                    if places >= d {
                        text
                    } else {
                        x.fixed(d)
                    }
                }
                _ => text,
            }
        }
        Num::Approx(_) => x.fixed(decimals.unwrap_or(DEFAULT_DECIMALS)),
    }
}

/// A value as the language writes it: `3`, `[5, -1]`, `[[2, 3], [-1, -2]]`. `precision` gives
/// each entry's decimals in row-major order (see [`super::check::written_precision`]).
pub fn source(v: &Value, precision: Option<&[Option<u32>]>) -> String {
    let entry =
        |k: usize, x: &Num| number_source(x, precision.and_then(|p| p.get(k).copied().flatten()));
    match v {
        Value::Scalar(x) => entry(0, x),
        Value::Vector(items) => format!(
            "[{}]",
            items
                .iter()
                .enumerate()
                .map(|(k, x)| entry(k, x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Matrix { cols, data, .. } => {
            let rows: Vec<String> = data
                .chunks((*cols).max(1))
                .enumerate()
                .map(|(i, row)| {
                    let cells: Vec<String> = row
                        .iter()
                        .enumerate()
                        .map(|(j, x)| entry(i * cols + j, x))
                        .collect();
                    format!("[{}]", cells.join(", "))
                })
                .collect();
            format!("[{}]", rows.join(", "))
        }
    }
}

/// True when written text needs parentheses as an operand: a sign or a fraction bar.
pub fn needs_parentheses(text: &str) -> bool {
    text.starts_with('-') || text.contains('/')
}

/// The statement with every `{…}` and `expand(…)` replaced by the literals of its value, as
/// seen from `scope`; the result is only typeset, never evaluated.
pub fn resolve<'s>(stmt: &'s Stmt, env: &Env, scope: ScopeId) -> Result<Cow<'s, Stmt>> {
    // Most shown lines have nothing to write in: they are typeset as they are, not copied.
    if !mentions(stmt) {
        return Ok(Cow::Borrowed(stmt));
    }
    let mut out = stmt.clone();
    resolve_expr(&mut out.first, env, scope, true)?;
    for (_, e) in &mut out.links {
        resolve_expr(e, env, scope, true)?;
    }
    Ok(Cow::Owned(out))
}

/// True when a statement has anything for [`resolve`] to do.
fn mentions(stmt: &Stmt) -> bool {
    let mut stack: Vec<&Expr> = std::iter::once(&stmt.first)
        .chain(stmt.links.iter().map(|(_, e)| e))
        .collect();
    while let Some(e) = stack.pop() {
        if matches!(&e.kind, ExprKind::Interp(_)) || is_expand(e).is_some() {
            return true;
        }
        stack.extend(e.children());
    }
    false
}

/// The argument of `expand(…)`.
pub fn is_expand(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Call(name, args) if name == "expand" && args.len() == 1 => Some(&args[0]),
        _ => None,
    }
}

/// `bare` is true where a sign needs no parentheses: a whole side, a list entry, an argument,
/// inside parentheses, and the leftmost operand of those.
fn resolve_expr(e: &mut Expr, env: &Env, scope: ScopeId, bare: bool) -> Result<()> {
    stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
        if let ExprKind::Interp(x) = &e.kind {
            let value = env.eval_in_scope(x, scope)?;
            *e = value_expr(&value, &e.span, bare);
            return Ok(());
        }
        if let Some(inner) = is_expand(e) {
            *e = expansion(inner, env, scope, &e.span, bare)?;
            return Ok(());
        }
        match &mut e.kind {
            ExprKind::Binary(_, a, b) => {
                resolve_expr(a, env, scope, bare)?;
                resolve_expr(b, env, scope, false)
            }
            ExprKind::Series(first, rest) => {
                resolve_expr(first, env, scope, bare)?;
                rest.iter_mut()
                    .try_for_each(|(_, x)| resolve_expr(x, env, scope, false))
            }
            ExprKind::Neg(x) | ExprKind::Transpose(x) => resolve_expr(x, env, scope, false),
            ExprKind::Group(x) => resolve_expr(x, env, scope, true),
            ExprKind::List(xs) | ExprKind::Call(_, xs) | ExprKind::Grad(_, xs) => xs
                .iter_mut()
                .try_for_each(|x| resolve_expr(x, env, scope, true)),
            ExprKind::Partial { args, .. } | ExprKind::NumGrad { args, .. } => args
                .iter_mut()
                .try_for_each(|x| resolve_expr(x, env, scope, true)),
            ExprKind::Index(x, idx) => {
                resolve_expr(x, env, scope, false)?;
                idx.iter_mut()
                    .try_for_each(|i| resolve_expr(i, env, scope, true))
            }
            ExprKind::Num(_) | ExprKind::Name(_) | ExprKind::Interp(_) => Ok(()),
        }
    })
}

fn node(kind: ExprKind, span: &Range<usize>) -> Expr {
    Expr {
        kind,
        span: span.clone(),
    }
}

/// One number as an expression: `3`, `-3` (in parentheses unless `bare`), `1/3`.
fn number_expr(x: &Num, span: &Range<usize>, bare: bool) -> Expr {
    let text = number_source(x, None);
    let (negative, magnitude) = match text.strip_prefix('-') {
        Some(m) => (true, m.to_string()),
        None => (false, text.clone()),
    };
    let mut e = match magnitude.split_once('/') {
        Some((n, d)) => node(
            ExprKind::Series(
                Box::new(node(ExprKind::Num(n.into()), span)),
                vec![(BinOp::Div, node(ExprKind::Num(d.into()), span))],
            ),
            span,
        ),
        None => node(ExprKind::Num(magnitude), span),
    };
    if negative {
        e = node(ExprKind::Neg(Box::new(e)), span);
    }
    if !bare && needs_parentheses(&text) {
        e = node(ExprKind::Group(Box::new(e)), span);
    }
    e
}

/// A value as an expression of literals.
fn value_expr(v: &Value, span: &Range<usize>, bare: bool) -> Expr {
    match v {
        Value::Scalar(x) => number_expr(x, span, bare),
        Value::Vector(items) => node(
            ExprKind::List(items.iter().map(|x| number_expr(x, span, true)).collect()),
            span,
        ),
        Value::Matrix { cols, data, .. } => node(
            ExprKind::List(
                data.chunks((*cols).max(1))
                    .map(|row| {
                        node(
                            ExprKind::List(
                                row.iter().map(|x| number_expr(x, span, true)).collect(),
                            ),
                            span,
                        )
                    })
                    .collect(),
            ),
            span,
        ),
    }
}

/// True when `expand` can write out `e`: `A · B`, `A + B`, `A - B` or `A * B` (the last
/// operation of a longer run, its left side being the run before it).
pub fn expandable(e: &Expr) -> bool {
    split_last(e).is_some()
}

/// The last operation of a run and its two sides, when it is one `expand` writes out: the
/// left side is the run before it (a copy, when the run is longer than two terms).
fn split_last(e: &Expr) -> Option<(BinOp, Cow<'_, Expr>, &Expr)> {
    let ExprKind::Series(first, rest) = &e.ungrouped().kind else {
        return None;
    };
    let ((op, last), before) = rest.split_last()?;
    if !matches!(op, BinOp::Dot | BinOp::Add | BinOp::Sub | BinOp::Mul) {
        return None;
    }
    let left = if before.is_empty() {
        Cow::Borrowed(&**first)
    } else {
        let end = before.last().map_or(first.span.end, |(_, x)| x.span.end);
        Cow::Owned(Expr {
            span: first.span.start..end,
            kind: ExprKind::Series(first.clone(), before.to_vec()),
        })
    };
    Some((*op, left, last))
}

/// The error for `expand` of anything else.
pub fn not_expandable(span: &Range<usize>) -> VerifyError {
    VerifyError::new(
        span.clone(),
        "`expand` writes out `A · B`, `A + B`, `A - B` or `A * B`",
    )
    .hint("e.g. `W2 · W1 = expand(W2 · W1) = [[2, 3], [-1, -2]]`")
}

/// `expand(A · B)` (and `+`, `-`, `*`): every entry written as the arithmetic that makes it,
/// `[[2·1 + 1·0, …], …]`, from the values of `A` and `B`.
fn expansion(
    inner: &Expr,
    env: &Env,
    scope: ScopeId,
    span: &Range<usize>,
    bare: bool,
) -> Result<Expr> {
    let unsupported = || not_expandable(span);
    let Some((op, a, b)) = split_last(inner) else {
        return Err(unsupported());
    };
    let op = &op;
    let (x, y) = (env.eval_in_scope(&a, scope)?, env.eval_in_scope(b, scope)?);
    let shape_error = || {
        VerifyError::new(
            span.clone(),
            format!(
                "`expand` cannot write out a {} {} a {}",
                x.shape(),
                op.symbol(),
                y.shape()
            ),
        )
    };
    let num = |n: &Num, first: bool| number_expr(n, span, first);
    let bin = |o: BinOp, l: Expr, r: Expr| node(ExprKind::Series(Box::new(l), vec![(o, r)]), span);
    // Σ_t row[t]·col[t], the leftmost factor bare when the entry itself is: one flat sum.
    let dot = |row: &[&Num], col: &[&Num], first: bool| -> Expr {
        let mut terms = row
            .iter()
            .zip(col)
            .enumerate()
            .map(|(t, (p, q))| bin(BinOp::Dot, num(p, first && t == 0), num(q, false)));
        match terms.next() {
            None => num(&Num::zero(), first),
            Some(head) => node(
                ExprKind::Series(Box::new(head), terms.map(|t| (BinOp::Add, t)).collect()),
                span,
            ),
        }
    };
    let rows = |v: &Value| -> Vec<Vec<Num>> {
        let (r, c) = v.dims();
        v.elements()
            .chunks(c.max(1))
            .take(r)
            .map(<[Num]>::to_vec)
            .collect()
    };
    let list = |items: Vec<Expr>| node(ExprKind::List(items), span);
    let expr = match op {
        BinOp::Dot => match (&x, &y) {
            (Value::Matrix { .. }, Value::Matrix { .. }) => {
                let (xr, yr) = (rows(&x), rows(&y));
                let (k, n) = y.dims();
                if x.dims().1 != k {
                    return Err(shape_error());
                }
                list(
                    xr.iter()
                        .map(|row| {
                            list(
                                (0..n)
                                    .map(|j| {
                                        let col: Vec<&Num> = yr.iter().map(|r| &r[j]).collect();
                                        dot(&row.iter().collect::<Vec<_>>(), &col, true)
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            }
            (Value::Matrix { cols, .. }, Value::Vector(v)) if *cols == v.len() => list(
                rows(&x)
                    .iter()
                    .map(|row| {
                        dot(
                            &row.iter().collect::<Vec<_>>(),
                            &v.iter().collect::<Vec<_>>(),
                            true,
                        )
                    })
                    .collect(),
            ),
            (Value::Vector(u), Value::Vector(v)) if u.len() == v.len() => dot(
                &u.iter().collect::<Vec<_>>(),
                &v.iter().collect::<Vec<_>>(),
                bare,
            ),
            _ => return Err(shape_error()),
        },
        BinOp::Add | BinOp::Sub | BinOp::Mul => {
            if x.shape() != y.shape() {
                return Err(shape_error());
            }
            let o = if *op == BinOp::Mul { BinOp::Mul } else { *op };
            let cells: Vec<Expr> = x
                .elements()
                .iter()
                .zip(y.elements())
                .map(|(p, q)| bin(o, num(p, true), num(q, false)))
                .collect();
            match &x {
                Value::Scalar(_) => {
                    let mut cells = cells;
                    let cell = cells.remove(0);
                    if bare {
                        cell
                    } else {
                        node(ExprKind::Group(Box::new(cell)), span)
                    }
                }
                Value::Vector(_) => list(cells),
                Value::Matrix { cols, .. } => {
                    let mut cells = cells.into_iter();
                    list(
                        (0..x.dims().0)
                            .map(|_| list(cells.by_ref().take(*cols).collect()))
                            .collect(),
                    )
                }
            }
        }
        _ => return Err(unsupported()),
    };
    Ok(expr)
}
