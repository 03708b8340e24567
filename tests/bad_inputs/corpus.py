"""What every family's bad-input corpus is made of: the outcome a damaged file is owed (`Refused`
or `Loaded`), a `Case`, and the mutations and report checks any family may use. Both `cases.py`
and the family modules (`family_<name>.py`) import from here; nothing here imports them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Refused:
    says: tuple[str, ...]
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True)
class Loaded:
    rejected: dict[str, int] = field(default_factory=dict)   # reason (a substring) -> rows rejected with it
    added: int = 0                                           # rows in, against the unmutated file
    column: str | None = None                                # the column every reject names
    not_available: int = 0                                   # rows of only `..`: counted, not rejected
    blocking: tuple[str, ...] = ()                           # the build's blocking checks it fails, as `inspect` says
    check: Callable[[dict, bytes], object] | None = None     # what else the report (or the file) must show


@dataclass(frozen=True)
class Case:
    family: str        # as `unodc-indicators inspect FAMILY` names it
    base: str          # the real file it is made from (a key of BASES)
    name: str
    level: str         # file | layout | row | hostile
    make: Callable[[], bytes]
    expect: Refused | Loaded
    filename: str | None = None   # default: the base file's name
    via: str = "inspect"          # "template": the parser the landing folder uses for .xlsx

    @property
    def id(self) -> str:
        return f"{self.family}:{self.base}:{self.name}"


# --------------------------------------------------------------------------- mutations of rows

def edit(rows: list[list], at: int, col: int, value) -> list[list]:
    rows = [list(r) for r in rows]
    rows[at][col] = value
    return rows


def drop_col(rows: list[list], col: int) -> list[list]:
    return [r[:col] + r[col + 1:] for r in rows]


def dup_col(rows: list[list], col: int) -> list[list]:
    return [r[: col + 1] + r[col: col + 1] + r[col + 1:] for r in rows]


def reverse_cols(rows: list[list]) -> list[list]:
    return [list(reversed(r)) for r in rows]


def swap_cols(rows: list[list], a: int, b: int) -> list[list]:
    out = []
    for r in rows:
        r = list(r) + [None] * (max(a, b) + 1 - len(r))
        r[a], r[b] = r[b], r[a]
        out.append(r)
    return out


def insert_row(rows: list[list], at: int, row: list) -> list[list]:
    return [list(r) for r in rows[:at]] + [list(row)] + [list(r) for r in rows[at:]]


def append(rows: list[list], *more: list) -> list[list]:
    return [list(r) for r in rows] + [list(r) for r in more]


def utf16_without_bom(text: str, order: str = "le") -> bytes:
    return text.encode(f"utf-16-{order}")


def lone_cr(text: str) -> bytes:
    """Line ends as Excel's "CSV (Macintosh)" writes them: a carriage return alone."""
    return text.replace("\r\n", "\n").replace("\n", "\r").encode()


NO_BOM_UTF16 = ("not UTF-8: UTF-16", "without a byte-order mark")


def summary(key: str, expected) -> Callable[[dict, bytes], None]:
    def check(report: dict, data: bytes) -> None:
        assert report["summary"][key] == expected, (key, report["summary"][key])
    return check


def accepted_value(column: str, expected) -> Callable[[dict, bytes], None]:
    def check(report: dict, data: bytes) -> None:
        assert expected in report["accepted_values"][column], (column, report["accepted_values"][column][:10])
    return check


FORMULA = '=HYPERLINK("http://attacker.example/x","Kenya")'
LATIN1_NAME = "Côte d'Ivoire"


def summary_has(key: str, item) -> Callable[[dict, bytes], None]:
    def check(report: dict, data: bytes) -> None:
        assert item in report["summary"][key], (key, report["summary"][key])
    return check
