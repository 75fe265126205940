"""Reading-guide notes: the method's order, equation cards, quoted sentences, and nothing else a card."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studycards.latex.document import Document, Section, read_document
from studycards.models import Equation, Paper
from studycards.notes.parser import parse_notes
from studycards.paper.guide import guide_markdown, slug

HEADINGS = [
    "# ",
    "## Abstract",
    "## Conclusion",
    "## Data",
    "## Results",
    "## Understanding",
    "## Implementation",
    "### Architecture, inputs and outputs",
    "### Equations",
    "### Loss",
    "### Training details and hyperparameters",
    "## Datasets",
    "## Compute",
    "## Code and data",
    "## Questions",
]

ATTENTION = Paper(
    arxiv_id="1706.03762",
    version=7,
    title="Attention Is All You Need",
    authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit"),
    abstract="The dominant sequence transduction models are based on complex recurrent networks.",
    published="2017-06-12",
    categories=("cs.CL", "cs.LG"),
)


def paper(**changes) -> Paper:
    values = {"arxiv_id": "2101.00001", "version": 1, "title": "A Paper: With a Subtitle", "abstract": "We study X."}
    values.update(changes)
    return Paper(**values)


def headings(text: str) -> list[str]:
    return [line if not line.startswith("# ") else "# " for line in text.splitlines() if line.startswith("#")]


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Attention Is All You Need", "attention-is-all-you-need"),
        ("MaskGIT: Masked Generative Image Transformer", "maskgit-masked-generative-image-transformer"),
        ("Über Café — naïve $O(n^2)$ tricks!", "uber-cafe-naive-o-n-2-tricks"),
        ("", "hep-th-9901001"),
    ],
)
def test_slug(title: str, expected: str):
    assert slug(paper(title=title, arxiv_id="hep-th/9901001")) == expected


def test_attention_guide_has_the_equation_cards_and_the_training_details(cli, corpus: Path, tmp_path: Path):
    text = guide_markdown(ATTENTION, read_document(corpus / "papers" / "1706.03762"))
    assert text.startswith(
        '---\npaper: "1706.03762"\ndeck: "Papers::Attention Is All You Need"\n'
        "tags: [cs.CL, cs.LG]\n---\n# Attention Is All You Need\n"
    )
    assert headings(text) == HEADINGS
    assert (
        'Eq. (1), Scaled Dot-Product Attention — "We compute the matrix of outputs as":\n$$\n'
        "\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}(\\frac{QK^T}{\\sqrt{d_k}})V\n$$\n"
    ) in text
    training = text.split("### Training details and hyperparameters")[1].split("## Datasets")[0]
    assert "> We used $warmup\\_steps=4000$." in training
    assert "> We used the Adam optimizer with $\\beta_1=0.9$, $\\beta_2=0.98$ and $\\epsilon=10^{-9}$." in training
    assert "> We apply dropout to the output of each sub-layer" in training
    assert "> The dominant sequence transduction models" in text
    assert "> In this work, we presented the Transformer" in text.split("## Conclusion")[1]
    assert "Acknowledgements" not in text
    assert "The paper's own code:\n\n- <https://github.com/tensorflow/tensor2tensor>" in text
    assert "> We trained our models on one machine with 8 NVIDIA P100 GPUs." in text.split("## Compute")[1]

    parsed = parse_notes(text, "attention-is-all-you-need.md")
    assert parsed.errors == []
    assert [n.kind for n in parsed.notes] == ["equation"] * 5
    assert parsed.notes[0].back.startswith("$$\n\\mathrm{Attention}(Q, K, V)")
    assert parsed.notes[0].context == "Attention Is All You Need › Implementation › Equations"
    assert parsed.deck == "Papers::Attention Is All You Need" and parsed.paper == "1706.03762"
    assert parsed.questions == []  # the Questions section is for the reader's own questions

    notes_file = tmp_path / f"{slug(ATTENTION)}.md"
    notes_file.write_text(text, encoding="utf-8")
    result = cli("add", "--dry-run", notes_file)
    assert result.exit_code == 0, result.output
    assert "5 cards" in result.output


def test_every_corpus_guide_parses_with_at_most_a_dozen_equation_cards(corpus: Path):
    for folder in sorted((corpus / "papers").iterdir()):
        document = read_document(folder)
        text = guide_markdown(paper(arxiv_id=folder.name, title=document.title or folder.name), document)
        parsed = parse_notes(text, "guide.md")
        assert parsed.errors == [], (folder.name, parsed.errors)
        cards = min(12, len(document.equations))
        assert [n.kind for n in parsed.notes] == ["equation"] * cards, folder.name
        assert len({n.front for n in parsed.notes}) == len(parsed.notes)


def quoted(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("> ") and len(line) > 2]


@pytest.mark.parametrize("arxiv_id", ["1706.03762", "2202.00665"])
def test_a_corpus_guide_reads_in_the_methods_order_each_sentence_once(corpus: Path, arxiv_id: str):
    document = read_document(corpus / "papers" / arxiv_id)
    text = guide_markdown(paper(arxiv_id=arxiv_id, title=document.title or arxiv_id), document)
    assert headings(text) == HEADINGS
    lines = quoted(text)
    assert len(lines) == len(set(lines)), [line for line in lines if lines.count(line) > 1]
    assert not re.search(r"(?<![\w)])\?(?![\w(])", "\n".join(lines)), "an unresolved reference"
    assert len(text.splitlines()) < 300


def test_the_papers_own_code_is_named_apart_from_the_repositories_it_cites(corpus: Path):
    document = read_document(corpus / "papers" / "2202.00665")
    code = guide_markdown(paper(arxiv_id="2202.00665"), document).split("## Code and data")[1].split("## Questions")[0]
    own, cited = code.split("Repositories it cites:")
    assert (
        own.strip()
        == "The paper's own code:\n\n- <https://github.com/facebookresearch/amortized-optimization-tutorial>"
    )
    assert "- <https://github.com/YannDubs/disentangling-vae>" in cited
    assert "amortized-optimization-tutorial" not in cited


def test_a_long_papers_other_equations_are_listed_by_section_with_their_numbers(corpus: Path):
    document = read_document(corpus / "papers" / "2202.00665")
    text = guide_markdown(paper(arxiv_id="2202.00665"), document)
    listed = text.split("The other equations, by section")[1].split("### Loss")[0]
    assert "- Training an amortization model on a sphere: (4.1), (4.2), (4.3), (4.4)" in listed
    numbers = re.findall(r"\((\d+\.\d+)\)", listed)
    assert len(numbers) + 12 == len([eq for eq in document.equations if eq.number])


HOSTILE = [
    "The score is computed as a :: b for every pair.",
    "Q: is this a question? A: no, a sentence.",
    "We write {{c1::hidden}} and ==highlighted== words.",
    "? Is this a research question",
    "The price is $5 per hour and rising.",
    "# not a heading but a hashtag sentence.",
    "- not a list but a dash sentence with dropout.",
    "1. Not an ordered list with a learning rate.",
    "$$ x = 1 $$ appears inline in the dataset description.",
]


def test_quoted_text_can_never_read_as_card_syntax():
    prose = "\n\n".join(HOSTILE)
    document = Document(
        main=Path("main.tex"),
        equations=(
            Equation(
                latex="a = b",
                file="main.tex",
                line=3,
                environment="equation*",
                section="Method",
                intro="It holds that a == b {{c1::x}} :: y:",
            ),
            Equation(
                latex="a = b",
                file="main.tex",
                line=5,
                environment="equation*",
                section="Method",
                intro="It holds that a == b {{c1::x}} :: y:",
            ),
            Equation(
                latex="c = d",
                file="main.tex",
                line=7,
                environment="equation",
                number="1",
                section="Q: Method",
                intro="",
                where="where $c$ is :: a constant.",
            ),
        ),
        sections=(Section("Results", 1, prose), Section("Conclusion", 1, prose), Section("Training", 1, prose)),
        abstract=prose,
    )
    text = guide_markdown(paper(abstract="", categories=("cs.LG", "weird category!")), document)
    parsed = parse_notes(text, "hostile.md")
    assert parsed.errors == []
    assert [n.kind for n in parsed.notes] == ["equation"] * 3
    assert len({n.front for n in parsed.notes}) == 3
    assert parsed.questions == []  # neither the quoted text nor the guide's own prompts become questions
    assert "tags: [cs.LG, weird_category]" in text
    assert 'deck: "Papers::A Paper"' in text
    for line in text.splitlines():
        bare = re.sub(r"\\\$", "", line)
        assert bare.count("$") % 2 == 0 or bare.strip() == "$$", line


def test_guide_without_source_still_follows_the_method():
    text = guide_markdown(
        paper(code_links=("https://github.com/a/b",), abstract="We study X at https://github.com/a/b."), None
    )
    assert headings(text) == HEADINGS
    assert "> We study X at" in text
    assert "No display equation was found in the source." in text
    assert "The paper's own code:\n\n- <https://github.com/a/b>" in text  # it was in the abstract
    parsed = parse_notes(text, "guide.md")
    assert parsed.errors == [] and parsed.notes == []
