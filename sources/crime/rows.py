"""How a crime-statistics file becomes rows of the family's raw tables: UN-CTS observations (handed
over file by file), WDR seizures, and one row per file with its release date."""
from __future__ import annotations

import json

import polars as pl

from ..parsing import FrameResult
from ..snapshots import Snapshot
from .cts import parse_cts
from .wdr_seizures import parse_wdr_seizures


def _cts(data: bytes, snap: Snapshot) -> FrameResult:
    from ..catalog import datasets

    return parse_cts(data, filename=snap.filename,
                     single_indicator=datasets().get(snap.dataset, {}).get("single_indicator"))


PARSERS = {"cts": _cts, "wdr_seizures": lambda data, snap: parse_wdr_seizures(data, filename=snap.filename)}


def release_date(result: FrameResult, snap: Snapshot) -> str | None:
    """The release a file is dated by: its own date, else its snapshot's publication date; a UN-CTS
    file with neither takes its snapshot's date (`rows` says so in its facts and warnings)."""
    release = result.facts.get("release_date") or snap.published
    if release is None and snap.format == "cts":
        release = (snap.as_of or snap.accessed or "")[:10] or None
    return str(release) if release else None


def rows(result: FrameResult, snap: Snapshot, tag: list[pl.Expr]) -> dict[str, pl.DataFrame]:
    if snap.format != "cts":
        return {"wdr_drug_seizures": result.accepted.with_columns(*tag, pl.lit(snap.version).alias("edition"))}
    if (result.facts.get("release_date") or snap.published) is None:
        # A file without a release date would drop out of the newest-release join (its date is
        # null): it takes its snapshot's date, and says so.
        result.facts["release_date_from"] = "snapshot"
        result.warnings.append(f"no release date in the file: the snapshot's date {release_date(result, snap)} is taken")
    release = release_date(result, snap)
    return {"cts_observations": result.accepted.with_columns(
        *tag, pl.lit(release, pl.Utf8).str.to_date().alias("release_date"))}


def file_row(row: dict, result: FrameResult, snap: Snapshot) -> dict:
    return {
        **{k: row[k] for k in ("snapshot_id", "dataset", "format", "source_file")},
        "sheet": result.facts.get("sheet"), "header_row": result.facts.get("header_row"),
        "header_fingerprint": row["header_fingerprint"], "header": json.dumps(result.header),
        "release_date": release_date(result, snap),
        **{k: row[k] for k in ("rows_in", "rows_accepted", "rows_rejected", "rows_not_available")},
        "facts": json.dumps({k: v for k, v in result.facts.items() if k not in ("sheet", "header_row")}, default=str),
        "warnings": row["warnings"],
    }


def observations_summary(tables: dict[str, pl.DataFrame]) -> dict:
    files = tables["crime_files"]
    by_dataset = files.filter(pl.col("format") == "cts").group_by("dataset").agg(pl.col("rows_accepted").sum())
    return {"by_dataset": dict(by_dataset.sort("dataset").iter_rows())}


def files_summary(tables: dict[str, pl.DataFrame]) -> dict:
    return {"files": tables["crime_files"].select("dataset", "source_file", "release_date", "header_fingerprint",
                                                  "rows_in", "rows_accepted", "rows_rejected").to_dicts()}
