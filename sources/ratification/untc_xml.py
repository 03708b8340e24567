"""The MTDSG XML status file of the UN Treaty Collection.

The real files are ISO-8859-1, carry C0 control characters (used as quote marks) and bare '&'
that make them ill-formed, and escape their footnote markup. They are repaired byte-wise, then
parsed with entity expansion and DTDs forbidden.
"""
from __future__ import annotations

import re
from datetime import date
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import SourceError
from ..parsing import MAX_FILE_BYTES, FrameResult
from .cells import clean_text
from .status_table import read_rows, status_result

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BARE_AMP = re.compile(r"&(?!#?\w+;)")
_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_MAINTENANCE = re.compile(rb"maintenance and is currently unavailable|currently under maintenance", re.I)
_ROMAN_CHAPTER = re.compile(r"CHAPTER\s+([IVXL]+)", re.I)
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "windows-1252", "cp1252"}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text(node: Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path)
    if found is None:
        return None
    return clean_text("".join(found.itertext())) or None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def decode(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data.lstrip()
    if not head.startswith(b"<"):
        raise SourceError("not XML: the file does not start with '<'", file=filename)
    if _MAINTENANCE.search(data[:20000]):
        raise SourceError("the UN Treaty Collection returned its maintenance page, not a status file",
                          file=filename)
    if re.match(rb"<!doctype html|<html", head[:200], re.I):
        raise SourceError("an HTML page, not an MTDSG XML status file", file=filename)
    m = _DECL_ENCODING.match(head)
    encoding = m.group(1).decode().lower() if m else "utf-8"
    if encoding.replace("_", "-") in _LATIN1 and _UTF8_SEQUENCE.search(head) and _is_utf8(head):
        # Read as declared, 'Türkiye' would become 'TÃ¼rkiye': a name no list knows.
        raise SourceError(f"the file declares {encoding.upper()} but its bytes are UTF-8 "
                          f"(first at offset {_UTF8_SEQUENCE.search(head).start()}): re-save it or fix the declaration",
                          file=filename)
    try:
        return head.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot decode as declared encoding {encoding!r}: {exc}", file=filename) from None


def parse_untc_xml(data: bytes, *, filename: str, item: str | None = None,
                   as_of: str | None = None) -> FrameResult:
    if not data.strip():
        raise SourceError("file is empty", file=filename)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit", file=filename)
    text = decode(data, filename)
    repaired = _BARE_AMP.sub("&amp;", _CONTROL.sub("", text))
    # The declaration names the original encoding; the text is already decoded.
    repaired = re.sub(r"^<\?xml[^>]*\?>", "", repaired, count=1)
    try:
        root = fromstring(repaired, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(f"refused: the XML declares a DTD or entities ({type(exc).__name__})",
                          file=filename) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SourceError(f"ill-formed XML: {exc}", file=filename, row=line) from None

    treaty = root.find("Treaty")
    header = treaty.find("Header") if treaty is not None else None
    external = header.find("ExternalData") if header is not None else None
    if external is None:
        raise SourceError("not an MTDSG status file: no Treaty/Header/ExternalData", file=filename)
    chapter_head = _text(header, "Chapter/Header") or ""
    m = _ROMAN_CHAPTER.search(chapter_head)
    numsect = _text(external, "Numsect")
    if not m or not numsect:
        raise SourceError(f"cannot read the treaty number (chapter {chapter_head!r}, number {numsect!r})",
                          file=filename)
    stated = f"{m.group(1).upper()}-{numsect}"
    if sub := _text(external, "Subnumsect"):
        stated += f"-{sub}"
    if item and item != stated:
        raise SourceError(f"file states treaty {stated}, expected {item}", file=filename)

    eif = _text(external, "EIF/Labeltext")
    facts = dict(
        instrument=stated, format="untc_xml",
        title=_text(external, "Titlesect"), subtitle=_text(external, "Subtitlesect"),
        conclusion=_text(external, "Conclusion"), entry_into_force_text=eif,
        declared_signatories=_int(_text(external, "Status/Signatories")),
        declared_parties=_int(_text(external, "Status/Parties")),
        endnotes={
            clean_text(n.findtext("index")): clean_text(" ".join("".join(t.itertext()) for t in n.findall("text")))
            for n in (treaty.findall("EndNotes/Note") if treaty is not None else [])
        },
    )
    tgroup = treaty.find("Participants/Table/TGroup")
    facts["has_participant_table"] = tgroup is not None
    if tgroup is None:
        return status_result(filename, facts={**facts, "counted_signatories": None, "counted_parties": None},
                             warnings=["header only: the file has status counts but no participant table"])
    headers = ["".join(e.itertext()) for e in tgroup.findall("Thead/Row/Entry")]
    body = []
    for row_no, row in enumerate(tgroup.findall("Tbody/Rows/Row"), start=1):
        body.append((row_no, ["".join(e.itertext()) for e in row.findall("Entry")]))
    from . import instrument_by_mtdsg
    info = instrument_by_mtdsg().get(stated, {})
    return read_rows(filename, headers, body, item=stated, adopted_on=info.get("actions_from") or info.get("adopted_on"),
                     as_of=date.fromisoformat(as_of) if as_of else None, facts=facts)
