//! The small linear-algebra module every worked answer is checked against.
//!
//! Numbers are exact rationals ([`Num::Exact`]) until a transcendental function (exp, log, sqrt,
//! tanh, sigmoid, softmax) forces a float ([`Num::Approx`]); `3.01` is 301/100 and
//! `0.1 + 0.2 = 0.3` holds exactly. Values are scalars, vectors and matrices ([`Value`]); every
//! operation checks shapes and names both of them when they do not fit. Sizes and magnitudes
//! are bounded so that no input can make a build hang or run out of memory: every operation
//! charges a work [`budget`].
//!
//! A vector is a column. `xᵀ` is a row: a 1×n matrix. A matrix with one column is a vector, so
//! the two never disagree; a product whose result is 1×1 (a row times a column) is a scalar.

pub mod budget;
mod matrix;
mod num;
mod rational;
mod value;

pub use num::{parse_decimal, Num};
pub use rational::Rational;
pub use value::{Shape, Value};

use std::fmt;

/// Largest number of bits a numerator or denominator may have (about 600 decimal digits).
pub const MAX_BITS: u64 = 2048;
/// Largest number of elements in one vector or matrix.
pub const MAX_ELEMENTS: usize = 10_000;

/// Why an operation could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum LinalgError {
    /// The operands' shapes do not fit the operation.
    Shape {
        /// The operation, as the author wrote it (e.g. `·`).
        op: String,
        /// Shape of the left operand.
        left: Shape,
        /// Shape of the right operand (same as left for unary operations).
        right: Shape,
        /// What the author probably meant, when the shapes suggest it.
        hint: Option<&'static str>,
    },
    /// The work budget of one expression ([`budget::MAX_WORK`]) is spent.
    Budget,
    /// An index outside a vector or matrix.
    Index(String),
    /// Division by zero.
    DivisionByZero,
    /// A number outside the bounds ([`MAX_BITS`], [`MAX_ELEMENTS`], or an exponent too large).
    TooLarge(String),
    /// A function applied outside its domain (log of a negative number, ...).
    Domain(String),
}

impl fmt::Display for LinalgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinalgError::Shape {
                op, left, right, ..
            } => {
                write!(
                    f,
                    "shape mismatch: `{op}` cannot combine a {left} with a {right}"
                )
            }
            LinalgError::DivisionByZero => write!(f, "division by zero"),
            LinalgError::TooLarge(what) => write!(f, "{what} is too large"),
            LinalgError::Domain(what) | LinalgError::Index(what) => write!(f, "{what}"),
            LinalgError::Budget => write!(
                f,
                "computation takes more than {} units of work",
                budget::MAX_WORK
            ),
        }
    }
}

impl LinalgError {
    /// What to do about the error, when something can be said.
    pub fn hint(&self) -> Option<String> {
        match self {
            LinalgError::Shape { hint, .. } => hint.map(str::to_string),
            LinalgError::Budget => Some(
                "functions that call each other repeatedly grow exponentially, and products of \
                 large matrices of long fractions are slow; simplify the computation"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// Result of a linear-algebra operation.
pub type Result<T> = std::result::Result<T, LinalgError>;
