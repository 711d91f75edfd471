//! Parquet for data scientists: real types (string, bool, date32, decimal128(38, 9), list<string>),
//! zstd compression, page statistics, and each column's description as Arrow field metadata.

use super::ExportError;
use crate::tables::{Table, arrow_schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::io::Write;
use std::sync::Arc;

/// Writes a table as one Parquet file and hands the writer back.
pub fn write<W: Write + Send>(table: &Table, out: W) -> Result<W, ExportError> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_statistics_enabled(EnabledStatistics::Page)
        .build();
    let encode = |e: parquet::errors::ParquetError| ExportError::Encode(format!("{}: {e}", table.name));
    let schema = Arc::new(arrow_schema(table));
    let batch = table
        .batch
        .clone()
        .with_schema(schema.clone())
        .map_err(|e| ExportError::Encode(e.to_string()))?;
    let mut writer = ArrowWriter::try_new(out, schema, Some(properties)).map_err(encode)?;
    writer.write(&batch).map_err(encode)?;
    writer.into_inner().map_err(encode)
}
