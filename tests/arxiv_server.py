"""A local arXiv for tests: a real HTTP server on 127.0.0.1 replaying recorded answers.

``GET /api/query?id_list=…`` answers like export.arxiv.org: a recorded feed for
exactly that request if there is one, else a feed made of the recorded
``<entry>`` elements of the asked ids (entries kept byte for byte), else the
recorded empty feed.  ``GET /src/ID`` answers with an e-print: one a test added,
one from ``corpus/eprints/``, or a tar.gz built from ``corpus/papers/ID/``.
Tests can queue faults (429 with ``Retry-After``, 503, a stall longer than the
client's timeout) and read back every request made.

Use the ``arxiv_server`` fixture (it also points ``STUDYCARDS_ARXIV_*`` at it).
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import tarfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.paths import FIXTURES

ARXIV_FIXTURES = FIXTURES / "arxiv"
_ENTRY = re.compile(r"  <entry>.*?</entry>\n", re.DOTALL)
_ENTRY_ID = re.compile(r"<id>https?://arxiv\.org/abs/(.+?)v(\d+)</id>")


@dataclass
class Answer:
    """One programmed answer; ``delay`` stalls before it (or after ``pause_after`` body bytes)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    pause_after: int | None = None


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    path: str
    params: dict[str, str]
    at: float

    @property
    def ids(self) -> list[str]:
        return [i for i in self.params.get("id_list", "").split(",") if i]


class FeedIndex:
    """The recorded API answers, by the set of ids asked, and every recorded entry by id and version."""

    def __init__(self, corpus: Path) -> None:
        api = corpus / "arxiv-api"
        self.exact: dict[frozenset[str], tuple[int, bytes]] = {}
        self.entries: dict[str, dict[int, str]] = {}
        for path in sorted((api / "arxiv.py-golden-json").glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            ids = _ids_in(record["url"])
            if ids:
                self.exact.setdefault(ids, (record["status_code"], record["body"].encode("utf-8")))
        feeds = sorted(api.glob("new-*.xml")) + sorted(ARXIV_FIXTURES.glob("*.xml")) + sorted(api.glob("legacy-*.xml"))
        for path in feeds:
            text = path.read_text(encoding="utf-8")
            link = re.search(r'<link href="([^"]*)"', text)
            ids = _ids_in(unquote(html.unescape(link.group(1)))) if link else frozenset()
            if ids:
                self.exact.setdefault(ids, (200, path.read_bytes()))
            if path.name.startswith("legacy-"):
                continue
            for entry in _ENTRY.findall(text):
                found = _ENTRY_ID.search(entry)
                if found:
                    self.entries.setdefault(found.group(1), {})[int(found.group(2))] = entry
        template = (api / "new-2026-09_multi-id-5_incl-1706.03762v7.xml").read_text(encoding="utf-8")
        self.header = template[: template.index("  <entry>")]
        self.empty = (api / "new-2026-04_empty_nonexistent-id-0808.05394.xml").read_bytes()

    def answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        ids = [i for i in params.get("id_list", "").split(",") if i]
        if not ids or int(params.get("start", "0") or 0) > 0:
            return 200, self.empty
        recorded = self.exact.get(frozenset(ids))
        if recorded:
            return recorded
        chosen = []
        for ident in ids:
            base, _, version = re.fullmatch(r"(.+?)(v(\d+))?", ident).group(1, 2, 3)
            versions = self.entries.get(base, {})
            if versions:
                key = int(version) if version else max(versions)
                if key in versions:
                    chosen.append(versions[key])
        if not chosen:
            return 200, self.empty
        header = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(chosen)}<", self.header)
        return 200, (header + "".join(chosen) + "</feed>\n").encode("utf-8")


def _ids_in(url: str) -> frozenset[str]:
    query = urlsplit(url).query
    values = parse_qs(query, keep_blank_values=True).get("id_list", [""])
    return frozenset(i for i in values[0].split(",") if i)


def tar_gz(folder: Path) -> bytes:
    """A deterministic tar.gz of a folder, as arXiv would serve a multi-file source."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped, tarfile.open(fileobj=zipped, mode="w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = tarfile.TarInfo(path.relative_to(folder).as_posix())
                info.size = path.stat().st_size
                info.mode = 0o644
                with path.open("rb") as handle:
                    archive.addfile(info, handle)
    return buffer.getvalue()


class ArxivServer:
    """The state behind the handler: answers to give, sources to serve, requests seen."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.feeds = FeedIndex(corpus)
        self.sources: dict[str, bytes] = {}
        self.queued: dict[str, deque[Answer]] = {"api": deque(), "src": deque()}
        self.requests: list[Seen] = []
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    @property
    def src_url(self) -> str:
        return f"{self.url}/src"

    @property
    def api_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path == "/api/query"]

    @property
    def src_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path.startswith("/src/")]

    def queue(self, target: str, *answers: Answer) -> None:
        """The next answers to ``"api"`` or ``"src"`` requests, before the recorded ones resume."""
        self.queued[target].extend(answers)

    def fail(self, status: int, *, target: str = "api", times: int = 1, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        body = f"<html><body>HTTP {status}</body></html>".encode()
        self.queue(target, *[Answer(status, body, dict(headers, **{"Content-Type": "text/html"}))] * times)

    def stall(self, seconds: float, *, target: str = "api", times: int = 1) -> None:
        self.queue(target, *[Answer(200, b"", delay=seconds)] * times)

    def add_source(self, arxiv_id: str, data: bytes) -> None:
        self.sources[arxiv_id] = data

    def source(self, ident: str) -> bytes | None:
        base = re.sub(r"v\d+$", "", ident)
        if ident in self.sources or base in self.sources:
            return self.sources.get(ident, self.sources.get(base))
        for path in sorted((self.corpus / "eprints").glob(f"{base}.*")):
            return path.read_bytes()
        folder = self.corpus / "papers" / base
        return tar_gz(folder) if folder.is_dir() else None

    def answer(self, path: str, params: dict[str, str]) -> Answer:
        target = "api" if path == "/api/query" else "src" if path.startswith("/src/") else ""
        with self.lock:
            if target and self.queued[target]:
                return self.queued[target].popleft()
        if target == "api":
            status, body = self.feeds.answer(params)
            return Answer(status, body, {"Content-Type": "application/atom+xml; charset=utf-8"})
        data = self.source(path[len("/src/") :]) if target == "src" else None
        if data is None:
            return Answer(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
        return Answer(200, data, {"Content-Type": "application/x-eprint-tar"})

    def __enter__(self) -> ArxivServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _handler(server: ArxivServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            with server.lock:
                server.requests.append(Seen(unquote(parts.path), params, time.monotonic()))
            answer = server.answer(unquote(parts.path), params)
            try:
                if answer.delay and answer.pause_after is None and server.released.wait(answer.delay):
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                if answer.pause_after is not None:
                    self.wfile.write(answer.body[: answer.pause_after])
                    self.wfile.flush()
                    if server.released.wait(answer.delay):
                        return
                    self.wfile.write(answer.body[answer.pause_after :])
                else:
                    self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as a client with a timeout should

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
