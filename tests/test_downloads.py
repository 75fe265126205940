"""Servers that misbehave: a lying Content-Length, a byte every tenth of a second, a huge or garbage answer, a cut.

The API comes from the recorded local arXiv; the e-prints (and, where a test says
so, the API answers) from a small server on 127.0.0.1 that does exactly one wrong
thing.  Every case ends in bounded time with one line, and nothing damaged is cached.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from studycards.cli import main
from tests.arxiv_server import ArxivServer

PAPER = "1706.03762"
CACHE = Path("cache") / "arxiv" / PAPER


class Misbehaving:
    """Answers every request with ``body``; ``length`` is the Content-Length to claim, ``pause`` seconds per byte
    (after the first ``steady`` bytes), ``cut`` bytes after which the connection is closed."""

    def __init__(self) -> None:
        self.body = b""
        self.length: int | None = None
        self.pause = 0.0
        self.cut: int | None = None
        self.stop = threading.Event()
        self.requests = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.requests += 1
                body = server.body
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(server.length if server.length is not None else len(body)))
                    self.send_header("Connection", "close")
                    self.close_connection = True
                    self.end_headers()
                    if server.pause:
                        ends = time.monotonic() + 8  # so that a client without a deadline fails, not hangs
                        for byte in body:
                            if server.stop.wait(server.pause) or time.monotonic() > ends:
                                return
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                    else:
                        self.wfile.write(body[: server.cut] if server.cut is not None else body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"


@pytest.fixture
def bad_server() -> Iterator[Misbehaving]:
    server = Misbehaving()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def bad_src(bad_server: Misbehaving, arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch) -> Misbehaving:
    """The recorded API, and e-prints from the misbehaving server (serving the paper's real e-print by default)."""
    monkeypatch.setenv("STUDYCARDS_ARXIV_SRC_URL", bad_server.url + "/src")
    bad_server.body = arxiv_server.source(PAPER) or b""
    return bad_server


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_a_body_longer_than_its_content_length_is_not_cached_and_the_next_fetch_works(bad_src, home):
    bad_src.length = len(bad_src.body) - 5000
    result = run("fetch", PAPER)
    assert result.exit_code == 1
    said = result.stderr.splitlines()
    assert said[0].startswith(f"Error: {PAPER}v7: the e-print is damaged") and said[0].endswith("; try again")
    assert len(said) == 1
    assert not (home / CACHE / "eprint").exists() and not (home / CACHE / "eprint.id").exists()
    bad_src.length = None
    result = run("fetch", PAPER)
    assert result.exit_code == 0, result.output
    assert "equations" in result.stdout


def test_a_cached_eprint_found_damaged_is_fetched_again(bad_src, home):
    assert run("fetch", PAPER).exit_code == 0
    (home / "studycards.db").unlink()  # the store is lost: the next fetch reads the cache
    eprint = home / CACHE / "eprint"
    eprint.write_bytes(eprint.read_bytes()[:-3000])
    requests = bad_src.requests
    result = run("fetch", PAPER)
    assert result.exit_code == 0, result.output
    assert bad_src.requests == requests + 1
    assert "equations" in result.stdout


def test_a_killed_download_leaves_no_part_behind_after_the_next_run(bad_src, home):
    folder = home / CACHE
    folder.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = folder / f".eprint-{dead.stdout.strip()}-x1y2.part"
    stale.write_bytes(b"half a download")
    assert run("fetch", PAPER).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["eprint", "eprint.id", "src"]


def test_an_eprint_sent_a_byte_at_a_time_stops_at_the_deadline(bad_src, home, monkeypatch):
    monkeypatch.setenv("STUDYCARDS_ARXIV_TIMEOUT", "0.3")  # each read waits 0.3 s; the whole download 3 s
    bad_src.pause = 0.05
    started = time.monotonic()
    result = run("fetch", PAPER)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert result.stderr.endswith(f"{bad_src.url}/src/{PAPER}v7 took longer than 3 s; try again later\n")
    assert elapsed < 5, elapsed
    assert list((home / CACHE).iterdir()) == []


@pytest.fixture
def bad_api(bad_server: Misbehaving, monkeypatch: pytest.MonkeyPatch) -> Misbehaving:
    monkeypatch.setenv("STUDYCARDS_ARXIV_API_URL", bad_server.url + "/api/query")
    monkeypatch.setenv("STUDYCARDS_ARXIV_DELAY", "0")
    monkeypatch.setenv("STUDYCARDS_ARXIV_RETRIES", "0")
    monkeypatch.setenv("STUDYCARDS_ARXIV_TIMEOUT", "0.5")
    return bad_server


def api_line(bad_api: Misbehaving) -> str:
    return f"Error: the arXiv API ({bad_api.url}/api/query)"


def test_an_api_answer_sent_a_byte_at_a_time_stops_at_the_deadline(bad_api):
    bad_api.body = b"<feed>" + b" " * 200
    bad_api.pause = 0.05
    started = time.monotonic()
    result = run("fetch", PAPER)
    assert result.exit_code == 1
    assert result.stderr == f"{api_line(bad_api)} did not send its whole answer within 0.5 s; try again later\n"
    assert time.monotonic() - started < 3


def test_a_huge_api_answer_is_refused_past_its_bound(bad_api):
    bad_api.body = b"<feed>" + b"x" * (21 * 1024 * 1024)
    bad_api.length = None
    result = run("fetch", PAPER)
    assert result.exit_code == 1
    assert result.stderr == f"{api_line(bad_api)} sent an answer over the limit of 20971520 bytes; refused\n"


def test_a_cut_connection_is_called_cut_not_unreachable(bad_api):
    bad_api.body = b"<feed>" + b" " * 5000
    bad_api.cut = 1000
    result = run("fetch", PAPER)
    assert result.exit_code == 1
    assert result.stderr == f"{api_line(bad_api)} closed the connection before the answer was complete; try again\n"


def test_a_cut_eprint_download_says_how_much_came(bad_src):
    bad_src.cut = 4000
    result = run("fetch", PAPER)
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"{bad_src.url}/src/{PAPER}v7 was cut off after 4000 of {len(bad_src.body)} bytes; try again\n"
    )


def test_a_garbage_api_answer_is_one_line_without_the_libraries_log(bad_api):
    bad_api.body = b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>not closed"
    env = {**os.environ, "STUDYCARDS_NOW": "2026-11-23T09:00"}
    done = subprocess.run([sys.executable, "-m", "studycards", "fetch", PAPER], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("Error: "), done.stderr
