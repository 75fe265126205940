"""LaTeX math -> readable unicode text, by plain string work (no sympy): the fallback that always works.

It keeps what a reader needs (fractions, roots, norms, sub- and superscripts,
greek letters, operators) and never raises, whatever the input.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from studycards.mathtext.symbols import (
    ACCENT_NAMES,
    ACCENTS,
    BIG,
    BINARY,
    BRACKETS,
    DOUBLE,
    DROP_ARG,
    ESCAPES,
    GREEK,
    IGNORED,
    MATH_FONTS,
    MATRICES,
    RELATIONS,
    SCRIPT,
    SUB,
    SUP,
    SYMBOLS,
    TEXT_FONTS,
)

_OPERATOR_CHARS = (set("+-±∓·×÷/=<>,;:") | set(RELATIONS.values()) | set(BINARY.values())) - {"|"}
_VALUE_END = set(")]}′'!∞⁾₎‖|")
_VALUE_START = set("√∛∜∑∏∫∮∂∇∞…")
_BLANKS = re.compile(r"[ \t]+")
_TOKEN = re.compile(r"\\([A-Za-z]+)\*?|\\(.)|(\s+)|(.)", re.S)
_SIMPLE = {
    **{n: ("text", c) for n, c in {**GREEK, **SYMBOLS}.items()},
    **{n: ("rel", c) for n, c in {**RELATIONS, **BINARY, "bmod": "mod", "mod": "mod"}.items()},
    **{n: ("func", c) for n, c in BIG.items()},
    "pm": ("op", "±"),
    "mp": ("op", "∓"),
    **{n: ("space", " ") for n in "quad qquad enspace thinspace medspace thickspace".split()},
}


def _styled(text: str, holes: dict[str, str], base: int) -> str:
    """Map capitals to a unicode math alphabet, keeping any letter that has no counterpart."""
    return "".join(holes.get(c) or (chr(base + ord(c) - 65) if "A" <= c <= "Z" else c) for c in text)


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """Unicode sub/superscripts only when every character has one; mixing would misplace parts."""
    compact = "".join(text.split())
    if compact and all(c in table for c in compact):
        return "".join(table[c] for c in compact)
    text = " ".join(text.split())
    bare = len(text) == 1 or (text[:1] == "(" and text[-1:] == ")" and _atomic(text))
    return "" if not text else mark + text if bare else f"{mark}({text})"


def _atomic(text: str) -> bool:
    """A fraction side or root argument that needs no parentheses: nothing outside brackets."""
    depth = 0
    for ch in text:
        if ch in "([{⟨":
            depth += 1
        elif ch in ")]}⟩":
            depth -= 1
        elif depth <= 0 and (ch.isspace() or ch in _OPERATOR_CHARS):
            return False
    return True


def _is_operand(ch: str, extra: set[str]) -> bool:
    """Letters, digits, accents and closing signs: a neighbour touching them reads as a product."""
    return bool(ch) and (unicodedata.category(ch)[0] in "LN" or ch in extra or unicodedata.combining(ch) > 0)


_ENDS: dict[str, bool] = {}
_STARTS: dict[str, bool] = {}


def _ends_value(text: str) -> bool:
    """Asked of every piece joined (by character, remembered: the unicode database is slow to ask)."""
    ch = text[-1:]
    known = _ENDS.get(ch)
    if known is None:
        known = _ENDS[ch] = _is_operand(ch, _VALUE_END)
    return known


def _starts_value(text: str) -> bool:
    ch = text[:1]
    known = _STARTS.get(ch)
    if known is None:
        known = _STARTS[ch] = _is_operand(ch, _VALUE_START)
    return known


class _Piece(NamedTuple):
    kind: str  # text, func, script, op, rel, punct, space, frac, root, nl, sep
    text: str
    extra: str = ""


def _join(pieces: list[_Piece], mode: str) -> str:
    """Glue pieces, spacing operators and parenthesising fractions and roots that touch neighbours."""
    pad, out, pending = mode == "math", "", False
    for i, p in enumerate(pieces):
        kind, text = p.kind, p.text
        nxt = pieces[i + 1] if i + 1 < len(pieces) else _Piece("", "")
        glued = (
            nxt.kind in ("script", "frac", "root")
            or _starts_value(nxt.text)
            or nxt.text[:1] in ("(", "[", "‖", "|", "⟨")
        )
        if kind == "script":
            out += text
            continue
        if kind == "frac":
            text = "/".join(side if _atomic(side) else f"({side})" for side in (text, p.extra))
            text = f"({text})" if glued or _ends_value(out) else text
        elif kind == "root":
            text += f"({p.extra})" if glued or not _atomic(p.extra) else p.extra
        elif pad and (kind == "rel" or (kind == "op" and _ends_value(out))):
            text = f" {text} "
        elif pad and kind in ("punct", "sep"):
            text += " "
        out += " " + text if pending and _starts_value(text) else text
        pending = kind == "func"
    return out


_CHARS = {"+": "op", "-": "op", "=": "rel", "<": "rel", ">": "rel", ",": "punct", ";": "punct", "~": "space"}
_NEGATED = dict(zip("=∈<>≤≥⊂∼", "≠∉≮≯≰≱⊄≁"))


class _Parser:
    """A forgiving reader of LaTeX tokens: unknown or malformed input degrades, never raises.

    Modes: "math" ignores source spaces (as TeX does) and spaces operators; "tight" (scripts,
    fraction sides, roots) stays compact; "text" (\\text{...}) keeps spaces and reads no math.
    """

    def __init__(self, latex: str) -> None:
        self.tokens = [
            ("cmd", m[1]) if m[1] else ("esc", m[2]) if m[2] is not None else ("space", " ") if m[3] else ("char", m[4])
            for m in _TOKEN.finditer(latex)
        ]
        self.pos = 0
        self.envs: list[str] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def skip_spaces(self) -> None:
        while self.peek() == ("space", " "):
            self.pos += 1

    def seq(self, stop: str | None, mode: str) -> str:
        pieces: list[_Piece] = []
        tokens, ends = self.tokens, (("char", "}"), ("char", stop))
        while self.pos < len(tokens):
            tok = tokens[self.pos]
            self.pos += 1
            if tok in ends:
                if stop:
                    break
            elif (piece := self.item(tok, mode, pieces)) is not None:
                pieces.append(piece)
        return _join(pieces, mode)

    def arg(self, mode: str) -> str:
        """One macro argument: a braced group or a single token."""
        self.skip_spaces()
        tok = self.peek()
        if tok is None or tok == ("char", "}"):
            return ""
        self.pos += 1
        if tok == ("char", "{"):
            return self.seq("}", mode)
        if tok[0] == "char" and tok[1] in "^_&":
            return tok[1]
        piece = self.item(tok, mode, [])
        return _join([piece] if piece else [], mode)

    def optional(self, mode: str) -> str | None:
        self.skip_spaces()
        if self.peek() != ("char", "["):
            return None
        self.pos += 1
        return self.seq("]", mode)

    def item(self, tok: tuple[str, str], mode: str, pieces: list[_Piece]) -> _Piece | None:
        kind, value = tok
        env = self.envs[-1] if self.envs else ""
        if kind == "cmd":
            return self.command(value, mode, pieces)
        if kind == "esc" and value == "\\":
            self.optional(mode)
            return _Piece("sep", ";") if env in MATRICES else _Piece("nl", "\n")
        if kind == "esc":
            return _Piece("space" if value in ",:;> " else "text", ESCAPES.get(value, value))
        if kind == "space":
            return _Piece("space", " ") if mode == "text" else None
        if value == "{":
            return _Piece("text", self.seq("}", mode))
        if value == "\\" or (value == "$" and mode == "text"):
            return None
        if mode == "text":
            return _Piece("text", value)
        if value in "^_":
            table, mark = (SUP, "^") if value == "^" else (SUB, "_")
            return _Piece("script", _script(self.arg("tight"), table, mark))
        if value == "&":
            return _Piece("punct", ",") if env in MATRICES or env.startswith("cases") else _Piece("space", " ")
        if value == ":" and self.peek() == ("char", "="):
            self.pos += 1
            return _Piece("rel", "≔")
        return _Piece(_CHARS.get(value, "text"), " " if value == "~" else value)

    def command(self, name: str, mode: str, pieces: list[_Piece]) -> _Piece | None:
        """One control sequence and the arguments it takes; unknown ones read as their name."""
        if name in _SIMPLE:
            return _Piece(*_SIMPLE[name])
        reader = _READERS.get(name)
        if reader is not None:
            return reader(self, name, mode)
        if name in ("begin", "end"):
            return self.environment(name, pieces)
        if name in DROP_ARG:
            self.arg("text")
        elif name in IGNORED:
            self.skip_spaces()
            if self.peek() == ("char", "."):  # \left. is an invisible delimiter
                self.pos += 1
        else:
            return _Piece("func", name)
        return None

    def fraction(self, name: str, mode: str) -> _Piece | None:
        num, den = self.arg("tight").strip(), self.arg("tight").strip()
        return _Piece("frac", num, den) if num or den else None

    def root(self, name: str, mode: str) -> _Piece:
        index = (self.optional("tight") or "").strip()
        sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(index) or _script(index, SUP, "^") + "√"
        return _Piece("root", sign, self.arg("tight").strip())

    def binomial(self, name: str, mode: str) -> _Piece:
        top = self.arg("tight")
        return _Piece("text", f"({top} choose {self.arg('tight')})")

    def accent(self, name: str, mode: str) -> _Piece:
        body, word = self.arg(_tight(mode)).strip(), ACCENT_NAMES.get(name, name)
        single = len(body) == 1 or (len(body) == 2 and unicodedata.combining(body[1]) > 0)
        return _Piece("text", body + ACCENTS[name] if single else f"{word}({body})" if body else word)

    def font(self, name: str, mode: str) -> _Piece:
        return _Piece("text", self.arg("text" if name in TEXT_FONTS else _tight(mode)))

    def double_struck(self, name: str, mode: str) -> _Piece:
        return _Piece("text", _styled(self.arg(_tight(mode)), DOUBLE, 0x1D538))

    def calligraphic(self, name: str, mode: str) -> _Piece:
        return _Piece("text", _styled(self.arg(_tight(mode)), SCRIPT, 0x1D49C))

    def operator(self, name: str, mode: str) -> _Piece:
        return _Piece("func", self.arg(_tight(mode)).strip())

    def stacked(self, name: str, mode: str) -> _Piece:
        above = self.arg("tight")
        table, mark = (SUB, "_") if name == "underset" else (SUP, "^")
        return _Piece("text", self.arg(_tight(mode)).strip() + _script(above, table, mark))

    def coloured(self, name: str, mode: str) -> _Piece:
        self.arg("text")
        return _Piece("text", self.arg(mode))

    def negated(self, name: str, mode: str) -> _Piece:
        body = self.arg("tight").strip()
        return _Piece("rel", _NEGATED.get(body) or body + "\u0338")

    def modulo(self, name: str, mode: str) -> _Piece:
        return _Piece("text", f" (mod {self.arg(_tight(mode))})")

    def environment(self, name: str, pieces: list[_Piece]) -> _Piece | None:
        """Unwrap environments: rows become lines, matrices become [a, b; c, d]."""
        env = self.arg("text").strip()
        brackets = BRACKETS.get(env, "")
        if name == "begin":
            if env == "array":
                self.arg("text")  # the column specification
            self.envs.append(env)
            opening = "{ " if env.startswith("cases") else brackets[:1]
            return _Piece("text", opening) if opening else None
        if env in self.envs:
            del self.envs[self.envs.index(env) :]
        while pieces and pieces[-1].kind in ("sep", "nl", "space"):
            pieces.pop()
        return _Piece("text", brackets[1:]) if brackets else None


def _tight(mode: str) -> str:
    """An argument read inside a script stays compact; elsewhere it is math."""
    return "tight" if mode == "tight" else "math"


_Reader = Callable[[_Parser, str, str], _Piece | None]
_READERS: dict[str, _Reader] = {
    **dict.fromkeys(("frac", "dfrac", "tfrac", "cfrac"), _Parser.fraction),
    "sqrt": _Parser.root,
    **dict.fromkeys(("binom", "dbinom", "tbinom"), _Parser.binomial),
    **dict.fromkeys(ACCENTS, _Parser.accent),
    **dict.fromkeys(TEXT_FONTS | MATH_FONTS, _Parser.font),
    **dict.fromkeys(("mathbb", "Bbb"), _Parser.double_struck),
    **dict.fromkeys(("mathcal", "mathscr"), _Parser.calligraphic),
    "operatorname": _Parser.operator,
    **dict.fromkeys(("overset", "stackrel", "underset"), _Parser.stacked),
    "textcolor": _Parser.coloured,
    "not": _Parser.negated,
    "pmod": _Parser.modulo,
}


# The plainest math (letters, digits, greek, relations, + - = , ( ), one-level sub/superscripts: ``x_{12}``,
# ``\\alpha = 3``, ``d_k``) read in one pass: most inline spans of real notes, drawn each time a card is shown.
_FAST_TOKEN = re.compile(
    r"\\([A-Za-z]+)|([_^])(?:([A-Za-z0-9])|\{([A-Za-z0-9+\-=()]+)\})|([A-Za-z0-9()+\-=<>,])|( +)|.", re.S
)
_FAST_NAMES = {name: piece for name, piece in _SIMPLE.items() if piece[0] in ("text", "rel")}


def _plain(latex: str) -> str | None:
    """``_Parser(latex).seq(None, "math")`` for the plainest math, or None for anything else (a test pins the two
    together): the same pieces, spaced by the same rules as :func:`_join`."""
    out = ""
    for m in _FAST_TOKEN.finditer(latex):
        command, mark, single, braced, char, spaces = m.groups()
        if command is not None:
            piece = _FAST_NAMES.get(command)
            if piece is None:
                return None
            kind, text = piece
        elif mark is not None:
            table, sign = (SUP, "^") if mark == "^" else (SUB, "_")
            out += _script(single or braced, table, sign)
            continue
        elif char is not None:
            kind, text = _CHARS.get(char, "text"), char
        elif spaces is not None:
            continue
        else:
            return None
        if kind == "rel" or (kind == "op" and _ends_value(out)):
            text = f" {text} "
        elif kind == "punct":
            text += " "
        out += text
    return out


def latex_to_unicode(latex: str) -> str:
    """Readable unicode for any LaTeX math, without sympy: the fallback must never fail."""
    try:
        text = _plain(latex)
        if text is None:
            text = _Parser(latex).seq(None, "math")
    except Exception:  # deep nesting (RecursionError) or anything unforeseen: degrade, never raise
        text = re.sub(r"[\\{}]", "", latex)
    lines = (_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
