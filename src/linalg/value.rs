//! Scalars, vectors and matrices, and the operations a neural-network course needs on them.

use std::fmt;

use super::{LinalgError, Num, Result, MAX_ELEMENTS};

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
        Err(LinalgError::TooLarge(format!("a value of {n} elements")))
    } else {
        Ok(())
    }
}

impl Value {
    /// Builds a matrix from rows; rows of different lengths are a shape error.
    pub fn matrix(rows: Vec<Vec<Num>>) -> Result<Value> {
        let cols = rows.first().map_or(0, Vec::len);
        if let Some(bad) = rows.iter().find(|r| r.len() != cols) {
            return Err(LinalgError::Shape {
                op: "matrix rows".into(),
                left: Shape::Vector(cols),
                right: Shape::Vector(bad.len()),
            });
        }
        check_size(rows.len() * cols)?;
        Ok(Value::Matrix {
            rows: rows.len(),
            cols,
            data: rows.into_iter().flatten().collect(),
        })
    }

    /// Builds a vector.
    pub fn vector(items: Vec<Num>) -> Result<Value> {
        check_size(items.len())?;
        Ok(Value::Vector(items))
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

    fn with_elements(&self, data: Vec<Num>) -> Value {
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

    fn shape_error(&self, op: &str, other: &Value) -> LinalgError {
        LinalgError::Shape {
            op: op.into(),
            left: self.shape(),
            right: other.shape(),
        }
    }

    /// Applies `f` element by element: a scalar broadcasts, otherwise shapes must be equal.
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
            _ => Err(self.shape_error(op, other)),
        }
    }

    /// Sum of two values of the same shape (a scalar is added to every element).
    pub fn add(&self, other: &Value) -> Result<Value> {
        self.same_shape_or_scalar(other, "+")?;
        self.zip(other, "+", Num::add)
    }

    /// Difference of two values of the same shape.
    pub fn sub(&self, other: &Value) -> Result<Value> {
        self.same_shape_or_scalar(other, "−")?;
        self.zip(other, "−", Num::sub)
    }

    fn same_shape_or_scalar(&self, other: &Value, op: &str) -> Result<()> {
        // Adding a scalar to a vector is almost always a slip in a worked answer, so only
        // equal shapes (or two scalars) may be added.
        if self.shape() == other.shape() {
            Ok(())
        } else {
            Err(self.shape_error(op, other))
        }
    }

    /// Scalar × anything, or the elementwise (Hadamard) product of two equal shapes.
    pub fn mul_elementwise(&self, other: &Value) -> Result<Value> {
        self.zip(other, "*", Num::mul)
    }

    /// Division by a scalar, or elementwise division of two equal shapes.
    pub fn div(&self, other: &Value) -> Result<Value> {
        self.zip(other, "/", Num::div)
    }

    /// `−self`.
    pub fn neg(&self) -> Value {
        self.with_elements(self.elements().iter().map(Num::neg).collect())
    }

    /// The product written `·` or `@`: matrix·matrix, matrix·vector, vector·matrix, the dot
    /// product of two vectors, or scaling when either side is a scalar.
    pub fn dot(&self, other: &Value) -> Result<Value> {
        match (self, other) {
            (Value::Scalar(_), _) | (_, Value::Scalar(_)) => self.mul_elementwise(other),
            (Value::Vector(a), Value::Vector(b)) if a.len() == b.len() => {
                Ok(Value::Scalar(dot(a.iter(), b.iter())?))
            }
            (Value::Matrix { rows, cols, data }, Value::Vector(v)) if *cols == v.len() => {
                let out = (0..*rows)
                    .map(|r| dot(data[r * cols..(r + 1) * cols].iter(), v.iter()))
                    .collect::<Result<_>>()?;
                Ok(Value::Vector(out))
            }
            (Value::Vector(v), Value::Matrix { rows, cols, data }) if *rows == v.len() => {
                let out = (0..*cols)
                    .map(|c| dot(v.iter(), data.iter().skip(c).step_by(*cols)))
                    .collect::<Result<_>>()?;
                Ok(Value::Vector(out))
            }
            (
                Value::Matrix { rows, cols, data },
                Value::Matrix {
                    rows: r2,
                    cols: c2,
                    data: d2,
                },
            ) if cols == r2 => {
                check_size(rows * c2)?;
                let mut out = Vec::with_capacity(rows * c2);
                for r in 0..*rows {
                    for c in 0..*c2 {
                        out.push(dot(
                            data[r * cols..(r + 1) * cols].iter(),
                            d2.iter().skip(c).step_by(*c2),
                        )?);
                    }
                }
                Ok(Value::Matrix {
                    rows: *rows,
                    cols: *c2,
                    data: out,
                })
            }
            _ => Err(self.shape_error("·", other)),
        }
    }

    /// The outer product of two vectors: a matrix.
    pub fn outer(&self, other: &Value) -> Result<Value> {
        match (self, other) {
            (Value::Vector(a), Value::Vector(b)) => {
                check_size(a.len() * b.len())?;
                let data = a
                    .iter()
                    .flat_map(|x| b.iter().map(move |y| x.mul(y)))
                    .collect::<Result<_>>()?;
                Ok(Value::Matrix {
                    rows: a.len(),
                    cols: b.len(),
                    data,
                })
            }
            _ => Err(self.shape_error("outer", other)),
        }
    }

    /// The transpose of a matrix; a vector or scalar is its own transpose.
    pub fn transpose(&self) -> Value {
        match self {
            Value::Matrix { rows, cols, data } => Value::Matrix {
                rows: *cols,
                cols: *rows,
                data: (0..*cols)
                    .flat_map(|c| (0..*rows).map(move |r| data[r * cols + c].clone()))
                    .collect(),
            },
            other => other.clone(),
        }
    }

    /// `max(0, x)` element by element.
    pub fn relu(&self) -> Value {
        self.with_elements(
            self.elements()
                .iter()
                .map(|x| x.max(&Num::zero()))
                .collect(),
        )
    }

    /// The sum of all elements.
    pub fn sum(&self) -> Result<Num> {
        self.elements()
            .iter()
            .try_fold(Num::zero(), |acc, x| acc.add(x))
    }

    /// Softmax of a vector (exponentials normalised to sum to 1), in floats.
    pub fn softmax(&self) -> Result<Value> {
        let xs: Vec<f64> = self.elements().iter().map(Num::to_f64).collect();
        let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let exps: Vec<f64> = xs.iter().map(|x| (x - max).exp()).collect();
        let total: f64 = exps.iter().sum();
        Ok(self.with_elements(exps.into_iter().map(|e| Num::Approx(e / total)).collect()))
    }

    /// True when any element went through a float.
    pub fn is_approx(&self) -> bool {
        self.elements().iter().any(Num::is_approx)
    }
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
        assert_eq!(v(&[5, -1]).relu(), v(&[5, 0]));
    }

    #[test]
    fn transpose_of_a_product_reverses_it() {
        let a = m(&[&[1, 2, 3], &[4, 5, 6]]);
        let b = m(&[&[7, 8], &[9, 10], &[11, 12]]);
        let left = a.dot(&b).unwrap().transpose();
        let right = b.transpose().dot(&a.transpose()).unwrap();
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
        assert!(v(&[1, 2]).sub(&Value::Scalar(n(1))).is_err());
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
