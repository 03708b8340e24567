"""What every parser returns: accepted rows, rejected rows with their reasons, and file facts."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polars as pl


@dataclass
class Reject:
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    sheet: str | None = None

    def record(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "reason": self.reason}


@dataclass
class ParseResult:
    file: str
    rows_in: int = 0
    rows: list[dict] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def header_fingerprint(self) -> str:
        return hashlib.sha256("\x1f".join(self.header).encode()).hexdigest()[:16]

    @property
    def reconciles(self) -> bool:
        """Rows in = rows accepted + rows rejected, counted per source row."""
        rejected_rows = {r.row for r in self.rejects if r.row is not None}
        accepted_rows = {r["source_row"] for r in self.rows}
        return (len(rejected_rows & accepted_rows) == 0
                and len(accepted_rows) + len(rejected_rows) == self.rows_in)


MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class FrameResult:
    """A columnar parse: accepted rows and rejected rows as frames, with the file's facts."""
    file: str
    rows_in: int
    accepted: pl.DataFrame
    rejects: pl.DataFrame            # file, sheet, row, column, value, reason
    header: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def header_fingerprint(self) -> str:
        return hashlib.sha256("\x1f".join(self.header).encode()).hexdigest()[:16]

    @property
    def rows_rejected(self) -> int:
        return self.rejects["row"].n_unique() if self.rejects.height else 0

    @property
    def rows_accepted(self) -> int:
        """Source rows accepted (a wide table gives several values per source row)."""
        return self.accepted["source_row"].n_unique() if self.accepted.height else 0

    @property
    def reconciles(self) -> bool:
        return self.rows_accepted + self.rows_rejected == self.rows_in


REJECT_SCHEMA = {"file": pl.Utf8, "sheet": pl.Utf8, "row": pl.Int64, "column": pl.Utf8,
                 "value": pl.Utf8, "reason": pl.Utf8}
