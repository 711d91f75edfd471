//! `xlsx/<name>.xlsx`: typed cells, never a formula, a sheet a table after the dictionary, and the
//! same bytes from every build.

use crate::support::{DATASET, REVISION, REVISION_PATH, Workdir, run_with_env, tree};
use std::io::Read;

/// The XML files of the workbook, by name.
fn parts(path: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("workbook")).expect("a zip file");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("UTF-8 XML");
            (file.name().expect("a UTF-8 name").into_owned(), text)
        })
        .collect()
}

#[test]
fn text_that_looks_like_a_formula_stays_text_and_values_keep_their_types() {
    let revision = REVISION.replace("description: Pitch", "description: \"=HYPERLINK(\\\"http://x\\\")\"");
    let work = Workdir::with_revision(&revision);
    let outcome = work.run(&["build", "--format", "xlsx"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let files = tree(&work.path("output"));
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            ".profile-export",
            "README.md",
            "croissant.json",
            "datapackage.json",
            "xlsx/test.xlsx"
        ]
    );
    let parts = parts(&work.path("output/xlsx/test.xlsx"));
    let workbook = &parts["xl/workbook.xml"];
    let sheets: Vec<&str> = workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').expect("quote")])
        .collect();
    assert_eq!(
        sheets,
        [
            "dictionary",
            "profiles",
            "entities",
            "organizations",
            "systems",
            "people",
            "identifiers",
            "claims",
            "contracts",
            "figures",
            "events",
            "relations",
            "sources",
            "citations",
            "changes"
        ]
    );
    for (name, xml) in &parts {
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name} holds a formula");
    }
    assert!(
        parts["xl/worksheets/sheet11.xml"].contains("t=\"inlineStr\"><is><t>=HYPERLINK(\"http://x\")</t>"),
        "the text as curated, without the CSV guard"
    );
    // contracts is the 7th sheet: its `value` (9.1 million) is a number cell, `is_latest` a boolean,
    // `updated` a date (a number with a date format).
    let contracts = &parts["xl/worksheets/sheet9.xml"];
    assert!(contracts.contains("<v>9100000</v>"), "{contracts}");
    assert!(contracts.contains("t=\"b\""), "a boolean cell");
    assert!(contracts.contains("<pane ySplit=\"1\""), "the header is frozen");
    assert!(contracts.contains("<autoFilter ref=\"A1:"), "filters on the header");
    assert!(
        parts["docProps/core.xml"].contains("2000-01-01T00:00:00Z"),
        "a fixed creation date"
    );
}

#[test]
fn a_decimal_beyond_fifteen_digits_is_exact_text() {
    let revision = REVISION.replace("    low: 350000\n    high: 400000", "    value: 12345678901234567.89");
    let work = Workdir::with_revision(&revision);
    let outcome = work.run(&["build", "--format", "xlsx"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let parts = parts(&work.path("output/xlsx/test.xlsx"));
    // figures is the 8th sheet.
    assert!(parts["xl/worksheets/sheet10.xml"].contains("t=\"inlineStr\"><is><t>12345678901234567.89</t>"));
}

#[test]
fn a_text_too_long_for_a_cell_is_a_problem_of_the_input_and_nothing_is_written() {
    let long = "x".repeat(40_000);
    let revision = REVISION.replace("description: Pitch", &format!("description: {long}"));
    let work = Workdir::with_revision(&revision);
    let outcome = work.run(&["build", "--format", "xlsx", "--max-text-length", "50000"]);
    outcome.assert_one_problem("input/profiles/acme/2020-01-01.yaml:32:18: error[E0217]");
    assert!(!work.path("output").exists());
}

#[test]
fn the_workbook_and_database_are_byte_identical_for_any_thread_count() {
    let older = REVISION.replace("updated: 2020-01-01", "updated: 2019-06-30");
    let files: [(&str, &[u8]); 3] = [
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, REVISION.as_bytes()),
        ("profiles/acme/2019-06-30.yaml", older.as_bytes()),
    ];
    let (a, b) = (Workdir::new(&files), Workdir::new(&files));
    let one = run_with_env(
        a.dir.path(),
        &["build", "--format", "xlsx,sqlite"],
        &[("RAYON_NUM_THREADS", "1")],
    );
    let many = run_with_env(
        b.dir.path(),
        &["build", "--format", "xlsx,sqlite"],
        &[("RAYON_NUM_THREADS", "4")],
    );
    assert_eq!((one.code, many.code), (0, 0), "{}\n{}", one.stderr, many.stderr);
    let (a, b) = (tree(&a.path("output")), tree(&b.path("output")));
    let names: Vec<&str> = a.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            ".profile-export",
            "README.md",
            "croissant.json",
            "datapackage.json",
            "sqlite/test.metadata.json",
            "sqlite/test.sqlite",
            "xlsx/test.xlsx"
        ]
    );
    assert!(a == b, "two builds of the same input differ");
}

#[test]
fn a_list_too_long_for_a_cell_keeps_the_items_that_fit_and_says_how_many_it_leaves_out() {
    let aliases: Vec<String> = (0..3000).map(|i| format!("alias-{i:05}")).collect();
    let revision = REVISION.replace(
        "    kind: government_agency\n",
        &format!("    kind: government_agency\n    aliases: [{}]\n", aliases.join(", ")),
    );
    let work = Workdir::with_revision(&revision);
    let outcome = work.run(&["build"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    // The cell: JSON of the first items, whole, then what is left out. 3,000 aliases of 13
    // characters (quotes included) and a comma each are 42,001 characters with the brackets. The
    // note takes 108 characters, so 32,767 - 108 - 2 = 32,657 are left for the items: the first,
    // and 2,331 more of 14 characters.
    let parts = parts(&work.path("output/xlsx/test.xlsx"));
    let sheet = parts
        .values()
        .find(|xml| xml.contains("alias-00000"))
        .expect("a sheet with the aliases");
    let start = sheet.find("[\"alias-00000").expect("the cell");
    let end = start + sheet[start..].find("</t>").expect("end of the cell");
    let cell = &sheet[start..end];
    let (json, note) = cell.split_at(cell.find(']').expect("the array") + 1);
    let kept: Vec<String> = serde_json::from_str(json).expect("the kept items are a JSON array");
    assert_eq!(kept, aliases[..kept.len()], "the first items, in order, whole");
    assert_eq!(kept.len(), 2332);
    assert_eq!(
        note,
        format!(
            " … and {} more of 3000 (too many for a cell: the CSV, Parquet, JSON Lines and SQLite files hold every one)",
            3000 - kept.len()
        )
    );
    assert!(cell.chars().count() <= 32_767, "{} characters", cell.chars().count());
    // The other formats hold every item.
    let csv = std::fs::read_to_string(work.path("output/csv/organizations.csv")).expect("csv");
    assert!(csv.contains(&serde_json::to_string(&aliases).expect("json").replace('"', "\"\"")));
    // The dictionary sheet says what such a cell holds.
    assert!(
        parts
            .values()
            .any(|xml| xml.contains("keeps the items that fit, whole"))
    );
}
