//! Publication gates (`assertions` in `dataset.yaml`): `check` and `build` judge them on the checked
//! dataset; a gate that fails, or one that is not a gate, is a problem at its place in
//! `dataset.yaml` with exit code 1, and `build` then writes nothing.

use crate::support::{DATASET, REVISION, REVISION_PATH, Workdir, leftovers, tree};
use std::path::Path;

/// The valid input, its `dataset.yaml` ending with `assertions` (lines 5 and on).
fn with_assertions(assertions: &str) -> Workdir {
    with_revision_and_assertions(REVISION, assertions)
}

fn with_revision_and_assertions(revision: &str, assertions: &str) -> Workdir {
    let dataset = format!("{DATASET}assertions:\n{assertions}");
    Workdir::new(&[
        ("dataset.yaml", dataset.as_bytes()),
        (REVISION_PATH, revision.as_bytes()),
    ])
}

/// Runs `check`, then `build` into the folder `output` (which may hold the dataset of an earlier
/// build): both must fail with exit code 1 and the same problems (whose headlines are returned),
/// and the earlier dataset, if any, must be left as it was, with nothing beside it.
fn refused(work: &Workdir) -> Vec<String> {
    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 1, "check: {}", checked.stderr);
    let output = work.path("output");
    let tree = |path: &Path| path.exists().then(|| tree(path));
    let before = tree(&output);
    let built = work.run(&["build"]);
    assert_eq!(built.code, 1, "build: {}", built.stderr);
    assert_eq!(built.headlines(), checked.headlines(), "build and check disagree");
    assert!(
        built.stderr.contains("error: nothing was written; output is unchanged"),
        "{}",
        built.stderr
    );
    assert_eq!(tree(&output), before, "the earlier dataset changed");
    let expected: &[&str] = if before.is_some() {
        &["input", "output"]
    } else {
        &["input"]
    };
    assert_eq!(leftovers(work.dir.path(), expected), Vec::<String>::new());
    checked.headlines().iter().map(|line| line.to_string()).collect()
}

/// Builds the valid input once without gates, so that `output` holds a dataset to keep.
fn built_before(work: &Workdir) {
    let dataset = std::fs::read(work.path("input/dataset.yaml")).expect("dataset.yaml");
    work.write("dataset.yaml", DATASET.as_bytes());
    assert_eq!(work.run(&["build"]).code, 0);
    work.write("dataset.yaml", &dataset);
}

#[test]
fn a_gate_that_fails_stops_check_and_build_at_its_line() {
    let work = with_assertions("  - table: contracts\n    min_rows: 5\n");
    built_before(&work);
    assert_eq!(
        refused(&work),
        ["input/dataset.yaml:7:15: error[E0230]: contracts has 1 row; at least 5 are required"]
    );
    let shown = work.run(&["check"]).stderr;
    assert!(
        shown.contains("7 |     min_rows: 5\n  |               ^ at /assertions/0/min_rows"),
        "{shown}"
    );
}

#[test]
fn a_maximum_fails_at_its_own_bound() {
    let work = with_assertions("  - {table: systems, max_rows: 0}\n");
    built_before(&work);
    assert_eq!(
        refused(&work),
        ["input/dataset.yaml:6:32: error[E0230]: systems has 1 row; none are allowed"]
    );
}

#[test]
fn gates_that_pass_let_check_and_build_through() {
    let work = with_assertions(
        "  - {table: profiles, min_rows: 1, max_rows: 1}\n  - {table: contracts, column: value, min_filled: 1}\n  \
         - {table: profiles, column: aliases, min_filled: 0}\n",
    );
    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert_eq!(
        checked.stderr, "checked 1 revisions of 1 profiles: no problems\n",
        "as without gates"
    );
    let built = work.run(&["build"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert!(work.path("output/csv/contracts.csv").is_file());
}

/// The valid revision with two more contracts, neither with an amount: `contracts.value` is
/// filled in 1 of 3 rows.
fn three_contracts() -> String {
    REVISION.replace(
        "figures:\n",
        "  - {buyer: agency, supplier: acme, description: Hosting, sources: [report]}\n  \
         - {buyer: agency, supplier: acme, description: Support, sources: [report]}\nfigures:\n",
    )
}

#[test]
fn a_share_of_filled_values_is_stated_exactly() {
    let work = with_revision_and_assertions(
        &three_contracts(),
        "  - {table: contracts, column: value, min_filled: 0.5}\n",
    );
    built_before(&work);
    assert_eq!(
        refused(&work),
        [
            "input/dataset.yaml:6:51: error[E0230]: contracts.value is filled in 1 of 3 rows (over 33.3%); at least \
             50% are required"
        ]
    );
    // Exact, not through a float: 1 of 3 is at least 0.333333333, and short of 0.333333334.
    let passing = with_revision_and_assertions(
        &three_contracts(),
        "  - {table: contracts, column: value, min_filled: 0.333333333}\n",
    );
    assert_eq!(passing.run(&["check"]).code, 0);
    let failing = with_revision_and_assertions(
        &three_contracts(),
        "  - {table: contracts, column: value, min_filled: 0.333333334}\n",
    );
    failing.run(&["check"]).assert_one_problem(
        "input/dataset.yaml:6:51: error[E0230]: contracts.value is filled in 1 of 3 rows (over 33.3%); at least \
         33.3333334% are required",
    );
}

#[test]
fn a_table_the_dataset_does_not_have_gets_the_closest_name() {
    let work = with_assertions("  - {table: contract, min_rows: 1}\n");
    built_before(&work);
    assert_eq!(
        refused(&work),
        ["input/dataset.yaml:6:13: error[E0231]: `contract` is not a table of the dataset; did you mean `contracts`?"]
    );
}

#[test]
fn a_column_the_table_does_not_have_is_refused() {
    let work = with_assertions("  - table: contracts\n    column: amount\n    min_filled: 0.5\n");
    built_before(&work);
    let refused = refused(&work);
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].starts_with(
            "input/dataset.yaml:7:13: error[E0231]: `amount` is not a column of contracts; contracts has the columns \
             `id`, `key`, "
        ),
        "{refused:?}"
    );
    assert!(refused[0].contains("`value`"), "{refused:?}");
}

#[test]
fn an_assertion_of_neither_form_or_both_is_refused_at_its_line() {
    let work = with_assertions(
        "  - table: contracts\n  - {table: contracts, column: value, min_filled: 0.5, max_rows: 3}\n  \
         - {table: contracts, column: value}\n  - {table: contracts, min_rows: 1, max_rows: 0}\n",
    );
    built_before(&work);
    assert_eq!(
        refused(&work),
        [
            "input/dataset.yaml:6:5: error[E0101]: an assertion on `contracts` needs a bound: `min_rows`, \
             `max_rows`, or `column` with `min_filled`",
            "input/dataset.yaml:7:56: error[E0101]: an assertion is about the rows of a table (`min_rows`, \
             `max_rows`) or about the filled values of a column (`column`, `min_filled`), not both: write two \
             assertions",
            "input/dataset.yaml:8:24: error[E0101]: the column `value` needs `min_filled`: the fraction of rows (0 to \
             1) in which it must be filled",
            "input/dataset.yaml:9:34: error[E0204]: min_rows 1 is above max_rows 0: no table can pass both",
        ]
    );
}

#[test]
fn bounds_are_whole_numbers_and_fractions_from_0_to_1() {
    let work = with_assertions(
        "  - {table: contracts, min_rows: 1.5}\n  - {table: contracts, column: value, min_filled: 1.5}\n  \
         - {table: contracts, min_row: 1}\n  - {table: contracts, max_rows: -1}\n",
    );
    built_before(&work);
    assert_eq!(
        refused(&work),
        [
            "input/dataset.yaml:6:34: error[E0101]: `min_rows` must be a whole number, not a number",
            "input/dataset.yaml:7:51: error[E0101]: `min_filled` must be at most 1, not 1.5",
            "input/dataset.yaml:8:24: error[E0100]: unknown field `min_row`; did you mean `min_rows`?",
            "input/dataset.yaml:9:34: error[E0101]: `max_rows` must be at least 0, not -1",
        ]
    );
}

#[test]
fn a_fraction_is_read_exactly_or_refused() {
    let work = with_assertions("  - {table: contracts, column: value, min_filled: 0.1234567891}\n");
    built_before(&work);
    assert_eq!(
        refused(&work),
        [
            "input/dataset.yaml:6:51: error[E0101]: `0.1234567891` has more than 9 digits after the decimal point: \
             write the fraction with at most 9"
        ]
    );
}

#[test]
fn a_gate_is_judged_only_on_a_dataset_without_problems() {
    // A revision that does not check: its problem is reported, the gate is not judged.
    let revision = REVISION.replace("start: 2019-03", "start: 2019-02-30");
    let work = with_revision_and_assertions(&revision, "  - {table: contracts, min_rows: 5}\n");
    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 1);
    assert_eq!(checked.headlines().len(), 1, "{}", checked.stderr);
    assert!(checked.headlines()[0].contains("error[E0202]"), "{}", checked.stderr);
    // A gate that names no table is reported beside the problems of the revisions.
    let work = with_revision_and_assertions(&revision, "  - {table: contract, min_rows: 5}\n");
    let checked = work.run(&["check"]);
    let codes: Vec<bool> = ["E0231", "E0202"]
        .iter()
        .map(|code| checked.headlines().iter().any(|line| line.contains(code)))
        .collect();
    assert_eq!(codes, [true, true], "{}", checked.stderr);
}

/// A copy of the project's own `input/` in a new work folder.
fn own_input() -> Workdir {
    let work = Workdir::new(&[]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("input");
    for (relative, bytes) in tree(&root) {
        work.write(&relative, &bytes);
    }
    work
}

#[test]
fn the_projects_own_gates_pass_and_catch_a_lost_revision() {
    let work = own_input();
    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    std::fs::remove_file(work.path("input/profiles/amazon/2019-01-07.yaml")).expect("remove");
    assert_eq!(
        refused(&work),
        [
            "input/dataset.yaml:16:33: error[E0230]: profiles has 1 row; at least 2 are required",
            "input/dataset.yaml:17:32: error[E0230]: sources has 1 row; at least 2 are required",
            "input/dataset.yaml:18:32: error[E0230]: changes has 0 rows; at least 1 is required",
            "input/dataset.yaml:19:31: error[E0230]: claims has 48 rows; at least 50 are required",
            "input/dataset.yaml:20:34: error[E0230]: contracts has 1 row; at least 2 are required",
            "input/dataset.yaml:26:31: error[E0230]: people has 0 rows; at least 1 is required",
        ]
    );
}

#[test]
fn the_projects_own_gates_catch_the_other_revision_lost_too() {
    let work = own_input();
    std::fs::remove_file(work.path("input/profiles/amazon/2020-11-19.yaml")).expect("remove");
    assert_eq!(
        refused(&work),
        [
            "input/dataset.yaml:16:33: error[E0230]: profiles has 1 row; at least 2 are required",
            "input/dataset.yaml:17:32: error[E0230]: sources has 1 row; at least 2 are required",
            "input/dataset.yaml:18:32: error[E0230]: changes has 0 rows; at least 1 is required",
            "input/dataset.yaml:19:31: error[E0230]: claims has 46 rows; at least 50 are required",
        ]
    );
}
