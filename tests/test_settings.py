"""Every bad setting or argument is one line naming it and saying what is allowed (was "unexpected ...")."""

from __future__ import annotations

import os
import threading

import pytest

from studycards.errors import StudycardsError
from studycards.paper.network import Network
from tests.paths import DECKS


def one_line(result) -> str:
    assert result.exit_code != 0, result.output
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr


@pytest.mark.parametrize("moment", ["9999-12-31T23:00", "0001-01-01T01:00"])
def test_a_clock_beyond_the_years_dates_can_hold_is_named(cli, moment):
    assert cli("add", DECKS / "adam.md").exit_code == 0
    for command in (["status"], ["review"], ["add", str(DECKS / "adam.md")]):
        said = one_line(cli(*command, now=moment, input=""))
        assert said == f"Error: STUDYCARDS_NOW must be a date-time in the years 1900 to 9000, not {moment!r}\n"


@pytest.mark.parametrize(
    "line, message",
    [
        ("new_per_day = inf", "new_per_day must be a whole number from 0 to 1000000, not inf"),
        ("new_per_day = 1e30", "new_per_day must be a whole number from 0 to 1000000, not 1e+30"),
        ('reviews_per_day = "many"', "reviews_per_day must be a whole number from 0 to 1000000, not 'many'"),
        ("reviews_per_day = 100000000000000000", "reviews_per_day must be a whole number from 0 to 1000000"),
        ("new_per_day = -1", "new_per_day must be a whole number from 0 to 1000000, not -1"),
        ('day_start = "25:00"', "day_start must be a time of day such as \"04:00\", not '25:00'"),
        ("day_start = 4", 'day_start must be a time of day such as "04:00", not 4'),
        ("day_start = [1]", 'day_start must be a time of day such as "04:00", not [1]'),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(cli, home, line, message):
    home.mkdir(parents=True)
    (home / "config.toml").write_text(line + "\n")
    said = one_line(cli("status"))
    assert said.startswith(f"Error: {home / 'config.toml'}: {message}"), said


def test_a_settings_file_that_is_a_folder_or_a_pipe_is_refused_without_waiting(cli, home):
    home.mkdir(parents=True)
    (home / "config.toml").mkdir()
    assert one_line(cli("status")) == f"Error: {home / 'config.toml'}: the settings file must be a regular file\n"
    (home / "config.toml").rmdir()
    os.mkfifo(home / "config.toml")
    done: list = []
    worker = threading.Thread(target=lambda: done.append(cli("status")), daemon=True)
    worker.start()
    worker.join(10)
    if not done:  # unblock the reader so the test run can end
        with open(home / "config.toml", "w"):
            pass
        worker.join(5)
    assert done, "status waited on the named pipe"
    assert one_line(done[0]) == f"Error: {home / 'config.toml'}: the settings file must be a regular file\n"


@pytest.mark.parametrize("option", ["--limit", "--new"])
def test_a_daily_count_beyond_any_session_is_refused_by_name(cli, option):
    assert cli("add", DECKS / "adam.md").exit_code == 0
    result = cli("review", option, str(10**20), input="")
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': 100000000000000000000 is not in the range 0<=x<=1000000." in result.stderr


def test_a_question_id_too_large_for_the_collection_is_refused_by_name(cli):
    result = cli("questions", "answer", str(10**22), "an answer")
    assert result.exit_code == 2
    assert "Invalid value for 'ID'" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("TIMEOUT", "nan", "must be a number of seconds, more than 0 and at most 86400"),
        ("TIMEOUT", "inf", "must be a number of seconds, more than 0 and at most 86400"),
        ("TIMEOUT", "0", "must be a number of seconds, more than 0 and at most 86400"),
        ("RETRIES", "inf", "must be a whole number from 0 to 100"),
        ("RETRIES", "2.5", "must be a whole number from 0 to 100"),
        ("BACKOFF", "-1", "must be a number of seconds, 0 or more and at most 86400"),
        ("MAX_WAIT", "1e400", "must be a number of seconds, 0 or more and at most 86400"),
        ("DELAY", "nan", "must be a number of seconds, 0 or more and at most 86400"),
    ],
)
def test_a_bad_network_setting_is_one_line_naming_it(monkeypatch, name, value, message):
    monkeypatch.setenv(f"STUDYCARDS_ARXIV_{name}", value)
    with pytest.raises(StudycardsError) as caught:
        Network.from_env()
    assert str(caught.value) == f"STUDYCARDS_ARXIV_{name} {message}, not {value!r}"


def test_a_delay_that_is_not_a_number_never_bypasses_arxivs_three_seconds(monkeypatch):
    monkeypatch.delenv("STUDYCARDS_ARXIV_API_URL", raising=False)
    for value in ("nan", "-nan", "NaN"):
        monkeypatch.setenv("STUDYCARDS_ARXIV_DELAY", value)
        with pytest.raises(StudycardsError, match="STUDYCARDS_ARXIV_DELAY must be a number of seconds"):
            Network.from_env()
    monkeypatch.setenv("STUDYCARDS_ARXIV_DELAY", "0.5")
    assert Network.from_env().delay == 3.0
