//! Kubernetes resource quantities, parsed as `resource.ParseQuantity` does
//! (`k8s.io/apimachinery/pkg/api/resource/quantity.go`), well enough to compare a limit
//! with its request and to see a sign or a fraction:
//!
//! ```text
//! <quantity>        ::= <signedNumber><suffix>
//! <signedNumber>    ::= <number> | +<number> | -<number>
//! <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//! <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//! <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//! <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//! <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
//! ```
//!
//! The value is kept exactly, in nano-units (`n`, the finest scale upstream keeps), as an
//! `i128`: every quantity up to `8Ei` and `10^27` fits; a finer fraction is rounded up, as
//! upstream rounds. Hand-written: a grammar this small needs no crate, and no regex.

use std::fmt;

/// A parsed quantity, in nano-units (`1` is `1000000000`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(i128);

const NANO: i128 = 1_000_000_000;

impl Quantity {
    /// The value in nano-units.
    pub const fn nanos(self) -> i128 {
        self.0
    }
    /// Below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
    /// Exactly zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
    /// A whole number (no fraction): extended resources must be.
    pub const fn is_whole(self) -> bool {
        self.0 % NANO == 0
    }
    /// At least one whole unit (a byte, for storage).
    pub const fn at_least_one(self) -> bool {
        self.0 >= NANO
    }
}

/// Why a quantity does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// Not in the grammar: upstream's `ErrFormatWrong`.
    Format,
    /// Valid, but too large to compare here (beyond about 10^29).
    TooLarge,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::Format => f.write_str(
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ),
            QuantityError::TooLarge => f.write_str("is too large"),
        }
    }
}

/// Splits a leading sign off.
fn sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// `(power of ten, power of two)` of a suffix.
fn suffix(s: &str) -> Option<(i64, u32)> {
    Some(match s {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => {
            let exp = s.strip_prefix(['e', 'E'])?;
            let (negative, digits) = sign(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Beyond this the value is 0, rounds up to 1n, or is too large anyway.
            let n: i64 = digits.parse().unwrap_or(i64::from(i32::MAX)).min(1000);
            (if negative { -n } else { n }, 0)
        }
    })
}

/// Parses a quantity string (`250m`, `1.5Gi`, `1e3`, `-1`).
pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
    let (negative, rest) = sign(text);
    let number_end = rest
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(rest.len());
    let (number, suffix_text) = rest.split_at(number_end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(QuantityError::Format);
    }
    let (exp10, exp2) = suffix(suffix_text).ok_or(QuantityError::Format)?;
    let digits = whole
        .bytes()
        .chain(fraction.bytes())
        .skip_while(|&b| b == b'0');
    let mut mantissa: i128 = 0;
    for b in digits {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(b - b'0')))
            .ok_or(QuantityError::TooLarge)?;
    }
    let fraction_len = i64::try_from(fraction.len()).map_err(|_| QuantityError::TooLarge)?;
    let scale = exp10 + 9 - fraction_len;
    let mantissa = mantissa
        .checked_mul(1i128 << exp2)
        .ok_or(QuantityError::TooLarge)?;
    let value = if mantissa == 0 {
        0
    } else if scale >= 0 {
        let scale = u32::try_from(scale).map_err(|_| QuantityError::TooLarge)?;
        10i128
            .checked_pow(scale)
            .and_then(|p| mantissa.checked_mul(p))
            .ok_or(QuantityError::TooLarge)?
    } else {
        // A finer fraction than a nano-unit rounds up, as upstream does.
        let divisor = u32::try_from(-scale)
            .ok()
            .and_then(|s| 10i128.checked_pow(s));
        match divisor {
            Some(d) => (mantissa + d - 1) / d,
            None => 1,
        }
    };
    Ok(Quantity(if negative { -value } else { value }))
}

/// A quantity as written in a manifest: a string, or a bare YAML number (`cpu: 1`).
pub fn from_value(value: &serde_json::Value) -> Option<Result<Quantity, QuantityError>> {
    match value {
        serde_json::Value::String(s) => Some(parse(s)),
        serde_json::Value::Number(n) => Some(parse(&n.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> i128 {
        parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .nanos()
    }

    #[test]
    fn decimal_and_binary_suffixes() {
        assert_eq!(n("1"), NANO);
        assert_eq!(n("250m"), 250_000_000);
        assert_eq!(n("0.25"), 250_000_000);
        assert_eq!(n(".5"), 500_000_000);
        assert_eq!(n("5."), 5 * NANO);
        assert_eq!(n("1k"), 1000 * NANO);
        assert_eq!(n("1Ki"), 1024 * NANO);
        assert_eq!(n("1.5Gi"), 1_610_612_736 * NANO);
        assert_eq!(n("2Ei"), 2 * (1i128 << 60) * NANO);
        assert_eq!(n("1n"), 1);
        assert_eq!(n("1u"), 1000);
        assert_eq!(n("1M"), n("1e6"));
        assert_eq!(n("1E"), n("1e18"));
    }

    #[test]
    fn exponents_signs_and_rounding() {
        assert_eq!(n("1e3"), 1000 * NANO);
        assert_eq!(n("1E-3"), n("1m"));
        assert_eq!(n("+1e+2"), 100 * NANO);
        assert_eq!(n("-1"), -NANO);
        assert_eq!(n("-0"), 0);
        assert!(parse("-100Mi").unwrap().is_negative());
        assert_eq!(n("0.1n"), 1, "finer than a nano-unit rounds up");
        assert_eq!(n("1e-400"), 1);
        assert_eq!(n("0e999"), 0);
    }

    #[test]
    fn comparisons() {
        assert!(parse("500m").unwrap() < parse("1").unwrap());
        assert!(parse("1Gi").unwrap() > parse("1G").unwrap());
        assert!(parse("1024Mi").unwrap() == parse("1Gi").unwrap());
        assert!(parse("1.5").unwrap().at_least_one());
        assert!(!parse("999m").unwrap().at_least_one());
        assert!(parse("2").unwrap().is_whole() && !parse("1.5").unwrap().is_whole());
    }

    #[test]
    fn malformed_quantities() {
        for bad in [
            "", "Mi", "1 Mi", "1mi", "1K", "1KiB", "1.2.3", ".", "--1", "1e", "1e1.5", "abc",
            "1Mi2", "+",
        ] {
            assert_eq!(parse(bad), Err(QuantityError::Format), "{bad:?}");
        }
        assert_eq!(parse("1e40"), Err(QuantityError::TooLarge));
        assert_eq!(parse(&"9".repeat(40)), Err(QuantityError::TooLarge));
    }

    #[test]
    fn json_numbers() {
        let q = |v| from_value(&v).unwrap().unwrap().nanos();
        assert_eq!(q(serde_json::json!(2)), 2 * NANO);
        assert_eq!(q(serde_json::json!(0.5)), NANO / 2);
        assert!(from_value(&serde_json::json!(true)).is_none());
    }
}
