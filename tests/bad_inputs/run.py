"""Run one corpus file through the entry point a user has: `inspect` (the same parsers the build
uses), or for a filled template the parser the landing folder feeds."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from orchestration.inspect import blocking_problems, inspect_file
from sources.iati.template import parse_template
from sources.strategy.registry import load_registry

from .cases import BASES
from .corpus import Case


@lru_cache(maxsize=1)
def registry() -> dict:
    return load_registry()


def outcome(case: Case, path: Path) -> dict:
    if case.via == "template":
        result = parse_template(path.read_bytes(), filename=path.name, registry=registry())
        report = {"file": str(path), "rows_in": result.rows_in, "rows_accepted": result.rows_accepted,
                "rows_rejected": result.rows_rejected, "rows_not_available": result.rows_not_available,
                "reconciles": result.reconciles,
                "rejects": result.rejects.to_dicts(), "summary": result.facts, "warnings": result.warnings,
                "accepted_values": {c: result.accepted[c].to_list() for c in result.accepted.columns}}
        report["blocking"] = blocking_problems("project_outputs", report)
        return report
    return inspect_file(case.family, str(path))


def file_name(case: Case) -> str:
    return case.filename or BASES[case.base][1]


def write(case: Case, folder: Path) -> Path:
    path = folder / file_name(case)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(case.make())
    return path


@lru_cache(maxsize=None)
def base_outcome(base: str, folder: str) -> dict:
    """The unmutated file's outcome: what a mutation's counts are measured against."""
    family, filename, make = BASES[base]
    path = Path(folder) / base / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make())
    via = "template" if base == "template" else "inspect"
    return outcome(Case(family, base, "unmutated", "base", make, None, via=via), path)
