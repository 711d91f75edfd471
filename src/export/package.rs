//! The Frictionless Data Package (`datapackage.json`) and the data dictionary (`README.md`), both made
//! from the tables' descriptions, which come from the row types' doc comments.

use super::WrittenFile;
use crate::model::DatasetMeta;
use crate::tables::{ColumnType, Table};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

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

fn spdx_url(license: &str) -> String {
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
        .foreign_keys
        .iter()
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
    if let Some((bytes, hash)) = file_facts(files, "json/profiles.json") {
        resources.push(json!({
            "name": "profiles-json",
            "path": "json/profiles.json",
            "title": "Profile revisions, fully resolved",
            "description": "Every profile revision as one JSON document, valid against schema/profiles.schema.json in the repository that publishes this dataset.",
            "format": "json",
            "mediatype": "application/json",
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
    let mut package = Map::new();
    package.insert("profile".into(), "data-package".into());
    package.insert("name".into(), meta.name.clone().into());
    package.insert("title".into(), meta.title.clone().into());
    if let Some(description) = &meta.description {
        package.insert("description".into(), description.clone().into());
    }
    package.insert("version".into(), meta.version.clone().into());
    if let Some(homepage) = &meta.homepage {
        package.insert("homepage".into(), homepage.clone().into());
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
                if let Some(url) = &s.url {
                    source["path"] = url.clone().into();
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
    line(&format!("# {}", meta.title));
    line("");
    if let Some(description) = &meta.description {
        line(description);
        line("");
    }
    line(&format!(
        "Version {} · licence [{}]({}){}",
        meta.version,
        meta.license,
        spdx_url(&meta.license),
        meta.publisher
            .as_ref()
            .map(|p| format!(" · published by {p}"))
            .unwrap_or_default()
    ));
    line("");
    line("This folder is written by `profile-export build` from the curated profiles; do not edit it by hand.");
    line("`datapackage.json` describes the same files as a Frictionless Data Package.");
    line("");
    line("## Conventions");
    line("");
    line("- Every table is written twice with the same rows: `csv/<table>.csv` and `parquet/<table>.parquet`.");
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
        if !table.foreign_keys.is_empty() {
            let keys: Vec<String> = table
                .foreign_keys
                .iter()
                .map(|(column, target)| format!("`{column}` → `{target}.id`"))
                .collect();
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
