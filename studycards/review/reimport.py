"""Following an edit made from the review screen: the notes file is added again, its mistakes shown, not raised."""

from __future__ import annotations

from datetime import datetime

from studycards.store.database import Store


def reimport(store: Store, path: str, now: datetime) -> list[str]:
    """Re-add one notes file after an edit; its mistakes come back as lines to show, never as a stop."""
    from studycards.errors import NotesErrors, StudycardsError
    from studycards.notes.importer import apply_plan, plan_import

    known = store.files.hash(path)
    try:
        plan = plan_import(store, [path], deck=known.deck_option if known and known.deck_option else None)
        apply_plan(store, plan, now)
    except NotesErrors as exc:
        return [str(error) for error in exc.errors] + ["Not re-added: fix the notes and press e again."]
    except StudycardsError as exc:  # a busy collection included: the session goes on
        return [str(exc), "Not re-added: press e again in a moment."]
    return []
