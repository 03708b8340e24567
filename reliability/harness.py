"""Real builds as separate processes, killed at chosen moments, and what the published warehouse
looks like afterwards. Shared by the fault tests and the campaigns of this folder.

A build runs `unodc-indicators run --home HOME` in its own process group, so SIGKILL reaches the
dbt process too, as a crash of the machine or the OOM killer of the container would. Its Dagster
run history (DAGSTER_HOME) lives in the home, so the run after a crash finds the dead run's records.
"""
from __future__ import annotations

import fcntl
import hashlib
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sources" / "bundled"
MAINTENANCE = (b"<html><body><h1>Notice</h1>The United Nations Treaty Collection is undergoing urgent "
               b"maintenance and is currently unavailable.</body></html>")
# The annotations a build writes itself: not in the manifest's row counts, which precede them.
RELEASE_TABLES = {"audit.release", "audit.release_changes"}


def command(home: Path, fetch: bool = False) -> list[str]:
    # `python -m` from ROOT runs the code of this tree, `unodc-indicators run` by another name;
    # `-v` keeps the whole Dagster log on stderr, where the moment to kill is watched for.
    return [sys.executable, "-m", "orchestration.cli", "run", "-v", "--home", str(home)] + (["--fetch"] if fetch else [])


class Build:
    """One real build process; its stderr is watched line by line for the moment to kill it."""

    def __init__(self, home: Path, *, fetch: bool = False, env: dict | None = None, log_name: str = "build",
                 logs: Path | None = None):
        self.home = Path(home)
        logs = Path(logs or self.home / "campaign-logs")
        logs.mkdir(parents=True, exist_ok=True)
        self.stdout_path = logs / f"{log_name}.out"
        self.stderr_path = logs / f"{log_name}.err"
        self.lines: list[str] = []
        self._watch: list[tuple[re.Pattern, threading.Event]] = []
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            command(self.home, fetch), cwd=ROOT, start_new_session=True, text=True,
            env={**os.environ, "DAGSTER_HOME": str(self.home / "dagster"), **(env or {})},
            stdout=open(self.stdout_path, "w"), stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with open(self.stderr_path, "w") as log:
            for line in self.proc.stderr:
                self.lines.append(line)
                try:
                    log.write(line)
                except OSError:
                    pass
                for pattern, event in self._watch:
                    if pattern.search(line):
                        event.set()

    def when(self, pattern: str) -> threading.Event:
        event = threading.Event()
        compiled = re.compile(pattern)
        self._watch.append((compiled, event))
        if any(compiled.search(line) for line in list(self.lines)):
            event.set()
        return event

    def kill(self) -> float:
        """SIGKILL the whole process group; returns the seconds since the build started."""
        at = time.monotonic() - self.started
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.wait(60)
        return at

    def wait(self, timeout: float = 900) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise
        self._reader.join(10)
        return code

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stderr(self) -> str:
        return "".join(self.lines)


def kill_at(home: Path, *, marker: str | None = None, delay: float = 0.0, fault: str | None = None,
            fetch: bool = False, env: dict | None = None, trigger: threading.Event | None = None,
            log_name: str = "killed", timeout: float = 900, logs: Path | None = None) -> dict:
    """Run a build and kill it at a moment: a stderr line matching `marker` (then `delay` seconds
    more), an event set from outside (`trigger`, e.g. the mirror received a request), or a named
    fault point where the build kills itself (`fault`)."""
    build = Build(home, fetch=fetch, env={**(env or {}), **({"UNODC_FAULT": fault} if fault else {})},
                  log_name=log_name, logs=logs)
    if fault:
        code = build.wait(timeout)
        at = build.elapsed
        # The fault point kills the leader; its process group must not outlive it.
        try:
            os.killpg(build.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return {"killed_at_s": round(at, 1), "exit": code, "reached": code == -signal.SIGKILL}
    event = trigger if trigger is not None else build.when(marker)
    deadline = time.monotonic() + timeout
    while not event.is_set() and build.proc.poll() is None and time.monotonic() < deadline:
        event.wait(0.05)
    reached = event.is_set()
    if reached and delay:
        time.sleep(delay)
    finished_first = build.proc.poll() is not None
    at = build.kill()
    return {"killed_at_s": round(at, 1), "exit": build.proc.returncode,
            "reached": reached and not finished_first}


def run_build(home: Path, *, fetch: bool = False, env: dict | None = None, log_name: str = "build",
              timeout: float = 900, logs: Path | None = None) -> dict:
    build = Build(home, fetch=fetch, env=env, log_name=log_name, logs=logs)
    code = build.wait(timeout)
    return {"exit": code, "seconds": round(build.elapsed, 1), "stderr": build.stderr(),
            "stdout": build.stdout_path.read_text()}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inspect_published(home: Path) -> dict:
    """Is the published file one complete release? It opens read-only, holds exactly one
    audit.release row, every table its manifest counts has exactly that many rows, no table is
    unaccounted for, and it is the very file kept for that release (or, when the build died between
    the swap and keeping it, not kept yet)."""
    db = Path(home) / "warehouse" / "indicators.duckdb"
    out: dict = {"exists": db.exists()}
    if not db.exists():
        return out
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select release_id, manifest from audit.release").fetchall()
        out["release_rows"] = len(rows)
        release_id, manifest = rows[0]
        counts = json.loads(manifest)["row_counts"]
        actual = {}
        for name in counts:
            schema, table = name.split(".", 1) if "." in name else ("main", name)
            actual[name] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        present = {t if s == "main" else f"{s}.{t}"
                   for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()}
    finally:
        con.close()
    kept = db.parent / "releases" / release_id / "indicators.duckdb"
    manifest_file = kept.parent / "manifest.json"
    out.update(
        release_id=release_id,
        tables=len(counts),
        counts_match=actual == counts,
        unaccounted_tables=sorted(present - set(counts) - RELEASE_TABLES),
        missing_tables=sorted(set(counts) - present),
        read_only_mode=not os.stat(db).st_mode & 0o222,
        kept=kept.exists() and (os.path.samefile(kept, db) or sha256(kept) == sha256(db)),
        kept_manifest=manifest_file.exists() and json.loads(manifest_file.read_text())["release_id"] == release_id,
        sha256=sha256(db))
    out["complete"] = (out["release_rows"] == 1 and out["counts_match"] and not out["unaccounted_tables"]
                       and not out["missing_tables"] and out["read_only_mode"])
    return out


def leftovers(home: Path) -> dict:
    """What a dead build left behind: temporary publish copies, a build database WAL, the lock."""
    home = Path(home)
    warehouse = home / "warehouse"
    lock = home / "var" / "build" / "build.lock"
    lock_free = True
    if lock.exists():
        with open(lock, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fh, fcntl.LOCK_UN)
            except BlockingIOError:
                lock_free = False
    releases = warehouse / "releases"
    return {
        "publish_temp_files": sorted(p.name for p in warehouse.glob(".publish-*")) if warehouse.exists() else [],
        "build_wal": (home / "var" / "build" / "build.duckdb.wal").exists(),
        "lock_free": lock_free,
        "releases_without_manifest": sorted(p.name for p in releases.iterdir()
                                            if p.is_dir() and not (p / "manifest.json").exists())
        if releases.exists() else [],
    }


def runs_in_progress(home: Path) -> list[str]:
    """Runs the home's Dagster instance still shows in progress: a killed build's run, until the
    next build closes it."""
    import dagster as dg

    statuses = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    with dg.DagsterInstance.from_config(str(Path(home) / "dagster")) as instance:
        return [r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=statuses))]


# --- a local mirror of the live sources, serving the bundled files -------------------------------

def mirror_routes() -> dict:
    """Path -> (status, body, headers) for every bundled file a live fetch asks for."""
    routes = {}
    for xml in (BUNDLED / "ratification" / "untc_xml_2018").glob("*.xml"):
        routes[f"/untc/{xml.name}"] = (200, xml.read_bytes(), {"Content-Type": "text/xml"})
    for xlsx in (BUNDLED / "crime_statistics").glob("data_*.xlsx"):
        routes[f"/cts/{xlsx.name}"] = (200, xlsx.read_bytes(), {})
    return routes


def mirror_env(base: str) -> dict:
    """Every dataset's URL variable pointed at the mirror: a drill never leaves the machine."""
    from sources.catalog import datasets

    env = {cfg["url_env"]: base + "/missing" for cfg in datasets().values()}
    env["UNODC_UNTC_URL"] = base + "/untc/{item}.en.xml"
    for name, file in (("UNODC_CTS_HOMICIDE_URL", "data_cts_intentional_homicide.xlsx"),
                       ("UNODC_CTS_PRISONS_URL", "data_cts_prisons_and_prisoners.xlsx"),
                       ("UNODC_CTS_GLOTIP_URL", "data_glotip.xlsx")):
        env[name] = f"{base}/cts/{file}"
    # A failing source costs seconds, not the production policy's minutes.
    env.update(UNODC_FETCH_TIMEOUT="2", UNODC_FETCH_ATTEMPTS="2", UNODC_FETCH_BACKOFF="0.1")
    return env


def truncated(body: bytes) -> tuple:
    return (200, body[: len(body) // 3], {"Content-Length": str(len(body))})


def slow(seconds: float, body: bytes = b"<late/>"):
    def route(handler):
        time.sleep(seconds)
        return (200, body, {})
    return route


def held(arrived: threading.Event, release: threading.Event, body: bytes):
    """Answer only after `release`: the moment a build is mid-download, seen from the server."""
    def route(handler):
        arrived.set()
        release.wait(120)
        return (200, body, {})
    return route


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        status, body, headers = route(self) if callable(route) else route
        try:
            self.send_response(status)
            for k, v in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass    # the client gave up (a timeout on purpose, or a killed build)

    def log_message(self, *args):
        pass


class Mirror(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = mirror_routes()
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def handle_error(self, request, client_address):
        pass

    def close(self):
        self.shutdown()
        self.server_close()


@dataclass
class Moment:
    name: str
    stage: str
    marker: str | None = None
    delay: float = 0.0
    fault: str | None = None
    fetch_path: str | None = None      # kill while the mirror is sending this file
    may_publish: bool = False          # killed after the swap: the new release is the published one
    notes: list = field(default_factory=list)
