"""croissant.json is valid MLCommons Croissant 1.0 for mlcroissant, the reference implementation
that the catalogues follow, and each of its record sets, loaded by mlcroissant, holds the rows of
its table's Parquet file as pyarrow reads them, in the Python types its fields declare.

mlcroissant reads a Parquet file through pandas and pyarrow and casts each value to the field's
data type: `sc:Text` to bytes (UTF-8), `sc:Boolean` to bool, `sc:Date` to pandas.Timestamp,
`sc:Float` to float, each element of a `repeated` field likewise, and a missing value to None.
`mlcroissant validate` reads only the JSON-LD; the SHA-256 of a file is checked when a record set
reads it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from test_dataset import OUTPUT, TABLES

MLCROISSANT = Path(sys.executable).parent / "mlcroissant"

# The one warning mlcroissant gives that the dataset cannot avoid: dataset.yaml has no date of
# publication, and a build must not invent one (the same input gives the same bytes).
UNAVOIDABLE_WARNINGS = ('Property "https://schema.org/datePublished" is recommended, but does not exist.',)

# Each Croissant data type the tables use, with the Arrow type of the Parquet column it describes
# and the Python type mlcroissant casts a value to.
DATA_TYPES = {
    "sc:Text": (pa.string(), bytes),
    "sc:Boolean": (pa.bool_(), bool),
    "sc:Date": (pa.date32(), pd.Timestamp),
    "sc:Float": (pa.decimal128(38, 9), float),
}


@cache
def croissant() -> dict[str, Any]:
    return json.loads((OUTPUT / "croissant.json").read_text(encoding="utf-8"))


def record_set_ids() -> tuple[str, ...]:
    """The record sets to parametrize over: those croissant.json declares, plus any table it lacks
    (whose test then fails); the tables of datapackage.json if croissant.json cannot be read."""
    try:
        declared = [record_set["@id"] for record_set in croissant()["recordSet"]]
    except (OSError, ValueError, KeyError, TypeError):
        declared = []
    return tuple(declared) + tuple(t for t in TABLES if t not in declared)


RECORD_SETS = record_set_ids()


def record_set(name: str) -> dict[str, Any]:
    matches = [r for r in croissant()["recordSet"] if r["@id"] == name]
    assert len(matches) == 1, f"croissant.json has {len(matches)} record sets {name!r}"
    return matches[0]


def source_path(record_set: dict[str, Any]) -> Path:
    """The one file every field of the record set reads, which must be a declared FileObject."""
    sources = {field["source"]["fileObject"]["@id"] for field in record_set["field"]}
    assert len(sources) == 1, sources
    (source,) = sources
    objects = {o["@id"]: o for o in croissant()["distribution"]}
    assert objects[source]["encodingFormat"] == "application/x-parquet", objects[source]
    return OUTPUT / objects[source]["contentUrl"]


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MLCROISSANT), "validate", "--jsonld", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def listed_issues(log: str) -> list[str]:
    """The issues `mlcroissant validate` lists, without their context in brackets."""
    return [re.sub(r"^\[[^\]]*\] ", "", line[len("  -  "):]) for line in log.splitlines() if line.startswith("  -  ")]


def test_mlcroissant_validates_croissant_json_with_no_avoidable_warning():
    result = validate(OUTPUT / "croissant.json")
    assert result.returncode == 0, result.stderr
    log = result.stdout + result.stderr
    assert "error(s)" not in log, log
    # A context that is not the standard one is only logged, not listed.
    assert "@context` is not standard" not in log, log
    assert listed_issues(log) == list(UNAVOIDABLE_WARNINGS), log


def test_every_other_file_is_a_file_object_with_its_size_and_sha256():
    on_disk = {
        path.relative_to(OUTPUT).as_posix(): path.read_bytes() for path in OUTPUT.rglob("*") if path.is_file()
    }
    for own in ("croissant.json", ".profile-export"):
        on_disk.pop(own, None)
    objects = croissant()["distribution"]
    assert sorted(o["contentUrl"] for o in objects) == sorted(on_disk)
    for file_object in objects:
        data = on_disk[file_object["contentUrl"]]
        assert file_object["sha256"] == hashlib.sha256(data).hexdigest(), file_object["@id"]
        assert file_object["contentSize"] == f"{len(data)} B", file_object["@id"]


def test_every_table_has_a_record_set():
    declared = [r["@id"] for r in croissant()["recordSet"]]
    assert declared == list(TABLES)


@pytest.mark.parametrize("name", RECORD_SETS)
def test_fields_declare_the_types_of_the_parquet_columns(name):
    declared = record_set(name)
    schema = pq.read_schema(source_path(declared))
    assert [f["name"] for f in declared["field"]] == schema.names
    for field in declared["field"]:
        arrow_type, _ = DATA_TYPES[field["dataType"]]
        column_type = schema.field(field["name"]).type
        if field.get("repeated"):
            assert pa.types.is_list(column_type), (field, column_type)
            column_type = column_type.value_type
        assert column_type == arrow_type, (field["@id"], column_type)


def as_croissant(value: Any, python_type: type) -> Any:
    """A value as pyarrow reads it from Parquet, in the type mlcroissant gives for the field."""
    if value is None:
        return None
    if isinstance(value, list):
        return [as_croissant(element, python_type) for element in value]
    if python_type is bytes:
        assert isinstance(value, str), value
        return value.encode("utf-8")
    if python_type is pd.Timestamp:
        assert isinstance(value, datetime.date), value
        return pd.Timestamp(value)
    if python_type is float:
        assert isinstance(value, Decimal), value
        return float(value)
    assert isinstance(value, python_type), value
    return value


def types_of(value: Any) -> Any:
    if isinstance(value, list):
        return [types_of(element) for element in value]
    return type(value)


def significant_digits(value: Decimal) -> int:
    return len(format(abs(value), "f").replace(".", "").strip("0"))


@pytest.mark.parametrize("name", RECORD_SETS)
def test_mlcroissant_loads_the_rows_of_the_parquet_file(name):
    """Every value, typed as its field declares. A decimal is a float in Croissant: one of at most 15
    significant digits (every one in the committed dataset) shows exactly the digits of the Parquet
    decimal."""
    declared = record_set(name)
    python_types = {f["@id"]: DATA_TYPES[f["dataType"]][1] for f in declared["field"]}
    # One Dataset a record set: mlcroissant keeps each record set's rows as a generator, which a
    # second record set joined to it (through `references`) would find used up.
    loaded = list(mlc.Dataset(OUTPUT / "croissant.json").records(name))
    rows = pq.read_table(source_path(declared)).to_pylist()
    expected = [
        {f"{name}/{column}": as_croissant(value, python_types[f"{name}/{column}"]) for column, value in row.items()}
        for row in rows
    ]
    assert len(loaded) == len(expected)
    for index, (got, want) in enumerate(zip(loaded, expected)):
        assert got == want, (index, {k: (got.get(k), want[k]) for k in want if got.get(k) != want[k]})
        assert types_of(got) == types_of(want), index
    decimals = [(f["@id"], f["name"]) for f in declared["field"] if f["dataType"] == "sc:Float"]
    for got, row in zip(loaded, rows):
        for field_id, column in decimals:
            if row[column] is not None and significant_digits(row[column]) <= 15:
                assert Decimal(repr(got[field_id])) == row[column], (field_id, row[column])


def test_a_wrong_sha256_passes_validation_but_fails_loading(tmp_path):
    """`mlcroissant validate` checks the JSON-LD only; a record set that reads a file whose SHA-256
    differs from the declared one fails to load."""
    copy_dir = tmp_path / "output"
    shutil.copytree(OUTPUT, copy_dir)
    path = copy_dir / "croissant.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    broken = "parquet/contracts.parquet"
    for file_object in document["distribution"]:
        if file_object["@id"] == broken:
            file_object["sha256"] = "0" * 64
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert validate(path).returncode == 0
    with pytest.raises(mlc.GenerationError) as raised:
        list(mlc.Dataset(path).records("contracts"))
    causes = []
    error: BaseException | None = raised.value
    while error is not None:
        causes.append(str(error))
        error = error.__cause__ or error.__context__
    assert any("Hash of downloaded file" in cause and "contracts.parquet" in cause for cause in causes), causes
