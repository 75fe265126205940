"""``studycards sync``: several machines, one history, through a shared folder or a git clone; and its wording."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from studycards.cli.base import Context, clock, echo_json, handles_errors, main, pass_ctx, say

if TYPE_CHECKING:
    from studycards.home import Settings
    from studycards.review.records import Habits
    from studycards.store import Store
    from studycards.sync.run import SyncReport


@main.command()
@click.argument("folder", metavar="[DIR]", required=False, type=click.Path(file_okay=False))
@click.option("--git", "use_git", is_flag=True, help="DIR is a git clone: commit this home's log, pull, push.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def sync(ctx: Context, folder: str | None, use_git: bool, as_json: bool) -> None:
    """Share reviews with your other machines through a folder (Syncthing, a cloud folder) or a git clone.

    Each home writes its own log, DIR/DEVICE.jsonl, and reads the others'
    from where it last stopped; every card that gained grades is rescheduled
    from all of them in time order (the day's first grade schedules, later
    ones that day, from any machine, are re-drills). Syncing twice changes
    nothing. DIR defaults to sync_dir in config.toml; auto_sync = true syncs
    at the start and end of every review.

    \b
    Example:
        studycards sync ~/Sync/studycards
        studycards sync ~/notes-sync --git
    """
    from studycards.home import load_settings

    settings = load_settings(ctx.home)
    where = _folder(ctx, folder, settings)
    with ctx.open_store() as store:
        report = _run(ctx, store, where, settings, use_git)
    if as_json:
        echo_json(report_json(report))
        return
    for warning in report.warnings:
        say(warning, err=True)
    say(report_text(report))


def _folder(ctx: Context, folder: str | None, settings: Settings) -> Path:
    """DIR as typed (from the current folder), else ``sync_dir`` (a relative one is in the home)."""
    from studycards.errors import StudycardsError

    if folder:
        return Path(folder).expanduser()
    if settings.sync_dir is None:
        raise StudycardsError('no sync folder: give one (studycards sync DIR) or set sync_dir = "DIR" in config.toml')
    return ctx.home / settings.sync_dir


def _habits(settings: Settings) -> Habits:
    from studycards.review.records import Habits

    return Habits(settings.bury_siblings, settings.leech_lapses, settings.leech_action)


def _run(ctx: Context, store: Store, folder: Path, settings: Settings, use_git: bool) -> SyncReport:
    from studycards.cli.progress import Progress
    from studycards.sync.run import sync as run_sync

    moment, _ = clock(ctx)
    with Progress() as progress:
        return run_sync(
            store,
            folder,
            moment,
            _habits(settings),
            use_git=use_git,
            progress=lambda step: progress.spin(STEPS.get(step, step)),
        )


STEPS = {
    "sending": "Sync: writing this home's log",
    "git": "Sync: git commit, pull --rebase, push",
    "receiving": "Sync: reading the other homes' logs",
    "replaying": "Sync: rescheduling the cards that gained grades",
}


def auto_sync(ctx: Context, store: Store, settings: Settings, when: str) -> None:
    """``auto_sync = true``: sync around a review; a failure is a warning, and the review goes on."""
    if not settings.auto_sync:
        return  # before any import: a review without sync starts without the sync code
    from studycards.errors import StudycardsError
    from studycards.sync.git import is_clone

    try:
        folder = _folder(ctx, None, settings)
        report = _run(ctx, store, folder, settings, is_clone(folder))
    except StudycardsError as exc:
        say(f"Warning: sync {when} the review failed: {exc}", err=True)
        return
    for warning in report.warnings:
        say(warning, err=True)
    say(report_text(report), err=True)


def apply_arrived(ctx: Context, store: Store) -> int:
    """After ``add``: grades other homes gave cards that only now arrived are applied to them.

    With no received grade waiting (a home that never synced) the replay is not even loaded.
    """
    if not store.events.pending_keys():
        return 0
    from studycards.home import load_settings
    from studycards.sync.run import apply_pending

    return apply_pending(store, _habits(load_settings(ctx.home)))[0]


def arrived_text(count: int) -> str:
    from studycards.text import plural

    return f"Rescheduled {plural(count, 'card')} from grades synced from other machines."


def report_text(report: SyncReport) -> str:
    from studycards.text import plural

    received = sum(report.received.values())
    lines = [f"Synced with {report.folder}{' (git)' if report.git else ''}: sent {plural(report.sent, 'event')}"]
    lines[0] += f", received {plural(received, 'event')}"
    if report.received:
        lines[0] += (
            " (" + ", ".join(f"{count} from {device}" for device, count in sorted(report.received.items())) + ")"
        )
    lines.append(f"Rescheduled {plural(report.rescheduled, 'card')}.")
    if report.waiting:
        lines.append(f"Kept the grades of {plural(report.waiting, 'card')} not in this home yet: add their notes.")
    if report.warnings:
        lines.append(f"Skipped {plural(len(report.warnings), 'bad line')} (listed above).")
    return "\n".join(lines)


def report_json(report: SyncReport) -> dict:
    return {
        "folder": report.folder,
        "device": report.device,
        "git": report.git,
        "sent": report.sent,
        "received": dict(sorted(report.received.items())),
        "rescheduled": report.rescheduled,
        "waiting": report.waiting,
        "warnings": report.warnings,
    }
