"""A source family is declared once, in its own folder: `sources/<package>/family.py` holds
`FAMILY = Family(...)`. `families()` finds every declaration; the Dagster definitions, jobs,
schedules and sensors, the nightly decision, the command line, `inspect`, freshness, release diffs,
the publish gate and dbt's unions over families all read that one list.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SOURCES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DbtMembers:
    """The family's dbt models that the project-wide unions read (dim_snapshot, fct_load_rejects,
    fct_load_reconciliation, fct_indicator_values). Each must have the union's columns; the indicator
    models must meet fct_indicator_values' contract."""
    snapshots: str | None = None
    rejects: str | None = None
    files: str | None = None
    indicator_values: tuple[str, ...] = ()

    def as_var(self) -> dict:
        return {"snapshots": self.snapshots, "rejects": self.rejects, "files": self.files,
                "indicator_values": list(self.indicator_values)}


@dataclass(frozen=True)
class Family:
    name: str                        # snapshots' `family`, registry `answered_by`, sources/bundled/<name>/
    title: str
    package: str                     # the Python package that declares it (sources.<package>)
    dbt: DbtMembers = field(default_factory=DbtMembers)
    # Answers annex lines: a name the registry's `answered_by` may take. Reference families
    # (the strategy text) are built and listed, but answer no line themselves.
    answers_indicators: bool = True
    order: int = 100                 # where it stands in lists (definitions, summaries): small first


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """Every family declared under sources/, in their declared order."""
    found = []
    for info in pkgutil.iter_modules([str(SOURCES)]):
        if not info.ispkg or not (SOURCES / info.name / "family.py").exists():
            continue
        module = importlib.import_module(f"sources.{info.name}.family")
        family = getattr(module, "FAMILY", None)
        if not isinstance(family, Family):
            raise TypeError(f"sources/{info.name}/family.py must define FAMILY = Family(...)")
        found.append(family)
    names = [f.name for f in found]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"source families declared twice: {', '.join(duplicated)}")
    return tuple(sorted(found, key=lambda f: (f.order, f.name)))


def family(name: str) -> Family:
    for f in families():
        if f.name == name:
            return f
    raise KeyError(f"no source family {name!r} (declared: {', '.join(f.name for f in families())})")


def dbt_vars() -> dict:
    """The `families` variable every dbt invocation gets: the unions over families are built from it."""
    return {"families": {f.name: f.dbt.as_var() for f in families()}}
