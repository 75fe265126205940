"""A fetched paper -> its reading-guide notes file, in the order the method reads a paper.

First pass: abstract, conclusion, data and results (quoted); then the three
highlight colours — understanding, implementation (architecture, the key
equations as cards, loss, training), datasets —; then compute, code and data, and
a list for open questions.  Each sentence of the paper is quoted at most once, in
the first section that claims it in ``CLAIM_ORDER``.  Everything the paper says is
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
from studycards.paper.guide_links import code_and_data

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
METRICS = re.compile(
    r"\bBLEU\b|\bROUGE\b|\baccuracy\b|\bF1\b|\bperplexity\b|\bscores?\b|\d\s*%|\btop-?[15]\b", re.IGNORECASE
)
MAX_EQUATION_CARDS = 12
SKIP_SECTIONS = re.compile(r"acknowledg|reference|bibliograph|contribution|author", re.IGNORECASE)
METHOD_SECTIONS = re.compile(r"method|model|approach|architecture|framework|network", re.IGNORECASE)
# The sub-headings of the guide's Implementation section that quotes go under.
ARCHITECTURE_PART = "Architecture, inputs and outputs"
LOSS_PART = "Loss"
TRAINING_PART = "Training details and hyperparameters"


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
    equations = document.equations if document else ()
    claimed = _claims(sections, {_key(eq.where) for eq in equations if eq.where})
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
        "Reading guide: first pass abstract, conclusion, data and results; then fill in what you",
        "understand, what you need to implement it, and the datasets. Delete what you do not want,",
        "then run `studycards add` on this file.",
        "",
        "## Abstract",
        "",
        _quote([paper.abstract or (document.abstract if document else "")]) or "No abstract was found.",
        "",
        "## Conclusion",
        "",
        _quote(claimed["conclusion"])
        or "No conclusion section was found in the source: write the paper's conclusion in your own words.",
        "",
        "## Data",
        "",
        _quote(claimed["data"]) or "No sentence naming a dataset was found.",
        "",
        "## Results",
        "",
        _quote(claimed["results"]) or "No results section was found.",
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
        f"### {ARCHITECTURE_PART}",
        "",
        "- What goes in and what comes out (shapes, types)?",
        "- Which layers or blocks are new?",
        "",
        _quote(claimed["architecture"]),
        "",
        "### Equations",
        "",
        _equations(equations, sections),
        "",
        f"### {LOSS_PART}",
        "",
        _quote(claimed["loss"]) or "No sentence about the loss was found.",
        "",
        f"### {TRAINING_PART}",
        "",
        _quote(claimed["training"]) or "No sentence about training details was found.",
        "",
        "## Datasets",
        "",
        "Which datasets, splits and preprocessing does it use, and could you get them? "
        "The sentences naming them are under Data above.",
        "",
        "## Compute",
        "",
        _quote(claimed["compute"]) or "No sentence about compute was found.",
        "",
        "## Code and data",
        "",
        code_and_data(paper, document),
        "",
        "## Questions",
        "",
        "What would you ask the authors? Note each question you could not answer as a `- ` list item here:",
        "it stays an open research question until `studycards questions answer` turns it into a card.",
        "",
    ]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text)


# Which section a sentence goes to when several could claim it: the first in this order.
CLAIM_ORDER = ("conclusion", "results", "loss", "training", "compute", "data", "architecture")


def implementation_part(sentence: str) -> str:
    """The Implementation sub-heading a quoted sentence belongs under, by the rule that sorts the paper's own
    sentences there (loss before training, as in ``CLAIM_ORDER``); anything else is about the architecture."""
    text = _outside_math(sentence)
    if LOSS.search(text):
        return LOSS_PART
    if TRAINING.search(text):
        return TRAINING_PART
    return ARCHITECTURE_PART


def _claims(sections: list[Section], used: set[str]) -> dict[str, list[str]]:
    """Each section's sentences, every sentence in one section only (the first in ``CLAIM_ORDER``);
    ``used`` holds the "where …" sentences the equation cards already quote."""
    conclusion = _conclusion(sections)
    used.update(_key(s) for p in conclusion for s in all_sentences(p))
    results = [s for s in _results(sections) if _key(s) not in used]
    used.update(_key(s) for s in results)
    claimed = {"conclusion": conclusion, "results": results}
    for name, chosen, pattern, limit in (
        ("loss", sections, LOSS, 6),
        ("training", sections, TRAINING, 15),
        ("compute", sections, COMPUTE, 8),
        ("data", sections, DATASETS, 8),
        ("architecture", _method_sections(sections), ARCHITECTURE, 5),
    ):
        picked = _pick(chosen, pattern, limit, used | _metric_sentences(sections) if name == "compute" else used)
        used.update(_key(s) for s in picked)
        claimed[name] = picked
    return claimed


def _metric_sentences(sections: list[Section]) -> set[str]:
    """Sentences reporting a score: results, never compute, even when they name hardware or hours."""
    return {_key(s) for section in sections for s in all_sentences(section.text) if METRICS.search(_outside_math(s))}


def _key(sentence: str) -> str:
    """What makes two quoted sentences the same one."""
    return " ".join(sentence.lstrip(" ,.;:").split())


def _byline(paper: Paper) -> str:
    authors = list(paper.authors)
    who = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    year = paper.published[:4]
    parts = [p for p in (who, year, f"<https://arxiv.org/abs/{paper.arxiv_id}>") if p]
    return _line(" · ".join(parts))


def _equations(equations: tuple[Equation, ...], sections: list[Section]) -> str:
    """At most ``MAX_EQUATION_CARDS`` equations as cards, the rest listed by section with their numbers.

    A paper with no more equations than that gets them all as cards; otherwise they go to numbered
    equations, first those in a model, method or loss section, then the most cited in the text
    ("(3)", "Eq. 3"), then the earliest; they keep the paper's order."""
    if not equations:
        return "No display equation was found in the source."
    prose = " ".join(s.text for s in sections)

    def cited(number: str) -> int:
        n = re.escape(number)
        return len(re.findall(rf"\({n}\)|\b(?:Eq|Eqn|Equation)s?\.?\s*\(?{n}(?![\w.])", prose, re.IGNORECASE))

    def rank(item: tuple[int, Equation]) -> tuple:
        index, eq = item
        central = bool(METHOD_SECTIONS.search(eq.section) or LOSS.search(eq.section))
        return (not central, -cited(eq.number or ""), index)

    every = [(i, eq) for i, eq in enumerate(equations) if eq.latex.strip()]
    numbered = [(i, eq) for i, eq in every if eq.number]
    pool = every if len(every) <= MAX_EQUATION_CARDS else numbered or every
    chosen = sorted(sorted(pool, key=rank)[:MAX_EQUATION_CARDS])
    cards = _equation_cards(eq for _, eq in chosen)
    picked = {i for i, _ in chosen}
    rest: dict[str, list[str]] = {}
    for i, eq in enumerate(equations):
        if i not in picked:
            rest.setdefault(eq.section or "Before any section", []).append(f"({eq.number})" if eq.number else "")
    if not rest:
        return cards
    lines = [cards, "", "The other equations, by section (`studycards equations` shows them all):", ""]
    for section, numbers in rest.items():
        shown = ", ".join(n for n in numbers if n)
        unnumbered = sum(1 for n in numbers if not n)
        extra = f"{', ' if shown else ''}{unnumbered} unnumbered" if unnumbered else ""
        lines.append("- " + _safe(f"{section}: {shown}{extra}"))
    return "\n".join(lines)


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
        where = _quote([eq.where]) if eq.where else ""
        if where and where not in seen:
            seen.add(where)
            cards += [where, ""]
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


def _pick(sections: Iterable[Section], pattern: re.Pattern, limit: int, used: set[str]) -> list[str]:
    found: list[str] = []
    for section in sections:
        for sentence in all_sentences(section.text):
            if len(found) >= limit:
                return found
            if (
                pattern.search(_outside_math(sentence))
                and sentence not in found
                and _key(sentence) not in used
                and len(sentence) > 20
            ):
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
