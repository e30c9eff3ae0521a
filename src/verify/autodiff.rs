//! Gradients: reverse-mode backpropagation over the tape the evaluator records, and centred
//! finite differences to check it against. Both work for parameters of any shape: `∂f/∂W` at a
//! matrix `W` is a matrix.
//!
//! The backward pass walks the tape from the output, asks each operation for its
//! vector–Jacobian product ([`super::ops::backward`]) and adds the results into the inputs —
//! the chain rule, one gate at a time. Exact circuits give exact gradients.

use std::ops::Range;

use super::error::{Result, VerifyError};
use super::eval::{linalg, Env, Frame, Function, Node, Walk};
use super::ops;
use crate::linalg::{parse_decimal, Num, Shape, Value};

/// Which parameters a gradient is taken with respect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrt {
    /// All of them (`∇f`, `numgrad f`).
    All,
    /// The parameter at this position (`∂f/∂x`, `numgrad ∂f/∂x`).
    One(usize),
}

impl Wrt {
    fn includes(self, i: usize) -> bool {
        self == Wrt::All || self == Wrt::One(i)
    }
}

/// The gradient of `f` at `point` by backpropagation.
pub fn backprop(
    env: &Env,
    f: &Function,
    point: &[Value],
    which: Wrt,
    span: &Range<usize>,
) -> Result<Value> {
    let per_param = gradients(env, f, point, |i| which.includes(i), span)?;
    assemble(per_param, point, which, span)
}

/// One backward pass: the gradient of `f` at `point` with respect to each parameter `wanted`
/// (zeros of its shape for the others), in parameter order.
pub fn gradients(
    env: &Env,
    f: &Function,
    point: &[Value],
    wanted: impl Fn(usize) -> bool,
    span: &Range<usize>,
) -> Result<Vec<Value>> {
    let (walk, params, out) = record(env, f, point, wanted, &[], None, span)?;
    let mut grads = backward(&walk.tape, out)?;
    params
        .iter()
        .zip(point)
        .map(|(&p, v)| match grads[p].take() {
            Some(g) => Ok(g),
            None => Value::filled(v.shape(), Num::zero()).map_err(linalg(span)),
        })
        .collect()
}

/// Records `f`'s body at `point` on a fresh tape, the parameters first (those `wanted` as
/// needing gradients), calls of the `merge` functions as one gate each, at most `gates` nodes
/// when given (a drawing's limit, reported at `span`): the walk, the parameters' nodes and the
/// output's node (a scalar).
fn record<'e>(
    env: &'e Env,
    f: &Function,
    point: &[Value],
    wanted: impl Fn(usize) -> bool,
    merge: &[String],
    gates: Option<usize>,
    span: &Range<usize>,
) -> Result<(Walk<'e>, Vec<usize>, usize)> {
    let mut walk = Walk::new(env);
    walk.merge = merge.to_vec();
    walk.gates = gates.map(|limit| (limit, span.clone()));
    let params = point
        .iter()
        .enumerate()
        .map(|(i, v)| walk.leaf(v.clone(), wanted(i), span))
        .collect::<Result<Vec<_>>>()?;
    let locals: super::eval::Locals = f
        .params
        .iter()
        .map(String::as_str)
        .zip(params.iter().copied())
        .collect();
    let out = walk.expr(
        &f.body,
        &Frame {
            locals: &locals,
            scope: f.scope,
        },
    )?;
    scalar_output(&walk.tape[out].value, span)?;
    Ok((walk, params, out))
}

/// Runs the backward pass from node `out` (a scalar): the gradient reaching each node, or
/// `None` where none does.
fn backward(tape: &[Node], out: usize) -> Result<Vec<Option<Value>>> {
    backward_through(tape, out, false)
}

/// [`backward`]; with `every_wire`, constants' wires get their gradients too (a circuit
/// drawing labels the `1` of `1 + e⁻ˣ` with ∂f/∂1, as the course notes' figures do), where
/// the operation has one there (not the exponent of `(-2)^2`, whose would need log(-2)).
fn backward_through(tape: &[Node], out: usize, every_wire: bool) -> Result<Vec<Option<Value>>> {
    let mut grads: Vec<Option<Value>> = vec![None; tape.len()];
    grads[out] = Some(Value::Scalar(Num::int(1)));
    for i in (0..=out).rev() {
        let node = &tape[i];
        // Leaves keep what reached them: they are the parameters' gradients.
        if node.inputs.is_empty() || !(node.needs_grad || every_wire) {
            continue;
        }
        // Kept, not taken: a circuit drawing shows every wire's gradient.
        let Some(g) = grads[i].clone() else {
            continue;
        };
        let args: Vec<&Value> = node.inputs.iter().map(|&j| &tape[j].value).collect();
        let needed: Vec<bool> = node.inputs.iter().map(|&j| tape[j].needs_grad).collect();
        let all = vec![true; needed.len()];
        let (contributions, needs) = match every_wire
            .then(|| ops::backward(&node.op, &args, &node.value, &g, &all).ok())
            .flatten()
        {
            Some(c) => (c, all),
            None => (
                ops::backward(&node.op, &args, &node.value, &g, &needed)
                    .map_err(linalg(&node.span))?,
                needed,
            ),
        };
        for ((&j, contribution), need) in node.inputs.iter().zip(contributions).zip(needs) {
            let (Some(c), true) = (contribution, need) else {
                continue;
            };
            grads[j] = Some(match grads[j].take() {
                Some(sum) => sum.add(&c).map_err(linalg(&node.span))?,
                None => c,
            });
        }
    }
    Ok(grads)
}

fn scalar_output(value: &Value, span: &Range<usize>) -> Result<()> {
    match value {
        Value::Scalar(_) => Ok(()),
        other => Err(VerifyError::new(
            span.clone(),
            format!(
                "gradients need a function returning a scalar, not a {}",
                other.shape()
            ),
        )
        .hint("differentiate a scalar such as a loss: `sum(…)`, or one entry `…[0]`")),
    }
}

/// One gradient per parameter, as `which` asks: `∂f/∂x` is x's gradient (x's shape); `∇f` of
/// scalars is the vector of partials, `∇f` of one parameter is that parameter's gradient.
fn assemble(
    mut per_param: Vec<Value>,
    point: &[Value],
    which: Wrt,
    span: &Range<usize>,
) -> Result<Value> {
    match which {
        Wrt::One(i) => Ok(per_param.swap_remove(i)),
        Wrt::All if per_param.len() == 1 => Ok(per_param.swap_remove(0)),
        Wrt::All if point.iter().all(|v| v.shape() == Shape::Scalar) => Ok(Value::Vector(
            per_param
                .into_iter()
                .map(|g| g.elements()[0].clone())
                .collect(),
        )),
        Wrt::All => Err(VerifyError::new(
            span.clone(),
            "`∇` of a function of several parameters that are not all scalars has no single shape",
        )
        .hint("take one parameter at a time: `∂f/∂W(W0, x0)`")),
    }
}

/// The gradient of `f` at `point` by centred finite differences, `(f(x + h) − f(x − h)) / 2h`
/// for each entry of each parameter asked for, h = 10⁻⁶. Exact functions give an exact
/// quotient; it is reported as approximate all the same (compare it with `≈`).
pub fn finite_difference(
    env: &Env,
    name: &str,
    f: &Function,
    point: &[Value],
    which: Wrt,
    span: &Range<usize>,
) -> Result<Value> {
    // All parameters at once are one value only when they are scalars (or there is one):
    // said before any difference is taken, in `numgrad`'s own terms.
    if which == Wrt::All && point.len() > 1 {
        if let Some(k) = point.iter().position(|v| v.shape() != Shape::Scalar) {
            return Err(VerifyError::new(
                span.clone(),
                format!(
                    "`numgrad {name}(…)` estimates all parameters at once only when they are \
                     all scalars (or there is one), and `{}` is a {}",
                    f.params[k],
                    point[k].shape()
                ),
            )
            .hint(format!(
                "estimate one parameter at a time: `numgrad ∂{name}/∂{}(…)`, with the same point",
                f.params[k]
            )));
        }
    }
    let h = Num::Exact(parse_decimal("0.000001").expect("a valid literal"));
    let two_h = h.add(&h).map_err(linalg(span))?;
    let err = linalg(span);
    let mut per_param = Vec::with_capacity(point.len());
    for (i, param) in point.iter().enumerate() {
        if !which.includes(i) {
            per_param.push(param.clone());
            continue;
        }
        let mut entries = Vec::with_capacity(param.elements().len());
        for j in 0..param.elements().len() {
            let nudged = |delta: &Num| -> Result<Vec<Value>> {
                let mut data = param.elements().to_vec();
                data[j] = data[j].add(delta).map_err(&err)?;
                let mut p = point.to_vec();
                p[i] = param.with_elements(data);
                Ok(p)
            };
            let plus = env.call(f, &nudged(&h)?, span)?;
            let minus = env.call(f, &nudged(&h.neg())?, span)?;
            scalar_output(&plus, span)?;
            let diff = plus.elements()[0]
                .sub(&minus.elements()[0])
                .and_then(|d| d.div(&two_h))
                .map_err(&err)?;
            entries.push(Num::approx(diff.to_f64(), "a finite difference").map_err(&err)?);
        }
        per_param.push(param.with_elements(entries));
    }
    assemble(per_param, point, which, span)
}

/// A scalar circuit at a point, forward and backward: every gate's value and gradient, from
/// the same tape backpropagation uses (for drawing, [`super::circuit`]).
pub struct Trace {
    /// The gates and inputs, in the order the tape recorded them (inputs before their users).
    pub nodes: Vec<TraceNode>,
    /// The output node.
    pub output: usize,
}

/// One gate or input of a [`Trace`].
pub struct TraceNode {
    /// What to write in the node: a parameter's name, a constant, or the gate (`+`, `exp`).
    pub label: String,
    /// True for inputs (parameters and constants), false for gates.
    pub input: bool,
    /// True for the function's parameters (drawn in the first column; constants stand next to
    /// the gate that uses them).
    pub param: bool,
    /// The forward value.
    pub value: Num,
    /// The gradient of the output with respect to this value.
    pub grad: Num,
    /// The nodes feeding this gate.
    pub inputs: Vec<usize>,
}

/// Records `f` at `point` (scalars) and runs the backward pass, keeping every node.
pub fn trace(
    env: &Env,
    f: &Function,
    point: &[Value],
    merge: &[String],
    span: &Range<usize>,
) -> Result<Trace> {
    // A drawing stops at its gate limit, long before the tape's: laying out and printing
    // 65,536 gates took minutes and made a 49 MB page (issue #26).
    let limit = Some(super::circuit::MAX_GATES);
    let (walk, params, out) = record(env, f, point, |_| true, merge, limit, span)?;
    let grads = backward_through(&walk.tape, out, true)?;
    let mut nodes = Vec::with_capacity(walk.tape.len());
    for (i, node) in walk.tape.iter().enumerate() {
        let scalar = |v: &Value| match v {
            Value::Scalar(x) => Ok(x.clone()),
            other => Err(VerifyError::new(
                node.span.clone(),
                format!(
                    "circuits are drawn for scalar gates, and this one is a {}",
                    other.shape()
                ),
            )
            .hint("draw a scalar function, such as one neuron")),
        };
        let value = scalar(&node.value)?;
        let grad = match &grads[i] {
            Some(g) => scalar(g)?,
            None => Num::zero(),
        };
        let input = node.inputs.is_empty();
        let label = match params.iter().position(|&p| p == i) {
            Some(k) => f.params[k].clone(),
            None if input => value.to_string(),
            None => ops::label(&node.op),
        };
        nodes.push(TraceNode {
            label,
            input,
            param: params.contains(&i),
            value,
            grad,
            inputs: node.inputs.to_vec(),
        });
    }
    Ok(Trace { nodes, output: out })
}
