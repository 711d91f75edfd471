#!/usr/bin/env python3
"""The same job as `profile-export build`, written the way a competent data engineer would in Python.

    python3 bench/baseline.py --input DIR --output DIR [--workers N] [--no-output-validation]

This is the comparison point of `bench/bench.py`, not a second implementation to ship. It reads the
curated folder (`dataset.yaml` plus `profiles/<profile>/<updated>.yaml`), checks it, and writes the
same 12 tables as `profile-export build` (profiles, entities, organizations, systems, claims,
contracts, figures, events, relations, sources, citations, changes) as Parquet and CSV, plus
`json/profiles.jsonl` (JSON Lines) with one fully resolved document per revision, one a line.

The pipeline:

1. A `multiprocessing.Pool` over every core maps each revision file to its rows: read the file,
   parse it with PyYAML's C loader (`yaml.CSafeLoader`, with the implicit types cut down to the
   YAML 1.2 core schema: only true/false are booleans, so `country: NO` stays Norway, no timestamps,
   only JSON-shaped numbers, floats read as `decimal.Decimal`), validate it with `jsonschema`
   against `schema/revision.schema.json` (Draft 2020-12, with format checking: `uri` through
   rfc3986-validator), then check the rules of one file (path against content, dates, amounts as
   exact decimals with `decimal`, ranges, ISO 4217 currencies and ISO 3166-1 countries through
   pycountry, duplicate and unknown source ids, entities declared twice, claims without a party,
   duplicate claim keys) and turn it into its table rows, claim keys computed exactly as
   src/claim.rs does (first 16 hex digits of the SHA-256 of the canonical JSON of the identifying
   fields), and into the flattened items the `changes` table compares.
2. The main process sorts the revisions by (profile, updated), finds duplicate revisions, merges
   organizations and systems across files (within a profile the newest revision wins field by
   field; between profiles different values are an error), resolves every reference
   (parent/operator/developer/buyer/supplier must be organizations, `replaces` a system,
   subject/object/attributed_to any entity), checks that every entity has a name, and prints every
   problem (exit 1, nothing written) or goes on.
3. It builds the `changes` rows between consecutive revisions of each profile, the entity rows, and
   the JSON documents; the documents are validated against `schema/profiles.schema.json` in the
   pool (as ours does before writing; `--no-output-validation` skips it).
4. Each table becomes one pandas DataFrame, written as CSV with `DataFrame.to_csv` (lists as JSON
   arrays, decimals as plain digits, formula-like text prefixed with `'`) and as Parquet through
   `pyarrow.Table.from_pandas` with an explicit schema (string, bool, date32, decimal128(38, 9),
   list<string>, the column descriptions as field metadata) and zstd compression.
   Everything is written into `<output>.tmp-<pid>` and swapped in at the end.

Input it handles: YAML (and JSON) revision files of the shape `examples/generate.rs` writes, and any
other input of the language of SPEC.md written in YAML or JSON. TOML files are reported as
unsupported.

Verified on a generated input of 200 profiles (399 revisions, `examples/generate.rs`): every table
has the same rows and columns as ours; the 12 CSV files and the JSON documents (then an array,
json/profiles.json) were byte-identical to ours; every Parquet table reads back equal to ours
(values, types, nullability, the descriptions in the schema and field metadata). Since then ours
lists in a revision's document only the sources that revision cites for each entity, and writes
leaner documents: the JSON documents of the two are no longer the same, and `bench/bench.py`
compares the CSV files only.

Known differences from `profile-export`:
- No `datapackage.json` and no `README.md` (data dictionary) are written, so no SHA-256 of the
  written files is computed.
- Parquet files differ in bytes (writer, page layout) and in one name: pyarrow calls the element
  field of a list column `element`, as the Parquet format's LIST spec says; ours (arrow-rs) writes
  `item`. Readers give the same lists either way.
- Problems name the file and the JSON Pointer, never `line:column` (the C loader keeps no
  positions), and are not in rustc style; the error codes are the same where a rule is checked.
- Not checked: duplicate keys in a YAML mapping (PyYAML keeps the last), the limits on file size,
  nesting depth, value count and text length (E0003, E0007, E0008, E0011), symbolic links leading
  out of the input folder (E0005), YAML tags and multiple documents (PyYAML reads the first
  document only through `yaml.load`, and errors on more).
- The code lists are pycountry's, not those of the Rust crates (iso_currency, celes): codes that one
  list has and the other lacks are judged differently. Year 0000 is not a date in Python.
- A float in YAML or JSON keeps its digits (`12.30`) but its text is re-spelled by `Decimal`
  (`1e5` becomes `1E+5`) where the curated text is kept as written: only the date columns are
  affected, and a float there is a schema error anyway.
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import decimal
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

import jsonschema
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pycountry
import yaml

decimal.getcontext().prec = 80  # 38 digits and more, never rounded

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schema"

# --------------------------------------------------------------------------------------------------
# YAML: the C loader with the implicit types of the YAML 1.2 core schema.


class StrictLoader(yaml.CSafeLoader):
    """PyYAML's C loader, reading plain scalars by the YAML 1.2 core schema: only true/false are
    booleans, no timestamps, only JSON-shaped numbers, floats as exact `Decimal`."""


StrictLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^-?(?:0|[1-9][0-9]*)$", "-0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$",
        "-0123456789",
    ),
]:
    StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
StrictLoader.add_constructor(
    "tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node))
)


def load_document(path: str):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8-sig")  # a byte order mark is skipped
    if path.endswith(".json"):
        return json.loads(text, parse_float=Decimal)
    return yaml.load(text, Loader=StrictLoader)


# --------------------------------------------------------------------------------------------------
# Exact decimals and partial dates, as src/quantity.rs and src/date.rs define them.

SCALE = 9
PRECISION = 38
SCALE_WORDS = {None: 0, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
EXPONENT = re.compile(r"[+-]?[0-9]+")
DIGITS = re.compile(r"[0-9]*")


class AmountError(ValueError):
    pass


SYNTAX = "is not an amount: expected a number such as `566000`, `566,000`, `9.1 million` or `$177.9 billion`"


def parse_units(text: str) -> int:
    """A curated amount (`9.1 million`, `566,000`, `$177.9 billion`, `12.30`) in units of 10^-9,
    exactly, or AmountError."""
    rest = text.strip()
    negative = False
    if rest[:1] == "-":
        rest, negative = rest[1:], True
    elif rest[:1] == "+":
        rest = rest[1:]
    if rest[:1] == "$":
        rest = rest[1:].lstrip()
    space = re.search(r"\s", rest)
    if space:
        number, word = rest[: space.start()], rest[space.end() :].strip()
    else:
        number, word = rest, None
    if word not in SCALE_WORDS:
        raise AmountError(SYNTAX)
    at = min((i for i in (number.find("e"), number.find("E")) if i >= 0), default=-1)
    if at >= 0:
        if not EXPONENT.fullmatch(number[at + 1 :]):
            raise AmountError(SYNTAX)
        mantissa, exponent = number[:at], int(number[at + 1 :])
    else:
        mantissa, exponent = number, 0
    integer, _, fraction = mantissa.partition(".")
    if not integer or not DIGITS.fullmatch(fraction):
        raise AmountError(SYNTAX)
    if not re.fullmatch(r"[0-9,]*", integer):
        raise AmountError(SYNTAX)
    if "," in integer:
        groups = integer.split(",")
        if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
            raise AmountError("has thousands separators that do not group digits by three")
        integer = integer.replace(",", "")
    shift = exponent + SCALE_WORDS[word] - len(fraction) + SCALE
    digits = (integer + fraction).lstrip("0")
    if not digits:
        units = 0
    elif shift >= 0:
        if len(digits) + shift > PRECISION:
            raise AmountError("has more than 38 digits, which the dataset cannot store exactly")
        units = int(digits) * 10**shift
    else:
        cut = -shift
        kept = max(len(digits) - cut, 0)
        if cut > len(digits) or digits[kept:].strip("0"):
            raise AmountError("has more than 9 digits after the decimal point, which the dataset cannot store exactly")
        if kept > PRECISION:
            raise AmountError("has more than 38 digits, which the dataset cannot store exactly")
        units = int(digits[:kept]) if kept else 0
    return -units if negative else units


def plain(units: int) -> str:
    """Plain digits, never an exponent: `177900000000`, `0.5`, `-12.3`."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10**SCALE)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:09d}".rstrip("0")


def exact(units: int | None) -> Decimal | None:
    return None if units is None else Decimal(f"{units}E-{SCALE}")


def decimal_text(value: Decimal) -> str:
    """A Decimal of the tables as plain digits."""
    return plain(int(value.scaleb(SCALE)))


class DateError(ValueError):
    pass


def parse_date(text: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day a partial date covers (`2020`, `2020-06`, `2020-06-15`, seasons
    `2018-21`..`2018-24`, each optionally followed by `?`, `~` or `%`)."""
    core = text[:-1] if text[-1:] in ("?", "~", "%") else text
    parts = core.split("-")

    def number(part: str, width: int) -> int:
        if len(part) != width or not part.isascii() or not part.isdigit():
            raise DateError("is not a date: expected `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a season `YYYY-21`..`YYYY-24`, optionally followed by `?`, `~` or `%`")
        return int(part)

    def month_end(y: int, m: int) -> datetime.date:
        return datetime.date(y, m, calendar.monthrange(y, m)[1])

    try:
        if len(parts) == 1:
            y = number(parts[0], 4)
            return datetime.date(y, 1, 1), datetime.date(y, 12, 31)
        if len(parts) == 2:
            y, m = number(parts[0], 4), number(parts[1], 2)
            if 1 <= m <= 12:
                return datetime.date(y, m, 1), month_end(y, m)
            if 21 <= m <= 23:
                first = 3 * (m - 21) + 3
                return datetime.date(y, first, 1), month_end(y, first + 2)
            if m == 24:
                return datetime.date(y, 12, 1), month_end(y + 1, 2)
            raise ValueError
        if len(parts) == 3:
            day = datetime.date(number(parts[0], 4), number(parts[1], 2), number(parts[2], 2))
            return day, day
    except (ValueError, calendar.IllegalMonthError) as e:
        if isinstance(e, DateError):
            raise
        raise DateError("is not a date of the calendar") from None
    raise DateError("is not a date: expected `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a season")


# --------------------------------------------------------------------------------------------------
# The input, in the field order of the Rust types (src/model.rs), as their serde serialization has it:
# absent optional fields left out, scalars that may be numbers (dates, amounts) as text.


def text(value):
    """A date or amount as curated: numbers as their digits."""
    if value is None or isinstance(value, str):
        return value
    return str(value)


def pick(source: dict, fields, scalars=()) -> dict:
    out = {}
    for name in fields:
        value = source.get(name)
        if value is not None:
            out[name] = text(value) if name in scalars else value
    return out


AMOUNT_FIELDS = ["value", "low", "high", "qualifier", "currency", "unit", "per"]
AMOUNT_SCALARS = {"value", "low", "high"}
CLAIM_TAIL = ["sources", "status", "attributed_to", "quote"]
ORGANIZATION_FIELDS = ["id", "name", "abbreviation", "aliases", "kind", "parent", "country", "description", "sources"]
SYSTEM_FIELDS = ["id", "name", "abbreviation", "aliases", "kind", "operator", "developer", "replaces", "description", "sources"]
SOURCE_FIELDS = ["id", "title", "url", "publisher", "published", "accessed"]


def claim_tail(item: dict) -> dict:
    out = {"sources": item.get("sources", [])}
    out["status"] = item.get("status") or "reported"
    for name in ("attributed_to", "quote"):
        if item.get(name) is not None:
            out[name] = item[name]
    return out


def canonical(doc: dict) -> dict:
    """The revision as serde serializes `Revision`: struct field order, defaults filled in."""
    rev = {"profile": doc["profile"], "updated": doc["updated"], "name": doc["name"]}
    if doc.get("aliases"):
        rev["aliases"] = doc["aliases"]
    if doc.get("summary") is not None:
        rev["summary"] = doc["summary"]
    if doc.get("headquarters") is not None:
        rev["headquarters"] = pick(doc["headquarters"], ["city", "region", "country"])
    for name in ("stock_symbols", "categories"):
        if doc.get(name):
            rev[name] = doc[name]
    rev["sources"] = [pick(s, SOURCE_FIELDS, {"published", "accessed"}) for s in doc["sources"]]
    rev["organizations"] = [pick(o, ORGANIZATION_FIELDS) for o in doc.get("organizations") or []]
    rev["systems"] = [pick(s, SYSTEM_FIELDS) for s in doc.get("systems") or []]
    contracts = []
    for c in doc.get("contracts") or []:
        contract = pick(c, ["id", "buyer", "supplier", "description"])
        if c.get("amount") is not None:
            contract["amount"] = pick(c["amount"], AMOUNT_FIELDS, AMOUNT_SCALARS)
        contract.update(pick(c, ["start", "end"], {"start", "end"}))
        contract.update(claim_tail(c))
        contracts.append(contract)
    rev["contracts"] = contracts
    figures = []
    for f in doc.get("figures") or []:
        figure = pick(f, ["id", "subject", "metric"])
        figure.update(pick(f, AMOUNT_FIELDS, AMOUNT_SCALARS))
        figure.update(pick(f, ["as_of", "period", "note"], {"as_of", "period"}))
        figure.update(claim_tail(f))
        figures.append(figure)
    rev["figures"] = figures
    events = []
    for e in doc.get("events") or []:
        event = pick(e, ["id", "date", "subject", "kind", "description"], {"date"})
        event.update(claim_tail(e))
        events.append(event)
    rev["events"] = events
    relations = []
    for r in doc.get("relations") or []:
        relation = pick(r, ["id", "subject", "predicate", "object", "start", "end", "description"], {"start", "end"})
        relation.update(claim_tail(r))
        relations.append(relation)
    rev["relations"] = relations
    return rev


# --------------------------------------------------------------------------------------------------
# Claim keys (src/claim.rs) and the items the `changes` table compares (src/changes.rs).


def claim_key(kind: str, explicit: str | None, identifying: list[tuple[str, str | None]]) -> str:
    if explicit is not None:
        return explicit
    canonical_json = json.dumps(dict(sorted(identifying)), ensure_ascii=False, separators=(",", ":"))
    return f"{kind}:{hashlib.sha256(canonical_json.encode('utf-8')).hexdigest()[:16]}"


def value_text(value) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def flatten(prefix: str, value, out: dict) -> None:
    """Nested objects become dotted names; amounts become plain digits."""
    if isinstance(value, dict):
        for name, inner in value.items():
            flatten(f"{prefix}.{name}" if prefix else name, inner, out)
        return
    leaf = prefix.rsplit(".", 1)[-1]
    if leaf in AMOUNT_SCALARS and isinstance(value, str):
        try:
            value = plain(parse_units(value))
        except AmountError:
            pass
    out[prefix] = value_text(value)


SUBJECTS = ["profile", "organization", "system", "contract", "figure", "event", "relation"]
TOP_LEVEL_SKIPPED = {"profile", "updated", "sources", "organizations", "systems", "contracts", "figures", "events", "relations"}


def items(rev: dict, keys: dict) -> list:
    """Every thing of a revision that can change, as (subject, key, {field: text})."""
    top = {}
    flatten("", {k: v for k, v in rev.items() if k not in TOP_LEVEL_SKIPPED}, top)
    out = [("profile", rev["profile"], top)]
    for subject, section in (("organization", "organizations"), ("system", "systems")):
        for entity in rev[section]:
            fields = {}
            flatten("", {k: v for k, v in entity.items() if k not in ("id", "sources")}, fields)
            out.append((subject, entity["id"], fields))
    for subject, section in (("contract", "contracts"), ("figure", "figures"), ("event", "events"), ("relation", "relations")):
        for claim, key in zip(rev[section], keys[subject]):
            fields = {}
            flatten("", {k: v for k, v in claim.items() if k not in ("id", "sources")}, fields)
            out.append((subject, key, fields))
    return out


def _or_unknown(value: str) -> str:
    return value or "?"


def _per(value: str) -> str:
    return f"per {value}" if value else ""


def _dates(start: str, end: str) -> str:
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return ""


QUALIFIER_WORDS = {"": "", "exact": "", "about": "about ", "at_least": "at least ", "at_most": "at most ", "more_than": "more than ", "less_than": "less than "}


def _amount_text(qualifier: str, value: str, low: str, high: str) -> str:
    qualifier = QUALIFIER_WORDS.get(qualifier, qualifier)
    if value:
        return f"{qualifier}{value}"
    if low and high:
        return f"{low}–{high}"
    if low:
        return f"at least {low}"
    if high:
        return f"at most {high}"
    return ""


def label(subject: str, fields: dict) -> str:
    get = lambda name: fields.get(name, "")  # noqa: E731
    join = lambda parts: " ".join(p for p in parts if p)  # noqa: E731
    if subject in ("profile", "organization", "system"):
        return get("name")
    if subject == "contract":
        amount = _amount_text(get("amount.qualifier"), get("amount.value"), get("amount.low"), get("amount.high"))
        parties = f"{_or_unknown(get('buyer'))} → {_or_unknown(get('supplier'))}"
        return join([parties, get("description"), amount, get("amount.currency"), _per(get("amount.per")), _dates(get("start"), get("end"))])
    if subject == "figure":
        amount = _amount_text(get("qualifier"), get("value"), get("low"), get("high"))
        when = " ".join(f"({w} {v})" for w, v in (("as of", get("as_of")), ("period", get("period"))) if v)
        return join([get("subject"), get("metric"), amount, get("currency"), get("unit"), _per(get("per")), when])
    if subject == "event":
        return join([get("date"), get("subject"), get("kind"), f"– {get('description')}"])
    return join([get("subject"), get("predicate"), get("object"), _dates(get("start"), get("end"))])


def changes_between(old: dict, new: dict) -> list[tuple]:
    """(subject, key, in_old, in_new, change, field, old, new) from one revision to the next."""
    out = []
    for subject in SUBJECTS:
        before = [i for i in old["items"] if i[0] == subject]
        after = [i for i in new["items"] if i[0] == subject]
        first_before = {}
        for item in before:
            first_before.setdefault(item[1], item)
        after_keys = {item[1] for item in after}
        for _, key, fields in after:
            previous = first_before.get(key)
            if previous is None:
                out.append((subject, key, False, True, "added", None, None, label(subject, fields)))
                continue
            old_fields = previous[2]
            names = list(fields) + [n for n in old_fields if n not in fields]
            for name in names:
                was, now = old_fields.get(name), fields.get(name)
                if was != now:
                    out.append((subject, key, True, True, "changed", name, was, now))
        for _, key, fields in before:
            if key not in after_keys:
                out.append((subject, key, True, False, "removed", None, label(subject, fields), None))
    return out


# --------------------------------------------------------------------------------------------------
# The tables: columns and types, as src/tables/rows.rs declares them.

T, B, D, X, L = "text", "bool", "date", "decimal", "list"
CLAIM_HEAD = [("id", T, False), ("key", T, False), ("profile", T, False), ("updated", D, False), ("is_latest", B, False)]
CLAIM_TAIL_COLUMNS = [("status", T, False), ("attributed_to", T, True), ("quote", T, True)]
AMOUNT_COLUMNS = [("value", X, True), ("qualifier", T, True), ("low", X, True), ("high", X, True), ("unit", T, True), ("currency", T, True), ("per", T, True)]


def _dated(name: str) -> list:
    return [(name, T, True), (f"{name}_from", D, True), (f"{name}_to", D, True)]


TABLES = {
    "profiles": [("id", T, False), ("profile", T, False), ("updated", D, False), ("is_latest", B, False), ("name", T, False), ("aliases", L, False), ("summary", T, True), ("headquarters_city", T, True), ("headquarters_region", T, True), ("headquarters_country", T, True), ("stock_symbols", L, False), ("categories", L, False), ("file", T, False)],
    "entities": [("id", T, False), ("type", T, False), ("name", T, False)],
    "organizations": [("id", T, False), ("name", T, False), ("abbreviation", T, True), ("aliases", L, False), ("kind", T, True), ("parent", T, True), ("country", T, True), ("description", T, True), ("source_ids", L, False)],
    "systems": [("id", T, False), ("name", T, False), ("abbreviation", T, True), ("aliases", L, False), ("kind", T, True), ("operator", T, True), ("developer", T, True), ("replaces", T, True), ("description", T, True), ("source_ids", L, False)],
    "claims": [("id", T, False), ("key", T, False), ("kind", T, False), ("profile", T, False), ("updated", D, False), ("revision", T, False)],
    "contracts": CLAIM_HEAD + [("buyer", T, True), ("supplier", T, True), ("description", T, True)] + AMOUNT_COLUMNS + _dated("start") + _dated("end") + CLAIM_TAIL_COLUMNS,
    "figures": CLAIM_HEAD + [("subject", T, False), ("metric", T, False)] + AMOUNT_COLUMNS + _dated("as_of") + _dated("period") + [("note", T, True)] + CLAIM_TAIL_COLUMNS,
    "events": CLAIM_HEAD + [("date", T, False), ("date_from", D, False), ("date_to", D, False), ("subject", T, True), ("kind", T, True), ("description", T, False)] + CLAIM_TAIL_COLUMNS,
    "relations": CLAIM_HEAD + [("subject", T, False), ("predicate", T, False), ("object", T, False)] + _dated("start") + _dated("end") + [("description", T, True)] + CLAIM_TAIL_COLUMNS,
    "sources": [("id", T, False), ("local_id", T, False), ("profile", T, False), ("updated", D, False), ("revision", T, False), ("title", T, False), ("url", T, True), ("publisher", T, True)] + _dated("published") + _dated("accessed"),
    "citations": [("claim_id", T, False), ("source_id", T, False)],
    "changes": [("id", T, False), ("profile", T, False), ("old_updated", D, False), ("new_updated", D, False), ("revision", T, False), ("kind", T, False), ("key", T, False), ("old_claim_id", T, True), ("new_claim_id", T, True), ("change", T, False), ("field", T, True), ("old_value", T, True), ("new_value", T, True)],
}
COLUMNS = {table: [c[0] for c in columns] for table, columns in TABLES.items()}
CLAIM_TABLES = ("contracts", "figures", "events", "relations")
KIND_OF_TABLE = {"contracts": "contract", "figures": "figure", "events": "event", "relations": "relation"}
IS_LATEST = 4  # column of is_latest in every claim table
PROFILE_IS_LATEST = 3

TABLE_DESCRIPTIONS = {
    "profiles": "A revision of a company profile.",
    "entities": "An organization or system: the one table every entity reference points to.",
    "organizations": "A company, subsidiary, government agency, police department or contractor, merged across every revision that declares it.",
    "systems": "A database, piece of software, device or platform, merged across every revision that declares it.",
    "claims": "Every claim (contract, figure, event or relation) of every revision: the one table `citations` points to.",
    "contracts": "A contract between a buyer and a supplier.",
    "figures": "A quantity about an entity: revenue, employees, records held, transactions per day.",
    "events": "Something that happened (or is planned) at a date.",
    "relations": "A relation between two entities: `subject predicate object`.",
    "sources": "A document that a revision cites.",
    "citations": "A claim citing a source.",
    "changes": "One fact added, removed or changed between two consecutive revisions of a profile.",
}
# Columns that the JSON documents (schema/profiles.schema.json) do not describe.
EXTRA_DESCRIPTIONS = {
    "entities": {"id": "Id of the entity, shared by organizations and systems.", "type": "Whether the entity is an organization or a system.", "name": "Full name of the entity."},
    "claims": {"id": "Id of the claim: `<profile>/<updated>/<key>`.", "key": "Key of the claim, the same in every revision that makes it: its curated `id`, or `<kind>:` and 16 hex digits of the SHA-256 of its identifying fields.", "kind": "Kind of claim.", "profile": "Slug of the profile that makes the claim.", "updated": "Day the revision that makes the claim was updated.", "revision": "Id of the revision that makes the claim (a row of `profiles`)."},
    "citations": {"claim_id": "Id of the claim (a row of `claims`).", "source_id": "Id of the source it cites (a row of `sources`)."},
}
DOCUMENT_DEFINITIONS = {"profiles": "ProfileDocument", "organizations": "OrganizationRow", "systems": "SystemRow", "contracts": "CitedContractRow", "figures": "CitedFigureRow", "events": "CitedEventRow", "relations": "CitedRelationRow", "sources": "SourceRow", "changes": "ChangeRow"}


def column_descriptions() -> dict:
    """Column descriptions, read from the published schema of the JSON documents (schema/profiles.schema.json)."""
    schema = json.loads((SCHEMA_DIR / "profiles.schema.json").read_text())
    out = {}
    for table, definition in DOCUMENT_DEFINITIONS.items():
        # Tolerant of a schema whose definitions are named otherwise: a column then has no description.
        properties = schema.get("$defs", {}).get(definition, {}).get("properties", {})
        out[table] = {name: " ".join(properties[name].get("description", "").split()) for name in COLUMNS[table] if name in properties}
    out.update(EXTRA_DESCRIPTIONS)
    return out


def arrow_schema(table: str, descriptions: dict) -> pa.Schema:
    types = {T: pa.string(), B: pa.bool_(), D: pa.date32(), X: pa.decimal128(38, 9), L: pa.list_(pa.string())}
    fields = [
        pa.field(name, types[kind], nullable=nullable, metadata={"description": descriptions.get(table, {}).get(name, "")})
        for name, kind, nullable in TABLES[table]
    ]
    return pa.schema(fields, metadata={"description": TABLE_DESCRIPTIONS[table]})


# --------------------------------------------------------------------------------------------------
# One file: parse, validate, check, and turn into rows (runs in the pool).

REVISION_VALIDATOR = None
DOCUMENT_VALIDATOR = None
COUNTRIES: set = set()
CURRENCIES: set = set()


def inline_refs(node, definitions: dict):
    """The schema with every `#/$defs/...` reference replaced by its definition (the schemas have no
    cycles): jsonschema then validates about twice as fast as when it resolves references."""
    if isinstance(node, list):
        return [inline_refs(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: inline_refs(value, definitions) for key, value in node.items() if key not in ("$ref", "$defs")}
    if "$ref" in node:
        target = inline_refs(definitions[node["$ref"].removeprefix("#/$defs/")], definitions)
        out = {**target, **out} if not set(out) & set(target) else {"allOf": [target], **out}
    return out


def validator(schema: dict, root: str | None = None) -> jsonschema.Draft202012Validator:
    """A Draft 2020-12 validator that checks formats, as ours does."""
    cls = jsonschema.Draft202012Validator
    start = schema["$defs"][root] if root else schema
    return cls(inline_refs(start, schema.get("$defs", {})), format_checker=cls.FORMAT_CHECKER)


def init_worker(validate_output: bool) -> None:
    global REVISION_VALIDATOR, DOCUMENT_VALIDATOR, COUNTRIES, CURRENCIES
    REVISION_VALIDATOR = validator(json.loads((SCHEMA_DIR / "revision.schema.json").read_text()))
    if validate_output:
        profiles_schema = json.loads((SCHEMA_DIR / "profiles.schema.json").read_text())
        # One document: the `ProfileDocument` of a schema of the array (json/profiles.json), or the
        # root of a schema of one line of json/profiles.jsonl.
        root = "ProfileDocument" if profiles_schema.get("type") == "array" else None
        DOCUMENT_VALIDATOR = validator(profiles_schema, root)
    COUNTRIES = {c.alpha_2 for c in pycountry.countries}
    CURRENCIES = {c.alpha_3 for c in pycountry.currencies}


def pointer(path) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in path)


def date_columns(value: str | None) -> list:
    if value is None:
        return [None, None, None]
    first, last = parse_date(value)
    return [value, first, last]


def amount_columns(amount: dict) -> list:
    value = parse_units(amount["value"]) if "value" in amount else None
    qualifier = (amount.get("qualifier") or "exact") if value is not None else None
    if qualifier in ("exact", "about"):
        low = high = value
    elif qualifier in ("at_least", "more_than"):
        low, high = value, None
    elif qualifier in ("at_most", "less_than"):
        low, high = None, value
    else:
        low = parse_units(amount["low"]) if "low" in amount else None
        high = parse_units(amount["high"]) if "high" in amount else None
    return [exact(value), qualifier, exact(low), exact(high), amount.get("unit"), amount.get("currency"), amount.get("per")]


def check_file(job: tuple[str, str, str]) -> dict:
    """Reads one revision file and returns its rows, or its problems."""
    input_dir, relative, shown = job
    problems = []

    def problem(code: str, where: str, message: str) -> None:
        problems.append((shown, where, code, message))

    try:
        doc = load_document(os.path.join(input_dir, "profiles", relative))
    except OSError as e:
        problem("E0001", "", f"cannot be read: {e}")
        return {"relative": relative, "problems": problems}
    except UnicodeDecodeError:
        problem("E0004", "", "is not valid UTF-8")
        return {"relative": relative, "problems": problems}
    except (yaml.YAMLError, json.JSONDecodeError) as e:
        problem("E0006", "", f"is not valid YAML or JSON: {' '.join(str(e).split())}")
        return {"relative": relative, "problems": problems}

    for error in REVISION_VALIDATOR.iter_errors(doc):
        where = pointer(error.absolute_path)
        if error.validator == "additionalProperties":
            known = set(error.schema.get("properties", {}))
            for field in error.instance:
                if field not in known:
                    problem("E0100", f"{where}/{field}", f"unknown field `{field}`")
        else:
            problem("E0101", where, error.message)
    if problems:
        return {"relative": relative, "problems": problems}

    rev = canonical(doc)
    profile, updated = rev["profile"], rev["updated"]
    revision_id = f"{profile}/{updated}"

    def date(where: str, value: str | None) -> list:
        try:
            return date_columns(value)
        except DateError as e:
            problem("E0202", where, f"`{value}` {e}")
            return [value, None, None]

    def country(where: str, code: str | None) -> None:
        if code is not None and code not in COUNTRIES:
            problem("E0207", where, f"`{code}` is not an ISO 3166-1 alpha-2 country code")

    if os.path.splitext(relative)[0].replace(os.sep, "/") != f"{profile}/{updated}":
        problem("E0200", "/profile", f"the file's path says `{os.path.splitext(relative)[0]}`, but its content is profile `{profile}` updated `{updated}`")
    updated_day = date("/updated", updated)[1]
    country("/headquarters/country", rev.get("headquarters", {}).get("country"))

    # Sources.
    source_ids = {}
    sources = []
    for index, source in enumerate(rev["sources"]):
        where = f"/sources/{index}"
        if source["id"] in source_ids:
            problem("E0208", f"{where}/id", f"the source id `{source['id']}` is used twice in this file")
        source_ids.setdefault(source["id"], index)
        sources.append(
            [f"{revision_id}/{source['id']}", source["id"], profile, updated_day, revision_id, source["title"], source.get("url"), source.get("publisher")]
            + date(f"{where}/published", source.get("published"))
            + date(f"{where}/accessed", source.get("accessed"))
        )

    def cites(where: str, ids: list) -> None:
        for index, source in enumerate(ids):
            if source not in source_ids:
                problem("E0209", f"{where}/{index}", f"cites the source `{source}`, which this file does not list")

    references = []

    def reference(where: str, field: str, value: str | None, expected: str | None) -> None:
        if value is not None:
            references.append((value, expected, field, where))

    # Organizations and systems: the profiled company first.
    declarations = [(profile, "organization", {"name": rev["name"], "kind": "company"}, [])]
    for index, org in enumerate(rev["organizations"]):
        where = f"/organizations/{index}"
        reference(f"{where}/parent", "parent", org.get("parent"), "organization")
        country(f"{where}/country", org.get("country"))
        cites(f"{where}/sources", org.get("sources", []))
        fields = {k: v for k, v in org.items() if k not in ("id", "sources")}
        declarations.append((org["id"], "organization", fields, org.get("sources", [])))
    for index, system in enumerate(rev["systems"]):
        where = f"/systems/{index}"
        reference(f"{where}/operator", "operator", system.get("operator"), "organization")
        reference(f"{where}/developer", "developer", system.get("developer"), "organization")
        reference(f"{where}/replaces", "replaces", system.get("replaces"), "system")
        cites(f"{where}/sources", system.get("sources", []))
        fields = {k: v for k, v in system.items() if k not in ("id", "sources")}
        declarations.append((system["id"], "system", fields, system.get("sources", [])))
    declared = set()
    for entity_id, _, _, _ in declarations[1:]:
        if entity_id in declared:
            problem("E0210", "", f"`{entity_id}` is declared twice in this file")
        declared.add(entity_id)

    def amount(where: str, value: dict, is_figure: bool) -> list:
        for name in ("value", "low", "high"):
            if name in value:
                try:
                    parse_units(value[name])
                except AmountError as e:
                    problem("E0203", f"{where}/{name}", f"`{value[name]}` {e}")
                    return [None] * 7
        is_range = "low" in value or "high" in value
        if "value" in value and is_range:
            problem("E0205", f"{where}/value", "has both a value and a range (low/high): give one or the other")
        elif is_range and "qualifier" in value:
            problem("E0205", f"{where}/qualifier", f"a range (low/high) takes no qualifier, found \"{value['qualifier']}\"")
        elif "value" not in value and not is_range:
            problem("E0205", where, f"{'a figure' if is_figure else 'an amount'} needs a value, or a range with low and/or high")
        if "low" in value and "high" in value and parse_units(value["low"]) > parse_units(value["high"]):
            problem("E0204", f"{where}/low", f"low {plain(parse_units(value['low']))} is above high {plain(parse_units(value['high']))}")
        if value.get("currency") is not None and value["currency"] not in CURRENCIES:
            problem("E0206", f"{where}/currency", f"`{value['currency']}` is not an ISO 4217 currency code")
        return amount_columns(value)

    keys = {"contract": [], "figure": [], "event": [], "relation": []}
    rows = {table: [] for table in ("claims", "citations") + CLAIM_TABLES}
    cited = []  # for each claim, the source ids it cites

    def head(kind: str, key: str, claim: dict) -> list:
        claim_id = f"{revision_id}/{key}"
        seen = []
        for source in claim["sources"]:
            if source not in seen:
                seen.append(source)
        ids = [f"{revision_id}/{s}" for s in seen]
        rows["citations"].extend([claim_id, s] for s in ids)
        cited.append(ids)
        rows["claims"].append([claim_id, key, kind, profile, updated_day, revision_id])
        return [claim_id, key, profile, updated_day, False]

    def tail(where: str, claim: dict) -> list:
        cites(f"{where}/sources", claim["sources"])
        reference(f"{where}/attributed_to", "attributed_to", claim.get("attributed_to"), None)
        return [claim["status"], claim.get("attributed_to"), claim.get("quote")]

    for index, c in enumerate(rev["contracts"]):
        where = f"/contracts/{index}"
        if c.get("buyer") is None and c.get("supplier") is None:
            problem("E0215", where, "a contract names a buyer or a supplier (or both)")
        reference(f"{where}/buyer", "buyer", c.get("buyer"), "organization")
        reference(f"{where}/supplier", "supplier", c.get("supplier"), "organization")
        key = claim_key("contract", c.get("id"), [("buyer", c.get("buyer")), ("supplier", c.get("supplier")), ("description", c.get("description"))])
        keys["contract"].append(key)
        amounts = amount(f"{where}/amount", c["amount"], False) if "amount" in c else [None] * 7
        rows["contracts"].append(
            head("contract", key, c) + [c.get("buyer"), c.get("supplier"), c.get("description")] + amounts
            + date(f"{where}/start", c.get("start")) + date(f"{where}/end", c.get("end")) + tail(where, c)
        )
    for index, f in enumerate(rev["figures"]):
        where = f"/figures/{index}"
        reference(f"{where}/subject", "subject", f["subject"], None)
        key = claim_key("figure", f.get("id"), [("subject", f["subject"]), ("metric", f["metric"]), ("per", f.get("per")), ("as_of", f.get("as_of")), ("period", f.get("period"))])
        keys["figure"].append(key)
        rows["figures"].append(
            head("figure", key, f) + [f["subject"], f["metric"]] + amount(where, f, True)
            + date(f"{where}/as_of", f.get("as_of")) + date(f"{where}/period", f.get("period")) + [f.get("note")] + tail(where, f)
        )
    for index, e in enumerate(rev["events"]):
        where = f"/events/{index}"
        reference(f"{where}/subject", "subject", e.get("subject"), None)
        key = claim_key("event", e.get("id"), [("subject", e.get("subject")), ("kind", e.get("kind")), ("date", e["date"])])
        keys["event"].append(key)
        rows["events"].append(
            head("event", key, e) + date(f"{where}/date", e["date"]) + [e.get("subject"), e.get("kind"), e["description"]] + tail(where, e)
        )
    for index, r in enumerate(rev["relations"]):
        where = f"/relations/{index}"
        reference(f"{where}/subject", "subject", r["subject"], None)
        reference(f"{where}/object", "object", r["object"], None)
        key = claim_key("relation", r.get("id"), [("subject", r["subject"]), ("predicate", r["predicate"]), ("object", r["object"])])
        keys["relation"].append(key)
        rows["relations"].append(
            head("relation", key, r) + [r["subject"], r["predicate"], r["object"]]
            + date(f"{where}/start", r.get("start")) + date(f"{where}/end", r.get("end")) + [r.get("description")] + tail(where, r)
        )
    seen_keys = set()
    for kind in ("contract", "figure", "event", "relation"):
        for index, key in enumerate(keys[kind]):
            if key in seen_keys:
                problem("E0214", f"/{kind}s/{index}", f"this {kind} has the same key `{key}` as another claim of this revision")
            seen_keys.add(key)

    hq = rev.get("headquarters", {})
    profile_row = [
        revision_id, profile, updated_day, False, rev["name"], rev.get("aliases", []), rev.get("summary"),
        hq.get("city"), hq.get("region"), hq.get("country"), rev.get("stock_symbols", []), rev.get("categories", []),
        "profiles/" + "/".join(Path(relative).parts[-2:]),
    ]
    return {
        "relative": relative,
        "shown": shown,
        "problems": problems,
        "profile": profile,
        "updated": updated,
        "row": profile_row,
        "sources": sources,
        "rows": rows,
        "cited": cited,
        "declarations": declarations,
        "references": references,
        "items": items(rev, keys),
    }


def validate_documents(lines: list[str]) -> list[str]:
    """Validates JSON documents against schema/profiles.schema.json (runs in the pool)."""
    errors = []
    for line in lines:
        document = json.loads(line)
        for error in DOCUMENT_VALIDATOR.iter_errors(document):
            errors.append(f"revision {document.get('id')} at {pointer(error.absolute_path)}: {error.message}")
            break
    return errors


# --------------------------------------------------------------------------------------------------
# The whole dataset (runs in the main process).


def list_files(input_dir: str) -> list[str]:
    root = os.path.join(input_dir, "profiles")
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found, key=lambda p: Path(p).parts)


def merge(revisions: list[dict], problems: list) -> dict:
    """Organizations and systems merged across files: id -> (type, fields, sorted sources)."""
    merged = {}
    by_profile = {}
    for rev in revisions:
        by_profile.setdefault(rev["profile"], []).append(rev)
    for profile_revisions in by_profile.values():
        own = {}
        for rev in profile_revisions:
            for entity_id, entity_type, fields, sources in rev["declarations"]:
                entry = own.get(entity_id)
                if entry is None:
                    entry = own[entity_id] = {"type": entity_type, "first": rev["shown"], "fields": {}, "sources": []}
                elif entry["type"] != entity_type:
                    problems.append((rev["shown"], "", "E0210", f"`{entity_id}` is declared here as {entity_type}, but elsewhere as {entry['type']}"))
                    continue
                for name, value in fields.items():
                    entry["fields"][name] = (value, rev["shown"])
                entry["sources"].extend((rev["profile"], rev["updated"], s) for s in sources)
        for entity_id in sorted(own):
            view = own[entity_id]
            entity = merged.get(entity_id)
            if entity is None:
                merged[entity_id] = view
                continue
            if entity["type"] != view["type"]:
                problems.append((view["first"], "", "E0210", f"`{entity_id}` is declared here as {view['type']}, but elsewhere as {entity['type']}"))
                continue
            for name, (value, origin) in view["fields"].items():
                existing = entity["fields"].get(name)
                if existing is None:
                    entity["fields"][name] = (value, origin)
                elif existing[0] != value:
                    problems.append((origin, "", "E0212", f"`{entity_id}` has {name} {json.dumps(value, ensure_ascii=False)} here, but another profile ({existing[1]}) gives it {name} {json.dumps(existing[0], ensure_ascii=False)}"))
            entity["sources"].extend(view["sources"])
    for rev in revisions:
        for entity_id, expected, field, where in rev["references"]:
            entity = merged.get(entity_id)
            if entity is None:
                problems.append((rev["shown"], where, "E0211", f"`{entity_id}` is not declared as an organization or system in any file"))
            elif expected is not None and entity["type"] != expected:
                problems.append((rev["shown"], where, "E0211", f"`{entity_id}` is a {entity['type']}, but {field} must be a {expected}"))
    out = {}
    for entity_id in sorted(merged):
        entity = merged[entity_id]
        if "name" not in entity["fields"]:
            problems.append((entity["first"], "", "E0213", f"`{entity_id}` has no name in any file that declares it"))
        fields = {name: value for name, (value, _) in entity["fields"].items()}
        out[entity_id] = (entity["type"], fields, sorted(set(entity["sources"])))
    return out


def entity_tables(entities: dict) -> tuple[list, list, list, dict, dict]:
    rows_entities, rows_organizations, rows_systems = [], [], []
    organization_index, system_index = {}, {}
    for entity_id, (entity_type, fields, sources) in entities.items():
        source_ids = [f"{p}/{u}/{s}" for p, u, s in sources]
        rows_entities.append([entity_id, entity_type, fields.get("name", "")])
        if entity_type == "organization":
            organization_index[entity_id] = len(rows_organizations)
            rows_organizations.append([entity_id, fields.get("name", ""), fields.get("abbreviation"), fields.get("aliases") or [], fields.get("kind"), fields.get("parent"), fields.get("country"), fields.get("description"), source_ids])
        else:
            system_index[entity_id] = len(rows_systems)
            rows_systems.append([entity_id, fields.get("name", ""), fields.get("abbreviation"), fields.get("aliases") or [], fields.get("kind"), fields.get("operator"), fields.get("developer"), fields.get("replaces"), fields.get("description"), source_ids])
    return rows_entities, rows_organizations, rows_systems, organization_index, system_index


def json_value(value):
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def json_row(table: str, row: list) -> dict:
    return {name: json_value(value) for name, value in zip(COLUMNS[table], row)}


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# CSV: text a spreadsheet would run as a formula gets a leading `'`.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def inert(value: str) -> str:
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every cell as its CSV text."""
    converters = {
        T: lambda v: "" if v is None else inert(v),
        B: lambda v: "true" if v else "false",
        D: lambda v: "" if v is None else v.isoformat(),
        X: lambda v: "" if v is None else decimal_text(v),
        L: lambda v: dumps(list(v)),
    }
    data = {}
    for name, kind, _ in TABLES[table]:
        convert = converters[kind]
        data[name] = [convert(v) for v in frame[name].tolist()]
    return pd.DataFrame(data, columns=COLUMNS[table], dtype=object)


def build(input_dir: str, output_dir: str, workers: int, validate_output: bool, timings: bool = False) -> int:
    started = time.perf_counter()

    def phase(name: str) -> None:
        if timings:
            print(f"  {time.perf_counter() - started:8.2f} s  {name}", file=sys.stderr)

    if not os.path.isdir(input_dir):
        print(f"error: the input folder {input_dir} does not exist", file=sys.stderr)
        return 2
    problems = []
    dataset_path = os.path.join(input_dir, "dataset.yaml")
    if not os.path.exists(dataset_path):
        problems.append((dataset_path, "", "E0010", "is missing"))
    else:
        dataset_schema = json.loads((SCHEMA_DIR / "dataset.schema.json").read_text())
        for error in validator(dataset_schema).iter_errors(load_document(dataset_path)):
            problems.append((dataset_path, pointer(error.absolute_path), "E0101", error.message))

    jobs = []
    for relative in list_files(input_dir):
        shown = os.path.join(input_dir, "profiles", relative)
        if os.path.splitext(relative)[1] not in (".yaml", ".yml", ".json"):
            problems.append((shown, "", "E0002", "is not a .yaml, .yml or .json file (TOML is not supported by this baseline)"))
        else:
            jobs.append((input_dir, relative, shown))

    with multiprocessing.Pool(workers, initializer=init_worker, initargs=(validate_output,)) as pool:
        results = pool.map(check_file, jobs, chunksize=max(1, min(64, len(jobs) // (workers * 8) or 1)))
        phase(f"{len(jobs)} files parsed, validated, checked and turned into rows")
        revisions = []
        for result in results:
            problems.extend(result["problems"])
            if "rows" in result:
                revisions.append(result)
        revisions.sort(key=lambda r: (r["profile"], r["updated"], r["relative"]))
        seen = {}
        for rev in revisions:
            first = seen.setdefault((rev["profile"], rev["updated"]), rev["shown"])
            if first != rev["shown"]:
                problems.append((rev["shown"], "", "E0201", f"holds the revision {rev['updated']} of `{rev['profile']}` that {first} already holds"))
        entities = merge(revisions, problems)
        phase("entities merged, references resolved")
        if problems:
            for path, where, code, message in sorted(set(problems)):
                print(f"{path}: error[{code}]: {message}" + (f" (at {where})" if where else ""), file=sys.stderr)
            print(f"error: {len(set(problems))} problems; nothing was written", file=sys.stderr)
            return 1

        # Rows of every table, in the order of ours: revisions by profile then date.
        latest = {rev["profile"]: rev["updated"] for rev in revisions}
        rows_entities, rows_organizations, rows_systems, organization_index, system_index = entity_tables(entities)
        tables = {name: [] for name in TABLES}
        tables["entities"], tables["organizations"], tables["systems"] = rows_entities, rows_organizations, rows_systems
        documents = []
        previous = None
        for rev in revisions:
            is_latest = latest[rev["profile"]] == rev["updated"]
            rev["row"][PROFILE_IS_LATEST] = is_latest
            for table in CLAIM_TABLES:
                for row in rev["rows"][table]:
                    row[IS_LATEST] = is_latest
            changes = []
            if previous is not None and previous["profile"] == rev["profile"]:
                profile, old, new = rev["profile"], previous["updated"], rev["updated"]
                old_day, new_day = previous["row"][2], rev["row"][2]
                for subject, key, in_old, in_new, change, field, was, now in changes_between(previous, rev):
                    is_claim = subject not in ("profile", "organization", "system")
                    changes.append([
                        f"{profile}/{old}/{new}/{subject}/{key}" + (f"/{field}" if field is not None else ""),
                        profile, old_day, new_day, f"{profile}/{new}", subject, key,
                        f"{profile}/{old}/{key}" if in_old and is_claim else None,
                        f"{profile}/{new}/{key}" if in_new and is_claim else None,
                        change, field, was, now,
                    ])
            previous = rev
            tables["profiles"].append(rev["row"])
            tables["sources"].extend(rev["sources"])
            tables["changes"].extend(changes)
            for table in ("claims", "citations") + CLAIM_TABLES:
                tables[table].extend(rev["rows"][table])

            # Its JSON document.
            document = json_row("profiles", rev["row"])
            document["sources"] = [json_row("sources", row) for row in rev["sources"]]
            ids = sorted({d[0] for d in rev["declarations"]} | {r[0] for r in rev["references"]})
            document["organizations"] = [json_row("organizations", rows_organizations[organization_index[i]]) for i in ids if i in organization_index]
            document["systems"] = [json_row("systems", rows_systems[system_index[i]]) for i in ids if i in system_index]
            cited = iter(rev["cited"])
            for table in CLAIM_TABLES:
                claims = []
                for row in rev["rows"][table]:
                    claim = json_row(table, row)
                    claim["sources"] = next(cited)
                    claims.append(claim)
                document[table] = claims
            document["changes"] = [json_row("changes", row) for row in changes]
            documents.append(dumps(document))

        phase("changes and JSON documents built")
        if validate_output:
            size = max(1, len(documents) // (workers * 8))
            batches = [documents[i : i + size] for i in range(0, len(documents), size)]
            errors = [e for batch in pool.map(validate_documents, batches) for e in batch]
            if errors:
                print(f"error: json/profiles.jsonl would not match schema/profiles.schema.json: {errors[0]}", file=sys.stderr)
                return 2
            phase("JSON documents validated")

    # Write everything beside the output folder, then swap it in.
    output = os.path.abspath(output_dir)
    staging = f"{output}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    for folder in ("csv", "parquet", "json"):
        os.makedirs(os.path.join(staging, folder))
    try:
        summary = write(staging, tables, documents)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    phase("CSV, Parquet and JSON written")
    if os.path.exists(output):
        old = f"{output}.old-{os.getpid()}"
        os.rename(output, old)
        os.rename(staging, output)
        shutil.rmtree(old)
    else:
        os.rename(staging, output)
    print(f"built {output_dir} from {input_dir}:", file=sys.stderr)
    for table, count in summary:
        print(f"  {table:<14} {count:>9} rows", file=sys.stderr)
    return 0


def write(staging: str, tables: dict, documents: list[str]) -> list[tuple[str, int]]:
    """Every table as CSV and Parquet, and json/profiles.jsonl, into the staging folder."""
    descriptions = column_descriptions()
    summary = []
    for table in TABLES:
        frame = pd.DataFrame(tables[table], columns=COLUMNS[table], dtype=object)
        csv_frame(table, frame).to_csv(os.path.join(staging, "csv", f"{table}.csv"), index=False, lineterminator="\n", encoding="utf-8")
        schema = arrow_schema(table, descriptions)
        arrow = pa.Table.from_pandas(frame, schema=schema, preserve_index=False).replace_schema_metadata(schema.metadata)
        pq.write_table(arrow, os.path.join(staging, "parquet", f"{table}.parquet"), compression="zstd", write_statistics=True)
        summary.append((table, len(frame)))
    # JSON Lines: one document a line (json.dumps escapes every newline inside a string).
    with open(os.path.join(staging, "json", "profiles.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for document in documents:
            f.write(document)
            f.write("\n")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", default="input", help="the curated folder")
    parser.add_argument("--output", default="output-baseline", help="the folder to write")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes of the pool (default: every core)")
    parser.add_argument("--no-output-validation", action="store_true", help="do not validate the JSON documents before writing")
    parser.add_argument("--timings", action="store_true", help="print the time of each phase to stderr")
    args = parser.parse_args()
    return build(args.input, args.output, args.workers, not args.no_output_validation, args.timings)


if __name__ == "__main__":
    sys.exit(main())
