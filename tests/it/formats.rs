//! The bad-input corpus in JSON and TOML: the same kinds of problem as the YAML cases of `check.rs`
//! (syntax, types, every data rule, encoding, sizes), each with its exact code and `file:line:column`,
//! and nothing written by `build`.

use crate::support::{DATASET, Workdir};

const JSON: &str = r#"{
  "profile": "beta",
  "updated": "2020-01-01",
  "name": "Beta",
  "sources": [{"id": "s", "title": "S"}],
  "organizations": [{"id": "agency", "name": "Agency", "country": "US"}],
  "contracts": [{"buyer": "agency", "supplier": "beta", "amount": {"value": "9.1 million", "currency": "USD"}, "sources": ["s"]}],
  "figures": [{"subject": "beta", "metric": "revenue", "value": 100, "currency": "USD", "period": "2019", "sources": ["s"]}]
}
"#;

const TOML: &str = r#"profile = "beta"
updated = 2020-01-01
name = "Beta"
[[sources]]
id = "s"
title = "S"
[[organizations]]
id = "agency"
name = "Agency"
country = "US"
[[contracts]]
buyer = "agency"
supplier = "beta"
sources = ["s"]
amount = { value = "9.1 million", currency = "USD" }
[[figures]]
subject = "beta"
metric = "revenue"
value = 100
currency = "USD"
period = "2019"
sources = ["s"]
"#;

/// Checks (and builds) the base document of `extension` with `from` replaced by `to`, and expects
/// exactly one problem starting with `line:column: error[code]`.
#[track_caller]
fn expect(extension: &str, from: &str, to: &[u8], expected: &str) {
    let base = if extension == "json" { JSON } else { TOML };
    let at = base.find(from).expect("the text to replace is in the base document");
    let mut bytes = base.as_bytes()[..at].to_vec();
    bytes.extend_from_slice(to);
    bytes.extend_from_slice(&base.as_bytes()[at + from.len()..]);
    let path = format!("profiles/beta/2020-01-01.{extension}");
    let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes()), (&path, &bytes)]);
    let checked = work.run(&["check"]);
    let built = work.run(&["build"]);
    assert_eq!(built.headlines(), checked.headlines(), "build and check disagree");
    let written = crate::support::leftovers(work.dir.path(), &["input"]);
    assert_eq!(written, Vec::<String>::new(), "a build of bad input wrote something");
    checked.assert_one_problem(&format!("input/{path}:{expected}"));
}

#[test]
fn the_base_documents_are_valid() {
    for (extension, base) in [("json", JSON), ("toml", TOML)] {
        let path = format!("profiles/beta/2020-01-01.{extension}");
        let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes()), (&path, base.as_bytes())]);
        let outcome = work.run(&["build"]);
        assert_eq!(outcome.code, 0, "{extension}: {}", outcome.stderr);
    }
}

#[test]
fn toml_dates_and_times_in_text_are_kept_as_written() {
    // A TOML date or time where text belongs is text, exactly as written, not as the TOML parser
    // would print it (`07:32:00.50z` is not rewritten `07:32:00.5Z`).
    let written = ["1979-05-27 07:32:00.50z", "1979-05-27t07:32:00+00:00", "07:32:00"];
    let toml = TOML.replace(
        "name = \"Beta\"\n",
        &format!(
            "name = \"Beta\"\nsummary = {}\naliases = [{}, {}]\n",
            written[0], written[1], written[2]
        ),
    );
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/beta/2020-01-01.toml", toml.as_bytes()),
    ]);
    let outcome = work.run(&["build", "--format", "csv"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let rows = crate::support::csv_rows(&work.dir.path().join("output/csv/profiles.csv"));
    assert_eq!(rows[0]["summary"], written[0]);
    assert_eq!(rows[0]["aliases"], serde_json::to_string(&written[1..]).expect("JSON"));
}

#[test]
fn json_syntax_error() {
    expect(
        "json",
        r#""name": "Beta","#,
        br#""name": "Beta",,"#,
        "4:18: error[E0006]",
    );
}

#[test]
fn json_not_utf8() {
    expect("json", "Beta\"", b"B\xffta\"", "4:13: error[E0004]");
}

#[test]
fn json_wrong_type() {
    expect("json", r#""name": "Beta""#, br#""name": 5"#, "4:11: error[E0101]");
}

#[test]
fn json_unknown_field() {
    expect(
        "json",
        r#""name": "Beta","#,
        br#""name": "Beta", "colour": "red","#,
        "4:19: error[E0100]",
    );
}

#[test]
fn json_key_written_twice() {
    expect(
        "json",
        r#""name": "Beta","#,
        br#""name": "Beta", "name": "B","#,
        "4:19: error[E0009]",
    );
}

#[test]
fn json_date_that_does_not_exist() {
    expect(
        "json",
        r#""period": "2019""#,
        br#""period": "2019-02-30""#,
        "8:99: error[E0202]",
    );
}

#[test]
fn json_amount_that_is_not_exact() {
    expect("json", "9.1 million", b"9.1 zillion", "7:77: error[E0203]");
}

#[test]
fn json_unknown_currency() {
    expect(
        "json",
        r#""currency": "USD"}"#,
        br#""currency": "XYZ"}"#,
        "7:104: error[E0206]",
    );
}

#[test]
fn json_unknown_country() {
    expect(
        "json",
        r#""country": "US""#,
        br#""country": "UK""#,
        "6:67: error[E0207]",
    );
}

#[test]
fn json_unknown_source() {
    expect(
        "json",
        r#""sources": ["s"]}]
}"#,
        br#""sources": ["t"]}]
}"#,
        "8:119: error[E0209]",
    );
}

#[test]
fn json_unresolved_reference() {
    expect(
        "json",
        r#""buyer": "agency""#,
        br#""buyer": "nobody""#,
        "7:27: error[E0211]",
    );
}

#[test]
fn json_range_upside_down() {
    expect(
        "json",
        r#""value": 100"#,
        br#""low": 200, "high": 100"#,
        "8:63: error[E0204]",
    );
}

#[test]
fn json_contract_without_parties() {
    expect(
        "json",
        r#""buyer": "agency", "supplier": "beta", "#,
        b"",
        "7:17: error[E0215]",
    );
}

#[test]
fn json_text_too_long() {
    let long = format!(r#""name": "{}""#, "x".repeat(70_000));
    expect("json", r#""name": "Beta""#, long.as_bytes(), "4:11: error[E0011]");
}

#[test]
fn toml_syntax_error() {
    expect("toml", "name = \"Beta\"", b"name = \"Beta", "3:");
}

#[test]
fn toml_not_utf8() {
    expect("toml", "Beta\"", b"B\xffta\"", "3:10: error[E0004]");
}

#[test]
fn toml_wrong_type() {
    expect("toml", "name = \"Beta\"", b"name = 5", "3:8: error[E0101]");
}

#[test]
fn toml_unknown_field() {
    expect(
        "toml",
        "name = \"Beta\"\n",
        b"name = \"Beta\"\ncolour = \"red\"\n",
        "4:1: error[E0100]",
    );
}

#[test]
fn toml_date_that_does_not_exist() {
    expect(
        "toml",
        "period = \"2019\"",
        b"period = \"2019-02-30\"",
        "21:10: error[E0202]",
    );
}

#[test]
fn toml_amount_that_is_not_exact() {
    expect("toml", "9.1 million", b"9.1 zillion", "15:20: error[E0203]");
}

#[test]
fn toml_unknown_currency() {
    expect(
        "toml",
        "currency = \"USD\"\nperiod",
        b"currency = \"XYZ\"\nperiod",
        "20:12: error[E0206]",
    );
}

#[test]
fn toml_unknown_country() {
    expect("toml", "country = \"US\"", b"country = \"UK\"", "10:11: error[E0207]");
}

#[test]
fn toml_unknown_source() {
    expect(
        "toml",
        "period = \"2019\"\nsources = [\"s\"]",
        b"period = \"2019\"\nsources = [\"t\"]",
        "22:12: error[E0209]",
    );
}

#[test]
fn toml_unresolved_reference() {
    expect(
        "toml",
        "buyer = \"agency\"",
        b"buyer = \"nobody\"",
        "12:9: error[E0211]",
    );
}

#[test]
fn toml_range_upside_down() {
    expect("toml", "value = 100", b"low = 200\nhigh = 100", "19:7: error[E0204]");
}

#[test]
fn toml_contract_without_parties() {
    expect(
        "toml",
        "buyer = \"agency\"\nsupplier = \"beta\"\n",
        b"",
        "11:1: error[E0215]",
    );
}

#[test]
fn toml_text_too_long() {
    let long = format!("name = \"{}\"", "x".repeat(70_000));
    expect("toml", "name = \"Beta\"", long.as_bytes(), "3:8: error[E0011]");
}
