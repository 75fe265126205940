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
from dataclasses import dataclass
from pathlib import Path

from studycards.errors import StudycardsError
from studycards.latex.arguments import work_budget
from studycards.latex.conditionals import Conditions
from studycards.latex.macros import Expander
from studycards.latex.packages import PACKAGE, own_definitions
from studycards.latex.prose import plain_text
from studycards.latex.scan import scan
from studycards.models import Equation

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_INCLUDES = 1000
MAX_DEPTH = 30
MAX_CANDIDATES = 2000
MAX_WARNINGS = 50

MAIN_NAMES = ("main.tex", "ms.tex", "paper.tex", "article.tex")

_COMMENTS = re.compile(r"(\\\\|\\%)|(%)[^\n]*")
_COMMENT_ENV = re.compile(r"\\begin\s*\{comment\}")
_END_DOCUMENT = re.compile(r"\\end\s*\{document\}")
_INPUT = re.compile(
    r"\\(input|include|subfile|import|subimport|includefrom|subincludefrom)(?![A-Za-z])\*?"
    r"[ \t]*(?:\{([^{}\n]*)\}(?:[ \t]*\{([^{}\n]*)\})?|([^\s{}\\%]+))"
)


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
    # The warnings (also in ``warnings``) that say why an equation shows no number: a reader
    # looking at "(–)" needs the reason without asking for -v.
    number_warnings: tuple[str, ...] = ()


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
    return _COMMENTS.sub(r"\1\2", text)


def _blank(text: str) -> str:
    return "\n" * text.count("\n")


def drop_switched_off(text: str, conditions: Conditions | None = None) -> str:
    """Remove the branches of conditionals the PDF leaves out (``\\iffalse``, ``\\if\\icml1``…,
    decided by ``conditions``, what the source said before), ``comment`` environments and
    everything after ``\\end{document}``; removed text keeps its line breaks."""
    end = _END_DOCUMENT.search(text)
    if end:
        text = text[: end.start()]
    text = (conditions or Conditions()).apply(text)
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
        score = (
            path.name.lower() in MAIN_NAMES,
            -len(path.relative_to(folder).parts),
            len(_INPUT.findall(text)),
            len(text),
            str(path),
        )
        if best is None or score > best[0]:
            best = (score, path)
    if best is None:
        raise StudycardsError(f"no main LaTeX file in {folder}: none has \\documentclass and \\begin{{document}}")
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
        self.attempts = 0
        self._cursor = (-1, 0, 0)
        self.total = 0
        self.warnings: list[str] = []
        self.conditions = Conditions()

    def load(self, path: Path, stack: tuple[Path, ...] = ()) -> None:
        data = _read(path)
        self.total += len(data)
        if len(data) >= MAX_FILE_BYTES:
            self.warnings.append(f"{self._rel(path)}: larger than {MAX_FILE_BYTES} bytes, truncated")
        text = drop_switched_off(strip_comments(decode(data)), self.conditions)
        if path.suffix == ".sty":
            text = own_definitions(text)
        rel = self._rel(path)
        pos, line = 0, 1
        found = list(_INPUT.finditer(text))
        if "\\usepackage" in text or "\\RequirePackage" in text:
            found = sorted(found + list(PACKAGE.finditer(text)), key=lambda m: m.start())
        for m in found:
            if m.start() < pos:
                continue
            self._add(text[pos : m.end() if m.re is PACKAGE else m.start()], rel, line)
            line += text.count("\n", pos, m.end())
            pos = m.end()
            for target in (
                self._packages(m, stack + (path.resolve(),)) if m.re is PACKAGE else [self._resolve(m, path, stack)]
            ):
                if target is not None:
                    self.load(target, stack + (path.resolve(),))
        self._add(text[pos:], rel, line)

    def _packages(self, m: re.Match, stack: tuple[Path, ...]) -> list[Path]:
        """The paper's own ``.sty`` files among those ``\\usepackage`` names; a package TeX Live
        supplies is not in the folder and is left alone, without a warning."""
        found = []
        for name in m.group(1).split(","):
            candidate = (self.root / (name.strip() + ".sty")).resolve()
            if (
                name.strip()
                and candidate.is_relative_to(self.root)
                and candidate.is_file()
                and candidate not in stack
                and self.attempts < MAX_INCLUDES
            ):
                self.attempts += 1
                found.append(candidate)
        return found

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("… further warnings about inputs left out")

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
            name = (name.rstrip("/") + "/" + (m.group(3) or "").strip()).lstrip("/") if m.group(3) is not None else name
        shown = f"\\{kind}{{{name}}}".replace("\x00", "^^@")
        if not name or name.startswith("|") or "\x00" in name:
            self.warn(f"skipped {shown}: not a file name")
            return None
        self.attempts += 1
        if self.attempts > MAX_INCLUDES or len(stack) >= MAX_DEPTH or self.total > MAX_TOTAL_BYTES:
            self.warn(f"skipped {shown}: too many or too deeply nested inputs")
            return None
        if Path(name).is_absolute() or name.startswith("~"):
            self.warn(f"skipped {shown}: outside the paper's folder")
            return None
        bases = [self.root, current.parent] if kind not in ("subimport",) else [current.parent]
        for base in bases:
            for candidate in (base / name, base / (name + ".tex")):
                resolved = candidate.resolve()
                if not resolved.is_relative_to(self.root):
                    self.warn(f"skipped {shown}: outside the paper's folder")
                    return None
                if resolved.is_file():
                    if resolved in stack or resolved == current.resolve():
                        self.warn(f"skipped {shown}: it inputs itself (a loop)")
                        return None
                    return resolved
        self.warn(f"skipped {shown}: file not found")
        return None

    def text(self) -> str:
        return "".join(self.parts)

    def where(self, flat: str, offset: int) -> tuple[str, int]:
        """File and line of a flat offset; asked in document order, so lines are counted once."""
        if not self.files:
            return "", 1
        i = max(0, bisect_right(self.starts, offset) - 1)
        last_piece, last_offset, last_line = self._cursor
        if last_piece != i or offset < last_offset:
            last_offset, last_line = self.starts[i], self.lines[i]
        line = last_line + flat.count("\n", last_offset, offset)
        self._cursor = (i, offset, line)
        return self.files[i], line


def read_document(path: Path) -> Document:
    """Read a paper's source folder (or one ``.tex``) into its equations, sections and prose."""
    path = Path(path)
    main = find_main(path)
    root = path if path.is_dir() else main.parent
    source = _Source(root)
    with work_budget() as budget:
        try:
            source.load(main)
        except OSError as exc:
            raise StudycardsError(f"cannot read {main}: {exc.strerror or exc}") from None
        flat = source.text()
        expander = Expander()
        doc, positions = expander.expand_document(flat)
        found = scan(doc)
        refs = dict(found.section_labels)
        refs.update((eq.label, eq.number) for _, eq in found.equations if eq.label and eq.number)
        numbered = [(span, _resolved_tag(eq, refs)) for span, eq in found.equations]
        refs.update((eq.label, eq.number) for _, eq in numbered if eq.label and eq.number)
        refs.update(found.numbering.ref_numbers)
        equations: list[Equation] = []
        previous: tuple[int, int] | None = None
        for span, eq in numbered:
            file, line = source.where(flat, positions.source(eq.line))
            intro, where = found.context(span, refs)
            if not intro and equations and previous is not None and _adjacent(found, previous, span, refs):
                intro = equations[-1].intro
            equations.append(eq._replace(file=file, line=line, intro=intro, where=where))
            previous = span
        sections = tuple(
            Section(title, level, plain_text(found.prose(start, end), refs), number)
            for title, level, number, start, end in found.section_spans()
        )
        title = " ".join(plain_text(expander.expand(found.title)).split()) if found.title else ""
        abstract = plain_text(found.abstract, refs) if found.abstract else ""
    warnings = source.warnings + expander.warnings + found.warnings
    if budget[0] < 0:
        warnings.append(
            "the source is too large or too unbalanced to read in full: some commands and macros were skipped"
        )
    return Document(
        main=main,
        equations=tuple(equations),
        sections=sections,
        warnings=tuple(dict.fromkeys(warnings))[:MAX_WARNINGS],
        number_warnings=tuple(found.numbering.warnings()),
        title=title,
        abstract=abstract,
        urls=tuple(dict.fromkeys(found.urls)),
        macros=expander.names,
    )


_REF = re.compile(r"\\(eq)?ref\*?\s*\{([^{}]*)\}")


def _resolved_tag(eq: Equation, refs: dict[str, str]) -> Equation:
    """A ``\\tag`` that cites another equation (``\\tag{\\ref{e:loss} revisited}``) reads as the PDF prints it."""
    if not eq.number or "ref" not in eq.number:
        return eq

    def cite(m: re.Match) -> str:
        number = refs.get(m.group(2).strip(), "??")
        return f"({number})" if m.group(1) else number

    return eq._replace(number=" ".join(_REF.sub(cite, eq.number).split()))


def _adjacent(found, before: tuple[int, int], span: tuple[int, int], refs: dict[str, str]) -> bool:
    """No prose between two displays: the second continues the run the first began."""
    return before == span or not plain_text(found.doc[before[1] : span[0]], refs).strip()


def with_sympy(equations: tuple[Equation, ...] | list[Equation]) -> tuple[Equation, ...]:
    """The same equations with sympy's reading (free symbols, unicode pretty form) where it parses.

    Separate from extraction because sympy is slow to import and to parse; an
    equation sympy cannot read keeps ``pretty=None`` and is shown from its LaTeX.
    """
    from studycards.mathtext import pretty as mathtext

    result = []
    for equation in equations:
        try:
            reading = mathtext.sympy_reading(equation.latex)
        except Exception:
            reading = None
        if reading is not None:
            equation = equation._replace(symbols=tuple(reading.symbols), pretty=reading.pretty)
        result.append(equation)
    return tuple(result)
