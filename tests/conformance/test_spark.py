"""Spark reads every Parquet file with the declared types and the same values as pyarrow.

One local SparkSession (one core, bound to loopback, no UI) serves the whole module. Spark 4 needs
Java 17 or later, which `.ci/run` installs where it is missing.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from test_dataset import TABLES, columns, path_of, rows_pandas

pyspark_sql = pytest.importorskip("pyspark.sql")
types = pytest.importorskip("pyspark.sql.types")

SPARK_TYPES = {
    "string": types.StringType(),
    "boolean": types.BooleanType(),
    "date": types.DateType(),
    "number": types.DecimalType(38, 9),
    "array": types.ArrayType(types.StringType(), True),
}


@pytest.fixture(scope="module")
def spark():
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("profile-export conformance")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.mark.parametrize("table", TABLES)
def test_parquet_lists_follow_the_format_rules(table):
    """Hive and Athena read a list only as a `list` group of `element` values (arrow-rs's default
    `item` is rejected)."""
    schema = pq.ParquetFile(path_of(table, "parquet")).schema
    paths = [schema.column(i).path for i in range(len(schema))]
    for column in columns(table):
        if column.type == "array":
            assert f"{column.name}.list.element" in paths, (column.name, paths)
    assert not any(path.endswith(".item") for path in paths), paths


@pytest.mark.parametrize("table", TABLES)
def test_spark_reads_parquet_with_declared_types_and_values(table, spark):
    """Spark gets the declared type of every column (decimal(38, 9), date, boolean, array of
    strings) and exactly the values pyarrow reads."""
    frame = spark.read.parquet(str(path_of(table, "parquet")))
    declared = columns(table)
    assert frame.columns == [column.name for column in declared]
    for column in declared:
        assert frame.schema[column.name].dataType == SPARK_TYPES[column.type], column.name
    rows = [row.asDict() for row in frame.collect()]
    expected = rows_pandas(table)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert got == want, (want.get("id"), {k: (got[k], want[k]) for k in got if got[k] != want[k]})
