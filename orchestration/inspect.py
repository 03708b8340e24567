"""Parse and validate one file the way the pipeline would, without touching the warehouse: the
family's own `inspect` (sources/<package>/inspect.py) reads it, and the build's blocking checks
that one file can fail are named here."""
from __future__ import annotations

from pathlib import Path

from sources.errors import SourceError
from sources.family import families, family
from sources.fetch import http_get
from sources.parsing import MAX_FILE_BYTES


def inspected_families() -> tuple[str, ...]:
    """The families whose files `inspect` reads."""
    return tuple(f.name for f in families() if f.inspect is not None)


def read_source(path_or_url: str) -> tuple[bytes, str]:
    if path_or_url.lower().startswith(("http://", "https://")):
        name = path_or_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "download"
        return http_get(path_or_url), name
    path = Path(path_or_url)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SourceError(f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit", file=str(path))
    return path.read_bytes(), path.name


def inspect_file(name: str, path_or_url: str) -> dict:
    data, filename = read_source(path_or_url)
    try:
        declared = family(name)
    except KeyError:
        raise SourceError(f"unknown family {name!r}", file=filename) from None
    if declared.inspect is None:
        raise SourceError(f"family {name!r} has no files to inspect", file=filename)
    report = declared.inspect(data, filename, path_or_url)
    report["blocking"] = blocking_problems(name, report)
    return report


def blocking_problems(name: str, report: dict) -> list[str]:
    """What in this one file would stop the build, each named by the build's blocking check, so
    that `inspect` and the build never disagree (issue 20, defect 10). A family's own inspect lists
    what its own checks refuse (`blocking` in its report: ratification's unmapped participants).
    Checks that need the other files or the published warehouse (the family-wide UNTC reject rate,
    a UN-CTS release that shrinks the published one) are the build's alone."""
    from .limits import MAX_REJECT_RATE as limit, RATE_MIN_ROWS

    problems = []
    rows_in, accepted, rejected = report["rows_in"], report["rows_accepted"], report["rows_rejected"]
    if not report["reconciles"]:
        problems.append(f"rows in ({rows_in}) != accepted ({accepted}) + rejected ({rejected}) + not available "
                        f"({report['rows_not_available']}): the files table's check (pandera) stops the build")
    problems += report.get("blocking") or []
    # The file reject rate, under the name the family's check has in the build.
    check = next((c.name for c in family(name).checks if c.rule == "common.file_reject_rate"), None)
    if check is None:
        return problems
    if rows_in > 0 and accepted == 0:
        problems.append(f"{check}: every_row_rejected ({rejected} of {rows_in} rows rejected)")
    if rows_in >= RATE_MIN_ROWS and rejected / rows_in > limit:
        problems.append(f"{check}: {rejected} of {rows_in} rows rejected ({rejected / rows_in:.1%}), "
                        f"over the limit of {limit:.0%}")
    return problems
