"""``studycards config``: every setting with its value, default and source; one set with config.toml's own checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studycards.home import SETTINGS, Settings


def test_every_setting_is_one_registry_entry_and_one_field():
    assert list(Settings._fields) == list(SETTINGS)
    assert Settings.defaults() == Settings(**{name: s.check(s.default) for name, s in SETTINGS.items()})


@pytest.mark.parametrize("columns", [40, 80, 160])
def test_a_fresh_home_shows_every_setting_at_its_default_within_the_terminal_width(cli, home: Path, columns):
    result = cli("config", env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    path = home / "config.toml"
    assert all(len(line) <= columns or line == f"Settings: {path}" for line in lines), (
        result.stdout
    )  # a path stays whole
    said = " ".join(result.stdout.split())
    assert said.startswith(f"Settings: {path} (not written yet: studycards config KEY VALUE writes it) ")
    assert "studycards config KEY VALUE" in result.stdout  # the command is never split across lines
    places = [said.index(f" {name} ") for name in SETTINGS]
    assert places == sorted(places)
    for place, (name, setting) in zip(places, SETTINGS.items()):
        assert said.index(setting.about, place) < (places + [len(said)])[list(SETTINGS).index(name) + 1]
    assert said.split("; any other → Notes")[0].endswith("pink → Questions")
    assert "[highlights] colours of a highlighted PDF: yellow → Understanding," in said
    if columns < 80:  # too narrow for the table: a setting a line, what it is for below
        assert "new_per_day = 20  (default)" in lines and 'day_start = "04:00"  (default)' in lines
        return
    header = next(n for n, line in enumerate(lines) if line.startswith("setting "))
    assert lines[header].split() == ["setting", "value", "default", "from"]
    rows = {line.split()[0]: line.split() for line in lines[header + 1 :] if not line.startswith(" ")}
    assert list(rows)[: len(SETTINGS)] == list(SETTINGS)
    assert rows["new_per_day"] == ["new_per_day", "20", "20", "default"]
    assert rows["day_start"] == ["day_start", '"04:00"', '"04:00"', "default"]
    assert rows["bury_siblings"] == ["bury_siblings", "true", "true", "default"]
    assert not (home / "config.toml").exists()  # looking writes nothing


def test_setting_one_writes_config_toml_and_every_command_then_uses_it(cli, home: Path, tmp_path: Path):
    result = cli("config", "new_per_day", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Set new_per_day = 3 in {home / 'config.toml'} (default 20).\n"
    assert "new_per_day = 3\n" in (home / "config.toml").read_text()
    shown = [line.split() for line in cli("config").stdout.splitlines()]
    assert ["new_per_day", "3", "20", "config.toml"] in [row[:4] for row in shown]
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\n" + "".join(f"q{i} :: a{i}\n" for i in range(5)))
    assert cli("add", notes).stdout.splitlines()[-1] == "Ready today: 3 cards (3 new). Next: studycards review"


def test_setting_keeps_the_other_lines_comments_and_tables(cli, home: Path):
    home.mkdir()
    (home / "config.toml").write_text(
        '# mine\nday_start = "05:00"\nnew_per_day = 5\n\n[highlights]\norange = "Compute"\n'
    )
    assert cli("config", "new_per_day", "7").exit_code == 0
    assert cli("config", "leech_action", "tag").exit_code == 0
    assert (home / "config.toml").read_text() == (
        '# mine\nday_start = "05:00"\nnew_per_day = 7\nleech_action = "tag"\n\n[highlights]\norange = "Compute"\n'
    )
    assert "orange → Compute" in cli("config").stdout


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("new_per_day", "abc", "new_per_day must be a whole number from 0 to 1000000, not 'abc'"),
        ("new_per_day", "2.5", "new_per_day must be a whole number from 0 to 1000000, not '2.5'"),
        ("new_per_day", "-1", "new_per_day must be a whole number from 0 to 1000000, not -1"),
        ("reviews_per_day", "10000000", "reviews_per_day must be a whole number from 0 to 1000000, not 10000000"),
        ("day_start", "25:00", "day_start must be a time of day such as \"04:00\", not '25:00'"),
        ("bury_siblings", "no", "bury_siblings must be true or false, not 'no'"),
        ("leech_lapses", "0", "leech_lapses must be a whole number from 1 to 1000000, not 0"),
        ("leech_action", "delete", "leech_action must be 'suspend' or 'tag', not 'delete'"),
        ("separators", "tight", "separators must be 'standard' or 'compact', not 'tight'"),
        (
            "new_per_dya",
            "3",
            "unknown setting 'new_per_dya' (did you mean new_per_day? studycards config lists them all)",
        ),
        ("highlights", "x", "highlights is a table: edit [highlights] in"),
    ],
)
def test_a_bad_value_is_one_line_in_the_words_config_toml_gets_and_nothing_is_written(cli, home, key, value, message):
    result = cli("config", key, value)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "invalid literal" not in result.stderr and "Traceback" not in result.output
    assert not (home / "config.toml").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("new_per_day = 2.5", "new_per_day must be a whole number from 0 to 1000000, not 2.5"),
        ('bury_siblings = "no"', "bury_siblings must be true or false, not 'no'"),
        ("leech_lapses = 0", "leech_lapses must be a whole number from 1 to 1000000, not 0"),
        ("new_per_dya = 3", "unknown setting 'new_per_dya' (did you mean new_per_day? known: "),
    ],
)
def test_the_file_gets_the_same_checks_as_the_command(cli, home: Path, line, message):
    home.mkdir()
    (home / "config.toml").write_text(line + "\n")
    for args in (["status"], ["config"], ["config", "day_start", "05:00"]):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {home / 'config.toml'}: {message}"), result.stderr
    assert (home / "config.toml").read_text() == line + "\n"  # a broken file is never overwritten


def test_one_key_alone_shows_that_setting_and_json_names_its_list(cli, home: Path):
    assert cli("config", "day_start", "05:30").exit_code == 0
    one = cli("config", "day_start", env={"COLUMNS": "80"}).stdout.splitlines()
    assert one[0] == f"Settings: {home / 'config.toml'}"
    assert one[1:] == [
        "setting    value    default  from",
        'day_start  "05:30"  "04:00"  config.toml',
        "    " + SETTINGS["day_start"].about,
    ]
    narrow = cli("config", "day_start", env={"COLUMNS": "30"}).stdout
    assert all(len(line) <= 30 for line in narrow.splitlines()[1:]), narrow
    assert " ".join(narrow.split()).startswith(
        f'Settings: {home / "config.toml"} day_start = "05:30" (from config.toml; default "04:00") when a study'
    )
    document = json.loads(cli("config", "--json").stdout)
    assert document["file"] == str(home / "config.toml") and document["exists"] is True
    assert [s["name"] for s in document["settings"]] == list(SETTINGS)
    assert document["settings"][0] == {
        "name": "day_start",
        "value": '"05:30"',
        "default": '"04:00"',
        "source": "config.toml",
        "about": SETTINGS["day_start"].about,
    }
    assert {"colour": "yellow", "section": "Understanding"} in document["highlights"]
