"""The files of a bundle folder (sources/bundled or a scaled copy), as the baselines read them.

The engine floor and the pandas baseline read the same files the pipeline reads, found through the
same sidecars; only the few text formats DuckDB and pandas cannot read natively (UNTC XML, IATI
XML) go through the small readers below.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BARE_AMP = re.compile(r"&(?!#?\w+;)")
_ROW = re.compile(r"<Row>(.*?)</Row>", re.S)
_ENTRY = re.compile(r"<Entry\b[^>]*?/>|<Entry\b[^>]*>(.*?)</Entry>", re.S)
_TAG = re.compile(r"<[^>]+>")
_CHAPTER = re.compile(r"CHAPTER\s+([IVXLC]+)", re.I)


@dataclass(frozen=True)
class Source:
    family: str
    dataset: str
    format: str
    item: str
    version: str
    as_of: str | None
    published: str | None
    path: Path


def sources(bundle: Path, family: str | None = None) -> list[Source]:
    out = []
    for sidecar in sorted(Path(bundle).rglob("*.snapshot.yaml")):
        meta = yaml.safe_load(sidecar.read_text())
        if family and meta["family"] != family:
            continue
        out.append(Source(meta["family"], meta["dataset"], meta["format"], str(meta["item"]), str(meta["version"]),
                          str(meta["as_of"]) if meta.get("as_of") else None,
                          str(meta["published"]) if meta.get("published") else None,
                          sidecar.with_name(meta["filename"])))
    return out


def cts_header_line(path: Path) -> int:
    """The 0-based line of the CSV form's header (`Iso3_code,…`) under its preamble."""
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh):
            if line.startswith("Iso3_code"):
                return number
            if number > 30:
                break
    raise ValueError(f"{path}: no UN-CTS header in the first 30 lines")


def untc_xml_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    """The participant table of an MTDSG XML file: its headers and rows of cell text."""
    text = path.read_bytes().decode("iso-8859-1" if b'encoding="iso-8859-1"' in path.read_bytes()[:100] else "utf-8")
    text = _BARE_AMP.sub("&amp;", _CONTROL.sub("", text))
    table = text.split("<Participants>", 1)
    if len(table) < 2:
        return [], []
    head, _, body = table[1].partition("<Tbody>")

    def cells(fragment: str) -> list[str]:
        return [re.sub(r"\s+", " ", _TAG.sub("", m.group(1) or "")).strip() for m in _ENTRY.finditer(fragment)]

    headers = cells(head)
    rows = [cells(r) for r in _ROW.findall(body)]
    return headers, rows


def untc_cell_records(bundle: Path) -> list[tuple[str, str, str, str, str, str]]:
    """(item, version, as_of, participant, column header, cell) of every non-empty status cell,
    XML or CSV: the same raw input for the engine floor and the pandas baseline."""
    import csv

    records = []
    for src in sources(bundle, "ratification"):
        if src.format == "untc_xml":
            headers, body = untc_xml_cells(src.path)
        else:
            with open(src.path, newline="", encoding="utf-8-sig") as fh:
                table = list(csv.reader(fh))
            headers, body = (table[0], table[1:]) if table else ([], [])
        for cells in body:
            for header, cell in zip(headers[1:], cells[1:]):
                if cell:
                    records.append((src.item, src.version, src.as_of, cells[0], header, cell))
    return records
