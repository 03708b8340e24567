"""The SDG Global Database family wired into the build through its declaration: its datasets and
setting, its raw tables from the real bundled files, `run --fetch` paging the SDG API of a local
server (the fetch log and stale marks of the other families), and `inspect` with its exit codes."""
from __future__ import annotations

import json
import urllib.parse

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.cli import main
from schemas import validate
from sources import fetch_log
from sources.catalog import datasets, import_bundled
from sources.family import family
from sources.ingest import ingest
from sources.settings import every_setting
from sources.snapshots import SnapshotStore

from .test_sdg_fetch import page
from .test_sdg_parsers import FILES, ROWS, api_rows, edited

FAMILY = "sdg_global_database"
PATH = "/SDGAPI/v1/sdg/Series/Data"


def test_the_family_declares_its_api_its_setting_and_its_dbt_members():
    declared = family(FAMILY)
    assert declared.package == "sources.sdg" and declared.schemas == "sdg"
    assert set(declared.parsers) == {"sdg_ddf_csv", "sdg_api_json"}
    api = datasets()["sdg_api"]
    assert (api["family"], api["url"], api["url_env"]) == (FAMILY, "https://unstats.un.org/SDGAPI", "UNODC_SDG_API_URL")
    setting = {s.name: s for s in every_setting()}["UNODC_SDG_API_URL"]
    assert setting.default is None and setting.meaning == "URL of the UNSD SDG API (base of /v1/sdg/Series/Data)"
    # Every series is a dataset of its own, judged by the family's freshness rule.
    assert declared.freshness()["sdg_"][0] == 400
    assert declared.dbt.indicator_values == ("int_indicator_values__sdg",) and declared.dbt.staging == "sdg"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    store = SnapshotStore(tmp_path_factory.mktemp("sdg-store"))
    declared = family(FAMILY)
    snaps = import_bundled(store, FAMILY)
    return ingest(declared, store, snaps), snaps


def test_the_bundled_files_become_the_raw_tables_row_for_row(tables):
    out, snaps = tables
    declared = family(FAMILY)
    for table in declared.tables:
        ok, cases, _ = validate(table.model(), out[table.name])
        assert ok, (table.name, cases)
    files = out["sdg_files"]
    assert files.height == len(snaps) == 8
    assert (files["rows_in"] == files["rows_accepted"] + files["rows_rejected"] + files["rows_not_available"]).all()
    observations = out["sdg_observations"]
    assert observations.height == sum(ROWS.values()) == 32575 and out["sdg_rejects"].is_empty()
    by_series = dict(observations.group_by("series_code").len().iter_rows())
    assert by_series == {s.upper(): n for s, n in ROWS.items()}
    # Each row names its snapshot, dataset and file: the dataset is the series'.
    jamaica = observations.filter((pl.col("series_code") == "VC_IHR_PSRC") & (pl.col("geo_area_code") == "388")
                                  & (pl.col("year") == 2020) & (pl.col("sex") == "BOTHSEX")).row(0, named=True)
    assert (jamaica["dataset"], jamaica["source_file"], jamaica["source_row"], jamaica["value"]) == (
        "sdg_vc_ihr_psrc", FILES["vc_ihr_psrc"].name, 4474, 47.26)
    assert jamaica["snapshot_id"] in {s.snapshot_id for s in snaps if s.dataset == "sdg_vc_ihr_psrc"}
    # The reviewed areas the family lists itself: the parts of the United Kingdom and Iraq, with their UN-CTS unit.
    areas = out["sdg_areas"]
    assert dict(areas.filter(pl.col("area_kind") == "subnational").select("m49_code", "cts_reporting_unit").iter_rows()) == {
        "369": "IRQ_C", "370": "IRQ_KRI", "827": "GBR_E_W", "828": "GBR_NI", "829": "GBR_S"}


def test_a_bad_row_is_rejected_into_the_family_s_rejects_with_its_place(tmp_path):
    store = SnapshotStore(tmp_path)
    path = FILES["vc_arm_sztrace"]
    # Line 2 is '8,c,percent,2020,10.71' (Albania); line 3 '28,c,percent,2017,7.69'.
    data = edited(path, {2: "8,c,percent,2020,n/a", 3: "28,c,percent,1013,7.69"})
    snap = store.put(data, {"dataset": "sdg_vc_arm_sztrace", "family": FAMILY, "format": "sdg_ddf_csv",
                            "item": "sdg_vc_arm_sztrace", "version": "edited", "filename": path.name,
                            "producer": "test", "title": "edited", "url": None, "accessed": "2026-01-01",
                            "as_of": "2026-01-01", "licence": "test licence", "published": None, "upstream": None,
                            "notes": None})
    out = ingest(family(FAMILY), store, [snap])
    rejects = out["sdg_rejects"].sort("row")
    assert rejects.select("row", "column", "value").rows() == [(2, "vc_arm_sztrace", "n/a"), (3, "year", "1013")]
    assert rejects["reason"].to_list()[0] == "value is not a number: n/a"
    assert rejects["reason"].to_list()[1].startswith("impossible year (outside 1900-")
    assert set(rejects["dataset"]) == {"sdg_vc_arm_sztrace"} and set(rejects["snapshot_id"]) == {snap.snapshot_id}
    (files,) = out["sdg_files"].to_dicts()
    assert (files["rows_in"], files["rows_accepted"], files["rows_rejected"]) == (45, 43, 2)
    ok, cases, _ = validate(family(FAMILY).table("sdg_rejects").model(), out["sdg_rejects"])
    assert ok, cases


def serve_one_series(server, series: str, rows: list[dict], size: int):
    """The SDG API of a local server: `series` in pages of `size`, every other series 404."""
    asked = []

    def answer(handler):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query)
        code, number = query["seriesCode"][0], int(query["page"][0])
        asked.append((code, number))
        if code != series:
            return 404, b"not found", {}
        return 200, page(rows, number, size), {"Content-Type": "application/json"}

    server.routes[PATH] = answer
    return asked


def test_run_fetch_pages_the_api_and_a_failed_series_keeps_its_last_snapshot_marked_stale(
        http_server, tmp_path, monkeypatch):
    from orchestration.assets.family import ASSETS
    from orchestration.resources import PipelineResource

    for cfg in datasets().values():
        monkeypatch.setenv(cfg["url_env"], http_server.base + "/missing")
    monkeypatch.setenv("UNODC_SDG_API_URL", http_server.base + "/SDGAPI")
    monkeypatch.setenv("UNODC_FETCH_ATTEMPTS", "2")
    monkeypatch.setenv("UNODC_FETCH_BACKOFF", "0.01")
    rows = api_rows(FILES["vc_arm_sztrace"], "16.4.2")
    # The family's page size is the fetcher's (1000): 45 observations make one page.
    asked = serve_one_series(http_server, "VC_ARM_SZTRACE", rows, 1000)
    result = dg.materialize([ASSETS[FAMILY].snapshots],
                            resources={"pipeline": PipelineResource(home=str(tmp_path), fetch=True)})
    assert result.success
    # Every followed series was asked for, page 1 first.
    assert sorted(code for code, number in asked if number == 1) == sorted(s.upper() for s in ROWS)
    fetched = {r["item"]: r["status"] for r in
               result.asset_materializations_for_node("raw__sdg_snapshots")[0].metadata["fetch"].value}
    assert fetched["sdg_vc_arm_sztrace"] == "new" and fetched["sdg_vc_ihr_psrc"] == "failed"
    log = fetch_log.load(tmp_path)
    assert log["sdg_vc_ihr_psrc/sdg_vc_ihr_psrc"]["status"] == "failed"
    assert "HTTP 404" in log["sdg_vc_ihr_psrc/sdg_vc_ihr_psrc"]["error"]
    con = duckdb.connect(str(tmp_path / "var" / "build" / "build.duckdb"), read_only=True)
    snaps = con.execute("""select dataset, format, is_stale, last_fetch_error from raw.sdg_snapshots
                           order by dataset, as_of""").fetchall()
    con.close()
    arms = [s for s in snaps if s[0] == "sdg_vc_arm_sztrace"]
    # The bundled re-cut and the new API release beside it; neither stale.
    assert [(f, stale) for _, f, stale, _ in arms] == [("sdg_ddf_csv", False), ("sdg_api_json", False)]
    homicide = [s for s in snaps if s[0] == "sdg_vc_ihr_psrc"]
    assert len(homicide) == 1 and homicide[0][2] is True and "HTTP 404" in homicide[0][3]
    assert sum(1 for s in snaps if s[2]) == 7


def test_inspect_reads_either_channel_with_the_exit_codes_of_the_other_families(tmp_path, http_server, capsys):
    assert main(["inspect", FAMILY, str(FILES["vc_prs_unsnt"]), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["family"], report["layout"], report["rows_in"], report["rows_accepted"]) == (
        FAMILY, "SDG DDF datapoints (CSV)", 3503, 3503)
    assert report["reconciles"] and report["blocking"] == [] and report["summary"]["series"] == ["VC_PRS_UNSNT"]

    bad = tmp_path / FILES["vc_arm_sztrace"].name
    bad.write_bytes(edited(FILES["vc_arm_sztrace"], {2: "8,c,percent,2020,>95"}))
    assert main(["inspect", FAMILY, str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["rows_rejected"] == 1 and report["rejects"][0]["reason"] == "value is not a number: >95"

    unknown = tmp_path / "series.csv"
    unknown.write_text("geo_area,year,vc_ihr_psrc\n4,2019,6.7\n")
    assert main(["inspect", FAMILY, str(unknown)]) == 2
    err = capsys.readouterr().err
    assert "UNUSABLE" in err and "required column(s) missing: units" in err

    rows = api_rows(FILES["vc_arm_sztrace"], "16.4.2")
    http_server.routes[PATH] = (200, page(rows, 1, 100), {"Content-Type": "application/json"})
    assert main(["inspect", FAMILY, http_server.base + PATH + "?seriesCode=VC_ARM_SZTRACE&page=1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["layout"] == "SDG API answer (JSON)" and report["rows_accepted"] == 45


def test_the_readers_reference_lists_are_part_of_the_family_s_parser_version(tmp_path):
    """The re-cut's entity lists sit in sources/sdg/reference/: an edited list parses the files again."""
    from .test_parse_cache import copy_of_sources, versions

    root = copy_of_sources(tmp_path)
    before = versions(root)
    with open(root / "sdg" / "reference" / "ddf--entities--sex.csv", "a") as fh:
        fh.write("x,_X\n")
    after = versions(root)
    assert {name for name in after if after[name] != before[name]} == {FAMILY}
