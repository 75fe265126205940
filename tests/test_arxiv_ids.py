"""arXiv ids in every form users paste (a table), and links to code in prose and LaTeX."""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.errors import StudycardsError
from studycards.paper.ids import ArxivId, find_code_links, parse_id

# -- ids: a table --------------------------------------------------------------------

VALID = [
    ("1706.03762", "1706.03762", None),
    ("1706.03762v7", "1706.03762", 7),
    ("  1706.03762v12 ", "1706.03762", 12),
    ("arXiv:1706.03762", "1706.03762", None),
    ("arxiv:1706.03762v2", "1706.03762", 2),
    ("1412.6980", "1412.6980", None),
    ("0704.0001", "0704.0001", None),
    ("https://arxiv.org/abs/1706.03762", "1706.03762", None),
    ("https://arxiv.org/abs/1706.03762v5", "1706.03762", 5),
    ("http://arxiv.org/abs/1706.03762/", "1706.03762", None),
    ("https://www.arxiv.org/abs/1706.03762?context=cs", "1706.03762", None),
    ("https://export.arxiv.org/abs/1706.03762", "1706.03762", None),
    ("arxiv.org/abs/1706.03762", "1706.03762", None),
    ("https://arxiv.org/pdf/1706.03762.pdf", "1706.03762", None),
    ("https://arxiv.org/pdf/1706.03762v7.pdf", "1706.03762", 7),
    ("https://arxiv.org/pdf/1706.03762", "1706.03762", None),
    ("https://arxiv.org/pdf/1706.03762v3", "1706.03762", 3),
    ("https://arxiv.org/html/2412.19437v2", "2412.19437", 2),
    ("hep-th/9901001", "hep-th/9901001", None),
    ("hep-th/9901001v2", "hep-th/9901001", 2),
    ("arXiv:hep-th/9901001", "hep-th/9901001", None),
    ("math.GT/0309136", "math/0309136", None),
    ("quant-ph/0201082v1", "quant-ph/0201082", 1),
    ("https://arxiv.org/abs/astro-ph/0601001", "astro-ph/0601001", None),
    ("https://arxiv.org/pdf/cond-mat/0703001v1.pdf", "cond-mat/0703001", 1),
]

INVALID = [
    "",
    "abc",
    "1706",
    "1706.0376",  # 2017 ids have five digits
    "1706.037621",
    "1412.12345",  # before 2015 ids have four digits
    "0703.1234",  # the new scheme starts in April 2007
    "1713.03762",  # month 13
    "1700.03762",
    "1706.03762v0",
    "1706.03762v",
    "1706.03762 1706.03763",
    "arXiv 1706.03762",
    "doi:10.48550/arXiv.1706.03762",
    "https://example.com/abs/1706.03762",
    "https://arxiv.org/abs/",
    "https://arxiv.org/abs/1706.03762.pdf",
    "https://arxiv.org/list/cs.LG/recent",
    "ftp://arxiv.org/abs/1706.03762",
    "hep-th/990100",
    "hep-th/99010011",
    "hep_th/9901001",
    "hep-th/0801001",  # old-style ids end in March 2007
    "/etc/passwd",
    "../1706.03762",
]


@pytest.mark.parametrize(("text", "ident", "version"), VALID)
def test_every_id_form_is_accepted(text: str, ident: str, version: int | None) -> None:
    assert parse_id(text) == ArxivId(ident, version)


@pytest.mark.parametrize("text", INVALID)
def test_anything_else_is_refused_with_one_clear_line(text: str) -> None:
    with pytest.raises(StudycardsError, match=r"^not an arXiv id or URL: ") as caught:
        parse_id(text)
    assert "\n" not in str(caught.value)


def test_ids_print_with_their_version_and_fold_into_a_folder_name() -> None:
    assert str(parse_id("arXiv:1706.03762v7")) == "1706.03762v7"
    assert parse_id("hep-th/9901001v2").folder == "hep-th_9901001"


# -- links to code ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "links"),
    [
        (
            "19 pages; associated formalization available at https://github.com/roos-j/lean-weakhellinger",
            ("https://github.com/roos-j/lean-weakhellinger",),
        ),
        (
            "Code: github.com/a/b/tree/main/src. Weights: https://huggingface.co/org/model-7b/blob/main/x",
            ("https://github.com/a/b", "https://huggingface.co/org/model-7b"),
        ),
        (
            "Data at https://huggingface.co/datasets/org/set and demo https://huggingface.co/spaces/org/demo/",
            ("https://huggingface.co/datasets/org/set", "https://huggingface.co/spaces/org/demo"),
        ),
        (
            "see https://gitlab.com/group/proj.git and https://GitHub.com/A/B and https://github.com/a/b.",
            ("https://gitlab.com/group/proj", "https://github.com/A/B"),
        ),
        (
            "Project page: https://example.org/ours/. Accepted at ICML 2024 (https://icml.cc).",
            ("https://example.org/ours/",),
        ),
        ("Videos on https://someone.github.io/project.", ("https://someone.github.io/project",)),
        ("15 pages, 5 figures", ()),
        ("Improves by 5% (see https://doi.org/10.1/x). Code: https://arxiv.org/abs/1706.03762", ()),
        ("https://github.com/ alone, or mail user@github.com", ()),
    ],
)
def test_code_links_in_prose(text: str, links: tuple[str, ...]) -> None:
    assert find_code_links(text) == links


def test_code_links_in_latex_skip_comments_and_unescape() -> None:
    latex = (
        "Our code\\footnote{\\url{https://github.com/me/my\\_repo}} is public.\n"
        "% old: https://github.com/me/abandoned\n"
        "See \\href{https://github.com/google/jax/blob/27360b9/docs/x.ipynb}{the cookbook}; 50\\% faster.\n"
    )
    assert find_code_links(latex, latex=True) == ("https://github.com/me/my_repo", "https://github.com/google/jax")


def test_code_links_in_a_real_source(corpus: Path) -> None:
    text = "\n".join(p.read_text() for p in sorted((corpus / "papers" / "1706.06978").glob("*.tex")))
    assert find_code_links(text, latex=True) == ("https://github.com/zhougr1993/DeepInterestNetwork",)
