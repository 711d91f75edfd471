//! The floor of the workbook and the database: how fast rust_xlsxwriter alone and rusqlite alone write
//! the rows of a built dataset, in the shapes our writers give them (`src/export/xlsx.rs`,
//! `src/export/sqlite.rs`), so that our writers can be held to it. Findings: `bench/WRITERS.md`.
//!
//! It reads a dataset built as CSV (`datapackage.json` and every CSV file it lists) into memory, typed,
//! before any timing; then runs each variant given `--runs` times, in alternation, and prints the
//! median wall time, CPU time (user + system, of every thread), cells/s or rows/s and file size.
//! Where the machine is shared, wall time says more about the other users than about the writer: each
//! phase also reports the CPU time of its busiest thread, and their sum (`on cores of its own`) is
//! what one writer would take with the cores to itself.
//!
//! ```sh
//! cargo run --release --example generate -- 10000 42 /tmp/gen10k
//! target/release/profile-export build --input /tmp/gen10k --output /tmp/gen10k-out --format csv
//! cargo run --release --example writer_floor -- /tmp/gen10k-out /tmp/floor-scratch --runs 3 \
//!     'xlsx:parallel,level=3' 'sqlite:parts,without-rowid' 'xlsx:parallel+sqlite:parts,without-rowid'
//! ```
//!
//! `--keep` leaves the files of the last run in `SCRATCH_FOLDER/writer-N/` (to compare them with ours).
//!
//! A variant is one or more writers joined by `+` (run at the same time), each `xlsx:` or `sqlite:`
//! and its options, separated by commas:
//!
//! - `xlsx:` `serial` or `parallel` (sheets written one after another, or on every core), `level=N`
//!   (the zip compression level, 1 to 9; 3 by default), `tempdir=PATH` (where the sheets' rows wait;
//!   the scratch folder by default, on disk like our staging folder).
//! - `sqlite:` `one` or `parts` (every table through one connection, or each into a database of its
//!   own on every core, then copied into one), `without-rowid` (tables whose primary key is text and
//!   that have no full-text index), `page=N` (the page size), `cache=MB` (the page cache),
//!   `threads=N` (SQLite's sorter threads), `fts=rebuild`, `fts=select` or `fts=parts` (fill the
//!   full-text indexes with FTS5's `rebuild`, with `INSERT ... SELECT` as our writer does, or with
//!   `rebuild` in each part, their shadow tables then copied), `index=main` or `index=parts` (index
//!   the foreign keys in the one database, or in each part, the indexes then copied with the rows).
//!
//! The features of rust_xlsxwriter are chosen when the example is built:
//! `cargo build --release --example writer_floor --features rust_xlsxwriter/ryu` (or `zmij`, `zlib`).

use rayon::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

/// What can go wrong, as a message naming the file and the value.
type Failure = Box<dyn Error + Send + Sync>;

/// Columns that full-text search covers, in every table that has them: `SEARCHED` in
/// `src/export/sqlite.rs`.
const SEARCHED: &[&str] = &[
    "name",
    "abbreviation",
    "aliases",
    "summary",
    "title",
    "publisher",
    "description",
    "note",
    "quote",
    "old_value",
    "new_value",
];
/// The widest a column is made, in characters (`MAX_WIDTH` in `src/export/xlsx.rs`).
const MAX_WIDTH: usize = 60;
/// Significant digits a decimal may have to be a number cell (`DOUBLE_DIGITS` in `src/quantity.rs`).
const DOUBLE_DIGITS: usize = 15;
/// Digits after the decimal point the dataset keeps (`SCALE` in `src/quantity.rs`).
const SCALE: usize = 9;
/// Rows of a sheet, header included: Excel's limit.
const SHEET_ROWS: usize = 1_048_576;

// ---------------------------------------------------------------------------------------------------
// The dataset in memory.

/// What a column holds, from its Table Schema type.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// `string`.
    Text,
    /// `array`: a JSON array, as its text.
    List,
    /// `number`: an exact decimal, as its text.
    Number,
    /// `date`.
    Date,
    /// `boolean`.
    Boolean,
}

/// A column of the Table Schema.
struct Column {
    name: String,
    kind: Kind,
    required: bool,
    /// The values allowed (`enum`), if any.
    allowed: Vec<String>,
}

/// A calendar day.
#[derive(Debug, Clone, Copy)]
struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    /// The day as `YYYY-MM-DD`, in `buffer`.
    fn iso(self, buffer: &mut [u8; 10]) -> &str {
        let digits = |n: u16, out: &mut [u8]| {
            let mut n = n;
            for slot in out.iter_mut().rev() {
                *slot = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        digits(self.year, &mut buffer[0..4]);
        buffer[4] = b'-';
        digits(u16::from(self.month), &mut buffer[5..7]);
        buffer[7] = b'-';
        digits(u16::from(self.day), &mut buffer[8..10]);
        std::str::from_utf8(buffer).unwrap_or_default()
    }
}

/// The values of a column, typed. An empty text is a missing value (the CSV files' `missingValues`).
enum Values {
    /// Texts, lists and numbers: every value's text, one after another, and where each one ends.
    Texts {
        bytes: String,
        ends: Vec<usize>,
    },
    Days(Vec<Option<Day>>),
    Booleans(Vec<Option<bool>>),
}

/// One cell, typed.
enum Cell<'a> {
    Null,
    Text(&'a str),
    List(&'a str),
    Number(&'a str),
    Date(Day),
    Boolean(bool),
}

/// A table: its schema and its rows, a vector a column.
struct Table {
    name: String,
    columns: Vec<Column>,
    primary_key: Vec<String>,
    /// (column, table it refers to).
    foreign_keys: Vec<(String, String)>,
    values: Vec<Values>,
    rows: usize,
    /// Size of its CSV file, in bytes.
    csv_bytes: u64,
}

impl Table {
    /// The cell at `row` of the column at `index`.
    fn cell(&self, index: usize, row: usize) -> Cell<'_> {
        match &self.values[index] {
            Values::Texts { bytes, ends } => {
                let start = if row == 0 { 0 } else { ends[row - 1] };
                let text = &bytes[start..ends[row]];
                match (text.is_empty(), self.columns[index].kind) {
                    (true, _) => Cell::Null,
                    (false, Kind::List) => Cell::List(text),
                    (false, Kind::Number) => Cell::Number(text),
                    (false, _) => Cell::Text(text),
                }
            }
            Values::Days(days) => days[row].map_or(Cell::Null, Cell::Date),
            Values::Booleans(booleans) => booleans[row].map_or(Cell::Null, Cell::Boolean),
        }
    }

    /// Cells that hold a value.
    fn filled_cells(&self) -> u64 {
        (0..self.columns.len())
            .map(|index| {
                (0..self.rows)
                    .filter(|&row| !matches!(self.cell(index, row), Cell::Null))
                    .count() as u64
            })
            .sum()
    }

    /// The columns full-text search covers.
    fn searched(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|c| matches!(c.kind, Kind::Text | Kind::List) && SEARCHED.contains(&c.name.as_str()))
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// A JSON value's member as text, or an error naming the file.
fn text_of<'a>(value: &'a serde_json::Value, member: &str, file: &Path) -> Result<&'a str, Failure> {
    value[member]
        .as_str()
        .ok_or_else(|| format!("{}: `{member}` is missing or is not a text", file.display()).into())
}

/// Every CSV resource of `datapackage.json` in `folder`, read into memory, typed.
fn load(folder: &Path) -> Result<Vec<Table>, Failure> {
    let package_path = folder.join("datapackage.json");
    let package: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&package_path).map_err(|e| format!("{}: {e}", package_path.display()))?)
            .map_err(|e| format!("{}: {e}", package_path.display()))?;
    let resources = package["resources"]
        .as_array()
        .ok_or_else(|| format!("{}: `resources` is not a list", package_path.display()))?;
    // Resources are named `<table>-csv`; foreign keys refer to them by that name.
    let csv_resources: Vec<&serde_json::Value> = resources.iter().filter(|r| r["format"] == "csv").collect();
    let table_of = |resource: &str| resource.strip_suffix("-csv").unwrap_or(resource).to_owned();
    csv_resources
        .into_par_iter()
        .map(|resource| {
            let schema = &resource["schema"];
            let mut columns = Vec::new();
            for field in schema["fields"].as_array().into_iter().flatten() {
                let kind = match text_of(field, "type", &package_path)? {
                    "string" => Kind::Text,
                    "array" => Kind::List,
                    "number" => Kind::Number,
                    "date" => Kind::Date,
                    "boolean" => Kind::Boolean,
                    other => {
                        return Err(format!(
                            "{}: type `{other}` is none of string, array, number, date and boolean",
                            package_path.display()
                        )
                        .into());
                    }
                };
                let constraints = &field["constraints"];
                columns.push(Column {
                    name: text_of(field, "name", &package_path)?.to_owned(),
                    kind,
                    required: constraints["required"] == true,
                    allowed: constraints["enum"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                });
            }
            let names = |list: &serde_json::Value| -> Vec<String> {
                list.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            };
            let mut foreign_keys = Vec::new();
            for key in schema["foreignKeys"].as_array().into_iter().flatten() {
                let target = table_of(text_of(&key["reference"], "resource", &package_path)?);
                for column in names(&key["fields"]) {
                    foreign_keys.push((column, target.clone()));
                }
            }
            let relative = text_of(resource, "path", &package_path)?;
            let (values, rows, csv_bytes) = read_csv(&folder.join(relative), &columns)?;
            Ok(Table {
                name: table_of(text_of(resource, "name", &package_path)?),
                columns,
                primary_key: names(&schema["primaryKey"]),
                foreign_keys,
                values,
                rows,
                csv_bytes,
            })
        })
        .collect()
}

/// The columns of a CSV file, typed as `columns` say, with the number of rows and the file's size.
fn read_csv(path: &Path, columns: &[Column]) -> Result<(Vec<Values>, usize, u64), Failure> {
    let shown = path.display();
    let csv_bytes = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?.len();
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("{shown}: {e}"))?;
    let header = reader.headers().map_err(|e| format!("{shown}: {e}"))?.clone();
    let expected: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    if header.iter().collect::<Vec<_>>() != expected {
        return Err(format!("{shown}: the header is not the schema's columns {}", expected.join(",")).into());
    }
    let mut values: Vec<Values> = columns
        .iter()
        .map(|c| match c.kind {
            Kind::Date => Values::Days(Vec::new()),
            Kind::Boolean => Values::Booleans(Vec::new()),
            _ => Values::Texts {
                bytes: String::new(),
                ends: Vec::new(),
            },
        })
        .collect();
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    while reader.read_record(&mut record).map_err(|e| format!("{shown}: {e}"))? {
        let line = record.position().map_or(0, |p| p.line());
        for (index, (text, column)) in record.iter().zip(columns).enumerate() {
            let bad = |allowed: &str| format!("{shown}:{line}:{}: `{text}` is not {allowed}", index + 1);
            if text.is_empty() && column.required {
                return Err(format!(
                    "{shown}:{line}:{}: `{}` is empty; the column requires a value",
                    index + 1,
                    column.name
                )
                .into());
            }
            match &mut values[index] {
                Values::Texts { bytes, ends } => {
                    if column.kind == Kind::Number
                        && !text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
                    {
                        return Err(bad("a decimal").into());
                    }
                    bytes.push_str(text);
                    ends.push(bytes.len());
                }
                Values::Days(days) => days.push(match text {
                    "" => None,
                    _ => Some(parse_day(text).ok_or_else(|| bad("a date `YYYY-MM-DD`"))?),
                }),
                Values::Booleans(booleans) => booleans.push(match text {
                    "" => None,
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => return Err(bad("`true` or `false`").into()),
                }),
            }
        }
        rows += 1;
    }
    Ok((values, rows, csv_bytes))
}

/// `YYYY-MM-DD` as a day.
fn parse_day(text: &str) -> Option<Day> {
    let mut parts = text.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    (year.len() == 4 && month.len() == 2 && day.len() == 2).then_some(())?;
    Some(Day {
        year: year.parse().ok()?,
        month: month.parse().ok()?,
        day: day.parse().ok()?,
    })
}

/// A decimal's text as a double, with its digits after the point, when it has at most 15 significant
/// digits (so that the double gives back exactly these digits); `None` otherwise.
fn as_double(text: &str) -> Option<(f64, usize)> {
    let digits = text.trim_start_matches('-');
    let significant = digits.replace('.', "");
    let significant = significant.trim_start_matches('0').trim_end_matches('0');
    if significant.len() > DOUBLE_DIGITS {
        return None;
    }
    let scale = digits.split_once('.').map_or(0, |(_, fraction)| fraction.len());
    Some((text.parse().ok()?, scale.min(SCALE)))
}

// ---------------------------------------------------------------------------------------------------
// Measuring.

/// CPU time (user and system) of this process so far, every thread's, in seconds.
fn cpu_seconds() -> f64 {
    cpu_seconds_of("/proc/self/stat")
}

/// CPU time (user and system) of the calling thread so far, in seconds.
fn thread_cpu_seconds() -> f64 {
    cpu_seconds_of("/proc/thread-self/stat")
}

/// CPU time from a `stat` file of `/proc`: its fields 14 and 15, in clock ticks of 1/100 s (Linux's
/// fixed `USER_HZ`).
fn cpu_seconds_of(stat_file: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_file).unwrap_or_default();
    // The command name, in parentheses, may hold spaces: count fields after it.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // Fields 14 and 15 of the whole line are the 12th and 13th after the name.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// One phase of a writer, its times in seconds.
struct Phase {
    name: String,
    wall: f64,
    /// CPU time of the whole process (so that of every writer running at the time).
    cpu: f64,
    /// CPU time of its busiest thread: what the phase would take on cores of its own, where the
    /// machine is shared.
    critical: f64,
}

/// The phases of one writer, in order.
#[derive(Default)]
struct Phases(Vec<Phase>);

impl Phases {
    /// Runs `step`, on this thread only, and records its times as `name`.
    fn time<T>(&mut self, name: &str, step: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
        self.time_parallel(name, || Ok((step()?, None)))
    }

    /// Runs `step`, which returns the CPU time of its busiest thread if it ran on more than one,
    /// and records its times as `name`.
    fn time_parallel<T>(
        &mut self,
        name: &str,
        step: impl FnOnce() -> Result<(T, Option<f64>), Failure>,
    ) -> Result<T, Failure> {
        let (start, cpu) = (Instant::now(), cpu_seconds());
        let (result, busiest) = step()?;
        let (wall, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        self.0.push(Phase {
            name: name.to_owned(),
            wall,
            cpu,
            critical: busiest.unwrap_or(cpu),
        });
        Ok(result)
    }
}

/// Runs `job` on every item, on every core, the items taken in order by whichever thread is free
/// (so that the largest, given first, do not end up last on one core), and returns the results in
/// the items' order, with the CPU time of the busiest thread.
fn on_every_core<T: Send, R: Send>(
    items: Vec<T>,
    job: impl Fn(T) -> Result<R, Failure> + Sync,
) -> Result<(Vec<R>, Option<f64>), Failure> {
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..count).map(|_| None).collect());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(count.max(1));
    let busiest = std::thread::scope(|scope| -> Result<f64, Failure> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<f64, Failure> {
                    let start = thread_cpu_seconds();
                    loop {
                        let next = queue.lock().map_err(|_| "a writer thread panicked")?.next();
                        let Some((index, item)) = next else {
                            return Ok(thread_cpu_seconds() - start);
                        };
                        let result = job(item)?;
                        results.lock().map_err(|_| "a writer thread panicked")?[index] = Some(result);
                    }
                })
            })
            .collect();
        let mut busiest = 0.0_f64;
        for worker in workers {
            busiest = busiest.max(worker.join().map_err(|_| "a writer thread panicked")??);
        }
        Ok(busiest)
    })?;
    let results = results.into_inner().map_err(|_| "a writer thread panicked")?;
    Ok((results.into_iter().flatten().collect(), Some(busiest)))
}

// ---------------------------------------------------------------------------------------------------
// The workbook.

/// How the workbook is written.
#[derive(Debug, Clone)]
struct XlsxOptions {
    /// Sheets written on every core rather than one after another.
    parallel: bool,
    /// The zip compression level.
    level: u8,
    /// Where sheets keep their rows until the workbook is saved; the scratch folder if `None`.
    tempdir: Option<PathBuf>,
}

/// The cell formats: those of `src/export/xlsx.rs`.
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
            decimals: (0..=SCALE)
                .map(|scale| match scale {
                    0 => Format::new().set_num_format("0"),
                    _ => Format::new().set_num_format(format!("0.{}", "0".repeat(scale))),
                })
                .collect(),
        }
    }
}

/// Writes the tables as one workbook at `path`, a sheet a table, and returns the cells written.
fn write_xlsx(
    tables: &[Table],
    options: &XlsxOptions,
    scratch: &Path,
    path: &Path,
    phases: &mut Phases,
) -> Result<u64, Failure> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_tempdir(options.tempdir.as_deref().unwrap_or(scratch))?;
    workbook.set_zip_compression_level(options.level);
    // Every format registered before any sheet is written, in a fixed order, by writing it once on a
    // sheet that is never saved (as our writer does): threads then only read the workbook's table.
    let mut probe = workbook.new_worksheet_with_constant_memory()?;
    probe.write_string_with_format(0, 0, "", &formats.header)?;
    probe.write_datetime_with_format(0, 1, &ExcelDateTime::from_ymd(2000, 1, 1)?, &formats.date)?;
    for (index, format) in formats.decimals.iter().enumerate() {
        probe.write_number_with_format(0, 2 + index as u16, 0.0, format)?;
    }
    let sheets: Vec<Worksheet> = tables
        .iter()
        .map(|_| workbook.new_worksheet_with_constant_memory())
        .collect::<Result<_, _>>()?;
    let written = phases.time_parallel("sheets", || {
        let jobs: Vec<(usize, Worksheet)> = sheets.into_iter().enumerate().collect();
        let write = |(index, sheet): (usize, Worksheet)| write_sheet(&tables[index], sheet, &formats);
        if options.parallel {
            // The largest tables first.
            let mut jobs = jobs;
            jobs.sort_by_key(|(index, _)| std::cmp::Reverse(tables[*index].rows * tables[*index].columns.len()));
            let (mut done, busiest) = on_every_core(jobs, |job| Ok((job.0, write(job)?)))?;
            done.sort_by_key(|(index, _)| *index);
            Ok((
                done.into_iter().map(|(_, written)| written).collect::<Vec<_>>(),
                busiest,
            ))
        } else {
            Ok((jobs.into_iter().map(write).collect::<Result<Vec<_>, _>>()?, None))
        }
    })?;
    let mut cells = 0;
    for (sheet, count) in written {
        workbook.push_worksheet(sheet);
        cells += count;
    }
    let file = phases.time("save", || {
        let mut file = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
        workbook.save_to_writer(&mut file)?;
        Ok(file.into_inner().map_err(|e| e.into_error())?)
    })?;
    phases.time("sync", || Ok(file.sync_all()?))?;
    Ok(cells)
}

/// Writes the rows of `table` into `sheet` as our writer types them, and returns the sheet with the
/// cells written (the header's included).
fn write_sheet(table: &Table, mut sheet: Worksheet, formats: &Formats) -> Result<(Worksheet, u64), Failure> {
    if table.rows + 1 > SHEET_ROWS {
        return Err(format!("{}: {} rows do not fit one sheet", table.name, table.rows).into());
    }
    sheet.set_name(&table.name)?;
    for (index, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, index as u16, &column.name, &formats.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    // Room for the filter button beside the name; dates show 10 characters.
    let mut widths: Vec<usize> = table
        .columns
        .iter()
        .map(|c| (c.name.chars().count() + 3).max(if c.kind == Kind::Date { 11 } else { 0 }))
        .collect();
    let mut cells = table.columns.len() as u64;
    let text_width = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    for row in 0..table.rows {
        let sheet_row = row as u32 + 1;
        for (index, width) in widths.iter_mut().enumerate() {
            let column = index as u16;
            let shown = match table.cell(index, row) {
                Cell::Null => continue,
                Cell::Text(text) | Cell::List(text) => {
                    sheet.write_string(sheet_row, column, text)?;
                    text_width(text)
                }
                Cell::Boolean(value) => {
                    sheet.write_boolean(sheet_row, column, value)?;
                    5
                }
                Cell::Date(day) if day.year >= 1900 => {
                    let date = ExcelDateTime::from_ymd(day.year, day.month, day.day)?;
                    sheet.write_datetime_with_format(sheet_row, column, &date, &formats.date)?;
                    10
                }
                Cell::Date(day) => {
                    sheet.write_string(sheet_row, column, day.iso(&mut [0; 10]))?;
                    10
                }
                Cell::Number(text) => {
                    match as_double(text) {
                        Some((number, scale)) => {
                            sheet.write_number_with_format(sheet_row, column, number, &formats.decimals[scale])?
                        }
                        None => sheet.write_string(sheet_row, column, text)?,
                    };
                    text.len()
                }
            };
            *width = (*width).max(shown);
            cells += 1;
        }
    }
    sheet.autofilter(0, 0, table.rows as u32, (table.columns.len() - 1) as u16)?;
    for (index, width) in widths.iter().enumerate() {
        sheet.set_column_width(index as u16, (*width).min(MAX_WIDTH) as f64)?;
    }
    Ok((sheet, cells))
}

// ---------------------------------------------------------------------------------------------------
// The database.

/// How the database is written.
#[derive(Debug, Clone)]
struct SqliteOptions {
    /// Each table into a database of its own, on every core, then copied into one.
    parts: bool,
    /// `WITHOUT ROWID` for tables whose primary key is text and that have no full-text index.
    without_rowid: bool,
    /// `PRAGMA page_size`, if set.
    page_size: Option<u32>,
    /// `PRAGMA cache_size` in MB, if set.
    cache_mb: Option<u32>,
    /// `PRAGMA threads`, if set.
    threads: Option<u32>,
    /// Foreign keys indexed in the parts, and the indexes copied with the rows.
    index_in_parts: bool,
    /// How the full-text indexes are filled.
    fts: Fts,
}

/// How the full-text indexes are filled.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fts {
    /// FTS5's `rebuild`, in the one database.
    Rebuild,
    /// `INSERT INTO <fts> (rowid, ...) SELECT rowid, ... FROM <table>`, as our writer does.
    Select,
    /// `rebuild` in each part, on every core; the index's shadow tables then copied whole.
    Parts,
}

/// A quoted SQL identifier.
fn name(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A quoted SQL text literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Whether the table is stored `WITHOUT ROWID` under `options`: its primary key is text (a rowid
/// table would keep an index equal to it) and no full-text index needs a rowid.
fn without_rowid(table: &Table, options: &SqliteOptions) -> bool {
    options.without_rowid
        && table.searched().is_empty()
        && table.primary_key.iter().all(|key| {
            table
                .columns
                .iter()
                .any(|c| &c.name == key && matches!(c.kind, Kind::Text | Kind::Date | Kind::List))
        })
}

/// The `CREATE TABLE` of `create_table` in `src/export/sqlite.rs`, `WITHOUT ROWID` if `options` say.
fn create_table(table: &Table, options: &SqliteOptions) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|column| {
            let column_name = name(&column.name);
            let sql_type = match column.kind {
                Kind::Boolean => "INTEGER",
                Kind::Number => "ANY",
                Kind::Text | Kind::Date | Kind::List => "TEXT",
            };
            let mut line = format!("  {column_name} {sql_type}");
            if column.required {
                line.push_str(" NOT NULL");
            }
            let allowed: Vec<String> = match column.kind {
                Kind::Boolean => vec!["0".into(), "1".into()],
                _ => column.allowed.iter().map(|v| literal(v)).collect(),
            };
            if !allowed.is_empty() {
                let tests: Vec<String> = allowed.iter().map(|v| format!("{column_name} = {v}")).collect();
                line.push_str(&format!(" CHECK ({})", tests.join(" OR ")));
            }
            line
        })
        .collect();
    let key: Vec<String> = table.primary_key.iter().map(|c| name(c)).collect();
    lines.push(format!("  PRIMARY KEY ({})", key.join(", ")));
    for (column, target) in &table.foreign_keys {
        lines.push(format!(
            "  FOREIGN KEY ({}) REFERENCES {} (\"id\")",
            name(column),
            name(target)
        ));
    }
    let rowid = if without_rowid(table, options) {
        ", WITHOUT ROWID"
    } else {
        ""
    };
    format!(
        "CREATE TABLE {} (\n{}\n) STRICT{rowid}",
        name(&table.name),
        lines.join(",\n")
    )
}

/// A connection to a new database at `path`, set for writing once: no journal, no syncs, and the
/// options' page size, cache and threads.
fn open(path: &Path, options: &SqliteOptions) -> Result<rusqlite::Connection, Failure> {
    let _ = std::fs::remove_file(path);
    let connection = rusqlite::Connection::open(path)?;
    let mut pragmas = String::from(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; \
         PRAGMA locking_mode = EXCLUSIVE;",
    );
    if let Some(size) = options.page_size {
        pragmas.push_str(&format!(" PRAGMA page_size = {size};"));
    }
    if let Some(mb) = options.cache_mb {
        pragmas.push_str(&format!(" PRAGMA cache_size = -{};", mb * 1024));
    }
    if let Some(threads) = options.threads {
        pragmas.push_str(&format!(" PRAGMA threads = {threads};"));
    }
    connection.execute_batch(&pragmas)?;
    Ok(connection)
}

/// Inserts every row of `table` through one prepared statement, binding each cell as our writer
/// stores it: decimals as an `INTEGER` when whole and within 64 bits, a `REAL` when within 15
/// significant digits, their text otherwise; booleans 0 or 1; dates as `YYYY-MM-DD`.
fn insert_rows(connection: &rusqlite::Connection, table: &Table) -> Result<(), Failure> {
    let columns: Vec<String> = table.columns.iter().map(|c| name(&c.name)).collect();
    let marks = vec!["?"; columns.len()].join(", ");
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({marks})",
        name(&table.name),
        columns.join(", ")
    );
    let mut statement = connection.prepare(&sql)?;
    let mut day_text = [0; 10];
    for row in 0..table.rows {
        for index in 0..table.columns.len() {
            let parameter = index + 1;
            match table.cell(index, row) {
                Cell::Null => statement.raw_bind_parameter(parameter, rusqlite::types::Null)?,
                Cell::Text(text) | Cell::List(text) => statement.raw_bind_parameter(parameter, text)?,
                Cell::Boolean(value) => statement.raw_bind_parameter(parameter, i64::from(value))?,
                Cell::Date(day) => statement.raw_bind_parameter(parameter, day.iso(&mut day_text))?,
                Cell::Number(text) => match (text.contains('.'), text.parse::<i64>(), as_double(text)) {
                    (false, Ok(integer), _) => statement.raw_bind_parameter(parameter, integer)?,
                    (_, _, Some((double, _))) => statement.raw_bind_parameter(parameter, double)?,
                    _ => statement.raw_bind_parameter(parameter, text)?,
                },
            }
        }
        statement.raw_execute()?;
    }
    Ok(())
}

/// Indexes every foreign key column of `table`, except one its primary key starts with (which that
/// serves).
fn create_indexes(connection: &rusqlite::Connection, table: &Table) -> Result<(), Failure> {
    for (column, _) in &table.foreign_keys {
        if table.primary_key.first() != Some(column) {
            connection.execute_batch(&format!(
                "CREATE INDEX {} ON {} ({})",
                name(&format!("{}_{column}", table.name)),
                name(&table.name),
                name(column)
            ))?;
        }
    }
    Ok(())
}

/// The full-text index of `table` over its searched columns, `content="<table>"` (the form
/// Datasette and sqlite-utils recognise), filled from the table's rows if `fill`. Returns its name.
fn create_fts(connection: &rusqlite::Connection, table: &Table, fill: Option<bool>) -> Result<String, Failure> {
    let fts = name(&format!("{}_fts", table.name));
    let columns: Vec<String> = table.searched().iter().map(|c| name(c)).collect();
    let columns = columns.join(", ");
    connection.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content={})",
        name(&table.name)
    ))?;
    match fill {
        Some(true) => connection.execute_batch(&format!("INSERT INTO {fts} ({fts}) VALUES ('rebuild')"))?,
        Some(false) => connection.execute_batch(&format!(
            "INSERT INTO {fts} (rowid, {columns}) SELECT rowid, {columns} FROM {}",
            name(&table.name)
        ))?,
        None => {}
    }
    Ok(fts)
}

/// Writes the tables as one database at `path`, and returns the rows written.
fn write_sqlite(
    tables: &[Table],
    options: &SqliteOptions,
    scratch: &Path,
    path: &Path,
    phases: &mut Phases,
) -> Result<u64, Failure> {
    let fill = Some(options.fts == Fts::Rebuild || options.fts == Fts::Parts);
    let connection = if options.parts {
        // Each table into a database of its own, the largest first, on every core.
        let mut order: Vec<usize> = (0..tables.len()).collect();
        order.sort_by_key(|&index| std::cmp::Reverse(tables[index].rows * tables[index].columns.len()));
        let parts = phases.time_parallel("insert", || {
            on_every_core(order, |index| {
                let table = &tables[index];
                let part = scratch.join(format!("{}.part", table.name));
                let mut connection = open(&part, options)?;
                let transaction = connection.transaction()?;
                transaction.execute_batch(&create_table(table, options))?;
                insert_rows(&transaction, table)?;
                if options.index_in_parts {
                    create_indexes(&transaction, table)?;
                }
                if options.fts == Fts::Parts && !table.searched().is_empty() {
                    create_fts(&transaction, table, fill)?;
                }
                transaction.commit()?;
                connection.close().map_err(|(_, e)| e)?;
                Ok((index, part))
            })
        })?;
        let connection = open(path, options)?;
        phases.time("copy", || {
            let mut parts = parts;
            parts.sort_by_key(|(index, _)| *index);
            for (index, part) in parts {
                let table = &tables[index];
                let part_path = part
                    .to_str()
                    .ok_or_else(|| format!("{}: the path is not UTF-8", part.display()))?;
                connection.execute_batch(&create_table(table, options))?;
                if options.index_in_parts {
                    // An empty table with the same indexes as the part's: SQLite's transfer
                    // optimization then copies the index entries with the rows.
                    create_indexes(&connection, table)?;
                }
                connection.execute_batch(&format!(
                    "ATTACH DATABASE {} AS part; INSERT INTO main.{1} SELECT * FROM part.{1};",
                    literal(part_path),
                    name(&table.name)
                ))?;
                if options.fts == Fts::Parts && !table.searched().is_empty() {
                    // The full-text index as built in the part: its shadow tables copied whole.
                    let fts = create_fts(&connection, table, None)?;
                    let fts = fts.trim_matches('"');
                    for shadow in ["data", "idx", "docsize", "config"] {
                        let shadow = name(&format!("{fts}_{shadow}"));
                        connection.execute_batch(&format!(
                            "DELETE FROM main.{shadow}; INSERT INTO main.{shadow} SELECT * FROM part.{shadow};"
                        ))?;
                    }
                }
                connection.execute_batch("DETACH DATABASE part")?;
                std::fs::remove_file(&part).map_err(|e| format!("{}: {e}", part.display()))?;
            }
            Ok(())
        })?;
        connection
    } else {
        let connection = open(path, options)?;
        phases.time("insert", || {
            connection.execute_batch("BEGIN")?;
            for table in tables {
                connection.execute_batch(&create_table(table, options))?;
                insert_rows(&connection, table)?;
            }
            Ok(connection.execute_batch("COMMIT")?)
        })?;
        connection
    };
    if !options.index_in_parts {
        phases.time("index", || {
            connection.execute_batch("BEGIN")?;
            for table in tables {
                create_indexes(&connection, table)?;
            }
            Ok(connection.execute_batch("COMMIT")?)
        })?;
    }
    if options.fts != Fts::Parts {
        phases.time("fts", || {
            connection.execute_batch("BEGIN")?;
            for table in tables.iter().filter(|t| !t.searched().is_empty()) {
                create_fts(&connection, table, fill)?;
            }
            Ok(connection.execute_batch("COMMIT")?)
        })?;
    }
    phases.time("fk_check", || {
        let mut statement = connection.prepare("PRAGMA foreign_key_check")?;
        let mut dangling = statement.query([])?;
        match dangling.next()? {
            Some(row) => Err(format!("a dangling foreign key in {}", row.get::<_, String>(0)?).into()),
            None => Ok(()),
        }
    })?;
    connection.close().map_err(|(_, e)| e)?;
    phases.time("sync", || Ok(std::fs::File::open(path)?.sync_all()?))?;
    Ok(tables.iter().map(|t| t.rows as u64).sum())
}

// ---------------------------------------------------------------------------------------------------
// Variants and the report.

/// One writer of a variant.
#[derive(Debug, Clone)]
enum Writer {
    Xlsx(XlsxOptions),
    Sqlite(SqliteOptions),
}

/// A variant as written on the command line: writers joined by `+`, each `xlsx:` or `sqlite:` and
/// its options (see the module documentation).
fn parse_variant(text: &str) -> Result<Vec<Writer>, Failure> {
    text.split('+')
        .map(|writer| {
            let (kind, options) = writer.split_once(':').unwrap_or((writer, ""));
            let options: Vec<&str> = options.split(',').filter(|o| !o.is_empty()).collect();
            let number = |option: &str, value: &str| -> Result<u32, Failure> {
                value
                    .parse()
                    .map_err(|_| format!("{text}: `{option}` takes a whole number, not `{value}`").into())
            };
            match kind {
                "xlsx" => {
                    let mut xlsx = XlsxOptions {
                        parallel: false,
                        level: 3,
                        tempdir: None,
                    };
                    for option in options {
                        match option.split_once('=') {
                            None if option == "serial" => xlsx.parallel = false,
                            None if option == "parallel" => xlsx.parallel = true,
                            Some(("level", value)) => xlsx.level = number(option, value)? as u8,
                            Some(("tempdir", value)) => xlsx.tempdir = Some(value.into()),
                            _ => {
                                return Err(format!(
                                    "{text}: `{option}` is none of serial, parallel, level=N, tempdir=PATH"
                                )
                                .into());
                            }
                        }
                    }
                    Ok(Writer::Xlsx(xlsx))
                }
                "sqlite" => {
                    let mut sqlite = SqliteOptions {
                        parts: false,
                        without_rowid: false,
                        page_size: None,
                        cache_mb: None,
                        threads: None,
                        index_in_parts: false,
                        fts: Fts::Rebuild,
                    };
                    for option in options {
                        match option.split_once('=') {
                            None if option == "one" => sqlite.parts = false,
                            None if option == "parts" => sqlite.parts = true,
                            None if option == "without-rowid" => sqlite.without_rowid = true,
                            Some(("page", value)) => sqlite.page_size = Some(number(option, value)?),
                            Some(("cache", value)) => sqlite.cache_mb = Some(number(option, value)?),
                            Some(("threads", value)) => sqlite.threads = Some(number(option, value)?),
                            Some(("index", "main")) => sqlite.index_in_parts = false,
                            Some(("index", "parts")) => sqlite.index_in_parts = true,
                            Some(("fts", "rebuild")) => sqlite.fts = Fts::Rebuild,
                            Some(("fts", "select")) => sqlite.fts = Fts::Select,
                            Some(("fts", "parts")) => sqlite.fts = Fts::Parts,
                            _ => {
                                return Err(format!(
                                    "{text}: `{option}` is none of one, parts, without-rowid, page=N, cache=MB, \
                                     threads=N, index=main, index=parts, fts=rebuild, fts=select, fts=parts"
                                )
                                .into());
                            }
                        }
                    }
                    if (sqlite.index_in_parts || sqlite.fts == Fts::Parts) && !sqlite.parts {
                        return Err(format!("{text}: index=parts and fts=parts need `parts`").into());
                    }
                    Ok(Writer::Sqlite(sqlite))
                }
                _ => Err(format!("{text}: a writer is `xlsx:...` or `sqlite:...`, not `{writer}`").into()),
            }
        })
        .collect()
}

/// What one run of a writer measured.
struct WriterRun {
    /// Cells (xlsx) or rows (SQLite) written.
    count: u64,
    bytes: u64,
    phases: Phases,
}

/// What one run of a variant measured.
struct Run {
    wall: f64,
    cpu: f64,
    writers: Vec<WriterRun>,
}

/// Runs the writers of a variant at the same time, each into its own file in `scratch`, and removes
/// the files once measured unless `keep` (to compare them with our writers' files).
fn run(tables: &[Table], writers: &[Writer], scratch: &Path, keep: bool) -> Result<Run, Failure> {
    rustix::fs::sync();
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let results: Vec<Result<(WriterRun, PathBuf), Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = writers
            .iter()
            .enumerate()
            .map(|(index, writer)| {
                scope.spawn(move || -> Result<(WriterRun, PathBuf), Failure> {
                    let folder = scratch.join(format!("writer-{index}"));
                    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
                    let mut phases = Phases::default();
                    let (path, count) = match writer {
                        Writer::Xlsx(options) => {
                            let path = folder.join("floor.xlsx");
                            let cells = write_xlsx(tables, options, &folder, &path, &mut phases)?;
                            (path, cells)
                        }
                        Writer::Sqlite(options) => {
                            let path = folder.join("floor.sqlite");
                            let rows = write_sqlite(tables, options, &folder, &path, &mut phases)?;
                            (path, rows)
                        }
                    };
                    let bytes = std::fs::metadata(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?
                        .len();
                    Ok((WriterRun { count, bytes, phases }, path))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a writer panicked".into())))
            .collect()
    });
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let mut runs = Vec::new();
    for result in results {
        let (writer_run, path) = result?;
        if !keep {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        runs.push(writer_run);
    }
    Ok(Run {
        wall,
        cpu,
        writers: runs,
    })
}

/// The median of `values` (the lower middle one of an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get((values.len().max(1) - 1) / 2).copied().unwrap_or(f64::NAN)
}

/// The report of a variant's runs: one markdown row.
fn report(variant: &str, writers: &[Writer], runs: &[Run]) -> String {
    let walls: Vec<f64> = runs.iter().map(|r| r.wall).collect();
    let wall = median(walls.clone());
    let (min, max) = walls
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), w| (lo.min(*w), hi.max(*w)));
    let cpu = median(runs.iter().map(|r| r.cpu).collect());
    // On cores of its own, a writer would take the sum of its phases' busiest threads; two writers
    // at once share the cores, which this does not model.
    let own_cores = match writers.len() {
        1 => format!(
            "{:.2}",
            median(
                runs.iter()
                    .map(|r| r.writers[0].phases.0.iter().map(|p| p.critical).sum())
                    .collect()
            )
        ),
        _ => "–".into(),
    };
    let (mut rates, mut sizes, mut phases) = (Vec::new(), Vec::new(), Vec::new());
    for (index, writer) in writers.iter().enumerate() {
        let Some(first) = runs.first().map(|r| &r.writers[index]) else {
            continue;
        };
        let unit = match writer {
            Writer::Xlsx(_) => "cells",
            Writer::Sqlite(_) => "rows",
        };
        let count = first.count as f64;
        rates.push(format!("{:.0} {unit}/s, {:.0} per CPU s", count / wall, count / cpu));
        sizes.push(format!("{:.1}", first.bytes as f64 / 1e6));
        let timed: Vec<String> = (0..first.phases.0.len())
            .map(|phase| {
                let of = |time: fn(&Phase) -> f64| {
                    median(runs.iter().map(|r| time(&r.writers[index].phases.0[phase])).collect())
                };
                let name = &first.phases.0[phase].name;
                format!(
                    "{name} {:.2}/{:.2}/{:.2}",
                    of(|p| p.wall),
                    of(|p| p.cpu),
                    of(|p| p.critical)
                )
            })
            .collect();
        phases.push(timed.join(", "));
    }
    format!(
        "| `{variant}` | {wall:.2} ({min:.2}–{max:.2}) | {cpu:.2} | {own_cores} | {} | {} | {} |",
        rates.join("; "),
        sizes.join("; "),
        phases.join("; ")
    )
}

/// The variants run when none is given.
const DEFAULT_VARIANTS: &[&str] = &[
    "xlsx:serial,level=3",
    "xlsx:parallel,level=3",
    "sqlite:one",
    "sqlite:one,without-rowid",
    "sqlite:parts",
    "sqlite:parts,without-rowid",
];

fn main() -> ExitCode {
    match run_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("writer_floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_main() -> Result<(), Failure> {
    let usage = "usage: writer_floor DATASET_FOLDER SCRATCH_FOLDER [--runs N] [--keep] [VARIANT...]";
    let mut arguments = std::env::args().skip(1);
    let (Some(dataset), Some(scratch)) = (arguments.next(), arguments.next()) else {
        return Err(usage.into());
    };
    let (dataset, scratch) = (PathBuf::from(dataset), PathBuf::from(scratch));
    let (mut runs, mut keep) = (3, false);
    let mut variants = Vec::new();
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--runs" => {
                let value = arguments.next().unwrap_or_default();
                runs = value
                    .parse()
                    .map_err(|_| format!("--runs takes a whole number, not `{value}`"))?;
            }
            "--keep" => keep = true,
            _ => variants.push(argument),
        }
    }
    if variants.is_empty() {
        variants = DEFAULT_VARIANTS.iter().map(|v| v.to_string()).collect();
    }
    let parsed: Vec<Vec<Writer>> = variants.iter().map(|v| parse_variant(v)).collect::<Result<_, _>>()?;
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;

    let start = Instant::now();
    let tables = load(&dataset)?;
    let rows: usize = tables.iter().map(|t| t.rows).sum();
    let cells: u64 = tables.iter().map(|t| t.filled_cells()).sum();
    let csv_bytes: u64 = tables.iter().map(|t| t.csv_bytes).sum();
    println!(
        "Read {} tables, {rows} rows, {cells} cells with a value, {:.1} MB of CSV, in {:.1} s (not timed below).",
        tables.len(),
        csv_bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    println!(
        "Binary {}; {runs} runs of each variant, alternating; medians.\n",
        std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    println!(
        "| variant | wall s (min–max) | CPU s | on cores of its own, s | rate | MB | phases: wall/CPU/busiest thread, s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    let mut measured: Vec<Vec<Run>> = variants.iter().map(|_| Vec::new()).collect();
    for round in 0..runs {
        // Each round starts with the next variant, so that none always runs first.
        for offset in 0..variants.len() {
            let index = (round + offset) % variants.len();
            let result = run(&tables, &parsed[index], &scratch, keep)?;
            eprintln!(
                "round {}: {} {:.2} s wall, {:.2} s CPU",
                round + 1,
                variants[index],
                result.wall,
                result.cpu
            );
            measured[index].push(result);
        }
    }
    for (index, variant) in variants.iter().enumerate() {
        println!("{}", report(variant, &parsed[index], &measured[index]));
    }
    for (index, writers) in parsed.iter().enumerate() {
        for (writer_index, writer) in writers.iter().enumerate() {
            if let (Writer::Sqlite(_), Some(first)) = (writer, measured[index].first()) {
                let bytes = first.writers[writer_index].bytes;
                println!(
                    "\n`{}`: the database is {:.1} MB, {:.2}× the CSV files ({:.1} MB).",
                    variants[index],
                    bytes as f64 / 1e6,
                    bytes as f64 / csv_bytes as f64,
                    csv_bytes as f64 / 1e6
                );
            }
        }
    }
    Ok(())
}
