//! Data the input language forbids, each at its place: the year 0000, an end before its start,
//! `parent` and `replaces` cycles, and a profiled company renamed by an `organizations` entry.

use crate::support::{DATASET, REVISION, Workdir};

const FILE: &str = "input/profiles/acme/2020-01-01.yaml";

/// `check` reports exactly one problem starting with `expected`, and `build` the same, writing nothing.
#[track_caller]
fn assert_problem(revision: &str, expected: &str) {
    let work = Workdir::with_revision(revision);
    let checked = work.run(&["check"]);
    checked.assert_one_problem(expected);
    work.run(&["build"]).assert_one_problem(expected);
    assert!(!work.path("output").exists());
}

#[test]
fn the_year_0000_is_refused() {
    assert_problem(
        &REVISION.replace("date: 2018-22", "date: 0000-06"),
        &format!("{FILE}:30:11: error[E0202]: `0000-06` is in the year 0000"),
    );
}

#[test]
fn an_end_before_its_start_is_refused() {
    assert_problem(
        &REVISION.replace("    start: 2019-03\n", "    start: 2019-03\n    end: 2018\n"),
        &format!("{FILE}:22:10: error[E0204]: the end `2018` is before the start `2019-03`"),
    );
    assert_problem(
        &REVISION.replace(
            "    object: db\n",
            "    object: db\n    start: 2020-06\n    end: 2020-05-31\n",
        ),
        &format!("{FILE}:39:10: error[E0204]"),
    );
    // Partial dates that overlap are not out of order: the end may fall in the start's month.
    let work =
        Workdir::with_revision(&REVISION.replace("    start: 2019-03\n", "    start: 2019-03-15\n    end: 2019-03\n"));
    assert_eq!(work.run(&["check"]).code, 0);
}

#[test]
fn a_system_that_replaces_itself_is_refused() {
    assert_problem(
        &REVISION.replace("    operator: agency\n", "    operator: agency\n    replaces: db\n"),
        &format!("{FILE}:17:15: error[E0216]: `db` names itself as its own replaces"),
    );
}

#[test]
fn a_parent_cycle_across_profiles_is_refused_once() {
    let beta = "\
profile: beta
updated: 2020-01-01
name: Beta
sources:
  - {id: r, title: R}
organizations:
  - {id: agency, parent: ministry}
  - {id: ministry, name: Ministry, parent: agency}
";
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", REVISION.as_bytes()),
        ("profiles/beta/2020-01-01.yaml", beta.as_bytes()),
    ]);
    let outcome = work.run(&["check"]);
    outcome.assert_one_problem(
        "input/profiles/beta/2020-01-01.yaml:7:26: error[E0216]: `agency` leads back to itself through parent: agency -> ministry -> agency",
    );
}

#[test]
fn the_profiled_company_keeps_its_name_and_kind() {
    let entry = |fields: &str| {
        REVISION.replace(
            "organizations:\n",
            &format!("organizations:\n  - {{id: acme, {fields}}}\n"),
        )
    };
    assert_problem(
        &entry("name: Acme Incorporated"),
        &format!("{FILE}:9:22: error[E0212]: the profiled company's name is `Acme Corp`"),
    );
    assert_problem(
        &entry("kind: government_agency"),
        &format!("{FILE}:9:22: error[E0212]: the profiled company's kind is `company`"),
    );
    // Other fields, and the same name and kind, are welcome.
    let work = Workdir::with_revision(&entry("name: Acme Corp, kind: company, country: US"));
    let outcome = work.run(&["build"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let organizations = std::fs::read_to_string(work.path("output/csv/organizations.csv")).expect("csv");
    assert!(
        organizations
            .lines()
            .any(|line| line.starts_with("acme,Acme Corp,") && line.contains(",US,")),
        "{organizations}"
    );
}
