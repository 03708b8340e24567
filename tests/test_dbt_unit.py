"""dbt's unit tests: the build leaves them out (orchestration/assets/dbt.py, BUILD_ARGS), so the
suite runs every one of them here, on a copy of a real build's database (a unit test looks up the
columns of its model's inputs there)."""
from __future__ import annotations

import json
import shutil

from orchestration.dbt_project import dbt_vars_json
from tests.test_dbt_families import PROJECT, run_dbt


def test_every_dbt_unit_test_passes(bundled_build, tmp_path):
    shutil.copy(bundled_build / "var" / "build" / "build.duckdb", tmp_path / "build.duckdb")
    done = run_dbt(tmp_path, "test", "--vars", dbt_vars_json(), "--select", "test_type:unit")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {r["unique_id"]: r["status"] for r in results}
    # Every unit test of the project ran and passed: none left out by the selection.
    assert set(ran) == set(manifest["unit_tests"]) and len(ran) >= 20
    assert set(ran.values()) == {"pass"}
    assert all(uid.startswith(f"unit_test.{PROJECT}.") for uid in ran)


def test_the_build_runs_the_data_tests_and_not_the_unit_tests(bundled_build):
    results = json.loads((bundled_build / "var" / "build" / "dbt_target" / "run_results.json").read_text())["results"]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert "test" in kinds and "model" in kinds and "unit_test" not in kinds
