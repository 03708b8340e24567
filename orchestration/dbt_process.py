"""`unodc-indicators-dbt`: dbt's own command line, as the build's dbt step starts it, ending
without the interpreter's teardown (orchestration/process_exit.py). Everything else is dbt's:
its arguments, its output and its exit status. In a build, the command is handed to the process
the build started ahead to import dbt (orchestration/dbt_ahead.py), and its status passed on."""
from __future__ import annotations

import sys

from .process_exit import leave, status_of


def main() -> None:
    import os

    from .dbt_ahead import ENV, hand_over

    if os.environ.get(ENV):
        # A build started dbt ahead of this step: it runs this command (orchestration/dbt_ahead.py).
        code = hand_over(os.environ[ENV], sys.argv[1:])
        if code is not None:
            leave(code)
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"     # dbt's messages name the program
    try:
        cli()
        code = 0
    except SystemExit as stop:  # click ends every dbt command this way
        code = status_of(stop)
    leave(code)


if __name__ == "__main__":
    main()
