"""Plain text to sentences: the sentence that introduces an equation, the sentence that explains it.

A full stop ends a sentence only before a capital, a digit, math or a bracket, and
never inside inline math or after an abbreviation such as "e.g." or "Fig.".
"""

from __future__ import annotations

import re

from studycards.latex.prose import math_spans

ABBREVIATIONS = {
    "fig",
    "figs",
    "eq",
    "eqs",
    "sec",
    "secs",
    "tab",
    "al",
    "e.g",
    "i.e",
    "cf",
    "vs",
    "etc",
    "resp",
    "approx",
    "ref",
    "refs",
    "no",
    "dr",
    "mr",
    "ms",
    "prof",
    "st",
    "vol",
    "pp",
    "viz",
    "w.r.t",
    "wrt",
    "ch",
    "app",
    "thm",
    "def",
    "lem",
}
_SENTENCE_END = re.compile(r"[.!?][\"')\]”’]*\s+(?=[A-Z0-9$(\[“\"\\])")
_LAST_WORD = re.compile(r"([A-Za-z.]+)$")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph of plain text into sentences, never inside math or after "e.g.", "Fig."…"""
    spans = math_spans(paragraph)
    result: list[str] = []
    start = 0
    span_index = 0
    for m in _SENTENCE_END.finditer(paragraph):
        cut = m.start()
        while span_index < len(spans) and spans[span_index][1] <= cut:
            span_index += 1
        if span_index < len(spans) and spans[span_index][0] <= cut < spans[span_index][1]:
            continue
        word = _LAST_WORD.search(paragraph, max(start, cut - 30), cut)
        if (
            paragraph[cut] == "."
            and word
            and (word.group(1).lower().strip(".") in ABBREVIATIONS or len(word.group(1)) == 1)
        ):
            continue
        result.append(paragraph[start : m.end()].strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        result.append(tail)
    return result


def all_sentences(text: str) -> list[str]:
    """Every sentence of a multi-paragraph text, in order."""
    return [s for para in text.split("\n\n") for s in sentences(para)]
