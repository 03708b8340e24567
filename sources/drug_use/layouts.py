"""The WDR drug tables this family reads, each recognised by the names in its header row, never
by the file or sheet it is in; the header is looked for in the first rows of every sheet.

A header cell is compared in a plain form: lower case, spaces collapsed, a line break read as a
space ("Adjustment/\\n notes" is "adjustment/ notes"), a footnote letter glued to a word kept
(the regional table's drug names are matched loosely, not by this list).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HEADER_SEARCH_ROWS = 30


def plain(cell) -> str:
    return re.sub(r"\s+", " ", str(cell or "").replace("\xa0", " ")).strip().lower()


@dataclass(frozen=True)
class Layout:
    name: str           # the raw table its rows go to: prevalence, regional_prevalence, prices, purities
    title: str          # what a reader calls it
    required: tuple[str, ...]
    # Any one of these stands for the table's figures (national prevalence: Best, or Total).
    one_of: tuple[str, ...] = ()

    def missing(self, names: set[str]) -> list[str]:
        gone = [c for c in self.required if c not in names]
        if self.one_of and not any(c in names for c in self.one_of):
            gone.append(" or ".join(self.one_of))
        return gone

    def wanted(self) -> int:
        return len(self.required) + (1 if self.one_of else 0)


LAYOUTS = (
    Layout("prevalence", "national prevalence of drug use (WDR table 1.2)",
           ("country/territory", "year", "age", "source"), one_of=("best", "total")),
    Layout("nps_prevalence", "national prevalence of use of new psychoactive substances (WDR table 1.2, NPS)",
           ("country/territory", "substance", "year", "age", "source"), one_of=("lifetime", "past year", "past month")),
    Layout("regional_prevalence", "regional and global prevalence of drug use (WDR table 1.1)",
           ("region or subregion",)),
    Layout("prices", "drug prices (WDR table 8.1)",
           ("country/territory", "drug", "levelofsale", "year", "typical price", "minimum price", "maximum price",
            "unit", "currency")),
    Layout("purities", "drug purities (WDR table 8.1)",
           ("country/territory", "drug", "levelofsale", "year", "typical purity", "minimum purity", "maximum purity",
            "purity")),
)


def match(rows: list[list]) -> tuple[Layout, int] | None:
    """The layout whose header stands in one of the first rows (the most specific where two fit)."""
    found = []
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {plain(c) for c in row if plain(c)}
        for layout in LAYOUTS:
            if not layout.missing(names):
                found.append((layout.wanted(), -i, layout))
    if not found:
        return None
    _, neg_i, layout = max(found, key=lambda f: (f[0], f[1]))
    return layout, -neg_i


def closest(rows: list[list]) -> tuple[Layout, int, list[str]]:
    """The layout a sheet comes nearest to, where, and what its header lacks (for the refusal)."""
    best = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {plain(c) for c in row if plain(c)}
        for layout in LAYOUTS:
            gone = layout.missing(names)
            score = (layout.wanted() - len(gone)) / layout.wanted()
            if best is None or score > best[0]:
                best = (score, layout, i, gone)
    if best is None:
        return LAYOUTS[0], 0, list(LAYOUTS[0].required)
    return best[1], best[2], best[3]
