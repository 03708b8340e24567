"""`orchestration.reader.connect`: the way a researcher's script opens the published warehouse
that never meets a build's swap (issue 20, defect 15), and the README's Python example, run."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from orchestration.reader import POINTER, connect, current_file, write_pointer

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _release_id(con) -> str:
    return con.execute("select release_id from audit.release").fetchone()[0]


def test_a_publish_names_its_kept_release_current(bundled_build):
    warehouse = bundled_build / "warehouse"
    release_id = (warehouse / POINTER).read_text().strip()
    kept = warehouse / "releases" / release_id / "indicators.duckdb"
    assert current_file(warehouse) == kept
    # The immutable release file is the published file itself (a hard link), not a copy.
    assert os.stat(kept).st_ino == os.stat(warehouse / "indicators.duckdb").st_ino
    con = connect(bundled_build)
    try:
        assert _release_id(con) == release_id
        with pytest.raises(duckdb.Error):
            con.execute("create table t as select 1")
    finally:
        con.close()


def test_a_new_release_is_seen_at_the_next_connect_while_an_old_connection_reads_on(bundled_build, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(bundled_build / "warehouse", home / "warehouse")
    warehouse = home / "warehouse"
    old = connect(home)
    newer = "20991231T235959000000Z"
    folder = warehouse / "releases" / newer
    folder.mkdir()
    shutil.copyfile(current_file(warehouse), folder / "indicators.duckdb")
    os.chmod(folder / "indicators.duckdb", 0o644)
    with duckdb.connect(str(folder / "indicators.duckdb")) as w:
        w.execute("update audit.release set release_id = ?", [newer])
    os.chmod(folder / "indicators.duckdb", 0o444)
    write_pointer(warehouse, newer)
    try:
        # Each release has its own path, so within one process the new one opens beside the old.
        new = connect(home)
        assert _release_id(new) == newer and _release_id(old) != newer
        new.close()
    finally:
        old.close()


def test_without_a_pointer_the_published_path_is_read_and_the_next_publish_or_recovery_writes_it(bundled_build,
                                                                                                  tmp_path):
    from orchestration.warehouse.publish import recover
    from sources.settings import Paths

    home = tmp_path / "home"
    shutil.copytree(bundled_build / "warehouse", home / "warehouse")
    (home / "warehouse" / POINTER).unlink()
    assert current_file(home / "warehouse") == home / "warehouse" / "indicators.duckdb"
    with connect(home) as con:
        release_id = _release_id(con)
    assert f"named release {release_id} current" in recover(Paths(home))
    assert (home / "warehouse" / POINTER).read_text().strip() == release_id


def test_a_pointer_to_a_missing_release_fails_after_its_retries_and_a_bad_pointer_is_refused(tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    (warehouse / POINTER).write_text("20990101T000000Z\n")
    with pytest.raises(duckdb.IOException):
        connect(tmp_path, attempts=2, wait=0.0)
    (warehouse / POINTER).write_text("../../etc/passwd\n")
    with pytest.raises(ValueError, match="does not name a release"):
        connect(tmp_path)


def test_the_readme_python_example_runs(bundled_build):
    section = README.split("## Opening the warehouse", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert "connect(" in example and "indicators.duckdb" not in example, "the example opens through connect()"
    env = {**os.environ, "UNODC_HOME": str(bundled_build)}
    done = subprocess.run([sys.executable, "-c", example], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "instrument_code" in done.stdout and "UNTOC" in done.stdout, done.stdout[-2000:]
