"""`unodc-indicators-dbt`: dbt's own command line, as the build's dbt step starts it, ending
without the interpreter's teardown (orchestration/process_exit.py). Everything else is dbt's:
its arguments, its output and its exit status. In a build, the command is handed to the process
the build started ahead to import dbt (orchestration/dbt_ahead.py), and its status passed on."""
from __future__ import annotations

import sys

from .process_exit import leave, status_of


def dbt_status() -> int:
    """Run dbt's command line on sys.argv[1:] in this process: its exit status."""
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    try:
        cli(prog_name="dbt")    # dbt's messages name the program, whatever started this process
        return 0
    except SystemExit as stop:  # click ends every dbt command this way
        return status_of(stop)
    except KeyboardInterrupt:   # stopped before dbt's own handling of it began
        return 130


def main() -> None:
    import os

    from .dbt_ahead import ENV, hand_over

    if os.environ.get(ENV):
        # A build started dbt ahead of this step: it runs this command (orchestration/dbt_ahead.py).
        code = hand_over(os.environ[ENV], sys.argv[1:])
        if code is not None:
            leave(code)
    leave(dbt_status())


if __name__ == "__main__":
    main()
