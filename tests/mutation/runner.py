"""Mutation testing of the pure core, on demand: ``python -m tests.mutation [TARGET...] [-j N]``.

The checkout is copied to a temporary directory once; the suite runs there with
per-test line coverage of the targets; then each mutant is written into a
worker's own copy and only the tests that ran its line are run against it,
quickest first, stopping at the first failure.  ``studycards/`` in the checkout
is never written: other people run their tests there.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.mutation.mutate import Mutant, mutants

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EQUIVALENT = HERE / "equivalent.toml"
SCRATCH = Path(tempfile.gettempdir()) / "studycards-mutation"
COPIED = ("studycards", "tests", "decks", "pyproject.toml", "README.md")

TARGETS: dict[str, list[tuple[str, frozenset[str] | None]]] = {
    "sm2": [("studycards/sm2.py", None)],
    "review": [
        ("studycards/review/session.py", frozenset({"summary"})),
        ("studycards/review/queue.py", frozenset({"plan_queue"})),
        ("studycards/review/sides.py", None),
    ],
    "notes": [("studycards/notes/parser.py", None), ("studycards/notes/syntax.py", None)],
    "parser": [("studycards/notes/parser.py", None)],
    "syntax": [("studycards/notes/syntax.py", None)],
    "ids": [("studycards/paper/ids.py", None)],
    "numbering": [("studycards/latex/numbering.py", None)],
    "archive": [("studycards/paper/archive.py", None)],
}
RUNNING: set[subprocess.Popen[bytes]] = set()
DEFAULT = ("sm2", "review", "notes", "ids", "numbering", "archive")


@dataclass
class Outcome:
    mutant: Mutant
    status: str
    tests: int = 0
    seconds: float = 0.0
    killer: str = ""


@dataclass
class Coverage:
    """Which tests ran each line of each target, how long each test took, and which failed unmutated."""

    lines: dict[str, dict[int, set[str]]] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)


def copy_checkout(dest: Path) -> None:
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache", "*.pyc")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, dest / name)


def environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(root),
        PYTHONDONTWRITEBYTECODE="1",
        MUTATION_ROOT=str(root),
        STUDYCARDS_CORPUS=os.environ.get("STUDYCARDS_CORPUS") or str(REPO.parent / "shared" / "corpus"),
    )
    for name in ("MUTATION_COVERAGE_OUT", "MUTATION_SELECT", "MUTATION_TARGETS", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    return env


def pytest_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "tests.mutation.plugin", "-p", "no:cacheprovider", *args]


def fingerprint(root: Path, files: Iterable[str], everything: bool) -> str:
    """Coverage is reused while the targets (and, without ``--reuse-coverage``, the package and tests) are unchanged."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes())
    if everything:
        for base in ("studycards", "tests"):
            for path in sorted((root / base).rglob("*")):
                if path.is_file() and path.suffix in (".py", ".md", ".tex", ".json", ".toml", ".txt"):
                    digest.update(str(path.relative_to(root)).encode())
                    digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def collect_coverage(base: Path, files: list[str], jobs: int, fresh: bool, reuse: bool) -> Coverage:
    """Per-test line coverage of ``files``, from a run of the whole suite in ``base`` or from an earlier run."""
    targets = fingerprint(base, files, everything=False)
    cache = SCRATCH / f"coverage-{targets}-{fingerprint(base, files, everything=True)}.json"
    earlier = sorted(SCRATCH.glob(f"coverage-{targets}-*.json"), key=lambda path: path.stat().st_mtime)
    if not fresh and (cache.exists() or (reuse and earlier)):
        cache = cache if cache.exists() else earlier[-1]
        print(f"coverage: reusing {cache}", flush=True)
        raw = json.loads(cache.read_text())
    else:
        out = Path(tempfile.mkdtemp(prefix="coverage-", dir=SCRATCH))
        env = environment(base)
        env["MUTATION_COVERAGE_OUT"] = str(out)
        env["MUTATION_TARGETS"] = os.pathsep.join(str(base / name) for name in files)
        started = time.monotonic()
        parallel = ["-n", str(jobs)] if jobs > 1 else []
        result = subprocess.run(
            pytest_command(*parallel, "--continue-on-collection-errors", "tests"),
            cwd=base,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in result.stdout.splitlines():
            if line.startswith("ERROR "):
                print(f"coverage: left out, as it does not run unmutated: {line[6:]}", flush=True)
        print(f"coverage: the suite ran in {time.monotonic() - started:.0f} s (exit {result.returncode})", flush=True)
        if result.returncode not in (0, 1):
            sys.exit(f"the unmutated suite did not run:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        raw = {"lines": {}, "durations": {}, "failed": []}
        for part in out.glob("*.json"):
            data = json.loads(part.read_text())
            for filename, by_line in data["lines"].items():
                merged = raw["lines"].setdefault(str(Path(filename).relative_to(base)), {})
                for line, contexts in by_line.items():
                    merged[line] = sorted(set(merged.get(line, [])) | set(contexts))
            raw["durations"].update(data["durations"])
            raw["failed"] += data["failed"]
        shutil.rmtree(out)
        cache.write_text(json.dumps(raw))
    coverage = Coverage(
        lines={
            name: {int(line): set(contexts) for line, contexts in by_line.items()}
            for name, by_line in raw["lines"].items()
        },
        durations=raw["durations"],
        failed=set(raw["failed"]),
    )
    if coverage.failed:
        print(f"coverage: {len(coverage.failed)} tests fail unmutated and are left out:", flush=True)
        for nodeid in sorted(coverage.failed):
            print(f"  {nodeid}", flush=True)
    return coverage


def statement_lines(text: str) -> dict[int, range]:
    """For each line, the lines of the statement (or compound header) around it: coverage may record any of them."""
    tree = ast.parse(text)
    spans: dict[int, range] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        last = node.end_lineno or node.lineno
        if isinstance(body, list) and body:
            last = max(node.lineno, body[0].lineno - 1)
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        lines = range(first, last + 1)
        for line in lines:
            if line not in spans or len(lines) < len(spans[line]):
                spans[line] = lines
    return spans


def tests_for(mutant: Mutant, coverage: Coverage, spans: dict[int, range]) -> list[str] | None:
    """The tests that ran the mutated statement, or every test of the module for code run at import."""
    by_line = coverage.lines.get(mutant.path, {})
    contexts: set[str] = set()
    for line in spans.get(mutant.line, range(mutant.line, mutant.line + 1)):
        contexts |= by_line.get(line, set())
    if not contexts:
        return None
    if "" in contexts:
        contexts = set().union(*by_line.values())
    chosen = sorted(contexts - {""} - coverage.failed, key=lambda nodeid: (coverage.durations.get(nodeid, 0), nodeid))
    return chosen


def load_equivalents() -> list[dict[str, object]]:
    if not EQUIVALENT.exists():
        return []
    return tomllib.loads(EQUIVALENT.read_text()).get("mutant", [])


def is_equivalent(mutant: Mutant, entry: dict[str, object]) -> bool:
    if entry.get("module") != mutant.path or entry.get("mutation") != mutant.description:
        return False
    if "line" in entry:
        return str(entry["line"]).strip() == mutant.line_text
    return entry.get("lineno") == mutant.line


def stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def run_mutant(
    mutant: Mutant, tests: list[str], coverage: Coverage, workers: queue.Queue[Path], slack: float
) -> Outcome:
    root = workers.get()
    target = root / mutant.path
    original = target.read_text()
    select = root / ".mutation-select.json"
    started = time.monotonic()
    try:
        target.write_text(mutant.source)
        select.write_text(json.dumps(tests))
        env = environment(root)
        env["MUTATION_SELECT"] = str(select)
        files = sorted({nodeid.split("::", 1)[0] for nodeid in tests})
        budget = 20 + slack * sum(coverage.durations.get(nodeid, 1.0) for nodeid in tests)
        process = subprocess.Popen(
            pytest_command("-x", "--no-header", "-rf", *files),
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        RUNNING.add(process)
        try:
            output, _ = process.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            stop(process)
            return Outcome(mutant, "timeout", len(tests), time.monotonic() - started)
        except BaseException:
            stop(process)
            raise
        finally:
            RUNNING.discard(process)
        text = output.decode(errors="replace")
        code = process.returncode
        if code == 0:
            return Outcome(mutant, "survived", len(tests), time.monotonic() - started)
        if code == 5:
            return Outcome(mutant, "uncovered", 0, time.monotonic() - started)
        if code < 0:
            return Outcome(mutant, "killed", len(tests), time.monotonic() - started, f"pytest died of signal {-code}")
        if code in (1, 2, 3):
            killer = next((line[7:] for line in text.splitlines() if line.startswith("FAILED ")), "")
            killer = killer or next((line[6:] for line in text.splitlines() if line.startswith("ERROR ")), "")
            return Outcome(mutant, "killed", len(tests), time.monotonic() - started, killer.split(" - ")[0])
        raise RuntimeError(f"pytest exited {code} on {mutant.label}:\n{text[-3000:]}")
    finally:
        target.write_text(original)
        workers.put(root)


def control(
    base: Path, mutant: Mutant, tests: list[str], coverage: Coverage, workers: queue.Queue[Path], slack: float
) -> None:
    """The unmutated source must pass the same run, or every mutant would count as killed for nothing."""
    original = dataclasses.replace(mutant, source=(base / mutant.path).read_text(), description="unmutated")
    outcome = run_mutant(original, tests, coverage, workers, slack)
    if outcome.status != "survived":
        sys.exit(f"the unmutated {mutant.path} does not pass its own tests ({outcome.status}: {outcome.killer})")


HEADER = (
    f"{'target':<10} {'mutants':>7} {'killed':>6} {'survived':>8} {'uncovered':>9} {'timeout':>7} "
    f"{'equiv':>5} {'score':>6} {'time':>6}"
)


def row_text(name: str, counts: Counter[str], total: int, score: float, seconds: float) -> str:
    return (
        f"{name:<10} {total:>7} {counts['killed']:>6} {counts['survived']:>8} {counts['uncovered']:>9} "
        f"{counts['timeout']:>7} {counts['equivalent']:>5} {score:>6.1%} {seconds:>5.0f}s"
    )


def report_line(outcome: Outcome) -> str:
    return f"{outcome.mutant.path}:{outcome.mutant.line}: {outcome.mutant.description}    | {outcome.mutant.line_text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help=f"any of {', '.join(TARGETS)} (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--slack", type=float, default=4.0, help="timeout: 20 s + SLACK x the tests' unmutated time")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list killed mutants and their killing test")
    parser.add_argument("--fresh", action="store_true", help="rerun coverage even if the sources are unchanged")
    parser.add_argument(
        "--reuse-coverage",
        action="store_true",
        help="reuse the last coverage of unchanged targets even if tests changed",
    )
    parser.add_argument("--report", type=Path, default=SCRATCH / "survivors.txt", help="where survivors are written")
    args = parser.parse_args(argv)
    names = args.targets or list(DEFAULT)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    chosen = [(name, path, functions) for name in names for path, functions in TARGETS[name] if (REPO / path).exists()]
    SCRATCH.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=SCRATCH))
    try:
        return _run(args, chosen, work)
    except BaseException:
        for process in list(RUNNING):
            stop(process)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, chosen: list[tuple[str, str, frozenset[str] | None]], work: Path) -> int:
    base = work / "base"
    copy_checkout(base)
    files = sorted({path for _, path, _ in chosen})
    measured = sorted({path for entries in TARGETS.values() for path, _ in entries if (base / path).exists()})
    coverage = collect_coverage(base, measured, args.jobs, args.fresh, args.reuse_coverage)
    workers: queue.Queue[Path] = queue.Queue()
    for number in range(args.jobs):
        root = work / f"worker{number}"
        shutil.copytree(base, root)
        workers.put(root)
    equivalents = load_equivalents()
    used: set[int] = set()
    rows, survivors = [], []
    for name in dict.fromkeys(name for name, _, _ in chosen):
        started = time.monotonic()
        outcomes: list[Outcome] = []
        pending = []
        for _, path, functions in (entry for entry in chosen if entry[0] == name):
            text = (base / path).read_text()
            spans = statement_lines(text)
            for mutant in mutants(path, text, set(functions) if functions else None):
                match = next((n for n, entry in enumerate(equivalents) if is_equivalent(mutant, entry)), None)
                if match is not None:
                    used.add(match)
                    outcomes.append(Outcome(mutant, "equivalent"))
                    continue
                tests = tests_for(mutant, coverage, spans)
                if not tests:
                    outcomes.append(Outcome(mutant, "uncovered"))
                    continue
                pending.append((mutant, tests))
        print(f"{name}: {len(pending)} mutants to run, {len(outcomes)} equivalent or uncovered", flush=True)
        if pending:
            control(base, pending[0][0], pending[0][1], coverage, workers, args.slack)
        with ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_mutant, m, t, coverage, workers, args.slack) for m, t in pending]
            try:
                for done, future in enumerate(futures, 1):
                    outcome = future.result()
                    outcomes.append(outcome)
                    if outcome.status != "killed" or args.verbose:
                        killer = f"  <- {outcome.killer}" if outcome.killer else ""
                        print(f"  [{done}/{len(futures)}] {outcome.status}: {report_line(outcome)}{killer}", flush=True)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                for process in list(RUNNING):
                    stop(process)
                raise
        seconds = time.monotonic() - started
        counts = Counter(outcome.status for outcome in outcomes)
        total = len(outcomes)
        scored = total - counts["equivalent"]
        score = counts["killed"] / scored if scored else 1.0
        rows.append((name, counts, total, score, seconds))
        print(f"{HEADER}\n{row_text(*rows[-1])}", flush=True)
        outcomes.sort(key=lambda o: (o.mutant.path, o.mutant.line, o.mutant.col, o.mutant.description))
        survivors += [o for o in outcomes if o.status in ("survived", "uncovered", "timeout")]
    lines = [HEADER, *(row_text(*row) for row in rows)]
    lines.append("")
    lines.append("score = killed / (mutants - equivalent); uncovered = no test runs the line (counted as survived)")
    lines.append("")
    for outcome in survivors:
        lines.append(f"{outcome.status:<9} {report_line(outcome)}")
    stale = [entry for n, entry in enumerate(equivalents) if n not in used and entry.get("module") in files]
    for entry in stale:
        lines.append(f"stale entry in {EQUIVALENT.name}: no such mutant: {entry}")
    text = "\n".join(lines) + "\n"
    print("\n" + text, flush=True)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    print(f"written to {args.report}")
    return 0
