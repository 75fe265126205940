"""LaTeX prose to readable text.

The reading guide quotes the paper and each equation card is introduced by the
paper's own sentence, so prose must read like prose: citations and footnotes
go, formatting commands keep their text, references become the numbers the PDF
shows, and inline math stays as ``$…$`` (with the paper's macros already
expanded) so that notes render it.
"""

from __future__ import annotations

import re
import unicodedata

from studycards.latex.arguments import match_end, match_group, read_optional, skip_spaces
from studycards.latex.conditionals import by_mode

DROP_ENVS = (
    "figure",
    "figure*",
    "table",
    "table*",
    "tabular",
    "tabular*",
    "tabularx",
    "wrapfigure",
    "algorithm",
    "algorithm*",
    "algorithmic",
    "tikzpicture",
    "thebibliography",
    "lstlisting",
    "verbatim",
    "minted",
    "picture",
    "subfigure",
    "wraptable",
    "titlepage",
)
# command -> number of braced arguments to drop with it
CITE_COMMANDS = {"cite", "citet", "Citet", "citealt", "citeauthor", "Citeauthor", "Cite", "textcite", "citeN"}
DROP_COMMANDS = {
    "citep": 1,
    "Citep": 1,
    "citealp": 1,
    "citeyear": 1,
    "citeyearpar": 1,
    "nocite": 1,
    "parencite": 1,
    "footcite": 1,
    "footnote": 1,
    "footnotetext": 1,
    "thanks": 1,
    "label": 1,
    "vspace": 1,
    "hspace": 1,
    "includegraphics": 1,
    "bibliography": 1,
    "bibliographystyle": 1,
    "caption": 1,
    "captionof": 2,
    "color": 1,
    "pagestyle": 1,
    "thispagestyle": 1,
    "setlength": 2,
    "addtolength": 2,
    "setcounter": 2,
    "addtocounter": 2,
    "newtheorem": 2,
    "renewcommand": 2,
    "definecolor": 3,
    "input": 1,
    "include": 1,
    "usepackage": 1,
    "hypersetup": 1,
    "marginpar": 1,
    "todo": 1,
    "affiliation": 1,
    "institution": 1,
    "email": 1,
    "author": 1,
    "title": 1,
    "textcolor": 1,
    "colorbox": 1,
    "fcolorbox": 2,
    "rule": 2,
    "numberwithin": 2,
    "fontsize": 2,
    "resizebox": 2,
    "scalebox": 1,
    "raisebox": 1,
    "tnote": 1,
}
SYMBOLS = {
    "\\": "\n",
    "%": "%",
    "&": "&",
    "_": "_",
    "#": "#",
    "$": "\\$",
    "{": "{",
    "}": "}",
    ",": " ",
    ";": " ",
    " ": " ",
    "/": "",
}
KEEP_COMMANDS = {
    "emph",
    "textbf",
    "textit",
    "textsc",
    "texttt",
    "textrm",
    "textsf",
    "textsl",
    "textup",
    "textnormal",
    "underline",
    "uline",
    "mbox",
    "hbox",
    "text",
    "url",
    "textmd",
    "sout",
    "small",
    "footnotesize",
    "large",
    "Large",
    "normalsize",
}
REF_COMMANDS = {"ref", "eqref", "cref", "Cref", "autoref", "pageref", "nameref", "Eqref"}
ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "k": "\u0328",
}
LETTERS = {
    "L": "Ł",
    "l": "ł",
    "o": "ø",
    "O": "Ø",
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "i": "ı",
    "ldots": "…",
    "dots": "…",
    "textendash": "–",
    "textemdash": "—",
    "S": "§",
    "dag": "†",
    "ddag": "‡",
    "textasciitilde": "~",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "copyright": "©",
}
_MATH = re.compile(r"\\[\s\S]|\$\$?|\\\(|\\\)")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?|\\([^A-Za-z])")
_SPACE = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")
_STRUCTURAL = re.compile(
    r"\\("
    + "|".join(
        sorted(
            set(DROP_COMMANDS) | CITE_COMMANDS | REF_COMMANDS | {"href", "paragraph", "subparagraph"},
            key=len,
            reverse=True,
        )
    )
    + r")(?![A-Za-z])\*?"
)
_LINE_BREAK_OPTION = re.compile(r"\*?(?:\s*\[[^\]\n]{0,20}\])?")
_BRACE = re.compile(r"[{}](?<!\\[{}])")
_PARAGRAPH = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_BEFORE_PUNCT = re.compile(r" ([,.;:)])")
_COMMENT = re.compile(r"%(?<!\\%)[^\n]*\n?[ \t]*")


def math_spans(text: str) -> list[tuple[int, int]]:
    """Where inline math (``$…$`` or ``\\(…\\)``) sits, so prose rules never touch it."""
    spans: list[tuple[int, int]] = []
    start = -1
    closer = ""
    for m in _MATH.finditer(text):
        tok = m.group()
        if start < 0:
            if tok in ("$", "$$", "\\("):
                start, closer = m.start(), ("\\)" if tok == "\\(" else tok)
        elif tok == closer:
            spans.append((start, m.end()))
            start = -1
        elif closer == "$" and tok == "$$":
            spans.append((start, m.start() + 1))
            start = m.start() + 1
    return spans


def _env_pattern(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"\\begin\s*\{(" + "|".join(re.escape(n) for n in names) + r")\}")


_DROP_ENV = _env_pattern(DROP_ENVS)


def drop_environments(text: str, names: tuple[str, ...] = DROP_ENVS) -> str:
    """``text`` without the given environments (figures, tables…), each removed whole."""
    if "\\begin" not in text:
        return text
    out: list[str] = []
    pos = 0
    pattern = _DROP_ENV if names == DROP_ENVS else _env_pattern(names)
    missing: set[str] = set()
    while True:
        m = pattern.search(text, pos)
        if not m:
            break
        close = -1 if m.group(1) in missing else text.find("\\end{" + m.group(1) + "}", m.end())
        out.append(text[pos : m.start()])
        out.append(" ")
        if close < 0:
            missing.add(m.group(1))
            pos = m.end()
            continue
        pos = close + len(m.group(1)) + 6
    out.append(text[pos:])
    return "".join(out)


def plain_text(latex: str, refs: dict[str, str] | None = None) -> str:
    """Readable prose for a LaTeX fragment: paragraphs separated by blank lines."""
    latex = by_mode(_COMMENT.sub("", latex), math=False)
    latex = drop_environments(latex)
    latex = _structural(latex, refs or {})
    pieces: list[str] = []
    pos = 0
    for start, end in math_spans(latex):
        pieces.append(_prose(latex[pos:start]))
        inner = latex[start + 2 : end - 2] if latex.startswith(("\\(", "$$"), start) else latex[start + 1 : end - 1]
        inner = _SPACE.sub(" ", inner.replace("\\protect", "").replace("\n", " ")).strip()
        pieces.append(f"${inner}$" if inner else "")
        pos = end
    pieces.append(_prose(latex[pos:]))
    return _tidy("".join(pieces))


def _structural(text: str, refs: dict[str, str]) -> str:
    """Commands whose arguments may hold math: footnotes and citations go, references
    become numbers, paragraph headings become a sentence of their own."""
    if "\\" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _STRUCTURAL.finditer(text):
        if m.start() < pos:
            continue
        out.append(text[pos : m.start()])
        pos = m.end()
        name = m.group(1)
        if name in DROP_COMMANDS:
            _, pos = read_optional(text, pos)
            for _ in range(DROP_COMMANDS[name]):
                pos = _skip_group(text, pos)
            out.append(" " if name in ("textcolor", "colorbox", "fcolorbox") else "")
        elif name in CITE_COMMANDS:
            _, pos = read_optional(text, pos)
            _, pos = read_optional(text, pos)
            keys, pos = _group(text, pos)
            out.append("[" + ", ".join(k.strip() for k in keys.split(",") if k.strip()) + "]")
        elif name in REF_COMMANDS:
            label, pos = _group(text, pos)
            number = refs.get(label.split(",")[0].strip(), "?")
            out.append(f"({number})" if name in ("eqref", "Eqref") else number)
        elif name == "href":
            pos = _skip_group(text, pos)
        else:
            title, pos = _group(text, pos)
            out.append("\n\n" + title.strip().rstrip(".:") + ". ")
    out.append(text[pos:])
    return "".join(out)


def _prose(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _COMMAND.finditer(text):
        if m.start() < pos:
            continue
        out.append(text[pos : m.start()])
        pos = m.end()
        name = m.group(1)
        if name is None:
            symbol = m.group(2)
            if symbol in ACCENTS and pos < len(text):
                arg_start = pos + 1 if text[pos] == "{" else pos
                if arg_start < len(text) and text[arg_start].isalpha():
                    out.append(unicodedata.normalize("NFC", text[arg_start] + ACCENTS[symbol]))
                    pos = arg_start + 1 + (1 if text.startswith("}", arg_start + 1) else 0)
                continue
            out.append(SYMBOLS.get(symbol, ""))
            if symbol == "\\":
                pos = match_end(_LINE_BREAK_OPTION, text, pos)
            continue
        if name in ACCENTS and len(name) == 1 and pos < len(text) and text[pos] == "{":
            end = match_group(text, pos)
            if end > 0 and end - pos == 3:
                out.append(unicodedata.normalize("NFC", text[pos + 1] + ACCENTS[name]))
                pos = end
                continue
        if name in LETTERS:
            out.append(LETTERS[name])
        elif name == "item":
            _, pos = read_optional(text, pos)
            out.append("\n\n")
        elif name in ("par", "newline", "linebreak", "bigskip", "medskip", "smallskip"):
            out.append("\n\n" if name == "par" else " ")
        elif name in ("begin", "end"):
            _, pos = _group(text, pos)
            out.append(" ")
        elif name in KEEP_COMMANDS or text.startswith("[", pos):
            _, pos = read_optional(text, pos)
    out.append(text[pos:])
    result = "".join(out)
    result = result.replace("~", " ").replace("``", "“").replace("''", "”")
    result = result.replace("---", "—").replace("--", "–")
    return _BRACE.sub("", result)


def _group(text: str, pos: int) -> tuple[str, int]:
    start = skip_spaces(text, pos)
    if not text.startswith("{", start):
        return "", pos
    end = match_group(text, start)
    if end < 0:
        return "", pos
    return text[start + 1 : end - 1], end


def _skip_group(text: str, pos: int) -> int:
    return _group(text, pos)[1]


def _tidy(text: str) -> str:
    text = _PARAGRAPH.sub("\0", text).replace("\n", " ")
    text = _SPACE.sub(" ", text)
    text = _BEFORE_PUNCT.sub(r"\1", text).replace("( ", "(")
    return "\n\n".join(p for p in (para.strip() for para in text.split("\0")) if p)
