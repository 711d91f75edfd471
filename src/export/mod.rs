//! `build`: the checked dataset written as Parquet, CSV, JSON, an Excel workbook, a SQLite database, a
//! Frictionless data package, a Croissant description and a data dictionary. Everything is written into a staging folder beside the output folder, flushed to disk,
//! then swapped in with one atomic rename, so readers see the old dataset or the new one, never a mix.

mod cells;
mod croissant;
mod csv;
mod json;
mod package;
mod parquet;
mod publish;
mod sqlite;
mod xlsx;

pub use publish::{MARK, Target, claim};

use crate::check::{self, CheckedRevision};
use crate::diagnostic::Diagnostic;
use crate::input::Input;
use crate::load::Limits;
use crate::model::DatasetMeta;
use crate::tables::rows::*;
use crate::tables::{self, Normalized, Row, Table};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A format of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// `json/profiles.jsonl`.
    Json,
    /// `csv/<table>.csv`.
    Csv,
    /// `parquet/<table>.parquet`.
    Parquet,
    /// `xlsx/<name>.xlsx`: one workbook, a sheet a table.
    Xlsx,
    /// `sqlite/<name>.sqlite` and its Datasette metadata, `sqlite/<name>.metadata.json`.
    Sqlite,
}

impl Format {
    /// Every format: what `build` writes by default.
    pub const ALL: [Format; 5] = [Format::Json, Format::Csv, Format::Parquet, Format::Xlsx, Format::Sqlite];
}

/// The workbook of the dataset `name`, relative to the output folder.
pub fn workbook_path(name: &str) -> String {
    format!("xlsx/{name}.xlsx")
}

/// The SQLite database of the dataset `name`, relative to the output folder.
pub fn database_path(name: &str) -> String {
    format!("sqlite/{name}.sqlite")
}

/// The Datasette metadata of the database of the dataset `name`, relative to the output folder.
pub fn datasette_metadata_path(name: &str) -> String {
    format!("sqlite/{name}.metadata.json")
}

/// Why a build could not be written. The previous output is untouched in every case.
#[derive(Debug)]
pub enum ExportError {
    /// Reading or writing a file failed.
    Io(PathBuf, io::Error),
    /// The rows did not fit their Arrow or Parquet schema: a bug, reported rather than written.
    Encode(String),
    /// The input has problems: every one found, sorted. Nothing is published.
    Problems(Vec<Diagnostic>),
    /// The temporary folder could not take or give back the merged entities.
    Spill(check::SpillError),
    /// The output folder is not one that build may replace.
    Refused(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            ExportError::Encode(message) => write!(f, "cannot encode the tables: {message}"),
            ExportError::Refused(message) => f.write_str(message),
            ExportError::Spill(error) => error.fmt(f),
            ExportError::Problems(problems) => write!(f, "the input has {} problems", problems.len()),
        }
    }
}

/// What a build wrote.
#[derive(Debug, Default)]
pub struct Summary {
    /// Every table with its number of rows.
    pub tables: Vec<(&'static str, usize)>,
    /// Every file written, relative to the output folder, with its size and SHA-256.
    pub files: Vec<WrittenFile>,
}

/// A file of the dataset.
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: usize = self.tables.iter().map(|(_, rows)| rows).sum();
        let bytes: u64 = self.files.iter().map(|file| file.bytes).sum();
        for (name, count) in &self.tables {
            let size = |ext: &str| {
                let path = format!("{ext}/{name}.{ext}");
                self.files.iter().find(|f| f.path == path).map(|f| f.bytes)
            };
            let sizes: Vec<String> = [("csv", size("csv")), ("parquet", size("parquet"))]
                .into_iter()
                .filter_map(|(ext, bytes)| bytes.map(|b| format!("{ext} {b} B")))
                .collect();
            writeln!(f, "  {name:<14} {count:>9} rows   {}", sizes.join(", "))?;
        }
        for file in &self.files {
            let whole_dataset = ["json/", "xlsx/", "sqlite/"].iter().any(|p| file.path.starts_with(p));
            if whole_dataset {
                writeln!(f, "  {:<40} {:>9} B", file.path, file.bytes)?;
            }
        }
        write!(
            f,
            "{} tables, {rows} rows, {} files, {bytes} bytes",
            self.tables.len(),
            self.files.len()
        )
    }
}

/// Makes a format's folder (`csv/`, ...) in the staging folder, one level only: a staging folder
/// removed by a signal is never made again by a writer still running.
fn format_folder(folder: &Path) -> Result<(), ExportError> {
    match std::fs::create_dir(folder) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(ExportError::Io(folder.to_owned(), e)),
        _ => Ok(()),
    }
}

/// Writes a file of the staging folder through a buffer, counting and hashing what it writes.
struct DataFile {
    path: PathBuf,
    relative: String,
    writer: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl DataFile {
    fn create(root: &Path, relative: &str) -> Result<DataFile, ExportError> {
        let path = root.join(relative);
        if let Some(parent) = path.parent()
            && parent != root
        {
            format_folder(parent)?;
        }
        let file = File::create(&path).map_err(|e| ExportError::Io(path.clone(), e))?;
        Ok(DataFile {
            path,
            relative: relative.to_owned(),
            // Two dozen files are open at once: 64 KiB each rather than 1 MiB saves 30 MB of a
            // build's peak, for the same time.
            writer: BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Flushes the file to disk and returns what was written.
    fn finish(self) -> Result<WrittenFile, ExportError> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| ExportError::Io(path.clone(), e.into_error()))?;
        file.sync_all().map_err(|e| ExportError::Io(path.clone(), e))?;
        Ok(WrittenFile {
            path: self.relative,
            bytes: self.bytes,
            sha256: self.hasher.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

impl Write for DataFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.writer.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// A file another library wrote into the staging folder, flushed to disk, with its size and hash.
fn written(root: &Path, relative: &str) -> Result<WrittenFile, ExportError> {
    let path = root.join(relative);
    let io = |e: io::Error| ExportError::Io(path.clone(), e);
    let mut file = File::open(&path).map_err(io)?;
    file.sync_all().map_err(io)?;
    let (mut hasher, mut bytes, mut buffer) = (Sha256::new(), 0, vec![0; 1 << 20]);
    loop {
        let read = io::Read::read(&mut file, &mut buffer).map_err(io)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        bytes += read as u64;
    }
    Ok(WrittenFile {
        path: relative.to_owned(),
        bytes,
        sha256: hasher.finalize().iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// The files of one table being written, a record batch at a time.
struct TableFiles {
    table: Table,
    csv: Option<::csv::Writer<DataFile>>,
    parquet: Option<parquet::TableWriter<DataFile>>,
    xlsx: Option<xlsx::Sheets>,
    sqlite: Option<sqlite::Part>,
}

/// A table whose files are closed: its row count, its CSV and Parquet files, its sheets of the
/// workbook and its part of the database.
struct FinishedTable {
    table: Table,
    csv: Option<WrittenFile>,
    parquet: Option<WrittenFile>,
    sheets: Option<Vec<rust_xlsxwriter::Worksheet>>,
    part: Option<PathBuf>,
}

impl TableFiles {
    fn create<T: Row>(
        staging: &Path,
        formats: &[Format],
        workbook: Option<&xlsx::SharedWorkbook>,
    ) -> Result<TableFiles, ExportError> {
        let table = Table::of::<T>();
        let csv = match formats.contains(&Format::Csv) {
            true => {
                let file = DataFile::create(staging, &format!("csv/{}.csv", table.name))?;
                let path = file.path.clone();
                Some(csv::writer(&table, file).map_err(|e| ExportError::Io(path, e))?)
            }
            false => None,
        };
        let parquet = match formats.contains(&Format::Parquet) {
            true => {
                let file = DataFile::create(staging, &format!("parquet/{}.parquet", table.name))?;
                let writer = parquet::TableWriter::new(&table, file)
                    .map_err(|e| ExportError::Encode(format!("{}: {e}", table.name)))?;
                Some(writer)
            }
            false => None,
        };
        let xlsx = match workbook {
            Some(workbook) => Some(xlsx::Sheets::new(&table, xlsx::SHEET_ROWS, workbook)?),
            None => None,
        };
        let sqlite = match formats.contains(&Format::Sqlite) {
            true => Some(sqlite::Part::create(staging, "sqlite", &table)?),
            false => None,
        };
        Ok(TableFiles {
            table,
            csv,
            parquet,
            xlsx,
            sqlite,
        })
    }

    fn append<T: Row>(&mut self, rows: &[T]) -> Result<(), ExportError> {
        if rows.is_empty() {
            return Ok(());
        }
        self.table.rows += rows.len();
        if self.csv.is_none() && self.parquet.is_none() && self.xlsx.is_none() && self.sqlite.is_none() {
            return Ok(()); // only JSON is written, which needs no record batch
        }
        let name = self.table.name;
        let batch = self
            .table
            .batch(rows)
            .map_err(|e| ExportError::Encode(format!("{name}: {e}")))?;
        if let Some(writer) = &mut self.csv {
            csv::write(&self.table, &batch, writer)
                .map_err(|e| ExportError::Io(format!("csv/{name}.csv").into(), e))?;
        }
        if let Some(writer) = &mut self.parquet {
            writer
                .write(batch.clone())
                .map_err(|e| ExportError::Encode(format!("{name}: {e}")))?;
        }
        if let Some(sheets) = &mut self.xlsx {
            sheets.append(&batch)?;
        }
        if let Some(part) = &mut self.sqlite {
            part.append(&self.table, &batch)?;
        }
        Ok(())
    }

    /// Closes the files: the table with its row count, its CSV and Parquet files, its sheets and its
    /// part of the database.
    fn finish(self) -> Result<FinishedTable, ExportError> {
        let name = self.table.name;
        let csv = match self.csv {
            Some(writer) => {
                let file = writer
                    .into_inner()
                    .map_err(|e| ExportError::Io(format!("csv/{name}.csv").into(), e.into_error()))?;
                Some(file.finish()?)
            }
            None => None,
        };
        let parquet = match self.parquet {
            Some(writer) => {
                let file = writer
                    .finish()
                    .map_err(|e| ExportError::Encode(format!("{name}: {e}")))?;
                Some(file.finish()?)
            }
            None => None,
        };
        Ok(FinishedTable {
            table: self.table,
            csv,
            parquet,
            sheets: self.xlsx.map(xlsx::Sheets::finish).transpose()?,
            part: self.sqlite.map(sqlite::Part::finish).transpose()?,
        })
    }
}

/// Appending rows to one table: tables are written in parallel, each by one thread.
type Job<'a> = Box<dyn FnOnce() -> Result<(), ExportError> + Send + 'a>;

/// Every table of the dataset being written, in the order of the data dictionary.
struct TableSet {
    profiles: TableFiles,
    entities: TableFiles,
    organizations: TableFiles,
    systems: TableFiles,
    claims: TableFiles,
    contracts: TableFiles,
    figures: TableFiles,
    events: TableFiles,
    relations: TableFiles,
    sources: TableFiles,
    citations: TableFiles,
    changes: TableFiles,
    /// The workbook the tables' sheets are made from, when it is written.
    workbook: Option<xlsx::SharedWorkbook>,
}

impl TableSet {
    fn create(staging: &Path, formats: &[Format]) -> Result<TableSet, ExportError> {
        let workbook = match formats.contains(&Format::Xlsx) {
            true => {
                let folder = staging.join("xlsx");
                format_folder(&folder)?;
                Some(xlsx::workbook(&folder)?)
            }
            false => None,
        };
        let workbook = workbook.as_ref();
        Ok(TableSet {
            profiles: TableFiles::create::<ProfileRow>(staging, formats, workbook)?,
            entities: TableFiles::create::<EntityRow>(staging, formats, workbook)?,
            organizations: TableFiles::create::<OrganizationRow>(staging, formats, workbook)?,
            systems: TableFiles::create::<SystemRow>(staging, formats, workbook)?,
            claims: TableFiles::create::<ClaimRow>(staging, formats, workbook)?,
            contracts: TableFiles::create::<ContractRow>(staging, formats, workbook)?,
            figures: TableFiles::create::<FigureRow>(staging, formats, workbook)?,
            events: TableFiles::create::<EventRow>(staging, formats, workbook)?,
            relations: TableFiles::create::<RelationRow>(staging, formats, workbook)?,
            sources: TableFiles::create::<SourceRow>(staging, formats, workbook)?,
            citations: TableFiles::create::<CitationRow>(staging, formats, workbook)?,
            changes: TableFiles::create::<ChangeRow>(staging, formats, workbook)?,
            workbook: workbook.cloned(),
        })
    }

    /// Appends the rows of a batch of revisions (`tables::revisions`), a table per core at a time.
    fn append_revisions(&mut self, rows: &Normalized) -> Result<(), ExportError> {
        let jobs: Vec<Job<'_>> = vec![
            Box::new(|| self.profiles.append(&rows.profiles)),
            Box::new(|| self.claims.append(&rows.claims)),
            Box::new(|| self.contracts.append(&rows.contracts)),
            Box::new(|| self.figures.append(&rows.figures)),
            Box::new(|| self.events.append(&rows.events)),
            Box::new(|| self.relations.append(&rows.relations)),
            Box::new(|| self.sources.append(&rows.sources)),
            Box::new(|| self.citations.append(&rows.citations)),
            Box::new(|| self.changes.append(&rows.changes)),
        ];
        jobs.into_par_iter().map(|job| job()).collect()
    }

    /// Appends the rows of a batch of entities (`tables::entities`).
    fn append_entities(&mut self, rows: &Normalized) -> Result<(), ExportError> {
        let jobs: Vec<Job<'_>> = vec![
            Box::new(|| self.entities.append(&rows.entities)),
            Box::new(|| self.organizations.append(&rows.organizations)),
            Box::new(|| self.systems.append(&rows.systems)),
        ];
        jobs.into_par_iter().map(|job| job()).collect()
    }

    /// Closes every file: the tables with their row counts, then the CSV files, the Parquet files, the
    /// workbook, the database and its Datasette metadata.
    fn finish(self, staging: &Path, meta: &DatasetMeta) -> Result<(Vec<Table>, Vec<WrittenFile>), ExportError> {
        let all = [
            self.profiles,
            self.entities,
            self.organizations,
            self.systems,
            self.claims,
            self.contracts,
            self.figures,
            self.events,
            self.relations,
            self.sources,
            self.citations,
            self.changes,
        ];
        let (mut tables, mut csv, mut parquet) = (Vec::new(), Vec::new(), Vec::new());
        let (mut sheets, mut parts) = (Vec::new(), Vec::new());
        for files in all {
            let finished = files.finish()?;
            tables.push(finished.table);
            csv.extend(finished.csv);
            parquet.extend(finished.parquet);
            sheets.extend(finished.sheets);
            parts.extend(finished.part);
        }
        csv.extend(parquet);
        let shared = self.workbook;
        let workbook = || -> Result<Option<WrittenFile>, ExportError> {
            let Some(shared) = shared else { return Ok(None) };
            let mut file = DataFile::create(staging, &workbook_path(&meta.name))?;
            xlsx::write_workbook(shared, meta, &tables, sheets, &mut file)?;
            file.finish().map(Some)
        };
        let database = || -> Result<Vec<WrittenFile>, ExportError> {
            if parts.len() != tables.len() {
                return Ok(Vec::new());
            }
            let relative = database_path(&meta.name);
            sqlite::assemble(&staging.join(&relative), &tables, &parts)?;
            let database = written(staging, &relative)?;
            let relative = datasette_metadata_path(&meta.name);
            let mut file = DataFile::create(staging, &relative)?;
            sqlite::write_metadata(meta, &meta.name, &tables, &mut file)
                .map_err(|e| ExportError::Io(file.path.clone(), e))?;
            Ok(vec![database, file.finish()?])
        };
        let (workbook, database) = rayon::join(workbook, database);
        csv.extend(workbook?);
        csv.extend(database?);
        Ok((tables, csv))
    }
}

/// Entities are written this many at a time, or fewer once they have `BATCH_SOURCES` sources: an
/// organization many profiles declare lists every one of their sources, and at 100,000 generated
/// profiles the 400 shared ones (1.6 million sources, 4,000 each) fell in one batch of 8,192, which
/// was the peak of the whole build (661 MB against 516 MB at the end of checking).
const BATCH_ENTITIES: usize = 8192;
const BATCH_SOURCES: usize = 65_536;

/// `items` in order, in batches of at most `count` items, each closed as soon as the `weight` of its
/// items reaches `limit` (so an item heavier than `limit` is a batch of its own).
fn batches<T>(
    mut items: impl Iterator<Item = T>,
    count: usize,
    limit: usize,
    weight: impl Fn(&T) -> usize,
) -> impl Iterator<Item = Vec<T>> {
    std::iter::from_fn(move || {
        let (mut batch, mut weighed) = (Vec::new(), 0);
        while batch.len() < count
            && weighed < limit
            && let Some(item) = items.next()
        {
            weighed += weight(&item);
            batch.push(item);
        }
        (!batch.is_empty()).then_some(batch)
    })
}

/// Checks the input on this thread and hands each batch of checked revisions to `write` on a thread
/// of its own, so that one batch is written while the next is checked. Batches are written one at a
/// time and in order, so the output does not depend on timing. Once the writer has stopped on an
/// error, checking still goes on to the end (the batches are dropped): problems in the input win
/// over an error of the writer, as they are what the curator must fix, and which error a build
/// reports must not depend on whether the checker or the writer was ahead.
fn check_while_writing(
    input: &Input,
    limits: &Limits,
    quiet: bool,
    mut write: impl FnMut(Vec<CheckedRevision>) -> Result<(), ExportError> + Send,
) -> Result<check::Checked, ExportError> {
    std::thread::scope(|scope| {
        // One batch waits while another is written: memory holds four batches at most (one checked,
        // one merged, one queued, one written).
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<CheckedRevision>>(1);
        let writer = scope.spawn(move || receiver.into_iter().try_for_each(&mut write));
        let mut sender = Some(sender);
        let checked = check::stream(input, limits, quiet, |revisions| {
            // Sending fails only once the writer has stopped, on an error of its own.
            if sender.as_ref().is_some_and(|s| s.send(revisions).is_err()) {
                sender = None;
            }
            Ok::<(), std::convert::Infallible>(())
        });
        drop(sender);
        let written = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match checked {
            Ok(checked) => written.map(|()| checked),
            Err(check::Failure::Problems(problems)) => Err(ExportError::Problems(problems)),
            Err(check::Failure::Spill(error)) => Err(ExportError::Spill(error)),
            Err(check::Failure::Visit(never)) => match never {},
        }
    })
}

/// Checks the input and writes the dataset in the given formats in the same pass, replacing the
/// target atomically. Each batch of checked revisions goes into the staging folder as it comes, so
/// every file is read and parsed once and memory holds one batch of rows, not the dataset; what
/// needs every file (the entity tables, the entities each document names) is written at the end.
/// A problem anywhere stops the writing, and the staging folder is discarded: bad input publishes
/// nothing, and the previous output stays.
pub fn build(
    input: &Input,
    limits: &Limits,
    quiet: bool,
    target: &Target,
    formats: &[Format],
) -> Result<Summary, ExportError> {
    publish::publish(target, |staging| write_all(input, limits, quiet, formats, staging))
}

fn write_all(
    input: &Input,
    limits: &Limits,
    quiet: bool,
    formats: &[Format],
    staging: &Path,
) -> Result<Summary, ExportError> {
    let mut documents = match formats.contains(&Format::Json) {
        true => Some(json::Documents::create(staging)?),
        false => None,
    };
    let mut tables = TableSet::create(staging, formats)?;
    let write = |revisions: Vec<CheckedRevision>| -> Result<(), ExportError> {
        let rows = tables::revisions(&revisions);
        drop(revisions);
        let append_documents = || documents.as_mut().map_or(Ok(()), |documents| documents.append(&rows));
        let (appended, documents) = rayon::join(|| tables.append_revisions(&rows), append_documents);
        appended.and(documents)
    };
    let checked = check_while_writing(input, limits, quiet, write)?;
    let sources = |entity: &check::Entity| entity.sources.len();
    for batch in batches(checked.entities.iter(), BATCH_ENTITIES, BATCH_SOURCES, sources) {
        tables.append_entities(&tables::entities(batch))?;
    }
    let finish_documents = || {
        documents
            .map(|documents| documents.finish(staging, &checked.entities))
            .transpose()
    };
    let (finished, documents) = rayon::join(|| tables.finish(staging, &checked.meta), finish_documents);
    let (tables, data_files) = finished?;
    // Every entity has been read back by now: one that could not be is not published.
    if let Some(error) = checked.entities.spill_error() {
        return Err(ExportError::Spill(error));
    }
    let mut summary = Summary {
        tables: tables.iter().map(|t| (t.name, t.rows)).collect(),
        files: Vec::new(),
    };
    summary.files.extend(documents?);
    summary.files.extend(data_files);
    let mut file = DataFile::create(staging, package::DATAPACKAGE_PATH)?;
    package::write_datapackage(&checked.meta, &tables, &summary.files, &mut file)
        .map_err(|e| ExportError::Io(file.path.clone(), e))?;
    let datapackage = file.finish()?;
    let mut file = DataFile::create(staging, package::DICTIONARY_PATH)?;
    package::write_dictionary(&checked.meta, &tables, &summary.files, &mut file)
        .map_err(|e| ExportError::Io(file.path.clone(), e))?;
    let readme = file.finish()?;
    summary.files.push(datapackage);
    summary.files.push(readme);
    // Last, as it lists every other file with its hash, the data package and dictionary included.
    let mut file = DataFile::create(staging, croissant::PATH)?;
    croissant::write(&checked.meta, &tables, &summary.files, &mut file)
        .map_err(|e| ExportError::Io(file.path.clone(), e))?;
    summary.files.push(file.finish()?);
    for folder in ["json", "csv", "parquet", "xlsx", "sqlite", ""] {
        publish::sync_folder(&staging.join(folder));
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn batches_keep_every_item_in_order_and_close_on_count_or_weight() {
        let weights = [1, 1, 1, 1, 1, 9, 1, 4, 4, 1];
        let got: Vec<Vec<usize>> = batches(weights.into_iter(), 3, 5, |w| *w).collect();
        assert_eq!(got, [vec![1, 1, 1], vec![1, 1, 9], vec![1, 4], vec![4, 1]]);
        assert_eq!(batches(std::iter::empty::<usize>(), 3, 5, |w| *w).count(), 0);
    }
}
