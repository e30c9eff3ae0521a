//! The small linear-algebra module every worked answer is checked against.
//!
//! Numbers are exact rationals ([`Num::Exact`]) until a transcendental function (exp, log, sqrt,
//! tanh, sigmoid, softmax) forces a float ([`Num::Approx`]); `3.01` is 301/100 and
//! `0.1 + 0.2 = 0.3` holds exactly. Values are scalars, vectors and matrices ([`Value`]); every
//! operation checks shapes and names both of them when they do not fit. Sizes and magnitudes
//! are bounded so that no input can make a build hang or run out of memory.

mod num;
mod value;

pub use num::{parse_decimal, Num};
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
    },
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
            LinalgError::Shape { op, left, right } => {
                write!(
                    f,
                    "shape mismatch: `{op}` cannot combine a {left} with a {right}"
                )
            }
            LinalgError::DivisionByZero => write!(f, "division by zero"),
            LinalgError::TooLarge(what) => write!(f, "{what} is too large"),
            LinalgError::Domain(what) => write!(f, "{what}"),
        }
    }
}

/// Result of a linear-algebra operation.
pub type Result<T> = std::result::Result<T, LinalgError>;
