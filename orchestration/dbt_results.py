"""The outcome of every dbt test of a build, from dbt's own run results.

dbt's tests are not Dagster asset checks (each would be an output and an evaluation in the run's
log, and one more event planned at every run's start: 474 of a cold run's 1,288); the dbt step
records their outcomes in its `dbt_build` check result instead, and a failing test fails dbt, the
step and so the publish gate.
"""
from __future__ import annotations

import json
from pathlib import Path


def test_outcomes(run_results: Path, manifest: Path, carried: dict | None = None) -> dict:
    """Every test of the build (data and unit tests): how many per status, those that did not pass
    (name, the model it tests, status, failing rows, dbt's message) and the names of those that did.

    `carried`: the outcomes recorded by the build before, for a build that runs some of the tests:
    a test of the project this build did not run keeps its outcome from then, so that the record
    (published with the release) is the one a full build of the same state writes."""
    try:
        graph = json.loads(manifest.read_text(encoding="utf-8"))
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError) as exc:
        # dbt died before writing its results (the step has failed already): say so, record the rest.
        return {"count": {}, "not_passed": [], "passed": [], "unread": f"{run_results.name}: {exc}"}
    tests = {**{uid: node for uid, node in graph["nodes"].items() if node.get("resource_type") == "test"},
             **graph.get("unit_tests", {})}
    by_name = {_name(uid): uid for uid in tests}
    outcomes: dict[str, dict] = {}
    if carried:
        outcomes |= {name: {"status": "pass"} for name in carried.get("passed", []) if name in by_name}
        outcomes |= {t["test"]: {k: v for k, v in t.items() if k != "test"}
                     for t in carried.get("not_passed", []) if t["test"] in by_name}
    for r in results:
        uid = r["unique_id"]
        if uid not in tests:
            continue
        node = tests[uid]
        on = node.get("attached_node") or next(iter(node.get("depends_on", {}).get("nodes", [])), None)
        outcomes[_name(uid)] = {"status": "pass"} if r["status"] == "pass" else {
            "on": on.rsplit(".", 1)[-1] if on else None, "status": r["status"], "failures": r.get("failures"),
            "message": (r.get("message") or "").strip()[:300]}
    count: dict[str, int] = {}
    for o in outcomes.values():
        count[o["status"]] = count.get(o["status"], 0) + 1
    return {"count": dict(sorted(count.items())),
            "not_passed": [{"test": n, **o} for n, o in sorted(outcomes.items()) if o["status"] != "pass"],
            "passed": sorted(n for n, o in outcomes.items() if o["status"] == "pass")}


def add_failing_rows(con, run_results: Path, outcomes: dict, limit: int = 5) -> None:
    """To each failed test's outcome, the first rows its query returns (`rows`): dbt keeps only
    their count. A model's `column_rules` test returns one row per rule broken (the column, the
    rule, how many rows break it, a value of one of them), so the rows name what failed.
    `con`: the build database the tests ran on."""
    failed = {t["test"]: t for t in outcomes["not_passed"] if t["status"] == "fail"}
    if not failed:
        return
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return
    for r in results:
        outcome = failed.get(_name(r["unique_id"])) if r["unique_id"].startswith("test.") else None
        if outcome is None or not r.get("compiled_code"):
            continue
        try:
            # On lines of their own: a test's SQL may end in a comment (or a semicolon, dropped).
            code = r["compiled_code"].strip().rstrip(";")
            cursor = con.execute(f"select * from (\n{code}\n) as failing limit {int(limit)}")
            names = [d[0] for d in cursor.description]
            outcome["rows"] = [{n: (v if v is None or isinstance(v, (bool, int, float, str)) else str(v))
                                for n, v in zip(names, row)} for row in cursor.fetchall()]
        except Exception as exc:  # noqa: BLE001 - the outcome is recorded all the same
            outcome["rows_unread"] = f"{type(exc).__name__}: {exc}"[:300]


def said_rows(outcome: dict) -> str:
    """A failed test's first rows in one line (empty when there are none)."""
    rows = outcome.get("rows") or []
    return "; ".join(", ".join(f"{k} {v}" for k, v in row.items()) for row in rows)


def _name(uid: str) -> str:
    # A data test's name is unique in the project; a unit test's is unique within its model.
    return uid.split(".")[2] if uid.startswith("test.") else uid.split(".", 2)[2]
