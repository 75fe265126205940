"""The one markdown-it that reads notes files' blocks, set up once: its rules, and where each may start.

markdown-it tries its block rules in order at the start of every block and, to see whether a
paragraph ends there, on every line of every paragraph: thirteen Python calls a line, which
were most of its time on a large file.  Most rules can start only at a line whose first
character (after indent and quote marks) is one of a few, and each rule's own first test is
that character; ``_dispatcher`` tries on each line only the rules that may start with its
first character, in markdown-it's order.  The blocks are the same, which a property test
checks against the rules tried everywhere (``markdown(guarded=False)``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any

MAX_NESTING = 100  # markdown-it's block depth (a list level counts two); its default of 20 cut notes at 9 levels
SINK = "studycards_blocks"  # in markdown-it's env: where finished top-level blocks go
BLOCKS_PER_BATCH = 256

# The first character (at ``bMarks + tShift``, as each rule reads it) a rule needs; a rule not named
# may start anywhere.  Each rule returns False, having changed nothing, at any other character.
STARTS = {
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*+-0123456789",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
    "math_block": "$",
}
FIRST_LINE_ONLY = ("front_matter",)  # its first test: the document's line 0
PIPED = ("table",)  # a table's first line holds a ``|`` (its last test before it can match)
CHAINS = ("", "paragraph", "reference", "blockquote", "list")  # the main chain, and what may end each block

Rule = Callable[[Any, int, int, bool], bool]


@lru_cache(maxsize=1)
def block_parser():  # -> markdown_it.MarkdownIt, imported lazily
    """The one markdown parser for notes files: whoever needs their line numbers must see the same blocks."""
    return markdown(guarded=True)


def markdown(guarded: bool):  # -> markdown_it.MarkdownIt
    """The notes' markdown-it; ``guarded`` tries each block rule only where it may start (the setext heading's
    underline: ``_setext_heading``; the others: ``STARTS``): the same blocks, which a test checks against the
    rules tried everywhere."""
    from markdown_it import MarkdownIt
    from markdown_it.rules_block.lheading import lheading
    from markdown_it.rules_core.normalize import normalize
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark").use(front_matter_plugin).use(dollarmath_plugin, double_inline=True).enable("table")
    # Cards are read from each paragraph's raw text: inline tokens (and text_join, which joins their children)
    # are never used.
    md.core.ruler.disable(["inline", "text_join"])
    md.options["maxNesting"] = MAX_NESTING
    md.block.ruler.before("table", "studycards_hand_over", _hand_over)
    if guarded:
        md.core.ruler.at("normalize", _normalize_if_needed(normalize))
        md.block.ruler.at("lheading", _setext_heading(lheading))
        _dispatch_by_first_character(md.block.ruler)
    _silence_debug_logging()
    return md


def _dispatch_by_first_character(ruler: Any) -> None:
    """Each chain of rules becomes one rule that tries only those that may start at the line's first character.

    The chains are markdown-it's compiled lists, replaced in place once the parser is set up: a
    rule enabled or moved later would compile them again, unguarded (slower, never wrong).
    """
    names = {id(rule.fn): rule.name for rule in ruler.__rules__ if rule.enabled}
    for chain in CHAINS:
        rules = ruler.getRules(chain)
        named = [(names[id(fn)], fn) for fn in rules]
        if named:
            rules[:] = [_dispatcher(named)]


def _dispatcher(named: list[tuple[str, Rule]]) -> Rule:
    everywhere = tuple(fn for _, fn in named)
    later = [(name, fn) for name, fn in named if name not in FIRST_LINE_ONLY]
    chars = "".join(STARTS[name] for name, _ in later if name in STARTS)

    def table(piped: bool) -> tuple[dict[str, tuple[Rule, ...]], tuple[Rule, ...]]:
        """The rules by first character, and those for any other; the table rule only for a line with a ``|``."""
        rules = [(name, fn) for name, fn in later if piped or name not in PIPED]
        by_first = {char: tuple(fn for name, fn in rules if char in STARTS.get(name, char)) for char in chars}
        return by_first, tuple(fn for name, fn in rules if name not in STARTS)

    (unpiped, unpiped_anywhere), (piped, piped_anywhere) = table(False), table(True)
    needs_pipe = any(name in PIPED for name, _ in later)

    def dispatch(state: Any, start: int, end: int, silent: bool) -> bool:
        if start:
            src, pos = state.src, state.bMarks[start] + state.tShift[start]
            if needs_pipe and src.find("|", pos, state.eMarks[start]) >= 0:
                rules = piped.get(src[pos : pos + 1], piped_anywhere)
            else:
                rules = unpiped.get(src[pos : pos + 1], unpiped_anywhere)
        else:
            rules = everywhere
        for rule in rules:  # noqa: SIM110 (a loop, not any() over a generator: this runs for every line)
            if rule(state, start, end, silent):
                return True
        return False

    return dispatch


def _normalize_if_needed(rule: Any) -> Any:
    """markdown-it's ``normalize`` (``\\r\\n`` and ``\\r`` to ``\\n``, NUL to U+FFFD), run only on a text holding one:
    on any other it rewrote every line break as itself, a new copy of the text for each piece read."""

    def normalize(state: Any) -> None:
        if "\r" in state.src or "\0" in state.src:
            rule(state)

    return normalize


_UNDERLINE_START = re.compile(r"^[ \t>]*[-=]", re.M)  # what a line of ``---`` or ``===`` starts with, quoted or not
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n|$)")


def _setext_heading(rule: Any) -> Any:
    """markdown-it's setext-heading ``rule`` (a paragraph underlined with ``===`` or ``---``), tried only when a line
    below, before the next blank one, starts with ``-`` or ``=`` (after any indent and quote marks).

    The rule walks every line of every paragraph trying each block rule on it, and the paragraph
    rule then walks them again: a fifth of markdown-it's time on a large file.  Where it is not
    tried it leaves what it leaves finding no underline: no token, and the parent type it set.
    """

    def setext_heading(state: Any, start: int, end: int, silent: bool) -> bool:
        src = state.src
        after = state.eMarks[start]
        blank = _BLANK_LINE.search(src, after)
        if _UNDERLINE_START.search(src, after + 1, blank.start() if blank else len(src)):
            return bool(rule(state, start, end, silent))
        if not state.is_code_block(start):
            state.parentType = "paragraph"
        return False

    return setext_heading


def _hand_over(state: Any, start: int, end: int, silent: bool) -> bool:
    """A block rule that never matches: before each top-level block it hands the finished ones to the sink.

    At level 0 every container is closed, and no block rule looks back at earlier blocks.
    """
    sink = state.env.get(SINK)
    if sink is not None and not silent and state.level == 0 and len(state.tokens) >= BLOCKS_PER_BATCH:
        sink(state.tokens[:])
        state.tokens.clear()
    return False


class _NoDebug:
    """Stands in for markdown-it's module loggers: ``debug`` accepts anything and does nothing, in C."""

    debug = staticmethod("".format)


def _silence_debug_logging() -> None:
    """markdown-it calls ``LOGGER.debug`` once per block rule tried (13 calls a card, 3 % of a large ``add``).

    A disabled logger still costs a Python call each time; nobody reads these messages.
    """

    for name, module in list(sys.modules.items()):
        if name.startswith("markdown_it.") and hasattr(module, "LOGGER"):
            vars(module)["LOGGER"] = _NoDebug()
