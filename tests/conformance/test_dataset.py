"""Third-party conformance tests for the dataset written by `profile-export build`.

These tests read the published files with the tools data users actually use (pyarrow, pandas,
polars, DuckDB, frictionless, jsonschema) and check that every reader sees the types, the values
and the guarantees that `datapackage.json` and `README.md` promise. They never call the Rust
tool: they judge only what it wrote.

The output folder comes from the environment variable PROFILE_EXPORT_OUTPUT (default:
`<repo>/output`); the JSON schemas from `<repo>/schema`.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Callable

import duckdb
import pandas as pd
import polars as pl
import polars.testing
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from jsonschema import Draft202012Validator

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(os.environ.get("PROFILE_EXPORT_OUTPUT", REPO_ROOT / "output")).resolve()
SCHEMA_DIR = REPO_ROOT / "schema"
FRICTIONLESS = Path(sys.executable).parent / "frictionless"

# The tables the spec requires; the package may declare more (tests then cover those too).
REQUIRED_TABLES = (
    "profiles",
    "entities",
    "organizations",
    "systems",
    "claims",
    "contracts",
    "figures",
    "events",
    "relations",
    "sources",
    "citations",
)
# Tables nested in json/profiles.jsonl as rows (`profiles` being the documents themselves).
# organizations and systems are embedded too, but as merged entities; tested separately.
REQUIRED_JSON_TABLES = ("profiles", "sources", "contracts", "figures", "events", "relations")
MERGED_JSON_TABLES = ("organizations", "systems", "people")


def read_documents() -> list[dict[str, Any]]:
    """json/profiles.jsonl: one JSON document a line, every line ending in a newline."""
    text = (OUTPUT / "json" / "profiles.jsonl").read_text(encoding="utf-8")
    assert text.endswith("\n"), "the last line ends in a newline"
    return [json.loads(line) for line in text.split("\n")[:-1]]


def discover_tables() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tables to parametrize over: those the package declares, plus any required table it
    lacks (whose tests then fail), and likewise for the tables nested in the JSON documents.

    If the files cannot be read, fall back to the required tables so every test fails with the
    reason instead of pytest collecting nothing.
    """
    try:
        descriptor = json.loads((OUTPUT / "datapackage.json").read_text(encoding="utf-8"))
        names = [entry["name"] for entry in descriptor["resources"]]
        declared = [name.removesuffix("-csv") for name in names if name.endswith("-csv")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        declared = []
    tables = tuple(declared) + tuple(t for t in REQUIRED_TABLES if t not in declared)
    try:
        documents = read_documents()
        nested = {key for document in documents for key, value in document.items()
                  if isinstance(value, list)}
    except (OSError, ValueError, AttributeError):
        nested = set()
    known = REQUIRED_JSON_TABLES + MERGED_JSON_TABLES
    return tables, REQUIRED_JSON_TABLES + tuple(t for t in tables if t in nested and t not in known)


TABLES, JSON_TABLES = discover_tables()
FORMATS = ("csv", "parquet")
DECLARED_TYPES = ("string", "boolean", "date", "number", "array")

LATEST_REVISION_DAY = date(2020, 11, 19)

# The formula rule: a text cell that, after leading spaces and invisible characters (BOM,
# zero-width and no-break spaces), starts with = + - @ tab or CR or their full-width forms, and is
# not a number (optional sign, digits with an optional fraction, at least one digit, optional
# exponent), gets a leading `'` in CSV. The patterns are shared by the Python, polars and DuckDB checks.
INVISIBLE_PREFIX = "[ \ufeff\u200b\u200c\u200d\u2060\u00a0\u202f\u3000]*"
FORMULA_START_PATTERN = "^" + INVISIBLE_PREFIX + "[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]"
NUMBER_PATTERN = "^" + INVISIBLE_PREFIX + r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
FORMULA_START = re.compile(FORMULA_START_PATTERN)
NUMBER = re.compile(NUMBER_PATTERN)
# How decimals must look in CSV: plain digits, never an exponent.
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# ---------------------------------------------------------------------------------------------
# The declared contract: datapackage.json
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as declared in the CSV resource: string, boolean, date, number or array
    required: bool
    description: str


@cache
def package() -> dict[str, Any]:
    return json.loads((OUTPUT / "datapackage.json").read_text(encoding="utf-8"))


@cache
def resources() -> dict[str, dict[str, Any]]:
    return {resource["name"]: resource for resource in package()["resources"]}


def resource(table: str, fmt: str) -> dict[str, Any]:
    return resources()[f"{table}-{fmt}"]


def path_of(table: str, fmt: str) -> Path:
    return OUTPUT / resource(table, fmt)["path"]


@cache
def columns(table: str) -> tuple[Column, ...]:
    """The declared columns of a table, typed as the CSV resource declares them.

    The Parquet resource declares lists as `any` (frictionless reads Parquet lists as numpy
    arrays); `test_csv_and_parquet_resources_declare_the_same_table` checks it agrees otherwise.
    """
    return tuple(
        Column(
            name=field["name"],
            type=field["type"],
            required=field.get("constraints", {}).get("required", False),
            description=field["description"],
        )
        for field in resource(table, "csv")["schema"]["fields"]
    )


def columns_of_type(table: str, *types: str) -> list[str]:
    return [column.name for column in columns(table) if column.type in types]


def tables_with(column: str) -> list[str]:
    return [table for table in TABLES if any(c.name == column for c in columns(table))]


# ---------------------------------------------------------------------------------------------
# Reading CSV cells and escaping text the way the spec says CSV escapes it
# ---------------------------------------------------------------------------------------------


def csv_escape(text: str) -> str:
    """What the spec says a text value looks like in CSV: a would-be formula gets a leading `'`."""
    if FORMULA_START.match(text) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def parse_csv_cell(cell: str, column: Column) -> Any:
    """Turns a CSV cell into the Python value the spec says it encodes, rejecting any other form.

    Text stays as written (still carrying a formula prefix, if any).
    """
    if cell == "":
        return None
    if column.type == "string":
        return cell
    if column.type == "boolean":
        assert cell in ("true", "false"), f"{column.name}: boolean cell {cell!r}"
        return cell == "true"
    if column.type == "date":
        assert ISO_DATE.fullmatch(cell), f"{column.name}: date cell {cell!r}"
        return date.fromisoformat(cell)
    if column.type == "number":
        assert PLAIN_DECIMAL.fullmatch(cell), f"{column.name}: decimal cell {cell!r}"
        return Decimal(cell)
    if column.type == "array":
        items = json.loads(cell)
        assert isinstance(items, list), f"{column.name}: list cell {cell!r}"
        assert all(isinstance(item, str) for item in items), f"{column.name}: list cell {cell!r}"
        return items
    raise AssertionError(f"{column.name}: undeclared type {column.type!r}")


def read_csv_text(table: str) -> list[list[str]]:
    """The CSV as rows of cells (header first), read with Python's own csv module."""
    with path_of(table, "csv").open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def first_mismatches(actual: list, expected: list, ids: list, limit: int = 5) -> list:
    return [
        (row_id, got, want) for row_id, got, want in zip(ids, actual, expected) if got != want
    ][:limit]


# ---------------------------------------------------------------------------------------------
# Rows as each reader sees them (Parquet through pandas, polars and DuckDB; CSV; JSON)
# ---------------------------------------------------------------------------------------------


def na_to_none(value: Any) -> Any:
    return None if value is pd.NA else value


def rows_pandas(table: str) -> list[dict[str, Any]]:
    frame = pd.read_parquet(path_of(table, "parquet"), dtype_backend="pyarrow")
    values = {name: [na_to_none(v) for v in frame[name].tolist()] for name in frame.columns}
    return [dict(zip(values, row)) for row in zip(*values.values())]


def rows_polars(table: str) -> list[dict[str, Any]]:
    return pl.read_parquet(path_of(table, "parquet")).to_dicts()


def rows_duckdb(table: str) -> list[dict[str, Any]]:
    relation = duckdb.connect().execute(
        f"SELECT * FROM read_parquet({sql_string(path_of(table, 'parquet'))})"
    )
    names = [description[0] for description in relation.description]
    return [dict(zip(names, row)) for row in relation.fetchall()]


def rows_csv(table: str) -> list[dict[str, Any]]:
    header, *body = read_csv_text(table)
    by_name = {column.name: column for column in columns(table)}
    return [
        {name: parse_csv_cell(cell, by_name[name]) for name, cell in zip(header, row)}
        for row in body
    ]


@cache
def profile_documents() -> tuple[dict[str, Any], ...]:
    return tuple(read_documents())


def from_json_value(value: Any, column: Column) -> Any:
    """Turns a JSON value into the Python value of its declared type; decimals must be strings."""
    if value is None:
        return None
    expected = {"string": str, "boolean": bool, "date": str, "number": str, "array": list}
    assert isinstance(value, expected[column.type]), f"{column.name}: JSON value {value!r}"
    if column.type == "date":
        return date.fromisoformat(value)
    if column.type == "number":
        return Decimal(value)
    return value


def rows_json(table: str) -> list[dict[str, Any]]:
    """The rows of a table found in json/profiles.jsonl: the documents themselves for `profiles`,
    the nested lists for the other tables. A nested row holds what its revision curates: the
    columns its document holds once (profile, updated, is_latest, the revision's id) are added
    back, ids are rebuilt from the document's id and the local key, and a member left out is
    empty. Claims keep their cited `sources` out of the row; embedded entities theirs too (the
    table's `source_ids` are dataset-wide)."""
    names = [column.name for column in columns(table)]
    by_name = {column.name: column for column in columns(table)}
    nested = []
    for document in profile_documents():
        revision = {"profile": document["profile"], "updated": document["updated"]}
        if table == "profiles":
            nested.append(dict(document))
        elif table == "sources":
            nested.extend(
                {**row, **revision, "id": f"{document['id']}/{row['local_id']}", "revision": document["id"]}
                for row in document[table]
            )
        elif table == "identifiers":
            # Each embedded entity carries its identifiers; an entity is embedded in every
            # document that names it, so its identifiers are taken once.
            for kind in MERGED_JSON_TABLES:
                for entity in document[kind]:
                    for identifier in entity["identifiers"]:
                        row = {**identifier, "entity_id": entity["id"]}
                        if row not in nested:
                            nested.append(row)
        elif table in MERGED_JSON_TABLES:
            nested.extend(
                {**row, "source_ids": [f"{document['id']}/{source}" for source in row["sources"]]}
                for row in document[table]
            )
        else:
            nested.extend(
                {**row, **revision, "id": f"{document['id']}/{row['key']}", "is_latest": document["is_latest"]}
                for row in document[table]
            )
    return [{name: from_json_value(row.get(name), by_name[name]) for name in names} for row in nested]


READERS: dict[str, Callable[[str], list[dict[str, Any]]]] = {
    "pandas": rows_pandas,
    "polars": rows_polars,
    "duckdb": rows_duckdb,
    "csv": rows_csv,
    "json": rows_json,
}
# The files that hold every table at once, typed `file` (frictionless checks their bytes and hash).
WHOLE_DATASET_RESOURCES = ("workbook", "database", "datasette-metadata")
RESOURCE_NAMES = [f"{table}-{fmt}" for table in TABLES for fmt in FORMATS] + [
    "profiles-jsonl",
    *WHOLE_DATASET_RESOURCES,
]


def sql_string(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# The package itself
# ---------------------------------------------------------------------------------------------


def test_package_lists_every_table_in_every_format():
    """Users find files through datapackage.json; every required table must be there in both
    formats, and every declared table must come in both formats."""
    assert set(REQUIRED_TABLES) <= set(TABLES)
    assert set(resources()) == set(RESOURCE_NAMES)
    for table in TABLES:
        assert resource(table, "csv")["path"] == f"csv/{table}.csv"
        assert resource(table, "parquet")["path"] == f"parquet/{table}.parquet"
    assert resources()["profiles-jsonl"]["path"] == "json/profiles.jsonl"
    name = package()["name"]
    assert resources()["workbook"]["path"] == f"xlsx/{name}.xlsx"
    assert resources()["database"]["path"] == f"sqlite/{name}.sqlite"
    assert resources()["datasette-metadata"]["path"] == f"sqlite/{name}.metadata.json"
    for whole in WHOLE_DATASET_RESOURCES:
        assert resources()[whole]["type"] == "file", whole


@pytest.mark.parametrize("table", TABLES)
def test_csv_and_parquet_resources_declare_the_same_table(table):
    """Both formats hold the same rows, so their Table Schemas may differ only where frictionless
    forces it: lists are `array` in CSV and `any` in Parquet; keys point to the same format."""
    csv_schema = resource(table, "csv")["schema"]
    parquet_schema = resource(table, "parquet")["schema"]
    for column in columns(table):
        assert column.type in DECLARED_TYPES, (column.name, column.type)
        assert column.description.strip(), f"{column.name} has no description"
    as_parquet = copy.deepcopy(csv_schema)
    for field in as_parquet["fields"]:
        if field["type"] == "array":
            field["type"] = "any"
    for foreign_key in as_parquet.get("foreignKeys", []):
        parent = foreign_key["reference"]["resource"]
        assert parent.endswith("-csv"), f"CSV resource {table} references {parent}"
        foreign_key["reference"]["resource"] = parent.removesuffix("-csv") + "-parquet"
    assert parquet_schema == as_parquet


# ---------------------------------------------------------------------------------------------
# 1. pyarrow: physical schema, metadata, compression, statistics
# ---------------------------------------------------------------------------------------------


def arrow_type_matches(actual: pa.DataType, declared: str) -> bool:
    if declared == "array":
        return pa.types.is_list(actual) and actual.value_type == pa.string()
    return actual == {
        "string": pa.string(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "number": pa.decimal128(38, 9),
    }[declared]


@pytest.mark.parametrize("table", TABLES)
def test_parquet_schema_matches_declared_table_schema(table):
    """Arrow types, order, nullability and descriptions are what typed readers rely on; a column
    written as float or nullable by mistake would silently change every downstream analysis."""
    schema = pq.read_schema(path_of(table, "parquet"))
    declared = columns(table)
    assert schema.names == [column.name for column in declared]
    for column in declared:
        field = schema.field(column.name)
        assert arrow_type_matches(field.type, column.type), (column.name, str(field.type))
        assert field.nullable == (not column.required), (column.name, field.nullable)
        metadata = field.metadata or {}
        assert metadata.get(b"description", b"").decode("utf-8") == column.description, column.name


@pytest.mark.parametrize("table", TABLES)
def test_parquet_is_zstd_compressed_with_statistics(table):
    """ZSTD keeps files small and statistics let query engines skip row groups."""
    metadata = pq.ParquetFile(path_of(table, "parquet")).metadata
    assert metadata.num_row_groups >= 1
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            where = (group, chunk.path_in_schema)
            assert chunk.compression == "ZSTD", (where, chunk.compression)
            assert chunk.is_stats_set, where
            assert chunk.statistics is not None and chunk.statistics.has_null_count, where


@pytest.mark.parametrize("table", TABLES)
def test_parquet_has_the_csv_rows_and_no_nulls_in_required_columns(table):
    """Both formats must carry the same number of rows; a required column must hold no nulls even
    where the Arrow schema does not enforce it."""
    parquet = pq.read_table(path_of(table, "parquet"))
    header, *body = read_csv_text(table)
    assert parquet.num_rows == len(body)
    for column in columns(table):
        if column.required:
            assert parquet.column(column.name).null_count == 0, column.name


# ---------------------------------------------------------------------------------------------
# 2. pandas
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_pandas_reads_parquet_with_declared_arrow_dtypes(table):
    """pandas users get exact decimals, real dates and lists only if the dtypes come through."""
    frame = pd.read_parquet(path_of(table, "parquet"), dtype_backend="pyarrow")
    assert list(frame.columns) == [column.name for column in columns(table)]
    for column in columns(table):
        dtype = frame[column.name].dtype
        assert isinstance(dtype, pd.ArrowDtype), (column.name, dtype)
        assert arrow_type_matches(dtype.pyarrow_dtype, column.type), (column.name, dtype)


PYTHON_TYPES = {"string": str, "boolean": bool, "date": date, "number": Decimal, "array": list}


@pytest.mark.parametrize("table", TABLES)
def test_pandas_csv_equals_parquet_cell_by_cell(table):
    """The CSV must encode exactly the Parquet data: same header, same rows, same values once
    each cell is decoded by its declared type (text compared with the formula escape applied)."""
    parquet = pd.read_parquet(path_of(table, "parquet"), dtype_backend="pyarrow")
    text = pd.read_csv(path_of(table, "csv"), dtype=str, keep_default_na=False)
    assert list(text.columns) == [column.name for column in columns(table)]
    assert len(text) == len(parquet)
    key = resource(table, "csv")["schema"]["primaryKey"]
    ids = [tuple(row) for row in text[key].itertuples(index=False)]
    for column in columns(table):
        actual = [parse_csv_cell(cell, column) for cell in text[column.name].tolist()]
        expected = [na_to_none(value) for value in parquet[column.name].tolist()]
        python_type = PYTHON_TYPES[column.type]
        wrong = [v for v in expected if v is not None and not isinstance(v, python_type)]
        assert wrong == [], (column.name, wrong[:3])
        if column.type == "string":
            expected = [None if value is None else csv_escape(value) for value in expected]
        assert actual == expected, (column.name, first_mismatches(actual, expected, ids))


# ---------------------------------------------------------------------------------------------
# 3. polars
# ---------------------------------------------------------------------------------------------

POLARS_TYPES = {
    "string": pl.String,
    "boolean": pl.Boolean,
    "date": pl.Date,
    "number": pl.Decimal(38, 9),
    "array": pl.List(pl.String),
}


def polars_csv_escape(name: str) -> pl.Expr:
    column = pl.col(name)
    is_formula = column.str.contains(FORMULA_START_PATTERN) & ~column.str.contains(NUMBER_PATTERN)
    return pl.when(is_formula).then(pl.lit("'") + column).otherwise(column).alias(name)


@pytest.mark.parametrize("table", TABLES)
def test_polars_reads_parquet_with_declared_dtypes(table):
    """polars maps Parquet types directly; a wrong physical type shows up as a wrong dtype."""
    schema = pl.read_parquet_schema(path_of(table, "parquet"))
    assert list(schema) == [column.name for column in columns(table)]
    for column in columns(table):
        assert schema[column.name] == POLARS_TYPES[column.type], (column.name, schema[column.name])


@pytest.mark.parametrize("table", TABLES)
def test_polars_csv_equals_parquet(table):
    """polars parses the CSV with the declared types (lists decoded from JSON) and must get the
    Parquet frame back exactly, decimals included."""
    parquet = pl.read_parquet(path_of(table, "parquet"))
    overrides = {
        column.name: pl.String if column.type == "array" else POLARS_TYPES[column.type]
        for column in columns(table)
    }
    text = pl.read_csv(path_of(table, "csv"), schema_overrides=overrides, infer_schema=False)
    assert text.columns == [column.name for column in columns(table)]
    assert text.height == parquet.height
    decoded = text.with_columns(
        pl.col(name).str.json_decode(pl.List(pl.String)) for name in columns_of_type(table, "array")
    )
    escaped = parquet.with_columns(
        polars_csv_escape(name) for name in columns_of_type(table, "string")
    )
    polars.testing.assert_frame_equal(decoded, escaped, check_exact=True)


# ---------------------------------------------------------------------------------------------
# 4. DuckDB
# ---------------------------------------------------------------------------------------------

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "number": "DECIMAL(38,9)",
    "array": "VARCHAR[]",
}


def duckdb_csv_source(table: str) -> str:
    text_types = {**DUCKDB_TYPES, "array": "VARCHAR"}  # lists are decoded from JSON text later
    types = ", ".join(
        f"{sql_string(c.name)}: {sql_string(text_types[c.type])}" for c in columns(table)
    )
    return (
        f"read_csv({sql_string(path_of(table, 'csv'))}, header = true, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', columns = {{{types}}})"
    )


def duckdb_csv_select(table: str) -> str:
    """The CSV as typed SQL: lists decoded from their JSON array text."""
    cells = [
        f"from_json({sql_name(c.name)}, '[\"VARCHAR\"]') AS {sql_name(c.name)}"
        if c.type == "array"
        else sql_name(c.name)
        for c in columns(table)
    ]
    return f"SELECT {', '.join(cells)} FROM {duckdb_csv_source(table)}"


def duckdb_escape_sql(name: str) -> str:
    """SQL for a text column escaped the way CSV escapes would-be formulas."""
    return (
        f"CASE WHEN regexp_matches({name}, {sql_string(FORMULA_START_PATTERN)}) "
        f"AND NOT regexp_matches({name}, {sql_string(NUMBER_PATTERN)}) "
        f"THEN '''' || {name} ELSE {name} END"
    )


def duckdb_parquet_select(table: str, escape_text: bool = False) -> str:
    """The Parquet as SQL, optionally with text escaped the way CSV escapes would-be formulas."""
    cells = []
    for c in columns(table):
        name = sql_name(c.name)
        if escape_text and c.type == "string":
            cells.append(f"{duckdb_escape_sql(name)} AS {name}")
        else:
            cells.append(name)
    return (
        f"SELECT {', '.join(cells)} FROM read_parquet({sql_string(path_of(table, 'parquet'))})"
    )


@pytest.fixture(scope="module")
def duck():
    """One DuckDB connection with a view per table and format: csv_<table>, parquet_<table>."""
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(f"CREATE VIEW csv_{table} AS {duckdb_csv_select(table)}")
        connection.execute(f"CREATE VIEW parquet_{table} AS {duckdb_parquet_select(table)}")
    yield connection
    connection.close()


@pytest.mark.parametrize("table", TABLES)
def test_duckdb_describes_parquet_with_declared_types(table, duck):
    """DuckDB users query the Parquet directly; its column types must be the declared ones."""
    described = duck.execute(
        f"DESCRIBE SELECT * FROM read_parquet({sql_string(path_of(table, 'parquet'))})"
    ).fetchall()
    assert [(row[0], row[1]) for row in described] == [
        (column.name, DUCKDB_TYPES[column.type]) for column in columns(table)
    ]


@pytest.mark.parametrize("table", TABLES)
def test_duckdb_csv_and_parquet_hold_the_same_rows(table, duck):
    """A full EXCEPT ALL both ways catches any row that differs, is missing or is duplicated."""
    csv_rows = f"SELECT * FROM csv_{table}"
    parquet_rows = duckdb_parquet_select(table, escape_text=True)
    only_csv = duck.execute(f"{csv_rows} EXCEPT ALL {parquet_rows}").fetchall()
    only_parquet = duck.execute(f"{parquet_rows} EXCEPT ALL {csv_rows}").fetchall()
    assert only_csv == [], only_csv[:3]
    assert only_parquet == [], only_parquet[:3]
    counts = [duck.execute(f"SELECT count(*) FROM {fmt}_{table}").fetchone() for fmt in FORMATS]
    assert counts[0] == counts[1]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table", TABLES)
def test_primary_key_is_unique_and_not_null(table, fmt, duck):
    """Joins on the declared primary key must never duplicate or lose rows."""
    key = resource(table, fmt)["schema"]["primaryKey"]
    key_sql = ", ".join(sql_name(name) for name in key)
    view = f"{fmt}_{table}"
    duplicates = duck.execute(
        f"SELECT {key_sql}, count(*) FROM {view} GROUP BY ALL HAVING count(*) > 1"
    ).fetchall()
    assert duplicates == []
    nulls = " OR ".join(f"{sql_name(name)} IS NULL" for name in key)
    assert duck.execute(f"SELECT count(*) FROM {view} WHERE {nulls}").fetchone() == (0,)


def foreign_keys(table: str, fmt: str) -> list[dict[str, Any]]:
    return resource(table, fmt)["schema"].get("foreignKeys", [])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table", TABLES)
def test_every_foreign_key_resolves(table, fmt, duck):
    """Every non-null reference must find its row, or joins silently drop data (SQL anti-join)."""
    for foreign_key in foreign_keys(table, fmt):
        fields = foreign_key["fields"]
        parent_resource = foreign_key["reference"]["resource"]
        parent_fields = foreign_key["reference"]["fields"]
        parent_table, parent_fmt = parent_resource.rsplit("-", 1)
        assert parent_fmt == fmt, f"{table}-{fmt} references {parent_resource}"
        assert parent_table in TABLES, parent_resource
        present = " AND ".join(f"c.{sql_name(f)} IS NOT NULL" for f in fields)
        matches = " AND ".join(
            f"p.{sql_name(pf)} = c.{sql_name(f)}" for f, pf in zip(fields, parent_fields)
        )
        dangling = duck.execute(
            f"SELECT {', '.join('c.' + sql_name(f) for f in fields)} FROM {fmt}_{table} c "
            f"WHERE {present} AND NOT EXISTS "
            f"(SELECT 1 FROM {parent_fmt}_{parent_table} p WHERE {matches})"
        ).fetchall()
        assert dangling == [], (fields, parent_resource, dangling[:5])


# ---------------------------------------------------------------------------------------------
# 5. frictionless
# ---------------------------------------------------------------------------------------------


def frictionless_validate(descriptor: Path) -> dict[str, Any]:
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", str(descriptor), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"frictionless printed no JSON report:\n{result.stdout}\n{result.stderr}"
        ) from None


def task_names(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (task.get("name") or task.get("resource", {}).get("name"), task)
        for task in report.get("tasks", [])
    ]


def report_errors(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every error of a frictionless report as (resource, error type, note)."""
    errors = [("package", e.get("type"), e.get("note")) for e in report.get("errors", [])]
    for name, task in task_names(report):
        errors += [(name, e.get("type"), e.get("note")) for e in task.get("errors", [])]
    return errors


def test_frictionless_validates_the_package():
    """frictionless is the reference validator for Data Packages: types, constraints, enums,
    primary and foreign keys, bytes and hashes, for every resource."""
    report = frictionless_validate(OUTPUT / "datapackage.json")
    assert report["valid"], report_errors(report)[:20]
    validated = {name for name, *_ in task_names(report)}
    assert validated == set(resources())


def rewrite_resource_checksums(package_dir: Path, name: str) -> None:
    descriptor_path = package_dir / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for entry in descriptor["resources"]:
        if entry["name"] == name:
            data = (package_dir / entry["path"]).read_bytes()
            entry["bytes"] = len(data)
            entry["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    descriptor_path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def break_a_foreign_key(package_dir: Path) -> str:
    """Points one non-null reference of contracts.csv at an entity that does not exist, keeping
    bytes and hash consistent so the foreign key is the only defect."""
    path = package_dir / "csv" / "contracts.csv"
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    header = rows[0]
    primary_key = resource("contracts", "csv")["schema"]["primaryKey"]
    for foreign_key in foreign_keys("contracts", "csv"):
        if foreign_key["fields"][0] in primary_key:
            continue
        index = header.index(foreign_key["fields"][0])
        for row in rows[1:]:
            if row[index]:
                row[index] = "no-such-entity-for-conformance-test"
                with path.open("w", encoding="utf-8", newline="") as file:
                    csv.writer(file, lineterminator="\n").writerows(rows)
                rewrite_resource_checksums(package_dir, "contracts-csv")
                return "foreign-key"
    raise AssertionError("contracts.csv has no non-null foreign key to break")


def change_a_byte_count(package_dir: Path) -> str:
    """Declares one byte more for contracts.csv than the file holds."""
    descriptor_path = package_dir / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for entry in descriptor["resources"]:
        if entry["name"] == "contracts-csv":
            entry["bytes"] += 1
    descriptor_path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return "byte-count"


@pytest.mark.parametrize("corrupt", [break_a_foreign_key, change_a_byte_count])
def test_frictionless_reports_a_corrupted_copy_invalid(corrupt, tmp_path):
    """Proves the validation above can fail: a copy with one defect must be reported, by type."""
    copy_dir = tmp_path / "output"
    shutil.copytree(OUTPUT, copy_dir)
    error_type = corrupt(copy_dir)
    report = frictionless_validate(copy_dir / "datapackage.json")
    assert not report["valid"]
    errors = report_errors(report)
    assert ("contracts-csv", error_type) in {(name, kind) for name, kind, _ in errors}, errors


# ---------------------------------------------------------------------------------------------
# 6. jsonschema
# ---------------------------------------------------------------------------------------------


def is_decimal_string(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings
    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return bool(PLAIN_DECIMAL.fullmatch(value))


@cache
def profiles_validator() -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "profiles.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    checker = copy.copy(Draft202012Validator.FORMAT_CHECKER)
    checker.checkers = dict(checker.checkers)
    checker.checks("decimal")(is_decimal_string)
    assert "date" in checker.checkers, "jsonschema cannot check the date format here"
    return Draft202012Validator(schema, format_checker=checker)


def test_profiles_json_is_valid_against_its_schema():
    """Every line of json/profiles.jsonl promises to be valid against schema/profiles.schema.json,
    formats included (dates are real days, decimals are plain-digit strings)."""
    documents = list(profile_documents())
    assert documents, "json/profiles.jsonl holds no documents"
    errors = [
        (line, list(error.absolute_path), error.message)
        for line, document in enumerate(documents, 1)
        for error in profiles_validator().iter_errors(document)
    ]
    assert errors == []


def test_profiles_json_is_lean():
    """A document holds the revision's own facts: no member is null, no nested row repeats the
    revision's profile, date or id, and what lives between revisions (changes) is left to its table."""

    def members(value: Any, path: str):
        if isinstance(value, dict):
            for key, member in value.items():
                yield f"{path}/{key}", key, member
                yield from members(member, f"{path}/{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from members(item, f"{path}/{index}")

    for document in profile_documents():
        assert "changes" not in document, document["id"]
        for key in ("sources", "contracts", "figures", "events", "relations", "organizations", "systems"):
            for row in document[key]:
                assert not {"profile", "updated", "revision", "is_latest"} & set(row), (document["id"], key)
        nulls = [path for path, _, member in members(document, "") if member is None]
        assert nulls == [], (document["id"], nulls)


def set_value(document: dict[str, Any], path: list[Any], value: Any) -> list[Any]:
    """Sets the value at `path` in the document and returns the path."""
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return path


def a_figure_value(document: dict[str, Any]) -> list[Any]:
    index = next(i for i, figure in enumerate(document["figures"]) if figure.get("value") is not None)
    return ["figures", index, "value"]


BROKEN_DOCUMENTS = {
    "is_latest-not-boolean": lambda doc: set_value(doc, ["is_latest"], "yes"),
    "impossible-date": lambda doc: set_value(doc, ["updated"], "2019-02-30"),
    "decimal-as-float": lambda doc: set_value(doc, a_figure_value(doc), 1.779e11),
    "decimal-with-exponent": lambda doc: set_value(doc, a_figure_value(doc), "1779e8"),
}


@pytest.mark.parametrize("breakage", BROKEN_DOCUMENTS)
def test_profiles_schema_rejects_a_broken_document(breakage):
    """Proves the schema check can fail: one wrong value in one document must be rejected, with
    the error pointing at that value."""
    document = copy.deepcopy(next(d for d in profile_documents() if d["figures"]))
    path = BROKEN_DOCUMENTS[breakage](document)
    errors = [list(error.absolute_path) for error in profiles_validator().iter_errors(document)]
    assert any(error[: len(path)] == path for error in errors), (path, errors)


@pytest.mark.parametrize("table", JSON_TABLES)
def test_profiles_json_agrees_with_the_tables(table):
    """The JSON documents are the same data as the tables, resolved: every row of the table
    appears exactly once in the documents, with the same values."""
    key = resource(table, "parquet")["schema"]["primaryKey"]

    def by_key(rows):
        return sorted(rows, key=lambda row: [row[name] for name in key])

    assert by_key(rows_json(table)) == by_key(rows_pandas(table))


@pytest.mark.parametrize("table", MERGED_JSON_TABLES)
def test_profiles_json_entities_are_the_merged_table_rows(table):
    """Each document embeds the organizations and systems it declares or refers to, merged across
    the dataset: each must equal the table row but for its sources (in a document, only those that
    revision cites, which the table row lists too), and together they must cover the table."""
    table_rows = {row["id"]: row for row in rows_pandas(table)}
    embedded = rows_json(table)
    for row in embedded:
        merged = table_rows.get(row["id"])
        assert merged is not None, row["id"]
        assert {k: v for k, v in row.items() if k != "source_ids"} == {
            k: v for k, v in merged.items() if k != "source_ids"
        }, row["id"]
        assert set(row["source_ids"]) <= set(merged["source_ids"]), row["id"]
    assert {row["id"] for row in embedded} == set(table_rows)


def test_profiles_json_nests_rows_under_their_revision_and_cites_the_citations():
    """Nested rows must belong to the document's revision, and each claim's `sources` must be
    exactly its rows of `citations`."""
    cited: dict[str, list[str]] = {}
    for row in rows_pandas("citations"):
        cited.setdefault(row["claim_id"], []).append(row["source_id"])
    kind = next(f for f in resource("claims", "csv")["schema"]["fields"] if f["name"] == "kind")
    claim_tables = [value + "s" for value in kind["constraints"]["enum"]]
    assert set(claim_tables) <= set(JSON_TABLES)
    for document in profile_documents():
        local_ids = [source["local_id"] for source in document["sources"]]
        for table in claim_tables:
            for row in document[table]:
                claim_id = f"{document['id']}/{row['key']}"
                assert sorted(f"{document['id']}/{s}" for s in row["sources"]) == sorted(cited.get(claim_id, [])), claim_id
                assert set(row["sources"]) <= set(local_ids), claim_id
        for table in MERGED_JSON_TABLES:
            for row in document[table]:
                assert set(row["sources"]) <= set(local_ids), (document["id"], row["id"])


def test_profiles_json_identifiers_are_the_identifiers_table():
    """Every identifier of an embedded entity is a row of `identifiers`, and together they cover it."""
    def key(row):
        return (row["entity_id"], row["scheme"], row["value"], row["url"])
    assert sorted(map(key, rows_json("identifiers"))) == sorted(map(key, rows_pandas("identifiers")))


# ---------------------------------------------------------------------------------------------
# 7. Files, sizes and hashes
# ---------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_resource_hash_and_bytes_match_the_file(name):
    """Declared sizes and hashes let users verify a download; stale values make it look corrupt.
    CSV, JSON, workbook and database resources declare bytes and hash, Parquet resources a hash."""
    entry = resources()[name]
    path = OUTPUT / entry["path"]
    assert path.is_file(), entry["path"]
    assert entry["hash"].startswith("sha256:"), entry["hash"]
    assert entry["hash"] == "sha256:" + sha256_of(path)
    if entry["format"] in ("csv", "json", "jsonl", "xlsx", "sqlite"):
        assert "bytes" in entry, f"{name} declares no bytes"
    if "bytes" in entry:
        assert entry["bytes"] == path.stat().st_size


def readme_files() -> list[tuple[str, int, str]]:
    text = (OUTPUT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Files\n", 1)
    assert len(section) == 2, "README.md has no '## Files' section"
    body = section[1].split("\n## ", 1)[0]
    row = re.compile(r"\| `([^`]+)` \| ([0-9]+) \| `([0-9a-f]{64})` \|")
    return [
        (match[1], int(match[2]), match[3])
        for line in body.splitlines()
        if (match := row.fullmatch(line.strip()))
    ]


def test_readme_lists_every_data_file_with_its_size_and_hash():
    """The data dictionary is what people read; its file list must be complete and correct."""
    listed = readme_files()
    paths = [path for path, _, _ in listed]
    assert len(paths) == len(set(paths)), "README.md lists a file twice"
    # Every resource, and the package descriptor itself: the dictionary lists what a user downloads.
    assert set(paths) == {entry["path"] for entry in resources().values()} | {"datapackage.json"}
    for path, size, digest in listed:
        assert (OUTPUT / path).stat().st_size == size, path
        assert sha256_of(OUTPUT / path) == digest, path


README_TYPES = {
    "string": "string",
    "boolean": "boolean",
    "date": "date",
    "number": "decimal(38, 9)",
    "array": "list of strings",
}


@pytest.mark.parametrize("table", TABLES)
def test_readme_describes_each_table_as_declared(table):
    """The data dictionary must say what datapackage.json says: the same columns in order, with
    the same types, required flags, descriptions, and the actual number of rows."""
    text = (OUTPUT / "README.md").read_text(encoding="utf-8")
    sections = text.split(f"\n### `{table}`\n", 1)
    assert len(sections) == 2, f"README.md has no section for {table}"
    section = re.split(r"\n##+ ", sections[1], maxsplit=1)[0]
    rows_stated = re.search(r"([0-9]+) rows?\.", section)
    assert rows_stated, f"README.md does not state the row count of {table}"
    assert int(rows_stated[1]) == len(read_csv_text(table)) - 1
    row = re.compile(r"\| `([^`]+)` \| ([^|]+) \| (yes)? ?\| (.*) \|")
    documented = [match.groups() for line in section.splitlines() if (match := row.fullmatch(line))]
    assert [name for name, *_ in documented] == [column.name for column in columns(table)]
    for (name, kind, required, description), column in zip(documented, columns(table)):
        assert kind == README_TYPES[column.type], (name, kind)
        assert bool(required) == column.required, name
        assert description.startswith(column.description), name


def test_every_file_in_the_output_is_a_resource():
    """A file that no resource describes is unvalidated, unhashed data (or a leftover). Besides the
    package, the dictionary and the Croissant description (tested in test_croissant.py), only the
    mark that tells `build` the folder is its own may be there."""
    on_disk = {
        path.relative_to(OUTPUT).as_posix() for path in OUTPUT.rglob("*") if path.is_file()
    } - {"datapackage.json", "README.md", "croissant.json", ".profile-export"}
    assert on_disk == {entry["path"] for entry in resources().values()}


# ---------------------------------------------------------------------------------------------
# 8. Exact values in every reader
# ---------------------------------------------------------------------------------------------


@pytest.fixture(params=list(READERS), scope="module")
def read(request):
    return cache(READERS[request.param])


def test_amazon_2017_revenue_is_an_exact_decimal(read):
    """Curated as "177.9 billion": every reader must get exactly 177900000000 as a Decimal, not a
    float approximation."""
    rows = [
        row
        for row in read("figures")
        if row["id"].startswith("amazon/2019-01-07/")
        and (row["subject"], row["metric"], row["period"]) == ("amazon", "revenue", "2017")
    ]
    assert len(rows) == 1, rows
    value = rows[0]["value"]
    assert isinstance(value, Decimal), type(value)
    assert value == Decimal("177900000000")


def test_month_2018_08_covers_the_whole_month(read):
    """A partial date keeps its curated text and gets its first and last day."""
    rows = [row for row in read("events") if row["date"] == "2018-08"]
    assert rows, "no event dated 2018-08"
    for row in rows:
        bounds = (row["date_from"], row["date_to"])
        assert bounds == (date(2018, 8, 1), date(2018, 8, 31)), row["id"]


def partial_date_columns(table: str) -> list[str]:
    names = {column.name for column in columns(table)}
    return [name for name in names if f"{name}_from" in names and f"{name}_to" in names]


def test_season_2018_22_is_summer_2018(read):
    """`2018-22` is the season code for summer 2018: 1 June to 31 August."""
    found = []
    for table in TABLES:
        for name in partial_date_columns(table):
            found += [
                (table, row[f"{name}_from"], row[f"{name}_to"])
                for row in read(table)
                if row[name] == "2018-22"
            ]
    assert found, "no partial date 2018-22 anywhere"
    for table, first, last in found:
        assert (first, last) == (date(2018, 6, 1), date(2018, 8, 31)), table


def test_partial_dates_come_with_their_first_and_last_day():
    """README: a partial date `X` comes with `X_from` and `X_to`, the first and last day it covers;
    both are present exactly when `X` is, and the first day is not after the last."""
    checked = 0
    for table in TABLES:
        for row in rows_pandas(table):
            for name in partial_date_columns(table):
                first, last = row[f"{name}_from"], row[f"{name}_to"]
                where = (table, row.get("id"), name, row[name], first, last)
                assert (row[name] is None) == (first is None) == (last is None), where
                assert first is None or first <= last, where
                checked += row[name] is not None
    assert checked, "no partial date anywhere"


def test_is_latest_exactly_for_the_2020_11_19_revision(read):
    """`is_latest` must be a real boolean, true on the newest revision's rows and only there."""
    for table in tables_with("is_latest"):
        rows = read(table)
        assert rows, table
        for row in rows:
            assert isinstance(row["is_latest"], bool), (table, row["id"], row["is_latest"])
            assert row["is_latest"] == (row["updated"] == LATEST_REVISION_DAY), (table, row["id"])
        assert any(row["is_latest"] for row in rows), table


# ---------------------------------------------------------------------------------------------
# 9. CSV safety
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_csv_bytes_are_utf8_without_bom_with_lf_line_ends(table):
    """A BOM or CRLF breaks naive readers and byte-exact comparisons; spec says UTF-8 and \\n."""
    data = path_of(table, "csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "BOM"
    text = data.decode("utf-8")
    assert text.endswith("\n")
    in_quotes = False
    for offset, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char == "\r" and not in_quotes:
            raise AssertionError(f"carriage return outside a quoted cell at offset {offset}")
    assert not in_quotes, "unterminated quoted cell"


FORMULAS = ["=1+1", "+cmd", "-A1", "@SUM(A1)", "\tx", "\r=1", "-", "+", "=", "-1-1", "-5\n"]
NOT_FORMULAS = ["-5", "+5", "-0.5", "-.5", "-5.", "-1e5", "+1E-3", "12", "hello", "a=b", "'=x"]


def test_formula_escape_is_the_same_in_python_polars_and_duckdb():
    """The published data may hold no would-be formula at all, so the three implementations of
    the escape used by the comparisons above are checked here against the spec's examples."""
    samples = FORMULAS + NOT_FORMULAS
    expected = ["'" + text for text in FORMULAS] + NOT_FORMULAS
    assert [csv_escape(text) for text in samples] == expected
    frame = pl.DataFrame({"text": samples}).with_columns(polars_csv_escape("text"))
    assert frame["text"].to_list() == expected
    connection = duckdb.connect()
    connection.execute("CREATE TABLE samples (position INTEGER, text VARCHAR)")
    connection.executemany("INSERT INTO samples VALUES (?, ?)", list(enumerate(samples)))
    escape = duckdb_escape_sql(sql_name("text"))
    escaped = connection.execute(f"SELECT {escape} FROM samples ORDER BY position").fetchall()
    assert [text for (text,) in escaped] == expected


@pytest.mark.parametrize("table", TABLES)
def test_csv_cells_are_safe_in_spreadsheets(table):
    """A cell starting with = + - @ tab or CR (and not a number) runs as a formula when opened in
    a spreadsheet (CSV injection); decimals in exponent form are misread as floats."""
    header, *body = read_csv_text(table)
    decimals = {header.index(name) for name in columns_of_type(table, "number")}
    for record, row in enumerate(body, start=1):
        assert len(row) == len(header), f"record {record} has {len(row)} cells"
        for index, cell in enumerate(row):
            where = (record, header[index], cell)
            assert not (FORMULA_START.match(cell) and not NUMBER.fullmatch(cell)), where
            if index in decimals and cell:
                assert "e" not in cell.lower(), where
                assert PLAIN_DECIMAL.fullmatch(cell), where


# ---------------------------------------------------------------------------------------------
# Evidence: facts of the Amazon profile, written by hand from its text, as every reader sees them
# ---------------------------------------------------------------------------------------------


def of_revision(rows, day):
    return [row for row in rows if row["id"].startswith(f"amazon/{day}/")]


def test_teresa_carlson_is_a_person_and_the_speaker_of_her_quote(read):
    """"Amazon's Teresa Carlson, the vice president of the worldwide public sector of AWS, stated in
    August 2018 [...] “unwaveringly in support of our law enforcement, defense, and intelligence
    community”": a person, named as the speaker of the statement."""
    people = {row["id"]: row for row in read("people")}
    assert people["teresa-carlson"]["name"] == "Teresa Carlson"
    said = [row for row in of_revision(read("events"), "2019-01-07") if row["attributed_to"] == "teresa-carlson"]
    assert len(said) == 1, said
    assert "unwaveringly in support of our law enforcement, defense, and intelligence community" in said[0]["quote"]


def test_ice_pays_four_points_for_aws(read):
    """"ICE has paid at least $9.1 million to One AWS partner, Four Points Technology, for cloud
    services": a reseller chain, buyer → supplier → provider, with the exact amount."""
    rows = [
        row
        for row in of_revision(read("contracts"), "2019-01-07")
        if (row["buyer"], row["supplier"]) == ("ice", "four-points-technology")
    ]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["provider"] == "aws"
    assert (row["value"], row["qualifier"], row["currency"]) == (Decimal("9100000"), "at_least", "USD")


def test_findings_of_absence_are_dated_claims(read):
    """"As of December 2018, public procurement data does not show any ICE contracts with Amazon for
    facial recognition services" and "there is no evidence that ICE uses Rekognition" (as of the
    2020 text's date): claims with status not_found and the day they were looked for."""
    contracts = [
        row
        for row in of_revision(read("contracts"), "2019-01-07")
        if (row["buyer"], row["supplier"], row["status"]) == ("ice", "amazon", "not_found")
    ]
    assert len(contracts) == 1, contracts
    assert (contracts[0]["as_of"], contracts[0]["as_of_from"], contracts[0]["as_of_to"]) == (
        "2018-12",
        date(2018, 12, 1),
        date(2018, 12, 31),
    )
    relations = [
        row
        for row in of_revision(read("relations"), "2020-11-19")
        if (row["subject"], row["predicate"], row["object"]) == ("ice", "uses", "rekognition")
    ]
    assert len(relations) == 1, relations
    assert relations[0]["status"] == "not_found"
    assert relations[0]["as_of_from"] == relations[0]["as_of_to"] == date(2020, 11, 19)


def test_amazon_carries_identifiers_that_join_other_datasets(read):
    """Amazon.com, Inc.: Wikidata Q3884, LEI ZXTILKJKG63JELOEG630, SEC CIK 0001018724 (ten digits,
    leading zeros kept, as EDGAR writes it)."""
    found = {row["scheme"]: row["value"] for row in read("identifiers") if row["entity_id"] == "amazon"}
    assert found["wikidata"] == "Q3884"
    assert found["lei"] == "ZXTILKJKG63JELOEG630"
    assert found["sec_cik"] == "0001018724"
