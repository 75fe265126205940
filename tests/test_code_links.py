"""Code links and arXiv ids at their edges: the cue window, trailing marks, LaTeX tildes, Hugging Face paths."""

from __future__ import annotations

import dataclasses

import pytest

from studycards.paper.ids import find_code_links, parse_id

# -- ids ---------------------------------------------------------------------------------


def test_an_arxiv_id_cannot_be_changed_and_works_as_a_key() -> None:
    ident = parse_id("arXiv:1706.03762v7")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ident.version = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ident.id = "1512.03385"  # type: ignore[misc]
    assert str(ident) == "1706.03762v7"
    assert {ident, parse_id("https://arxiv.org/abs/1706.03762v7")} == {ident}


# -- the cue window: 40 characters before a link -------------------------------------------


@pytest.mark.parametrize(
    ("gap", "links"),
    [(36, ("https://example.org/ours",)), (37, ())],
    ids=["cue ends 40 characters before", "cue starts 41 characters before"],
)
def test_a_cue_counts_only_within_40_characters_before_the_link(gap: int, links: tuple[str, ...]) -> None:
    text = "code" + " " * gap + "https://example.org/ours"
    assert find_code_links(text) == links


def test_the_cue_window_is_counted_from_each_links_own_start() -> None:
    text = "Our code: https://example.org/a" + " " * 40 + "https://example.org/b"
    assert find_code_links(text) == ("https://example.org/a",)


# -- trailing marks ----------------------------------------------------------------------------


@pytest.mark.parametrize("mark", list(".,;:!?`"))
def test_each_trailing_mark_is_stripped_from_a_code_link(mark: str) -> None:
    assert find_code_links(f"Code: https://example.org/ours{mark} More text") == ("https://example.org/ours",)
    assert find_code_links(f"see https://github.com/o/r{mark}{mark}") == ("https://github.com/o/r",)


def test_every_trailing_mark_at_once_and_letters_are_kept() -> None:
    assert find_code_links("Code: https://example.org/ours.,;:!?` next") == ("https://example.org/ours",)
    # a repository whose name ends in a capital X keeps it
    assert find_code_links("We build on https://github.com/Megvii-BaseDetection/YOLOX.") == (
        "https://github.com/Megvii-BaseDetection/YOLOX",
    )
    assert find_code_links("Project page: https://example.org/MAX") == ("https://example.org/MAX",)


def test_a_link_given_with_and_without_a_trailing_slash_is_one_link() -> None:
    text = "Videos on https://lab.github.io/proj/ and again on https://lab.github.io/proj"
    assert find_code_links(text) == ("https://lab.github.io/proj/",)
    text = "Videos on https://lab.github.io/proj and again on https://LAB.github.io/proj///"
    assert find_code_links(text) == ("https://lab.github.io/proj",)


# -- LaTeX tildes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tilde",
    [r"\textasciitilde", r"\textasciitilde{}", r"\~{}"],
    ids=["bare", "with braces", "accent form"],
)
def test_a_latex_tilde_in_a_link_becomes_a_tilde(tilde: str) -> None:
    latex = rf"Project page: \url{{https://lab.github.io/{tilde}/alice}}"
    assert find_code_links(latex, latex=True) == ("https://lab.github.io/~/alice",)


def test_a_bare_textasciitilde_ends_a_link_read_as_prose() -> None:
    assert find_code_links(r"https://lab.github.io/\textasciitilde/alice") == ("https://lab.github.io/",)


# -- Hugging Face -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "kept"),
    [
        ("https://huggingface.co/datasets/org/set/tree/main/data", "https://huggingface.co/datasets/org/set"),
        ("https://huggingface.co/spaces/org/demo/blob/main/app.py", "https://huggingface.co/spaces/org/demo"),
        ("https://huggingface.co/org/model-7b/tree/main", "https://huggingface.co/org/model-7b"),
        ("https://huggingface.co/datasets/org", "https://huggingface.co/datasets/org"),
    ],
    ids=["dataset", "space", "model", "dataset owner only"],
)
def test_hugging_face_datasets_and_spaces_keep_three_path_parts_models_two(link: str, kept: str) -> None:
    assert find_code_links(f"Weights and data: {link} for all") == (kept,)
