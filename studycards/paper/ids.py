"""arXiv identifiers and links to code: pure text work, no network (``studycards.paper.arxiv`` does that)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from studycards.errors import StudycardsError

# -- ids ---------------------------------------------------------------------

_NEW_ID = r"(?P<new>(?:[0-9]{2}(?:0[1-9]|1[0-2]))\.[0-9]{4,5})"
_OLD_ID = r"(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?/(?P<number>[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{3})"
_VERSION = r"(?:v(?P<version>[1-9][0-9]*))?"
_BARE = re.compile(rf"(?:arxiv:)?(?:{_NEW_ID}|{_OLD_ID}){_VERSION}", re.IGNORECASE)
_URL = re.compile(
    rf"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?P<kind>abs|pdf|html)/(?:{_NEW_ID}|{_OLD_ID}){_VERSION}"
    r"(?P<pdf>\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier without its version, and the version asked for (``None``: the latest)."""

    id: str
    version: int | None = None

    @property
    def versioned(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def folder(self) -> str:
        """A name safe for one path component (old-style ids contain a slash)."""
        return self.id.replace("/", "_")

    def __str__(self) -> str:
        return self.versioned


def parse_id(text: str) -> ArxivId:
    """Read an id in any form users paste (see DESIGN §7); anything else is refused, without the network."""
    cleaned = text.strip()
    match = _BARE.fullmatch(cleaned) or _URL.fullmatch(cleaned)
    if match and match.groupdict().get("pdf") and match.group("kind").lower() != "pdf":
        match = None
    if match and not _plausible(match.group("new"), match.group("number")):
        match = None
    if not match:
        raise StudycardsError(
            f"not an arXiv id or URL: {text!r} (expected e.g. 1706.03762, arXiv:1706.03762v7, "
            "hep-th/9901001 or https://arxiv.org/abs/1706.03762)"
        )
    ident = match.group("new") or f"{match.group('archive').lower()}/{match.group('number')}"
    version = match.group("version")
    return ArxivId(ident, int(version) if version else None)


def _plausible(new: str | None, old_number: str | None) -> bool:
    """Dates match the scheme: new ids from 0704 (4 digits up to 1412, 5 from 1501), old ones 9108 to 0703."""
    if new:
        yymm = int(new[:4])
        return yymm >= 704 and (len(new) == 10) == (yymm >= 1501)
    yymm = int(old_number[:4]) if old_number else 0
    return yymm >= 9108 or yymm <= 703


# -- links to code -------------------------------------------------------------

_REPO_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")
_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)*[a-z0-9-]+\.[a-z]{2,}(?:/[^\s{}<>\"'\\()\[\]|]*)?", re.IGNORECASE
)
_CUE = re.compile(r"\b(code|project|page|website|homepage|repository|repo|demo|available|released)\b", re.IGNORECASE)
_LATEX_ESCAPES = {
    r"\_": "_",
    r"\#": "#",
    r"\%": "%",
    r"\&": "&",
    r"\~{}": "~",
    r"\textasciitilde{}": "~",
    r"\textasciitilde": "~",
    r"\slash": "/",
}


def find_code_links(text: str, *, latex: bool = False) -> tuple[str, ...]:
    """Links to code in prose (or LaTeX, with ``latex=True``): GitHub, GitLab, Hugging Face, project pages.

    Repository links are cut to the repository (``https://github.com/owner/repo``);
    a link to a user or organisation alone (``github.com/openai``) names no code and
    is skipped.  Other pages count when they are ``*.github.io`` / Google Sites pages or follow a
    cue such as "code", "project page" or "available at".
    """
    if latex:
        text = re.sub(r"(?<!\\)%[^\n]*", "", text)
        for escape, plain in _LATEX_ESCAPES.items():
            text = text.replace(escape, plain)
    found: dict[str, str] = {}
    for match in _LINK.finditer(text):
        link = _code_link(match.group(0), text[max(0, match.start() - 40) : match.start()])
        if link:
            found.setdefault(link.lower().rstrip("/"), link)
    return tuple(found.values())


def _code_link(raw: str, before: str) -> str | None:
    raw = raw.rstrip(".,;:!?'\"`")
    url = raw if re.match(r"https?://", raw, re.IGNORECASE) else "https://" + raw
    host, _, path = re.sub(r"^https?://(?:www\.)?", "", url, flags=re.IGNORECASE).partition("/")
    host = host.lower()
    parts = [p for p in path.split("/") if p]
    if host in _REPO_HOSTS:
        if len(parts) < 2:
            return None
        repo = parts[:2]
        repo[-1] = re.sub(r"\.git$", "", repo[-1])
        return f"https://{host}/" + "/".join(repo)
    if host == "huggingface.co":
        if not parts:
            return None
        keep = 3 if parts[0] in ("datasets", "spaces") else 2
        return "https://huggingface.co/" + "/".join(parts[:keep])
    has_scheme = raw.lower().startswith(("http://", "https://"))
    if host.endswith(".github.io") or (host == "sites.google.com" and parts):
        return url
    if has_scheme and _CUE.search(before) and not host.endswith("arxiv.org") and not host.endswith("doi.org"):
        return url
    return None
