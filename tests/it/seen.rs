//! Seen when: every claim row has the days of the earliest and the latest revision of its profile
//! that make a claim with its key, and every organization, system and person the days of the
//! earliest and the latest revision, of any profile, that declares it; in CSV, in the database and
//! in the JSON documents.

use crate::support::{DATASET, Workdir};
use rusqlite::Connection;
use std::collections::BTreeMap;

/// Three revisions of `acme`: the contract `cloud` in the first and the third, the relation `acme
/// hosts db` in the first two, the event `launch` only in the third; `db` declared only in the
/// first (and referred to in the second); `agency` declared by `acme` from its second revision on.
const ACME_1: &str = "\
profile: acme
updated: 2019-01-01
name: Acme Corp
sources:
  - {id: site, title: Website}
systems:
  - {id: db, name: Database}
contracts:
  - {id: cloud, buyer: agency, supplier: acme, description: Cloud, sources: [site]}
relations:
  - {subject: acme, predicate: hosts, object: db, sources: [site]}
";

const ACME_2: &str = "\
profile: acme
updated: 2019-06-01
name: Acme Corp
sources:
  - {id: site, title: Website}
organizations:
  - {id: agency, name: Agency, kind: government_agency}
relations:
  - {subject: acme, predicate: hosts, object: db, sources: [site]}
";

const ACME_3: &str = "\
profile: acme
updated: 2020-01-01
name: Acme Corp
sources:
  - {id: site, title: Website}
organizations:
  - {id: agency, name: Agency}
contracts:
  - {id: cloud, buyer: agency, supplier: acme, description: Cloud, sources: [site]}
events:
  - {id: launch, date: 2019-11, subject: db, description: Launch, sources: [site]}
";

/// `beta` declares `agency` before `acme` does, and `acme` (adding its country) and a person after
/// `acme`'s latest revision.
const BETA_1: &str = "\
profile: beta
updated: 2018-03-01
name: Beta Inc
sources:
  - {id: memo, title: Memo}
organizations:
  - {id: agency, name: Agency, kind: government_agency, sources: [memo]}
";

const BETA_2: &str = "\
profile: beta
updated: 2021-02-01
name: Beta Inc
sources:
  - {id: memo, title: Memo}
organizations:
  - {id: acme, country: US}
people:
  - {id: jane-doe, name: Jane Doe}
";

fn built(formats: &str) -> Workdir {
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2019-01-01.yaml", ACME_1.as_bytes()),
        ("profiles/acme/2019-06-01.yaml", ACME_2.as_bytes()),
        ("profiles/acme/2020-01-01.yaml", ACME_3.as_bytes()),
        ("profiles/beta/2018-03-01.yaml", BETA_1.as_bytes()),
        ("profiles/beta/2021-02-01.yaml", BETA_2.as_bytes()),
    ]);
    let outcome = work.run(&["build", "--format", formats]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    work
}

/// The rows of the CSV table `table` of the output.
fn csv_rows(work: &Workdir, table: &str) -> Vec<BTreeMap<String, String>> {
    crate::support::csv_rows(&work.path(&format!("output/csv/{table}.csv")))
}

/// (`column`, first_seen, last_seen) of every row of a CSV table, sorted.
fn seen_csv(work: &Workdir, table: &str, column: &str) -> Vec<[String; 3]> {
    let mut rows: Vec<[String; 3]> = csv_rows(work, table)
        .into_iter()
        .map(|row| [row[column].clone(), row["first_seen"].clone(), row["last_seen"].clone()])
        .collect();
    rows.sort();
    rows
}

fn strings<const N: usize>(rows: &[[&str; N]]) -> Vec<[String; N]> {
    rows.iter().map(|row| row.map(str::to_owned)).collect()
}

/// What the claims say, the same in every format: (id, first_seen, last_seen) by table.
const CLAIMS_SEEN: [(&str, &[[&str; 3]]); 4] = [
    (
        "contracts",
        &[
            ["acme/2019-01-01/cloud", "2019-01-01", "2020-01-01"],
            ["acme/2020-01-01/cloud", "2019-01-01", "2020-01-01"],
        ],
    ),
    ("figures", &[]),
    ("events", &[["acme/2020-01-01/launch", "2020-01-01", "2020-01-01"]]),
    // Filled in by `relations_seen` (the key is a hash).
    ("relations", &[]),
];

/// The relation `acme hosts db`, in the first two revisions only.
fn relations_seen(key: &str) -> Vec<[String; 3]> {
    strings(&[
        [&format!("acme/2019-01-01/{key}"), "2019-01-01", "2019-06-01"],
        [&format!("acme/2019-06-01/{key}"), "2019-01-01", "2019-06-01"],
    ])
}

/// What the entities say: (id, first_seen, last_seen) by table.
const ENTITIES_SEEN: [(&str, &[[&str; 3]]); 3] = [
    (
        "organizations",
        &[
            // The profiled company is declared by each of its revisions, and by `beta`'s later one.
            ["acme", "2019-01-01", "2021-02-01"],
            // Declared in two profiles: first by `beta`, last by `acme`.
            ["agency", "2018-03-01", "2020-01-01"],
            ["beta", "2018-03-01", "2021-02-01"],
        ],
    ),
    // Referred to after its one declaration, which does not count.
    ("systems", &[["db", "2019-01-01", "2019-01-01"]]),
    ("people", &[["jane-doe", "2021-02-01", "2021-02-01"]]),
];

#[test]
fn csv_claims_and_entities_say_when_they_were_first_and_last_seen() {
    let work = built("csv");
    let relations = csv_rows(&work, "relations");
    let key = relations[0]["key"].clone();
    assert!(key.starts_with("relation:"), "{key}");
    for (table, expected) in CLAIMS_SEEN {
        let expected = match table {
            "relations" => relations_seen(&key),
            _ => strings(expected),
        };
        assert_eq!(seen_csv(&work, table, "id"), expected, "{table}");
    }
    for (table, expected) in ENTITIES_SEEN {
        assert_eq!(seen_csv(&work, table, "id"), strings(expected), "{table}");
    }
    // The columns close every claim table, after `as_of_to`, and follow an entity's description.
    let header = |table: &str| -> Vec<String> {
        let mut reader = csv::Reader::from_path(work.path(&format!("output/csv/{table}.csv"))).expect("csv");
        reader.headers().expect("headers").iter().map(str::to_owned).collect()
    };
    for table in ["contracts", "figures", "events", "relations"] {
        let header = header(table);
        assert_eq!(
            &header[header.len() - 3..],
            ["as_of_to", "first_seen", "last_seen"],
            "{table}"
        );
    }
    for table in ["organizations", "systems", "people"] {
        let header = header(table);
        assert_eq!(
            &header[header.len() - 4..],
            ["description", "first_seen", "last_seen", "source_ids"],
            "{table}"
        );
    }
}

#[test]
fn the_database_and_the_documents_say_the_same() {
    let work = built("sqlite,json");
    let db = Connection::open(work.path("output/sqlite/test.sqlite")).expect("database");
    let key: String = db
        .query_row("SELECT key FROM relations LIMIT 1", [], |row| row.get(0))
        .expect("a relation");
    let seen_sql = |table: &str| -> Vec<[String; 3]> {
        let sql = format!("SELECT id, first_seen, last_seen FROM {table} ORDER BY id");
        let mut statement = db.prepare(&sql).expect(&sql);
        statement
            .query_map([], |row| Ok([row.get(0)?, row.get(1)?, row.get(2)?]))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    for (table, expected) in CLAIMS_SEEN.iter().chain(&ENTITIES_SEEN) {
        let expected = match *table {
            "relations" => relations_seen(&key),
            _ => strings(expected),
        };
        assert_eq!(seen_sql(table), expected, "{table}");
        // Dates, never empty.
        let declared: Vec<(String, String, bool)> = db
            .prepare(&format!(
                "SELECT name, type, \"notnull\" FROM pragma_table_info('{table}') WHERE name LIKE '%_seen' ORDER BY cid"
            ))
            .expect("pragma")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            declared,
            [
                ("first_seen".to_owned(), "TEXT".to_owned(), true),
                ("last_seen".to_owned(), "TEXT".to_owned(), true)
            ],
            "{table}"
        );
    }

    // Each document's claims and entities carry the same days.
    let text = std::fs::read_to_string(work.path("output/json/profiles.jsonl")).expect("documents");
    let mut claims: BTreeMap<String, Vec<[String; 3]>> = BTreeMap::new();
    let mut entities: BTreeMap<String, Vec<[String; 3]>> = BTreeMap::new();
    for line in text.lines() {
        let document: serde_json::Value = serde_json::from_str(line).expect("a document");
        let revision = document["id"].as_str().expect("id");
        let member = |row: &serde_json::Value, name: &str| row[name].as_str().expect(name).to_owned();
        for (table, _) in CLAIMS_SEEN {
            for row in document[table].as_array().expect(table) {
                claims.entry(table.to_owned()).or_default().push([
                    format!("{revision}/{}", member(row, "key")),
                    member(row, "first_seen"),
                    member(row, "last_seen"),
                ]);
            }
        }
        for (table, _) in ENTITIES_SEEN {
            for row in document[table].as_array().expect(table) {
                let seen = [member(row, "id"), member(row, "first_seen"), member(row, "last_seen")];
                let rows = entities.entry(table.to_owned()).or_default();
                if !rows.contains(&seen) {
                    rows.push(seen);
                }
            }
        }
    }
    for (table, expected) in CLAIMS_SEEN {
        let expected = match table {
            "relations" => relations_seen(&key),
            _ => strings(expected),
        };
        let mut found = claims.remove(table).unwrap_or_default();
        found.sort();
        assert_eq!(found, expected, "{table} in the documents");
    }
    for (table, expected) in ENTITIES_SEEN {
        let mut found = entities.remove(table).unwrap_or_default();
        found.sort();
        assert_eq!(found, strings(expected), "{table} in the documents");
    }
}
