"""A paper's LaTeX source -> its display equations, numbered as the PDF shows them, and its prose.

Pure except for reading the paper's own files: the main file is found, ``\\input``
and ``\\include`` are followed (never outside the paper's folder), comments and
switched-off blocks are dropped, the paper's macros are expanded
(``latex_macros``), and one scan over the result finds sections, displays and the
numbering commands.  Nothing here fails because of one odd construct: problems
become ``Document.warnings``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from pathlib import Path

from studycards.errors import StudycardsError
from studycards.latex_macros import Expander, match_group, read_argument, read_optional
from studycards.latex_number import Numbering, display_equations
from studycards.latex_text import all_sentences, plain_text
from studycards.models import Equation

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_INCLUDES = 1000
MAX_DEPTH = 30
MAX_CANDIDATES = 2000

DISPLAY_ENVS = {"equation", "multline", "displaymath", "align", "flalign", "alignat",
                "gather", "eqnarray", "xalignat", "xxalignat", "dmath", "dgroup"}
SECTION_LEVELS = {"part": -1, "chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3}
MAIN_NAMES = ("main.tex", "ms.tex", "paper.tex", "article.tex")

_COMMENTS = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")
_CONDITIONAL = re.compile(r"\\(?:(if[A-Za-z]*|fi|else)(?![A-Za-z])|[\s\S])")
_COMMENT_ENV = re.compile(r"\\begin\s*\{comment\}")
_END_DOCUMENT = re.compile(r"\\end\s*\{document\}")
_INPUT = re.compile(
    r"\\(input|include|subfile|import|subimport|includefrom|subincludefrom)(?![A-Za-z])\*?"
    r"[ \t]*(?:\{([^{}\n]*)\}(?:[ \t]*\{([^{}\n]*)\})?|([^\s{}\\%]+))"
)
_DOCCLASS = re.compile(r"\\documentclass\s*(?:\[[^\]]*\])?\s*\{\s*([^}\s]+)\s*\}")
_SCAN = re.compile(
    r"\\[\\$%]"
    r"|\\begin\s*\{(?P<begin>[A-Za-z]+\*?)\}"
    r"|\\end\s*\{(?P<end>[A-Za-z]+\*?)\}"
    r"|\\(?P<sec>part|chapter|section|subsection|subsubsection)(?![A-Za-z])[ \t]*(?P<star>\*)?"
    r"|\\(?P<cmd>appendix|numberwithin|counterwithin|counterwithout|setcounter|addtocounter"
    r"|title|icmltitle|documentclass|renewcommand|label|url|href)(?![A-Za-z])"
    r"|(?P<open>\\\[|\\\()"
    r"|(?P<dollar>\$\$?)"
)
_URL = re.compile(r"https?://[^\s}{\\]+")


@dataclass(frozen=True)
class Section:
    """A heading and its own prose (up to the next heading of any level), as plain text."""

    title: str
    level: int
    text: str
    number: str = ""


@dataclass(frozen=True)
class Document:
    """What the source says: equations in order, sections, and what could not be read."""

    main: Path
    equations: tuple[Equation, ...]
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = ()
    title: str = ""
    abstract: str = ""
    urls: tuple[str, ...] = ()
    macros: frozenset[str] = frozenset()


def decode(data: bytes) -> str:
    """Sources are usually UTF-8; anything else is read as latin-1, which never fails."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def strip_comments(text: str) -> str:
    """Drop ``%`` comments (not ``\\%``) but keep the ``%`` and the line break, so lines still count."""
    if "%" not in text:
        return text
    return _COMMENTS.sub(r"\1%", text)


def _blank(text: str) -> str:
    return "\n" * text.count("\n")


def drop_switched_off(text: str) -> str:
    """Remove ``\\iffalse … \\fi`` (keeping an ``\\else`` branch), ``comment`` environments and
    everything after ``\\end{document}``; removed text keeps its line breaks."""
    end = _END_DOCUMENT.search(text)
    if end:
        text = text[: end.start()]
    if "\\iffalse" in text or "\\if0" in text:
        text = _drop_iffalse(text)
    if "comment}" in text:
        out, pos = [], 0
        for m in _COMMENT_ENV.finditer(text):
            if m.start() < pos:
                continue
            close = text.find("\\end{comment}", m.end())
            stop = len(text) if close < 0 else close + len("\\end{comment}")
            out += [text[pos : m.start()], _blank(text[m.start() : stop])]
            pos = stop
        text = "".join(out) + text[pos:]
    return text


def _drop_iffalse(text: str) -> str:
    out: list[str] = []
    pos = 0
    depth = 0
    start = 0
    for m in _CONDITIONAL.finditer(text):
        word = m.group(1)
        if word is None:
            continue
        if depth == 0:
            if word in ("iffalse", "if") and (word == "iffalse" or text.startswith("0", m.end())):
                depth, start = 1, m.start()
            continue
        if word == "fi":
            depth -= 1
            if depth == 0:
                out += [text[pos:start], _blank(text[start : m.end()])]
                pos = m.end()
        elif word == "else" and depth == 1:
            out += [text[pos:start], _blank(text[start : m.end()])]
            pos, depth = m.end(), 0
            start = -1
        elif word.startswith("if") and word not in ("ifthenelse",) and \
                not text.endswith("\\newif", 0, m.start()):
            depth += 1
    if depth and start >= 0:
        out += [text[pos:start], _blank(text[start:])]
        pos = len(text)
    out.append(text[pos:])
    result = "".join(out)
    return re.sub(r"\\fi(?![A-Za-z])", "", result) if "\\else" in text else result


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_FILE_BYTES)


def find_main(folder: Path) -> Path:
    """The file with ``\\documentclass`` and ``\\begin{document}``; ties go to common names,
    then to the file that pulls in the most others, then to the largest."""
    folder = Path(folder)
    if folder.is_file():
        return folder
    if not folder.is_dir():
        raise StudycardsError(f"no such folder: {folder}")
    best: tuple | None = None
    for count, path in enumerate(sorted(folder.rglob("*.tex"))):
        if count >= MAX_CANDIDATES:
            break
        if path.name.startswith(".") or not path.is_file() or path.is_symlink():
            continue
        try:
            text = decode(_read(path))
        except OSError:
            continue
        if "\\documentclass" not in text:
            continue
        text = strip_comments(text)
        if "\\documentclass" not in text or not re.search(r"\\begin\s*\{document\}", text):
            continue
        score = (path.name.lower() in MAIN_NAMES, -len(path.relative_to(folder).parts),
                 len(_INPUT.findall(text)), len(text), str(path))
        if best is None or score > best[0]:
            best = (score, path)
    if best is None:
        raise StudycardsError(
            f"no main LaTeX file in {folder}: none has \\documentclass and \\begin{{document}}"
        )
    return best[1]


class _Source:
    """The main file with its inputs inlined, remembering which file and line each part is from."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.files: list[str] = []
        self.lines: list[int] = []
        self.length = 0
        self.includes = 0
        self.total = 0
        self.warnings: list[str] = []

    def load(self, path: Path, stack: tuple[Path, ...] = ()) -> None:
        data = _read(path)
        self.total += len(data)
        if len(data) >= MAX_FILE_BYTES:
            self.warnings.append(f"{self._rel(path)}: larger than {MAX_FILE_BYTES} bytes, truncated")
        text = drop_switched_off(strip_comments(decode(data)))
        rel = self._rel(path)
        pos, line = 0, 1
        for m in _INPUT.finditer(text):
            self._add(text[pos : m.start()], rel, line)
            line += text.count("\n", pos, m.end())
            pos = m.end()
            target = self._resolve(m, path, stack)
            if target is not None:
                self.includes += 1
                self.load(target, stack + (path.resolve(),))
        self._add(text[pos:], rel, line)

    def _add(self, text: str, rel: str, line: int) -> None:
        if text:
            self.parts.append(text)
            self.starts.append(self.length)
            self.files.append(rel)
            self.lines.append(line)
            self.length += len(text)

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def _resolve(self, m: re.Match, current: Path, stack: tuple[Path, ...]) -> Path | None:
        kind = m.group(1)
        name = (m.group(2) if m.group(2) is not None else m.group(4) or "").strip().strip('"')
        if kind in ("import", "subimport", "includefrom", "subincludefrom"):
            name = (name.rstrip("/") + "/" + (m.group(3) or "").strip()).lstrip("/") \
                if m.group(3) is not None else name
        shown = f"\\{kind}{{{name}}}"
        if not name or name.startswith("|"):
            self.warnings.append(f"skipped {shown}: not a file name")
            return None
        if self.includes >= MAX_INCLUDES or len(stack) >= MAX_DEPTH or self.total > MAX_TOTAL_BYTES:
            self.warnings.append(f"skipped {shown}: too many or too deeply nested inputs")
            return None
        if Path(name).is_absolute() or name.startswith("~"):
            self.warnings.append(f"skipped {shown}: outside the paper's folder")
            return None
        bases = [self.root, current.parent] if kind not in ("subimport",) else [current.parent]
        for base in bases:
            for candidate in (base / name, base / (name + ".tex")):
                resolved = candidate.resolve()
                if not resolved.is_relative_to(self.root):
                    self.warnings.append(f"skipped {shown}: outside the paper's folder")
                    return None
                if resolved.is_file():
                    if resolved in stack or resolved == current.resolve():
                        self.warnings.append(f"skipped {shown}: it inputs itself (a loop)")
                        return None
                    return resolved
        self.warnings.append(f"skipped {shown}: file not found")
        return None

    def text(self) -> str:
        return "".join(self.parts)

    def where(self, flat: str, offset: int) -> tuple[str, int]:
        i = max(0, bisect_right(self.starts, offset) - 1)
        if not self.files:
            return "", 1
        return self.files[i], self.lines[i] + flat.count("\n", self.starts[i], offset)


def read_document(path: Path) -> Document:
    """Read a paper's source folder (or one ``.tex``) into its equations, sections and prose."""
    path = Path(path)
    main = find_main(path)
    root = path if path.is_dir() else main.parent
    source = _Source(root)
    try:
        source.load(main)
    except OSError as exc:
        raise StudycardsError(f"cannot read {main}: {exc.strerror or exc}") from None
    flat = source.text()
    expander = Expander()
    doc, positions = expander.expand_document(flat)
    scan = _scan(doc)
    refs = dict(scan.section_labels)
    equations: list[Equation] = []
    for display, eq in scan.equations:
        if eq.label and eq.number:
            refs[eq.label] = eq.number
    for display, eq in scan.equations:
        file, line = source.where(flat, positions.source(eq.line))
        intro, where = _context(doc, display, scan, refs)
        equations.append(replace(eq, file=file, line=line, intro=intro, where=where))
    sections = tuple(
        Section(title, level, plain_text(_prose(doc, start, end, scan.displays), refs), number)
        for title, level, number, start, end in scan.section_spans(len(doc))
    )
    title = plain_text(expander.expand(scan.title)) if scan.title else ""
    abstract = plain_text(scan.abstract, refs) if scan.abstract else ""
    return Document(
        main=main,
        equations=tuple(equations),
        sections=sections,
        warnings=tuple(source.warnings + expander.warnings + scan.warnings),
        title=" ".join(title.split()),
        abstract=abstract,
        urls=tuple(dict.fromkeys(scan.urls)),
        macros=expander.names,
    )


class _Scan:
    """Everything one pass over the expanded text finds, in document order."""

    def __init__(self) -> None:
        self.numbering = Numbering()
        self.equations: list[tuple[tuple[int, int], Equation]] = []
        self.displays: list[tuple[int, int]] = []
        self.headings: list[tuple[str, int, str, int]] = []
        self.section_labels: dict[str, str] = {}
        self.warnings: list[str] = []
        self.urls: list[str] = []
        self.title = ""
        self.abstract = ""
        self.body_start = 0
        self.current = ["", "", "", "", ""]

    def section_spans(self, length: int):
        for i, (title, level, number, start) in enumerate(self.headings):
            end = self.headings[i + 1][3] if i + 1 < len(self.headings) else length
            yield title, level, number, start, end

    def innermost(self) -> str:
        return next((t for t in reversed(self.current) if t), "")


def _scan(doc: str) -> _Scan:
    scan = _Scan()
    in_body = "\\begin{document}" not in doc and not re.search(r"\\begin\s*\{document\}", doc)
    pos = 0
    while True:
        m = _SCAN.search(doc, pos)
        if m is None:
            break
        pos = m.end()
        kind = m.lastgroup
        if kind is None:
            continue
        if kind == "begin":
            env = m.group("begin")
            if env == "document":
                in_body, scan.body_start = True, m.end()
            elif env == "abstract":
                close = doc.find("\\end{abstract}", pos)
                if close > 0 and not scan.abstract:
                    scan.abstract = doc[pos:close]
            elif env == "subequations":
                scan.numbering.begin_subequations()
            elif env.rstrip("*") in DISPLAY_ENVS and in_body:
                pos = _display(doc, m, env, doc.find("\\end{" + env + "}", pos), scan)
        elif kind == "end":
            if m.group("end") == "subequations":
                scan.numbering.end_subequations()
        elif kind == "sec":
            pos = _heading(doc, m, scan, in_body)
        elif kind == "cmd":
            pos = _command(doc, m, scan)
        elif kind == "open" and in_body:
            closer = "\\]" if m.group() == "\\[" else "\\)"
            close = _find_unescaped(doc, closer, pos)
            if close < 0:
                continue
            if closer == "\\]":
                pos = _display(doc, m, "displaymath", close, scan, len(closer))
            else:
                pos = close + 2
        elif kind == "dollar" and in_body:
            pos = _dollar(doc, m, scan)
    return scan


def _find_unescaped(doc: str, token: str, pos: int) -> int:
    while True:
        close = doc.find(token, pos)
        if close < 0:
            return -1
        backslashes = len(doc[max(0, close - 8) : close]) - len(doc[max(0, close - 8) : close].rstrip("\\"))
        if backslashes % 2 == 0:
            return close
        pos = close + 1


def _dollar(doc: str, m: re.Match, scan: _Scan) -> int:
    """``$$…$$`` is a display; ``$…$`` is skipped whole (if it closes within its paragraph)."""
    if m.group() == "$$":
        close = _find_unescaped(doc, "$$", m.end())
        if close < 0:
            return m.end()
        return _display(doc, m, "$$", close, scan, 2)
    for n in re.finditer(r"\\[\s\S]|\$|\n[ \t]*\n", doc[m.end() : m.end() + 20000]):
        if n.group() == "$":
            return m.end() + n.end()
        if n.group().startswith("\n"):
            break
    return m.end()


def _display(doc: str, m: re.Match, env: str, close: int, scan: _Scan, closer: int = 0) -> int:
    if close < 0:
        scan.warnings.append(f"unclosed display {m.group()} ignored")
        return m.end()
    end = close + (closer or len(env) + 6)
    body_start = m.end()
    if env.startswith("alignat") or env.startswith("xalignat") or env.startswith("xxalignat"):
        _, body_start = read_argument(doc, body_start)
    scan.displays.append((m.start(), end))
    for eq in display_equations(doc, body_start, close, env, scan.numbering, scan.innermost()):
        scan.equations.append(((m.start(), end), eq))
    return end


def _heading(doc: str, m: re.Match, scan: _Scan, in_body: bool) -> int:
    name = m.group("sec")
    _, pos = read_optional(doc, m.end())
    title, pos = read_argument(doc, pos)
    if not in_body:
        return pos
    level = SECTION_LEVELS[name]
    number = "" if m.group("star") else scan.numbering.heading(name)
    clean = " ".join(plain_text(title).split())
    scan.current[level + 1 if level >= 0 else 0] = clean
    for deeper in range(max(level + 2, 1), len(scan.current)):
        scan.current[deeper] = ""
    scan.headings.append((clean, level, number, pos))
    label = re.match(r"\s*\\label\s*\{([^{}]*)\}", doc[pos : pos + 300])
    if label and number:
        scan.section_labels[label.group(1)] = number
    return pos


def _command(doc: str, m: re.Match, scan: _Scan) -> int:
    name = m.group("cmd")
    pos = m.end()
    if name == "appendix":
        scan.numbering.appendix()
    elif name == "documentclass":
        cls = _DOCCLASS.match(doc, m.start())
        if cls:
            scan.numbering.document_class(cls.group(1))
            pos = cls.end()
    elif name in ("numberwithin", "counterwithin", "counterwithout"):
        if doc.startswith("*", pos):
            pos += 1
        counter, pos = read_argument(doc, pos)
        parent, pos = read_argument(doc, pos)
        if counter.strip() == "equation":
            scan.numbering.within(None if name == "counterwithout" else parent.strip())
    elif name in ("setcounter", "addtocounter"):
        counter, pos = read_argument(doc, pos)
        value, pos = read_argument(doc, pos)
        scan.numbering.set_counter(counter.strip(), value.strip(), name == "addtocounter")
    elif name == "renewcommand":
        star = pos + 1 if doc.startswith("*", pos) else pos
        target, after = read_argument(doc, star)
        if target.strip() == "\\theequation":
            template, pos = read_argument(doc, after)
            scan.numbering.template(template)
    elif name in ("title", "icmltitle"):
        _, pos = read_optional(doc, pos)
        title, pos = read_argument(doc, pos)
        scan.title = scan.title or title
    elif name in ("url", "href"):
        target, pos = read_argument(doc, pos)
        scan.urls.extend(_URL.findall(target.replace("\\_", "_").replace("\\#", "#").replace("\\%", "%")))
    return pos


def _prose(doc: str, start: int, end: int, displays: list[tuple[int, int]]) -> str:
    """The source between two offsets with its displays replaced by paragraph breaks."""
    pieces, pos = [], start
    i = bisect_right([d[0] for d in displays], start)
    if i and displays[i - 1][1] > start:
        pos = displays[i - 1][1]
    for d_start, d_end in displays[i:]:
        if d_start >= end:
            break
        pieces += [doc[pos:d_start], "\n\n"]
        pos = d_end
    pieces.append(doc[pos:end])
    return "".join(pieces)


def _context(doc: str, span: tuple[int, int], scan: _Scan, refs: dict[str, str]) -> tuple[str, str]:
    """The sentence before a display and the "where …" sentence after it, if there is one."""
    start, end = span
    starts = [d[0] for d in scan.displays]
    heads = [h[3] for h in scan.headings]
    i = bisect_right(starts, start) - 1
    before_from = max(scan.displays[i - 1][1] if i > 0 else 0,
                      heads[bisect_right(heads, start) - 1] if heads and heads[0] <= start else scan.body_start,
                      start - 3000)
    before = all_sentences(plain_text(doc[before_from:start], refs))
    after_to = min(starts[i + 1] if i + 1 < len(starts) else len(doc),
                   next((h for h in heads if h > end), len(doc)), end + 3000)
    after = all_sentences(plain_text(doc[end:after_to], refs))
    intro = before[-1] if before else ""
    where = ""
    if after:
        first = after[0].lstrip(" ,.;:")
        if re.match(r"where\b", first, re.IGNORECASE):
            where = first
    return intro, where
