//! Partial dates as curated (`2020`, `2020-06`, `2020-06-15`, seasons `2018-22`, qualifiers `?` `~` `%`)
//! and the first and last day they cover.

use jiff::civil::Date;
use std::fmt;

/// The days a partial date covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    /// The first day covered.
    pub from: Date,
    /// The last day covered.
    pub to: Date,
}

/// Why a text is not a partial date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not of the form `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-SS`.
    Syntax,
    /// Of the right form but not a day of the calendar, e.g. `2019-02-29` or `2020-13`.
    DoesNotExist,
    /// The year 0000, which ISO 8601 has but spreadsheets and many readers cannot hold.
    YearZero,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::Syntax => {
                "is not a date: expected `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a season `YYYY-21`..`YYYY-24`, optionally followed by `?`, `~` or `%`"
            }
            DateError::DoesNotExist => "is not a date of the calendar",
            DateError::YearZero => "is in the year 0000, which spreadsheets and many readers cannot hold: years run from 0001",
        })
    }
}

/// Days from 1970-01-01, the Arrow `date32` representation.
pub fn days_since_epoch(date: Date) -> i32 {
    let epoch = Date::constant(1970, 1, 1);
    epoch
        .until((jiff::Unit::Day, date))
        .map(|span| span.get_days())
        .unwrap_or_default()
}

/// The day `days` after 1970-01-01, from an Arrow `date32`. Every date32 the dataset holds came from
/// a `Date`, so it is in range.
pub fn date_from_days(days: i32) -> Date {
    let epoch = Date::constant(1970, 1, 1);
    epoch
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .expect("a date32 written from a date")
}

impl DateSpan {
    /// Parses a curated partial date and the days it covers.
    pub fn parse(text: &str) -> Result<DateSpan, DateError> {
        let core = text.strip_suffix(['?', '~', '%']).unwrap_or(text);
        let parts: Vec<&str> = core.split('-').collect();
        let number = |part: &str, width: usize| -> Result<i16, DateError> {
            if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Syntax);
            }
            part.parse().map_err(|_| DateError::Syntax)
        };
        let day = |y: i16, m: i16, d: i16| -> Result<Date, DateError> {
            if y == 0 {
                return Err(DateError::YearZero);
            }
            let (m, d) = (
                i8::try_from(m).map_err(|_| DateError::DoesNotExist)?,
                i8::try_from(d).map_err(|_| DateError::DoesNotExist)?,
            );
            Date::new(y, m, d).map_err(|_| DateError::DoesNotExist)
        };
        let month_end = |y: i16, m: i16| -> Result<Date, DateError> { Ok(day(y, m, 1)?.last_of_month()) };
        match parts.as_slice() {
            [year] => {
                let y = number(year, 4)?;
                Ok(DateSpan {
                    from: day(y, 1, 1)?,
                    to: day(y, 12, 31)?,
                })
            }
            [year, month] => {
                let (y, m) = (number(year, 4)?, number(month, 2)?);
                match m {
                    1..=12 => Ok(DateSpan {
                        from: day(y, m, 1)?,
                        to: month_end(y, m)?,
                    }),
                    // EDTF level 1 seasons, northern meteorological: spring is March to May.
                    21..=23 => {
                        let first = 3 * (m - 21) + 3;
                        Ok(DateSpan {
                            from: day(y, first, 1)?,
                            to: month_end(y, first + 2)?,
                        })
                    }
                    24 => Ok(DateSpan {
                        from: day(y, 12, 1)?,
                        to: month_end(y.checked_add(1).ok_or(DateError::DoesNotExist)?, 2)?,
                    }),
                    _ => Err(DateError::DoesNotExist),
                }
            }
            [year, month, dd] => {
                let date = day(number(year, 4)?, number(month, 2)?, number(dd, 2)?)?;
                Ok(DateSpan { from: date, to: date })
            }
            _ => Err(DateError::Syntax),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str) -> String {
        DateSpan::parse(text)
            .map(|s| format!("{}..{}", s.from, s.to))
            .unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn precisions_cover_their_days() {
        assert_eq!(span("2018"), "2018-01-01..2018-12-31");
        assert_eq!(span("2018-08"), "2018-08-01..2018-08-31");
        assert_eq!(span("2020-02"), "2020-02-01..2020-02-29");
        assert_eq!(span("2020-06-15"), "2020-06-15..2020-06-15");
        assert_eq!(span("2018-22"), "2018-06-01..2018-08-31");
        assert_eq!(span("2018-24"), "2018-12-01..2019-02-28");
        assert_eq!(span("2018?"), "2018-01-01..2018-12-31");
        assert_eq!(span("2018-03~"), "2018-03-01..2018-03-31");
    }

    #[test]
    fn impossible_dates_are_errors() {
        assert_eq!(span("2019-02-29"), "DoesNotExist");
        assert_eq!(span("2020-13"), "DoesNotExist");
        assert_eq!(span("2020-00"), "DoesNotExist");
        assert_eq!(span("20"), "Syntax");
        assert_eq!(span("2020-1-1"), "Syntax");
        assert_eq!(span("2020??"), "Syntax");
        assert_eq!(span("9999-24"), "DoesNotExist");
        assert_eq!(span("0000"), "YearZero");
        assert_eq!(span("0000-06-01"), "YearZero");
        assert_eq!(span("0001-01-01"), "0001-01-01..0001-01-01");
    }

    #[test]
    fn epoch_days() {
        assert_eq!(days_since_epoch(Date::constant(1970, 1, 2)), 1);
        assert_eq!(days_since_epoch(Date::constant(1969, 12, 31)), -1);
    }
}
