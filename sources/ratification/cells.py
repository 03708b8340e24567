"""Column headers and cells of a UNTC status table, shared by the XML and the table layouts."""
from __future__ import annotations

import re
from datetime import date

# Every kind that makes a participant a party to the instrument.
PARTY_KINDS = frozenset({
    "ratification", "accession", "acceptance", "approval", "succession",
    "formal_confirmation", "definitive_signature", "participation",
})
SIGNATURE_KINDS = frozenset({"signature", "succession_to_signature"})
ALL_KINDS = PARTY_KINDS | SIGNATURE_KINDS | {"withdrawal"}

_NAMED_KINDS = {
    "ratification": "ratification",
    "accession": "accession",
    "acceptance": "acceptance",
    "approval": "approval",
    "succession": "succession",
    "formal confirmation": "formal_confirmation",
    "definitive signature": "definitive_signature",
    "signature": "signature",
    "succession to signature": "succession_to_signature",
}
# VI-18's second column records how a State came to take part in the amended Convention; it is
# not a signature, and every date in it makes the State a party.
_PARTICIPATION_HEADER = re.compile(r"^participation in the convention by virtue of", re.I)

_MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}
_CELL = re.compile(r"^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})(?: ?(AA|a|A|d|c|s))?$")
_FOOTNOTES = re.compile(r"<superscript>\s*([^<]*?)\s*</superscript>", re.I)
_ROMAN = {"6": "VI", "18": "XVIII"}


def clean_text(text: str | None) -> str:
    if text is None:
        return ""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def split_footnotes(text: str | None) -> tuple[str, list[str]]:
    """'China<superscript>1</superscript>' -> ('China', ['1'])."""
    raw = text or ""
    notes: list[str] = []
    for group in _FOOTNOTES.findall(raw):
        notes.extend(n.strip() for n in group.split(",") if n.strip())
    name = clean_text(_FOOTNOTES.sub("", raw))
    return name, notes


def header_kinds(header: str) -> dict[str, str]:
    """Map the suffixes a column header lists to action kinds.

    'Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)'
    -> {'': 'ratification', 'A': 'acceptance', 'AA': 'approval', 'a': 'accession', 'd': 'succession'}
    """
    text, _ = split_footnotes(header)
    if _PARTICIPATION_HEADER.match(text):
        return {"": "participation"}
    kinds: dict[str, str] = {}
    for token in (t.strip() for t in text.split(",")):
        m = re.fullmatch(r"([A-Za-z ]+?)\s*(?:\((\w{1,2})\))?", token)
        if not m or m.group(1).lower() not in _NAMED_KINDS:
            raise ValueError(f"unknown action header part {token!r} in {text!r}")
        kinds[m.group(2) or ""] = _NAMED_KINDS[m.group(1).lower()]
    return kinds


def parse_cell(text: str | None, kinds: dict[str, str], *, not_before: date | None = None,
               not_after: date | None = None) -> tuple[date, str, str] | None:
    """'21 Jun 2006 a' -> (date(2006, 6, 21), 'accession', 'a'); '' -> None; else ValueError."""
    cell = clean_text(text)
    if not cell:
        return None
    withdrawn = cell.startswith("[")
    if withdrawn:
        cell = cell.strip("[] ")
    m = _CELL.match(cell)
    if not m:
        raise ValueError(f"not a date with an action letter: {cell!r}")
    day, mon, year, suffix = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4) or ""
    if mon not in _MONTHS:
        raise ValueError(f"unknown month {mon!r} in {cell!r}")
    try:
        when = date(year, _MONTHS[mon], day)
    except ValueError as exc:
        raise ValueError(f"impossible date {cell!r}: {exc}") from None
    if when.year < 1900:
        raise ValueError(f"date {when.isoformat()} is before 1900")
    if not_before and when < not_before:
        raise ValueError(f"date {when.isoformat()} is before the instrument was adopted ({not_before.isoformat()})")
    if not_after and when > not_after:
        what = "today" if not_after == date.today() else "the snapshot's date"
        raise ValueError(f"date {when.isoformat()} is after {what} ({not_after.isoformat()})")
    if suffix not in kinds:
        raise ValueError(f"action letter {suffix or '(none)'!r} is not one the column header lists "
                         f"({', '.join(repr(k) for k in kinds) or 'none'})")
    return when, ("withdrawal" if withdrawn else kinds[suffix]), suffix


def item_from_filename(filename: str) -> str | None:
    """'18-12-b.csv' -> 'XVIII-12-b'; 'VI-15.en.xml' -> 'VI-15'."""
    stem = filename.split("/")[-1]
    m = re.match(r"^([IVXL]+-\d+(?:-[a-z])?)\.", stem)
    if m:
        return m.group(1)
    m = re.match(r"^(\d+)-(\d+(?:-[a-z])?)\.", stem)
    if m and m.group(1) in _ROMAN:
        return f"{_ROMAN[m.group(1)]}-{m.group(2)}"
    return None
