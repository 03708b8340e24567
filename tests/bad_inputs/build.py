"""Bytes of the bad-input corpus: the real reference files, read once, and the ways to damage them."""
from __future__ import annotations

import io
import re
import struct
import zipfile
from functools import lru_cache
from pathlib import Path

import fastexcel
import xlsxwriter

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "sources" / "bundled"
UNTOC_CSV = BUNDLED / "ratification" / "untc_table_2015" / "18-12.csv"
SINGLE_CONVENTION_XML = BUNDLED / "ratification" / "untc_xml_2018" / "VI-15.en.xml"
PRISONS = BUNDLED / "crime_statistics" / "data_cts_prisons_and_prisoners.xlsx"
HOMICIDE = BUNDLED / "crime_statistics" / "data_cts_intentional_homicide.xlsx"
SEIZURES = BUNDLED / "crime_statistics" / "7.1_-_Drug_seizures_2016-2020.xlsx"
COCA_ANNEX = BUNDLED / "crop_surveys" / "6.1.1_-_Illicit_coca_bush_cultivation.xlsx"
COCA_COMPILED = BUNDLED / "crop_surveys" / "coca_cultivation_ha_by_country_year.csv"
IATI_SAMPLE = BUNDLED / "project_outputs" / "illustrative_iati_activities.xml"

# What a web server answers instead of the file, saved under the file's name by a browser or a script.
HTML_ERROR_PAGE = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
                   b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n")


class Text(str):
    """A cell written as text even when it reads as a number (a year header typed as '2014')."""


class Serial(int):
    """A cell written as an Excel date serial (how the annex stores some year headers)."""


@lru_cache(maxsize=None)
def head_rows(path: Path, n: int) -> tuple[tuple, ...]:
    """The first n rows of a real workbook's first sheet, every cell as text (None when empty)."""
    reader = fastexcel.read_excel(path.read_bytes())
    frame = reader.load_sheet(reader.sheet_names[0], header_row=None, n_rows=n, dtypes="string").to_polars()
    return tuple(tuple(r) for r in frame.iter_rows())


def rows_of(path: Path, n: int) -> list[list]:
    return [list(r) for r in head_rows(path, n)]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook as Excel writes one: numbers as numbers, text as text, never a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": True})
    date_format = book.add_format({"num_format": "yyyy"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Serial):
                    ws.write_number(r, c, int(value), date_format)
                elif isinstance(value, Text):
                    ws.write_string(r, c, str(value))
                else:
                    ws.write(r, c, value)
    book.close()
    return out.getvalue()


def csv_text(rows: list[list]) -> str:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def csv_rows(path: Path) -> list[list[str]]:
    import csv

    return [list(r) for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))]


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


@lru_cache(maxsize=None)
def big_cell_xlsx(cell_bytes: int = 100 * 1024 * 1024, false_sizes: bool = False) -> bytes:
    """A workbook with one cell of `cell_bytes` characters: a few hundred kilobytes that expand
    to over 100 MB. With `false_sizes` its ZIP headers also declare the sheet to be small, as a
    crafted bomb does to get past a check that trusts them."""
    base = xlsx({"Sheet1": [["x"]]})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info.filename))
                continue
            part = zipfile.ZipInfo(info.filename)
            part.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(part, "w", force_zip64=False) as fh:
                fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                         b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                         b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
                chunk = b"A" * (1024 * 1024)
                for _ in range(cell_bytes // len(chunk)):
                    fh.write(chunk)
                fh.write(b"</t></is></c></row></sheetData></worksheet>")
    data = out.getvalue()
    return declare_small(data, "xl/worksheets/sheet1.xml") if false_sizes else data


def declare_small(data: bytes, member: str, size: int = 1000) -> bytes:
    """Rewrite the uncompressed size a ZIP's local and central headers declare for one member."""
    raw = bytearray(data)
    name = member.encode()
    for sig, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        for m in re.finditer(re.escape(sig), raw):
            start = m.start()
            (name_len,) = struct.unpack_from("<H", raw, start + name_len_at)
            if bytes(raw[start + name_at: start + name_at + name_len]) == name:
                struct.pack_into("<I", raw, start + size_at, size)
    return bytes(raw)


def hostile_xml(kind: str, root: str, body: str) -> bytes:
    """Three classic attacks on an XML parser, each wrapped around a real document's root."""
    if kind == "external_entity":
        dtd = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        body = body.replace(">", ">&xxe;", 1)
    elif kind == "billion_laughs":
        levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
        dtd = f"<!DOCTYPE {root} [{''.join(levels)}]>"
        body = body.replace(">", ">&lol9;", 1)
    elif kind == "remote_dtd":
        dtd = f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/hostile.dtd">'
    else:
        raise ValueError(kind)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}\n{body}'.encode()


def far_cell_xlsx(first: list | None = None) -> bytes:
    """A workbook of a few kilobytes with a cell at A1 (or a first row) and one at XFD1048576, the
    last cell Excel allows: a reader that holds the sheet as a dense grid asks for 512 GiB."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("Sheet1")
    for c, value in enumerate(first or ["Iso3_code"]):
        ws.write(0, c, value)
    ws.write(1048575, 16383, "x")
    book.close()
    return out.getvalue()


def rewrite_part(data: bytes, member: str, change) -> bytes:
    """The same workbook with one part's bytes changed by `change` (headers rewritten to match)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def declare_dimension(data: bytes, ref: str, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A real workbook whose sheet declares another extent in its `<dimension ref=…>` element."""
    return rewrite_part(data, member, lambda body: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(),
                                                         body, count=1))
