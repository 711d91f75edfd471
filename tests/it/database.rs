//! `sqlite/<name>.sqlite`: the same rows, keys declared and checked, decimals exact and sortable as
//! numbers, full-text search, and Datasette metadata beside it.

use crate::support::{REVISION, Workdir};
use rusqlite::Connection;
use rusqlite::types::Value;

fn build(revision: &str) -> (Workdir, Connection) {
    let work = Workdir::with_revision(revision);
    let outcome = work.run(&["build", "--format", "sqlite"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let connection = Connection::open(work.path("output/sqlite/test.sqlite")).expect("database");
    (work, connection)
}

fn values(connection: &Connection, sql: &str) -> Vec<Value> {
    let mut statement = connection.prepare(sql).expect("statement");
    statement
        .query_map([], |row| row.get::<_, Value>(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn rows_keys_and_types_are_those_of_the_tables() {
    let revision = REVISION.replace("description: Pitch", "description: Pitch to the =agency");
    let (work, db) = build(&revision);
    assert_eq!(values(&db, "PRAGMA foreign_key_check"), Vec::<Value>::new());
    assert_eq!(values(&db, "SELECT count(*) FROM contracts"), [Value::Integer(1)]);
    assert_eq!(
        values(&db, "SELECT value FROM contracts"),
        [Value::Integer(9_100_000)],
        "a whole decimal is an INTEGER"
    );
    assert_eq!(values(&db, "SELECT is_latest FROM contracts"), [Value::Integer(1)]);
    assert_eq!(
        values(&db, "SELECT start_to FROM contracts"),
        [Value::Text("2019-03-31".into())]
    );
    assert_eq!(values(&db, "SELECT aliases FROM profiles"), [Value::Text("[]".into())]);
    let keys = values(
        &db,
        "SELECT \"table\" FROM pragma_foreign_key_list('contracts') ORDER BY 1",
    );
    let text = |s: &str| Value::Text(s.into());
    assert_eq!(
        keys,
        [
            text("claims"),
            text("entities"),
            text("entities"),
            text("entities"),
            text("entities")
        ]
    );
    let indexes = values(
        &db,
        "SELECT name FROM pragma_index_list('contracts') WHERE origin = 'c' ORDER BY 1",
    );
    assert_eq!(
        indexes,
        [
            text("contracts_attributed_to"),
            text("contracts_buyer"),
            text("contracts_provider"),
            text("contracts_supplier")
        ]
    );
    assert_eq!(
        values(&db, "SELECT rowid FROM events_fts WHERE events_fts MATCH 'pitch'"),
        [Value::Integer(1)]
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path("output/sqlite/test.metadata.json")).expect("metadata"))
            .expect("json");
    assert_eq!(metadata["license"], "CC-BY-4.0");
    assert_eq!(
        metadata["databases"]["test"]["tables"]["contracts"]["columns"]["value"],
        "The value, exact, as a plain number: `9.1 million` is 9100000, `12.30` is 12.3; empty for a range."
    );
}

#[test]
fn decimals_keep_every_digit_and_sort_as_numbers() {
    let revision = REVISION.replace(
        "    low: 350000\n    high: 400000",
        "    value: 12345678901234567.89\n    sources: [report]\n  - subject: db\n    metric: budget\n    value: 9.25\n    sources: [report]\n  - subject: db\n    metric: staff\n    value: 10",
    );
    let (_work, db) = build(&revision);
    let stored = values(&db, "SELECT value FROM figures ORDER BY value");
    assert_eq!(
        stored,
        [
            Value::Real(9.25),
            Value::Integer(10),
            Value::Text("12345678901234567.89".into())
        ],
        "REAL and INTEGER sort together; beyond 15 significant digits, exact text"
    );
}

#[test]
fn constraints_refuse_what_the_tables_do_not_allow() {
    let (_work, db) = build(REVISION);
    let refused = |sql: &str| {
        let error = db.execute(sql, []).expect_err(sql).to_string();
        assert!(error.contains("CHECK constraint failed"), "{sql}: {error}");
    };
    refused("UPDATE contracts SET is_latest = 2");
    refused("UPDATE contracts SET status = 'rumoured'");
    refused("UPDATE contracts SET qualifier = 'roughly'");
    // What the tables allow, NULL included in an optional column, still goes in.
    for sql in [
        "UPDATE contracts SET is_latest = 0",
        "UPDATE contracts SET status = 'disputed'",
        "UPDATE contracts SET qualifier = NULL",
        "UPDATE contracts SET qualifier = 'at_least'",
    ] {
        assert_eq!(db.execute(sql, []).expect(sql), 1, "{sql}");
    }
}

/// An older revision of `acme` than `REVISION`: one relation, cited from a source with an address.
const OLDER: &str = "\
profile: acme
updated: 2019-06-01
name: Acme Corp
sources:
  - id: site
    title: Website
    url: https://example.org/acme
systems:
  - id: db
    name: Database
relations:
  - subject: acme
    predicate: hosts
    object: db
    sources: [site]
";

/// Two revisions of `acme`: `OLDER`, then `REVISION` with a second source cited before the first
/// (so citation order is not the order of the ids) and an event attributed to the agency.
fn two_revisions() -> (Workdir, Connection) {
    let newer = REVISION
        .replace(
            "    title: Report\n",
            "    title: Report\n  - id: memo\n    title: Memo\n    url: https://example.org/memo\n",
        )
        .replace(
            "    start: 2019-03\n    sources: [report]",
            "    start: 2019-03\n    sources: [report, memo]",
        )
        .replace(
            "    description: Pitch\n",
            "    description: Pitch\n    attributed_to: agency\n    quote: We pitched.\n",
        );
    let work = Workdir::with_revision(&newer);
    work.write("profiles/acme/2019-06-01.yaml", OLDER.as_bytes());
    let outcome = work.run(&["build", "--format", "sqlite"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let connection = Connection::open(work.path("output/sqlite/test.sqlite")).expect("database");
    (work, connection)
}

fn metadata(work: &Workdir) -> serde_json::Value {
    let text = std::fs::read(work.path("output/sqlite/test.metadata.json")).expect("metadata");
    serde_json::from_slice(&text).expect("json")
}

/// Runs a canned query of the metadata with one parameter; each row as a JSON object.
fn canned(work: &Workdir, db: &Connection, query: &str, parameter: (&str, &str)) -> Vec<serde_json::Value> {
    let metadata = metadata(work);
    let sql = metadata["databases"]["test"]["queries"][query]["sql"]
        .as_str()
        .expect("sql");
    let mut statement = db.prepare(sql).expect(sql);
    let names: Vec<String> = statement.column_names().map(str::to_owned).collect();
    statement
        .query_map(&[parameter], |row| {
            let mut object = serde_json::Map::new();
            for (i, name) in names.iter().enumerate() {
                let value = match row.get::<_, Value>(i)? {
                    Value::Null => serde_json::Value::Null,
                    Value::Integer(n) => n.into(),
                    Value::Real(x) => x.into(),
                    Value::Text(text) => text.into(),
                    Value::Blob(_) => panic!("{name} is a blob"),
                };
                object.insert(name.clone(), value);
            }
            Ok(serde_json::Value::Object(object))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn datasette_metadata_sets_facets_and_orders() {
    let (work, _db) = build(REVISION);
    let tables = &metadata(&work)["databases"]["test"]["tables"];
    let view = |table: &str| {
        let mut view = tables[table].as_object().expect(table).clone();
        view.remove("description");
        view.remove("columns");
        serde_json::Value::Object(view)
    };
    use serde_json::json;
    assert_eq!(view("profiles"), json!({"sort_desc": "updated"}));
    assert_eq!(view("entities"), json!({"facets": ["type"], "sort": "name"}));
    assert_eq!(view("organizations"), json!({"facets": ["kind"], "sort": "name"}));
    assert_eq!(view("systems"), json!({"facets": ["kind"], "sort": "name"}));
    assert_eq!(view("claims"), json!({"facets": ["kind"], "sort_desc": "updated"}));
    assert_eq!(
        view("contracts"),
        json!({"facets": ["currency", "status"], "sort_desc": "updated"})
    );
    assert_eq!(
        view("figures"),
        json!({"facets": ["metric", "currency", "status"], "sort_desc": "updated"})
    );
    assert_eq!(
        view("events"),
        json!({"facets": ["kind", "status"], "sort_desc": "updated"})
    );
    assert_eq!(
        view("relations"),
        json!({"facets": ["predicate", "status"], "sort_desc": "updated"})
    );
    assert_eq!(view("sources"), json!({"sort_desc": "updated"}));
    assert_eq!(view("citations"), json!({}));
    assert_eq!(view("changes"), json!({"facets": ["kind"], "sort_desc": "new_updated"}));
}

#[test]
fn canned_query_entity_gives_every_claim_naming_the_entity() {
    let (work, db) = two_revisions();
    let queries = &metadata(&work)["databases"]["test"]["queries"];
    assert_eq!(queries["entity"]["title"], "Everything about an entity");
    assert!(
        queries["entity"]["description"]
            .as_str()
            .expect("description")
            .contains("is buyer, supplier, provider, subject, object or attributed_to:"),
        "{}",
        queries["entity"]["description"]
    );
    let key = |kind: &str, updated: &str| {
        let sql = format!("SELECT key FROM claims WHERE kind = '{kind}' AND updated = '{updated}'");
        match values(&db, &sql).as_slice() {
            [Value::Text(key)] => key.clone(),
            other => panic!("{kind} {updated}: {other:?}"),
        }
    };
    use serde_json::json;
    let claim = |kind: &str, updated: &str, rest: serde_json::Value| {
        let key = key(kind, updated);
        let mut row = json!({
            "id": format!("acme/{updated}/{key}"),
            "key": key,
            "kind": kind,
            "profile": "acme",
            "updated": updated,
            "revision": format!("acme/{updated}"),
        });
        row.as_object_mut()
            .expect("object")
            .extend(rest.as_object().expect("object").clone());
        row
    };
    let report = json!([{"title": "Report"}]).to_string();
    let acme = canned(&work, &db, "entity", (":id", "acme"));
    assert_eq!(
        acme,
        [
            claim(
                "contract",
                "2020-01-01",
                json!({
                    "role": "supplier", "is_latest": 1, "status": "reported", "attributed_to": null,
                    "quote": null, "as_of": null, "as_of_from": null, "as_of_to": null, "description": null, "note": null,
                    "facts": json!({
                        "buyer": "agency", "supplier": "acme", "award_ids": [], "value": 9100000, "qualifier": "at_least",
                        "low": 9100000, "currency": "USD", "start": "2019-03", "start_from": "2019-03-01",
                        "start_to": "2019-03-31"
                    }).to_string(),
                    "sources": json!([
                        {"title": "Report"},
                        {"title": "Memo", "url": "https://example.org/memo"}
                    ]).to_string(),
                })
            ),
            claim(
                "event",
                "2020-01-01",
                json!({
                    "role": "subject", "is_latest": 1, "status": "reported", "attributed_to": "agency",
                    "quote": "We pitched.", "as_of": null, "as_of_from": null, "as_of_to": null, "description": "Pitch", "note": null,
                    "facts": json!({
                        "date": "2018-22", "date_from": "2018-06-01", "date_to": "2018-08-31", "subject": "acme"
                    }).to_string(),
                    "sources": report,
                })
            ),
            claim(
                "relation",
                "2020-01-01",
                json!({
                    "role": "subject", "is_latest": 1, "status": "reported", "attributed_to": null,
                    "quote": null, "as_of": null, "as_of_from": null, "as_of_to": null, "description": null, "note": null,
                    "facts": json!({"subject": "acme", "predicate": "hosts", "object": "db"}).to_string(),
                    "sources": report,
                })
            ),
            claim(
                "relation",
                "2019-06-01",
                json!({
                    "role": "subject", "is_latest": 0, "status": "reported", "attributed_to": null,
                    "quote": null, "as_of": null, "as_of_from": null, "as_of_to": null, "description": null, "note": null,
                    "facts": json!({"subject": "acme", "predicate": "hosts", "object": "db"}).to_string(),
                    "sources": json!([{"title": "Website", "url": "https://example.org/acme"}]).to_string(),
                })
            ),
        ]
    );
    // An entity named in two columns of one claim, and one named by none.
    let roles = |id: &str| -> Vec<(String, String)> {
        canned(&work, &db, "entity", (":id", id))
            .iter()
            .map(|row| {
                (
                    row["id"].as_str().expect("id").to_owned(),
                    row["role"].as_str().expect("role").to_owned(),
                )
            })
            .collect()
    };
    let id = |kind: &str, updated: &str| format!("acme/{updated}/{}", key(kind, updated));
    assert_eq!(
        roles("agency"),
        [
            (id("contract", "2020-01-01"), "buyer".to_owned()),
            (id("event", "2020-01-01"), "attributed_to".to_owned())
        ]
    );
    assert_eq!(
        roles("db"),
        [
            (id("figure", "2020-01-01"), "subject".to_owned()),
            (id("relation", "2020-01-01"), "object".to_owned()),
            (id("relation", "2019-06-01"), "object".to_owned())
        ]
    );
    assert_eq!(roles("nobody"), []);
}

#[test]
fn canned_query_changes_since_gives_the_changes_after_a_date_newest_first() {
    let (work, db) = two_revisions();
    // A third revision: the headquarters move.
    let newest = std::fs::read_to_string(work.path("input/profiles/acme/2020-01-01.yaml"))
        .expect("revision")
        .replace("updated: 2020-01-01", "updated: 2021-01-01")
        .replace("city: Springfield", "city: Shelbyville");
    work.write("profiles/acme/2021-01-01.yaml", newest.as_bytes());
    drop(db);
    let outcome = work.run(&["build", "--format", "sqlite"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let db = Connection::open(work.path("output/sqlite/test.sqlite")).expect("database");
    let queries = &metadata(&work)["databases"]["test"]["queries"];
    assert_eq!(queries["changes_since"]["title"], "What changed since a date");
    let key =
        |kind: &str| match values(&db, &format!("SELECT key FROM claims WHERE kind = '{kind}' LIMIT 1")).as_slice() {
            [Value::Text(key)] => key.clone(),
            other => panic!("{kind}: {other:?}"),
        };
    let changes = |date: &str| -> Vec<String> {
        canned(&work, &db, "changes_since", (":date", date))
            .iter()
            .map(|row| {
                let text = |column: &str| row[column].as_str().unwrap_or("-").to_owned();
                [
                    "old_updated",
                    "new_updated",
                    "revision",
                    "change",
                    "kind",
                    "key",
                    "field",
                    "old_value",
                    "new_value",
                ]
                .map(text)
                .join(" ")
            })
            .collect()
    };
    let newest_changes =
        ["2020-01-01 2021-01-01 acme/2021-01-01 changed profile acme headquarters.city Springfield Shelbyville"];
    let older_changes = [
        "2019-06-01 2020-01-01 acme/2020-01-01 changed profile acme headquarters.city - Springfield".to_owned(),
        "2019-06-01 2020-01-01 acme/2020-01-01 changed profile acme headquarters.country - US".to_owned(),
        "2019-06-01 2020-01-01 acme/2020-01-01 added organization agency - - Agency".to_owned(),
        "2019-06-01 2020-01-01 acme/2020-01-01 changed system db operator - agency".to_owned(),
        format!(
            "2019-06-01 2020-01-01 acme/2020-01-01 added contract {} - - agency → acme at least 9100000 USD from 2019-03",
            key("contract")
        ),
        format!(
            "2019-06-01 2020-01-01 acme/2020-01-01 added figure {} - - db records 350000–400000",
            key("figure")
        ),
        format!(
            "2019-06-01 2020-01-01 acme/2020-01-01 added event {} - - 2018-22 acme – Pitch",
            key("event")
        ),
    ];
    let mut every = newest_changes.map(str::to_owned).to_vec();
    every.extend(older_changes);
    assert_eq!(
        changes("2019-12-31"),
        every,
        "newest first, each revision's changes in the table's order"
    );
    assert_eq!(changes("2019-06-01"), every);
    assert_eq!(changes("2020-01-01"), newest_changes);
    assert_eq!(changes("2020-06"), newest_changes, "a month is compared as its text");
    assert_eq!(changes("2021-01-01"), Vec::<String>::new());
}
