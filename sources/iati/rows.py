"""How a project-output file becomes rows of the family's raw tables: an IATI file's activities and
their parts, or a filled template's values, every row marked illustrative or not; the generated
sample stands in only while no real IATI file is in the store."""
from __future__ import annotations

import json

import polars as pl

from ..parsing import FrameResult
from ..snapshots import Snapshot
from ..strategy.registry import load_registry
from .activities import parse_iati
from .template import parse_template

ILLUSTRATIVE = "iati_illustrative_sample"
# The parts of an activity the warehouse reads (regions and participating organisations are parsed
# and not kept).
WRITTEN = ("activities", "countries", "sectors", "indicators", "values", "budgets", "transactions")
PARSERS = {
    "iati_xml": lambda data, snap: parse_iati(data, filename=snap.filename),
    "submission_template": lambda data, snap: parse_template(data, filename=snap.filename, registry=load_registry()),
}


def usable_snapshots(snaps: list[Snapshot]) -> list[Snapshot]:
    """The illustrative sample stands in only while no real IATI file has been fetched or dropped in."""
    real = [s for s in snaps if s.format == "iati_xml" and s.dataset != ILLUSTRATIVE]
    # A store keeps every earlier version of the generated sample; only the newest stands in.
    newest = max((s.version for s in snaps if s.dataset == ILLUSTRATIVE), default=None)
    return [s for s in snaps if not (s.dataset == ILLUSTRATIVE and (real or s.version != newest))]


def rows(result: FrameResult, snap: Snapshot, tag: list[pl.Expr]) -> dict[str, pl.DataFrame]:
    tag = [*tag, pl.lit(snap.dataset == ILLUSTRATIVE).alias("is_illustrative")]
    if snap.format == "submission_template":
        return {"template_values": result.accepted.with_columns(*tag)}
    parsed = {"activities": result.accepted, **result.tables}
    return {f"iati_{t}": parsed[t].with_columns(*tag) for t in WRITTEN if parsed[t].height}


def file_row(row: dict, result: FrameResult, snap: Snapshot) -> dict:
    # The family's files record no header fingerprint (zeros): an IATI file has no header row.
    return {**{k: row[k] for k in ("snapshot_id", "dataset", "format", "source_file")}, "header_fingerprint": "0" * 16,
            **{k: row[k] for k in ("rows_in", "rows_accepted", "rows_rejected", "rows_not_available")},
            "is_illustrative": snap.dataset == ILLUSTRATIVE, "facts": json.dumps(result.facts, default=str)}
