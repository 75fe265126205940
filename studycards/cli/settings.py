"""The ``config`` command: every setting with its value, default and source, or one setting set."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from studycards.cli.base import Context, echo_json, handles_errors, main, pass_ctx, say

if TYPE_CHECKING:
    from pathlib import Path

    from studycards.highlights.colours import ColourRule
    from studycards.home import Shown


@main.command(
    context_settings={
        "ignore_unknown_options": True
    },  # a value such as -1 is refused by its check, not taken as an option
)
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def config(ctx: Context, key: str | None, value: str | None, as_json: bool) -> None:
    """Show every setting with its value, its default and where it came from; or set one.

    Settings live in config.toml in the home. KEY VALUE sets KEY there
    (creating the file if need be) after the same checks the file gets when
    read, so a value refused here would have been refused there; other lines
    and comments are kept. KEY alone shows that one setting. The [highlights]
    table (colour = "Section") is shown last; edit it in the file.

    \b
    Example:
        studycards config
        studycards config new_per_day 30
        studycards config day_start 05:00
    """
    from studycards.highlights.colours import read_rule
    from studycards.home import CONFIG_NAME, set_setting, shown_settings

    path = ctx.home / CONFIG_NAME
    if value is not None:
        assert key is not None
        done = set_setting(ctx.home, key, value)
        say(f"Set {done.name} = {done.value} in {path} (default {done.default}).")
        return
    shown = shown_settings(ctx.home)
    if key is not None:
        shown = [s for s in shown if s.name == key]
        if not shown:
            set_setting(ctx.home, key, "")  # the unknown-setting error, with the nearest name
    rule = read_rule(path)
    if as_json:
        echo_json(config_json(path, shown, rule if key is None else None))
    else:
        import shutil

        say(config_text(path, shown, rule if key is None else None, shutil.get_terminal_size().columns))


def config_text(path: Path, shown: list[Shown], rule: ColourRule | None, width: int = 80) -> str:
    """The settings fitted to ``width`` columns: a table (value, default, from where) with what each is for
    wrapped on its own lines below it; on a terminal too narrow for the table, one setting per line."""
    written = (
        "" if path.exists() else f"(not written yet: {KEEP.join('studycards config KEY VALUE'.split())} writes it)"
    )
    lines = _wrapped(f"{KEEP.join(f'Settings: {path}'.split(' '))} {written}".rstrip(), width, "  ")
    rows = [("setting", "value", "default", "from"), *((s.name, s.value, s.default, s.source) for s in shown)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    table = sum(widths) + 2 * 3 <= width
    if table:
        lines.append("  ".join(cell.ljust(size) for cell, size in zip(rows[0], widths)).rstrip())
    for setting in shown:
        if table:
            cells = (setting.name, setting.value, setting.default, setting.source)
            lines.append("  ".join(cell.ljust(size) for cell, size in zip(cells, widths)).rstrip())
        else:
            where = (
                "(default)" if setting.source == "default" else f"(from {setting.source}; default {setting.default})"
            )
            lines += _wrapped(f"{setting.name} = {setting.value}  {where}", width, "    ")
        lines += _wrapped(setting.about, width, "    ", "    ")
    if rule is not None:
        pairs = [*rule.sections.items(), *rule.exact.items()]
        colours = [KEEP.join(f"{colour} → {section}".split(" ")) for colour, section in pairs]
        about = f"[highlights] colours of a highlighted PDF: {', '.join(colours)}; any other → Notes"
        lines += _wrapped(about, width, "    ")
    return "\n".join(lines)


KEEP = "\xa0"  # joins words that a wrapped line must not split (textwrap breaks only at ASCII whitespace)


def _wrapped(text: str, width: int, indent: str, first: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` columns (a path or word longer than that is kept whole)."""
    import textwrap

    lines = textwrap.wrap(
        text,
        max(width, 20),
        initial_indent=first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(KEEP, " ") for line in lines]


def config_json(path: Path, shown: list[Shown], rule: ColourRule | None) -> dict:
    document: dict = {"file": str(path), "exists": path.exists(), "settings": [s._asdict() for s in shown]}
    if rule is not None:
        document["highlights"] = [
            {"colour": colour, "section": section} for colour, section in [*rule.sections.items(), *rule.exact.items()]
        ]
    return document
