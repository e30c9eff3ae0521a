//! What a link of a chain claims, and whether it holds.
//!
//! - `=` is exact equality of exact values. An approximate value (anything that went through
//!   `exp`, `log`, `sqrt`, …) compared with `=` is an error that says to write `≈` at the
//!   precision meant: `exp(1) = 3` can never pass.
//! - `≈` against a literal compares each entry at the decimals written for that entry
//!   (`[0.7, 0.04]` is 1 and 2 decimals); between two computed values it is a relative
//!   tolerance of [`TOLERANCE`], with values both below [`NEAR_ZERO`] taken as equal.
//! - `<`, `>`, `≤`, `≥` must hold for every entry; `≠` holds when some entry differs.
//! - A literal that stands in a link where the other side has an expression claims that
//!   expression's value ([`claims`]).

use std::borrow::Cow;

use super::ast::{Expr, ExprKind, Rel};
use super::error::{Result, VerifyError};
use super::eval::{Env, ScopeId};
use crate::linalg::{Num, Value};

/// Relative tolerance when two computed values are compared with `≈` and no literal gives a
/// precision.
pub const TOLERANCE: f64 = 1e-6;

/// Computed values both smaller than this in magnitude are equal under `≈`: a centred
/// difference with h = 10⁻⁶ cannot resolve less, so a zero gradient and its numerical
/// estimate agree.
pub const NEAR_ZERO: f64 = 1e-9;

/// Decimal places written for a number literal (`0.04` → 2, `1e-3` → 3, `5` → 0).
fn decimals(text: &str) -> u32 {
    let mut parts = text.split(['e', 'E']);
    let mantissa = parts.next().unwrap_or(text);
    let exponent: i64 = parts.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    let places = mantissa.split_once('.').map_or(0, |(_, f)| f.len() as i64);
    (places - exponent).clamp(0, 600) as u32
}

/// Decimals written for each entry of `e`, in row-major order, when `e` is written out;
/// `None` for an entry that is computed (or when `e` is not a list or number at all).
pub fn written_precision(e: &Expr) -> Option<Vec<Option<u32>>> {
    fn entries(e: &Expr, out: &mut Vec<Option<u32>>) {
        match &e.ungrouped().kind {
            ExprKind::Num(text) => out.push(Some(decimals(text))),
            ExprKind::Neg(x) if x.is_literal() => entries(x, out),
            ExprKind::List(items) => items.iter().for_each(|x| entries(x, out)),
            _ => out.push(None),
        }
    }
    let e = e.ungrouped();
    let literal_like = match &e.kind {
        ExprKind::Num(_) => true,
        ExprKind::Neg(x) => x.is_literal(),
        ExprKind::List(_) => true,
        _ => false,
    };
    if !literal_like {
        return None;
    }
    let mut out = Vec::new();
    entries(e, &mut out);
    out.iter().any(Option::is_some).then_some(out)
}

/// Checks one link of a chain; the error sits on the right side, the value the page states.
pub fn compare(
    left_expr: &Expr,
    left: &Value,
    rel: Rel,
    right_expr: &Expr,
    right: &Value,
) -> Result<()> {
    let fail = |detail: String| {
        VerifyError::new(
            right_expr.span.clone(),
            format!(
                "check failed: computed {}, but the page states {}",
                left.brief(),
                right.brief()
            ),
        )
        .hint(detail)
    };
    if rel == Rel::Ne {
        let differ = left.shape() != right.shape()
            || left
                .elements()
                .iter()
                .zip(right.elements())
                .any(|(a, b)| !close(a, b));
        return if differ {
            Ok(())
        } else {
            Err(VerifyError::new(
                right_expr.span.clone(),
                format!("check failed: `≠` but both sides are {}", left.brief()),
            ))
        };
    }
    let broadcast =
        rel.is_order() && (matches!(left, Value::Scalar(_)) || matches!(right, Value::Scalar(_)));
    if left.shape() != right.shape() && !broadcast {
        let mut hint = format!("a {} is not a {}", left.shape(), right.shape());
        if matches!(left, Value::Matrix { rows: 1, .. })
            || matches!(right, Value::Matrix { rows: 1, .. })
        {
            hint.push_str(" (a vector is a column; a row `xᵀ` is written `[[1, 2, 3]]`)");
        }
        return Err(fail(hint));
    }
    if rel.is_order() {
        return match order(left, rel, right) {
            None => Ok(()),
            Some((a, b)) => Err(fail(format!(
                "`{}` must hold for every entry; it does not for {} and {}",
                rel.symbol(),
                a.brief(),
                b.brief()
            ))),
        };
    }
    let approx = left.is_approx() || right.is_approx();
    if rel == Rel::Eq {
        if approx {
            return Err(VerifyError::new(
                right_expr.span.clone(),
                format!(
                    "`=` with an approximate value: computed {}, the page states {}",
                    left.brief(),
                    right.brief()
                ),
            )
            .hint(
                "`=` means exactly equal, and a value from exp, log, sqrt, tanh, sigmoid, softmax, \
                 e, π or numgrad is a floating-point approximation; write `≈` with the decimals \
                 meant, e.g. `sigmoid(1) ≈ 0.73`",
            ));
        }
        return if left == right {
            Ok(())
        } else {
            Err(fail("`=` compares exact values exactly; the left side is computed, the right side is what the page states".into()))
        };
    }
    let precision = written_precision(right_expr).or_else(|| written_precision(left_expr));
    let pairs = left.elements().iter().zip(right.elements());
    for (k, (a, b)) in pairs.enumerate() {
        let places = precision.as_ref().and_then(|p| p.get(k).copied().flatten());
        let ok = match places {
            Some(d) => a.round_to(d) == b.round_to(d),
            None => close(a, b),
        };
        if !ok {
            return Err(fail(match places {
                Some(d) => format!(
                    "entry {k} compared at the {d} decimal place{} the page writes there",
                    if d == 1 { "" } else { "s" }
                ),
                None => format!(
                    "compared with a relative tolerance of {TOLERANCE} (values both below {NEAR_ZERO} count as equal)"
                ),
            }));
        }
    }
    Ok(())
}

/// True when two computed numbers agree under `≈` with no written precision.
fn close(a: &Num, b: &Num) -> bool {
    if let (Num::Exact(x), Num::Exact(y)) = (a, b) {
        if x == y {
            return true;
        }
    }
    let (x, y) = (a.to_f64(), b.to_f64());
    let scale = x.abs().max(y.abs());
    (x - y).abs() <= TOLERANCE * scale || scale < NEAR_ZERO
}

/// `<`, `>`, `≤`, `≥` entry by entry (a scalar side is compared with every entry); the
/// first pair that fails, if any.
fn order(left: &Value, rel: Rel, right: &Value) -> Option<(Num, Num)> {
    let n = left.elements().len().max(right.elements().len());
    let entry = |v: &Value, k: usize| match v {
        Value::Scalar(x) => x.clone(),
        other => other.elements()[k].clone(),
    };
    for k in 0..n {
        let (a, b) = (entry(left, k), entry(right, k));
        let o = a.compare(&b);
        let holds = match rel {
            Rel::Lt => o.is_lt(),
            Rel::Gt => o.is_gt(),
            Rel::Le => o.is_le(),
            _ => o.is_ge(),
        };
        if !holds {
            return Some((a, b));
        }
    }
    None
}

/// The claims a link makes below its top level: where one side writes a literal and the
/// other side has an expression at the same place of the same structure, the literal states
/// that expression's value. `max(0, a) + max(0, b) = max(0, 2.9) + max(0, -3.5)` claims
/// `a = 2.9` and `b = -3.5`; `W · V · v = [[…]] · v` claims `W · V = [[…]]`, which a zero in
/// `v` could otherwise hide. Two literals claim nothing (`max(1, 2) = max(2, 1)` is a fact),
/// and two expressions claim nothing but their values (`softmax(s) ≈ softmax(s - 789)` is an
/// invariance, checked as written).
pub fn claims(
    env: &Env,
    scope: ScopeId,
    left: &Expr,
    rel: Rel,
    right: &Expr,
    compared: bool,
) -> Result<()> {
    if rel.is_order() || rel == Rel::Ne {
        return Ok(());
    }
    // A pair reached from the top only through lists, signs and transposes is implied by the
    // comparison of the whole link (when it was made): each entry was compared already. Only
    // below an operation that can hide a difference (`+`, `·`, `max`, …) is there a claim the
    // whole does not check.
    claims_below(
        env,
        scope,
        left.ungrouped(),
        rel,
        right.ungrouped(),
        compared,
    )
}

/// The claims of the pairs below `left` and `right`, last pair first (depth first).
fn claims_below(
    env: &Env,
    scope: ScopeId,
    left: &Expr,
    rel: Rel,
    right: &Expr,
    implied: bool,
) -> Result<()> {
    stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
        let eval = |e: &Expr| env.eval_in_scope(e, scope);
        for (a, b, implied) in children_implied(left, right, implied).into_iter().rev() {
            let (a, b) = (a.ungrouped(), b.ungrouped());
            match (a.is_literal(), b.is_literal()) {
                (true, true) => {}
                _ if implied && (a.is_literal() || b.is_literal()) => {}
                (false, true) => compare(a, &eval(a)?, rel, b, &eval(b)?)?,
                (true, false) => compare(b, &eval(b)?, rel, a, &eval(a)?)?,
                (false, false) => claims_below(env, scope, a, rel, b, implied)?,
            }
        }
        Ok(())
    })
}

/// [`matched_children`], each marked as implied by its parents' comparison when `implied` and
/// the parent maps entries one to one (a list, a negation, a transpose).
fn children_implied<'a>(
    a: &'a Expr,
    b: &'a Expr,
    implied: bool,
) -> Vec<(Cow<'a, Expr>, Cow<'a, Expr>, bool)> {
    let one_to_one = matches!(
        a.kind,
        ExprKind::List(_) | ExprKind::Neg(_) | ExprKind::Transpose(_)
    );
    matched_children(a, b)
        .into_iter()
        .map(|(x, y)| (x, y, implied && one_to_one))
        .collect()
}

/// True when a `≈` link's two sides differ only where one writes a literal for what the other
/// computes, and at least once: `4 * p ≈ 4 * [0.6037, 0.3662, 0.0301]`. Then [`claims`] checks
/// each literal at its written decimals, and the two sides' values can differ only by that
/// rounding, so comparing them with the relative tolerance would fail a correct step.
pub fn fully_claimed(left: &Expr, right: &Expr) -> bool {
    fn same(a: &Expr, b: &Expr) -> bool {
        a.to_string() == b.to_string()
    }
    fn covered(a: &Expr, b: &Expr, claims: &mut usize) -> bool {
        let (a, b) = (a.ungrouped(), b.ungrouped());
        if same(a, b) {
            return true;
        }
        match (a.is_literal(), b.is_literal()) {
            (true, true) => false,
            (false, true) | (true, false) => {
                *claims += 1;
                true
            }
            (false, false) => {
                let pairs = matched_children(a, b);
                !pairs.is_empty() && pairs.into_iter().all(|(x, y)| covered(&x, &y, claims))
            }
        }
    }
    let mut claims = 0;
    let (a, b) = (left.ungrouped(), right.ungrouped());
    // At the top level a literal is the link itself, not a claim within it.
    if a.is_literal() || b.is_literal() {
        return false;
    }
    covered(a, b, &mut claims) && claims > 0
}

/// The children of two expressions of the same structure (same operator, same function and
/// arity, same length), paired; none when the structures differ. Two runs of one level's
/// operators pair term by term from the right, as the nested operations they stand for would:
/// in `W · V · v = M · v`, `v` pairs with `v` and `M` with the run before it, `W · V` (a copy:
/// a run's beginning is no node of its own).
pub(crate) fn matched_children<'a>(
    a: &'a Expr,
    b: &'a Expr,
) -> Vec<(Cow<'a, Expr>, Cow<'a, Expr>)> {
    if let (ExprKind::Series(fa, ra), ExprKind::Series(fb, rb)) = (&a.kind, &b.kind) {
        let mut pairs = Vec::new();
        let (mut i, mut j) = (ra.len(), rb.len());
        // At least the last operation must be the same, as for two binary operations.
        while i > 0 && j > 0 && ra[i - 1].0 == rb[j - 1].0 {
            pairs.push((Cow::Borrowed(&ra[i - 1].1), Cow::Borrowed(&rb[j - 1].1)));
            i -= 1;
            j -= 1;
        }
        if pairs.is_empty() {
            return vec![];
        }
        pairs.push((run_before(fa, &ra[..i]), run_before(fb, &rb[..j])));
        pairs.reverse();
        return pairs;
    }
    let same = match (&a.kind, &b.kind) {
        (ExprKind::Binary(x, ..), ExprKind::Binary(y, ..)) => x == y,
        (ExprKind::Neg(_), ExprKind::Neg(_)) | (ExprKind::Transpose(_), ExprKind::Transpose(_)) => {
            true
        }
        (ExprKind::Call(f, x), ExprKind::Call(g, y)) => f == g && x.len() == y.len(),
        (ExprKind::List(x), ExprKind::List(y)) => x.len() == y.len(),
        (ExprKind::Index(..), ExprKind::Index(..)) => true,
        _ => false,
    };
    if !same {
        return vec![];
    }
    let (ca, cb) = (a.children(), b.children());
    if ca.len() != cb.len() {
        return vec![];
    }
    ca.into_iter()
        .zip(cb)
        .map(|(x, y)| (Cow::Borrowed(x), Cow::Borrowed(y)))
        .collect()
}

/// The run `first op₁ x₁ … opₖ xₖ` as an expression: `first` itself when `rest` is empty.
fn run_before<'a>(first: &'a Expr, rest: &[(super::ast::BinOp, Expr)]) -> Cow<'a, Expr> {
    match rest.last() {
        None => Cow::Borrowed(first),
        Some((_, last)) => Cow::Owned(Expr {
            span: first.span.start..last.span.end,
            kind: ExprKind::Series(Box::new(first.clone()), rest.to_vec()),
        }),
    }
}
