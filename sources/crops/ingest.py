"""Every crop-survey snapshot into raw tables: annex values, compiled figures, total checks, rejects."""
from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from ..errors import SourceError
from ..parsing import REJECT_SCHEMA, FrameResult
from ..snapshots import Snapshot, SnapshotStore
from .compiled import parse_compiled
from .wdr_annex import parse_wdr_annex

CROP_OF_TABLE = {"6.1": "coca_bush", "6.2": "opium_poppy", "6.3": "cannabis"}
MEASURE_WORDS = (("eradicat", "eradication_ha"), ("production", "production_t"), ("manufacture", "manufacture_t"),
                 ("cultivation", "cultivation_ha"))


@dataclass
class CropTables:
    annex_values: pl.DataFrame
    compiled_values: pl.DataFrame
    total_checks: pl.DataFrame
    files: pl.DataFrame
    rejects: pl.DataFrame


def table_identity(filename: str, title: str) -> tuple[str | None, str]:
    """('coca_bush', 'cultivation_ha') from '6.1.1_-_…' and 'Global illicit cultivation of coca bush …'."""
    crop = next((c for prefix, c in CROP_OF_TABLE.items() if filename.startswith(prefix)), None)
    lowered = title.lower()
    if crop is None:
        crop = "coca_bush" if "coca" in lowered else "opium_poppy" if "opium" in lowered else (
            "cannabis" if "cannabis" in lowered else None)
    measure = next((m for word, m in MEASURE_WORDS if word in lowered), "cultivation_ha")
    return crop, measure


def ingest(store: SnapshotStore, snaps: list[Snapshot]) -> CropTables:
    annex, compiled, checks, files, rejects = [], [], [], [], []
    for snap in snaps:
        data = store.read_bytes(snap)
        try:
            if snap.format == "wdr_annex":
                edition = snap.version.replace("wdr-", "WDR ")
                result: FrameResult = parse_wdr_annex(data, filename=snap.filename, edition=edition)
            elif snap.format == "crop_compiled":
                result = parse_compiled(data, filename=snap.filename)
            else:
                raise SourceError(f"no parser for format {snap.format!r}", file=snap.filename)
        except SourceError as exc:
            raise SourceError(f"{exc.reason} (snapshot {snap.name})", file=exc.file, sheet=exc.sheet,
                              row=exc.row, column=exc.column) from None
        tag = [pl.lit(snap.snapshot_id).alias("snapshot_id"), pl.lit(snap.dataset).alias("dataset"),
               pl.lit(snap.filename).alias("source_file")]
        if snap.format == "wdr_annex":
            crop, measure = table_identity(snap.filename, result.facts["title"])
            edition = result.facts["edition"]
            annex.append(result.accepted.with_columns(
                *tag, pl.lit(crop).alias("crop"), pl.lit(measure).alias("measure"),
                pl.lit(result.facts["unit"]).alias("unit"), pl.lit(edition).alias("edition"),
                pl.lit(int(edition.split()[-1])).alias("edition_year"),
                pl.lit(result.facts["title"]).alias("table_title")))
            for chk in result.facts["total_checks"]:
                checks.append({**chk, "snapshot_id": snap.snapshot_id, "source_file": snap.filename,
                               "crop": crop, "measure": measure, "edition": edition})
        elif result.accepted.height:
            compiled.append(result.accepted.with_columns(*tag))
        rejects.append(result.rejects.with_columns(pl.lit(snap.dataset).alias("dataset"),
                                                   pl.lit(snap.snapshot_id).alias("snapshot_id")))
        files.append({
            "snapshot_id": snap.snapshot_id, "dataset": snap.dataset, "format": snap.format,
            "source_file": snap.filename, "header_fingerprint": result.header_fingerprint,
            "rows_in": result.rows_in, "rows_accepted": result.rows_accepted, "rows_rejected": result.rows_rejected,
            "rows_not_available": result.rows_not_available,
            "facts": json.dumps({k: v for k, v in result.facts.items() if k != "total_checks"}, default=str),
            "warnings": json.dumps(result.warnings),
        })
    return CropTables(
        annex_values=pl.concat(annex, how="diagonal_relaxed") if annex else pl.DataFrame(),
        compiled_values=pl.concat(compiled, how="diagonal_relaxed") if compiled else pl.DataFrame(),
        total_checks=pl.DataFrame(checks, infer_schema_length=None),
        files=pl.DataFrame(files, infer_schema_length=None),
        rejects=pl.concat(rejects, how="diagonal_relaxed") if rejects else pl.DataFrame(
            schema={**REJECT_SCHEMA, "dataset": pl.Utf8, "snapshot_id": pl.Utf8}),
    )
