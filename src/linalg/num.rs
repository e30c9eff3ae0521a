//! One number: an exact rational, or a float once a transcendental function has touched it.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::rational::Rational;
use super::{budget, LinalgError, Result, MAX_BITS};

/// A number in a worked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// An exact rational: every number the author writes, and everything + − × ÷ make of them.
    Exact(Rational),
    /// A float: the result of exp, log, sqrt, tanh, sigmoid or softmax, or anything touching one.
    Approx(f64),
}

/// Parses a decimal literal such as `3.01`, `-2`, `1e-3` into an exact rational.
pub fn parse_decimal(text: &str) -> Option<Rational> {
    // Most literals are short (`2`, `-1`, `0.25`): machine integers parse them without
    // big-number string conversion and powers.
    if text.len() <= 18 && !text.contains(['e', 'E']) {
        let (int_part, frac_part) = text.split_once('.').unwrap_or((text, ""));
        if let Some(numer) = small_decimal(int_part, frac_part) {
            let denom = 10i64.pow(frac_part.len() as u32);
            // Reduced in machine integers rather than by `new`'s big-number gcd (every literal
            // of every check is parsed): the one canonical form `new` gives.
            return Some(Rational::ratio(numer, denom));
        }
    }
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
    Some(Rational::from_big(if scale >= 0 {
        BigRational::from_integer(numer * power)
    } else {
        BigRational::new(numer, power)
    }))
}

/// The digits of `int_part` then `frac_part` as one integer, as `"{int_part}{frac_part}"`
/// parses as an `i64`, without making that string (every literal of every check is parsed).
fn small_decimal(int_part: &str, frac_part: &str) -> Option<i64> {
    let mut bytes = int_part.bytes().chain(frac_part.bytes()).peekable();
    // Only a leading sign, then digits (`i64::from_str` takes a `+`, a `-`, nothing else).
    let negative = match bytes.peek() {
        Some(b'-') => true,
        Some(b'+') => false,
        _ => return digits_value(bytes, false),
    };
    bytes.next();
    digits_value(bytes, negative)
}

/// The value of a run of at least one ASCII digit, negated when `negative`; `None` for anything
/// else or a value past `i64`.
fn digits_value(bytes: impl Iterator<Item = u8>, negative: bool) -> Option<i64> {
    let mut n: i64 = 0;
    let mut any = false;
    for b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        any = true;
        let d = i64::from(b - b'0');
        // Accumulated with its sign, as `from_str` does, so `i64::MIN` parses too.
        n = n.checked_mul(10)?;
        n = if negative {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    any.then_some(n)
}

impl Num {
    /// An exact integer.
    pub fn int(n: i64) -> Num {
        Num::Exact(Rational::from_integer(n))
    }

    /// Zero, exactly.
    pub fn zero() -> Num {
        Num::int(0)
    }

    /// A float result of `what`: an error when it is not a finite number, so a NaN or an
    /// infinity can never reach a comparison (where it would round to anything).
    pub fn approx(x: f64, what: &str) -> Result<Num> {
        if x.is_finite() {
            Ok(Num::Approx(x))
        } else if x.is_nan() {
            Err(LinalgError::Domain(format!("{what} is not a real number")))
        } else {
            Err(LinalgError::TooLarge(format!(
                "{what} (beyond the floating-point range, about 1.8e308)"
            )))
        }
    }

    /// True when the number went through a float.
    pub fn is_approx(&self) -> bool {
        matches!(self, Num::Approx(_))
    }

    /// The number as a float (±∞ for an exact number beyond the float range).
    pub fn to_f64(&self) -> f64 {
        match self {
            Num::Exact(r) => r.to_f64().unwrap_or_else(|| {
                if r.is_negative() {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }),
            Num::Approx(x) => *x,
        }
    }

    /// The number as a float, or an error naming `what` when it does not fit one.
    pub fn to_finite(&self, what: &str) -> Result<f64> {
        let x = self.to_f64();
        if x.is_finite() {
            Ok(x)
        } else {
            Err(LinalgError::TooLarge(format!(
                "{self} in {what} (beyond the floating-point range, about 1.8e308)"
            )))
        }
    }

    /// The exact value, if the number is exact.
    pub fn exact(&self) -> Option<&Rational> {
        match self {
            Num::Exact(r) => Some(r),
            Num::Approx(_) => None,
        }
    }

    /// The number as a machine integer, when it is an exact integer that fits one.
    pub fn to_integer(&self) -> Option<i64> {
        match self {
            Num::Exact(r) => r.to_i64(),
            _ => None,
        }
    }

    fn checked(r: Rational) -> Result<Num> {
        let (numer, denom) = r.bits();
        if numer > MAX_BITS || denom > MAX_BITS {
            return Err(LinalgError::TooLarge("a number".into()));
        }
        Ok(Num::Exact(r))
    }

    /// Machine words an exact number occupies (0 for small ones and floats).
    fn words(&self) -> u64 {
        match self {
            Num::Exact(r) => {
                let (numer, denom) = r.bits();
                (numer + denom) / 64
            }
            Num::Approx(_) => 0,
        }
    }

    /// Applies an exact operation to two exact numbers, or a float one when either is a float.
    /// Charges the work budget first: big-number work grows with the product of the sizes.
    fn combine(
        &self,
        other: &Num,
        op: &str,
        exact: impl FnOnce(&Rational, &Rational) -> Rational,
        float: impl FnOnce(f64, f64) -> f64,
    ) -> Result<Num> {
        // Schoolbook products and the gcd that reduces a fraction grow with the square of
        // the operands' size.
        let words = self.words() + other.words() + 1;
        budget::charge(words * words)?;
        match (self, other) {
            // Worked answers are mostly small fractions: machine arithmetic, one gcd.
            (Num::Exact(a), Num::Exact(b)) => Num::checked(exact(a, b)),
            _ => Num::approx(
                float(self.to_finite(op)?, other.to_finite(op)?),
                &format!("the result of `{op}`"),
            ),
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Num) -> Result<Num> {
        self.combine(other, "+", Rational::add, |a, b| a + b)
    }

    /// `self − other`.
    pub fn sub(&self, other: &Num) -> Result<Num> {
        self.combine(other, "−", Rational::sub, |a, b| a - b)
    }

    /// `self × other`.
    pub fn mul(&self, other: &Num) -> Result<Num> {
        self.combine(other, "×", Rational::mul, |a, b| a * b)
    }

    /// `self ÷ other`; an error when `other` is zero.
    pub fn div(&self, other: &Num) -> Result<Num> {
        if other.is_zero() {
            return Err(LinalgError::DivisionByZero);
        }
        self.combine(other, "/", Rational::div, |a, b| a / b)
    }

    /// `−self`.
    pub fn neg(&self) -> Num {
        match self {
            Num::Exact(r) => Num::Exact(r.neg()),
            Num::Approx(x) => Num::Approx(-x),
        }
    }

    /// `|self|`.
    pub fn abs(&self) -> Num {
        match self {
            Num::Exact(r) => Num::Exact(r.abs()),
            Num::Approx(x) => Num::Approx(x.abs()),
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

    /// `self` raised to a power: exact for an exact base and integer exponent, bounded before
    /// it is computed; a float otherwise. A negative base to a fractional power is a domain
    /// error, not a NaN.
    pub fn pow(&self, exponent: &Num) -> Result<Num> {
        match (self, exponent.to_integer()) {
            (Num::Exact(base), Some(e)) => {
                if e < 0 && base.is_zero() {
                    return Err(LinalgError::DivisionByZero);
                }
                // 0, 1 and −1 stay small whatever the exponent.
                if base.is_zero() || base.abs().is_one() {
                    let odd = e % 2 != 0;
                    return Ok(if base.is_negative() && !odd {
                        Num::int(1)
                    } else {
                        self.clone()
                    });
                }
                let (numer, denom) = base.bits();
                let bits = numer.max(denom);
                if e.unsigned_abs().saturating_mul(bits.max(1)) > MAX_BITS {
                    return Err(LinalgError::TooLarge(format!(
                        "{} to the power {e} (over {MAX_BITS} bits)",
                        self.brief()
                    )));
                }
                budget::charge(e.unsigned_abs().saturating_mul(self.words() + 1))?;
                let power = num_traits::pow(base.big().into_owned(), e.unsigned_abs() as usize);
                Num::checked(Rational::from_big(if e < 0 {
                    power.recip()
                } else {
                    power
                }))
            }
            _ => {
                budget::charge(1)?;
                let (b, k) = (self.to_finite("^")?, exponent.to_finite("^")?);
                if b < 0.0 && k.fract() != 0.0 {
                    return Err(LinalgError::Domain(format!(
                        "{} to the power {} has no real value (a negative number to a fractional power)",
                        self.brief(),
                        exponent.brief()
                    )));
                }
                if b == 0.0 && k < 0.0 {
                    return Err(LinalgError::DivisionByZero);
                }
                Num::approx(
                    b.powf(k),
                    &format!("{} ^ {}", self.brief(), exponent.brief()),
                )
            }
        }
    }

    /// A float function (`exp`, `log`, `sqrt`, `tanh`, `sigmoid`) of the number. Points where the
    /// result is rational stay exact (`exp(0) = 1`, `sqrt(9/4) = 3/2`, `sigmoid(0) = 1/2`), so
    /// `=` can state them; outside the domain is an error that says so.
    pub fn function(&self, name: &str) -> Result<Num> {
        budget::charge(1)?;
        if let Some(exact) = self.exact_function(name) {
            return Ok(exact);
        }
        let x = self.to_f64();
        let positive = self.compare(&Num::zero()).is_gt();
        let domain = |what: &str| {
            Err(LinalgError::Domain(format!(
                "{name} is not defined at {} ({what})",
                self.brief()
            )))
        };
        let y = match name {
            "exp" => x.exp(),
            "log" if !positive => return domain("its domain is x > 0"),
            "log" => x.ln(),
            "sqrt" if self.compare(&Num::zero()).is_lt() => return domain("its domain is x ≥ 0"),
            "sqrt" => x.sqrt(),
            "tanh" => x.tanh(),
            "sigmoid" => 1.0 / (1.0 + (-x).exp()),
            _ => return Err(LinalgError::Domain(format!("unknown function `{name}`"))),
        };
        Num::approx(y, &format!("{name}({})", self.brief()))
    }

    fn exact_function(&self, name: &str) -> Option<Num> {
        let r = self.exact()?;
        match name {
            "exp" if r.is_zero() => Some(Num::int(1)),
            "log" if r.is_one() => Some(Num::zero()),
            "tanh" if r.is_zero() => Some(Num::zero()),
            "sigmoid" if r.is_zero() => Some(Num::Exact(Rational::ratio(1, 2))),
            "sqrt" if !r.is_negative() => {
                let (numer, denom) = (r.numer(), r.denom());
                let (n, d) = (numer.sqrt(), denom.sqrt());
                (&n * &n == numer && &d * &d == denom)
                    .then(|| Num::Exact(Rational::from_big(BigRational::new(n, d))))
            }
            _ => None,
        }
    }

    /// The number written with exactly `d` decimals (rounded half away from zero).
    pub fn fixed(&self, d: u32) -> String {
        let rounded = Num::Exact(self.round_to(d));
        let scaled = rounded
            .mul(&Num::Exact(Rational::from_big(BigRational::from_integer(
                num_traits::pow(BigInt::from(10), d as usize),
            ))))
            .ok()
            .and_then(|n| n.to_integer().map(|i| i.unsigned_abs().to_string()))
            .unwrap_or_else(|| rounded.to_string());
        if d == 0 || scaled.contains('/') {
            return rounded.to_string();
        }
        let padded = format!("{scaled:0>width$}", width = d as usize + 1);
        let (int, frac) = padded.split_at(padded.len() - d as usize);
        let negative = rounded.compare(&Num::zero()).is_lt();
        format!("{}{int}.{frac}", if negative { "-" } else { "" })
    }

    /// Rounds to `decimals` places (half away from zero), as a comparison at written precision.
    pub fn round_to(&self, decimals: u32) -> Rational {
        if let Some(rounded) = self.round_to_small(decimals) {
            return rounded;
        }
        self.round_to_big(decimals)
    }

    /// [`Num::round_to`] in 128-bit integers, when the number's parts and the scale fit: every
    /// check rounds, and big-number arithmetic (a float made exact has a denominator of up to
    /// 2^1074) was over a quarter of verification's time. `None` when they do not fit.
    fn round_to_small(&self, decimals: u32) -> Option<Rational> {
        let scale = 10i128.checked_pow(decimals)?;
        let rounded = match self {
            Num::Exact(r) => {
                let (numer, denom) = r.small()?;
                round_half_away(i128::from(numer).checked_mul(scale)?, i128::from(denom))
            }
            Num::Approx(x) => {
                if !x.is_finite() {
                    return None;
                }
                // x = sign × mantissa × 2^exponent, exactly.
                let (mantissa, exponent, sign) = num_traits::float::FloatCore::integer_decode(*x);
                let scaled = i128::from(mantissa).checked_mul(scale)?;
                let shift = u32::from(exponent.unsigned_abs());
                let magnitude = if scaled == 0 {
                    0
                } else if exponent >= 0 {
                    let shifted = scaled.checked_shl(shift)?;
                    // A shift that pushed bits out (or into the sign) is too big.
                    (shifted >> shift == scaled).then_some(shifted)?
                } else {
                    if shift > 126 {
                        return None;
                    }
                    round_half_away(scaled, 1i128 << shift)
                };
                if sign < 0 {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        Some(Rational::from_parts(rounded, scale))
    }

    fn round_to_big(&self, decimals: u32) -> Rational {
        let scale = BigRational::from_integer(num_traits::pow(BigInt::from(10), decimals as usize));
        let r = match self {
            Num::Exact(r) => r.big().into_owned(),
            Num::Approx(x) => BigRational::from_float(*x).unwrap_or_else(BigRational::zero),
        };
        Rational::from_big((r * &scale).round() / scale)
    }

    /// The number as an error message shows it: in full when short, else its leading digits
    /// and size, so a message never runs to megabytes.
    pub fn brief(&self) -> String {
        let full = self.to_string();
        if full.len() <= 40 {
            return full;
        }
        let x = self.to_f64();
        if x.is_finite() && x != 0.0 {
            format!("≈{x:.6e} ({} characters exactly)", full.len())
        } else {
            format!("{}… ({} characters)", &full[..30], full.len())
        }
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

/// `n / d` rounded to the nearest integer, halves away from zero (`d > 0`).
fn round_half_away(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    // |r| < d <= 2^126, so doubling it cannot overflow.
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

fn exact_to_string(r: &Rational) -> String {
    if let Some(small) = r.small().and_then(small_exact_to_string) {
        return small;
    }
    big_exact_to_string(&r.big())
}

/// [`exact_to_string`] in machine integers, when the fraction's parts fit in an `i64` (every
/// number a worked answer shows is printed; big-number division was most of printing one).
fn small_exact_to_string((numer, denom): (i64, i64)) -> Option<String> {
    if denom == 1 {
        return Some(numer.to_string());
    }
    let (mut d, mut twos, mut fives) = (denom, 0u32, 0u32);
    while d % 2 == 0 {
        d /= 2;
        twos += 1;
    }
    while d % 5 == 0 {
        d /= 5;
        fives += 1;
    }
    if d != 1 {
        return Some(format!("{numer}/{denom}"));
    }
    // The denominator is 2^twos 5^fives < 2^63, so `places` is at most 62 and the scale a
    // power of ten that may not fit: past 10^38, leave it to big numbers.
    let places = twos.max(fives);
    let scale = 10i128.checked_pow(places)?;
    let scaled = (i128::from(numer).unsigned_abs()).checked_mul(scale.unsigned_abs())?
        / i128::from(denom).unsigned_abs();
    let places = places as usize;
    let padded = format!("{scaled:0>width$}", width = places + 1);
    let (int, frac) = padded.split_at(padded.len() - places);
    let sign = if numer < 0 { "-" } else { "" };
    Some(format!("{sign}{int}.{frac}"))
}

fn big_exact_to_string(r: &BigRational) -> String {
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
    fn signed_zeros_and_trailing_zeros_parse_reduced() {
        let ratio = |n: i64, d: i64| Some(Rational::ratio(n, d));
        assert_eq!(parse_decimal("-0.5"), ratio(-1, 2));
        assert_eq!(parse_decimal("-0"), ratio(0, 1));
        assert_eq!(parse_decimal("0.000"), ratio(0, 1));
        assert_eq!(parse_decimal("+3.10"), ratio(31, 10));
        assert_eq!(parse_decimal("-12.50"), ratio(-25, 2));
        assert_eq!(parse_decimal("0.125"), ratio(1, 8));
    }

    proptest::proptest! {
        #[test]
        fn short_literals_parse_to_the_reduced_ratio(int in -99_999_999i64..99_999_999, frac in "[0-9]{0,9}") {
            let text = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
            let numer: BigInt = format!("{int}{frac}").parse().unwrap();
            let denom = BigInt::from(10).pow(frac.len() as u32);
            proptest::prop_assert_eq!(parse_decimal(&text), Some(Rational::from_big(BigRational::new(numer, denom))));
        }

        /// The machine-integer path agrees with big-number arithmetic, signs and all, for
        /// small fractions and for parts of up to 64 bits.
        #[test]
        fn small_fractions_match_big_arithmetic(
            a in proptest::prop_oneof![-2_000_000_000i64..2_000_000_000, proptest::num::i64::ANY],
            b in proptest::prop_oneof![1i64..2_000_000_000, 1i64..i64::MAX],
            c in proptest::prop_oneof![-2_000_000_000i64..2_000_000_000, proptest::num::i64::ANY],
            d in proptest::prop_oneof![1i64..2_000_000_000, 1i64..i64::MAX],
        ) {
            let x = BigRational::new(a.into(), b.into());
            let y = BigRational::new(c.into(), d.into());
            let exact = |r: BigRational| Num::Exact(Rational::from_big(r));
            let (p, q) = (exact(x.clone()), exact(y.clone()));
            proptest::prop_assert_eq!(p.add(&q).unwrap(), exact(&x + &y));
            proptest::prop_assert_eq!(p.sub(&q).unwrap(), exact(&x - &y));
            proptest::prop_assert_eq!(p.mul(&q).unwrap(), exact(&x * &y));
            proptest::prop_assert_eq!(p.compare(&q), x.cmp(&y));
            proptest::prop_assert_eq!(p.to_f64(), num_traits::ToPrimitive::to_f64(&x).unwrap());
            proptest::prop_assert_eq!(p.to_string(), big_exact_to_string(&x));
            if c != 0 {
                proptest::prop_assert_eq!(p.div(&q).unwrap(), exact(&x / &y));
            }
        }

        /// Rounding in machine integers agrees with big-number rounding, for fractions and for
        /// floats of every size, halves included.
        #[test]
        fn small_rounding_matches_big_rounding(
            a in proptest::prop_oneof![
                -10_000i64..10_000,
                proptest::num::i64::ANY,
            ],
            b in proptest::prop_oneof![
                proptest::sample::select(vec![1i64, 2, 4, 8, 16, 20, 40, 80, 1000, 2000]),
                1i64..i64::MAX,
            ],
            bits in proptest::num::u64::ANY,
            small in -1e6f64..1e6,
            decimals in 0u32..40,
        ) {
            let exact = Num::Exact(Rational::from_big(BigRational::new(a.into(), b.into())));
            for x in [exact, Num::Approx(f64::from_bits(bits)), Num::Approx(small)] {
                if let Some(fast) = x.round_to_small(decimals) {
                    proptest::prop_assert_eq!(fast, x.round_to_big(decimals), "{:?}", x);
                }
            }
        }
    }

    proptest::proptest! {
        /// Printing in machine integers prints what big numbers print: integers, terminating
        /// decimals of any length, fractions.
        #[test]
        fn small_printing_matches_big_printing(
            a in proptest::prop_oneof![-10_000i64..10_000, proptest::num::i64::ANY],
            twos in 0u32..63,
            fives in 0u32..27,
            other in proptest::sample::select(vec![1i64, 1, 1, 3, 7, 9]),
        ) {
            let Some(b) = 2i64
                .checked_pow(twos)
                .and_then(|t| 5i64.checked_pow(fives).and_then(|f| t.checked_mul(f)))
                .and_then(|d| d.checked_mul(other))
            else {
                return Ok(());
            };
            let r = BigRational::new(a.into(), b.into());
            let parts = num_traits::ToPrimitive::to_i64(r.numer())
                .zip(num_traits::ToPrimitive::to_i64(r.denom()));
            if let Some(small) = parts.and_then(small_exact_to_string) {
                proptest::prop_assert_eq!(small, big_exact_to_string(&r), "{}/{}", a, b);
            }
        }
    }

    #[test]
    fn small_decimals_parse_as_their_joined_digits_do() {
        let parts = [
            "",
            "-",
            "+",
            "0",
            "12",
            "-3",
            "+4",
            "--5",
            "+-6",
            "1a",
            "٣",
            " 7",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "00",
        ];
        for int_part in parts {
            for frac_part in ["", "5", "25", "-1", "+1", "x", "0000000000000000001"] {
                let joined = format!("{int_part}{frac_part}").parse::<i64>().ok();
                assert_eq!(
                    small_decimal(int_part, frac_part),
                    joined,
                    "{int_part:?} {frac_part:?}"
                );
            }
        }
    }

    #[test]
    fn small_rounding_takes_halves_away_from_zero() {
        for (x, decimals) in [
            (n("0.125"), 2),
            (n("-0.125"), 2),
            (n("2.5"), 0),
            (n("-2.5"), 0),
            (Num::Approx(0.125), 2),
            (Num::Approx(-2.5), 0),
            (Num::Approx(1e300), 3),
            (Num::Approx(0.0), 4),
            (Num::Approx(-0.0), 4),
            (Num::Approx(5e-324), 2),
        ] {
            assert_eq!(x.round_to(decimals), x.round_to_big(decimals), "{x:?}");
        }
        assert!(Num::Approx(0.125).round_to_small(2).is_some());
        assert_eq!(n("0.125").round_to(2), parse_decimal("0.13").unwrap());
        assert_eq!(n("-0.125").round_to(2), parse_decimal("-0.13").unwrap());
    }

    #[test]
    fn rounding_at_written_precision() {
        let s = Num::Approx(0.7310585786);
        assert_eq!(s.round_to(2), parse_decimal("0.73").unwrap());
        assert_eq!(s.round_to(3), parse_decimal("0.731").unwrap());
    }
}
