"""The bad-input corpus (tests/bad_inputs): every damaged file gets the outcome it is owed, counts
reconcile, and bad files that reach a real build leave the published warehouse as it was."""
from __future__ import annotations

from collections import Counter

import pytest

from sources.errors import SourceError

from .bad_inputs.cases import BASES, CASES, Loaded, Refused
from .bad_inputs.run import base_outcome, outcome, write

FAMILIES = ("ratification", "crime_statistics", "crop_surveys", "project_outputs")


@pytest.fixture(scope="module")
def bases_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("bases"))


def test_the_corpus_covers_every_family_and_level():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES), "case names are unique within a base file"
    per_family = Counter(c.family for c in CASES)
    assert set(per_family) == set(FAMILIES) and min(per_family.values()) >= 15, per_family
    levels = {(c.family, c.level) for c in CASES}
    for family in FAMILIES:
        assert {(family, lv) for lv in ("file", "layout", "row")} <= levels, family
    assert {c.family for c in CASES if c.level == "hostile"} == {"ratification", "project_outputs"}


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_unmutated_real_files_load_whole(base, bases_dir):
    report = base_outcome(base, bases_dir)
    assert report["rows_in"] > 0 and report["rows_rejected"] == 0 and report["reconciles"], report["rejects"][:3]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_bad_input_gets_its_outcome(case, tmp_path, bases_dir):
    path = write(case, tmp_path)
    expect = case.expect
    if isinstance(expect, Refused):
        with pytest.raises(SourceError) as caught:
            outcome(case, path)
        err = caught.value
        message = str(err)
        assert path.name in message, f"the refusal names the file: {message}"
        for part in expect.says:
            assert part in message, f"{part!r} not in {message!r}"
        for attr in ("sheet", "row", "column"):
            if getattr(expect, attr) is not None:
                assert getattr(err, attr) == getattr(expect, attr), (attr, message)
        return
    assert isinstance(expect, Loaded)
    report = outcome(case, path)
    base = base_outcome(case.base, bases_dir)
    assert report["rows_in"] == base["rows_in"] + expect.added
    assert report["rows_in"] == report["rows_accepted"] + report["rows_rejected"] and report["reconciles"]
    # A row is a sheet and a row number; in an IATI file an activity's items (a value, a country)
    # are rejected one by one while the activity itself loads.
    item = (lambda r: (r["row"], r["column"])) if case.base == "iati" else (lambda r: (r.get("sheet"), r["row"]))
    rejected_rows = {item(r) for r in report["rejects"]}
    assert report["rows_rejected"] == len(rejected_rows) == sum(expect.rejected.values()), report["rejects"]
    for reason, rows in expect.rejected.items():
        assert len({item(r) for r in report["rejects"] if reason in r["reason"]}) == rows, (reason, report["rejects"])
    for rej in report["rejects"]:
        assert rej["file"] == path.name and rej["row"] is not None and rej["column"], rej
        if expect.column:
            assert rej["column"].startswith(expect.column), rej
    if expect.check:
        expect.check(report, path.read_bytes())
