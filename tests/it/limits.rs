//! Cost grows with the input: alias expansions counted in bytes and depth, positions found in
//! linear time, and data the input language forbids caught at its place.

use crate::support::{DATASET, REVISION, Workdir};

const FILE: &str = "input/profiles/acme/2020-01-01.yaml";

fn work_with(revision: &str) -> Workdir {
    Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", revision.as_bytes()),
    ])
}

#[test]
fn an_alias_of_a_long_text_is_counted_in_bytes() {
    // 200 KB of YAML that expands to 40 MB of text: few values, but far more text than a file holds.
    let long = "x".repeat(200_000);
    let aliases = vec!["*long"; 200].join(", ");
    let revision = format!("{REVISION}aliases: [&long {long}, {aliases}]\n");
    let line = REVISION.lines().count() + 1;
    let outcome = work_with(&revision).run(&["check"]);
    let headlines = outcome.headlines();
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert_eq!(headlines.len(), 1, "{}", outcome.stderr);
    assert!(
        headlines[0].starts_with(&format!("{FILE}:{line}:"))
            && headlines[0].contains("error[E0008]: expands to more than 16777216 bytes of text"),
        "{}",
        headlines[0]
    );
}

#[test]
fn anchors_nested_in_anchors_count_their_copies() {
    // 60 anchors nested in one another around 20,000 items: 1.2 million copied values from 120 KB
    // of YAML, which cost 0.6 GB and 4 s before they were counted.
    let items = vec!["a"; 20_000].join(",");
    let opens: String = (0..60).map(|i| format!("&x{i} [")).collect();
    let revision = format!("{REVISION}aliases: {opens}{items}{}\n", "]".repeat(60));
    let outcome = work_with(&revision).run(&["check"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let headlines = outcome.headlines();
    assert_eq!(headlines.len(), 1, "{}", outcome.stderr);
    assert!(
        headlines[0]
            .contains("error[E0008]: expands to more than 1000000 values, counting the copy each YAML anchor keeps"),
        "{}",
        headlines[0]
    );
    // One anchor and one alias of the same items stay well within the budget.
    let once = format!("{REVISION}aliases: [&x [{items}], *x]\n");
    let outcome = work_with(&once).run(&["check"]);
    assert!(!outcome.stderr.contains("E0008"), "{}", outcome.stderr);
}

#[test]
fn an_aliased_anchor_counts_its_depth() {
    // The anchor nests 40 levels; the alias sits 30 levels deep: 70 levels in all, past 64.
    let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
    let nest = format!("{}*deep{}", "[".repeat(30), "]".repeat(30));
    let revision = format!("{REVISION}aliases: [&deep {deep}, {nest}]\n");
    let outcome = work_with(&revision).run(&["check"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let headlines = outcome.headlines();
    assert_eq!(headlines.len(), 1, "{}", outcome.stderr);
    assert!(
        headlines[0].contains("error[E0007]: nests deeper than 64 levels"),
        "{}",
        headlines[0]
    );
}

#[test]
fn the_deepest_nesting_allowed_is_checked_without_exhausting_a_stack() {
    // 512 levels with the top mapping, the most `--max-depth` allows, of block lists and of block
    // mappings where a text belongs: one clear problem each, in `check` and in `build`, and
    // nothing written.
    let lists: String = (0..511).map(|i| format!("\n{}-", "  ".repeat(i))).collect();
    let maps: String = (0..511).map(|i| format!("\n{}k{i}:", "  ".repeat(i + 1))).collect();
    for nested in [format!("{lists} x"), format!("{maps} x")] {
        let revision = REVISION.replacen("name: Acme", &format!("name:{nested}"), 1);
        assert_ne!(revision, REVISION);
        let work = work_with(&revision);
        for command in ["check", "build"] {
            let outcome = work.run(&[command, "--max-depth", "512"]);
            assert_eq!(outcome.code, 1, "{command}: {}", outcome.stderr);
            assert!(
                outcome.headlines()[0].contains("error[E0101]: `name` must be text"),
                "{command}: {}",
                outcome.stderr
            );
        }
        assert_eq!(
            crate::support::leftovers(work.dir.path(), &["input"]),
            Vec::<String>::new()
        );
    }
    let refused = work_with(REVISION).run(&["check", "--max-depth", "513"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("must be 1 to 512: deeper nesting could exhaust a thread's stack"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_tag_on_a_mapping_or_a_sequence_is_refused() {
    for (text, column) in [("!!map {city: Springfield}", 15), ("!custom [a]", 15)] {
        let revision = REVISION.replace("{city: Springfield, country: US}", text);
        let outcome = work_with(&revision).run(&["check"]);
        outcome.assert_one_problem(&format!("{FILE}:4:{column}: error[E0006]: uses the YAML tag"));
    }
}

#[test]
fn a_raw_control_character_in_a_json_string_is_refused() {
    let revision = "{\"profile\": \"acme\", \"updated\": \"2020-01-01\", \"name\": \"Ac\tme\",\n \"sources\": [{\"id\": \"r\", \"title\": \"R\"}]}\n";
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.json", revision.as_bytes()),
    ]);
    let outcome = work.run(&["check"]);
    outcome.assert_one_problem("input/profiles/acme/2020-01-01.json:1:57: error[E0006]");
    assert!(outcome.stderr.contains("U+0009"), "{}", outcome.stderr);
}

#[test]
fn integers_beyond_64_bits_are_read_exactly() {
    let revision = REVISION.replace(
        "    low: 350000\n    high: 400000\n",
        "    value: 12345678901234567890123\n",
    );
    let work = work_with(&revision);
    let outcome = work.run(&["build"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let figures = std::fs::read_to_string(work.path("output/csv/figures.csv")).expect("csv");
    assert!(figures.contains(",12345678901234567890123,"), "{figures}");
    // One digit too many for decimal128(38, 9): an error at the value, not a crash or a rounding.
    let revision = REVISION.replace(
        "    low: 350000\n    high: 400000\n",
        "    value: 123456789012345678901234567890\n",
    );
    work_with(&revision)
        .run(&["check"])
        .assert_one_problem(&format!("{FILE}:26:12: error[E0203]"));
}

#[test]
fn positions_on_one_long_line_are_exact() {
    // A minified JSON file: every position is on line 1, after multi-byte text.
    let filler: String = (0..2000).map(|i| format!("\"é{i}\", ")).collect();
    let revision = format!(
        "{{\"profile\": \"acme\", \"updated\": \"2020-01-01\", \"name\": \"Acme\", \"aliases\": [{filler}\"x\"], \"sources\": [{{\"id\": \"r\", \"title\": \"R\"}}], \"events\": [{{\"date\": \"2019-02-29\", \"description\": \"d\", \"sources\": [\"r\"]}}, {{\"date\": \"2019-13\", \"description\": \"d\", \"sources\": [\"r\"]}}]}}\n"
    );
    let column = |needle: &str| revision[..revision.find(needle).expect("needle")].chars().count() + 1;
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.json", revision.as_bytes()),
    ]);
    let outcome = work.run(&["check"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let expected = [
        format!(
            "input/profiles/acme/2020-01-01.json:1:{}: error[E0202]",
            column("\"2019-02-29\"")
        ),
        format!(
            "input/profiles/acme/2020-01-01.json:1:{}: error[E0202]",
            column("\"2019-13\"")
        ),
    ];
    let headlines = outcome.headlines();
    assert_eq!(headlines.len(), 2, "{}", outcome.stderr);
    for (headline, expected) in headlines.iter().zip(&expected) {
        assert!(headline.starts_with(expected.as_str()), "{headline} != {expected}");
    }
}

/// The XML of the sheet of `workbook` that contains `needle`.
fn sheet_with(workbook: &std::path::Path, needle: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(workbook).expect("workbook")).expect("a zip file");
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("entry");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8 XML");
        if file.name().expect("a UTF-8 name").starts_with("xl/worksheets/") && text.contains(needle) {
            return text;
        }
    }
    panic!("no sheet holds {needle}");
}

/// The text of the inline string cell of `sheet` that starts with `start`, unescaped.
fn cell_starting(sheet: &str, start: &str) -> String {
    let from = sheet.find(&format!(">{start}")).expect("the cell") + 1;
    let to = from + sheet[from..].find("</t>").expect("end of the cell");
    sheet[from..to]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn a_text_longer_than_a_workbook_cell_is_a_problem_at_its_place() {
    // 20,000 characters, but 40,000 UTF-16 code units: what a workbook cell's limit counts.
    let emoji = "😀".repeat(20_000);
    let revision = REVISION.replace("description: Pitch", &format!("description: {emoji}"));
    let work = work_with(&revision);
    let message = "has a text of 20000 characters, which take 40000 UTF-16 code units: more than the 32767 a \
                   workbook cell holds (an emoji takes two); shorten it";
    work.run(&["check"])
        .assert_one_problem(&format!("{FILE}:32:18: error[E0217]: {message}"));
    let outcome = work.run(&["build"]);
    outcome.assert_one_problem(&format!("{FILE}:32:18: error[E0217]"));
    assert!(!work.path("output").exists(), "nothing written");
}

#[test]
fn an_id_that_makes_ids_longer_than_a_cell_is_a_problem_at_its_place() {
    // Fits a cell on its own, but not as the claim's id `acme/2020-01-01/<id>`.
    let id = "a".repeat(32_760);
    let revision = REVISION.replace("    predicate: hosts", &format!("    id: {id}\n    predicate: hosts"));
    let work = work_with(&revision);
    work.run(&["check"]).assert_one_problem(&format!(
        "{FILE}:36:9: error[E0217]: is an id of 32760 characters, too long for the ids made from it \
         (`<profile>/<updated>/<id>`, and longer in the changes table) to fit the 32767 characters of a \
         workbook cell; an id of this profile has at most 32663"
    ));
    work.run(&["build"])
        .assert_one_problem(&format!("{FILE}:36:9: error[E0217]"));
    assert!(!work.path("output").exists(), "nothing written");
}

#[test]
fn a_list_of_emoji_is_cut_to_fit_a_cell_in_utf16_code_units() {
    // 3,000 items of 8 characters (12 UTF-16 code units), 15 units each in the JSON of the list: a
    // list of 33,001 characters and 45,001 units.
    let aliases: Vec<String> = (0..3000).map(|i| format!("{i:04}😀😀😀😀")).collect();
    let revision = REVISION.replace(
        "    kind: government_agency\n",
        &format!("    kind: government_agency\n    aliases: [{}]\n", aliases.join(", ")),
    );
    let work = work_with(&revision);
    let outcome = work.run(&["build", "--format", "xlsx"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let sheet = sheet_with(&work.path("output/xlsx/test.xlsx"), "[\"0000😀");
    let cell = cell_starting(&sheet, "[\"0000😀");
    let units = cell.encode_utf16().count();
    assert!(units <= 32_767, "{units} UTF-16 code units");
    let (json, note) = cell.split_at(cell.find(']').expect("the array") + 1);
    let kept: Vec<String> = serde_json::from_str(json).expect("the kept items are a JSON array");
    assert_eq!(kept, aliases[..kept.len()], "the first items, in order, whole");
    // The note takes 108 units: (32,767 - 108 - 2 + 1) / 15 items.
    assert_eq!(kept.len(), 2177);
    assert_eq!(
        note,
        " … and 823 more of 3000 (too many for a cell: the CSV, Parquet, JSON Lines and SQLite files hold every one)"
    );
}

#[test]
fn a_change_longer_than_a_cell_is_cut_to_fit_and_the_build_goes_on() {
    // The newer revision adds a list that fits a list's cell once cut, and whose change (the whole
    // list as JSON, 42,001 characters) is a text made of many curated values.
    let aliases: Vec<String> = (0..3000).map(|i| format!("alias-{i:05}")).collect();
    let older = REVISION.replace("updated: 2020-01-01", "updated: 2019-06-30");
    let newer = REVISION.replace(
        "name: Acme Corp\n",
        &format!("name: Acme Corp\naliases: [{}]\n", aliases.join(", ")),
    );
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2019-06-30.yaml", older.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", newer.as_bytes()),
    ]);
    let outcome = work.run(&["build", "--format", "xlsx,csv"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let whole = serde_json::to_string(&aliases).expect("JSON");
    let sheet = sheet_with(
        &work.path("output/xlsx/test.xlsx"),
        "acme/2019-06-30/2020-01-01/profile/acme/aliases",
    );
    let cell = cell_starting(&sheet, "[\"alias-00000");
    assert!(cell.encode_utf16().count() <= 32_767);
    let (kept, note) = cell.split_at(cell.find(" … and ").expect("the note"));
    assert!(whole.starts_with(kept), "the first characters, as they are");
    assert_eq!(
        note,
        format!(
            " … and {} more characters (too long for a cell: the CSV, Parquet and SQLite files hold the whole text)",
            whole.chars().count() - kept.chars().count()
        )
    );
    let csv = std::fs::read_to_string(work.path("output/csv/changes.csv")).expect("csv");
    assert!(
        csv.contains(&whole.replace('"', "\"\"")),
        "the CSV holds the whole text"
    );
}

#[test]
fn a_dataset_name_too_long_for_a_file_name_is_a_problem_at_its_place() {
    let name = "a".repeat(250);
    let dataset = DATASET.replace("name: test", &format!("name: {name}"));
    let work = Workdir::new(&[
        ("dataset.yaml", dataset.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", REVISION.as_bytes()),
    ]);
    let message = "is 250 bytes long, too long for the file names it gives: `sqlite/<name>.metadata.json` must \
                   fit the 255 bytes a file name holds, so a name has at most 241";
    work.run(&["check"])
        .assert_one_problem(&format!("input/dataset.yaml:1:7: error[E0218]: {message}"));
    work.run(&["build"])
        .assert_one_problem("input/dataset.yaml:1:7: error[E0218]");
    assert_eq!(
        crate::support::leftovers(work.dir.path(), &["input"]),
        Vec::<String>::new()
    );
}
