"""A fetched paper -> its reading-guide notes file, in the order the method reads a paper.

Abstract and conclusion first (quoted), then prompts for understanding, then
what it takes to implement it — every extracted equation already written as an
equation card under the paper's own introducing sentence — then data, compute,
code and results, and a list for open questions.  Everything the paper says is
quoted, so the only cards in the file are the equation cards; quoted text is
neutralised so that it can never read as card syntax.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from studycards.latex.document import Document, Section
from studycards.latex.prose import math_spans
from studycards.latex.sentences import all_sentences
from studycards.models import Equation, Paper
from studycards.notes.syntax import escape_block_start, escape_inline

TRAINING = re.compile(
    r"\bbatch(?:es|[- ]size)?\b|\blearning[- ]rates?\b|\boptimi[sz]ers?\b|\b(?:adam|adamw|sgd|adafactor|rmsprop)\b"
    r"|\bmomentum\b|\bweight decay\b|\bepochs?\b|\b\d[\d,.]*\s*[kKM]?\s*(?:training\s+|gradient\s+)?steps\b"
    r"|\btraining steps\b|\bwarm-?up|\bdropout\b|\blabel smoothing\b|\bgradient clipping\b",
    re.IGNORECASE,
)
DATASETS = re.compile(
    r"\bdata ?sets?\b|\bbenchmarks?\b|\bcorpus\b|\bcorpora\b|\b(?:ImageNet|COCO|CIFAR|MNIST|WMT|GLUE|"
    r"SuperGLUE|SQuAD|Penn Treebank|WikiText|LibriSpeech|MMLU|HumanEval|GSM8K|MovieLens|C4|The Pile)\b",
    re.IGNORECASE,
)
COMPUTE = re.compile(
    r"\bGPUs?\b|\bTPUs?\b|\bNVIDIA\b|\b[AHPV]\d{2,3}\b|\bH800\b|\bGPU[- ]hours?\b|\bFLOPs\b|\bpetaflop"
    r"|\btraining (?:time|cost)\b|\b\d+(?:\.\d+)?\s*(?:hours|days|weeks)\b|\baccelerators?\b",
    re.IGNORECASE,
)
LOSS = re.compile(r"\bloss(?:es)?\b|\bobjective\b|cross[- ]entropy|\blikelihood\b", re.IGNORECASE)
ARCHITECTURE = re.compile(r"\bconsists? of\b|\bcomposed of\b|\barchitecture\b|\binputs?\b|\boutputs?\b", re.IGNORECASE)
RESULTS = re.compile(
    r"\d|outperform|state[- ]of[- ]the[- ]art|improv|achiev|surpass|\bbetter\b|\bbest\b", re.IGNORECASE
)
CODE_HOSTS = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|"
    r"codeberg\.org|sourceforge\.net)/",
    re.IGNORECASE,
)
SKIP_SECTIONS = re.compile(r"acknowledg|reference|bibliograph|contribution|author", re.IGNORECASE)
METHOD_SECTIONS = re.compile(r"method|model|approach|architecture|framework|network", re.IGNORECASE)


def slug(paper: Paper) -> str:
    """The notes file name: the title in lower-case ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", paper.title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    name = ""
    for word in words:
        if len(name) + len(word) + 1 > 80:
            break
        name = f"{name}-{word}" if name else word
    return name or re.sub(r"[^A-Za-z0-9.]+", "-", paper.arxiv_id).strip("-") or "paper"


def short_title(title: str) -> str:
    """A deck name: the part before a colon when there is one ("MaskGIT"), else the title."""
    title = " ".join(title.replace("::", ":").split())
    head = title.split(":", 1)[0].strip()
    if ":" in title and 2 <= len(head) <= 40:
        return head
    if len(title) <= 60:
        return title
    return title[:60].rsplit(" ", 1)[0]


def tag(category: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", category).strip("_")


def guide_markdown(paper: Paper, document: Document | None) -> str:
    """The reading-guide notes file for ``paper``; ``document`` is its source, if any was found."""
    sections = [s for s in (document.sections if document else ()) if not SKIP_SECTIONS.search(s.title)]
    title = " ".join((paper.title or (document.title if document else "") or paper.arxiv_id).split())
    tags = ", ".join(t for t in (tag(c) for c in paper.categories) if t)
    out: list[str] = [
        "---",
        f"paper: {json.dumps(paper.arxiv_id)}",
        f"deck: {json.dumps('Papers::' + short_title(title))}",
        f"tags: [{tags}]",
        "---",
        f"# {_safe(title)}",
        "",
        _byline(paper),
        "",
        "Reading guide: abstract and conclusion first, then data and results; fill in what you",
        "understand, what you need to implement it, and the data. Delete what you do not want,",
        "then run `studycards add` on this file.",
        "",
        "## Abstract",
        "",
        _quote([paper.abstract or (document.abstract if document else "")]) or "No abstract was found.",
        "",
        "## Conclusion",
        "",
        _quote(_conclusion(sections))
        or "No conclusion section was found in the source: write the paper's conclusion in your own words.",
        "",
        "## Understanding",
        "",
        "Write cards as `front :: back` lines or `Q:` / `A:` paragraphs. Some prompts:",
        "",
        "- What problem does the paper solve, and why does it matter?",
        "- What is the key idea, in one sentence?",
        "- What does it replace, and why is it better?",
        "",
        "## Implementation",
        "",
        "### Architecture, inputs and outputs",
        "",
        "- What goes in and what comes out (shapes, types)?",
        "- Which layers or blocks are new?",
        "",
        _quote(_pick(_method_sections(sections), ARCHITECTURE, 5)),
        "",
        "### Equations",
        "",
        _equation_cards(document.equations if document else ()),
        "",
        "### Loss",
        "",
        _quote(_pick(sections, LOSS, 6)) or "No sentence about the loss was found.",
        "",
        "### Training details and hyperparameters",
        "",
        _quote(_pick(sections, TRAINING, 15)) or "No sentence about training details was found.",
        "",
        "## Datasets",
        "",
        _quote(_pick(sections, DATASETS, 8)) or "No sentence naming a dataset was found.",
        "",
        "## Compute",
        "",
        _quote(_pick(sections, COMPUTE, 8)) or "No sentence about compute was found.",
        "",
        "## Code and data",
        "",
        _links(paper, document),
        "",
        "## Results",
        "",
        _quote(_results(sections)) or "No results section was found.",
        "",
        "## Questions",
        "",
        "What would you ask the authors? Note each question you could not answer as a `- ` list item here:",
        "it stays an open research question until `studycards questions answer` turns it into a card.",
        "",
    ]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text)


def _byline(paper: Paper) -> str:
    authors = list(paper.authors)
    who = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    year = paper.published[:4]
    parts = [p for p in (who, year, f"<https://arxiv.org/abs/{paper.arxiv_id}>") if p]
    return _line(" · ".join(parts))


def _links(paper: Paper, document: Document | None) -> str:
    links = list(paper.code_links) or [u for u in (document.urls if document else ()) if CODE_HOSTS.match(u)]
    if not links:
        return "No link to code or data was found in the abstract, comments or source."
    return "\n".join(f"- <{link}>" for link in dict.fromkeys(links))


def _equation_cards(equations: Iterable[Equation]) -> str:
    """One equation card per equation: a prompt line ending in ':' directly above its ``$$`` block."""
    cards: list[str] = []
    seen: set[str] = set()
    for eq in equations:
        latex = "\n".join(line for line in eq.latex.replace("$$", "$ $").splitlines() if line.strip())
        if not latex.strip():
            continue
        name = f"Eq. ({eq.number})" if eq.number else "Unnumbered equation"
        head = ", ".join(p for p in (name, _safe(eq.section)) if p)
        intro = _safe(eq.intro).rstrip(" .,;:")
        prompt = f'{head} — "{intro}"' if intro else head
        unique, n = prompt, 2
        while unique in seen:
            unique, n = f"{prompt} ({n})", n + 1
        seen.add(unique)
        cards += [f"{unique}:", "$$", latex, "$$", ""]
        if eq.where:
            cards += [_quote([eq.where]), ""]
    return "\n".join(cards).strip() or "No display equation was found in the source."


def _conclusion(sections: list[Section]) -> list[str]:
    for pattern in (r"^conclusions?\b", r"conclu", r"discussion|summary"):
        for i in range(len(sections) - 1, -1, -1):
            if re.search(pattern, sections[i].title, re.IGNORECASE):
                return _with_children(sections, i)
    return []


def _results(sections: list[Section]) -> list[str]:
    for pattern in (r"^results?\b", r"result", r"experiment|evaluation"):
        for i, section in enumerate(sections):
            if re.search(pattern, section.title, re.IGNORECASE):
                text = "\n\n".join(_with_children(sections, i))
                sentences = [s for s in all_sentences(text) if len(s) > 20]
                return [s for s in sentences if RESULTS.search(s)][:8] or sentences[:5]
    return []


def _with_children(sections: list[Section], index: int) -> list[str]:
    """A section's paragraphs and its subsections', without the acknowledgements tucked in."""
    level = sections[index].level
    texts = [sections[index].text]
    for section in sections[index + 1 :]:
        if section.level <= level:
            break
        texts.append(section.text)
    paragraphs = [p for t in texts for p in t.split("\n\n")]
    return [p for p in paragraphs if p.strip() and not SKIP_SECTIONS.match(p)]


def _method_sections(sections: list[Section]) -> list[Section]:
    chosen = [s for s in sections if METHOD_SECTIONS.search(s.title)]
    return chosen or sections


def _pick(sections: Iterable[Section], pattern: re.Pattern, limit: int) -> list[str]:
    found: list[str] = []
    for section in sections:
        for sentence in all_sentences(section.text):
            if len(found) >= limit:
                return found
            if pattern.search(_outside_math(sentence)) and sentence not in found and len(sentence) > 20:
                found.append(sentence)
    return found


def _outside_math(text: str) -> str:
    pieces, pos = [], 0
    for start, end in math_spans(text):
        pieces.append(text[pos:start])
        pieces.append(re.sub(r"\\_", "_", text[start:end]).replace("\\", " "))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _quote(paragraphs: Iterable[str]) -> str:
    """Markdown block quotes of the paper's words, safe to hand to the notes parser."""
    blocks = []
    for paragraph in paragraphs:
        for part in paragraph.split("\n\n"):
            line = _line(part)
            if line:
                blocks.append("> " + line)
    return "\n>\n".join(blocks)


def _line(text: str) -> str:
    """``_safe`` text that also cannot start a block: a question, ``Q:``, a list, a heading…"""
    return escape_block_start(_safe(text))


def _safe(text: str) -> str:
    """Text that can never read as card syntax inside a line: no ``::`` separators, clozes or
    highlights, and every ``$`` balanced (an odd one out is escaped, with all the others)."""
    text = " ".join(text.split()).replace("$$", "$")
    if len(re.findall(r"(?<!\\)\$", text)) % 2:
        text = re.sub(r"(?<!\\)\$", r"\\$", text)
    pieces, pos = [], 0
    for start, end in math_spans(text):
        pieces += [escape_inline(text[pos:start]), text[start:end]]
        pos = end
    pieces.append(escape_inline(text[pos:]))
    return "".join(pieces)
