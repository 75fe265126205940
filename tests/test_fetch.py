"""``studycards fetch`` and ``papers`` end to end, against a local server replaying recorded arXiv answers."""

from __future__ import annotations

import gzip
import io
import json
import socket
import subprocess
import sys
import tarfile
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from studycards.cli import main
from studycards.store.database import open_store
from tests.arxiv_server import ArxivServer
from tests.test_startup import HEAVY, PROBE

TINY_PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def stored(home: Path) -> list[dict]:
    if not (home / "studycards.db").exists():
        return []
    with open_store(home) as store:
        return [row._asdict() for row in store.papers.summaries(date(2026, 11, 23))]


def test_one_paper_with_its_source_and_equations(arxiv_server: ArxivServer, home: Path) -> None:
    result = run("fetch", "1706.03762")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "1706.03762v7  Attention Is All You Need"
    assert lines[1].startswith("  source: cache/arxiv/1706.03762/src, main file ms.tex, ")
    assert lines[1].endswith(" equations")
    assert result.stderr == ""  # progress is for a terminal (tests/test_progress.py); a pipe gets none
    assert [r.ids for r in arxiv_server.api_requests] == [["1706.03762"]]
    assert [r.path for r in arxiv_server.src_requests] == ["/src/1706.03762v7"]
    cache = home / "cache" / "arxiv" / "1706.03762"
    assert (cache / "eprint").is_file() and (cache / "src" / "model_architecture.tex").is_file()
    [row] = stored(home)
    assert row["id"] == "1706.03762" and row["version"] == 7 and row["source_cached"]
    assert row["equations"] == int(lines[1].split(", ")[-1].split()[0]) > 0
    with open_store(home) as store:
        paper = store.papers.get("1706.03762")
        assert store.papers.source("1706.03762") == cache / "src"
    assert paper is not None and paper.authors[0] == "Ashish Vaswani" and paper.categories == ("cs.CL", "cs.LG")


def test_several_ids_in_every_form_go_in_one_request(arxiv_server: ArxivServer, home: Path) -> None:
    result = run(
        "fetch",
        "--no-source",
        "https://arxiv.org/abs/2103.00001",
        "1706.03762v2",
        "arXiv:2609.28534",
        "https://arxiv.org/pdf/1801.00862.pdf",
    )
    assert result.exit_code == 0, result.output
    assert [r.ids for r in arxiv_server.api_requests] == [["2103.00001", "1706.03762v2", "2609.28534", "1801.00862"]]
    assert arxiv_server.src_requests == []
    assert "  code: https://github.com/roos-j/lean-weakhellinger" in result.stdout
    papers = {p["id"]: p for p in json.loads(run("papers", "--json").stdout)["papers"]}
    assert {k: p["version"] for k, p in papers.items()} == {
        "2103.00001": 3,
        "1706.03762": 2,
        "2609.28534": 1,
        "1801.00862": 3,
    }
    assert not any(p["source_cached"] for p in papers.values())
    assert papers["2609.28534"]["code_links"] == ["https://github.com/roos-j/lean-weakhellinger"]
    with open_store(home) as store:
        cdi = store.papers.get("2103.00001")
    assert cdi is not None and cdi.doi == "10.1038/s41524-021-00644-z" and cdi.journal_ref


@pytest.mark.parametrize(("ident", "main_file"), [("0903.0359", "DeltaEMs.tex"), ("0903.0179", "hepth_desitterv3.tex")])
def test_real_eprints_a_tar_gz_and_a_gzipped_single_tex(
    arxiv_server: ArxivServer,
    home: Path,
    ident: str,
    main_file: str,
) -> None:
    result = run("fetch", ident)
    assert result.exit_code == 0, result.output
    assert f"main file {main_file}, " in result.stdout
    [row] = stored(home)
    assert row["source_cached"] and row["equations"] > 5


def test_code_links_found_in_the_source(arxiv_server: ArxivServer) -> None:
    result = run("fetch", "2202.00665")
    assert result.exit_code == 0, result.output
    assert "  code: https://github.com/facebookresearch/amortized-optimization-tutorial" in result.stdout


def test_a_pdf_only_eprint(arxiv_server: ArxivServer, home: Path) -> None:
    arxiv_server.add_source("1801.00862", TINY_PDF)
    result = run("fetch", "1801.00862")
    assert result.exit_code == 0, result.output
    assert "arXiv has only a PDF of 1801.00862v3, no LaTeX source" in result.stdout
    [row] = stored(home)
    assert not row["source_cached"] and row["equations"] == 0
    assert (home / "cache" / "arxiv" / "1801.00862" / "eprint").read_bytes() == TINY_PDF


def test_an_old_style_id(arxiv_server: ArxivServer, home: Path) -> None:
    result = run("fetch", "--no-source", "https://arxiv.org/abs/astro-ph/0601001")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in stored(home)] == ["astro-ph/0601001"]


def test_a_second_fetch_uses_the_store_and_the_cache(arxiv_server: ArxivServer, home: Path) -> None:
    assert run("fetch", "0903.0359").exit_code == 0
    again = run("fetch", "0903.0359", "https://arxiv.org/abs/0903.0359v1")
    assert again.exit_code == 0, again.output
    assert "(already fetched; --refresh asks arXiv again)" in again.stdout
    assert len(arxiv_server.requests) == 2  # nothing new
    refreshed = run("fetch", "--refresh", "0903.0359")
    assert refreshed.exit_code == 0 and "already" not in refreshed.stdout
    assert [r.ids for r in arxiv_server.api_requests] == [["0903.0359"], ["0903.0359"]]
    assert len(arxiv_server.src_requests) == 2


def test_the_source_of_a_paper_stored_without_it_is_fetched_later(
    arxiv_server: ArxivServer,
    home: Path,
) -> None:
    assert run("fetch", "--no-source", "0903.0179").exit_code == 0
    result = run("fetch", "0903.0179")
    assert result.exit_code == 0, result.output
    assert len(arxiv_server.api_requests) == 1 and len(arxiv_server.src_requests) == 1
    assert stored(home)[0]["source_cached"]


def test_a_paper_named_twice_is_asked_for_once_in_the_form_first_named(arxiv_server: ArxivServer) -> None:
    result = run("fetch", "--no-source", "1706.03762v2", "https://arxiv.org/abs/1706.03762", "arXiv:1706.03762v7")
    assert result.exit_code == 0, result.output
    assert [r.ids for r in arxiv_server.api_requests] == [["1706.03762v2"]]
    assert result.stdout == "1706.03762v2  Attention Is All You Need\n"


def test_a_stored_paper_is_asked_again_only_for_another_version(arxiv_server: ArxivServer, home: Path) -> None:
    assert run("fetch", "--no-source", "1706.03762v2").exit_code == 0
    same = run("fetch", "--no-source", "1706.03762", "1706.03762v2")
    assert same.stdout == "1706.03762v2  Attention Is All You Need  (already fetched; --refresh asks arXiv again)\n"
    newer = run("fetch", "--no-source", "1706.03762v7")
    assert newer.exit_code == 0, newer.output
    assert newer.stdout == "1706.03762v7  Attention Is All You Need\n"
    assert [r.ids for r in arxiv_server.api_requests] == [["1706.03762v2"], ["1706.03762v7"]]
    assert [(row["id"], row["version"]) for row in stored(home)] == [("1706.03762", 7)]


def test_no_source_for_a_paper_with_its_source_cached_shows_the_cache(arxiv_server: ArxivServer) -> None:
    assert run("fetch", "0903.0359").exit_code == 0
    again = run("fetch", "--no-source", "0903.0359")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        "0903.0359v1  Connected Parts of Decuplet Electromagnetic Properties  "
        "(already fetched; --refresh asks arXiv again)",
        "  source: cache/arxiv/0903.0359/src",
    ]
    assert len(arxiv_server.requests) == 2


def test_a_source_without_a_main_file_is_stored_and_says_why_it_has_no_equations(
    arxiv_server: ArxivServer, home: Path
) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("README")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    arxiv_server.add_source("1801.00862", gzip.compress(buffer.getvalue()))
    result = run("fetch", "1801.00862")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "  source: cache/arxiv/1801.00862/src, 0 equations"
    assert lines[2].startswith("  no main LaTeX file in ") and "none has \\documentclass" in lines[2]
    [row] = stored(home)
    assert row["source_cached"] and row["equations"] == 0
    assert (home / "cache" / "arxiv" / "1801.00862" / "src" / "README").read_bytes() == b"hello"


def test_refresh_downloads_again_even_when_the_cached_eprint_is_of_that_version(
    arxiv_server: ArxivServer, home: Path
) -> None:
    assert run("fetch", "0903.0179").exit_code == 0
    stamp = home / "cache" / "arxiv" / "0903.0179" / "eprint.id"
    assert stamp.read_text() == "0903.0179v1\n"
    arxiv_server.add_source("0903.0179", TINY_PDF)
    refreshed = run("fetch", "--refresh", "0903.0179")
    assert refreshed.exit_code == 0, refreshed.output
    assert "arXiv has only a PDF of 0903.0179v1, no LaTeX source" in refreshed.stdout
    assert [r.path for r in arxiv_server.src_requests] == ["/src/0903.0179v1", "/src/0903.0179v1"]
    assert stored(home)[0]["equations"] == 0 and not (stamp.parent / "src").exists()


def test_a_lost_store_reuses_the_cached_eprint_of_the_same_version(arxiv_server: ArxivServer, home: Path) -> None:
    assert run("fetch", "0903.0179").exit_code == 0
    for path in home.glob("studycards.db*"):
        path.unlink()
    again = run("fetch", "0903.0179")
    assert again.exit_code == 0, again.output
    assert "already" not in again.stdout and "main file hepth_desitterv3.tex" in again.stdout
    assert len(arxiv_server.api_requests) == 2 and len(arxiv_server.src_requests) == 1


def test_an_invalid_id_is_refused_before_the_network(arxiv_server: ArxivServer, home: Path) -> None:
    result = run("fetch", "1706.03762", "attention-is-all-you-need")
    assert result.exit_code == 2
    assert "not an arXiv id or URL: 'attention-is-all-you-need'" in result.stderr
    assert arxiv_server.requests == [] and stored(home) == []


@pytest.mark.parametrize("ids", [["2609.99999"], ["1706.03762", "2609.99999"]])
def test_an_unknown_id_fails_and_stores_nothing(
    arxiv_server: ArxivServer,
    home: Path,
    ids: list[str],
) -> None:
    result = run("fetch", *ids)
    assert result.exit_code == 1
    assert result.stderr == "Error: arXiv does not know 2609.99999; check the id\n"
    assert arxiv_server.src_requests == [] and stored(home) == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (429, "is limiting requests (HTTP 429) after 3 retries; wait a few minutes and try again"),
        (503, "is unavailable (HTTP 503) after 3 retries; try again later"),
    ],
)
def test_api_errors_give_one_line_and_leave_the_store_alone(
    arxiv_server: ArxivServer,
    home: Path,
    status: int,
    message: str,
) -> None:
    assert run("fetch", "--no-source", "2103.00001").exit_code == 0
    arxiv_server.fail(status, times=10, retry_after="0")
    result = run("fetch", "--refresh", "1706.03762", "2103.00001")
    assert result.exit_code == 1
    assert result.stderr == f"Error: the arXiv API ({arxiv_server.api_url}) {message}\n"
    assert len(arxiv_server.api_requests) == 1 + 4
    assert [r["id"] for r in stored(home)] == ["2103.00001"]


def test_429_then_success(arxiv_server: ArxivServer, home: Path) -> None:
    arxiv_server.fail(429, times=2)
    arxiv_server.fail(503, target="src")
    result = run("fetch", "0903.0359")
    assert result.exit_code == 0, result.output
    assert len(arxiv_server.api_requests) == 3 and len(arxiv_server.src_requests) == 2


def test_a_stalled_api_times_out(
    arxiv_server: ArxivServer,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STUDYCARDS_ARXIV_TIMEOUT", "1")
    arxiv_server.stall(30)
    started = time.monotonic()
    result = run("fetch", "1706.03762")
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: the arXiv API ({arxiv_server.api_url}) did not answer within 1 s; try again later\n"
    )
    assert stored(home) == []


def test_a_failed_download_stores_nothing(
    arxiv_server: ArxivServer,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STUDYCARDS_ARXIV_RETRIES", "1")
    arxiv_server.fail(503, target="src", times=2)
    result = run("fetch", "1706.03762", "0903.0359")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Error: arXiv ({arxiv_server.src_url}/1706.03762v7) is unavailable (HTTP 503) "
        "after 1 retries; try again later\n"
    )
    assert stored(home) == []


def test_a_hostile_eprint_is_refused_and_nothing_escapes(
    arxiv_server: ArxivServer,
    home: Path,
    tmp_path: Path,
) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name in ("main.tex", "../../../../evil.tex"):
            info = tarfile.TarInfo(name)
            info.size = 5
            archive.addfile(info, io.BytesIO(b"pwned"))
    arxiv_server.add_source("1801.00862", gzip.compress(buffer.getvalue()))
    result = run("fetch", "1801.00862")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Error: 1801.00862v3: refusing the e-print: member '../../../../evil.tex' points outside its folder ('..')\n"
    )
    assert stored(home) == []
    assert sorted(p.name for p in (home / "cache" / "arxiv" / "1801.00862").iterdir()) == ["eprint", "eprint.id"]
    assert [p for p in tmp_path.rglob("evil.tex")] == [] and not (home.parent.parent / "evil.tex").exists()


def test_nothing_listening(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("STUDYCARDS_ARXIV_API_URL", f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv("STUDYCARDS_ARXIV_DELAY", "0")
    result = run("fetch", "1706.03762")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot reach the arXiv API (http://127.0.0.1:{port}/api/query): ")
    assert result.stderr.count("\n") == 1


def test_papers_lists_what_was_fetched(arxiv_server: ArxivServer) -> None:
    assert run("papers").stdout == "No papers yet. Fetch one with: studycards fetch 1706.03762\n"
    assert run("fetch", "0903.0359").exit_code == 0
    assert run("fetch", "--no-source", "1706.03762v2").exit_code == 0
    lines = run("papers").stdout.splitlines()
    assert lines[0].split() == [
        "ID", "SOURCE", "EQUATIONS", "CARDS", "LEARNED", "DUE", "NEW", "QUESTIONS", "REVIEWED", "TITLE"
    ]  # fmt: skip
    first, second = (line.split(None, 9) for line in lines[1:])
    assert (
        first[:2] == ["0903.0359v1", "cached"]
        and int(first[2]) > 0
        and first[3:] == ["0", "0", "0", "0", "0", "-", "Connected Parts of Decuplet Electromagnetic Properties"]
    )
    assert second == ["1706.03762v2", "-", "0", "0", "0", "0", "0", "0", "-", "Attention Is All You Need"]
    document = json.loads(run("papers", "--json").stdout)
    assert [p["id"] for p in document["papers"]] == ["0903.0359", "1706.03762"]
    assert set(document["papers"][0]) >= {"id", "version", "title", "source_cached", "equations", "cards"}


@pytest.mark.parametrize("args", [["papers"], ["papers", "--json"], ["fetch", "--help"]])
def test_papers_and_fetch_help_import_no_heavy_library(args: list[str], home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
