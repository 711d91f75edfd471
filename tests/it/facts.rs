//! The real Amazon dataset's key facts, written by hand from the two dated profile texts that
//! `input/` was curated from, checked on a fresh build: independent of every golden file.

use std::collections::HashMap;
use std::path::Path;

/// The rows of a CSV file as maps from column name to cell.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    reader
        .records()
        .map(|record| {
            header
                .iter()
                .cloned()
                .zip(record.expect("record").iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The one row whose cells have the given values.
#[track_caller]
fn one<'a>(rows: &'a [HashMap<String, String>], cells: &[(&str, &str)]) -> &'a HashMap<String, String> {
    let found: Vec<_> = rows
        .iter()
        .filter(|row| cells.iter().all(|(column, value)| row[*column] == *value))
        .collect();
    assert_eq!(found.len(), 1, "rows with {cells:?}");
    found[0]
}

#[track_caller]
fn assert_cells(row: &HashMap<String, String>, cells: &[(&str, &str)]) {
    for (column, value) in cells {
        assert_eq!(
            row[*column],
            *value,
            "{column} of {}",
            row.get("id").map_or("?", String::as_str)
        );
    }
}

#[test]
fn the_amazon_dataset_holds_what_the_profile_texts_say() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("input");
    let output = dir.path().join("out");
    let outcome = crate::support::run_in(
        dir.path(),
        &[
            "build",
            "--quiet",
            "--format",
            "csv",
            "--input",
            input.to_str().expect("utf-8"),
            "--output",
            "out",
        ],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let figures = rows(&output.join("csv/figures.csv"));

    // 2019-01-07: "In 2017, Amazon reported $177.9 billion in revenue".
    let revenue = [("updated", "2019-01-07"), ("subject", "amazon"), ("metric", "revenue")];
    assert_cells(
        one(&figures, &revenue),
        &[
            ("value", "177900000000"),
            ("currency", "USD"),
            ("period", "2017"),
            ("low", "177900000000"),
        ],
    );
    // 2020-11-19: "In 2019, Amazon reported $280.5 billion in revenue".
    let revenue = [("updated", "2020-11-19"), ("subject", "amazon"), ("metric", "revenue")];
    assert_cells(
        one(&figures, &revenue),
        &[
            ("value", "280500000000"),
            ("currency", "USD"),
            ("period", "2019"),
            ("is_latest", "true"),
        ],
    );
    // "As of December 2017 Amazon employed 566,000", "As of December 2019 Amazon employs 798,000".
    let employees = [
        ("updated", "2019-01-07"),
        ("subject", "amazon"),
        ("metric", "employees"),
    ];
    assert_cells(
        one(&figures, &employees),
        &[("value", "566000"), ("as_of", "2017-12"), ("as_of_to", "2017-12-31")],
    );
    let employees = [
        ("updated", "2020-11-19"),
        ("subject", "amazon"),
        ("metric", "employees"),
    ];
    assert_cells(one(&figures, &employees), &[("value", "798000"), ("as_of", "2019-12")]);
    // IDENT: "processing on average 350,000-400,000 transactions per day": a range, no value.
    let ident = [
        ("updated", "2019-01-07"),
        ("subject", "ident"),
        ("metric", "transactions"),
    ];
    assert_cells(
        one(&figures, &ident),
        &[
            ("value", ""),
            ("qualifier", ""),
            ("low", "350000"),
            ("high", "400000"),
            ("per", "day"),
        ],
    );

    // "Four Points Technology, has received at least $9.1 million between March 2015 and January
    // 2019 for providing cloud services to ICE".
    let contracts = rows(&output.join("csv/contracts.csv"));
    let four_points = [("updated", "2019-01-07"), ("supplier", "four-points-technology")];
    assert_cells(
        one(&contracts, &four_points),
        &[
            ("buyer", "ice"),
            ("value", "9100000"),
            ("qualifier", "at_least"),
            ("low", "9100000"),
            ("high", ""),
            ("currency", "USD"),
            ("start", "2015-03"),
            ("start_from", "2015-03-01"),
            ("end", "2019-01"),
            ("end_to", "2019-01-31"),
        ],
    );

    // HART is the system that replaces IDENT.
    let systems = rows(&output.join("csv/systems.csv"));
    assert_cells(
        one(&systems, &[("id", "hart")]),
        &[("abbreviation", "HART"), ("replaces", "ident")],
    );
    assert_cells(one(&systems, &[("id", "ident")]), &[("abbreviation", "IDENT")]);
}
