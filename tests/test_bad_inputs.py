"""The bad-input corpus (tests/bad_inputs): every damaged file gets the outcome it is owed, counts
reconcile, and bad files that reach a real build leave the published warehouse as it was."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from orchestration.inspect import inspected_families
from sources.errors import SourceError

from .bad_inputs.cases import BASES, CASES
from .bad_inputs.corpus import Loaded, Refused
from .bad_inputs.run import base_outcome, outcome, write

# Every family whose files `inspect` reads has its bad inputs: in cases.py, or in a module of its own,
# tests/bad_inputs/family_<family name>.py (BASES and CASES), which cases.py finds.
FAMILIES = inspected_families()


@pytest.fixture(scope="module")
def bases_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("bases"))


def test_the_corpus_covers_every_family_and_level():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES), "case names are unique within a base file"
    per_family = Counter(c.family for c in CASES)
    where = "add tests/bad_inputs/family_{0}.py defining BASES and CASES (see tests/bad_inputs/corpus.py)"
    for family in FAMILIES:
        assert per_family[family] >= 15, (f"family {family!r} has {per_family[family]} bad-input cases, 15 at least "
                                          f"owed: " + where.format(family))
        for level in ("file", "layout", "row"):
            assert (family, level) in {(c.family, c.level) for c in CASES}, (
                f"family {family!r} has no bad-input case of level {level!r}: " + where.format(family))
    assert set(per_family) <= set(FAMILIES), f"cases of families `inspect` does not read: {set(per_family) - set(FAMILIES)}"
    assert {c.family for c in CASES if c.level == "hostile"} == {"ratification", "project_outputs", "sdg_global_database"}


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_unmutated_real_files_load_whole(base, bases_dir):
    report = base_outcome(base, bases_dir)
    assert report["rows_in"] > 0 and report["rows_rejected"] == 0 and report["reconciles"], report["rejects"][:3]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_bad_input_gets_its_outcome(case, tmp_path, bases_dir):
    path = write(case, tmp_path)
    expect = case.expect
    if isinstance(expect, Refused):
        with pytest.raises(SourceError) as caught:
            outcome(case, path)
        err = caught.value
        message = str(err)
        assert path.name in message, f"the refusal names the file: {message}"
        assert "\n" not in message, f"the refusal is one line: {message}"
        for part in expect.says:
            assert part in message, f"{part!r} not in {message!r}"
        for attr in ("sheet", "row", "column"):
            if getattr(expect, attr) is not None:
                assert getattr(err, attr) == getattr(expect, attr), (attr, message)
        return
    assert isinstance(expect, Loaded)
    report = outcome(case, path)
    base = base_outcome(case.base, bases_dir)
    assert report["rows_in"] == base["rows_in"] + expect.added
    assert report["rows_in"] == report["rows_accepted"] + report["rows_rejected"] + report["rows_not_available"]
    assert report["reconciles"] and report["rows_not_available"] == expect.not_available
    # `inspect` applies the build's blocking rules: it names exactly the checks the build would fail.
    assert len(report["blocking"]) == len(expect.blocking), report["blocking"]
    for check in expect.blocking:
        assert any(check in problem for problem in report["blocking"]), (check, report["blocking"])
    # A row is a sheet and a row number; in an IATI file an activity's items (a value, a country)
    # are rejected one by one while the activity itself loads.
    item = (lambda r: (r["row"], r["column"])) if case.base == "iati" else (lambda r: (r.get("sheet"), r["row"]))
    rejected_rows = {item(r) for r in report["rejects"]}
    assert report["rows_rejected"] == len(rejected_rows) == sum(expect.rejected.values()), report["rejects"]
    for reason, rows in expect.rejected.items():
        assert len({item(r) for r in report["rejects"] if reason in r["reason"]}) == rows, (reason, report["rejects"])
    for rej in report["rejects"]:
        assert rej["file"] == path.name and rej["row"] is not None and rej["column"], rej
        if expect.column:
            assert rej["column"].startswith(expect.column), rej
    if expect.check:
        expect.check(report, path.read_bytes())


# ---------------------------------------------------------------- through a real build
# Parsers never write to the warehouse, so for the cases above "the published warehouse did not
# change" holds by construction; here bad files of every family take the path a user's files
# take (the landing folder, the snapshot store) through two real builds.

def _published(home):
    return home / "warehouse" / "indicators.duckdb"


def _query(home, sql):
    import duckdb

    con = duckdb.connect(str(_published(home)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def home_with_rejects(tmp_path_factory):
    """A build whose landing folder holds a template with bad rows: it publishes, rejects recorded."""
    from orchestration.cli import main

    from .bad_inputs.cases import FORMULA, append, template, template_rows

    home = tmp_path_factory.mktemp("bad-inputs-home")
    landing = home / "var" / "landing" / "templates"
    landing.mkdir(parents=True)
    rows = append(template_rows(), ["Atlantis", "PRI.R2.I1", 2010, 5, None, None],
                  ["Kenya", "PRI.R2.I1", 2099, 5, None, None], ["Kenya", "PRI.R3.I1", 2010, "<5", None, None],
                  ["Kenya", "PRI.R3.I1", 2011, -3, None, None], [FORMULA, "PRI.R2.I1", 2010, 1, None, None],
                  template_rows()[0])
    # A name as people write them: spaces and brackets do not stop the build.
    (landing / "Nairobi office 2010 (2).xlsx").write_bytes(template(pri_rows=rows))
    assert main(["run", "--home", str(home)]) == 0
    return home


def test_a_file_with_bad_rows_publishes_with_its_rejects_recorded(home_with_rejects):
    rejects = _query(home_with_rejects, """select source_file, source_row, source_column, reason from fct_load_rejects
                                          where dataset = 'submission_templates' order by source_row""")
    assert {(f, r) for f, r, _, _ in rejects} == {("Nairobi_office_2010_2.xlsx", row) for row in range(7, 13)}
    reasons = " | ".join(r for *_, r in rejects)
    for why in ("unknown country", "year must be", "not a number", "cannot be negative", "spreadsheet formula",
                "duplicate of row 3"):
        assert why in reasons, reasons
    (rows_in, accepted, rejected, reconciles), = _query(home_with_rejects, """
        select rows_in, rows_accepted, rows_rejected, reconciles from fct_load_reconciliation
        where dataset = 'submission_templates'""")
    assert (rows_in, accepted, rejected, reconciles) == (11, 5, 6, True)
    assert _query(home_with_rejects, """select value from fct_project_outputs where basis = 'submission template'
                                         and country_iso3 = 'KEN' and indicator_code = 'PRI.R2.I1' and year = 2010""") \
        == [(120.0,)], "the duplicate row is not counted twice"
    assert _query(home_with_rejects, """select is_illustrative from fct_project_outputs where country_iso3 = 'KEN'
                                         and indicator_code = 'PRI.R2.I1' and year = 2010
                                         and basis = 'submission template'""") \
        == [(False,)], "a filled template is real data, not the illustrative sample"
    assert _query(home_with_rejects, """select list_contains(activity_ids, 'KEN-PRISON-7') from fct_assistance
                                         where country_iso3 = 'KEN' and year = 2010 and area_code = 'PRI'""") == [(True,)]


def test_unusable_files_of_every_family_leave_the_published_warehouse_as_it_was(home_with_rejects, tmp_path, capsys,
                                                                              monkeypatch, http_server):
    import hashlib
    import os
    import shutil

    from orchestration.cli import main
    from sources.snapshots import SnapshotStore

    from .bad_inputs.build import HTML_ERROR_PAGE, big_cell_xlsx, hostile_xml
    from .bad_inputs.cases import annex, annex_rows, vi15_text

    home = tmp_path / "home"
    shutil.copytree(home_with_rejects, home)
    before = hashlib.sha256(_published(home).read_bytes()).hexdigest()
    release = _query(home, "select release_id from audit.release")
    (home / "var" / "landing" / "templates" / "Mombasa 2011.xlsx").write_bytes(HTML_ERROR_PAGE)
    store = SnapshotStore(home / "var" / "snapshots")
    later = {"version": "2030-01-01", "as_of": "2030-01-01", "licence": "test"}
    body = vi15_text().split("?>", 1)[1].replace("Single Convention", "United Nations Convention", 1)
    store.put(hostile_xml("billion_laughs", "Document", body), {
        **later, "dataset": "untc_status", "family": "ratification", "format": "untc_xml", "item": "VI-15",
        "filename": "VI-15.en.xml"})
    store.put(big_cell_xlsx(false_sizes=True), {
        **later, "dataset": "cts_prisons_and_prisoners", "family": "crime_statistics", "format": "cts",
        "item": "cts_prisons_and_prisoners", "filename": "data_cts_prisons_and_prisoners.xlsx"})
    store.put(annex(annex_rows()[:3]), {
        **later, "dataset": "wdr_annex_6_1_1", "family": "crop_surveys", "format": "wdr_annex",
        "item": "wdr_annex_6_1_1", "filename": "6.1.1_-_Illicit_coca_bush_cultivation.xlsx"})
    # The alert goes out with its secrets; none of them may be written anywhere.
    secrets = {"UNODC_ALERT_WEBHOOK_TOKEN": "token-3c9f-never-stored", "IATI_API_KEY": "iati-key-b71e-never-stored"}
    monkeypatch.setenv("UNODC_ALERT_WEBHOOK_URL", http_server.base + "/hooks/alerts")
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["run", "--home", str(home)]) == 1
    out, err = capsys.readouterr()
    for says in ("landing file(s) refused", "Mombasa 2011.xlsx", "an HTML page", "VI-15.en.xml", "DTD or entities",
                 "data_cts_prisons_and_prisoners.xlsx", "declares 1000 bytes",
                 "6.1.1_-_Illicit_coca_bush_cultivation.xlsx", "no figures under the year header"):
        assert says in err, f"{says!r} not in the build's report:\n{err}"
    assert hashlib.sha256(_published(home).read_bytes()).hexdigest() == before
    assert _query(home, "select release_id from audit.release") == release
    # The refused landing file was never stored (so it cannot fail a later build): it waits in the
    # quarantine beside its reason (issue 20, defect 4).
    assert not [sn for sn in store.list() if "Mombasa" in sn.filename]
    assert not (home / "var" / "landing" / "templates" / "Mombasa 2011.xlsx").exists()
    assert "an HTML page" in next((home / "var" / "landing" / "quarantine").glob("*Mombasa_2011.xlsx.reason.txt")).read_text()
    (alert,) = http_server.posts
    assert alert["headers"]["Authorization"] == f"Bearer {secrets['UNODC_ALERT_WEBHOOK_TOKEN']}"
    written = [p for base in (home, Path(os.environ["DAGSTER_HOME"])) for p in base.rglob("*") if p.is_file()]
    for secret in secrets.values():
        assert secret not in out + err
        assert not [p for p in written if secret.encode() in p.read_bytes()], f"{secret} was written to disk"


def test_a_native_abort_in_a_reader_ends_the_run_as_failed_with_its_summary_and_alert(tmp_path):
    """Issue 20, defect 1: a crafted workbook once made the reader abort the process (exit 134),
    leaving the Dagster run STARTED with no summary and no alert. The extent check now refuses
    such a file; this proves that any death of the build process is still reported: the reader is
    made to abort (`UNODC_FAULT=read:abort`) in a real `unodc-indicators run`."""
    from reliability.harness import Build, leftovers, runs_in_progress

    build = Build(tmp_path, env={"UNODC_FAULT": "read:abort"}, log_name="abort")
    code = build.wait(900)
    err = build.stderr()
    out = build.stdout_path.read_text()
    assert code == 1, (code, err[-2000:])
    assert "died of SIGABRT" in err and "The build did not publish" in err, err[-2000:]
    assert "No warehouse published yet" in out, out
    assert "the build process died of SIGABRT" in (tmp_path / "var" / "log" / "alerts.log").read_text()
    assert runs_in_progress(tmp_path) == [], "the dead build's run is closed as failed, not left started"
    assert leftovers(tmp_path)["lock_free"]


def test_sigterm_ends_a_build_cleanly_closing_its_run_and_releasing_the_lock(tmp_path):
    """Issue 20, defect 5: SIGTERM was ignored while the build held its lock. Now `run` passes it
    to the build, which unwinds: the run is closed as failed, the summary printed, the lock free."""
    import signal

    from reliability.harness import Build, leftovers, runs_in_progress

    build = Build(tmp_path, log_name="sigterm")
    assert build.when(r"STEP_START").wait(600), build.stderr()[-2000:]
    build.proc.send_signal(signal.SIGTERM)
    code = build.wait(120)
    err = build.stderr()
    assert code == 1 and "the build was stopped by SIGTERM" in err, (code, err[-2000:])
    assert "the build was stopped by SIGTERM" in (tmp_path / "var" / "log" / "alerts.log").read_text()
    assert runs_in_progress(tmp_path) == [] and leftovers(tmp_path)["lock_free"]


def test_a_release_that_shrinks_the_warehouse_or_a_file_of_rejects_does_not_publish(home_with_rejects, tmp_path, capsys,
                                                                                  monkeypatch):
    """Issue 20, defects 2 and 8: a valid newer homicide release of 37 rows would have hidden the
    76,338 published rows with exit 0; a compiled CSV of three rows, all rejected, passed because
    the reject rate skips files under 50 rows. Both now stop the build, named with their numbers;
    the shrink passes once accepted by name (UNODC_ACCEPT_SHRINK), and the check records it."""
    import hashlib
    import shutil

    from orchestration.checks import RuleContext, read_table
    from orchestration.cli import main
    from orchestration.resources import PipelineResource
    from orchestration.warehouse.database import connect
    from schemas.crime import newest_releases_shrink
    from sources.snapshots import SnapshotStore

    from .bad_inputs.build import HOMICIDE, rows_of
    from .bad_inputs.cases import compiled, compiled_rows, cts

    home = tmp_path / "home"
    shutil.copytree(home_with_rejects, home)
    before = hashlib.sha256(_published(home).read_bytes()).hexdigest()
    store = SnapshotStore(home / "var" / "snapshots")
    later = {"version": "2030-01-01", "as_of": "2030-01-01", "licence": "test"}
    shrunk = rows_of(HOMICIDE, 40)
    shrunk[1] = ["08/08/2029"] + list(shrunk[1][1:])
    store.put(cts(shrunk, sheet="data_cts_intentional_homicide"), {
        **later, "dataset": "cts_intentional_homicide", "family": "crime_statistics", "format": "cts",
        "item": "cts_intentional_homicide", "filename": "data_cts_intentional_homicide.xlsx"})
    rows = compiled_rows()
    nowhere = [rows[0]] + [[("XYZ" if h == "iso3" else c) for h, c in zip(rows[0], r)] for r in rows[1:4]]
    store.put(compiled(nowhere), {
        **later, "dataset": "crop_compiled_coca", "family": "crop_surveys", "format": "crop_compiled",
        "item": "crop_compiled_coca", "filename": "coca_cultivation_ha_by_country_year.csv"})
    capsys.readouterr()
    assert main(["run", "--home", str(home)]) == 1
    err = capsys.readouterr().err
    for says in ("cts_newest_release_does_not_shrink", "cts_intentional_homicide: the newest release has lost",
                 "76338", "every_row_rejected", "coca_cultivation_ha_by_country_year.csv (3 of 3 rows rejected)"):
        assert says in err, f"{says!r} not in the build's report:\n{err[-3000:]}"
    assert hashlib.sha256(_published(home).read_bytes()).hexdigest() == before
    pipeline = PipelineResource(home=str(home))
    files = read_table(pipeline, "raw", "crime_files")
    with connect(pipeline.paths().build_db) as con:
        context = RuleContext(con, pipeline, "crime_statistics")
        passed, meta = newest_releases_shrink(files, context)
        assert not passed and "lost 76301 of 76338 (100%) rows" in meta["says"], meta
        monkeypatch.setenv("UNODC_ACCEPT_SHRINK", "cts_intentional_homicide")
        passed, meta = newest_releases_shrink(files, context)
    assert passed and [c["dataset"] for c in meta["accepted_by_UNODC_ACCEPT_SHRINK"]] == ["cts_intentional_homicide"]


def test_rows_of_only_not_available_markers_reconcile_in_the_files_table_the_build_checks(tmp_path):
    """Issue 20, defect 9: rows that hold only `..` were counted in but neither accepted nor
    rejected, so the files table failed the build's blocking check `rows in = accepted + rejected`.
    Through the ingest the build runs, they are now a counted category the check adds in."""
    from schemas import validate
    from schemas.crime import CrimeFiles
    from schemas.crops import CropFiles
    from sources.family import family
    from sources.ingest import ingest
    from sources.snapshots import SnapshotStore

    from .bad_inputs.cases import CASES

    store = SnapshotStore(tmp_path / "snapshots")
    made = {c.base: c for c in CASES if c.name in ("row-of-only-not-available", "value-not-available")}
    meta = {"version": "2030-01-01", "as_of": "2030-01-01", "licence": "test"}
    annex = store.put(made["coca_annex"].make(), {**meta, "version": "wdr-2030", "dataset": "wdr_annex_6_1_1", "family": "crop_surveys",
                                                  "format": "wdr_annex", "item": "wdr_annex_6_1_1",
                                                  "filename": "6.1.1_-_Illicit_coca_bush_cultivation.xlsx"})
    csv = store.put(made["coca_compiled"].make(), {**meta, "dataset": "crop_compiled_coca", "family": "crop_surveys",
                                                   "format": "crop_compiled", "item": "crop_compiled_coca",
                                                   "filename": "coca_cultivation_ha_by_country_year.csv"})
    cts = store.put(made["prisons"].make(), {**meta, "dataset": "cts_prisons_and_prisoners", "family": "crime_statistics",
                                             "format": "cts", "item": "cts_prisons_and_prisoners",
                                             "filename": "data_cts_prisons_and_prisoners.xlsx"})
    crops = ingest(family("crop_surveys"), store, [annex, csv])["crop_files"]
    crime = ingest(family("crime_statistics"), store, [cts], lambda name, rows, snap: None)["crime_files"]
    for files, table in ((crops, CropFiles), (crime, CrimeFiles)):
        assert files["rows_not_available"].to_list() == [1] * files.height, files
        assert (files["rows_in"] == files["rows_accepted"] + files["rows_rejected"] + 1).all()
        passed, cases, _ = validate(table, files)
        assert passed, cases
        # The same table without the category is what failed the build before.
        assert not validate(table, files.with_columns(rows_not_available=0))[0]
