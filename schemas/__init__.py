"""pandera models, written by hand, for every raw table; they run as blocking asset checks."""
from __future__ import annotations

import polars as pl
import pandera.polars as pa
from pandera.errors import SchemaErrors


def validate(model: type[pa.DataFrameModel], frame: pl.DataFrame, *,
             max_cases: int = 50) -> tuple[bool, list[dict], int]:
    """Validate lazily (every failure at once): the verdict, the first `max_cases` failure cases, and
    how many there are in all."""
    try:
        model.validate(frame, lazy=True)
        return True, [], 0
    except SchemaErrors as exc:
        cases = exc.failure_cases
        if not isinstance(cases, pl.DataFrame):
            cases = pl.from_pandas(cases)
        cases = cases.select([c for c in ("column", "check", "failure_case", "index") if c in cases.columns])
        return False, cases.head(max_cases).with_columns(pl.all().cast(pl.Utf8)).to_dicts(), cases.height
