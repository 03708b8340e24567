"""Live fetch of SDG series from the UNSD SDG API (`/v1/sdg/Series/Data`), page by page.

Every page of a series is read until the API's `totalElements` is reached; a page that is
missing, empty too early, of another series, or that disagrees with the first page on the totals
refuses the whole series, and nothing is stored, so the last good snapshot stays current. A
series is stored as one snapshot: its pages as the API wrote them, in one document
(sources/sdg/api.py). The API states no release, so the retrieval date is the vintage (`as_of`).

The base URL is the dataset `sdg_api` of sources/sdg/datasets.yaml (the public API), moved to a
mirror by its setting `UNODC_SDG_API_URL`; a test passes its own. Timeouts, attempts and backoff
are the fetcher's settings (FetchPolicy).
"""
from __future__ import annotations

import codecs
import hashlib
import re
import urllib.parse
from datetime import datetime, timezone

from ..catalog import FetchReport, dataset_url, fetch_version, latest_by_item
from ..errors import FetchError, SourceError
from ..fetch import FetchPolicy, http_get
from ..snapshots import SnapshotStore
from .api import load_json, observations_of, parse_api
from .observations import series_list

DATASET = "sdg_api"
PAGE_SIZE = 1000
MAX_PAGES = 1000
FAMILY = "sdg_global_database"
FORMAT = "sdg_api_json"
PRODUCER = "United Nations Statistics Division (SDG Global Database)"
LICENCE = ("SDG Global Database data under the United Nations terms of use (reproduce with acknowledgement "
           "of the source).")
_SERIES_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")


def dataset_of(series_code: str) -> str:
    """'VC_IHR_PSRC' -> 'sdg_vc_ihr_psrc', the name the bundled snapshot of the series has too."""
    return f"sdg_{series_code.lower()}"


def series_url(base_url: str, series_code: str, page: int | None = None, page_size: int | None = None) -> str:
    params = {"seriesCode": series_code}
    if page is not None:
        params.update(page=str(page), pageSize=str(page_size))
    return f"{base_url.rstrip('/')}/v1/sdg/Series/Data?{urllib.parse.urlencode(params)}"


def fetch_pages(series_code: str, *, base_url: str, page_size: int = PAGE_SIZE,
                policy: FetchPolicy | None = None) -> tuple[bytes, int, int]:
    """Every page of a series as one document (bytes), with its observation and page counts."""
    bodies: list[bytes] = []
    total = pages = None
    read = 0
    page = 1
    while True:
        url = series_url(base_url, series_code, page, page_size)
        body = http_get(url, policy, {"Accept": "application/json"})
        body = body[len(codecs.BOM_UTF8):] if body.startswith(codecs.BOM_UTF8) else body
        where = f"{series_code} page {page}"
        doc = load_json(body, where)
        rows, paging = observations_of(doc, where)
        said = (paging["total_elements"], paging["total_pages"])
        if None in said:
            raise FetchError(f"{url}: the answer states no totalElements or totalPages; the series' end cannot be known")
        if total is None:
            total, pages = said
            if total <= 0:
                raise FetchError(f"{url}: the API holds no observation of series {series_code}")
            if not 0 < pages <= MAX_PAGES:
                raise FetchError(f"{url}: {pages} pages for {total} observations: implausible paging")
        elif said != (total, pages):
            raise FetchError(f"{url}: this page says {said[0]} observations in {said[1]} pages, the first said "
                             f"{total} in {pages}: the series changed while it was read")
        if paging["page"] is not None and paging["page"] != page:
            raise FetchError(f"{url}: page {page} was asked for, the answer is page {paging['page']}")
        others = sorted({str(r.get("series")) for r in rows if isinstance(r, dict)} - {series_code})
        if others:
            raise FetchError(f"{url}: observations of another series ({', '.join(others[:3])})")
        if not rows:
            raise FetchError(f"{url}: an empty page with {read} of {total} observations read")
        read += len(rows)
        bodies.append(body.strip())
        if read > total:
            raise FetchError(f"{url}: {read} observations read, more than the {total} the API states")
        if page >= pages:
            break
        page += 1
    if read != total:
        raise FetchError(f"{series_url(base_url, series_code)}: short paging: {read} of {total} observations "
                         f"in {pages} pages")
    head = f'{{"series":"{series_code}","totalElements":{total},"pages":['.encode()
    return head + b",".join(bodies) + b"]}", total, pages


def api_base_url() -> str:
    """The API's base URL: the dataset's, or its setting UNODC_SDG_API_URL."""
    return dataset_url(DATASET)


def fetch_series(store: SnapshotStore, series_code: str, *, base_url: str | None = None,
                 page_size: int = PAGE_SIZE, policy: FetchPolicy | None = None) -> FetchReport:
    """Fetch one series; store it as a new snapshot only when it is whole, valid and changed."""
    base_url = base_url or api_base_url()
    if not _SERIES_CODE.match(series_code or ""):
        # A code becomes part of a URL and of the snapshot's name: configuration to correct, not to try.
        raise ValueError(f"{series_code!r} is not an SDG series code (upper-case letters, digits and '_')")
    dataset, url, filename = dataset_of(series_code), series_url(base_url, series_code), f"{series_code}.json"
    try:
        data, total, pages = fetch_pages(series_code, base_url=base_url, page_size=page_size, policy=policy)
        parsed = parse_api(data, filename=filename)
        if parsed.rows_accepted == 0:
            raise FetchError(f"{url}: none of the {total} observations passed the checks "
                             f"(first reason: {parsed.rejects['reason'][0]})")
    except (FetchError, SourceError) as exc:
        return FetchReport(dataset, dataset, url, "failed", str(exc))
    sha = hashlib.sha256(data).hexdigest()
    previous = latest_by_item(store.list(dataset)).get(dataset)
    if previous is not None and previous.sha256 == sha:
        return FetchReport(dataset, dataset, url, "unchanged", f"same bytes as {previous.name}", previous)
    now = datetime.now(timezone.utc)
    snap = store.put(data, {
        "dataset": dataset, "family": FAMILY, "format": FORMAT, "item": dataset,
        "version": fetch_version(now, sha), "filename": filename, "producer": PRODUCER,
        "title": f"SDG Global Database, series {series_code} (UNSD SDG API)", "url": url,
        "accessed": now.isoformat(timespec="seconds"), "as_of": now.date().isoformat(),
        "licence": LICENCE, "published": None, "upstream": None,
        "notes": (f"{total} observations in {pages} pages of up to {page_size}, fetched live; "
                  f"{parsed.rows_rejected} rejected. The API states no release: the retrieval date is the vintage."),
    })
    return FetchReport(dataset, dataset, url, "new", f"stored {snap.name}", snap)


def fetch_sdg(store: SnapshotStore, series: list[str] | None = None, *, base_url: str | None = None,
              page_size: int = PAGE_SIZE, policy: FetchPolicy | None = None) -> list[FetchReport]:
    """Every series of sources/sdg/series.csv (or those named), one report each: the family's
    fetcher (`run --fetch`). Each report is kept in the fetch log, so a series whose fetch failed
    leaves its last good snapshot marked stale."""
    codes = series if series is not None else [s["series_code"] for s in series_list()]
    base_url = base_url or api_base_url()
    return [fetch_series(store, code, base_url=base_url, page_size=page_size, policy=policy) for code in codes]
