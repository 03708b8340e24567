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


def _broken(table, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The frame as it is, and with each rule of the table's metadata broken on its first row."""
    first = pl.int_range(pl.len()) == 0

    def on_first(name: str, value) -> pl.DataFrame:
        return frame.with_columns(pl.when(first).then(value).otherwise(pl.col(name)).alias(name))

    out = {"as built": frame, "empty": frame.head(0)}
    if not frame.height:
        return out
    out["an undeclared column"] = frame.with_columns(pl.lit(1).alias("undeclared"))
    out["a missing column"] = frame.drop(table.columns[-1].name)
    for c in table.columns:
        out[f"{c.name} retyped"] = frame.with_columns(pl.col(c.name).cast(pl.Utf8 if c.dtype != pl.Utf8 else pl.Int64,
                                                                           strict=False))
        if not c.nullable:
            out[f"{c.name} empty"] = on_first(c.name, pl.lit(None, dtype=c.dtype))
        if c.dtype == pl.Float64 and not c.nullable:
            out[f"{c.name} NaN"] = on_first(c.name, pl.lit(float("nan")))
        if c.unique:
            out[f"{c.name} repeated"] = pl.concat([frame, frame.head(1)])
        if c.dtype == pl.Utf8 and (c.isin or c.pattern or c.contains or c.min_length):
            out[f"{c.name} out of its values"] = on_first(c.name, pl.lit("§"))
        if c.max_length:
            out[f"{c.name} too long"] = on_first(c.name, pl.lit("x" * (c.max_length + 1)))
        for bound, step in (("ge", -1), ("gt", 0), ("le", 1)):
            value = getattr(c, bound)
            if value is not None and c.dtype in (pl.Int64, pl.Float64):
                out[f"{c.name} {bound}"] = on_first(c.name, pl.lit(value + step, dtype=c.dtype))
    # A row rule broken: the first row repeated (rules of one row per key), and each column's
    # nullable values emptied together (rules between columns).
    out["first row twice"] = pl.concat([frame.head(1), frame])
    out["nullable columns empty"] = frame.with_columns(
        [pl.when(first).then(pl.lit(None, dtype=c.dtype)).otherwise(pl.col(c.name)).alias(c.name)
         for c in table.columns if c.nullable])
    return out


def test_one_query_decides_every_schema_as_pandera_does(bundled_build):
    """`holds` (one polars query, schemas/__init__.py) must never pass what pandera fails, nor fail
    what it passes: compared on every raw table of a real build, as built and with each rule broken."""
    from schemas import holds

    con = duckdb.connect(str(bundled_build / "var" / "build" / "build.duckdb"), read_only=True)
    compared, differ, failing = 0, [], 0
    try:
        for table in TABLES:
            frame = pl.from_arrow(con.sql(f'select * from "{table.schema}"."{table.name}"').to_arrow_table())
            through_validate = set()
            for case, variant in _broken(table, frame).items():
                try:
                    table.pandera.validate(variant, lazy=True)
                    verdict = True
                except Exception:
                    verdict = False
                compared += 1
                failing += not verdict
                if holds(table, variant) != verdict:
                    differ.append((table.name, case, verdict))
                # And the verdict validate() gives is pandera's: once passing and once failing per
                # table (validate() runs pandera again on each failing case: 1,702 calls, two thirds
                # of this test's time, for a wiring the comparison above already covers).
                if verdict not in through_validate:
                    through_validate.add(verdict)
                    assert validate(table, variant)[0] == verdict, (table.name, case)
    finally:
        con.close()
    assert differ == []
    assert compared > 500 and failing > compared / 2
