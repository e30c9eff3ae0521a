//! Evaluates statements against the linear-algebra module and checks every link of a chain.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use num_traits::Signed;

use super::ast::{BinOp, Binding, Expr, ExprKind, Rel, Stmt};
use super::error::{Result, VerifyError};
use super::grad;
use crate::linalg::{parse_decimal, LinalgError, Num, Value};

/// A function a block defined with `let f(x, y) = …`.
#[derive(Debug, Clone)]
pub struct Function {
    /// Parameter names, in order.
    pub params: Vec<String>,
    /// The body.
    pub body: Expr,
}

/// Names a page's blocks have defined so far; blocks later on the page see earlier names.
#[derive(Debug, Default)]
pub struct Env {
    values: HashMap<String, Value>,
    functions: HashMap<String, Function>,
    /// Nodes evaluated by the current statement; calls can nest, so this bounds the work.
    steps: AtomicUsize,
}

/// Most expression nodes one statement may evaluate (function calls inline their bodies).
pub const MAX_STEPS: usize = 1_000_000;

/// Built-in functions, for error hints.
pub const BUILTINS: &[&str] = &[
    "ReLU",
    "relu",
    "max",
    "min",
    "sum",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "softmax",
    "outer",
    "transpose",
    "abs",
];

fn linalg(span: &Range<usize>) -> impl Fn(LinalgError) -> VerifyError + '_ {
    move |e| VerifyError::new(span.clone(), e.to_string())
}

impl Env {
    /// The value bound to `name`, if any.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// A defined function, if any.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.get(name)
    }

    /// Runs one statement: binds its `let`, then checks each link. Returns how many links
    /// were checked.
    pub fn run(&mut self, stmt: &Stmt) -> Result<usize> {
        if let Some((Binding::Function(name, params), span)) = &stmt.binding {
            self.check_new_name(name, span)?;
            let mut local = params.clone();
            local.sort();
            if let Some(w) = local.windows(2).find(|w| w[0] == w[1]) {
                return Err(VerifyError::new(
                    span.clone(),
                    format!("parameter `{}` appears twice", w[0]),
                ));
            }
            self.check_names(&stmt.first, params)?;
            self.functions.insert(
                name.clone(),
                Function {
                    params: params.clone(),
                    body: stmt.first.clone(),
                },
            );
            return Ok(0);
        }
        let mut previous = self.eval(&stmt.first)?;
        if let Some((Binding::Value(name), span)) = &stmt.binding {
            self.check_new_name(name, span)?;
            self.values.insert(name.clone(), previous.clone());
        }
        let mut left = &stmt.first;
        for (rel, right) in &stmt.links {
            let value = self.eval(right)?;
            self.check_substitution(left, *rel, right)?;
            compare(left, &previous, *rel, right, &value)?;
            previous = value;
            left = right;
        }
        Ok(stmt.links.len())
    }

    /// `g(a) = g(b)` is how a worked answer writes a substitution, so its arguments are
    /// checked too: `ReLU(W1 · x + b1) = ReLU([5, -1])` fails if `W1 · x + b1` is not
    /// `[5, -1]`, even though ReLU would hide a wrong negative entry.
    fn check_substitution(&self, left: &Expr, rel: Rel, right: &Expr) -> Result<()> {
        if let (ExprKind::Call(f, a), ExprKind::Call(g, b)) = (&left.kind, &right.kind) {
            if f == g && a.len() == b.len() {
                for (x, y) in a.iter().zip(b) {
                    compare(x, &self.eval(x)?, rel, y, &self.eval(y)?)?;
                }
            }
        }
        Ok(())
    }

    fn check_new_name(&self, name: &str, span: &Range<usize>) -> Result<()> {
        if self.values.contains_key(name) || self.functions.contains_key(name) {
            return Err(VerifyError::new(
                span.clone(),
                format!("`{name}` is already defined on this page"),
            )
            .hint(
                "names cannot be redefined; pick another name, or drop `let` to check the value",
            ));
        }
        if BUILTINS.contains(&name) {
            return Err(VerifyError::new(
                span.clone(),
                format!("`{name}` is a built-in function"),
            ));
        }
        Ok(())
    }

    /// A function body may use its parameters, names defined before it and other functions.
    fn check_names(&self, e: &Expr, params: &[String]) -> Result<()> {
        let mut err = None;
        walk(e, &mut |e| {
            if err.is_some() {
                return;
            }
            match &e.kind {
                ExprKind::Name(n) if !params.contains(n) && !self.values.contains_key(n) => {
                    err = Some(self.unknown(n, &e.span));
                }
                // Only functions defined before this one may be called, so no function can
                // call itself, directly or through another: evaluation always ends.
                ExprKind::Call(f, _)
                | ExprKind::Grad(f, _)
                | ExprKind::NumGrad(f, _)
                | ExprKind::Partial { func: f, .. }
                    if !self.functions.contains_key(f) && !BUILTINS.contains(&f.as_str()) =>
                {
                    err = Some(
                        VerifyError::new(e.span.clone(), format!("`{f}` is not a function defined before this one"))
                            .hint("a function can call built-ins and functions defined above it, not itself"),
                    );
                }
                _ => {}
            }
        });
        err.map_or(Ok(()), Err)
    }

    fn unknown(&self, name: &str, span: &Range<usize>) -> VerifyError {
        let names: Vec<&str> = self
            .values
            .keys()
            .chain(self.functions.keys())
            .map(String::as_str)
            .collect();
        let err = VerifyError::new(span.clone(), format!("`{name}` is not defined"));
        match crate::load::yaml::nearest(name, &names) {
            Some(best) => err.hint(format!(
                "did you mean `{best}`? (define new names with `let {name} = …`)"
            )),
            None => err.hint(format!("define it first with `let {name} = …`")),
        }
    }

    /// Evaluates an expression.
    /// Evaluates an expression. The step limit counts from here: every top-level expression
    /// (each side of a check, each inline `{eval}`) gets its own budget, however many came
    /// before it on the page.
    pub fn eval(&self, e: &Expr) -> Result<Value> {
        self.steps.store(0, Ordering::Relaxed);
        self.eval_in(e, &HashMap::new())
    }

    fn eval_in(&self, e: &Expr, locals: &HashMap<&str, Value>) -> Result<Value> {
        if self.steps.fetch_add(1, Ordering::Relaxed) >= MAX_STEPS {
            return Err(VerifyError::new(e.span.clone(), format!("computation takes more than {MAX_STEPS} steps"))
                .hint("functions that call each other repeatedly grow exponentially; simplify the circuit"));
        }
        let err = linalg(&e.span);
        match &e.kind {
            ExprKind::Num(text) => number(text, &e.span).map(Value::Scalar),
            ExprKind::Name(name) => locals
                .get(name.as_str())
                .or_else(|| self.values.get(name))
                .cloned()
                .ok_or_else(|| {
                    if self.functions.contains_key(name) {
                        VerifyError::new(
                            e.span.clone(),
                            format!("`{name}` is a function; call it with arguments"),
                        )
                    } else {
                        self.unknown(name, &e.span)
                    }
                }),
            ExprKind::Neg(x) => Ok(self.eval_in(x, locals)?.neg()),
            ExprKind::Group(x) => self.eval_in(x, locals),
            ExprKind::Transpose(x) => Ok(self.eval_in(x, locals)?.transpose()),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.eval_in(a, locals)?, self.eval_in(b, locals)?);
                match op {
                    BinOp::Add => a.add(&b),
                    BinOp::Sub => a.sub(&b),
                    BinOp::Mul => a.mul_elementwise(&b),
                    BinOp::Dot => a.dot(&b),
                    BinOp::Div => a.div(&b),
                    BinOp::Pow => match b {
                        Value::Scalar(k) => a.map(|x| x.pow(&k)),
                        other => Err(LinalgError::Shape {
                            op: "^".into(),
                            left: a.shape(),
                            right: other.shape(),
                        }),
                    },
                }
                .map_err(err)
            }
            ExprKind::List(items) => {
                let values = items
                    .iter()
                    .map(|x| self.eval_in(x, locals))
                    .collect::<Result<Vec<_>>>()?;
                list_value(values).map_err(err)
            }
            ExprKind::Call(name, args) => {
                let values = args
                    .iter()
                    .map(|x| self.eval_in(x, locals))
                    .collect::<Result<Vec<_>>>()?;
                if let Some(f) = self.functions.get(name) {
                    if f.params.len() != values.len() {
                        return Err(arity(name, f.params.len(), values.len(), &e.span));
                    }
                    let bound = f.params.iter().map(String::as_str).zip(values).collect();
                    return self.eval_in(&f.body, &bound);
                }
                builtin(name, &values, &e.span).unwrap_or_else(|| {
                    let mut names: Vec<&str> = BUILTINS.to_vec();
                    names.extend(self.functions.keys().map(String::as_str));
                    let err =
                        VerifyError::new(e.span.clone(), format!("unknown function `{name}`"));
                    Err(match crate::load::yaml::nearest(name, &names) {
                        Some(best) => err.hint(format!("did you mean `{best}`?")),
                        None => err.hint(format!("define it with `let {name}(x) = …`")),
                    })
                })
            }
            ExprKind::Partial { func, var, args } => {
                let (f, point) = self.point(func, args, locals, &e.span)?;
                let Some(i) = f.params.iter().position(|p| p == var) else {
                    return Err(VerifyError::new(
                        e.span.clone(),
                        format!("`{func}` has no parameter `{var}`"),
                    )
                    .hint(format!("its parameters are {}", f.params.join(", "))));
                };
                let g = grad::backprop(self, f, &point, &e.span)?;
                Ok(Value::Scalar(g[i].clone()))
            }
            ExprKind::Grad(func, args) => {
                let (f, point) = self.point(func, args, locals, &e.span)?;
                Ok(Value::Vector(grad::backprop(self, f, &point, &e.span)?))
            }
            ExprKind::NumGrad(func, args) => {
                let (f, point) = self.point(func, args, locals, &e.span)?;
                Ok(Value::Vector(grad::finite_difference(
                    self, f, &point, &e.span,
                )?))
            }
        }
    }

    /// The function named `func` and the scalar point `args` evaluate to.
    fn point<'a>(
        &'a self,
        func: &str,
        args: &[Expr],
        locals: &HashMap<&str, Value>,
        span: &Range<usize>,
    ) -> Result<(&'a Function, Vec<Num>)> {
        let f = self.functions.get(func).ok_or_else(|| {
            VerifyError::new(
                span.clone(),
                format!("`{func}` is not a function defined on this page"),
            )
            .hint(format!("define it first with `let {func}(x, y) = …`"))
        })?;
        if f.params.len() != args.len() {
            return Err(arity(func, f.params.len(), args.len(), span));
        }
        let point = args
            .iter()
            .map(|a| match self.eval_in(a, locals)? {
                Value::Scalar(x) => Ok(x),
                other => Err(VerifyError::new(
                    a.span.clone(),
                    format!("gradients take scalar arguments, not a {}", other.shape()),
                )),
            })
            .collect::<Result<_>>()?;
        Ok((f, point))
    }

    /// Calls a defined function on scalar arguments (used by the gradient code).
    pub fn call_scalar(&self, f: &Function, point: &[Num], span: &Range<usize>) -> Result<Num> {
        let bound = f
            .params
            .iter()
            .map(String::as_str)
            .zip(point.iter().cloned().map(Value::Scalar))
            .collect();
        match self.eval_in(&f.body, &bound)? {
            Value::Scalar(x) => Ok(x),
            other => Err(VerifyError::new(
                span.clone(),
                format!(
                    "gradients need a function returning a scalar, not a {}",
                    other.shape()
                ),
            )),
        }
    }
}

pub(super) fn arity(name: &str, want: usize, got: usize, span: &Range<usize>) -> VerifyError {
    VerifyError::new(
        span.clone(),
        format!(
            "`{name}` takes {want} argument{}, not {got}",
            if want == 1 { "" } else { "s" }
        ),
    )
}

/// Visits every node of an expression.
pub fn walk(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Name(_) => {}
        ExprKind::Neg(x) | ExprKind::Transpose(x) | ExprKind::Group(x) => walk(x, f),
        ExprKind::Binary(_, a, b) => {
            walk(a, f);
            walk(b, f);
        }
        ExprKind::List(xs)
        | ExprKind::Call(_, xs)
        | ExprKind::Grad(_, xs)
        | ExprKind::NumGrad(_, xs) => xs.iter().for_each(|x| walk(x, f)),
        ExprKind::Partial { args, .. } => args.iter().for_each(|x| walk(x, f)),
    }
}

fn number(text: &str, span: &Range<usize>) -> Result<Num> {
    parse_decimal(text).map(Num::Exact).ok_or_else(|| {
        VerifyError::new(
            span.clone(),
            format!("`{text}` is not a number this language can hold"),
        )
    })
}

/// `[scalars]` is a vector, `[vectors]` a matrix; anything else is a shape error.
fn list_value(values: Vec<Value>) -> std::result::Result<Value, LinalgError> {
    if values.iter().all(|v| matches!(v, Value::Scalar(_))) {
        return Value::vector(
            values
                .into_iter()
                .map(|v| v.elements()[0].clone())
                .collect(),
        );
    }
    let mut rows = Vec::new();
    let first = values[0].shape();
    for v in values {
        match v {
            Value::Vector(row) => rows.push(row),
            other => {
                return Err(LinalgError::Shape {
                    op: "matrix rows".into(),
                    left: first,
                    right: other.shape(),
                })
            }
        }
    }
    Value::matrix(rows)
}

/// The float functions, by name.
pub fn float_fn(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "exp" => f64::exp,
        "log" => f64::ln,
        "sqrt" => f64::sqrt,
        "tanh" => f64::tanh,
        "sigmoid" => |x| 1.0 / (1.0 + (-x).exp()),
        _ => return None,
    })
}

/// A built-in call, or `None` if `name` is not a built-in.
fn builtin(name: &str, args: &[Value], span: &Range<usize>) -> Option<Result<Value>> {
    if !BUILTINS.contains(&name) {
        return None;
    }
    let err = linalg(span);
    let want = |n: usize| -> Result<()> {
        if args.len() == n {
            Ok(())
        } else {
            Err(arity(name, n, args.len(), span))
        }
    };
    let result = match name {
        "max" | "min" | "outer" => want(2),
        _ => want(1),
    }
    .and_then(|()| match name {
        "ReLU" | "relu" => Ok(args[0].relu()),
        "max" | "min" => {
            let pick = if name == "max" { Num::max } else { Num::min };
            args[0]
                .zip(&args[1], name, |a, b| Ok(pick(a, b)))
                .map_err(err)
        }
        "sum" => args[0].sum().map(Value::Scalar).map_err(err),
        "abs" => args[0]
            .map(|x| {
                Ok(match x {
                    Num::Exact(r) => Num::Exact(r.abs()),
                    Num::Approx(f) => Num::Approx(f.abs()),
                })
            })
            .map_err(err),
        "softmax" => args[0].softmax().map_err(err),
        "outer" => args[0].outer(&args[1]).map_err(err),
        "transpose" => Ok(args[0].transpose()),
        _ => {
            let f = float_fn(name).expect("every other built-in is a float function");
            args[0].map(|x| x.apply_f64(name, f)).map_err(err)
        }
    });
    Some(result)
}

/// Decimal places the author wrote, when `e` is a literal (number, vector or matrix of numbers).
pub fn written_precision(e: &Expr) -> Option<u32> {
    match &e.kind {
        ExprKind::Num(text) => {
            let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
            let exponent: i64 = text
                .split(['e', 'E'])
                .nth(1)
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            let decimals = mantissa.split_once('.').map_or(0, |(_, f)| f.len() as i64);
            Some((decimals - exponent).max(0) as u32)
        }
        ExprKind::Neg(x) | ExprKind::Group(x) => written_precision(x),
        ExprKind::List(items) => items
            .iter()
            .map(written_precision)
            .try_fold(0, |acc, p| Some(acc.max(p?))),
        _ => None,
    }
}

/// Relative tolerance when two computed float values are compared and no literal gives a
/// precision.
pub const TOLERANCE: f64 = 1e-6;

/// Checks one link of a chain; the error sits on the right side, the value the page states.
fn compare(
    left_expr: &Expr,
    left: &Value,
    rel: Rel,
    right_expr: &Expr,
    right: &Value,
) -> Result<()> {
    let fail = |detail: String| {
        VerifyError::new(
            right_expr.span.clone(),
            format!("check failed: computed {left}, but the page states {right}"),
        )
        .hint(detail)
    };
    if left.shape() != right.shape() {
        return Err(fail(format!(
            "a {} is not a {}",
            left.shape(),
            right.shape()
        )));
    }
    let approx = left.is_approx() || right.is_approx();
    let precision = written_precision(right_expr).or_else(|| written_precision(left_expr));
    let pairs = left.elements().iter().zip(right.elements());
    let equal = match (rel, approx, precision) {
        (Rel::Eq, false, _) => left == right,
        (_, _, Some(d)) => {
            let ok = pairs.clone().all(|(a, b)| a.round_to(d) == b.round_to(d));
            if !ok {
                return Err(fail(format!(
                    "compared at the {d} decimal place{} the page writes",
                    if d == 1 { "" } else { "s" }
                )));
            }
            true
        }
        _ => pairs.clone().all(|(a, b)| {
            let (a, b) = (a.to_f64(), b.to_f64());
            (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0)
        }),
    };
    if equal {
        Ok(())
    } else if approx || rel == Rel::Approx {
        Err(fail(format!(
            "compared with a relative tolerance of {TOLERANCE}"
        )))
    } else {
        Err(fail("`=` compares exact values exactly; the left side is computed, the right side is what the page states".into()))
    }
}
