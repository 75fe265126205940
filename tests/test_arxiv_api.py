"""arXiv metadata and e-print downloads, against a local server replaying recorded arXiv answers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from studycards.errors import StudycardsError
from studycards.paper.arxiv import ArxivClient, Network
from studycards.paper.ids import ArxivId, parse_id
from tests.arxiv_server import Answer, ArxivServer

# -- metadata against the local server ---------------------------------------------------------


@pytest.fixture
def net(arxiv_server: ArxivServer) -> Network:
    return Network(
        api_url=arxiv_server.api_url,
        src_url=arxiv_server.src_url,
        timeout=1.0,
        retries=2,
        backoff=0.01,
        max_wait=5.0,
        delay=0.0,
    )


@pytest.fixture
def client(net: Network) -> Iterator[ArxivClient]:
    with ArxivClient(net) as made:
        yield made


def test_one_id(arxiv_server: ArxivServer, client: ArxivClient) -> None:
    papers = client.fetch_metadata([parse_id("1707.08567")])
    paper = papers["1707.08567"]
    assert paper.title == "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    assert paper.version == 1 and paper.authors[:2] == ("Kees A. Schouhamer Immink", "Stan Baggen")
    assert paper.published == "2017-07-27T08:18:33Z" and paper.categories == ("cs.IT",)
    assert [r.ids for r in arxiv_server.api_requests] == [["1707.08567"]]


def test_several_ids_in_one_request_with_every_field(arxiv_server: ArxivServer, client: ArxivClient) -> None:
    ids = [parse_id(t) for t in ("1706.03762", "https://arxiv.org/abs/2103.00001", "arXiv:2609.28534")]
    papers = client.fetch_metadata(ids)
    assert [r.ids for r in arxiv_server.api_requests] == [["1706.03762", "2103.00001", "2609.28534"]]
    attention = papers["1706.03762"]
    assert attention.version == 7 and attention.title == "Attention Is All You Need"
    assert len(attention.authors) == 8 and attention.authors[-1] == "Illia Polosukhin"
    assert "BLEU score of 41.8" in attention.abstract
    assert attention.published == "2017-06-12T17:57:34Z" and attention.updated == "2023-08-02T00:41:18Z"
    assert attention.categories == ("cs.CL", "cs.LG") and attention.comment == "15 pages, 5 figures"
    assert attention.pdf_url == "https://arxiv.org/pdf/1706.03762v7"
    assert attention.doi is None and attention.journal_ref is None and attention.code_links == ()
    cdi = papers["2103.00001"]
    assert cdi.doi == "10.1038/s41524-021-00644-z" and cdi.journal_ref == "npj Comput Mater 7, 175 (2021)"
    assert cdi.categories[0] == "eess.IV" and cdi.comment is None
    assert papers["2609.28534"].code_links == ("https://github.com/roos-j/lean-weakhellinger",)
    assert "$Φ$-entropy" in papers["2609.28534"].abstract


def test_a_versioned_id_gets_that_version(arxiv_server: ArxivServer, client: ArxivClient) -> None:
    paper = client.fetch_metadata([parse_id("https://arxiv.org/pdf/1706.03762v2.pdf")])["1706.03762"]
    assert paper.version == 2 and "41.0" in paper.abstract and paper.comment == "15 pages, 5 figure"
    assert [r.ids for r in arxiv_server.api_requests] == [["1706.03762v2"]]


@pytest.mark.parametrize(
    ("text", "title_start"),
    [
        ("astro-ph/0601001", None),
        ("quant-ph/0201082v1", None),
        ("2104.12255v1", "0"),
    ],
)
def test_old_style_ids_and_odd_titles(client: ArxivClient, text: str, title_start: str | None) -> None:
    wanted = parse_id(text)
    paper = client.fetch_metadata([wanted])[wanted.id]
    assert paper.arxiv_id == wanted.id and paper.title
    if title_start:
        assert paper.title == title_start


def test_an_unknown_id_is_named(client: ArxivClient) -> None:
    # arXiv answers an empty feed (recorded); the arxiv package reads that as "no results"
    with pytest.raises(StudycardsError, match=r"^arXiv does not know 0808\.05394; check the id$"):
        client.fetch_metadata([ArxivId("0808.05394")])


def test_known_and_unknown_together_names_only_the_unknown(client: ArxivClient) -> None:
    with pytest.raises(StudycardsError, match=r"does not know 0808\.05394;"):
        client.fetch_metadata([ArxivId("0808.05394"), ArxivId("1707.08567")])
    with pytest.raises(StudycardsError, match=r"does not know 2609\.99998 and 2609\.99999;"):
        client.fetch_metadata([parse_id("2609.99998"), parse_id("1706.03762"), parse_id("2609.99999")])


def test_the_legacy_feed_with_placeholder_entries(
    arxiv_server: ArxivServer,
    client: ArxivClient,
    corpus: Path,
) -> None:
    legacy = (corpus / "arxiv-api" / "legacy-2025-08_id-list_4-ids-3-missing.xml").read_bytes()
    arxiv_server.queue("api", Answer(200, legacy))
    ids = [ArxivId(i) for i in ("2201.13455", "2201.13452", "2201.13453", "2201.13454")]
    with pytest.raises(StudycardsError, match=r"does not know 2201\.13455, 2201\.13453 and 2201\.13454;"):
        client.fetch_metadata(ids)
    arxiv_server.queue("api", Answer(200, legacy))
    paper = client.fetch_metadata([ArxivId("2201.13452")])["2201.13452"]
    assert paper.title.startswith("Asymptotic Analysis for a Nonlinear Reaction-Diffusion System Modeling an")
    assert paper.abstract.startswith("In this paper we study") and "\n" not in paper.abstract


def test_an_error_feed_is_reported(client: ArxivClient) -> None:
    with pytest.raises(StudycardsError, match=r"refused the request \(HTTP 400\): incorrect id format for abc$"):
        client.fetch_metadata([ArxivId("abc")])


def test_429_backs_off_honouring_retry_after(arxiv_server: ArxivServer, net: Network) -> None:
    arxiv_server.fail(429, retry_after="4")
    arxiv_server.fail(503)
    waits: list[float] = []
    papers = ArxivClient(net, sleep=waits.append).fetch_metadata([ArxivId("1707.08567")])
    assert list(papers) == ["1707.08567"]
    assert waits == [4.0, 0.02]  # Retry-After, then the doubled back-off
    assert len(arxiv_server.api_requests) == 3


def test_retry_after_as_a_date_and_a_real_wait(arxiv_server: ArxivServer, client: ArxivClient) -> None:
    arxiv_server.fail(429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")  # in the past: retry at once
    arxiv_server.fail(429, retry_after="1")
    client.fetch_metadata([ArxivId("1707.08567")])
    first, second, third = arxiv_server.api_requests
    assert second.at - first.at < 0.5 and third.at - second.at >= 1.0


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (429, r"is limiting requests \(HTTP 429\) after 2 retries; wait a few minutes and try again$"),
        (503, r"is unavailable \(HTTP 503\) after 2 retries; try again later$"),
        (500, r"is unavailable \(HTTP 500\) after 2 retries"),
    ],
)
def test_retries_are_bounded(arxiv_server: ArxivServer, net: Network, status: int, message: str) -> None:
    arxiv_server.fail(status, times=5)
    with pytest.raises(StudycardsError, match=message):
        ArxivClient(net, sleep=lambda s: None).fetch_metadata([ArxivId("1707.08567")])
    assert len(arxiv_server.api_requests) == 3


def test_a_retry_after_beyond_the_wait_bound_gives_up_at_once(
    arxiv_server: ArxivServer,
    net: Network,
) -> None:
    arxiv_server.fail(429, retry_after="3600")
    waits: list[float] = []
    with pytest.raises(StudycardsError, match=r"asks to wait 3600 s, longer than studycards waits \(5 s\)"):
        ArxivClient(net, sleep=waits.append).fetch_metadata([ArxivId("1707.08567")])
    assert waits == []


def test_a_stalled_server_times_out(arxiv_server: ArxivServer, client: ArxivClient) -> None:
    arxiv_server.stall(10)
    started = time.monotonic()
    with pytest.raises(
        StudycardsError,
        match=r"^the arXiv API \(http://127\.0\.0\.1:\d+/api/query\) did not answer "
        r"within 1 s; try again later$",
    ):
        client.fetch_metadata([ArxivId("1707.08567")])
    assert time.monotonic() - started < 3


def test_nothing_listening(net: Network) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = Network(api_url=f"http://127.0.0.1:{port}/api/query", delay=0.0, retries=0)
    with pytest.raises(StudycardsError, match=r"^cannot reach the arXiv API \(.*\): .*refused") as caught:
        ArxivClient(closed).fetch_metadata([ArxivId("1707.08567")])
    assert "\n" not in str(caught.value)


def test_something_that_is_not_a_feed(arxiv_server: ArxivServer, client: ArxivClient) -> None:
    arxiv_server.queue("api", Answer(200, b"<html><body>Captive portal</body></html>"))
    with pytest.raises(StudycardsError, match="answered with something that is not an Atom feed"):
        client.fetch_metadata([ArxivId("1707.08567")])


def test_one_client_keeps_its_spacing_between_calls(arxiv_server: ArxivServer, net: Network) -> None:
    with ArxivClient(replace(net, delay=0.5)) as spaced:
        spaced.fetch_metadata([ArxivId("1707.08567")])
        spaced.fetch_metadata([ArxivId("1605.08386")])
    first, second = arxiv_server.api_requests
    assert second.at - first.at >= 0.45


def test_one_client_spaces_its_downloads(arxiv_server: ArxivServer, net: Network, tmp_path: Path) -> None:
    waits: list[float] = []
    with ArxivClient(replace(net, delay=60.0), sleep=waits.append) as spaced:
        spaced.download_source("0903.0179", tmp_path / "a")
        assert waits == []  # the first download does not wait
        spaced.download_source("0903.0359", tmp_path / "b")
    assert len(waits) == 1 and 59.0 < waits[0] <= 60.0
    assert [r.path for r in arxiv_server.src_requests] == ["/src/0903.0179", "/src/0903.0359"]


def test_a_client_reads_the_environment_only_when_it_talks_to_arxiv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYCARDS_ARXIV_RETRIES", "many")
    with ArxivClient() as idle:
        assert idle.fetch_metadata([]) == {}
        with pytest.raises(StudycardsError, match="STUDYCARDS_ARXIV_RETRIES must be a whole number"):
            idle.fetch_metadata([ArxivId("1707.08567")])


def test_network_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_URL", "SRC_URL", "TIMEOUT", "RETRIES", "BACKOFF", "MAX_WAIT", "DELAY"):
        monkeypatch.delenv(f"STUDYCARDS_ARXIV_{name}", raising=False)
    assert Network.from_env() == Network()
    monkeypatch.setenv("STUDYCARDS_ARXIV_DELAY", "0")
    assert Network.from_env().delay == 3.0  # never faster than arXiv's terms allow against arXiv itself
    monkeypatch.setenv("STUDYCARDS_ARXIV_API_URL", "http://localhost:9/api/query")
    monkeypatch.setenv("STUDYCARDS_ARXIV_SRC_URL", "http://localhost:9/src/")
    monkeypatch.setenv("STUDYCARDS_ARXIV_TIMEOUT", "2.5")
    net = Network.from_env()
    assert (net.api_url, net.src_url, net.timeout, net.delay) == (
        "http://localhost:9/api/query",
        "http://localhost:9/src",
        2.5,
        0.0,
    )
    monkeypatch.setenv("STUDYCARDS_ARXIV_RETRIES", "many")
    with pytest.raises(StudycardsError, match="STUDYCARDS_ARXIV_RETRIES must be a whole number"):
        Network.from_env()


# -- e-prints ---------------------------------------------------------------------------------------


def test_download_streams_into_the_cache_with_progress(
    arxiv_server: ArxivServer,
    client: ArxivClient,
    corpus: Path,
    tmp_path: Path,
) -> None:
    seen: list[tuple[int, int | None]] = []
    path = client.download_source("0903.0359v1", tmp_path / "paper", lambda done, total: seen.append((done, total)))
    expected = (corpus / "eprints" / "0903.0359.tar.gz").read_bytes()
    assert path == tmp_path / "paper" / "eprint" and path.read_bytes() == expected
    assert seen[-1] == (len(expected), len(expected))
    assert [r.path for r in arxiv_server.src_requests] == ["/src/0903.0359v1"]
    assert sorted(p.name for p in (tmp_path / "paper").iterdir()) == ["eprint"]


def test_download_of_an_old_style_id(arxiv_server: ArxivServer, client: ArxivClient, tmp_path: Path) -> None:
    arxiv_server.add_source("hep-th/9901001", b"%PDF-1.4 tiny")
    assert client.download_source("hep-th/9901001v1", tmp_path).read_bytes() == b"%PDF-1.4 tiny"
    assert arxiv_server.src_requests[0].path == "/src/hep-th/9901001v1"


def test_download_retries_a_429(arxiv_server: ArxivServer, net: Network, tmp_path: Path) -> None:
    arxiv_server.fail(429, target="src", retry_after="2")
    waits: list[float] = []
    ArxivClient(net, sleep=waits.append).download_source("0903.0179", tmp_path)
    assert waits == [2.0] and len(arxiv_server.src_requests) == 2


def test_missing_source(client: ArxivClient, tmp_path: Path) -> None:
    with pytest.raises(StudycardsError, match=r"^arXiv \(http://.*/src/2609\.28534\) answered HTTP 404$"):
        client.download_source("2609.28534", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_oversized_download_is_cut_off(
    arxiv_server: ArxivServer,
    net: Network,
    tmp_path: Path,
) -> None:
    arxiv_server.add_source("2609.28534", b"x" * 5000)
    with pytest.raises(StudycardsError, match="is 5000 bytes, over the limit of 4096"):
        ArxivClient(replace(net, max_download=4096)).download_source("2609.28534", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_download_that_stalls_midway_times_out(
    arxiv_server: ArxivServer,
    client: ArxivClient,
    tmp_path: Path,
) -> None:
    arxiv_server.queue("src", Answer(200, b"\x1f\x8b" + b"x" * 200_000, delay=10, pause_after=100_000))
    started = time.monotonic()
    with pytest.raises(StudycardsError, match=r"did not answer within 1 s; try again later$"):
        client.download_source("2609.28534", tmp_path)
    assert time.monotonic() - started < 3
    assert list(tmp_path.iterdir()) == []


def test_importing_the_paper_stage_loads_no_http_library() -> None:
    probe = (
        "import json, sys; import studycards.paper; from studycards.paper import ArxivClient; ArxivClient().close(); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {'arxiv', 'requests', 'urllib3'})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
