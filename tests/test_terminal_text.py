"""Text from outside reaches the terminal shown, not obeyed: no escape sequence from an e-print, a feed or notes."""

from __future__ import annotations

import gzip
import io
import tarfile

from tests.arxiv_server import ArxivServer

TITLE = "\x1b]0;pwned\x07"  # an OSC sequence: would retitle the terminal
CLEAR = "\x1b[2J"


def eprint(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue())


def test_member_names_and_latex_text_are_shown_escaped(cli, arxiv_server: ArxivServer):
    main = f"{TITLE}main.tex"
    source = (
        "\\documentclass{article}\\begin{document}\n"
        f"\\section{{Loss {CLEAR}\u202eterms}}\nThe loss is:\n\\begin{{equation}}x = 1\\end{{equation}}\n"
        "\\end{document}\n"
    )
    arxiv_server.add_source("1801.00862", eprint({main: source}))
    result = cli("fetch", "1801.00862")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "main file \\x1b]0;pwned\\x07main.tex" in result.stdout
    shown = cli("equations", "1801.00862", "--no-sympy")
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.output and "\u202e" not in shown.output
    assert "Loss \\x1b[2J\\u202eterms" in shown.stdout


def test_notes_in_errors_and_questions_are_shown_escaped(cli, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(f"# Bad\n\nQ: {CLEAR}what?\n")
    result = cli("add", bad)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and f"{bad}:3:" in result.stderr
    good = tmp_path / "good.md"
    good.write_text(f"# Good\n\nA :: B\n\n## Questions\n- Why {TITLE}here?\n")
    assert cli("add", good).exit_code == 0
    listed = cli("questions")
    assert "\x1b" not in listed.stdout and "Why \\x1b]0;pwned\\x07here?" in listed.stdout


def test_show_prints_a_cards_control_characters_as_escapes(cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# T\n\nRetitle \x1b]0;owned\x07 here :: back\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    result = cli("show", "1")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;owned\\x07" in result.stdout
