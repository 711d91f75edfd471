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

/// Text a spreadsheet would run as a formula gets a leading `'`: after any leading spaces and
/// invisible characters (which spreadsheets skip), it starts with `=`, `+`, `-`, `@`, a tab, a
/// carriage return or their full-width forms, and it is not a number.
pub fn inert(text: &str) -> Cow<'_, str> {
    let start = text.trim_start_matches(|c: char| c == ' ' || is_invisible(c));
    let runs = start.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']);
    if runs && !is_number(start) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Characters a spreadsheet skips or shows as nothing before a formula.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{00a0}' | '\u{202f}' | '\u{3000}'
    )
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
}
