"""The commands that move LaTeX's counters, read by the scan: the class, ``\\appendix``,
``\\numberwithin``, ``\\setcounter``, a renewed ``\\the<counter>`` and ``\\item``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from studycards.latex.arguments import read_argument, skip_spaces
from studycards.latex.lists import COUNTERS

if TYPE_CHECKING:
    from collections.abc import Callable

    from studycards.latex.scan import Scan

_DOCCLASS = re.compile(r"\\documentclass\s*(?:\[[^\]]{0,500}\])?\s*\{\s*([^}\s]{1,100})\s*\}")


def _appendix(state: Scan, m: re.Match) -> int:
    state.numbering.appendix()
    return m.end()


def _document_class(state: Scan, m: re.Match) -> int:
    cls = _DOCCLASS.match(state.doc, m.start())
    if cls is None:
        return m.end()
    state.numbering.document_class(cls.group(1))
    return cls.end()


def _counter_within(state: Scan, m: re.Match) -> int:
    """``\\numberwithin``, ``\\counterwithin`` and ``\\counterwithout``; only the equation counter matters."""
    doc, pos = state.doc, m.end()
    counter, pos = read_argument(doc, pos + (1 if doc.startswith("*", pos) else 0))
    parent, pos = read_argument(doc, pos)
    if counter.strip() == "equation":
        starred = m.group("cmd") == "counterwithin" and doc.startswith("*", m.end())
        state.numbering.within(None if m.group("cmd") == "counterwithout" else parent.strip(), not starred)
    return pos


def _set_counter(state: Scan, m: re.Match) -> int:
    counter, pos = read_argument(state.doc, m.end())
    value, pos = read_argument(state.doc, pos)
    add = m.group("cmd") == "addtocounter"
    if counter.strip() in state.numbering.counts:
        state.numbering.set_counter(counter.strip(), value.strip(), add)
    else:
        state.lists.set_counter(counter.strip(), value.strip(), add)
    return pos


def _renew_command(state: Scan, m: re.Match) -> int:
    """Only ``\\renewcommand{\\theequation}`` (or ``\\thesection``…) concerns the scan; the expander reads the rest."""
    doc, pos = state.doc, m.end()
    target, after = read_argument(doc, pos + (1 if doc.startswith("*", pos) else 0))
    counter = target.strip()[4:] if target.strip().startswith("\\the") else ""
    if counter not in ("equation", "chapter", "section", "subsection", "subsubsection", *COUNTERS):
        return pos
    template, pos = read_argument(doc, after)
    if counter in COUNTERS:
        state.lists.templates[counter] = template
    else:
        state.numbering.template(counter, template)
    return pos


def _item(state: Scan, m: re.Match) -> int:
    """``\\item`` in an enumerate names its number (``""``: one that cannot be told, so no label does)."""
    number = state.lists.item(state.doc.startswith("[", skip_spaces(state.doc, m.end())))
    state.current_label = state.current_label if number is None else number
    return m.end()


COUNTER_COMMANDS: dict[str, Callable[[Scan, re.Match], int]] = {
    "appendix": _appendix,
    "documentclass": _document_class,
    "numberwithin": _counter_within,
    "counterwithin": _counter_within,
    "counterwithout": _counter_within,
    "setcounter": _set_counter,
    "addtocounter": _set_counter,
    "renewcommand": _renew_command,
    "item": _item,
}
