"""Shared fixtures: every test gets its own studycards home; the corpus is found beside the clone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.arxiv_server import ArxivServer
from tests.paths import CORPUS


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home per test, so no test touches the user's data."""
    path = tmp_path / "home"
    monkeypatch.setenv("STUDYCARDS_HOME", str(path))
    monkeypatch.delenv("STUDYCARDS_NOW", raising=False)
    return path


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real papers and arXiv answers; CI has it beside the clone."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}: set STUDYCARDS_CORPUS (CI has it beside the clone)")
    return CORPUS


@pytest.fixture
def arxiv_server(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    """A running local arXiv; ``STUDYCARDS_ARXIV_*`` point at it, with no delay and quick back-off."""
    with ArxivServer(corpus) as server:
        monkeypatch.setenv("STUDYCARDS_ARXIV_API_URL", server.api_url)
        monkeypatch.setenv("STUDYCARDS_ARXIV_SRC_URL", server.src_url)
        monkeypatch.setenv("STUDYCARDS_ARXIV_DELAY", "0")
        monkeypatch.setenv("STUDYCARDS_ARXIV_BACKOFF", "0.05")
        monkeypatch.setenv("STUDYCARDS_ARXIV_TIMEOUT", "2")
        yield server
