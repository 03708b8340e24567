"""A source family is declared once, in its own folder: `sources/<package>/family.py` holds
`FAMILY = Family(...)`, and `sources/<package>/datasets.yaml` its datasets (where each is found,
the environment variable that moves it, how old its data may grow). `families()` finds every
declaration; the Dagster definitions, jobs, schedules and sensors, the nightly decision, the
command line, `inspect`, freshness, release diffs, the publish gate, the settings of the URLs and
dbt's unions over families all read that one list.

No Dagster here: the declarations name plain functions (parsers, how a parse becomes rows, rule
checks returning `(passed, details)`), and orchestration/assets/family.py makes the assets and
checks from them.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from . import yamltext

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
    # Its folder under dbt_project/models/staging/: its staging models, and the dbt sources of its
    # raw tables written there from their metadata (`python -m schemas.dbt_sources`).
    staging: str | None = None

    def as_var(self) -> dict:
        return {"snapshots": self.snapshots, "rejects": self.rejects, "files": self.files,
                "indicator_values": list(self.indicator_values)}


def in_schemas(name: str):
    """A table's metadata or a rule of schemas/ by its public name ("crime.CtsObservations"): read
    when the checks are made or a table written, so that finding the families imports no pandera."""
    module, attr = name.rsplit(".", 1)
    return getattr(importlib.import_module(f"schemas.{module}"), attr)


@dataclass(frozen=True)
class RawTable:
    """One table the family writes into the raw layer (raw.<name>), checked by its pandera model."""
    name: str
    # Its metadata (schemas/tables.py Table) by its public name in schemas/, as "crime.CtsObservations":
    # its columns and their order and types, its pandera schema, its empty frame, its `batch_by`.
    schema: str
    after: tuple[str, ...] = ("countries",)       # raw tables of other assets it is built after
    by_parts: bool = False                        # written file by file as the parser hands it over, never held whole
    make: Callable[[], Any] | None = None         # a list the family makes itself, not from its files
    summary: Callable[[dict], dict] | None = None  # what the Dagster UI shows of it, from every table the load wrote

    def model(self):
        return in_schemas(self.schema)


@dataclass(frozen=True)
class RuleCheck:
    """A check of one raw table: a plain function in schemas/, named as "crime.duplicate_keys", of
    the table and a context that returns (passed, details). The context gives the build database
    (`con`), `paths`, `max_reject_rate`, `family`, `table(name)`, `store()` and `published()`
    (orchestration/checks.py RuleContext)."""
    table: str
    name: str
    description: str
    rule: str
    blocking: bool = True
    batch_by: str | None = None
    # Compares the table with the published release (ctx.published()): run by every build, even one
    # that does not load the family again, since the release it compares with changes each time.
    against_release: bool = False

    def function(self) -> Callable[[Any, Any], tuple[bool, dict]]:
        return in_schemas(self.rule)


@dataclass(frozen=True)
class Diff:
    """What a release diff compares of one mart: rows matched on `keys`, compared on `values`."""
    keys: tuple[str, ...]
    values: tuple[str, ...]
    # The natural key repeats in the source: rows are paired by their order within it (`occurrence`).
    numbered: bool = False


@dataclass(frozen=True)
class LandingFolder:
    """A folder under var/landing/ where files arrive by hand, and the suffix of the files the
    family's `collect` takes from it: the landing-folder sensor watches every one declared."""
    name: str          # var/landing/<name>/
    suffix: str        # ".xlsx"

    def path(self, home: Path) -> Path:
        return Path(home) / "var" / "landing" / self.name


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
    # Whether a build reads its snapshots: the nightly run rebuilds when one of them changed.
    built: bool = True
    # Its module in schemas/: the metadata of its raw tables (`TABLES`) and its rule checks.
    schemas: str | None = None

    # Its snapshots: one asset lists them in this raw table (None: a reference family whose
    # snapshot another asset reads).
    snapshots: RawTable | None = None
    snapshots_description: str = ""
    fetch: Callable[[Any], list] | None = None             # fetch(store): live fetches, when enabled
    collect: Callable[[Any, Path], list] | None = None     # collect(store, home): files that arrive by hand
    landing: tuple[LandingFolder, ...] = ()                # where they arrive (with `collect`, at least one)

    # Its raw tables, from its snapshots by `sources/ingest.py`.
    tables_asset: str = ""                                 # the one asset that writes them all
    tables_description: str = ""
    tables: tuple[RawTable, ...] = ()
    parsers: dict[str, Callable] = field(default_factory=dict)   # format -> parser(data, snapshot) -> FrameResult
    rows: Callable | None = None         # rows(result, snapshot, tag) -> {table: frame}: a parse into its tables
    files: str | None = None             # the table with one row per file read
    file_row: Callable | None = None     # file_row(row, result, snapshot) -> its files-table row from the common one
    rejects: str | None = None           # the table of rejected rows
    usable: Callable | None = None       # usable(snapshots) -> the snapshots a build reads (default: all)

    checks: tuple[RuleCheck, ...] = ()   # besides a pandera check of every raw table
    inspect: Callable | None = None      # inspect(data, name, shown_as) -> the report of one file
    diffs: dict[str, Diff] = field(default_factory=dict)   # its marts a release diff compares
    # Its marts whose rows are each of one snapshot and a pure function of it (a `snapshot_id`
    # column): an incremental publish deletes the rows of snapshots gone and inserts those of new
    # snapshots instead of writing the table whole. The value names a key column that one snapshot's
    # rows share: the release diff compares only the rows of values whose snapshots changed.
    by_snapshot: dict[str, str] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return SOURCES / self.package.rsplit(".", 1)[-1]

    def datasets_file(self) -> dict:
        """Its `datasets.yaml`: `datasets` (each with its URL and `url_env`) and `freshness`."""
        return datasets_files().get(self.folder, {})

    def freshness(self) -> dict[str, tuple[int, str]]:
        """Dataset name prefix -> (days, why): how old its newest snapshot may grow."""
        return {prefix: (int(rule["days"]), rule["why"])
                for prefix, rule in (self.datasets_file().get("freshness") or {}).items()}

    def table(self, name: str) -> RawTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"family {self.name} has no raw table {name!r}")


@lru_cache(maxsize=1)
def datasets_files() -> dict[Path, dict]:
    """Every family folder's `datasets.yaml`, read without importing the families (the settings of
    their URLs are read from them before anything else)."""
    return {folder: yamltext.load((folder / "datasets.yaml").read_text()) or {}
            for folder in sorted(p for p in SOURCES.iterdir() if (p / "family.py").exists())
            if (folder / "datasets.yaml").exists()}


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
    _check_landing(found)
    return tuple(sorted(found, key=lambda f: (f.order, f.name)))


RESERVED_LANDING = ("quarantine",)     # var/landing/quarantine/ holds the refused files


def _check_landing(found: list[Family]) -> None:
    """A family that collects files by hand says where they arrive, and only such a family does:
    the landing-folder sensor watches the folders declared, so an undeclared one would never start a refresh."""
    for f in found:
        if bool(f.collect) != bool(f.landing):
            raise ValueError(f"family {f.name}: `collect` and `landing` (its landing folders) are declared together")
    folders = [folder.name for f in found for folder in f.landing]
    shared = sorted({n for n in folders if folders.count(n) > 1 or n in RESERVED_LANDING})
    if shared:
        raise ValueError(f"landing folders declared twice or reserved: {', '.join(shared)}")


def landing_folders() -> tuple[LandingFolder, ...]:
    """Every landing folder the families declare, in their order."""
    return tuple(folder for f in families() for folder in f.landing)


def family(name: str) -> Family:
    for f in families():
        if f.name == name:
            return f
    raise KeyError(f"no source family {name!r} (declared: {', '.join(f.name for f in families())})")


def with_raw_tables() -> tuple[Family, ...]:
    """The families that list their snapshots and parse them into raw tables of their own."""
    return tuple(f for f in families() if f.snapshots)


def published_by_snapshot() -> dict[str, str]:
    """Every mart an incremental publish updates by snapshot, with the key column its snapshots share."""
    return {table: column for f in families() for table, column in f.by_snapshot.items()}


def freshness_rules() -> dict[str, tuple[int, str]]:
    """Every family's freshness promises, by dataset name prefix (the first family's where two agree)."""
    rules: dict[str, tuple[int, str]] = {}
    for f in families():
        for prefix, rule in f.freshness().items():
            rules.setdefault(prefix, rule)
    return rules


def dbt_vars() -> dict:
    """The `families` variable every dbt invocation gets: the unions over families are built from it."""
    return {"families": {f.name: f.dbt.as_var() for f in families()}}
