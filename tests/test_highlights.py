"""``studycards highlights``: a highlighted PDF's quotes and margin comments land under the paper's sections.

The corpus PDFs were annotated by real readers in Acrobat, PDF Expert, iOS and by hand; the fixtures in
``tests/fixtures/highlights/`` are made by ``make.py`` beside them (two columns, a hyphenated line end,
an arXiv stamp, shades of each colour, a margin comment in each card syntax).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from studycards.highlights.colours import Rgb, colour_name, read_rule, section_for
from studycards.highlights.reading import cleaned, read_pdf
from tests.paths import FIXTURES

PDFS = FIXTURES / "highlights"

# (kind, page, colour, text, comment) of each annotation, in reading order, as the corpus files hold them.
CORPUS = {
    "hotos17.pdf": [
        ("Squiggly", 1, "red", "recent Intel CPUs have introduced", None),
        ("StrikeOut", 1, "red", "e", None),
        ("Text", 1, "none", None, "This is a note with no text attached."),
        (
            "Highlight",
            2,
            "yellow",
            "TSX launched with “Haswell” in 2013 but was later disabled due to a bug. “Broadwell” CPUs with the"
            " bug fix shipped in late 2014.",
            None,
        ),
        (
            "Highlight",
            2,
            "yellow",
            "user-mode access to FS/GS registers, and TLB tags for non-VM address spaces",
            "This is lower in column 1",
        ),
        ("Highlight", 2, "orange", "segmentation, task switching, and 16-bit modes.", None),
        (
            "Highlight",
            2,
            "yellow",
            "The jump is due to extensions introduced with the “Skylake” microarchitecture",
            "This is at the top of column two",
        ),
        ("Squiggly", 4, "red", "Control transfer in x86 is already very complex", "This is a nit."),
        (
            "Underline",
            4,
            "red",
            "Besides modifying semantics of all indirect control transfers",
            "This is a different nit",
        ),
        ("StrikeOut", 4, "red", "While we may disagree with some of the design choices,", None),
    ],
    "pr24.pdf": [
        (
            "Highlight",
            1,
            "yellow",
            "Heading Link to heading that is working with vim-pandoc. Link to heading that",
            "long highlight",
        ),
        ("Highlight", 1, "yellow", "not working", "short highlight"),
        ("Highlight", 1, "yellow", "Some more text", None),
        ("Text", 1, "yellow", None, "dual\n\npara note"),
        ("Text", 1, "yellow", None, "s"),
    ],
    "issue46.pdf": [
        ("Highlight", 1, "yellow", "C – Curate", None),
        ("Highlight", 1, "yellow", "This was a novel idea at the time", None),
    ],
    "issue9.pdf": [("Highlight", 1, "yellow", "World", None)],
    "issue13.pdf": [("Highlight", 1, "yellow", "This is a sample statement.", None)],
    "caret.pdf": [
        ("StrikeOut", 1, "red", "document.", None),
        ("Highlight", 1, "blue", "read this", "Test Comment"),
        ("Underline", 1, "blue", "on", "testing"),
    ],
    "FreeText-annotation.pdf": [("FreeText", 1, "none", None, 'Annotation with subtype "FreeText".')],
    "word2column.pdf": [
        ("StrikeOut", 1, "red", "nostrud exercitation", None),
        ("StrikeOut", 1, "red", "Duis", None),
        ("StrikeOut", 1, "red", "laborum", None),
        (
            "Highlight",
            1,
            "yellow",
            "At vero eos et accusamus et iusto odio dignissimos ducimus, qui blanditiis praesentium voluptatum"
            " deleniti atque corrupti,",
            None,
        ),
        (
            "Squiggly",
            1,
            "red",
            "Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias"
            " consequatur aut perferendis doloribus asperiores repellat.",
            "Nonsense!",
        ),
        ("StrikeOut", 1, "red", "equal", "blah blah"),
        ("StrikeOut", 2, "red", "duty", None),
        ("StrikeOut", 2, "red", "In a free hour,", None),
        ("StrikeOut", 2, "red", ",", "Struck comma"),
    ],
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_annotation_of_the_corpus_pdfs_is_read_as_its_reader_made_it(corpus, name):
    reading = read_pdf(corpus / "pdfs" / name)
    found = [(h.kind, h.page, colour_name(h.colour), h.text, h.comment) for h in reading.highlights]
    assert found == CORPUS[name]


def test_a_corpus_pdf_goes_into_a_new_notes_file_by_colour(corpus, cli, tmp_path):
    pdf = tmp_path / "hotos17.pdf"
    shutil.copy(corpus / "pdfs" / "hotos17.pdf", pdf)
    result = cli("highlights", pdf, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["written"] == 10 and report["created"] is True
    text = (tmp_path / "hotos17.md").read_text(encoding="utf-8")
    understanding = text.split("## Understanding\n")[1].split("\n## ")[0]
    assert "> user-mode access to FS/GS registers, and TLB tags for non-VM address spaces (p. 2)" in understanding
    assert "This is lower in column 1" in understanding
    assert "> segmentation, task switching, and 16-bit modes. (p. 2)" in text.split("## Notes\n")[1]
    assert "- “Control transfer in x86 is already very complex” (p. 4) — This is a nit." in text


def test_a_pdf_with_only_a_caret_has_no_highlights(corpus, cli, tmp_path):
    result = cli("highlights", corpus / "pdfs" / "issue61.pdf", "--notes", tmp_path / "n.md")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: no highlights in {corpus / 'pdfs' / 'issue61.pdf'}"
    assert not (tmp_path / "n.md").exists()


@pytest.fixture
def pdfs(tmp_path: Path) -> Path:
    folder = tmp_path / "reading"
    shutil.copytree(PDFS, folder, ignore=shutil.ignore_patterns("*.py"))
    return folder


EXPECTED_NOTES = """---
paper: "1706.03762"
---
# Attention in brief

## Understanding

> Attention lets every position look at every other position in one step. (p. 1)

What replaces recurrence? :: Self-attention over all positions

> Dot products are scaled by one over the square root of the key size. (p. 1)

Scores are divided by {{c1::the square root of d_k}}.

> Label smoothing of 0.1 hurts perplexity but improves accuracy and BLEU score. (p. 2)

> *no text under this highlight* (p. 2)

## Implementation

> The model stacks six identical layers. (p. 1)

Number of encoder layers ::: six

> Each layer has a multi-head attention block and a feed-forward block. (p. 1)

Q: What are the two blocks of a layer?
A: Multi-head attention and a feed-forward network.

> Dropout of 0.1 is applied to every sub-layer. (p. 2)

## Datasets

> We train on the WMT 2014 English to German set of 4.5 million pairs. (p. 1)

? Would it work with far less data

> Byte pair encoding gives a shared vocabulary of about 37000 tokens. (p. 1)

Check the tokenizer settings later

## Notes

> Training took three and a half days. (p. 1)

(p. 2) Reread section 3 tomorrow

## Questions

- “Why sinusoids extrapolate is unclear.” (p. 1)
"""


def test_the_round_trip_quotes_by_colour_comments_as_cards_and_each_highlight_once(cli, rows, pdfs):
    result = cli("highlights", pdfs / "read.pdf")
    assert result.exit_code == 0, result.output
    notes = pdfs / "read.md"
    assert f"Wrote 12 highlights into a new notes file {notes} (paper 1706.03762)." in result.output
    assert "p. 2: no text under this highlight" in result.output
    assert notes.read_text(encoding="utf-8") == EXPECTED_NOTES

    assert cli("add", notes).exit_code == 0
    assert rows("SELECT kind, front, back, paper FROM cards ORDER BY id") == [
        ("basic", "What replaces recurrence?", "Self-attention over all positions", "1706.03762"),
        ("cloze", "Scores are divided by {{c1::the square root of d_k}}.", "", "1706.03762"),
        ("reversed", "Number of encoder layers", "six", "1706.03762"),
        ("reversed", "six", "Number of encoder layers", "1706.03762"),
        (
            "basic",
            "What are the two blocks of a layer?",
            "Multi-head attention and a feed-forward network.",
            "1706.03762",
        ),
    ]
    assert rows("SELECT text, context FROM questions ORDER BY id") == [
        ("Would it work with far less data", "Attention in brief › Datasets"),
        ("“Why sinusoids extrapolate is unclear.” (p. 1)", "Attention in brief › Questions"),
    ]

    again = cli("highlights", pdfs / "read.pdf")
    assert (
        again.output.strip() == f"No new highlights in {pdfs / 'read.pdf'} (12 written before); {notes} is unchanged."
    )
    assert notes.read_text(encoding="utf-8") == EXPECTED_NOTES

    more = cli("highlights", pdfs / "read-more.pdf")  # the same paper, one highlight more: found by its id
    assert f"Wrote 1 highlight into {notes} (paper 1706.03762) (12 written before)." in more.output
    after = notes.read_text(encoding="utf-8")
    assert after == EXPECTED_NOTES.replace(
        "> *no text under this highlight* (p. 2)\n",
        "> *no text under this highlight* (p. 2)\n\n> Beam search uses a beam of four. (p. 2)\n",
    )
    assert cli("add", notes).output.startswith("No changes")
    assert rows("SELECT COUNT(*) FROM cards") == [(5,)]


def test_a_quote_the_user_deleted_is_not_brought_back_and_their_lines_stay(cli, pdfs):
    cli("highlights", pdfs / "read.pdf")
    notes = pdfs / "read.md"
    mine = EXPECTED_NOTES.replace("> Training took three and a half days. (p. 1)\n\n", "").replace(
        "## Datasets\n", "## Datasets\n\nMy own line about WMT ==stays==.\n"
    )
    notes.write_text(mine, encoding="utf-8")
    cli("highlights", pdfs / "read-more.pdf")
    text = notes.read_text(encoding="utf-8")
    assert "Training took three" not in text
    assert "My own line about WMT ==stays==." in text
    assert text.replace("> Beam search uses a beam of four. (p. 2)\n\n", "") == mine


def test_dry_run_shows_each_colour_and_its_section_and_writes_nothing(cli, rows, pdfs):
    result = cli("highlights", pdfs / "read.pdf", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for expected in (
        "yellow (#f9cd59): 1 highlight -> Understanding",
        "yellow (#fdfdae): 1 highlight -> Understanding",
        "green (#7fd858): 1 highlight -> Implementation",
        "blue (#3ea8f5): 1 highlight -> Datasets",
        "pink (#f78fb3): 1 highlight -> Questions",
        "orange (#ff7800): 1 highlight -> Notes",
        "1 note without highlighted text -> Notes",
    ):
        assert expected in lines
    assert "Would write 12 highlights" in result.output
    assert not (pdfs / "read.md").exists()
    assert rows("SELECT COUNT(*) FROM highlights") == [(0,)]


def test_the_config_table_maps_colours_to_sections(cli, home, pdfs):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[highlights]\norange = "Compute"\n"#f78fb3" = "Understanding"\n')
    result = cli("highlights", pdfs / "read.pdf", "--dry-run")
    assert "orange (#ff7800): 1 highlight -> Compute" in result.output
    assert "pink (#f78fb3): 1 highlight -> Understanding" in result.output
    (home / "config.toml").write_text('[highlights]\nteal = "Understanding"\n')
    bad = cli("highlights", pdfs / "read.pdf")
    assert bad.exit_code == 1
    assert "highlights.teal is not a colour" in bad.output and len(bad.output.strip().splitlines()) == 1


def test_the_notes_file_naming_the_paper_is_found_and_only_added_to(cli, pdfs, tmp_path):
    notes = tmp_path / "mine.md"
    original = (
        "---\npaper: 1706.03762\ndeck: Papers::Attention\n---\n# Attention\n\n"
        "## Understanding\nKey idea :: attention\n\n## Questions\n- Why eight heads?\n"
    )
    notes.write_text(original, encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    result = cli("highlights", pdfs / "read.pdf")
    assert f"Wrote 12 highlights into {notes}" in result.output
    text = notes.read_text(encoding="utf-8")
    assert not (pdfs / "read.md").exists()
    assert text.startswith("---\npaper: 1706.03762\ndeck: Papers::Attention\n---\n# Attention\n\n## Understanding\n")
    assert "Key idea :: attention\n\n> Attention lets every position" in text
    assert "- Why eight heads?\n- “Why sinusoids extrapolate is unclear.” (p. 1)\n" in text
    assert text.index("## Implementation") < text.index("## Questions")
    kept = iter(text.splitlines())
    assert all(line in kept for line in original.splitlines())  # every line of the user's, in order
    assert "Added 5 cards" in cli("add", notes).output


def test_notes_given_with_paper_get_the_id_in_their_front_matter(cli, pdfs, tmp_path):
    notes = tmp_path / "given.md"
    notes.write_text("# My reading\n\nSome words.\n", encoding="utf-8")
    result = cli("highlights", pdfs / "read.pdf", "--notes", notes, "--paper", "arXiv:1706.03762v2")
    assert result.exit_code == 0, result.output
    assert notes.read_text(encoding="utf-8").startswith('---\npaper: "1706.03762"\n---\n# My reading\n\nSome words.\n')


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.pdf", "{path}: no such file"),
        (lambda d: (d / "notes.pdf").write_text("hello") and d / "notes.pdf", "{path}: not a PDF"),
        (lambda d: d / "plain.pdf", "no highlights in {path}"),
        (lambda d: d / "locked.pdf", "{path}: the PDF is encrypted; save an unlocked copy and read that"),
        (
            lambda d: (d / "cut.pdf").write_bytes((d / "read.pdf").read_bytes()[:2500]) and d / "cut.pdf",
            "{path}: the PDF is damaged and cannot be read (PSEOF)",
        ),
    ],
    ids=["missing", "not a pdf", "no annotations", "encrypted", "damaged"],
)
def test_bad_input_is_one_line_and_changes_nothing(cli, rows, pdfs, make, message):
    path = make(pdfs)
    before = sorted(p.name for p in pdfs.iterdir())
    result = cli("highlights", path)
    assert result.exit_code == 1
    assert result.output.splitlines() == ["Error: " + message.format(path=path)]
    assert sorted(p.name for p in pdfs.iterdir()) == before
    assert rows("SELECT COUNT(*) FROM highlights") == [(0,)]


def test_the_fixtures_are_what_the_script_beside_them_makes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_highlights", PDFS / "make.py")
    assert spec is not None and spec.loader is not None
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    made = make.fixtures()
    assert sorted(made) == sorted(p.name for p in PDFS.glob("*.pdf"))
    assert all((PDFS / name).read_bytes() == data for name, data in made.items())


def test_the_locked_fixture_is_really_encrypted_and_opens_with_its_password():
    """The "encrypted" case above is a real 40-bit RC4 file: its text is unreadable without the password."""
    from pdfminer.high_level import extract_text
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    locked = PDFS / "locked.pdf"
    assert b"Beam search" not in locked.read_bytes()
    assert extract_text(locked, password="reader").split("\n")[3] == "Beam search uses a beam of four."
    with pytest.raises(PDFPasswordIncorrect):
        extract_text(locked)


def test_a_comment_that_only_looks_like_a_card_is_written_as_prose():
    from studycards.highlights.writing import Entry, block, comment_kind

    assert comment_kind("Q: no answer follows") == "prose"
    assert comment_kind("Size :: 512") == "card"
    assert comment_kind("?why so") == "question"
    written = block(Entry("Notes", 3, "x", "Q: no answer follows\n# not a heading")).lines
    assert written == ["> x (p. 3)", "", "Q\\: no answer follows", "\\# not a heading"]


def test_hyphenated_words_are_joined_ligatures_spelled_and_math_glyphs_kept():
    assert cleaned("the atten-\ntion of ﬁve eﬃcient\nlayers, σ(x) ≤ √d") == (
        "the attention of five efficient layers, σ(x) ≤ √d"
    )
    assert cleaned("self-\nAttention") == "self-\nAttention".replace("\n", " ")


@pytest.mark.parametrize(
    ("hex_colour", "name", "section"),
    [
        ("#ffff00", "yellow", "Understanding"),
        ("#f9cd59", "yellow", "Understanding"),
        ("#fdfdae", "yellow", "Understanding"),
        ("#ffd400", "yellow", "Understanding"),
        ("#00ff00", "green", "Implementation"),
        ("#7fd858", "green", "Implementation"),
        ("#2e8b57", "green", "Implementation"),
        ("#0000ff", "blue", "Datasets"),
        ("#3ea8f5", "blue", "Datasets"),
        ("#69aff0", "blue", "Datasets"),
        ("#ff0000", "red", "Questions"),
        ("#e52136", "red", "Questions"),
        ("#ff69b4", "pink", "Questions"),
        ("#ff7800", "orange", "Notes"),
        ("#8a2be2", "purple", "Notes"),
        ("#808080", "grey", "Notes"),
    ],
)
def test_each_readers_shade_counts_as_its_colour(hex_colour, name, section):
    digits = hex_colour[1:]
    colour = Rgb(*(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)))
    assert (colour_name(colour), section_for(colour)) == (name, section)


def test_a_config_without_a_highlights_table_keeps_the_default(tmp_path):
    (tmp_path / "config.toml").write_text('day_start = "05:00"\n')
    assert section_for(Rgb(0, 1, 0), read_rule(tmp_path / "config.toml")) == "Implementation"


def test_in_a_reading_guide_each_quote_goes_under_the_part_of_the_paper_it_is_about(cli, arxiv_server, pdfs):
    """The guide's Implementation has sub-headings; a green quote goes under the one the guide's own rule
    sorts it into (architecture, loss, training), not above the first of them."""
    assert cli("fetch", "1706.03762").exit_code == 0
    result = cli("highlights", pdfs / "read.pdf")
    assert result.exit_code == 0, result.output
    notes = pdfs / "attention-is-all-you-need.md"
    assert f"Wrote 12 highlights into a new notes file {notes}" in result.output
    implementation = notes.read_text(encoding="utf-8").split("\n## Implementation\n")[1].split("\n## ")[0]
    parts = dict(part.split("\n", 1) for part in implementation.split("\n### ")[1:])
    assert implementation.index("### ") < implementation.index("> ")  # nothing above the first sub-heading
    architecture = parts["Architecture, inputs and outputs"]
    assert "> The model stacks six identical layers. (p. 1)\n\nNumber of encoder layers ::: six\n" in architecture
    assert "> Each layer has a multi-head attention block and a feed-forward block. (p. 1)" in architecture
    assert architecture.index("six identical layers") < architecture.index("Each layer has")
    training = parts["Training details and hyperparameters"]
    assert training.rstrip().endswith("> Dropout of 0.1 is applied to every sub-layer. (p. 2)")
    assert "> " not in parts["Loss"] and "(p. " not in parts["Equations"]


def test_a_quote_goes_into_its_named_sub_section_else_under_the_section_heading():
    from studycards.highlights.writing import Entry, insert_entries
    from studycards.paper.guide import implementation_part

    text = "# P\n\n## Implementation\n\nMine.\n\n### Loss\n\nMine too.\n\n### Other\n\n## Datasets\n"
    quotes = ["The loss is cross-entropy.", "It has two towers."]
    entries = [Entry("Implementation", 1, q, None, implementation_part(q)) for q in quotes]
    written, _ = insert_entries(text, entries)
    assert written == (
        "# P\n\n## Implementation\n\nMine.\n\n> It has two towers. (p. 1)\n\n### Loss\n\nMine too.\n\n"
        "> The loss is cross-entropy. (p. 1)\n\n### Other\n\n## Datasets\n"
    )
