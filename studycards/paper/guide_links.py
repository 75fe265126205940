"""The reading guide's "Code and data": the paper's own code apart from the repositories it cites."""

from __future__ import annotations

import re

from studycards.latex.document import Document
from studycards.latex.sentences import all_sentences
from studycards.models import Paper

CODE_HOSTS = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|"
    r"codeberg\.org|sourceforge\.net)/",
    re.IGNORECASE,
)
OWN_CODE = re.compile(
    r"\b(?:our|we)\b[^.]*\b(?:code|implementation|repository|software)\b"
    r"|\b(?:source )?code\b[^.]*\b(?:for|behind|of) this (?:paper|work|tutorial|section|article)\b"
    r"|\bcode\b[^.]*\b(?:we|our)\b[^.]*\bavailable\b"
    r"|\bcode (?:is|will be) (?:publicly |freely |made )?(?:available|released)\b",
    re.IGNORECASE,
)
REPOSITORY = re.compile(r"https?://(?:www\.)?[^/\s]+/[^/\s]+/[^/\s#?]+", re.IGNORECASE)


def code_and_data(paper: Paper, document: Document | None) -> str:
    """The paper's own code apart from the repositories it cites.  Its own: a link in the abstract
    or the arXiv comment, or in a sentence saying that its code is available (``OWN_CODE``)."""
    links = list(paper.code_links) + [u for u in (document.urls if document else ()) if CODE_HOSTS.match(u)]
    if not links:
        return "No link to code or data was found in the abstract, comments or source."
    said = " ".join((paper.abstract, paper.comment or "", document.abstract if document else ""))
    sentences = [s for sec in (document.sections if document else ()) for s in all_sentences(sec.text)]
    own_text = said + " " + " ".join(s for s in sentences if "http" in s and OWN_CODE.search(s))
    own = {repository(u) for u in links if u in own_text}
    repos = list(dict.fromkeys(repository(u) for u in links))
    lines = ["The paper's own code:", ""] + [f"- <{r}>" for r in repos if r in own]
    if not own:
        lines = ["No link to the paper's own code was found.", ""]
    cited = [r for r in repos if r not in own]
    if cited:
        lines += ["", "Repositories it cites:", ""] + [f"- <{r}>" for r in cited]
    return "\n".join(lines)


def repository(url: str) -> str:
    """``https://github.com/owner/name/blob/…`` -> ``https://github.com/owner/name``."""
    m = REPOSITORY.match(url)
    return m.group().rstrip(".,;") if m and CODE_HOSTS.match(url) else url.rstrip(".,;")
