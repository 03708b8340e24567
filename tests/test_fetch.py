"""The live fetcher against a real local HTTP server serving the real UNTC files."""
from __future__ import annotations

import time

import pytest

from sources.errors import FetchError
from sources.fetch import FetchPolicy, http_get
from sources.ratification.fetch import fetch_untc
from sources.snapshots import SnapshotStore

from .conftest import UNTC_XML

FAST = FetchPolicy(timeout=2, attempts=3, backoff=0.01)
MAINTENANCE = (b"<html><body><h1>Notice</h1>The United Nations Treaty Collection is undergoing urgent "
               b"maintenance and is currently unavailable.</body></html>")


def serve_untc(server, overrides=None):
    for path in UNTC_XML.glob("*.xml"):
        server.routes[f"/untc/{path.name}"] = (200, path.read_bytes(), {"Content-Type": "text/xml"})
    server.routes.update(overrides or {})


@pytest.fixture
def untc_mirror(http_server, monkeypatch):
    monkeypatch.setenv("UNODC_UNTC_URL", http_server.base + "/untc/{item}.en.xml")
    return http_server


def by_item(reports):
    return {r.item: r for r in reports}


def test_fetch_stores_new_files_and_then_sees_them_unchanged(untc_mirror, tmp_path):
    serve_untc(untc_mirror)
    store = SnapshotStore(tmp_path)
    first = by_item(fetch_untc(store, FAST))
    assert first["VI-15"].status == "new" and first["VI-15"].snapshot.url.startswith(untc_mirror.base)
    assert first["VI-16"].status == "failed" and "HTTP 404" in first["VI-16"].message
    assert sum(r.status == "new" for r in first.values()) == 8
    second = by_item(fetch_untc(store, FAST))
    assert {r.status for r in second.values() if r.item in first and first[r.item].status == "new"} == {"unchanged"}
    assert len(store.list("untc_status")) == 8


def test_maintenance_page_keeps_the_last_good_snapshot(untc_mirror, tmp_path):
    serve_untc(untc_mirror)
    store = SnapshotStore(tmp_path)
    good = by_item(fetch_untc(store, FAST))["VI-15"].snapshot
    untc_mirror.routes["/untc/VI-15.en.xml"] = (200, MAINTENANCE, {"Content-Type": "text/html"})
    report = by_item(fetch_untc(store, FAST))["VI-15"]
    assert report.status == "failed" and "maintenance" in report.message
    assert [s.snapshot_id for s in store.list("untc_status") if s.item == "VI-15"] == [good.snapshot_id]


def test_non_xml_answer_is_refused(untc_mirror, tmp_path):
    serve_untc(untc_mirror, {"/untc/VI-18.en.xml": (200, b'{"error": "no"}', {"Content-Type": "application/json"})})
    report = by_item(fetch_untc(SnapshotStore(tmp_path), FAST))["VI-18"]
    assert report.status == "failed" and "not XML" in report.message


def test_transient_errors_are_retried(http_server):
    calls = []

    def flaky(handler):
        calls.append(1)
        return (503, b"busy", {}) if len(calls) < 3 else (200, b"<ok/>", {})

    http_server.routes["/f"] = flaky
    assert http_get(http_server.base + "/f", FAST) == b"<ok/>"
    assert len(calls) == 3


def test_retries_give_up_with_every_reason(http_server):
    http_server.routes["/down"] = (500, b"no", {})
    with pytest.raises(FetchError, match="attempt 1: HTTP 500; attempt 2: HTTP 500; attempt 3: HTTP 500"):
        http_get(http_server.base + "/down", FAST)


def test_a_client_error_is_not_retried(http_server):
    calls = []
    http_server.routes["/gone"] = lambda h: (calls.append(1), (410, b"", {}))[1]
    with pytest.raises(FetchError, match="HTTP 410"):
        http_get(http_server.base + "/gone", FAST)
    assert len(calls) == 1


def test_a_truncated_body_is_detected(http_server):
    http_server.routes["/cut"] = (200, b"<Document>", {"Content-Length": "5000"})
    with pytest.raises(FetchError, match="truncated|attempt 3"):
        http_get(http_server.base + "/cut", FetchPolicy(timeout=1, attempts=3, backoff=0.01))


def test_a_slow_server_times_out(http_server):
    def slow(handler):
        time.sleep(1.5)
        return (200, b"<late/>", {})

    http_server.routes["/slow"] = slow
    with pytest.raises(FetchError, match="timed out"):
        http_get(http_server.base + "/slow", FetchPolicy(timeout=0.3, attempts=2, backoff=0.01))


def test_only_http_urls_are_fetched():
    with pytest.raises(FetchError, match="only http"):
        http_get("file:///etc/passwd")


def test_oversized_bodies_are_refused(http_server):
    http_server.routes["/big"] = (200, b"x" * 2048, {})
    with pytest.raises(FetchError, match="over the 1024-byte limit"):
        http_get(http_server.base + "/big", FetchPolicy(max_bytes=1024, attempts=1))


def test_cts_files_are_fetched_as_release_vintages(http_server, tmp_path, monkeypatch):
    from sources.crime.fetch import fetch_cts

    from .conftest import BUNDLED

    homicide = (BUNDLED / "crime_statistics" / "data_cts_intentional_homicide.xlsx").read_bytes()
    http_server.routes["/files/2026-05/data_cts_intentional_homicide.xlsx"] = (200, homicide, {})
    http_server.routes["/files/data_glotip.xlsx"] = (200, b"<html>moved</html>", {})
    from sources.catalog import datasets

    # Every configured dataset points at the local server: no test ever leaves this machine.
    for cfg in datasets().values():
        monkeypatch.setenv(cfg["url_env"], http_server.base + "/missing")
    monkeypatch.setenv("UNODC_CTS_HOMICIDE_URL", http_server.base + "/files/2026-05/data_cts_intentional_homicide.xlsx")
    monkeypatch.setenv("UNODC_CTS_GLOTIP_URL", http_server.base + "/files/data_glotip.xlsx")
    store = SnapshotStore(tmp_path)
    reports = {r.item: r for r in fetch_cts(store, FAST)}
    new = reports["cts_intentional_homicide"]
    assert new.status == "new" and new.snapshot.as_of == "2022-08-08" and new.snapshot.published == "2022-08-08"
    assert reports["cts_glotip"].status == "failed" and "no ZIP signature" in reports["cts_glotip"].message
    assert {r.status for r in fetch_cts(store, FAST) if r.item == "cts_intentional_homicide"} == {"unchanged"}
