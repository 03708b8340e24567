"""Errors that name the file, sheet, row and column, as a data engineer needs to act on them."""
from __future__ import annotations

from dataclasses import dataclass


class SourceError(Exception):
    """A file that cannot be used at all (signature, layout, encoding, size)."""

    def __init__(self, message: str, *, file: str, sheet: str | None = None,
                 row: int | None = None, column: str | None = None):
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        where = [f"file {file}"]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        self.reason = message
        super().__init__(f"{', '.join(where)}: {message}")


class SnapshotConflict(Exception):
    """A snapshot name already stored with other bytes: the raw layer never changes."""


class FetchError(Exception):
    """A live fetch that gave nothing usable; the last good snapshot stays current."""


@dataclass
class Refused:
    name: str
    reason: str
    moved_to: str | None


class LandingRefused(Exception):
    """Files of the landing folders that could not be used; each was moved to the quarantine."""

    def __init__(self, refused: list[Refused]):
        self.refused = refused
        super().__init__("landing file(s) refused and moved to var/landing/quarantine/: " + "; ".join(
            f"{r.name}: {r.reason}" for r in refused))
