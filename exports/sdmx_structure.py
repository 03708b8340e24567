"""The SDMX structure shipped with the SDMX-CSV files: code lists (a label for every code), a
concept scheme, the two data structure definitions and their dataflows, as SDMX-ML 3.0 written by
pysdmx and read back with schema validation before the export is kept. A .Stat Suite or the SDG
database loads the structure first, then the data."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from . import sdmx
from .annex import OBS_STATUS

URN_CONCEPT = "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={agency}:CS_MTS({version}).{id}"
URN_CODELIST = "urn:sdmx:org.sdmx.infomodel.codelist.Codelist={agency}:{id}({version})"
CONCEPTS = {
    "FREQ": "Frequency", "INDICATOR": "Indicator of the UNODC strategy 2008-2011 (annex)",
    "REF_AREA": "Reference area (UN M49)", "DISAGGREGATION": "Disaggregation (instrument, drug group, crop; _T total)",
    "TIME_PERIOD": "Year", "OBS_VALUE": "Observation value", "OBS_STATUS": "Observation status (SDMX CL_OBS_STATUS)",
    "UNIT_MEASURE": "Unit of measure", "LOWER_BOUND": "Lower bound of the estimate",
    "UPPER_BOUND": "Upper bound of the estimate", "COMMENT_OBS": "Comment (illustrative, withheld, coverage)",
    "RELEASE_ID": "Release of unodc-indicators the data come from", "SERIES": "SDG series code",
    "SDG_INDICATOR": "SDG indicator number",
}


def codelists(con: duckdb.DuckDBPyConnection, obs: pl.DataFrame, codes: dict, series: dict) -> dict[str, dict[str, str]]:
    """Every code used, with its label: indicators by their text, areas by their name, instruments
    by their title, units and statuses by their meaning."""
    names = dict(con.execute("select indicator_code, indicator_text from main.dim_indicator").fetchall())
    instruments = dict(con.execute("select instrument_code, title from main.dim_instrument").fetchall()) \
        if con.execute("select count(*) from duckdb_tables() where table_name = 'dim_instrument'").fetchone()[0] else {}
    return {
        "CL_FREQ": {"A": "Annual"},
        "CL_MTS_INDICATOR": {k: names.get(v) or v for k, v in sorted(codes["INDICATOR"].items())},
        "CL_AREA": {k: v or k for k, v in sorted(codes["REF_AREA"].items(), key=lambda kv: int(kv[0]))},
        "CL_DISAGGREGATION": {k: "Total" if k == "_T" else instruments.get(v) or v.replace("_", " ").capitalize()
                              if v.islower() else instruments.get(v) or v
                              for k, v in sorted(codes["DISAGGREGATION"].items())},
        "CL_UNIT_MEASURE": dict(sorted(codes["UNIT_MEASURE"].items())),
        "CL_OBS_STATUS": dict(OBS_STATUS),
        "CL_SERIES": {s: label for s, _, label in sorted(series.values())},
    }


def structure(con: duckdb.DuckDBPyConnection, obs: pl.DataFrame, codes: dict, series: dict, release: dict) -> list:
    from pysdmx.model import Code, Codelist, Concept, ConceptScheme, DataType
    from pysdmx.model.dataflow import Component, Components, DataStructureDefinition, Dataflow, Role

    agency, version = sdmx.AGENCY, sdmx.VERSION
    lists = {cid: Codelist(id=cid, agency=agency, version=version, name=cid.removeprefix("CL_").replace("_", " ").title(),
                           urn=URN_CODELIST.format(agency=agency, id=cid, version=version),
                           items=[Code(id=k, name=v) for k, v in items.items()])
             for cid, items in codelists(con, obs, codes, series).items()}
    concepts = {cid: Concept(id=cid, name=name, urn=URN_CONCEPT.format(agency=agency, version=version, id=cid))
                for cid, name in CONCEPTS.items()}
    scheme = ConceptScheme(id="CS_MTS", agency=agency, version=version, name="Concepts of unodc-indicators",
                           items=list(concepts.values()))
    enum = {"FREQ": "CL_FREQ", "INDICATOR": "CL_MTS_INDICATOR", "REF_AREA": "CL_AREA",
            "DISAGGREGATION": "CL_DISAGGREGATION", "UNIT_MEASURE": "CL_UNIT_MEASURE", "OBS_STATUS": "CL_OBS_STATUS",
            "SERIES": "CL_SERIES"}
    numbers = {"OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND"}

    def component(cid: str, role, required: bool, level: str | None = None):
        return Component(id=cid, required=required, role=role, concept=concepts[cid],
                         local_dtype=DataType.PERIOD if cid == "TIME_PERIOD" else DataType.DOUBLE if cid in numbers
                         else DataType.STRING, local_codes=lists.get(enum.get(cid, "")),
                         attachment_level=level if role == Role.ATTRIBUTE else None)

    def dsd(did: str, name: str, dims: list[str], attributes: list[str]):
        parts = [component(d, Role.DIMENSION, True) for d in dims]
        parts.append(component("OBS_VALUE", Role.MEASURE, False))
        parts += [component(a, Role.ATTRIBUTE, a in ("OBS_STATUS", "UNIT_MEASURE"),
                            "D" if a == "RELEASE_ID" else "O") for a in attributes]
        return DataStructureDefinition(id=did, agency=agency, version=version, name=name, components=Components(parts))

    main = dsd("DSD_MTS_INDICATORS", "Indicators of the UNODC strategy 2008-2011", sdmx.DIMENSIONS,
               [a for a in sdmx.MEASURE_AND_ATTRIBUTES if a != "OBS_VALUE"])
    sdg = dsd("DSD_MTS_SDG_SERIES", "SDG-aligned series of the UNODC strategy indicators", sdmx.SDG_DIMENSIONS,
              [a for a in sdmx.SDG_MEASURE_AND_ATTRIBUTES if a != "OBS_VALUE"])
    flows = [Dataflow(id=sdmx.FLOW, agency=agency, version=version, structure=main.short_urn,
                      name=f"Indicators of the UNODC strategy 2008-2011, release {release['release_id']}"),
             Dataflow(id=sdmx.SDG_FLOW, agency=agency, version=version, structure=sdg.short_urn,
                      name=f"SDG-aligned series under their SDG series codes, release {release['release_id']}")]
    return [*lists.values(), scheme, main, sdg, *flows]


def write_structure(path: Path, artefacts: list, release: dict) -> None:
    """Write SDMX-ML 3.0 and read it back with XSD validation: a structure pysdmx cannot read is
    never shipped. The header is the release's (id, date), so two exports of one release agree."""
    from datetime import datetime

    from pysdmx.io import read_sdmx, write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.model import Organisation
    from pysdmx.model.message import Header

    prepared = datetime.fromisoformat(release["published_at"].replace("+00", "+00:00") if release["published_at"]
                                      .endswith("+00") else release["published_at"])
    header = Header(id=f"MTS_{release['release_id']}", prepared=prepared, sender=Organisation(id=sdmx.AGENCY))
    write_sdmx(artefacts, Format.STRUCTURE_SDMX_ML_3_0, output_path=str(path), prettyprint=True, header=header)
    read_sdmx(str(path), validate=True)


def check_codes(frame: pl.DataFrame, artefacts: list, flow_dims: list[str]) -> None:
    """Every coded value of the data is a code of its list (a code without a label cannot load)."""
    from pysdmx.model.dataflow import DataStructureDefinition

    dsd = next(a for a in artefacts if isinstance(a, DataStructureDefinition)
               and [c.id for c in a.components.dimensions] == flow_dims)
    for comp in dsd.components:
        if comp.local_codes is None or comp.id not in frame.columns:
            continue
        allowed = {c.id for c in comp.local_codes.items}
        unknown = set(frame[comp.id].drop_nulls().cast(pl.String).unique().to_list()) - allowed
        if unknown:
            raise ValueError(f"SDMX {comp.id}: codes {sorted(unknown)[:5]} are not in {comp.local_codes.id}")
