//! Exact decimals: amounts and figures as curated (`9.1 million`, `566,000`, `$177.9 billion`, `12.30`)
//! turned into a fixed-point integer of nano-units, the representation of Parquet's `decimal128(38, 9)`.
//! No step goes through a float.

use std::fmt;

/// Digits after the decimal point that the dataset keeps (Parquet `decimal128(38, 9)`).
pub const SCALE: u32 = 9;
/// Total digits the dataset keeps.
pub const PRECISION: u32 = 38;

/// An exact decimal: `units / 10^SCALE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal {
    /// The value in units of 10^-9.
    pub units: i128,
}

/// Why a text is not an exact decimal of the dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    /// The text is not a number in any accepted form.
    Syntax,
    /// Thousands separators that do not group by three, e.g. `56,6000`.
    Grouping,
    /// More than nine digits after the decimal point once scaled.
    TooPrecise,
    /// More than 29 digits before the decimal point once scaled (38 in all, 9 after the point).
    TooLarge,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuantityError::Syntax => {
                "is not an amount: expected a number such as `566000`, `566,000`, `9.1 million` or `$177.9 billion`"
            }
            QuantityError::Grouping => "has thousands separators that do not group digits by three",
            QuantityError::TooPrecise => {
                "has more than 9 digits after the decimal point, which the dataset cannot store exactly"
            }
            QuantityError::TooLarge => {
                "has more than 29 digits before the decimal point (38 in all, 9 of them after it), which the \
                 dataset cannot store exactly"
            }
        })
    }
}

impl Decimal {
    /// Parses a curated amount exactly.
    pub fn parse(text: &str) -> Result<Decimal, QuantityError> {
        let mut rest = text.trim();
        let negative = match rest.as_bytes().first() {
            Some(b'-') => {
                rest = &rest[1..];
                true
            }
            Some(b'+') => {
                rest = &rest[1..];
                false
            }
            _ => false,
        };
        if let Some(after) = rest.strip_prefix('$') {
            rest = after.trim_start();
        }
        let (number, scale_word) = match rest.split_once(char::is_whitespace) {
            Some((number, word)) => (number, Some(word.trim())),
            None => (rest, None),
        };
        let scale_exponent: i64 = match scale_word {
            None => 0,
            Some("thousand") => 3,
            Some("million") => 6,
            Some("billion") => 9,
            Some("trillion") => 12,
            Some(_) => return Err(QuantityError::Syntax),
        };
        let (mantissa, exponent) = match number.find(['e', 'E']) {
            Some(at) => {
                let exponent: i64 = number[at + 1..].parse().map_err(|_| QuantityError::Syntax)?;
                (&number[..at], exponent)
            }
            None => (number, 0),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if integer.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QuantityError::Syntax);
        }
        let integer = ungroup(integer)?;
        let digits: String = integer.chars().chain(fraction.chars()).collect();
        // value = digits * 10^(exponent + scale - fraction digits); in units, add SCALE.
        let shift = exponent
            .saturating_add(scale_exponent)
            .saturating_sub(fraction.len() as i64)
            .saturating_add(SCALE as i64);
        let digits = digits.trim_start_matches('0');
        let units = if digits.is_empty() {
            0
        } else if shift >= 0 {
            if digits.len() as i64 + shift > PRECISION as i64 {
                return Err(QuantityError::TooLarge);
            }
            let base: i128 = digits.parse().map_err(|_| QuantityError::TooLarge)?;
            base * 10i128.pow(shift as u32)
        } else {
            let cut = (-shift) as usize;
            let kept = digits.len().saturating_sub(cut);
            if digits[kept..].bytes().any(|b| b != b'0') || cut > digits.len() {
                return Err(QuantityError::TooPrecise);
            }
            let kept = &digits[..kept];
            if kept.len() > PRECISION as usize {
                return Err(QuantityError::TooLarge);
            }
            if kept.is_empty() {
                0
            } else {
                kept.parse().map_err(|_| QuantityError::TooLarge)?
            }
        };
        Ok(Decimal {
            units: if negative { -units } else { units },
        })
    }
}

/// Removes thousands separators, insisting that they group digits by three.
fn ungroup(integer: &str) -> Result<String, QuantityError> {
    if !integer.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Err(QuantityError::Syntax);
    }
    if !integer.contains(',') {
        return Ok(integer.to_owned());
    }
    let mut groups = integer.split(',');
    let first = groups.next().unwrap_or_default();
    if first.is_empty() || first.len() > 3 || groups.clone().any(|g| g.len() != 3) {
        return Err(QuantityError::Grouping);
    }
    Ok(integer.replace(',', ""))
}

/// Plain digits, never an exponent: `177900000000`, `9100000`, `0.5`, `-12.3`.
/// Significant digits a spreadsheet or a SQLite `REAL` keeps: a decimal with at most this many reads
/// back from a double exactly as written.
pub const DOUBLE_DIGITS: usize = 15;

impl Decimal {
    /// The number of significant digits: those between the first and the last non-zero digit.
    pub fn significant_digits(self) -> usize {
        let digits = self.units.unsigned_abs().to_string();
        digits.trim_end_matches('0').trim_start_matches('0').len()
    }

    /// The decimal as a double, when it has at most 15 significant digits, so that the double
    /// printed with 15 significant digits gives back exactly these digits; `None` otherwise.
    pub fn as_double(self) -> Option<f64> {
        (self.significant_digits() <= DOUBLE_DIGITS).then(|| self.to_string().parse().expect("plain digits"))
    }

    /// The decimal as an integer, when it is a whole number that fits 64 bits.
    pub fn as_integer(self) -> Option<i64> {
        let scale = 10i128.pow(SCALE);
        (self.units % scale == 0)
            .then(|| i64::try_from(self.units / scale).ok())
            .flatten()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let magnitude = self.units.unsigned_abs();
        let scale = 10u128.pow(SCALE);
        let (whole, fraction) = (magnitude / scale, magnitude % scale);
        if fraction == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let fraction = format!("{fraction:09}");
            write!(f, "{sign}{whole}.{}", fraction.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_only_for_fifteen_significant_digits() {
        let d = |text: &str| Decimal::parse(text).expect("decimal");
        assert_eq!(d("177.9 billion").significant_digits(), 4);
        assert_eq!(d("0.000000001").significant_digits(), 1);
        assert_eq!(d("0").significant_digits(), 0);
        assert_eq!(d("9.1").as_double(), Some(9.1));
        assert_eq!(d("-123456789012.345").as_double(), Some(-123456789012.345));
        assert_eq!(d("1234567890123.4567").as_double(), None, "17 digits");
        assert_eq!(d("12345678901234567.89").as_double(), None);
        assert_eq!(d("177.9 billion").as_integer(), Some(177_900_000_000));
        assert_eq!(d("12345678901234567").as_integer(), Some(12_345_678_901_234_567));
        assert_eq!(d("9.1").as_integer(), None);
        assert_eq!(d("1e20").as_integer(), None, "beyond 64 bits");
        for text in ["9.1", "0.1", "123456789012.345", "0.000000001", "99999999999999.9"] {
            let double = d(text).as_double().expect("fits");
            assert_eq!(format!("{double}"), text, "reads back as written");
        }
    }

    fn parse(text: &str) -> String {
        Decimal::parse(text)
            .map(|d| d.to_string())
            .unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn curated_forms_are_exact() {
        assert_eq!(parse("$177.9 billion"), "177900000000");
        assert_eq!(parse("9.1 million"), "9100000");
        assert_eq!(parse("566,000"), "566000");
        assert_eq!(parse("12.30"), "12.3");
        assert_eq!(parse("12345678901234567.89"), "12345678901234567.89");
        assert_eq!(parse("-1.5e3"), "-1500");
        assert_eq!(parse("0.000000001"), "0.000000001");
        assert_eq!(parse("36,077"), "36077");
        assert_eq!(parse("0"), "0");
    }

    #[test]
    fn inexact_or_malformed_forms_are_errors() {
        assert_eq!(parse("0.0000000001"), "TooPrecise");
        assert_eq!(parse("1e38"), "TooLarge");
        assert_eq!(parse("56,6000"), "Grouping");
        assert_eq!(parse("9.1 milion"), "Syntax");
        assert_eq!(parse("nine"), "Syntax");
        assert_eq!(parse(""), "Syntax");
        assert_eq!(parse(".5"), "Syntax");
    }
}
