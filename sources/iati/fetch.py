"""Live fetch of an organisation's IATI activities from the IATI Datastore (Solr API).

The organisation identifier is configuration (UNODC_IATI_ORG_ID); when it is not set it is
resolved at run time by searching the Datastore for the organisation's name, never guessed in
code. The API key is read from the environment (IATI_API_KEY) and sent as the
Ocp-Apim-Subscription-Key header; it is never logged or stored. Pages are fetched until the
Datastore's count is reached, each with the fetcher's retries.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.parse
from datetime import datetime, timezone

from ..catalog import FetchReport, dataset_url, datasets, fetch_version, latest_by_item
from ..errors import FetchError, SourceError
from ..fetch import FetchPolicy, http_get
from ..settings import settings
from ..snapshots import SnapshotStore
from .activities import parse_iati

DATASET = "iati_activities"


def _headers() -> dict:
    key = os.environ.get(datasets()[DATASET]["api_key_env"])
    return {"Ocp-Apim-Subscription-Key": key} if key else {}


def _select(base: str, params: dict, policy: FetchPolicy | None) -> dict:
    url = f"{base.rstrip('/')}/activity/select?{urllib.parse.urlencode(params)}"
    body = http_get(url, policy, _headers())
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise FetchError(f"{base}: the Datastore did not answer JSON ({body[:80]!r})") from None


def resolve_org_id(policy: FetchPolicy | None = None) -> str:
    cfg = datasets()[DATASET]
    configured = settings().get(cfg["org_id_env"])
    if configured:
        return configured
    answer = _select(dataset_url(DATASET), {"q": f'reporting_org_narrative:"{cfg["org_name"]}"',
                                            "fl": "reporting_org_ref", "rows": 1, "wt": "json"}, policy)
    docs = answer.get("response", {}).get("docs", [])
    if not docs or not docs[0].get("reporting_org_ref"):
        raise FetchError(f"no IATI publisher found named {cfg['org_name']!r}; set {cfg['org_id_env']}")
    return docs[0]["reporting_org_ref"]


def fetch_activities(policy: FetchPolicy | None = None) -> tuple[str, bytes]:
    """Every activity the organisation publishes, as one IATI activities document."""
    cfg = datasets()[DATASET]
    org = resolve_org_id(policy)
    base, rows, start, parts, found = dataset_url(DATASET), int(cfg.get("page_size", 100)), 0, [], None
    while found is None or start < found:
        answer = _select(base, {"q": f'reporting_org_ref:"{org}"', "fl": "iati_xml", "rows": rows,
                                "start": start, "wt": "json", "sort": "id asc"}, policy)
        response = answer.get("response", {})
        found = int(response.get("numFound", 0))
        docs = response.get("docs", [])
        if not docs and start < found:
            raise FetchError(f"the Datastore promised {found} activities and stopped at {start}")
        parts.extend(d["iati_xml"] for d in docs if d.get("iati_xml"))
        start += len(docs)
    return org, _document(parts)


_UPDATED = re.compile(r'<iati-activity\b[^>]*\blast-updated-datetime="([^"]+)"')


def _document(parts: list[str]) -> bytes:
    """The activities as one document whose bytes depend on the activities alone.

    The generated-datetime is the latest last-updated-datetime of the activities, not the time of
    the fetch: a clock in the bytes would change the checksum every night and rebuild for nothing.
    """
    updated = sorted(m.group(1) for p in parts if (m := _UPDATED.search(p)))
    stamp = f' generated-datetime="{updated[-1]}"' if updated else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03"{stamp}>\n'
            + "\n".join(parts) + "\n</iati-activities>\n").encode("utf-8")


def fetch_iati(store: SnapshotStore, policy: FetchPolicy | None = None) -> list[FetchReport]:
    cfg = datasets()[DATASET]
    base = dataset_url(DATASET)
    try:
        org, data = fetch_activities(policy)
        parsed = parse_iati(data, filename="iati_activities.xml")
    except (FetchError, SourceError) as exc:
        return [FetchReport(DATASET, DATASET, base, "failed", str(exc))]
    sha = hashlib.sha256(data).hexdigest()
    previous = latest_by_item(store.list(DATASET)).get(DATASET)
    if previous is not None and previous.sha256 == sha:
        return [FetchReport(DATASET, DATASET, base, "unchanged", f"same bytes as {previous.name}", previous)]
    now = datetime.now(timezone.utc)
    snap = store.put(data, {
        "dataset": DATASET, "family": "project_outputs", "format": "iati_xml", "item": DATASET,
        "version": fetch_version(now, sha), "filename": "iati_activities.xml",
        "producer": cfg["producer"], "title": f"IATI activities of {org}", "url": f"{base}/activity/select?q=reporting_org_ref:{org}",
        "accessed": now.isoformat(timespec="seconds"), "as_of": now.date().isoformat(), "licence": cfg["licence"],
        "published": None, "upstream": None, "notes": f"{parsed.facts['activities']} activities of {org}, fetched live",
    })
    return [FetchReport(DATASET, DATASET, base, "new", f"stored {snap.name}", snap)]
