"""The declarative registry of the strategy's results framework (registry.yaml)."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from .. import yamltext
from .annex import Annex

REGISTRY_FILE = Path(__file__).with_name("registry.yaml")


def load_registry(path: Path = REGISTRY_FILE) -> dict:
    return yamltext.load(Path(path).read_text(encoding="utf-8"))


def verify_against_annex(registry: dict, annex: Annex) -> list[str]:
    """Every annex line, verbatim and in order, under its result; nothing added but `derived` lines."""
    problems = []
    results = {r["code"]: r for r in registry["results"]}
    areas = {a["code"]: a for a in registry["areas"]}
    listed = [(areas[results[i["result"]]["area"]]["name"], results[i["result"]]["text"], i["text"])
              for i in registry["indicators"] if i.get("origin", "annex") == "annex"]
    expected = [(line.area, line.result, line.text) for line in annex.lines]
    for n, (want, got) in enumerate(zip(expected, listed), start=1):
        if want != got:
            problems.append(f"annex line {n}: registry has {got!r}, annex has {want!r}")
            break
    if len(listed) != len(expected):
        problems.append(f"the annex has {len(expected)} indicator lines, the registry {len(listed)}")
    if [(a["name"]) for a in registry["areas"]] != [area for _, area in annex.areas]:
        problems.append("result areas differ from the annex")
    for theme in registry["themes"]:
        if theme["main_objectives"] != annex.objectives.get(theme["name"]):
            problems.append(f"main objectives of {theme['name']} differ from the annex")
    return problems


def indicator_frame(registry: dict) -> pl.DataFrame:
    rows = []
    for order, ind in enumerate(registry["indicators"], start=1):
        comp = ind.get("computation") or {}
        agg = ind.get("aggregation") or {}
        rows.append({
            "indicator_code": ind["code"], "result_code": ind["result"], "annex_order": order,
            "indicator_text": ind["text"], "line_kind": ind["line_kind"], "origin": ind.get("origin", "annex"),
            "origin_note": ind.get("origin_note"), "kind": ind.get("kind"), "unit": ind.get("unit"),
            "direction": ind.get("direction"), "answered_by": ind.get("answered_by"),
            "awaits": ind.get("awaits"), "influence_rule": ind.get("influence_rule"),
            "paired_with": ind.get("paired_with"), "baseline_year": ind.get("baseline_year"),
            "targets": json.dumps(ind.get("targets") or []), "sdg_series": ",".join(ind.get("sdg") or []) or None,
            "computation_rule": comp.get("rule"),
            "computation_instruments": ",".join(comp.get("instruments") or []) or None,
            "requires_assistance": bool(comp.get("requires_assistance", False)),
            "computation_spec": json.dumps(comp, sort_keys=True) if comp else None,
            "aggregation_method": agg.get("method"), "aggregation_fallback": agg.get("fallback"),
            "aggregation_coverage_base": agg.get("coverage_base"),
            "aggregation_min_coverage": None if agg.get("min_coverage") is None else float(agg["min_coverage"]),
            "aggregation_text": agg.get("text"),
            # How an annex line answered only in part or by proxy is approximated (null where exact).
            "approximation": ind.get("approximation"),
        })
    # Types are declared, not inferred: a column no indicator fills yet is still text or a number.
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("baseline_year").cast(pl.Int64), pl.col("aggregation_min_coverage").cast(pl.Float64),
        pl.col("aggregation_method", "aggregation_fallback", "aggregation_coverage_base", "aggregation_text").cast(pl.Utf8))


def result_frame(registry: dict) -> pl.DataFrame:
    themes = {t["code"]: t for t in registry["themes"]}
    areas = {a["code"]: a for a in registry["areas"]}
    rows = []
    for order, res in enumerate(registry["results"], start=1):
        area = areas[res["area"]]
        theme = themes[area["theme"]]
        rows.append({
            "result_code": res["code"], "result_text": res["text"], "result_order": order,
            "area_code": area["code"], "area_name": area["name"],
            "theme_code": theme["code"], "theme_name": theme["name"],
            "main_objectives": " | ".join(theme["main_objectives"]),
        })
    return pl.DataFrame(rows)
