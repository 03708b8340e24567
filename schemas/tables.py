"""A raw table's metadata, written once: its columns (type, nullability, allowed values, a one-line
description) and its row rules. The pandera schema that checks the table, the empty frame of a
family that read nothing, and the dbt source entry with its column documentation are made from it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandera.polars as pa
import polars as pl

# The DuckDB type each polars type becomes in the build database (what dbt sees as data_type).
DUCKDB_TYPES = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Int32: "INTEGER", pl.Float64: "DOUBLE",
                pl.Boolean: "BOOLEAN", pl.Date: "DATE"}


@dataclass(frozen=True)
class Column:
    """One column: its type, whether it may be empty, what it holds (one line), and the values it
    may take. Every constraint given becomes a pandera check of the column."""
    name: str
    dtype: Any
    description: str
    nullable: bool = False
    unique: bool = False
    isin: tuple | None = None
    pattern: str | None = None          # the whole value matches (str_matches)
    contains: str | None = None         # some part of the value matches (str_contains)
    min_length: int | None = None
    max_length: int | None = None
    ge: Any = None
    le: Any = None
    gt: Any = None

    def __post_init__(self):
        if self.dtype not in DUCKDB_TYPES:
            raise TypeError(f"column {self.name}: no DuckDB type for {self.dtype}")
        if not self.description or "\n" in self.description:
            raise ValueError(f"column {self.name}: a description is one line")
        if self.isin is not None:
            object.__setattr__(self, "isin", tuple(self.isin))

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.dtype]

    def checks(self) -> list[pa.Check]:
        checks = []
        if self.isin is not None:
            checks.append(pa.Check.isin(list(self.isin)))
        if self.pattern is not None:
            checks.append(pa.Check.str_matches(self.pattern))
        if self.contains is not None:
            checks.append(pa.Check.str_contains(self.contains))
        if self.min_length is not None or self.max_length is not None:
            checks.append(pa.Check.str_length(min_value=self.min_length, max_value=self.max_length))
        for bound, make in (("ge", pa.Check.ge), ("le", pa.Check.le), ("gt", pa.Check.gt)):
            if getattr(self, bound) is not None:
                checks.append(make(getattr(self, bound)))
        return checks

    def pandera(self) -> pa.Column:
        return pa.Column(self.dtype, checks=self.checks(), nullable=self.nullable, unique=self.unique,
                         description=self.description)


def row_rule(name: str, error: str, passes: pl.Expr) -> pa.Check:
    """A rule over the columns of each row (or the whole table): `passes` is true on every good row.
    The error is what a failing row is reported under."""
    return pa.Check(lambda data: data.lazyframe.select(passes), name=name, error=error)


@dataclass(frozen=True, eq=False)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    checks: tuple[pa.Check, ...] = ()
    schema: str = "raw"
    # A large table is checked in batches of whole groups of this column (orchestration/checks.py).
    batch_by: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "checks", tuple(self.checks))
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: a column is declared twice")
        if self.batch_by is not None and self.batch_by not in names:
            raise ValueError(f"table {self.name}: batch_by {self.batch_by} is not a column")

    @property
    def key(self) -> list[str]:
        """The table's Dagster asset key: schema and name."""
        return [self.schema, self.name]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def polars_schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def empty(self) -> pl.DataFrame:
        """The table with no rows: every declared column with its type."""
        return pl.DataFrame(schema=self.polars_schema)

    @cached_property
    def pandera(self) -> pa.DataFrameSchema:
        """Strict: the project writes these tables, so a column it does not declare is an error,
        as is a declared one that is missing, of another type, or out of its values."""
        return pa.DataFrameSchema({c.name: c.pandera() for c in self.columns}, checks=list(self.checks),
                                   strict=True, name=f"{self.schema}.{self.name}",
                                   description=self.description)

    def dbt_source(self) -> dict:
        """The table's entry under a dbt source: description and every column with its type."""
        return {"name": self.name, "description": self.description,
                "columns": [{"name": c.name, "data_type": c.duckdb_type, "description": c.description}
                            for c in self.columns]}

    def named(self, name: str, description: str) -> Table:
        """The same columns and rules under another name: every family's snapshots have one shape."""
        return dataclasses.replace(self, name=name, description=description)
