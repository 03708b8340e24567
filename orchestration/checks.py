"""Asset checks that read the build database; each records its outcome for the publish gate."""

from dataclasses import dataclass
from typing import Callable

import dagster as dg
import polars as pl

from schemas import Table, validate

from .resources import PipelineResource
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


@dataclass(frozen=True)
class Check:
    """One check of one raw table: run with the family's other checks in one step (`family_checks`)."""
    asset_key: tuple[str, str]
    name: str
    description: str
    blocking: bool
    rule: Callable[[pl.DataFrame, PipelineResource], tuple[bool, dict]]
    # A large table is checked in batches of whole groups of this column (see `batches`).
    batch_by: str | None = None

    def run(self, con, pipeline: PipelineResource) -> tuple[bool, dict]:
        if self.batch_by is None:
            return self.rule(table(con, *self.asset_key), pipeline)
        return merge_outcomes([self.rule(frame, pipeline)
                               for frame in batches(con, *self.asset_key, by=self.batch_by)])

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(self.name, asset=dg.AssetKey(list(self.asset_key)),
                                 description=self.description, blocking=self.blocking)


def pandera_check(table: Table) -> Check:
    """The table's pandera schema (schemas/): every column with its type, codes and ranges, no
    column undeclared, and the table's row rules."""
    def rule(frame: pl.DataFrame, _: PipelineResource) -> tuple[bool, dict]:
        passed, cases, failures = validate(table, frame, max_cases=MAX_LISTED)
        meta = {"rows": frame.height, "failures": failures}
        if cases:
            meta["failure_cases"] = dg.MetadataValue.json(cases)
        return passed, meta

    return rule_check(table.key, f"pandera_{table.name}",
                      f"pandera schema of {'.'.join(table.key)} (schemas/): its columns and types, codes, ranges "
                      "and row rules; failing rows shown", rule, batch_by=table.batch_by)


def rule_check(asset_key: list[str], name: str, description: str,
               rule: Callable[[pl.DataFrame, PipelineResource], tuple[bool, dict]],
               blocking: bool = True, batch_by: str | None = None) -> Check:
    """A check written as a function of the table: returns (passed, metadata)."""
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
    steps = [_check_step(f"{family}_{stage}_checks", checks)
             for stage, checks in (("snapshot", snapshots), ("table", tables)) if checks]
    if snapshots:
        SNAPSHOT_CHECK_STEPS.append(steps[0])
    return steps


def _check_step(name: str, checks: list[Check]) -> dg.AssetChecksDefinition:
    specs = [c.spec() for c in checks]

    @dg.multi_asset_check(specs=specs, name=name, can_subset=True,
                          description="Checks of " + ", ".join(sorted({".".join(c.asset_key) for c in checks})))
    def _checks(context: dg.AssetCheckExecutionContext, pipeline: PipelineResource):
        selected = context.selected_asset_check_keys
        # One connection for the step: opening the build database costs about 50 ms each time.
        with connect(pipeline.paths().build_db) as con:
            for check, spec in zip(checks, specs):
                if spec.key not in selected:
                    continue
                try:
                    passed, meta = check.run(con, pipeline)
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


from .limits import RATE_MIN_ROWS  # noqa: E402  (shared with `inspect`)


def file_reject_rate(files_key: list[str], name: str) -> Check:
    """No file of the family rejects more than the configured share of its rows (a layout change).

    Files under RATE_MIN_ROWS rows (a filled template, an annex table) are not rated: a few bad
    rows there are rejected and reported while the rest loads, and a changed layout stops such a
    file with its own error. A file of any size whose every row was rejected fails the check.
    """

    def rule(rejects: pl.DataFrame, pipeline: PipelineResource) -> tuple[bool, dict]:
        every = read_table(pipeline, *files_key)
        # A file whose every row was rejected contributed nothing, whatever its size: unusable.
        empty = every.filter((pl.col("rows_in") > 0) & (pl.col("rows_accepted") == 0))
        files = every.filter(pl.col("rows_in") >= RATE_MIN_ROWS).with_columns(
            (pl.col("rows_rejected") / pl.col("rows_in").clip(1)).alias("rate")).sort("rate", descending=True)
        worst = float(files["rate"][0]) if files.height else 0.0
        reasons = (rejects.with_columns(pl.col("reason").str.replace(r":.*$", "")).group_by("reason").len()
                   .sort("len", descending=True).to_dicts() if rejects.height else [])
        meta = {"every_row_rejected": ", ".join(f"{f} ({n} of {n} rows rejected)" for f, n in
                                                empty.select("source_file", "rows_in").iter_rows())} if empty.height else {}
        return worst <= pipeline.max_reject_rate and empty.is_empty(), {
            **meta, "rows_in": int(files["rows_in"].sum()), "rows_rejected": int(files["rows_rejected"].sum()),
            "worst_file": dg.MetadataValue.json(files.head(1).select("source_file", "rate").to_dicts()),
            "max_reject_rate": pipeline.max_reject_rate, "files_rated_from_rows": RATE_MIN_ROWS,
            "by_reason": dg.MetadataValue.json(reasons)}

    rejects_key = [files_key[0], files_key[1].replace("_files", "_rejects")]
    return rule_check(rejects_key, name,
                      "No file has more than the configured share of rejected rows (a layout change shows here).",
                      rule)
