//! An exact rational held in two machine words while it fits them, as a big-number fraction
//! only beyond: a worked answer's numbers are small fractions, and a `BigRational` costs two
//! heap blocks for each of them, made, cloned and freed through every step (exact arithmetic
//! and its allocations were about a fifth of building a page with variants).

use std::borrow::Cow;
use std::cmp::Ordering;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};

/// An exact rational number.
///
/// One value has one form, so equality is structural: `Small(n, d)` whenever the reduced
/// fraction's numerator fits an `i64` other than `i64::MIN` (so negating it cannot overflow)
/// and its denominator an `i64`, with `d > 0` and `gcd(n, d) = 1`; `Big` otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rational(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    Small(i64, i64),
    Big(BigRational),
}

/// Largest magnitude whose conversion to `f64` is exact.
const EXACT_IN_F64: u64 = 1 << 53;

impl Rational {
    /// The integer `n`.
    pub fn from_integer(n: i64) -> Rational {
        Rational::from_parts(i128::from(n), 1)
    }

    /// `n / d` in lowest terms (`d` ≠ 0).
    pub fn ratio(n: i64, d: i64) -> Rational {
        Rational::from_parts(i128::from(n), i128::from(d))
    }

    /// A big-number fraction (in lowest terms, as `BigRational` keeps itself), small when it fits.
    pub fn from_big(r: BigRational) -> Rational {
        match (r.numer().to_i64(), r.denom().to_i64()) {
            (Some(n), Some(d)) if n != i64::MIN => Rational(Repr::Small(n, d)),
            _ => Rational(Repr::Big(r)),
        }
    }

    /// `n / d` reduced (`d` ≠ 0; both parts below 2^127 in magnitude).
    pub fn from_parts(n: i128, d: i128) -> Rational {
        // Most results fit machine words: reduced there, where a 128-bit division is a
        // library call.
        if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d)) {
            if d == 1 && n != i64::MIN {
                return Rational(Repr::Small(n, 1));
            }
            if n != i64::MIN && d != i64::MIN {
                let g = gcd(n.unsigned_abs().into(), d.unsigned_abs().into()).max(1) as i64;
                let sign = d.signum();
                return Rational(Repr::Small(sign * n / g, sign * d / g));
            }
        }
        let g = gcd(n.unsigned_abs(), d.unsigned_abs()).max(1) as i128;
        let (n, d) = if d < 0 {
            (-n / g, -d / g)
        } else {
            (n / g, d / g)
        };
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(n), Ok(d)) if n != i64::MIN => Rational(Repr::Small(n, d)),
            _ => Rational(Repr::Big(BigRational::new_raw(n.into(), d.into()))),
        }
    }

    /// The numerator and denominator, when the number is held in machine words.
    pub fn small(&self) -> Option<(i64, i64)> {
        match self.0 {
            Repr::Small(n, d) => Some((n, d)),
            Repr::Big(_) => None,
        }
    }

    /// The number as a big-number fraction (made for a small one).
    pub fn big(&self) -> Cow<'_, BigRational> {
        match &self.0 {
            Repr::Small(n, d) => Cow::Owned(BigRational::new_raw((*n).into(), (*d).into())),
            Repr::Big(r) => Cow::Borrowed(r),
        }
    }

    /// The numerator.
    pub fn numer(&self) -> BigInt {
        match &self.0 {
            Repr::Small(n, _) => (*n).into(),
            Repr::Big(r) => r.numer().clone(),
        }
    }

    /// The denominator (positive).
    pub fn denom(&self) -> BigInt {
        match &self.0 {
            Repr::Small(_, d) => (*d).into(),
            Repr::Big(r) => r.denom().clone(),
        }
    }

    /// Bits of the numerator's magnitude and of the denominator, as `BigInt::bits` counts them.
    pub fn bits(&self) -> (u64, u64) {
        let bits = |x: u64| u64::from(u64::BITS - x.leading_zeros());
        match &self.0 {
            Repr::Small(n, d) => (bits(n.unsigned_abs()), bits(d.unsigned_abs())),
            Repr::Big(r) => (r.numer().bits(), r.denom().bits()),
        }
    }

    /// True for 0.
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small(0, _))
    }

    /// True for 1.
    pub fn is_one(&self) -> bool {
        matches!(self.0, Repr::Small(1, 1))
    }

    /// True for a whole number.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small(_, d) => *d == 1,
            Repr::Big(r) => r.is_integer(),
        }
    }

    /// True below 0.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n < 0,
            Repr::Big(r) => r.is_negative(),
        }
    }

    /// The number as a machine integer, when it is a whole number that fits one.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Small(n, 1) => Some(*n),
            Repr::Small(..) => None,
            Repr::Big(r) if r.is_integer() => r.to_integer().to_i64(),
            Repr::Big(_) => None,
        }
    }

    /// The nearest float, as `BigRational::to_f64` gives it (`None` beyond the float range).
    pub fn to_f64(&self) -> Option<f64> {
        match &self.0 {
            // Both parts exact in a float: one division, correctly rounded.
            Repr::Small(n, d)
                if n.unsigned_abs() <= EXACT_IN_F64 && d.unsigned_abs() <= EXACT_IN_F64 =>
            {
                Some(*n as f64 / *d as f64)
            }
            _ => self.big().to_f64(),
        }
    }

    /// `−self`.
    pub fn neg(&self) -> Rational {
        match &self.0 {
            Repr::Small(n, d) => Rational(Repr::Small(-n, *d)),
            Repr::Big(r) => Rational::from_big(-r),
        }
    }

    /// `|self|`.
    pub fn abs(&self) -> Rational {
        match &self.0 {
            Repr::Small(n, d) => Rational(Repr::Small(n.abs(), *d)),
            Repr::Big(r) => Rational::from_big(r.abs()),
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Rational) -> Rational {
        match (&self.0, &other.0) {
            (Repr::Small(a, b), Repr::Small(c, d)) => {
                let (a, b, c, d) = wide(*a, *b, *c, *d);
                Rational::from_parts(a * d + c * b, b * d)
            }
            _ => Rational::from_big(&*self.big() + &*other.big()),
        }
    }

    /// `self − other`.
    pub fn sub(&self, other: &Rational) -> Rational {
        match (&self.0, &other.0) {
            (Repr::Small(a, b), Repr::Small(c, d)) => {
                let (a, b, c, d) = wide(*a, *b, *c, *d);
                Rational::from_parts(a * d - c * b, b * d)
            }
            _ => Rational::from_big(&*self.big() - &*other.big()),
        }
    }

    /// `self × other`.
    pub fn mul(&self, other: &Rational) -> Rational {
        match (&self.0, &other.0) {
            (Repr::Small(a, b), Repr::Small(c, d)) => {
                let (a, b, c, d) = wide(*a, *b, *c, *d);
                Rational::from_parts(a * c, b * d)
            }
            _ => Rational::from_big(&*self.big() * &*other.big()),
        }
    }

    /// `self ÷ other` (`other` ≠ 0).
    pub fn div(&self, other: &Rational) -> Rational {
        match (&self.0, &other.0) {
            (Repr::Small(a, b), Repr::Small(c, d)) => {
                let (a, b, c, d) = wide(*a, *b, *c, *d);
                Rational::from_parts(a * d, b * c)
            }
            _ => Rational::from_big(&*self.big() / &*other.big()),
        }
    }
}

impl std::ops::Neg for Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        Rational::neg(&self)
    }
}

/// The four parts in 128 bits: each below 2^63 in magnitude, so any product of two is below
/// 2^126 and a sum of two products below 2^127.
fn wide(a: i64, b: i64, c: i64, d: i64) -> (i128, i128, i128, i128) {
    (a.into(), b.into(), c.into(), d.into())
}

/// The greatest common divisor of `a` and `b` (`b` when `a` is 0): Euclid's in machine words
/// when both fit one (a 128-bit remainder is a library call), binary (shifts and subtractions)
/// otherwise.
fn gcd(a: u128, b: u128) -> u128 {
    if let (Ok(mut a), Ok(mut b)) = (u64::try_from(a), u64::try_from(b)) {
        while a != 0 {
            (a, b) = (b % a, a);
        }
        return u128::from(b);
    }
    let (mut a, mut b) = (a, b);
    if a == 0 || b == 0 {
        return a | b;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

impl Ord for Rational {
    fn cmp(&self, other: &Rational) -> Ordering {
        match (&self.0, &other.0) {
            // Denominators are positive: compare the cross products.
            (Repr::Small(a, b), Repr::Small(c, d)) => {
                let (a, b, c, d) = wide(*a, *b, *c, *d);
                (a * d).cmp(&(c * b))
            }
            _ => self.big().cmp(&other.big()),
        }
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Rational) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation agrees with big-number arithmetic, at the edges of the machine words
    /// too, and its result has the one form of its value.
    #[test]
    fn small_and_big_agree() {
        let edges = [
            0i64,
            1,
            -1,
            2,
            -3,
            7,
            1 << 31,
            (1 << 53) + 1,
            i64::MAX,
            -i64::MAX,
            i64::MIN + 1,
            (1 << 62) - 57,
        ];
        let mut values: Vec<Rational> = Vec::new();
        for &n in &edges {
            for &d in &edges {
                if d != 0 {
                    values.push(Rational::from_big(BigRational::new(n.into(), d.into())));
                }
            }
        }
        values.push(Rational::from_big(BigRational::new(
            BigInt::from(i64::MIN),
            BigInt::from(3),
        )));
        values.push(Rational::from_big(BigRational::new(
            BigInt::from(u64::MAX) * 5,
            BigInt::from(7),
        )));
        let canonical = |r: &Rational| Rational::from_big(r.big().into_owned()) == *r;
        for x in &values {
            assert!(canonical(x), "{x:?}");
            assert_eq!(x.neg().big().into_owned(), -x.big().into_owned());
            assert_eq!(x.abs().big().into_owned(), x.big().abs());
            assert_eq!(x.to_f64(), x.big().to_f64(), "{x:?}");
            assert_eq!(x.bits(), (x.big().numer().bits(), x.big().denom().bits()));
            for y in &values {
                let (bx, by) = (x.big().into_owned(), y.big().into_owned());
                for (got, want) in [
                    (x.add(y), &bx + &by),
                    (x.sub(y), &bx - &by),
                    (x.mul(y), &bx * &by),
                ] {
                    assert_eq!(got.big().into_owned(), want, "{x:?} {y:?}");
                    assert!(canonical(&got), "{got:?}");
                }
                if !y.is_zero() {
                    let got = x.div(y);
                    assert_eq!(got.big().into_owned(), &bx / &by, "{x:?} / {y:?}");
                    assert!(canonical(&got));
                }
                assert_eq!(x.cmp(y), bx.cmp(&by), "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn binary_gcd_matches_euclid() {
        let euclid = |mut a: u128, mut b: u128| {
            while a != 0 {
                (a, b) = (b % a, a);
            }
            b
        };
        let samples = [
            0u128,
            1,
            6,
            1 << 64,
            (1 << 64) * 3,
            u128::from(u64::MAX) * 12,
            (1u128 << 126) - 2,
            97 << 70,
        ];
        for &a in &samples {
            for &b in &samples {
                assert_eq!(gcd(a, b), euclid(a, b), "{a} {b}");
            }
        }
    }
}
