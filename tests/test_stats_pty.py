"""`studycards stats` in a pseudo-terminal: coloured, fitted to 100 and 40 columns; plain under NO_COLOR."""

from __future__ import annotations

import os
import re
import sys

import pexpect
import pytest

from tests import year

NOW = "2026-11-23T09:00"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return year.built_once(tmp_path_factory)


def screen(columns: int, env: dict | None = None) -> str:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "studycards", "stats"],
        encoding="utf-8",
        timeout=20,
        dimensions=(50, columns),
        env={
            **{k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
            "STUDYCARDS_NOW": NOW,
            **(env or {}),
        },
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before.replace("\r\n", "\n")


@pytest.mark.parametrize("columns, weeks", [(100, 54), (40, 36)])
def test_heatmap_and_forecast_are_coloured_and_fit_the_terminal(source, home, columns, weeks):
    year.install(source, home)
    text = screen(columns)
    lines = text.splitlines()
    monday = next(line for line in lines if line.startswith("Mon "))
    assert len(ANSI.sub("", monday)[4:].rstrip()) == weeks
    assert "\x1b[38;5;40m■" in text  # the busiest days in the brightest green
    assert "\x1b[38;5;237m■" in text  # days without a review in grey
    bars = [line for line in lines if re.match(r"\w{3} \d\d-\d\d  ", line)]
    assert len(bars) == 30 and any("\x1b[38;5;33m█" in bar for bar in bars)
    assert max(len(ANSI.sub("", line)) for line in lines) <= columns


@pytest.mark.parametrize("columns", [100, 40])
def test_no_color_draws_plain_characters(source, home, columns):
    year.install(source, home)
    text = screen(columns, {"NO_COLOR": "1"})
    assert "\x1b[" not in text
    monday = next(line for line in text.splitlines() if line.startswith("Mon "))
    assert set(monday[4:].rstrip()) <= set(" ·░▒▓█") and "█" in text
    assert "less ·░▒▓█ more" in text
