"""The results of bench/run.py as the Markdown table BENCHMARKS.md records."""
from __future__ import annotations


def _f(fig: dict | None, unit: str = "s", scale: float = 1.0, digits: int = 1) -> str:
    if not fig:
        return "–"
    med, lo, hi = (fig[k] * scale for k in ("median", "min", "max"))
    if fig.get("n", 1) == 1:
        return f"{med:,.{digits}f} {unit}"
    return f"{med:,.{digits}f} {unit} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def _build_row(name: str, entry) -> str:
    if isinstance(entry, str):
        return f"| {name} | {entry} | | |"
    if not entry:
        return f"| {name} | not run | | |"
    if not entry.get("succeeded"):
        fail = entry.get("failure") or {}
        why = "stopped at the memory cap" if fail.get("stopped_at_cap") else f"failed (exit {fail.get('returncode')})"
        return (f"| {name} | {why} after {fail.get('wall_s', 0):,.0f} s | peak {fail.get('peak_mib', 0):,.0f} MiB "
                f"| {entry['succeeded']}/{entry['runs']} |")
    return f"| {name} | {_f(entry['wall_s'])} | {_f(entry['peak_mib'], 'MiB', digits=0)} | {entry['succeeded']}/{entry['runs']} |"


def _proc_row(name: str, entry: dict | None) -> str:
    if not entry:
        return f"| {name} | not run | | |"
    if "error" in entry:
        why = "stopped at the memory cap" if entry.get("stopped_at_cap") else "failed"
        return f"| {name} | {why} after {entry.get('wall_s', 0):,.0f} s | peak {entry.get('peak_mib', 0):,.0f} MiB | |"
    return f"| {name} | {_f(entry['wall_s'])} | {_f(entry['peak_mib'], 'MiB', digits=0)} | {entry['wall_s']['n']} |"


def _median(entry, key="wall_s"):
    if isinstance(entry, dict) and isinstance(entry.get(key), dict):
        return entry[key]["median"]
    return None


# Issue 19's table: figure, how it is read from the results, the target, and whether lower is better.
TARGETS = (
    ("nightly run, one UN-CTS file changed, ×100", lambda r: _median(r.get("nightly_cts_changed_x100")), 60, "s", True),
    ("nightly run, one UNTC status file changed, ×1", lambda r: _median(r.get("nightly_untc_changed_x1")), 20, "s", True),
    ("cold `unodc-indicators run`, ×1, after install", lambda r: _median(r.get("cold_x1")), 40, "s", True),
    ("pipeline ÷ engine floor, full build ×100", lambda r: _ratio(_median(r.get("build_x100")),
                                                                  _median(r.get("floor_x100"))), 2.5, "", True),
    ("pandas ÷ pipeline, ×10", lambda r: _ratio(_median(r.get("pandas_x10")), _median(r.get("build_x10"))), 1.5, "",
     False),
    ("peak memory, full build ×100", lambda r: _median(r.get("build_x100"), "peak_mib"), 3072, "MiB", True),
    ("nightly run, nothing changed", lambda r: _median(r.get("nightly_unchanged")), 5, "s", True),
)


def _ratio(a, b):
    return a / b if a and b else None


def targets(r: dict) -> list[str]:
    """Every figure of issue 19's table beside its target: met, missed, or not measured in this run."""
    lines = ["Issue 19's targets:", "", "| figure | this run | target | |", "|---|---:|---:|---|"]
    for name, read, target, unit, lower in TARGETS:
        value = read(r)
        bound = f"{'≤' if lower else '≥'} {target:,}{' ' + unit if unit else ''}"
        if value is None:
            lines.append(f"| {name} | not measured in this run | {bound} | |")
            continue
        met = value <= target if lower else value >= target
        shown = f"{value:,.0f} {unit}" if unit == "MiB" else (f"{value:,.1f} {unit}" if unit else f"{value:.2f}")
        lines.append(f"| {name} | {shown} | {bound} | {'met' if met else 'missed'} |")
    return lines


def render(r: dict) -> str:
    m = r["machine"]
    lines = [f"Command: `{r['command']}` ({r['started']} to {r.get('finished')}); {r['runs']} run(s) per figure.",
             f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['platform']}, Python {m['python']}; load "
             f"average at start {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}, at end "
             f"{', '.join(f'{x:.1f}' for x in m.get('load_average_at_end', []))}.",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".", ""]
    if "inputs" in r:
        lines += ["| inputs | files | total | largest file |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v['files']} | {v['total_mib']:,.1f} MiB | {v['largest_mib']:,.1f} MiB |"
                  for k, v in r["inputs"].items()]
        lines.append("")
    lines += ["| figure | wall time, median (min–max) | peak memory | runs |", "|---|---:|---:|---:|"]
    lines.append(_build_row("1. cold `run`, bundled default (×1)", r.get("cold_x1")))
    lines.append(_build_row("2. nightly run, nothing changed", r.get("nightly_unchanged")))
    for key in sorted((k for k in r if k.startswith("build_x")), key=lambda k: int(k[7:])):
        lines.append(_build_row(f"3. full build ×{key[7:]}", r[key]))
    for key in sorted((k for k in r if k.startswith("floor_x")), key=lambda k: int(k[7:])):
        lines.append(_proc_row(f"4. engine floor ×{key[7:]}", r[key]))
    for key in sorted((k for k in r if k.startswith("pandas_x")), key=lambda k: int(k[8:])):
        lines.append(_proc_row(f"5. pandas ×{key[8:]}", r[key]))
    lines.append(_build_row("7. export of every annex table", r.get("export")))
    lines.append(_build_row("8. nightly run, one UNTC status file changed (×1)", r.get("nightly_untc_changed_x1")))
    for key in sorted((k for k in r if k.startswith("nightly_cts_changed_x")), key=lambda k: int(k[21:])):
        lines.append(_build_row(f"8. nightly run, one UN-CTS file changed (×{key[21:]})", r[key]))
    lines.append("")
    ratios = []
    for key in (k for k in r if k.startswith("floor_x")):
        scale = key[7:]
        pipe = _median(r.get("cold_x1")) if scale == "1" else _median(r.get(f"build_x{scale}"))
        floor = _median(r[key])
        if pipe and floor:
            ratios.append(f"pipeline ÷ floor ×{scale}: {pipe / floor:.1f}")
    for key in (k for k in r if k.startswith("pandas_x")):
        scale = key[8:]
        pipe = _median(r.get("cold_x1")) if scale == "1" else _median(r.get(f"build_x{scale}"))
        pandas = _median(r[key])
        if pipe and pandas:
            ratios.append(f"pandas ÷ pipeline ×{scale}: {pandas / pipe:.2f}")
    if ratios:
        lines += ["Ratios (medians): " + "; ".join(ratios) + ".", ""]
    cold = r.get("cold_x1") or {}
    if cold.get("breakdown"):
        lines += ["Cold run ×1, where the time goes:", "", "| part | seconds, median (min–max) |", "|---|---:|"]
        for part, fig in sorted(cold["breakdown"].items(), key=lambda kv: -kv[1]["median"]):
            lines.append(f"| {part} | {_f(fig, 's', digits=2)} |")
        lines.append("")
        if cold.get("dagster_events"):
            lines += [f"Dagster events written per cold run (each its own sqlite transactions; the run start-up "
                      f"writes one planned event per asset and check): {', '.join(map(str, cold['dagster_events']))}; "
                      f"dbt reused the parse made at set-up: "
                      f"{', '.join('yes' if p else 'no' if p is False else 'unknown' for p in cold['dbt_partial_parse'])}.",
                      ""]
    for key in sorted((k for k in r if k.startswith("build_x")), key=lambda k: int(k[7:])):
        if r[key].get("breakdown"):
            parts = sorted(r[key]["breakdown"].items(), key=lambda kv: -kv[1]["median"])[:4]
            lines.append(f"Full build ×{key[7:]}, largest parts: " + "; ".join(
                f"{p} {fig['median']:.1f} s" for p, fig in parts) + ".")
    for key in (k for k in r if k.startswith(("nightly_untc_changed", "nightly_cts_changed"))):
        missed = [d for d in r[key].get("decisions") or [] if not (d or "").startswith("rebuild:")]
        if missed:
            lines.append(f"{key}: a run did not find its changed file ({missed[0]}): the figure is not what it says.")
    lines += ([] if lines[-1] == "" else [""]) + targets(r)
    if r.get("sidebyside"):
        side = r["sidebyside"]
        lines += ["", f"Side by side with {side['before']} (bench/sidebyside.py, alternating, fresh homes):", "",
                  side.get("table") or f"failed: {side.get('error', '')[-500:]}"]
    if "agreement_x1" in r:
        lines += ["", "Floor against the published warehouse at ×1 (rows, checksum):", "",
                  "| mart | floor | pipeline | same |", "|---|---|---|---|"]
        for a in r["agreement_x1"]:
            same = "yes" if a["agree"] else (
                f"yes but the {a['rejected']} row(s) the pipeline rejects" if a.get("agree_but_rejected") else "no")
            lines.append(f"| {a['mart']} | {a['floor']} | {a['pipeline']} | {same} |")
    q = r.get("queries")
    if q:
        lines += ["", f"Researcher queries on the ×{q['scale']} warehouse (ms, fresh read-only connection each):", "",
                  "| query | idle p50 | idle p95 | during a build p50 | during a build p95 |", "|---|---:|---:|---:|---:|"]
        for name, idle in q["idle"].items():
            busy = q.get("during_build", {}).get(name, {})
            lines.append(f"| {name} | {idle['p50_ms']:.1f} | {idle['p95_ms']:.1f} | "
                         f"{busy.get('p50_ms', float('nan')):.1f} | {busy.get('p95_ms', float('nan')):.1f} |")
    return "\n".join(lines) + "\n"
