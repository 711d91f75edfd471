//! What Datasette offers beyond the tables themselves: per table, the facets and the order of its
//! rows; for the database, the canned queries `entity` (everything the dataset claims about an
//! entity) and `changes_since` (what changed after a date). All of it is generated from the table
//! definitions, so a column added later (a new reference, a new faceted or searched column) is
//! covered without touching this file.

use crate::tables::{ClaimHead, Column, ColumnType, Order, Table, describe};
use serde_json::{Map, Value, json};

/// The table every claim table's `id` points to, with a claim's kind and revision.
const CLAIMS: &str = "claims";
/// The table every entity reference points to.
const ENTITIES: &str = "entities";
/// The table of cited documents.
const SOURCES: &str = "sources";
/// The table of what changed between revisions.
const CHANGES: &str = "changes";
/// The column of `changes` that dates a change: the day of the newer revision.
const CHANGED_ON: &str = "new_updated";
/// What the `entity` query shows of each source a claim cites.
const SOURCE_COLUMNS: [&str; 2] = ["title", "url"];

/// The Datasette metadata of a table beyond its descriptions: `facets` (its faceted columns) and
/// `sort` or `sort_desc` (the order of its rows), each only when the table has one.
pub fn table_view(table: &Table) -> Map<String, Value> {
    let mut view = Map::new();
    let facets: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.facet)
        .map(|c| c.name.as_str())
        .collect();
    if !facets.is_empty() {
        view.insert("facets".into(), json!(facets));
    }
    match table.order {
        Order::Key => {}
        Order::Ascending(column) => {
            view.insert("sort".into(), column.into());
        }
        Order::Descending(column) => {
            view.insert("sort_desc".into(), column.into());
        }
    }
    view
}

/// The canned queries of the database, by name: each with its title, description and SQL (whose
/// `:name` words are the parameters Datasette asks for). A query whose tables the dataset lacks is
/// left out.
pub fn queries(tables: &[Table]) -> Map<String, Value> {
    let mut queries = Map::new();
    if let Some(query) = entity_query(tables) {
        queries.insert("entity".into(), query);
    }
    if let Some(query) = changes_since_query(tables) {
        queries.insert("changes_since".into(), query);
    }
    queries
}

/// A quoted SQL identifier.
fn name(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A quoted SQL text literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The table `table_name`, if the dataset has it.
fn table<'a>(tables: &'a [Table], table_name: &str) -> Option<&'a Table> {
    tables.iter().find(|t| t.name == table_name)
}

/// The columns of `table` that hold an id of `target`.
fn references<'a>(table: &'a Table, target: &str) -> Vec<&'a Column> {
    table
        .columns
        .iter()
        .filter(|c| c.references.as_deref() == Some(target))
        .collect()
}

/// A column as a member of a JSON object: lists as JSON arrays and booleans as `true`/`false`, not
/// as the text and the 0 or 1 the database stores.
fn json_member(column: &Column) -> String {
    let quoted = name(&column.name);
    let value = match column.column_type {
        ColumnType::TextList => format!("json({quoted})"),
        ColumnType::Boolean => format!("CASE {quoted} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END"),
        ColumnType::Text | ColumnType::Date | ColumnType::Decimal => quoted,
    };
    format!("{}, {value}", literal(&column.name))
}

/// A JSON object of columns, the empty ones left out (`json_patch` drops members whose value is
/// null), so that a claim shows what it says and nothing else.
fn json_object(columns: &[&Column]) -> String {
    let members: Vec<String> = columns.iter().map(|c| json_member(c)).collect();
    format!("json_patch('{{}}', json_object({}))", members.join(", "))
}

/// `entity`: every claim in which `:id` is in a column that references an entity (subject, object,
/// buyer, supplier, attributed_to, ... in whichever claim table has them), newest revision first,
/// one row a claim with
/// - every column of `claims` (the claim's id, key, kind, profile, day and revision);
/// - `role`: the columns that hold `:id`, e.g. `subject, attributed_to`;
/// - the columns every claim table has (whether it is in the latest revision, its status, quote);
/// - the searched text of any claim table (description, note), empty where a table has none;
/// - `facts`: the rest of what the claim says, as a JSON object of its non-empty columns;
/// - `sources`: the title and address of every source it cites, as a JSON array in citation order.
///
/// A claim table is a table whose `id` is a claim's id; its rows are joined to `claims` for the
/// claim's kind and revision. None when the dataset has no claims, sources or citations.
fn entity_query(tables: &[Table]) -> Option<Value> {
    let claims = table(tables, CLAIMS)?;
    let sources = table(tables, SOURCES)?;
    if SOURCE_COLUMNS.iter().any(|c| sources.column(c).is_none()) {
        return None;
    }
    // The link table: a table (not a claim table) that holds a claim's id and a source's id.
    let citations = tables.iter().find(|t| {
        t.column("id").is_none() && !references(t, CLAIMS).is_empty() && !references(t, SOURCES).is_empty()
    })?;
    let cited_claim = references(citations, CLAIMS)[0].name.as_str();
    let cited_source = references(citations, SOURCES)[0].name.as_str();
    let claim_tables: Vec<&Table> = tables
        .iter()
        .filter(|t| t.column("id").and_then(|c| c.references.as_deref()) == Some(CLAIMS))
        .filter(|t| !references(t, ENTITIES).is_empty())
        .collect();
    let first = claim_tables.first()?;
    // The columns that open every claim table (id, key, profile, day, is_latest): the row of
    // `claims` gives the claim's own; a claim table's column of another name, or of the same name
    // but its own meaning (an event's `kind`), is part of what it says.
    let (_, head) = describe::<ClaimHead>();
    let in_head = |column: &str| head.iter().any(|c| c.name == column);
    let shared: Vec<&str> = first
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|c| claims.column(c).is_none() && claim_tables.iter().all(|t| t.column(c).is_some()))
        .collect();
    let mut texts: Vec<&str> = Vec::new();
    for column in claim_tables.iter().flat_map(|t| &t.columns) {
        let column_name = column.name.as_str();
        if column.search && !in_head(column_name) && !shared.contains(&column_name) && !texts.contains(&column_name) {
            texts.push(column_name);
        }
    }
    let mut roles: Vec<&str> = Vec::new();
    let mut branches: Vec<String> = Vec::new();
    for claim_table in &claim_tables {
        let referring = references(claim_table, ENTITIES);
        for column in &referring {
            if !roles.contains(&column.name.as_str()) {
                roles.push(&column.name);
            }
        }
        let role: Vec<String> = referring
            .iter()
            .map(|c| {
                let role = literal(&format!(", {}", c.name));
                format!("CASE WHEN {} = :id THEN {role} ELSE '' END", name(&c.name))
            })
            .collect();
        // `substr(..., 3)` drops the first ", ".
        let mut selected = vec![name("id"), format!("substr({}, 3) AS \"role\"", role.join(" || "))];
        selected.extend(shared.iter().map(|c| name(c)));
        selected.extend(texts.iter().map(|c| match claim_table.column(c) {
            Some(_) => name(c),
            None => format!("NULL AS {}", name(c)),
        }));
        let facts: Vec<&Column> = claim_table
            .columns
            .iter()
            .filter(|c| {
                let column_name = c.name.as_str();
                !in_head(column_name) && !shared.contains(&column_name) && !texts.contains(&column_name)
            })
            .collect();
        selected.push(format!("{} AS \"facts\"", json_object(&facts)));
        let matched: Vec<String> = referring.iter().map(|c| format!("{} = :id", name(&c.name))).collect();
        branches.push(format!(
            "  SELECT {}\n  FROM {}\n  WHERE {}",
            selected.join(", "),
            name(claim_table.name),
            matched.join(" OR ")
        ));
    }
    // The columns every claim table has (`attributed_to`) are named last.
    roles.sort_by_key(|role| shared.contains(role));
    let mut columns: Vec<String> = claims
        .columns
        .iter()
        .map(|c| format!("{}.{}", name(CLAIMS), name(&c.name)))
        .collect();
    columns.push("\"found\".\"role\"".into());
    columns.extend(
        shared
            .iter()
            .chain(&texts)
            .chain(&["facts"])
            .map(|c| format!("\"found\".{}", name(c))),
    );
    let cited: Vec<String> = SOURCE_COLUMNS
        .iter()
        .map(|c| format!("{}, {}", literal(c), name(c)))
        .collect();
    let picked: Vec<String> = SOURCE_COLUMNS
        .iter()
        .map(|c| format!("{}.{}", name(SOURCES), name(c)))
        .collect();
    // The sources in the order the claim cites them (the rows of the link table), which the
    // aggregate keeps because it reads an ordered subquery.
    columns.push(format!(
        "(SELECT json_group_array(json_patch('{{}}', json_object({cited}))) FROM (\n    SELECT {picked} FROM {link} JOIN {sources} ON {sources}.\"id\" = {link}.{source}\n    WHERE {link}.{claim} = {claims}.\"id\" ORDER BY {link}.rowid\n  )) AS \"sources\"",
        cited = cited.join(", "),
        picked = picked.join(", "),
        link = name(citations.name),
        sources = name(SOURCES),
        source = name(cited_source),
        claim = name(cited_claim),
        claims = name(CLAIMS),
    ));
    let sql = format!(
        "SELECT {}\nFROM (\n{}\n) AS \"found\"\nJOIN {claims} ON {claims}.\"id\" = \"found\".\"id\"\nORDER BY {claims}.\"updated\" DESC, {claims}.rowid",
        columns.join(",\n  "),
        branches.join("\n  UNION ALL\n"),
        claims = name(CLAIMS),
    );
    Some(json!({
        "title": "Everything about an entity",
        "description": format!(
            "Every claim in which the entity `id` (an id of `{ENTITIES}`, e.g. a profile's slug) is {}: newest revision first, with the claim's kind, revision, role (the columns that name the entity), text, the rest of what it says (`facts`, as JSON) and the title and address of every source it cites (`sources`, as JSON).",
            either(&roles)
        ),
        "sql": sql,
    }))
}

/// `a`, `a or b`, `a, b or c`.
fn either(words: &[&str]) -> String {
    match words.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `changes_since`: every row of `changes` whose newer revision was updated after `:date`, newest
/// first, in the table's own order within a day. None when the dataset has no such table.
fn changes_since_query(tables: &[Table]) -> Option<Value> {
    let changes = table(tables, CHANGES)?;
    changes.column(CHANGED_ON)?;
    let columns: Vec<String> = changes.columns.iter().map(|c| name(&c.name)).collect();
    let sql = format!(
        "SELECT {}\nFROM {}\nWHERE {on} > :date\nORDER BY {on} DESC, rowid",
        columns.join(", "),
        name(changes.name),
        on = name(CHANGED_ON),
    );
    Some(json!({
        "title": "What changed since a date",
        "description": format!(
            "Every fact added, removed or changed in a revision updated after `date` (YYYY-MM-DD), newest first: the rows of `{CHANGES}` whose `{CHANGED_ON}` is after it."
        ),
        "sql": sql,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// Every table, with `reseller` (an entity reference no claim table has) added to contracts.
    fn tables_with_reseller() -> Vec<Table> {
        let mut tables = crate::tables::all();
        let contracts = tables.iter_mut().find(|t| t.name == "contracts").expect("contracts");
        let mut reseller = contracts.column("supplier").expect("supplier").clone();
        reseller.name = "reseller".into();
        contracts.columns.push(reseller);
        tables
    }

    #[test]
    fn a_reference_added_later_is_searched_without_touching_the_query() {
        let tables = tables_with_reseller();
        let db = Connection::open_in_memory().expect("database");
        for table in &tables {
            db.execute(&super::super::create_table(table), []).expect(table.name);
        }
        db.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO claims VALUES ('acme/2020-01-01/c', 'c', 'contract', 'acme', '2020-01-01', 'acme/2020-01-01');
             INSERT INTO contracts (id, key, profile, updated, is_latest, buyer, reseller, status, award_ids)
             VALUES ('acme/2020-01-01/c', 'c', 'acme', '2020-01-01', 1, 'agency', 'cloud', 'reported', '[]');",
        )
        .expect("rows");
        let query = &queries(&tables)["entity"];
        let description = query["description"].as_str().expect("description");
        assert!(
            description.contains("is buyer, supplier, provider, reseller, subject, object or attributed_to:"),
            "{description}"
        );
        let sql = query["sql"].as_str().expect("sql");
        let found: Vec<(String, String, String)> = db
            .prepare(sql)
            .expect(sql)
            .query_map(&[(":id", "cloud")], |row| {
                Ok((row.get("id")?, row.get("role")?, row.get("facts")?))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            found,
            [(
                "acme/2020-01-01/c".to_owned(),
                "reseller".to_owned(),
                r#"{"buyer":"agency","award_ids":[],"reseller":"cloud"}"#.to_owned()
            )]
        );
    }

    #[test]
    fn queries_whose_tables_are_missing_are_left_out() {
        let tables: Vec<Table> = crate::tables::all()
            .into_iter()
            .filter(|t| t.name != "citations" && t.name != "changes")
            .collect();
        assert!(queries(&tables).is_empty());
        let names: Vec<String> = queries(&crate::tables::all()).keys().cloned().collect();
        assert_eq!(names, ["entity", "changes_since"]);
    }

    #[test]
    fn a_table_view_names_its_facets_and_order() {
        let tables = crate::tables::all();
        let view = |name: &str| Value::Object(table_view(tables.iter().find(|t| t.name == name).expect(name)));
        assert_eq!(
            view("relations"),
            json!({"facets": ["predicate", "status"], "sort_desc": "updated"})
        );
        assert_eq!(view("entities"), json!({"facets": ["type"], "sort": "name"}));
        assert_eq!(view("citations"), json!({}));
    }

    #[test]
    fn either_lists_words() {
        assert_eq!(either(&[]), "");
        assert_eq!(either(&["a"]), "a");
        assert_eq!(either(&["a", "b", "c"]), "a, b or c");
    }
}
