"""The SQLite database holds the CSV's rows with declared types and keys, and Datasette serves it.

SQLite is read with Python's own sqlite3; Datasette is started on loopback only, with a bounded
wait, and always stopped.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from test_dataset import (
    OUTPUT,
    TABLES,
    columns,
    csv_escape,
    foreign_keys,
    package,
    parse_csv_cell,
    read_csv_text,
    resource,
    resources,
    rows_csv,
    sql_name,
)

DATASETTE = Path(sys.executable).parent / "datasette"
DECLARED_TYPES = {"string": "TEXT", "boolean": "INTEGER", "date": "TEXT", "number": "ANY", "array": "TEXT"}


def database_path() -> Path:
    return OUTPUT / resources()["database"]["path"]


@cache
def connection() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{database_path()}?mode=ro", uri=True, check_same_thread=False)


def significant_digits(value: Decimal) -> int:
    return len(format(abs(value), "f").replace(".", "").strip("0"))


def decode(column, value):
    """A SQLite value in the form the CSV cell is decoded to, checking how it is stored."""
    if value is None:
        return None
    if column.type == "boolean":
        assert value in (0, 1), (column.name, value)
        return bool(value)
    if column.type == "number":
        exact = Decimal(str(value))
        whole = exact == exact.to_integral_value() and abs(exact) < 2**63
        if whole:
            assert isinstance(value, int), (column.name, value)
        elif significant_digits(exact) <= 15:
            assert isinstance(value, float), (column.name, value)
        else:
            assert isinstance(value, str), (column.name, value)
        return exact
    assert isinstance(value, str), (column.name, value)
    if column.type == "date":
        return date.fromisoformat(value)
    if column.type == "array":
        return json.loads(value)
    return csv_escape(value)  # compared with the CSV, which guards would-be formulas


@pytest.mark.parametrize("table", TABLES)
def test_tables_declare_types_not_null_and_primary_keys(table):
    info = connection().execute(f"PRAGMA table_info({sql_name(table)})").fetchall()
    declared = columns(table)
    assert [row[1] for row in info] == [column.name for column in declared]
    for (_, name, kind, not_null, _, _), column in zip(info, declared):
        assert kind == DECLARED_TYPES[column.type], (name, kind)
        assert bool(not_null) == column.required, name
    key = sorted((row[5], row[1]) for row in info if row[5])
    assert [name for _, name in key] == resource(table, "csv")["schema"]["primaryKey"]


@pytest.mark.parametrize("table", TABLES)
def test_foreign_keys_are_declared_and_indexed(table):
    declared = sorted(
        (fk["fields"][0], fk["reference"]["resource"].removesuffix("-csv"), fk["reference"]["fields"][0])
        for fk in foreign_keys(table, "csv")
    )
    listed = connection().execute(f"PRAGMA foreign_key_list({sql_name(table)})").fetchall()
    assert sorted((row[3], row[2], row[4]) for row in listed) == declared
    indexed = set()
    for index in connection().execute(f"PRAGMA index_list({sql_name(table)})").fetchall():
        first = connection().execute(f"PRAGMA index_info({sql_name(index[1])})").fetchall()[0]
        indexed.add(first[2])
    for column, _, _ in declared:
        assert column in indexed, f"{table}.{column} has no index"


def test_foreign_key_check_is_clean():
    assert connection().execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection().execute("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.mark.parametrize("table", TABLES)
def test_database_equals_csv_cell_by_cell(table):
    declared = columns(table)
    names = ", ".join(sql_name(column.name) for column in declared)
    rows = connection().execute(f"SELECT {names} FROM {sql_name(table)} ORDER BY rowid").fetchall()
    header, *body = read_csv_text(table)
    assert len(rows) == len(body)
    for row, record in zip(rows, body):
        for column, value, text in zip(declared, row, record):
            assert decode(column, value) == parse_csv_cell(text, column), (table, record[0], column.name)


def test_decimals_sort_as_numbers():
    for table in TABLES:
        for column in columns(table):
            if column.type != "number":
                continue
            name = sql_name(column.name)
            got = connection().execute(
                f"SELECT {name} FROM {sql_name(table)} WHERE {name} IS NOT NULL ORDER BY {name}"
            ).fetchall()
            values = [Decimal(str(value)) for (value,) in got]
            assert values == sorted(values), (table, column.name)


def searchable_tables() -> list[str]:
    return [table for table in TABLES if any(c.name in ("name", "description") for c in columns(table))]


@pytest.mark.parametrize("table", searchable_tables())
def test_full_text_search_finds_rows_by_their_words(table):
    fts = sql_name(f"{table}_fts")
    column = next(c.name for c in columns(table) if c.name in ("name", "description"))
    rowid, text = connection().execute(
        f"SELECT rowid, {sql_name(column)} FROM {sql_name(table)} WHERE {sql_name(column)} IS NOT NULL LIMIT 1"
    ).fetchone()
    word = max(re.findall(r"[A-Za-z0-9]+", text), key=len)
    found = connection().execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?", (f'"{word}"',)).fetchall()
    assert (rowid,) in found, (table, word)


def test_datasette_metadata_describes_the_database():
    metadata = json.loads((OUTPUT / resources()["datasette-metadata"]["path"]).read_text(encoding="utf-8"))
    assert metadata["title"] == package()["title"]
    assert metadata["license"] == package()["licenses"][0]["name"]
    assert metadata["license_url"] == package()["licenses"][0]["path"]
    assert metadata["source"]
    tables = metadata["databases"][database_path().stem]["tables"]
    for table in TABLES:
        described = tables[table]["columns"]
        assert described == {column.name: column.description for column in columns(table)}, table


# ---------------------------------------------------------------------------------------------
# Datasette
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def datasette():
    """A Datasette serving the database read-only on 127.0.0.1; stopped whatever happens."""
    port = free_port()
    metadata = OUTPUT / resources()["datasette-metadata"]["path"]
    process = subprocess.Popen(
        [str(DATASETTE), "serve", "-i", str(database_path()), "--metadata", str(metadata),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.poll() is not None else ""
                    raise AssertionError(f"datasette did not start: {output}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_datasette_serves_every_table_row_for_row(datasette):
    name = urllib.parse.quote(database_path().stem)
    for table in TABLES:
        declared = columns(table)
        rows = get_json(f"{datasette}/{name}/{table}.json?_shape=array&_size=max")
        names = ", ".join(sql_name(column.name) for column in declared)
        expected = connection().execute(f"SELECT {names} FROM {sql_name(table)}").fetchall()
        key = resource(table, "csv")["schema"]["primaryKey"]
        index = [column.name for column in declared]
        by_key = lambda row: tuple(row[index.index(k)] for k in key)  # noqa: E731
        got = sorted((tuple(row[c.name] for c in declared) for row in rows), key=by_key)
        assert got == sorted(expected, key=by_key), table


def test_datasette_shows_the_license_source_and_searches(datasette):
    name = urllib.parse.quote(database_path().stem)
    metadata = get_json(f"{datasette}/-/metadata.json")
    assert metadata["license"] == package()["licenses"][0]["name"]
    assert metadata["source"]
    found = get_json(f"{datasette}/{name}/organizations.json?_search=Immigration&_shape=array")
    assert any("Immigration" in row["name"] for row in found), found


# ---------------------------------------------------------------------------------------------
# Datasette as a publication: facets, sorted views, canned queries
# ---------------------------------------------------------------------------------------------

# The columns the spec names as facets, wherever a table has them.
FACETED = ("kind", "type", "status", "predicate", "metric", "currency")


def database_metadata() -> dict:
    metadata = json.loads((OUTPUT / resources()["datasette-metadata"]["path"]).read_text(encoding="utf-8"))
    return metadata["databases"][database_path().stem]


def referenced_by(table: str, target: str) -> list[str]:
    """The columns of `table` that hold an id of `target`, in the table's order."""
    return [fk["fields"][0] for fk in foreign_keys(table, "csv") if fk["reference"]["resource"] == f"{target}-csv"]


def claim_tables() -> list[str]:
    """Tables whose `id` is a claim's id: contracts, figures, events, relations, and any added later."""
    return [table for table in TABLES if "id" in referenced_by(table, "claims")]


def faceted_tables() -> list[str]:
    return [table for table in TABLES if any(column.name in FACETED for column in columns(table))]


def test_datasette_metadata_sets_the_facets_the_spec_names():
    tables = database_metadata()["tables"]
    for table in TABLES:
        expected = [column.name for column in columns(table) if column.name in FACETED]
        assert tables[table].get("facets", []) == expected, table


def test_datasette_metadata_shows_claims_and_changes_newest_first():
    tables = database_metadata()["tables"]
    assert claim_tables(), "no claim table"
    for table in ["claims", *claim_tables()]:
        assert tables[table].get("sort_desc") == "updated", table
    assert tables["changes"].get("sort_desc") == "new_updated"


@pytest.mark.parametrize("table", faceted_tables())
def test_datasette_offers_the_facets_with_their_counts(datasette, table):
    name = urllib.parse.quote(database_path().stem)
    page = get_json(f"{datasette}/{name}/{urllib.parse.quote(table)}.json")
    facets = database_metadata()["tables"][table]["facets"]
    assert sorted(page["facet_results"]) == sorted(facets), table
    for column in facets:
        result = page["facet_results"][column]
        got = {row["value"]: row["count"] for row in result["results"]}
        expected = dict(connection().execute(
            f"SELECT {sql_name(column)}, count(*) FROM {sql_name(table)} "
            f"WHERE {sql_name(column)} IS NOT NULL GROUP BY 1"
        ).fetchall())
        if result["truncated"]:
            assert all(expected[value] == count for value, count in got.items()), (table, column)
        else:
            assert got == expected, (table, column)


@pytest.mark.parametrize("table", TABLES)
def test_datasette_serves_each_table_in_its_declared_order(datasette, table):
    """By the column of `sort` or `sort_desc`, else by primary key."""
    view = database_metadata()["tables"][table]
    order = [view.get("sort") or view.get("sort_desc")] if "sort" in view or "sort_desc" in view else None
    order = order or resource(table, "csv")["schema"]["primaryKey"]
    name = urllib.parse.quote(database_path().stem)
    page = get_json(f"{datasette}/{name}/{urllib.parse.quote(table)}.json?_shape=objects&_size=max")
    assert page["next"] is None, f"{table} has more rows than one page"
    shown = [tuple(row[column] for column in order) for row in page["rows"]]
    assert len(shown) == connection().execute(f"SELECT count(*) FROM {sql_name(table)}").fetchone()[0]
    assert shown == sorted(shown, reverse="sort_desc" in view), (table, order)


def test_datasette_canned_query_entity_gives_every_claim_about_aws(datasette):
    name = urllib.parse.quote(database_path().stem)
    found = get_json(f"{datasette}/{name}/entity.json?id=aws&_shape=array")
    # What the CSV files say: every claim naming aws in a column that references an entity.
    expected = {}
    for table in claim_tables():
        references = referenced_by(table, "entities")
        for row in rows_csv(table):
            roles = {column for column in references if row[column] == "aws"}
            if roles:
                expected[row["id"]] = roles
    assert expected, "the published dataset has claims about aws"
    assert {row["id"]: set(row["role"].split(", ")) for row in found} == expected
    assert len(found) == len(expected), "a claim once"
    days = [row["updated"] for row in found]
    assert days == sorted(days, reverse=True), "newest revision first"
    claims = {row["id"]: row for row in rows_csv("claims")}
    sources = {row["id"]: row for row in rows_csv("sources")}
    citations = rows_csv("citations")
    for row in found:
        claim = claims[row["id"]]
        assert (row["kind"], row["profile"], date.fromisoformat(row["updated"]), row["revision"]) == (
            claim["kind"], claim["profile"], claim["updated"], claim["revision"]
        ), row["id"]
        cited = [sources[c["source_id"]] for c in citations if c["claim_id"] == row["id"]]
        assert cited, row["id"]
        expected_sources = [
            {key: source[key] for key in ("title", "url") if source[key] is not None} for source in cited
        ]
        got_sources = [{key: csv_escape(value) for key, value in source.items()} for source in json.loads(row["sources"])]
        assert got_sources == expected_sources, row["id"]
        facts = json.loads(row["facts"])
        for role in expected[row["id"]]:
            assert facts.get(role, row.get(role)) == "aws", (row["id"], role)


def test_datasette_canned_query_changes_since_gives_the_changes_after_the_date(datasette):
    name = urllib.parse.quote(database_path().stem)
    found = get_json(f"{datasette}/{name}/changes_since.json?date=2019-12-31&_shape=array")
    after = [row for row in rows_csv("changes") if row["new_updated"] > date(2019, 12, 31)]
    newest_first = sorted(after, key=lambda row: row["new_updated"], reverse=True)  # stable: CSV order within a day
    assert newest_first, "the published dataset has changes after 2019-12-31"
    assert [row["id"] for row in found] == [row["id"] for row in newest_first]
    assert get_json(f"{datasette}/{name}/changes_since.json?date=2099-01-01&_shape=array") == []
