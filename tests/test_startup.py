"""The cheap guard for start-up time: help and status must not import the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sympy", "genanki", "arxiv", "requests", "markdown_it", "anki", "yaml")
PROBE = """
import json, sys
from studycards.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    sys.stdout.flush()
    print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["status"], ["status", "--json"], ["list"], ["questions"]])
def test_light_commands_import_no_heavy_library(args, home):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("args", [["--help"], ["status"]])
def test_help_and_status_do_without_dataclasses(args, home):
    """dataclasses (with inspect and copy behind it) was the dearest import left; records are NamedTuples."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy={"dataclasses"}), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


REVIEW_PROBE = """
import json, sys
from studycards.cli import main
try:
    main(["review"], standalone_mode=False)
finally:
    sys.stdout.flush()
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_review_shows_its_first_card_without_the_parser_wcwidth_or_the_editors_modules(cli, tmp_path):
    """What a review needs before its first card: not the notes parser, not wcwidth for Greek and subscripts."""
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\nWhat is $x_0$ in $\\alpha$-space? :: It is $\\beta_1 \\to \\infty$\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-c", REVIEW_PROBE], input="q\n", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "x₀ in α-space?" in result.stdout
    loaded = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert loaded & {"wcwidth", "studycards.notes.parser", "subprocess", "shlex", *HEAVY} == set()
