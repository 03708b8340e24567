"""The engine floor: the files of a bundle into DuckDB and bench/floor.sql over them, in one process.

    .venv/bin/python -m bench.floor BUNDLE_DIR [--db FILE]

DuckDB reads the CSV files itself; the xlsx files go through calamine (fastexcel, the pipeline's own
reader) and the XML files through the small readers of bench/inputs.py, since this DuckDB has no
Excel or XML reader offline. Prints one JSON line: the rows of each mart and the seconds it took.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from .inputs import cts_header_line, sources, untc_cell_records

SCRIPT = Path(__file__).with_name("floor.sql")
CTS_COLUMNS = {"Iso3_code": "iso3_code", "Country": "country", "Indicator": "indicator", "Dimension": "dimension",
               "Category": "category", "Sex": "sex", "Age": "age", "Year": "year", "Unit of measurement": "unit",
               "VALUE": "value_text", "txtVALUE": "value_text", "Source": "source_codes"}


def _select_cts(columns: list[str]) -> str:
    return ", ".join(f'"{c}" as {CTS_COLUMNS[c]}' for c in columns if c in CTS_COLUMNS)


def load_cts(con, bundle: Path) -> None:
    con.execute("create or replace table cts_raw (dataset varchar, release_date date, iso3_code varchar, "
                "country varchar, indicator varchar, dimension varchar, category varchar, sex varchar, age varchar, "
                "year varchar, unit varchar, value_text varchar, source_codes varchar)")
    for src in sources(bundle, "crime_statistics"):
        if src.format != "cts":
            continue
        if src.path.suffix == ".csv":
            rel = con.read_csv(str(src.path), skiprows=cts_header_line(src.path), header=True, all_varchar=True)
        else:
            import fastexcel
            reader = fastexcel.read_excel(src.path.read_bytes())
            probe = reader.load_sheet(0, header_row=None, n_rows=30, dtypes="string").to_polars()
            at = probe[probe.columns[0]].to_list().index("Iso3_code")
            table = reader.load_sheet(0, header_row=at, dtypes="string").to_arrow()
            rel = con.from_arrow(table)
        con.execute(f"insert into cts_raw by name select '{src.dataset}' as dataset, "
                    f"'{src.published}'::date as release_date, {_select_cts(rel.columns)} from rel")


def load_untc(con, bundle: Path) -> None:
    columns = ["item", "version", "as_of", "participant", "column_header", "cell"]
    records = untc_cell_records(bundle)
    rows = {c: [r[i] for r in records] for i, c in enumerate(columns)}
    untc = pa.table(rows)
    con.execute("create or replace table untc_cells as select * from untc")


def load_crops(con, bundle: Path) -> None:
    files = [str(s.path) for s in sources(bundle, "crop_surveys") if s.format == "crop_compiled"]
    con.execute("create or replace table crop_raw as select iso3, country, crop, year, hectares, source_type, source "
                f"from read_csv({files!r}, union_by_name = true, all_varchar = true)")


def load_iati(con, bundle: Path) -> None:
    from defusedxml.ElementTree import fromstring

    rows = {k: [] for k in ("activity_id", "last_updated", "indicator_code", "period_end", "location", "value")}
    for src in sources(bundle, "project_outputs"):
        if src.format != "iati_xml":
            continue
        root = fromstring(src.path.read_bytes())
        for activity in root.iter("iati-activity"):
            ident, updated = activity.findtext("iati-identifier"), activity.get("last-updated-datetime")
            for indicator in activity.iter("indicator"):
                ref = indicator.find("reference")
                code = ref.get("code") if ref is not None else None
                for period in indicator.iter("period"):
                    end = period.find("period-end").get("iso-date")
                    for actual in period.iter("actual"):
                        loc = actual.find("location")
                        for key, value in (("activity_id", ident), ("last_updated", updated), ("indicator_code", code),
                                           ("period_end", end), ("location", loc.get("ref") if loc is not None else None),
                                           ("value", float(actual.get("value")) if actual.get("value") else None)):
                            rows[key].append(value)
    iati = pa.table(rows)
    con.execute("create or replace table iati_values as select * from iati")


def build(bundle: Path, db: str = ":memory:") -> dict:
    started = time.perf_counter()
    con = duckdb.connect(db)
    load_cts(con, bundle)
    load_untc(con, bundle)
    load_crops(con, bundle)
    load_iati(con, bundle)
    loaded = time.perf_counter()
    con.execute(SCRIPT.read_text())
    done = time.perf_counter()
    marts = ("fct_cts", "fct_participation", "agg_parties", "fct_crops", "agg_crop_world", "fct_outputs", "agg_cts_totals")
    rows = {m: con.execute(f"select count(*) from {m}").fetchone()[0] for m in marts}
    con.close()
    return {"rows": rows, "load_s": loaded - started, "sql_s": done - loaded}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle")
    parser.add_argument("--db", default=":memory:")
    args = parser.parse_args()
    print(json.dumps(build(Path(args.bundle), args.db)))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
