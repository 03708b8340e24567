"""Live fetch of the MTDSG XML status file of every instrument."""
from __future__ import annotations

from ..catalog import FetchReport, dataset_url, fetch_item
from ..fetch import FetchPolicy
from ..snapshots import SnapshotStore
from . import instruments
from .untc_xml import parse_untc_xml

DATASET = "untc_status"


def fetch_untc(store: SnapshotStore, policy: FetchPolicy | None = None) -> list[FetchReport]:
    reports = []
    for inst in instruments():
        item = inst["mtdsg_no"]
        reports.append(fetch_item(
            store, dataset=DATASET, item=item, fmt="untc_xml",
            url=dataset_url(DATASET, chapter=inst["chapter"], item=item), filename=f"{item}.en.xml",
            validate=lambda data, name, item=item: parse_untc_xml(data, filename=name, item=item),
            policy=policy))
    return reports
