//! Square-matrix functions: determinant, inverse, trace, diagonal, and integer powers. Exact
//! matrices give exact results (Gaussian elimination over the rationals).

use super::value::{matmul, shape_error};
use super::{budget, LinalgError, Num, Result, Shape, Value};

impl Value {
    /// The side of a square matrix (a scalar is 1×1), or a shape error naming `op`.
    fn square(&self, op: &str) -> Result<usize> {
        match self.shape() {
            Shape::Scalar => Ok(1),
            Shape::Matrix(r, c) if r == c => Ok(r),
            other => Err(shape_error(
                op,
                other,
                other,
                Some("this needs a square matrix"),
            )),
        }
    }

    /// The sum of the diagonal.
    pub fn trace(&self) -> Result<Num> {
        let n = self.square("trace")?;
        (0..n).try_fold(Num::zero(), |acc, i| acc.add(&self.elements()[i * n + i]))
    }

    /// `diag(v)`: a vector becomes the diagonal matrix with it on its diagonal; a square
    /// matrix gives its diagonal as a vector (as NumPy's `diag` does both).
    pub fn diag(&self) -> Result<Value> {
        match self {
            Value::Vector(v) => {
                let n = v.len();
                let mut m = Value::filled(Shape::Matrix(n, n), Num::zero())?;
                if let Value::Matrix { data, .. } = &mut m {
                    for (i, x) in v.iter().enumerate() {
                        data[i * n + i] = x.clone();
                    }
                }
                Ok(m)
            }
            _ => {
                let n = self.square("diag")?;
                Ok(Value::Vector(
                    (0..n).map(|i| self.elements()[i * n + i].clone()).collect(),
                ))
            }
        }
    }

    /// The determinant, by elimination (exact for exact matrices).
    pub fn det(&self) -> Result<Num> {
        let n = self.square("det")?;
        let mut a = self.elements().to_vec();
        let mut det = Num::int(1);
        for col in 0..n {
            let Some(pivot) = pivot_row(&a, n, col) else {
                return Ok(Num::zero());
            };
            if pivot != col {
                swap_rows(&mut a, n, pivot, col);
                det = det.neg();
            }
            det = det.mul(&a[col * n + col])?;
            eliminate(&mut a, n, col, col + 1..n)?;
        }
        Ok(det)
    }

    /// The inverse, by Gauss–Jordan elimination; a singular matrix is an error.
    pub fn inv(&self) -> Result<Value> {
        let n = self.square("inv")?;
        if let Value::Scalar(x) = self {
            return Ok(Value::Scalar(Num::int(1).div(x)?));
        }
        // Work on [A | I], 2n columns wide.
        let w = 2 * n;
        let mut a = Vec::with_capacity(n * w);
        for r in 0..n {
            a.extend_from_slice(&self.elements()[r * n..(r + 1) * n]);
            a.extend((0..n).map(|c| Num::int((c == r) as i64)));
        }
        for col in 0..n {
            let Some(pivot) = pivot_row_wide(&a, w, n, col) else {
                return Err(LinalgError::Domain(
                    "the matrix is singular (its determinant is 0): it has no inverse".into(),
                ));
            };
            if pivot != col {
                swap_rows(&mut a, w, pivot, col);
            }
            let p = a[col * w + col].clone();
            for c in 0..w {
                a[col * w + c] = a[col * w + c].div(&p)?;
            }
            eliminate(&mut a, w, col, (0..n).filter(|&r| r != col))?;
        }
        let data = (0..n)
            .flat_map(|r| a[r * w + n..(r + 1) * w].to_vec())
            .collect();
        Ok(Value::from_parts(n, n, data))
    }

    /// `A^k` for a square matrix and an integer k (negative: a power of the inverse), by
    /// repeated squaring.
    pub fn matrix_power(&self, k: i64) -> Result<Value> {
        let n = self.square("^")?;
        let mut base = if k < 0 { self.inv()? } else { self.clone() };
        let mut result = Value::eye(n)?;
        let mut e = k.unsigned_abs();
        while e > 0 {
            if e & 1 == 1 {
                result = square_product(&result, &base, n)?;
            }
            e >>= 1;
            if e > 0 {
                base = square_product(&base, &base, n)?;
            }
        }
        Ok(result)
    }
}

fn square_product(a: &Value, b: &Value, n: usize) -> Result<Value> {
    if n == 1 {
        return Ok(Value::Scalar(a.elements()[0].mul(&b.elements()[0])?));
    }
    matmul((n, n, a.elements()), (n, b.elements()))
}

/// The row to pivot on in `col`: the first non-zero for exact entries (exact arithmetic needs
/// no more), the largest magnitude once floats are involved (for stability).
fn pivot_row(a: &[Num], n: usize, col: usize) -> Option<usize> {
    pivot_row_wide(a, n, n, col)
}

fn pivot_row_wide(a: &[Num], width: usize, rows: usize, col: usize) -> Option<usize> {
    let candidates = (col..rows).filter(|&r| !a[r * width + col].is_zero());
    if a.iter().any(Num::is_approx) {
        candidates.max_by(|&x, &y| {
            a[x * width + col]
                .abs()
                .compare(&a[y * width + col].abs())
                .then(y.cmp(&x))
        })
    } else {
        candidates.into_iter().next()
    }
}

fn swap_rows(a: &mut [Num], width: usize, x: usize, y: usize) {
    for c in 0..width {
        a.swap(x * width + c, y * width + c);
    }
}

/// Subtracts multiples of row `col` from `rows` so their entries in `col` become zero.
fn eliminate(
    a: &mut [Num],
    width: usize,
    col: usize,
    rows: impl Iterator<Item = usize>,
) -> Result<()> {
    budget::charge(width as u64)?;
    let pivot = a[col * width + col].clone();
    for r in rows {
        if a[r * width + col].is_zero() {
            continue;
        }
        let factor = a[r * width + col].div(&pivot)?;
        for c in col..width {
            let delta = factor.mul(&a[col * width + c])?;
            a[r * width + c] = a[r * width + c].sub(&delta)?;
        }
    }
    Ok(())
}
