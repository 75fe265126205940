"""How the benchmarks time things, and the one table every figure lands in.

A figure and its peer or floor run as processes, alternating, after one warm-up each, and are compared by
medians: the machine is shared, so load drifts, and alternating makes the drift hit both sides alike.
CPU time is the child's own (``os.wait4``), its helpers included once they are reaped.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PY = sys.executable
STUDYCARDS = str(Path(sys.executable).with_name("studycards"))  # the console script users run
NOW = "2026-11-23T09:00"
FLOOR = [PY, "-c", "import click, sqlite3"]
FLOOR_NAME = "python -c 'import click, sqlite3'"

# The peak is VmHWM, the kernel's high-water mark of this process's own memory: ru_maxrss would carry over
# what the runner held when it forked (it survives exec).  A child the command waited for is ru_maxrss.
PEAK = """
import resource, sys
from studycards.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
with open("/proc/self/status") as status:
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print("PEAK", own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


@dataclass(frozen=True)
class Row:
    figure: str
    ours: str
    peer: str
    ratio: str
    target: str
    ok: bool


TABLE: list[Row] = []


def env(home: Path) -> dict[str, str]:
    """Bytecode caching on, as after any install: a start-up figure must not include compiling our sources."""
    environ = {**os.environ, "STUDYCARDS_HOME": str(home), "STUDYCARDS_NOW": NOW}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return environ


PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Make the runner the parent of what a command leaves running when it exits (``add``'s drawer, Linux), so
    :func:`settle` can wait for it and read its CPU time as the kernel counts it."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def drawers(home: Path) -> list[int]:
    """The drawer processes (``python -m studycards.mathtext.drawer HOME``) working on ``home``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"studycards.mathtext.drawer" in argv and os.fsencode(home) in argv:
            found.append(int(entry.name))
    return found


def settle(home: Path) -> tuple[float, float]:
    """Wait until the drawer ``add`` left drawing ``home``'s equations has finished, so it never competes with
    what is timed next: the wall seconds waited and the drawer's CPU seconds (0 when it was not adopted)."""
    start = time.perf_counter()
    cpu = 0.0
    for pid in drawers(home):
        try:
            _, _, usage = os.wait4(pid, 0)
            cpu += usage.ru_utime + usage.ru_stime
        except ChildProcessError:  # not the runner's child: wait until it is gone
            while pid in drawers(home):
                time.sleep(0.05)
    return time.perf_counter() - start, cpu


def run(cmd: Sequence[str], environ: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one process, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])}… failed: {err.decode(errors='replace')[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Pair:
    """Medians of alternating runs: wall and CPU seconds of the peer (or floor) and of ours."""

    peer: float
    ours: float
    peer_cpu: float
    ours_cpu: float


def side_by_side(
    peer: Sequence[str] | Callable[[], tuple[float, float]],
    ours: Sequence[str] | Callable[[], tuple[float, float]],
    environ: dict[str, str],
    runs: int,
    before: Callable[[], None] | None = None,
) -> Pair:
    """``runs`` alternating runs of each after one warm-up; ``before`` runs (untimed) before each of ours."""

    def once(what: Sequence[str] | Callable[[], tuple[float, float]]) -> tuple[float, float]:
        return what() if callable(what) else run(what, environ)

    once(peer)
    if before:
        before()
    once(ours)
    peers, ourses = [], []
    for _ in range(runs):
        peers.append(once(peer))
        if before:
            before()
        ourses.append(once(ours))
    return Pair(
        statistics.median(p[0] for p in peers),
        statistics.median(o[0] for o in ourses),
        statistics.median(p[1] for p in peers),
        statistics.median(o[1] for o in ourses),
    )


def shown(seconds: float) -> str:
    if seconds < 0.01:
        return f"{seconds * 1000:.3f} ms"
    if seconds < 10:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def ratio(figure: str, ours: float, peer_name: str, peer: float, target: float) -> None:
    """A row whose target is a ratio to a peer or a floor measured in the same run."""
    value = ours / peer
    ok = value <= target
    TABLE.append(Row(figure, shown(ours), f"{peer_name} {shown(peer)}", f"{value:.2f}x", f"<= {target:g}x", ok))


def bound(figure: str, value: float, unit: str, target: float, note: str = "") -> None:
    """A row with an absolute bound (seconds or MB), where the issue gives no peer."""
    text = shown(value) if unit == "s" else f"{value:.0f} {unit}"
    limit = f"< {target:g} {unit}"
    TABLE.append(Row(figure, text, note, "", limit, value < target))


def info(figure: str, value: str, note: str = "") -> None:
    """A row that informs and has no target (it never fails the run)."""
    TABLE.append(Row(figure, value, note, "", "", True))


def peak(args: Sequence[str], environ: dict[str, str]) -> tuple[float, float]:
    """Peak resident MB of ``studycards ARGS`` as the OS counts it, and of the biggest helper it waited for."""
    result = subprocess.run([PY, "-c", PEAK, *args], env=environ, capture_output=True, text=True, check=True)
    line = [x for x in result.stderr.splitlines() if x.startswith("PEAK")][-1]
    own, child = line.split()[1:]
    return int(own) / 1024, int(child) / 1024


def printed(rows: Sequence[Row]) -> str:
    """The table as the runner prints it: markdown, so the README shows exactly what was printed."""
    head = ("figure", "ours", "peer / floor", "ratio", "target", "")
    verdict = lambda r: ("pass" if r.ok else "FAIL") if r.target else ""  # noqa: E731
    cells = [head, *[(r.figure, r.ours, r.peer, r.ratio, r.target, verdict(r)) for r in rows]]
    width = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cell, width)) + " |" for cell in cells]
    return "\n".join([lines[0], "|" + "|".join("-" * (w + 2) for w in width) + "|", *lines[1:]])
