"""Shared fixtures: every test gets its own studycards home; the corpus is found beside the clone."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DECKS = REPO / "decks"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus"


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
        pytest.skip(f"shared corpus not found at {CORPUS} (it sits beside the clone in CI)")
    return CORPUS
