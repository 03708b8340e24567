"""Run a command and measure it: wall time and the peak resident memory of its whole process tree.

dbt runs as a child of the pipeline, so the peak is sampled over the tree (psutil, every 50 ms),
not read from the parent alone. A tree that grows past the cap is stopped and reported as such:
the benchmark shares the machine and must never push it into swap or the OOM killer.
"""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field

import psutil


@dataclass
class Sample:
    wall_s: float
    peak_mib: float
    returncode: int
    stopped_at_cap: bool = False
    started_at: float = 0.0
    pid: int = 0
    create_time: float = 0.0
    output: str = ""


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def run(cmd: list[str], *, env: dict | None = None, cap_mib: float = 8192, cwd: str | None = None,
        timeout_s: float = 3600, during=None) -> Sample:
    """`during(proc)`, when given, runs in a thread while the command runs (the query load)."""
    started = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ps = psutil.Process(proc.pid)
    create_time = ps.create_time()
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.extend(proc.stdout), daemon=True)
    reader.start()
    side = threading.Thread(target=during, args=(proc,), daemon=True) if during else None
    if side:
        side.start()
    peak, stopped = 0, False
    while proc.poll() is None:
        try:
            peak = max(peak, _tree_rss(ps))
        except psutil.NoSuchProcess:
            break
        if peak > cap_mib * 1024 * 1024 or time.perf_counter() - t0 > timeout_s:
            stopped = True
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    wall = time.perf_counter() - t0
    reader.join(timeout=5)
    if side:
        side.join()
    return Sample(wall, peak / 1024 / 1024, proc.returncode, stopped, started, proc.pid, create_time,
                  "".join(chunks))


@dataclass
class Figure:
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    def summary(self) -> dict | None:
        if not self.values:
            return None
        return {"median": statistics.median(self.values), "min": min(self.values), "max": max(self.values),
                "n": len(self.values)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
