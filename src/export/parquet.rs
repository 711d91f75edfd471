//! Parquet for data scientists: real types (string, bool, date32, decimal128(38, 9), list<string>),
//! zstd compression, page statistics, and each column's description as Arrow field metadata. Nested
//! types follow the Parquet format's own rules (list elements named `element`), which Hive, Athena,
//! BigQuery and Spark require.

use super::{Batch, DataFile, Dataset, ExportError, Writer, WrittenFile};
use crate::tables::{Table, arrow_schema};
use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// `parquet/<table>.parquet`, one file a table.
pub struct ParquetFiles {
    /// Each table's name, writer, and file (which the writer holds).
    files: Vec<(String, TableWriter<DataFile>, std::path::PathBuf)>,
}

impl ParquetFiles {
    /// Every table's file.
    pub fn create(staging: &Path, tables: &[Table]) -> Result<ParquetFiles, ExportError> {
        let files = tables
            .iter()
            .map(|table| {
                let file = DataFile::create(staging, &format!("parquet/{}.parquet", table.name))?;
                let path = file.path.clone();
                let writer = TableWriter::new(table, file).map_err(|e| parquet_error(table.name, &path, e))?;
                Ok((table.name.to_owned(), writer, path))
            })
            .collect::<Result<_, ExportError>>()?;
        Ok(ParquetFiles { files })
    }
}

/// A Parquet writer's error: the failed write of `path` when it is one, else an encoding error of
/// the table `name`.
fn parquet_error(name: &str, path: &Path, error: ParquetError) -> ExportError {
    match error {
        ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => ExportError::Io(path.to_owned(), *io),
            Err(inner) => ExportError::Encode(format!("{name}: External: {inner}")),
        },
        other => ExportError::Encode(format!("{name}: {other}")),
    }
}

impl Writer for ParquetFiles {
    fn append(&mut self, batch: &Batch<'_>) -> Result<(), ExportError> {
        use rayon::prelude::*;
        self.files
            .par_iter_mut()
            .zip(batch.records)
            .try_for_each(|((name, writer, path), records)| match records {
                Some(records) => writer.write(records.clone()).map_err(|e| parquet_error(name, path, e)),
                None => Ok(()),
            })
    }

    fn finish(self: Box<Self>, _: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        self.files
            .into_iter()
            .map(|(name, writer, path)| writer.finish().map_err(|e| parquet_error(&name, &path, e))?.finish())
            .collect()
    }
}

/// Rows per row group: small enough that a row group being written takes little memory, large
/// enough for good compression and few footers.
const ROW_GROUP_ROWS: usize = 256 * 1024;

/// A table's record batches are held until they take this many bytes, then written as one row group
/// at once. The `parquet` crate gives each column of an open row group a zstd context of its own;
/// with twelve tables (about 180 columns) each keeping a row group open, those contexts and their
/// buffered pages stayed in memory all along. Written this way, only a row group being closed holds
/// any. The boundary depends on the rows only, so the same input gives the same file.
const ROW_GROUP_BYTES: usize = 4 << 20;

/// A table's Parquet file being written: record batches are appended with `write` and the file is
/// closed with `finish`.
pub struct TableWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
    held: Vec<RecordBatch>,
    held_bytes: usize,
}

impl<W: Write + Send> TableWriter<W> {
    /// A writer of `table` into `out`.
    pub fn new(table: &Table, out: W) -> Result<TableWriter<W>, ParquetError> {
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_coerce_types(true)
            .build();
        Ok(TableWriter {
            writer: ArrowWriter::try_new(out, Arc::new(arrow_schema(table)), Some(properties))?,
            held: Vec::new(),
            held_bytes: 0,
        })
    }

    /// Appends a batch; once the held batches reach `ROW_GROUP_BYTES`, they are written as a row
    /// group.
    pub fn write(&mut self, batch: RecordBatch) -> Result<(), ParquetError> {
        self.held_bytes += batch.get_array_memory_size();
        self.held.push(batch);
        match self.held_bytes > ROW_GROUP_BYTES {
            true => self.write_held(),
            false => Ok(()),
        }
    }

    fn write_held(&mut self) -> Result<(), ParquetError> {
        for batch in self.held.drain(..) {
            self.writer.write(&batch)?;
        }
        self.held_bytes = 0;
        self.writer.flush()
    }

    /// Writes what is held and the footer, and gives back the file.
    pub fn finish(mut self) -> Result<W, ParquetError> {
        self.write_held()?;
        self.writer.into_inner()
    }
}
