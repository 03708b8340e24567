"""`unodc-indicators export`: every requested table of one release, in every requested format."""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from . import annex, sdmx, tidy
from .wdr import annex_layouts, apply_markers, layout_for
from .definitions import DefinitionError, TableDef, load_definitions, select
from .frames import TIDY, table_frame

FORMATS = ("xlsx", "csv", "parquet", "sdmx")
CHANGE_KEY = ["band", "area_code", "label", "series", "year"]


def parse_list(text: str | None, allowed: tuple[str, ...] | None = None, what: str = "format") -> list[str] | None:
    if not text:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    if allowed is not None:
        unknown = [i for i in items if i not in allowed]
        if unknown:
            raise DefinitionError(f"unknown {what}(s) {', '.join(unknown)}; the {what}s are: {', '.join(allowed)}")
    return items


def release_facts(con: duckdb.DuckDBPyConnection) -> dict:
    release_id, published_at, code_version, manifest = con.execute(
        "select release_id, published_at::varchar, code_version, manifest from audit.release").fetchall()[0]
    return {"release_id": release_id, "published_at": published_at.replace(" ", "T"), "code_version": code_version,
            "manifest": json.loads(manifest)}


def codebook(con: duckdb.DuckDBPyConnection) -> dict:
    ind = con.sql("select indicator_code, indicator_text, unit, result_code, area_name from main.dim_indicator").pl()
    snaps = con.sql("""select snapshot_id, snapshot_name, title, sha256, licence, url, snapshot_as_of::varchar as as_of
                       from main.dim_snapshot order by snapshot_name""").pl()
    return {"indicators": {r["indicator_code"]: r for r in ind.iter_rows(named=True)},
            "snapshots": snaps.to_dicts()}


def change_key(frame: pl.DataFrame) -> list[str]:
    """The columns that name a cell: the tidy key and, in a long table, its text columns (its numeric
    columns are measures, such as a kilogram equivalent)."""
    extra = [c for c in frame.columns if c not in TIDY and frame.schema[c] == pl.String]
    return CHANGE_KEY + extra


def changes_against(frame: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Cells added, removed and revised against the same table of an earlier release.

    A key may name several cells (two activities reporting the same output in one country-year,
    two seizures of one drug): those are paired in the order of their values, so that a table
    compared with itself shows no change and one revised cell shows as one row, never as the
    product of its duplicates."""
    key = change_key(frame)
    # A long table's numeric columns (the kilogram equivalent of a seizure) are measures: a change
    # of one of them alone is a revision.
    measures = [c for c in frame.columns if c not in TIDY and c not in key and frame.schema[c].is_numeric()]
    vals = ["value", "value_text", "lower_bound", "upper_bound", *measures]

    def numbered(f: pl.DataFrame) -> pl.DataFrame:
        return (f.select(key + vals).sort(key + vals, nulls_last=True)
                .with_columns(pl.int_range(pl.len()).over(key).alias("_nth")))

    joined = numbered(previous).join(numbered(frame), on=key + ["_nth"], how="full", suffix="_new",
                                     nulls_equal=True, coalesce=True)
    change = (pl.when(pl.col("value_new").is_null() & pl.col("value_text_new").is_null()
                      & (pl.col("value").is_not_null() | pl.col("value_text").is_not_null())).then(pl.lit("removed"))
              .when(pl.col("value").is_null() & pl.col("value_text").is_null()
                    & (pl.col("value_new").is_not_null() | pl.col("value_text_new").is_not_null())).then(pl.lit("added"))
              .when(~pl.col("value").eq_missing(pl.col("value_new")) | ~pl.col("value_text").eq_missing(pl.col("value_text_new"))
                    | ~pl.col("lower_bound").eq_missing(pl.col("lower_bound_new"))
                    | ~pl.col("upper_bound").eq_missing(pl.col("upper_bound_new"))
                    | pl.any_horizontal(False, *(~pl.col(m).eq_missing(pl.col(f"{m}_new")) for m in measures)))
              .then(pl.lit("revised")))
    return (joined.with_columns(change.alias("change")).filter(pl.col("change").is_not_null())
            .select("change", *key, pl.col("value").alias("old_value"), pl.col("value_new").alias("new_value"),
                    pl.col("value_text").alias("old_text"), pl.col("value_text_new").alias("new_text"),
                    pl.col("lower_bound").alias("old_lower"), pl.col("lower_bound_new").alias("new_lower"),
                    pl.col("upper_bound").alias("old_upper"), pl.col("upper_bound_new").alias("new_upper"),
                    *(e for m in measures for e in (pl.col(m).alias(f"old_{snake(m)}"), pl.col(f"{m}_new").alias(f"new_{snake(m)}"))))
            .sort(["change", *key], nulls_last=True))


def snake(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


def open_release(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}")
    return duckdb.connect(str(path), read_only=True)


def export(release_db: Path, out: Path, tables: list[str] | None = None, formats: list[str] | None = None,
           compare_db: Path | None = None) -> dict:
    """Write the tables; return what was written. File names come from the validated definitions."""
    formats = formats or list(FORMATS)
    chosen = select(load_definitions(), tables)
    con = open_release(release_db)
    previous = open_release(compare_db) if compare_db else None
    written: list[str] = []
    try:
        with staging(out) as tmp:
            release, compared = _export_into(tmp, con, previous, chosen, formats, written)
    finally:
        con.close()
        if previous:
            previous.close()
    return {"release_id": release["release_id"], "out": str(out), "files": written, "compared_with": compared}


class OutputError(ValueError):
    """The output folder cannot be written: said in one line, nothing half-written."""


# Marks a folder an export wrote: only such a folder, or an empty one, is replaced by a new export.
MARKER = ".unodc-indicators-export"


@contextmanager
def staging(out: Path):
    """Write into a temporary folder beside `out`, then rename it into place: a reader sees the
    old export or the new one, never a part; a failure leaves `out` as it was. A folder that holds
    anything but an earlier export is never replaced."""
    out = out.absolute()
    if out.exists() and not out.is_dir():
        raise OutputError(f"cannot export to {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(f"cannot export to {out}: the folder holds other files; name a new or empty folder "
                          "(an export replaces only a folder an earlier export wrote)")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)       # mkdtemp makes it private; an export folder is not
    except OSError as exc:
        raise OutputError(f"cannot export to {out}: {exc.strerror or exc} ({out.parent})") from None
    try:
        yield tmp
        (tmp / MARKER).write_text("written by unodc-indicators export; the next export into this folder replaces it\n")
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.{tmp.name.split('.')[-2]}.old"
            os.rename(out, old)
        os.rename(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot export to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _export_into(out: Path, con, previous, chosen: list[TableDef], formats: list[str], written: list[str]):
    release = release_facts(con)
    book = codebook(con)
    compared = release_facts(previous)["release_id"] if previous else None
    layouts = annex_layouts(con)
    old_layouts = annex_layouts(previous) if previous else {}
    for tdef in chosen:
        frame = table_frame(con, tdef)
        source = layout_for(frame, layouts) if tdef.wdr_layout else None
        frame = apply_markers(frame, source)
        changes = None
        if previous:
            before = table_frame(previous, tdef, older=True)
            before = apply_markers(before, layout_for(before, old_layouts) if tdef.wdr_layout else None)
            changes = changes_against(frame, before)
        written += _write_table(out, tdef, frame, release, book, changes, compared, formats, source)
    if "sdmx" in formats:
        written += _write_sdmx(out, con, release)
    return release, compared


def _meta(tdef: TableDef, frame: pl.DataFrame, release: dict, book: dict, file: str, columns: list[str]) -> dict:
    used = {s for v in frame["snapshot_id"].drop_nulls().to_list() for s in re.split(r"[,\s]+", v) if s}
    illustrative = bool(frame.height) and bool(frame["is_illustrative"].any())
    return {
        "file": file, "table": tdef.number, "title": tdef.title, "unit": tdef.unit, "rows": frame.height,
        "release_id": release["release_id"], "published_at": release["published_at"],
        "code_version": release["code_version"], "definition": tdef.file,
        "columns": {c: tidy.COLUMN_DOCS.get(c, "as in the source table") for c in columns},
        "sources": [{k: s[k] for k in ("snapshot_name", "title", "url", "sha256", "licence", "as_of")}
                    for s in book["snapshots"] if s["snapshot_id"] in used],
        "licence": "Data: as stated for each source (United Nations terms). Export: unodc-indicators, MIT.",
        "illustrative": illustrative,
        "illustrative_note": annex.ILLUSTRATIVE_NOTE if illustrative else None,
        "notes": list(tdef.notes), "source_line": tdef.sources,
    }


def _write_table(out: Path, tdef: TableDef, frame: pl.DataFrame, release: dict, book: dict,
                 changes: pl.DataFrame | None, compared: str | None, formats: list[str],
                 source: dict | None = None) -> list[str]:
    written = []
    stem = tdef.stem
    if "xlsx" in formats:
        annex.write_annex(out / f"{stem}.xlsx", tdef, frame, release, book, changes, source, compared)
        written.append(f"{stem}.xlsx")
    data = tidy.tidy(frame, release["release_id"])
    if "csv" in formats:
        tidy.write_csv(out / f"{stem}.csv", data)
        tidy.write_metadata(out / f"{stem}.csv.json", _meta(tdef, frame, release, book, f"{stem}.csv", data.columns))
        written += [f"{stem}.csv", f"{stem}.csv.json"]
    if "parquet" in formats:
        meta = _meta(tdef, frame, release, book, f"{stem}.parquet", data.columns)
        tidy.write_parquet(out / f"{stem}.parquet", data, {
            "release_id": meta["release_id"], "published_at": meta["published_at"], "table": meta["table"],
            "title": meta["title"], "licence": meta["licence"], "unit": meta["unit"],
            "units": sorted(set(data["unit"].drop_nulls().to_list())) if "unit" in data.columns else [meta["unit"]],
            "source_checksums": {s["snapshot_name"]: s["sha256"] for s in meta["sources"]},
            "source_licences": {s["snapshot_name"]: s["licence"] for s in meta["sources"]},
            "columns": meta["columns"]})
        tidy.write_metadata(out / f"{stem}.parquet.json", meta)
        written += [f"{stem}.parquet", f"{stem}.parquet.json"]
    if changes is not None:
        tidy.write_csv(out / f"{stem}.changes.csv", changes.with_columns(
            pl.lit(release["release_id"]).alias("release_id"), pl.lit(compared).alias("compared_with")))
        tidy.write_metadata(out / f"{stem}.changes.csv.json", {
            "file": f"{stem}.changes.csv", "table": tdef.number, "release_id": release["release_id"],
            "compared_with": compared, "counts": dict(sorted(changes.group_by("change").len().iter_rows()))})
        written += [f"{stem}.changes.csv", f"{stem}.changes.csv.json"]
    return written


def _write_sdmx(out: Path, con: duckdb.DuckDBPyConnection, release: dict) -> list[str]:
    from . import sdmx_structure

    obs, facts = sdmx.observations(con)
    obs = obs.with_columns(pl.lit(release["release_id"]).alias("RELEASE_ID"))
    series = sdmx.sdg_series(con)
    sdg = sdmx.sdg_observations(obs, series)
    artefacts = sdmx_structure.structure(con, obs, facts["codes"], series, release)
    sdmx_structure.check_codes(obs, artefacts, sdmx.DIMENSIONS)
    sdmx_structure.check_codes(sdg, artefacts, sdmx.SDG_DIMENSIONS)
    files = ["indicator_values.structure.xml", "indicator_values.sdmx10.csv", "indicator_values.sdmx20.csv",
             "sdg_series.sdmx20.csv"]
    sdmx_structure.write_structure(out / files[0], artefacts, release)
    (out / files[1]).write_bytes(sdmx.sdmx_csv_10(obs))
    (out / files[2]).write_bytes(sdmx.sdmx_csv_20(obs))
    (out / files[3]).write_bytes(sdmx.sdmx_csv_20(sdg, sdmx.SDG_DATAFLOW))
    illustrative = obs.filter(pl.col("COMMENT_OBS").str.starts_with("illustrative")).height
    tidy.write_metadata(out / "indicator_values.sdmx.json", {
        "dataflow": sdmx.DATAFLOW, "sdg_dataflow": sdmx.SDG_DATAFLOW, "structure": files[0], "files": files[1:],
        "dimensions": sdmx.DIMENSIONS, "measure_and_attributes": sdmx.MEASURE_AND_ATTRIBUTES,
        "sdg_dimensions": sdmx.SDG_DIMENSIONS, "sdg_series": {k: v[:2] for k, v in sorted(series.items())},
        "observations": obs.height, "sdg_observations": sdg.height, "illustrative_observations": illustrative,
        "illustrative_note": annex.ILLUSTRATIVE_NOTE if illustrative else None,
        "release_id": release["release_id"], "published_at": release["published_at"], **facts})
    return [*files, "indicator_values.sdmx.json"]
