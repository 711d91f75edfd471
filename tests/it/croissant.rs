//! `croissant.json`: every other file of the output folder a `FileObject` with its size and SHA-256,
//! every table a `RecordSet` with the columns, key and foreign keys that `datapackage.json` declares,
//! read from the Parquet file of the table (or its CSV file when no Parquet is written).

use crate::support::{REVISION, Workdir, tree};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Builds `REVISION` with `args` after `build` and returns every file of the output folder.
fn build(args: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&[&["build"], args].concat());
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    tree(&work.path("output"))
}

fn json_file(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Value {
    serde_json::from_slice(&files[path]).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A list of the values of `key` in `items`, as text.
fn texts<'a>(items: &'a Value, key: &str) -> Vec<&'a str> {
    let items = items.as_array().expect("a list");
    items.iter().map(|item| item[key].as_str().expect("a text")).collect()
}

#[test]
fn every_other_file_is_a_file_object_with_its_size_and_sha256() {
    let files = build(&[]);
    let croissant = json_file(&files, "croissant.json");
    assert_eq!(croissant["@type"], "sc:Dataset");
    assert_eq!(croissant["conformsTo"], "http://mlcommons.org/croissant/1.0");
    let distribution = croissant["distribution"].as_array().expect("a list");
    let mut described: Vec<&str> = texts(&croissant["distribution"], "contentUrl");
    described.sort_unstable();
    let others: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|path| !["croissant.json", ".profile-export"].contains(path))
        .collect();
    assert_eq!(described, others);
    for object in distribution {
        let path = object["contentUrl"].as_str().expect("a path");
        let bytes = &files[path];
        let sha256: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(object["sha256"], sha256.as_str(), "{path}");
        assert_eq!(object["contentSize"], format!("{} B", bytes.len()), "{path}");
        assert_eq!(object["@id"], path);
    }
}

#[test]
fn every_table_is_a_record_set_with_the_fields_key_and_references_of_the_data_package() {
    let files = build(&[]);
    let croissant = json_file(&files, "croissant.json");
    let package = json_file(&files, "datapackage.json");
    let resources = package["resources"].as_array().expect("resources");
    let tables: Vec<&Value> = resources.iter().filter(|r| r["format"] == "parquet").collect();
    let record_sets = croissant["recordSet"].as_array().expect("a list");
    assert_eq!(
        texts(&croissant["recordSet"], "@id"),
        tables
            .iter()
            .map(|t| t["title"].as_str().expect("a name"))
            .collect::<Vec<_>>()
    );
    for (record_set, resource) in record_sets.iter().zip(&tables) {
        let table = resource["title"].as_str().expect("a name");
        let schema = &resource["schema"];
        assert_eq!(record_set["description"], resource["description"], "{table}");
        assert_eq!(
            texts(&record_set["field"], "name"),
            texts(&schema["fields"], "name"),
            "{table}"
        );
        let key: Vec<Value> = schema["primaryKey"]
            .as_array()
            .expect("a key")
            .iter()
            .map(|column| json!({"@id": format!("{table}/{}", column.as_str().expect("a column"))}))
            .collect();
        let expected_key = match key.as_slice() {
            [one] => one.clone(),
            _ => Value::from(key),
        };
        assert_eq!(record_set["key"], expected_key, "{table}");
        let mut references = BTreeMap::new();
        for foreign_key in schema["foreignKeys"].as_array().into_iter().flatten() {
            let column = foreign_key["fields"][0].as_str().expect("a column");
            let target = foreign_key["reference"]["resource"].as_str().expect("a resource");
            let target = target.strip_suffix("-parquet").expect("a Parquet resource");
            references.insert(column, json!({"field": {"@id": format!("{target}/id")}}));
        }
        for field in record_set["field"].as_array().expect("fields") {
            let column = field["name"].as_str().expect("a name");
            assert_eq!(field["@id"], format!("{table}/{column}"));
            assert_eq!(
                field["source"],
                json!({"fileObject": {"@id": resource["path"]}, "extract": {"column": column}})
            );
            let expected = references.remove(column).unwrap_or(Value::Null);
            assert_eq!(field["references"], expected, "{table}/{column}");
        }
        assert!(references.is_empty(), "{table}: no field for {references:?}");
    }
}

#[test]
fn columns_have_their_croissant_types_and_lists_repeat() {
    let files = build(&[]);
    let croissant = json_file(&files, "croissant.json");
    let types: BTreeMap<&str, (&str, bool)> = croissant["recordSet"]
        .as_array()
        .expect("a list")
        .iter()
        .flat_map(|record_set| record_set["field"].as_array().expect("fields"))
        .map(|field| {
            let id = field["@id"].as_str().expect("an id");
            (
                id,
                (field["dataType"].as_str().expect("a type"), field["repeated"] == true),
            )
        })
        .collect();
    assert_eq!(types["contracts/id"], ("sc:Text", false));
    assert_eq!(types["contracts/value"], ("sc:Float", false));
    assert_eq!(types["contracts/start_from"], ("sc:Date", false));
    assert_eq!(types["contracts/is_latest"], ("sc:Boolean", false));
    assert_eq!(types["profiles/aliases"], ("sc:Text", true));
}

#[test]
fn without_parquet_the_record_sets_read_the_csv_files_and_without_tables_there_are_none() {
    let files = build(&["--format", "csv"]);
    let croissant = json_file(&files, "croissant.json");
    let record_sets = croissant["recordSet"].as_array().expect("a list");
    assert!(!record_sets.is_empty());
    for record_set in record_sets {
        let table = record_set["@id"].as_str().expect("a name");
        for field in record_set["field"].as_array().expect("fields") {
            assert_eq!(field["source"]["fileObject"]["@id"], format!("csv/{table}.csv"));
            assert_eq!(field["repeated"], Value::Null, "a CSV cell holds a list as JSON text");
        }
    }
    let files = build(&["--format", "json"]);
    let croissant = json_file(&files, "croissant.json");
    assert_eq!(croissant["recordSet"], json!([]));
    assert_eq!(
        texts(&croissant["distribution"], "contentUrl"),
        ["json/profiles.jsonl", "datapackage.json", "README.md"]
    );
}

#[test]
fn a_dataset_without_a_description_gets_one_of_its_title_and_tables() {
    let files = build(&["--format", "parquet"]);
    let croissant = json_file(&files, "croissant.json");
    let description = croissant["description"].as_str().expect("a text");
    assert!(
        description.starts_with("Test. A dataset of 14 tables. profiles: A revision of a company profile. entities: "),
        "{description}"
    );
    assert!((50..=5000).contains(&description.chars().count()), "{description}");
    assert_eq!(croissant["name"], "Test");
    assert_eq!(croissant["license"], "https://spdx.org/licenses/CC-BY-4.0.html");
    assert_eq!(croissant["version"], "1");
    assert_eq!(
        croissant["citeAs"],
        "@misc{test,\n  title = {{Test}},\n  version = {1}\n}"
    );
}
