"""Countries and other participants, from well-kept base lists plus the project's reviewed tables.

Base lists: `country_converter` (names, ISO3, M49 code, UN admission year, M49 area) and
`pycountry` (ISO 3166-3 codes of states that no longer exist). `corrections.csv` (historical
states, successor links, non-member participants, membership continuations) and `names.csv`
(participant names the base lists do not know) and `un_admission_dates.csv` (the day each Member
State was admitted; the base lists know only the year) and `codes.csv` (country codes the sources
write that ISO 3166-1 does not have, such as Kosovo's `XK`, `XKX` and `KOS`) are reviewed by hand
and win over the base lists. `un_names.csv` gives the name the UN uses today (the M49 list) where the
base list's short name differs ("DR Congo" -> "Democratic Republic of the Congo"): one name per ISO3
in every table; the base list's short name still resolves source names.
"""
from __future__ import annotations

import csv
import logging
import re
from functools import lru_cache
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
ISO3 = re.compile(r"^[A-Z]{3}$")


def _read_csv(name: str) -> list[dict]:
    with open(HERE / name, newline="", encoding="utf-8") as fh:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def _coco():
    import country_converter as coco
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter(include_obsolete=True)


@lru_cache(maxsize=1)
def countries() -> pl.DataFrame:
    """One row per country or participant, with M49 areas, UN membership years and successors."""
    import pycountry

    areas = {a["area_name"]: a for a in _read_csv("m49_areas.csv")}
    corrections = {c["iso3"]: c for c in _read_csv("corrections.csv")}
    rows: dict[str, dict] = {}
    base = _coco().data
    for rec in base.to_dict("records"):
        iso3 = rec.get("ISO3")
        if not isinstance(iso3, str) or not ISO3.match(iso3):
            continue
        member_year = rec.get("UNmember")
        obsolete = rec.get("obsolete")
        m49 = rec.get("UNcode") if _present(rec.get("UNcode")) else rec.get("ISOnumeric")
        rows[iso3] = {
            "iso3": iso3,
            "m49_code": f"{int(m49):03d}" if _present(m49) else None,
            "name": rec["name_short"],
            "official_name": rec.get("name_official"),
            "entity_kind": "member_state" if _present(member_year) else
                           ("historical_territory" if _present(obsolete) else "territory"),
            "un_admission_year": int(member_year) if _present(member_year) else None,
            "un_exit_year": None,
            "valid_from": None,
            "valid_to": None,
            "successor_iso3": None,
            "area_name": rec.get("UNregion") or None,
            "source": "country_converter",
        }
    for hist in pycountry.historic_countries:
        code = hist.alpha_3
        if code in corrections and code not in rows:
            rows[code] = {"iso3": code, "m49_code": getattr(hist, "numeric", None), "name": hist.name,
                          "official_name": hist.name, "source": "pycountry (ISO 3166-3)"}
    for iso3, fix in corrections.items():
        row = rows.setdefault(iso3, {"iso3": iso3, "source": "corrections.csv"})
        row["source"] = f"{row.get('source', 'corrections.csv')} + corrections.csv"
        for key in ("m49_code", "name", "entity_kind", "valid_from", "valid_to", "successor_iso3", "area_name"):
            if fix.get(key) is not None or key in ("successor_iso3", "valid_from", "valid_to"):
                row[key] = fix.get(key) if fix.get(key) is not None else row.get(key)
        row["un_admission_year"] = int(fix["un_admission_year"]) if fix.get("un_admission_year") else (
            None if fix["entity_kind"] != "member_state" else row.get("un_admission_year"))
        row["un_exit_year"] = int(fix["un_exit_year"]) if fix.get("un_exit_year") else None
        row.setdefault("official_name", fix["name"])
        row["note"] = fix.get("note")
    out = []
    for row in rows.values():
        area = areas.get(row.get("area_name") or "", {})
        out.append({
            "iso3": row["iso3"], "m49_code": row.get("m49_code"), "name": row["name"],
            "official_name": row.get("official_name"), "entity_kind": row.get("entity_kind"),
            "un_admission_year": row.get("un_admission_year"), "un_exit_year": row.get("un_exit_year"),
            "valid_from": row.get("valid_from"), "valid_to": row.get("valid_to"),
            "successor_iso3": row.get("successor_iso3"),
            "m49_region_code": area.get("region_code"), "m49_region_name": area.get("region_name"),
            "m49_subregion_code": area.get("subregion_code"), "m49_subregion_name": area.get("subregion_name"),
            "m49_intermediate_code": area.get("intermediate_code"),
            "m49_intermediate_name": area.get("intermediate_name"),
            "source": row.get("source"), "note": row.get("note"),
        })
    admitted = {r["iso3"]: r["un_admission_date"] for r in _read_csv("un_admission_dates.csv")}
    un_names = {r["iso3"]: r["name"] for r in _read_csv("un_names.csv")}
    for row in out:
        row["un_admission_date"] = admitted.get(row["iso3"])
        row["name"] = un_names.get(row["iso3"], row["name"])
    schema = {"un_admission_year": pl.Int64, "un_exit_year": pl.Int64}
    df = pl.DataFrame(out, infer_schema_length=None).with_columns(
        [pl.col(c).cast(t) for c, t in schema.items()]
        + [pl.col("valid_from").str.to_date(strict=True), pl.col("valid_to").str.to_date(strict=True),
           pl.col("un_admission_date").str.to_date(strict=True)])
    return df.sort("iso3")


def _present(value) -> bool:
    try:
        import pandas as pd
        return value is not None and not pd.isna(value)
    except (TypeError, ValueError):
        return value is not None


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in countries().iter_rows(named=True):
        for name in (row["name"], row["official_name"]):
            if name:
                index.setdefault(name.casefold(), row["iso3"])
    # The base list's short names ("DR Congo") still name their country in a source.
    for rec in _coco().data[["name_short", "ISO3"]].to_dict("records"):
        if isinstance(rec["ISO3"], str) and ISO3.match(rec["ISO3"]) and isinstance(rec["name_short"], str):
            index.setdefault(rec["name_short"].casefold(), rec["ISO3"])
    # The reviewed names win over everything the base lists say.
    for row in _read_csv("names.csv"):
        index[row["name"].casefold()] = row["iso3"]
    return index


@lru_cache(maxsize=1)
def code_aliases() -> dict[str, str]:
    """Codes the sources write that are not ISO 3166-1 -> the project's ISO3 (`codes.csv`)."""
    return {row["code"]: row["iso3"] for row in _read_csv("codes.csv")}


@lru_cache(maxsize=4096)
def iso3_of_code(code: str | None) -> str | None:
    """A country code as a source writes it (ISO 3166-1 alpha-2 or alpha-3, or a reviewed alias
    such as Kosovo's `XK`) -> the project's ISO3, or None when it names no country it knows."""
    import pycountry

    key = (code or "").strip().upper()
    if not key:
        return None
    if key in code_aliases():
        return code_aliases()[key]
    if len(key) == 2:
        found = pycountry.countries.get(alpha_2=key)
        return found.alpha_3 if found else None
    return key if key in _known_iso3() else None


@lru_cache(maxsize=1)
def _known_iso3() -> frozenset[str]:
    return frozenset(countries()["iso3"].to_list())


@lru_cache(maxsize=4096)
def resolve(name: str) -> tuple[str | None, str]:
    """A participant or country name -> (ISO3 or None, how it was matched)."""
    key = re.sub(r"\s+", " ", name or "").strip()
    if not key:
        return None, "empty"
    if (alias := code_aliases().get(key.upper())) is not None and key.upper() == key:
        # A code written where a name goes ('XK', 'KOS'): the reviewed table, before any guess.
        return alias, "table"
    if (hit := _name_index().get(key.casefold())) is not None:
        return hit, "table"
    found = _coco().convert(key, to="ISO3", not_found=None)
    if isinstance(found, str) and ISO3.match(found):
        return found, "country_converter"
    return None, "unmapped"
