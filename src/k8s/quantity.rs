//! Kubernetes resource quantities (`500m`, `1.5Gi`, `1e3`), parsed exactly.
//!
//! The grammar is apimachinery's (`k8s.io/apimachinery/pkg/api/resource`):
//!
//! ```text
//! quantity  ::= sign? number suffix
//! number    ::= digits | digits "." digits | digits "." | "." digits
//! suffix    ::= "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E"     (powers of 1000)
//!             | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"                      (powers of 1024)
//!             | ("e" | "E") sign? digits                                     (powers of 10)
//! ```
//!
//! A value is held exactly as `digits x 10^exp10 x 2^exp2` and converted the way kube-scheduler
//! reads it: cpu with [`Quantity::milli_value`] (millicores, rounded up), everything else with
//! [`Quantity::value`] (whole units, rounded up). No floating point is involved until the
//! caller asks for one, so `1Gi + 1G` is exactly 2073741824 bytes.
//!
//! (kube_quantity was considered and not used: it parses through `f64`, accepts `Ki`, `m` and
//! `+` alone as zero, and adds binary and decimal quantities through an `f32` factor, so
//! `1Gi + 1G` comes out 27 bytes off.)

use std::fmt;
use std::str::FromStr;

/// Significant digits kept exactly (`u128` holds 38).
const MAX_DIGITS: usize = 38;
/// The largest decimal exponent accepted (`1e1000` is rejected, not rounded).
const MAX_EXPONENT: i32 = 1000;

/// Why a string is not a quantity, or a quantity not a usable amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantityError {
    /// The string is empty.
    #[error("empty quantity")]
    Empty,
    /// The string does not follow the grammar; `at` is the byte offset of the first bad byte.
    #[error("not a quantity: expected {expected} at byte {at}")]
    Syntax {
        /// Byte offset in the string.
        at: usize,
        /// What the grammar allows there.
        expected: &'static str,
    },
    /// More significant digits than can be held exactly (38).
    #[error("more than {MAX_DIGITS} significant digits")]
    TooPrecise,
    /// A decimal exponent beyond +-1000.
    #[error("exponent beyond +-{MAX_EXPONENT}")]
    ExponentOutOfRange,
    /// The amount does not fit a 64-bit integer in the unit asked for (or computing it exactly
    /// needs more than 128 bits).
    #[error("out of range (more than 2^63 - 1 in the unit asked for)")]
    OutOfRange,
    /// A negative amount where only zero or more makes sense (a request, a capacity).
    #[error("negative")]
    Negative,
}

/// An exact Kubernetes quantity: `(-1)^negative x mantissa x 10^exp10 x 2^exp2`, normalized so
/// that equal values compare equal (no trailing zeros in the mantissa; zero is `0`).
///
/// ```
/// use packsched::k8s::Quantity;
/// let q: Quantity = "1.5Gi".parse()?;
/// assert_eq!(q.value()?, 1_610_612_736); // bytes
/// assert_eq!("250m".parse::<Quantity>()?.milli_value()?, 250); // millicores
/// assert_eq!("1e3".parse::<Quantity>()?.value()?, 1000);
/// assert!("Ki".parse::<Quantity>().is_err());
/// # Ok::<_, packsched::k8s::QuantityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quantity {
    negative: bool,
    mantissa: u128,
    exp10: i32,
    exp2: u32,
}

impl Quantity {
    /// Parses a quantity. Complexity: O(length).
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        Parser::new(text).quantity()
    }

    /// Whether the quantity is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The value in thousandths, rounded up, as kube-scheduler reads cpu (`MilliValue`):
    /// `0.1` is 100, `1m` is 1, `0.5m` is 1.
    ///
    /// Errors: [`QuantityError::Negative`] for a negative quantity, [`QuantityError::OutOfRange`]
    /// past `i64::MAX`.
    pub fn milli_value(&self) -> Result<i64, QuantityError> {
        self.scaled(3)
    }

    /// The value in whole units, rounded up, as kube-scheduler reads memory, storage and
    /// extended resources (`Value`): `1Ki` is 1024, `100m` is 1.
    ///
    /// Errors: as [`Quantity::milli_value`].
    pub fn value(&self) -> Result<i64, QuantityError> {
        self.scaled(0)
    }

    /// The value as the nearest `f64` (not exact for more than 15 significant digits).
    pub fn to_f64(&self) -> f64 {
        let magnitude = self.mantissa as f64
            * 10f64.powi(self.exp10.clamp(-400, 400))
            * 2f64.powi(self.exp2 as i32);
        if self.negative { -magnitude } else { magnitude }
    }

    /// `ceil(value x 10^scale)` as an `i64`.
    fn scaled(&self, scale: i32) -> Result<i64, QuantityError> {
        if self.negative {
            return Err(QuantityError::Negative);
        }
        let k = self.exp10 + scale;
        let out = if k >= 0 {
            pow10(k)
                .and_then(|p| self.mantissa.checked_mul(p))
                .and_then(|m| m.checked_mul(1u128 << self.exp2))
                .ok_or(QuantityError::OutOfRange)?
        } else {
            let numerator = self
                .mantissa
                .checked_mul(1u128 << self.exp2)
                .ok_or(QuantityError::OutOfRange)?;
            match pow10(-k) {
                Some(divisor) => numerator.div_ceil(divisor),
                // numerator < 2^128 < 10^39 <= divisor: a positive value below 1.
                None => u128::from(numerator > 0),
            }
        };
        i64::try_from(out).map_err(|_| QuantityError::OutOfRange)
    }

    fn normalized(
        negative: bool,
        digits: &str,
        exp10: i64,
        exp2: u32,
    ) -> Result<Self, QuantityError> {
        let significant = digits.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        if trimmed.is_empty() {
            return Ok(Self {
                negative: false,
                mantissa: 0,
                exp10: 0,
                exp2: 0,
            });
        }
        if trimmed.len() > MAX_DIGITS {
            return Err(QuantityError::TooPrecise);
        }
        let exp10 = exp10 + (significant.len() - trimmed.len()) as i64;
        let exp10 = i32::try_from(exp10)
            .ok()
            .filter(|e| e.abs() <= 1_000_000)
            .ok_or(QuantityError::ExponentOutOfRange)?;
        let mantissa = trimmed.parse().map_err(|_| QuantityError::TooPrecise)?;
        Ok(Self {
            negative,
            mantissa,
            exp10,
            exp2,
        })
    }
}

/// 10^k for 0 <= k, or `None` past `u128`.
fn pow10(k: i32) -> Option<u128> {
    u32::try_from(k).ok().and_then(|k| 10u128.checked_pow(k))
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Self, QuantityError> {
        Self::parse(text)
    }
}

/// Writes a quantity that parses back to the same value: plain digits with a binary suffix
/// (`1.5Ki`), else digits with a decimal exponent (`15e-1`), or plain digits when the exponent
/// would be past +-1000.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        if self.exp2 == 0 && self.exp10.abs() <= MAX_EXPONENT {
            return match self.exp10 {
                0 => write!(f, "{}", self.mantissa),
                e => write!(f, "{}e{e}", self.mantissa),
            };
        }
        // Binary suffixes take no exponent, and an exponent past +-1000 would not parse back:
        // plain digits with a decimal point.
        let digits = self.mantissa.to_string();
        if self.exp10 >= 0 {
            write!(f, "{digits}{}", "0".repeat(self.exp10 as usize))?;
        } else {
            let point = digits.len() as i64 + i64::from(self.exp10);
            if point > 0 {
                let (int, frac) = digits.split_at(point as usize);
                write!(f, "{int}.{frac}")?;
            } else {
                write!(f, "0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))?;
            }
        }
        let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        f.write_str(suffix[(self.exp2 / 10) as usize])
    }
}

/// A one-pass parser over the bytes of a quantity.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn error(&self, expected: &'static str) -> QuantityError {
        QuantityError::Syntax {
            at: self.at,
            expected,
        }
    }

    fn sign(&mut self) -> bool {
        match self.peek() {
            Some(b'-') => {
                self.at += 1;
                true
            }
            Some(b'+') => {
                self.at += 1;
                false
            }
            _ => false,
        }
    }

    fn digits(&mut self) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        &self.text[start..self.at]
    }

    fn quantity(mut self) -> Result<Quantity, QuantityError> {
        if self.text.is_empty() {
            return Err(QuantityError::Empty);
        }
        let negative = self.sign();
        let int = self.digits();
        let frac = if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()
        } else {
            ""
        };
        if int.is_empty() && frac.is_empty() {
            return Err(self.error("a digit"));
        }
        let (exp10, exp2) = self.suffix()?;
        let digits = format!("{int}{frac}");
        let exp10 = exp10 - frac.len() as i64;
        Quantity::normalized(negative, &digits, exp10, exp2)
    }

    /// The suffix as (power of ten, power of two).
    fn suffix(&mut self) -> Result<(i64, u32), QuantityError> {
        let rest = self.rest();
        let binary = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        if let Some(i) = binary.iter().position(|s| rest == *s) {
            return Ok((0, 10 * (i as u32 + 1)));
        }
        let decimal = [
            ("", 0),
            ("n", -9),
            ("u", -6),
            ("m", -3),
            ("k", 3),
            ("M", 6),
            ("G", 9),
            ("T", 12),
            ("P", 15),
            ("E", 18),
        ];
        if let Some((_, e)) = decimal.iter().find(|(s, _)| rest == *s) {
            return Ok((*e, 0));
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            let negative = self.sign();
            let digits = self.digits();
            if digits.is_empty() {
                return Err(self.error("exponent digits"));
            }
            if self.at != self.text.len() {
                return Err(self.error("the end after the exponent"));
            }
            let significant = digits.trim_start_matches('0');
            let value: i64 = if significant.len() > 4 {
                return Err(QuantityError::ExponentOutOfRange);
            } else {
                significant.parse().unwrap_or(0)
            };
            if value > i64::from(MAX_EXPONENT) {
                return Err(QuantityError::ExponentOutOfRange);
            }
            return Ok((if negative { -value } else { value }, 0));
        }
        Err(self.error("a suffix (m, k, M, G, T, P, E, Ki..Ei, or e<exponent>)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_suffix_form() {
        let bytes = [
            ("0", 0),
            ("1", 1),
            ("1.5", 2),
            ("100m", 1),
            ("1k", 1_000),
            ("1M", 1_000_000),
            ("1G", 1_000_000_000),
            ("1T", 1_000_000_000_000),
            ("1P", 1_000_000_000_000_000),
            ("1E", 1_000_000_000_000_000_000),
            ("1Ki", 1024),
            ("1Mi", 1 << 20),
            ("1Gi", 1 << 30),
            ("1Ti", 1 << 40),
            ("1Pi", 1 << 50),
            ("1Ei", 1 << 60),
            ("1e3", 1000),
            ("1E3", 1000),
            ("12e-1", 2),
            ("1.5Gi", 1_610_612_736),
            ("16287804Ki", 16_678_711_296),
            ("+.5Ki", 512),
            ("5.", 5),
            ("0.000Mi", 0),
        ];
        for (text, expected) in bytes {
            assert_eq!(q(text).value(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn cpu_in_millicores_rounded_up() {
        for (text, milli) in [
            ("4", 4000),
            ("250m", 250),
            ("0.1", 100),
            ("1.2345", 1235),
            ("0.5m", 1),
            ("100000000n", 100),
            ("1u", 1),
            ("2e-3", 2),
        ] {
            assert_eq!(q(text).milli_value(), Ok(milli), "{text}");
        }
    }

    #[test]
    fn exact_where_floating_point_is_not() {
        // 0.1 + 0.2 cores, 1Gi + 1G bytes: sums of exact integers.
        assert_eq!(
            q("0.1").milli_value().unwrap() + q("0.2").milli_value().unwrap(),
            300
        );
        assert_eq!(
            q("1Gi").value().unwrap() + q("1G").value().unwrap(),
            2_073_741_824
        );
        assert_eq!(q("9007199254740993").value(), Ok(9_007_199_254_740_993));
    }

    #[test]
    fn rejects_what_kubernetes_rejects() {
        for text in [
            "", "Ki", "m", "+", "-", ".", "1.2.3", "1e3Ki", "1Kb", "1 Gi", " 1", "1e", "1e+",
            "1ee3", "nan", "inf", "0x10", "1,5", "1Gi ", "1i", "1.5e3.2", "--1", "١",
        ] {
            assert!(Quantity::parse(text).is_err(), "{text:?} accepted");
        }
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        assert!(matches!(
            Quantity::parse("12Kb"),
            Err(QuantityError::Syntax { at: 2, .. })
        ));
    }

    #[test]
    fn range_errors_are_errors_not_panics() {
        assert_eq!(q("-1").value(), Err(QuantityError::Negative));
        assert_eq!(q("-0").value(), Ok(0));
        assert_eq!(q("10E").value(), Err(QuantityError::OutOfRange));
        assert_eq!(q("9223372036854775807").value(), Ok(i64::MAX));
        assert_eq!(
            q("9223372036854775808").value(),
            Err(QuantityError::OutOfRange)
        );
        assert_eq!(q("1e-900").value(), Ok(1));
        assert_eq!(q("1e-900").milli_value(), Ok(1));
        // Found by the quantity fuzz target: below f64's range, yet a positive amount.
        assert_eq!((q("2e-810").value(), q("2e-810").to_f64()), (Ok(1), 0.0));
        assert_eq!(
            Quantity::parse("1e1001"),
            Err(QuantityError::ExponentOutOfRange)
        );
        assert_eq!(
            Quantity::parse("1e99999999999999999999"),
            Err(QuantityError::ExponentOutOfRange)
        );
        assert_eq!(
            Quantity::parse(&"1".repeat(39)),
            Err(QuantityError::TooPrecise)
        );
        assert_eq!(
            q(&format!("1{}", "0".repeat(60))).value(),
            Err(QuantityError::OutOfRange)
        );
        assert_eq!(q(&format!("0.{}1Ei", "0".repeat(36))).value(), Ok(1));
    }

    #[test]
    fn display_parses_back_to_the_same_value() {
        for text in [
            "0", "1", "-2.5", "100m", "1.5Gi", "0.001Ki", "1000Ki", "12e-7", "7E", "-0",
        ] {
            let a = q(text);
            let b = q(&a.to_string());
            assert_eq!(a, b, "{text} -> {a}");
        }
        assert_eq!(q("1.50Gi"), q("1.5Gi"));
        assert_eq!(q("1000m"), q("1"));
    }
}
