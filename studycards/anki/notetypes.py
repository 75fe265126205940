"""The Anki note types studycards exports: fields, templates, CSS, and ids derived from them.

A note type's id is a hash of everything Anki compares (name, fields, templates,
CSS, kind): Anki refuses to update notes whose note type changed shape under the
same id, so any change here gives a new id, and an unchanged type keeps its id
from one export to the next.  Names start with ``studycards`` so that they never
collide with Anki's built-in "Basic" or "Cloze".
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NamedTuple

ID_FLOOR = 1 << 30
LATEX_PRE = (
    "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n"
)
LATEX_POST = "\\end{document}"
FONT = "Liberation Sans"

CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  color: #1f2328;
  background: #ffffff;
  text-align: left;
  max-width: 40em;
  margin: 0 auto;
  padding: 0.5em 1em;
}
.context { font-size: 0.7em; color: #6e7781; margin-bottom: 0.9em; }
.prompt, .answer { margin: 0.4em 0; }
.equation { text-align: center; overflow-x: auto; margin: 0.6em 0; }
.footer { font-size: 0.65em; color: #6e7781; margin-top: 1.6em; }
.footer a { color: inherit; }
.cloze { font-weight: bold; color: #0969da; }
hr#answer { border: 0; border-top: 1px solid #d0d7de; margin: 1em 0; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.nightMode.card, .night_mode .card { color: #e6edf3; background: #0d1117; }
.nightMode .context, .nightMode .footer, .night_mode .context, .night_mode .footer { color: #8b949e; }
.nightMode .cloze, .night_mode .cloze { color: #58a6ff; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #30363d; }
"""

CONTEXT = '{{#Context}}<div class="context">{{Context}}</div>{{/Context}}\n'
FOOTER = (
    '\n<div class="footer">{{#Paper}}{{Paper}}<br>{{/Paper}}'
    '{{#Source}}<span class="source">{{Source}}</span>{{/Source}}</div>'
)


def _side(field: str, css_class: str = "prompt") -> str:
    return f'{CONTEXT}<div class="{css_class}">{{{{{field}}}}}</div>'


def _answer(field: str, css_class: str = "answer") -> str:
    return f'{{{{FrontSide}}}}\n<hr id="answer">\n<div class="{css_class}">{{{{{field}}}}}</div>{FOOTER}'


class NoteType(NamedTuple):
    """One exported note type; ``kind`` is the studycards card kind it carries.

    ``requires`` gives, per template, the fields its card needs (``"any"`` or ``"all"`` of these ords):
    Anki's ``req``, which Anki before 2.1.28 read and later versions work out themselves; these are the
    lists genanki works out from the templates (a test checks them against it).
    """

    kind: str
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]
    requires: tuple[tuple[str, tuple[int, ...]], ...]
    cloze: bool = False

    @property
    def id(self) -> int:
        """Stable across exports, new whenever anything Anki compares changes."""
        shape = json.dumps([self.name, self.fields, self.templates, CSS, self.cloze], ensure_ascii=False)
        return ID_FLOOR + int.from_bytes(hashlib.sha256(shape.encode("utf-8")).digest()[:8], "big") % ID_FLOOR


NOTE_TYPES: dict[str, NoteType] = {
    "basic": NoteType(
        "basic",
        "studycards Basic",
        ("Front", "Back", "Context", "Paper", "Source"),
        (("Card 1", _side("Front"), _answer("Back")),),
        (("any", (0, 2)),),
    ),
    "reversed": NoteType(
        "reversed",
        "studycards Basic and reversed",
        ("Front", "Back", "Context", "Paper", "Source"),
        (("Card 1", _side("Front"), _answer("Back")), ("Card 2", _side("Back"), _answer("Front"))),
        (("any", (0, 2)), ("any", (1, 2))),
    ),
    "cloze": NoteType(
        "cloze",
        "studycards Cloze",
        ("Text", "Context", "Paper", "Source"),
        (("Cloze", _side("cloze:Text"), f"{_side('cloze:Text')}{FOOTER}"),),
        (("all", (1,)),),
        cloze=True,
    ),
    "equation": NoteType(
        "equation",
        "studycards Equation",
        ("Prompt", "Equation", "Context", "Paper", "Source"),
        (("Equation", _side("Prompt"), _answer("Equation", "equation")),),
        (("any", (0, 2)),),
    ),
}


def deck_id(name: str) -> int:
    """Derived from the deck's name, so every export of a deck lands in the same Anki deck."""
    return ID_FLOOR + int.from_bytes(hashlib.sha256(f"deck:{name}".encode()).digest()[:8], "big") % ID_FLOOR


def note_type_json(note_type: NoteType, timestamp: float, deck: int) -> dict[str, Any]:
    """The note type as an Anki package's ``col.models`` holds it, as genanki's ``Model.to_json`` writes it.

    Written here rather than through genanki's ``Model``, whose module imports asyncio, yaml and chevron
    (60 ms of an export's start-up) to work out ``requires``, which is fixed for these note types; a test
    holds this equal to genanki's JSON.  Field and template settings are Anki's defaults.
    """
    return {
        "css": CSS,
        "did": deck,
        "flds": [
            {
                "name": name,
                "ord": ord_,
                "font": "Liberation Sans",
                "media": [],
                "rtl": False,
                "size": 20,
                "sticky": False,
            }
            for ord_, name in enumerate(note_type.fields)
        ],
        "id": str(note_type.id),
        "latexPost": LATEX_POST,
        "latexPre": LATEX_PRE,
        "latexsvg": False,
        "mod": int(timestamp),
        "name": note_type.name,
        "req": [[ord_, how, list(fields)] for ord_, (how, fields) in enumerate(note_type.requires)],
        "sortf": 0,
        "tags": [],
        "tmpls": [
            {
                "name": name,
                "qfmt": front,
                "afmt": back,
                "ord": ord_,
                "bafmt": "",
                "bqfmt": "",
                "bfont": "",
                "bsize": 0,
                "did": None,
            }
            for ord_, (name, front, back) in enumerate(note_type.templates)
        ],
        "type": 1 if note_type.cloze else 0,
        "usn": -1,
        "vers": [],
    }
