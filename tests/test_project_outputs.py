"""IATI activities, the illustrative sample, the submission template, and the Datastore fetcher."""
from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import polars as pl
import pytest

from sources.errors import SourceError
from sources.excel import read_sheet_as_text
from sources.iati.activities import parse_iati
from sources.iati.sample import build
from sources.iati.template import parse_template, write_template
from sources.strategy.registry import load_registry

from .conftest import BUNDLED, FIXTURES
from .xlsx import write_xlsx

EXAMPLE = FIXTURES / "project_outputs" / "activity-standard-example-annotated.xml"
SAMPLE = BUNDLED / "project_outputs" / "illustrative_iati_activities.xml"


def iati_rows(data: bytes, filename: str) -> SimpleNamespace:
    """An IATI file's parse as lists of rows by table (activities are the accepted rows)."""
    result = parse_iati(data, filename=filename)
    return SimpleNamespace(activities=result.accepted.to_dicts(), rejects=result.rejects.to_dicts(),
                           facts=result.facts, **{t: frame.to_dicts() for t, frame in result.tables.items()})


def test_the_official_annotated_example_parses_whole():
    t = iati_rows(EXAMPLE.read_bytes(), EXAMPLE.name)
    assert t.facts["version"] == "2.03" and len(t.activities) == 1
    act = t.activities[0]
    assert act["iati_identifier"] == "AA-AAA-123456789-ABC123" and act["reporting_org_ref"] == "AA-AAA-123456789"
    assert act["actual_start"] == "2012-04-28" and act["planned_end"] == "2015-12-31"
    assert [(c["country_iso3"], c["percentage"]) for c in t.countries] == [("AFG", 25.0), ("ATG", 25.0)]
    assert {r["region_code"] for r in t.regions} == {"489", "A1"}
    assert {(s["vocabulary"], s["sector_code"]) for s in t.sectors} >= {("2", "111"), ("2", "112")}
    assert t.budgets[0]["value"] == 3000.0 and t.transactions[0]["transaction_type"] == "1"
    (ind,) = t.indicators
    assert {"vocabulary": "7", "code": "861"} in json.loads(ind["references"])
    kinds = {v["value_kind"]: v for v in t.values}
    assert kinds["baseline"]["value"] == 10.0 and kinds["baseline"]["baseline_year"] == "2012"
    assert kinds["actual"]["value"] == 11.0 and kinds["actual"]["period_end"] == "2013-03-31"
    assert json.loads(kinds["actual"]["dimensions"]) == {"sex": "female", "age": "adult"}
    assert kinds["actual"]["locations"] == "AF-KAN,KH-PNH"


def test_the_bundled_sample_is_what_the_generator_writes():
    assert SAMPLE.read_text(encoding="utf-8") == build()


def test_the_sample_is_marked_and_covers_the_cases():
    t = iati_rows(SAMPLE.read_bytes(), SAMPLE.name)
    assert all("illustrative" in a["title"].lower() for a in t.activities)
    assert {a["reporting_org_name"] for a in t.activities} == {"Illustrative sample, not UNODC data"}
    idents = [a["iati_identifier"] for a in t.activities]
    assert len(idents) - len(set(idents)) == 1                       # one activity published twice
    assert any(a["result_count"] == 0 for a in t.activities)          # activities without results
    sexes = [json.loads(v["dimensions"])["sex"] for v in t.values if v["dimensions"]]
    assert {"female", "male"} <= set(sexes)                           # disaggregated actuals
    periods = {(v["period_start"], v["period_end"]) for v in t.values if v["period_start"]}
    assert ("2009-07-01", "2010-06-30") in periods                    # a period across a year boundary
    codes = {json.loads(i["references"])[0]["code"] for i in t.indicators}
    registry = {i["code"] for i in load_registry()["indicators"]}
    assert codes <= registry


@pytest.mark.parametrize("payload,message", [
    (b"", "empty"),
    (b"<html>Service unavailable</html>", "not an IATI activity file"),
    (b'<iati-activities version="1.05"/>', "only 2.0x"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><iati-activities version="2.03">&a;</iati-activities>', "refused"),
    (b'<iati-activities version="2.03"><iati-activity>', "ill-formed"),
])
def test_unusable_iati_files_are_refused(payload, message):
    with pytest.raises(SourceError, match=message):
        parse_iati(payload, filename="activities.xml")


def test_an_activity_without_identifier_is_rejected_with_its_position():
    xml = b'<iati-activities version="2.03"><iati-activity><title><narrative>x</narrative></title></iati-activity></iati-activities>'
    t = iati_rows(xml, "a.xml")
    assert t.activities == [] and t.rejects[0]["row"] == 1 and "iati-identifier" in t.rejects[0]["reason"]


def test_the_unhcr_results_show_what_real_indicators_look_like():
    _, frame = read_sheet_as_text((FIXTURES / "project_outputs" / "unhcr_2021_iati_result.xlsx").read_bytes(), "unhcr.xlsx")
    header = list(frame.row(0))
    rows = frame.slice(1)
    assert rows.height == 4821 and "result_indicator_actual_value" in header
    titles = set(rows[frame.columns[header.index("result_indicator_title")]].to_list())
    # Real published indicators are the agency's own wording: none is an annex line, so the
    # warehouse lists such items as unmapped instead of guessing (see rpt_project_outputs_unmapped).
    annex = {i["text"].lower() for i in load_registry()["indicators"]}
    assert titles and not {t.lower() for t in titles if t} & annex


def test_the_template_is_generated_from_the_registry(tmp_path):
    path = write_template(tmp_path / "template.xlsx", load_registry())
    from sources.excel import sheet_names

    names = sheet_names(path.read_bytes(), path.name)
    assert names[:2] == ["Instructions", "Lists"] and len(names) == 2 + 14
    assert "RAT Ratification and implementa" in names
    # Regenerating gives the same workbook content.
    again = write_template(tmp_path / "again.xlsx", load_registry())
    _, a = read_sheet_as_text(path.read_bytes(), path.name, "RAT Ratification and implementa")
    _, b = read_sheet_as_text(again.read_bytes(), again.name, "RAT Ratification and implementa")
    assert a.equals(b)


def test_a_filled_template_loads_its_good_rows_and_rejects_the_rest(tmp_path):
    registry = load_registry()
    header = ["Country", "Indicator code", "Year", "Value", "Activity identifier", "Comment"]
    rat = [["RAT: report one row per country, indicator and year."], header,
           ["Kenya", "RAT.R2.I16", 2010, 42, "XM-EXAMPLE-1", "workshop"],
           ["NGA", "RAT.R2.I17", 2011, 12, None, None],
           ["Atlantis", "RAT.R2.I16", 2010, 5, None, None],
           ["Kenya", "RAT.R9.I9", 2010, 5, None, None],
           ["Kenya", "CCP.R1.I2", 2010, 5, None, None],
           ["Kenya", "RAT.R2.I16", 2010, -3, None, None],
           ["Kenya", "RAT.R2.I16", 2010, "about forty", None, None],
           ["Kenya", "RAT.R2.I16", 1999, 4, None, None]]
    path = tmp_path / "filled.xlsx"
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = book.add_worksheet("RAT Ratification and implementa")
    for r, row in enumerate(rat):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    book.close()
    result = parse_template(path.read_bytes(), filename=path.name, registry=registry)
    assert result.accepted.select("country_iso3", "indicator_code", "year", "value").rows() == [
        ("KEN", "RAT.R2.I16", 2010, 42.0), ("NGA", "RAT.R2.I17", 2011, 12.0)]
    reasons = {r["row"]: r["reason"] for r in result.rejects.to_dicts()}
    assert reasons[5] == "unknown country: 'Atlantis'"
    assert reasons[6] == "unknown indicator code: 'RAT.R9.I9'"
    assert reasons[7] == "indicator CCP.R1.I2 belongs to result area CCP, not RAT"
    assert reasons[8] == "a count cannot be negative"
    assert reasons[9] == "value is not a number"
    assert reasons[10].startswith("year must be a whole year")
    assert set(result.rejects["sheet"]) == {"RAT Ratification and implementa"}
    assert result.rows_in == 8 and result.reconciles


def test_a_workbook_that_is_not_a_template_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "other.xlsx", [["a", "b"]], sheet="Sheet1")
    with pytest.raises(SourceError, match="not a submission template"):
        parse_template(path.read_bytes(), filename=path.name, registry=load_registry())


def test_the_datastore_fetch_pages_resolves_the_organisation_and_sends_the_key(http_server, monkeypatch, tmp_path):
    from sources.catalog import datasets
    from sources.iati.fetch import fetch_iati
    from sources.snapshots import SnapshotStore

    for cfg in datasets().values():
        monkeypatch.setenv(cfg["url_env"], http_server.base + "/missing")
    monkeypatch.setenv("UNODC_IATI_DATASTORE_URL", http_server.base + "/datastore")
    monkeypatch.delenv("UNODC_IATI_ORG_ID", raising=False)
    monkeypatch.setenv("IATI_API_KEY", "secret-key-123")
    activities = SAMPLE.read_text().split("<iati-activity ")[1:]
    docs = ["<iati-activity " + a.split("</iati-activity>")[0] + "</iati-activity>" for a in activities]
    seen = []

    def select(handler):
        from urllib.parse import parse_qs, urlparse

        assert handler.headers.get("Ocp-Apim-Subscription-Key") == "secret-key-123"
        q = parse_qs(urlparse(handler.path).query)
        seen.append(q)
        if q["q"][0].startswith("reporting_org_narrative"):
            return 200, json.dumps({"response": {"numFound": 1, "docs": [{"reporting_org_ref": "XX-ILLUSTRATIVE-SAMPLE"}]}}).encode(), {}
        start, rows = int(q["start"][0]), int(q["rows"][0])
        page = [{"iati_xml": d} for d in docs[start:start + rows]]
        return 200, json.dumps({"response": {"numFound": len(docs), "docs": page}}).encode(), {}

    http_server.routes["/datastore/activity/select"] = select
    small_pages = {**datasets(), "iati_activities": {**datasets()["iati_activities"], "page_size": 5}}
    monkeypatch.setattr("sources.iati.fetch.datasets", lambda: small_pages)
    store = SnapshotStore(tmp_path)
    (report,) = fetch_iati(store)
    assert report.status == "new", report.message
    assert seen[1]["q"] == ['reporting_org_ref:"XX-ILLUSTRATIVE-SAMPLE"']
    assert [int(q["start"][0]) for q in seen[1:]] == [0, 5, 10, 15]
    parsed = parse_iati(store.read_bytes(report.snapshot), filename="x.xml")
    assert parsed.accepted.height == len(docs)
    assert "secret-key-123" not in json.dumps(report.snapshot.record())
    (again,) = fetch_iati(store)
    assert again.status == "unchanged", again.message
    assert again.snapshot.sha256 == report.snapshot.sha256
    docs.pop()
    (changed,) = fetch_iati(store)
    assert changed.status == "new", changed.message
    assert changed.snapshot.version != report.snapshot.version


def test_a_failing_datastore_keeps_what_was_there(http_server, monkeypatch, tmp_path):
    from sources.catalog import datasets
    from sources.iati.fetch import fetch_iati
    from sources.snapshots import SnapshotStore

    for cfg in datasets().values():
        monkeypatch.setenv(cfg["url_env"], http_server.base + "/missing")
    monkeypatch.setenv("UNODC_IATI_ORG_ID", "XM-EXAMPLE")
    http_server.routes["/missing/activity/select"] = (503, b"busy", {})
    monkeypatch.setattr("sources.fetch.time.sleep", lambda s: None)
    (report,) = fetch_iati(SnapshotStore(tmp_path))
    assert report.status == "failed" and "HTTP 503" in report.message


def test_a_real_iati_file_replaces_the_illustrative_sample(tmp_path):
    from sources.catalog import import_bundled
    from sources.family import family
    from sources.iati.landing import iati_landing_dir, import_landing
    from sources.ingest import ingest
    from sources.snapshots import SnapshotStore

    store = SnapshotStore(tmp_path / "snapshots")
    import_bundled(store, "project_outputs")
    before = ingest(family("project_outputs"), store, store.list())
    assert before["iati_activities"]["is_illustrative"].all()
    landing = iati_landing_dir(tmp_path)
    landing.mkdir(parents=True)
    (landing / "activities.xml").write_bytes(EXAMPLE.read_bytes())
    (snap,) = import_landing(store, tmp_path)
    assert snap.dataset == "iati_activities" and import_landing(store, tmp_path) == [snap]   # stored once
    after = ingest(family("project_outputs"), store, store.list())
    assert after["iati_activities"]["iati_identifier"].to_list() == ["AA-AAA-123456789-ABC123"]
    assert not after["iati_activities"]["is_illustrative"].any()


IATI_SCHEMA = FIXTURES / "iati-schema"


@pytest.fixture(scope="module")
def iati_schema():
    import xmlschema

    # allow="local": a schema or import that points anywhere but the disk is refused, never fetched.
    schema = xmlschema.XMLSchema(str(IATI_SCHEMA / "iati-activities-schema.xsd"), allow="local", defuse="always")
    loaded = {schema.url for schema in schema.maps.iter_schemas() if schema.url}
    assert loaded and all(url.startswith("file://") for url in loaded), loaded
    return schema


def _schema_errors(schema, xml: str) -> list[str]:
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(xml)]


def test_the_bundled_schema_is_iati_2_03(iati_schema):
    assert iati_schema.version == "2.03"
    assert {"iati-activities", "iati-activity"} <= set(iati_schema.elements)


def test_the_illustrative_sample_is_valid_iati_2_03(iati_schema):
    assert _schema_errors(iati_schema, SAMPLE.read_text(encoding="utf-8")) == []
    assert _schema_errors(iati_schema, build()) == []


def test_the_official_annotated_example_is_valid_iati_2_03(iati_schema):
    assert _schema_errors(iati_schema, EXAMPLE.read_text(encoding="utf-8")) == []


def test_the_schema_check_catches_an_actual_before_its_target(iati_schema):
    # The layout the sample had before: targets and actuals interleaved within a period.
    xml = build()
    first_target = xml.index("<target ")
    target = xml[first_target:xml.index("</target>", first_target) + len("</target>")]
    first_actual = xml.index("<actual ", first_target)
    actual = xml[first_actual:xml.index("</actual>", first_actual) + len("</actual>")]
    swapped = xml.replace(target, "@@", 1).replace(actual, target, 1).replace("@@", actual, 1)
    errors = _schema_errors(iati_schema, swapped)
    assert errors and "period" in errors[0] and "target" in errors[0]


def test_only_the_newest_generated_sample_stands_in(tmp_path):
    from sources.catalog import import_bundled
    from sources.iati.rows import usable_snapshots
    from sources.snapshots import SnapshotStore
    import yaml

    store = SnapshotStore(tmp_path / "snapshots")
    (current,) = import_bundled(store, "project_outputs")
    meta = yaml.safe_load(SAMPLE.with_name(SAMPLE.name + ".snapshot.yaml").read_text())
    # A store filled before the sample was regenerated keeps the earlier version beside the new one.
    older = store.put(b'<iati-activities version="2.03"/>', {**meta, "version": "2026-11-27"})
    assert {s.version for s in store.list()} == {older.version, current.version}
    assert usable_snapshots(store.list()) == [current]


def test_columns_keep_their_declared_types_when_no_row_fills_them(tmp_path):
    """Issue 20, defect 3: in a real IATI file no recipient-country had a percentage; the all-empty
    column was inferred as text and pandera_iati_countries stopped the build. Types now come from
    the parser's declared columns (sources/iati/activities.py), as the tables' metadata has them
    (schemas/project_outputs.py), whatever the data holds."""
    import re

    from schemas import validate
    from schemas.project_outputs import IatiCountries, IatiSectors
    from sources.family import family
    from sources.ingest import ingest
    from sources.snapshots import SnapshotStore

    text = re.sub(r' percentage="[^"]*"', "", build())
    store = SnapshotStore(tmp_path / "snapshots")
    snap = store.put(text.encode(), {"dataset": "iati_activities", "family": "project_outputs", "format": "iati_xml",
                                     "item": "iati", "version": "v1", "as_of": "2026-01-01", "licence": "test",
                                     "filename": "iati_activities.xml"})
    tables = ingest(family("project_outputs"), store, [snap])
    for name in ("countries", "sectors", "activities", "values"):
        frame = tables[f"iati_{name}"]
        assert frame.height > 0
        for column in family("project_outputs").table(f"iati_{name}").model().columns:
            assert frame.schema[column.name] == column.dtype, (name, column.name, frame.schema[column.name])
    assert tables["iati_countries"]["percentage"].null_count() == tables["iati_countries"].height
    assert validate(IatiCountries, tables["iati_countries"])[0]
    assert validate(IatiSectors, tables["iati_sectors"])[0]
