"""Read the annex of the strategy: themes, objectives, result areas, results and indicator lines.

The annex is a set of two-column tables (Result | Performance indicator) under result-area
headings, written as tab-separated lines: a line with text before the tab opens a new result,
a line that starts with a tab adds one more indicator line to the open result.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ANNEX_TITLE = "ANNEX: SUGGESTED PERFORMANCE INDICATORS"
THEMES = {"Analysis": "AN", "Rule of Law": "RL", "Human Security": "HS"}
_HEADER = re.compile(r"^Results?\tPerformance [Ii]ndicators?$")


@dataclass
class AnnexLine:
    theme: str
    area: str
    result: str
    text: str
    line_no: int


@dataclass
class Annex:
    objectives: dict[str, list[str]] = field(default_factory=dict)
    areas: list[tuple[str, str]] = field(default_factory=list)          # (theme, area)
    results: list[tuple[str, str, int]] = field(default_factory=list)   # (area, result text, line)
    lines: list[AnnexLine] = field(default_factory=list)


def parse_annex(text: str) -> Annex:
    rows = text.splitlines()
    try:
        start = next(i for i, r in enumerate(rows) if r.strip() == ANNEX_TITLE)
    except StopIteration:
        raise ValueError(f"no line {ANNEX_TITLE!r}: not the strategy's text") from None
    annex = Annex()
    theme = area = result = None
    in_objective = False
    for line_no, raw in enumerate(rows[start + 1:], start=start + 2):
        line = raw.rstrip("\n")
        stripped = line.strip()
        if not stripped or stripped in {"--\t--", "--"} or re.fullmatch(r"-+\s+-+", stripped):
            continue
        if stripped in THEMES and "\t" not in line:
            theme, area, result, in_objective = stripped, None, None, False
            annex.objectives[theme] = []
            continue
        if stripped in ("Main Objective", "Main Objectives"):
            in_objective = True
            continue
        if _HEADER.match(line.strip("\r")):
            continue
        if line.endswith("\t") and line.strip() and "\t" not in line.rstrip("\t"):
            area, result, in_objective = stripped, None, False
            annex.areas.append((theme, area))
            continue
        if in_objective and "\t" not in line:
            annex.objectives[theme].append(stripped)
            continue
        if theme is None or area is None:
            if annex.lines:
                break
            continue   # the introduction to the annex
        if "\t" not in line:
            raise ValueError(f"annex line {line_no}: expected 'result<TAB>indicator': {line!r}")
        left, right = (part.strip() for part in line.split("\t", 1))
        if left:
            result = left
            annex.results.append((area, result, line_no))
        if result is None:
            raise ValueError(f"annex line {line_no}: an indicator before any result: {line!r}")
        if right:
            annex.lines.append(AnnexLine(theme, area, result, right, line_no))
    return annex
