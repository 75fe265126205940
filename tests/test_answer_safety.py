"""`questions answer` never loses a word: racing answers, an editor saving, a kill or a full disk at any moment.

Whatever happens, the next command sees one of two states: the question open and
the notes file as it was, or the answer in the file and the question answered.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_crash import kill_when

QUESTIONS = 40


def notes(path: Path, count: int = QUESTIONS) -> Path:
    body = f"# {path.stem}\n\nWhat is racing? :: Two writers at once\n\n## Questions\n"
    path.write_text(body + "".join(f"- Question number {i}?\n" for i in range(count)))
    return path


def listed(cli, *args: str) -> dict[int, dict]:
    result = cli("questions", "--json", "--all", *args)
    assert result.exit_code == 0, result.output
    return {q["id"]: q for q in json.loads(result.stdout)["questions"]}


def answer_process(home: Path, question: int, text: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "studycards", "questions", "answer", str(question), text],
        env={**os.environ, "STUDYCARDS_HOME": str(home), "STUDYCARDS_NOW": "2026-11-23T09:00"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def agree(cli, path: Path) -> dict[str, list[str]]:
    """File and store agree: every answered question's answer is in the file, no open one's is; ``add`` keeps it so."""
    text = path.read_text()
    found = listed(cli)
    answered = [q["answer"] for q in found.values() if q["status"] == "answered"]
    for q in found.values():
        in_file = f"A: answer to {q['text']}" in text
        assert in_file == (q["status"] == "answered"), (q, text)
    result = cli("add", path)
    assert result.exit_code == 0, result.output
    assert "gone" not in result.stdout, result.stdout
    assert sorted(q["answer"] for q in listed(cli).values() if q["status"] == "answered") == sorted(answered)
    return {"answered": answered}


def test_two_answers_on_one_file_at_the_same_moment_both_land(cli, tmp_path, home):
    path = notes(tmp_path / "race.md")
    assert cli("add", path).exit_code == 0
    ids = sorted(listed(cli))
    for first, second in zip(ids[0:40:2], ids[1:40:2]):  # 20 rounds
        texts = {q: f"answer to Question number {q - ids[0]}?" for q in (first, second)}
        runs = [answer_process(home, q, texts[q]) for q in (first, second)]
        for run in runs:
            out, err = run.communicate(timeout=60)
            assert run.returncode == 0, err
            assert out.startswith("Answered #"), out
        text = path.read_text()
        assert all(f"A: {t}" in text for t in texts.values()), text
    assert len(agree(cli, path)["answered"]) == 40


def test_an_editor_saving_while_the_answer_is_written_keeps_the_editors_text(cli, tmp_path):
    path = notes(tmp_path / "edited.md", 2)
    assert cli("add", path).exit_code == 0
    question = min(listed(cli))
    edited = path.read_text() + "- A question the editor added?\n"
    saved = []

    def editor_saves(event: str, args: tuple) -> None:
        if event == "ctypes.dlsym" and "renameat2" in str(args) and not saved:  # the answer is about to swap the file
            saved.append(True)
            path.write_text(edited)

    sys.addaudithook(editor_saves)
    result = cli("questions", "answer", str(question), "answer to Question number 0?")
    assert saved
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path} changed while the answer was being written (saved in an editor?)")
    assert path.read_text() == edited
    assert listed(cli)[question]["status"] == "open"
    assert not list(tmp_path.glob(".edited.md*"))


def test_answer_killed_at_any_moment_leaves_file_and_store_agreeing(cli, tmp_path, home):
    path = notes(tmp_path / "killed.md", 12)
    assert cli("add", path).exit_code == 0
    ids = sorted(listed(cli))
    journal = home / "answer-journal.json"
    moments = [  # each given this answer's text
        lambda text: journal.exists(),
        lambda text: any(tmp_path.glob(".killed.md.*.answer")),
        lambda text: text in path.read_bytes(),
        lambda text: text in path.read_bytes() and not any(tmp_path.glob(".killed.md.*.answer")),
    ]
    delays = [0.25, 0.35, 0.45, 0.55, 0.65, 0.8]
    for i, question in enumerate(ids[: len(moments) + len(delays)]):
        text = f"answer to Question number {question - ids[0]}?"
        run = answer_process(home, question, text)
        if i < len(moments):
            kill_when(run, functools.partial(moments[i], text.encode()))
        else:
            time.sleep(delays[i - len(moments)])
            run.send_signal(signal.SIGKILL)
        run.communicate()
        agree(cli, path)
        assert not list(tmp_path.glob(".killed.md.*")), "a temporary file was left beside the notes"
    assert not journal.exists()


def test_a_symlinked_notes_file_keeps_its_link_and_a_hard_linked_one_is_refused(cli, tmp_path):
    real = notes(tmp_path / "real.md", 2)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert cli("add", link).exit_code == 0
    question = min(listed(cli))
    result = cli("questions", "answer", str(question), "answer to Question number 0?")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "A: answer to Question number 0?" in real.read_text()

    hard = notes(tmp_path / "hard.md", 2)
    os.link(hard, tmp_path / "other-name.md")
    assert cli("add", hard).exit_code == 0
    before = hard.read_bytes()
    question = next(q for q, v in listed(cli).items() if v["source"] == str(hard))
    result = cli("questions", "answer", str(question), "an answer")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {hard} has 2 hard links, which answering would break (it writes a new file and swaps it in);"
        " answer by editing the file, or replace the hard links with symlinks\n"
    )
    assert hard.read_bytes() == before and (tmp_path / "other-name.md").samefile(hard)


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs, so the disk fills; skipped where mounting is not allowed."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Write until the disk is full (the database's pages stay allocated, so SQLite may still have room)."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        with pytest.raises(OSError, match="No space"):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)


def test_answer_on_a_full_disk_changes_neither_file_nor_store(cli, small_disk):
    home = small_disk / "home"
    path = notes(small_disk / "full.md", 3)
    assert cli("--home", home, "add", path).exit_code == 0
    question = min(_listed_home(cli, home))
    before = path.read_bytes()
    fill(small_disk)
    result = cli("--home", home, "questions", "answer", str(question), "answer to Question number 0?")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no space left on the disk to write "), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert path.read_bytes() == before
    (small_disk / "filler").unlink()
    assert _listed_home(cli, home)[question]["status"] == "open"
    assert not list(small_disk.glob(".full.md.*"))
    result = cli("--home", home, "questions", "answer", str(question), "answer to Question number 0?")
    assert result.exit_code == 0, result.output


def _listed_home(cli, home: Path) -> dict[int, dict]:
    result = cli("--home", home, "questions", "--json", "--all")
    assert result.exit_code == 0, result.output
    return {q["id"]: q for q in json.loads(result.stdout)["questions"]}
