"""Open spreadsheets safely: check the signature, the size and the compression ratio before reading."""
from __future__ import annotations

import codecs
import io
import os
import re
import zipfile
import zlib

import fastexcel
import polars as pl

from .errors import SourceError
from .parsing import MAX_FILE_BYTES, csv_bytes
from .settings import settings

XLSX_SIGNATURE = b"PK\x03\x04"
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_RATIO = 200
# The reader (calamine, under fastexcel) holds a sheet as one dense grid from its first to its last
# cell: one cell at XFD1048576 beside A1 asks for 17 billion cells (512 GiB) and the process aborts
# in native code, past any Python handler. So a sheet's extent is measured from its XML first.
# The real sheets are under a million cells (homicide: 76,341 rows x 13 columns).
MAX_SHEET_CELLS = 20_000_000


def check_xlsx(data: bytes, filename: str) -> None:
    if not data:
        raise SourceError("file is empty", file=filename)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit", file=filename)
    if not data.startswith(XLSX_SIGNATURE):
        head = data[:200].lstrip().lower()
        what = "an HTML page" if head.startswith((b"<!doctype html", b"<html")) else "not a ZIP archive"
        raise SourceError(f"not an xlsx workbook: {what} (no ZIP signature)", file=filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise SourceError(f"damaged or truncated xlsx: {exc}", file=filename) from None
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_RATIO * len(data):
        raise SourceError(f"xlsx expands to {unzipped} bytes from {len(data)}: refused as a decompression bomb",
                          file=filename)
    if "xl/workbook.xml" not in names:
        raise SourceError("a ZIP archive but not an xlsx workbook (no xl/workbook.xml)", file=filename)
    _check_declared_sizes(data, filename)


def _check_declared_sizes(data: bytes, filename: str) -> None:
    """Inflate every part up to the size its header declares, and no further.

    The reader that follows trusts the compressed stream, not the header: a crafted part that
    declares a few bytes and inflates to gigabytes would pass the ratio check above. Reading each
    part through zipfile stops at the declared size and checks the CRC there, so such a part is
    refused after at most its declared size, which the checks above already bound.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            extent = SheetExtent() if _WORKSHEET.fullmatch(info.filename) else None
            try:
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(CHUNK):
                        if extent is not None:
                            # Measured on whole elements: a chunk is cut after its last '>'.
                            text = tail + chunk
                            cut = text.rfind(b">") + 1
                            extent.scan(text[:cut])
                            tail = text[cut:][-4096:]
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                raise SourceError(f"xlsx part {info.filename} declares {info.file_size} bytes but its data does not "
                                  f"match ({exc}): refused as damaged or crafted", file=filename) from None
            if extent is not None:
                extent.check(info.filename, filename)


CHUNK = 16 << 20
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
_DIMENSION = re.compile(rb'<dimension\b[^>]*\bref="([A-Z]{1,3})?([0-9]{1,7})?(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="([0-9]+)"')


def column_number(letters: str) -> int:
    """'A' -> 1, 'AB' -> 28."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class SheetExtent:
    """How many cells a sheet declares (`<dimension ref=…>`) and spans (its last row and column),
    and how many it holds, measured on its XML before any reader allocates for it.

    Exact where it is cheap: the last row is the largest `<row r=…>`; a cell whose reference has
    two or three column letters, or more row digits than that row number, is rare and found by
    one Rust regex over the text (about 0.2 s for the 35 MB homicide sheet). A cell whose row has
    as many digits as the last row but is larger is bounded by ten times that row: the limit
    allows for it. Cells written without a reference are placed one after another by the reader,
    so a row of them counts as wide as it is long."""

    def __init__(self):
        self.declared: int | None = None
        self.max_row = self.max_col = self.cells = self.widest_unreferenced = 0

    def scan(self, text: bytes) -> None:
        if self.declared is None and (m := _DIMENSION.search(text[:4096])):
            first_col, first_row, last_col, last_row = (g.decode() if g else None for g in m.groups())
            if last_col and last_row:
                self.declared = ((int(last_row) - int(first_row or 1) + 1)
                                 * (column_number(last_col) - column_number(first_col or "A") + 1))
            else:
                self.declared = 1
        rows = [int(r) for r in _ROW_NUMBER.findall(text)]
        row_max = max(rows, default=0)
        self.max_row = max(self.max_row, row_max)
        self.max_col = max(self.max_col, 1 if b"<c" in text else 0)
        digits = len(str(row_max)) if row_max else 0
        rare = pl.Series([text.decode("latin-1")]).str.extract_all(
            r'<c\b[^>]*?\sr="(?:[A-Z]{2,3}[0-9]+|[A-Z][0-9]{%d,})"' % (digits + 1)).explode().drop_nulls()
        if rare.len():
            refs = rare.str.extract(r'\sr="([A-Z]+[0-9]+)"')
            letters = refs.str.extract(r"^([A-Z]+)").drop_nulls().unique().to_list()
            self.max_col = max([self.max_col, *map(column_number, letters)])
            self.max_row = max(self.max_row, int(refs.str.extract(r"([0-9]+)$").cast(pl.Int64).max() or 0))
        cells = text.count(b"<c ") + text.count(b"<c>")
        self.cells += cells
        referenced = text.count(b'<c r="')
        if referenced < cells:
            # Some cell has no reference (or not first): count the widest row's cells.
            self.widest_unreferenced = max(self.widest_unreferenced,
                                           max((seg.count(b"<c ") + seg.count(b"<c>") for seg in text.split(b"</row>")),
                                               default=0))

    def check(self, part: str, filename: str) -> None:
        spans = max(self.max_row, 1) * max(self.max_col, self.widest_unreferenced, 1)
        for what, n in (("declares (its dimension element)", self.declared or 0), ("spans", spans),
                        ("holds", self.cells)):
            if n > MAX_SHEET_CELLS:
                raise SourceError(f"sheet part {part} {what} {n:,} cells, over the {MAX_SHEET_CELLS:,}-cell limit "
                                  f"(last row {self.max_row:,}, last column {self.max_col:,}): refused before reading",
                                  file=filename)


def sheet_names(data: bytes, filename: str) -> list[str]:
    check_xlsx(data, filename)
    try:
        return fastexcel.read_excel(data).sheet_names
    except Exception as exc:  # fastexcel raises its own error types for damaged parts
        raise SourceError(f"cannot read the workbook: {exc}", file=filename) from None


def read_sheet_as_text(data: bytes, filename: str, sheet: str | int = 0) -> tuple[str, pl.DataFrame]:
    """Every cell as text (lossless), no header row assumed: the caller finds the header.

    The reader starts at the first row that holds a value; the frame's `excel_row` column gives
    each row's number in the workbook, so that a reject names the row a person sees in Excel.
    """
    check_xlsx(data, filename)
    if settings().fault == "read:abort":
        # Crash tests: a native abort in the reader, as a crafted workbook once caused (RELIABILITY.md).
        os.abort()
    try:
        reader = fastexcel.read_excel(data)
        name = sheet if isinstance(sheet, str) else reader.sheet_names[sheet]
        frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
    except Exception as exc:
        raise SourceError(f"cannot read sheet {sheet!r}: {exc}", file=filename) from None
    offset = first_value_row(data, name) - 1
    return name, frame.with_columns((pl.int_range(pl.len()) + 1 + offset).cast(pl.Int64).alias("excel_row"))


_SHEET = re.compile(r'<sheet\b[^>]*\bname="([^"]*)"[^>]*\br:id="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*\bId="([^"]*)"[^>]*\bTarget="([^"]*)"')
# A cell that holds a value (not a self-closing, styled-only <c …/>).
_VALUE_CELL = re.compile(r'<c\b[^>]*?\br="[A-Z]+(\d+)"[^>]*?(?<!/)>(?:(?!</c>|<c\b).)*?<(?:v|is)>', re.S)


def _sheet_xml(data: bytes, sheet: str, limit: int) -> str | None:
    """The first `limit` bytes of the named sheet's XML, found through the workbook's relations."""
    from html import unescape

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rid = next((r for n, r in _SHEET.findall(book) if unescape(n) == sheet), None)
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        target = dict(_REL.findall(rels)).get(rid or "")
        if not target:
            return None
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        with archive.open(path) as fh:
            return fh.read(limit).decode("utf-8", "replace")


def first_value_row(data: bytes, sheet: str) -> int:
    """The workbook row number of the first cell that holds a value (1 when it cannot be told)."""
    head = _sheet_xml(data, sheet, 2 * 1024 * 1024)
    match = _VALUE_CELL.search(head) if head else None
    return int(match.group(1)) if match else 1


def read_csv_as_text(data: bytes, filename: str) -> pl.DataFrame:
    if len(data) > MAX_FILE_BYTES * 20:
        raise SourceError(f"file is {len(data)} bytes, over the CSV limit", file=filename)
    # polars reads the bytes as they are and refuses invalid UTF-8 itself; decoding first in Python
    # (to find the offending byte) is left for that case: it cost a third of reading a large file.
    data = csv_bytes(data, filename)
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return pl.read_csv(body, has_header=False, infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as exc:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise SourceError(f"not UTF-8 (byte {body[bad.start]:#04x} at offset {bad.start + len(data) - len(body)})",
                              file=filename) from None
        # polars adds advice on further lines ("Consider setting …"): the first line is the error.
        raise SourceError(f"cannot read CSV: {str(exc).strip().splitlines()[0]}", file=filename) from None


_MERGE = re.compile(r'<mergeCell\b[^>]*\bref="([A-Z]+\d+:[A-Z]+\d+)"')
_COL = re.compile(r'<col\b([^>]*)/?>')
_CELL_REF = re.compile(r'<c\b[^>]*?\br="([A-Z]+)\d+"[^>]*?(?<!/)>(?:(?!</c>|<c\b).)*?<(?:v|is)>', re.S)


def sheet_layout(data: bytes, sheet: str) -> dict:
    """Where a sheet's table sits, as Excel shows it: the first column that holds a value (the
    reader starts its frame there), merged ranges and column widths. Read from the sheet's XML, as
    the cell reader does not report them; an annex export reproduces them."""
    text = _sheet_xml(data, sheet, 4 * 1024 * 1024)
    if text is None:
        return {"first_column": 1, "merged": [], "column_widths": {}}
    columns = [column_number(c) for c in _CELL_REF.findall(text)]
    widths = {}
    for attrs in _COL.findall(text.split("<sheetData", 1)[0]):
        got = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
        if "min" in got and "max" in got and "width" in got:
            for c in range(int(got["min"]), min(int(got["max"]), 64) + 1):
                widths[c] = round(float(got["width"]), 4)
    return {"first_column": min(columns) if columns else 1, "merged": _MERGE.findall(text), "column_widths": widths}
