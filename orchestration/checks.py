"""Asset checks that read the build database; each records its outcome for the publish gate."""

import contextlib
from dataclasses import dataclass
from typing import Any, Callable

import dagster as dg
import polars as pl

from schemas import Table, validate

from .limits import RATE_MIN_ROWS
from .resources import PipelineResource
from .incremental import touched
from .warehouse.database import connect, ident, record_check

# Every blocking check must have passed, in its latest run, before anything is published.
BLOCKING_CHECKS: list[str] = []
# The steps that check snapshot lists: the refresh job runs their freshness checks.
SNAPSHOT_CHECK_STEPS: list[dg.AssetChecksDefinition] = []


def table(con, schema: str, name: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(f"select * from {ident(schema)}.{ident(name)}").to_arrow_table())


BATCH_ROWS = 1_000_000
MAX_LISTED = 50


def batches(con, schema: str, name: str, by: str, rows: int | None = None):
    """The table in frames of about `rows` rows, never splitting the rows that share a value of `by`
    (a snapshot's rows stay together, so a rule within a snapshot still sees all of them)."""
    target, column, rows = f"{ident(schema)}.{ident(name)}", ident(by), rows or BATCH_ROWS
    counts = con.execute(f"select {column}, count(*) from {target} group by all order by 1").fetchall()
    if not counts:
        yield table(con, schema, name)
        return
    group, size = [], 0
    for i, (value, n) in enumerate(counts):
        group.append(value)
        size += n
        if size >= rows or i == len(counts) - 1:
            marks = ", ".join("?" * len(group))
            yield pl.from_arrow(con.sql(f"select * from {target} where {column} in ({marks})",
                                        params=group).to_arrow_table())
            group, size = [], 0


def merge_outcomes(outcomes: list[tuple[bool, dict]]) -> tuple[bool, dict]:
    """One outcome from a check run batch by batch: it passes if every batch passed; counts add up,
    listed cases are joined (the first MAX_LISTED), anything else is the first batch's."""
    meta: dict = {}
    for _, part in outcomes:
        for key, value in part.items():
            if key not in meta:
                meta[key] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                meta[key] += value
            elif isinstance(value, dg.JsonMetadataValue) and isinstance(value.data, list):
                meta[key] = dg.MetadataValue.json((meta[key].data + value.data)[:MAX_LISTED])
    meta["batches"] = len(outcomes)
    return all(passed for passed, _ in outcomes), meta


def read_table(pipeline: PipelineResource, schema: str, name: str) -> pl.DataFrame:
    with connect(pipeline.paths().build_db, read_only=False) as con:
        return table(con, schema, name)


class RuleContext:
    """What a rule check may read besides its table: the build database (the step's connection),
    the published warehouse, the snapshot store, the configured limits, and its family's
    declaration (sources/family.py). The rules of a family are plain functions (schemas/*.py)."""

    rate_min_rows = RATE_MIN_ROWS

    def __init__(self, con, pipeline: PipelineResource, family: str | None = None):
        self.con, self.pipeline, self.family_name = con, pipeline, family

    @property
    def paths(self):
        return self.pipeline.paths()

    @property
    def max_reject_rate(self) -> float:
        return self.pipeline.max_reject_rate

    @property
    def family(self):
        from sources.family import family

        return family(self.family_name)

    def table(self, name: str, schema: str = "raw") -> pl.DataFrame:
        return table(self.con, schema, name)

    def store(self):
        return self.pipeline.store()

    @contextlib.contextmanager
    def published(self):
        """A read-only connection to the published warehouse, or None when none is published."""
        if not self.paths.published_db.exists():
            yield None
            return
        with connect(self.paths.published_db, read_only=True) as con:
            yield con


def as_metadata(meta: dict) -> dict:
    """A plain rule's details as Dagster metadata: lists and dicts as JSON."""
    return {k: dg.MetadataValue.json(v) if isinstance(v, (list, dict)) else v for k, v in meta.items()}


@dataclass(frozen=True)
class Check:
    """One check of one raw table: run with the family's other checks in one step (`family_checks`)."""
    asset_key: tuple[str, str]
    name: str
    description: str
    blocking: bool
    rule: Callable[[pl.DataFrame, Any], tuple[bool, dict]]
    # A large table is checked in batches of whole groups of this column (see `batches`).
    batch_by: str | None = None

    def run(self, con, pipeline: PipelineResource, family: str | None = None) -> tuple[bool, dict]:
        ctx = RuleContext(con, pipeline, family)

        def outcome(frame: pl.DataFrame) -> tuple[bool, dict]:
            passed, meta = self.rule(frame, ctx)
            return passed, as_metadata(meta)

        if self.batch_by is None:
            return outcome(table(con, *self.asset_key))
        return merge_outcomes([outcome(frame) for frame in batches(con, *self.asset_key, by=self.batch_by)])

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(self.name, asset=dg.AssetKey(list(self.asset_key)),
                                 description=self.description, blocking=self.blocking)


def pandera_check(table: Table) -> Check:
    """The table's pandera schema (schemas/): every column with its type, codes and ranges, no
    column undeclared, and the table's row rules."""
    def rule(frame: pl.DataFrame, _) -> tuple[bool, dict]:
        passed, cases, failures = validate(table, frame, max_cases=MAX_LISTED)
        meta = {"rows": frame.height, "failures": failures}
        if cases:
            meta["failure_cases"] = dg.MetadataValue.json(cases)
        return passed, meta

    return rule_check(table.key, f"pandera_{table.name}",
                      f"pandera schema of {'.'.join(table.key)} (schemas/): its columns and types, codes, ranges "
                      "and row rules; failing rows shown", rule, batch_by=table.batch_by)


def rule_check(asset_key: list[str], name: str, description: str,
               rule: Callable[[pl.DataFrame, Any], tuple[bool, dict]],
               blocking: bool = True, batch_by: str | None = None) -> Check:
    """A check written as a function of the table and a RuleContext: returns (passed, metadata)."""
    if blocking:
        BLOCKING_CHECKS.append(name)
    return Check(tuple(asset_key), name, description, blocking, rule, batch_by)


def family_checks(family: str, tables: list[Check], snapshots: list[Check] = ()) -> list[dg.AssetChecksDefinition]:
    """The checks of a source family as two steps, one on its snapshot list and one on its raw tables:
    the checks are cheap, and a Dagster step costs about a quarter of a second of its own (41 steps
    were a sixth of a cold build). Two, because the snapshot checks block the raw tables' step that
    the table checks follow; in one step they would make a cycle, which Dagster breaks by splitting
    every step on the way, dbt's included. Each check keeps its own result, severity and record for
    the publish gate; one that raises is recorded as failed with its error, and the others still run."""
    steps = [_check_step(f"{family}_{stage}_checks", checks, family)
             for stage, checks in (("snapshot", snapshots), ("table", tables)) if checks]
    if snapshots:
        SNAPSHOT_CHECK_STEPS.append(steps[0])
    return steps


def _check_step(name: str, checks: list[Check], family: str) -> dg.AssetChecksDefinition:
    specs = [c.spec() for c in checks]

    @dg.multi_asset_check(specs=specs, name=name, can_subset=True,
                          description="Checks of " + ", ".join(sorted({".".join(c.asset_key) for c in checks})))
    def _checks(context: dg.AssetCheckExecutionContext, pipeline: PipelineResource):
        selected = context.selected_asset_check_keys
        # One connection for the step: opening the build database costs about 50 ms each time.
        with connect(pipeline.paths().build_db) as con:
            touched(con)
            for check, spec in zip(checks, specs):
                if spec.key not in selected:
                    continue
                try:
                    passed, meta = check.run(con, pipeline, family)
                except Exception as exc:  # a broken check blocks like a failed one, and says why
                    context.log.error(f"check {check.name} raised {type(exc).__name__}: {exc}")
                    passed, meta = False, {"error": f"{type(exc).__name__}: {exc}"}
                record_check(con, check=check.name, asset=".".join(check.asset_key), passed=passed,
                             blocking=check.blocking, run_id=context.run.run_id,
                             details={k: getattr(v, "value", v) for k, v in meta.items()})
                yield dg.AssetCheckResult(
                    asset_key=spec.asset_key, check_name=check.name, passed=passed, metadata=meta,
                    severity=dg.AssetCheckSeverity.ERROR if check.blocking else dg.AssetCheckSeverity.WARN)

    return _checks
