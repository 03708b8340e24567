"""`unodc-indicators inspect`: the real files, a file with bad rows, unusable files, a URL."""
from __future__ import annotations

import json
import subprocess
import sys

from orchestration.cli import main

from .conftest import UNTC_TABLE, UNTC_XML


def test_a_valid_file_exits_0_and_reports_counts(capsys):
    assert main(["inspect", "ratification", str(UNTC_XML / "VI-15.en.xml")]) == 0
    out = capsys.readouterr().out
    assert "rows read: 154  accepted: 154  rejected: 0" in out
    assert "header fingerprint:" in out
    assert "declared signatories / parties: (61, 154)" in out
    assert "counted signatories / parties: (61, 154)" in out


def test_rejected_rows_exit_1_with_row_column_and_reason(tmp_path, capsys):
    text = (UNTC_TABLE / "18-14.csv").read_text().splitlines()
    text[2] = text[2].split(",")[0] + ",9 Dec 2003,99 Abc 2006"
    bad = tmp_path / "18-14.csv"
    bad.write_text("\n".join(text) + "\n")
    assert main(["inspect", "ratification", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["rows_rejected"] == 1 and report["reconciles"]
    assert report["rows_in"] == report["rows_accepted"] + report["rows_rejected"]
    (reject,) = report["rejects"]
    assert reject["row"] == 3 and reject["column"].startswith("Approval(AA)") and "99 Abc 2006" in reject["reason"]


def test_an_unmapped_participant_is_named_and_blocks_as_in_the_build(tmp_path, capsys):
    """Issue 20, defect 10: exit 0 here, while the build refuses the file (`participants_mapped`)."""
    bad = tmp_path / "18-5.csv"
    bad.write_text((UNTC_TABLE / "18-5.csv").read_text() + "Atlantis,,1 Jan 2001 a\n")
    assert main(["inspect", "ratification", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "map to no country: Atlantis" in out
    assert "BLOCKING (the build would stop): participants_mapped: 1 participant name(s) map to no country: Atlantis" in out


def test_an_unusable_file_exits_2_and_names_it(tmp_path, capsys):
    page = tmp_path / "VI-19.en.xml"
    page.write_bytes(b"<!DOCTYPE html><html><body>Error 503</body></html>")
    assert main(["inspect", "ratification", str(page)]) == 2
    err = capsys.readouterr().err
    assert "UNUSABLE" in err and "VI-19.en.xml" in err


def test_inspect_fetches_a_url_with_the_pipeline_fetcher(http_server, capsys):
    http_server.routes["/VI-18.en.xml"] = (200, (UNTC_XML / "VI-18.en.xml").read_bytes(), {})
    assert main(["inspect", "ratification", http_server.base + "/VI-18.en.xml", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["instrument"] == "VI-18"
    assert report["summary"]["actions by kind"]["participation"] > 100


def test_the_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "inspect", "ratification",
                          str(UNTC_TABLE / "6-19.csv")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "formal_confirmation" in out.stdout        # the EU's formal confirmation of the 1988 Convention


def test_inspect_crime_statistics_reports_rejects_and_quirks(capsys):
    from .conftest import BUNDLED

    prisons = BUNDLED / "crime_statistics" / "data_cts_prisons_and_prisoners.xlsx"
    assert main(["inspect", "crime_statistics", str(prisons), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["rows_in"], report["rows_accepted"], report["rows_rejected"]) == (65797, 65796, 1)
    assert report["rejects"][0]["row"] == 36495 and report["rejects"][0]["column"] == "Year"
    assert report["summary"]["duplicate_keys"] == 12 and report["summary"]["release_date"] == "2023-05-11"
    seizures = BUNDLED / "crime_statistics" / "7.1_-_Drug_seizures_2016-2020.xlsx"
    assert main(["inspect", "crime_statistics", str(seizures), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["reported_total_rows"] == 295


def test_inspect_refuses_a_web_page_saved_as_xlsx(tmp_path, capsys):
    page = tmp_path / "data_cts_intentional_homicide.xlsx"
    page.write_bytes(b"<!DOCTYPE html><html><body>Access denied</body></html>")
    assert main(["inspect", "crime_statistics", str(page)]) == 2
    assert "HTML page" in capsys.readouterr().err


def test_inspect_refuses_a_web_page_saved_as_a_submission_template(tmp_path, capsys):
    page = tmp_path / "filled_template.xlsx"
    page.write_bytes(b"<!DOCTYPE html><html><body>Session expired</body></html>")
    assert main(["inspect", "project_outputs", str(page)]) == 2
    err = capsys.readouterr().err
    # Read as the workbook its name says it is, not handed to the IATI XML parser.
    assert "not an xlsx workbook: an HTML page" in err and "filled_template.xlsx" in err


def test_inspect_crop_surveys_shows_the_total_discrepancy(capsys):
    from .conftest import BUNDLED

    table = BUNDLED / "crop_surveys" / "6.1.1_-_Illicit_coca_bush_cultivation.xlsx"
    assert main(["inspect", "crop_surveys", str(table)]) == 0
    out = capsys.readouterr().out
    assert "Total 2020: published 234,200, rows sum to 234,000 (difference 200)" in out
    assert "rows read: 5  accepted: 5  rejected: 0" in out


def test_template_command_and_inspect_project_outputs(tmp_path, capsys):
    from .conftest import BUNDLED

    out = tmp_path / "template.xlsx"
    assert main(["template", "--out", str(out)]) == 0 and out.read_bytes().startswith(b"PK")
    assert main(["template", "--out", str(tmp_path / "template.csv")]) == 2
    capsys.readouterr()
    sample = BUNDLED / "project_outputs" / "illustrative_iati_activities.xml"
    assert main(["inspect", "project_outputs", str(sample), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["duplicate_activities"] == 1 and report["rows_accepted"] == 18
