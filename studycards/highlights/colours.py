"""Highlighter colours -> the sections of a paper's notes, by nearest hue; pure.

Every reader's yellow is a little different (Acrobat's #ffff00, Apple's #f9cd59, a pale
#fdfdae), so a colour is named by the hue it is nearest to, not matched exactly.  A colour
with hardly any saturation (grey, white, black) is ``grey``.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from studycards.errors import StudycardsError

UNDERSTANDING = "Understanding"
IMPLEMENTATION = "Implementation"
DATASETS = "Datasets"
QUESTIONS = "Questions"
NOTES = "Notes"

# Hue in degrees each colour name stands for; light blue and cyan count as blue, as readers use them.
HUES = {"red": 0.0, "orange": 25.0, "yellow": 52.0, "green": 120.0, "blue": 215.0, "purple": 275.0, "pink": 325.0}
GREY_SATURATION = 0.12
DEFAULT_SECTIONS = {
    "yellow": UNDERSTANDING,
    "green": IMPLEMENTATION,
    "blue": DATASETS,
    "red": QUESTIONS,
    "pink": QUESTIONS,
}
HEX = re.compile(r"#?([0-9a-fA-F]{6})")


class Rgb(NamedTuple):
    """A colour with each channel from 0 to 1, as PDF annotations give it."""

    red: float
    green: float
    blue: float

    @property
    def hex(self) -> str:
        return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in self)


class ColourRule(NamedTuple):
    """Which section each colour goes to: named hues, plus exact colours the reader named in ``config.toml``."""

    sections: Mapping[str, str]
    exact: Mapping[str, str]  # "#rrggbb" -> section: the nearest of these by hue wins over the names


DEFAULT_RULE = ColourRule(DEFAULT_SECTIONS, {})


def _hue_distance(a: float, b: float) -> float:
    gap = abs(a - b) % 360
    return min(gap, 360 - gap)


def _hue(colour: Rgb) -> tuple[float, float]:
    hue, _, saturation = colorsys.rgb_to_hls(*colour)
    value_saturation = colorsys.rgb_to_hsv(*colour)[1]
    return hue * 360, min(saturation, value_saturation) if max(colour) > 0.05 else 0.0


def colour_name(colour: Rgb | None) -> str:
    """The nearest named hue (``yellow``, ``green``…), ``grey`` for an unsaturated one, ``none`` when absent."""
    if colour is None:
        return "none"
    hue, saturation = _hue(colour)
    if saturation < GREY_SATURATION:
        return "grey"
    return min(HUES, key=lambda name: _hue_distance(hue, HUES[name]))


def section_for(colour: Rgb | None, rule: ColourRule = DEFAULT_RULE) -> str:
    """The notes section a highlight of this colour belongs in; an unnamed colour goes to ``Notes``."""
    name = colour_name(colour)
    if colour is not None and rule.exact and name not in ("grey", "none"):
        hue, _ = _hue(colour)
        nearest = min(rule.exact, key=lambda key: _hue_distance(hue, _hue(_from_hex(key))[0]))
        if _hue_distance(hue, _hue(_from_hex(nearest))[0]) <= _hue_distance(hue, HUES[name]):
            return rule.exact[nearest]
    return rule.sections.get(name, NOTES)


def _from_hex(text: str) -> Rgb:
    digits = text.lstrip("#")
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return Rgb(red, green, blue)


def read_rule(config: Path) -> ColourRule:
    """The ``[highlights]`` table of ``config.toml``: ``colour = "Section"``, a colour being a name or ``#rrggbb``.

    ``green = "Implementation"`` changes where a named hue goes; ``"#f9cd59" = "Understanding"``
    pins one reader's exact colour (the nearest pinned hue wins over the names).
    """
    if not config.is_file():
        return DEFAULT_RULE
    import tomllib

    try:
        table = tomllib.loads(config.read_text(encoding="utf-8")).get("highlights", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StudycardsError(f"{config}: not valid TOML: {exc}") from None
    if not isinstance(table, dict):
        raise StudycardsError(f'{config}: highlights must be a table, like [highlights] then yellow = "Understanding"')
    sections = dict(DEFAULT_SECTIONS)
    exact: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            raise StudycardsError(f'{config}: highlights.{key} must be a section name, like "Understanding"')
        name = key.strip().lower()
        if name in HUES or name == "grey":
            sections[name] = value.strip()
        elif HEX.fullmatch(name):
            exact["#" + name.lstrip("#")] = value.strip()
        else:
            known = ", ".join([*HUES, "grey"])
            raise StudycardsError(f"{config}: highlights.{key} is not a colour: use one of {known} or #rrggbb")
    return ColourRule(sections, exact)
