"""The HTML of an Anki field: what was written shows as written, tables and highlights render, tags balance."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from studycards.anki.export import notes_folder, shown_source
from studycards.anki.html import HtmlRenderer

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
