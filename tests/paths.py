"""Where the suite finds its data: the repository, its fixtures, and the shared corpus (``STUDYCARDS_CORPUS``)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DECKS = REPO / "decks"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(os.environ.get("STUDYCARDS_CORPUS") or REPO.parent / "shared" / "corpus")
