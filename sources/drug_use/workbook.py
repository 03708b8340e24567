"""A WDR drug workbook read sheet by sheet: each sheet's table is recognised by its header's names
(sources/drug_use/layouts.py), wherever the header stands, and read by its layout's reader; a
sheet of no known layout beside known ones is skipped with a warning, and a workbook with none is
refused in one line naming what the nearest layout misses."""
from __future__ import annotations

from collections import Counter

import polars as pl

from ..errors import SourceError
from ..excel import read_sheet_as_text, sheet_names
from ..parsing import REJECT_SCHEMA, FrameResult
from . import markets, prevalence
from .cells import Bad, text
from .layouts import closest, match
from .table import Sheet

FORMAT = "wdr_drug_annex"

_AREA = {"region": pl.Utf8, "subregion": pl.Utf8, "country_name": pl.Utf8, "area_kind": pl.Utf8,
         "country_iso3": pl.Utf8, "parent_iso3": pl.Utf8}
SCHEMAS = {
    "prevalence": {
        "sheet": pl.Utf8, "source_row": pl.Int64, "table_title": pl.Utf8, "drug": pl.Utf8, "substance_group": pl.Utf8,
        "substance": pl.Utf8, "recall_period": pl.Utf8, **_AREA, "year": pl.Int64, "year_end": pl.Int64, "year_text": pl.Utf8,
        "age": pl.Utf8, "sex": pl.Utf8, "best": pl.Float64, "low": pl.Float64, "high": pl.Float64,
        "best_text": pl.Utf8, "source": pl.Utf8, "method": pl.Utf8, "adjustment_notes": pl.Utf8,
        "specific_notes": pl.Utf8},
    "regional_prevalence": {
        "sheet": pl.Utf8, "source_row": pl.Int64, "table_title": pl.Utf8, "year": pl.Int64, "region_name": pl.Utf8,
        "region_level": pl.Utf8, "region": pl.Utf8, "drug": pl.Utf8, "drug_text": pl.Utf8, "measure": pl.Utf8,
        "unit": pl.Utf8, "best": pl.Float64, "low": pl.Float64, "high": pl.Float64},
    "prices": {
        "sheet": pl.Utf8, "source_row": pl.Int64, "source": pl.Utf8, **_AREA, "drug_group": pl.Utf8,
        "drug": pl.Utf8, "drug_state": pl.Utf8, "level_of_sale": pl.Utf8, "level": pl.Utf8, "year": pl.Int64,
        "typical": pl.Float64, "minimum": pl.Float64, "maximum": pl.Float64, "unit": pl.Utf8,
        "unit_normalised": pl.Utf8, "currency": pl.Utf8, "currency_code": pl.Utf8},
    "purities": {
        "sheet": pl.Utf8, "source_row": pl.Int64, "source": pl.Utf8, **_AREA, "drug_group": pl.Utf8,
        "drug": pl.Utf8, "drug_state": pl.Utf8, "level_of_sale": pl.Utf8, "level": pl.Utf8, "year": pl.Int64,
        "typical": pl.Float64, "minimum": pl.Float64, "maximum": pl.Float64, "purity_unit": pl.Utf8,
        "purity_scale": pl.Utf8, "typical_fraction": pl.Float64, "minimum_fraction": pl.Float64,
        "maximum_fraction": pl.Float64},
}
# Where each layout's rows go (the NPS sheet is prevalence too, by substance and recall period).
TABLE_OF = {"prevalence": "prevalence", "nps_prevalence": "prevalence", "regional_prevalence": "regional_prevalence",
            "prices": "prices", "purities": "purities"}


def _title(rows: list[list], header_idx: int) -> str | None:
    return next((str(c).strip() for r in rows[:header_idx] for c in r if text(c)), None)


def _read_sheet(sheet: Sheet, layout: str) -> None:
    title = _title(sheet.rows, sheet.header_idx)
    if layout == "prevalence":
        drug = prevalence.drug_of_title(title)
        if drug is None:
            raise Bad("no title above the header names the drug (the table's first line, as 'CANNABIS')",
                      sheet.header[0], row=sheet.excel_rows[sheet.header_idx])
        prevalence.national(sheet, drug, title)
    elif layout == "nps_prevalence":
        prevalence.nps(sheet, title)
    elif layout == "regional_prevalence":
        prevalence.regional(sheet, title)
    elif layout == "prices":
        markets.prices(sheet)
    else:
        markets.purities(sheet)


def parse_drug_use(data: bytes, *, filename: str) -> FrameResult:
    names = sheet_names(data, filename)
    found: list[tuple[Sheet, str]] = []
    unknown: list[tuple[str, list, list[int]]] = []
    for name in names:
        sheet_name, raw = read_sheet_as_text(data, filename, name)
        excel_rows = raw["excel_row"].to_list()
        rows = [list(r) for r in raw.drop("excel_row").iter_rows()]
        hit = match(rows)
        if hit is None:
            unknown.append((sheet_name, rows, excel_rows))
            continue
        layout, header_idx = hit
        found.append((Sheet(filename, sheet_name, rows, excel_rows, header_idx), layout.name))
    # A sheet whose header has half a known layout's columns or more is that table damaged: refused,
    # never skipped (its rows would be lost without a word). Below that it is another sheet (contents,
    # notes), skipped with a warning, unless no sheet of the workbook is a known table.
    near = [(name, rows, excel_rows, *closest(rows)) for name, rows, excel_rows in unknown]
    damaged = [n for n in near if len(n[5]) <= n[3].wanted() / 2]
    if damaged or not found:
        sheet_name, rows, excel_rows, layout, at, missing = (damaged or near or [(names[0] if names else None, [], [],
                                                                                 *closest([]))])[0]
        row = excel_rows[at] if at < len(excel_rows) else None
        raise SourceError(f"not a known WDR drug table: the nearest, {layout.title}, needs the column(s) "
                          f"{', '.join(missing)} in its header", file=filename, sheet=sheet_name, row=row,
                          column=missing[0] if missing else None)

    warnings = [f"sheet {name!r} skipped: its first rows hold no header of a known WDR drug table"
                for name, _, _ in unknown]
    parts: dict[str, list[dict]] = {t: [] for t in SCHEMAS}
    rejects, headers, layouts = [], [], {}
    rows_in = not_available = notes = 0
    for sheet, layout in found:
        try:
            _read_sheet(sheet, layout)
        except Bad as bad:
            raise SourceError(bad.reason, file=filename, sheet=sheet.name,
                              row=bad.row or sheet.excel_rows[sheet.header_idx], column=bad.column) from None
        parts[TABLE_OF[layout]].extend(sheet.records)
        rejects.extend(sheet.rejects)
        rows_in += sheet.rows_in
        not_available += sheet.not_available
        notes += len(sheet.notes)
        layouts[sheet.name] = {"layout": layout, "header_row": sheet.excel_rows[sheet.header_idx],
                               "rows_in": sheet.rows_in, "notes_skipped": len(sheet.notes)}
        header = [c for c in sheet.header if c]
        if header not in headers:
            headers.append(header)
    tables = {t: pl.DataFrame(records, schema=SCHEMAS[t]) for t, records in parts.items() if records}
    index = pl.concat([f.select("sheet", "source_row").unique() for f in tables.values()]) if tables else \
        pl.DataFrame(schema={"sheet": pl.Utf8, "source_row": pl.Int64})
    result = FrameResult(file=filename, rows_in=rows_in, accepted=index.sort("sheet", "source_row"),
                         rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA),
                         header=[c for h in headers for c in h], warnings=warnings,
                         rows_not_available=not_available, tables=tables)
    result.facts.update(_facts(tables, layouts, notes))
    return result


def _facts(tables: dict[str, pl.DataFrame], layouts: dict, notes: int) -> dict:
    facts = {"format": FORMAT, "sheets": layouts, "notes_skipped": notes,
             "rows_by_table": {t: f.height for t, f in tables.items()}}
    years = [(f["year"].min(), f["year"].max()) for f in tables.values() if f.height]
    if years:
        facts["years"] = (min(y[0] for y in years), max(y[1] for y in years))
    if (p := tables.get("prevalence")) is not None:
        facts["drugs"] = sorted(p["drug"].unique().to_list())
        facts["countries"] = p.filter(pl.col("area_kind") == "country")["country_iso3"].n_unique()
        facts["ages"] = dict(Counter(p["age"].to_list()).most_common(5))
    if (r := tables.get("regional_prevalence")) is not None:
        facts["regional_drugs"] = sorted(r["drug"].unique().to_list())
    if (m := tables.get("prices")) is not None:
        facts["currencies"] = dict(sorted(Counter(m["currency"].to_list()).items()))
        facts["units"] = dict(Counter(m["unit"].to_list()).most_common(10))
    if (q := tables.get("purities")) is not None:
        facts["purity_scales"] = dict(sorted(Counter(q["purity_scale"].to_list()).items()))
    return facts
