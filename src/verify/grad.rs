//! Gradients of scalar circuits: reverse-mode backpropagation through the expression graph,
//! and centred finite differences to check it against.
//!
//! The forward pass records each node's value and its local gradients on a tape; the backward
//! pass walks the tape from the output, multiplying each node's upstream gradient by its local
//! gradients and adding the products into its inputs — the chain rule, one gate at a time.

use std::collections::HashMap;
use std::ops::Range;

use super::ast::{BinOp, Expr, ExprKind};
use super::error::{Result, VerifyError};
use super::eval::{arity, float_fn, Env, Function};
use crate::linalg::{parse_decimal, LinalgError, Num, Value};

/// Most nodes one gradient may record (calls inline their bodies, so this bounds them too).
const MAX_NODES: usize = 100_000;

/// One gate: its value and, for each input, the input's node and the local gradient.
struct Node {
    value: Num,
    inputs: Vec<(usize, Num)>,
}

struct Tape<'e> {
    env: &'e Env,
    nodes: Vec<Node>,
    span: Range<usize>,
}

/// `∇f(point)` by backpropagation: one entry per parameter.
pub fn backprop(env: &Env, f: &Function, point: &[Num], span: &Range<usize>) -> Result<Vec<Num>> {
    let mut tape = Tape {
        env,
        nodes: Vec::new(),
        span: span.clone(),
    };
    let params: Vec<usize> = point
        .iter()
        .map(|x| tape.push(x.clone(), vec![]))
        .collect::<Result<_>>()?;
    let scope: HashMap<&str, usize> = f
        .params
        .iter()
        .map(String::as_str)
        .zip(params.iter().copied())
        .collect();
    let out = tape.record(&f.body, &scope)?;

    let mut grads = vec![Num::zero(); tape.nodes.len()];
    grads[out] = Num::int(1);
    for i in (0..=out).rev() {
        if grads[i].is_zero() {
            continue;
        }
        let upstream = grads[i].clone();
        for (input, local) in &tape.nodes[i].inputs {
            let contribution = upstream.mul(local).map_err(|e| tape.err(e))?;
            grads[*input] = grads[*input].add(&contribution).map_err(|e| tape.err(e))?;
        }
    }
    Ok(params.iter().map(|&p| grads[p].clone()).collect())
}

/// `numgrad f(point)`: `(f(x + h) − f(x − h)) / 2h` for each parameter, h = 10⁻⁶, reported as
/// an approximate value (compare it with `≈`).
pub fn finite_difference(
    env: &Env,
    f: &Function,
    point: &[Num],
    span: &Range<usize>,
) -> Result<Vec<Num>> {
    let h = Num::Exact(parse_decimal("0.000001").expect("a valid literal"));
    let two_h = h.add(&h).expect("small");
    let err = |e: LinalgError| VerifyError::new(span.clone(), e.to_string());
    (0..point.len())
        .map(|i| {
            let mut plus = point.to_vec();
            let mut minus = point.to_vec();
            plus[i] = plus[i].add(&h).map_err(err)?;
            minus[i] = minus[i].sub(&h).map_err(err)?;
            let diff = env
                .call_scalar(f, &plus, span)?
                .sub(&env.call_scalar(f, &minus, span)?)
                .map_err(err)?;
            Ok(Num::Approx(diff.div(&two_h).map_err(err)?.to_f64()))
        })
        .collect()
}

impl<'e> Tape<'e> {
    fn err(&self, e: LinalgError) -> VerifyError {
        VerifyError::new(self.span.clone(), e.to_string())
    }

    fn push(&mut self, value: Num, inputs: Vec<(usize, Num)>) -> Result<usize> {
        if self.nodes.len() >= MAX_NODES {
            return Err(VerifyError::new(
                self.span.clone(),
                "circuit is too large to differentiate",
            ));
        }
        self.nodes.push(Node { value, inputs });
        Ok(self.nodes.len() - 1)
    }

    fn value(&self, node: usize) -> &Num {
        &self.nodes[node].value
    }

    fn not_scalar(&self, e: &Expr, what: &str) -> VerifyError {
        VerifyError::new(
            e.span.clone(),
            format!(
                "backpropagation here works on scalar circuits; {what} is not a scalar operation"
            ),
        )
    }

    /// Records `e` on the tape and returns its node.
    fn record(&mut self, e: &Expr, scope: &HashMap<&str, usize>) -> Result<usize> {
        let one = Num::int(1);
        match &e.kind {
            ExprKind::Num(text) => {
                let n = parse_decimal(text)
                    .ok_or_else(|| VerifyError::new(e.span.clone(), "not a number"))?;
                self.push(Num::Exact(n), vec![])
            }
            ExprKind::Name(name) => match scope.get(name.as_str()) {
                Some(&node) => Ok(node),
                None => match self.env.value(name) {
                    Some(Value::Scalar(x)) => self.push(x.clone(), vec![]),
                    Some(_) => Err(self.not_scalar(e, &format!("`{name}`"))),
                    None => Err(VerifyError::new(
                        e.span.clone(),
                        format!("`{name}` is not defined"),
                    )),
                },
            },
            ExprKind::Group(x) => self.record(x, scope),
            ExprKind::Neg(x) => {
                let a = self.record(x, scope)?;
                self.push(self.value(a).neg(), vec![(a, one.neg())])
            }
            ExprKind::Binary(op, x, y) => {
                let a = self.record(x, scope)?;
                let b = self.record(y, scope)?;
                let (va, vb) = (self.value(a).clone(), self.value(b).clone());
                let err = |e| self.err(e);
                let (value, da, db) = match op {
                    BinOp::Add => (va.add(&vb).map_err(err)?, one.clone(), one),
                    BinOp::Sub => (va.sub(&vb).map_err(err)?, one.clone(), one.neg()),
                    BinOp::Mul | BinOp::Dot => (va.mul(&vb).map_err(err)?, vb.clone(), va),
                    BinOp::Div => {
                        let q = va.div(&vb).map_err(err)?;
                        let db = q.div(&vb).map_err(err)?.neg();
                        (q, one.div(&vb).map_err(err)?, db)
                    }
                    BinOp::Pow => {
                        if !matches!(&y.kind, ExprKind::Num(_)) {
                            return Err(
                                self.not_scalar(y, "a power whose exponent is not a number")
                            );
                        }
                        let value = va.pow(&vb).map_err(err)?;
                        let k_minus_1 = vb.sub(&one).map_err(err)?;
                        let da = vb.mul(&va.pow(&k_minus_1).map_err(err)?).map_err(err)?;
                        (value, da, Num::zero())
                    }
                };
                self.push(value, vec![(a, da), (b, db)])
            }
            ExprKind::Call(name, args) => {
                let inputs = args
                    .iter()
                    .map(|x| self.record(x, scope))
                    .collect::<Result<Vec<_>>>()?;
                // Borrowed from the environment, not from the tape, so the tape stays free.
                let env: &'e Env = self.env;
                if let Some(f) = env.function(name) {
                    if f.params.len() != inputs.len() {
                        return Err(arity(name, f.params.len(), inputs.len(), &e.span));
                    }
                    let inner = f.params.iter().map(String::as_str).zip(inputs).collect();
                    return self.record(&f.body, &inner);
                }
                self.builtin(e, name, &inputs)
            }
            _ => Err(self.not_scalar(e, "this expression")),
        }
    }

    fn builtin(&mut self, e: &Expr, name: &str, inputs: &[usize]) -> Result<usize> {
        let one = Num::int(1);
        let zero = Num::zero();
        let arg = |i: usize| self.value(inputs[i]).clone();
        match (name, inputs.len()) {
            ("ReLU" | "relu", 1) => {
                let x = arg(0);
                let positive = x.compare(&zero).is_gt();
                self.push(
                    x.max(&zero),
                    vec![(inputs[0], if positive { one } else { zero })],
                )
            }
            ("max" | "min", 2) => {
                let (a, b) = (arg(0), arg(1));
                // Ties send the gradient to the first argument, as the forward pass picks it.
                let first = if name == "max" {
                    !b.compare(&a).is_gt()
                } else {
                    !b.compare(&a).is_lt()
                };
                let value = if first { a } else { b };
                let (da, db) = if first { (one, zero) } else { (zero, one) };
                self.push(value, vec![(inputs[0], da), (inputs[1], db)])
            }
            ("abs", 1) => {
                let x = arg(0);
                let negative = x.compare(&zero).is_lt();
                self.push(
                    if negative { x.neg() } else { x },
                    vec![(inputs[0], if negative { one.neg() } else { one })],
                )
            }
            (_, 1) if float_fn(name).is_some() => {
                let x = arg(0).to_f64();
                let y = float_fn(name).expect("checked")(x);
                let local = match name {
                    "exp" => y,
                    "log" => 1.0 / x,
                    "sqrt" => 0.5 / y,
                    "tanh" => 1.0 - y * y,
                    _ => y * (1.0 - y), // sigmoid
                };
                if !y.is_finite() || !local.is_finite() {
                    return Err(VerifyError::new(
                        e.span.clone(),
                        format!("{name} is not defined at {}", arg(0)),
                    ));
                }
                self.push(Num::Approx(y), vec![(inputs[0], Num::Approx(local))])
            }
            _ => Err(self.not_scalar(e, &format!("`{name}`"))),
        }
    }
}
