"""Project-output snapshots into raw tables: IATI activities (de-duplicated before anything is
counted) and filled submission templates."""
from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from ..errors import SourceError
from ..parsing import REJECT_SCHEMA
from ..snapshots import Snapshot, SnapshotStore
from ..strategy.registry import load_registry
from .activities import parse_iati
from .template import parse_template

ILLUSTRATIVE = "iati_illustrative_sample"
TABLES = ("activities", "countries", "regions", "sectors", "participants", "budgets", "transactions",
          "indicators", "values")
_KEY = {"iati_identifier": pl.Utf8, "reporting_org_ref": pl.Utf8, "activity_position": pl.Int64,
        "snapshot_id": pl.Utf8, "dataset": pl.Utf8, "source_file": pl.Utf8, "is_illustrative": pl.Boolean}
# Each table's declared columns and types: a frame is built with them, never typed by inference
# on the data (a real file where no recipient-country has a percentage made that column text),
# and a table has them even when no file gives it a row (the marts read them all).
EMPTY = {
    "activities": {**_KEY, "reporting_org_name": pl.Utf8, "reporting_org_type": pl.Utf8, "title": pl.Utf8,
                   "description": pl.Utf8, "activity_status": pl.Utf8, "planned_start": pl.Utf8,
                   "actual_start": pl.Utf8, "planned_end": pl.Utf8, "actual_end": pl.Utf8, "last_updated": pl.Utf8,
                   "default_currency": pl.Utf8, "hierarchy": pl.Utf8, "humanitarian": pl.Utf8,
                   "result_count": pl.Int64},
    "regions": {**_KEY, "region_code": pl.Utf8, "vocabulary": pl.Utf8, "percentage": pl.Float64},
    "countries": {**_KEY, "country_code": pl.Utf8, "country_iso3": pl.Utf8, "percentage": pl.Float64},
    "sectors": {**_KEY, "vocabulary": pl.Utf8, "sector_code": pl.Utf8, "percentage": pl.Float64, "narrative": pl.Utf8},
    "participants": {**_KEY, "org_ref": pl.Utf8, "role": pl.Utf8, "org_type": pl.Utf8, "name": pl.Utf8},
    "budgets": {**_KEY, "budget_type": pl.Utf8, "status": pl.Utf8, "period_start": pl.Utf8, "period_end": pl.Utf8,
                "value": pl.Float64, "currency": pl.Utf8},
    "transactions": {**_KEY, "transaction_type": pl.Utf8, "transaction_date": pl.Utf8, "value": pl.Float64,
                     "currency": pl.Utf8},
    "indicators": {**_KEY, "result_index": pl.Int64, "indicator_index": pl.Int64, "result_type": pl.Utf8,
                   "result_aggregation_status": pl.Utf8, "result_title": pl.Utf8, "indicator_title": pl.Utf8,
                   "measure": pl.Utf8, "ascending": pl.Utf8, "aggregation_status": pl.Utf8, "references": pl.Utf8},
    "values": {**_KEY, "result_index": pl.Int64, "indicator_index": pl.Int64, "period_index": pl.Int64,
               "value_index": pl.Int64, "value_kind": pl.Utf8, "value": pl.Float64, "value_text": pl.Utf8,
               "period_start": pl.Utf8, "period_end": pl.Utf8, "baseline_year": pl.Utf8, "dimensions": pl.Utf8,
               "locations": pl.Utf8, "comment": pl.Utf8},
}


@dataclass
class ProjectTables:
    iati: dict[str, pl.DataFrame]
    template_values: pl.DataFrame
    files: pl.DataFrame
    rejects: pl.DataFrame


def usable_snapshots(snaps: list[Snapshot]) -> list[Snapshot]:
    """The illustrative sample stands in only while no real IATI file has been fetched or dropped in."""
    real = [s for s in snaps if s.format == "iati_xml" and s.dataset != ILLUSTRATIVE]
    # A store keeps every earlier version of the generated sample; only the newest stands in.
    newest = max((s.version for s in snaps if s.dataset == ILLUSTRATIVE), default=None)
    return [s for s in snaps if not (s.dataset == ILLUSTRATIVE and (real or s.version != newest))]


def ingest(store: SnapshotStore, snaps: list[Snapshot]) -> ProjectTables:
    iati: dict[str, list[pl.DataFrame]] = {t: [] for t in TABLES}
    templates, files, rejects = [], [], []
    registry = None
    for snap in usable_snapshots(snaps):
        data = store.read_bytes(snap)
        illustrative = snap.dataset == ILLUSTRATIVE
        tag = {"snapshot_id": snap.snapshot_id, "dataset": snap.dataset, "source_file": snap.filename,
               "is_illustrative": illustrative}
        try:
            if snap.format == "iati_xml":
                parsed = parse_iati(data, filename=snap.filename)
                for table in TABLES:
                    rows = [{**r, **tag} for r in getattr(parsed, table)]
                    if rows:
                        iati[table].append(pl.DataFrame(rows, schema_overrides=EMPTY[table], infer_schema_length=None))
                rows_in, accepted, rejected = (parsed.facts["activities"] + len(parsed.rejects),
                                               parsed.facts["activities"], len(parsed.rejects))
                not_available = 0
                file_rejects = pl.DataFrame(parsed.rejects, schema=REJECT_SCHEMA)
                facts = parsed.facts
            elif snap.format == "submission_template":
                registry = registry or load_registry()
                result = parse_template(data, filename=snap.filename, registry=registry)
                templates.append(result.accepted.with_columns(*[pl.lit(v).alias(k) for k, v in tag.items()]))
                rows_in, accepted, rejected = result.rows_in, result.rows_accepted, result.rows_rejected
                not_available = result.rows_not_available
                file_rejects, facts = result.rejects, result.facts
            else:
                raise SourceError(f"no parser for format {snap.format!r}", file=snap.filename)
        except SourceError as exc:
            raise SourceError(f"{exc.reason} (snapshot {snap.name})", file=exc.file, sheet=exc.sheet,
                              row=exc.row, column=exc.column) from None
        rejects.append(file_rejects.with_columns(pl.lit(snap.dataset).alias("dataset"),
                                                 pl.lit(snap.snapshot_id).alias("snapshot_id")))
        files.append({"snapshot_id": snap.snapshot_id, "dataset": snap.dataset, "format": snap.format,
                      "source_file": snap.filename, "header_fingerprint": "0" * 16, "rows_in": rows_in,
                      "rows_accepted": accepted, "rows_rejected": rejected, "rows_not_available": not_available,
                      "is_illustrative": illustrative,
                      "facts": json.dumps(facts, default=str)})
    return ProjectTables(
        iati={t: (pl.concat(f, how="diagonal_relaxed") if f else pl.DataFrame(schema=EMPTY.get(t, _KEY)))
              for t, f in iati.items()},
        template_values=pl.concat(templates, how="diagonal_relaxed") if templates else pl.DataFrame(schema={
            "sheet": pl.Utf8, "source_row": pl.Int64, "area_code": pl.Utf8, "country_iso3": pl.Utf8,
            "indicator_code": pl.Utf8, "year": pl.Int64, "value": pl.Float64, "value_text": pl.Utf8,
            "activity_id": pl.Utf8, "comment": pl.Utf8, "snapshot_id": pl.Utf8, "dataset": pl.Utf8,
            "source_file": pl.Utf8, "is_illustrative": pl.Boolean}),
        files=pl.DataFrame(files, infer_schema_length=None),
        rejects=pl.concat(rejects, how="diagonal_relaxed") if rejects else pl.DataFrame(
            schema={**REJECT_SCHEMA, "dataset": pl.Utf8, "snapshot_id": pl.Utf8}),
    )
