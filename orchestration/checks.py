"""Asset checks that read the build database; each records its outcome for the publish gate."""

import contextlib
from dataclasses import dataclass
from typing import Any, Callable

import dagster as dg
import polars as pl

from schemas import Table, validate

from .check_outcomes import KeptOutcomes
from .limits import RATE_MIN_ROWS
from .resources import PipelineResource
from .incremental import touched
from .warehouse.database import connect, ident, record_checks

# Every blocking check must have passed, in its latest run, before anything is published.
BLOCKING_CHECKS: list[str] = []
# The steps that check snapshot lists: the refresh job runs their freshness checks.
SNAPSHOT_CHECK_STEPS: list[dg.AssetChecksDefinition] = []


def table(con, schema: str, name: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(f"select * from {ident(schema)}.{ident(name)}").to_arrow_table())


# A quarter of a million rows a batch: the crime checks of a cold ×10 build (2.6 million rows) peak
# at 1.3-1.4 GiB with it against 2.0 GiB with a million, in the same time (6-8 s both; the checks'
# own process was the peak of the whole build, 2.5 GiB, above dbt's 1.9 GiB).
BATCH_ROWS = 250_000
MAX_LISTED = 50


def snapshot_counts(con, schema: str, name: str, by: str) -> list[tuple]:
    """Each value of `by` in the table with its number of rows, in order."""
    target, column = f"{ident(schema)}.{ident(name)}", ident(by)
    return con.execute(f"select {column}, count(*) from {target} group by all order by 1").fetchall()


def batches(con, schema: str, name: str, by: str, rows: int | None = None, counts: list[tuple] | None = None):
    """The table in frames of about `rows` rows, never splitting the rows that share a value of `by`
    (a snapshot's rows stay together, so a rule within a snapshot still sees all of them). Given
    `counts` (values of `by` and their rows, `snapshot_counts`), only the rows of those values."""
    target, column, rows = f"{ident(schema)}.{ident(name)}", ident(by), rows or BATCH_ROWS
    if counts is None:
        counts = snapshot_counts(con, schema, name, by)
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
    """One outcome from a check run batch by batch (or snapshot by snapshot): it passes if every
    part passed; counts add up, listed cases are joined (the first MAX_LISTED), a list of names is
    their union, sorted, anything else is the first part's."""
    meta: dict = {}
    for _, part in outcomes:
        for key, value in part.items():
            if key not in meta:
                meta[key] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                meta[key] += value
            elif isinstance(value, dg.JsonMetadataValue) and isinstance(value.data, list):
                joined = meta[key].data + value.data
                # Names (unmapped participants) as one part would list them: each once, all of them.
                joined = sorted(set(joined)) if all(isinstance(v, str) for v in joined) else joined[:MAX_LISTED]
                meta[key] = dg.MetadataValue.json(joined)
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
    # A large table is checked in batches of whole groups of this column (see `batches`). With
    # "snapshot_id" the rule is declared to hold within one snapshot's rows: its outcome is kept
    # per snapshot between builds (orchestration/check_outcomes.py).
    batch_by: str | None = None
    # What the rule reports of rows that pass it (pandera: how many): several snapshots are then
    # checked in one call and, when they pass, their outcomes kept one by one. Without it the rule
    # runs on each snapshot's rows alone.
    passing: Callable[[pl.DataFrame], dict] | None = None

    @property
    def keeps_failures(self) -> bool:
        """Whether a failed outcome is kept. A non-blocking check's failure is a report on a
        snapshot's rows (the official UN-CTS files repeat keys), the same whenever the same code
        checks the same rows: kept, or every build would read every such snapshot again. A blocking
        check's failure stops the publish: never kept, so each build checks it afresh (it is what
        someone is fixing, and a bound on today's date, as a year no later than this one, may pass
        it later; a pass stays a pass, since such bounds only widen)."""
        return not self.blocking

    def outcome(self, frame: pl.DataFrame, ctx) -> tuple[bool, dict]:
        passed, meta = self.rule(frame, ctx)
        return passed, as_metadata(meta)

    def by_snapshot(self, frame: pl.DataFrame, ctx) -> dict[str, tuple[bool, dict]]:
        """The outcome of each snapshot of the frame (`batch_by` its column)."""
        parts = {key[0]: part for key, part in frame.partition_by(self.batch_by, as_dict=True,
                                                                   maintain_order=True).items()}
        if self.passing is not None and len(parts) > 1:
            passed, _ = self.outcome(frame, ctx)
            if passed:
                return {value: (True, as_metadata(self.passing(part))) for value, part in parts.items()}
        # One by one: the rule's own details for each (a failed group says which snapshot failed).
        return {value: self.outcome(part, ctx) for value, part in parts.items()}

    def run(self, con, pipeline: PipelineResource, family: str | None = None,
            kept: KeptOutcomes | None = None) -> tuple[bool, dict]:
        result = run_together([self], con, pipeline, family, kept)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(self.name, asset=dg.AssetKey(list(self.asset_key)),
                                 description=self.description, blocking=self.blocking)


def run_together(checks: list[Check], con, pipeline: PipelineResource, family: str | None = None,
                 kept: KeptOutcomes | None = None) -> list[tuple[bool, dict] | Exception]:
    """The outcomes of checks of one table with one `batch_by`, its rows read once for all of them.

    A check by snapshot with kept outcomes (`kept`) reads back those of the snapshots the table
    holds, checks the rows of the others alone (one query, in batches), keeps their outcomes, and
    merges all into one: counts add up, and its details say how many snapshots were reused and
    how many checked. A check that raises gets its exception; the others still run."""
    ctx = RuleContext(con, pipeline, family)
    first = checks[0]
    results: list[tuple[bool, dict] | Exception | None] = [None] * len(checks)

    def attempt(i: int, work: Callable[[], Any]) -> Any:
        if isinstance(results[i], Exception):
            return None
        try:
            return work()
        except Exception as exc:
            results[i] = exc
            return None

    if first.batch_by is None:
        frame = table(con, *first.asset_key)
        found = [attempt(i, lambda c=c: c.outcome(frame, ctx)) for i, c in enumerate(checks)]
        return [results[i] or found[i] for i in range(len(checks))]
    schema, name = first.asset_key
    if first.batch_by != "snapshot_id" or kept is None:
        parts: list[list] = [[] for _ in checks]
        for frame in batches(con, schema, name, by=first.batch_by):
            for i, c in enumerate(checks):
                parts[i].append(attempt(i, lambda c=c: c.outcome(frame, ctx)))
        return [results[i] or merge_outcomes(parts[i]) for i in range(len(checks))]

    counts = snapshot_counts(con, schema, name, first.batch_by)
    present = {value for value, _ in counts}
    outcomes: list[dict] = []
    for c in checks:
        kept.keep_only(c.name, present)
        outcomes.append({value: o for value in present if (o := kept.get(c.name, value)) is not None})
    reused = [len(o) for o in outcomes]
    needed = [(value, n) for value, n in counts if any(value not in o for o in outcomes)]
    read = 0
    for frame in batches(con, schema, name, by=first.batch_by, counts=needed) if needed else ():
        read += 1
        values = set(frame[first.batch_by].unique().to_list())
        for i, c in enumerate(checks):
            todo = values - outcomes[i].keys()
            if not todo:
                continue
            part = frame if todo == values else frame.filter(pl.col(first.batch_by).is_in(list(todo)))
            found = attempt(i, lambda c=c, part=part: c.by_snapshot(part, ctx)) or {}
            for value, outcome in found.items():
                outcomes[i][value] = outcome
                if outcome[0] or c.keeps_failures:
                    kept.put(c.name, value, outcome)
    if not needed:
        # Every outcome read back: the table's columns and their types are still checked, on no rows.
        empty = pl.from_arrow(con.sql(f"select * from {ident(schema)}.{ident(name)} limit 0").to_arrow_table())
        for i, c in enumerate(checks):
            outcome = attempt(i, lambda c=c: c.outcome(empty, ctx))
            if outcome is not None:
                outcomes[i][""] = outcome
    kept.save()
    out: list[tuple[bool, dict] | Exception] = []
    for i in range(len(checks)):
        if isinstance(results[i], Exception):
            out.append(results[i])
            continue
        passed, meta = merge_outcomes([outcomes[i][value] for value in sorted(outcomes[i])])
        meta.update(batches=read, snapshots_reused=reused[i], snapshots_checked=len(present) - reused[i])
        out.append((passed, meta))
    return out


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
                      "and row rules; failing rows shown", rule, batch_by=table.batch_by,
                      passing=lambda frame: {"rows": frame.height, "failures": 0})


def rule_check(asset_key: list[str], name: str, description: str,
               rule: Callable[[pl.DataFrame, Any], tuple[bool, dict]],
               blocking: bool = True, batch_by: str | None = None,
               passing: Callable[[pl.DataFrame], dict] | None = None) -> Check:
    """A check written as a function of the table and a RuleContext: returns (passed, metadata)."""
    # Once each: a check made again (a test's own step, say) must not be required twice.
    if blocking and name not in BLOCKING_CHECKS:
        BLOCKING_CHECKS.append(name)
    return Check(tuple(asset_key), name, description, blocking, rule, batch_by, passing)


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
        selected = [c for c, spec in zip(checks, specs) if spec.key in context.selected_asset_check_keys]
        # Checks of one table in batches read its rows once for all of them.
        groups: dict[tuple, list[Check]] = {}
        for c in selected:
            groups.setdefault((c.asset_key, c.batch_by) if c.batch_by else (c.name,), []).append(c)
        results: dict[str, tuple[bool, dict]] = {}
        # One connection for the step: opening the build database costs about 50 ms each time.
        with connect(pipeline.paths().build_db) as con:
            touched(con)
            kept = (KeptOutcomes.open(con, pipeline.paths().parse_cache, family)
                    if any(c.batch_by == "snapshot_id" for c in selected) else None)
            for group in groups.values():
                for check, result in zip(group, run_together(group, con, pipeline, family, kept)):
                    if isinstance(result, Exception):  # a broken check blocks like a failed one, and says why
                        context.log.error(f"check {check.name} raised {type(result).__name__}: {result}")
                        result = (False, {"error": f"{type(result).__name__}: {result}"})
                    results[check.name] = result
            # Recorded together, before any is reported: the publish gate never sees a check
            # reported and not recorded.
            record_checks(con, [dict(check=c.name, asset=".".join(c.asset_key), passed=results[c.name][0],
                                     blocking=c.blocking,
                                     details={k: getattr(v, "value", v) for k, v in results[c.name][1].items()})
                                for c in selected], run_id=context.run.run_id)
        for check in selected:
            passed, meta = results[check.name]
            yield dg.AssetCheckResult(
                asset_key=dg.AssetKey(list(check.asset_key)), check_name=check.name, passed=passed, metadata=meta,
                severity=dg.AssetCheckSeverity.ERROR if check.blocking else dg.AssetCheckSeverity.WARN)

    return _checks
