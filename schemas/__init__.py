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
    how many there are in all.

    A table's rules are first evaluated together in one polars query (`holds`); pandera runs them
    again, one by one, only when that query finds a failure, to say which rows fail and why. The
    query is pandera's own checks on the same frame, so its verdict is pandera's; pandera's
    overhead (a query or two per column and check, about 40 ms a table) is paid only by a table
    that fails."""
    schema = table.pandera if isinstance(table, Table) else table
    if isinstance(table, Table) and holds(table, frame):
        return True, [], 0
    try:
        schema.validate(frame, lazy=True)
        return True, [], 0
    except SchemaErrors as exc:
        cases = exc.failure_cases
        if not isinstance(cases, pl.DataFrame):
            cases = pl.from_pandas(cases)
        cases = cases.select([c for c in ("column", "check", "failure_case", "index") if c in cases.columns])
        return False, cases.head(max_cases).with_columns(pl.all().cast(pl.Utf8)).to_dicts(), cases.height


def holds(table: Table, frame: pl.DataFrame) -> bool:
    """True when the frame passes the table's pandera schema, decided in one polars query: its
    columns exactly (strict) and their types, no null (nor NaN) in a column that may not be empty,
    no repeated value in a unique column, and every check of a column and of the table, each the
    schema's own pandera check with pandera's treatment of nulls. Anything it does not know how to
    evaluate as pandera does counts as a failure (pandera then decides), never as a pass."""
    schema = table.pandera
    if (schema.unique or schema.ordered or schema.coerce or not schema.strict or schema.add_missing_columns
            or set(frame.columns) != set(schema.columns)):
        return False
    declared = table.polars_schema
    if any(frame.schema[name] != declared[name] for name in schema.columns):
        return False
    lf = frame.lazy()
    tests: list[pl.Expr] = []
    outputs: list[pl.LazyFrame] = []
    for name, column in schema.columns.items():
        if column.coerce or column.regex or column.required is False:
            return False
        if not column.nullable:
            ok = pl.col(name).is_not_null()
            if declared[name].is_float():
                ok = ok & pl.col(name).is_not_nan()
            tests.append(ok.all())
        if column.unique:
            tests.append(pl.col(name).is_duplicated().any().not_())
        for check in column.checks:
            outputs.append(_check_output(check, lf, name))
    for check in schema.checks:
        outputs.append(_check_output(check, lf, "*"))
    if any(out is None for out in outputs):
        return False
    tests = [test.alias(f"test_{i}") for i, test in enumerate(tests)] or [pl.lit(True)]
    frames = pl.collect_all([lf.select(tests), *outputs])
    return all(value is True for f in frames for value in f.row(0))


def _check_output(check: pa.Check, lf: pl.LazyFrame, key: str) -> pl.LazyFrame | None:
    """Whether a pandera check holds on every row, as pandera's polars backend decides it (its
    `apply`, then a null output passing only where the check ignores nulls), left lazy; None for
    a check of a kind evaluated otherwise (grouped, element-wise, returning more than a column)."""
    import pandera.backends.polars.builtin_checks  # noqa: F401  (registers the polars forms of the checks)
    from pandera.api.polars.types import PolarsData
    from pandera.backends.polars.checks import PolarsCheckBackend

    if check.groupby is not None or check.element_wise or check.raise_warning:
        return None
    # As pandera's Check.__call__ does: a built-in check's function is looked up again, in the
    # registry its polars form was added to.
    builtin = getattr(check._check_fn, "__name__", None)
    if builtin is not None and check.is_builtin_check(builtin):
        check._check_fn = check.get_builtin_check_fn(builtin)
    out = PolarsCheckBackend(check).apply(PolarsData(lf, key))
    if not isinstance(out, pl.LazyFrame) or len(out.collect_schema()) != 1:
        return None
    result = pl.first()
    result = (result | result.is_null()) if check.ignore_na else result.fill_null(False)
    return out.select(result.all())


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
