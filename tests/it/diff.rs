//! `diff` and the `changes` table: what changed between revisions, fact by fact.

use crate::support::{DATASET, REVISION, Workdir, golden, inert_lines, run_in};
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in `dir` and returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_amazon_changelog_is_the_golden_one() {
    let (code, stdout, stderr) = run(root(), &["diff", "amazon"]);
    assert_eq!(code, 0, "{stderr}");
    golden("diff-amazon.txt", &stdout);
    assert!(!stdout.contains('\x1b'), "no colour when stdout is not a terminal");
}

#[test]
fn the_amazon_changelog_shows_what_the_seed_texts_changed() {
    let (_, text, _) = run(root(), &["diff", "amazon", "2019-01-07", "2020-11-19"]);
    for expected in [
        // The employee and revenue figures of 2017 gave way to those of 2019.
        "  - amazon employees 566000 employees (as of 2017-12)",
        "  + amazon employees 798000 employees (as of 2019-12)",
        "  - amazon revenue 177900000000 USD (period 2017)",
        "  + amazon revenue 280500000000 USD (period 2019)",
        // HART replaced IDENT as the primary biometrics database, now hosted in its place.
        "  ~ hart replaces ident from 2020",
        "      status: planned → reported",
        "  + aws-govcloud hosts hart",
        "  - aws-govcloud hosts ident",
        "      developer: (none) → northrop-grumman",
        // The new sections on prisons and police.
        "  + jailcore: JailCore",
        "  + verus: Verus",
        "  + ring: Ring",
        "  + neighbors-portal: Law Enforcement Neighbors Portal",
        "      categories: [\"immigration\",\"facial_recognition\"] → [\"immigration\",\"prisons\",\"policing\",\"discrimination\"]",
    ] {
        assert!(
            text.contains(&format!("{expected}\n")),
            "missing `{expected}` in:\n{text}"
        );
    }
    let headings: Vec<&str> = text.lines().filter(|l| !l.is_empty() && !l.starts_with(' ')).collect();
    assert_eq!(
        headings[1..8],
        [
            "profile",
            "organizations",
            "systems",
            "people",
            "contracts",
            "figures",
            "events"
        ],
        "grouped by kind"
    );
}

#[test]
fn json_changelog_for_machines() {
    let (code, stdout, stderr) = run(root(), &["diff", "amazon", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        (document["from"].as_str(), document["to"].as_str()),
        (Some("2019-01-07"), Some("2020-11-19"))
    );
    let changes = document["changes"].as_array().expect("changes");
    let hart_developer = changes
        .iter()
        .find(|c| c["key"] == "hart" && c["field"] == "developer")
        .expect("hart's developer changed");
    assert_eq!(hart_developer["new"], "northrop-grumman");
    assert_eq!(hart_developer["old"], serde_json::Value::Null);
    assert_eq!(hart_developer["change"], "changed");
    // The changes table of the published dataset holds the same changes.
    let table = std::fs::read_to_string(root().join("output/csv/changes.csv")).expect("changes.csv");
    assert_eq!(table.lines().count(), changes.len() + 1);
}

#[test]
fn a_claim_keeps_its_identity_when_its_amount_and_wording_change() {
    let newer = REVISION
        .replace("updated: 2020-01-01", "updated: 2021-01-01")
        .replace(
            "{value: 9.1 million, currency: USD, qualifier: at_least}",
            "{value: 9100000, currency: USD, qualifier: about}",
        )
        .replace("high: 400000", "high: 450000")
        .replace("description: Pitch", "description: A pitch to the agency");
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", REVISION.as_bytes()),
        ("profiles/acme/2021-01-01.yaml", newer.as_bytes()),
    ]);
    let (code, stdout, stderr) = run(work.dir.path(), &["diff", "acme"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("      amount.qualifier: at_least → about\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("amount.value"),
        "9.1 million and 9100000 are the same value:\n{stdout}"
    );
    assert!(stdout.contains("      high: 400000 → 450000\n"), "{stdout}");
    assert!(
        stdout.contains("      description: Pitch → A pitch to the agency\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("0 added, 0 removed, 3 changed (3 fields)\n"),
        "{stdout}"
    );

    let build = run_in(work.dir.path(), &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let changes = std::fs::read_to_string(work.path("output/csv/changes.csv")).expect("changes.csv");
    assert_eq!(changes.lines().count(), 4, "{changes}");
    assert!(changes.contains(",changed,high,400000,450000\n"), "{changes}");
}

#[test]
fn diff_names_what_it_cannot_compare() {
    let work = Workdir::with_revision(REVISION);
    let (code, _, stderr) = run(work.dir.path(), &["diff", "acme"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`acme` has only one revision (2020-01-01)"), "{stderr}");
    let (code, _, stderr) = run(work.dir.path(), &["diff", "nobody"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("there is no profile `nobody`"), "{stderr}");
    let (code, _, stderr) = run(work.dir.path(), &["diff", "acme", "2019-01-01", "2020-01-01"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`acme` has no revision 2019-01-01; its revisions: 2020-01-01"),
        "{stderr}"
    );
}

#[test]
fn diff_shows_curated_line_ends_and_controls_escaped() {
    let newer = REVISION
        .replace("updated: 2020-01-01", "updated: 2021-01-01")
        .replace("description: Pitch", r#"description: "Pitch\n::add-mask::secret\e\a""#)
        .replace(
            "    operator: agency\n",
            "    operator: agency\n  - {id: base, name: \"Base\\L::warning::x\\N\"}\n",
        );
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", REVISION.as_bytes()),
        ("profiles/acme/2021-01-01.yaml", newer.as_bytes()),
    ]);
    let output = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_profile-export"))
            .args(args)
            .current_dir(work.dir.path())
            .output()
            .expect("the binary runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        inert_lines(output.stdout, false)
    };

    let text = output(&["diff", "acme"]);
    assert_eq!(
        text,
        r"acme: 2020-01-01 → 2021-01-01

systems
  + base: Base\u{2028}::warning::x\u{85}

events
  ~ 2018-22 acme – Pitch\n::add-mask::secret\u{1b}\u{7}
      description: Pitch → Pitch\n::add-mask::secret\u{1b}\u{7}

1 added, 0 removed, 1 changed (1 fields)
"
    );

    let json: serde_json::Value = serde_json::from_str(&output(&["diff", "acme", "--format", "json"])).expect("json");
    let changes = json["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 2, "{json}");
    assert_eq!(changes[0]["label"], r"Base\u{2028}::warning::x\u{85}");
    assert_eq!(changes[0]["new"], r"Base\u{2028}::warning::x\u{85}");
    assert_eq!(changes[1]["field"], "description");
    assert_eq!(changes[1]["old"], "Pitch");
    assert_eq!(changes[1]["new"], r"Pitch\n::add-mask::secret\u{1b}\u{7}");
    assert_eq!(
        changes[1]["label"],
        r"2018-22 acme – Pitch\n::add-mask::secret\u{1b}\u{7}"
    );
}
