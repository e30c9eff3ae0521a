//! Scalars, vectors and matrices, and the operations a neural-network course needs on them.

use std::fmt;

use super::{budget, LinalgError, Num, Result, MAX_ELEMENTS};

/// The shape of a value, for error messages and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A single number.
    Scalar,
    /// A vector of this length.
    Vector(usize),
    /// A matrix of rows × columns.
    Matrix(usize, usize),
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Scalar => write!(f, "scalar"),
            Shape::Vector(n) => write!(f, "vector of length {n}"),
            Shape::Matrix(r, c) => write!(f, "{r}×{c} matrix"),
        }
    }
}

/// A value a verification block computes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Scalar(Num),
    /// A vector (a column vector where a matrix multiplies it).
    Vector(Vec<Num>),
    /// A matrix stored row by row.
    Matrix {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
        /// `rows × cols` numbers, row-major.
        data: Vec<Num>,
    },
}

fn check_size(n: usize) -> Result<()> {
    if n > MAX_ELEMENTS {
        Err(LinalgError::TooLarge(format!(
            "a value of {n} entries (at most {MAX_ELEMENTS})"
        )))
    } else {
        Ok(())
    }
}

/// A shape error, with a hint when one helps.
pub(super) fn shape_error(
    op: &str,
    left: Shape,
    right: Shape,
    hint: Option<&'static str>,
) -> LinalgError {
    LinalgError::Shape {
        op: op.into(),
        left,
        right,
        hint,
    }
}

/// An index the author wrote, checked against a length: 0-based as in NumPy, negative counts
/// from the end.
fn resolve_index(i: i64, len: usize, what: &str) -> Result<usize> {
    let resolved = if i < 0 { len as i64 + i } else { i };
    if (0..len as i64).contains(&resolved) {
        Ok(resolved as usize)
    } else {
        let last = len as i64 - 1;
        let one_based = if i == len as i64 {
            " (indices start at 0, as in NumPy: the last is "
        } else {
            " (indices run from 0, as in NumPy, to "
        };
        Err(LinalgError::Index(format!(
            "index {i} is outside the {what}{one_based}{last})"
        )))
    }
}

impl Value {
    /// Builds a matrix from rows; rows of different lengths are a shape error. A matrix with
    /// one column is a (column) vector.
    pub fn matrix(rows: Vec<Vec<Num>>) -> Result<Value> {
        let cols = rows.first().map_or(0, Vec::len);
        if let Some(bad) = rows.iter().find(|r| r.len() != cols) {
            return Err(shape_error(
                "matrix rows",
                Shape::Vector(cols),
                Shape::Vector(bad.len()),
                None,
            ));
        }
        check_size(rows.len() * cols)?;
        let r = rows.len();
        Ok(Value::from_parts(
            r,
            cols,
            rows.into_iter().flatten().collect(),
        ))
    }

    /// A `rows × cols` value from row-major data, in normal form: one column is a vector.
    pub fn from_parts(rows: usize, cols: usize, data: Vec<Num>) -> Value {
        if cols == 1 {
            Value::Vector(data)
        } else {
            Value::Matrix { rows, cols, data }
        }
    }

    /// Builds a vector.
    pub fn vector(items: Vec<Num>) -> Result<Value> {
        check_size(items.len())?;
        Ok(Value::Vector(items))
    }

    /// A value of `shape` with every element `x`.
    pub fn filled(shape: Shape, x: Num) -> Result<Value> {
        Ok(match shape {
            Shape::Scalar => Value::Scalar(x),
            Shape::Vector(n) => {
                check_size(n)?;
                Value::Vector(vec![x; n])
            }
            Shape::Matrix(r, c) => {
                check_size(r.saturating_mul(c))?;
                Value::from_parts(r, c, vec![x; r * c])
            }
        })
    }

    /// The n×n identity matrix.
    pub fn eye(n: usize) -> Result<Value> {
        check_size(n.saturating_mul(n))?;
        let data = (0..n * n)
            .map(|i| Num::int((i / n == i % n) as i64))
            .collect();
        Ok(Value::from_parts(n, n, data))
    }

    /// The value's shape.
    pub fn shape(&self) -> Shape {
        match self {
            Value::Scalar(_) => Shape::Scalar,
            Value::Vector(v) => Shape::Vector(v.len()),
            Value::Matrix { rows, cols, .. } => Shape::Matrix(*rows, *cols),
        }
    }

    /// All numbers of the value, in row-major order.
    pub fn elements(&self) -> &[Num] {
        match self {
            Value::Scalar(x) => std::slice::from_ref(x),
            Value::Vector(v) => v,
            Value::Matrix { data, .. } => data,
        }
    }

    /// The value as a matrix: a scalar is 1×1, a vector a column.
    pub fn dims(&self) -> (usize, usize) {
        match self {
            Value::Scalar(_) => (1, 1),
            Value::Vector(v) => (v.len(), 1),
            Value::Matrix { rows, cols, .. } => (*rows, *cols),
        }
    }

    /// The same shape with each number replaced by `f(number)`.
    pub fn map(&self, f: impl Fn(&Num) -> Result<Num>) -> Result<Value> {
        Ok(match self {
            Value::Scalar(x) => Value::Scalar(f(x)?),
            Value::Vector(v) => Value::Vector(v.iter().map(f).collect::<Result<_>>()?),
            Value::Matrix { rows, cols, data } => Value::Matrix {
                rows: *rows,
                cols: *cols,
                data: data.iter().map(f).collect::<Result<_>>()?,
            },
        })
    }

    /// The same shape with other elements.
    pub fn with_elements(&self, data: Vec<Num>) -> Value {
        match self {
            Value::Scalar(_) => Value::Scalar(data.into_iter().next().unwrap_or_else(Num::zero)),
            Value::Vector(_) => Value::Vector(data),
            Value::Matrix { rows, cols, .. } => Value::Matrix {
                rows: *rows,
                cols: *cols,
                data,
            },
        }
    }

    fn shape_error(&self, op: &str, other: &Value, hint: Option<&'static str>) -> LinalgError {
        shape_error(op, self.shape(), other.shape(), hint)
    }

    /// Applies `f` element by element: a scalar broadcasts against any shape, otherwise shapes
    /// must be equal.
    pub fn zip(
        &self,
        other: &Value,
        op: &str,
        f: impl Fn(&Num, &Num) -> Result<Num>,
    ) -> Result<Value> {
        match (self, other) {
            (Value::Scalar(a), _) => other.map(|b| f(a, b)),
            (_, Value::Scalar(b)) => self.map(|a| f(a, b)),
            _ if self.shape() == other.shape() => {
                let data = self
                    .elements()
                    .iter()
                    .zip(other.elements())
                    .map(|(a, b)| f(a, b))
                    .collect::<Result<_>>()?;
                Ok(self.with_elements(data))
            }
            _ => Err(self.shape_error(op, other, None)),
        }
    }

    /// Sum of two values of the same shape, or a scalar added to every element (`s - max(s)`).
    pub fn add(&self, other: &Value) -> Result<Value> {
        self.zip(other, "+", Num::add)
    }

    /// Difference of two values of the same shape, or with a scalar broadcast.
    pub fn sub(&self, other: &Value) -> Result<Value> {
        self.zip(other, "−", Num::sub)
    }

    /// Scalar × anything, or the elementwise (Hadamard) product of two equal shapes.
    pub fn mul_elementwise(&self, other: &Value) -> Result<Value> {
        self.zip(other, "*", Num::mul)
    }

    /// Division by a scalar, or elementwise division of two equal shapes.
    pub fn div(&self, other: &Value) -> Result<Value> {
        self.zip(other, "/", Num::div)
    }

    /// Elementwise power (`.^`), with a scalar broadcast on either side.
    pub fn pow_elementwise(&self, other: &Value) -> Result<Value> {
        self.zip(other, ".^", Num::pow)
    }

    /// `−self`.
    pub fn neg(&self) -> Value {
        self.with_elements(self.elements().iter().map(Num::neg).collect())
    }

    /// The product written `·` or `@`, in the column model: matrix·matrix, matrix·vector,
    /// a column times a row (`dout · xᵀ`, the outer product), a row times a matrix, and the
    /// dot product of two vectors; scaling when either side is a scalar. A 1×1 result is a
    /// scalar.
    pub fn dot(&self, other: &Value) -> Result<Value> {
        match (self, other) {
            (Value::Scalar(_), _) | (_, Value::Scalar(_)) => self.mul_elementwise(other),
            (Value::Vector(a), Value::Vector(b)) => {
                if a.len() != b.len() {
                    return Err(self.shape_error("·", other, None));
                }
                Ok(Value::Scalar(dot(a.iter(), b.iter())?))
            }
            _ => {
                let ((r, k), (k2, c)) = (self.dims(), other.dims());
                if k != k2 {
                    let hint = match (self, other) {
                        (Value::Vector(_), Value::Matrix { .. }) => Some(
                            "a vector is a column: write `xᵀ · W` for a row times a matrix, \
                             or `W · x` for a matrix times a column",
                        ),
                        _ => None,
                    };
                    return Err(self.shape_error("·", other, hint));
                }
                matmul((r, k, self.elements()), (c, other.elements()))
            }
        }
    }

    /// The outer product of two vectors: a matrix (`u · vᵀ`).
    pub fn outer(&self, other: &Value) -> Result<Value> {
        match (self, other) {
            (Value::Vector(a), Value::Vector(b)) => {
                check_size(a.len().saturating_mul(b.len()))?;
                let data = a
                    .iter()
                    .flat_map(|x| b.iter().map(move |y| x.mul(y)))
                    .collect::<Result<_>>()?;
                Ok(Value::from_parts(a.len(), b.len(), data))
            }
            _ => Err(self.shape_error("outer", other, None)),
        }
    }

    /// The transpose: a vector (a column) becomes a row, a 1×n row becomes a vector; a scalar
    /// is its own transpose.
    pub fn transpose(&self) -> Result<Value> {
        budget::charge(self.elements().len() as u64)?;
        Ok(match self {
            Value::Scalar(_) => self.clone(),
            Value::Vector(v) if v.len() == 1 => self.clone(),
            Value::Vector(v) => Value::Matrix {
                rows: 1,
                cols: v.len(),
                data: v.clone(),
            },
            Value::Matrix { rows, cols, data } => Value::from_parts(
                *cols,
                *rows,
                (0..*cols)
                    .flat_map(|c| (0..*rows).map(move |r| data[r * cols + c].clone()))
                    .collect(),
            ),
        })
    }

    /// `max(0, x)` element by element.
    pub fn relu(&self) -> Result<Value> {
        self.map(|x| {
            budget::charge(1)?;
            Ok(x.max(&Num::zero()))
        })
    }

    /// The sum of all elements.
    pub fn sum(&self) -> Result<Num> {
        self.elements()
            .iter()
            .try_fold(Num::zero(), |acc, x| acc.add(x))
    }

    /// The mean of all elements.
    pub fn mean(&self) -> Result<Num> {
        let n = self.nonempty("mean")?;
        self.sum()?.div(&Num::int(n as i64))
    }

    fn nonempty(&self, what: &str) -> Result<usize> {
        match self.elements().len() {
            0 => Err(LinalgError::Domain(format!("{what} of an empty value"))),
            n => Ok(n),
        }
    }

    /// The position (row-major) of the largest element, the first on a tie; `smallest` for
    /// the smallest.
    pub fn arg_extreme(&self, smallest: bool, what: &str) -> Result<usize> {
        self.nonempty(what)?;
        budget::charge(self.elements().len() as u64)?;
        let mut best = 0;
        for (i, x) in self.elements().iter().enumerate().skip(1) {
            let order = x.compare(&self.elements()[best]);
            if (smallest && order.is_lt()) || (!smallest && order.is_gt()) {
                best = i;
            }
        }
        Ok(best)
    }

    /// The Euclidean (Frobenius) norm: exact when the sum of squares is a rational square.
    pub fn norm(&self) -> Result<Num> {
        let squares = self
            .elements()
            .iter()
            .try_fold(Num::zero(), |acc, x| acc.add(&x.mul(x)?))?;
        squares.function("sqrt")
    }

    /// Softmax of a vector: exponentials normalised to sum to 1. The largest entry is
    /// subtracted exactly first, so huge scores (`1e400`) give the right answer, not NaN.
    pub fn softmax(&self) -> Result<Value> {
        let Value::Vector(v) = self else {
            return Err(shape_error(
                "softmax",
                self.shape(),
                self.shape(),
                Some("softmax takes a vector; apply it to one row at a time (`softmax(S[0])`)"),
            ));
        };
        let top = v[self.arg_extreme(false, "softmax")?].clone();
        let mut exps = Vec::with_capacity(v.len());
        for x in v {
            // At or below −746, e^x is below the smallest float: it is 0 to every decimal.
            let shifted = x.sub(&top)?.to_f64();
            exps.push(if shifted < -746.0 { 0.0 } else { shifted.exp() });
        }
        let total: f64 = exps.iter().sum();
        let out = exps
            .into_iter()
            .map(|e| Num::approx(e / total, "softmax"))
            .collect::<Result<_>>()?;
        Ok(Value::Vector(out))
    }

    /// The element (or row) at `index`: `v[i]`, `W[i, j]`, or `W[i]` for row i.
    pub fn index(&self, index: &[i64]) -> Result<Value> {
        let (at, _) = self.index_range(index)?;
        Ok(match (self, index.len()) {
            (Value::Matrix { cols, data, .. }, 1) => Value::Vector(data[at..at + cols].to_vec()),
            _ => Value::Scalar(self.elements()[at].clone()),
        })
    }

    /// Where `index` points: the first element (row-major) and how many it selects.
    pub fn index_range(&self, index: &[i64]) -> Result<(usize, usize)> {
        match (self, index) {
            (Value::Vector(v), [i]) => Ok((resolve_index(*i, v.len(), "vector")?, 1)),
            (Value::Matrix { rows, cols, .. }, [i]) => {
                Ok((resolve_index(*i, *rows, "matrix's rows")? * cols, *cols))
            }
            (Value::Matrix { rows, cols, .. }, [i, j]) => Ok((
                resolve_index(*i, *rows, "matrix's rows")? * cols
                    + resolve_index(*j, *cols, "matrix's columns")?,
                1,
            )),
            _ => Err(LinalgError::Index(format!(
                "a {} cannot take {} ind{}",
                self.shape(),
                index.len(),
                if index.len() == 1 { "ex" } else { "ices" }
            ))),
        }
    }

    /// True when any element went through a float.
    pub fn is_approx(&self) -> bool {
        self.elements().iter().any(Num::is_approx)
    }

    /// The value as an error message shows it: in full when short, else its start and shape.
    pub fn brief(&self) -> String {
        if let Value::Scalar(x) = self {
            return x.brief();
        }
        let full = self.to_string();
        if full.len() <= 120 && self.elements().iter().all(|x| x.to_string().len() <= 40) {
            return full;
        }
        let shown: Vec<String> = self.elements().iter().take(4).map(Num::brief).collect();
        format!("[{}, …] (a {})", shown.join(", "), self.shape())
    }
}

/// The matrix product of `r × k` data `a` and `k × c` data `b`, in normal form.
pub(super) fn matmul(a: (usize, usize, &[Num]), b: (usize, &[Num])) -> Result<Value> {
    let ((r, k, a), (c, b)) = (a, b);
    check_size(r.saturating_mul(c))?;
    let mut out = Vec::with_capacity(r * c);
    for i in 0..r {
        for j in 0..c {
            out.push(dot(
                a[i * k..(i + 1) * k].iter(),
                b.iter().skip(j).step_by(c.max(1)),
            )?);
        }
    }
    Ok(match (r, c) {
        (1, 1) => Value::Scalar(out.pop().unwrap_or_else(Num::zero)),
        _ => Value::from_parts(r, c, out),
    })
}

fn dot<'a>(a: impl Iterator<Item = &'a Num>, b: impl Iterator<Item = &'a Num>) -> Result<Num> {
    a.zip(b)
        .try_fold(Num::zero(), |acc, (x, y)| acc.add(&x.mul(y)?))
}

impl fmt::Display for Value {
    /// `2`, `[1, -1]`, `[[2, 3], [-1, -2]]`: the notation the verification language reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, xs: &[Num]) -> fmt::Result {
            write!(f, "[")?;
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{x}")?;
            }
            write!(f, "]")
        }
        match self {
            Value::Scalar(x) => write!(f, "{x}"),
            Value::Vector(v) => list(f, v),
            Value::Matrix { cols, data, .. } => {
                write!(f, "[")?;
                for (i, row) in data.chunks((*cols).max(1)).enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    list(f, row)?;
                }
                write!(f, "]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::parse_decimal;

    fn n(x: i64) -> Num {
        Num::int(x)
    }
    fn m(rows: &[&[i64]]) -> Value {
        Value::matrix(
            rows.iter()
                .map(|r| r.iter().map(|&x| n(x)).collect())
                .collect(),
        )
        .unwrap()
    }
    fn v(xs: &[i64]) -> Value {
        Value::Vector(xs.iter().map(|&x| n(x)).collect())
    }

    #[test]
    fn products_of_the_sample_page() {
        let w1 = m(&[&[1, 2], &[0, -1]]);
        let w2 = m(&[&[2, 1], &[-1, 0]]);
        assert_eq!(w2.dot(&w1).unwrap(), m(&[&[2, 3], &[-1, -2]]));
        assert_eq!(w1.dot(&v(&[1, 2])).unwrap(), v(&[5, -2]));
        assert_eq!(v(&[1, 2]).dot(&v(&[3, 4])).unwrap(), Value::Scalar(n(11)));
        assert_eq!(v(&[5, -1]).relu(), Ok(v(&[5, 0])));
    }

    #[test]
    fn transpose_of_a_product_reverses_it() {
        let a = m(&[&[1, 2, 3], &[4, 5, 6]]);
        let b = m(&[&[7, 8], &[9, 10], &[11, 12]]);
        let left = a.dot(&b).unwrap().transpose().unwrap();
        let right = b.transpose().unwrap().dot(&a.transpose().unwrap()).unwrap();
        assert_eq!(left, right);
    }

    #[test]
    fn shape_errors_name_both_shapes() {
        let a = m(&[&[1, 2, 3], &[4, 5, 6]]);
        let err = a.dot(&a).unwrap_err().to_string();
        assert_eq!(
            err,
            "shape mismatch: `·` cannot combine a 2×3 matrix with a 2×3 matrix"
        );
        let err = v(&[1, 2]).add(&v(&[1, 2, 3])).unwrap_err().to_string();
        assert_eq!(
            err,
            "shape mismatch: `+` cannot combine a vector of length 2 with a vector of length 3"
        );
        let err = a.dot(&v(&[1, 2])).unwrap_err().to_string();
        assert!(
            err.contains("2×3 matrix with a vector of length 2"),
            "{err}"
        );
        let err = v(&[1]).outer(&Value::Scalar(n(1))).unwrap_err().to_string();
        assert!(err.contains("vector of length 1 with a scalar"), "{err}");
        let err = Value::matrix(vec![vec![n(1), n(2)], vec![n(3)]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("matrix rows"), "{err}");
        let err = v(&[1, 2])
            .mul_elementwise(&v(&[1, 2, 3]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`*`"), "{err}");
        // A scalar broadcasts (`s - max(s)`).
        assert_eq!(v(&[1, 2]).sub(&Value::Scalar(n(1))), Ok(v(&[0, 1])));
    }

    #[test]
    fn outer_sum_softmax() {
        assert_eq!(
            v(&[1, 2]).outer(&v(&[3, 4])).unwrap(),
            m(&[&[3, 4], &[6, 8]])
        );
        assert_eq!(m(&[&[1, 2], &[3, 4]]).sum().unwrap(), n(10));
        let s = v(&[0, 0]).softmax().unwrap();
        assert_eq!(s.elements()[0].to_f64(), 0.5);
        assert!(s.is_approx());
        let half = Num::Exact(parse_decimal("0.5").unwrap());
        assert_eq!(Value::Scalar(half).to_string(), "0.5");
    }

    #[test]
    fn huge_values_are_refused() {
        let big = Value::Vector(vec![n(1); 200]);
        assert!(matches!(big.outer(&big), Err(LinalgError::TooLarge(_))));
    }
}
