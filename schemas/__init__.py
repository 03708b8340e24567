"""The metadata of every raw table (schemas/tables.py), one module per source family; the pandera
schemas made from it run as blocking asset checks."""
from __future__ import annotations

import polars as pl
import pandera.polars as pa
from pandera.errors import SchemaErrors

from .tables import Column, Table, row_rule


def validate(table: Table | pa.DataFrameSchema, frame: pl.DataFrame, *,
             max_cases: int = 50) -> tuple[bool, list[dict], int]:
    """Validate lazily (every failure at once): the verdict, the first `max_cases` failure cases, and
    how many there are in all."""
    schema = table.pandera if isinstance(table, Table) else table
    try:
        schema.validate(frame, lazy=True)
        return True, [], 0
    except SchemaErrors as exc:
        cases = exc.failure_cases
        if not isinstance(cases, pl.DataFrame):
            cases = pl.from_pandas(cases)
        cases = cases.select([c for c in ("column", "check", "failure_case", "index") if c in cases.columns])
        return False, cases.head(max_cases).with_columns(pl.all().cast(pl.Utf8)).to_dicts(), cases.height


def family_modules() -> dict:
    """The metadata module of each source family (its declaration's `schemas`), by family, and the
    countries' (a reference list of no family)."""
    import importlib

    from sources.family import families

    from . import geography

    return {"geography": geography, **{f.name: importlib.import_module(f"schemas.{f.schemas}")
                                       for f in families() if f.schemas}}


def raw_tables() -> list[Table]:
    """Every raw table the build writes, family by family."""
    return [t for module in family_modules().values() for t in module.TABLES]


__all__ = ["Column", "Table", "family_modules", "raw_tables", "row_rule", "validate"]
