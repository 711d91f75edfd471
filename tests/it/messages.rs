//! The messages of `check` in every format, as a curator reads them: snapshot tests against golden
//! files in `tests/golden/` (rewritten only with `UPDATE_GOLDEN=1`).

use crate::support::{DATASET, Workdir, golden};

/// A revision with a mistake of every kind the schema finds, and one the data rules find.
const MISTAKES: &str = "\
profile: acme
updated: 2020-01-01
name: Acme Corp
headquarters: {city: Springfield, state: IL, country: us}
sources:
  - id: report
    title: 2020
    url: not a url
organizations:
  - id: Agency
    name: Agency
    knd: government_agency
contracts:
  - buyer: agency
    supplierr: acme
    amount: {valeu: 9.1 million, currency: USD, qualifier: atleast}
    start: 2019-02-29
    sources: [report]
figures:
  - subject: agency
    metric: records
    value: 10
    per: dya
    sources: []
events:
  - date: 2020
    sources: [report]
";

/// A well-typed revision whose only mistake is a misspelled id, found across files; its reference
/// to `agency`, declared in the broken file, is not reported.
const MISSPELLED_ID: &str = "\
profile: beta
updated: 2020-01-01
name: Beta
sources:
  - {id: s, title: S}
organizations:
  - {id: police-department, name: Police Department, parent: agency}
relations:
  - {subject: beta, predicate: supplies, object: police-departmnt, sources: [s]}
";

/// A JSON revision with a number too large for its type, and the `$schema` member editors use.
const TOO_LARGE: &str = r#"{
  "$schema": "../../../schema/revision.schema.json",
  "profile": "gamma",
  "updated": "2020-01-01",
  "name": "Gamma",
  "sources": [{"id": "s", "title": "S"}],
  "figures": [{"subject": "gamma", "metric": "records", "value": 1, "as_of": 99999999999999999999, "sources": ["s"]}]
}
"#;

#[test]
fn messages_point_and_suggest_in_every_format() {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", MISTAKES.as_bytes()),
        ("profiles/beta/2020-01-01.yaml", MISSPELLED_ID.as_bytes()),
        ("profiles/gamma/2020-01-01.json", TOO_LARGE.as_bytes()),
    ]);
    for (format, file) in [
        ("text", "check-text.txt"),
        ("json", "check-json.jsonl"),
        ("github", "check-github.txt"),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_profile-export"))
            .args(["check", "--format", format])
            .current_dir(work.dir.path())
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(1));
        let printed = if format == "text" {
            &output.stderr
        } else {
            &output.stdout
        };
        golden(file, &String::from_utf8_lossy(printed));
    }
}
