"""dbt's unions over source families (dim_snapshot, fct_load_rejects, fct_load_reconciliation,
fct_indicator_values, the source_family code list and the contract test) are generated from the
family declarations, passed to dbt as the variable `families`: every declared member is in them, a
family the variable leaves out is gone from them, and dbt without the variable stops at once."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.dbt_project import DBT_DIR, dbt_vars_json, prepare_manifest
from orchestration.dbt_project import main as dbt_project_command
from sources.family import dbt_vars

DBT = Path(sys.executable).with_name("dbt")
PROJECT = "unodc_indicators"
# Each union and the member of a family's declaration it stacks.
UNIONS = {"dim_snapshot": "snapshots", "fct_load_rejects": "rejects", "fct_load_reconciliation": "files",
          "fct_indicator_values": "indicator_values"}
CONTRACT_TEST = f"test.{PROJECT}.assert_family_facts_meet_the_contract"


def members(families: dict, member: str) -> list[str]:
    found = []
    for declared in families.values():
        value = declared[member]
        found += [value] if isinstance(value, str) else list(value or [])
    return found


def answering(families: dict) -> list[str]:
    return [name for name, declared in families.items() if declared["indicator_values"]]


def test_the_parse_of_set_up_refs_every_family_s_members():
    families = dbt_vars()["families"]
    assert len(answering(families)) >= 4
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    for union, member in UNIONS.items():
        declared = {f"model.{PROJECT}.{m}" for m in members(families, member)}
        assert declared, member
        assert declared <= set(nodes[f"model.{PROJECT}.{union}"]["depends_on"]["nodes"]), union
    assert set(nodes[CONTRACT_TEST]["depends_on"]["nodes"]) \
        == {f"model.{PROJECT}.{m}" for m in members(families, "indicator_values")} | {f"model.{PROJECT}.fct_indicator_values"}


def compiled(manifest: dict, model: str) -> str:
    return manifest["nodes"][model]["compiled_code"]


def test_the_built_unions_select_from_every_family_s_members(bundled_build):
    # The manifest of the real build holds the SQL dbt ran.
    manifest = json.loads((bundled_build / "var" / "build" / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    families = dbt_vars()["families"]
    for union, member in UNIONS.items():
        sql = compiled(manifest, f"model.{PROJECT}.{union}")
        for model in members(families, member):
            assert f'."{model}"' in sql, f"{union} does not read {model}"
    code_list = compiled(manifest, f"model.{PROJECT}.dim_code_list")
    assert all(f"('{name}')" in code_list for name in answering(families))


def run_dbt(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    # A target folder of its own, never the one of set-up (a parse with other variables would
    # throw away the parse the builds reuse); HOME as for a build (the profile's ~/build.duckdb).
    return subprocess.run([str(DBT), *args, "--profiles-dir", str(DBT_DIR), "--target-path", str(tmp_path / "target"),
                           "--log-path", str(tmp_path / "logs")],
                          cwd=DBT_DIR, env={**os.environ, "HOME": str(tmp_path)}, capture_output=True, text=True)


def test_a_family_left_out_of_the_variable_leaves_every_union(tmp_path):
    families = dbt_vars()["families"]
    left_out = answering(families)[-1]
    kept = {name: declared for name, declared in families.items() if name != left_out}
    unions = [*UNIONS, "dim_code_list", "assert_family_facts_meet_the_contract"]
    done = run_dbt(tmp_path, "compile", "--vars", json.dumps({"families": kept}), "--select", *unions)
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    for union, member in UNIONS.items():
        sql = compiled(manifest, f"model.{PROJECT}.{union}")
        assert all(f'."{m}"' in sql for m in members(kept, member)), union
        gone = members({left_out: families[left_out]}, member)
        assert gone and not [m for m in gone if m in sql], union
        depends = manifest["nodes"][f"model.{PROJECT}.{union}"]["depends_on"]["nodes"]
        assert not [m for m in gone if f"model.{PROJECT}.{m}" in depends], union
    code_list = compiled(manifest, f"model.{PROJECT}.dim_code_list")
    assert f"('{left_out}')" not in code_list and all(f"('{n}')" in code_list for n in answering(kept))
    contract = compiled(manifest, CONTRACT_TEST)
    assert not [m for m in families[left_out]["indicator_values"] if m in contract]
    assert all(m in contract for m in members(kept, "indicator_values"))


def test_a_family_declared_later_leaves_the_fact_s_unit_tests_as_they_are(bundled_build, tmp_path):
    """fct_indicator_values' unit tests give the facts of the families they name (an override of the
    variable), so a family declared after them is no input they lack: they pass with one more family."""
    import shutil

    families = dbt_vars()["families"]
    later = {**families, "declared_later": {"snapshots": None, "rejects": None, "files": None,
                                            "indicator_values": families["crop_surveys"]["indicator_values"]}}
    shutil.copy(bundled_build / "var" / "build" / "build.duckdb", tmp_path / "build.duckdb")
    done = run_dbt(tmp_path, "test", "--vars", json.dumps({"families": later}),
                   "--select", "fct_indicator_values,test_type:unit")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "PASS=4" in done.stdout
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    tests = [n for n in manifest["unit_tests"].values() if n["model"] == "fct_indicator_values"]
    assert len(tests) == 4 and all(t["overrides"]["vars"]["families"] for t in tests)


def test_dbt_without_the_variable_stops_at_once_and_says_how_to_get_it(tmp_path):
    done = run_dbt(tmp_path, "parse")
    assert done.returncode != 0
    assert "dbt needs --vars from the family declarations" in done.stdout
    assert "python -m orchestration.dbt_project vars" in done.stdout


def test_the_variable_for_dbt_by_hand_is_the_one_every_invocation_gets(capsys):
    assert dbt_project_command(["vars"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == dbt_vars_json()
    assert json.loads(printed) == dbt_vars()
