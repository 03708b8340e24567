"""A DDF datapoints file of the SDG Global Database re-cut (`ddf--datapoints--<series>--by--<dims>--year.csv`).

The layout is recognised from the header: `geo_area`, `year` and `units`, and one value column
named after an SDG series (the DDF id of a series the concepts list knows, or the series the file
name declares when the header has it too). Every other column is a dimension; its codes are read
back to the SDG API's spelling through the re-cut's entity lists (`bothsex` -> `BOTHSEX`,
`15_64` -> `15-64`), and the re-cut's filler `notspec` for an empty cell is read as empty.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter

from ..errors import SourceError
from ..parsing import MAX_FILE_BYTES, FrameResult, csv_bytes
from .observations import NAMED_FIELDS, Observation, entity_names, frame_result, series_concepts

REQUIRED = ("geo_area", "year", "units")
NOT_SPECIFIED = "notspec"
_FILE_NAME = re.compile(r"^ddf--datapoints--([a-z0-9_]+)--by--([a-z0-9_-]+)\.csv$")
_SIGNATURES = ((b"PK\x03\x04", "a zip archive (an Excel workbook?)"), (b"<", "HTML or XML"),
               (b"{", "JSON (an SDG API answer is read by the API reader)"), (b"[", "JSON"))


def _text(data: bytes, filename: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit", file=filename)
    if data.startswith(b"PK\x03\x04"):
        # Before the NUL check: a workbook is named as one, not as "a NUL byte at offset 5".
        raise SourceError(f"not a CSV file: the bytes are {_SIGNATURES[0][1]}", file=filename)
    data = csv_bytes(data, filename)
    head = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    head = head.lstrip()
    if not head:
        raise SourceError("file is empty", file=filename)
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise SourceError(f"not a CSV file: the bytes are {what}", file=filename)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})", file=filename) from None


def _value_column(header: list[str], filename: str) -> str:
    known = series_concepts()
    found = [c for c in header if c in known]
    declared = _FILE_NAME.match(filename.rsplit("/", 1)[-1])
    if declared and declared.group(1) in header and declared.group(1) not in found:
        found.append(declared.group(1))
    if not found:
        raise SourceError("not an SDG DDF datapoints layout: no value column named after an SDG series "
                          "(such as vc_ihr_psrc) in the header", file=filename, row=1)
    if len(found) > 1:
        raise SourceError(f"several value columns named after SDG series ({', '.join(found)}): "
                          "one series per file expected", file=filename, row=1, column=found[1])
    return found[0]


def parse_ddf(data: bytes, *, filename: str) -> FrameResult:
    text = _text(data, filename)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [c.strip().lower() for c in next(reader, [])]
    except csv.Error as exc:
        raise SourceError(f"cannot read the header: {exc}", file=filename, row=1) from None
    doubled = [c for c, n in Counter(header).items() if n > 1 and c]
    if doubled:
        raise SourceError(f"column {doubled[0]!r} appears twice in the header", file=filename, row=1, column=doubled[0])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceError(f"not an SDG DDF datapoints layout: required column(s) missing: {', '.join(missing)}",
                          file=filename, row=1, column=missing[0])
    value_column = _value_column(header, filename)
    concept = series_concepts().get(value_column, {})
    series_code = concept.get("name") or value_column.upper()
    dimensions = [c for c in header if c not in ("geo_area", "year", value_column)]
    names = entity_names()
    position = {c: i for i, c in enumerate(header)}

    observations: list[Observation] = []
    ragged: list[tuple[int, int]] = []
    rows_in = not_specified = 0
    unnamed: Counter = Counter()
    starts = 2     # the line the row being read starts on
    try:
        for cells in reader:
            line, starts = starts, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue   # a blank line is layout, not a row
            rows_in += 1
            if len(cells) != len(header):
                ragged.append((line, len(cells)))
                continue
            fields, dims = {}, {}
            for column in dimensions:
                code = cells[position[column]].strip() or None
                if code == NOT_SPECIFIED:
                    not_specified += 1
                    code = None
                elif code is not None:
                    name = names.get(column, {}).get(code)
                    if name is None:
                        unnamed[(column, code)] += 1
                    code = name or code
                (fields if column in NAMED_FIELDS else dims)[column] = code
            observations.append(Observation(
                source_row=line, series_code=series_code, sdg_indicator=concept.get("indicator"),
                geo_area=cells[position["geo_area"]], year=cells[position["year"]],
                value=cells[position[value_column]], fields=fields, dimensions=dims))
    except csv.Error as exc:
        # An unclosed quote swallows the file to its end: the row it opened on is the one to name.
        hint = ": a quote opened on this line is never closed" if "end of data" in str(exc) else ""
        raise SourceError(f"cannot read CSV: {exc}{hint}", file=filename, row=starts) from None
    if rows_in == 0:
        raise SourceError("the file has a header but no rows", file=filename, row=1)

    warnings = []
    declared = _FILE_NAME.match(filename.rsplit("/", 1)[-1])
    if declared and sorted(declared.group(2).split("--")) != sorted(c for c in header if c != value_column):
        warnings.append(f"the file name declares the columns {declared.group(2)!r}, the header has "
                        f"{', '.join(header)}: the header is followed")
    if unnamed:
        warnings.append(f"{sum(unnamed.values())} cells hold a code the re-cut's entity lists do not name "
                        f"(kept as the re-cut writes it): "
                        + ", ".join(f"{c}={v}" for (c, v) in sorted(unnamed)[:10]))
    # A short row is named by the first column it lacks, a long one by its first cell past the header.
    ragged_rejects = [{"file": filename, "sheet": None, "row": line,
                       "column": header[n] if n < len(header) else f"cell {len(header) + 1} (no header)",
                       "value": None, "reason": f"the row has {n} cells, the header {len(header)}"} for line, n in ragged]
    return frame_result(filename, rows_in, observations, header=header,
                        columns={"value": value_column, "geo_area": "geo_area", "year": "year"},
                        facts={"format": "sdg_ddf_csv", "value_column": value_column,
                               "dimension_columns": dimensions, "not_specified_cells": not_specified,
                               "codes_without_entity_name": len(unnamed)},
                        warnings=warnings, rejected=ragged_rejects)
