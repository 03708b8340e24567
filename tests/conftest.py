from __future__ import annotations

import http.server
import os
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sources" / "bundled"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UNTC_XML = BUNDLED / "ratification" / "untc_xml_2018"
UNTC_TABLE = BUNDLED / "ratification" / "untc_table_2015"


def pytest_sessionstart(session):
    # Dagster's definitions need the dbt manifest; `make` prepares it, a bare pytest run does here.
    from orchestration.dbt_project import prepare_manifest
    prepare_manifest()
    # Runs made by the tests go to a throwaway instance, never to the developer's run history.
    os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="dagster-home-")


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory) -> Path:
    """One real build of the bundled snapshots, shared read-only by the test files that only query it.

    pytest-xdist runs files in several processes: the first to get the lock builds, the others wait
    and reuse its home. A test that changes the home must make a build of its own.
    """
    from filelock import FileLock

    from orchestration.cli import main

    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's folder sits in the run's folder; without it the folder is the run's.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    home, done = shared / "bundled-build", shared / "bundled-build.ok"
    with FileLock(str(shared / "bundled-build.lock")):
        if not done.exists():
            assert main(["run", "--home", str(home)]) == 0
            done.write_text("ok")
    return home


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private UNODC_HOME: its own snapshot store, build database and warehouse."""
    monkeypatch.setenv("UNODC_HOME", str(tmp_path))
    return tmp_path


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        status, body, headers = route(self) if callable(route) else route
        self.send_response(status)
        for k, v in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.server.posts.append({"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # Clients that time out on purpose close the socket; that is the test, not an error.
        pass


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1; tests set `server.routes[path] = (status, body, headers)`."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.routes = {}
    server.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
