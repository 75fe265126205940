"""Front matter read without yaml where every entry is of the simple kind: always what yaml reads."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from studycards.notes.front_matter import simple_front_matter
from studycards.notes.parser import parse_notes

PIECES = [
    *"aZx70.:-_/+,#[]{}\"'\\*&!|>%@`?=~ \t\n\r",
    "::",
    ": ",
    " #",
    ", ",
    "1706.03762",
    "1e5",
    "0x1",
    "1_0",
    "yes",
    "No",
    "on",
    "OFF",
    "null",
    "true",
    "y",
    "<<",
    "é",
    "\u00a0",
    "\x85",
    "\u2028",
    "\ufeff",
    "\x01",
    "---",
    "...",
]
VALUES = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
ENTRIES = st.tuples(st.sampled_from(["deck", "tags", "paper", "Yes", "a-b", "x1", "on", "-", "? a"]), VALUES)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.lists(ENTRIES, max_size=5).map(lambda entries: "\n".join(f"{key}: {value}" for key, value in entries)),
        st.lists(st.sampled_from(PIECES), max_size=20).map("".join),
    )
)
@example('paper: "1412.6980"\ndeck: Papers::Adam\ntags: [optimization, sgd, adaptive]\n').via("a sample deck's")
@example("paper: 1706.03762  # the arXiv id\ndeck: Papers::Transformer\n\ntags: attention, nlp").via("a comment")
@example("deck:\ntags: []\ndeck: Two Words").via("empty values, and a key given twice")
@example("deck: yes\n").via("a word yaml reads as true")
@example("# only a comment\n\n").via("no entry at all, which yaml reads as no mapping")
@example("deck: a:\n").via("not yaml at all")
@example("deck: a: b\ntags: [a:: b]").via("a colon and a space, which yaml reads as a mapping")
@example("paper: 17").via("a number without a dot")
@example("paper: 1.5e3").via("a number with an exponent")
def test_simple_front_matter_reads_as_yaml_does(content):
    simple = simple_front_matter(content)
    if simple is not None:
        assert repr(simple) == repr(yaml.safe_load(content))


@pytest.mark.parametrize(
    "content",
    [
        "deck: Bench::Generated\ntags: [bench]",
        'paper: "1706.03762"\ndeck: "Papers::Attention Is All You Need"\ntags: [cs-lg, cs-cl]',
        "paper: 1512.03385\ndeck: Papers::ResNet\ntags: [vision, cnn]\n# notes for the reading group",
    ],
)
def test_front_matter_as_the_samples_and_the_reading_guide_write_it_is_the_simple_kind(content):
    assert simple_front_matter(content) == yaml.safe_load(content)


@pytest.mark.parametrize(
    "content", ["tags:\n  - a\n  - b", "deck: 'quoted'", "deck: Réseaux", "paper: 1706.03762\naliases: [a, &x b]"]
)
def test_other_front_matter_is_left_to_yaml(content):
    assert simple_front_matter(content) is None


def test_a_file_with_simple_front_matter_is_added_without_importing_yaml(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("---\ndeck: Papers::Adam\ntags: [sgd]\n---\n# Adam\n\nfront :: back\n")
    probe = (
        "import sys; from studycards.notes.parser import parse_notes; "
        f"parsed = parse_notes(open({str(notes)!r}).read(), 'notes.md'); "
        "print(parsed.deck, parsed.tags, len(parsed.notes), 'yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["Papers::Adam", "('sgd',)", "1", "False"]


@pytest.mark.parametrize(
    "front_matter, error",
    [
        ("deck: A\ntags: {a: 1}", "f.md:3: tags: must be a list of words, like [attention, nlp]"),
        ("# only a comment", "f.md:2: front matter must be `key: value` lines (paper, deck, tags)"),
        (
            "deck: A\nseparators: sideways",
            "f.md:3: separators: must be compact (front::back) or spaced (front :: back)",
        ),
    ],
)
def test_front_matter_mistakes_are_errors_at_their_lines_whichever_reading_reads_it(front_matter, error):
    parsed = parse_notes(f"---\n{front_matter}\n---\nfront :: back\n", "f.md")
    assert [str(e) for e in parsed.errors] == [error]
