"""The ``highlights`` command: a highlighted PDF into the paper's notes file, and its wording."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from studycards.cli.base import Context, clock, echo_json, handles_errors, main, pass_ctx, say
from studycards.text import plural

if TYPE_CHECKING:
    from studycards.highlights import HighlightsPlan

AS_WORDS = {"card": "a card", "question": "an open question", "prose": "prose"}


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--paper", metavar="ID", help="The paper's arXiv id (default: read from the PDF).")
@click.option("--notes", type=click.Path(path_type=Path), help="Write into this notes file (default: the paper's).")
@click.option("--dry-run", is_flag=True, help="Show the colours found and where each would go; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def highlights(ctx: Context, pdf: Path, paper: str | None, notes: Path | None, dry_run: bool, as_json: bool) -> None:
    """Turn a highlighted PDF into the paper's notes: each colour is a section.

    Yellow goes to Understanding, green to Implementation, blue to Datasets,
    red or pink to Questions, any other colour to Notes (a [highlights] table
    in config.toml changes this).  Each highlight becomes a quote with its
    page; a margin comment in card syntax becomes that card, one starting
    with ? an open question.  Running it again adds only new highlights.

    \b
    Example:
        studycards highlights attention.pdf --dry-run
        studycards highlights attention.pdf && studycards add notes/
    """
    from studycards.cli.progress import Progress
    from studycards.highlights import plan_highlights, write_highlights

    moment, _ = clock(ctx)
    with ctx.open_store() as store, Progress() as progress:
        progress.spin(f"Reading the highlights of {pdf}")
        plan = plan_highlights(store, ctx.home, pdf, paper=paper, notes=notes)
        if not dry_run:
            progress.spin(f"Writing {plural(len(plan.new), 'highlight')} into {plan.notes}")
            write_highlights(store, plan, moment)
    if as_json:
        echo_json(highlights_json(plan, dry_run))
    else:
        say(highlights_text(plan, dry_run))


def highlights_json(plan: HighlightsPlan, dry_run: bool) -> dict[str, Any]:
    return {
        "pdf": str(plan.pdf),
        "paper": plan.paper,
        "notes": str(plan.notes),
        "created": plan.created and plan.text is not None and not dry_run,
        "dry_run": dry_run,
        "written": 0 if dry_run else len(plan.new) if plan.text is not None else 0,
        "highlights": [
            {
                "page": f.highlight.page,
                "kind": f.highlight.kind,
                "colour": f.colour,
                "rgb": f.highlight.colour.hex if f.highlight.colour else None,
                "section": f.section,
                "text": f.highlight.text,
                "comment": f.highlight.comment,
                "comment_as": f.comment_as,
                "new": f.new,
            }
            for f in plan.found
        ],
    }


def highlights_text(plan: HighlightsPlan, dry_run: bool) -> str:
    lines = []
    if dry_run:
        colours: Counter[tuple[str, str, str]] = Counter(
            (f.colour, f.highlight.colour.hex if f.highlight.colour else "no colour", f.section)
            for f in plan.found
            if f.highlight.text is not None
        )
        for (name, rgb, section), count in sorted(colours.items(), key=lambda item: (item[0][2], item[0][0])):
            lines.append(f"{name} ({rgb}): {plural(count, 'highlight')} -> {section}")
        notes = sum(f.highlight.text is None for f in plan.found)
        if notes:
            lines.append(f"{plural(notes, 'note')} without highlighted text -> Notes")
    new = plan.new
    missing = [f for f in new if f.highlight.text == ""]
    for f in missing:
        lines.append(f"p. {f.highlight.page}: no text under this highlight (a scanned page?); its page is noted")
    comments = Counter(f.comment_as for f in new if f.comment_as)
    made = ", ".join(f"{plural(n, 'comment')} as {AS_WORDS[kind]}" for kind, n in sorted(comments.items()))
    old = len(plan.found) - len(new)
    already = f" ({old} written before)" if old else ""
    paper = f" (paper {plan.paper})" if plan.paper else ""
    if not new:
        lines.append(f"No new highlights in {plan.pdf}{already}; {plan.notes} is unchanged.")
        return "\n".join(lines)
    verb = "Would write" if dry_run else "Wrote"
    target = f"a new notes file {plan.notes}" if plan.created else str(plan.notes)
    lines.append(f"{verb} {plural(len(new), 'highlight')} into {target}{paper}{already}.")
    if made:
        lines.append(f"Comments: {made}.")
    if not dry_run:
        lines.append(f"Edit it, then: studycards add {plan.notes}")
    return "\n".join(lines)
