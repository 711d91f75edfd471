//! `xlsx/<name>.xlsx` for spreadsheet users: one workbook, a sheet with the data dictionary first,
//! then a sheet a table in the order of the dictionary. Every cell holds its real type: dates as date
//! cells, booleans as booleans, decimals as numbers when their digits fit a spreadsheet's 15
//! significant digits (as text with every digit otherwise), ids, lists (JSON arrays) and every other
//! text as text, never a formula. The header row is frozen and has filters; a table longer than a
//! sheet continues on further sheets named `<table> (2)`, `<table> (3)`, ...
//!
//! Sheets are written in "constant memory" mode: each streams its rows to an anonymous temporary file
//! in the staging folder, so memory does not grow with the number of rows. Nothing in the file depends
//! on the time, the machine or the order in which threads write: the creation date is fixed, strings
//! are written inline (no shared string table filled in thread order), and every cell format is
//! registered in a fixed order before any sheet is written.

use super::cells::{self, Cell, cell};
use super::{Batch, DataFile, Dataset, ExportError, Writer, WrittenFile};
use crate::model::DatasetMeta;
use crate::quantity::{DOUBLE_DIGITS, Decimal};
use crate::tables::{ColumnType, Table};
use arrow_array::RecordBatch;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::io::{self, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};

/// `xlsx/<name>.xlsx`: the workbook of every table.
pub struct WorkbookFile {
    staging: std::path::PathBuf,
    shared: SharedWorkbook,
    sheets: Vec<Sheets>,
}

impl WorkbookFile {
    /// The workbook with a sheet for every table, its rows streamed to temporary files in the
    /// staging folder's `xlsx/`.
    pub fn create(staging: &Path, tables: &[Table]) -> Result<WorkbookFile, ExportError> {
        let folder = staging.join("xlsx");
        super::format_folder(&folder)?;
        let shared = workbook(&folder)?;
        let sheets = tables
            .iter()
            .map(|table| Sheets::new(table, SHEET_ROWS, &shared))
            .collect::<Result<_, _>>()?;
        Ok(WorkbookFile {
            staging: staging.to_owned(),
            shared,
            sheets,
        })
    }
}

impl Writer for WorkbookFile {
    fn append(&mut self, batch: &Batch<'_>) -> Result<(), ExportError> {
        use rayon::prelude::*;
        self.sheets
            .par_iter_mut()
            .zip(batch.records)
            .try_for_each(|(sheets, records)| match records {
                Some(records) => sheets.append(records),
                None => Ok(()),
            })
    }

    fn finish(self: Box<Self>, dataset: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        let WorkbookFile {
            staging,
            shared,
            sheets,
        } = *self;
        let sheets = sheets.into_iter().map(Sheets::finish).collect::<Result<_, _>>()?;
        let mut file = DataFile::create(&staging, &super::workbook_path(&dataset.meta.name))?;
        write_workbook(shared, dataset.meta, dataset.tables, sheets, &mut file).map_err(|e| file.blame(e))?;
        Ok(vec![file.finish()?])
    }
}

/// Rows of a sheet: Excel's limit, header included.
pub const SHEET_ROWS: u32 = 1_048_576;
/// UTF-16 code units of a cell: Excel's limit (an emoji takes two), which `check` holds every
/// curated text and id to (`E0217`).
pub const CELL_UNITS: usize = crate::model::CELL_UNITS;
/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;
/// The zip compression level of the workbook.
const ZIP_LEVEL: u8 = 3;
/// The creation date the workbook records (a fixed value, so that builds are byte-identical).
const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// The workbook being written. Sheets are made from it (so that they share its cell formats) by the
/// threads that write the tables, and pushed into it, in order, at the end.
#[derive(Clone)]
pub struct SharedWorkbook {
    workbook: Arc<Mutex<Workbook>>,
    /// The folder of the sheets' temporary files, named when one cannot be written.
    tempdir: PathBuf,
}

/// A workbook whose sheets keep their rows in temporary files in `tempdir`, with every cell format
/// registered in a fixed order.
pub fn workbook(tempdir: &Path) -> Result<SharedWorkbook, ExportError> {
    let mut workbook = Workbook::new();
    workbook.set_tempdir(tempdir).map_err(temp_file_error("workbook"))?;
    let workbook = guarded(tempdir, || registered(workbook))?;
    Ok(SharedWorkbook {
        workbook: Arc::new(Mutex::new(workbook)),
        tempdir: tempdir.to_owned(),
    })
}

/// `workbook` with every cell format registered in a fixed order, by a sheet that is not kept.
fn registered(mut workbook: Workbook) -> Result<Workbook, ExportError> {
    let error = encode("workbook");
    // Deflate at level 6 (the default) was a seventh of a whole build, on one core. At 10,000
    // profiles level 3 writes the workbook in 33 s instead of 59 s, for 163 MB instead of 140 MB
    // (level 1: 27 s, 234 MB).
    workbook.set_zip_compression_level(ZIP_LEVEL);
    let formats = Formats::new();
    let mut probe = workbook.new_worksheet_with_constant_memory().map_err(&error)?;
    probe
        .write_string_with_format(0, 0, "", &formats.header)
        .map_err(&error)?;
    let day = ExcelDateTime::from_ymd(2000, 1, 1).map_err(&error)?;
    probe
        .write_datetime_with_format(0, 1, &day, &formats.date)
        .map_err(&error)?;
    for (index, format) in formats.decimals.iter().enumerate() {
        probe
            .write_number_with_format(0, 2 + index as u16, 0.0, format)
            .map_err(&error)?;
    }
    Ok(workbook)
}

fn new_sheet(workbook: &SharedWorkbook) -> Result<Worksheet, ExportError> {
    let mut workbook = workbook
        .workbook
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    workbook
        .new_worksheet_with_constant_memory()
        .map_err(temp_file_error("workbook"))
}

/// Like `encode`, but a temporary file that cannot be made is an I/O error of its folder.
fn temp_file_error(table: &str) -> impl Fn(XlsxError) -> ExportError + '_ {
    move |e| match e {
        XlsxError::TempFileError(folder, e) => ExportError::Io(folder, e),
        other => encode(table)(other),
    }
}

/// Runs `call`, which may write rows to the sheets' temporary files in `tempdir`. rust_xlsxwriter
/// panics when such a write fails (`expect("Couldn't write to xml file")`, and an `unwrap()` when it
/// rewinds the file): on a full disk or past a file size limit, the build must stop with the reason
/// and leave nothing behind, as for every other format. That panic is caught here and becomes an
/// I/O error of the folder (the files have no name); any other panic goes on.
fn guarded<T>(tempdir: &Path, call: impl FnOnce() -> Result<T, ExportError>) -> Result<T, ExportError> {
    quiet_write_panics();
    match std::panic::catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            match message.and_then(write_failure) {
                Some(error) => Err(ExportError::Io(
                    tempdir.to_owned(),
                    io::Error::new(
                        error.kind(),
                        format!("a temporary file of the workbook cannot be written: {error}"),
                    ),
                )),
                None => std::panic::resume_unwind(payload),
            }
        }
    }
}

/// The I/O error a panic of rust_xlsxwriter reports, if it is a failed write: its message is
/// `Couldn't write to xml file: ` or `` called `Result::unwrap()` on an `Err` value: `` followed by
/// the error's debug form, `Os { code: 28, kind: StorageFull, message: "No space left on device" }`
/// for an error of the system.
fn write_failure(message: &str) -> Option<io::Error> {
    let (detail, any_error) = match message.strip_prefix("Couldn't write to xml file: ") {
        Some(detail) => (detail, true),
        None => (
            message.strip_prefix("called `Result::unwrap()` on an `Err` value: ")?,
            false,
        ),
    };
    let code = detail
        .strip_prefix("Os { code: ")
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok());
    match code {
        Some(code) => Some(io::Error::from_raw_os_error(code)),
        // Every error of the XML writer is a failed write; an `unwrap()` of something else is a bug.
        None if any_error => Some(io::Error::other(detail.to_owned())),
        None => None,
    }
}

/// Installs, once, a panic hook that keeps quiet about the panics `guarded` turns into errors (the
/// error is reported instead), and hands every other panic to the hook that was there.
fn quiet_write_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            let ours = info.location().is_some_and(|at| at.file().contains("rust_xlsxwriter"))
                && message.and_then(write_failure).is_some();
            if !ours {
                previous(info);
            }
        }));
    });
}

/// How the workbook stores a column's values, as the data dictionary says it.
pub fn cell_kind(column_type: ColumnType) -> String {
    match column_type {
        ColumnType::Text => "text".into(),
        ColumnType::Boolean => "boolean".into(),
        ColumnType::Date => "date (text `YYYY-MM-DD` before 1900)".into(),
        ColumnType::Decimal => {
            format!("number; text with every digit when it has more than {DOUBLE_DIGITS} significant digits")
        }
        ColumnType::TextList => format!(
            "text: a JSON array; one longer than a cell's {CELL_UNITS} characters (a list merged across many \
             profiles) keeps the items that fit, whole, and says how many it leaves out"
        ),
    }
}

/// UTF-16 code units of a text: what a cell's length is counted in.
fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Whether a text fits a cell. A UTF-8 byte never makes more than one UTF-16 unit, so a short text
/// needs no count.
fn fits(text: &str) -> bool {
    text.len() <= CELL_UNITS || units(text) <= CELL_UNITS
}

/// A list as the JSON text of a cell. A list merged across many profiles (the sources of an agency
/// that hundreds of profiles name) can outgrow a cell while every curated text fits: the cell then
/// holds the items that fit, whole, and says how many are left out and where the whole list is.
fn fitted_list(items: &[&str]) -> String {
    let json = cells::json_list(items);
    if fits(&json) {
        return json;
    }
    let note = |left_out: usize| {
        format!(
            " … and {left_out} more of {} (too many for a cell: the CSV, Parquet, JSON Lines and SQLite files hold every one)",
            items.len()
        )
    };
    let room = CELL_UNITS - units(&note(items.len())) - 2; // the brackets
    let mut kept = Vec::new();
    let mut used = 0;
    for item in items {
        let item_units = units(&cells::json_list(&[item])) - 2 + usize::from(!kept.is_empty());
        if used + item_units > room {
            break;
        }
        used += item_units;
        kept.push(*item);
    }
    cells::json_list(&kept) + &note(items.len() - kept.len())
}

/// A text as a cell holds it. `check` refuses every curated text and id longer than a cell
/// (`E0217`), so only a text put together from several curated values can be longer (a change's
/// old or new value: a whole list as JSON, or what was added described in one line): the cell then
/// holds its first characters and says how many are left out and where the whole text is (not in
/// the JSON documents, which hold no changes).
fn fitted_text(text: &str) -> std::borrow::Cow<'_, str> {
    if fits(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let note = |left_out: usize| {
        format!(
            " … and {left_out} more characters (too long for a cell: the CSV, Parquet and SQLite files hold \
             the whole text)"
        )
    };
    let total = text.chars().count();
    let room = CELL_UNITS - units(&note(total));
    let (mut end, mut used, mut kept) = (0, 0, 0);
    for c in text.chars() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        end += c.len_utf8();
        kept += 1;
    }
    std::borrow::Cow::Owned(format!("{}{}", &text[..end], note(total - kept)))
}

fn encode(table: &str) -> impl Fn(XlsxError) -> ExportError + '_ {
    move |e| ExportError::Encode(format!("xlsx, {table}: {e}"))
}

/// The cell formats of the workbook.
#[derive(Clone)]
struct Formats {
    header: Format,
    date: Format,
    /// `0`, `0.0`, ... `0.000000000`: a decimal shown with exactly its digits.
    decimals: Vec<Format>,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            decimals: (0..=crate::quantity::SCALE as usize)
                .map(|scale| match scale {
                    0 => Format::new().set_num_format("0"),
                    _ => Format::new().set_num_format(format!("0.{}", "0".repeat(scale))),
                })
                .collect(),
        }
    }
}

/// Digits after the decimal point of a decimal as written.
fn scale_of(decimal: Decimal) -> usize {
    decimal.to_string().split_once('.').map_or(0, |(_, f)| f.len())
}

/// The sheets of one table being written, a record batch at a time.
pub struct Sheets {
    table: Table,
    workbook: SharedWorkbook,
    /// Data rows a sheet holds (the header row not counted).
    rows_per_sheet: u32,
    formats: Formats,
    finished: Vec<Worksheet>,
    current: Worksheet,
    /// Data rows in the current sheet.
    rows: u32,
    /// Width of every column, in characters.
    widths: Vec<usize>,
}

impl Sheets {
    /// The sheets of a table, made from `workbook`, each holding at most `sheet_rows` rows, header
    /// included.
    pub fn new(table: &Table, sheet_rows: u32, workbook: &SharedWorkbook) -> Result<Sheets, ExportError> {
        assert!(sheet_rows >= 2, "a sheet holds its header and at least one row");
        let formats = Formats::new();
        let widths = table
            .columns
            .iter()
            .map(|c| match c.column_type {
                ColumnType::Date => 11,
                _ => 0,
            })
            // Room for the filter button beside the name.
            .zip(&table.columns)
            .map(|(width, c)| width.max(c.name.chars().count() + 3))
            .collect();
        let mut sheets = Sheets {
            table: table.clone(),
            workbook: workbook.clone(),
            rows_per_sheet: sheet_rows - 1,
            current: Worksheet::new(),
            formats,
            finished: Vec::new(),
            rows: 0,
            widths,
        };
        guarded(&workbook.tempdir, || sheets.start_sheet(1))?;
        Ok(sheets)
    }

    fn start_sheet(&mut self, number: usize) -> Result<(), ExportError> {
        let error = encode(self.table.name);
        let mut sheet = new_sheet(&self.workbook)?;
        let sheet_name = match number {
            1 => self.table.name.to_owned(),
            n => format!("{} ({n})", self.table.name),
        };
        sheet.set_name(sheet_name).map_err(&error)?;
        for (index, column) in self.table.columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, index as u16, &column.name, &self.formats.header)
                .map_err(&error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(&error)?;
        self.current = sheet;
        self.rows = 0;
        Ok(())
    }

    /// Closes the current sheet: filters over its rows, column widths.
    fn close_sheet(&mut self) -> Result<(), ExportError> {
        let error = encode(self.table.name);
        let mut sheet = std::mem::replace(&mut self.current, Worksheet::new());
        let last_column = (self.table.columns.len() - 1) as u16;
        sheet.autofilter(0, 0, self.rows, last_column).map_err(&error)?;
        for (index, width) in self.widths.iter().enumerate() {
            sheet
                .set_column_width(index as u16, (*width).min(MAX_WIDTH) as f64)
                .map_err(&error)?;
        }
        self.finished.push(sheet);
        Ok(())
    }

    /// Appends the rows of a record batch of the table.
    pub fn append(&mut self, batch: &RecordBatch) -> Result<(), ExportError> {
        let tempdir = self.workbook.tempdir.clone();
        guarded(&tempdir, || self.append_rows(batch))
    }

    fn append_rows(&mut self, batch: &RecordBatch) -> Result<(), ExportError> {
        let columns: Vec<_> = batch
            .columns()
            .iter()
            .zip(&self.table.columns)
            .map(|(array, column)| (array, column.column_type))
            .collect();
        for row in 0..batch.num_rows() {
            if self.rows == self.rows_per_sheet {
                self.close_sheet()?;
                self.start_sheet(self.finished.len() + 1)?;
            }
            self.rows += 1;
            for (index, (array, column_type)) in columns.iter().enumerate() {
                let value = cell(array, *column_type, row);
                let width = self.write(self.rows, index, value)?;
                self.widths[index] = self.widths[index].max(width);
            }
        }
        Ok(())
    }

    /// Writes one cell and returns how wide it shows, in characters.
    fn write(&mut self, row: u32, index: usize, value: Cell<'_>) -> Result<usize, ExportError> {
        let error = encode(self.table.name);
        let sheet = &mut self.current;
        let column = index as u16;
        let text = |sheet: &mut Worksheet, text: &str| -> Result<usize, ExportError> {
            let text = fitted_text(text);
            sheet.write_string(row, column, &*text).map_err(&error)?;
            Ok(text.lines().map(|l| l.chars().count()).max().unwrap_or(0))
        };
        match value {
            Cell::Null => Ok(0),
            Cell::Text(value) => text(sheet, value),
            Cell::List(items) => text(sheet, &fitted_list(&items)),
            Cell::Boolean(b) => {
                sheet.write_boolean(row, column, b).map_err(&error)?;
                Ok(5)
            }
            Cell::Date(date) => {
                let excel = u16::try_from(date.year())
                    .ok()
                    .and_then(|year| ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok());
                match excel {
                    Some(excel) if date.year() >= 1900 => {
                        sheet
                            .write_datetime_with_format(row, column, &excel, &self.formats.date)
                            .map_err(&error)?;
                        Ok(10)
                    }
                    _ => text(sheet, &date.to_string()),
                }
            }
            Cell::Decimal(decimal) => match decimal.as_double() {
                Some(number) => {
                    let format = &self.formats.decimals[scale_of(decimal)];
                    sheet
                        .write_number_with_format(row, column, number, format)
                        .map_err(&error)?;
                    Ok(decimal.to_string().len())
                }
                None => text(sheet, &decimal.to_string()),
            },
        }
    }

    /// Closes the last sheet and returns every sheet of the table, in order.
    pub fn finish(mut self) -> Result<Vec<Worksheet>, ExportError> {
        let tempdir = self.workbook.tempdir.clone();
        guarded(&tempdir, || self.close_sheet())?;
        Ok(self.finished)
    }
}

/// The first sheet: every column of every table with its type, how the workbook stores it and its
/// description.
fn dictionary_sheet(tables: &[Table]) -> Result<Worksheet, ExportError> {
    let error = encode("dictionary");
    let formats = Formats::new();
    let mut sheet = Worksheet::new();
    sheet.set_name("dictionary").map_err(&error)?;
    let header = ["table", "column", "type", "required", "cell", "description"];
    for (index, name) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, index as u16, *name, &formats.header)
            .map_err(&error)?;
    }
    let mut row = 0;
    for table in tables {
        row += 1;
        sheet.write_string(row, 0, table.name).map_err(&error)?;
        sheet
            .write_string(row, 5, format!("{} {} rows.", table.description, table.rows))
            .map_err(&error)?;
        for column in &table.columns {
            row += 1;
            let mut description = column.description.clone();
            if !column.values.is_empty() {
                description.push_str(&format!(" One of {}.", column.values.join(", ")));
            }
            let cells = [
                table.name.to_owned(),
                column.name.clone(),
                column.column_type.label().to_owned(),
                if column.nullable { String::new() } else { "yes".into() },
                cell_kind(column.column_type),
                description,
            ];
            for (index, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    sheet.write_string(row, index as u16, text).map_err(&error)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(&error)?;
    sheet.autofilter(0, 0, row, 5).map_err(&error)?;
    for (index, width) in [14.0, 22.0, 16.0, 10.0, 30.0, 100.0].into_iter().enumerate() {
        sheet.set_column_width(index as u16, width).map_err(&error)?;
    }
    Ok(sheet)
}

/// Writes the workbook: the dictionary sheet, then the sheets of every table in order. Every `Sheets`
/// made from the workbook must be finished.
pub fn write_workbook(
    workbook: SharedWorkbook,
    meta: &DatasetMeta,
    tables: &[Table],
    sheets: Vec<Vec<Worksheet>>,
    out: impl Write + Send,
) -> Result<(), ExportError> {
    let error = encode("workbook");
    let tempdir = workbook.tempdir;
    let mut workbook = Arc::try_unwrap(workbook.workbook)
        .map_err(|_| ExportError::Encode("xlsx: a table's sheets are still being written".into()))?
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (year, month, day) = CREATED;
    let created = ExcelDateTime::from_ymd(year, month, day).map_err(&error)?;
    let mut properties = DocProperties::new()
        .set_title(&meta.title)
        .set_creation_datetime(&created)
        .set_comment(format!(
            "Version {}, licence {}. The first sheet describes every column.",
            meta.version, meta.license
        ));
    if let Some(publisher) = &meta.publisher {
        properties = properties.set_author(publisher);
    }
    workbook.set_properties(&properties);
    workbook.push_worksheet(dictionary_sheet(tables)?);
    for sheet in sheets.into_iter().flatten() {
        workbook.push_worksheet(sheet);
    }
    // Saving writes the last rows of every sheet to its temporary file before reading them back.
    guarded(&tempdir, || workbook.save_to_writer(out).map_err(&error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::rows::EntityRow;

    fn entities(count: usize) -> Vec<EntityRow> {
        (0..count)
            .map(|i| EntityRow {
                id: format!("e{i}"),
                entity_type: crate::model::EntityType::Organization,
                name: format!("Entity {i}"),
            })
            .collect()
    }

    #[test]
    fn a_table_longer_than_a_sheet_continues_on_further_sheets() {
        let mut table = Table::of::<EntityRow>("entities", &[]);
        let workbook = workbook(&std::env::temp_dir()).expect("workbook");
        // Three rows a sheet, header included: two data rows.
        let mut sheets = Sheets::new(&table, 3, &workbook).expect("sheets");
        for chunk in entities(5).chunks(3) {
            sheets.append(&table.batch(chunk).expect("batch")).expect("append");
            table.rows += chunk.len();
        }
        let names: Vec<String> = sheets.finish().expect("finish").iter().map(|s| s.name()).collect();
        assert_eq!(names, ["entities", "entities (2)", "entities (3)"]);
    }

    #[test]
    fn a_table_that_fills_its_sheet_exactly_needs_no_other() {
        let table = Table::of::<EntityRow>("entities", &[]);
        let workbook = workbook(&std::env::temp_dir()).expect("workbook");
        let mut sheets = Sheets::new(&table, 5, &workbook).expect("sheets");
        sheets
            .append(&table.batch(&entities(4)).expect("batch"))
            .expect("append");
        assert_eq!(sheets.finish().expect("finish").len(), 1);
        let mut sheets = Sheets::new(&table, 5, &workbook).expect("sheets");
        sheets
            .append(&table.batch(&entities(5)).expect("batch"))
            .expect("append");
        assert_eq!(sheets.finish().expect("finish").len(), 2);
    }

    #[test]
    fn decimals_show_exactly_their_digits() {
        let d = |text: &str| Decimal::parse(text).expect("decimal");
        assert_eq!(scale_of(d("177.9 billion")), 0);
        assert_eq!(scale_of(d("9.25")), 2);
        assert_eq!(scale_of(d("0.000000001")), 9);
    }
}
