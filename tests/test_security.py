"""Security: no path leaves its folder, no unvalidated identifier reaches SQL, no live formula from
data in a workbook the project writes, no secret in logs, messages or stored files.

Elsewhere: the published file is read-only (tests/test_pipeline_e2e.py, the read-only test);
export definitions are checked before any SQL and exported texts are neutralised
(tests/test_exports.py); hostile XML is refused (tests/test_bad_inputs.py, the `hostile` cases);
secrets stay out of a real build's files (tests/test_bad_inputs.py, the unchanged-warehouse test).
"""
from __future__ import annotations

import copy
import json
import logging
import re
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.cli import main
from orchestration.warehouse.releases import diff_releases, release_path, releases_dir, resolve, tag_release
from orchestration.warehouse.database import connect, ident, write_table
from sources.iati.landing import import_landing, landing_dir
from sources.settings import Paths
from sources.snapshots import SnapshotStore

META = {"dataset": "untc_status", "family": "ratification", "format": "untc_xml", "item": "VI-15",
        "version": "2026-01-01", "filename": "VI-15.en.xml", "licence": "test"}
ESCAPES = ["../escape", "..", "a/../../b", "/etc/passwd", "..\\..\\b", ".hidden", "x\x00y", "a b;rm -rf ~", "-rf"]


def files_under(folder: Path) -> set[Path]:
    return {p.resolve() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("bad", ESCAPES)
@pytest.mark.parametrize("part", ["dataset", "version", "filename"])
def test_a_snapshot_name_never_leaves_the_store(tmp_path, bad, part):
    store = SnapshotStore(tmp_path / "store")
    with pytest.raises(ValueError, match="not a safe name"):
        store.put(b"<a/>", {**META, part: bad})
    assert files_under(tmp_path) == set()
    if part == "dataset":
        with pytest.raises(ValueError, match="not a safe name"):
            store.list(bad)


def test_files_dropped_in_the_landing_folder_are_stored_inside_the_store(tmp_path):
    landing = landing_dir(tmp_path)
    landing.mkdir(parents=True)
    names = ["..xlsx", "...xlsx", "a..b.xlsx", "$(touch pwned).xlsx", "rapport final (v2).xlsx",
             "x\\..\\..\\y.xlsx", "-rf.xlsx", "été 2010.xlsx", "%2e%2e%2fetc.xlsx", ".hidden.xlsx"]
    from tests.bad_inputs.cases import template, template_edit

    for i, name in enumerate(names):
        # Valid templates (a landing file is checked before it is stored), each its own bytes.
        (landing / name).write_bytes(template_edit(0, 5, f"file {i}"))
    store = SnapshotStore(tmp_path / "var" / "snapshots")
    snaps = import_landing(store, tmp_path)
    assert sorted(s.upstream["landing_file"] for s in snaps) == sorted(names)
    root = store.root.resolve()
    for snap in snaps:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.xlsx", snap.filename) and ".." not in snap.filename
        assert Path(snap.path).resolve().is_relative_to(root)
    assert files_under(tmp_path) - files_under(landing) <= files_under(store.root)


@pytest.mark.parametrize("bad", ["../../etc", "20260101T000000Z/../..", "20260101T000000Z\n", "..", "/tmp", ""])
def test_a_release_identifier_never_leaves_the_releases_folder(tmp_path, bad, capsys):
    paths = Paths(tmp_path)
    with pytest.raises(ValueError, match="not a release identifier"):
        release_path(paths, bad)
    with pytest.raises(ValueError):
        tag_release(paths, bad, "kept")
    with pytest.raises(ValueError, match="not a tag name"):
        tag_release(paths, "20260101T000000Z", bad)
    assert main(["diff", bad, "20260101T000000Z", "--home", str(tmp_path)]) == 2
    assert main(["tag", bad, "kept", "--home", str(tmp_path)]) == 2
    assert files_under(tmp_path) == set()


def test_a_tag_file_edited_by_hand_cannot_point_outside(tmp_path):
    paths = Paths(tmp_path)
    releases_dir(paths).mkdir(parents=True)
    (releases_dir(paths) / "tags.json").write_text(json.dumps({"wdr-2026": "../../../etc"}))
    with pytest.raises(ValueError, match="not a release identifier"):
        resolve(paths, "wdr-2026")
    with pytest.raises(ValueError, match="not a release identifier"):
        release_path(paths, "wdr-2026")


def test_database_paths_with_a_quote_never_reach_sql(tmp_path):
    odd = tmp_path / "it's" / "release.duckdb"
    with pytest.raises(ValueError, match="contains a quote"):
        diff_releases(odd, odd)


def test_template_out_writes_the_one_file_it_names(tmp_path, capsys):
    out = tmp_path / "forms" / "template.xlsx"
    assert main(["template", "--out", str(out)]) == 0
    assert files_under(tmp_path) == {out.resolve()}
    for bad in ("template.sh", "template.xlsx/..", "forms"):
        assert main(["template", "--out", str(tmp_path / bad)]) == 2
    assert files_under(tmp_path) == {out.resolve()}


@pytest.mark.parametrize("bad", ['x"; drop table keep; --', "a b", "1abc", "", "a" * 64, "tablé", "main.keep", "keep\n", None])
def test_identifiers_are_validated_before_any_sql(tmp_path, bad):
    with pytest.raises(ValueError, match="not a valid SQL identifier"):
        ident(bad)
    with connect(tmp_path / "build.duckdb") as con:
        con.execute("create table keep as select 1 as x")
        for schema, table in (("raw", bad), (bad, "t")):
            with pytest.raises(ValueError, match="not a valid SQL identifier"):
                write_table(con, schema, table, pl.DataFrame({"a": [1]}))
        assert con.execute("select schema_name, table_name from duckdb_tables()").fetchall() == [("main", "keep")]


def test_the_template_holds_no_live_formula_even_from_hostile_registry_text(tmp_path):
    from sources.iati.template import write_template
    from sources.strategy.registry import load_registry

    registry = copy.deepcopy(load_registry())
    hostile = ['=cmd|" /C calc"!A0', '+HYPERLINK("http://attacker.example","x")', "@SUM(1+1)*cmd|' /C calc'!A0"]
    indicators = [i for i in registry["indicators"] if i["line_kind"] == "indicator"]
    for ind, text in zip(indicators, hostile):
        ind["text"] = text
    registry["areas"][0]["name"] = "=1+1 " + registry["areas"][0]["name"]
    path = write_template(tmp_path / "template.xlsx", registry)
    with zipfile.ZipFile(path) as book:
        sheets = {n: book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/sheet")}
        strings = book.read("xl/sharedStrings.xml").decode()
    assert sheets and not [n for n, xml in sheets.items() if re.search(r"<f[ >]", xml)], "no cell holds a formula"
    from html import escape
    for text in hostile:
        assert escape(text, quote=False) in strings, f"{text!r} is kept as text"


def test_the_iati_api_key_stays_out_of_logs_messages_and_snapshots(http_server, monkeypatch, tmp_path, caplog):
    from sources.catalog import datasets
    from sources.iati.fetch import fetch_iati

    key = "iati-key-5f0c1e9d-do-not-log"
    for cfg in datasets().values():
        monkeypatch.setenv(cfg["url_env"], http_server.base + "/missing")
    monkeypatch.setenv("UNODC_IATI_DATASTORE_URL", http_server.base + "/datastore")
    monkeypatch.setenv("UNODC_IATI_ORG_ID", "XM-EXAMPLE")
    monkeypatch.setenv("IATI_API_KEY", key)
    monkeypatch.setattr("sources.fetch.time.sleep", lambda s: None)
    calls = []

    def select(handler):
        calls.append(handler.headers.get("Ocp-Apim-Subscription-Key"))
        if len(calls) == 1:       # one transient failure: the retry is logged
            return 503, b"busy", {}
        doc = '<iati-activity><iati-identifier>XM-EXAMPLE-1</iati-identifier><reporting-org ref="XM-EXAMPLE"/></iati-activity>'
        return 200, json.dumps({"response": {"numFound": 1, "docs": [{"iati_xml": doc}]}}).encode(), {}

    http_server.routes["/datastore/activity/select"] = select
    store = SnapshotStore(tmp_path / "store")
    with caplog.at_level(logging.DEBUG):
        (stored,) = fetch_iati(store)
        http_server.routes["/datastore/activity/select"] = (401, b"bad key", {})
        (failed,) = fetch_iati(store)
    assert stored.status == "new" and failed.status == "failed" and calls[0] == key, "the key is sent"
    assert "retrying" in caplog.text
    seen = caplog.text + stored.message + failed.message + json.dumps(stored.snapshot.record())
    seen += "".join(p.read_text(errors="replace") for p in (tmp_path / "store").rglob("*.json"))
    assert key not in seen


def test_a_webhook_secret_in_its_url_or_token_stays_out_of_the_alert_log(tmp_path, monkeypatch):
    from orchestration.alerts import notify_failure

    secret_path, token = "T0000/B0000/path-secret-7e1d", "token-secret-93ab"
    monkeypatch.setenv("UNODC_ALERT_WEBHOOK_URL", f"http://127.0.0.1:9/hooks/{secret_path}")
    monkeypatch.setenv("UNODC_ALERT_WEBHOOK_TOKEN", token)
    sent = notify_failure(Paths(tmp_path), "the build did not publish", ["check x failed"], "run-1")
    assert any(s.startswith("webhook failed") for s in sent)
    log = (tmp_path / "var" / "log" / "alerts.log").read_text()
    for secret in (secret_path, token):
        assert secret not in log and secret not in " ".join(sent)


def test_a_read_only_connection_cannot_change_the_published_file(tmp_path):
    """What a researcher is told to open cannot write, whatever the file's mode (the mode itself:
    tests/test_pipeline_e2e.py)."""
    db = tmp_path / "indicators.duckdb"
    duckdb.connect(str(db)).close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table t (x int)")
    finally:
        con.close()


def test_a_landing_folder_reads_regular_files_only_and_quarantines_the_rest(tmp_path):
    """Issue 20, defects 4 and 5: a link to /etc/hostname was read and stored; a FIFO blocked the
    build for over ten minutes; a link to /dev/zero gave MemoryError; a dangling link or a folder
    named *.xml raised; a 300 MB file was stored whole; an unusable file was stored before it was
    checked and failed every later build. Now each is refused, moved to the quarantine with its
    reason, nothing of it is stored, and the next import is clean."""
    import os
    import signal

    from sources.iati.landing import LandingRefused, iati_landing_dir, quarantine_dir
    from tests.bad_inputs.build import HTML_ERROR_PAGE
    from tests.bad_inputs.cases import template

    templates, iati = landing_dir(tmp_path), iati_landing_dir(tmp_path)
    templates.mkdir(parents=True)
    iati.mkdir(parents=True)
    (templates / "good.xlsx").write_bytes(template())
    (templates / "hostname.xlsx").symlink_to("/etc/hostname")
    (templates / "zero.xlsx").symlink_to("/dev/zero")
    (templates / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    os.mkfifo(templates / "pipe.xlsx")
    (iati / "folder.xml").mkdir()
    with open(iati / "huge.xml", "wb") as fh:       # 300 MB, sparse: no disk used
        fh.truncate(300 * 1024 * 1024)
    (templates / "Mombasa 2011.xlsx").write_bytes(HTML_ERROR_PAGE)
    store = SnapshotStore(tmp_path / "var" / "snapshots")
    signal.alarm(60)       # a FIFO opened for reading blocks: the test must not
    try:
        with pytest.raises(LandingRefused) as caught:
            import_landing(store, tmp_path)
    finally:
        signal.alarm(0)
    reasons = {r.name: r.reason for r in caught.value.refused}
    assert set(reasons) == {"hostname.xlsx", "zero.xlsx", "dangling.xlsx", "pipe.xlsx", "folder.xml", "huge.xml",
                            "Mombasa 2011.xlsx"}, reasons
    for name in ("hostname.xlsx", "zero.xlsx", "dangling.xlsx"):
        assert "symbolic link" in reasons[name]
    assert "FIFO" in reasons["pipe.xlsx"] and "folder" in reasons["folder.xml"]
    assert "over the" in reasons["huge.xml"] and "an HTML page" in reasons["Mombasa 2011.xlsx"]
    assert all(r.moved_to for r in caught.value.refused)
    assert [s.upstream["landing_file"] for s in store.list()] == ["good.xlsx"], "only the good file is stored"
    kept = sorted(p.name for p in quarantine_dir(tmp_path).iterdir())
    assert len([k for k in kept if k.endswith(".reason.txt")]) == 7
    assert "an HTML page" in next(quarantine_dir(tmp_path).glob("*Mombasa_2011.xlsx.reason.txt")).read_text()
    assert os.readlink(next(quarantine_dir(tmp_path).glob("*-hostname.xlsx"))) == "/etc/hostname", \
        "the link itself is moved, never what it names"
    assert sorted(p.name for p in templates.iterdir()) == ["good.xlsx"]
    assert [s.filename for s in import_landing(store, tmp_path)] == ["good.xlsx"], "the next import is clean"


@pytest.mark.parametrize("variable, value, says", [
    ("UNODC_KEEP_RELEASES", "abc", "not a whole number"),
    ("UNODC_NIGHTLY_TIMEZONE", "Mars/Olympus_Mons", "not an IANA time zone"),
    ("UNODC_ALERT_SMTP_PORT", "smtp", "not a port number"),
    ("UNODC_ALERT_WEBHOOK_URL", "file:///etc/passwd", "not an http(s) URL"),
    ("UNODC_HOME", "/tmp/it's", "may not contain a quote"),
    ("UNODC_DUCKDB_MEMORY_LIMIT", "lots", "not a size"),
    ("UNODC_FETCH_TIMEOUT", "-1", "seconds must be above 0"),
    ("UNODC_UNTC_URL", "https://treaties.un.org/{chapter.__class__.__mro__}", "is not one of {chapter}, {item}"),
    ("UNODC_UNTC_URL", "https://treaties.un.org/{0}", "placeholder {0}"),
    ("UNODC_UNTC_URL", "https://treaties.un.org/{item!r}", "placeholder {item!r}"),
    ("UNODC_CTS_HOMICIDE_URL", "https://x.org/{item}", "none (no placeholder)"),
])
def test_a_bad_setting_stops_the_command_at_once_in_one_line(variable, value, says, tmp_path, monkeypatch, capsys):
    """Issue 20, defects 13 and 14: settings are checked at start, before any build work, each
    error one line naming the variable; URL templates take only their named placeholders."""
    monkeypatch.setenv(variable, value)
    assert main(["run", "--home", str(tmp_path / "home")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"unodc-indicators: {variable}=") and says in err, err
    assert not (tmp_path / "home").exists(), "nothing was built"


def test_a_url_template_fills_only_its_named_placeholders(monkeypatch):
    from sources.catalog import dataset_url
    from sources.settings import SettingsError, fill_template

    monkeypatch.setenv("UNODC_UNTC_URL", "https://mirror.example/{chapter}/{item}.xml")
    assert dataset_url("untc_status", chapter="VI", item="VI-15") == "https://mirror.example/VI/VI-15.xml"
    with pytest.raises(ValueError, match="not one of"):
        fill_template("https://x/{chapter.__class__}", ("chapter",), chapter="VI")
    monkeypatch.setenv("UNODC_UNTC_URL", "https://x/{chapter.__init__.__globals__}")
    with pytest.raises(SettingsError, match="UNODC_UNTC_URL"):
        dataset_url("untc_status", chapter="VI", item="VI-15")


def test_the_readme_lists_every_setting_with_its_default_and_meaning():
    """The README's table of settings is the settings module's, variable for variable, with the URL
    of every dataset the families' datasets files declare."""
    from sources.settings import every_setting

    settings_ = every_setting()
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = {name: (default, meaning) for name, default, meaning in
            re.findall(r"^\| `(UNODC_[A-Z_]+)` \| ([^|]*) \| (.*) \|$", readme, re.M)}
    assert set(rows) == {s.name for s in settings_}, set(rows) ^ {s.name for s in settings_}
    for s in settings_:
        default, meaning = rows[s.name]
        assert default.strip().strip("`") == (s.default if s.default is not None else "(unset)"), (s.name, default)
        assert meaning.strip() == s.meaning, (s.name, meaning)


def test_yaml_is_read_safely_and_as_the_pure_python_safe_loader_reads_it():
    """sources/yamltext.py reads with libyaml for speed: still no Python object from a tag, and the
    same data as yaml.safe_load for every YAML file the project reads."""
    import yaml

    from sources import yamltext
    from sources.settings import PROJECT_ROOT

    with pytest.raises(yaml.constructor.ConstructorError):
        yamltext.load("!!python/object/apply:os.system ['true']")
    files = [p for d in ("sources", "orchestration") for p in (PROJECT_ROOT / d).rglob("*.yaml")]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yamltext.load(text) == yaml.safe_load(text), path
