"""A bundle in which one file arrived again: the night of one changed file, for the benchmark.

    .venv/bin/python -m bench.changed BUNDLE FAMILY OUT [--times N] [--dataset PREFIX]

writes OUT, a copy of BUNDLE (its files symbolic links to BUNDLE's, nothing rewritten) in which
the newest file of FAMILY (by its `as_of`; of a dataset starting with PREFIX) is stored N more times, each time as a newer version of
the same item, as a new UN-CTS release or a new UNTC status page comes: the same bytes under a
version a day later (`<version>-next<i>`, `as_of` one day on), in a folder of its own
(`<family>/next<i>/`), its sidecar saying it is a benchmark's copy. A home built from BUNDLE sees
one new snapshot per step: `UNODC_BUNDLE_DIR=OUT/step1 unodc-indicators run --if-changed`, then
`OUT/step2`, and so on, each a night with one file changed.
"""
from __future__ import annotations

import argparse
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml

NOTE = ("Benchmark copy (bench/changed.py): the bundled snapshot {origin} arriving again as a newer version "
        "{version}, same bytes; not a real release.")


def link_tree(source: Path, out: Path) -> None:
    # Symbolic links, not hard links: a hard link changes its file's ctime, and the import trusts a
    # bundled file it hashed before only while its size, times and inode are unchanged (a real night
    # finds the bundle's files untouched, and hashes only the new one). A link resolves to the
    # bundle's own file, whose stat and trusted record a night then finds as they were.
    def link(src, dst):
        os.symlink(os.path.abspath(src), dst)

    shutil.copytree(source, out, copy_function=link)


def _later(day, days: int):
    try:
        return str(date.fromisoformat(str(day)[:10]) + timedelta(days=days))
    except ValueError:
        return day


def changed_bundles(bundle: Path, family: str, out: Path, times: int = 1, dataset: str = "") -> list[Path]:
    """OUT/step1 … OUT/stepN: step i holds the bundle and i newer versions of one file of `family`
    (the newest whose dataset starts with `dataset`)."""
    found = [(s, yaml.safe_load(s.read_text())) for s in sorted((bundle / family).rglob("*.snapshot.yaml"))]
    found = [(s, m) for s, m in found if str(m.get("dataset", "")).startswith(dataset)]
    if not found:
        raise ValueError(f"{bundle / family} holds no snapshot of a dataset {dataset}*")
    # The newest file, so that its next version is its item's newest too (an older one may be
    # superseded by a later file of the same item already).
    first, meta = max(found, key=lambda sm: (str(sm[1].get("as_of") or ""), str(sm[1]["version"]), str(sm[0])))
    data = first.with_name(meta["filename"])
    steps = []
    for step in range(1, times + 1):
        where = out / f"step{step}"
        link_tree(bundle, where)
        for i in range(1, step + 1):
            folder = where / family / f"next{i}"
            folder.mkdir(parents=True)
            os.symlink(data.resolve(), folder / data.name)
            version = f"{meta['version']}-next{i}"
            newer = {**meta, "version": version, "as_of": _later(meta.get("as_of"), i),
                     "accessed": _later(meta.get("accessed"), i),
                     "notes": NOTE.format(origin=f"{first.relative_to(bundle)}", version=version)}
            (folder / first.name).write_text(yaml.safe_dump(newer, sort_keys=False, allow_unicode=True))
        steps.append(where)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle")
    parser.add_argument("family")
    parser.add_argument("out")
    parser.add_argument("--times", type=int, default=1)
    parser.add_argument("--dataset", default="", help="the newest file whose dataset starts with this (e.g. cts_)")
    args = parser.parse_args()
    for step in changed_bundles(Path(args.bundle), args.family, Path(args.out), args.times, args.dataset):
        print(step)


if __name__ == "__main__":
    main()
