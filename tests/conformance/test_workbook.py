"""openpyxl reads the workbook cell by cell and finds the CSV's values with their real types.

A spreadsheet user opens `xlsx/<name>.xlsx`: dates must be date cells, booleans booleans, decimals
numbers (or exact text beyond 15 significant digits), and all other text text, never a formula.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache

import pytest

from test_dataset import (
    OUTPUT,
    TABLES,
    columns,
    csv_escape,
    parse_csv_cell,
    read_csv_text,
    resources,
)

openpyxl = pytest.importorskip("openpyxl")
from openpyxl.utils import get_column_letter  # noqa: E402

SHEET_ROWS = 1_048_576


@cache
def workbook():
    return openpyxl.load_workbook(OUTPUT / resources()["workbook"]["path"])


def sheets_of(table: str) -> list:
    """The sheets of a table: `<table>`, then `<table> (2)`, `<table> (3)`, ..."""
    book = workbook()
    found = [book[table]]
    while f"{table} ({len(found) + 1})" in book.sheetnames:
        found.append(book[f"{table} ({len(found) + 1})"])
    return found


def significant_digits(value: Decimal) -> int:
    digits = format(abs(value), "f").replace(".", "").strip("0")
    return len(digits)


def test_the_dictionary_comes_first_then_a_sheet_a_table_in_order():
    names = workbook().sheetnames
    assert names[0] == "dictionary"
    tables = [name for name in names[1:] if not re.search(r" \([0-9]+\)$", name)]
    assert tables == list(TABLES)


def test_the_dictionary_sheet_describes_every_column():
    rows = list(workbook()["dictionary"].iter_rows(values_only=True))
    assert rows[0][:2] == ("table", "column")
    described = {(row[0], row[1]): row[5] for row in rows[1:] if row[1]}
    for table in TABLES:
        for column in columns(table):
            assert described[(table, column.name)].startswith(column.description), (table, column.name)


def test_the_workbook_records_a_fixed_creation_date():
    """No timestamp of the build: two builds give the same bytes."""
    assert workbook().properties.created == datetime(2000, 1, 1)


@pytest.mark.parametrize("table", TABLES)
def test_sheets_freeze_the_header_and_filter_every_row(table):
    declared = columns(table)
    for sheet in sheets_of(table):
        assert sheet.max_row <= SHEET_ROWS
        header = [cell.value for cell in sheet[1]]
        assert header == [column.name for column in declared]
        assert sheet.freeze_panes == "A2", sheet.title
        last = f"{get_column_letter(len(declared))}{max(sheet.max_row, 1)}"
        assert sheet.auto_filter.ref == f"A1:{last}", sheet.title


def expected_type(column, value) -> str:
    """openpyxl's data type of a cell holding `value` of the declared type."""
    if column.type == "boolean":
        return "b"
    if column.type == "date":
        return "d" if value.year >= 1900 else "s"
    if column.type == "number":
        return "n" if significant_digits(value) <= 15 else "s"
    return "s"


def workbook_value(column, cell):
    """The value of a workbook cell in the form the CSV cell is decoded to."""
    if cell.value is None:
        return None
    if column.type == "date" and cell.data_type == "d":
        return cell.value.date() if isinstance(cell.value, datetime) else cell.value
    if column.type == "date":
        return date.fromisoformat(cell.value)
    if column.type == "number":
        return Decimal(str(cell.value))
    if column.type == "array":
        return parse_csv_cell(cell.value, column)
    if column.type == "string":
        return csv_escape(cell.value)  # compared with the CSV, which guards would-be formulas
    return cell.value


@pytest.mark.parametrize("table", TABLES)
def test_workbook_equals_csv_cell_by_cell_with_real_types(table):
    declared = columns(table)
    header, *body = read_csv_text(table)
    rows = [row for sheet in sheets_of(table) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(body)
    for number, (cells, record) in enumerate(zip(rows, body), start=2):
        for column, cell, text in zip(declared, cells, record):
            expected = parse_csv_cell(text, column)
            where = (table, number, column.name, text)
            assert cell.data_type != "f", where
            assert workbook_value(column, cell) == expected, (where, cell.value)
            if expected is not None:
                assert cell.data_type == expected_type(column, expected), (where, cell.data_type)
                if column.type == "date" and cell.data_type == "d":
                    assert cell.number_format == "yyyy-mm-dd", where
