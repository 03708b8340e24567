"""The same ingestion and marts as bench/floor.sql, written the way many analysts would: pandas.

    .venv/bin/python -m bench.pandas_marts BUNDLE_DIR

`read_excel` (openpyxl) and `read_csv` read the files, the XML goes through the readers of
bench/inputs.py, and every mart is a pandas group-by. Prints one JSON line like bench/floor.py.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from .floor import CTS_COLUMNS
from .inputs import cts_header_line, sources, untc_cell_records


def read_cts(bundle: Path) -> pd.DataFrame:
    frames = []
    for src in sources(bundle, "crime_statistics"):
        if src.format != "cts":
            continue
        if src.path.suffix == ".csv":
            frame = pd.read_csv(src.path, skiprows=cts_header_line(src.path), dtype=str, keep_default_na=False)
        else:
            probe = pd.read_excel(src.path, header=None, nrows=30, dtype=str)
            at = probe[0].tolist().index("Iso3_code")
            frame = pd.read_excel(src.path, header=at, dtype=str, keep_default_na=False)
        frame = frame.rename(columns=CTS_COLUMNS)[[c for c in dict.fromkeys(CTS_COLUMNS.values()) if c in
                                                  frame.rename(columns=CTS_COLUMNS).columns]]
        frame["dataset"], frame["release_date"] = src.dataset, pd.Timestamp(src.published)
        frames.append(frame)
    cts = pd.concat(frames, ignore_index=True)
    latest = cts.groupby("dataset")["release_date"].transform("max")
    cts = cts[cts["release_date"] == latest].copy()
    cts["year"] = pd.to_numeric(cts["year"], errors="coerce")
    cleaned = cts["value_text"].str.replace(",", "", regex=False).str.replace("<", "", regex=False)
    cts["value_numeric"] = pd.to_numeric(cleaned, errors="coerce")
    cts["is_censored"] = cts["value_text"].str.startswith("<")
    return cts


def participation(bundle: Path) -> pd.DataFrame:
    records = untc_cell_records(bundle)
    cells = pd.DataFrame(records, columns=["item", "version", "as_of", "participant", "column_header", "cell"])
    cells["recency"] = cells["as_of"] + cells["version"]
    newest = cells.groupby("item")["recency"].transform("max")
    cells = cells[cells["recency"] == newest].copy()
    cells["action_date"] = pd.to_datetime(cells["cell"].str.extract(r"(\d{1,2} [A-Z][a-z]{2} \d{4})")[0],
                                          format="%d %b %Y", errors="coerce")
    cells = cells.dropna(subset=["action_date"])
    cells["is_signature"] = cells["column_header"].str.lower().str.startswith("signature")
    signed = cells[cells["is_signature"]].groupby(["item", "participant"])["action_date"].min().rename("signed_on")
    party = cells[~cells["is_signature"]].groupby(["item", "participant"])["action_date"].min().rename("party_since")
    return pd.concat([signed, party], axis=1).reset_index()


def crops(bundle: Path) -> pd.DataFrame:
    files = [s.path for s in sources(bundle, "crop_surveys") if s.format == "crop_compiled"]
    raw = pd.concat([pd.read_csv(f, dtype=str) for f in files], ignore_index=True)
    raw = raw[~raw["source"].str.contains(r"ONDCP|INCSR|United States Government|US Government|DEA\b",
                                          case=False, regex=True, na=False)].copy()
    wdr = raw["source"].str.extract(r"World Drug Report (\d{4})")[0]
    raw["edition"] = ("WDR " + wdr).fillna("UNODC survey " + raw["year"])
    raw["edition_year"] = pd.to_numeric(wdr.fillna(raw["year"]))
    raw = raw.sort_values("edition_year", ascending=False, kind="stable")
    raw["is_current"] = ~raw.duplicated(["crop", "iso3", "year"])
    return raw


def outputs(bundle: Path) -> pd.DataFrame:
    from defusedxml.ElementTree import fromstring

    records = []
    for src in sources(bundle, "project_outputs"):
        if src.format != "iati_xml":
            continue
        for activity in fromstring(src.path.read_bytes()).iter("iati-activity"):
            ident, updated = activity.findtext("iati-identifier"), activity.get("last-updated-datetime")
            for indicator in activity.iter("indicator"):
                ref = indicator.find("reference")
                for period in indicator.iter("period"):
                    for actual in period.iter("actual"):
                        loc = actual.find("location")
                        records.append((ident, updated, ref.get("code") if ref is not None else None,
                                        period.find("period-end").get("iso-date"),
                                        loc.get("ref") if loc is not None else None, actual.get("value")))
    values = pd.DataFrame(records, columns=["activity_id", "last_updated", "indicator_code", "period_end",
                                            "country_iso3", "value"])
    values["value"] = pd.to_numeric(values["value"], errors="coerce")
    newest = values.groupby("activity_id")["last_updated"].transform("max")
    values = values[(values["last_updated"] == newest) & values["value"].notna()].copy()
    values["year"] = pd.to_datetime(values["period_end"]).dt.year
    return values.groupby(["indicator_code", "country_iso3", "year"], dropna=False).agg(
        value=("value", "sum"), values_summed=("value", "size")).reset_index()


def build(bundle: Path) -> dict:
    started = time.perf_counter()
    cts = read_cts(bundle)
    totals = cts[(cts["category"] == "Total") & (cts["sex"] == "Total") & (cts["age"] == "Total")
                 & (cts["iso3_code"].str.len() == 3)]
    agg_cts = totals.groupby(["dataset", "indicator", "unit", "year"]).agg(
        reporting_units=("iso3_code", "nunique"), value=("value_numeric", "sum")).reset_index()
    part = participation(bundle)
    years = pd.DataFrame({"year": range(1961, 2019)})
    grid = part.merge(years, how="cross")
    grid["is_party"] = grid["party_since"] <= pd.to_datetime(grid["year"].astype(str) + "-12-31")
    parties = grid.groupby(["item", "year"])["is_party"].sum().reset_index()
    crop = crops(bundle)
    current = crop[crop["is_current"] & (crop["iso3"] != "_TOTAL")].copy()
    current["hectares"] = pd.to_numeric(current["hectares"], errors="coerce")
    crop_world = current.groupby(["crop", "year"]).agg(hectares=("hectares", "sum"), countries=("iso3", "size"))
    out = outputs(bundle)
    rows = {"fct_cts": len(cts), "fct_participation": len(part), "agg_parties": len(parties), "fct_crops": len(crop),
            "agg_crop_world": len(crop_world), "fct_outputs": len(out), "agg_cts_totals": len(agg_cts)}
    return {"rows": rows, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle")
    print(json.dumps(build(Path(parser.parse_args().bundle))))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
