//! `croissant.json`: the dataset described in MLCommons Croissant 1.0, the schema.org `Dataset`
//! JSON-LD that Google Dataset Search and the Hugging Face and Kaggle catalogues read. It says in
//! Croissant's words what `datapackage.json` says, from the same tables and written files: every file
//! a `FileObject` with its SHA-256, every table a `RecordSet` with typed fields, its key and the
//! table each foreign key references.

use super::{Batch, DataFile, Dataset, ExportError, Writer, WrittenFile};
use crate::model::{DatasetMeta, WebAddress};
use crate::tables::{ColumnType, Table};
use serde_json::{Map, Value, json};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where the description goes, relative to the output folder.
pub const PATH: &str = "croissant.json";

/// `croissant.json`: written last, it lists every file before it, the data package and the
/// dictionary included, with its hash.
pub struct Croissant {
    staging: PathBuf,
}

impl Croissant {
    /// The Croissant description of the dataset in `staging`.
    pub fn new(staging: &Path) -> Croissant {
        Croissant {
            staging: staging.to_owned(),
        }
    }
}

impl Writer for Croissant {
    fn append(&mut self, _: &Batch<'_>) -> Result<(), ExportError> {
        Ok(())
    }

    fn finish(self: Box<Self>, dataset: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        let mut file = DataFile::create(&self.staging, PATH)?;
        write(dataset.meta, dataset.tables, dataset.files, &mut file)
            .map_err(|e| ExportError::Io(file.path.clone(), e))?;
        Ok(vec![file.finish()?])
    }
}

/// The version of Croissant the document conforms to.
const CONFORMS_TO: &str = "http://mlcommons.org/croissant/1.0";

/// The length a dataset's description must have, in characters, for Google Dataset Search (which
/// Croissant follows): shorter or longer ones are reported, and the dataset may not be listed.
const DESCRIPTION_CHARS: std::ops::RangeInclusive<usize> = 50..=5000;

/// The JSON-LD context of Croissant 1.0, term for term the one `mlcroissant` expects (it warns of a
/// context with fewer or other terms).
fn context() -> Value {
    json!({
        "@language": "en",
        "@vocab": "https://schema.org/",
        "citeAs": "cr:citeAs",
        "column": "cr:column",
        "conformsTo": "dct:conformsTo",
        "cr": "http://mlcommons.org/croissant/",
        "rai": "http://mlcommons.org/croissant/RAI/",
        "data": {"@id": "cr:data", "@type": "@json"},
        "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
        "dct": "http://purl.org/dc/terms/",
        "equivalentProperty": "cr:equivalentProperty",
        "examples": {"@id": "cr:examples", "@type": "@json"},
        "extract": "cr:extract",
        "field": "cr:field",
        "fileProperty": "cr:fileProperty",
        "fileObject": "cr:fileObject",
        "fileSet": "cr:fileSet",
        "format": "cr:format",
        "includes": "cr:includes",
        "isLiveDataset": "cr:isLiveDataset",
        "jsonPath": "cr:jsonPath",
        "key": "cr:key",
        "md5": "cr:md5",
        "parentField": "cr:parentField",
        "path": "cr:path",
        "recordSet": "cr:recordSet",
        "references": "cr:references",
        "regex": "cr:regex",
        "repeated": "cr:repeated",
        "replace": "cr:replace",
        "samplingRate": "cr:samplingRate",
        "sc": "https://schema.org/",
        "separator": "cr:separator",
        "source": "cr:source",
        "subField": "cr:subField",
        "transform": "cr:transform",
    })
}

/// The Croissant data type of a column.
///
/// Croissant has no exact decimal: its numbers are `sc:Integer`, `sc:Float` and the sized `cr:`
/// types, and `mlcroissant` refuses any other, `sc:Number` included ("does not specify a valid
/// dataType"). Decimals are `sc:Float`, the schema.org type that catalogues understand:
/// `mlcroissant` hands them over as a 64-bit float, which shows exactly the curated digits of any
/// value of at most 15 significant digits. The Parquet and CSV files keep every digit; `sc:Text`
/// would keep them too, but would tell every catalogue and loader that an amount is text.
/// A date is `sc:Date` (`mlcroissant` gives a `pandas.Timestamp` of any day from year 1 to 9999).
fn data_type(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Text | ColumnType::TextList => "sc:Text",
        ColumnType::Boolean => "sc:Boolean",
        ColumnType::Date => "sc:Date",
        ColumnType::Decimal => "sc:Float",
    }
}

/// The media type of a written file, from its extension, in the names Croissant readers know:
/// `mlcroissant` reads a Parquet file only as `application/x-parquet` and JSON Lines only as
/// `application/jsonlines` (`datapackage.json` gives the registered names of both).
fn encoding_format(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("csv") => "text/csv",
        Some("parquet") => "application/x-parquet",
        Some("jsonl") => "application/jsonlines",
        Some("json") => "application/json",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("sqlite") => "application/vnd.sqlite3",
        Some("md") => "text/markdown",
        _ => "application/octet-stream",
    }
}

/// What a written file holds, in a sentence or two, for the files this tool writes.
fn file_description(meta: &DatasetMeta, tables: &[Table], path: &str) -> Option<String> {
    for table in tables {
        if path == format!("csv/{}.csv", table.name) {
            return Some(format!(
                "The `{}` table as CSV: UTF-8, a header row, a comma between cells; lists are JSON arrays and an empty cell is a missing value.",
                table.name
            ));
        }
        if path == format!("parquet/{}.parquet", table.name) {
            return Some(format!("The `{}` table as Parquet, with every type.", table.name));
        }
    }
    if path == super::json::PATH {
        return Some("Every profile revision as one JSON document a line, fully resolved.".into());
    }
    if path == super::package::DATAPACKAGE_PATH {
        return Some("The same files and tables described as a Frictionless Data Package.".into());
    }
    if path == super::package::DICTIONARY_PATH {
        return Some(
            "The data dictionary: how to load the data, and every file, table and column with its description.".into(),
        );
    }
    super::package::whole_dataset_files(meta)
        .into_iter()
        .find(|file| file.1 == path)
        .map(|(_, _, title, description, _, _)| format!("{title}. {description}"))
}

/// A `FileObject` for a written file: its path is its `@id`, name and (relative) `contentUrl`.
fn file_object(meta: &DatasetMeta, tables: &[Table], file: &WrittenFile) -> Value {
    let mut object = Map::new();
    object.insert("@type".into(), "cr:FileObject".into());
    object.insert("@id".into(), file.path.clone().into());
    object.insert("name".into(), file.path.clone().into());
    if let Some(description) = file_description(meta, tables, &file.path) {
        object.insert("description".into(), description.into());
    }
    object.insert("contentUrl".into(), file.path.clone().into());
    object.insert("contentSize".into(), format!("{} B", file.bytes).into());
    object.insert("encodingFormat".into(), encoding_format(&file.path).into());
    object.insert("sha256".into(), file.sha256.clone().into());
    Value::Object(object)
}

/// The file a table's record set reads: its Parquet file, which `mlcroissant` reads through pandas
/// and pyarrow with every type (texts, booleans, days, exact decimals, lists), or else (a build
/// without Parquet) its CSV file, whose cells pandas reads by guessing their types, so that
/// `mlcroissant` gives the text `2017` of a column with empty cells as `2017.0`. `None` when neither
/// was written.
fn record_source<'a>(table: &Table, files: &'a [WrittenFile]) -> Option<&'a WrittenFile> {
    let find = |path: String| files.iter().find(|file| file.path == path);
    find(format!("parquet/{0}.parquet", table.name)).or_else(|| find(format!("csv/{0}.csv", table.name)))
}

/// The `@id` of a column's field: `<table>/<column>`.
fn field_id(table: &str, column: &str) -> Value {
    json!({"@id": format!("{table}/{column}")})
}

/// The record set of a table, read from `source`. `with_record_sets` are the tables that have one:
/// a foreign key is a `references` only where the table it points to has a record set.
fn record_set(table: &Table, source: &WrittenFile, with_record_sets: &[&str]) -> Value {
    let from_parquet = source.path.ends_with(".parquet");
    let fields: Vec<Value> = table
        .columns
        .iter()
        .map(|column| {
            let mut field = Map::new();
            field.insert("@type".into(), "cr:Field".into());
            field.insert("@id".into(), format!("{}/{}", table.name, column.name).into());
            field.insert("name".into(), column.name.clone().into());
            let mut description = column.description.clone();
            if !column.values.is_empty() {
                description.push_str(&format!(" One of: {}.", column.values.join(", ")));
            }
            field.insert("description".into(), description.into());
            field.insert("dataType".into(), data_type(column.column_type).into());
            // A Parquet list reaches mlcroissant as a list; a CSV cell holds the list as JSON text,
            // which mlcroissant would split into characters if the field said it repeats.
            if column.column_type == ColumnType::TextList && from_parquet {
                field.insert("repeated".into(), true.into());
            }
            field.insert(
                "source".into(),
                json!({"fileObject": {"@id": source.path}, "extract": {"column": column.name}}),
            );
            let references: Vec<Value> = table
                .foreign_keys()
                .filter(|(from, target)| *from == column.name && with_record_sets.contains(target))
                .map(|(_, target)| json!({"field": field_id(target, "id")}))
                .collect();
            match <[Value; 1]>::try_from(references) {
                Ok([one]) => {
                    field.insert("references".into(), one);
                }
                Err(many) if !many.is_empty() => {
                    field.insert("references".into(), many.into());
                }
                Err(_) => {}
            }
            Value::Object(field)
        })
        .collect();
    let key: Vec<Value> = table
        .primary_key
        .iter()
        .map(|column| field_id(table.name, column))
        .collect();
    let key = match <[Value; 1]>::try_from(key) {
        Ok([one]) => one,
        Err(many) => many.into(),
    };
    json!({
        "@type": "cr:RecordSet",
        "@id": table.name,
        "name": table.name,
        "description": table.description,
        "key": key,
        "field": fields,
    })
}

/// Text on one line, with its runs of white space made one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` ending in a full stop (or the `!` or `?` it has).
fn sentence(text: &str) -> String {
    let text = one_line(text);
    match text.ends_with(['.', '!', '?']) {
        true => text,
        false => format!("{text}."),
    }
}

/// The dataset's description, 50 to 5,000 characters long. `dataset.yaml`'s own when it is long
/// enough; when it is missing or shorter, one composed of the title, that description and each table
/// with its description. One longer than 5,000 characters is cut at the last space that leaves room
/// for an ellipsis, so that the dataset can still be listed.
fn description(meta: &DatasetMeta, tables: &[Table]) -> String {
    let given = meta.description.as_deref().map(one_line).unwrap_or_default();
    let mut text = meta.description.clone().unwrap_or_default();
    if text.chars().count() < *DESCRIPTION_CHARS.start() {
        let mut parts = vec![sentence(&meta.title)];
        if !given.is_empty() {
            parts.push(sentence(&given));
        }
        let count = match tables.len() {
            0 => "no tables".to_owned(),
            1 => "one table".to_owned(),
            count => format!("{count} tables"),
        };
        parts.push(format!("A dataset of {count}."));
        for table in tables {
            parts.push(format!("{}: {}", table.name, sentence(&table.description)));
        }
        text = parts.join(" ");
        if text.chars().count() < *DESCRIPTION_CHARS.start() {
            text.push_str(" Written by profile-export from curated company profiles.");
        }
    }
    if text.chars().count() > *DESCRIPTION_CHARS.end() {
        let room = DESCRIPTION_CHARS.end() - 1;
        let cut = text.char_indices().nth(room).map_or(text.len(), |(at, _)| at);
        let head = &text[..cut];
        let head = head.rfind(' ').map_or(head, |space| &head[..space]);
        text = format!("{}…", head.trim_end());
    }
    text
}

/// Text as the value of a BibTeX field: on one line, with what TeX would read as a command escaped.
/// Braces become `\textbraceleft{}` and `\textbraceright{}`, as BibTeX counts `\{` as a brace.
fn bibtex_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\textbraceleft{}"),
            '}' => out.push_str("\\textbraceright{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A URL as the value of a BibTeX field: what would unbalance the braces, percent-encoded.
fn bibtex_url(url: &str) -> String {
    url.replace('\\', "%5C").replace('{', "%7B").replace('}', "%7D")
}

/// How to cite the dataset, in BibTeX as Croissant recommends: a `@misc` entry keyed by the
/// dataset's name, with the publisher as its (corporate) author, the title kept as written, the
/// version and the homepage. No year: `dataset.yaml` has no date of publication.
fn cite_as(meta: &DatasetMeta) -> String {
    let mut fields = Vec::new();
    if let Some(publisher) = &meta.publisher {
        fields.push(format!("author = {{{{{}}}}}", bibtex_text(publisher)));
    }
    fields.push(format!("title = {{{{{}}}}}", bibtex_text(&meta.title)));
    fields.push(format!("version = {{{}}}", bibtex_text(&meta.version)));
    if let Some(homepage) = meta.homepage.as_ref().and_then(WebAddress::linkable) {
        fields.push(format!("url = {{{}}}", bibtex_url(homepage)));
    }
    format!("@misc{{{},\n  {}\n}}", meta.name, fields.join(",\n  "))
}

/// The Croissant description of the dataset: `files` are every file written (each a `FileObject`),
/// `tables` every table (each a `RecordSet` that reads its Parquet or CSV file, when one of them is
/// among `files`).
pub fn document(meta: &DatasetMeta, tables: &[Table], files: &[WrittenFile]) -> Value {
    let sources: Vec<(&Table, &WrittenFile)> = tables
        .iter()
        .filter_map(|table| record_source(table, files).map(|source| (table, source)))
        .collect();
    let with_record_sets: Vec<&str> = sources.iter().map(|(table, _)| table.name).collect();
    let mut dataset = Map::new();
    dataset.insert("@context".into(), context());
    dataset.insert("@type".into(), "sc:Dataset".into());
    dataset.insert("conformsTo".into(), CONFORMS_TO.into());
    dataset.insert("name".into(), meta.title.clone().into());
    dataset.insert("alternateName".into(), meta.name.clone().into());
    dataset.insert("description".into(), description(meta, tables).into());
    dataset.insert("license".into(), super::package::spdx_url(&meta.license).into());
    dataset.insert("version".into(), meta.version.clone().into());
    dataset.insert("citeAs".into(), cite_as(meta).into());
    if let Some(homepage) = meta.homepage.as_ref().and_then(WebAddress::linkable) {
        dataset.insert("url".into(), homepage.into());
    }
    if let Some(publisher) = &meta.publisher {
        dataset.insert(
            "publisher".into(),
            json!({"@type": "sc:Organization", "name": publisher}),
        );
    }
    if !meta.sources.is_empty() {
        let sources: Vec<Value> = meta
            .sources
            .iter()
            .map(|source| {
                let mut work = json!({"@type": "sc:CreativeWork", "name": source.title});
                if let Some(url) = source.url.as_ref().and_then(WebAddress::linkable) {
                    work["url"] = url.into();
                }
                work
            })
            .collect();
        dataset.insert("isBasedOn".into(), sources.into());
    }
    let distribution: Vec<Value> = files.iter().map(|file| file_object(meta, tables, file)).collect();
    dataset.insert("distribution".into(), distribution.into());
    let record_sets: Vec<Value> = sources
        .iter()
        .map(|(table, source)| record_set(table, source, &with_record_sets))
        .collect();
    dataset.insert("recordSet".into(), record_sets.into());
    Value::Object(dataset)
}

/// Writes `croissant.json`: `document` as indented JSON, ending in a newline.
pub fn write(meta: &DatasetMeta, tables: &[Table], files: &[WrittenFile], out: impl Write) -> io::Result<()> {
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, &document(meta, tables, files))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DatasetSource;
    use crate::tables::Column;

    fn column(name: &str, column_type: ColumnType, nullable: bool, values: &[&str]) -> Column {
        Column {
            name: name.into(),
            column_type,
            nullable,
            description: format!("The {name}."),
            values: values.iter().map(|v| (*v).into()).collect(),
            references: None,
            search: false,
            facet: false,
        }
    }

    /// A column that holds an `id` of the table `target`.
    fn foreign_key(name: &str, target: &str) -> Column {
        Column {
            references: Some(target.into()),
            ..column(name, ColumnType::Text, false, &[])
        }
    }

    /// Two tables: `entities`, and `figures`, whose `entity` points at `entities` and whose key is
    /// two columns.
    fn tables() -> Vec<Table> {
        vec![
            Table {
                name: "entities",
                description: "An entity.".into(),
                columns: vec![
                    column("id", ColumnType::Text, false, &[]),
                    column("type", ColumnType::Text, false, &["organization", "system"]),
                    column("aliases", ColumnType::TextList, false, &[]),
                ],
                primary_key: vec!["id"],
                order: crate::tables::Order::Key,
                rows: 3,
            },
            Table {
                name: "figures",
                description: "A figure".into(),
                columns: vec![
                    foreign_key("entity", "entities"),
                    column("as_of", ColumnType::Date, false, &[]),
                    column("value", ColumnType::Decimal, true, &[]),
                    column("is_latest", ColumnType::Boolean, false, &[]),
                ],
                primary_key: vec!["entity", "as_of"],
                order: crate::tables::Order::Key,
                rows: 2,
            },
        ]
    }

    fn file(path: &str, bytes: u64) -> WrittenFile {
        WrittenFile {
            path: path.into(),
            bytes,
            sha256: format!("{bytes:064x}"),
        }
    }

    fn meta(description: Option<&str>) -> DatasetMeta {
        DatasetMeta {
            name: "test-set".into(),
            title: "Test set".into(),
            description: description.map(Into::into),
            version: "1.2.3".into(),
            license: "CC-BY-4.0".into(),
            publisher: Some("Curators & Co".into()),
            homepage: Some(WebAddress("https://example.org/data".into())),
            sources: vec![DatasetSource {
                title: "A report".into(),
                url: Some(WebAddress("https://example.org/report".into())),
            }],
        }
    }

    const LONG_ENOUGH: &str = "A description of fifty characters or more, as written.";

    #[test]
    fn record_sets_read_the_parquet_files_with_types_keys_and_references() {
        let files = [
            file("csv/entities.csv", 10),
            file("csv/figures.csv", 11),
            file("parquet/entities.parquet", 12),
            file("parquet/figures.parquet", 13),
        ];
        let document = document(&meta(Some(LONG_ENOUGH)), &tables(), &files);
        let entities = "parquet/entities.parquet";
        let figures = "parquet/figures.parquet";
        assert_eq!(
            document["recordSet"],
            json!([
                {
                    "@type": "cr:RecordSet", "@id": "entities", "name": "entities", "description": "An entity.",
                    "key": {"@id": "entities/id"},
                    "field": [
                        {"@type": "cr:Field", "@id": "entities/id", "name": "id", "description": "The id.",
                         "dataType": "sc:Text",
                         "source": {"fileObject": {"@id": entities}, "extract": {"column": "id"}}},
                        {"@type": "cr:Field", "@id": "entities/type", "name": "type",
                         "description": "The type. One of: organization, system.", "dataType": "sc:Text",
                         "source": {"fileObject": {"@id": entities}, "extract": {"column": "type"}}},
                        {"@type": "cr:Field", "@id": "entities/aliases", "name": "aliases",
                         "description": "The aliases.", "dataType": "sc:Text", "repeated": true,
                         "source": {"fileObject": {"@id": entities}, "extract": {"column": "aliases"}}},
                    ]
                },
                {
                    "@type": "cr:RecordSet", "@id": "figures", "name": "figures", "description": "A figure",
                    "key": [{"@id": "figures/entity"}, {"@id": "figures/as_of"}],
                    "field": [
                        {"@type": "cr:Field", "@id": "figures/entity", "name": "entity", "description": "The entity.",
                         "dataType": "sc:Text",
                         "source": {"fileObject": {"@id": figures}, "extract": {"column": "entity"}},
                         "references": {"field": {"@id": "entities/id"}}},
                        {"@type": "cr:Field", "@id": "figures/as_of", "name": "as_of", "description": "The as_of.",
                         "dataType": "sc:Date",
                         "source": {"fileObject": {"@id": figures}, "extract": {"column": "as_of"}}},
                        {"@type": "cr:Field", "@id": "figures/value", "name": "value", "description": "The value.",
                         "dataType": "sc:Float",
                         "source": {"fileObject": {"@id": figures}, "extract": {"column": "value"}}},
                        {"@type": "cr:Field", "@id": "figures/is_latest", "name": "is_latest",
                         "description": "The is_latest.", "dataType": "sc:Boolean",
                         "source": {"fileObject": {"@id": figures}, "extract": {"column": "is_latest"}}},
                    ]
                }
            ])
        );
    }

    #[test]
    fn every_file_is_a_file_object_with_its_size_format_and_hash() {
        let files = [
            file("json/profiles.jsonl", 1),
            file("csv/entities.csv", 2),
            file("parquet/entities.parquet", 3),
            file("xlsx/test-set.xlsx", 4),
            file("sqlite/test-set.sqlite", 5),
            file("sqlite/test-set.metadata.json", 6),
            file("datapackage.json", 7),
            file("README.md", 8),
        ];
        let document = document(&meta(Some(LONG_ENOUGH)), &tables(), &files);
        let distribution = document["distribution"].as_array().expect("a list");
        let got: Vec<[&str; 4]> = distribution
            .iter()
            .map(|object| {
                assert_eq!(object["@type"], "cr:FileObject");
                assert_eq!(object["@id"], object["name"]);
                assert_eq!(object["@id"], object["contentUrl"]);
                assert!(object["description"].is_string(), "{object}");
                ["contentUrl", "contentSize", "encodingFormat", "sha256"].map(|key| object[key].as_str().expect("text"))
            })
            .collect();
        let hashes: Vec<String> = (1..=8).map(|n: u64| format!("{n:064x}")).collect();
        assert_eq!(
            got,
            [
                ["json/profiles.jsonl", "1 B", "application/jsonlines", &hashes[0]],
                ["csv/entities.csv", "2 B", "text/csv", &hashes[1]],
                ["parquet/entities.parquet", "3 B", "application/x-parquet", &hashes[2]],
                [
                    "xlsx/test-set.xlsx",
                    "4 B",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    &hashes[3]
                ],
                ["sqlite/test-set.sqlite", "5 B", "application/vnd.sqlite3", &hashes[4]],
                ["sqlite/test-set.metadata.json", "6 B", "application/json", &hashes[5]],
                ["datapackage.json", "7 B", "application/json", &hashes[6]],
                ["README.md", "8 B", "text/markdown", &hashes[7]],
            ]
        );
        assert_eq!(
            distribution[3]["description"],
            "Every table as an Excel workbook. One sheet a table, with typed cells, after a first sheet that describes every column; a table longer than 1,048,575 rows continues on further sheets."
        );
        // Only `entities` has a file: `figures` has no record set, and nothing references one.
        let record_sets = document["recordSet"].as_array().expect("a list");
        assert_eq!(record_sets.len(), 1);
        assert_eq!(record_sets[0]["@id"], "entities");
    }

    #[test]
    fn without_parquet_a_record_set_reads_the_csv_file_and_a_list_is_its_json_text() {
        let files = [file("csv/entities.csv", 2), file("csv/figures.csv", 3)];
        let document = document(&meta(Some(LONG_ENOUGH)), &tables(), &files);
        let aliases = &document["recordSet"][0]["field"][2];
        assert_eq!(
            *aliases,
            json!({"@type": "cr:Field", "@id": "entities/aliases", "name": "aliases", "description": "The aliases.",
                   "dataType": "sc:Text",
                   "source": {"fileObject": {"@id": "csv/entities.csv"}, "extract": {"column": "aliases"}}})
        );
        assert_eq!(
            document["recordSet"][1]["field"][0]["references"],
            json!({"field": {"@id": "entities/id"}})
        );
    }

    #[test]
    fn the_dataset_has_its_name_license_version_publisher_sources_and_citation() {
        let document = document(&meta(Some(LONG_ENOUGH)), &tables(), &[]);
        assert_eq!(document["@type"], "sc:Dataset");
        assert_eq!(document["conformsTo"], "http://mlcommons.org/croissant/1.0");
        assert_eq!(document["name"], "Test set");
        assert_eq!(document["alternateName"], "test-set");
        assert_eq!(document["description"], LONG_ENOUGH);
        assert_eq!(document["license"], "https://spdx.org/licenses/CC-BY-4.0.html");
        assert_eq!(document["version"], "1.2.3");
        assert_eq!(document["url"], "https://example.org/data");
        assert_eq!(
            document["publisher"],
            json!({"@type": "sc:Organization", "name": "Curators & Co"})
        );
        assert_eq!(
            document["isBasedOn"],
            json!([{"@type": "sc:CreativeWork", "name": "A report", "url": "https://example.org/report"}])
        );
        assert_eq!(
            document["citeAs"],
            "@misc{test-set,\n  author = {{Curators \\& Co}},\n  title = {{Test set}},\n  version = {1.2.3},\n  url = {https://example.org/data}\n}"
        );
    }

    #[test]
    fn only_web_addresses_are_linked() {
        // Addresses that the input schema refuses, as if they had got past it.
        let mut meta = meta(Some(LONG_ENOUGH));
        meta.homepage = Some(WebAddress("javascript:alert(1)".into()));
        meta.sources = vec![
            DatasetSource {
                title: "Page".into(),
                url: Some(WebAddress("data:text/html,<script>alert(1)</script>".into())),
            },
            DatasetSource {
                title: "Web".into(),
                url: Some(WebAddress("HTTPS://example.org/a".into())),
            },
        ];
        let document = document(&meta, &tables(), &[]);
        assert_eq!(document.get("url"), None);
        assert_eq!(
            document["isBasedOn"],
            json!([
                {"@type": "sc:CreativeWork", "name": "Page"},
                {"@type": "sc:CreativeWork", "name": "Web", "url": "HTTPS://example.org/a"}
            ])
        );
        assert_eq!(
            document["citeAs"],
            "@misc{test-set,\n  author = {{Curators \\& Co}},\n  title = {{Test set}},\n  version = {1.2.3}\n}"
        );
    }

    #[test]
    fn a_citation_escapes_what_tex_would_read_as_commands() {
        let mut meta = meta(None);
        meta.title = "50% of {x} _costs_ $3 #1 a\\b ~ ^\n next".into();
        meta.publisher = None;
        meta.homepage = Some(WebAddress("https://example.org/{a}\\b".into()));
        assert_eq!(
            cite_as(&meta),
            "@misc{test-set,\n  title = {{50\\% of \\textbraceleft{}x\\textbraceright{} \\_costs\\_ \\$3 \\#1 a\\textbackslash{}b \\textasciitilde{} \\textasciicircum{} next}},\n  version = {1.2.3},\n  url = {https://example.org/%7Ba%7D%5Cb}\n}"
        );
    }

    #[test]
    fn a_missing_or_short_description_is_composed_from_the_title_and_the_tables() {
        let composed = "Test set. A dataset of 2 tables. entities: An entity. figures: A figure.";
        assert_eq!(description(&meta(None), &tables()), composed);
        assert_eq!(
            description(&meta(Some("  Short\n one ")), &tables()),
            "Test set. Short one. A dataset of 2 tables. entities: An entity. figures: A figure."
        );
        assert_eq!(
            description(&meta(None), &tables()[..1]),
            "Test set. A dataset of one table. entities: An entity."
        );
        let mut tiny = meta(None);
        tiny.title = "T".into();
        assert_eq!(
            description(&tiny, &[]),
            "T. A dataset of no tables. Written by profile-export from curated company profiles."
        );
        let kept = format!("{LONG_ENOUGH}\n\nA second paragraph.");
        assert_eq!(description(&meta(Some(&kept)), &tables()), kept);
    }

    #[test]
    fn a_description_longer_than_5000_characters_is_cut_at_a_space() {
        let long = "é".repeat(4990) + " word another";
        let cut = description(&meta(Some(&long)), &tables());
        assert_eq!(cut, "é".repeat(4990) + " word…");
        assert_eq!(cut.chars().count(), 4996);
        let exactly = "é".repeat(5000);
        assert_eq!(description(&meta(Some(&exactly)), &tables()), exactly);
        let unbroken = "é".repeat(5001);
        assert_eq!(description(&meta(Some(&unbroken)), &tables()), "é".repeat(4999) + "…");
    }
}
