"""The SDG API fetcher against a real local HTTP server serving pages made from the real rows."""
from __future__ import annotations

import json
import urllib.parse
from datetime import datetime, timezone

import pytest

from sources.errors import SourceError
from sources.fetch import FetchPolicy
from sources.sdg import parse_api, parse_sdg
from sources.sdg.fetch import fetch_sdg, fetch_series
from sources.snapshots import SnapshotStore

from .test_sdg_parsers import FILES, api_rows, parse

FAST = FetchPolicy(timeout=2, attempts=2, backoff=0.01)
PATH = "/SDGAPI/v1/sdg/Series/Data"
SERIES = "VC_ARM_SZTRACE"
ROWS = api_rows(FILES["vc_arm_sztrace"], "16.4.2")       # 45 real observations


def page(rows: list[dict], number: int, size: int, total: int | None = None) -> bytes:
    total = len(rows) if total is None else total
    part = rows[(number - 1) * size:number * size]
    return json.dumps({"size": size, "totalElements": total, "totalPages": -(-total // size), "pageNumber": number,
                       "attributes": [], "dimensions": [], "data": part}).encode()


def serve(server, rows=ROWS, total=None, broken: dict[int, tuple] | None = None):
    """Pages of `rows` by the `page` and `pageSize` of each request; `broken[n]` answers page n instead."""
    asked = []

    def answer(handler):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query)
        number, size = int(query["page"][0]), int(query["pageSize"][0])
        asked.append((query["seriesCode"][0], number, size))
        if broken and number in broken:
            return broken[number]
        return 200, page(rows, number, size, total), {"Content-Type": "application/json"}

    server.routes[PATH] = answer
    return asked


def fetch(server, store, **kw):
    return fetch_series(store, SERIES, base_url=server.base + "/SDGAPI", page_size=30, policy=FAST, **kw)


def test_two_pages_are_read_and_stored_as_one_snapshot_of_the_retrieval_date(http_server, tmp_path):
    asked = serve(http_server)
    store = SnapshotStore(tmp_path)
    report = fetch(http_server, store)
    assert report.status == "new", report.message
    assert asked == [(SERIES, 1, 30), (SERIES, 2, 30)]
    snap = report.snapshot
    today = datetime.now(timezone.utc).date().isoformat()
    assert (snap.dataset, snap.item, snap.family, snap.format, snap.filename) == (
        "sdg_vc_arm_sztrace", "sdg_vc_arm_sztrace", "sdg_global_database", "sdg_api_json", "VC_ARM_SZTRACE.json")
    assert snap.as_of == today and snap.version.startswith(today) and snap.url.startswith(http_server.base)
    assert "45 observations in 2 pages" in snap.notes
    stored = store.read_bytes(snap)
    result = parse_sdg(stored, filename=snap.filename)
    assert (result.rows_in, result.rows_accepted, result.rows_rejected) == (45, 45, 0)
    # The stored series reads as the same table as the bundled DDF file of the same rows.
    assert result.accepted.drop("source_row").equals(parse("vc_arm_sztrace").accepted.drop("source_row"))
    # Each page is kept as the API wrote it.
    assert [len(p["data"]) for p in json.loads(stored)["pages"]] == [30, 15]
    again = fetch(http_server, store)
    assert again.status == "unchanged" and again.snapshot.snapshot_id == snap.snapshot_id
    assert len(store.list("sdg_vc_arm_sztrace")) == 1


def test_a_failing_page_keeps_the_last_good_snapshot(http_server, tmp_path):
    serve(http_server)
    store = SnapshotStore(tmp_path)
    good = fetch(http_server, store).snapshot
    changed = [dict(r, value="99") for r in ROWS]
    serve(http_server, rows=changed, broken={2: (500, b"Internal Server Error", {})})
    report = fetch(http_server, store)
    assert report.status == "failed" and "HTTP 500" in report.message and "page=2" in report.message
    assert [s.snapshot_id for s in store.list("sdg_vc_arm_sztrace")] == [good.snapshot_id]
    serve(http_server, rows=changed)
    assert fetch(http_server, store).status == "new"
    assert len(store.list("sdg_vc_arm_sztrace")) == 2


@pytest.mark.parametrize("setup, message", [
    (dict(total=50), "short paging: 45 of 50 observations in 2 pages"),
    (dict(broken={2: (200, page(ROWS, 2, 30, total=46), {})}),
     "this page says 46 observations in 2 pages, the first said 45 in 2"),
    (dict(broken={2: (200, page(ROWS, 1, 30), {})}), "page 2 was asked for, the answer is page 1"),
    (dict(broken={2: (200, b"<html><body>The service is under maintenance</body></html>", {})}),
     "not JSON: the answer is an HTML or XML page"),
    (dict(rows=[dict(r, series="VC_IHR_PSRC") if i == 40 else r for i, r in enumerate(ROWS)]),
     "observations of another series (VC_IHR_PSRC)"),
    (dict(rows=[dict(r, value="n/a") for r in ROWS]), "none of the 45 observations passed the checks"),
])
def test_short_or_inconsistent_paging_stores_nothing(http_server, tmp_path, setup, message):
    serve(http_server, **setup)
    store = SnapshotStore(tmp_path)
    report = fetch(http_server, store)
    assert report.status == "failed" and message in report.message, report.message
    assert store.list("sdg_vc_arm_sztrace") == []


def test_an_empty_page_before_the_total_is_refused(http_server, tmp_path):
    empty = json.dumps({"totalElements": 45, "totalPages": 2, "pageNumber": 2, "data": []}).encode()
    serve(http_server, broken={2: (200, empty, {})})
    report = fetch(http_server, SnapshotStore(tmp_path))
    assert report.status == "failed" and "an empty page with 30 of 45 observations read" in report.message


def test_every_followed_series_gets_a_report_and_a_bad_code_is_refused(http_server, tmp_path):
    serve(http_server)
    reports = fetch_sdg(SnapshotStore(tmp_path), base_url=http_server.base + "/SDGAPI", policy=FAST)
    assert len(reports) == 8
    by_dataset = {r.dataset: r for r in reports}
    assert by_dataset["sdg_vc_arm_sztrace"].status == "new"
    # The server serves one series: the others' answers are observations of another series.
    assert by_dataset["sdg_vc_ihr_psrc"].status == "failed"
    assert "seriesCode=VC_IHR_PSRC" in by_dataset["sdg_vc_ihr_psrc"].url
    with pytest.raises(ValueError, match="not an SDG series code"):
        fetch_series(SnapshotStore(tmp_path), "vc_ihr_psrc&x=1", base_url=http_server.base)


def test_the_stored_document_is_refused_when_a_page_is_missing():
    pages = [json.loads(page(ROWS, 1, 30))]
    doc = json.dumps({"series": SERIES, "totalElements": 45, "pages": pages}).encode()
    with pytest.raises(SourceError, match="incomplete"):
        parse_api(doc, filename="VC_ARM_SZTRACE.json")
