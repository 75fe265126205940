"""Paper sources are untrusted: LaTeX that reaches outside the paper, loops, expands forever or is huge.

Beyond the archive checks of ``fetch``: ``read_document`` reads nothing outside
the paper's folder (an audit hook records every file opened), stops input loops
and macro bombs with a warning, and reads a 20 MB single-line file in bounded
memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from studycards.errors import StudycardsError
from studycards.latex.document import read_document

HEAD = "\\documentclass{article}\n\\begin{document}\n\\section{Method}\n"
TAIL = "\nWe minimise:\n\\begin{equation}\\label{eq:kept} L = \\sum_i \\ell_i \\end{equation}\n\\end{document}\n"
SECRET = "\\begin{equation} SECRET = 42 \\end{equation}\nroot:x:0:0:root:/root:/bin/bash\n"

_opened: list[str] | None = None
_lock = threading.Lock()


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event in ("open", "os.listdir", "os.scandir") and args:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            with _lock:
                _opened.append(os.fsdecode(path))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only while a test asks


def read_watched(paper: Path):
    """``read_document(paper)`` and every file or folder it opened."""
    global _opened
    _opened = []
    try:
        document = read_document(paper)
    finally:
        opened, _opened = _opened, None
    return document, [Path(p) for p in opened]


def inside(path: Path, root: Path) -> bool:
    """Where the file really is: a link inside the paper to a file outside counts as outside."""
    return path.resolve().is_relative_to(root.resolve())


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files next to the paper and above it, which the paper must never read."""
    for folder in (tmp_path, tmp_path / "papers"):
        folder.mkdir(exist_ok=True)
        (folder / "secret.tex").write_text(SECRET)
        (folder / "passwd").write_text(SECRET)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "main.tex").write_text(HEAD + SECRET + TAIL)
    return tmp_path


def paper(root: Path, main: str, **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tex").write_text(main)
    for name, text in files.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


ESCAPES = [
    "\\input{/etc/passwd}",
    "\\input{../secret}",
    "\\input{../../secret}",
    "\\input{../secret.tex}",
    "\\include{../secret}",
    "\\input ../secret.tex",
    "\\input{sub/../../secret}",
    '\\input{"../secret"}',
    "\\input{~/secret}",
    '\\input|"cat ../secret.tex"',
    "\\import{../}{secret}",
    "\\import{/etc/}{passwd}",
    "\\subimport{../../}{secret}",
    "\\includefrom{..}{secret}",
    "\\subincludefrom{../..}{passwd}",
    "\\input{/dev/zero}",
    "\\input{/dev/stdin}",
    "\\input{/proc/self/environ}",
    "\\input{link}",
    "\\input{linkdir/secret}",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_an_input_outside_the_paper_is_skipped_with_a_warning_and_never_read(outside, escape):
    root = paper(outside / "papers" / "1706.03762", HEAD + escape + TAIL, sub__intro="Intro text.\n")
    (root / "link.tex").symlink_to(outside / "secret.tex")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    started = time.monotonic()
    document, opened = read_watched(root)
    assert time.monotonic() - started < 5
    assert [e.label for e in document.equations] == ["eq:kept"]
    assert not any("SECRET" in e.latex for e in document.equations)
    assert any(
        "outside the paper's folder" in w or "not a file name" in w or "not found" in w for w in document.warnings
    ), document.warnings
    assert all(inside(path, root) for path in opened), [p for p in opened if not inside(p, root)]


@pytest.mark.parametrize("command", ["\\include\x00{sec}", "\\input{se\x00c}", "\\import{\x00}{sec}"])
def test_an_input_name_with_a_nul_character_is_skipped_with_a_warning(tmp_path, command):
    root = paper(tmp_path / "p", HEAD + command + TAIL, sec="\\begin{equation}\\label{eq:sec} s \\end{equation}\n")
    document = read_document(root)
    assert [e.label for e in document.equations] == ["eq:kept"]
    assert any(w.endswith(": not a file name") and "^^@" in w for w in document.warnings), document.warnings


def test_a_main_file_is_never_looked_for_outside_the_paper(outside):
    root = paper(outside / "papers" / "p", "Only prose, no document class.\n")
    (root / "elsewhere").symlink_to(outside / "elsewhere", target_is_directory=True)
    with pytest.raises(StudycardsError, match="no main LaTeX file"):
        read_watched(root)


def test_the_paper_folder_itself_behind_a_link_is_still_the_boundary(outside):
    root = paper(outside / "papers" / "real", HEAD + "\\input{../secret}\n\\input{sec}" + TAIL, sec="Section text.\n")
    linked = outside / "papers" / "linked"
    linked.symlink_to(root, target_is_directory=True)
    document, opened = read_watched(linked)
    assert [e.label for e in document.equations] == ["eq:kept"]
    assert all(inside(path, root) for path in opened)


# -- loops and fan-out -------------------------------------------------------------------------------


def test_input_loops_end_with_a_warning(tmp_path):
    root = paper(
        tmp_path / "p",
        HEAD + "\\input{a}\\input{main}" + TAIL,
        a="A text. \\input{b}\n",
        b="B text. \\input{a}\\input{sub/c}\n",
        sub__c="C. \\input{../b}\\input{c}\n",
    )
    started = time.monotonic()
    document, _ = read_watched(root)
    assert time.monotonic() - started < 5
    assert [e.label for e in document.equations] == ["eq:kept"]
    assert any("loop" in w for w in document.warnings), document.warnings


def test_a_chain_deeper_than_the_limit_stops_with_a_warning(tmp_path):
    files = {f"f{i}": f"Level {i}. \\input{{f{i + 1}}}\n" for i in range(200)}
    root = paper(tmp_path / "p", HEAD + "\\input{f0}" + TAIL, **files)
    started = time.monotonic()
    document, opened = read_watched(root)
    assert time.monotonic() - started < 5
    assert any("too many or too deeply nested" in w for w in document.warnings), document.warnings
    assert len([p for p in opened if p.name.startswith("f")]) <= 40


def test_an_input_fan_out_bomb_is_bounded(tmp_path):
    """Each file inputs the next one ten times: ten levels would be ten billion reads."""
    files = {f"f{i}": f"Level {i}. " + f"\\input{{f{i + 1}}}" * 10 + "\n" for i in range(10)}
    files["f10"] = "The last level.\n"
    root = paper(tmp_path / "p", HEAD + "\\input{f0}" + TAIL, **files)
    started = time.monotonic()
    document, opened = read_watched(root)
    assert time.monotonic() - started < 10
    assert len(opened) < 2000
    assert any("too many or too deeply nested" in w for w in document.warnings), document.warnings
    assert [e.label for e in document.equations] == ["eq:kept"]


# -- macros that never stop ----------------------------------------------------------------------------


MACRO_BOMBS = {
    "self": "\\def\\a{\\a\\a}",
    "newcommand": "\\newcommand{\\b}{x \\b}",
    "mutual": "\\def\\c{\\d}\\def\\d{\\c\\c}",
    "doubling": "".join(f"\\def\\m{chr(98 + i)}{{\\m{chr(97 + i)}\\m{chr(97 + i)}}}" for i in range(24)).replace(
        "\\ma", "x", 2
    ),
    "argument": "\\def\\h#1{\\h{#1#1}}",
    "nested arguments": "\\newcommand{\\k}[1]{#1#1#1#1}",
    "let": "\\def\\e{\\f\\f}\\let\\f\\e",
    "renew": "\\newcommand{\\g}{g}\\renewcommand{\\g}{\\g\\g\\g}",
    "environment": "\\newenvironment{loop}{\\begin{loop}}{\\end{loop}}",
}
USES = {
    "self": "\\a",
    "newcommand": "\\b",
    "mutual": "\\c",
    "doubling": "\\my",
    "argument": "\\h{x}",
    "nested arguments": "\\k{" * 30 + "x" + "}" * 30,
    "let": "\\e",
    "renew": "\\g",
    "environment": "\\begin{loop}x\\end{loop}",
}


@pytest.mark.parametrize("name", MACRO_BOMBS)
def test_a_macro_that_expands_forever_stops_with_a_warning(tmp_path, name):
    use = USES[name]
    main = (
        HEAD.replace("\\begin{document}", MACRO_BOMBS[name] + "\n\\begin{document}")
        + f"Text {use} and more.\n\\begin{{equation}}\\label{{eq:bomb}} y = {use} \\end{{equation}}\n"
        + TAIL
    )
    root = paper(tmp_path / "p", main)
    started = time.monotonic()
    document = read_document(root)
    assert time.monotonic() - started < 10
    assert [e.label for e in document.equations] == ["eq:bomb", "eq:kept"]
    assert sum(len(e.latex) for e in document.equations) < 5_000_000
    if name != "environment":
        assert any("expansion" in w or "too large" in w for w in document.warnings), document.warnings


# -- a huge single line -----------------------------------------------------------------------------


MEASURE = """
import json, resource, sys, time
from pathlib import Path
from studycards.latex.document import read_document
for folder in sys.argv[1:]:
    started = time.monotonic()
    document = read_document(Path(folder))
    print(json.dumps({"name": Path(folder).name, "seconds": time.monotonic() - started,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "equations": len(document.equations), "warnings": list(document.warnings)}), flush=True)
"""
LINE_HEAD = "\\documentclass{article}\\newcommand{\\R}{\\mathbb{R}}\\begin{document}\\section{Huge}"
LINES = {  # what the line repeats, and its size in MB
    "prose and equations": ("We see that \\begin{equation} a_i = b \\in \\R \\end{equation} holds. ", 20),
    "open braces": ("{", 20),
    "a macro": ("\\R ", 1),
    "labels never closed": ("\\label{", 1),
    "conditionals": ("\\iffalse ", 1),
    "dollars": ("$", 1),
    "display brackets": ("\\[", 1),
    "sections never closed": ("\\section{", 1),
    "backslashes": ("\\", 1),
}
PEAK_MB = 800  # the whole process, after reading every file in turn


def test_huge_single_lines_are_read_in_bounded_memory(tmp_path):
    """One process reads them all in turn (a 20 MB line of prose and equations among them).

    A reader that went quadratic on one of them would not finish within the subprocess's timeout; how
    fast they are read is for benchmarks, not asserted here.
    """
    folders = []
    for number, (chunk, megabytes) in enumerate(LINES.values()):
        root = tmp_path / f"line{number}"
        root.mkdir()
        size = megabytes * 2**20
        (root / "main.tex").write_text(LINE_HEAD + chunk * (size // len(chunk)) + "\\end{document}")
        folders.append(str(root))
    result = subprocess.run([sys.executable, "-c", MEASURE, *folders], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == len(LINES)
    for name, report in zip(LINES, reports):
        assert report["peak_mb"] < PEAK_MB, (name, report)
    prose = reports[0]
    assert prose["equations"] == 20_000 and "more than 20000 equations: the rest are skipped" in prose["warnings"]
