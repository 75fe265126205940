"""Where data lives, the user's settings, and the one clock every command uses."""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.
import os
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from studycards.errors import StudycardsError

DB_NAME = "studycards.db"
CONFIG_NAME = "config.toml"
JOURNAL_NAME = "answer-journal.json"  # an answer being written into a notes file (store/journal.py)
MAX_PER_DAY = 1_000_000  # cards a day: beyond any session, within what SQLite's LIMIT takes
YEARS = (1900, 9000)  # the clock's range: study days and intervals stay inside what dates can hold
SEPARATORS = ("standard", "compact")  # compact: Obsidian's front::back, without spaces
DRAW_MATH = ("background", "at add")  # when sympy draws the display equations add wrote (mathtext.drawer)


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


class Setting(NamedTuple):
    """One line of ``config.toml``: its default as TOML writes it, what it is for, and the check every value passes.

    ``check`` takes a TOML value and returns what the code uses, or raises ``ValueError`` with the reason
    (naming the setting); ``kind`` says how a value typed on the command line reads (``studycards config``).
    """

    name: str
    default: Any
    about: str
    check: Callable[[Any], Any]
    kind: str = "text"  # "count" and "bool" read as TOML numbers and booleans; the rest stay strings


def _time_of_day(name: str) -> Callable[[Any], time]:
    def check(value: Any) -> time:
        try:
            if not isinstance(value, str):
                raise ValueError
            return time.fromisoformat(value).replace(second=0, microsecond=0)
        except ValueError:
            raise ValueError(f'{name} must be a time of day such as "04:00", not {value!r}') from None

    return check


def _count(name: str, low: int = 0, high: int = MAX_PER_DAY) -> Callable[[Any], int]:
    """A whole number in TOML (not a string, a float or a boolean) within bounds."""

    def check(value: Any) -> int:
        if type(value) is not int or not low <= value <= high:
            raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
        return value

    return check


def _choice(name: str, choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"{name} must be {' or '.join(map(repr, choices))}, not {value!r}")
        return str(value)

    return check


def _flag(name: str) -> Callable[[Any], bool]:
    """Checked by type: ``bury_siblings = "no"`` must not read as true."""

    def check(value: Any) -> bool:
        if type(value) is not bool:
            raise ValueError(f"{name} must be true or false, not {value!r}")
        return value

    return check


def _folder(name: str) -> Callable[[Any], Path | None]:
    """A folder as a string (``~`` allowed); the empty string is none."""

    def check(value: Any) -> Path | None:
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a folder, as a string, not {value!r}")
        return Path(value).expanduser() if value.strip() else None

    return check


LEECH_ACTIONS = ("suspend", "tag")

# Every setting of config.toml, in the order ``studycards config`` shows them (the README lists the same).
# A new setting is one entry here and one field of the same name in Settings (a test pins the two together).
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("day_start", "04:00", "when a study day begins (a session at 01:00 counts as yesterday)",
                _time_of_day("day_start")),
        Setting("new_per_day", 20, "new cards a day at most (review --new overrides)", _count("new_per_day"), "count"),
        Setting("reviews_per_day", 200, "due reviews a day at most (review --limit overrides)",
                _count("reviews_per_day"), "count"),
        Setting("separators", "standard", 'how notes read: "compact" also takes front::back without spaces',
                _choice("separators", SEPARATORS)),
        Setting("bury_siblings", True, "once a card of a note is graded, its siblings wait until tomorrow",
                _flag("bury_siblings"), "bool"),
        Setting("leech_lapses", 8, "lapses after being learned that make a card a leech",
                _count("leech_lapses", 1, MAX_PER_DAY), "count"),
        Setting("leech_action", "suspend", 'what happens to a leech: "suspend" it or "tag" it',
                _choice("leech_action", LEECH_ACTIONS)),
        Setting("sync_dir", "", "the folder studycards sync uses without DIR (relative: in the home)",
                _folder("sync_dir")),
        Setting("auto_sync", False, "review syncs through sync_dir at its start and its end",
                _flag("auto_sync"), "bool"),
        Setting("draw_math", "background", 'when sympy draws display equations: after add returns, or "at add"',
                _choice("draw_math", DRAW_MATH)),
    )
}  # fmt: skip
TABLES = ("highlights",)  # [highlights]: colour = "Section" (read by studycards.highlights.colours)


class Settings(NamedTuple):
    """The settings as the code uses them: one field per entry of :data:`SETTINGS`, checked."""

    day_start: time
    new_per_day: int
    reviews_per_day: int
    separators: str
    bury_siblings: bool
    leech_lapses: int
    leech_action: str
    sync_dir: Path | None
    auto_sync: bool
    draw_math: str

    @classmethod
    def defaults(cls) -> "Settings":
        return cls(**{name: s.check(s.default) for name, s in SETTINGS.items()})


def read_config(home: Path) -> dict[str, Any]:
    """``config.toml`` as TOML values ({} when there is none); not valid TOML, or not a file, is an error naming it."""
    path = home / CONFIG_NAME
    if not path.exists():
        return {}
    if not path.is_file():  # a folder, or a named pipe that would keep every command waiting
        raise StudycardsError(f"{path}: the settings file must be a regular file")
    return parse_config(path, path.read_bytes())


def parse_config(path: Path, data: bytes) -> dict[str, Any]:
    """The TOML of a settings file, every top-level key known; raises naming ``path`` (and the nearest key)."""
    import tomllib

    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StudycardsError(f"{path}: not valid TOML: {exc}") from None
    known = [*SETTINGS, *TABLES]
    for name in raw:
        if name not in known:
            import difflib

            near = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {near[0]}? " if near else ""
            raise StudycardsError(f"{path}: unknown setting {name!r} ({hint}known: {', '.join(known)})")
    return raw


def checked(path: Path, raw: dict[str, Any]) -> Settings:
    """Every setting of ``raw`` through its check, the rest at their defaults; a bad one is one line naming it."""
    values = {}
    for name, setting in SETTINGS.items():
        try:
            values[name] = setting.check(raw.get(name, setting.default))
        except ValueError as exc:
            raise StudycardsError(f"{path}: {exc}") from None
    return Settings(**values)


def load_settings(home: Path) -> Settings:
    return checked(home / CONFIG_NAME, read_config(home))


class Shown(NamedTuple):
    """One setting as ``studycards config`` shows it: the values as TOML writes them, and where the value came from."""

    name: str
    value: str
    default: str
    source: str  # "config.toml" or "default"
    about: str


def shown_settings(home: Path) -> list[Shown]:
    """Every setting, its value, default and source; a bad ``config.toml`` is the same error every command gives."""
    raw = read_config(home)
    checked(home / CONFIG_NAME, raw)
    return [
        Shown(
            name,
            toml_value(raw.get(name, s.default)),
            toml_value(s.default),
            CONFIG_NAME if name in raw else "default",
            s.about,
        )
        for name, s in SETTINGS.items()
    ]


def toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def typed(setting: Setting, text: str) -> Any:
    """A value typed on the command line as the TOML value it stands for; what does not read stays a string.

    A string is then refused by the setting's own check, in the words ``config.toml`` gets.
    """
    import re

    word = text.strip()
    if setting.kind == "count" and re.fullmatch(r"[+-]?[0-9]{1,4000}", word):
        return int(word)
    if setting.kind == "bool" and word.lower() in ("true", "false"):
        return word.lower() == "true"
    return text


def set_setting(home: Path, name: str, text: str) -> Shown:
    """Write ``name = value`` into ``config.toml`` (created if need be), after the same checks it gets when read.

    Other lines, comments and tables are left as they are; the file is replaced whole, so it is never
    half written, and nothing is written when the value (or the file as it would become) is refused.
    """
    setting = SETTINGS.get(name)
    if name in TABLES:
        raise StudycardsError(f"{name} is a table: edit [{name}] in {home / CONFIG_NAME} (README: Settings)")
    if setting is None:
        import difflib

        near = difflib.get_close_matches(name, [*SETTINGS], n=1)
        hint = f"did you mean {near[0]}? " if near else ""
        raise StudycardsError(f"unknown setting {name!r} ({hint}studycards config lists them all)")
    value = typed(setting, text)
    try:
        setting.check(value)
    except ValueError as exc:
        raise StudycardsError(str(exc)) from None
    path = home / CONFIG_NAME
    read_config(home)  # the file as it is must be readable: a folder or bad TOML is named, not overwritten
    before = path.read_text(encoding="utf-8") if path.exists() else CONFIG_HEADER
    after = with_setting(before, name, toml_value(value))
    checked(path, parse_config(path, after.encode("utf-8")))
    home.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{CONFIG_NAME}.{os.getpid()}")
    try:
        temporary.write_text(after, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return next(shown for shown in shown_settings(home) if shown.name == name)


CONFIG_HEADER = "# studycards settings: `studycards config` lists them all, with their defaults.\n"


def with_setting(text: str, name: str, value: str) -> str:
    """``text`` with ``name = value`` among its top-level keys: the key's line replaced, else added before any table."""
    import re

    lines = text.splitlines()
    table = next((i for i, line in enumerate(lines) if re.match(r"\s*\[", line)), len(lines))
    entry = f"{name} = {value}"
    for i, line in enumerate(lines[:table]):
        if re.match(rf"\s*{re.escape(name)}\s*=", line) or re.match(rf"\s*\"{re.escape(name)}\"\s*=", line):
            lines[i] = entry
            return "\n".join(lines) + "\n"
    end = table
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    lines.insert(end, entry)
    if end < len(lines) - 1 and lines[end + 1].strip():
        lines.insert(end + 1, "")
    return "\n".join(lines) + "\n"


def study_day(moment: datetime, day_start: time = time(4, 0)) -> date:
    """The study day a moment belongs to: a session at 01:00 still counts as yesterday."""
    shift = timedelta(hours=day_start.hour, minutes=day_start.minute)
    return (moment - shift).date()
