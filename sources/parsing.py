"""What every parser returns (`FrameResult`): accepted rows, rejected rows with their reasons, and file facts."""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field

import polars as pl


MAX_FILE_BYTES = 50 * 1024 * 1024


def refuse_utf16(data: bytes, filename: str, save_as: str = "CSV UTF-8") -> None:
    """Refuse, in one line naming the file, UTF-16 text (with or without its byte-order mark) and
    any other NUL byte: read as UTF-8 they gave a misleading byte offset, or a multi-line parser
    message with no row (issue 20, defect 12)."""
    from .errors import SourceError

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError(f"not UTF-8: UTF-16 text (it starts with a UTF-16 byte-order mark); save it as {save_as}",
                          file=filename)
    nul = data.find(b"\x00")
    if nul >= 0:
        head = data[:4096]
        if head.count(0) > len(head) // 5:
            order = "little-endian" if head[1::2].count(0) > head[0::2].count(0) else "big-endian"
            raise SourceError(f"not UTF-8: UTF-16 {order} text without a byte-order mark (every second byte is "
                              f"NUL); save it as {save_as}", file=filename)
        raise SourceError(f"a NUL byte at offset {nul}: not a text file", file=filename)


def csv_bytes(data: bytes, filename: str) -> bytes:
    """A CSV file's bytes made ready for a UTF-8 reader, or refused in one line naming the file:
    UTF-16 and NUL bytes as `refuse_utf16` says. Lone-CR line ends (Excel's "CSV (Macintosh)")
    are read as line ends."""
    refuse_utf16(data, filename)
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\n")
    return data


@dataclass
class FrameResult:
    """What every parser returns: the accepted rows and the rejected rows (with their reasons) as
    frames, and the file's facts; one result type for every family and format."""
    file: str
    rows_in: int
    accepted: pl.DataFrame
    rejects: pl.DataFrame            # file, sheet, row, column, value, reason
    header: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Rows that hold only the not-available marker `..`: neither a figure nor an error, counted
    # so that rows in = accepted + rejected + not available (issue 20, defect 9).
    rows_not_available: int = 0
    # Further tables a file gives beside its accepted rows, by name (an IATI file: the countries,
    # sectors, budgets, results … of its activities, which are the accepted rows).
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    # A parser that counts its rows otherwise gives (accepted, rejected) itself: in an IATI file a
    # row is an activity, or one element of an activity that was rejected.
    counted: tuple[int, int] | None = None

    @property
    def header_fingerprint(self) -> str:
        return hashlib.sha256("\x1f".join(self.header).encode()).hexdigest()[:16]

    @property
    def rows_rejected(self) -> int:
        if self.counted is not None:
            return self.counted[1]
        # A workbook of several sheets repeats row numbers: a row is a sheet and a number.
        return self.rejects.select("sheet", "row").n_unique() if self.rejects.height else 0

    @property
    def rows_accepted(self) -> int:
        """Source rows accepted (a wide table gives several values per source row)."""
        if self.counted is not None:
            return self.counted[0]
        if not self.accepted.height:
            return 0
        key = ["sheet", "source_row"] if "sheet" in self.accepted.columns else ["source_row"]
        return self.accepted.select(key).n_unique()

    @property
    def reconciles(self) -> bool:
        return self.rows_accepted + self.rows_rejected + self.rows_not_available == self.rows_in

    def report(self, shown_as: str, family: str, layout: str, facts: dict | None = None) -> dict:
        """What `unodc-indicators inspect FAMILY FILE` says of a file this result came from."""
        return {
            "file": shown_as, "family": family, "usable": True, "layout": layout,
            "header": self.header, "header_fingerprint": self.header_fingerprint,
            "rows_in": self.rows_in, "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected, "rows_not_available": self.rows_not_available,
            "reconciles": self.reconciles, "rejects": self.rejects.to_dicts(),
            "summary": {"layout": layout, **(self.facts if facts is None else facts)}, "warnings": self.warnings,
        }


FORMULA_PATTERN = r"^\s*(?:[=@]|[+-]\s*[A-Za-z(])"
_FORMULA = re.compile(FORMULA_PATTERN)


def looks_like_formula(text: str | None) -> bool:
    """A label that a spreadsheet would run as a formula ('=HYPERLINK(…)', '+cmd', '@SUM(…)').

    No name, code or category of the sources starts like this; a cell that does is either damaged
    or hostile, and is rejected rather than carried into a warehouse that is exported to Excel.
    """
    return bool(text) and bool(_FORMULA.match(text))


REJECT_SCHEMA = {"file": pl.Utf8, "sheet": pl.Utf8, "row": pl.Int64, "column": pl.Utf8,
                 "value": pl.Utf8, "reason": pl.Utf8}
