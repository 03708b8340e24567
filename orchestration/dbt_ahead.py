"""dbt started ahead: a process that imports dbt while the build does its first steps, then runs
the dbt step's command as its own.

A build's dbt step starts `unodc-indicators-dbt` through dagster-dbt, and that process spent about
2.5 s importing dbt before its first node (BENCHMARKS.md), while the build's own process had been
importing Dagster and loading the raw tables on one core of two. `start()`, called when a build
begins, starts a process that imports dbt at once and waits on a socket of its own. When the dbt
step's `unodc-indicators-dbt` starts, it hands that process its command line, its environment, its
working folder and its standard streams (`hand_over`), and waits for the exit status, which it makes
its own. dagster-dbt sees the same process, the same output and the same status as before.

dbt still runs in a process of its own, apart from the build's (a native crash in dbt's adapter
ends that process only, and the dbt step fails and says so). The process serves one command: a
second dbt command in the same build, or a build that never reached its dbt step, runs dbt as
before. Anything that goes wrong before dbt starts there (the process gone, its socket missing)
leaves `unodc-indicators-dbt` to run dbt itself.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

ENV = "UNODC_DBT_AHEAD"     # the socket of the process started ahead, for unodc-indicators-dbt
WAIT_S = 1.0                # how often a waiting process looks whether the build that started it is alive
MESSAGE = 1 << 20           # a request: the command line and the environment (a few kB)
STOP_S = 10                 # dbt's time to stop once the command that asked for it is gone


class Ahead:
    """The process started ahead, from the build's side."""

    def __init__(self, proc: subprocess.Popen, folder: Path):
        self.proc, self.folder = proc, folder
        self.socket = folder / "dbt.sock"

    def stop(self) -> None:
        """At the end of a build: a process still waiting is ended (one running dbt is left to end
        as dbt's process always did: the dbt step waits for it)."""
        if os.environ.get(ENV) == str(self.socket):
            del os.environ[ENV]
        if self.proc.poll() is None and self.socket.exists():
            self.proc.kill()
            self.proc.wait()
        try:
            self.socket.unlink(missing_ok=True)
            self.folder.rmdir()
        except OSError:
            pass


def start() -> Ahead:
    """Start the process and tell this process's dbt commands where it waits (ENV). Its socket is in
    a folder only this user can enter: whoever connects has it run dbt with this user's rights."""
    folder = Path(tempfile.mkdtemp(prefix="unodc-dbt-"))
    # Listening before this returns: a command that comes while the process starts waits for it.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with listener:
        listener.bind(str(folder / "dbt.sock"))
        listener.listen(1)
        proc = subprocess.Popen([sys.executable, "-u", "-m", "orchestration.dbt_ahead", str(folder / "dbt.sock"),
                                 str(listener.fileno()), str(os.getpid())], pass_fds=[listener.fileno()],
                                # Its own output is none; dbt's goes to the streams the dbt step hands over.
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ahead = Ahead(proc, folder)
    os.environ[ENV] = str(ahead.socket)
    return ahead


@contextmanager
def started_ahead():
    """A build's span: dbt started ahead at its start, and stopped at its end if still waiting. A
    process that cannot be started (no socket can be made in the temporary folder, say) is no
    reason to stop a build: its dbt step starts dbt itself, as it did before."""
    try:
        ahead = start()
    except OSError as exc:
        print(f"warning: dbt is not started ahead of the dbt step ({exc}); the step starts it", file=sys.stderr)
        yield None
        return
    try:
        yield ahead
    finally:
        ahead.stop()


def _send(conn: socket.socket, message: dict, fds: list[int] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(conn, [data], list(fds))
    else:
        conn.send(data)


def _receive(conn: socket.socket) -> dict | None:
    data = conn.recv(MESSAGE)
    return json.loads(data) if data else None


def hand_over(path: str, argv: list[str]) -> int | None:
    """In `unodc-indicators-dbt`: have the process waiting at `path` run dbt with `argv`, this
    process's environment, folder and standard streams. Its exit status; None when dbt did not start
    there (nothing waits at `path`, or that process ended before starting it): run dbt here."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    env = {k: v for k, v in os.environ.items() if k != ENV}
    dbt: list[int] = []         # the pid of the process running dbt, once it has started
    signals: list[int] = []     # a signal before then is passed on as soon as dbt has started

    def forward(signum, frame):
        # dagster-dbt stops dbt with SIGINT (and a stop from outside may send SIGTERM).
        if not dbt:
            signals.append(signum)
            return
        try:
            os.kill(dbt[0], signum)
        except ProcessLookupError:
            pass

    before = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    with conn:
        try:
            _send(conn, {"argv": argv, "env": env, "cwd": os.getcwd()}, [0, 1, 2])
            started = _receive(conn)
        except OSError:
            started = None
        if started is None:
            for sig, handler in before.items():
                signal.signal(sig, handler)
            if signals:     # stopped before dbt started anywhere: it does not start here either
                return 128 + signals[0]
            return None
        dbt.append(started["pid"])     # from here on a signal is passed on as it comes, once
        for signum in list(signals):
            os.kill(dbt[0], signum)
        # dagster-dbt writes a line that is not dbt's JSON to the build's log as it is.
        print(f"dbt runs in the process started ahead of the dbt step (pid {dbt[0]})", file=sys.stderr, flush=True)
        try:
            ended = _receive(conn)
            # The status comes before that process ends; its end (the socket closed) is awaited, as
            # dbt's end was, so that the build database is closed when the dbt step goes on.
            while ended is not None and _receive(conn) is not None:
                pass
        except OSError:
            ended = None
    if ended is None:
        print(f"dbt's process (pid {dbt[0]}, started ahead of the dbt step) ended without an exit status: "
              "killed, or crashed", file=sys.stderr)
        return 1
    return ended["status"]


def _peer_uid(conn: socket.socket) -> int:
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    return uid


def _imports() -> None:
    """dbt's command line, and what a `dbt build` imports once it runs (found by comparing the
    modules loaded before and after one): about 2.5 s on this project's machine."""
    import daff  # noqa: F401  (dbt's unit tests)
    import dbt.adapters.duckdb  # noqa: F401
    import dbt.cli.main  # noqa: F401
    import dbt.compilation  # noqa: F401
    import dbt.task.build  # noqa: F401
    import dbt_common.clients.agate_helper  # noqa: F401


def _remove(path: str) -> None:
    """The socket and its folder: nothing else can reach this process once it has its command."""
    try:
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
    except OSError:
        pass


def serve(path: str, fd: int, parent: int) -> None:
    """Import dbt, serve one command from the socket `fd` listening at `path` (a command that came
    while dbt was imported has waited for it), and end with dbt's exit status; end without one
    when the build's process (`parent`) has ended."""
    from .dbt_process import dbt_status
    from .process_exit import leave

    listener = socket.socket(fileno=fd)
    _imports()
    listener.settimeout(WAIT_S)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:    # the build ended without its dbt step, killed, say
                _remove(path)
                os._exit(0)
            continue
        conn.settimeout(None)
        if _peer_uid(conn) != os.getuid():
            conn.close()
            continue
        break
    listener.close()
    _remove(path)
    data, fds, _, _ = socket.recv_fds(conn, MESSAGE, 3)
    request = json.loads(data)
    for fd, into in zip(fds, (0, 1, 2)):
        os.dup2(fd, into)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["dbt", *request["argv"]]
    ended = threading.Event()
    try:
        # A SIGINT passed on from here on (the command's own, or one that came before) ends in a status.
        _send(conn, {"pid": os.getpid()})
        threading.Thread(target=_watch, args=(conn, ended), daemon=True).start()
        code = dbt_status()
    except KeyboardInterrupt:
        code = 130
    leave(code, before_exit=lambda: _tell(conn, ended, code))


def _tell(conn: socket.socket, ended: threading.Event, code: int) -> None:
    ended.set()
    try:
        _send(conn, {"status": code})
    except OSError:
        pass


def _watch(conn: socket.socket, ended: threading.Event) -> None:
    """The command's `unodc-indicators-dbt` gone before dbt ended (killed, say): dbt is stopped as
    dagster-dbt stops it, with SIGINT, and ended if it has not within STOP_S."""
    try:
        conn.recv(1)
    except OSError:
        pass
    if ended.is_set():
        return
    os.kill(os.getpid(), signal.SIGINT)
    if not ended.wait(STOP_S):
        os._exit(1)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
