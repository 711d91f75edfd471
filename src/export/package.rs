//! The Frictionless Data Package (`datapackage.json`) and the data dictionary (`README.md`), both made
//! from the tables' descriptions, which come from the row types' doc comments.

use super::{Batch, DataFile, Dataset, ExportError, Writer, WrittenFile};
use crate::model::{DatasetMeta, WebAddress};
use crate::tables::{ColumnType, Table};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// Where the data package goes, relative to the output folder.
pub const DATAPACKAGE_PATH: &str = "datapackage.json";

/// Where the data dictionary goes, relative to the output folder.
pub const DICTIONARY_PATH: &str = "README.md";

/// `datapackage.json`: written last but for the dictionary, it lists every file before it.
pub struct DataPackage {
    staging: std::path::PathBuf,
}

impl DataPackage {
    /// The data package of the dataset in `staging`.
    pub fn new(staging: &std::path::Path) -> DataPackage {
        DataPackage {
            staging: staging.to_owned(),
        }
    }
}

impl Writer for DataPackage {
    fn append(&mut self, _: &Batch<'_>) -> Result<(), ExportError> {
        Ok(())
    }

    fn finish(self: Box<Self>, dataset: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        let mut file = DataFile::create(&self.staging, DATAPACKAGE_PATH)?;
        write_datapackage(dataset.meta, dataset.tables, dataset.files, &mut file)
            .map_err(|e| ExportError::Io(file.path.clone(), e))?;
        Ok(vec![file.finish()?])
    }
}

/// `README.md`, the data dictionary: every file (but itself), table and column.
pub struct Dictionary {
    staging: std::path::PathBuf,
}

impl Dictionary {
    /// The dictionary of the dataset in `staging`.
    pub fn new(staging: &std::path::Path) -> Dictionary {
        Dictionary {
            staging: staging.to_owned(),
        }
    }
}

impl Writer for Dictionary {
    fn append(&mut self, _: &Batch<'_>) -> Result<(), ExportError> {
        Ok(())
    }

    fn finish(self: Box<Self>, dataset: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        let mut file = DataFile::create(&self.staging, DICTIONARY_PATH)?;
        write_dictionary(dataset.meta, dataset.tables, dataset.files, &mut file)
            .map_err(|e| ExportError::Io(file.path.clone(), e))?;
        Ok(vec![file.finish()?])
    }
}

/// The format a resource is written in.
#[derive(Clone, Copy)]
enum Flavour {
    Csv,
    Parquet,
}

impl Flavour {
    fn extension(self) -> &'static str {
        match self {
            Flavour::Csv => "csv",
            Flavour::Parquet => "parquet",
        }
    }

    fn resource(self, table: &str) -> String {
        format!("{table}-{}", self.extension())
    }

    /// The Table Schema type of a column.
    fn field_type(self, column_type: ColumnType) -> &'static str {
        match column_type {
            ColumnType::Text => "string",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Decimal => "number",
            // CSV cells hold JSON arrays. Parquet readers hand a list over as an array object that
            // frictionless does not take for `array` (a type error on every row): `any` there.
            ColumnType::TextList => match self {
                Flavour::Csv => "array",
                Flavour::Parquet => "any",
            },
        }
    }
}

/// The files that hold every table at once: (resource name, path, title, description, format,
/// media type).
pub(super) fn whole_dataset_files(
    meta: &DatasetMeta,
) -> [(&'static str, String, &'static str, String, &'static str, &'static str); 3] {
    [
        (
            "workbook",
            super::workbook_path(&meta.name),
            "Every table as an Excel workbook",
            format!(
                "One sheet a table, with typed cells, after a first sheet that describes every column; a table longer than {} rows continues on further sheets.",
                thousands(super::xlsx::SHEET_ROWS - 1)
            ),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "database",
            super::database_path(&meta.name),
            "Every table as a SQLite database",
            "The same tables and rows, with primary keys, foreign keys, indexes and full-text search; ready for Datasette.".into(),
            "sqlite",
            "application/vnd.sqlite3",
        ),
        (
            "datasette-metadata",
            super::datasette_metadata_path(&meta.name),
            "Datasette metadata of the SQLite database",
            "Title, license, source, the description of every table and column, facets, each table's order and the canned queries `entity` and `changes_since`, for `datasette --metadata`.".into(),
            "json",
            "application/json",
        ),
    ]
}

pub(super) fn spdx_url(license: &str) -> String {
    format!("https://spdx.org/licenses/{license}.html")
}

fn table_schema(table: &Table, flavour: Flavour) -> Value {
    let fields: Vec<Value> = table
        .columns
        .iter()
        .map(|column| {
            let mut field = Map::new();
            field.insert("name".into(), column.name.clone().into());
            field.insert("type".into(), flavour.field_type(column.column_type).into());
            field.insert("description".into(), column.description.clone().into());
            let mut constraints = Map::new();
            if !column.nullable {
                constraints.insert("required".into(), true.into());
            }
            if !column.values.is_empty() {
                constraints.insert("enum".into(), column.values.clone().into());
            }
            if !constraints.is_empty() {
                field.insert("constraints".into(), constraints.into());
            }
            Value::Object(field)
        })
        .collect();
    let foreign_keys: Vec<Value> = table
        .foreign_keys()
        .map(|(column, target)| {
            json!({
                "fields": [column],
                "reference": {"resource": flavour.resource(target), "fields": ["id"]}
            })
        })
        .collect();
    let mut schema = json!({
        "fields": fields,
        "missingValues": [""],
        "primaryKey": table.primary_key,
    });
    if !foreign_keys.is_empty() {
        schema["foreignKeys"] = foreign_keys.into();
    }
    schema
}

fn file_facts(files: &[WrittenFile], path: &str) -> Option<(u64, String)> {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| (f.bytes, format!("sha256:{}", f.sha256)))
}

/// Writes `datapackage.json`: the package description and one resource per data file written.
pub fn write_datapackage(
    meta: &DatasetMeta,
    tables: &[Table],
    files: &[WrittenFile],
    out: impl Write,
) -> io::Result<()> {
    let mut resources = Vec::new();
    if let Some((bytes, hash)) = file_facts(files, super::json::PATH) {
        resources.push(json!({
            "name": "profiles-jsonl",
            "path": super::json::PATH,
            // A file, not a table: frictionless would read JSON Lines as rows of a table.
            "type": "file",
            "title": "Profile revisions, fully resolved",
            "description": "JSON Lines: every profile revision as one JSON document a line, valid against schema/profiles.schema.json in the repository that publishes this dataset.",
            "format": "jsonl",
            "mediatype": "application/jsonl",
            "encoding": "utf-8",
            "bytes": bytes,
            "hash": hash,
        }));
    }
    for flavour in [Flavour::Csv, Flavour::Parquet] {
        for table in tables {
            let path = format!("{0}/{1}.{0}", flavour.extension(), table.name);
            let Some((bytes, hash)) = file_facts(files, &path) else {
                continue;
            };
            let mut resource = json!({
                "name": flavour.resource(table.name),
                "path": path,
                "profile": "tabular-data-resource",
                "title": table.name,
                "description": table.description,
                "format": flavour.extension(),
            });
            match flavour {
                Flavour::Csv => {
                    resource["mediatype"] = "text/csv".into();
                    resource["encoding"] = "utf-8".into();
                    resource["dialect"] = json!({"delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"", "doubleQuote": true, "header": true});
                }
                Flavour::Parquet => resource["mediatype"] = "application/vnd.apache.parquet".into(),
            }
            // frictionless reads Parquet through pyarrow, not its byte loader, so it counts no bytes
            // and reports any declared `bytes` as wrong: Parquet resources carry only their hash.
            if let Flavour::Csv = flavour {
                resource["bytes"] = bytes.into();
            }
            resource["hash"] = hash.into();
            resource["schema"] = table_schema(table, flavour);
            resources.push(resource);
        }
    }
    for (name, path, title, description, format, mediatype) in whole_dataset_files(meta) {
        let Some((bytes, hash)) = file_facts(files, &path) else {
            continue;
        };
        // `type: file`: frictionless checks the bytes and hash of these, and does not read them as a
        // table (the tables are the CSV and Parquet resources).
        resources.push(json!({
            "name": name,
            "type": "file",
            "path": path,
            "title": title,
            "description": description,
            "format": format,
            "mediatype": mediatype,
            "bytes": bytes,
            "hash": hash,
        }));
    }
    let mut package = Map::new();
    package.insert("profile".into(), "data-package".into());
    package.insert("name".into(), meta.name.clone().into());
    package.insert("title".into(), meta.title.clone().into());
    if let Some(description) = &meta.description {
        package.insert("description".into(), description.clone().into());
    }
    package.insert("version".into(), meta.version.clone().into());
    if let Some(homepage) = meta.homepage.as_ref().and_then(WebAddress::linkable) {
        package.insert("homepage".into(), homepage.into());
    }
    package.insert(
        "licenses".into(),
        json!([{"name": meta.license, "path": spdx_url(&meta.license)}]),
    );
    if let Some(publisher) = &meta.publisher {
        package.insert(
            "contributors".into(),
            json!([{"title": publisher, "role": "publisher"}]),
        );
    }
    if !meta.sources.is_empty() {
        let sources: Vec<Value> = meta
            .sources
            .iter()
            .map(|s| {
                let mut source = json!({"title": s.title});
                if let Some(url) = s.url.as_ref().and_then(WebAddress::linkable) {
                    source["path"] = url.into();
                }
                source
            })
            .collect();
        package.insert("sources".into(), sources.into());
    }
    package.insert("resources".into(), resources.into());
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, &Value::Object(package))?;
    out.write_all(b"\n")
}

/// Text from `dataset.yaml` made inert inside a line of Markdown: on one line, with HTML and the
/// Markdown syntax of emphasis, code, links, tables and headings escaped, so that it shows as written.
fn markdown_text(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text from `dataset.yaml` made inert as a paragraph of its own: as `markdown_text`, and what would
/// open a list, a quote or a break at the start of the line (`- `, `+ `, `1. `, `---`) escaped too.
fn markdown_paragraph(text: &str) -> String {
    let mut out = markdown_text(text);
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else if let Some(digits) = out.find(|c: char| !c.is_ascii_digit())
        && digits > 0
        && out[digits..].starts_with(['.', ')'])
    {
        out.insert(digits, '\\');
    }
    out
}

/// A count with thousands separators: `1,048,575`.
fn thousands(count: u32) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A URL as the target of a Markdown link written `(<url>)`: nothing in it can close the link.
fn link_target(url: &str) -> String {
    url.chars()
        .map(|c| match c {
            '<' => "%3C".to_owned(),
            '>' => "%3E".to_owned(),
            ' ' => "%20".to_owned(),
            c if c.is_control() => String::new(),
            c => c.to_string(),
        })
        .collect()
}

/// The section that opens the data dictionary: how to load the data with each tool, for the formats
/// that were written.
fn how_to_load(meta: &DatasetMeta, tables: &[Table], files: &[WrittenFile], line: &mut impl FnMut(&str)) {
    let written = |path: &str| files.iter().any(|f| f.path == path);
    let example = tables
        .iter()
        .find(|t| t.columns.iter().any(|c| c.column_type == ColumnType::Decimal))
        .or(tables.first());
    let Some(example) = example else { return };
    let decimal = example
        .columns
        .iter()
        .find(|c| c.column_type == ColumnType::Decimal)
        .map_or("value", |c| c.name.as_str());
    let name = example.name;
    let parquet = written(&format!("parquet/{name}.parquet"));
    let csv = written(&format!("csv/{name}.csv"));
    let workbook = super::workbook_path(&meta.name);
    let database = super::database_path(&meta.name);
    let metadata = super::datasette_metadata_path(&meta.name);
    line("## How to load the data");
    line("");
    line(
        "Paths are relative to this folder. The Parquet files carry every type; the other formats say below how they store them.",
    );
    line("");
    if parquet {
        line(
            "**pandas** (2 or later): ask for Arrow types, or decimals and dates arrive as Python objects. Two `decimal(38, 9)` columns cannot be added as they are (the sum would need 39 digits): cast them to a narrower decimal first, which holds values below 10^19.",
        );
        line("");
        line("```python");
        line("import pandas as pd, pyarrow as pa");
        line(&format!(
            "{name} = pd.read_parquet(\"parquet/{name}.parquet\", dtype_backend=\"pyarrow\")"
        ));
        line(&format!(
            "{decimal} = {name}[\"{decimal}\"].astype(pd.ArrowDtype(pa.decimal128(28, 9)))"
        ));
        line(&format!("doubled = {decimal} + {decimal}"));
        line("```");
        line("");
        line("**polars**:");
        line("");
        line("```python");
        line("import polars as pl");
        line(&format!("{name} = pl.read_parquet(\"parquet/{name}.parquet\")"));
        line("```");
        line("");
        line("**DuckDB**: a view per table over the Parquet files, then plain SQL.");
        line("");
        line("```sql");
        for table in tables {
            line(&format!(
                "CREATE VIEW {0} AS SELECT * FROM read_parquet('parquet/{0}.parquet');",
                table.name
            ));
        }
        line("```");
        line("");
        line(
            "**Spark** (and Hive, Athena, BigQuery): the Parquet files follow the format's own rules for lists (elements named `element`); decimals arrive as `decimal(38,9)`, dates as `date`, lists as `array<string>`.",
        );
        line("");
        line("```python");
        line(&format!("{name} = spark.read.parquet(\"parquet/{name}.parquet\")"));
        line("```");
        line("");
    }
    if written(&workbook) {
        line(&format!(
            "**A spreadsheet**: open `{workbook}`. Its first sheet describes every column; then comes a sheet a table, with the header row frozen and filters on. Dates are date cells (text `YYYY-MM-DD` before 1900), booleans are booleans, decimals are numbers when they have at most 15 significant digits (what a spreadsheet keeps) and text with every digit otherwise, lists are JSON text, and all other text is text, never a formula. A table longer than {} rows continues on sheets named `<table> (2)`, `<table> (3)`, ...",
            thousands(super::xlsx::SHEET_ROWS - 1)
        ));
        line("");
    }
    if written(&database) {
        line(&format!(
            "**Datasette** (a browsable, searchable site with a JSON API): `datasette {database} --metadata {metadata}`. The SQLite database can be queried directly too (`sqlite3 {database}`). Its tables have the same rows, primary and foreign keys (an index on each foreign key) and full-text search over names, descriptions, notes and quotes (`<table>_fts`). Text, dates (`YYYY-MM-DD`) and lists (JSON arrays) are `TEXT`; booleans are `INTEGER` 0 or 1. Decimals are stored so that they keep every digit and sort as numbers: a whole number that fits 64 bits as an `INTEGER`, one of at most 15 significant digits as a `REAL` (which reads back as exactly those digits), any other as `TEXT` with every digit (such values sort after the numbers). Tables are `STRICT` and decimal columns `ANY`, so SQLite stores each value as written."
        ));
        line("");
    }
    if csv {
        line(
            "**A CSV file in a spreadsheet**: import it rather than open it, or the spreadsheet guesses: it may read UTF-8 as Windows-1252 (`’` shows as `â€™`), and turn `2019-01`, `007` or `1e5` into a date or a number. In LibreOffice Calc, open the file as *Text CSV* with character set *UTF-8*, separator *comma*, and set the columns of text to type *Text*; in Excel, use *Data › From Text/CSV* with file origin *65001: Unicode (UTF-8)* and *Do not detect data types*. A text cell that starts with `=`, `+`, `-`, `@`, tab or carriage return (and is not a number) starts with an added `'` in CSV, so that it cannot run as a formula.",
        );
        line("");
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Writes the data dictionary: every file, table and column, with its description.
pub fn write_dictionary(
    meta: &DatasetMeta,
    tables: &[Table],
    files: &[WrittenFile],
    out: impl Write,
) -> io::Result<()> {
    let mut text = String::new();
    let mut line = |s: &str| {
        text.push_str(s);
        text.push('\n');
    };
    line(&format!("# {}", markdown_text(&meta.title)));
    line("");
    if let Some(description) = &meta.description {
        line(&markdown_paragraph(description));
        line("");
    }
    line(&format!(
        "Version {} · licence [{}]({}){}",
        markdown_text(&meta.version),
        meta.license,
        spdx_url(&meta.license),
        meta.publisher
            .as_ref()
            .map(|p| format!(" · published by {}", markdown_text(p)))
            .unwrap_or_default()
    ));
    if !meta.sources.is_empty() {
        let sources: Vec<String> = meta
            .sources
            .iter()
            .map(|source| match source.url.as_ref().and_then(WebAddress::linkable) {
                Some(url) => format!("[{}](<{}>)", markdown_text(&source.title), link_target(url)),
                None => markdown_text(&source.title),
            })
            .collect();
        line("");
        line(&format!("Sources: {}.", sources.join("; ")));
    }
    line("");
    line("This folder is written by `profile-export build` from the curated profiles; do not edit it by hand.");
    line("`datapackage.json` describes the same files as a Frictionless Data Package.");
    line("");
    how_to_load(meta, tables, files, &mut line);
    line("## Conventions");
    line("");
    line(
        "- Every table is written with the same rows as `csv/<table>.csv` and `parquet/<table>.parquet`, and all of them together as a sheet of the workbook and a table of the SQLite database.",
    );
    line(
        "- A partial date `X` as curated (`2020`, `2020-06`, `2018-22` for summer 2018, `2018?`) comes with `X_from` and `X_to`, the first and last day it covers.",
    );
    line(
        "- Amounts and figures are exact decimals: `decimal128(38, 9)` in Parquet, plain digits in CSV, strings in JSON. `low` and `high` are the bounds that follow from the qualifier.",
    );
    line("- Lists are `list<string>` in Parquet and JSON arrays in CSV cells.");
    line(
        "- In CSV, a text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return, and not a number) starts with an added `'`. Parquet and JSON keep the text as curated.",
    );
    line("- An empty CSV cell is a missing value.");
    line("");
    line("## Files");
    line("");
    line("| file | bytes | sha256 |");
    line("|---|---:|---|");
    for file in files {
        line(&format!("| `{}` | {} | `{}` |", file.path, file.bytes, file.sha256));
    }
    line("");
    line("## Tables");
    for table in tables {
        line("");
        line(&format!("### `{}`", table.name));
        line("");
        line(&format!("{} {} rows.", table.description, table.rows));
        line("");
        let key: Vec<String> = table.primary_key.iter().map(|c| format!("`{c}`")).collect();
        line(&format!("Primary key: {}.", key.join(", ")));
        let keys: Vec<String> = table
            .foreign_keys()
            .map(|(column, target)| format!("`{column}` → `{target}.id`"))
            .collect();
        if !keys.is_empty() {
            line(&format!("Foreign keys: {}.", keys.join(", ")));
        }
        line("");
        line("| column | type | required | description |");
        line("|---|---|---|---|");
        for column in &table.columns {
            let mut description = cell(&column.description);
            if !column.values.is_empty() {
                let values: Vec<String> = column.values.iter().map(|v| format!("`{v}`")).collect();
                description.push_str(&format!(" One of {}.", values.join(", ")));
            }
            line(&format!(
                "| `{}` | {} | {} | {} |",
                column.name,
                column.column_type.label(),
                if column.nullable { "" } else { "yes" },
                description
            ));
        }
    }
    let mut out = out;
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_escapes_html_and_syntax() {
        assert_eq!(
            markdown_text("a <b> & *c* [d](e)"),
            r"a &lt;b&gt; &amp; \*c\* \[d\]\(e\)"
        );
        assert_eq!(markdown_text("1.0.0 - x"), "1.0.0 - x");
        assert_eq!(markdown_paragraph("- item"), r"\- item");
        assert_eq!(markdown_paragraph("12. item"), r"12\. item");
        assert_eq!(markdown_paragraph("---"), r"\---");
        assert_eq!(markdown_paragraph("2019 was"), "2019 was");
        assert_eq!(thousands(1_048_575), "1,048,575");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }

    #[test]
    fn only_web_addresses_are_linked() {
        // Addresses that the input schema refuses, as if they had got past it.
        let address = |text: &str| Some(WebAddress(text.into()));
        let meta = DatasetMeta {
            name: "test".into(),
            title: "Test".into(),
            description: None,
            version: "1".into(),
            license: "CC-BY-4.0".into(),
            publisher: None,
            homepage: address("javascript:alert(1)"),
            sources: vec![
                crate::model::DatasetSource {
                    title: "Script".into(),
                    url: address("JAVASCRIPT:alert(1)"),
                },
                crate::model::DatasetSource {
                    title: "Page".into(),
                    url: address("data:text/html,<script>alert(1)</script>"),
                },
                crate::model::DatasetSource {
                    title: "Web".into(),
                    url: address("HTTPS://example.org/a"),
                },
            ],
        };
        let mut package = Vec::new();
        write_datapackage(&meta, &[], &[], &mut package).expect("written");
        let package: Value = serde_json::from_slice(&package).expect("JSON");
        assert_eq!(package.get("homepage"), None);
        assert_eq!(
            package["sources"],
            json!([{"title": "Script"}, {"title": "Page"}, {"title": "Web", "path": "HTTPS://example.org/a"}])
        );
        let mut dictionary = Vec::new();
        write_dictionary(&meta, &[], &[], &mut dictionary).expect("written");
        let dictionary = String::from_utf8(dictionary).expect("UTF-8");
        assert!(
            dictionary.contains("Sources: Script; Page; [Web](<HTTPS://example.org/a>).\n"),
            "{dictionary}"
        );
        assert!(!dictionary.to_lowercase().contains("javascript:") && !dictionary.contains("data:text"));
    }
}
