"""A notes file's front matter: YAML read safely, each known key checked, every mistake reported at its line."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from studycards.errors import NotesError, StudycardsError
from studycards.models import normalise

FRONT_MATTER_KEYS = ("paper", "deck", "tags", "separators")
FIRST_LINE = 2  # the line after the opening ``---``

Report = Callable[[int, str], None]


def deck_name(text: str) -> str:
    """A deck name with its ``::`` levels trimmed; empty when nothing is left."""
    return "::".join(part.strip() for part in normalise(text).split("::") if part.strip())


def read_front_matter(
    content: str, path: str, errors: list[NotesError], warnings: list[NotesError] | None = None
) -> dict[str, Any]:
    """The checked values of the keys studycards uses; each mistake is appended to ``errors``.

    Other keys belong to other tools (Obsidian's ``aliases``, ``sr-due``…) and are
    ignored, but one close to a known key (``dek:``) is likely a typo: a warning.
    """

    def error(line: int, message: str) -> None:
        errors.append(NotesError(path, line, message))

    meta = _load(content, error)
    if meta is None:
        return {}
    lines = content.splitlines()

    def line_of(key: str) -> int:
        found = (i for i, line in enumerate(lines) if line.lstrip().startswith(f"{key}:"))
        return next(found, 0) + FIRST_LINE

    clean: dict[str, Any] = {}
    for key, value in meta.items():
        check = _CHECKS.get(key)
        if check is None:
            import difflib  # only for a key studycards does not use (with heapq behind it)

            near = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, n=1, cutoff=0.75)
            if near and warnings is not None:
                doubt = f"front-matter key {key!r} is ignored: did you mean {near[0]!r}?"
                warnings.append(NotesError(path, line_of(str(key)), doubt))
            continue
        problem = check(value, content, clean)
        if problem:
            error(line_of(key), problem)
    return clean


# Front matter of one-line ``key: value`` entries whose values read the same in any YAML: a word or words
# (not one YAML reads as true, false or null), a number like 1706.03762, a plain double-quoted string, or a
# ``[list, of, words]``.  ``simple_front_matter`` reads it without importing yaml (15 ms); anything else is
# yaml's, and a property test holds the two equal wherever the simple reading reads.
_WORDS = r"[^\W\d_](?:[\w.+/-]|::?(?=[\w.+/-])|,? +(?=[\w.+/]))*"
_ITEM = r"[^\W\d_][\w.+/-]*(?: +[\w.+/-]+)*"
_COMMENT = "#[^\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]*"  # printable, one line
_SIMPLE_ENTRY = re.compile(
    rf"(?P<key>[^\W\d_][\w-]*):(?: +(?:(?P<words>{_WORDS})|(?P<number>[0-9]+\.[0-9]+)"
    rf"|\"(?P<quoted>[ !#-\[\]-~]*)\"|(?P<list>\[ *(?P<items>{_ITEM}(?: *, *{_ITEM})*)? *\])))? *(?: {_COMMENT})?",
    re.ASCII,
)
_SIMPLE_SKIPPED = re.compile(f" *(?:{_COMMENT})?")  # a blank line or a comment
_YAML_WORDS = frozenset(("yes", "no", "true", "false", "on", "off", "null"))  # and their capitals: not strings


def simple_front_matter(content: str) -> dict[str, Any] | None:
    """The mapping, when every line is an entry (or blank, or a comment) of the simple kind, and one is; else None."""
    meta: dict[str, Any] = {}
    for line in content.split("\n"):
        entry = _SIMPLE_ENTRY.fullmatch(line)
        if entry is None:
            if _SIMPLE_SKIPPED.fullmatch(line):
                continue
            return None
        key, words, number, quoted, brackets, items = entry.group("key", "words", "number", "quoted", "list", "items")
        listed = [item.strip() for item in items.split(",")] if items else []
        if key.lower() in _YAML_WORDS or (words or "").lower() in _YAML_WORDS:
            return None
        if any(item.lower() in _YAML_WORDS for item in listed):
            return None
        if words is not None:
            meta[key] = words
        elif number is not None:
            meta[key] = float(number)
        elif quoted is not None:
            meta[key] = quoted
        elif brackets is not None:
            meta[key] = listed
        else:
            meta[key] = None
    return meta or None  # comments alone are no mapping to yaml (an error, given by the yaml path)


def _load(content: str, error: Report) -> dict | None:
    """The YAML mapping, or None after reporting why it cannot be read."""
    simple = simple_front_matter(content)
    if simple is not None:
        return simple
    import yaml

    try:
        alias = (
            next((e for e in yaml.parse(content, Loader=yaml.SafeLoader) if isinstance(e, yaml.AliasEvent)), None)
            if "*" in content
            else None
        )
        if alias is not None:  # aliases let a few lines expand to billions of values ("billion laughs")
            line = alias.start_mark.line if alias.start_mark else 0
            error(FIRST_LINE + line, "front matter uses YAML anchors or aliases (&name, *name); write each value out")
            return None
        meta = yaml.safe_load(content) if content.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line if mark else 0
        error(FIRST_LINE + line, f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}")
        return None
    if not isinstance(meta, dict):
        error(FIRST_LINE, "front matter must be `key: value` lines (paper, deck, tags)")
        return None
    return meta


def _paper(value: Any, content: str, clean: dict[str, Any]) -> str | None:
    """The id as written (YAML would read ``1706.10000`` as a float and drop its trailing zero)."""
    raw = re.search(r"^\s*paper:\s*[\"']?([^\"'#\s]+)", content, re.M)
    clean["paper"] = paper = _paper_id(raw.group(1) if raw else str(value))
    return None if paper else f"paper: {value!r} is not an arXiv id (like 1706.03762 or hep-th/9901001)"


def _deck(value: Any, content: str, clean: dict[str, Any]) -> str | None:
    if not isinstance(value, str) or not deck_name(value):
        return "deck: must be a name like Papers::Transformer"
    clean["deck"] = deck_name(value)
    return None


def _tags(value: Any, content: str, clean: dict[str, Any]) -> str | None:
    """A list, or one string of words separated by spaces or commas (``tags: attention, nlp``)."""
    tags = re.split(r"[\s,]+", value) if isinstance(value, str) else value
    if not isinstance(tags, list) or not all(isinstance(t, str | int | float) for t in tags):
        return "tags: must be a list of words, like [attention, nlp]"
    clean["tags"] = [re.sub(r"\s+", "_", str(t).strip()) for t in tags if str(t).strip()]
    return None


def _separators(value: Any, content: str, clean: dict[str, Any]) -> str | None:
    """``compact`` reads ``front::back`` without spaces (Obsidian's default); ``spaced`` is studycards' own."""
    if value not in ("compact", "spaced"):
        return "separators: must be compact (front::back) or spaced (front :: back)"
    clean["separators"] = value
    return None


_CHECKS: dict[str, Callable[[Any, str, dict[str, Any]], str | None]] = {
    "paper": _paper,
    "deck": _deck,
    "tags": _tags,
    "separators": _separators,
}


def _paper_id(text: str) -> str | None:
    from studycards.paper import parse_id

    try:
        return parse_id(text).id
    except StudycardsError:
        return None
