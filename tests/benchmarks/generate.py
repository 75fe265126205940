"""Generated notes files and collections for the benchmarks: realistic mixes of every card kind."""

from __future__ import annotations

import random
from pathlib import Path

EQUATIONS = [
    r"y = F(x, \{W_i\}) + x",
    r"\hat{m}_t = \frac{m_t}{1 - \beta_1^t}",
    r"\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V",
    r"L = \sum_i^N \left[\|f(x_i^a) - f(x_i^p)\|_2^2 - \|f(x_i^a) - f(x_i^n)\|_2^2 + \alpha\right]_+",
    r"v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2",
    r"\mathrm{FFN}(x) = \max(0, x W_1 + b_1) W_2 + b_2",
]


def notes_text(cards: int, seed: int = 7, section_every: int = 40) -> str:
    """A notes file with about ``cards`` cards: mostly ``::`` lines, some of each other kind, a few equations."""
    rng = random.Random(seed)
    out = ["---", "deck: Bench::Generated", "tags: [bench]", "---", "# Generated notes", ""]
    made = 0
    while made < cards:
        if made % section_every == 0:
            out += [f"## Section {made // section_every}", "", "Some prose that is not a card, as real notes have.", ""]
        roll = rng.random()
        if roll < 0.70:
            out.append(f"What is fact {made} about $x_{{{made}}}$? :: It is answer {made} with $\\alpha = {made}$")
            made += 1
        elif roll < 0.80:
            out += ["", f"Term {made} ::: definition number {made}", ""]
            made += 2
        elif roll < 0.88:
            out += ["", f"Q: Why does thing {made} happen?", f"A: Because of reason {made}", "spanning two lines.", ""]
            made += 1
        elif roll < 0.96:
            out += ["", f"In case {made} the {{{{c1::value}}}} and {{{{c2::other}}}} matter.", ""]
            made += 2
        else:
            out += ["", f"Equation {made} of the paper:", "$$", EQUATIONS[made % len(EQUATIONS)], "$$", ""]
            made += 1
    out += ["", "## Questions", "- What is still open here?", ""]
    return "\n".join(out)


def write_notes(folder: Path, cards: int, name: str = "bench.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(notes_text(cards), encoding="utf-8")
    return path


def equation_notes_text(cards: int, math: bool) -> str:
    """``cards`` equation cards, each a distinct display equation; without ``math`` the same prompts as
    ``Q:``/``A:`` cards answered by the equation's words, so the two files differ only in the math."""
    out = ["---", "deck: Bench::Equations", "---", "# Equations", ""]
    for number in range(cards):
        if number % 40 == 0:
            out += [f"## Section {number // 40}", ""]
        equation = f"{EQUATIONS[number % len(EQUATIONS)]} + c_{{{number}}}"
        if math:
            out += [f"Equation {number} of the paper:", "$$", equation, "$$", ""]
        else:
            words = equation.replace("\\", " ").replace("{", " ").replace("}", " ").replace("^", " ").replace("_", " ")
            out += [f"Q: Equation {number} of the paper?", f"A: {' '.join(words.split())}", ""]
    return "\n".join(out)


def write_equation_notes(folder: Path, cards: int, math: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("math.md" if math else "plain.md")
    path.write_text(equation_notes_text(cards, math), encoding="utf-8")
    return path
