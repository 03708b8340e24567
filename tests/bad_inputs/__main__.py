"""Write every corpus file with its expected outcome: python -m tests.bad_inputs OUTDIR"""
from __future__ import annotations

import sys
from pathlib import Path

from .cases import CASES
from .corpus import Refused
from .run import write


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    for case in CASES:
        path = write(case, out / case.family / case.base / case.name)
        if isinstance(case.expect, Refused):
            expected = "refused: " + " … ".join(case.expect.says)
        else:
            expected = "loads; rejected: " + (", ".join(f"{n} × {r!r}" for r, n in case.expect.rejected.items()) or "none")
        how = f"unodc-indicators inspect {case.family} {path}"
        print(f"{case.id:<64} {expected:<60} {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
