"""The UNTC parsers on the real status files (bundled snapshots and fixtures)."""
from __future__ import annotations

from datetime import date

import pytest

from sources.errors import SourceError
from sources.ratification import instrument_by_mtdsg, parse_status_file
from sources.ratification.cells import header_kinds, item_from_filename, parse_cell, split_footnotes

from .conftest import FIXTURES, UNTC_TABLE, UNTC_XML


def parse(path, **kw):
    return parse_status_file(path.read_bytes(), filename=path.name, **kw)


@pytest.mark.parametrize("name", ["VI-15.en.xml", "VI-18.en.xml", "XVIII-12-a.en.xml"])
def test_full_xml_tables_match_the_counts_they_declare(name):
    result = parse(UNTC_XML / name)
    facts = result.facts
    assert facts["has_participant_table"]
    assert facts["counted_parties"] == facts["declared_parties"]
    assert facts["counted_signatories"] == (facts["declared_signatories"] or 0)
    assert result.rejects.is_empty()
    assert result.reconciles


def test_real_xml_quirks_are_present_and_survived():
    raw = (UNTC_XML / "XVIII-12-a.en.xml").read_bytes()
    assert b"\x1c" in raw and b"\x1d" in raw            # C0 controls used as quote marks
    assert raw.startswith(b'<?xml version="1.0" encoding="iso-8859-1"?>')
    result = parse(UNTC_XML / "XVIII-12-a.en.xml")
    assert result.rows_in == 175
    assert result.facts["endnotes"]                     # end notes read, with their text
    assert all(result.facts["endnotes"].values())


def test_footnotes_are_stripped_from_names_but_kept():
    result = parse(UNTC_XML / "VI-15.en.xml")
    notes = {r["participant"]: r["footnotes"] for r in result.accepted.to_dicts() if r["footnotes"]}
    assert notes, "VI-15 has footnoted participants"
    assert all("<" not in name for name in notes)
    assert split_footnotes("Participant<superscript>2,3,4,5</superscript>") == ("Participant", ["2", "3", "4", "5"])


def test_vi18_second_column_is_participation_not_signature():
    result = parse(UNTC_XML / "VI-18.en.xml")
    kinds = set(result.accepted["action_kind"].to_list())
    assert "signature" not in kinds
    assert "participation" in kinds
    afghanistan = result.accepted.filter(result.accepted["participant"] == "Afghanistan").to_dicts()
    assert len(afghanistan) == 1
    assert afghanistan[0]["action_kind"] == "participation"
    assert afghanistan[0]["action_date"] == date(2015, 2, 19)
    # Participation by way of the 1972 Protocol predates the amended Convention (8 Aug 1975).
    assert result.accepted["action_date"].min() < date(1975, 8, 8)


def test_header_only_xml_gives_counts_and_no_rows():
    result = parse(UNTC_XML / "VI-19.en.xml")
    assert result.facts["has_participant_table"] is False
    assert (result.facts["declared_signatories"], result.facts["declared_parties"]) == (87, 190)
    assert result.accepted.is_empty() and result.rows_in == 0
    assert any("header only" in w for w in result.warnings)


@pytest.mark.parametrize("path", sorted(UNTC_TABLE.glob("*.csv")) + sorted((FIXTURES / "ratification").glob("*.csv")),
                         ids=lambda p: p.name)
def test_every_2015_status_table_parses_without_loss(path):
    result = parse(path)
    assert result.rows_in > 100
    assert result.rejects.is_empty()
    assert result.reconciles
    assert result.facts["counted_parties"] > 0


def test_action_headers_of_each_treaty_map_their_letters():
    assert header_kinds("Approval(AA), Acceptance(A), Accession(a), Succession(d), Ratification") == {
        "AA": "approval", "A": "acceptance", "a": "accession", "d": "succession", "": "ratification"}
    assert header_kinds("Definitive signature(s), Ratification, Accession(a), Succession(d)")["s"] == "definitive_signature"
    assert header_kinds("Signature, Succession to signature(d)") == {"": "signature", "d": "succession_to_signature"}
    assert header_kinds("Ratification, Accession(a), Acceptance(A), Approval(AA), Formal confirmation(c), Succession(d)")["c"] == "formal_confirmation"
    with pytest.raises(ValueError, match="unknown action header part"):
        header_kinds("Ratification, Reservation(r)")


def test_cells_parse_dates_and_letters_or_say_why_not():
    kinds = header_kinds("Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)")
    assert parse_cell("21 Jun 2006 a", kinds) == (date(2006, 6, 21), "accession", "a")
    assert parse_cell("21 May 2004 AA", kinds) == (date(2004, 5, 21), "approval", "AA")
    assert parse_cell("\t23\xa0Oct 2006 d ", kinds) == (date(2006, 10, 23), "succession", "d")
    assert parse_cell("", kinds) is None
    assert parse_cell("[12 Jan 2010 a]", kinds)[1] == "withdrawal"
    with pytest.raises(ValueError, match="not one the column header lists"):
        parse_cell("31 Dec 1990 c", kinds)
    with pytest.raises(ValueError, match="impossible date"):
        parse_cell("31 Feb 2001", kinds)
    with pytest.raises(ValueError, match="before 1900"):
        parse_cell("1 Jan 1013", kinds)
    with pytest.raises(ValueError, match="after the snapshot"):
        parse_cell("1 Jan 2030", kinds, not_after=date(2018, 1, 15))


def test_a_bad_cell_rejects_its_row_with_row_column_and_reason():
    lines = (UNTC_TABLE / "18-12.csv").read_text().splitlines()
    lines[3] = "Algeria,12 Dec 2000,7 Octo 2002"
    lines[5] = "Atlantis,,1 Jan 2003 z"
    data = ("\n".join(lines) + "\n").encode()
    result = parse_status_file(data, filename="18-12.csv")
    by_row = {r["row"]: r for r in result.rejects.to_dicts()}
    assert set(by_row) == {4, 6}
    assert by_row[4]["column"].startswith("Ratification") and "7 Octo 2002" in by_row[4]["reason"]
    assert result.reconciles
    assert result.rows_in == result.accepted["source_row"].n_unique() + 2


def test_files_that_cannot_be_used_name_the_file():
    with pytest.raises(SourceError, match="maintenance"):
        parse_status_file(b"<html><body>The site is undergoing urgent maintenance and is currently unavailable</body></html>",
                          filename="VI-19.en.xml", fmt="untc_xml")
    with pytest.raises(SourceError, match="empty"):
        parse_status_file(b"", filename="VI-19.en.xml", fmt="untc_xml")
    with pytest.raises(SourceError, match="file 18-12.csv.*first column"):
        parse_status_file(b"Country,Signature,Ratification\nA,,\n", filename="18-12.csv")
    with pytest.raises(SourceError, match="unknown action column"):
        parse_status_file(b"Participant,Signature,Reservation\nA,,\n", filename="18-12.csv")
    xml = (UNTC_XML / "VI-15.en.xml").read_bytes()
    with pytest.raises(SourceError, match="ill-formed XML"):
        parse_status_file(xml[: len(xml) // 2], filename="VI-15.en.xml")
    with pytest.raises(SourceError, match="states treaty VI-15, expected VI-16"):
        parse_status_file(xml, filename="VI-16.en.xml", item="VI-16")


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><Document>&b;</Document>',
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
    b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd"><Document/>',
], ids=["entity-expansion", "external-entity", "external-dtd"])
def test_hostile_xml_is_refused(payload):
    with pytest.raises(SourceError, match="refused"):
        parse_status_file(payload, filename="VI-15.en.xml", fmt="untc_xml")


def test_instrument_registry_agrees_with_the_xml_files():
    months = {m: i for i, m in enumerate(["January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"], 1)}
    registry = instrument_by_mtdsg()
    checked = 0
    for path in UNTC_XML.glob("*.xml"):
        facts = parse(path).facts
        inst = registry[facts["instrument"]]
        place, when = facts["conclusion"].split(", ")
        day, month, year = when.split()
        assert (place, date(int(year), months[month], int(day))) == (inst["place"], inst["adopted_on"])
        eif = facts["entry_into_force_text"].split(",")[0].split()
        assert date(int(eif[2]), months[eif[1]], int(eif[0])) == inst["entry_into_force_on"], facts["instrument"]
        checked += 1
    assert checked == 8


def test_instrument_from_file_names():
    assert item_from_filename("18-12-b.csv") == "XVIII-12-b"
    assert item_from_filename("6-16.csv") == "VI-16"
    assert item_from_filename("VI-15.en.xml") == "VI-15"
    assert item_from_filename("notes.txt") is None
