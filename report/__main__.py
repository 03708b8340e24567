"""`python -m report RELEASE_DB OUT`: the scorecard site of one release, written by a process of its
own (the nightly build writes it beside the exports, on the other core); prints what was written as
one JSON line."""
import json
import sys
from pathlib import Path

from .build import build_site

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m report RELEASE_DB OUT")
    print(json.dumps(build_site(Path(sys.argv[1]), Path(sys.argv[2]))))
