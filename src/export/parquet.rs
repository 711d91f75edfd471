//! Parquet for data scientists: real types (string, bool, date32, decimal128(38, 9), list<string>),
//! zstd compression, page statistics, and each column's description as Arrow field metadata. Nested
//! types follow the Parquet format's own rules (list elements named `element`), which Hive, Athena,
//! BigQuery and Spark require.

use super::ExportError;
use crate::tables::{Table, arrow_schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::io::Write;
use std::sync::Arc;

/// Rows per row group: small enough that a row group being written takes little memory, large
/// enough for good compression and few footers.
const ROW_GROUP_ROWS: usize = 256 * 1024;

/// A row group is closed once its buffered pages take this many bytes: twelve tables are written
/// at once, and a wide table's row group of `ROW_GROUP_ROWS` rows would otherwise hold tens of MB.
/// The boundary depends on the rows only, so the same input gives the same file.
pub const ROW_GROUP_BYTES: usize = 8 << 20;

/// A Parquet writer for a table; record batches are appended with `write` and the file is closed
/// with `into_inner`.
pub fn writer<W: Write + Send>(table: &Table, out: W) -> Result<ArrowWriter<W>, ExportError> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_coerce_types(true)
        .build();
    ArrowWriter::try_new(out, Arc::new(arrow_schema(table)), Some(properties))
        .map_err(|e| ExportError::Encode(format!("{}: {e}", table.name)))
}
