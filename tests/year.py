"""A collection with a year of simulated reviews, built through the CLI and the store as a user's would be.

Cards come from a notes file with words to search for; a paper and its equations are stored as
``fetch`` stores them; then every study day of a year grades what is due (and three new cards) with
seeded grades, through ``store.reviews.record`` and SM-2, re-drilling grades below 4 as a session does.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from studycards.models import Equation, Paper
from studycards.sm2 import needs_redrill, schedule
from studycards.store import open_store

START = date(2025, 11, 24)
LAST = date(2026, 11, 22)  # the day before the fixed clock's study day (2026-11-23)
PAPER = Paper(
    "1512.00567",
    3,
    "Rethinking the Inception Architecture for Computer Vision",
    ("Christian Szegedy", "Vincent Vanhoucke"),
    "We explore ways to scale up networks that utilize the added computation efficiently by factorized"
    " convolutions and aggressive regularization.",
)
EQUATIONS = [
    Equation(
        r"q'(k) = (1 - \epsilon)\delta_{k,y} + \frac{\epsilon}{K}",
        "main.tex",
        80,
        "equation",
        "3",
        intro="We propose a mechanism for encouraging the model to be less confident:",
    ),
    Equation(
        r"H(q', p) = (1 - \epsilon) H(q, p) + \epsilon H(u, p)",
        "main.tex",
        90,
        "equation",
        "4",
        intro="The cross-entropy then decomposes into two terms:",
    ),
]

NOTES = """---
paper: 1512.00567
deck: Papers::Inception
---
# Rethinking Inception

## Understanding
What does label smoothing replace the one-hot target with? :: A mixture with the uniform distribution over classes
Why factorize a 5x5 convolution? :: Two stacked 3x3 convolutions see the same field with fewer weights
What is the auxiliary classifier for? :: It acts as a regularizer near the end of training
Smoothing of labels, once more: why does it help? :: It keeps the top logit from drifting; label smoothing regularizes
Which résumé of Inception-v2 matters? :: The naïve grid-size reduction creates a representational bottleneck
What does 注意力机制 mean? :: Attention, as in 自注意力
Q: What is the grid size after the stem?
A: 35 by 35 with 288 filters

The base network has {{c1::42}} layers and {{c2::2.5}} times the cost of GoogLeNet.

## Questions
- Does label smoothing interact with knowledge distillation?
- Would the asymmetric convolutions hold up at 300 by 300 inputs?
"""

for _i in range(24):
    NOTES = NOTES.replace("## Questions", f"Filler fact {_i} :: an ordinary answer number {_i}\n\n## Questions")


def build(home: Path, cli, tmp: Path, seed: int = 16) -> None:
    """Fill ``home``: the notes, the paper, and a year of reviews ending yesterday."""
    notes = tmp / "inception.md"
    notes.write_text(NOTES, encoding="utf-8")
    result = cli("add", notes)
    assert result.exit_code == 0, result.output
    rng = random.Random(seed)
    with open_store(home) as store:
        with store.transaction():
            store.papers.save(PAPER, None, datetime(2025, 11, 24, 8))
            store.papers.save_equations(PAPER.arxiv_id, EQUATIONS)
        new = [card.id for card in store.cards.select()]
        day = START
        while day <= LAST:
            if rng.random() < 0.85:  # some days off, so streaks break
                _study(store, day, new, rng)
            day += timedelta(days=1)


def _study(store, day: date, new: list[int], rng: random.Random) -> None:
    moment = datetime.combine(day, datetime.min.time()) + timedelta(hours=7)
    cards = store.cards.due(day, 1000) + [c for c in (store.cards.get(i) for i in new[:3]) if c]
    del new[:3]
    for card in cards:
        grade = rng.choices(range(6), weights=(1, 1, 2, 4, 6, 5))[0]
        after = schedule(card.state, grade, day)
        moment += timedelta(seconds=rng.randint(3, 40))
        seconds = rng.randint(1500, 30000)
        store.reviews.record(card.id, grade, day, moment, seconds, card.state, after, redrill=False)
        while needs_redrill(grade):
            grade = rng.choices(range(6), weights=(1, 1, 1, 2, 4, 3))[0]
            moment += timedelta(seconds=rng.randint(3, 40))
            store.reviews.record(card.id, grade, day, moment, rng.randint(1000, 9000), after, after, redrill=True)


def built_once(tmp_path_factory) -> Path:
    """A home with a year of reviews, built once per run (the ``a_year`` fixture); copy it with :func:`install`."""
    import pytest

    from tests.conftest import Cli

    source = tmp_path_factory.mktemp("year")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDYCARDS_HOME", str(source / "home"))
        build(source / "home", Cli(), source)
    return source / "home"


def install(source: Path, home: Path) -> None:
    import shutil

    home.mkdir(parents=True, exist_ok=True)
    for name in ("studycards.db", "studycards.db-wal"):
        if (source / name).exists():
            shutil.copy(source / name, home / name)
