//! Parquet by the format's own rules: list columns are a `list` group of `element` values, the
//! layout Hive, Athena, BigQuery and Spark read (arrow-rs alone would name the element `item`).

use crate::support::{REVISION, Workdir};
use parquet::file::reader::{FileReader, SerializedFileReader};

#[test]
fn list_columns_name_their_elements_element() {
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&["build", "--format", "parquet"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let file = std::fs::File::open(work.path("output/parquet/profiles.parquet")).expect("parquet file");
    let reader = SerializedFileReader::new(file).expect("parquet");
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let paths: Vec<String> = (0..schema.num_columns())
        .map(|i| schema.column(i).path().string())
        .collect();
    for list in ["aliases", "stock_symbols", "categories"] {
        let expected = format!("{list}.list.element");
        assert!(paths.contains(&expected), "no {expected} in {paths:?}");
    }
    assert!(paths.iter().all(|p| !p.ends_with(".item")), "{paths:?}");
}
