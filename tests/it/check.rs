//! `profile-export check`: one test per kind of bad input, each asserting the exit code, the error
//! code and the exact `file:line:column`.

use crate::support::{DATASET, REVISION, REVISION_PATH, Workdir, revision_with};

const FILE: &str = "input/profiles/acme/2020-01-01.yaml";

/// Runs `check`, then `build` on the same input: both must find the same problems, and a build of
/// bad input must write nothing at all.
fn check(work: &Workdir) -> crate::support::Outcome {
    let checked = work.run(&["check"]);
    let built = work.run(&["build"]);
    assert_eq!(built.code, checked.code, "build and check disagree:\n{}", built.stderr);
    if checked.code != 0 {
        assert_eq!(
            built.headlines(),
            checked.headlines(),
            "build and check report different problems"
        );
        // `outside.yaml` is the target that the symbolic-link test puts beside the input.
        let written = crate::support::leftovers(work.dir.path(), &["input", "outside.yaml"]);
        assert_eq!(written, Vec::<String>::new(), "a build of bad input wrote something");
    }
    checked
}

fn expect(revision: &str, location_and_code: &str) {
    let work = Workdir::with_revision(revision);
    check(&work).assert_one_problem(&format!("{FILE}:{location_and_code}"));
}

#[test]
fn valid_input_checks_clean() {
    let outcome = check(&Workdir::with_revision(REVISION));
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(outcome.headlines().is_empty());
}

#[test]
fn norway_stays_a_country() {
    let outcome = check(&Workdir::with_revision(&revision_with(12, "    country: NO")));
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

#[test]
fn date_that_does_not_exist() {
    expect(
        &revision_with(21, "    start: 2019-02-29"),
        "21:12: error[E0202]: `2019-02-29` is not a date of the calendar",
    );
}

#[test]
fn malformed_date() {
    expect(
        &revision_with(21, "    start: March 2019"),
        "21:12: error[E0202]: `March 2019` is not a date",
    );
}

#[test]
fn amount_that_is_not_exact_in_the_dataset() {
    expect(
        &revision_with(20, "    amount: {value: 0.0000000001, currency: USD}"),
        "20:21: error[E0203]: `0.0000000001` has more than 9 digits",
    );
}

#[test]
fn amount_that_is_not_an_amount() {
    expect(
        &revision_with(20, "    amount: {value: 9.1 milion, currency: USD}"),
        "20:21: error[E0203]: `9.1 milion` is not an amount",
    );
}

#[test]
fn range_upside_down() {
    expect(
        &revision_with(26, "    low: 500000"),
        "26:10: error[E0204]: low 500000 is above high 400000",
    );
}

#[test]
fn range_with_a_qualifier() {
    expect(
        &revision_with(27, "    qualifier: about"),
        "27:16: error[E0205]: a range (low/high) takes no qualifier",
    );
}

#[test]
fn value_and_range_together() {
    expect(
        &revision_with(26, "    value: 350000"),
        "26:12: error[E0205]: has both a value and a range",
    );
}

#[test]
fn unknown_currency() {
    expect(
        &revision_with(20, "    amount: {value: 9.1 million, currency: EUX}"),
        "20:44: error[E0206]: `EUX` is not an ISO 4217",
    );
}

#[test]
fn an_amount_in_dollars_without_its_currency() {
    expect(
        &revision_with(20, "    amount: {value: \"$9.1 million\"}"),
        "20:21: error[E0206]: `$9.1 million` is written with `$`, which does not say which currency",
    );
}

#[test]
fn an_amount_in_dollars_with_a_currency_that_is_no_dollar() {
    expect(
        &revision_with(20, "    amount: {value: \"$5\", currency: EUR}"),
        "20:37: error[E0206]: is `EUR`, but the amount `$5` is written with `$`",
    );
    expect(&revision_with(26, "    low: \"-$1\""), "26:10: error[E0206]");
}

#[test]
fn an_amount_in_dollars_with_its_currency_is_exact() {
    for currency in ["USD", "CAD", "MXN", "HKD"] {
        let work = Workdir::with_revision(&revision_with(
            20,
            &format!("    amount: {{value: \"$9.1 million\", currency: {currency}}}"),
        ));
        let outcome = check(&work);
        assert_eq!(outcome.code, 0, "{currency}: {}", outcome.stderr);
    }
}

#[test]
fn unknown_country() {
    expect(
        &revision_with(12, "    country: XX"),
        "12:14: error[E0207]: `XX` is not an ISO 3166-1",
    );
}

#[test]
fn source_id_twice() {
    expect(
        &revision_with(7, "    title: Report\n  - {id: report, title: Again}"),
        "8:10: error[E0208]: the source id `report` is used twice",
    );
}

#[test]
fn claim_cites_an_unknown_source() {
    expect(
        &revision_with(22, "    sources: [reprt]"),
        "22:15: error[E0209]: cites the source `reprt`",
    );
}

#[test]
fn entity_declared_twice_in_one_file() {
    expect(
        &revision_with(16, "    operator: agency\n  - {id: db, name: Again}"),
        "17:10: error[E0210]: `db` is declared twice",
    );
}

#[test]
fn reference_that_does_not_resolve() {
    expect(
        &revision_with(19, "    supplier: acmex"),
        "19:15: error[E0211]: `acmex` is not declared",
    );
}

#[test]
fn reference_to_the_wrong_type_of_entity() {
    expect(
        &revision_with(19, "    supplier: db"),
        "19:15: error[E0211]: `db` is a system, but supplier must be an organization",
    );
}

#[test]
fn contract_without_buyer_or_supplier() {
    let revision = revision_with(18, "  - description: hosting").replace("    supplier: acme\n", "    end: 2020\n");
    expect(&revision, "18:5: error[E0215]: a contract names a buyer or a supplier");
}

#[test]
fn two_claims_with_one_key() {
    let revision = revision_with(
        38,
        "    sources: [report]\n  - {subject: acme, predicate: hosts, object: db, sources: [report]}",
    );
    expect(
        &revision,
        "39:5: error[E0214]: this relation has the same key `relation:",
    );
}

#[test]
fn unknown_field_is_reported_at_its_key() {
    expect(
        &revision_with(11, "    knd: government_agency"),
        "11:5: error[E0100]: unknown field `knd`",
    );
}

#[test]
fn misspelled_field_inside_a_claim() {
    let outcome = check(&Workdir::with_revision(&revision_with(32, "    descripton: Pitch")));
    assert_eq!(outcome.code, 1);
    assert_eq!(
        outcome.headlines(),
        [
            format!("{FILE}:30:5: error[E0101]: an event needs the field `description`"),
            format!("{FILE}:32:5: error[E0100]: unknown field `descripton`; did you mean `description`?"),
        ]
    );
}

#[test]
fn wrong_type() {
    expect(
        &revision_with(3, "name: [Acme]"),
        "3:7: error[E0101]: `name` must be text, not a list",
    );
}

#[test]
fn empty_text() {
    // An empty string would read back as a missing value from CSV: say nothing instead.
    expect(
        &revision_with(10, "    name: \"\""),
        "10:11: error[E0101]: `name` is empty: write the text, or leave the field out",
    );
}

#[test]
fn field_written_twice() {
    expect(
        &revision_with(3, "name: Acme\nname: Again"),
        "4:1: error[E0009]: the field `name` is written twice",
    );
}

#[test]
fn malformed_yaml() {
    expect(
        &revision_with(3, "name: [Acme"),
        "4:13: error[E0006]: is not valid YAML",
    );
}

#[test]
fn path_that_disagrees_with_the_content() {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-02.yaml", REVISION.as_bytes()),
    ]);
    check(&work).assert_one_problem("input/profiles/acme/2020-01-02.yaml:1:10: error[E0200]");
}

#[test]
fn revision_in_two_files() {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, REVISION.as_bytes()),
        ("profiles/acme/2020-01-01.yml", REVISION.as_bytes()),
    ]);
    let outcome = check(&work);
    outcome.assert_one_problem("input/profiles/acme/2020-01-01.yml:1:1: error[E0201]");
    assert!(
        outcome.stderr.contains(&format!("note: the other file: {FILE}:1:1")),
        "{}",
        outcome.stderr
    );
}

const BETA: &str = "profile: beta\nupdated: 2020-01-01\nname: Beta\nsources:\n  - {id: s, title: S}\norganizations:\n";

#[test]
fn profiles_that_disagree_name_both_places() {
    let beta = format!("{BETA}  - {{id: agency, name: Other Agency}}\n");
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, REVISION.as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    let outcome = check(&work);
    outcome.assert_one_problem("input/profiles/beta/2020-01-01.yaml:7:5: error[E0212]: `agency` has name \"Other Agency\" here, but another profile gives it name \"Agency\"");
    assert!(
        outcome.stderr.contains(&format!("note: the other value: {FILE}:9:5")),
        "{}",
        outcome.stderr
    );
}

#[test]
fn profiles_that_disagree_in_ways_that_look_alike_name_the_code_points() {
    // `Café` composed (U+00E9) in one profile and decomposed (`e` and U+0301) in the other.
    let beta = format!("{BETA}  - {{id: agency, name: Cafe\u{301}}}\n");
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, revision_with(10, "    name: Caf\u{e9}").as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    let outcome = check(&work);
    let expected = "input/profiles/beta/2020-01-01.yaml:7:5: error[E0212]: `agency` has name \"Cafe\u{301}\" here, but another profile gives it name \"Caf\u{e9}\"; they look alike but are written differently: U+0065 U+0301 here against U+00E9 there";
    outcome.assert_one_problem(expected);
    assert_eq!(outcome.headlines(), [expected]);
}

#[test]
fn newer_revision_of_one_profile_replaces_a_value() {
    let newer = REVISION
        .replace("2020-01-01", "2021-01-01")
        .replace("    name: Agency", "    name: Renamed Agency");
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, REVISION.as_bytes()),
        ("profiles/acme/2021-01-01.yaml", newer.as_bytes()),
    ]);
    let outcome = check(&work);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

#[test]
fn entity_without_a_name() {
    let beta = format!("{BETA}  - {{id: ghost}}\n");
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    check(&work).assert_one_problem("input/profiles/beta/2020-01-01.yaml:7:5: error[E0213]: `ghost` has no name");
}

#[test]
fn json_and_toml_revisions_check_clean() {
    let json = r#"{"profile": "beta", "updated": "2020-01-01", "name": "Beta", "sources": [{"id": "s", "title": "S"}],
  "figures": [{"subject": "beta", "metric": "revenue", "value": 12345678901234567.89, "currency": "USD", "period": 2019, "sources": ["s"]}]}"#;
    let toml = "profile = \"gamma\"\nupdated = 2020-01-01\nname = \"Gamma\"\n[[sources]]\nid = \"s\"\ntitle = \"S\"\npublished = 2019-12\n";
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.json", json.as_bytes()),
        (
            "profiles/gamma/2020-01-01.toml",
            toml.replace("2019-12", "\"2019-12\"").as_bytes(),
        ),
    ]);
    let outcome = check(&work);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

#[test]
fn malformed_json() {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.json", b"{\n  \"profile\": \"beta\",\n}\n"),
    ]);
    check(&work).assert_one_problem(
        "input/profiles/beta/2020-01-01.json:2:20: error[E0006]: is not valid JSON: Trailing commas are not allowed",
    );
}

#[test]
fn json_problems_have_positions_too() {
    let json = "{\n  \"profile\": \"beta\",\n  \"updated\": \"2020-01-01\",\n  \"name\": \"Beta\",\n  \"sources\": [{\"id\": \"s\", \"title\": \"S\"}],\n  \"events\": [{\"date\": \"2020-02-30\", \"description\": \"x\", \"sources\": [\"s\"]}]\n}\n";
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.json", json.as_bytes()),
    ]);
    check(&work).assert_one_problem("input/profiles/beta/2020-01-01.json:6:23: error[E0202]");
}

#[test]
fn malformed_toml() {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.toml", b"profile = \"beta\"\nupdated = \n"),
    ]);
    check(&work).assert_one_problem("input/profiles/beta/2020-01-01.toml:2:");
    assert!(check(&work).stderr.contains("error[E0006]: is not valid TOML"));
}

#[test]
fn toml_problems_have_positions_too() {
    let toml = "profile = \"beta\"\nupdated = 2020-01-01\nname = \"Beta\"\n[[sources]]\nid = \"s\"\ntitle = \"S\"\ncolour = \"red\"\n";
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.toml", toml.as_bytes()),
    ]);
    check(&work).assert_one_problem("input/profiles/beta/2020-01-01.toml:7:1: error[E0100]: unknown field `colour`");
}

#[test]
fn file_over_the_size_limit() {
    let work = Workdir::with_revision(REVISION);
    work.run(&["check", "--max-file-size", "200"])
        .assert_one_problem(&format!("{FILE}:1:1: error[E0003]: is {} bytes", REVISION.len()));
}

#[test]
fn yaml_alias_bomb() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let items = vec![format!("*a{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    let work = Workdir::with_revision(&bomb);
    let outcome = check(&work);
    // The budget of a million values, the copy each anchor keeps counted too, runs out at the sixth
    // level's sixth alias.
    outcome.assert_one_problem(&format!("{FILE}:6:35:"));
    assert!(
        outcome
            .stderr
            .contains("error[E0008]: expands to more than 1000000 values"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn nesting_too_deep() {
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.json", deep.as_bytes()),
    ]);
    check(&work)
        .assert_one_problem("input/profiles/beta/2020-01-01.json:1:66: error[E0007]: nests deeper than 64 levels");
}

#[test]
fn not_utf8() {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, b"profile: acme\nname: Caf\xe9\n"),
    ]);
    check(&work).assert_one_problem(&format!("{FILE}:2:10: error[E0004]: is not UTF-8: byte 0xE9"));
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_input_folder() {
    let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes())]);
    std::fs::write(work.path("outside.yaml"), REVISION).expect("write");
    std::fs::create_dir_all(work.path("input/profiles/acme")).expect("folder");
    std::os::unix::fs::symlink(work.path("outside.yaml"), work.path(&format!("input/{REVISION_PATH}"))).expect("link");
    check(&work).assert_one_problem(&format!("{FILE}:1:1: error[E0005]: leads through a symbolic link to"));
}

#[test]
fn file_of_an_unknown_format() {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, REVISION.as_bytes()),
        ("profiles/acme/notes.txt", b"hello"),
    ]);
    check(&work).assert_one_problem("input/profiles/acme/notes.txt:1:1: error[E0002]");
}

#[test]
fn missing_dataset_description() {
    let work = Workdir::new(&[(REVISION_PATH, REVISION.as_bytes())]);
    check(&work).assert_one_problem("input/dataset.yaml:1:1: error[E0010]");
}

#[test]
fn missing_input_folder_is_a_usage_error() {
    let work = Workdir::new(&[]);
    assert_eq!(work.run(&["check", "--input", "nowhere"]).code, 2);
}

#[test]
fn every_problem_is_reported_sorted_by_file_and_position() {
    let bad = revision_with(21, "    start: 2019-02-29").replace("    supplier: acme", "    supplier: acmex");
    let beta = format!("{BETA}  - {{id: ghost}}\n");
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, bad.as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    let outcome = check(&work);
    assert_eq!(outcome.code, 1);
    let places: Vec<&str> = outcome
        .headlines()
        .iter()
        .map(|line| line.split(": error").next().unwrap_or_default())
        .collect();
    assert_eq!(
        places,
        [
            format!("{FILE}:19:15"),
            format!("{FILE}:21:12"),
            "input/profiles/beta/2020-01-01.yaml:7:5".to_owned()
        ]
    );
    assert!(
        outcome.stderr.ends_with("error: 3 problems found in 2 files\n"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn diagnostics_show_the_pointer_and_the_source_line() {
    let work = Workdir::with_revision(&revision_with(21, "    start: 2019-02-29"));
    let outcome = check(&work);
    let expected = "\
input/profiles/acme/2020-01-01.yaml:21:12: error[E0202]: `2019-02-29` is not a date of the calendar
   |
21 |     start: 2019-02-29
   |            ^ at /contracts/0/start
";
    assert!(outcome.stderr.starts_with(expected), "{}", outcome.stderr);
}

#[test]
fn id_that_is_not_a_slug() {
    expect(
        &revision_with(1, "profile: Acme"),
        "1:10: error[E0101]: `Acme` is not an id: lowercase letters and digits",
    );
}

#[test]
fn nesting_deep_enough_to_overflow_a_parser_is_refused_by_it() {
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.json", deep.as_bytes()),
    ]);
    check(&work).assert_one_problem(
        "input/profiles/beta/2020-01-01.json:1:513: error[E0006]: is not valid JSON: Maximum nesting depth exceeded",
    );
}

#[test]
fn number_written_too_long() {
    expect(
        &revision_with(26, &format!("    low: {}", "1".repeat(70))),
        "26:10: error[E0011]: has a number of 70 characters; the limit is 64",
    );
}

#[test]
fn text_over_the_length_limit() {
    let work = Workdir::with_revision(&revision_with(3, "name: Acme Corporation of Springfield"));
    for command in ["check", "build"] {
        let outcome = work.run(&[command, "--max-text-length", "20"]);
        outcome.assert_one_problem(&format!(
            "{FILE}:3:7: error[E0011]: has a text of 31 characters; the limit is 20"
        ));
    }
    assert!(!work.path("output").exists());
}

#[test]
fn parse_only_parses_every_file_and_checks_nothing() {
    // A rule problem (a date that does not exist) is not the floor's business; a syntax error is.
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, revision_with(2, "updated: 2020-02-30").as_bytes()),
        ("profiles/beta/2020-01-01.json", b"{\n  \"profile\": \"beta\",\n}\n"),
    ]);
    let outcome = work.run(&["check", "--parse-only", "--quiet"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("parsed 1 of 2 files"), "{}", outcome.stderr);
    assert_eq!(check(&work).code, 1, "the real check finds both problems");
}

#[test]
fn a_file_that_fails_the_schema_still_gets_the_data_rules() {
    let revision =
        revision_with(21, "    start: 2019-02-29").replace("    kind: government_agency", "    knd: government_agency");
    let outcome = check(&Workdir::with_revision(&revision));
    assert_eq!(
        outcome.headlines(),
        [
            format!("{FILE}:11:5: error[E0100]: unknown field `knd`; did you mean `kind`?"),
            format!("{FILE}:21:12: error[E0202]: `2019-02-29` is not a date of the calendar"),
        ],
        "{}",
        outcome.stderr
    );
}

#[test]
fn declarations_in_a_file_that_fails_the_schema_still_count() {
    let broken = REVISION.replace("    kind: government_agency", "    knd: government_agency");
    let beta = format!("{BETA}  - {{id: beta-police, name: Beta Police, parent: agency}}\n");
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, broken.as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    check(&work).assert_one_problem(&format!("{FILE}:11:5: error[E0100]"));
}

#[test]
fn rules_behind_a_broken_list_item_point_at_their_own_line() {
    // The first event lacks its description and is set aside; the second keeps its place.
    let revision = REVISION.replace("    description: Pitch\n", "").replace(
        "relations:\n",
        "  - date: 2019-02-29\n    subject: acme\n    description: Second\n    sources: [report]\nrelations:\n",
    );
    let outcome = check(&Workdir::with_revision(&revision));
    assert_eq!(
        outcome.headlines(),
        [
            format!("{FILE}:30:5: error[E0101]: an event needs the field `description`"),
            format!("{FILE}:33:11: error[E0202]: `2019-02-29` is not a date of the calendar"),
        ],
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("^ at /events/1/date"), "{}", outcome.stderr);
}

#[test]
fn every_date_and_amount_that_does_not_parse_is_reported_at_its_place_at_once() {
    // Dates and amounts are parsed as a revision is read: one that does not parse must not hide the
    // others, and a figure's amount (written among the figure's own fields) is found at its field.
    let revision = revision_with(21, "    start: 2019-02-29")
        .replace("    low: 350000", "    low: 35O000")
        .replace("  - date: 2018-22", "  - date: 2018-25");
    let outcome = check(&Workdir::with_revision(&revision));
    assert_eq!(
        outcome.headlines(),
        [
            format!("{FILE}:21:12: error[E0202]: `2019-02-29` is not a date of the calendar"),
            format!(
                "{FILE}:26:10: error[E0203]: `35O000` is not an amount: expected a number such as `566000`, `566,000`, `9.1 million` or `$177.9 billion`"
            ),
            format!("{FILE}:30:11: error[E0202]: `2018-25` is not a date of the calendar"),
        ],
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("^ at /figures/0/low"), "{}", outcome.stderr);
}

#[test]
fn only_http_and_https_addresses_are_accepted() {
    for address in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
    ] {
        expect(
            &revision_with(7, &format!("    title: Report\n    url: '{address}'")),
            &format!(
                "8:10: error[E0101]: `{address}` is not a web address: only http and https addresses are allowed, e.g. `https://example.org/page`"
            ),
        );
        let work = Workdir::new(&[
            (
                "dataset.yaml",
                format!("{DATASET}homepage: '{address}'\nsources:\n  - {{title: Data, url: '{address}'}}\n").as_bytes(),
            ),
            (REVISION_PATH, REVISION.as_bytes()),
        ]);
        let outcome = check(&work);
        assert_eq!(outcome.code, 1, "{}", outcome.stderr);
        let message = format!(
            "error[E0101]: `{address}` is not a web address: only http and https addresses are allowed, e.g. `https://example.org/page`"
        );
        assert_eq!(
            outcome.headlines(),
            [
                format!("input/dataset.yaml:5:11: {message}"),
                format!("input/dataset.yaml:7:24: {message}"),
            ],
            "{}",
            outcome.stderr
        );
    }
    for address in [
        "HTTPS://example.org",
        "http://example.org",
        "hTTps://example.org/a?b=c#d",
    ] {
        let work = Workdir::new(&[
            (
                "dataset.yaml",
                format!("{DATASET}homepage: '{address}'\nsources:\n  - {{title: Data, url: '{address}'}}\n").as_bytes(),
            ),
            (
                REVISION_PATH,
                revision_with(7, &format!("    title: Report\n    url: '{address}'")).as_bytes(),
            ),
        ]);
        let outcome = check(&work);
        assert_eq!(outcome.code, 0, "{address}: {}", outcome.stderr);
    }
}

#[test]
fn an_address_that_is_not_a_uri_gets_one_message() {
    expect(
        &revision_with(7, "    title: Report\n    url: 'https://exa mple.org'"),
        "8:10: error[E0101]: `https://exa mple.org` is not a web address: write it whole, e.g. `https://example.org/page`",
    );
}
