"""Mutants of one source file, each a small edit a test suite should notice.

The edit is made on the source text, not on a re-printed tree: only the span of
the mutated node (or the operator between two operands) changes, so the rest of
the file, its comments and its line numbers stay as they are, and a survivor's
``file:line`` points at the code a reader knows.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

BINARY = {
    ast.Add: (ast.Sub, "+", "-"),
    ast.Sub: (ast.Add, "-", "+"),
    ast.Mult: (ast.Div, "*", "/"),
    ast.Div: (ast.Mult, "/", "*"),
    ast.FloorDiv: (ast.Div, "//", "/"),
    ast.Mod: (ast.Div, "%", "/"),
    ast.Pow: (ast.Mult, "**", "*"),
    ast.LShift: (ast.RShift, "<<", ">>"),
    ast.RShift: (ast.LShift, ">>", "<<"),
    ast.BitAnd: (ast.BitOr, "&", "|"),
    ast.BitOr: (ast.BitAnd, "|", "&"),
    ast.BitXor: (ast.BitAnd, "^", "&"),
}
COMPARE = {
    ast.Lt: ("<", ("<=", ">=")),
    ast.LtE: ("<=", ("<", ">")),
    ast.Gt: (">", (">=", "<=")),
    ast.GtE: (">=", (">", "<")),
    ast.Eq: ("==", ("!=",)),
    ast.NotEq: ("!=", ("==",)),
    ast.In: ("in", ("not in",)),
    ast.NotIn: ("not in", ("in",)),
    ast.Is: ("is", ("is not",)),
    ast.IsNot: ("is not", ("is",)),
}
AUGMENTED = {"+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=", "//=": "/=", "|=": "&=", "&=": "|=", "%=": "/="}
OPERATOR_TEXT = re.compile(r"not\s+in|is\s+not|\*\*|//|<<|>>|<=|>=|==|!=|\band\b|\bor\b|\bin\b|\bis\b|[-+*/%&|^<>]")


@dataclass(frozen=True)
class Mutant:
    """One edit: where it is (1-based line), what it does, and the whole mutated source."""

    path: str
    line: int
    col: int
    description: str
    line_text: str
    source: str

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line}: {self.description}"


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str
    col: int
    description: str


class Source:
    """Source text with ast positions (UTF-8 byte columns) turned into character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, col: int) -> int:
        raw = self.lines[line - 1].encode("utf-8")[:col]
        return self.starts[line - 1] + len(raw.decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]


def _skipped(tree: ast.Module) -> set[int]:
    """Nodes no mutant should touch: docstrings, annotations, f-string parts, ``__future__`` imports."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(child) for child in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                mark(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            mark(node.returns)
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                mark(arg.annotation)
            for arg in (node.args.vararg, node.args.kwarg):
                if arg is not None:
                    mark(arg.annotation)
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        elif isinstance(node, ast.JoinedStr | ast.ImportFrom | ast.Import):
            for child in ast.iter_child_nodes(node):
                mark(child)
        elif isinstance(node, ast.match_case):
            mark(node.pattern)
    return skip


def _functions(tree: ast.Module, names: set[str]) -> list[tuple[int, int]]:
    """Line ranges of the named functions (methods too), for targets that mutate part of a module."""
    ranges = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names:
            ranges.append((node.lineno, node.end_lineno or node.lineno))
    return ranges


def _wrap(text: str, original: str) -> str:
    """Parenthesise an expression, keeping the line count so later lines keep their numbers."""
    return "(" + text + "\n" * original.count("\n") + ")"


def _operator_gap(src: Source, left: ast.AST, right: ast.AST, old: str) -> tuple[int, int] | None:
    """Where the operator ``old`` sits between two operands (parentheses and spaces around it excluded)."""
    start = src.offset(left.end_lineno, left.end_col_offset)
    end = src.offset(right.lineno, right.col_offset)
    for found in OPERATOR_TEXT.finditer(src.text, start, end):
        if re.sub(r"\s+", " ", found.group()) == old:
            return found.start(), found.end()
    return None


def _constant(node: ast.Constant) -> Iterator[tuple[str, str]]:
    value = node.value
    if isinstance(value, bool):
        yield repr(not value), f"{value} -> {not value}"
    elif isinstance(value, int | float):
        yield repr(value + 1), f"{value!r} -> {value + 1!r}"
        if value == 1:
            yield repr(type(value)(0)), f"{value!r} -> {type(value)(0)!r}"
    elif isinstance(value, str):
        changed = "XX" + value + "XX"
        yield repr(changed), f"{_short(value)} -> {_short(changed)}"
    elif isinstance(value, bytes):
        changed_bytes = b"XX" + value + b"XX"
        yield repr(changed_bytes), f"{_short(value)} -> {_short(changed_bytes)}"


def _short(value: str | bytes) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _edits(tree: ast.Module, src: Source) -> Iterator[Edit]:
    skip = _skipped(tree)
    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        col = node.col_offset
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            _, old, new = BINARY[type(node.op)]
            gap = _operator_gap(src, node.left, node.right, old)
            if gap:
                yield Edit(*gap, new, col, f"`{old}` -> `{new}`")
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                old, news = COMPARE[type(op)]
                gap = _operator_gap(src, left, right, old)
                if gap:
                    for new in news:
                        yield Edit(*gap, new, col, f"`{old}` -> `{new}`")
                left = right
        elif isinstance(node, ast.BoolOp):
            old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            for left, right in zip(node.values, node.values[1:]):
                gap = _operator_gap(src, left, right, old)
                if gap:
                    yield Edit(*gap, new, col, f"`{old}` -> `{new}`")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub | ast.Invert):
            start, end = src.span(node)
            operand = src.segment(node.operand)
            sign = {ast.Not: "not x", ast.USub: "-x", ast.Invert: "~x"}[type(node.op)]
            yield Edit(start, end, _wrap(operand, src.segment(node)), col, f"`{sign}` -> `x`")
        elif isinstance(node, ast.Constant) and node.value is not Ellipsis and node.value is not None:
            start, end = src.span(node)
            for text, description in _constant(node):
                yield Edit(start, end, _wrap(text, src.segment(node)), col, description)
        elif isinstance(node, ast.Break | ast.Continue):
            start, end = src.span(node)
            old, new = ("break", "continue") if isinstance(node, ast.Break) else ("continue", "break")
            yield Edit(start, end, new, col, f"{old} -> {new}")
        elif isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Constant) and node.value.value is None:
                continue
            start, end = src.span(node)
            yield Edit(start, end, "return " + _wrap("None", src.segment(node)), col, "return value -> None")
        elif isinstance(node, ast.AugAssign):
            start = src.offset(node.target.end_lineno, node.target.end_col_offset)
            end = src.offset(node.value.lineno, node.value.col_offset)
            found = re.search(r"\S+=", src.text[start:end])
            if found and found.group() in AUGMENTED:
                old = found.group()
                new = AUGMENTED[old]
                yield Edit(start + found.start(), start + found.end(), new, col, f"`{old}` -> `{new}`")
        elif isinstance(node, ast.Slice):
            for bound, name in ((node.lower, "lower"), (node.upper, "upper")):
                if bound is not None:
                    start, end = src.span(bound)
                    yield Edit(start, end, "", col, f"slice {name} bound `{src.segment(bound)}` dropped")


def mutants(path: str, text: str, functions: set[str] | None = None) -> Iterator[Mutant]:
    """Every mutant of ``text`` that still compiles; ``functions`` limits them to those function bodies."""
    tree = ast.parse(text)
    src = Source(text)
    ranges = _functions(tree, functions) if functions else None
    seen: set[tuple[int, int, str]] = set()
    for edit in sorted(_edits(tree, src), key=lambda e: (e.start, e.end, e.description)):
        line = text.count("\n", 0, edit.start) + 1
        if ranges is not None and not any(first <= line <= last for first, last in ranges):
            continue
        if (edit.start, edit.end, edit.text) in seen:
            continue
        seen.add((edit.start, edit.end, edit.text))
        mutated = text[: edit.start] + edit.text + text[edit.end :]
        try:
            compile(mutated, path, "exec")
        except SyntaxError:
            continue
        yield Mutant(path, line, edit.col, edit.description, src.lines[line - 1].strip(), mutated)
