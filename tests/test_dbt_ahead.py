"""dbt started ahead (orchestration/dbt_ahead.py): the dbt step's `unodc-indicators-dbt` hands its
command to a process that imported dbt while the build did its first steps. Real processes, real
dbt; the build's own use of it is checked in tests/test_incremental.py."""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from orchestration.dbt_ahead import ENV, WAIT_S, start
from orchestration.dbt_project import DBT_DIR, dbt_executable, dbt_vars_json

STARTED = "dbt runs in the process started ahead of the dbt step (pid {})"


@pytest.fixture
def ahead():
    ahead = start()
    try:
        yield ahead
    finally:
        ahead.stop()
    assert ENV not in os.environ


def _dbt(*args: str, socket: Path | None, env: dict | None = None, **kw) -> subprocess.Popen:
    env = {**{k: v for k, v in os.environ.items() if k != ENV}, **(env or {})}
    if socket is not None:
        env[ENV] = str(socket)
    return subprocess.Popen([str(dbt_executable()), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _parse(tmp_path: Path, socket: Path | None) -> subprocess.Popen:
    """A dbt command of a few seconds: this project parsed into a folder of its own (no database opened)."""
    return _dbt("parse", "--profiles-dir", str(DBT_DIR), "--vars", dbt_vars_json(),
                "--target-path", str(tmp_path / "target"), "--no-partial-parse", socket=socket,
                cwd=DBT_DIR, env={"HOME": str(tmp_path), "DBT_LOG_PATH": str(tmp_path / "logs")})


def _catches(pid: int, sig: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


def _ended(pid: int, within: float) -> bool:
    """The process has ended (gone, or a zombie its parent has not reaped yet)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_a_command_runs_in_the_process_started_ahead_with_its_output_and_status(ahead):
    assert stat.S_IMODE(ahead.folder.stat().st_mode) == 0o700   # no one else can hand it a command
    ok = _dbt("--help", socket=ahead.socket)
    out, err = ok.communicate(timeout=120)
    assert ok.returncode == 0, err
    assert STARTED.format(ahead.proc.pid) in err
    assert "Usage: dbt [OPTIONS]" in out
    assert ahead.proc.wait(30) == 0
    assert not ahead.folder.exists()
    # The process served one command: the next one runs dbt itself, with dbt's words and status.
    bad = _dbt("--no-such-flag", socket=ahead.socket)
    out, err = bad.communicate(timeout=120)
    assert bad.returncode == 2
    assert "No such option" in err and "started ahead" not in err


def test_dbt_s_failure_status_and_message_come_back(ahead, tmp_path):
    bad = _dbt("--no-such-flag", socket=ahead.socket)
    out, err = bad.communicate(timeout=120)
    assert STARTED.format(ahead.proc.pid) in err
    assert bad.returncode == 2 and "No such option '--no-such-flag'" in err
    assert ahead.proc.wait(30) == 2


def test_the_command_runs_in_the_folder_and_environment_it_was_given(ahead, tmp_path):
    proc = _parse(tmp_path, ahead.socket)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert STARTED.format(ahead.proc.pid) in err
    # The folder (dbt found its project there) and the environment (its log path) were the
    # command's, not those of the process that started dbt ahead.
    assert (tmp_path / "target" / "manifest.json").exists()
    assert (tmp_path / "logs" / "dbt.log").exists()


def test_a_process_gone_before_dbt_started_leaves_the_command_to_run_dbt_itself(ahead):
    ahead.proc.kill()
    ahead.proc.wait()
    assert ahead.socket.exists()        # its socket is left behind, nobody listening
    proc = _dbt("--help", socket=ahead.socket)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Usage: dbt" in out and "started ahead" not in err


def test_a_process_that_dies_while_dbt_runs_fails_the_command_and_says_so(ahead, tmp_path):
    proc = _parse(tmp_path, ahead.socket)
    line = proc.stderr.readline()
    assert STARTED.format(ahead.proc.pid) in line
    ahead.proc.kill()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert f"dbt's process (pid {ahead.proc.pid}, started ahead of the dbt step) ended without an exit status" in err


def test_sigint_to_the_command_stops_dbt(ahead, tmp_path):
    # dagster-dbt stops a dbt command with SIGINT when the run is stopped: dbt must stop, not go on.
    proc = _parse(tmp_path, ahead.socket)
    line = proc.stderr.readline()
    assert "started ahead" in line, line
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, line + out + err
    assert ahead.proc.wait(30) != 0, line + out + err
    assert not (tmp_path / "target" / "manifest.json").exists(), line + out + err


def test_a_command_killed_outright_does_not_leave_dbt_running(ahead, tmp_path):
    proc = _parse(tmp_path, ahead.socket)
    line = proc.stderr.readline()
    assert "started ahead" in line, line
    proc.kill()
    proc.wait()
    assert ahead.proc.wait(30) != 0      # stopped (a TimeoutExpired if it went on)
    assert not (tmp_path / "target" / "manifest.json").exists()


def test_a_build_that_ends_before_its_dbt_step_leaves_no_process_behind(tmp_path):
    # A build's process killed outright (its `finally` never runs): the process started ahead ends.
    code = ("import os, sys; from orchestration.dbt_ahead import start; a = start(); "
            "print(a.proc.pid, a.folder, flush=True); os._exit(0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    pid, folder = int(out[0]), Path(out[1])
    try:
        assert _ended(pid, 30 + WAIT_S)
        assert not folder.exists()      # nothing left in the temporary folder either
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_build_goes_on_when_the_process_cannot_be_started(tmp_path, monkeypatch, capsys):
    from orchestration.dbt_ahead import started_ahead

    # No socket can be made: the temporary folder is a file, not a folder.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    with started_ahead() as ahead:
        assert ahead is None and ENV not in os.environ
    assert "dbt is not started ahead of the dbt step" in capsys.readouterr().err


def test_a_signal_before_dbt_started_is_passed_on_when_it_starts(tmp_path):
    # The command is stopped while the process started ahead is still importing dbt: dbt starts
    # there, is stopped at once, and writes nothing.
    ahead = start()
    try:
        proc = _parse(tmp_path, ahead.socket)
        # The command has handed itself over (it catches SIGTERM from then on, as Python does not
        # by default) while the process is still importing dbt.
        deadline = time.monotonic() + 60
        while not _catches(proc.pid, signal.SIGTERM):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.01)
        assert ahead.socket.exists()    # not accepted yet: dbt has not started
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode != 0, out + err
        assert ahead.proc.wait(30) != 0, out + err
        assert not (tmp_path / "target" / "manifest.json").exists(), out + err
    finally:
        ahead.stop()


def test_a_build_stopped_while_dbt_runs_stops_dbt_and_leaves_no_process(tmp_path):
    # The whole chain of a stop in a real build: SIGTERM to `run`, Dagster's interrupt of the dbt
    # step, dagster-dbt's SIGINT to unodc-indicators-dbt, passed on to the process running dbt.
    from reliability.harness import Build, leftovers, runs_in_progress

    build = Build(tmp_path, log_name="stopped-in-dbt")
    assert build.when(r"Materialized value staging").wait(600), build.stderr()[-2000:]
    build.proc.send_signal(signal.SIGTERM)
    code = build.wait(180)
    err, out = build.stderr(), build.stdout_path.read_text()
    assert code == 1 and "the build was stopped by SIGTERM" in err, (code, err[-2000:])
    assert "dbt runs in the process started ahead of the dbt step" in out, out[-2000:]
    # Nothing of the build goes on: no process is left in its process group (dbt's included).
    deadline = time.monotonic() + 30
    while True:
        try:
            os.killpg(build.proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a process of the stopped build is still running"
        time.sleep(0.1)
    assert runs_in_progress(tmp_path) == [] and leftovers(tmp_path)["lock_free"]
