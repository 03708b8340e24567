"""UN SDG Global Database series (UNODC the custodian, and WHO for 3.5.x): the DDF re-cut and the
UNSD SDG API, read into one table of observations (sources/sdg/README.md)."""
from __future__ import annotations

import codecs

from ..errors import SourceError
from ..parsing import FrameResult
from .api import parse_api
from .ddf import parse_ddf
from .observations import SCHEMA, areas_frame, classify_area, series_list

FORMATS = ("sdg_ddf_csv", "sdg_api_json")


def parse_sdg(data: bytes, *, filename: str, fmt: str | None = None) -> FrameResult:
    """Either layout; without `fmt`, JSON (or a file named .json) is the API's answer and anything
    else a DDF file, so that each reader says what is wrong with the file it was meant for."""
    if fmt is None:
        # A JSON object saved as UTF-16 is still the API's answer, refused by its reader as UTF-16.
        head = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
        head = head.lstrip(b"\xff\xfe\x00 \t\r\n")
        json_name = filename.lower().endswith(".json")
        fmt = "sdg_api_json" if head[:1] in (b"{", b"[") or json_name else "sdg_ddf_csv"
    if fmt == "sdg_api_json":
        return parse_api(data, filename=filename)
    if fmt == "sdg_ddf_csv":
        return parse_ddf(data, filename=filename)
    raise SourceError(f"unknown SDG format {fmt!r} (one of {', '.join(FORMATS)})", file=filename)


__all__ = ["FORMATS", "SCHEMA", "areas_frame", "classify_area", "parse_api", "parse_ddf", "parse_sdg", "series_list"]
