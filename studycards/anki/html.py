"""Notes markdown -> the HTML an Anki field holds, with math left for Anki's MathJax.

One ``MarkdownIt`` instance, configured as the notes parser reads notes (commonmark
plus dollarmath), so what is math in a notes file is math in Anki: ``$…$`` becomes
``\\(…\\)`` and ``$$…$$`` becomes ``\\[…\\]``, the LaTeX inside untouched except for
the HTML escaping a field needs.  Raw HTML is text (``List<T>`` shows as written,
an unclosed ``<b>`` bolds nothing), and tables are tables.  Plain sentences and
an equation alone in its ``$$`` block skip the parser: most card sides are, and
rendering them through markdown-it would dominate the export's time (markdown-it
is not even imported until a field needs it).
"""

from __future__ import annotations

import re
from typing import Any

from studycards.notes.syntax import deletions, highlights

WORD = r"[^\\`*_\[\]<>&!#$~|\r\n\t\x00]"
MATH = r"\$(?!\$)[^$\r\n\x00]*[^$\r\n\x00\\]\$"
LINE = rf"(?:[^\W\d_]|\(|(?=\$))(?:{WORD}++|{MATH})*+(?<=\S)"
SIMPLE = re.compile(rf"{LINE}(?:\n{LINE})*")
INLINE_MATH = re.compile(r"\$([^$]+)\$")
DISPLAY = re.compile(r"\$\$\n([^$]*)\n\$\$")
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MARKS = re.compile(f"([{MARK_OPEN}{MARK_CLOSE}])")
CODE = re.compile(r"(<code[^>]*>)(.*?)(</code>)", re.S)
UNUSED_MARKS = {MARK_OPEN: "==", MARK_CLOSE: "==", "%EE%80%80": "==", "%EE%80%81": "=="}


class HtmlRenderer:
    """Renders card text to field HTML; build one per export and reuse it for every field."""

    def __init__(self) -> None:
        self._parser: Any = None

    @property
    def _md(self) -> Any:
        """The parser, built on first use: an export of plain sentences and equations never loads markdown-it."""
        if self._parser is None:
            from markdown_it import MarkdownIt
            from mdit_py_plugins.dollarmath import dollarmath_plugin

            md = MarkdownIt("commonmark", {"html": False}).use(dollarmath_plugin, double_inline=True).enable("table")
            md.add_render_rule("math_inline", _math(r"\(", r"\)"))
            md.add_render_rule("math_inline_double", _math(r"\[", r"\]"))
            md.add_render_rule("math_block", _math(r"\[", "\\]\n"))
            md.add_render_rule("math_block_label", _math(r"\[", "\\]\n"))
            md.core.ruler.push("highlights", _highlights)
            self._parser = md
        return self._parser

    def __call__(self, text: str, *, highlights: bool = False) -> str:
        """A field's HTML; one paragraph loses its ``<p>`` so short answers sit inline like typed ones.

        With ``highlights``, each ``==…==`` the notes grammar sees outside code and
        math becomes ``<mark>``, unless it would cross a tag markdown-it opened
        (``==a *b== c*``): then it stays as written rather than break the nesting.
        """
        text = text.strip()
        marked = _marked(text) if highlights else text
        if marked is text:
            html = simple_paragraph(text)
            if html is None:
                html = display_math(text)
            if html is not None:
                return html
        html = self._md.render(marked, {"highlights": marked is not text})
        if marked is not text:
            for mark, written in UNUSED_MARKS.items():
                html = html.replace(mark, written)
        if html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
            return html[3:-5]
        return html.rstrip("\n")

    def inline(self, text: str) -> str:
        """A one-line field such as a heading path: inline markdown only, so ``1. Method`` is not a list."""
        text = text.strip()
        html = simple_paragraph(text)
        return html if html is not None else self._md.renderInline(text)

    def cloze(self, text: str) -> str:
        """A cloze field: rendered, then every deletion written so that Anki sees all of it.

        Anki reads deletions in the field's HTML wherever they stand; braces in code
        are text to the notes grammar, so they become entities that Anki passes over.
        """
        return cloze_safe(CODE.sub(_code_braces, self(text)))


def simple_paragraph(text: str) -> str | None:
    """The HTML markdown-it gives a paragraph of words and ``$…$`` math, or ``None`` for anything richer.

    Each line must start where no block can (a letter, ``(`` or math) and end
    without trailing space; between math spans only characters without markdown
    meaning may appear, and a span holds no ``$``.  dollarmath reads such text as
    this does; a property test checks it against markdown-it itself.  Neither
    words nor math cross a line's end, so the pattern's repeats are possessive:
    giving back what they took could never make a line match.
    """
    if not SIMPLE.fullmatch(text):
        return None
    if "$" in text:
        text = INLINE_MATH.sub(_inline_math, text)
    return text.replace('"', "&quot;")


def display_math(text: str) -> str | None:
    """The HTML markdown-it gives a ``$$`` block alone (an equation card's answer), or ``None`` for anything else.

    No line of it holds a ``$`` or is blank, so dollarmath reads one block, as this does; a property
    test checks it against markdown-it itself.
    """
    found = DISPLAY.fullmatch(text)
    if found is None or any(not line.strip() for line in found[1].split("\n")):
        return None
    latex = found[1].strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return rf"\[{latex}\]"


def _inline_math(match: re.Match[str]) -> str:
    return r"\(" + match[1].strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + r"\)"


def _code_braces(match: re.Match[str]) -> str:
    return match[1] + match[2].replace("{", "&#123;").replace("}", "&#125;") + match[3]


def _math(opening: str, closing: str):
    from markdown_it.common.utils import escapeHtml

    def render(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
        return opening + escapeHtml(tokens[idx].content.strip()) + closing

    return render


def _marked(text: str) -> str:
    """The text with each highlight's ``==`` pair replaced by one-character marks, or ``text`` itself if none.

    Where highlights are is the notes grammar's rule, searched with code and math
    blanked out, so ``a==b`` in code or math is never one; an escaped ``\\==`` is text.
    """
    if MARK_OPEN in text or MARK_CLOSE in text:
        return text
    found = highlights(text)
    if not found:
        return text
    pieces, pos = [], 0
    for start, end in found:
        pieces += [text[pos:start], MARK_OPEN, text[start + 2 : end - 2], MARK_CLOSE]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _highlights(state: Any) -> None:
    """markdown-it core rule: the marks in inline text become ``<mark>`` tokens where they nest properly."""
    if not state.env.get("highlights"):
        return
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _paired(_split_marks(token.children))


def _split_marks(children: list) -> list:
    from markdown_it.token import Token

    out = []
    autolink = False
    for child in children:
        if child.type in ("link_open", "link_close") and child.markup == "autolink":
            autolink = child.type == "link_open"
        if child.type != "text" or autolink or not MARKS.search(child.content):
            out.append(child)
            continue
        for piece in MARKS.split(child.content):
            if piece == MARK_OPEN:
                out.append(Token("mark_open", "mark", 1))
            elif piece == MARK_CLOSE:
                out.append(Token("mark_close", "mark", -1))
            elif piece:
                out.append(Token("text", "", 0, content=piece))
    return out


def _paired(tokens: list) -> list:
    """Keep a mark pair only when what lies between opens and closes its own tags; the rest read ``==``."""
    opened: int | None = None
    for index, token in enumerate(tokens):
        if token.type == "mark_open":
            if opened is not None:
                _unmark(tokens[opened])
            opened = index
        elif token.type == "mark_close":
            if opened is None or not _balanced(tokens[opened + 1 : index]):
                _unmark(token)
                if opened is not None:
                    _unmark(tokens[opened])
            opened = None
    if opened is not None:
        _unmark(tokens[opened])
    return tokens


def _balanced(tokens: list) -> bool:
    depth = 0
    for token in tokens:
        depth += token.nesting
        if depth < 0:
            return False
    return depth == 0


def _unmark(token: Any) -> None:
    token.type, token.tag, token.nesting, token.content = "text", "", 0, "=="


def cloze_safe(html: str) -> str:
    """Keep ``}}`` inside a deletion from closing it early: ``{{c1::\\(\\sqrt{d_k}}\\)}}``.

    Anki ends a deletion at the first ``}}``, which LaTeX writes all the time.  A
    space between the braces (``} }``) means the same to MathJax and hides the
    pair from Anki; so does a space after a deletion's final ``}``.  Deletions are
    found brace-aware, as the notes parser finds them.
    """
    if "}}" not in html:
        return html
    out: list[str] = []
    pos = 0
    for cloze in deletions(html):
        body = html[cloze.body : cloze.end]
        while "}}" in body:
            body = body.replace("}}", "} }")
        if body.endswith("}"):
            body += " "
        out.append(html[pos : cloze.body] + body + "}}")
        pos = cloze.end + 2
    out.append(html[pos:])
    return "".join(out)
