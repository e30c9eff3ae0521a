//! Every operation of the language, defined once: its forward rule (the value) and its
//! backward rule (the vector–Jacobian product that backpropagation multiplies the upstream
//! gradient by), side by side, as autograd and JAX tabulate them. Evaluation and
//! differentiation both go through this table, so the value a check sees and the gradient
//! `∇` computes cannot disagree about what an operation is.

use crate::linalg::{budget, LinalgError, Num, Result, Shape, Value, MAX_ELEMENTS};

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `ReLU(x)`, `relu(x)`
    Relu,
    /// `max(a, b)`, elementwise
    Max2,
    /// `min(a, b)`, elementwise
    Min2,
    /// `max(v)`: the largest element
    MaxOf,
    /// `min(v)`: the smallest element
    MinOf,
    /// `argmax(v)`: 0-based position of the largest element
    Argmax,
    /// `argmin(v)`
    Argmin,
    /// `sum(x)`
    Sum,
    /// `mean(x)`
    Mean,
    /// `norm(x)`: Euclidean (Frobenius for a matrix)
    Norm,
    /// `abs(x)`
    Abs,
    /// `exp(x)`
    Exp,
    /// `log(x)`: natural logarithm
    Log,
    /// `sqrt(x)`
    Sqrt,
    /// `tanh(x)`
    Tanh,
    /// `sigmoid(x)`
    Sigmoid,
    /// `softmax(v)`
    Softmax,
    /// `outer(u, v)`
    Outer,
    /// `transpose(x)`
    Transpose,
    /// `zeros(n)`, `zeros(r, c)`
    Zeros,
    /// `ones(n)`, `ones(r, c)`
    Ones,
    /// `eye(n)`
    Eye,
    /// `diag(v)` or `diag(M)`
    Diag,
    /// `inv(A)`
    Inv,
    /// `det(A)`
    Det,
    /// `trace(A)`
    Trace,
}

/// Built-in names, for lookups and hints (`max` and `min` take one or two arguments).
pub const BUILTINS: &[&str] = &[
    "ReLU",
    "relu",
    "max",
    "min",
    "argmax",
    "argmin",
    "sum",
    "mean",
    "norm",
    "abs",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "softmax",
    "outer",
    "transpose",
    "zeros",
    "ones",
    "eye",
    "diag",
    "inv",
    "det",
    "trace",
    "expand",
    "repeat",
];

/// Named constants.
pub const CONSTANTS: &[&str] = &["e", "π", "pi"];

/// The value of a named constant.
pub fn constant(name: &str) -> Option<Value> {
    let x = match name {
        "e" => std::f64::consts::E,
        "π" | "pi" => std::f64::consts::PI,
        _ => return None,
    };
    Some(Value::Scalar(Num::Approx(x)))
}

impl Builtin {
    /// The built-in called `name` with `arity` arguments; `Err` with the arities it takes
    /// when `name` is a built-in called with the wrong number, `Ok(None)` when it is none.
    pub fn lookup(name: &str, arity: usize) -> std::result::Result<Option<Builtin>, &'static str> {
        use Builtin::*;
        let (one, two) = match name {
            "ReLU" | "relu" => (Some(Relu), None),
            "max" => (Some(MaxOf), Some(Max2)),
            "min" => (Some(MinOf), Some(Min2)),
            "argmax" => (Some(Argmax), None),
            "argmin" => (Some(Argmin), None),
            "sum" => (Some(Sum), None),
            "mean" => (Some(Mean), None),
            "norm" => (Some(Norm), None),
            "abs" => (Some(Abs), None),
            "exp" => (Some(Exp), None),
            "log" => (Some(Log), None),
            "sqrt" => (Some(Sqrt), None),
            "tanh" => (Some(Tanh), None),
            "sigmoid" => (Some(Sigmoid), None),
            "softmax" => (Some(Softmax), None),
            "outer" => (None, Some(Outer)),
            "transpose" => (Some(Transpose), None),
            "zeros" => (Some(Zeros), Some(Zeros)),
            "ones" => (Some(Ones), Some(Ones)),
            "eye" => (Some(Eye), None),
            "diag" => (Some(Diag), None),
            "inv" => (Some(Inv), None),
            "det" => (Some(Det), None),
            "trace" => (Some(Trace), None),
            _ => return Ok(None),
        };
        match (arity, one, two) {
            (1, Some(b), _) | (2, _, Some(b)) => Ok(Some(b)),
            (_, Some(_), Some(_)) => Err("1 or 2 arguments"),
            (_, Some(_), None) => Err("1 argument"),
            _ => Err("2 arguments"),
        }
    }

    /// True for the constructors, whose arguments are sizes, not values to differentiate.
    fn is_constructor(self) -> bool {
        matches!(self, Builtin::Zeros | Builtin::Ones | Builtin::Eye)
    }
}

/// One node's operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A literal, a name's value, a constant or a parameter: no inputs.
    Leaf,
    /// `−a`
    Neg,
    /// `a + b` (a scalar broadcasts)
    Add,
    /// `a − b`
    Sub,
    /// `a * b`: scalar or elementwise product
    Mul,
    /// `a / b`
    Div,
    /// `a · b`: matrix product in the column model
    Dot,
    /// `a ^ b` for scalars
    Pow,
    /// `a .^ b`, elementwise
    PowElem,
    /// `A ^ k` for a square matrix
    MatPow(i64),
    /// `aᵀ`
    Transpose,
    /// `[a, b, …]`: scalars stacked into a vector, or vectors into a matrix's rows
    Stack,
    /// `a[i]`, `a[i, j]`
    Index(Vec<i64>),
    /// A built-in function
    Call(Builtin),
    /// A call of a user function recorded as one gate (`circuit … merge σ`), with its local
    /// gradient for each argument.
    Merged(String, Vec<Value>),
    /// A gradient computed inside this expression: its value is known, but differentiating
    /// through it (a gradient of a gradient) is not supported.
    Opaque,
}

/// How a circuit drawing names a gate.
pub fn label(op: &Op) -> String {
    match op {
        Op::Leaf | Op::Opaque => "·".into(),
        Op::Merged(name, _) => name.clone(),
        Op::Neg => "−x".into(),
        Op::Add => "+".into(),
        Op::Sub => "−".into(),
        Op::Mul => "×".into(),
        Op::Div => "÷".into(),
        Op::Dot => "·".into(),
        Op::Pow | Op::PowElem => "^".into(),
        Op::MatPow(k) => format!("^{k}"),
        Op::Transpose => "ᵀ".into(),
        Op::Stack => "[ ]".into(),
        Op::Index(i) => format!(
            "[{}]",
            i.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        ),
        Op::Call(b) => format!("{b:?}")
            .to_lowercase()
            .replace("max2", "max")
            .replace("min2", "min")
            .replace("relu", "ReLU"),
    }
}

/// The value of `op` applied to `args`.
pub fn forward(op: &Op, args: &[&Value]) -> Result<Value> {
    match op {
        Op::Leaf | Op::Opaque | Op::Merged(..) => {
            unreachable!("leaves, merged gates and opaque nodes carry their value")
        }
        Op::Neg => Ok(args[0].neg()),
        Op::Add => args[0].add(args[1]),
        Op::Sub => args[0].sub(args[1]),
        Op::Mul => args[0].mul_elementwise(args[1]),
        Op::Div => args[0].div(args[1]),
        Op::Dot => args[0].dot(args[1]),
        Op::Pow => match (args[0], args[1]) {
            (Value::Scalar(a), Value::Scalar(k)) => a.pow(k).map(Value::Scalar),
            (a, k) => Err(crate::linalg::LinalgError::Shape {
                op: "^".into(),
                left: a.shape(),
                right: k.shape(),
                hint: Some(
                    "`^` is the power of a number or the matrix power of a square matrix \
                     (integer exponent); write `.^` for the elementwise power",
                ),
            }),
        },
        Op::PowElem => args[0].pow_elementwise(args[1]),
        Op::MatPow(k) => args[0].matrix_power(*k),
        Op::Transpose => args[0].transpose(),
        Op::Stack => stack(args),
        Op::Index(index) => args[0].index(index),
        Op::Call(b) => call(*b, args),
    }
}

fn size_arg(v: &Value, what: &str) -> Result<usize> {
    match v {
        Value::Scalar(x) => match x.to_integer() {
            Some(n) if (0..=MAX_ELEMENTS as i64).contains(&n) => Ok(n as usize),
            Some(n) if n > 0 => Err(LinalgError::Domain(format!(
                "{what}({n}) is too large: a vector or matrix has at most {MAX_ELEMENTS} entries"
            ))),
            _ => Err(LinalgError::Domain(format!(
                "{what} takes whole-number sizes, not {}",
                x.brief()
            ))),
        },
        other => Err(LinalgError::Domain(format!(
            "{what} takes whole-number sizes, not a {}",
            other.shape()
        ))),
    }
}

fn call(b: Builtin, args: &[&Value]) -> Result<Value> {
    use Builtin::*;
    let x = args[0];
    let scalar = |n: Result<Num>| n.map(Value::Scalar);
    match b {
        Relu => x.relu(),
        Max2 => x.zip(args[1], "max", |a, b| Ok(a.max(b))),
        Min2 => x.zip(args[1], "min", |a, b| Ok(a.min(b))),
        MaxOf => Ok(Value::Scalar(
            x.elements()[x.arg_extreme(false, "max")?].clone(),
        )),
        MinOf => Ok(Value::Scalar(
            x.elements()[x.arg_extreme(true, "min")?].clone(),
        )),
        Argmax => Ok(Value::Scalar(Num::int(
            x.arg_extreme(false, "argmax")? as i64
        ))),
        Argmin => Ok(Value::Scalar(Num::int(
            x.arg_extreme(true, "argmin")? as i64
        ))),
        Sum => scalar(x.sum()),
        Mean => scalar(x.mean()),
        Norm => scalar(x.norm()),
        Abs => x.map(|n| Ok(n.abs())),
        Exp => x.map(|n| n.function("exp")),
        Log => x.map(|n| n.function("log")),
        Sqrt => x.map(|n| n.function("sqrt")),
        Tanh => x.map(|n| n.function("tanh")),
        Sigmoid => x.map(|n| n.function("sigmoid")),
        Softmax => x.softmax(),
        Outer => x.outer(args[1]),
        Transpose => x.transpose(),
        Zeros | Ones => {
            let fill = Num::int((b == Ones) as i64);
            let what = if b == Ones { "ones" } else { "zeros" };
            let shape = match args {
                [n] => Shape::Vector(size_arg(n, what)?),
                _ => Shape::Matrix(size_arg(args[0], what)?, size_arg(args[1], what)?),
            };
            Value::filled(shape, fill)
        }
        Eye => Value::eye(size_arg(x, "eye")?),
        Diag => x.diag(),
        Inv => x.inv(),
        Det => scalar(x.det()),
        Trace => scalar(x.trace()),
    }
}

/// `g` summed down to `shape` where the forward pass broadcast a scalar to a larger shape.
fn unbroadcast(g: Value, shape: Shape) -> Result<Value> {
    if shape == Shape::Scalar && g.shape() != Shape::Scalar {
        Ok(Value::Scalar(g.sum()?))
    } else {
        Ok(g)
    }
}

/// `data` in the layout of `shape` (gradients have their input's shape).
fn shaped(shape: Shape, data: Vec<Num>) -> Value {
    match shape {
        Shape::Scalar => Value::Scalar(data.into_iter().next().unwrap_or_else(Num::zero)),
        Shape::Vector(_) => Value::Vector(data),
        Shape::Matrix(rows, cols) => Value::Matrix { rows, cols, data },
    }
}

/// The transpose of row-major `rows × cols` data.
fn transposed(rows: usize, cols: usize, data: &[Num]) -> Vec<Num> {
    (0..cols)
        .flat_map(|c| (0..rows).map(move |r| data[r * cols + c].clone()))
        .collect()
}

/// The product of two matrices given as (rows, cols, data), as plain row-major data.
fn product(a: (usize, usize, &[Num]), b: (usize, usize, &[Num])) -> Result<Vec<Num>> {
    let mut out = Vec::with_capacity(a.0 * b.1);
    for i in 0..a.0 {
        for j in 0..b.1 {
            let mut acc = Num::zero();
            for k in 0..a.1 {
                acc = acc.add(&a.2[i * a.1 + k].mul(&b.2[k * b.1 + j])?)?;
            }
            out.push(acc);
        }
    }
    Ok(out)
}

/// The gradients of `A · B` (as matrices `r × k` and `k × c`) for upstream `G` (`r × c`):
/// `G · Bᵀ` and `Aᵀ · G`, each in its input's shape.
fn matmul_vjp(
    a: &Value,
    a_dims: (usize, usize),
    b: &Value,
    b_dims: (usize, usize),
    g: &Value,
) -> Result<[Value; 2]> {
    let ((r, k), (_, c)) = (a_dims, b_dims);
    let bt = transposed(k, c, b.elements());
    let at = transposed(r, k, a.elements());
    let ga = product((r, c, g.elements()), (c, k, &bt))?;
    let gb = product((k, r, &at), (r, c, g.elements()))?;
    Ok([shaped(a.shape(), ga), shaped(b.shape(), gb)])
}

/// The gradients with respect to `op`'s inputs, given the upstream gradient `g` (the shape of
/// `out`); `None` for an input that needs none (`needs` says which do).
pub fn backward(
    op: &Op,
    args: &[&Value],
    out: &Value,
    g: &Value,
    needs: &[bool],
) -> Result<Vec<Option<Value>>> {
    budget::charge(1 + g.elements().len() as u64)?;
    let want = |i: usize| needs.get(i).copied().unwrap_or(false);
    let one = Value::Scalar(Num::int(1));
    let grads: Vec<Option<Value>> = match op {
        Op::Leaf => vec![],
        Op::Opaque => {
            return Err(LinalgError::Domain(
                "a gradient of a gradient is not supported: the point of `∇`, `∂` or \
                 `numgrad` here depends on what is being differentiated"
                    .into(),
            ))
        }
        Op::Neg => vec![Some(g.neg())],
        Op::Merged(_, locals) => locals
            .iter()
            .map(|local| local.mul_elementwise(g).map(Some))
            .collect::<Result<_>>()?,
        Op::Add | Op::Sub => {
            let gb = if *op == Op::Sub { g.neg() } else { g.clone() };
            vec![
                Some(unbroadcast(g.clone(), args[0].shape())?),
                Some(unbroadcast(gb, args[1].shape())?),
            ]
        }
        Op::Mul => elementwise_pair(args, want, |i| g.mul_elementwise(args[1 - i]))?,
        Op::Div => elementwise_pair(args, want, |i| {
            if i == 0 {
                g.div(args[1])
            } else {
                g.mul_elementwise(out)?.div(args[1]).map(|v| v.neg())
            }
        })?,
        Op::Pow | Op::PowElem => elementwise_pair(args, want, |i| {
            let (a, k) = (args[0], args[1]);
            if i == 0 {
                // d(a^k)/da = k · a^(k−1)
                let k_minus_1 = k.sub(&one)?;
                g.mul_elementwise(&k.mul_elementwise(&a.pow_elementwise(&k_minus_1)?)?)
            } else {
                // d(a^k)/dk = a^k · log a
                g.mul_elementwise(&out.mul_elementwise(&a.map(|x| x.function("log"))?)?)
            }
        })?,
        Op::MatPow(k) => vec![Some(matrix_power_vjp(args[0], *k, g)?)],
        Op::Dot => match (args[0], args[1]) {
            (Value::Scalar(_), _) | (_, Value::Scalar(_)) => {
                elementwise_pair(args, want, |i| g.mul_elementwise(args[1 - i]))?
            }
            (Value::Vector(_), Value::Vector(_)) => {
                vec![
                    Some(args[1].mul_elementwise(g)?),
                    Some(args[0].mul_elementwise(g)?),
                ]
            }
            (a, b) => {
                let [ga, gb] = matmul_vjp(a, a.dims(), b, b.dims(), g)?;
                vec![Some(ga), Some(gb)]
            }
        },
        Op::Transpose => vec![Some(shaped(
            args[0].shape(),
            g.transpose()?.elements().to_vec(),
        ))],
        Op::Stack => {
            let width = g.elements().len() / args.len().max(1);
            args.iter()
                .enumerate()
                .map(|(i, a)| {
                    want(i).then(|| {
                        shaped(a.shape(), g.elements()[i * width..(i + 1) * width].to_vec())
                    })
                })
                .collect()
        }
        Op::Index(index) => {
            let (at, len) = args[0].index_range(index)?;
            let mut data = vec![Num::zero(); args[0].elements().len()];
            data[at..at + len].clone_from_slice(g.elements());
            vec![Some(shaped(args[0].shape(), data))]
        }
        Op::Call(b) => builtin_backward(*b, args, out, g, want)?,
    };
    Ok(grads)
}

/// Gradients of an elementwise binary operation: `local(i)` is input i's gradient before
/// any broadcast scalar is summed back.
fn elementwise_pair(
    args: &[&Value],
    want: impl Fn(usize) -> bool,
    local: impl Fn(usize) -> Result<Value>,
) -> Result<Vec<Option<Value>>> {
    (0..2)
        .map(|i| {
            if want(i) {
                Ok(Some(unbroadcast(local(i)?, args[i].shape())?))
            } else {
                Ok(None)
            }
        })
        .collect()
}

/// `∂(A^k)`: Σᵢ (Aᵀ)ⁱ · G · (Aᵀ)^(k−1−i); for k < 0, through the inverse.
fn matrix_power_vjp(a: &Value, k: i64, g: &Value) -> Result<Value> {
    let base = if k < 0 { a.inv()? } else { a.clone() };
    let m = k.unsigned_abs() as i64;
    let bt = base.transpose()?;
    let mut total = Value::filled(a.shape(), Num::zero())?;
    for i in 0..m {
        let left = bt.matrix_power(i)?;
        let right = bt.matrix_power(m - 1 - i)?;
        total = total.add(&left.dot(g)?.dot(&right)?)?;
    }
    if k < 0 {
        // d(A⁻¹) = −A⁻ᵀ · G · A⁻ᵀ
        total = bt.dot(&total)?.dot(&bt)?.neg();
    }
    Ok(total)
}

fn builtin_backward(
    b: Builtin,
    args: &[&Value],
    out: &Value,
    g: &Value,
    want: impl Fn(usize) -> bool,
) -> Result<Vec<Option<Value>>> {
    use Builtin::*;
    let x = args[0];
    let zero = Num::zero();
    let one = Num::int(1);
    // Elementwise functions: upstream × local derivative.
    let local = |f: &dyn Fn(&Num, &Num) -> Result<Num>| -> Result<Vec<Option<Value>>> {
        let data = x
            .elements()
            .iter()
            .zip(out.elements())
            .zip(g.elements())
            .map(|((x, y), g)| g.mul(&f(x, y)?))
            .collect::<Result<_>>()?;
        Ok(vec![Some(x.with_elements(data))])
    };
    // All of the upstream gradient goes to one element of the input.
    let at = |i: usize| -> Result<Vec<Option<Value>>> {
        let mut data = vec![Num::zero(); x.elements().len()];
        data[i] = g.elements()[0].clone();
        Ok(vec![Some(x.with_elements(data))])
    };
    if b.is_constructor() {
        return Ok(vec![None; args.len()]);
    }
    match b {
        Relu => local(&|x, _| Ok(Num::int(x.compare(&zero).is_gt() as i64))),
        Abs => local(&|x, _| Ok(Num::int(x.compare(&zero) as i64))),
        Exp => local(&|_, y| Ok(y.clone())),
        Log => local(&|x, _| one.div(x)),
        Sqrt => local(&|_, y| {
            if y.is_zero() {
                Err(LinalgError::Domain("sqrt has no derivative at 0".into()))
            } else {
                Num::Exact(crate::linalg::Rational::ratio(1, 2)).div(y)
            }
        }),
        Tanh => local(&|_, y| one.sub(&y.mul(y)?)),
        Sigmoid => local(&|_, y| y.mul(&one.sub(y)?)),
        Max2 | Min2 => {
            // The first argument wins ties, as the forward pass picks it.
            let first_wins = |a: &Num, bb: &Num| {
                if b == Max2 {
                    !bb.compare(a).is_gt()
                } else {
                    !bb.compare(a).is_lt()
                }
            };
            let (a, bv) = (args[0], args[1]);
            let mask = a.zip(bv, "max", |p, q| Ok(Num::int(first_wins(p, q) as i64)))?;
            let ga = g.mul_elementwise(&mask)?;
            let gb = g.sub(&ga)?;
            vec_of([
                want(0).then(|| unbroadcast(ga, a.shape())),
                want(1).then(|| unbroadcast(gb, bv.shape())),
            ])
        }
        MaxOf => at(x.arg_extreme(false, "max")?),
        MinOf => at(x.arg_extreme(true, "min")?),
        Argmax | Argmin => Ok(vec![None]),
        Sum => Ok(vec![Some(Value::filled(
            x.shape(),
            g.elements()[0].clone(),
        )?)]),
        Mean => {
            let n = Num::int(x.elements().len().max(1) as i64);
            Ok(vec![Some(Value::filled(
                x.shape(),
                g.elements()[0].div(&n)?,
            )?)])
        }
        Norm => {
            if out.elements()[0].is_zero() {
                return Err(LinalgError::Domain("norm has no derivative at 0".into()));
            }
            Ok(vec![Some(x.mul_elementwise(&Value::Scalar(
                g.elements()[0].div(&out.elements()[0])?,
            ))?)])
        }
        Softmax => {
            // p ⊙ (g − ⟨g, p⟩)
            let dot = g.dot(out)?;
            Ok(vec![Some(out.mul_elementwise(&g.sub(&dot)?)?)])
        }
        Outer => {
            // outer(u, v) = u · vᵀ as (n × 1) · (1 × m)
            let (u, v) = (args[0], args[1]);
            let (n, m) = (u.elements().len(), v.elements().len());
            let [gu, gv] = matmul_vjp(u, (n, 1), v, (1, m), g)?;
            Ok(vec![Some(gu), Some(gv)])
        }
        Transpose => Ok(vec![Some(shaped(
            x.shape(),
            g.transpose()?.elements().to_vec(),
        ))]),
        Diag => Ok(vec![Some(match x {
            Value::Vector(_) => g.diag()?,
            _ => shaped(x.shape(), g.diag()?.elements().to_vec()),
        })]),
        Trace => {
            let (n, _) = x.dims();
            let id = Value::eye(n)?;
            Ok(vec![Some(shaped(
                x.shape(),
                id.mul_elementwise(g)?.elements().to_vec(),
            ))])
        }
        Det => Ok(vec![Some(det_vjp(x, out, g)?)]),
        Inv => {
            let bt = out.transpose()?;
            Ok(vec![Some(bt.dot(g)?.dot(&bt)?.neg())])
        }
        Zeros | Ones | Eye => unreachable!("constructors return above"),
    }
}

fn vec_of(items: [Option<Result<Value>>; 2]) -> Result<Vec<Option<Value>>> {
    items.into_iter().map(Option::transpose).collect()
}

/// `∂ det(A) / ∂A` is the cofactor matrix: `det(A) · A⁻ᵀ` when A is invertible, computed
/// from the minors when it is not.
fn det_vjp(a: &Value, det: &Value, g: &Value) -> Result<Value> {
    let scale = g.elements()[0].clone();
    let det = det.elements()[0].clone();
    let (n, _) = a.dims();
    if n == 1 {
        return Ok(shaped(a.shape(), vec![scale]));
    }
    let cofactors = if det.is_zero() {
        let mut data = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                let minor: Vec<Num> = (0..n)
                    .filter(|&r| r != i)
                    .flat_map(|r| {
                        (0..n)
                            .filter(move |&c| c != j)
                            .map(move |c| a.elements()[r * n + c].clone())
                    })
                    .collect();
                let m = shaped(
                    if n == 2 {
                        Shape::Scalar
                    } else {
                        Shape::Matrix(n - 1, n - 1)
                    },
                    minor,
                )
                .det()?;
                data.push(if (i + j) % 2 == 0 { m } else { m.neg() });
            }
        }
        shaped(a.shape(), data)
    } else {
        a.inv()?.transpose()?.mul_elementwise(&Value::Scalar(det))?
    };
    cofactors.mul_elementwise(&Value::Scalar(scale))
}

/// `[scalars]` is a vector, `[vectors]` a matrix; anything else is a shape error.
fn stack(values: &[&Value]) -> Result<Value> {
    if values.iter().all(|v| matches!(v, Value::Scalar(_))) {
        return Value::vector(values.iter().map(|v| v.elements()[0].clone()).collect());
    }
    let first = values[0].shape();
    let mut rows = Vec::with_capacity(values.len());
    for v in values {
        match v {
            Value::Vector(row) => rows.push(row.clone()),
            other => {
                return Err(LinalgError::Shape {
                    op: "matrix rows".into(),
                    left: first,
                    right: other.shape(),
                    hint: matches!(other, Value::Matrix { rows: 1, .. })
                        .then_some("a row `xᵀ` inside a matrix literal: write the row's entries"),
                })
            }
        }
    }
    Value::matrix(rows)
}
