"""A PDF's highlights, in reading order, with the text under them, their colour, page and comment.

pdfannots (on pdfminer.six) does the hard part: it lays out each annotated page and
captures the characters under each highlight's quadrilaterals in the page's reading
order, columns included.  Both are imported here, inside the functions, because
they take a noticeable part of a second to load.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple

from studycards.errors import StudycardsError
from studycards.highlights.colours import Rgb

MARKUP = ("Highlight", "Underline", "Squiggly", "StrikeOut")
NOTE_KINDS = ("Text", "FreeText")  # a sticky note or a text box: the reader's words, with nothing under them
LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
ARXIV_STAMP = re.compile(r"arxiv[:\s]*((?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)", re.IGNORECASE)
ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/((?:\d{4}\.\d{4,5}|[a-z-]+/\d{7})(?:v\d+)?)", re.IGNORECASE)
ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})", re.IGNORECASE)


class Highlight(NamedTuple):
    """One annotation: ``text`` is what lies under it (None for a note, "" when there is no text there)."""

    kind: str
    page: int  # 1-based, as a reader counts
    colour: Rgb | None
    text: str | None
    comment: str | None
    key: str  # stable across re-saves of the PDF: where it is on its page, and what it covers


class PdfReading(NamedTuple):
    pages: int
    highlights: list[Highlight]
    arxiv_id: str | None
    title: str | None


def cleaned(text: str) -> str:
    """Ligatures spelled out, words hyphenated across a line joined, whitespace collapsed; math glyphs kept."""
    text = "".join(LIGATURES.get(ch, ch) for ch in text)
    text = re.sub(r"(?<=[a-z])[-\u00ad]\s*\n\s*(?=[a-z])", "", text)
    text = text.replace("\u00ad", "")
    return " ".join(text.split())


def read_pdf(path: Path) -> PdfReading:
    """Read the annotations of ``path``; a file that is not a readable PDF is one clear error."""
    _check_header(path)
    for name in ("pdfminer", "pdfannots"):  # their font and missing-text warnings are noise to a reader
        logging.getLogger(name).setLevel(logging.ERROR)
    import pdfannots
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    pdfannots._PDFProcessor.test_boxes = _test_boxes  # type: ignore[method-assign]  # see _test_boxes
    from pdfminer.psexceptions import PSException

    try:
        with path.open("rb") as handle:
            document = pdfannots.process_file(handle)
            handle.seek(0)
            arxiv_id, title = _identify(handle)
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise StudycardsError(f"{path}: the PDF is encrypted; save an unlocked copy and read that") from None
    except OSError as exc:
        raise StudycardsError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (PSException, ValueError, TypeError, KeyError, AssertionError, AttributeError, IndexError) as exc:
        raise StudycardsError(f"{path}: the PDF is damaged and cannot be read ({type(exc).__name__})") from None
    found = [_highlight(annot) for annot in document.iter_annots()]
    return PdfReading(len(document.pages), [h for h in found if h is not None], arxiv_id, title)


def _test_boxes(self: Any, item: Any) -> None:
    """pdfannots 0.5's test of which annotations cover a character, with its rule (most of the character's
    area under one box) kept exactly, but without building a box and a debug message per character and box.

    Measured on a 20-page paper with 60 highlights: the original test took a third of the whole read.
    """
    page = self.page
    boxes = getattr(page, "_studycards_boxes", None)
    if boxes is None:
        boxes = [(a, [(b.x0, b.y0, b.x1, b.y1) for b in a.boxes]) for a in page.annots if a.boxes]
        page._studycards_boxes = boxes
    x0, y0, x1, y1 = item.x0, item.y0, item.x1, item.y1
    half = 0.5 * (x1 - x0) * (y1 - y0)
    hits = []
    if half > 0:
        for annot, quads in boxes:
            for bx0, by0, bx1, by1 in quads:
                if by1 <= y0 or by0 >= y1 or bx1 <= x0 or bx0 >= x1:
                    continue
                if (min(x1, bx1) - max(x0, bx0)) * (min(y1, by1) - max(y0, by0)) >= half:
                    hits.append(annot)
                    break
    self._lasthit = frozenset(hits)
    self._curline.update(hits)


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except IsADirectoryError:
        raise StudycardsError(f"{path}: is a folder, not a PDF") from None
    except FileNotFoundError:
        raise StudycardsError(f"{path}: no such file") from None
    except OSError as exc:
        raise StudycardsError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if b"%PDF-" not in head:
        raise StudycardsError(f"{path}: not a PDF")


def _highlight(annot: Any) -> Highlight | None:
    kind = annot.subtype.name
    if kind not in MARKUP + NOTE_KINDS or annot.in_reply_to is not None or annot.is_group_child:
        return None
    comments = [annot.contents, *(reply.contents for reply in annot.replies)]
    comment = "\n\n".join(c.strip() for c in comments if c and c.strip()) or None
    text = None
    if kind in MARKUP:
        text = cleaned("".join(annot.text)) if annot.text else ""
    elif not comment:
        return None
    colour = Rgb(*annot.color) if annot.color is not None else None
    page = annot.pos.page.pageno + 1
    boxes = [b.get_coords() for b in annot.boxes] or [(annot.pos.x, annot.pos.y)]
    where = ";".join(",".join(f"{v:.0f}" for v in box) for box in boxes)
    key = hashlib.sha256(f"{kind}|{page}|{where}|{text or ''}".encode()).hexdigest()[:32]
    return Highlight(kind, page, colour, text, comment, key)


def _identify(handle: Any) -> tuple[str | None, str | None]:
    """The arXiv id (the stamp on the first page, the metadata, an arXiv link or DOI) and the title, if any."""
    from pdfminer.high_level import extract_text
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    document = PDFDocument(PDFParser(handle))
    info: dict = {}
    for entry in document.info:
        info.update({k: resolve1(v) for k, v in entry.items()})
    title = _decode(info.get("Title"))
    strings = [_decode(v) or "" for v in info.values()]
    handle.seek(0)
    first = extract_text(handle, maxpages=1)
    squashed = "".join(first.split())  # the stamp runs up the margin: one glyph per line, read top down
    strings += [first, squashed, squashed[::-1]]
    for text in strings:
        for pattern in (ARXIV_STAMP, ARXIV_LINK, ARXIV_DOI):
            if found := pattern.search(text):
                return _canonical(found.group(1)), title
    return None, title


def _canonical(raw: str) -> str | None:
    from studycards.paper import parse_id

    try:
        return parse_id(raw).id
    except StudycardsError:
        return None


def _decode(value: Any) -> str | None:
    if isinstance(value, bytes):
        from pdfminer.utils import decode_text

        value = decode_text(value)
    if not isinstance(value, str):
        return None
    value = unicodedata.normalize("NFC", value).strip()
    return value or None
