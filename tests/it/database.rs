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
