//! `build`: the committed dataset is a fresh build, output is deterministic and atomic, and the
//! values of the curated files reach every format exactly.

use crate::support::{REVISION, Workdir, csv_rows, leftovers, run_in, run_with_env, tree};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

/// The published tables: the eleven of SPEC.md and `changes`.
const TABLES: usize = 14;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn build(work: &Workdir) -> crate::support::Outcome {
    let outcome = work.run(&["build"]);
    assert_eq!(outcome.code, 0, "build failed:\n{}", outcome.stderr);
    outcome
}

fn read_parquet(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).expect("parquet file");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("parquet")
        .build()
        .expect("reader");
    let batches: Vec<RecordBatch> = reader.map(|b| b.expect("batch")).collect();
    single_batch(&batches)
}

fn single_batch(batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "small tables are one batch");
    batches[0].clone()
}

#[test]
fn the_committed_output_is_a_fresh_build() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let output = dir.path().join("output");
    let input = root().join("input");
    let outcome = run_in(
        dir.path(),
        &["build", "--input", input.to_str().expect("utf-8"), "--output", "output"],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let fresh = tree(&output);
    let committed = tree(&root().join("output"));
    let names = |t: &std::collections::BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&fresh), names(&committed), "the files of output/");
    for (name, bytes) in &fresh {
        assert!(
            committed[name] == *bytes,
            "output/{name} differs from a fresh build: run `cargo run --release -- build` and commit"
        );
    }
}

#[test]
fn output_is_the_same_for_any_thread_count_and_file_order() {
    let second = REVISION
        .replace("profile: acme", "profile: zeta")
        .replace("name: Acme Corp", "name: Zeta")
        .replace("supplier: acme", "supplier: zeta")
        .replace("subject: acme", "subject: zeta");
    let older = REVISION.replace("updated: 2020-01-01", "updated: 2019-06-30");
    let files: [(&str, &str); 4] = [
        ("dataset.yaml", crate::support::DATASET),
        ("profiles/acme/2020-01-01.yaml", REVISION),
        ("profiles/acme/2019-06-30.yaml", &older),
        ("profiles/zeta/2020-01-01.yaml", &second),
    ];
    let forward = Workdir::new(&files.map(|(p, c)| (p, c.as_bytes())));
    let mut reversed = files;
    reversed.reverse();
    let backward = Workdir::new(&reversed.map(|(p, c)| (p, c.as_bytes())));
    let one = run_with_env(forward.dir.path(), &["build"], &[("RAYON_NUM_THREADS", "1")]);
    let many = run_with_env(backward.dir.path(), &["build"], &[("RAYON_NUM_THREADS", "4")]);
    assert_eq!((one.code, many.code), (0, 0), "{}\n{}", one.stderr, many.stderr);
    let (a, b) = (tree(&forward.path("output")), tree(&backward.path("output")));
    assert_eq!(
        a.len(),
        2 * TABLES + 8,
        "CSV and Parquet per table, JSON, the workbook, the database and its metadata, datapackage.json, README.md, croissant.json, the mark"
    );
    assert!(a == b, "two builds of the same input differ");
}

#[test]
fn a_build_that_fails_checking_writes_nothing() {
    let work = Workdir::with_revision(REVISION);
    let fresh = work.run(&["build"]);
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    let before = tree(&work.path("output"));

    work.write(
        crate::support::REVISION_PATH,
        REVISION.replace("2019-03", "2019-13").as_bytes(),
    );
    let failed = work.run(&["build"]);
    failed.assert_one_problem("input/profiles/acme/2020-01-01.yaml:21:12: error[E0202]");
    assert!(failed.stderr.contains("nothing was written"), "{}", failed.stderr);
    assert!(tree(&work.path("output")) == before, "the previous output changed");
    assert_eq!(leftovers(work.dir.path(), &["input", "output"]), Vec::<String>::new());
}

#[test]
fn a_first_build_that_fails_creates_no_output() {
    let work = Workdir::with_revision(&REVISION.replace("2019-03", "2019-13"));
    assert_eq!(work.run(&["build"]).code, 1);
    assert_eq!(leftovers(work.dir.path(), &["input"]), Vec::<String>::new());
}

#[test]
fn a_rebuild_replaces_the_whole_folder() {
    let work = Workdir::with_revision(REVISION);
    build(&work);
    std::fs::write(work.path("output/stray.txt"), "left from an older layout").expect("write");
    std::fs::create_dir_all(work.path(".output.staging-dead00")).expect("a staging folder of a dead build");
    let outcome = build(&work);
    assert!(!work.path("output/stray.txt").exists());
    assert!(work.path("output/parquet/figures.parquet").exists());
    assert_eq!(leftovers(work.dir.path(), &["input", "output"]), Vec::<String>::new());
    assert!(
        outcome.stderr.contains(&format!("{TABLES} tables, ")),
        "{}",
        outcome.stderr
    );
}

#[test]
fn output_inside_input_is_refused() {
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&["build", "--output", "input/output"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("inside the input folder"), "{}", outcome.stderr);
    assert!(!work.path("input/output").exists());
}

#[test]
fn an_output_path_that_is_a_file_is_an_error_and_stays() {
    let work = Workdir::with_revision(REVISION);
    std::fs::write(work.path("output"), "not a folder").expect("write");
    let outcome = work.run(&["build"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("is not a folder"), "{}", outcome.stderr);
    assert_eq!(
        std::fs::read_to_string(work.path("output")).expect("file"),
        "not a folder"
    );
    assert_eq!(leftovers(work.dir.path(), &["input", "output"]), Vec::<String>::new());
}

#[test]
fn an_output_folder_that_cannot_be_written_is_an_error() {
    // Permission bits do not stop root, who runs CI; /proc refuses new folders to everyone.
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&["build", "--output", "/proc/profile-export-output"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("/proc/.profile-export-output.staging-"),
        "names the folder it could not make: {}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("nothing was written"), "{}", outcome.stderr);
    assert_eq!(leftovers(work.dir.path(), &["input"]), Vec::<String>::new());
}

#[test]
fn an_input_folder_that_cannot_be_read_is_an_error() {
    let work = Workdir::with_revision(REVISION);
    std::fs::remove_dir_all(work.path("input/profiles")).expect("remove");
    std::fs::write(work.path("input/profiles"), "not a folder").expect("write");
    let outcome = work.run(&["build"]);
    outcome.assert_one_problem("input/profiles:1:1: error[E0001]");
    assert!(!work.path("output").exists());
}

#[test]
fn formats_can_be_chosen() {
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&["build", "--format", "csv"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let files = tree(&work.path("output"));
    assert!(files.keys().all(|name| name.starts_with("csv/")
        || ["datapackage.json", "README.md", "croissant.json", ".profile-export"].contains(&name.as_str())));
    let package: serde_json::Value = serde_json::from_slice(&files["datapackage.json"]).expect("json");
    let resources = package["resources"].as_array().expect("resources");
    assert_eq!(resources.len(), TABLES);
    assert!(resources.iter().all(|r| r["format"] == "csv"));
    assert_eq!(work.run(&["build", "--format", "xml"]).code, 2);
}

#[test]
fn curated_values_reach_csv_and_parquet_exactly() {
    let revision = REVISION
        .replace("description: Pitch", "description: \"=HYPERLINK(\\\"http://x\\\")\"")
        .replace("  - id: agency\n    name: Agency", "  - id: agency\n    name: \"-5\"");
    let work = Workdir::with_revision(&revision);
    build(&work);

    let contracts = csv_rows(&work.path("output/csv/contracts.csv"));
    assert_eq!(contracts.len(), 1);
    let c = &contracts[0];
    assert_eq!(
        (
            c["value"].as_str(),
            c["qualifier"].as_str(),
            c["low"].as_str(),
            c["high"].as_str()
        ),
        ("9100000", "at_least", "9100000", "")
    );
    assert_eq!(
        (c["start"].as_str(), c["start_from"].as_str(), c["start_to"].as_str()),
        ("2019-03", "2019-03-01", "2019-03-31")
    );
    assert_eq!(c["status"], "reported");
    assert_eq!(c["is_latest"], "true");

    let figures = csv_rows(&work.path("output/csv/figures.csv"));
    assert_eq!(
        (
            figures[0]["low"].as_str(),
            figures[0]["high"].as_str(),
            figures[0]["qualifier"].as_str()
        ),
        ("350000", "400000", "")
    );

    let events = csv_rows(&work.path("output/csv/events.csv"));
    assert_eq!(
        events[0]["description"], "'=HYPERLINK(\"http://x\")",
        "a formula is made inert in CSV"
    );
    assert_eq!(
        (events[0]["date_from"].as_str(), events[0]["date_to"].as_str()),
        ("2018-06-01", "2018-08-31")
    );
    let entities = csv_rows(&work.path("output/csv/entities.csv"));
    let agency = entities.iter().find(|e| e["id"] == "agency").expect("agency");
    assert_eq!(agency["name"], "-5", "a negative number stays a number");

    let batch = read_parquet(&work.path("output/parquet/events.parquet"));
    let description = batch.column_by_name("description").expect("column").as_string::<i32>();
    assert_eq!(
        description.value(0),
        "=HYPERLINK(\"http://x\")",
        "Parquet keeps the text as curated"
    );
    let from = batch.column_by_name("date_from").expect("column");
    assert_eq!(from.data_type(), &DataType::Date32);
    let days = from.as_primitive::<Date32Type>().value(0);
    assert_eq!(days, 17683, "2018-06-01 is day 17683 of the epoch");

    let batch = read_parquet(&work.path("output/parquet/contracts.parquet"));
    let value = batch.column_by_name("value").expect("column");
    assert_eq!(value.data_type(), &DataType::Decimal128(38, 9));
    assert_eq!(value.as_primitive::<Decimal128Type>().value(0), 9_100_000_000_000_000);
    assert!(batch.column_by_name("high").expect("column").is_null(0));
    let field = batch.schema().field_with_name("value").expect("field").clone();
    assert_eq!(
        field.metadata().get("description").map(String::as_str),
        Some("The value, exact, as a plain number: `9.1 million` is 9100000, `12.30` is 12.3; empty for a range.")
    );
}

#[test]
fn a_decimal_is_written_as_its_description_says_a_plain_number_without_trailing_zeros() {
    let revision = REVISION.replace("value: 9.1 million", "value: \"12.30\"");
    let work = Workdir::with_revision(&revision);
    build(&work);
    let contracts = csv_rows(&work.path("output/csv/contracts.csv"));
    assert_eq!(
        (contracts[0]["value"].as_str(), contracts[0]["low"].as_str()),
        ("12.3", "12.3")
    );
    let text = std::fs::read_to_string(work.path("output/json/profiles.jsonl")).expect("json");
    let document: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(document["contracts"][0]["value"], "12.3");
    let batch = read_parquet(&work.path("output/parquet/contracts.parquet"));
    let value = batch
        .column_by_name("value")
        .expect("column")
        .as_primitive::<Decimal128Type>();
    assert_eq!(value.value(0), 12_300_000_000, "12.3 at scale 9");
    let field = batch.schema().field_with_name("value").expect("field").clone();
    let description = field.metadata().get("description").expect("description");
    assert!(!description.contains("as curated"), "{description}");
    assert!(description.contains("`12.30` is 12.3"), "{description}");
}

#[test]
fn json_documents_resolve_every_reference() {
    let work = Workdir::with_revision(REVISION);
    build(&work);
    let text = std::fs::read_to_string(work.path("output/json/profiles.jsonl")).expect("json");
    assert_eq!(text.lines().count(), 1, "one revision, one line");
    let document: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(document["id"], "acme/2020-01-01");
    let organizations: Vec<&str> = document["organizations"]
        .as_array()
        .expect("array")
        .iter()
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    assert_eq!(organizations, ["acme", "agency"]);
    assert_eq!(document["systems"][0]["operator"], "agency");
    assert_eq!(document["contracts"][0]["sources"][0], "report", "local source ids");
    assert_eq!(document["sources"][0]["local_id"], "report");
    assert_eq!(
        document["contracts"][0]["value"], "9100000",
        "decimals are strings in JSON"
    );
}

#[test]
fn a_closed_stderr_or_stdout_is_not_a_panic() {
    let work = Workdir::with_revision(REVISION);
    for args in [&["build"][..], &["check"], &["diff", "acme"]] {
        // Both pipes' readers are gone before the binary writes a byte.
        let (reader, writer) = std::io::pipe().expect("pipe");
        let (out_reader, out_writer) = std::io::pipe().expect("pipe");
        drop((reader, out_reader));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_profile-export"))
            .args(args)
            .current_dir(work.dir.path())
            .stdout(out_writer)
            .stderr(writer)
            .status()
            .expect("the binary runs");
        // `diff` of a profile with one revision is a usage error (2); never a panic (101).
        let expected = if args[0] == "diff" { 2 } else { 0 };
        assert_eq!(status.code(), Some(expected), "{args:?}");
    }
}

#[test]
fn an_entity_two_profiles_declare_has_the_fields_of_both_and_their_sources() {
    // `acme` declares `agency` with name, kind and country; `beta`, merged after it, gives the same
    // name and adds an abbreviation and a description.
    let beta = "profile: beta\nupdated: 2020-01-01\nname: Beta\nsources:\n  - {id: s, title: S}\norganizations:\n  - {id: agency, name: Agency, abbreviation: AG, description: Added by beta, sources: [s]}\n";
    let work = Workdir::new(&[
        ("dataset.yaml", crate::support::DATASET.as_bytes()),
        (crate::support::REVISION_PATH, REVISION.as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    build(&work);
    let organizations = csv_rows(&work.path("output/csv/organizations.csv"));
    let agency = organizations.iter().find(|o| o["id"] == "agency").expect("agency");
    let fields = ["name", "abbreviation", "kind", "country", "description", "source_ids"];
    assert_eq!(
        fields.map(|field| agency[field].as_str()),
        [
            "Agency",
            "AG",
            "government_agency",
            "US",
            "Added by beta",
            r#"["beta/2020-01-01/s"]"#
        ]
    );
    let text = std::fs::read_to_string(work.path("output/json/profiles.jsonl")).expect("json");
    let acme: serde_json::Value = serde_json::from_str(text.lines().next().expect("a line")).expect("json");
    assert_eq!(acme["profile"], "acme");
    let organizations = acme["organizations"].as_array().expect("organizations");
    let embedded = organizations.iter().find(|o| o["id"] == "agency").expect("agency");
    assert_eq!(
        (&embedded["id"], &embedded["abbreviation"], &embedded["country"]),
        (&"agency".into(), &"AG".into(), &"US".into()),
        "a document embeds the entity as merged across the dataset"
    );
}

/// A profile of `count` organizations whose merged fields take more than the 1 MiB that the merged
/// state keeps in memory: the rest goes to an unnamed file in `TMPDIR`.
fn many_organizations(count: usize) -> String {
    let mut text = String::from(
        "profile: many\nupdated: 2020-01-01\nname: Many\nsources:\n  - {id: s, title: S}\norganizations:\n",
    );
    for i in 0..count {
        let padding = "x".repeat(120);
        text.push_str(&format!(
            "  - {{id: org-{i:04}, name: Organization {i:04} {padding}, sources: [s]}}\n"
        ));
    }
    text
}

#[test]
fn entities_beyond_memory_go_to_a_temporary_file_and_come_back_whole() {
    let count = 8_000;
    let work = Workdir::new(&[
        ("dataset.yaml", crate::support::DATASET.as_bytes()),
        ("profiles/many/2020-01-01.yaml", many_organizations(count).as_bytes()),
    ]);
    let spill = tempfile::tempdir().expect("temporary folder");
    let tmpdir = spill.path().to_str().expect("a UTF-8 path");
    let built = run_with_env(work.dir.path(), &["build"], &[("TMPDIR", tmpdir)]);
    assert_eq!(built.code, 0, "build failed:\n{}", built.stderr);
    let mut organizations = csv_rows(&work.path("output/csv/organizations.csv"));
    // The profiled company is an organization too.
    assert_eq!(organizations.remove(0)["id"], "many");
    assert_eq!(organizations.len(), count);
    let padding = "x".repeat(120);
    for i in [0, 1, 4_321, count - 1] {
        let row = &organizations[i];
        assert_eq!(row["id"], format!("org-{i:04}"));
        assert_eq!(row["name"], format!("Organization {i:04} {padding}"));
        assert_eq!(row["source_ids"], r#"["many/2020-01-01/s"]"#);
    }
    assert_eq!(
        leftovers(spill.path(), &[]),
        Vec::<String>::new(),
        "the file has no name"
    );

    // A `TMPDIR` that cannot take the file is an I/O error naming the folder (exit 2, as for any
    // I/O error), not a problem of the input; nothing is written.
    let missing = spill.path().join("missing");
    let env = [("TMPDIR", missing.to_str().expect("a UTF-8 path"))];
    let error = format!(
        "error: {}: cannot keep the merged organizations and systems in a temporary file there: \
         No such file or directory (os error 2); set TMPDIR to a folder with room",
        missing.display()
    );
    let refused = run_with_env(work.dir.path(), &["build", "--output", "other", "--quiet"], &env);
    assert_eq!(refused.code, 2, "stderr:\n{}", refused.stderr);
    assert_eq!(
        refused.stderr.lines().collect::<Vec<_>>(),
        [error.as_str(), "error: nothing was written; other is unchanged"]
    );
    let checked = run_with_env(work.dir.path(), &["check", "--quiet"], &env);
    assert_eq!(checked.code, 2, "stderr:\n{}", checked.stderr);
    assert_eq!(checked.stderr.lines().collect::<Vec<_>>(), [error.as_str()]);
    let diffed = run_with_env(work.dir.path(), &["diff", "many", "--quiet"], &env);
    assert_eq!(diffed.code, 2, "stderr:\n{}", diffed.stderr);
    assert_eq!(diffed.stderr.lines().collect::<Vec<_>>(), [error.as_str()]);
    // It wins over the input's problems, which a failed read could have made up.
    work.write("profiles/broken/2020-01-01.yaml", b"profile: [");
    let checked = run_with_env(work.dir.path(), &["check", "--quiet"], &env);
    assert_eq!(checked.code, 2, "stderr:\n{}", checked.stderr);
    assert_eq!(checked.stderr.lines().collect::<Vec<_>>(), [error.as_str()]);
    assert_eq!(run_with_env(work.dir.path(), &["check", "--quiet"], &[]).code, 1);
    assert!(!work.path("other").exists());
}

#[test]
fn a_build_that_publishes_nothing_removes_the_folders_it_made_for_the_output() {
    let work = Workdir::with_revision(&REVISION.replace("2019-03", "2019-13"));
    std::fs::create_dir(work.path("kept")).expect("a folder of the user's");
    for output in ["new/deeper/out", "kept/deeper/out"] {
        let outcome = work.run(&["build", "--output", output]);
        assert_eq!(outcome.code, 1, "{}", outcome.stderr);
        assert!(outcome.stderr.contains("nothing was written"), "{}", outcome.stderr);
    }
    assert_eq!(leftovers(work.dir.path(), &["input", "kept"]), Vec::<String>::new());
    assert_eq!(
        leftovers(&work.path("kept"), &[]),
        Vec::<String>::new(),
        "only what it made"
    );
    // Nor does an I/O error (here every write past 4 KiB fails, as on a full disk).
    let work = Workdir::with_revision(REVISION);
    let outcome = with_file_size_limit(work.dir.path(), 8, &["build", "--output", "new/deeper/out"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert_eq!(leftovers(work.dir.path(), &["input"]), Vec::<String>::new());
}

/// Runs the binary in `dir` with `args`, where a write past `blocks` blocks of 512 bytes fails, as
/// on a full disk: `ulimit -f`, with SIGXFSZ ignored (which the binary inherits), makes it fail with
/// EFBIG.
fn with_file_size_limit(dir: &Path, blocks: u32, args: &[&str]) -> crate::support::Outcome {
    let output = std::process::Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f \"$1\"; shift; exec \"$@\"", "sh"])
        .arg(blocks.to_string())
        .arg(env!("CARGO_BIN_EXE_profile-export"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("sh runs");
    crate::support::Outcome {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_full_disk_stops_every_format_with_the_reason_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    // 40 generated profiles: every format has a file beyond 100 KiB, and what every build writes
    // besides (the mark, datapackage.json, README.md) stays below it.
    crate::generate::generate(40, 3, &dir.path().join("input")).expect("input");
    assert_eq!(run_in(dir.path(), &["build", "--quiet"]).code, 0);
    let before = tree(&dir.path().join("output"));
    let staging = format!("{}/.output.staging-", dir.path().display());
    for (format, file) in [
        ("json", "/json/.profiles.part: "),
        ("csv", "/csv/"),
        ("parquet", "/parquet/"),
        ("xlsx", "/xlsx: a temporary file of the workbook cannot be written: "),
        ("sqlite", "/sqlite/"),
    ] {
        let outcome = with_file_size_limit(dir.path(), 200, &["build", "--quiet", "--format", format]);
        assert_eq!(outcome.code, 2, "{format}: {}", outcome.stderr);
        let lines: Vec<&str> = outcome.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{format}: {}", outcome.stderr);
        assert!(
            lines[0].starts_with(&format!("error: {staging}")) && lines[0].contains(file),
            "{format}: the file and what the system said: {}",
            outcome.stderr
        );
        assert_eq!(
            lines[1],
            "error: nothing was written (the staging folder named above is removed); output is unchanged"
        );
        assert_eq!(
            leftovers(dir.path(), &["input", "output"]),
            Vec::<String>::new(),
            "{format}"
        );
        assert!(
            tree(&dir.path().join("output")) == before,
            "{format}: the previous output changed"
        );
    }
}

#[test]
fn output_and_input_paths_are_printed_with_their_controls_escaped() {
    // A folder name with an escape sequence and a line break, given on the command line: every
    // line that names it shows the characters escaped, never the bytes a terminal would obey.
    let work = Workdir::with_revision(crate::support::REVISION);
    let name = "out\u{1b}[31m\nX";
    let built = work.run(&["build", "--output", name]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let refused = work.run(&["build", "--output", name, "--input", "missing\u{1b}]0;x\u{7}"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    for outcome in [&built, &refused] {
        let printed = &outcome.stderr;
        assert!(!printed.contains(['\u{1b}', '\u{7}']), "{printed:?}");
        assert!(printed.contains("out\\u{1b}[31m\\nX"), "{printed:?}");
    }
}
