//! CSV for spreadsheet users: UTF-8 without BOM, RFC 4180 quoting, `\n` line ends, one header row.
//! Text a spreadsheet would run as a formula gets a leading `'`; decimals are plain digits; lists are
//! JSON arrays; an empty cell is a missing value.

use super::{Batch, DataFile, Dataset, ExportError, Writer, WrittenFile};
use crate::date::date_from_days;
use crate::quantity::Decimal;
use crate::tables::{ColumnType, Table};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

/// `csv/<table>.csv`, one file a table.
pub struct CsvFiles {
    files: Vec<::csv::Writer<DataFile>>,
}

impl CsvFiles {
    /// Every table's file, its header row written.
    pub fn create(staging: &Path, tables: &[Table]) -> Result<CsvFiles, ExportError> {
        let files = tables
            .iter()
            .map(|table| {
                let file = DataFile::create(staging, &format!("csv/{}.csv", table.name))?;
                let path = file.path.clone();
                writer(table, file).map_err(|e| ExportError::Io(path, e))
            })
            .collect::<Result<_, _>>()?;
        Ok(CsvFiles { files })
    }
}

impl Writer for CsvFiles {
    fn append(&mut self, batch: &Batch<'_>) -> Result<(), ExportError> {
        use rayon::prelude::*;
        self.files
            .par_iter_mut()
            .zip(batch.tables)
            .zip(batch.records)
            .try_for_each(|((file, table), records)| match records {
                Some(records) => {
                    write(table, records, file).map_err(|e| ExportError::Io(file.get_ref().path.clone(), e))
                }
                None => Ok(()),
            })
    }

    fn finish(self: Box<Self>, _: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        self.files
            .into_iter()
            .map(|writer| {
                let path = writer.get_ref().path.clone();
                writer
                    .into_inner()
                    .map_err(|e| ExportError::Io(path, e.into_error()))?
                    .finish()
            })
            .collect()
    }
}
use unicode_normalization::UnicodeNormalization;

/// A CSV writer for a table, its header row written.
pub fn writer<W: Write>(table: &Table, out: W) -> io::Result<::csv::Writer<W>> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(table.columns.iter().map(|c| c.name.as_str()))?;
    Ok(writer)
}

/// Appends the rows of a record batch of the table.
pub fn write<W: Write>(table: &Table, batch: &RecordBatch, writer: &mut ::csv::Writer<W>) -> io::Result<()> {
    let columns: Vec<(&ArrayRef, ColumnType)> = batch
        .columns()
        .iter()
        .zip(&table.columns)
        .map(|(array, column)| (array, column.column_type))
        .collect();
    let mut record = Vec::with_capacity(columns.len());
    for row in 0..batch.num_rows() {
        record.clear();
        for (array, column_type) in &columns {
            record.push(cell(array, *column_type, row));
        }
        writer.write_record(record.iter().map(|c| c.as_bytes()))?;
    }
    Ok(())
}

fn cell(array: &ArrayRef, column_type: ColumnType, row: usize) -> Cow<'_, str> {
    if array.is_null(row) {
        return Cow::Borrowed("");
    }
    match column_type {
        ColumnType::Text => inert(array.as_string::<i32>().value(row)),
        ColumnType::Boolean => Cow::Borrowed(if array.as_boolean().value(row) { "true" } else { "false" }),
        ColumnType::Date => Cow::Owned(date_from_days(array.as_primitive::<Date32Type>().value(row)).to_string()),
        ColumnType::Decimal => Cow::Owned(
            Decimal {
                units: array.as_primitive::<Decimal128Type>().value(row),
            }
            .to_string(),
        ),
        ColumnType::TextList => {
            let list = array.as_list::<i32>().value(row);
            let items: Vec<&str> = list.as_string::<i32>().iter().flatten().collect();
            Cow::Owned(serde_json::to_string(&items).unwrap_or_default())
        }
    }
}

/// Text a spreadsheet would run as a formula gets a leading `'`. Spreadsheets skip white space and
/// invisible characters before a formula and may read compatibility forms (`＝`, `﹢`, `⁼`) as the
/// signs they stand for: so the guard looks at the NFKC form of the text after any leading white
/// space (`char::is_whitespace`: spaces, line ends, U+2003, U+2028, U+0085 and the like) and
/// invisible characters, and guards a text that starts there with `=`, `+`, `-` or `@`, unless it
/// is a plain number as written (`-5`: a sign in a compatibility form, `﹣5`, is guarded, as no
/// reader takes it for a number). A tab or carriage return among the leading characters is
/// guarded whatever follows. A sign as written is guarded too when a combining mark after it makes
/// its NFKC form another character (`=` and U+0338 compose to `≠`), since a spreadsheet reads the
/// `=`.
pub fn inert(text: &str) -> Cow<'_, str> {
    // Most cells start with a visible ASCII character that is no sign: nothing before it is
    // skipped, and what composes with it in NFKC is a letter or symbol outside ASCII, never a sign.
    // Such a cell is left as it is without normalising (the unit test compares both ways).
    if text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_graphic() && !matches!(b, b'=' | b'+' | b'-' | b'@'))
    {
        return Cow::Borrowed(text);
    }
    guarded(text)
}

/// `inert` without its shortcut.
fn guarded(text: &str) -> Cow<'_, str> {
    let skipped = |c: char| c.is_whitespace() || crate::escape::is_invisible(c);
    let is_sign = |c: Option<char>| matches!(c, Some('=' | '+' | '-' | '@'));
    let start = text.trim_start_matches(skipped);
    let leading_control = text[..text.len() - start.len()].contains(['\t', '\r']);
    // Normalising stops at the first character that is not skipped: a cell costs a few characters.
    let sign = start.nfkc().find(|&c| !skipped(c));
    let runs = leading_control || ((is_sign(sign) || is_sign(start.chars().next())) && !is_number(start));
    if runs {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A plain decimal number: optional sign, digits with an optional fraction, optional exponent.
fn is_number(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_inert_and_numbers_stay() {
        for formula in [
            "=1+1", "+cmd", "-A1", "@SUM(A1)", "\tx", "\r=1", "-", "+", "=", "-1-1", "1e5x",
        ] {
            let expected = if formula.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{formula}")
            } else {
                formula.to_owned()
            };
            assert_eq!(inert(formula), expected, "{formula:?}");
        }
        for number in [
            "-5", "+5", "-0.5", "-.5", "-5.", "-1e5", "+1E-3", "12", "hello", "", "a=b", " -5", "x =1",
        ] {
            assert_eq!(inert(number), number, "{number:?}");
        }
    }

    #[test]
    fn formulas_behind_spaces_invisible_characters_or_full_width_signs_are_made_inert() {
        for formula in [
            " =1+1",
            "   @SUM(A1)",
            "\u{feff}=cmd",
            "\u{200b}+1+1",
            "\u{00a0}-A1",
            " \u{2060}\t=1",
            "＝HYPERLINK(\"http://x\")",
            "＋1",
            "－A1",
            "＠SUM(A1)",
            " ＝1",
        ] {
            assert_eq!(inert(formula), format!("'{formula}"), "{formula:?}");
        }
    }

    #[test]
    fn formulas_in_small_or_other_compatibility_forms_are_made_inert() {
        // U+FE62 SMALL PLUS, U+FE63 SMALL HYPHEN-MINUS, U+FE66 SMALL EQUALS, U+FE6B SMALL COMMERCIAL
        // AT, and other characters whose NFKC form is a sign: superscript and subscript plus and
        // equals, full-width signs, the two-character `⩵` (`==`).
        for formula in [
            "\u{fe62}cmd",
            "\u{fe63}A1",
            "\u{fe66}HYPERLINK(\"http://x\")",
            "\u{fe6b}SUM(A1)",
            "\u{207a}1+1",
            "\u{208a}1+1",
            "\u{207c}1+1",
            "\u{208c}1+1",
            "\u{2a75}1",
            "\u{ff1d}1",
            "\u{ff20}A1",
            " \u{fe66}1",
            "\u{200b}\u{fe62}1+1",
        ] {
            assert_eq!(inert(formula), format!("'{formula}"), "{formula:?}");
        }
    }

    #[test]
    fn formulas_behind_any_white_space_are_made_inert() {
        for formula in [
            "\u{2003}=1+1",
            "\u{2028}=1+1",
            "\u{0085}=1+1",
            "\n=1+1",
            "\u{0b}=1+1",
            "\u{0c}=1+1",
            "\u{3000}@SUM(A1)",
            "\u{00ad}=1",
            " \u{2029} -A1",
        ] {
            assert_eq!(inert(formula), format!("'{formula}"), "{formula:?}");
        }
    }

    #[test]
    fn a_sign_that_a_combining_mark_composes_into_another_character_is_guarded() {
        // NFKC makes `=` and U+0338 one `≠`, `<` and U+0338 `≮`; a spreadsheet still reads `=`.
        for formula in ["=\u{338}1", " =\u{338}A1", "+\u{301}1", "-\u{338}5", "@\u{20d2}SUM(A1)"] {
            assert_eq!(inert(formula), format!("'{formula}"), "{formula:?}");
        }
        assert_eq!(inert("<\u{338}1"), "<\u{338}1");
    }

    #[test]
    fn the_shortcut_for_a_visible_ascii_start_agrees_with_normalising() {
        // Every visible ASCII character but the signs, followed by every character of the Basic
        // Multilingual Plane and the supplementary planes' combining marks: the shortcut leaves the
        // text as it is, and so does the guard without it.
        let seconds = ('\0'..='\u{ffff}')
            .chain('\u{1d165}'..='\u{1d1ad}')
            .chain('\u{e0100}'..='\u{e01ef}');
        let seconds: Vec<char> = seconds.collect();
        for first in (b'!'..=b'~').filter(|b| !b"=+-@".contains(b)) {
            for &second in &seconds {
                let text = format!("{}{second}1", first as char);
                assert_eq!(inert(&text), text);
                assert_eq!(guarded(&text), text, "{text:?}");
            }
        }
    }

    #[test]
    fn a_leading_tab_or_carriage_return_is_guarded_whatever_follows() {
        for text in ["\t5", "\r5", " \tx", "\u{2003}\rx", "\t"] {
            assert_eq!(inert(text), format!("'{text}"), "{text:?}");
        }
    }

    #[test]
    fn plain_numbers_stay_and_signs_in_compatibility_forms_are_guarded() {
        for number in ["\u{2003}-5", "\n-0.5", "\u{2028}+1e5", "\u{200b}-1"] {
            assert_eq!(inert(number), number, "{number:?}");
        }
        for number in ["\u{fe63}5", "\u{fe62}5", "\u{ff0d}\u{ff15}", " \u{fe63}1e5", "\u{fe63}"] {
            assert_eq!(inert(number), format!("'{number}"), "{number:?}");
        }
        // A sign that a spreadsheet does not read as one (U+2212 MINUS SIGN, U+FE58 SMALL EM DASH),
        // and plain text.
        for text in ["\u{2212}A1", "\u{fe58}A1", "caf\u{e9}", "\u{2003}plain"] {
            assert_eq!(inert(text), text, "{text:?}");
        }
    }
}
