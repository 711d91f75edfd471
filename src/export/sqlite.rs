//! `sqlite/<name>.sqlite` for Datasette and SQL users: a table a table with the same rows, every
//! primary and foreign key declared, an index on every foreign key, full-text search on the text
//! people search, and `sqlite/<name>.metadata.json` for Datasette (title, license, source, the
//! description of every table and column, facets, orders and canned queries).
//!
//! Tables are written in parallel, each into a part database of its own; the parts are then copied
//! into the one database in the order of the data dictionary, so the same rows give the same bytes.
//! The parts have 64 KiB pages, and so has the database once they take 64 MiB; a smaller one keeps
//! SQLite's 4 KiB pages, as every table and index takes a page at least.
//!
//! Types: text, dates (ISO `YYYY-MM-DD`) and lists (JSON arrays) are `TEXT`, booleans `INTEGER` (0
//! or 1). Decimals are numbers SQLite compares as numbers and that keep every digit: an `INTEGER` for
//! a whole number that fits 64 bits, a `REAL` for one of at most 15 significant digits (which reads
//! back as exactly those digits), and `TEXT` with every digit beyond that. Tables are `STRICT`, and
//! decimal columns `ANY`, so SQLite keeps each value as written instead of rounding it to a `REAL`.

mod datasette;

use super::cells::{Cell, cell};
use super::{Batch, DataFile, Dataset, ExportError, Writer, WrittenFile};
use crate::model::{DatasetMeta, WebAddress};
use crate::quantity::Decimal;
use crate::tables::{ColumnType, Table};
use arrow_array::RecordBatch;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value, json};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `sqlite/<name>.sqlite` and its Datasette metadata: every table written into a part database of
/// its own as the rows come, the parts put together at the end.
pub struct Database {
    staging: PathBuf,
    parts: Vec<Part>,
}

impl Database {
    /// An empty part database for every table.
    pub fn create(staging: &Path, tables: &[Table]) -> Result<Database, ExportError> {
        let parts = tables
            .iter()
            .map(|table| Part::create(staging, "sqlite", table))
            .collect::<Result<_, _>>()?;
        Ok(Database {
            staging: staging.to_owned(),
            parts,
        })
    }
}

impl Writer for Database {
    fn append(&mut self, batch: &Batch<'_>) -> Result<(), ExportError> {
        use rayon::prelude::*;
        self.parts
            .par_iter_mut()
            .zip(batch.tables)
            .zip(batch.records)
            .try_for_each(|((part, table), records)| match records {
                Some(records) => part.append(table, records),
                None => Ok(()),
            })
    }

    fn finish(self: Box<Self>, dataset: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        let Database { staging, parts } = *self;
        let parts = parts.into_iter().map(Part::finish).collect::<Result<Vec<_>, _>>()?;
        let meta = dataset.meta;
        let relative = super::database_path(&meta.name);
        assemble(&staging.join(&relative), dataset.tables, &parts)?;
        let database = super::written(&staging, &relative)?;
        let relative = super::datasette_metadata_path(&meta.name);
        let mut file = DataFile::create(&staging, &relative)?;
        write_metadata(meta, &meta.name, dataset.tables, &mut file)
            .map_err(|e| ExportError::Io(file.path.clone(), e))?;
        Ok(vec![database, file.finish()?])
    }
}

fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> ExportError + '_ {
    move |e| ExportError::Io(path.to_owned(), io::Error::other(e))
}

/// A quoted SQL identifier.
fn name(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A quoted SQL text literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The `CREATE TABLE` statement of a table.
pub fn create_table(table: &Table) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|column| {
            let column_name = name(&column.name);
            let mut line = format!(
                "  {column_name} {}",
                match column.column_type {
                    ColumnType::Boolean => "INTEGER",
                    ColumnType::Decimal => "ANY",
                    ColumnType::Text | ColumnType::Date | ColumnType::TextList => "TEXT",
                }
            );
            if !column.nullable {
                line.push_str(" NOT NULL");
            }
            // Comparisons joined by OR, not `IN (...)`: SQLite builds a temporary b-tree for an IN
            // list of more than two values at every row it checks, which made inserting the rows
            // allocate and free pages without end (half of writing the database, most of it in the
            // kernel).
            let allowed: Vec<String> = match column.column_type {
                ColumnType::Boolean => vec!["0".into(), "1".into()],
                _ => column.values.iter().map(|v| literal(v)).collect(),
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
    for (column, target) in table.foreign_keys() {
        lines.push(format!(
            "  FOREIGN KEY ({}) REFERENCES {} (\"id\")",
            name(column),
            name(target)
        ));
    }
    format!("CREATE TABLE {} (\n{}\n) STRICT", name(table.name), lines.join(",\n"))
}

/// The columns of a table that full-text search covers.
pub fn searched_columns(table: &Table) -> Vec<&str> {
    table
        .columns
        .iter()
        .filter(|c| c.search)
        .map(|c| c.name.as_str())
        .collect()
}

/// How a decimal is stored: see the module documentation.
fn decimal_value(decimal: Decimal) -> SqlValue {
    if let Some(integer) = decimal.as_integer() {
        SqlValue::Integer(integer)
    } else if let Some(double) = decimal.as_double() {
        SqlValue::Real(double)
    } else {
        SqlValue::Text(decimal.to_string())
    }
}

fn value(cell: Cell<'_>) -> SqlValue {
    match cell {
        Cell::Null => SqlValue::Null,
        Cell::Text(text) => SqlValue::Text(text.to_owned()),
        Cell::Boolean(b) => SqlValue::Integer(i64::from(b)),
        Cell::Date(date) => SqlValue::Text(date.to_string()),
        Cell::Decimal(decimal) => decimal_value(decimal),
        Cell::List(items) => SqlValue::Text(super::cells::json_list(&items)),
    }
}

/// The page size of a small database: SQLite's default. Every table, index and full-text index
/// takes a page at least, so larger pages would make a dataset of a few hundred rows take megabytes.
const SMALL_PAGES: u32 = 4096;
/// The page size of the part databases, and of the database once its parts take `LARGE_DATABASE`
/// bytes: fewer, larger pages mean fewer b-tree pages to split, find and write, and full-text
/// leaves no longer each fill a page. At 10,000 generated profiles (0.9 GB) they write the
/// database a fifth faster than 4 KiB pages (`bench/WRITERS.md`).
const LARGE_PAGES: u32 = 65536;
/// The size of the parts from which the database takes `LARGE_PAGES`. The choice depends on the
/// rows only, so the same input gives the same bytes.
const LARGE_DATABASE: u64 = 64 << 20;

/// The page size of a database whose parts take `rows_bytes`.
fn page_size(rows_bytes: u64) -> u32 {
    match rows_bytes < LARGE_DATABASE {
        true => SMALL_PAGES,
        false => LARGE_PAGES,
    }
}

/// Opens a new database for writing once, fast: no journal, no syncs (the file is synced when done).
///
/// The file is made here first, as a new file (never one already there, nor through a link), and
/// SQLite may only open it, not create one. SQLite opens files by name: it reads the link
/// `/proc/self/fd/<fd>` that leads to the staging folder and opens the name it finds there, the
/// staging folder's name at that moment, so it is the one writer that does not go through the
/// folder's descriptor; without the right to create a file, it can make none anywhere else.
fn open(path: &Path, page_size: u32) -> Result<Connection, ExportError> {
    std::fs::File::create_new(path).map_err(|e| ExportError::Io(path.to_owned(), e))?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags).map_err(sql_error(path))?;
    connection
        .execute_batch(&format!(
            "PRAGMA page_size = {page_size}; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
             PRAGMA foreign_keys = OFF;"
        ))
        .map_err(sql_error(path))?;
    Ok(connection)
}

/// The rows of one table, written into a part database of their own.
pub struct Part {
    connection: Connection,
    path: PathBuf,
    insert: String,
}

impl Part {
    /// A part database beside the final one, holding the empty table.
    pub fn create(staging: &Path, folder: &str, table: &Table) -> Result<Part, ExportError> {
        let dir = staging.join(folder);
        super::format_folder(&dir)?;
        let path = dir.join(format!("{}.part", table.name));
        let connection = open(&path, LARGE_PAGES)?;
        connection.execute(&create_table(table), []).map_err(sql_error(&path))?;
        let columns: Vec<String> = table.columns.iter().map(|c| name(&c.name)).collect();
        let marks = vec!["?"; columns.len()].join(", ");
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            name(table.name),
            columns.join(", ")
        );
        Ok(Part {
            connection,
            path,
            insert,
        })
    }

    /// Appends the rows of a record batch of the table.
    pub fn append(&mut self, table: &Table, batch: &RecordBatch) -> Result<(), ExportError> {
        let error = sql_error(&self.path);
        let transaction = self.connection.transaction().map_err(&error)?;
        {
            let mut statement = transaction.prepare_cached(&self.insert).map_err(&error)?;
            let columns: Vec<_> = batch.columns().iter().zip(&table.columns).collect();
            for row in 0..batch.num_rows() {
                let values = columns
                    .iter()
                    .map(|(array, column)| value(cell(array, column.column_type, row)));
                statement.execute(rusqlite::params_from_iter(values)).map_err(&error)?;
            }
        }
        transaction.commit().map_err(&error)
    }

    /// Closes the part database and returns its path.
    pub fn finish(self) -> Result<PathBuf, ExportError> {
        self.connection
            .close()
            .map_err(|(_, e)| ExportError::Io(self.path.clone(), io::Error::other(e)))?;
        Ok(self.path)
    }
}

/// Writes the database at `path` from the part databases of `tables` (in the same order), then
/// indexes the foreign keys, builds the full-text indexes, checks every foreign key and removes the
/// parts.
pub fn assemble(path: &Path, tables: &[Table], parts: &[PathBuf]) -> Result<(), ExportError> {
    let error = sql_error(path);
    let _ = std::fs::remove_file(path);
    let mut rows_bytes = 0;
    for part in parts {
        rows_bytes += std::fs::metadata(part)
            .map_err(|e| ExportError::Io(part.clone(), e))?
            .len();
    }
    let connection = open(path, page_size(rows_bytes))?;
    for (table, part) in tables.iter().zip(parts) {
        connection.execute(&create_table(table), []).map_err(&error)?;
        let part_path = part
            .to_str()
            .ok_or_else(|| ExportError::Io(part.clone(), io::Error::other("the path is not UTF-8")))?;
        connection
            .execute_batch(&format!(
                "ATTACH DATABASE {} AS part; INSERT INTO main.{1} SELECT * FROM part.{1}; DETACH DATABASE part;",
                literal(part_path),
                name(table.name)
            ))
            .map_err(&error)?;
        std::fs::remove_file(part).map_err(|e| ExportError::Io(part.clone(), e))?;
    }
    for table in tables {
        for (column, _) in table.foreign_keys() {
            if table.primary_key.first() == Some(&column) {
                continue; // the primary key's index serves it
            }
            connection
                .execute(
                    &format!(
                        "CREATE INDEX {} ON {} ({})",
                        name(&format!("{}_{column}", table.name)),
                        name(table.name),
                        name(column)
                    ),
                    [],
                )
                .map_err(&error)?;
        }
        let searched = searched_columns(table);
        if searched.is_empty() {
            continue;
        }
        let fts = name(&format!("{}_fts", table.name));
        let columns: Vec<String> = searched.iter().map(|c| name(c)).collect();
        let columns = columns.join(", ");
        // `content="<table>"`: the form Datasette and sqlite-utils recognise as the table's search index.
        connection
            .execute_batch(&format!(
                "CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content=\"{0}\");
                 INSERT INTO {fts} (rowid, {columns}) SELECT rowid, {columns} FROM {1};",
                table.name,
                name(table.name)
            ))
            .map_err(&error)?;
    }
    let dangling: Vec<String> = {
        let mut statement = connection.prepare("PRAGMA foreign_key_check").map_err(&error)?;
        statement
            .query_map([], |row| {
                Ok(format!("{} row {}", row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .map_err(&error)?
            .collect::<Result<_, _>>()
            .map_err(&error)?
    };
    if !dangling.is_empty() {
        return Err(ExportError::Encode(format!(
            "the SQLite database has dangling foreign keys: {}",
            dangling.join(", ")
        )));
    }
    connection
        .close()
        .map_err(|(_, e)| ExportError::Io(path.to_owned(), io::Error::other(e)))
}

/// Writes the Datasette metadata of the database `database` (its file name without `.sqlite`):
/// title, description, license, source, every table's and column's description, each table's
/// facets and order, and the canned queries (`datasette.rs`).
pub fn write_metadata(meta: &DatasetMeta, database: &str, tables: &[Table], out: impl Write) -> io::Result<()> {
    let mut root = Map::new();
    root.insert("title".into(), meta.title.clone().into());
    if let Some(description) = &meta.description {
        root.insert("description".into(), description.clone().into());
    }
    root.insert("license".into(), meta.license.clone().into());
    root.insert("license_url".into(), super::package::spdx_url(&meta.license).into());
    if !meta.sources.is_empty() {
        let titles: Vec<&str> = meta.sources.iter().map(|s| s.title.as_str()).collect();
        root.insert("source".into(), titles.join("; ").into());
        // Datasette links these on every page: only a web address is ever linked.
        if let Some(url) = meta.sources.iter().find_map(|s| s.url.as_ref()?.linkable()) {
            root.insert("source_url".into(), url.into());
        }
    }
    if let Some(homepage) = meta.homepage.as_ref().and_then(WebAddress::linkable) {
        root.insert("about_url".into(), homepage.into());
        root.insert("about".into(), meta.name.clone().into());
    }
    let mut described = Map::new();
    for table in tables {
        let columns: Map<String, Value> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.description.clone().into()))
            .collect();
        let mut view = Map::new();
        view.insert("description".into(), table.description.clone().into());
        view.insert("columns".into(), columns.into());
        view.extend(datasette::table_view(table));
        described.insert(table.name.into(), view.into());
    }
    let mut database_view = json!({"title": meta.title, "tables": described});
    let queries = datasette::queries(tables);
    if !queries.is_empty() {
        database_view["queries"] = queries.into();
    }
    root.insert("databases".into(), json!({ database: database_view }));
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, &Value::Object(root))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DatasetSource;

    #[test]
    fn a_small_database_keeps_small_pages_and_a_large_one_takes_large_pages() {
        assert_eq!(page_size(0), 4096);
        assert_eq!(page_size(LARGE_DATABASE - 1), 4096);
        assert_eq!(page_size(LARGE_DATABASE), 65536);
        assert_eq!(page_size(u64::MAX), 65536);
    }

    #[test]
    fn datasette_links_only_web_addresses() {
        // Addresses that the input schema refuses, as if they had got past it.
        let address = |text: &str| Some(WebAddress(text.into()));
        let source = |title: &str, url: &str| DatasetSource {
            title: title.into(),
            url: address(url),
        };
        let meta = DatasetMeta {
            name: "test".into(),
            title: "Test".into(),
            description: None,
            version: "1".into(),
            license: "CC-BY-4.0".into(),
            publisher: None,
            homepage: address("data:text/html,<script>alert(1)</script>"),
            assertions: Vec::new(),
            sources: vec![
                source("Script", "javascript:alert(1)"),
                source("File", "file:///etc/passwd"),
                source("Web", "http://example.org/a"),
            ],
        };
        let mut out = Vec::new();
        write_metadata(&meta, "test", &[], &mut out).expect("written");
        let metadata: Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(metadata["source"], "Script; File; Web");
        assert_eq!(metadata["source_url"], "http://example.org/a");
        assert_eq!((metadata.get("about_url"), metadata.get("about")), (None, None));
    }
}
