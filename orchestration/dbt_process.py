"""`unodc-indicators-dbt`: dbt's own command line, as the build's dbt step starts it, ending
without the interpreter's teardown (orchestration/process_exit.py). Everything else is dbt's:
its arguments, its output and its exit status."""
from __future__ import annotations

import sys

from .process_exit import leave


def main() -> None:
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"     # dbt's messages name the program
    try:
        cli()
        code = 0
    except SystemExit as exc:   # click ends every dbt command this way
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    leave(code)


if __name__ == "__main__":
    main()
