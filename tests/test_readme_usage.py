"""The README's usage sections are true: completion lines that work, every setting, each ``--json``'s keys."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studycards.home import SETTINGS, toml_value
from tests.paths import DECKS, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def studycards_script() -> str:
    found = Path(sys.executable).with_name("studycards")
    return str(found) if found.exists() else shutil.which("studycards") or pytest.skip("no studycards script installed")


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F"),
        ("zsh", "#compdef studycards"),
        ("fish", "complete --no-files --command studycards"),
    ],
)
def test_each_shells_completion_line_in_the_readme_prints_a_completion_script(shell, marker):
    [line] = [line for line in README.splitlines() if f"_STUDYCARDS_COMPLETE={shell}_source studycards" in line]
    value = re.search(r"_STUDYCARDS_COMPLETE=(\w+) studycards", line).group(1)
    result = subprocess.run(
        [studycards_script()], env={**os.environ, "_STUDYCARDS_COMPLETE": value}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout


def test_completion_completes_a_command_name():
    env = {**os.environ, "_STUDYCARDS_COMPLETE": "bash_complete", "COMP_WORDS": "studycards fe", "COMP_CWORD": "1"}
    result = subprocess.run([studycards_script()], env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["plain,fetch"]


def test_the_readme_lists_every_setting_with_its_default(background):
    """``background``: the registry as studycards ships it (the suite draws math at add)."""
    block = README.split("Every setting, at its default", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    written = dict(re.match(r"(\w+) = (\S+)", line).groups() for line in block.splitlines() if line.strip())
    assert list(written) == list(SETTINGS)
    for name, setting in SETTINGS.items():
        if setting.default != "":  # a setting with no default is shown with an example
            assert written[name] == toml_value(setting.default), name


def documented_keys() -> dict[str, list[str]]:
    table = README.split("### JSON output", 1)[1].split("\n\n", 2)[2]
    keys = {}
    for row in re.findall(r"^\| `(\w+)` \| (.+) \|$", table, re.M):
        name, cells = row
        top = re.sub(r"\[[^\]]*\]|\([^)]*\)", "", cells)  # a list's items and a group's parts are not top-level
        keys[name] = re.findall(r"`([^`]+)`", top)
    return keys


def test_the_readme_documents_the_keys_of_every_json_command(cli, commands, tmp_path: Path):
    with_json = sorted(
        name for name, command in commands.items() if any("--json" in getattr(p, "opts", ()) for p in command.params)
    )
    documented = documented_keys()
    assert sorted(documented) == with_json
    assert cli("add", DECKS / "adam.md").exit_code == 0
    assert cli("review", input="\n5\n").exit_code == 0
    (tmp_path / "sync").mkdir()
    runs = {
        "status": ["status"],
        "list": ["list"],
        "search": ["search", "Adam"],
        "show": ["show", "1"],
        "stats": ["stats"],
        "questions": ["questions"],
        "papers": ["papers"],
        "equations": ["equations", REPO / "tests" / "fixtures" / "latex" / "numbering" / "main.tex", "--no-sympy"],
        "config": ["config"],
        "sync": ["sync", tmp_path / "sync"],
    }
    for name, args in runs.items():
        result = cli(*args, "--json")
        assert result.exit_code == 0, (name, result.output)
        document = json.loads(result.stdout)
        assert isinstance(document, dict), name
        assert list(document) == documented[name], name
        assert any(isinstance(value, list) for value in document.values()), name  # a named list, every one


def test_the_readmes_first_command_on_a_fresh_home_ends_with_the_next_step(home: Path):
    """The opening command after its install step, run by a shell in the clone as the README says."""
    first = README.split("```sh\n", 1)[1].split("\n", 1)[0]
    install, _, run = first.partition("pip install . && ")
    assert install and run == "studycards add decks/ && studycards status"
    script = Path(studycards_script())
    result = subprocess.run(
        ["bash", "-c", run],
        cwd=REPO,
        env={**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ['PATH']}", "STUDYCARDS_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Added 134 cards")
    assert lines[-1] == "Ready today: 20 cards (20 new). Next: studycards review"
    assert result.stderr == ""  # no progress in a pipe
