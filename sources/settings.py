"""Where the pipeline keeps its files. One environment variable moves them all."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def snapshots(self) -> Path:
        return self.home / "var" / "snapshots"

    @property
    def build_dir(self) -> Path:
        return self.home / "var" / "build"

    @property
    def build_db(self) -> Path:
        return self.build_dir / "build.duckdb"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "indicators.duckdb"

    @property
    def lock_file(self) -> Path:
        return self.build_dir / "build.lock"


def bundled_dir() -> Path:
    """`UNODC_BUNDLE_DIR` names another folder laid out like `sources/bundled` (family folders of files
    with `*.snapshot.yaml` sidecars) to build from instead; the benchmark's scaled copies use it."""
    return Path(os.environ.get("UNODC_BUNDLE_DIR") or BUNDLED_DIR).resolve()


def paths() -> Paths:
    """`UNODC_HOME` (default: the project folder) holds `var/` and `warehouse/`."""
    home = Path(os.environ.get("UNODC_HOME") or PROJECT_ROOT).resolve()
    return Paths(home)
