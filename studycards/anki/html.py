"""Notes markdown -> the HTML an Anki field holds, with math left for Anki's MathJax.

One ``MarkdownIt`` instance, configured as the notes parser reads notes (commonmark
plus dollarmath), so what is math in a notes file is math in Anki: ``$…$`` becomes
``\\(…\\)`` and ``$$…$$`` becomes ``\\[…\\]``, the LaTeX inside untouched except for
the HTML escaping a field needs.  Plain sentences skip the parser: most card sides
are, and rendering them through markdown-it would dominate the export's time.
"""

from __future__ import annotations

import re
from typing import Any

from studycards.notes.syntax import deletions

WORD = r"[^\\`*_\[\]<>&!#$~|\r\n\t\x00]"
MATH = r"\$(?!\$)[^$\r\n\x00]*[^$\r\n\x00\\]\$"
LINE = rf"(?:[^\W\d_]|\(|(?=\$))(?:{WORD}|{MATH})*(?<=\S)"
SIMPLE = re.compile(rf"{LINE}(?:\n{LINE})*")
INLINE_MATH = re.compile(r"\$([^$]+)\$")


class HtmlRenderer:
    """Renders card text to field HTML; build one per export and reuse it for every field."""

    def __init__(self) -> None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
        md.add_render_rule("math_inline", _math(r"\(", r"\)"))
        md.add_render_rule("math_inline_double", _math(r"\[", r"\]"))
        md.add_render_rule("math_block", _math(r"\[", "\\]\n"))
        md.add_render_rule("math_block_label", _math(r"\[", "\\]\n"))
        self._md = md

    def __call__(self, text: str) -> str:
        """A field's HTML; one paragraph loses its ``<p>`` so short answers sit inline like typed ones."""
        text = text.strip()
        html = simple_paragraph(text)
        if html is not None:
            return html
        html = self._md.render(text)
        if html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
            return html[3:-5]
        return html.rstrip("\n")

    def cloze(self, text: str) -> str:
        """A cloze field: rendered, then every deletion written so that Anki sees all of it."""
        return cloze_safe(self(text))


def simple_paragraph(text: str) -> str | None:
    """The HTML markdown-it gives a paragraph of words and ``$…$`` math, or ``None`` for anything richer.

    Each line must start where no block can (a letter, ``(`` or math) and end
    without trailing space; between math spans only characters without markdown
    meaning may appear, and a span holds no ``$``.  dollarmath reads such text as
    this does; a property test checks it against markdown-it itself.
    """
    if not SIMPLE.fullmatch(text):
        return None
    if "$" in text:
        text = INLINE_MATH.sub(_inline_math, text)
    return text.replace('"', "&quot;")


def _inline_math(match: re.Match[str]) -> str:
    return r"\(" + match[1].strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + r"\)"


def _math(opening: str, closing: str):
    from markdown_it.common.utils import escapeHtml

    def render(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
        return opening + escapeHtml(tokens[idx].content.strip()) + closing

    return render


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
