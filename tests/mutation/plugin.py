"""The runner's pytest plugin: per-test line coverage of the targets once, then only the chosen tests per mutant.

Loaded with ``-p tests.mutation.plugin`` in a copy of the checkout.  It refuses
to run when ``studycards`` would be imported from anywhere but that copy, since
a mutant tested against the real package would be reported as killed or
survived for nothing.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path

import pytest

ROOT = os.environ.get("MUTATION_ROOT", "")
COVERAGE_OUT = os.environ.get("MUTATION_COVERAGE_OUT", "")
SELECT = os.environ.get("MUTATION_SELECT", "")

if SELECT:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (8 * 1024**3, resource.RLIM_INFINITY))

_coverage = None
if COVERAGE_OUT:
    import coverage

    _targets = os.environ["MUTATION_TARGETS"].split(os.pathsep)
    _coverage = coverage.Coverage(data_file=None, include=_targets, branch=False)
    _coverage.start()

_durations: dict[str, float] = defaultdict(float)
_failed: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    import studycards

    where = Path(studycards.__file__).resolve()
    if not ROOT or not where.is_relative_to(Path(ROOT).resolve()):
        raise pytest.UsageError(f"studycards is imported from {where}, not from the mutation copy {ROOT!r}")
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "mutation", deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile("mutation")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the selected tests, quickest first, so ``-x`` stops a killed mutant early."""
    if not SELECT:
        return
    order = {nodeid: rank for rank, nodeid in enumerate(json.loads(Path(SELECT).read_text()))}
    kept = sorted((item for item in items if item.nodeid in order), key=lambda item: order[item.nodeid])
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in order])
    items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    if _coverage is not None:
        _coverage.switch_context(item.nodeid)
    yield
    if _coverage is not None:
        _coverage.switch_context("")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] += report.duration
    if report.failed:
        _failed.add(report.nodeid)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _coverage is None:
        return
    _coverage.stop()
    data = _coverage.get_data()
    lines: dict[str, dict[int, list[str]]] = {}
    for filename in data.measured_files():
        lines[filename] = {line: sorted(contexts) for line, contexts in data.contexts_by_lineno(filename).items()}
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    out = Path(COVERAGE_OUT) / f"{worker}.json"
    out.write_text(json.dumps({"lines": lines, "durations": _durations, "failed": sorted(_failed)}))
