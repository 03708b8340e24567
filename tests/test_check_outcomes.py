"""Check outcomes kept per snapshot (orchestration/check_outcomes.py), in real builds.

One home starts as a copy of the session's bundled build, whose checks by snapshot kept their
outcomes. Then, with a copy of the bundled snapshots:
  A. a new UN-CTS release (a later version of the prisons file): the incremental build checks the
     new snapshot alone, the crime family's other outcomes read back;
  B. a new UNTC status file naming a participant no list knows: its blocking check fails, and the
     publish is refused;
  C. a full build after the crime parser changed (its family's version, as an edit gives it) and
     with one kept outcome of another family damaged: every crime snapshot is checked again, no
     snapshot of another family but the damaged one and the failure of B (a blocking failure is
     never kept), and the publish is still refused.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from bench.incremental import changed_file, new_version
from orchestration.check_outcomes import KeptOutcomes, check_version
from orchestration.cli import main
from sources import parse_cache
from sources.family import SOURCES, family, with_raw_tables
from sources.parse_cache import CHECKS, family_version
from sources.settings import Paths

from .conftest import BUNDLED

pytestmark = pytest.mark.timeout(2400)

# Every check kept by snapshot, by family (their tables' batch_by and the declared rule checks').
BY_SNAPSHOT = {
    "crime_statistics": ["pandera_cts_observations", "cts_duplicate_keys"],
    "ratification": ["pandera_untc_treaty_actions", "pandera_untc_endnotes", "participants_mapped"],
    "sdg_global_database": ["pandera_sdg_observations", "sdg_duplicate_keys"],
}


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["run", *args])
    return code, out.getvalue()


def _state(home: Path) -> dict:
    """Each check's record (passed, details) and each family's snapshots in its checked tables."""
    con = duckdb.connect(str(Paths(home).build_db), read_only=True)
    try:
        checks = {name: (passed, json.loads(details)) for name, passed, details in
                  con.execute("select check_name, passed, details from audit.check_results").fetchall()}
        snapshots = {t: {s for (s,) in con.execute(f"select distinct snapshot_id from raw.{t}").fetchall()}
                     for t in ("cts_observations", "untc_treaty_actions", "sdg_observations")}
    finally:
        con.close()
    return {"checks": checks, "snapshots": snapshots}


def _outcomes(home: Path, name: str) -> Path:
    """The folder of the family's kept outcomes (its current parser and check versions)."""
    return (Paths(home).parse_cache / name / family_version(family(name))[:32] / CHECKS / check_version()[:32])


def _kept(home: Path, name: str, check: str) -> set[str]:
    """The snapshots whose outcome of the check is kept."""
    path = _outcomes(home, name) / f"{check}.json"
    return set(json.loads(path.read_text())["outcomes"]) if path.exists() else set()


def _current(home: Path) -> str:
    return (Paths(home).warehouse_dir / "CURRENT").read_text().strip()


def unknown_participant(bundle: Path, version: str) -> str:
    """A later UNTC status file of VI-15 whose first participant is a name no list maps."""
    name = new_version(bundle, changed_file(bundle, "untc"), version,
                       "Test copy: a participant renamed to a name no list knows (tests/test_check_outcomes.py).")
    copy = next(bundle.glob(f"ratification/bench_untc_status_{version}/VI-15.en.xml"))
    data = copy.read_bytes()
    assert b"<Entry>Algeria</Entry>" in data
    data = data.replace(b"<Entry>Algeria</Entry>", b"<Entry>Atlantis</Entry>", 1)
    copy.write_bytes(data)
    sidecar = Path(f"{copy}.snapshot.yaml")
    meta = yaml.safe_load(sidecar.read_text())
    meta.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    sidecar.write_text(yaml.safe_dump(meta, sort_keys=False))
    return name


@pytest.fixture(scope="module")
def builds(bundled_build, tmp_path_factory):
    base = tmp_path_factory.mktemp("check-outcomes")
    home, bundle = base / "home", base / "bundle"
    shutil.copytree(bundled_build, home, symlinks=True)
    shutil.copytree(BUNDLED, bundle)
    out = {"home": home, "before": _state(home),
           "kept_before": {check: _kept(home, name, check) for name, checks in BY_SNAPSHOT.items() for check in checks}}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNODC_BUNDLE_DIR", str(bundle))
        new_version(bundle, changed_file(bundle, "cts"), "2026-11-30",
                    "Test copy: the prisons file as a later release (tests/test_check_outcomes.py).")
        out["a"] = (*_run("-v", "--home", str(home)), _state(home))
        out["kept_after_a"] = {check: _kept(home, "crime_statistics", check) for check in BY_SNAPSHOT["crime_statistics"]}
        published = _current(home)
        unknown_participant(bundle, "2026-12-01")
        out["b"] = (*_run("--home", str(home)), _state(home), _current(home) == published)
        out["kept_after_b"] = {check: _kept(home, "ratification", check) for check in BY_SNAPSHOT["ratification"]}

        # One kept outcome of the SDG family damaged in place: still JSON, another count.
        sdg = _outcomes(home, "sdg_global_database") / "pandera_sdg_observations.json"
        kept = json.loads(sdg.read_text())
        damaged = sorted(kept["outcomes"])[0]
        assert kept["outcomes"][damaged]["outcome"]["meta"]["failures"] == {"value": 0}
        kept["outcomes"][damaged]["outcome"]["meta"]["failures"] = {"value": 1}
        sdg.write_text(json.dumps(kept))
        out["damaged"] = damaged
        # The crime parser changed: its family's version is the one its edited files give.
        sources = base / "sources"
        shutil.copytree(SOURCES, sources, ignore=shutil.ignore_patterns("bundled", "__pycache__"))
        with open(sources / "crime" / "cts.py", "a") as fh:
            fh.write("\n# a changed parser\n")
        changed = family_version(family("crime_statistics"), sources)
        assert changed != family_version(family("crime_statistics"))
        mp.setitem(parse_cache._VERSIONS, (SOURCES, "crime_statistics"), changed)
        out["c"] = (*_run("--full", "--home", str(home)), _state(home), _current(home) == published)
        out["crime_folder"] = Paths(home).parse_cache / "crime_statistics"
        out["changed_version"] = changed
    return out


def test_the_bundled_build_kept_every_snapshot_s_outcome(builds):
    before = builds["before"]
    tables = {"crime_statistics": "cts_observations", "ratification": "untc_treaty_actions",
              "sdg_global_database": "sdg_observations"}
    for name, checks in BY_SNAPSHOT.items():
        for check in checks:
            details = before["checks"][check][1]
            if check == "pandera_untc_endnotes":
                assert builds["kept_before"][check] and details["snapshots_reused"] == 0
                continue
            snapshots = before["snapshots"][tables[name]]
            # Every snapshot checked by the bundled build, and its outcome kept (the duplicate-key
            # report's failure too: a non-blocking check's).
            assert (details["snapshots_reused"], details["snapshots_checked"]) == (0, len(snapshots)), check
            assert builds["kept_before"][check] == snapshots, check
    assert before["checks"]["pandera_cts_observations"][0] is True
    assert before["checks"]["cts_duplicate_keys"][0] is False


def test_a_new_snapshot_is_checked_alone(builds):
    code, out, state = builds["a"]
    assert code == 0, out
    assert "loading again: crime_statistics;" in out
    snapshots, before = state["snapshots"]["cts_observations"], builds["before"]["snapshots"]["cts_observations"]
    assert len(snapshots - before) == 1 and before < snapshots
    for check in BY_SNAPSHOT["crime_statistics"]:
        details = state["checks"][check][1]
        assert (details["snapshots_reused"], details["snapshots_checked"]) == (len(snapshots) - 1, 1), check
        # Kept: the outcomes of the snapshots the table holds now, no other.
        assert builds["kept_after_a"][check] == snapshots, check
    pandera = state["checks"]["pandera_cts_observations"]
    # The counts add up over the reused outcomes and the new one: every row of the table.
    con = duckdb.connect(str(Paths(builds["home"]).build_db), read_only=True)
    try:
        rows = con.execute("select count(*) from raw.cts_observations").fetchone()[0]
    finally:
        con.close()
    assert pandera[0] is True and pandera[1]["rows"] == rows and pandera[1]["failures"] == 0
    # The duplicate-key report (a failure of a non-blocking check, kept) adds the new file's rows to
    # the others' (the same bytes as the prisons file: its count again).
    duplicates = state["checks"]["cts_duplicate_keys"]
    assert duplicates[0] is False
    assert duplicates[1]["rows_sharing_a_key"] > builds["before"]["checks"]["cts_duplicate_keys"][1]["rows_sharing_a_key"]


def test_a_blocking_failure_is_never_kept_and_blocks_the_publish(builds):
    code, out, state, unchanged = builds["b"]
    assert code != 0 and "The build did not publish" in out and unchanged, out
    passed, details = state["checks"]["participants_mapped"]
    assert passed is False and "Atlantis" in details["unmapped_names"]
    assert details["snapshots_checked"] == 1
    untc = state["snapshots"]["untc_treaty_actions"]
    kept = builds["kept_after_b"]
    assert len(kept["participants_mapped"]) == len(untc) - 1 and kept["participants_mapped"] < untc
    # The new file's rows pass the table's schema: that outcome is kept.
    assert kept["pandera_untc_treaty_actions"] == untc


def test_a_parser_change_checks_its_family_again_and_no_other(builds):
    code, out, state, unchanged = builds["c"]
    # Still refused: the failure of build B was checked again, not read back.
    assert code != 0 and "The build did not publish" in out and unchanged, out
    assert state["checks"]["participants_mapped"][0] is False
    assert state["checks"]["participants_mapped"][1]["snapshots_checked"] == 1
    crime = state["snapshots"]["cts_observations"]
    for check in BY_SNAPSHOT["crime_statistics"]:
        assert (state["checks"][check][1]["snapshots_reused"], state["checks"][check][1]["snapshots_checked"]) == (
            0, len(crime)), check
    for check in ("pandera_untc_treaty_actions", "pandera_untc_endnotes", "sdg_duplicate_keys"):
        assert state["checks"][check][1]["snapshots_checked"] == 0, check
    # The damaged outcome counted as absent: that snapshot checked again, and its outcome written again.
    sdg = state["checks"]["pandera_sdg_observations"]
    assert sdg[0] is True and sdg[1]["snapshots_checked"] == 1 and sdg[1]["failures"] == 0
    kept = KeptOutcomes(_outcomes(builds["home"], "sdg_global_database")).get("pandera_sdg_observations",
                                                                              builds["damaged"])
    assert kept is not None and kept[0] is True and kept[1]["failures"] == 0
    # The crime family's outcomes now live under its new version only, with its parse results.
    assert [p.name for p in builds["crime_folder"].iterdir()] == [builds["changed_version"][:32]]
    assert {f.name for f in with_raw_tables()} >= set(BY_SNAPSHOT)
