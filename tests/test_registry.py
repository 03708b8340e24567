"""The registry transcribes the annex of the strategy: every line, verbatim, nothing added silently."""
from __future__ import annotations

import copy

import pytest

from schemas import validate
from schemas.registry import IndicatorRegistry
from sources.strategy.annex import parse_annex
from sources.strategy.registry import indicator_frame, load_registry, result_frame, verify_against_annex

from .conftest import BUNDLED

ANNEX_TEXT = (BUNDLED / "strategy" / "unodc-strategy-2008-2011.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def annex():
    return parse_annex(ANNEX_TEXT)


def test_the_annex_has_its_three_themes_fourteen_areas_and_132_lines(annex):
    assert list(annex.objectives) == ["Analysis", "Rule of Law", "Human Security"]
    assert len(annex.objectives["Human Security"]) == 2
    assert len(annex.areas) == 14 and len(annex.results) == 45 and len(annex.lines) == 132
    assert annex.lines[0].text == "Periodical expert review of all published material and other analytical work"
    assert annex.lines[-1].text == "Number of partnerships with NGOs resulting in delivery of programmes under UNODC auspices"


def test_registry_matches_the_annex_line_for_line(annex):
    assert verify_against_annex(load_registry(), annex) == []


def test_repeated_lines_stay_distinct_under_their_results():
    frame = indicator_frame(load_registry())
    trained = frame.filter(frame["indicator_text"] == "Number of people trained")
    assert trained.height >= 4 and trained["indicator_code"].n_unique() == trained.height
    assert trained["result_code"].n_unique() == trained.height


def test_a_dropped_or_reworded_line_is_caught(annex):
    registry = load_registry()
    dropped = copy.deepcopy(registry)
    dropped["indicators"] = [i for i in dropped["indicators"] if i["code"] != "TRA.R2.I1"]
    assert any("indicator lines" in p or "annex line" in p for p in verify_against_annex(dropped, annex))
    reworded = copy.deepcopy(registry)
    reworded["indicators"][0]["text"] += "."
    assert verify_against_annex(reworded, annex)[0].startswith("annex line 1")


def test_registry_passes_its_schema_and_a_broken_one_does_not():
    frame = indicator_frame(load_registry())
    ok, cases, _ = validate(IndicatorRegistry, frame)
    assert ok, cases
    registry = load_registry()
    registry["indicators"][0]["kind"] = "guess"
    registry["indicators"][1]["code"] = registry["indicators"][0]["code"]
    ok, cases, _ = validate(IndicatorRegistry, indicator_frame(registry))
    assert not ok
    assert {c["column"] for c in cases} >= {"kind", "indicator_code"}


def test_ratification_indicators_name_their_instruments():
    frame = indicator_frame(load_registry()).filter(indicator_frame(load_registry())["computation_rule"].is_not_null())
    by_code = dict(zip(frame["indicator_code"], frame["computation_instruments"]))
    assert by_code["RAT.R1.I1"] == "UNTOC,TIP,SOM,FIREARMS"
    assert by_code["RAT.R1.I3"] == "UNCAC"
    assert by_code["RAT.R1.I5"] == "HOSTAGES,IPP,BOMBINGS,FINANCING,NUCLEAR"
    assert set(by_code["RAT.R1.D1"].split(",")) == {"SC1961", "PROT1972", "SC1961A", "CPS1971", "CND1988"}
    paired = dict(zip(frame["indicator_code"], frame["requires_assistance"]))
    assert paired["RAT.R1.I2"] and paired["RAT.R1.I4"] and paired["RAT.R1.I6"] and not paired["RAT.R1.I1"]


def test_results_carry_their_hierarchy():
    results = result_frame(load_registry())
    row = results.filter(results["result_code"] == "RAT.R1").row(0, named=True)
    assert row["theme_name"] == "Rule of Law"
    assert row["area_name"].startswith("Ratification and implementation")
    assert row["result_text"] == "Universal ratification of drugs, TOC, corruption and terrorism conventions"
