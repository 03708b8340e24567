"""Scaled copies of the bundled snapshots, in each source's real format, for the benchmark.

    .venv/bin/python -m bench.scale --factor 10 --out /tmp/bundle_x10

writes a folder laid out like `sources/bundled` (family folders, each file beside its
`*.snapshot.yaml` sidecar); `UNODC_BUNDLE_DIR=/tmp/bundle_x10 unodc-indicators run` builds from it.
Every generated sidecar says the file is a synthetic scaled copy. The shape of each source is kept:

- UN-CTS (homicide, prisons, GLOTIP): ×N rows as N copies of each file, each copy's categories
  numbered (`Total #3`), so keys stay distinct and every row stays valid; written in the CSV form
  of the same layout (preamble, header, rows), at most `CTS_COPIES_PER_FILE` copies per file, the
  further files as more datasets of the same layout. ×1 keeps the real xlsx files.
- UNTC: N vintages of every status file (the same bytes under earlier versions); the real file
  stays the current one, so the treaty marts stay the real ones while the raw layer grows ×N.
- Crop surveys: the compiled country-year tables ×N (copies moved to other countries; once the
  Member States run out, the further copies are an earlier edition's compilation, a file of its
  own), and the annex workbook as N editions.
- IATI: the illustrative sample with ×N activities (identifiers numbered), still illustrative.
- The WDR seizures table, the SDG series and the strategy text are copied unchanged (×1).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import yaml

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sources" / "bundled"
CTS_COPIES_PER_FILE = 10
SYNTHETIC = ("Synthetic scaled copy for the benchmark (bench/scale.py, factor {factor}): generated from the "
             "bundled snapshot {origin}; not a real release. {how}")


def _sidecar(path: Path, meta: dict, *, factor: int, origin: str, how: str) -> None:
    data = path.read_bytes()
    meta = {**meta, "filename": path.name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "title": f"{meta.get('title')} (synthetic scaled copy, factor {factor})",
            "notes": SYNTHETIC.format(factor=factor, origin=origin, how=how)}
    meta["upstream"] = {"document": f"bench/scale.py --factor {factor} from {origin}"}
    path.with_name(path.name + ".snapshot.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))


def _meta(sidecar: Path) -> dict:
    meta = yaml.safe_load(sidecar.read_text())
    return {k: v for k, v in meta.items() if k not in ("sha256", "size")}


def _copy_family(family: str, out: Path) -> None:
    shutil.copytree(BUNDLED / family, out / family, dirs_exist_ok=True)


def scale_cts(factor: int, out: Path) -> None:
    from sources.excel import read_sheet_as_text

    dest = out / "crime_statistics"
    dest.mkdir(parents=True, exist_ok=True)
    for sidecar in sorted((BUNDLED / "crime_statistics").glob("*.snapshot.yaml")):
        meta = _meta(sidecar)
        source = sidecar.with_name(meta["filename"])
        if meta["format"] != "cts" or factor == 1:
            shutil.copy2(source, dest / source.name)
            shutil.copy2(sidecar, dest / sidecar.name)
            continue
        _, frame = read_sheet_as_text(source.read_bytes(), source.name)
        frame = frame.drop("excel_row")
        first = frame.columns[0]
        at = frame[first].to_list().index("Iso3_code")
        header = list(frame.row(at))
        preamble, body = frame.head(at + 1), frame.slice(at + 1)
        category = frame.columns[header.index("Category")]
        for part, start in enumerate(range(0, factor, CTS_COPIES_PER_FILE), start=1):
            copies = [body if i == 0 else body.with_columns((pl.col(category) + f" #{i}").alias(category))
                      for i in range(start, min(factor, start + CTS_COPIES_PER_FILE))]
            buf = io.BytesIO()
            pl.concat([preamble, *copies]).write_csv(buf, include_header=False)
            suffix = "" if part == 1 else f"_s{part:02d}"
            path = dest / f"{Path(meta['filename']).stem}{suffix}_x{factor}.csv"
            path.write_bytes(buf.getvalue())
            dataset = meta["dataset"] + suffix
            _sidecar(path, {**meta, "dataset": dataset, "item": dataset, "version": f"{meta['version']}-x{factor}"},
                     factor=factor, origin=f"crime_statistics/{source.name}",
                     how=f"Copies {start}-{min(factor, start + CTS_COPIES_PER_FILE) - 1} of its rows, categories "
                         "numbered, in the CSV form of the same layout.")


def scale_untc(factor: int, out: Path) -> None:
    _copy_family("ratification", out)
    for sidecar in sorted((BUNDLED / "ratification").rglob("*.snapshot.yaml")):
        meta = _meta(sidecar)
        source = sidecar.with_name(meta["filename"])
        for i in range(1, factor):
            # An earlier version of the same day sorts before the real one, which stays current.
            version = f"{date.fromisoformat(str(meta['version'])) - timedelta(days=1)}-s{i:03d}"
            folder = out / "ratification" / f"{sidecar.parent.name}_s{i:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / source.name)
            _sidecar(folder / source.name, {**meta, "version": version}, factor=factor,
                     origin=f"ratification/{sidecar.parent.name}/{source.name}",
                     how=f"Vintage {i}: the same bytes under an earlier version.")


def scale_crops(factor: int, out: Path) -> None:
    from sources.geography import countries

    dest = out / "crop_surveys"
    _copy_family("crop_surveys", out)
    if factor == 1:
        return
    # Member States of today, so that every copied figure counts in its region and the world.
    members = countries().filter(pl.col("un_admission_year").is_not_null() & pl.col("un_exit_year").is_null())
    pool = [(r["iso3"], r["name"]) for r in members.select("iso3", "name").iter_rows(named=True)
            if r["iso3"] and len(r["iso3"]) == 3]
    for sidecar in sorted((BUNDLED / "crop_surveys").glob("*.snapshot.yaml")):
        meta = _meta(sidecar)
        source = sidecar.with_name(meta["filename"])
        if meta["format"] == "wdr_annex":
            year = int(meta["version"].removeprefix("wdr-"))
            for i in range(1, factor):
                folder = dest / f"edition_s{i:03d}"
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, folder / source.name)
                _sidecar(folder / source.name, {**meta, "version": f"wdr-{year - i}"}, factor=factor,
                         origin=f"crop_surveys/{source.name}", how=f"The same table as edition WDR {year - i}.")
            continue
        frame = pl.read_csv(source, infer_schema=False)
        real = sorted(set(frame["iso3"].drop_nulls()) - {"_TOTAL"})
        others = [c for c in pool if c[0] not in real]
        groups = max(1, len(others) // max(1, len(real)))
        # One file per edition: a compiled table holds one figure per country and year, so the
        # copies of a later edition (the same countries again) go to a file of their own.
        editions: dict[int, list[pl.DataFrame]] = {0: [frame]}
        for i in range(1, factor):
            group, edition = i % groups, i // groups
            moved = {iso: others[(group * len(real) + k) % len(others)] for k, iso in enumerate(real)}
            copy = frame.filter(pl.col("iso3") != "_TOTAL").with_columns(
                pl.col("iso3").replace({k: v[0] for k, v in moved.items()}),
                pl.col("country").replace({frame.filter(pl.col("iso3") == k)["country"][0]: v[1]
                                           for k, v in moved.items()}),
                pl.lit("WDR statistical annex workbook").alias("source_type"),
                pl.lit(f"World Drug Report {2022 - edition} statistical annex (synthetic scaled copy {i})").alias("source"))
            editions.setdefault(edition, []).append(copy)
        for edition, copies in editions.items():
            folder = dest / f"compiled_e{edition:02d}" if edition else dest
            folder.mkdir(parents=True, exist_ok=True)
            pl.concat(copies).write_csv(folder / source.name)
            _sidecar(folder / source.name,
                     {**meta, "version": f"{meta['version']}-x{factor}" + (f"-e{edition}" if edition else "")},
                     factor=factor, origin=f"crop_surveys/{source.name}",
                     how=f"Rows copied to other Member States as the edition {2022 - edition} compilation.")


def scale_iati(factor: int, out: Path) -> None:
    dest = out / "project_outputs"
    _copy_family("project_outputs", out)
    if factor == 1:
        return
    sidecar = next((BUNDLED / "project_outputs").glob("*.snapshot.yaml"))
    meta = _meta(sidecar)
    text = sidecar.with_name(meta["filename"]).read_text(encoding="utf-8")
    head, rest = text.split("  <iati-activity ", 1)
    body, tail = rest.rsplit("</iati-activities>", 1)
    activities = re.findall(r"  <iati-activity .*?</iati-activity>\n", "  <iati-activity " + body, re.S)
    copies = [a for a in activities]
    for i in range(1, factor):
        for a in activities:
            copies.append(re.sub(r"<iati-identifier>([^<]+)</iati-identifier>",
                                 lambda m: f"<iati-identifier>{m.group(1)}-S{i:03d}</iati-identifier>", a))
    path = dest / meta["filename"]
    path.write_text(head + "".join(copies) + "</iati-activities>" + tail, encoding="utf-8")
    _sidecar(path, {**meta, "version": f"{meta['version']}-x{factor}"}, factor=factor,
             origin=f"project_outputs/{meta['filename']}", how="Every activity repeated, identifiers numbered.")


def scale(factor: int, out: Path) -> Path:
    if factor < 1:
        raise ValueError("the factor is a whole number of 1 or more")
    out.mkdir(parents=True, exist_ok=True)
    _copy_family("strategy", out)
    # The SDG series and the WDR drug tables as bundled (×1).
    _copy_family("sdg_global_database", out)
    _copy_family("drug_use_and_markets", out)
    scale_cts(factor, out)
    scale_untc(factor, out)
    scale_crops(factor, out)
    scale_iati(factor, out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    print(scale(args.factor, Path(args.out)))


if __name__ == "__main__":
    main()
