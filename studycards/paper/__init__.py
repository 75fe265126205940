"""The paper stage: an arXiv id or URL becomes a stored paper, its e-print safely unpacked, its equations read.
Only ``ArxivClient`` talks to arXiv, and importing this package loads no HTTP library (they load on first use)."""

from studycards.paper.arxiv import ArxivClient
from studycards.paper.fetch import FetchResult, fetch_papers, paper_equations, write_guides
from studycards.paper.ids import ArxivId, find_code_links, parse_id

__all__ = [
    "ArxivClient",
    "ArxivId",
    "FetchResult",
    "fetch_papers",
    "find_code_links",
    "paper_equations",
    "parse_id",
    "write_guides",
]
