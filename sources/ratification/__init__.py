"""UN Treaty Collection status files: the MTDSG XML and the status-table layout."""
from __future__ import annotations

from pathlib import Path

from .. import yamltext
from ..errors import SourceError
from ..parsing import FrameResult
from .untc_table import parse_untc_table
from .untc_xml import parse_untc_xml

INSTRUMENTS_FILE = Path(__file__).with_name("instruments.yaml")


def instruments() -> list[dict]:
    return yamltext.load(INSTRUMENTS_FILE.read_text())["instruments"]


def instrument_by_mtdsg() -> dict[str, dict]:
    return {i["mtdsg_no"]: i for i in instruments()}


def parse_status_file(data: bytes, *, filename: str, fmt: str | None = None,
                      item: str | None = None, as_of: str | None = None) -> FrameResult:
    """Parse either UNTC format; the format is taken from the bytes when not given."""
    if fmt is None:
        fmt = "untc_xml" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "untc_table"
    if fmt == "untc_xml":
        return parse_untc_xml(data, filename=filename, item=item, as_of=as_of)
    if fmt == "untc_table":
        return parse_untc_table(data, filename=filename, item=item, as_of=as_of)
    raise SourceError(f"unknown ratification format {fmt!r}", file=filename)


__all__ = ["instruments", "instrument_by_mtdsg", "parse_status_file", "parse_untc_table", "parse_untc_xml"]
