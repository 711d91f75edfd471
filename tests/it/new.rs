//! `profile-export new`: the next revision as a copy of the latest one with only the date changed,
//! a skeleton that checks clean for a new profile, the schema line first, and never an overwrite.

use crate::support::{DATASET, REVISION, REVISION_PATH, Workdir};

const SCHEMA_LINE: &str = "# yaml-language-server: $schema=../../../schema/revision.schema.json";

fn read(work: &Workdir, relative: &str) -> String {
    std::fs::read_to_string(work.path("input").join(relative)).expect("the file was written")
}

#[test]
fn the_next_revision_is_the_latest_with_only_the_date_changed() {
    let curated = REVISION.replace(
        "name: Acme Corp\n",
        "name: Acme Corp   # as registered\n# a comment of the curator\n",
    );
    let work = Workdir::with_revision(&curated);
    let outcome = work.run(&["new", "acme", "--updated", "2021-02-03"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let written = read(&work, "profiles/acme/2021-02-03.yaml");
    let expected = format!(
        "{SCHEMA_LINE}\n{}",
        curated.replace("updated: 2020-01-01", "updated: 2021-02-03")
    );
    assert_eq!(written, expected);
    assert_eq!(
        read(&work, REVISION_PATH),
        curated,
        "the latest revision is left as it was"
    );

    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 0, "the new revision checks clean: {}", checked.stderr);
    let diff = std::process::Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(["diff", "acme"])
        .current_dir(work.dir.path())
        .output()
        .expect("diff runs");
    let changelog = String::from_utf8_lossy(&diff.stdout);
    assert!(
        changelog.contains("2020-01-01 → 2021-02-03") && changelog.contains("0 added, 0 removed, 0 changed"),
        "{changelog}"
    );
}

#[test]
fn an_existing_revision_is_never_overwritten() {
    let work = Workdir::with_revision(REVISION);
    assert_eq!(work.run(&["new", "acme", "--updated", "2021-02-03"]).code, 0);
    std::fs::write(
        work.path("input/profiles/acme/2021-02-03.yaml"),
        "edited by the curator\n",
    )
    .expect("write");
    let again = work.run(&["new", "acme", "--updated", "2021-02-03"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(read(&work, "profiles/acme/2021-02-03.yaml"), "edited by the curator\n");
    let same = work.run(&["new", "acme", "--updated", "2020-01-01"]);
    assert_eq!(same.code, 2, "{}", same.stderr);
    assert_eq!(read(&work, REVISION_PATH), REVISION);
    let older = work.run(&["new", "acme", "--updated", "2019-01-01"]);
    assert_eq!(
        older.code, 2,
        "a revision older than the latest is refused: {}",
        older.stderr
    );
}

#[test]
fn a_new_profile_gets_a_skeleton_that_checks_clean() {
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&["new", "big-data-corp", "--updated", "2021-02-03"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let written = read(&work, "profiles/big-data-corp/2021-02-03.yaml");
    assert!(written.starts_with(&format!("{SCHEMA_LINE}\n")), "{written}");
    for section in [
        "profile: big-data-corp\n",
        "updated: 2021-02-03",
        "name: Big Data Corp\n",
        "# summary:",
        "# headquarters:",
        "sources:",
        "organizations: []",
        "systems: []",
        "contracts: []",
        "figures: []",
        "events: []",
        "relations: []",
    ] {
        assert!(written.contains(section), "no `{section}` in:\n{written}");
    }
    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 0, "the skeleton checks clean: {}", checked.stderr);
}

#[test]
fn the_date_is_today_by_default() {
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&["new", "beta"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    let day = |seconds: i64| {
        jiff::Timestamp::from_second(seconds)
            .expect("a time")
            .to_string()
            .get(..10)
            .unwrap_or_default()
            .to_owned()
    };
    let written: Vec<String> = std::fs::read_dir(work.path("input/profiles/beta"))
        .expect("the profile folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 1);
    // The day may have turned during the run.
    assert!(
        [day(seconds), day(seconds - 60)]
            .iter()
            .any(|d| written[0] == format!("{d}.yaml")),
        "{written:?}"
    );
}

#[test]
fn a_json_revision_is_copied_as_json_naming_its_schema() {
    let json = r#"{
  "profile": "beta",
  "updated": "2020-01-01",
  "name": "Beta",
  "sources": [{"id": "s", "title": "S"}],
  "figures": [{"subject": "beta", "metric": "revenue", "value": 12345678901234567.89, "currency": "USD", "period": "2019", "sources": ["s"]}]
}
"#;
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.json", json.as_bytes()),
    ]);
    let outcome = work.run(&["new", "beta", "--updated", "2021-02-03"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let written = read(&work, "profiles/beta/2021-02-03.json");
    assert!(
        written.starts_with("{\n  \"$schema\": \"../../../schema/revision.schema.json\",\n  \"profile\": \"beta\",\n  \"updated\": \"2021-02-03\","),
        "{written}"
    );
    assert!(
        written.contains("12345678901234567.89"),
        "numbers keep their digits: {written}"
    );
    let checked = work.run(&["check"]);
    assert_eq!(
        checked.code, 0,
        "`$schema` is accepted in a JSON revision: {}",
        checked.stderr
    );
}

#[test]
fn a_toml_revision_is_copied_as_toml_naming_its_schema() {
    let toml =
        "profile = \"beta\"\nupdated = 2020-01-01 # the day\nname = \"Beta\"\n[[sources]]\nid = \"s\"\ntitle = \"S\"\n";
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.toml", toml.as_bytes()),
    ]);
    let outcome = work.run(&["new", "beta", "--updated", "2021-02-03"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(
        read(&work, "profiles/beta/2021-02-03.toml"),
        format!(
            "#:schema ../../../schema/revision.schema.json\n{}",
            toml.replace("2020-01-01", "2021-02-03")
        )
    );
    assert_eq!(work.run(&["check"]).code, 0);
}

#[test]
fn a_bad_date_or_profile_is_a_usage_error() {
    let work = Workdir::with_revision(REVISION);
    for args in [
        ["new", "acme", "--updated", "2021-02-30"],
        ["new", "acme", "--updated", "2021-2-3"],
        ["new", "Acme Corp", "--updated", "2021-02-03"],
    ] {
        let outcome = work.run(&args);
        assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
    }
    assert_eq!(
        crate::support::tree(&work.path("input")).len(),
        2,
        "nothing was written"
    );
}

#[test]
fn a_profile_folder_linked_out_of_the_input_is_not_written_through() {
    let work = Workdir::with_revision(REVISION);
    std::fs::create_dir_all(work.path("elsewhere")).expect("folder");
    std::os::unix::fs::symlink(work.path("elsewhere"), work.path("input/profiles/evil")).expect("link");
    let outcome = work.run(&["new", "evil", "--updated", "2030-01-01"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("leads out of the input folder"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        std::fs::read_dir(work.path("elsewhere")).expect("folder").count(),
        0,
        "nothing written outside"
    );
}

#[test]
fn schema_replaces_a_link_at_its_file_name_and_never_writes_through_it() {
    let work = Workdir::with_revision(REVISION);
    std::fs::create_dir_all(work.path("schema")).expect("folder");
    std::fs::write(work.path("victim.json"), "precious").expect("write");
    std::os::unix::fs::symlink(work.path("victim.json"), work.path("schema/revision.schema.json")).expect("link");
    let outcome = work.run(&["schema", "--output", "schema"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(
        std::fs::read_to_string(work.path("victim.json")).expect("read"),
        "precious"
    );
    let meta = std::fs::symlink_metadata(work.path("schema/revision.schema.json")).expect("schema");
    assert!(meta.is_file(), "the link was replaced by the schema file");
}

#[test]
fn new_never_writes_through_a_link_out_of_the_input() {
    // profiles/ itself linked out, to a folder that holds a revision of the profile.
    let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes())]);
    let shelf = work.path("shelf");
    std::fs::create_dir_all(shelf.join("acme")).expect("folder");
    std::fs::write(shelf.join("acme/2020-01-01.yaml"), REVISION).expect("write");
    std::os::unix::fs::symlink(&shelf, work.path("input/profiles")).expect("link");
    for args in [
        ["new", "acme", "--updated", "2030-01-01"],
        ["new", "beta", "--updated", "2030-01-01"],
    ] {
        let outcome = work.run(&args);
        assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(&format!(
                "error: input/profiles leads out of the input folder through a symbolic link (to {}",
                shelf.display()
            )),
            "{args:?}: {}",
            outcome.stderr
        );
    }
    let written: Vec<String> = crate::support::tree(&shelf).into_keys().collect();
    assert_eq!(written, ["acme/2020-01-01.yaml"], "nothing written outside");

    // A profile folder linked inside the input, by an absolute link: written through, inside.
    let work = Workdir::with_revision(REVISION);
    let real = work.path("input").canonicalize().expect("real").join("profiles/acme");
    std::os::unix::fs::symlink(&real, work.path("input/profiles/alias")).expect("link");
    let outcome = work.run(&["new", "alias", "--updated", "2030-01-01"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(real.join("2030-01-01.yaml").is_file());
}

/// Runs `new beta --updated 2021-02-03` on a profile whose latest revision is `name` holding
/// `text`, and returns what it said and the files of the profile's folder afterwards.
fn start_from(name: &str, text: &str) -> (crate::support::Outcome, Workdir) {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (&format!("profiles/beta/{name}"), text.as_bytes()),
    ]);
    let outcome = work.run(&["new", "beta", "--updated", "2021-02-03"]);
    (outcome, work)
}

/// `new` copied `text` (the revision `name`) changing only the date, the copy checks clean, and
/// it holds `expected`.
#[track_caller]
fn assert_copied(name: &str, text: &str, expected: &str) {
    let (outcome, work) = start_from(name, text);
    assert_eq!(outcome.code, 0, "{name}: {}", outcome.stderr);
    let extension = name.rsplit('.').next().unwrap_or_default();
    assert_eq!(read(&work, &format!("profiles/beta/2021-02-03.{extension}")), expected);
    let checked = work.run(&["check"]);
    assert_eq!(checked.code, 0, "{name}: the copy checks clean: {}", checked.stderr);
}

/// `new` refused to copy `text` (the revision `name`), saying `why`, and wrote nothing.
#[track_caller]
fn assert_not_copied(name: &str, text: &str, why: &str) {
    let (outcome, work) = start_from(name, text);
    assert_eq!(outcome.code, 2, "{name}: {}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains(&format!("input/profiles/beta/{name} cannot be copied: {why}")),
        "{name}: {}",
        outcome.stderr
    );
    let files: Vec<String> = crate::support::tree(&work.path("input")).into_keys().collect();
    assert_eq!(files, ["dataset.yaml".to_owned(), format!("profiles/beta/{name}")]);
}

#[test]
fn a_toml_updated_line_inside_a_multi_line_string_is_left_alone() {
    let toml = "profile = \"beta\"\nsummary = \"\"\"\nThe summary says:\nupdated = 1999-01-01\n\"\"\"\nupdated = \"2020-01-01\" # the day\nname = \"Beta\"\n[[sources]]\nid = \"s\"\ntitle = \"S\"\n";
    let expected = format!(
        "#:schema ../../../schema/revision.schema.json\n{}",
        toml.replace("\"2020-01-01\"", "2021-02-03")
    );
    assert_copied("2020-01-01.toml", toml, &expected);
}

#[test]
fn a_yaml_updated_in_a_flow_mapping_or_after_a_text_holding_updated_is_found() {
    let flow = "{profile: beta, updated: 2020-01-01, name: Beta, sources: [{id: s, title: S}]}\n";
    assert_copied(
        "2020-01-01.yaml",
        flow,
        &format!("{SCHEMA_LINE}\n{}", flow.replace("2020-01-01", "2021-02-03")),
    );
    // A quoted text whose second line starts with `updated:` (in a flow mapping, where it may).
    let quoted = "{profile: beta, summary: \"A summary over two lines,\nupdated: 1999-01-01\",\n updated: '2020-01-01', name: Beta,\n sources: [{id: s, title: S}]}\n";
    assert_copied(
        "2020-01-01.yaml",
        quoted,
        &format!("{SCHEMA_LINE}\n{}", quoted.replace("'2020-01-01'", "2021-02-03")),
    );
    // A block scalar holding such a line, before the key.
    let block = "profile: beta\nsummary: |\n  The summary says:\n  updated: 1999-01-01\nupdated: \"2020-01-01\"\nname: Beta\nsources: [{id: s, title: S}]\n";
    assert_copied(
        "2020-01-01.yaml",
        block,
        &format!("{SCHEMA_LINE}\n{}", block.replace("\"2020-01-01\"", "2021-02-03")),
    );
}

#[test]
fn an_anchored_updated_is_copied_unless_an_alias_would_change_too() {
    let anchored = "profile: beta\nupdated: &day 2020-01-01\nname: Beta\nsources: [{id: s, title: S}]\n";
    assert_copied(
        "2020-01-01.yaml",
        anchored,
        &format!("{SCHEMA_LINE}\n{}", anchored.replace("2020-01-01", "2021-02-03")),
    );
    let aliased =
        "profile: beta\nupdated: &day 2020-01-01\nname: Beta\nsources: [{id: s, title: S, published: *day}]\n";
    assert_not_copied(
        "2020-01-01.yaml",
        aliased,
        "a new date in its `updated` would change more than the date",
    );
    let alias = "profile: beta\nsources: [{id: s, title: S, published: &day 2020-01-01}]\nupdated: *day\nname: Beta\n";
    assert_not_copied("2020-01-01.yaml", alias, "its top-level `updated` is an alias");
    let block = "profile: beta\nupdated: |-\n  2020-01-01\nname: Beta\nsources: [{id: s, title: S}]\n";
    assert_not_copied("2020-01-01.yaml", block, "its top-level `updated` is a block scalar");
}

#[test]
fn a_json_revision_keeps_its_numbers_and_layout() {
    let json = "{\n    \"profile\": \"beta\", \"updated\": \"2020-01-01\",\n    \"name\": \"Beta\",\n    \"sources\": [{\"id\": \"s\", \"title\": \"S\"}],\n    \"figures\": [\n        {\"subject\": \"beta\", \"metric\": \"revenue\", \"value\": 12345678901234567890123456789, \"currency\": \"USD\", \"period\": \"2019\", \"sources\": [\"s\"]},\n        {\"subject\": \"beta\", \"metric\": \"staff\", \"value\": 1e3, \"period\": \"2019\", \"sources\": [\"s\"]}\n    ]\n}\n";
    let expected = json
        .replacen(
            "{\n    ",
            "{\n    \"$schema\": \"../../../schema/revision.schema.json\",\n    ",
            1,
        )
        .replace("\"2020-01-01\"", "\"2021-02-03\"");
    assert_copied("2020-01-01.json", json, &expected);
    // A `$schema` already there gets the path, where it is.
    let json = "{\"updated\": \"2020-01-01\", \"$schema\": \"old.json\", \"profile\": \"beta\", \"name\": \"Beta\", \"sources\": [{\"id\": \"s\", \"title\": \"S\"}]}";
    let expected = json
        .replace("old.json", "../../../schema/revision.schema.json")
        .replace("2020-01-01", "2021-02-03");
    assert_copied("2020-01-01.json", json, &expected);
}

#[test]
fn a_date_before_the_year_0001_or_with_a_sign_is_refused() {
    let work = Workdir::with_revision(REVISION);
    for date in ["0000-01-01", "-0001-01-01", "+2020-01-01", "02020-01-01", "2020-06-15?"] {
        let outcome = work.run(&["new", "beta", &format!("--updated={date}")]);
        assert_eq!(outcome.code, 2, "{date}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(&format!("`{date}` ")),
            "{date}: {}",
            outcome.stderr
        );
    }
    let outcome = work.run(&["new", "beta", "--updated", "0000-01-01"]);
    assert!(outcome.stderr.contains("years run from 0001"), "{}", outcome.stderr);
    assert_eq!(
        crate::support::tree(&work.path("input")).len(),
        2,
        "nothing was written"
    );
    let outcome = work.run(&["new", "beta", "--updated", "0001-01-01"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}
