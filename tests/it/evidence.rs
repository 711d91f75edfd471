//! The language of evidence: people, identifiers with their check digits, reseller chains and award
//! ids, findings of absence with their date, the time of a claim and the hash of a source; each bad
//! value at its place, and every new column in the tables.

use crate::support::{DATASET, REVISION, REVISION_PATH, Workdir, csv_rows, revision_with};

const FILE: &str = "input/profiles/acme/2020-01-01.yaml";

/// `check` reports exactly one problem starting with `expected`, and `build` the same, writing nothing.
#[track_caller]
fn assert_problem(revision: &str, expected: &str) {
    let work = Workdir::with_revision(revision);
    work.run(&["check"]).assert_one_problem(expected);
    work.run(&["build"]).assert_one_problem(expected);
    assert!(!work.path("output").exists());
}

/// The valid revision with the evidence language in use: a person quoted, identifiers, a reseller
/// with its provider and award ids, a finding of absence, a role and the time of claims.
fn evidence() -> String {
    REVISION
        .replace(
            "  - id: report\n    title: Report\n",
            "  - id: report\n    title: Report\n    sha256: 97f383a33c5506fc10a394d23370de46b32d859fadb7e5df47bd459cd6ea0265\n",
        )
        .replace(
            "    country: US\nsystems:",
            "    country: US\n    identifiers: {sec_cik: 1018724, lei: ZXTILKJKG63JELOEG630}\n  \
             - {id: reseller, name: Reseller, kind: company}\npeople:\n  \
             - {id: jane-doe, name: Jane Doe, description: Vice president, identifiers: {wikidata: Q3884}, sources: [report]}\nsystems:",
        )
        .replace(
            "    supplier: acme\n",
            "    supplier: reseller\n    provider: acme\n    award_ids: [HSCETC15F00001, 70CMSD18FR0000123]\n",
        )
        .replace(
            "    description: Pitch\n",
            "    description: Pitch\n    attributed_to: jane-doe\n    quote: \"we pitch\"\n    as_of: 2018-09\n",
        )
        .replace(
            "relations:\n",
            "  - {date: 2018-12, subject: agency, description: No contract found, status: not_found, as_of: 2018-12, sources: [report]}\n\
             relations:\n  - {subject: jane-doe, predicate: works_for, object: acme, role: vice president, as_of: 2018-08, sources: [report]}\n",
        )
}

#[test]
fn the_language_of_evidence_reaches_every_table() {
    let work = Workdir::with_revision(&evidence());
    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    let built = work.run(&["build", "--format", "csv"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let table = |name: &str| csv_rows(&work.path(&format!("output/csv/{name}.csv")));
    let people = table("people");
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["id"], "jane-doe");
    assert_eq!(people[0]["name"], "Jane Doe");
    assert_eq!(people[0]["description"], "Vice president");
    assert_eq!(people[0]["source_ids"], r#"["acme/2020-01-01/report"]"#);
    let person = table("entities")
        .into_iter()
        .find(|e| e["id"] == "jane-doe")
        .expect("an entity");
    assert_eq!(person["type"], "person");
    let identifiers: Vec<Vec<String>> = table("identifiers")
        .iter()
        .map(|r| {
            vec![
                r["entity_id"].clone(),
                r["scheme"].clone(),
                r["value"].clone(),
                r["url"].clone(),
            ]
        })
        .collect();
    assert_eq!(
        identifiers,
        [
            [
                "agency",
                "lei",
                "ZXTILKJKG63JELOEG630",
                "https://search.gleif.org/#/record/ZXTILKJKG63JELOEG630"
            ],
            [
                "agency",
                "sec_cik",
                "0001018724",
                "https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=0001018724"
            ],
            ["jane-doe", "wikidata", "Q3884", "https://www.wikidata.org/wiki/Q3884"],
        ]
    );
    let contract = &table("contracts")[0];
    assert_eq!(contract["supplier"], "reseller");
    assert_eq!(contract["provider"], "acme");
    assert_eq!(contract["award_ids"], r#"["HSCETC15F00001","70CMSD18FR0000123"]"#);
    let events = table("events");
    assert_eq!(events[0]["attributed_to"], "jane-doe");
    assert_eq!(
        (
            events[0]["as_of"].as_str(),
            events[0]["as_of_from"].as_str(),
            events[0]["as_of_to"].as_str()
        ),
        ("2018-09", "2018-09-01", "2018-09-30")
    );
    assert_eq!(events[1]["status"], "not_found");
    assert_eq!(events[1]["as_of"], "2018-12");
    let relation = &table("relations")[0];
    assert_eq!(
        (relation["subject"].as_str(), relation["role"].as_str()),
        ("jane-doe", "vice president")
    );
    assert_eq!(relation["as_of_to"], "2018-08-31");
    assert_eq!(
        table("sources")[0]["sha256"],
        "97f383a33c5506fc10a394d23370de46b32d859fadb7e5df47bd459cd6ea0265"
    );
}

#[test]
fn a_wrong_check_digit_is_an_error_at_the_value_saying_what_the_scheme_expects() {
    let revision = evidence().replace("lei: ZXTILKJKG63JELOEG630", "lei: ZXTILKJKG63JELOEG631");
    assert_problem(
        &revision,
        &format!(
            "{FILE}:14:42: error[E0219]: `ZXTILKJKG63JELOEG631` is not a valid LEI: its check digits are `31`, but the first 18 characters give `30` (ISO 17442, ISO 7064 mod 97-10)"
        ),
    );
}

#[test]
fn an_unknown_scheme_is_an_unknown_field_with_the_closest_one() {
    let revision = evidence().replace("{sec_cik: 1018724,", "{sec_ciq: 1018724,");
    assert_problem(
        &revision,
        &format!("{FILE}:14:19: error[E0100]: unknown field `sec_ciq`; did you mean `sec_cik`?"),
    );
}

#[test]
fn the_same_identifier_on_two_entities_names_both_places() {
    let revision = evidence().replace(
        "identifiers: {wikidata: Q3884}",
        "identifiers: {wikidata: Q3884, sec_cik: '0001018724'}",
    );
    let work = Workdir::with_revision(&revision);
    let outcome = work.run(&["check"]);
    outcome.assert_one_problem(&format!(
        "{FILE}:17:105: error[E0220]: `jane-doe` has the sec_cik identifier `0001018724`, which `agency` has too"
    ));
    assert!(
        outcome
            .stderr
            .contains(&format!("= note: `agency` has it here: {FILE}:14:28")),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_finding_of_absence_needs_its_date() {
    let revision = evidence().replace("status: not_found, as_of: 2018-12, ", "status: not_found, ");
    assert_problem(
        &revision,
        &format!("{FILE}:44:78: error[E0221]: a claim with the status `not_found` says as of when it was looked for"),
    );
}

#[test]
fn a_person_is_never_a_party_parent_operator_or_developer() {
    for (from, to, at) in [
        (
            "  - buyer: agency\n",
            "  - buyer: jane-doe\n",
            "23:12: error[E0211]: `jane-doe` is a person, but buyer must be an organization",
        ),
        (
            "    supplier: reseller\n",
            "    supplier: jane-doe\n",
            "24:15: error[E0211]",
        ),
        (
            "    provider: acme\n",
            "    provider: jane-doe\n",
            "25:15: error[E0211]",
        ),
        (
            "    operator: agency\n",
            "    operator: jane-doe\n",
            "21:15: error[E0211]",
        ),
        (
            "    operator: agency\n",
            "    operator: agency\n    developer: jane-doe\n",
            "22:16: error[E0211]",
        ),
        (
            "    kind: government_agency\n",
            "    kind: government_agency\n    parent: jane-doe\n",
            "13:13: error[E0211]: `jane-doe` is a person, but parent must be an organization",
        ),
    ] {
        let revision = evidence().replace(from, to);
        let work = Workdir::with_revision(&revision);
        work.run(&["check"]).assert_one_problem(&format!("{FILE}:{at}"));
    }
}

#[test]
fn award_ids_and_hashes_of_the_wrong_form_are_refused_at_their_place() {
    assert_problem(
        &evidence().replace("[HSCETC15F00001, 70CMSD", "[hscetc15f00001, 70CMSD"),
        &format!("{FILE}:26:17: error[E0101]: `hscetc15f00001` is not an award id as procurement records write them"),
    );
    assert_problem(
        &evidence().replace("sha256: 97f383a3", "sha256: 97F383A3"),
        &format!(
            "{FILE}:8:13: error[E0101]: `97F383A33c5506fc10a394d23370de46b32d859fadb7e5df47bd459cd6ea…` is not a SHA-256: 64 lower-case hex digits"
        ),
    );
}

#[test]
fn identifiers_and_people_merge_across_profiles() {
    // Another profile declares the same person with another identifier and the same one again.
    let beta = "\
profile: beta
updated: 2020-01-01
name: Beta
sources:
  - {id: r, title: R}
people:
  - {id: jane-doe, identifiers: {wikidata: Q3884, opencorporates: us_de/2956232}, sources: [r]}
";
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, evidence().as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    let built = work.run(&["build", "--format", "csv"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let rows = csv_rows(&work.path("output/csv/identifiers.csv"));
    let jane: Vec<&str> = rows
        .iter()
        .filter(|r| r["entity_id"] == "jane-doe")
        .map(|r| r["scheme"].as_str())
        .collect();
    assert_eq!(jane, ["wikidata", "opencorporates"]);
    let people = csv_rows(&work.path("output/csv/people.csv"));
    assert_eq!(
        people[0]["source_ids"],
        r#"["acme/2020-01-01/report","beta/2020-01-01/r"]"#
    );
    let _ = revision_with;
}

/// The archived text the `report` source of `archived()` was curated from: the quote's words with
/// other white space (a line break, two spaces), and typographic quotes.
const ARCHIVED: &str = "Heading\n\nAcme said: we\n  pitch to “every agency” we can.\n";

/// The hex SHA-256 of `bytes`.
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The evidence revision, its `report` source naming `text` by its SHA-256, and its one quote
/// replaced by `quote`; with a work folder holding it and `archive/report.txt` holding `text`.
fn archived(text: &[u8], quote: &str) -> Workdir {
    let revision = evidence()
        .replace(
            "97f383a33c5506fc10a394d23370de46b32d859fadb7e5df47bd459cd6ea0265",
            &sha256(text),
        )
        .replace("quote: \"we pitch\"", &format!("quote: '{quote}'"));
    let work = Workdir::with_revision(&revision);
    std::fs::create_dir(work.path("archive")).expect("archive folder");
    std::fs::write(work.path("archive/report.txt"), text).expect("archived text");
    work
}

/// `line:column` of the first `needle` in the revision file of `work`.
fn place(work: &Workdir, needle: &str) -> String {
    let text = std::fs::read_to_string(work.path(FILE)).expect("revision");
    let (line, before) = text
        .lines()
        .enumerate()
        .find_map(|(n, line)| line.find(needle).map(|at| (n + 1, &line[..at])))
        .expect("needle");
    format!("{line}:{}", before.chars().count() + 1)
}

#[test]
fn a_quote_in_its_archived_source_passes_white_space_forgiven() {
    let work = archived(ARCHIVED.as_bytes(), "we pitch to “every agency”");
    let checked = work.run(&["check", "--archive", "archive"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    let built = work.run(&["build", "--archive", "archive", "--format", "csv"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let sources = std::fs::read_to_string(work.path("output/csv/sources.csv")).expect("sources");
    assert!(sources.contains(&sha256(ARCHIVED.as_bytes())), "{sources}");
}

#[test]
fn a_quote_that_differs_by_one_word_is_an_error_at_the_quote_showing_the_passage() {
    // Straight quotes where the source has typographic ones: not the source's words.
    let work = archived(ARCHIVED.as_bytes(), "we pitch to \"every agency\"");
    let at = place(&work, "quote:");
    let column: usize = at.split(':').nth(1).and_then(|c| c.parse().ok()).expect("column");
    let expected = format!(
        "{FILE}:{}:{}: error[E0223]",
        at.split(':').next().expect("line"),
        column + 7
    );
    for command in ["check", "build"] {
        let outcome = work.run(&[command, "--archive", "archive"]);
        outcome.assert_one_problem(&expected);
        assert!(
            outcome.stderr.contains(
                "the quote is not in the archived text of `report` (archive/report.txt): the quote has `\"every` where the text has `“every`"
            ),
            "{}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("archive/report.txt:3:12"),
            "the passage's place: {}",
            outcome.stderr
        );
    }
    assert!(!work.path("output").exists());
}

#[test]
fn a_quote_that_begins_or_ends_inside_a_word_of_the_source_is_an_error() {
    // `itch to` is in `pitch to`, and `every agen` in `every agency`: as characters, not as words.
    for (quote, difference) in [
        (
            "itch to “every agency”",
            "the quote has `itch` where the text has `pitch`",
        ),
        (
            "we pitch to “every agen",
            "the quote has `agen` after `“every`, which the text does not have",
        ),
    ] {
        let work = archived(ARCHIVED.as_bytes(), quote);
        for command in ["check", "build"] {
            let outcome = work.run(&[command, "--archive", "archive"]);
            let line = place(&work, "quote:");
            outcome.assert_one_problem(&format!("{FILE}:{}:", line.split(':').next().expect("line")));
            assert!(outcome.stderr.contains("error[E0223]"), "{}", outcome.stderr);
            assert!(outcome.stderr.contains(difference), "{quote}: {}", outcome.stderr);
        }
        assert!(!work.path("output").exists());
    }
    // After punctuation and before it, a quote is on word bounds.
    let work = archived(ARCHIVED.as_bytes(), "every agency");
    let checked = work.run(&["check", "--archive", "archive"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
}

#[test]
fn a_quote_of_white_space_only_is_an_error_at_the_quote_archive_or_not() {
    // A tab, and the next-line character (U+0085) with an em space: white space to Unicode.
    for quote in [" \t ", "\u{85}\u{2003}"] {
        let work = archived(ARCHIVED.as_bytes(), quote);
        let at = place(&work, "quote:");
        let (line, column) = at.split_once(':').expect("line:column");
        let column: usize = column.parse().expect("column");
        let expected = format!("{FILE}:{line}:{}: error[E0101]: `", column + 7);
        for arguments in [&["check"][..], &["build"], &["check", "--archive", "archive"]] {
            let outcome = work.run(arguments);
            outcome.assert_one_problem(&expected);
            assert!(
                outcome
                    .stderr
                    .contains("is white space only: a quote is words of its source"),
                "{quote:?}: {}",
                outcome.stderr
            );
        }
        assert!(!work.path("output").exists());
    }
}

#[test]
fn a_quote_not_in_the_source_at_all_is_an_error() {
    let work = archived(ARCHIVED.as_bytes(), "nothing like this was ever said");
    let outcome = work.run(&["check", "--archive", "archive"]);
    let line = place(&work, "quote:");
    outcome.assert_one_problem(&format!("{FILE}:{}:", line.split(':').next().expect("line")));
    assert!(outcome.stderr.contains("error[E0223]"), "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("no passage of the text has even half of the quote's 6 words"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_sha256_that_no_archived_file_has_is_an_error_at_the_sha256() {
    let work = archived(ARCHIVED.as_bytes(), "we pitch");
    std::fs::write(work.path("archive/report.txt"), "another text").expect("write");
    let expected = format!("{FILE}:{}: error[E0222]", place(&work, &sha256(ARCHIVED.as_bytes())));
    work.run(&["check", "--archive", "archive"])
        .assert_one_problem(&expected);
    work.run(&["build", "--archive", "archive"])
        .assert_one_problem(&expected);
    assert!(!work.path("output").exists());
    // Without --archive the hash is checked for its form only.
    assert_eq!(work.run(&["check"]).code, 0);
}

#[test]
fn an_archived_file_that_is_not_utf8_is_an_error_at_the_sha256() {
    let bytes = b"we pitch \xff\xfe";
    let work = archived(bytes, "we pitch");
    let expected = format!("{FILE}:{}: error[E0222]", place(&work, &sha256(bytes)));
    let outcome = work.run(&["check", "--archive", "archive"]);
    outcome.assert_one_problem(&expected);
    assert!(
        outcome.stderr.contains("is not UTF-8 text (byte 9 is not)"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn the_archive_follows_no_link_out_and_prints_nothing_of_a_file_it_refused() {
    let work = archived(ARCHIVED.as_bytes(), "we pitch");
    let outside = work.path("secret.txt");
    std::fs::write(&outside, "SECRET-BYTES").expect("write");
    std::os::unix::fs::symlink(&outside, work.path("archive/leak.txt")).expect("link");
    let outcome = work.run(&["check", "--archive", "archive"]);
    outcome.assert_one_problem("archive/leak.txt:1:1: error[E0005]");
    assert!(
        outcome.stderr.contains("outside the archive folder"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("SECRET"), "{}", outcome.stderr);
}

#[test]
fn an_archive_folder_that_cannot_be_read_is_a_usage_error() {
    let work = archived(ARCHIVED.as_bytes(), "we pitch");
    let outcome = work.run(&["check", "--archive", "no-such-folder"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .stderr
            .contains("error: the archive folder no-such-folder cannot be read"),
        "{}",
        outcome.stderr
    );
}
