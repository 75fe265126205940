"""Sync through a git clone: commit this home's log, pull with rebase, push.

Each home writes only its own file, so a rebase never meets a conflict; a push that
lost a race with another home's push is pulled and pushed once more.  A git command
that fails is one line with git's own message, and nothing local is lost: the events
stay in the store and in the file, and the next sync commits and pushes them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from studycards.errors import StudycardsError

IDENTITY = ("-c", "user.name=studycards", "-c", "user.email=studycards@localhost")
TIMEOUT = 120


def _git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = next(arg for arg, before in zip(args, ("", *args)) if arg != "-c" and before != "-c")
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise StudycardsError("sync --git needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise StudycardsError(
            f"git {command} took longer than {TIMEOUT} s in {folder}; nothing local was lost"
        ) from None
    if check and done.returncode:
        raise StudycardsError(f"git {command} failed in {folder}: {_message(done)}; nothing local was lost")
    return done


def _message(done: subprocess.CompletedProcess[str]) -> str:
    """git's own words, on one line: the lines that say what went wrong (``fatal:``, ``error:``), else the last."""
    lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    telling = [line for line in lines if line.startswith(("fatal:", "error:", "!"))]
    return " ".join(telling or lines[-1:]) or f"exit status {done.returncode}"


def _identity(folder: Path) -> tuple[str, ...]:
    """Commit as the user when git knows who they are, else as studycards (a fresh machine has no user.email)."""
    return () if _git(folder, "config", "user.email", check=False).stdout.strip() else IDENTITY


def commit(folder: Path, own: Path, device: str) -> bool:
    """Commit this home's log if it changed; True when a commit was made."""
    if _git(folder, "rev-parse", "--is-inside-work-tree", check=False).returncode:
        raise StudycardsError(f"{folder} is not a git clone (sync --git needs one; without --git it is a plain folder)")
    if not own.exists():  # this home has no event yet
        return False
    _git(folder, "add", "--", own.name)
    if not _git(folder, "status", "--porcelain", "--", own.name).stdout.strip():
        return False
    _git(folder, *_identity(folder), "commit", "-q", "-m", f"studycards: events of {device}", "--", own.name)
    return True


def pull(folder: Path) -> None:
    """Bring the other homes' logs: rebase on the remote branch when there is one (an empty remote has none)."""
    if not _git(folder, "rev-parse", "--abbrev-ref", "@{u}", check=False).returncode:
        _git(folder, *_identity(folder), "pull", "-q", "--rebase", "--autostash")
        return
    branch = _git(folder, "symbolic-ref", "--short", "HEAD").stdout.strip()  # also on a branch with no commit yet
    remote = _remote(folder)
    if remote and _git(folder, "ls-remote", "--exit-code", "--heads", remote, branch, check=False).returncode == 0:
        _git(folder, *_identity(folder), "pull", "-q", "--rebase", "--autostash", remote, branch)


def push(folder: Path) -> None:
    """Push; if another home pushed meanwhile, rebase on it and push once more."""
    remote = _remote(folder)
    if not remote or not has_commits(folder):
        return
    if _git(folder, "push", "-q", "-u", remote, "HEAD", check=False).returncode == 0:
        return
    pull(folder)
    _git(folder, "push", "-q", "-u", remote, "HEAD")


def _remote(folder: Path) -> str | None:
    names = _git(folder, "remote").stdout.split()
    return "origin" if "origin" in names else (names[0] if names else None)


def has_commits(folder: Path) -> bool:
    return _git(folder, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0


def is_clone(folder: Path) -> bool:
    return (folder / ".git").exists()
