"""A raw table's metadata is written once (schemas/): the real build's tables have exactly the
declared columns and types, the pandera schemas made from it are strict, the committed dbt sources
are what it writes, and every table and column says what it holds."""
from __future__ import annotations

import duckdb
import polars as pl
import pytest
import yaml

from schemas import raw_tables, validate
from schemas.dbt_sources import STAGING, expected

from .conftest import ROOT

TABLES = raw_tables()


def _ids(tables):
    return [t.name for t in tables]


def test_every_raw_table_of_a_real_build_has_exactly_the_declared_columns_and_types(bundled_build):
    con = duckdb.connect(str(bundled_build / "var" / "build" / "build.duckdb"), read_only=True)
    try:
        built: dict[str, dict[str, str]] = {}
        for table, column, data_type in con.execute(
                """select table_name, column_name, data_type from information_schema.columns
                   where table_schema = 'raw' order by table_name, ordinal_position""").fetchall():
            built.setdefault(table, {})[column] = data_type
    finally:
        con.close()
    declared = {t.name: {c.name: c.duckdb_type for c in t.columns} for t in TABLES}
    assert sorted(built) == sorted(declared)
    assert {name: columns for name, columns in built.items() if columns != declared[name]} == {}


@pytest.mark.parametrize("table", TABLES, ids=_ids(TABLES))
def test_a_schema_is_strict_an_unknown_a_missing_or_a_retyped_column_fails(table):
    empty = table.empty()
    assert empty.schema == table.polars_schema
    # A family that read no file writes its tables with no rows: that passes.
    assert validate(table, empty)[0]

    ok, cases, _ = validate(table, empty.with_columns(pl.lit(None, pl.Utf8).alias("not_declared")))
    assert not ok and {(c["check"], c["failure_case"]) for c in cases} == {("column_in_schema", "not_declared")}

    dropped = table.columns[-1].name
    ok, cases, _ = validate(table, empty.drop(dropped))
    assert not ok and ("column_in_dataframe", dropped) in {(c["check"], c["failure_case"]) for c in cases}

    column = table.columns[0]
    other = pl.Int64 if column.dtype != pl.Int64 else pl.Utf8
    ok, cases, _ = validate(table, empty.with_columns(pl.col(column.name).cast(other)))
    assert not ok and (column.name, f"dtype('{column.dtype}')") in {(c["column"], c["check"]) for c in cases}


@pytest.mark.parametrize("table", TABLES, ids=_ids(TABLES))
def test_every_table_and_column_says_what_it_holds(table):
    assert len(table.description) >= 20
    short = [c.name for c in table.columns if len(c.description) < 10 or "\n" in c.description]
    assert short == []


def test_the_committed_dbt_sources_are_what_the_metadata_writes():
    """Edit a table in schemas/, then run `python -m schemas.dbt_sources`: the dbt sources follow."""
    stale = [str(path.relative_to(ROOT)) for path, text in expected().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert stale == [], f"run `python -m schemas.dbt_sources`: {stale} differ from the metadata in schemas/"
    # No other yml declares a raw table by hand.
    declaring = {path for path in STAGING.parent.rglob("*.yml")
                 if (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources")}
    assert declaring == set(expected())
    listed = [t["name"] for path in declaring
              for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"] for t in source["tables"]]
    assert sorted(listed) == sorted(_ids(TABLES))


def test_the_dbt_project_reads_the_sources_with_their_column_documentation():
    """The manifest `make setup` parses holds every raw table with its columns, types and words."""
    import json

    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8"))
    sources = {s["name"]: s for s in manifest["sources"].values() if s["source_name"] == "raw"}
    assert sorted(sources) == sorted(_ids(TABLES))
    for table in TABLES:
        columns = sources[table.name]["columns"]
        assert [(n, c["data_type"], c["description"]) for n, c in columns.items()] == \
            [(c.name, c.duckdb_type, c.description) for c in table.columns], table.name
