"""`studycards export` end to end: the package is imported into a real Anki collection (the `anki` package)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studycards.anki.export import export_collection
from studycards.anki.html import HtmlRenderer, cloze_safe, display_math, simple_paragraph
from studycards.anki.notetypes import CSS, NOTE_TYPES, NoteType, deck_id
from studycards.anki.package import PackageNote, guid_for, package_rows, write_package
from studycards.models import Paper
from studycards.store.database import open_store
from tests.paths import DECKS

NOTE_TYPE_NAMES = {"studycards Basic", "studycards Basic and reversed", "studycards Cloze", "studycards Equation"}
TRANSFORMER = "Papers::Transformer"


def export(cli, tmp_path: Path, name: str = "papers.apkg", *args: str, now: str = "2026-11-23T09:00:00") -> Path:
    path = tmp_path / name
    result = cli("export", "-o", str(path), *args, now=now)
    assert result.exit_code == 0, result.output
    return path


def genanki_models() -> dict:
    """Our note types as genanki models, keyed by card kind: genanki's own JSON and rows for them are the reference."""
    import genanki

    return {
        kind: genanki.Model(
            note_type.id,
            note_type.name,
            fields=[{"name": name} for name in note_type.fields],
            templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in note_type.templates],
            css=CSS,
            model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
        )
        for kind, note_type in NOTE_TYPES.items()
    }


def notes_by_front(col) -> dict[str, object]:
    found = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        found[note.fields[0]] = note
    return found


def package_notes(package: Path, tmp_path: Path) -> list[tuple]:
    """(id, guid, mid, mod, fields) of every note in a package, read straight from its SQLite file."""
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", tmp_path / package.stem)
    conn = sqlite3.connect(tmp_path / package.stem / "collection.anki2")
    try:
        return conn.execute("SELECT id, guid, mid, mod, flds FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_sample_decks_import_into_anki_with_decks_fields_tags_and_math(cli, tmp_path, home, anki):
    assert cli("add", str(DECKS)).exit_code == 0
    result = cli("export", "-o", str(tmp_path / "papers.apkg"))
    assert result.exit_code == 0, result.output
    with open_store(home) as store:
        live = store.cards.select(include_retired=False)
    note_count = len({card.note_key for card in live})
    assert result.stdout.startswith(
        f"Exported {note_count} notes (134 cards) in 4 decks to {tmp_path / 'papers.apkg'}; "
        f"14 open questions to {tmp_path / 'questions.md'}"
    )

    log = anki.load(tmp_path / "papers.apkg")
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (note_count, 0, 0)
    assert anki.note_count() == note_count and anki.card_count() == 134
    decks = {d.name for d in anki.decks.all_names_and_ids()}
    assert {"Papers", TRANSFORMER, "Papers::ResNet", "Papers::FaceNet", "Papers::Adam"} <= decks
    assert {m.name for m in anki.models.all_names_and_ids()} >= NOTE_TYPE_NAMES
    assert not {m.name for m in anki.models.all_names_and_ids()} & {n + "+" for n in NOTE_TYPE_NAMES}

    notes = notes_by_front(anki)
    qa = notes[r"Why divide the dot products by \(\sqrt{d_k}\)?"]
    assert qa.note_type()["name"] == "studycards Basic"
    assert dict(qa.items()) == {
        "Front": r"Why divide the dot products by \(\sqrt{d_k}\)?",
        "Back": "If the components of \\(q\\) and \\(k\\) are independent with mean 0 and variance 1,\n"
        "their dot product has variance \\(d_k\\). Large logits push the softmax into regions\n"
        "with extremely small gradients; scaling by \\(1/\\sqrt{d_k}\\) counteracts this.",
        "Context": "Attention Is All You Need › Understanding",
        "Paper": '<a href="https://arxiv.org/abs/1706.03762">arXiv:1706.03762</a>',
        "Source": "attention-is-all-you-need.md:26",
    }
    assert set(qa.tags) == {
        "attention",
        "nlp",
        "translation",
        "transformer",
        "arxiv::1706.03762",
        "Attention_Is_All_You_Need::Understanding",
    }
    assert all(" " not in tag for note in notes.values() for tag in note.tags)
    [card] = qa.cards()
    assert anki.decks.name(card.did) == TRANSFORMER
    assert r"\(\sqrt{d_k}\)" in card.question()
    assert r"\(1/\sqrt{d_k}\)" in card.answer() and "arxiv.org/abs/1706.03762" in card.answer()

    equation = notes["Scaled dot-product attention:"]
    assert equation.note_type()["name"] == "studycards Equation"
    assert (
        equation["Equation"]
        == r"\[\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V\]"
    )
    assert "Attention_Is_All_You_Need::Implementation::Attention_and_feed-forward_layers" in equation.tags
    assert r"\[\mathrm{Attention}(Q,K,V)" in equation.cards()[0].answer()
    assert r"\[" not in equation.cards()[0].question()

    reversed_note = notes["Multi-head attention"]
    assert reversed_note.note_type()["name"] == "studycards Basic and reversed"
    first, second = sorted(reversed_note.cards(), key=lambda c: c.ord)
    assert '<div class="prompt">Multi-head attention</div>' in first.question()
    assert '<div class="prompt">Several attention functions' in second.question()

    [cloze] = [n for front, n in notes.items() if front.startswith("The encoder and the decoder are each")]
    assert cloze.note_type()["name"] == "studycards Cloze"
    assert "{{c1::6::how many?}}" in cloze["Text"]
    assert [c.ord for c in sorted(cloze.cards(), key=lambda c: c.ord)] == [0, 1]
    assert "[how many?]" in sorted(cloze.cards(), key=lambda c: c.ord)[0].question()


def test_a_cloze_with_closing_braces_inside_its_math_renders_whole_in_anki(cli, tmp_path, anki):
    notes = tmp_path / "scaling.md"
    notes.write_text(
        "---\ndeck: Maths\n---\n# Scaling\n\n"
        "Logits are scaled by {{c1::$\\frac{1}{\\sqrt{d_k}}$::a factor}} before the {{c2::softmax}}.\n"
    )
    assert cli("add", str(notes)).exit_code == 0
    anki.load(export(cli, tmp_path))
    [note] = [anki.get_note(n) for n in anki.find_notes("")]
    first, second = sorted(note.cards(), key=lambda c: c.ord)
    assert '<span class="cloze" data-ordinal="1">\\(\\frac{1}{\\sqrt{d_k} }\\)</span> before the' in first.answer()
    assert "[a factor]</span> before the" in first.question()
    assert '<span class="cloze-inactive" data-ordinal="1">\\(\\frac{1}{\\sqrt{d_k} }\\)</span>' in second.question()


def test_a_second_export_updates_the_edited_note_and_adds_none(cli, tmp_path, anki):
    deck = tmp_path / "resnet.md"
    shutil.copy(DECKS / "deep-residual-learning.md", deck)
    assert cli("add", str(deck)).exit_code == 0
    first = anki.load(export(cli, tmp_path, "first.apkg"))
    count = anki.note_count()
    assert len(first.new) == count

    text = deck.read_text()
    old = ":: No extra parameters and no extra computation apart from a negligible element-wise addition"
    deck.write_text(text.replace(old, ":: Nothing: no parameters, and only an element-wise addition"))
    assert cli("add", str(deck), now="2026-11-24T09:00:00").exit_code == 0
    result = cli("export", "-o", str(tmp_path / "second.apkg"), now="2026-11-24T09:00:00")
    assert "Notes new or changed since the last export: 1 " in result.stdout
    second = anki.load(tmp_path / "second.apkg")
    assert (len(second.new), len(second.updated), len(second.conflicting)) == (0, 1, 0)
    assert anki.note_count() == count
    edited = notes_by_front(anki)["What do identity shortcuts cost?"]
    assert edited["Back"] == "Nothing: no parameters, and only an element-wise addition"


def test_an_edit_exported_at_the_same_second_still_gets_a_newer_time(cli, tmp_path):
    deck = tmp_path / "adam.md"
    shutil.copy(DECKS / "adam.md", deck)
    cli("add", str(deck))
    before = {row[1]: row for row in package_notes(export(cli, tmp_path, "a.apkg"), tmp_path)}
    deck.write_text(deck.read_text().replace("AdaGrad, which works well", "AdaGrad, which copes well"))
    cli("add", str(deck))
    after = {row[1]: row for row in package_notes(export(cli, tmp_path, "b.apkg"), tmp_path)}
    changed = [guid for guid in after if after[guid][4] != before[guid][4]]
    assert len(changed) == 1
    assert after[changed[0]][3] == before[changed[0]][3] + 1
    assert all(after[g][3] == before[g][3] for g in after if g not in changed)


def test_a_retired_note_never_exported_is_left_out(cli, tmp_path, anki):
    deck = tmp_path / "facenet.md"
    shutil.copy(DECKS / "facenet.md", deck)
    cli("add", str(deck))
    line = next(line for line in deck.read_text().splitlines() if " :: " in line)
    front = line.split(" :: ")[0]
    deck.write_text(deck.read_text().replace(line, "Reworded: " + line))
    assert "retired 1" in cli("add", str(deck)).stdout
    anki.load(export(cli, tmp_path))
    fronts = notes_by_front(anki)
    assert "Reworded: " + front in fronts and front not in fronts
    assert anki.card_count() == 33


def test_two_exports_at_the_same_time_are_identical(cli, tmp_path):
    cli("add", str(DECKS))
    one = package_notes(export(cli, tmp_path, "one.apkg"), tmp_path)
    two = package_notes(export(cli, tmp_path, "two.apkg"), tmp_path)
    assert one == two and len({row[1] for row in one}) == len(one)


def test_chosen_decks_only_and_a_fetched_papers_title(cli, tmp_path, home, anki):
    cli("add", str(DECKS))
    with open_store(home) as store, store.transaction():
        store.papers.save(
            Paper(arxiv_id="1412.6980", version=9, title="Adam: A Method for Stochastic Optimization"),
            None,
            datetime(2026, 11, 20),
        )
    result = cli(
        "export",
        "--deck",
        "Papers::Adam",
        "-o",
        str(tmp_path / "adam.apkg"),
        "--questions",
        str(tmp_path / "adam-questions.md"),
    )
    assert result.exit_code == 0, result.output
    assert " in 1 deck to " in result.stdout and "2 open questions to " in result.stdout
    anki.load(tmp_path / "adam.apkg")
    assert {anki.decks.name(anki.get_card(c).did) for c in anki.find_cards("")} == {"Papers::Adam"}
    note = anki.get_note(anki.find_notes("")[0])
    assert note["Paper"] == (
        '<a href="https://arxiv.org/abs/1412.6980">Adam: A Method for Stochastic Optimization (arXiv:1412.6980)</a>'
    )
    unknown = cli("export", "--deck", "Papers::Nope", "-o", str(tmp_path / "x.apkg"))
    assert unknown.exit_code == 1
    assert "no cards to export in deck 'Papers::Nope'; decks: Papers::Adam, Papers::FaceNet" in unknown.stderr
    assert not (tmp_path / "x.apkg").exists()


def test_nothing_to_export_and_a_missing_folder_are_one_clear_line(cli, tmp_path):
    empty = cli("export", "-o", str(tmp_path / "x.apkg"))
    assert empty.exit_code == 1 and "nothing to export" in empty.stderr
    cli("add", str(DECKS / "adam.md"))
    missing = cli("export", "-o", str(tmp_path / "no" / "x.apkg"))
    assert missing.exit_code == 1 and "does not exist" in missing.stderr and "Traceback" not in missing.output


def test_progress_reports_every_note_once(cli, tmp_path, home):
    cli("add", str(DECKS))
    steps: list[tuple[int, int]] = []

    def progress(written: int, total: int) -> None:
        steps.append((written, total))

    with open_store(home) as store:
        report = export_collection(store, tmp_path / "p.apkg", datetime(2026, 11, 23, 9), progress=progress)
    assert steps == [(report.notes, report.notes)] and report.cards == 134


def test_note_type_ids_follow_their_shape():
    basic = NOTE_TYPES["basic"]
    same = NoteType(basic.kind, basic.name, basic.fields, basic.templates, basic.requires)
    wider = NoteType(basic.kind, basic.name, basic.fields + ("Extra",), basic.templates, basic.requires)
    assert same.id == basic.id != wider.id
    assert len({t.id for t in NOTE_TYPES.values()}) == len(NOTE_TYPES)


@pytest.mark.parametrize(
    "text, html",
    [
        ("Plain words, nothing else", "Plain words, nothing else"),
        (r"Divide by $\sqrt{d_k}$", r"Divide by \(\sqrt{d_k}\)"),
        ("$$\nd_k = \\frac{d_{model}}{h}\n$$", r"\[d_k = \frac{d_{model}}{h}\]"),
        (r"inline $$a_1 * b_2$$ display", r"inline \[a_1 * b_2\] display"),
        (r"escaped $a<b$ & *emphasis*", r"escaped \(a&lt;b\) &amp; <em>emphasis</em>"),
        ("two\n\nparagraphs", "<p>two</p>\n<p>paragraphs</p>"),
    ],
)
def test_markdown_becomes_field_html_with_mathjax_delimiters(text, html):
    assert HtmlRenderer()(text) == html


@pytest.mark.parametrize(
    "html, safe",
    [
        (r"{{c1::\(\sqrt{d_k}}\)}}", r"{{c1::\(\sqrt{d_k} }\)}}"),
        (r"{{c1::\sqrt{x}}} and {{c2::y::hint}}", r"{{c1::\sqrt{x} }} and {{c2::y::hint}}"),
        (r"no cloze {{here}}", r"no cloze {{here}}"),
    ],
)
def test_cloze_deletions_never_contain_a_closing_pair(html, safe):
    assert cloze_safe(html) == safe


RENDERER = HtmlRenderer()
MARKDOWNISH = st.lists(
    st.sampled_from(list("ab $$\\\n\"'{}()_*-#1.:=&<\t")) | st.characters(codec="utf-8"), max_size=30
).map("".join)


@given(st.from_regex(r"[A-Za-z][a-z ,.?]*(\$[a-z_{}\\^ ]+\$[a-z ,.?]*)*", fullmatch=True) | MARKDOWNISH)
def test_the_shortcut_for_simple_paragraphs_renders_as_markdown_it_does(text):
    fast = simple_paragraph(text.strip())
    if fast is not None:
        assert fast == RENDERER._md.render(text.strip()).removeprefix("<p>").removesuffix("</p>\n")


@given(
    st.from_regex(r"\$\$\n[a-z_{}\\^ =+<>&\"\n]*\n\$\$", fullmatch=True)
    | st.lists(st.sampled_from(["$$", "\n", " ", "x", "\\$", "$", "\n\n", "<&", "    y"]), max_size=12).map("".join)
)
def test_the_shortcut_for_an_equation_alone_renders_as_markdown_it_does(text):
    fast = display_math(text.strip())
    if fast is not None:
        assert fast == RENDERER._md.render(text.strip()).rstrip("\n")
    assert display_math("$$\nd_k = \\frac{a}{b} < c\n$$") == r"\[d_k = \frac{a}{b} &lt; c\]"


def test_package_rows_are_the_rows_genanki_writes():
    """Notes are inserted in batches rather than through genanki's Note.write_to_db: same rows."""
    import itertools

    import genanki
    from genanki.apkg_schema import APKG_SCHEMA

    conn = sqlite3.connect(":memory:")
    conn.executescript(APKG_SCHEMA)
    models = genanki_models()
    notes = [
        PackageNote(
            "g1",
            models["reversed"].model_id,
            42,
            1700000000,
            0,
            ["front", "back", "ctx", "", "f.md:1"],
            ["a", "b::c"],
            (0, 1),
        ),
        PackageNote(
            "g2", models["cloze"].model_id, 42, 1700000001, 0, ["{{c1::x}} {{c3::y}}", "ctx", "", "f.md:2"], [], (0, 2)
        ),
        PackageNote("g3", models["basic"].model_id, 42, 1700000002, 0, ["f", "b", "", "", "f.md:3"], [], (0,), True),
    ]
    ids = itertools.count()
    for note in notes:
        model = next(m for m in models.values() if m.model_id == note.model_id)
        written = genanki.Note(model=model, fields=note.fields, tags=note.tags, guid=note.guid)
        for card in written.cards:
            card.suspend = note.suspended
        written.write_to_db(conn.cursor(), note.mod, note.deck_id, ids)
    ours = package_rows(notes, itertools.count())
    assert conn.execute("SELECT * FROM notes ORDER BY id").fetchall() == ours[0]
    assert conn.execute("SELECT * FROM cards ORDER BY id").fetchall() == ours[1]


def collection_of(package: Path, folder: Path) -> tuple[list[str], list[tuple], list[tuple]]:
    """A package's members, its schema (every table and index as SQLite holds it) and its ``col`` row."""
    folder.mkdir()
    with zipfile.ZipFile(package) as archive:
        members = archive.namelist()
        assert archive.read("media") == b"{}"
        archive.extract("collection.anki2", folder)
    with closing(sqlite3.connect(folder / "collection.anki2")) as conn:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        return members, schema, conn.execute("SELECT * FROM col").fetchall()


@pytest.mark.parametrize("names", [["Papers::Adam"], ["Papers::Adam", "Papers::Ünïcode 注意", "Papers::Adam::Sub"]])
def test_the_collection_its_decks_and_note_types_are_what_genanki_writes(tmp_path, names):
    """genanki is not imported by an export: its tables, decks and note-type JSON are written as it writes them."""
    import genanki

    write_package(tmp_path / "ours.apkg", names, [], 1700000000.75)
    decks = [genanki.Deck(deck_id(name), name) for name in names]
    for model in genanki_models().values():
        decks[0].add_model(model)
    genanki.Package(decks).write_to_file(tmp_path / "genanki.apkg", timestamp=1700000000.75)
    ours = collection_of(tmp_path / "ours.apkg", tmp_path / "ours")
    assert ours == collection_of(tmp_path / "genanki.apkg", tmp_path / "genanki")
    assert {deck["name"] for deck in json.loads(ours[2][0][10]).values()} == {"Default", *names}


@given(st.text())
def test_a_notes_guid_is_the_one_genanki_gives_its_key(key):
    from genanki import guid_for as genanki_guid

    assert guid_for(key) == genanki_guid(key)


def test_an_export_imports_none_of_genankis_dependencies(cli, home, tmp_path):
    """genanki's package pulls in asyncio, yaml and chevron, a sixth of an export's time: only its plain parts load."""
    assert cli("add", str(DECKS)).exit_code == 0
    probe = (
        "import sys\nfrom studycards.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'genanki', 'asyncio', 'yaml', 'chevron'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "export", "-o", str(tmp_path / "p.apkg")], capture_output=True, text=True
    )
    assert result.stdout.startswith("Exported ") and result.stdout.strip().endswith("[]"), result.stderr
