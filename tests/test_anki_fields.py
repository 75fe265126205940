"""The HTML of an Anki field: what was written shows as written, tables and highlights render, tags balance."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest

from studycards.anki.export import notes_folder, shown_source
from studycards.anki.html import HtmlRenderer
from tests.paths import DECKS, FIXTURES
from tests.test_export import export

RENDER = HtmlRenderer()
VOID = {"br", "hr", "img", "input"}


class TagBalance(HTMLParser):
    """Every tag opened is closed, in order; ``problems`` says where not."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def unbalanced(html: str) -> list[str]:
    parser = TagBalance()
    parser.feed(html)
    parser.close()
    return parser.problems + [f"<{tag}> never closed" for tag in parser.open]


@pytest.mark.parametrize(
    "text, html",
    [
        ("an unclosed <b>bold tag in prose", "an unclosed &lt;b&gt;bold tag in prose"),
        ("List<T> and Vec<u8> are generic", "List&lt;T&gt; and Vec&lt;u8&gt; are generic"),
        ("true when a < b and b > c", "true when a &lt; b and b &gt; c"),
        ("<div>\nblock html\n</div>", "&lt;div&gt;\nblock html\n&lt;/div&gt;"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a comment <!-- kept --> here", "a comment &lt;!-- kept --&gt; here"),
        ("Rust's `Vec<u8>` in code", "Rust's <code>Vec&lt;u8&gt;</code> in code"),
        (r"math $a < b$ stays math", r"math \(a &lt; b\) stays math"),
    ],
)
def test_raw_html_in_notes_is_text(text, html):
    assert RENDER(text) == html
    assert RENDER(text, highlights=True) == html


def test_an_unclosed_tag_bolds_nothing_after_it():
    html = RENDER("Why <b>this?\n\nAnd this stays plain.")
    assert "<b>" not in html and unbalanced(html) == []


def test_a_table_renders_as_a_table_with_its_cells_as_written():
    html = RENDER("Shapes:\n\n| tensor | shape |\n|---|---|\n| `Q` | $n \\times d_k$ |\n| List<T> | a < b |")
    assert "<table>" in html and "<th>tensor</th>" in html and "<td><code>Q</code></td>" in html
    assert r"<td>\(n \times d_k\)</td>" in html
    assert "<td>List&lt;T&gt;</td>" in html and "<td>a &lt; b</td>" in html
    assert "|" not in html and unbalanced(html) == []


def test_a_pipe_inside_a_table_cell_is_written_escaped_even_in_code_and_math():
    html = RENDER("| a | b | c |\n|---|---|---|\n| $\\|x\\|$ | `p\\|q` | $\\\\|v\\\\|$ |")
    assert "<td>\\(|x|\\)</td>\n<td><code>p|q</code></td>\n<td>\\(\\|v\\|\\)</td>" in html


def test_a_list_in_an_answer_is_a_list():
    html = RENDER("Three parts:\n- the encoder\n- the decoder\n- attention between them")
    assert html == (
        "<p>Three parts:</p>\n<ul>\n<li>the encoder</li>\n<li>the decoder</li>\n<li>attention between them</li>\n</ul>"
    )


@pytest.mark.parametrize(
    "text, html",
    [
        ("divides the ==logits== by $T$", r"divides the <mark>logits</mark> by \(T\)"),
        ("==one== and ==two==", "<mark>one</mark> and <mark>two</mark>"),
        ("==whole $x_i$ math== inside", r"<mark>whole \(x_i\) math</mark> inside"),
        ("Use `a==b` or `c==d`", "Use <code>a==b</code> or <code>c==d</code>"),
        ("math $a==b$ or $c==d$", r"math \(a==b\) or \(c==d\)"),
        ("code `x==` then ==y==", "code <code>x==</code> then <mark>y</mark>"),
        (r"escaped \==not== one", "escaped ==not== one"),
        ("== spaced == is text", "== spaced == is text"),
        ("==a *b== c*", "==a <em>b== c</em>"),
        ("*a ==b* c==", "<em>a ==b</em> c=="),
        ("**==bold mark==**", "<strong><mark>bold mark</mark></strong>"),
        ("[a ==link==](http://x/==y==)", '<a href="http://x/==y==">a <mark>link</mark></a>'),
        ("see <http://x/==y==> ==z==", 'see <a href="http://x/==y==">http://x/==y==</a> <mark>z</mark>'),
    ],
)
def test_highlights_in_a_basic_card_become_marks_outside_code_and_math(text, html):
    assert RENDER(text, highlights=True) == html
    assert unbalanced(html) == []


def test_highlights_are_marks_in_tables_and_lists_and_text_elsewhere():
    html = RENDER("- ==first==\n- second\n\n| a | b |\n|---|---|\n| ==x== | `y==z` |", highlights=True)
    assert "<li><mark>first</mark></li>" in html and "<td><mark>x</mark></td>" in html
    assert "<code>y==z</code>" in html and unbalanced(html) == []
    indented = RENDER("Code:\n\n    if a == b: ==c==", highlights=True)
    assert "<pre><code>if a == b: ==c==\n</code></pre>" in indented


def test_without_highlights_equals_signs_are_text():
    assert RENDER("divides the ==logits==") == "divides the ==logits=="


def test_private_use_characters_pass_through_highlighting_unchanged():
    assert RENDER("\ue000 ==x== \ue001", highlights=True) == "\ue000 ==x== \ue001"


@pytest.mark.parametrize(
    "context, html",
    [
        ("Edge <Cases> › Method", "Edge &lt;Cases&gt; › Method"),
        ("1. Introduction › 1.2 Setup", "1. Introduction › 1.2 Setup"),
        ("- Dashes › > quotes", "- Dashes › &gt; quotes"),
        (r"Loss › $\mathcal{L}$", r"Loss › \(\mathcal{L}\)"),
    ],
)
def test_the_context_line_is_the_heading_path_as_written(context, html):
    assert RENDER.inline(context) == html


@pytest.mark.parametrize(
    "text, field",
    [
        (
            r"Logits are scaled by {{c1::$\frac{1}{\sqrt{d_k}}$}} first",
            r"Logits are scaled by {{c1::\(\frac{1}{\sqrt{d_k} }\)}} first",
        ),
        ("In Jinja `{{c1::x}}` is text; {{c1::this}} is not", None),
        ("A <b> in a {{c1::List<T>}}", "A &lt;b&gt; in a {{c1::List&lt;T&gt;}}"),
        ("Code `a==b}}` then {{c1::y}}", "Code <code>a==b&#125;&#125;</code> then {{c1::y}}"),
    ],
)
def test_cloze_fields_keep_every_deletion_whole_and_code_out_of_them(text, field):
    html = RENDER.cloze(text)
    if field is not None:
        assert html == field
    assert html.count("{{c") == text.count("{{c") - text.count("`{{c")
    assert unbalanced(html) == []


@pytest.mark.parametrize(
    "sources, shown",
    [
        (["/home/u/notes/attention.md"], ["attention.md"]),
        (["/home/u/notes/attention.md", "/home/u/notes/cv/resnet.md"], ["attention.md", "cv/resnet.md"]),
        (["/home/u/notes/a.md", "/home/u/papers/b.md"], ["notes/a.md", "papers/b.md"]),
        (["/a/x.md", "/b/y.md"], ["a/x.md", "b/y.md"]),
    ],
)
def test_the_source_field_is_below_the_common_notes_folder(sources, shown):
    folder = notes_folder(sources)
    assert [shown_source(source, folder) for source in sources] == shown


def visible(html: str) -> str:
    """The text a reader sees in an Anki card's HTML: tags dropped, entities read, style sheets left out."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.hidden += tag in ("style", "script")

        def handle_endtag(self, tag: str) -> None:
            self.hidden -= tag in ("style", "script")

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(data)

    reader = Text()
    reader.feed(html)
    return " ".join("".join(reader.parts).split())


HARD_CASES = {  # front as Anki shows it -> what the question shows, what the answer shows, HTML the answer holds
    "What does a List<T> hold?": ("What does a List<T> hold?", "Items of one type T, as a Vec<u8> holds bytes", ""),
    "When is a < b < c?": ("When is a < b < c?", "When b lies strictly between a and c", ""),
    "Why is <b> shown as written?": ("Why is <b> shown as written?", "Raw HTML in notes is text, never markup", ""),
    "Softmax temperature": ("Softmax temperature", "divides the logits by", "the <mark>logits</mark> by \\(T\\)"),
    "How is equality tested in code?": ("tested in code?", "With a == b, or x==y without spaces", "<code>x==y</code>"),
    "What shape does each attention input have?": (
        "each attention input",
        r"tensor shape \(Q\) \(n \times d_k\) List<T> a < b",
        "<td>\\(n \\times d_k\\)</td>",
    ),
    "Why must a raw tag never become markup?": (
        "never become markup?",
        "An unclosed <b> in one answer would bold the rest of the card, footer and all.",
        "",
    ),
    "What are the Transformer's three parts?": (
        "three parts?",
        "Three parts: the encoder the decoder attention between them",
        "<li>the decoder</li>",
    ),
    "The margin the triplet loss keeps:": (
        "The margin the triplet loss keeps:",
        "",
        r"\[\|f(a) - f(p)\|_2^2 + \alpha &lt; \|f(a) - f(n)\|_2^2\]",
    ),
}


def test_hard_cases_and_the_sample_decks_render_in_anki_as_written(cli, tmp_path, anki):
    notes = tmp_path / "notes"
    shutil.copytree(DECKS, notes / "decks")
    shutil.copy(FIXTURES / "notes" / "hard-cases.md", notes / "hard-cases.md")
    assert cli("add", str(notes)).exit_code == 0
    log = anki.load(export(cli, tmp_path))
    assert len(log.new) == anki.note_count() and not log.conflicting

    for card_id in anki.find_cards(""):
        card = anki.get_card(card_id)
        question, answer = card.question(), card.answer()
        for html in (question, answer):
            assert unbalanced(html) == [], (card.note().fields[0], html)
            assert html.count("\\(") == html.count("\\)") and html.count("\\[") == html.count("\\]"), html
            assert "<b>" not in html and ":/" not in card.note()["Source"]

    hard = {anki.get_note(n).fields[0]: anki.get_note(n) for n in anki.find_notes('"deck:Hard cases"')}
    for front, (question, answer, html) in HARD_CASES.items():
        [note] = [note for shown, note in hard.items() if visible(shown) == front]
        [card] = note.cards()
        assert question in visible(card.question())
        assert "Edge <Cases> › " in visible(card.question())
        assert answer in visible(card.answer()) and html in card.answer()
    first_line = next(note for note in hard.values() if visible(note.fields[0]) == "What does a List<T> hold?")
    assert first_line["Source"] == "hard-cases.md:11"
    assert "Edge_<Cases>::Generics_and_comparisons" in first_line.tags

    [scaled] = [note for shown, note in hard.items() if "comparison" in shown]
    [cloze] = scaled.cards()
    assert r"The [...] comparison a==b in code is text, and \(x < y\) stays math." in visible(cloze.question())
    assert "<code>a==b</code>" in cloze.answer() and r"\(x &lt; y\)" in cloze.answer()
    [logits] = [note for shown, note in hard.items() if shown.startswith("Logits")]
    one, two = sorted(logits.cards(), key=lambda c: c.ord)
    assert "[a factor]" in visible(one.question()) and r"\(\frac{1}{\sqrt{d_k} }\)" in one.answer()
    assert "before the [...]." in visible(two.question())


def test_a_retired_note_that_anki_holds_is_tagged_on_the_next_import(cli, tmp_path, anki):
    notes = tmp_path / "hard-cases.md"
    shutil.copy(FIXTURES / "notes" / "hard-cases.md", notes)
    cli("add", str(notes))
    anki.load(export(cli, tmp_path, "first.apkg"))
    count = anki.note_count()
    assert anki.find_notes("tag:studycards::retired") == []

    notes.write_text(notes.read_text().replace("When is a < b < c? ::", "When exactly is a < b < c? ::"))
    assert "retired 1" in cli("add", str(notes)).stdout
    result = cli("export", "-o", str(tmp_path / "second.apkg"), now="2026-11-24T09:00:00")
    assert result.stdout.splitlines()[1:] == [
        "Notes new or changed since the last export: 2 (Anki updates those, skips the rest).",
        "Retired notes tagged studycards::retired: 1 (in Anki's browser, search tag:studycards::retired"
        " to delete them).",
    ]
    second = anki.load(tmp_path / "second.apkg")
    assert (len(second.new), len(second.updated), len(second.conflicting)) == (1, 1, 0)
    assert anki.note_count() == count + 1
    [retired] = [anki.get_note(n) for n in anki.find_notes("tag:studycards::retired")]
    assert retired["Front"] == "When is a &lt; b &lt; c?"
    assert retired["Back"] == "When b lies strictly between a and c"
    kept = [anki.get_note(n) for n in anki.find_notes('"Front:When exactly*"')]
    assert [note.tags.count("studycards::retired") for note in kept] == [0]

    third = anki.load(export(cli, tmp_path, "third.apkg", now="2026-11-25T09:00:00"))
    assert (len(third.new), len(third.updated)) == (0, 0)
    assert len(anki.find_notes("tag:studycards::retired")) == 1

    notes.write_text(notes.read_text().replace("When exactly is a < b < c? ::", "When is a < b < c? ::"))
    assert "retired 1" in cli("add", str(notes)).stdout
    fourth = anki.load(export(cli, tmp_path, "fourth.apkg", now="2026-11-26T09:00:00"))
    assert (len(fourth.new), len(fourth.updated)) == (0, 2)
    assert anki.find_notes("tag:studycards::retired") == [kept[0].id]
    assert "studycards::retired" not in anki.get_note(retired.id).tags


def test_equals_in_code_before_a_highlight_leave_the_cloze_as_written(cli, tmp_path, anki):
    notes = tmp_path / "code.md"
    notes.write_text("# Code\n\nThe comparison `a==b` in code is text, while ==this== is a deletion.\n")
    assert cli("add", str(notes)).exit_code == 0
    anki.load(export(cli, tmp_path))
    [card] = anki.get_note(anki.find_notes("")[0]).cards()
    assert "The comparison a==b in code is text, while [...] is a deletion." in visible(card.question())
    assert "<code>a==b</code>" in card.answer()


def test_a_deck_whose_cards_are_all_retired_still_reaches_anki_to_tag_them(cli, tmp_path, anki):
    notes = tmp_path / "adam.md"
    shutil.copy(DECKS / "adam.md", notes)
    cli("add", str(notes))
    anki.load(export(cli, tmp_path, "first.apkg"))
    notes.write_text("---\ndeck: Papers::Adam\n---\n# Adam\n\nEvery card deleted from the notes.\n")
    cli("add", str(notes))
    result = cli("export", "--deck", "Papers::Adam", "-o", str(tmp_path / "second.apkg"), now="2026-11-24T09:00:00")
    assert result.exit_code == 0, result.output
    assert f"Retired notes tagged studycards::retired: {anki.note_count()} " in result.stdout
    log = anki.load(tmp_path / "second.apkg")
    assert (len(log.new), len(log.updated)) == (0, anki.note_count())
    assert len(anki.find_notes("tag:studycards::retired")) == anki.note_count()
