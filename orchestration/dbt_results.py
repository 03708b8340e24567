"""The outcome of every dbt test of a build, from dbt's own run results.

dbt's tests are not Dagster asset checks (each would be an output and an evaluation in the run's
log, and one more event planned at every run's start: 474 of a cold run's 1,288); the dbt step
records their outcomes in its `dbt_build` check result instead, and a failing test fails dbt, the
step and so the publish gate.
"""
from __future__ import annotations

import json
from pathlib import Path


def test_outcomes(run_results: Path, manifest: Path) -> dict:
    """Every test of the build (data and unit tests): how many per status, those that did not pass
    (name, the model it tests, status, failing rows, dbt's message) and the names of those that did."""
    try:
        graph = json.loads(manifest.read_text(encoding="utf-8"))
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError) as exc:
        # dbt died before writing its results (the step has failed already): say so, record the rest.
        return {"count": {}, "not_passed": [], "passed": [], "unread": f"{run_results.name}: {exc}"}
    count: dict[str, int] = {}
    not_passed, passed = [], []
    for r in results:
        uid = r["unique_id"]
        if not uid.startswith(("test.", "unit_test.")):
            continue
        count[r["status"]] = count.get(r["status"], 0) + 1
        # A data test's name is unique in the project; a unit test's is unique within its model.
        name = uid.split(".")[2] if uid.startswith("test.") else uid.split(".", 2)[2]
        if r["status"] == "pass":
            passed.append(name)
            continue
        node = graph["nodes"].get(uid) or graph.get("unit_tests", {}).get(uid) or {}
        on = node.get("attached_node") or next(iter(node.get("depends_on", {}).get("nodes", [])), None)
        not_passed.append({"test": name, "on": on.rsplit(".", 1)[-1] if on else None, "status": r["status"],
                           "failures": r.get("failures"), "message": (r.get("message") or "").strip()[:300]})
    return {"count": count, "not_passed": not_passed, "passed": sorted(passed)}


def summary_lines(outcomes: dict) -> list[str]:
    """A line per test that did not pass, as the build's summary says a check's outcome: a warning
    with its failing rows, a failure with dbt's message."""
    lines = []
    for t in outcomes["not_passed"]:
        if t["status"] == "warn":
            lines.append(f"check {t['test']} on {t['on']} (WARN): failed row count {t['failures']}")
        else:
            lines.append(f"dbt test {t['test']} on {t['on']}: {t['status']}: {t['message']}")
    return lines
