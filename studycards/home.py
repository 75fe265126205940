"""Where data lives, the user's settings, and the one clock every command uses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from studycards.errors import StudycardsError

DB_NAME = "studycards.db"
CONFIG_NAME = "config.toml"
MAX_PER_DAY = 1_000_000  # cards a day: beyond any session, within what SQLite's LIMIT takes
YEARS = (1900, 9000)  # the clock's range: study days and intervals stay inside what dates can hold
SEPARATORS = ("standard", "compact")  # compact: Obsidian's front::back, without spaces


def resolve_home(option: str | None = None) -> Path:
    """``--home`` wins, then ``$STUDYCARDS_HOME``, then the platform's user data folder."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get("STUDYCARDS_HOME")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "studycards"


def now() -> datetime:
    """The one clock: ``$STUDYCARDS_NOW`` (ISO date-time) lets users and tests travel in time."""
    fixed = os.environ.get("STUDYCARDS_NOW")
    if not fixed:
        return datetime.now()
    try:
        value = datetime.fromisoformat(fixed)
    except ValueError:
        raise StudycardsError(f"STUDYCARDS_NOW is not an ISO date-time: {fixed!r}") from None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise StudycardsError(
            f"STUDYCARDS_NOW must be a date-time in the years {YEARS[0]} to {YEARS[1]}, not {fixed!r}"
        )
    return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone().replace(tzinfo=None)


@dataclass(frozen=True)
class Settings:
    """Settings from ``config.toml`` in the home; every field has a sensible default."""

    day_start: time = time(4, 0)
    new_per_day: int = 20
    reviews_per_day: int = 200
    separators: str = "standard"
    bury_siblings: bool = True
    leech_lapses: int = 8
    leech_action: str = "suspend"


def load_settings(home: Path) -> Settings:
    path = home / CONFIG_NAME
    if not path.exists():
        return Settings()
    if not path.is_file():  # a folder, or a named pipe that would keep every command waiting
        raise StudycardsError(f"{path}: the settings file must be a regular file")
    import tomllib

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StudycardsError(f"{path}: not valid TOML: {exc}") from None
    known = {"day_start", "new_per_day", "reviews_per_day", "separators", "highlights", *REVIEW_HABITS}
    unknown = set(raw) - known
    if unknown:
        raise StudycardsError(f"{path}: unknown setting {sorted(unknown)[0]!r} (known: {', '.join(sorted(known))})")
    settings = Settings()
    day_start = _day_start(path, raw)
    new = _per_day(path, raw, "new_per_day", settings.new_per_day)
    reviews = _per_day(path, raw, "reviews_per_day", settings.reviews_per_day)
    return Settings(
        day_start=day_start,
        new_per_day=new,
        reviews_per_day=reviews,
        separators=separators_setting(path, raw),
        **review_habits(path, raw),
    )


def separators_setting(path: Path, raw: dict) -> str:
    """How ``front::back`` without spaces reads: as a card only when the user says so (Obsidian's syntax)."""
    value = raw.get("separators", Settings.separators)
    if value not in SEPARATORS:
        raise StudycardsError(f"{path}: separators must be {' or '.join(map(repr, SEPARATORS))}, not {value!r}")
    return str(value)


REVIEW_HABITS = {"bury_siblings": bool, "leech_lapses": int, "leech_action": str}
LEECH_ACTIONS = ("suspend", "tag")


def review_habits(path: Path, raw: dict) -> dict:
    """Sibling burying and leech handling, checked by type: ``bury_siblings = "no"`` must not read as true."""
    found: dict = {}
    for name, kind in REVIEW_HABITS.items():
        if name not in raw:
            continue
        value = raw[name]
        if type(value) is not kind:
            raise StudycardsError(f"{path}: {name} must be {'true or false' if kind is bool else kind.__name__}")
        found[name] = value
    if found.get("leech_lapses", 1) < 1:
        raise StudycardsError(f"{path}: leech_lapses must be at least 1")
    if found.get("leech_action", "tag") not in LEECH_ACTIONS:
        raise StudycardsError(f"{path}: leech_action must be one of {', '.join(LEECH_ACTIONS)}")
    return found


def _day_start(path: Path, raw: dict) -> time:
    """``day_start = "04:00"``: a string of hours and minutes; anything else is refused naming the key."""
    value = raw.get("day_start", "04:00")
    try:
        if not isinstance(value, str):
            raise ValueError
        return time.fromisoformat(value).replace(second=0, microsecond=0)
    except ValueError:
        raise StudycardsError(f'{path}: day_start must be a time of day such as "04:00", not {value!r}') from None


def _per_day(path: Path, raw: dict, name: str, default: int) -> int:
    """A daily count: a whole number in TOML (not a string, a float or a boolean) from 0 to :data:`MAX_PER_DAY`."""
    value = raw.get(name, default)
    if type(value) is not int or not 0 <= value <= MAX_PER_DAY:
        raise StudycardsError(f"{path}: {name} must be a whole number from 0 to {MAX_PER_DAY}, not {value!r}")
    return value


def study_day(moment: datetime, day_start: time = time(4, 0)) -> date:
    """The study day a moment belongs to: a session at 01:00 still counts as yesterday."""
    shift = timedelta(hours=day_start.hour, minutes=day_start.minute)
    return (moment - shift).date()
