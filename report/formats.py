"""How numbers and words read on the pages (the same functions format the charts, the tables and the
values the browser test compares with the warehouse)."""
from __future__ import annotations

STATUS_LABELS = {"A": "normal", "E": "estimate", "P": "provisional", "Q": "suppressed by the source",
                 "O": "withheld"}
CROPS = {"coca_bush": "coca bush", "opium_poppy": "opium poppy", "cannabis": "cannabis"}
MEASURES = {"cultivation_ha": "area under cultivation", "eradication_ha": "eradication",
            "production_t": "potential production"}
COVERAGE_CLASSES = {"real": "real data", "illustrative_only": "illustrative only", "awaiting": "awaiting data",
                    "note": "note"}
INFLUENCE_RULES = {
    "assistance_direct": "high where UNODC assisted the country directly in this result area that year, "
                         "low where assistance data cover the year and record none",
    "political_process": "medium where UNODC assisted, since the result rests on the country's political "
                         "process; low where assistance data cover the year and record none",
    "own_output": "high: UNODC's own output",
}


def number(value: float | None, compact: bool = False) -> str:
    """1234567.0 -> '1,234,567'; 0.123456 -> '0.123'; compact: '1.2M' for axis ticks."""
    if value is None:
        return "–"
    if compact:
        a = abs(value)
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if a >= size:
                return f"{value / size:.3g}{suffix}"
        return f"{value:.3g}"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    a = abs(value)
    digits = 1 if a >= 100 else 2 if a >= 1 else 3 if a >= 0.01 else 6
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f} %"


def disaggregation_label(dimension: str | None, code: str | None, instruments: dict[str, str]) -> str:
    if not code or code == "_T":
        return "Total"
    if dimension == "INSTRUMENT":
        return instruments.get(code, code)
    if dimension == "CROP":
        return CROPS.get(code, code.replace("_", " "))
    return code


def slug(text: str) -> str:
    """A file-name-safe form of an indicator code or ISO3 (they are already safe; this guards it)."""
    return "".join(c if c.isalnum() or c in ".-_" else "_" for c in text)
