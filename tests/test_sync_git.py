"""Sync through a real git repository: a bare one in a temporary folder, and a clone for each home."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NOTES = """# Git deck

What replaces recurrence in the Transformer? :: Self-attention
What does Adam keep per parameter? :: Two moving averages
"""
DAY1 = "2026-11-23T09:00:00"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli):
    """A bare repository and two clones of it, A and B, each the sync folder of a home on the same notes."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no user's git configuration: no name, no email
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    bare = tmp_path / "log.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    for name in "AB":
        subprocess.run(
            ["git", "clone", "-q", str(bare), str(tmp_path / f"clone{name}")], check=True, capture_output=True
        )
        assert cli("--home", tmp_path / name, "add", notes).exit_code == 0

    class Repo:
        def __init__(self) -> None:
            self.bare = bare

        def clone(self, name: str) -> Path:
            return tmp_path / f"clone{name}"

        def sync(self, name: str, now: str = DAY1, ok: bool = True):
            result = cli("--home", tmp_path / name, "sync", self.clone(name), "--git", now=now)
            if ok:
                assert result.exit_code == 0, result.output
            return result

        def review(self, name: str, keys: str, now: str = DAY1):
            result = cli("--home", tmp_path / name, "review", input=keys, now=now)
            assert result.exit_code == 0, result.output

        def cards(self, name: str) -> list[dict]:
            return json.loads(cli("--home", tmp_path / name, "list", "--json").stdout)["cards"]

        def history(self, name: str, card: int) -> list[tuple]:
            shown = json.loads(cli("--home", tmp_path / name, "show", str(card), "--json").stdout)["reviews"]
            return [(g["at"], g["grade"], g["redrill"]) for g in shown]

    return Repo()


def test_two_clones_pushing_the_same_day_lose_no_event_and_never_conflict(repo):
    repo.review("A", "\n5\n\n3\n\n4\n", "2026-11-23T09:00:00")
    repo.review("B", "\n4\n\n5\n", "2026-11-23T10:00:00")  # the same cards, the same day, on the other machine
    first = repo.sync("A", "2026-11-23T10:30:00")
    assert "(git): sent 3 events, received 0 events" in first.stdout
    second = repo.sync("B", "2026-11-23T10:31:00")  # B's push must come after A's: pulled with rebase first
    assert "sent 2 events, received 3 events" in second.stdout
    third = repo.sync("A", "2026-11-23T10:32:00")
    assert "sent 0 events, received 2 events" in third.stdout
    assert repo.cards("A") == repo.cards("B")
    for card in (1, 2):
        assert repo.history("A", card) == repo.history("B", card)
    assert [(grade, redrill) for _, grade, redrill in repo.history("A", 1)] == [(5, False), (4, True)]
    assert [(grade, redrill) for _, grade, redrill in repo.history("A", 2)] == [(3, False), (4, True), (5, True)]
    files = git(repo.bare, "ls-tree", "--name-only", "HEAD").split()
    assert len(files) == 2 and all(name.endswith(".jsonl") for name in files)
    assert git(repo.clone("A"), "status", "--porcelain") == ""
    assert len(git(repo.bare, "log", "--format=%s").splitlines()) == 2  # one commit per home that had events
    again = [repo.sync(name, "2026-11-23T10:40:00") for name in "AB"]
    assert all("sent 0 events, received 0 events" in result.stdout for result in again)
    assert len(git(repo.bare, "log", "--format=%s").splitlines()) == 2  # nothing new: no empty commit


def test_a_failing_git_command_is_one_line_with_gits_message_and_loses_nothing(repo):
    repo.review("A", "\n5\n", "2026-11-23T09:00:00")
    repo.sync("A", "2026-11-23T09:01:00")
    repo.review("A", "\n4\n", "2026-11-23T09:02:00")
    moved = repo.bare.with_name("moved.git")
    repo.bare.rename(moved)  # the remote is unreachable
    failed = repo.sync("A", "2026-11-23T09:03:00", ok=False)
    assert failed.exit_code == 1
    (line,) = failed.stderr.splitlines()
    assert line.startswith(f"Error: git pull failed in {repo.clone('A')}: fatal: ")
    assert "nothing local was lost" in line
    moved.rename(repo.bare)
    assert "sent 0 events" in repo.sync("A", "2026-11-23T09:04:00").stdout  # written and committed before: pushed now
    received = repo.sync("B", "2026-11-23T09:05:00")
    assert "received 2 events" in received.stdout
    assert repo.cards("B") == repo.cards("A")


def test_sync_git_in_a_folder_that_is_no_clone_says_so(repo, tmp_path, cli):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli("--home", tmp_path / "A", "sync", plain, "--git")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {plain.resolve()} is not a git clone (sync --git needs one; without --git it is a plain folder)\n"
    )


def test_a_push_that_loses_the_race_is_pulled_and_pushed_again(repo, cli, tmp_path):
    repo.review("A", "\n5\n", "2026-11-23T09:00:00")
    repo.review("B", "\n4\n", "2026-11-23T09:10:00")
    assert cli("--home", tmp_path / "B", "sync", repo.clone("B"), now="2026-11-23T09:20:00").exit_code == 0
    git(repo.clone("B"), "add", "-A")
    git(repo.clone("B"), "-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-qm", "B's log")
    hook = repo.clone("A") / ".git" / "hooks" / "pre-push"
    marker = tmp_path / "raced"
    # B pushes while A is pushing: A's push is refused, as when two machines push at the same moment
    push_b = f"git -C '{repo.clone('B')}' push -q origin HEAD"
    hook.write_text(f"#!/bin/sh\nif [ ! -e '{marker}' ]; then touch '{marker}'; {push_b}; fi\n")
    hook.chmod(0o755)
    raced = repo.sync("A", "2026-11-23T09:30:00")
    assert marker.exists() and "sent 1 event, received 1 event" in raced.stdout  # B's, pulled by the retry
    assert "sent 0 events, received 0 events" in repo.sync("A", "2026-11-23T09:31:00").stdout
    repo.sync("B", "2026-11-23T09:32:00")
    assert repo.cards("A") == repo.cards("B")
    assert len(git(repo.bare, "ls-tree", "--name-only", "HEAD").split()) == 2
    assert [(g, r) for _, g, r in repo.history("A", 1)] == [(5, False), (4, True)]
