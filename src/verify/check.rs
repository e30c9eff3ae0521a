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
    // Only a written literal is something the page *states*; an expression on the right is
    // computed like the left (#25).
    let stated = right_expr.is_literal();
    // A computed value is shown with the digits a literal writes and two more, so the digit
    // compared is visible (#25); a value the page states, as written.
    let shown = |v: &Value, precision: &Option<Vec<Option<u32>>>| {
        with_digits(v, |k| {
            precision
                .as_ref()
                .and_then(|p| p.get(k).copied().flatten())
                .map(|d| d + 2)
        })
    };
    let fail = |detail: String| {
        let message = if stated {
            let (mut l, r) = (
                shown(left, &written_precision(right_expr)),
                as_written(right_expr, right),
            );
            if l == r {
                l = distinct(left, right).0;
            }
            format!("check failed: computed {l}, but the page states {r}")
        } else {
            let (l, r) = distinct(left, right);
            format!("check failed: the left side is {l}, but the right side is {r}")
        };
        VerifyError::new(right_expr.span.clone(), message).hint(detail)
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
        // `=` between two computed expressions is an identity the author means exactly
        // (`∂inv/∂t(d) * g = -1 / d^2`): approximate values are compared at the float
        // tolerance. Only a written literal must say with `≈` how many decimals it means.
        let literal = stated || left_expr.is_literal();
        if approx && !literal {
            return match left
                .elements()
                .iter()
                .zip(right.elements())
                .position(|(a, b)| !close(a, b))
            {
                None => Ok(()),
                Some(k) => Err(fail(format!(
                    "`=` between two computed values, one of them approximate, compares them with \
                     a relative tolerance of {TOLERANCE}; entry {k} differs by more"
                ))),
            };
        }
        if approx {
            let (computed, written) = if stated { (left, right) } else { (right, left) };
            let at = if stated { right_expr } else { left_expr };
            return Err(VerifyError::new(
                at.span.clone(),
                format!(
                    "`=` with an approximate value: computed {}, the page states {}",
                    shown(computed, &written_precision(at)),
                    as_written(at, written)
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
            Err(fail(if stated {
                "`=` compares exact values exactly; the left side is computed, the right side is \
                 what the page states"
                    .into()
            } else {
                "`=` compares exact values exactly".into()
            }))
        };
    }
    let (precision, stated_right) = match written_precision(right_expr) {
        Some(p) => (Some(p), true),
        None => (written_precision(left_expr), false),
    };
    let Some(precision) = precision else {
        let pairs = left.elements().iter().zip(right.elements());
        for (k, (a, b)) in pairs.enumerate() {
            if !close(a, b) {
                return Err(fail(format!(
                    "entry {k} compared with a relative tolerance of {TOLERANCE} (values both \
                     below {NEAR_ZERO} count as equal)"
                )));
            }
        }
        return Ok(());
    };
    let (computed, written, at) = if stated_right {
        (left, right, right_expr)
    } else {
        (right, left, left_expr)
    };
    let places = |k: usize| precision.get(k).copied().flatten();
    // The computed value is shown with the digits compared and two more, so the message
    // shows the digit that differs (#25).
    let fail_at = |detail: String| {
        VerifyError::new(
            at.span.clone(),
            format!(
                "check failed: computed {}, but the page states {}",
                against(computed, written, |k| places(k).map(|d| d + 2)),
                as_written(at, written)
            ),
        )
        .hint(detail)
    };
    let pairs = computed.elements().iter().zip(written.elements());
    for (k, (c, w)) in pairs.clone().enumerate() {
        let ok = match places(k) {
            Some(d) => c.round_to(d) == w.round_to(d),
            None => close(c, w),
        };
        if !ok {
            return Err(fail_at(match places(k) {
                Some(d) => format!(
                    "entry {k} compared at the {d} decimal place{} the page writes there",
                    if d == 1 { "" } else { "s" }
                ),
                None => format!(
                    "entry {k} compared with a relative tolerance of {TOLERANCE} (values both \
                     below {NEAR_ZERO} count as equal)"
                ),
            }));
        }
    }
    meaningful(computed, written, &places).map_err(|detail| {
        let suggestion = suggest(computed);
        fail_at(format!(
            "{detail}; write more digits, e.g. `≈ {suggestion}`"
        ))
    })
}

/// Under `≈` a stated value must still say what the value is, not only round to it (#25): the
/// stated value (a vector or matrix taken as a whole) may differ from the computed one by at
/// most this fraction of the computed value's size. Two significant digits always meet it:
/// rounding to two significant digits errs by at most 5 %.
pub const MEANINGFUL: f64 = 0.05;

/// A computed magnitude at or below this is float noise (a finite difference of a zero
/// gradient), which `≈ 0` may state.
pub const NOISE: f64 = 1e-6;

/// Whether a stated value that rounds to the computed one also means it: an entry written `0`
/// (no decimals) is a claim of zero, and the whole may be off by at most [`MEANINGFUL`] of the
/// computed value's size. The reason when it is not.
fn meaningful(
    computed: &Value,
    written: &Value,
    places: &dyn Fn(usize) -> Option<u32>,
) -> std::result::Result<(), String> {
    let pairs = computed.elements().iter().zip(written.elements());
    let (mut err, mut size) = (0.0f64, 0.0f64);
    for (k, (c, w)) in pairs.enumerate() {
        let (c, w) = (c.to_f64(), w.to_f64());
        if places(k) == Some(0) && w == 0.0 && c.abs() > NOISE {
            let what = match computed {
                Value::Scalar(_) => "`≈ 0` states a value that is not zero".to_string(),
                _ => format!("entry {k} is written `0`, a claim of zero, but it is not zero"),
            };
            return Err(what);
        }
        err += (w - c) * (w - c);
        size += c * c;
    }
    let (err, size) = (err.sqrt(), size.sqrt());
    if size > NOISE && err > MEANINGFUL * size {
        let whole = match computed {
            Value::Scalar(_) => "the value",
            Value::Vector(_) => "the vector as a whole",
            Value::Matrix { .. } => "the matrix as a whole",
        };
        return Err(format!(
            "it rounds to the value written, but {whole} is off by {:.0} % of its size, and `≈` \
             allows at most {:.0} %",
            100.0 * err / size,
            100.0 * MEANINGFUL
        ));
    }
    Ok(())
}

/// The computed value at the fewest decimals that state it meaningfully (for a hint).
fn suggest(computed: &Value) -> String {
    for d in 0..=12u32 {
        let rounded = computed.with_elements(
            computed
                .elements()
                .iter()
                .map(|x| Num::Exact(x.round_to(d)))
                .collect(),
        );
        if meaningful(computed, &rounded, &|_| Some(d)).is_ok() {
            return written_entries(computed, |_, x| x.fixed(d));
        }
    }
    computed.brief()
}

/// A literal as the page writes it (`0.10`, not `0.1`), or its value when that is long.
fn as_written(literal: &Expr, value: &Value) -> String {
    fn write(e: &Expr, out: &mut String) {
        match &e.ungrouped().kind {
            ExprKind::Num(text) => out.push_str(text),
            ExprKind::Neg(x) => {
                out.push('-');
                write(x, out);
            }
            ExprKind::List(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(x, out);
                }
                out.push(']');
            }
            _ => out.push('…'),
        }
    }
    if !literal.is_literal() || value.elements().len() > 16 {
        return value.brief();
    }
    let mut text = String::new();
    write(literal, &mut text);
    if text.chars().count() <= 120 {
        text
    } else {
        value.brief()
    }
}

/// Two computed values as a message shows them: briefly, or with every digit of their
/// approximate entries when the brief forms would read the same (`exp(-20) ≈ exp(-15)`).
fn distinct(a: &Value, b: &Value) -> (String, String) {
    let (x, y) = (a.brief(), b.brief());
    if x != y {
        return (x, y);
    }
    let full = |v: &Value| {
        written_entries(v, |_, n| match n {
            Num::Approx(f) => format!("{f:e}"),
            exact => exact.brief(),
        })
    };
    (full(a), full(b))
}

/// `value` as the language writes it, each approximate entry `k` with `digits(k)` decimals
/// when that is given (exact entries in full); long values abbreviated as [`Value::brief`].
pub fn with_digits(value: &Value, digits: impl Fn(usize) -> Option<u32>) -> String {
    written_entries(value, |k, x| match digits(k) {
        Some(d) if x.is_approx() => x.fixed(d),
        _ => x.brief(),
    })
}

/// [`with_digits`], where an approximate entry that would read as the written one at those
/// digits (0.00198 stated `≈ 0` reads 0.00) gets more, until it differs: the message never
/// shows the two sides alike.
fn against(value: &Value, written: &Value, digits: impl Fn(usize) -> Option<u32>) -> String {
    written_entries(value, |k, x| match digits(k) {
        Some(d) if x.is_approx() => {
            let w = written.elements().get(k);
            let mut d = d;
            while d < 17
                && w.is_some_and(|w| x.round_to(d) == w.round_to(d) && !x.compare(w).is_eq())
            {
                d += 1;
            }
            x.fixed(d)
        }
        _ => x.brief(),
    })
}

/// `value` in the language's notation with each entry written by `entry` (given its
/// row-major position); a value of more than 16 entries is abbreviated as [`Value::brief`].
fn written_entries(value: &Value, entry: impl Fn(usize, &Num) -> String) -> String {
    if value.elements().len() > 16 {
        return value.brief();
    }
    let list = |from: usize, xs: &[Num]| {
        let items: Vec<String> = xs
            .iter()
            .enumerate()
            .map(|(i, x)| entry(from + i, x))
            .collect();
        format!("[{}]", items.join(", "))
    };
    match value {
        Value::Scalar(x) => entry(0, x),
        Value::Vector(v) => list(0, v),
        Value::Matrix { cols, data, .. } => {
            let rows: Vec<String> = data
                .chunks((*cols).max(1))
                .enumerate()
                .map(|(i, row)| list(i * cols, row))
                .collect();
            format!("[{}]", rows.join(", "))
        }
    }
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
                (false, true) => {
                    compare(a, &eval(a)?, rel, b, &eval(b)?).map_err(|e| named(a, e))?
                }
                (true, false) => {
                    compare(b, &eval(b)?, rel, a, &eval(a)?).map_err(|e| named(b, e))?
                }
                (false, false) => claims_below(env, scope, a, rel, b, implied)?,
            }
        }
        Ok(())
    })
}

/// A failed claim's message naming the sub-expression whose value was computed (#25):
/// "`(1 - out)` computes 0.24863500000, but the page states 0.186815602".
fn named(computed: &Expr, mut e: VerifyError) -> VerifyError {
    let mut text = computed.written();
    if text.chars().count() > 60 {
        text = text.chars().take(59).collect::<String>() + "…";
    }
    if let Some(at) = e.message.find("computed ") {
        e.message
            .replace_range(at..at + "computed ".len(), &format!("`{text}` computes "));
    }
    e.also(computed.span.clone(), "computed here")
}

/// What a number in a call's written-out body stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyTarget {
    /// The call's argument at this position (the body's parameter there).
    Arg(usize),
    /// A name the body reads from its page or exercise.
    Name(String),
}

/// The literals of `written` that stand where `body` has a parameter or a name, when
/// `written` is `body` written out with numbers: `(x + y) * z` written `(2.5 - 1) * 4` pairs
/// `2.5` with `x`, `1` with `y` (negated: `+ y` written `- 1` means y = -1) and `4` with `z`.
/// Where the structures part, nothing below is paired.
pub fn body_pairs<'a>(
    body: &'a Expr,
    written: &'a Expr,
    params: &[String],
    out: &mut Vec<(BodyTarget, &'a Expr, bool)>,
) {
    use super::ast::BinOp;
    let target = |e: &Expr| match &e.ungrouped().kind {
        ExprKind::Name(n) => Some(match params.iter().position(|p| p == n) {
            Some(i) => BodyTarget::Arg(i),
            None => BodyTarget::Name(n.clone()),
        }),
        _ => None,
    };
    let (b, w) = (body.ungrouped(), written.ungrouped());
    if let Some(t) = target(b) {
        if w.is_literal() {
            out.push((t, w, false));
        }
        return;
    }
    if let (ExprKind::Series(bf, br), ExprKind::Series(wf, wr)) = (&b.kind, &w.kind) {
        if br.len() != wr.len() {
            return;
        }
        body_pairs(bf, wf, params, out);
        for ((bo, be), (wo, we)) in br.iter().zip(wr) {
            if bo == wo {
                body_pairs(be, we, params, out);
            } else if matches!(
                (bo, wo),
                (BinOp::Add, BinOp::Sub) | (BinOp::Sub, BinOp::Add)
            ) && we.is_literal()
            {
                if let Some(t) = target(be) {
                    out.push((t, we.ungrouped(), true));
                }
            }
        }
        return;
    }
    for (x, y) in matched_children(b, w) {
        if let (Cow::Borrowed(x), Cow::Borrowed(y)) = (x, y) {
            body_pairs(x, y, params, out);
        }
    }
}

/// A call and its written-out body (#25): when one side of a link calls a function the page
/// defined and the other side is its body with numbers in place of the parameters
/// (`g(2.5, -1, 4) = (2.5 - 1) * 4`), each such number claims the value of the argument it
/// stands for (and a number in place of a name the body reads, that name's value). Both
/// sides may equal 6 with the body written from the wrong numbers, `(2.6 - 1.1) * 4`.
pub fn body_claims(env: &Env, scope: ScopeId, left: &Expr, rel: Rel, right: &Expr) -> Result<()> {
    if rel.is_order() || rel == Rel::Ne {
        return Ok(());
    }
    for (call, written) in [(left, right), (right, left)] {
        let ExprKind::Call(name, args) = &call.ungrouped().kind else {
            continue;
        };
        let Some(f) = env.function_in(name, scope) else {
            continue;
        };
        if f.params.len() != args.len() || written.is_literal() {
            continue;
        }
        let mut pairs = Vec::new();
        body_pairs(&f.body, written, &f.params, &mut pairs);
        for (target, literal, negated) in pairs {
            let (what, value, source) = match &target {
                BodyTarget::Arg(i) => (
                    format!("`{}`", f.params[*i]),
                    env.eval_in_scope(&args[*i], scope)?,
                    &args[*i],
                ),
                BodyTarget::Name(n) => match env.value_in(n, f.scope) {
                    Some(v) => (format!("`{n}`"), v.clone(), literal),
                    None => continue,
                },
            };
            let mut stated = env.eval_in_scope(literal, scope)?;
            if negated {
                stated = stated.neg();
            }
            let rel = if value.is_approx() { Rel::Approx } else { rel };
            if compare(source, &value, rel, literal, &stated).is_err() {
                let sign = if negated { "-" } else { "" };
                let precision = written_precision(literal);
                let written_as = format!("{sign}{}", as_written(literal, &stated));
                let role = match target {
                    BodyTarget::Arg(_) => format!("which the call `{name}(…)` passes as"),
                    BodyTarget::Name(_) => "which is".to_string(),
                };
                return Err(VerifyError::new(
                    literal.span.clone(),
                    format!(
                        "check failed: this number stands for {what} in the body of `{name}`, \
                         {role} {}, but the page writes {written_as}",
                        with_digits(&value, |k| precision
                            .as_ref()
                            .and_then(|p| p.get(k).copied().flatten())
                            .map(|d| d + 2))
                    ),
                )
                .hint(format!(
                    "a call written out as its body must use the call's numbers; write {} here, \
                     or `{{{}}}`",
                    value.brief(),
                    match &target {
                        BodyTarget::Arg(i) => f.params[*i].clone(),
                        BodyTarget::Name(n) => n.clone(),
                    }
                )));
            }
        }
    }
    Ok(())
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
