"""`unodc-indicators ARGS` with timing points before the run: libraries imported, definitions loaded.

    .venv/bin/python -m bench.cold TIMINGS.json run --home DIR

The same entry point as the console script; the imports it would do lazily are done first, each
timed, so that a cold run's environment start and definitions load are measured in the run itself.
"""
import json
import sys
import time

if __name__ == "__main__":
    out = sys.argv[1]
    marks = {"imports_start": time.time()}
    # A nightly run loads only what it needs to decide (no dbt unless it builds): nothing preloaded.
    if "--if-changed" not in sys.argv:
        import dagster  # noqa: F401
        import dagster_dbt  # noqa: F401
        import duckdb  # noqa: F401
        import polars  # noqa: F401
        marks["libraries_imported"] = time.time()
        from orchestration.definitions import defs  # noqa: F401
        marks["definitions_loaded"] = time.time()
    from orchestration.cli import main

    code = main(sys.argv[2:])
    marks["finished"] = time.time()
    with open(out, "w") as fh:
        json.dump({**marks, "returncode": code}, fh)
    sys.exit(code)
