//! One number: an exact rational, or a float once a transcendental function has touched it.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{LinalgError, Result, MAX_BITS};

/// A number in a worked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// An exact rational: every number the author writes, and everything + − × ÷ make of them.
    Exact(BigRational),
    /// A float: the result of exp, log, sqrt, tanh, sigmoid or softmax, or anything touching one.
    Approx(f64),
}

/// Parses a decimal literal such as `3.01`, `-2`, `1e-3` into an exact rational.
pub fn parse_decimal(text: &str) -> Option<BigRational> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int_part}{frac_part}");
    if digits.is_empty() || exponent.abs() > 600 {
        return None;
    }
    let numer: BigInt = digits.parse().ok()?;
    let scale = exponent - frac_part.len() as i64;
    let ten = BigInt::from(10);
    let power = num_traits::pow(ten, scale.unsigned_abs() as usize);
    Some(if scale >= 0 {
        BigRational::from_integer(numer * power)
    } else {
        BigRational::new(numer, power)
    })
}

impl Num {
    /// An exact integer.
    pub fn int(n: i64) -> Num {
        Num::Exact(BigRational::from_integer(n.into()))
    }

    /// Zero, exactly.
    pub fn zero() -> Num {
        Num::int(0)
    }

    /// True when the number went through a float.
    pub fn is_approx(&self) -> bool {
        matches!(self, Num::Approx(_))
    }

    /// The number as a float.
    pub fn to_f64(&self) -> f64 {
        match self {
            Num::Exact(r) => r.to_f64().unwrap_or(f64::NAN),
            Num::Approx(x) => *x,
        }
    }

    fn checked(r: BigRational) -> Result<Num> {
        if r.numer().bits() > MAX_BITS || r.denom().bits() > MAX_BITS {
            return Err(LinalgError::TooLarge("a number".into()));
        }
        Ok(Num::Exact(r))
    }

    fn float(x: f64) -> Result<Num> {
        if x.is_finite() {
            Ok(Num::Approx(x))
        } else {
            Err(LinalgError::TooLarge("a floating-point result".into()))
        }
    }

    /// Applies an exact operation to two exact numbers, or a float one when either is a float.
    fn combine(
        &self,
        other: &Num,
        exact: impl FnOnce(&BigRational, &BigRational) -> BigRational,
        float: impl FnOnce(f64, f64) -> f64,
    ) -> Result<Num> {
        match (self, other) {
            (Num::Exact(a), Num::Exact(b)) => Num::checked(exact(a, b)),
            _ => Num::float(float(self.to_f64(), other.to_f64())),
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Num) -> Result<Num> {
        self.combine(other, |a, b| a + b, |a, b| a + b)
    }

    /// `self − other`.
    pub fn sub(&self, other: &Num) -> Result<Num> {
        self.combine(other, |a, b| a - b, |a, b| a - b)
    }

    /// `self × other`.
    pub fn mul(&self, other: &Num) -> Result<Num> {
        self.combine(other, |a, b| a * b, |a, b| a * b)
    }

    /// `self ÷ other`; an error when `other` is zero.
    pub fn div(&self, other: &Num) -> Result<Num> {
        if other.is_zero() {
            return Err(LinalgError::DivisionByZero);
        }
        self.combine(other, |a, b| a / b, |a, b| a / b)
    }

    /// `−self`.
    pub fn neg(&self) -> Num {
        match self {
            Num::Exact(r) => Num::Exact(-r),
            Num::Approx(x) => Num::Approx(-x),
        }
    }

    /// True for an exact or float zero.
    pub fn is_zero(&self) -> bool {
        match self {
            Num::Exact(r) => r.is_zero(),
            Num::Approx(x) => *x == 0.0,
        }
    }

    /// Orders two numbers (exactly when both are exact).
    pub fn compare(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::Exact(a), Num::Exact(b)) => a.cmp(b),
            _ => self
                .to_f64()
                .partial_cmp(&other.to_f64())
                .unwrap_or(Ordering::Equal),
        }
    }

    /// The larger of two numbers (the first on a tie).
    pub fn max(&self, other: &Num) -> Num {
        if other.compare(self) == Ordering::Greater {
            other.clone()
        } else {
            self.clone()
        }
    }

    /// The smaller of two numbers (the first on a tie).
    pub fn min(&self, other: &Num) -> Num {
        if other.compare(self) == Ordering::Less {
            other.clone()
        } else {
            self.clone()
        }
    }

    /// `self` raised to an integer power; exact for exact bases. Bounded before it is computed.
    pub fn pow(&self, exponent: &Num) -> Result<Num> {
        let e = match exponent {
            Num::Exact(r) if r.is_integer() => r.to_integer().to_i64(),
            _ => None,
        };
        match (self, e) {
            (Num::Exact(base), Some(e)) => {
                let bits = base.numer().bits().max(base.denom().bits());
                if e.unsigned_abs().saturating_mul(bits.max(1)) > MAX_BITS {
                    return Err(LinalgError::TooLarge("a power".into()));
                }
                if e < 0 && base.is_zero() {
                    return Err(LinalgError::DivisionByZero);
                }
                let power = num_traits::pow(base.clone(), e.unsigned_abs() as usize);
                Num::checked(if e < 0 { power.recip() } else { power })
            }
            _ => Num::float(self.to_f64().powf(exponent.to_f64())),
        }
    }

    /// Applies a float function (exp, tanh, ...) and marks the result approximate.
    pub fn apply_f64(&self, name: &str, f: impl Fn(f64) -> f64) -> Result<Num> {
        let y = f(self.to_f64());
        if y.is_nan() {
            return Err(LinalgError::Domain(format!(
                "{name} is not defined at {self}"
            )));
        }
        Num::float(y)
    }

    /// Rounds to `decimals` places (half away from zero), as a comparison at written precision.
    pub fn round_to(&self, decimals: u32) -> BigRational {
        let scale = BigRational::from_integer(num_traits::pow(BigInt::from(10), decimals as usize));
        let r = match self {
            Num::Exact(r) => r.clone(),
            Num::Approx(x) => BigRational::from_float(*x).unwrap_or_else(BigRational::zero),
        };
        (r * &scale).round() / scale
    }
}

impl fmt::Display for Num {
    /// Exact numbers print as decimals when they terminate (`3.01`), as fractions otherwise
    /// (`1/3`); floats print with up to 6 significant decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Exact(r) => write!(f, "{}", exact_to_string(r)),
            Num::Approx(x) => {
                let s = format!("{x:.6}");
                let s = s.trim_end_matches('0').trim_end_matches('.');
                write!(f, "{}", if s == "-0" { "0" } else { s })
            }
        }
    }
}

fn exact_to_string(r: &BigRational) -> String {
    if r.is_integer() {
        return r.numer().to_string();
    }
    // A fraction terminates in decimal when its reduced denominator has only 2s and 5s.
    let mut d = r.denom().clone();
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let mut places = 0usize;
    let mut twos = 0usize;
    let mut fives = 0usize;
    while (&d % &two).is_zero() {
        d /= &two;
        twos += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        fives += 1;
    }
    if !d.is_one() || twos.max(fives) > 40 {
        return format!("{}/{}", r.numer(), r.denom());
    }
    places += twos.max(fives);
    let scaled = (r.abs() * BigRational::from_integer(num_traits::pow(BigInt::from(10), places)))
        .to_integer()
        .to_string();
    let padded = format!("{scaled:0>width$}", width = places + 1);
    let (int, frac) = padded.split_at(padded.len() - places);
    let sign = if r.is_negative() { "-" } else { "" };
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Num {
        Num::Exact(parse_decimal(s).unwrap())
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(n("0.1").add(&n("0.2")).unwrap(), n("0.3"));
        assert_eq!(
            n("3.01").sub(&n("1")).unwrap().mul(&n("2")).unwrap(),
            n("4.02")
        );
        let third = n("1").div(&n("3")).unwrap();
        let one = third.add(&third).unwrap().add(&third).unwrap();
        assert_eq!(one, n("1"));
        assert_eq!(n("1e-3"), n("0.001"));
    }

    #[test]
    fn display_prefers_decimals() {
        assert_eq!(n("3.01").to_string(), "3.01");
        assert_eq!(n("-0.02").to_string(), "-0.02");
        assert_eq!(n("1").div(&n("3")).unwrap().to_string(), "1/3");
        assert_eq!(Num::Approx(0.7310585786).to_string(), "0.731059");
    }

    #[test]
    fn bounds_are_errors_not_hangs() {
        assert!(matches!(
            n("10").pow(&n("10000000000")),
            Err(LinalgError::TooLarge(_))
        ));
        assert!(matches!(
            n("1").div(&n("0")),
            Err(LinalgError::DivisionByZero)
        ));
        assert_eq!(n("2").pow(&n("-2")).unwrap(), n("0.25"));
    }

    #[test]
    fn rounding_at_written_precision() {
        let s = Num::Approx(0.7310585786);
        assert_eq!(s.round_to(2), parse_decimal("0.73").unwrap());
        assert_eq!(s.round_to(3), parse_decimal("0.731").unwrap());
    }
}
