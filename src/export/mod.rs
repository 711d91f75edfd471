//! The formats of the dataset: one `Writer` a format, each in a file of its own, all fed the same
//! tables a batch at a time (Arrow record batches, and the same rows typed for the JSON documents),
//! each writing its files into the staging folder and saying what it wrote. The formats that
//! describe the dataset (the data package, the dictionary, the Croissant description) come last and
//! list what the others wrote.
//! This stage knows tables and files only: checking, and what to do with problems, are `build`'s.

mod cells;
mod croissant;
mod csv;
mod json;
mod package;
mod parquet;
mod sqlite;
mod xlsx;

use crate::model::DatasetMeta;
use crate::tables::Table;
use arrow_array::RecordBatch;
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

/// Why a format could not be written.
#[derive(Debug)]
pub enum ExportError {
    /// Reading or writing a file failed.
    Io(PathBuf, io::Error),
    /// The rows did not fit their Arrow, Parquet or workbook schema: a bug, reported rather than written.
    Encode(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Io(path, e) => write!(f, "{}: {e}", crate::escape::path(path)),
            ExportError::Encode(message) => write!(f, "cannot encode the tables: {message}"),
        }
    }
}

/// A format of the dataset: given the tables a batch of rows at a time, it writes its files into
/// the staging folder, and says what it wrote.
pub trait Writer: Send {
    /// Appends a batch of rows.
    fn append(&mut self, batch: &Batch<'_>) -> Result<(), ExportError>;
    /// Closes its files and says what it wrote: each file's path, size and SHA-256.
    fn finish(self: Box<Self>, dataset: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError>;
}

/// A batch of rows: of some revisions, or of some entities.
pub struct Batch<'a> {
    /// Every table, in the order of the data dictionary.
    pub tables: &'a [Table],
    /// The rows of each table, in the same order (none where a table has no rows in this batch).
    pub records: &'a [Option<RecordBatch>],
    /// The same rows, typed: what the JSON documents are made of.
    pub rows: &'a crate::tables::Normalized,
}

/// The dataset being finished: its description, its tables with their row counts, and, for a
/// description of the dataset, the files the formats and the descriptions before it wrote.
pub struct Dataset<'a> {
    /// `dataset.yaml`.
    pub meta: &'a DatasetMeta,
    /// Every table, with its number of rows.
    pub tables: &'a [Table],
    /// The files written so far (none for a format: the formats are finished side by side).
    pub files: &'a [WrittenFile],
}

/// Every writer of a build: the formats, which know nothing of each other, and the descriptions of
/// the dataset, which list what the formats wrote.
pub struct Writers {
    formats: Vec<Box<dyn Writer>>,
    descriptions: Vec<Box<dyn Writer>>,
}

impl Writers {
    /// The writers of `formats` into the staging folder, then those that describe the dataset.
    pub fn create(formats: &[Format], staging: &Path, tables: &[Table]) -> Result<Writers, ExportError> {
        let mut writers: Vec<Box<dyn Writer>> = Vec::new();
        for format in Format::ALL.into_iter().filter(|format| formats.contains(format)) {
            writers.push(match format {
                Format::Json => Box::new(json::Documents::create(staging)?),
                Format::Csv => Box::new(csv::CsvFiles::create(staging, tables)?),
                Format::Parquet => Box::new(parquet::ParquetFiles::create(staging, tables)?),
                Format::Xlsx => Box::new(xlsx::WorkbookFile::create(staging, tables)?),
                Format::Sqlite => Box::new(sqlite::Database::create(staging, tables)?),
            });
        }
        Ok(Writers {
            formats: writers,
            descriptions: vec![
                Box::new(package::DataPackage::new(staging)),
                Box::new(package::Dictionary::new(staging)),
                Box::new(croissant::Croissant::new(staging)),
            ],
        })
    }

    /// Appends a batch to every writer, the formats in parallel.
    pub fn append(&mut self, batch: &Batch<'_>) -> Result<(), ExportError> {
        self.formats
            .par_iter_mut()
            .chain(self.descriptions.par_iter_mut())
            .try_for_each(|writer| writer.append(batch))
    }

    /// Finishes the formats, side by side (the workbook's zip and the database's indexes are each
    /// serial work of seconds, so one core does one while the other does the other), then the
    /// descriptions in order, each seeing the files of those before it; then flushes the folders.
    /// The files written, in the order of the writers whatever the timing, and the first writer's
    /// error in that order if several failed.
    pub fn finish(self, staging: &Path, meta: &DatasetMeta, tables: &[Table]) -> Result<Vec<WrittenFile>, ExportError> {
        let alone = Dataset {
            meta,
            tables,
            files: &[],
        };
        let finished: Vec<Result<Vec<WrittenFile>, ExportError>> = self
            .formats
            .into_par_iter()
            .with_max_len(1)
            .map(|writer| writer.finish(&alone))
            .collect();
        let mut files = Vec::new();
        for written in finished {
            files.extend(written?);
        }
        for writer in self.descriptions {
            let written = writer.finish(&Dataset {
                meta,
                tables,
                files: &files,
            })?;
            files.extend(written);
        }
        for folder in ["json", "csv", "parquet", "xlsx", "sqlite", ""] {
            sync_folder(&staging.join(folder));
        }
        Ok(files)
    }
}

/// What a build wrote.
#[derive(Debug, Default)]
pub struct Summary {
    /// Every table with its number of rows.
    pub tables: Vec<(&'static str, usize)>,
    /// Every file written, relative to the output folder, with its size and SHA-256.
    pub files: Vec<WrittenFile>,
    /// What went wrong after the dataset was published (it is in place all the same).
    pub warnings: Vec<String>,
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

/// Makes the names of a folder's files durable. A failure here loses nothing already written.
fn sync_folder(folder: &Path) {
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
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
    /// The first write that failed, kept because a library writing through this file may report
    /// the failure in words of its own, without the file's name.
    failure: Option<io::Error>,
}

impl DataFile {
    /// A new file (never one already there, nor through a link) in the staging folder `root`.
    fn create(root: &Path, relative: &str) -> Result<DataFile, ExportError> {
        let path = root.join(relative);
        if let Some(parent) = path.parent()
            && parent != root
        {
            format_folder(parent)?;
        }
        let file = File::create_new(&path).map_err(|e| ExportError::Io(path.clone(), e))?;
        Ok(DataFile {
            path,
            relative: relative.to_owned(),
            // Two dozen files are open at once: 64 KiB each rather than 1 MiB saves 30 MB of a
            // build's peak, for the same time.
            writer: BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            bytes: 0,
            failure: None,
        })
    }

    /// `error`, reported by a library that wrote through this file, as the failed write it comes
    /// from (with the file's name and what the system said), if a write failed.
    fn blame(&self, error: ExportError) -> ExportError {
        match &self.failure {
            Some(failure) => ExportError::Io(self.path.clone(), copy_error(failure)),
            None => error,
        }
    }

    /// Keeps the first failure of a write.
    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && self.failure.is_none()
        {
            self.failure = Some(copy_error(e));
        }
        result
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
        let result = self.writer.write(buf);
        let written = self.note(result)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }
    fn flush(&mut self) -> io::Result<()> {
        let result = self.writer.flush();
        self.note(result)
    }
}

/// The same error again (an `io::Error` cannot be cloned): the system's error number, or the kind
/// and the words.
fn copy_error(error: &io::Error) -> io::Error {
    match error.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(error.kind(), error.to_string()),
    }
}

impl ExportError {
    /// The error with `given` replaced by `shown` in the paths and words it names: the staging
    /// folder as writers reached it (`/proc/self/fd/<fd>`) and by its name.
    pub fn shown(self, given: &Path, shown: &Path) -> ExportError {
        match self {
            ExportError::Io(path, e) => match path.strip_prefix(given) {
                Ok(rest) => ExportError::Io(shown.join(rest), e),
                Err(_) => ExportError::Io(path, e),
            },
            ExportError::Encode(message) => {
                let (given, shown) = (given.display(), shown.display());
                ExportError::Encode(message.replace(&format!("{given}/"), &format!("{shown}/")))
            }
        }
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
