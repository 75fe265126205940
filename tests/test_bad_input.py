"""Bad files and a bad home: each gets a clear ``FILE:LINE`` error or one clear line, never a traceback,
and the collection is left exactly as it was."""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studycards.notes.importer import MAX_NOTES_BYTES
from tests.paths import DECKS

YAML_BOMB = "\n".join(
    [
        f"{a}: &{a} [" + ", ".join([f"*{p}"] * 9 if p else ['"lol"'] * 9) + "]"
        for p, a in zip([None, *"abcdefgh"], "abcdefghi")
    ]
)


def dump(home: Path) -> list:
    db = home / "studycards.db"
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("cards", "reviews", "questions", "files", "papers")
        ]
    finally:
        conn.close()


@pytest.fixture
def collection(cli, home: Path) -> Path:
    """A home that already holds cards and a grade: a bad file must not change any of it."""
    assert cli("add", str(DECKS / "adam.md")).exit_code == 0
    assert cli("review", "--new", "1", input="\n4\n").exit_code == 0
    return home


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def refused(cli, collection: Path, path: Path, *expected: str, elapsed: float = 30) -> str:
    """``add`` refuses the file with exactly these lines, quickly, and the collection is unchanged."""
    before = dump(collection)
    started = time.monotonic()
    result = cli("add", str(path))
    assert time.monotonic() - started < elapsed
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == list(expected), result.stderr
    assert dump(collection) == before
    return result.stderr


NOTES_HEAD = "# Bad notes\n\nA good card :: stays out while the file has a mistake\n\n"

BAD_NOTES = [  # (name, content, the error after the file name, its line)
    (
        "latin1.md",
        NOTES_HEAD.encode() + "Café :: bien\n".encode("latin-1"),
        "5: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    ("utf16.md", NOTES_HEAD.encode("utf-16"), "1: not a text file (it contains NUL bytes)"),
    (
        "picture.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        "1: not a text file (it contains NUL bytes)",
    ),
    (
        "cloze.md",
        NOTES_HEAD + "The base model uses {{c1::8 heads and never closes.\n",
        "5: unclosed cloze `{{c1::`: it needs a closing `}}`",
    ),
    (
        "cloze-nested.md",
        NOTES_HEAD + "A {{c1::cloze {{c2::inside}} another}} one.\n",
        "5: a cloze inside a cloze is not supported",
    ),
    (
        "display.md",
        NOTES_HEAD + "The loss:\n$$\nL = \\sum_i \\ell_i\n\nand the text goes on.\n",
        "6: unclosed $$: the display math never ends",
    ),
    (
        "inline.md",
        NOTES_HEAD + "What is $\\alpha? :: the learning rate\n",
        "5: unclosed $ math: every $ needs a closing $ (write \\$ for a dollar sign)",
    ),
    (
        "yaml.md",
        "---\ndeck: [Papers, Transformer\ntags: : :\n---\n" + NOTES_HEAD,
        "3: front matter is not valid YAML: expected ',' or ']', but got ':'",
    ),
    (
        "yaml-list.md",
        "---\n- deck\n- tags\n---\n" + NOTES_HEAD,
        "2: front matter must be `key: value` lines (paper, deck, tags)",
    ),
    (
        "qa.md",
        NOTES_HEAD + "Q: A question without its answer?\n",
        "5: `Q:` without an `A:` (the answer starts with `A:` on its own line)",
    ),
]


@pytest.mark.parametrize("name, content, error", BAD_NOTES, ids=[case[0] for case in BAD_NOTES])
def test_a_bad_notes_file_is_one_file_line_error_and_changes_nothing(cli, collection, tmp_path, name, content, error):
    path = write(tmp_path, name, content)
    refused(cli, collection, path, f"{path.resolve()}:{error}", "Error: 1 error; nothing was written", elapsed=10)


def _at_most_2_gb() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def test_a_yaml_bomb_is_refused_in_bounded_memory(collection, tmp_path):
    """Nine lines of aliases make 387 million values: run where running out of memory fails only this test."""
    path = write(tmp_path, "yaml-bomb.md", f"---\n{YAML_BOMB}\npaper: *i\n---\n" + NOTES_HEAD)
    before = dump(collection)
    result = subprocess.run(
        [sys.executable, "-m", "studycards", "add", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_at_most_2_gb,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path.resolve()}:3: front matter uses YAML anchors or aliases (&name, *name); write each value out",
        "Error: 1 error; nothing was written",
    ]
    assert dump(collection) == before


def test_a_50_mb_notes_file_is_refused_at_once(cli, collection, tmp_path):
    line = "What is fact {n}? :: It is answer {n}, which is long enough to fill the file quickly.\n"
    path = tmp_path / "huge.md"
    with path.open("w", encoding="utf-8") as handle:
        chunk = "".join(line.format(n=n) for n in range(10_000))
        while handle.tell() < 50 * 2**20:
            handle.write(chunk)
    assert path.stat().st_size > MAX_NOTES_BYTES
    refused(
        cli,
        collection,
        path,
        f"{path.resolve()}:1: file is larger than 20 MB; split it",
        "Error: 1 error; nothing was written",
        elapsed=3,
    )


@pytest.mark.parametrize("shape", ["list", "quote", "list-in-quote"])
def test_nesting_deeper_than_markdown_reads_is_an_error_not_lost_cards(cli, collection, tmp_path, shape):
    """markdown-it stops reading at its nesting limit and would silently drop every card after the nesting."""
    depth = 1000
    if shape == "list":
        nested = "".join("  " * i + "- item\n" for i in range(depth))
    elif shape == "quote":
        nested = ">" * depth + " deep\n"
    else:
        nested = "> - " * depth + "deep\n"
    path = write(tmp_path, f"{shape}.md", NOTES_HEAD + nested + "\nA card after the lists :: is not lost\n")
    started = time.monotonic()
    result = cli("add", str(path))
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "Traceback" not in result.output
    [error, summary] = result.stderr.splitlines()
    assert error.startswith(f"{path.resolve()}:")
    assert "nested too deeply" in error
    assert summary == "Error: 1 error; nothing was written"


@pytest.mark.parametrize("levels", [12, 40])
def test_nesting_a_user_would_write_is_read_whole(cli, collection, tmp_path, levels):
    nested = "".join("  " * i + f"- level {i}\n" for i in range(levels))
    path = write(tmp_path, "nested.md", NOTES_HEAD + nested + "\nA card after the lists :: is read\n")
    result = cli("add", "--dry-run", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Would add 2 cards")


def test_a_10000_character_front_is_kept_whole(cli, collection, tmp_path):
    front = " ".join(f"w{i}" for i in range(2500))[:10_000] + " $x^2$"
    path = write(tmp_path, "long.md", f"# Long\n\n{front} :: the back\n")
    result = cli("add", str(path))
    assert result.exit_code == 0, result.output
    listed = cli("list", "--json", "--deck", "Long")
    assert "Traceback" not in listed.output
    [card] = json.loads(listed.stdout)["cards"]
    assert card["front"] == front
    reviewed = cli("review", "--deck", "Long", input="\n5\n")
    assert reviewed.exit_code == 0, reviewed.output
    assert front.split()[-2] in reviewed.stdout and "Reviewed 1 card" in reviewed.stdout


@pytest.mark.parametrize("what", ["empty folder", "folder of other files", "missing path", "empty file"])
def test_nothing_to_add_says_so(cli, collection, tmp_path, what):
    target = tmp_path / "notes"
    if what == "empty folder":
        target.mkdir()
        expected = f"Error: {target}: no notes files (*.md) in this folder"
    elif what == "folder of other files":
        write(target, "paper.pdf", b"%PDF-1.5\n")
        write(target, "draft.txt", "Front :: back\n")
        expected = f"Error: {target}: no notes files (*.md) in this folder"
    elif what == "missing path":
        expected = f"Error: {target}: no such file or folder"
    else:
        target = write(tmp_path, "empty.md", "")
        before = dump(collection)
        result = cli("add", str(target))
        assert result.exit_code == 0 and result.stdout == f"No cards found in {target.resolve()}.\n"
        assert dump(collection)[:3] == before[:3]
        return
    before = dump(collection)
    result = cli("add", str(target))
    assert result.exit_code == 1 and result.stderr.strip() == expected
    assert dump(collection) == before


def test_a_named_pipe_is_not_waited_on(cli, collection, tmp_path):
    fifo = tmp_path / "notes.md"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = cli("add", str(tmp_path))
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "no notes files" in result.stderr


# -- a damaged database ------------------------------------------------------------------------


def damage(collection: Path, how: str) -> Path:
    db = collection / "studycards.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = db.read_bytes()
    if how == "truncated":
        db.write_bytes(data[: len(data) // 2])
    elif how == "header only":
        db.write_bytes(data[:100])
    elif how == "not a database":
        db.write_bytes(b"These are my notes, saved over the database by mistake.\n" * 100)
    elif how == "zeroed":
        db.write_bytes(bytes(len(data)))
    elif how == "cards table overwritten":  # the schema is intact, so the database opens; reading cards fails
        conn = sqlite3.connect(db)
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        [root] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cards'").fetchone()
        conn.close()
        start = (root - 1) * page_size
        db.write_bytes(data[:start] + b"\xff" * page_size + data[start + page_size :])
    return db


@pytest.mark.parametrize("how", ["truncated", "header only", "not a database", "zeroed", "cards table overwritten"])
def test_a_damaged_database_is_one_clear_line_for_every_command(cli, collection, how):
    db = damage(collection, how)
    damaged = db.read_bytes()
    failed = []
    for args in (["status"], ["list"], ["questions"], ["review"], ["add", str(DECKS / "facenet.md")]):
        result = cli(*args, input="")
        if result.exit_code == 0 and how == "cards table overwritten":
            continue  # the status counts come from an index, which is intact
        assert result.exit_code == 1, (args, result.output)
        [line] = result.stderr.splitlines()
        assert line.startswith("Error: ") and "damaged" in line, (args, line)
        assert "unexpected" not in line
        failed.append(args[0])
    assert {"list", "review", "add"} <= set(failed)
    assert db.read_bytes() == damaged  # studycards did not try to "repair" it


# -- a home that cannot be written --------------------------------------------------------------


def test_a_home_that_is_a_file_is_one_clear_line(cli, tmp_path, monkeypatch):
    home = write(tmp_path, "home", "not a folder\n")
    monkeypatch.setenv("STUDYCARDS_HOME", str(home))
    for args in (["add", str(DECKS / "adam.md")], ["review"]):
        result = cli(*args, input="")
        assert result.exit_code == 1
        assert result.stderr.strip().startswith(f"Error: cannot create the studycards home {home}")
    assert home.read_text() == "not a folder\n"
    inside = home / "studycards"
    monkeypatch.setenv("STUDYCARDS_HOME", str(inside))
    result = cli("add", str(DECKS / "adam.md"))
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: cannot create the studycards home {inside}: Not a directory"
    )


def test_a_database_path_that_is_a_folder_is_one_clear_line(cli, home):
    (home / "studycards.db").mkdir(parents=True)
    result = cli("add", str(DECKS / "adam.md"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write to {home / 'studycards.db'}")


CLONE_NEWUSER = 0x10000000
LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: the child of a fork should not load libraries


def _without_root_powers() -> None:
    """In the child: a new user namespace keeps the files' owner but drops root's power over permissions."""
    if os.geteuid() == 0 and LIBC.unshare(CLONE_NEWUSER) != 0:
        os._exit(77)


def run_unprivileged(home: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "studycards", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "STUDYCARDS_HOME": str(home)},
        preexec_fn=_without_root_powers,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode == 77:
        pytest.skip("running as root and user namespaces are not available: chmod cannot stop root here")
    return result


@pytest.mark.parametrize("state", ["empty", "with a collection"])
def test_a_home_without_write_permission_is_one_clear_line(cli, home, state):
    """As root, chmod stops nobody; the command runs in a user namespace, where it does."""
    home.mkdir(parents=True)
    if state == "with a collection":
        assert cli("add", str(DECKS / "adam.md")).exit_code == 0
    before = sorted(p.name for p in home.iterdir()), dump(home)
    home.chmod(0o555)
    if state == "with a collection":
        (home / "studycards.db").chmod(0o444)
    try:
        for args in (["add", str(DECKS / "facenet.md")], ["review"]):
            result = run_unprivileged(home, *args)
            assert result.returncode == 1, result
            assert result.stdout == ""
            assert result.stderr.strip().startswith(f"Error: cannot write to {home / 'studycards.db'}")
            assert "check the folder's permissions" in result.stderr
    finally:
        home.chmod(0o755)
    assert (sorted(p.name for p in home.iterdir()), dump(home)) == before


def test_a_review_read_only_in_part_ends_quietly(cli, home, tmp_path):
    """``studycards review | head``: the reader stops early; no error line, no traceback, the exit SIGPIPE gives."""
    notes = tmp_path / "many.md"
    notes.write_text("# Many\n\n" + "\n".join(f"Card {n} of many words :: answer {n}" for n in range(3000)))
    assert cli("add", notes).exit_code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "studycards", "review", "--new", "3000"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "STUDYCARDS_HOME": str(home)},
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(b" 4" * 3000)  # reveal and grade every card: frames far beyond what a pipe holds
    proc.stdin.close()
    proc.stdout.read(200)
    proc.stdout.close()
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""
    proc.stderr.close()
