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


# The scheme's dates: new-style ids start in 2007-04, with four digits up to 2014-12 and five from
# 2015-01 (no upper bound: the parser reads no clock); old-style ids run from 1991-08 to 2007-03.
DATE_BOUNDARIES = [
    ("0704.0001", True),
    ("0703.9999", False),
    ("1412.1234", True),
    ("1412.12345", False),
    ("1501.00001", True),
    ("1501.0001", False),
    ("1501.99999", True),
    ("9912.99999", True),
    ("9912.9999", False),
    ("hep-th/9108001", True),
    ("hep-th/9107001", False),
    ("hep-th/9912001", True),
    ("hep-th/0001001", True),
    ("hep-th/0703999", True),
    ("hep-th/0704001", False),
]


@pytest.mark.parametrize(("text", "valid"), DATE_BOUNDARIES)
def test_the_date_boundaries_of_both_schemes(text: str, valid: bool) -> None:
    if valid:
        assert parse_id(text) == ArxivId(text)
    else:
        with pytest.raises(StudycardsError, match=r"^not an arXiv id or URL: "):
            parse_id(text)


# Case never matters: not in the host, the path kind, the prefix, the archive, the version or ".pdf".
# Old-style archives are kept in lower case, without their subject class.
ANY_CASE = [
    ("https://ArXiv.Org/abs/1706.03762", "1706.03762", None),
    ("HTTPS://WWW.ARXIV.ORG/ABS/1706.03762V7", "1706.03762", 7),
    ("https://Export.ArXiv.org/Abs/1706.03762v1", "1706.03762", 1),
    ("https://arxiv.org/PDF/1706.03762.PDF", "1706.03762", None),
    ("https://arxiv.org/HTML/2412.19437v2", "2412.19437", 2),
    ("ARXIV:1706.03762", "1706.03762", None),
    ("1706.03762V3", "1706.03762", 3),
    ("HEP-TH/9901001", "hep-th/9901001", None),
    ("arXiv:HEP-TH/9901001V2", "hep-th/9901001", 2),
    ("math.gt/0309136", "math/0309136", None),
    ("hep-th.AB/9901001", "hep-th/9901001", None),
    ("a-b-c/9901001", "a-b-c/9901001", None),
]


@pytest.mark.parametrize(("text", "ident", "version"), ANY_CASE)
def test_case_does_not_matter_and_archives_are_lower_case(text: str, ident: str, version: int | None) -> None:
    assert parse_id(text) == ArxivId(ident, version)


URL_SHAPES = [
    ("\t1706.03762\n", "1706.03762", None),
    ("https://arxiv.org/abs/1706.03762 ", "1706.03762", None),
    ("www.arxiv.org/abs/1706.03762", "1706.03762", None),
    ("http://export.arxiv.org/abs/1706.03762v1", "1706.03762", 1),
    ("https://export.arxiv.org/pdf/1706.03762", "1706.03762", None),
    ("https://www.arxiv.org/pdf/1706.03762v1", "1706.03762", 1),
    ("https://arxiv.org/abs/1706.03762#x", "1706.03762", None),
    ("https://arxiv.org/abs/1706.03762?", "1706.03762", None),
    ("https://arxiv.org/abs/1706.03762v2/?a=b", "1706.03762", 2),
    ("https://arxiv.org/pdf/1706.03762.pdf/", "1706.03762", None),
    ("arxiv.org/html/2412.19437v2/", "2412.19437", 2),
    ("https://arxiv.org/pdf/hep-th/9901001.pdf", "hep-th/9901001", None),
    ("https://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001", 3),
    ("1706.03762v10", "1706.03762", 10),
]


@pytest.mark.parametrize(("text", "ident", "version"), URL_SHAPES)
def test_url_shapes_and_surrounding_space(text: str, ident: str, version: int | None) -> None:
    assert parse_id(text) == ArxivId(ident, version)


REFUSED_SHAPES = [
    "1706.03762v01",  # a version has no leading zero
    "1706.03762v7v2",
    "https://fr.arxiv.org/abs/1706.03762",  # only www. and export. before arxiv.org
    "//arxiv.org/abs/1706.03762",
    "https://arxiv.org//abs/1706.03762",
    "https://arxiv.org/format/1706.03762",  # only abs, pdf and html pages
    "https://arxiv.org/html/1706.03762.pdf",  # .pdf only after /pdf/
    "https://arxiv.org/abs/1706.03762v7.pdf",
    "hep-th/9901001.pdf",
    "1706.03762.pdf",
    "arxiv:https://arxiv.org/abs/1706.03762",
    "arXiv: 1706.03762",
    "hep-th.ABC/9901001",  # a subject class has two letters
    "-hep/9901001",
    "hep-/9901001",
    "hep2/9901001",
]


@pytest.mark.parametrize("text", REFUSED_SHAPES)
def test_near_misses_are_refused(text: str) -> None:
    with pytest.raises(StudycardsError, match=r"^not an arXiv id or URL: "):
        parse_id(text)


def test_the_refusal_names_the_text_and_shows_the_forms() -> None:
    with pytest.raises(StudycardsError) as caught:
        parse_id(" nope ")
    assert str(caught.value) == (
        "not an arXiv id or URL: ' nope ' (expected e.g. 1706.03762, arXiv:1706.03762v7, "
        "hep-th/9901001 or https://arxiv.org/abs/1706.03762)"
    )


def test_an_id_without_a_version_prints_bare() -> None:
    ident = parse_id("https://arxiv.org/abs/1706.03762")
    assert (str(ident), ident.versioned, ident.folder) == ("1706.03762", "1706.03762", "1706.03762")
    assert parse_id("math.GT/0309136v2").versioned == "math/0309136v2"


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


@pytest.mark.parametrize(
    ("text", "links"),
    [
        (
            "(https://github.com/a/b), and [https://github.com/c/d].",
            ("https://github.com/a/b", "https://github.com/c/d"),
        ),
        (
            "https://github.com/a/b; https://github.com/c/d: https://github.com/e/f! https://github.com/g/h?",
            ("https://github.com/a/b", "https://github.com/c/d", "https://github.com/e/f", "https://github.com/g/h"),
        ),
        (
            "``https://github.com/a/b'' and \"https://github.com/c/d\"",
            ("https://github.com/a/b", "https://github.com/c/d"),
        ),
        ("https://github.com/a/b's fork", ("https://github.com/a/b",)),
        ("Code: https://example.org/ours/... and more", ("https://example.org/ours/",)),
        (
            "Code: https://example.org/p|q and repo: https://example.org/r<s>",
            ("https://example.org/p", "https://example.org/r"),
        ),
    ],
    ids=["brackets", "sentence punctuation", "quotes", "apostrophe", "ellipsis", "bars and angles"],
)
def test_trailing_punctuation_is_not_part_of_a_link(text: str, links: tuple[str, ...]) -> None:
    assert find_code_links(text) == links


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("GITHUB.COM/O/R", ("https://github.com/O/R",)),
        ("http://www.github.com/o/r", ("https://github.com/o/r",)),
        (
            "https://bitbucket.org/o/r.git and https://codeberg.org/o/r/src/branch/main",
            ("https://bitbucket.org/o/r", "https://codeberg.org/o/r"),
        ),
        ("https://x.github.io, without any cue", ("https://x.github.io",)),
        ("https://sites.google.com/view/ours", ("https://sites.google.com/view/ours",)),
        ("https://sites.google.com alone", ()),
        ("code at http://example.com", ("http://example.com",)),
        ("code at example.com/ours", ()),  # a page other than a known host needs its scheme
        ("https://example.com/ours, with no cue before it", ()),
        ("code at https://example.org/A and https://example.org/a", ("https://example.org/A",)),
        ("Code: https://dx.doi.org/10.1/x and https://export.arxiv.org/abs/1706.03762", ()),
    ],
)
def test_which_pages_count_as_code(text: str, links: tuple[str, ...]) -> None:
    assert find_code_links(text) == links


@pytest.mark.parametrize(
    "text",
    [
        "Code: github.com/openai",
        "Code: https://github.com/openai/",
        "https://gitlab.com/group and https://bitbucket.org/team, https://codeberg.org/org.",
    ],
)
def test_a_user_or_organisation_page_is_not_a_code_link(text: str) -> None:
    assert find_code_links(text) == ()
    assert find_code_links(text + " and github.com/openai/gym") == ("https://github.com/openai/gym",)


@pytest.mark.parametrize(
    ("latex", "links"),
    [
        (r"Code: \url{https://people.example.org/\~{}alice/code}", ("https://people.example.org/~alice/code",)),
        (r"Code: \url{https://example.org/\textasciitilde{}bob/x}", ("https://example.org/~bob/x",)),
        (r"Code at \href{https://example.org/p?a=1\&b=2\#top}{here}", ("https://example.org/p?a=1&b=2#top",)),
        (r"Code: \url{https://example.org/a\_b\slash}", ("https://example.org/a_b/",)),
        (r"Code: \url{https://example.org/a\%20b}", ("https://example.org/a%20b",)),
        (r"\url{https://github.com/a/b}% was https://github.com/c/d", ("https://github.com/a/b",)),
        ("https://github.com/a/b%comment https://github.com/c/d\nnext line", ("https://github.com/a/b",)),
        (r"50\% faster, https://github.com/a/b", ("https://github.com/a/b",)),
    ],
    ids=[
        "tilde",
        "textasciitilde",
        "ampersand and hash",
        "underscore and slash",
        "escaped percent in a url",
        "comment after a url",
        "comment glued to a url",
        "escaped percent is no comment",
    ],
)
def test_latex_escapes_and_comments_around_links(latex: str, links: tuple[str, ...]) -> None:
    assert find_code_links(latex, latex=True) == links


def test_the_same_latex_read_as_prose_keeps_what_latex_would_drop() -> None:
    text = r"\url{https://github.com/a/b}% was https://github.com/c/d"
    assert find_code_links(text) == ("https://github.com/a/b", "https://github.com/c/d")


def test_code_links_in_a_real_source(corpus: Path) -> None:
    text = "\n".join(p.read_text() for p in sorted((corpus / "papers" / "1706.06978").glob("*.tex")))
    assert find_code_links(text, latex=True) == ("https://github.com/zhougr1993/DeepInterestNetwork",)
