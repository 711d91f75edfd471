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
