"""How studycards talks HTTP to arXiv: where it is, how patiently to wait, and what to say when it fails.

Every request has a timeout; 429 and 5xx answers are retried with a doubling
back-off (honouring ``Retry-After``, within a bounded total wait); any failure
ends as one line a user can act on.  Settings come from the environment:

    STUDYCARDS_ARXIV_API_URL   API endpoint (default https://export.arxiv.org/api/query)
    STUDYCARDS_ARXIV_SRC_URL   e-print base; ``{base}/{id}`` is fetched (default https://arxiv.org/src)
    STUDYCARDS_ARXIV_TIMEOUT   seconds to wait for an answer (default 30)
    STUDYCARDS_ARXIV_RETRIES   retries after a 429 or 5xx answer (default 3)
    STUDYCARDS_ARXIV_BACKOFF   first back-off in seconds, doubled each retry (default 3)
    STUDYCARDS_ARXIV_MAX_WAIT  most seconds spent backing off per request (default 120)
    STUDYCARDS_ARXIV_DELAY     seconds between requests; never below 3 against arXiv itself
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from studycards import __version__
from studycards.errors import StudycardsError

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_SRC_URL = "https://arxiv.org/src"
ARXIV_DELAY = 3.0
MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
MAX_API_BYTES = 20 * 1024 * 1024  # a page of 100 entries is about 300 KB
CHUNK = 64 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"studycards/{__version__}"

T = TypeVar("T")

# -- settings --------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """Where arXiv is and how patiently to talk to it; :meth:`from_env` reads the environment."""

    api_url: str = DEFAULT_API_URL
    src_url: str = DEFAULT_SRC_URL
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 3.0
    max_wait: float = 120.0
    delay: float = ARXIV_DELAY
    max_download: int = MAX_DOWNLOAD_BYTES

    @classmethod
    def from_env(cls) -> Network:
        env = os.environ
        net = cls(
            api_url=env.get("STUDYCARDS_ARXIV_API_URL") or DEFAULT_API_URL,
            src_url=(env.get("STUDYCARDS_ARXIV_SRC_URL") or DEFAULT_SRC_URL).rstrip("/"),
            timeout=_seconds("STUDYCARDS_ARXIV_TIMEOUT", 30.0, above_zero=True),
            retries=_count("STUDYCARDS_ARXIV_RETRIES", 3),
            backoff=_seconds("STUDYCARDS_ARXIV_BACKOFF", 3.0),
            max_wait=_seconds("STUDYCARDS_ARXIV_MAX_WAIT", 120.0),
            delay=_seconds("STUDYCARDS_ARXIV_DELAY", ARXIV_DELAY),
        )
        if net.api_url == DEFAULT_API_URL and net.delay < ARXIV_DELAY:
            net = replace(net, delay=ARXIV_DELAY)  # arXiv's terms of use: one request every three seconds
        return net


MAX_SECONDS = 24 * 3600.0
MAX_RETRIES = 100


def _seconds(name: str, default: float, *, above_zero: bool = False) -> float:
    """A number of seconds from the environment: finite (``nan`` and ``inf`` would undo every bound), at most a day."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    low = "more than 0" if above_zero else "0 or more"
    if not (math.isfinite(value) and (value > 0 if above_zero else value >= 0) and value <= MAX_SECONDS):
        raise StudycardsError(f"{name} must be a number of seconds, {low} and at most {MAX_SECONDS:g}, not {raw!r}")
    return value


def _count(name: str, default: int) -> int:
    """A whole number of times from the environment, from 0 to :data:`MAX_RETRIES`."""
    raw = os.environ.get(name)
    if not raw:
        return default
    if not raw.strip().isdigit() or int(raw) > MAX_RETRIES:
        raise StudycardsError(f"{name} must be a whole number from 0 to {MAX_RETRIES}, not {raw!r}")
    return int(raw)


# -- requests and retries ----------------------------------------------------------------


def import_keeping_ctrl_c(name: str) -> Any:
    """``importlib.import_module(name)``, with a Ctrl-C pressed meanwhile acted on after it instead of lost.

    The ``arxiv`` library imports ``lxml.etree``, whose module set-up swallows a
    KeyboardInterrupt raised inside it: a Ctrl-C pressed then (just as "Waiting for
    the arXiv API" appears) vanished, and fetch went on to wait out a stalled arXiv.
    So the press is only noted during the import and raised again once it is done.
    """
    import importlib
    import signal
    import sys
    import threading

    if name in sys.modules or threading.current_thread() is not threading.main_thread():
        return importlib.import_module(name)  # nothing to set up, or no signal handler to change
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        module = importlib.import_module(name)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
        if pressed:
            signal.raise_signal(signal.SIGINT)  # now handled as usual: KeyboardInterrupt, or whatever was set
    return module


class HttpStatus(Exception):
    """A non-200 answer, with what is needed to decide whether (and when) to retry."""

    def __init__(self, status: int, retry_after: str | None, body: bytes = b"") -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after
        self.body = body


class CutOff(Exception):
    """The server closed the connection before the whole answer came: worth saying so, not "cannot reach"."""


def timeout_session(timeout: float, max_answer: int = MAX_API_BYTES) -> Any:
    """A ``requests`` session that always sets a timeout and keeps its last response (the ``arxiv`` client hides it).

    An answer not asked to stream is read here, within ``timeout`` seconds for the
    whole of it and at most ``max_answer`` bytes: requests alone would wait on a
    server dribbling a byte at a time, and hold any size of answer in memory.
    """
    import requests

    class TimeoutSession(requests.Session):
        """The ``arxiv`` client calls ``get`` without a timeout; this one always has one."""

        last_response: Any = None

        def request(self, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout
            if kwargs.get("stream"):
                return super().request(*args, **kwargs)
            started = time.monotonic()
            response = super().request(*args, **{**kwargs, "stream": True})
            with response:
                chunks = read_chunks(response.raw, started + timeout, max_answer, decode=True)
                response._content = b"".join(chunks)
            return response

    session = TimeoutSession()
    session.headers["User-Agent"] = USER_AGENT

    def remember(response: Any, *args: Any, **kwargs: Any) -> None:
        session.last_response = response

    session.hooks["response"].append(remember)
    return session


def read_chunks(raw: Any, deadline: float, limit: int, *, decode: bool) -> Any:
    """The body as it arrives, each read returning what one ``recv`` got, so ``deadline`` is checked that often.

    Raises :class:`Overdue` past the deadline, :class:`TooLarge` past ``limit``
    bytes and :class:`CutOff` when the connection ends early.
    """
    import requests
    import urllib3

    done = 0
    while True:
        if time.monotonic() > deadline:
            raise Overdue(deadline)
        try:
            chunk = raw.read1(CHUNK, decode_content=decode)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.Timeout(str(exc)) from None
        except urllib3.exceptions.ProtocolError as exc:
            raise CutOff(done) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from None
        if not chunk:
            return
        done += len(chunk)
        if done > limit:
            raise TooLarge(limit)
        yield chunk


class Overdue(Exception):
    """The whole answer did not come within its deadline (each read may still have been quick)."""


class TooLarge(Exception):
    """An answer over its bound: the caller names what and how much."""


@dataclass(frozen=True)
class Wait:
    """What a request is waiting on, for a progress display: an answer (``seconds`` None) or a back-off.

    The network code never prints; a command that wants to show the wait passes a :data:`WaitFn`.
    """

    what: str  # "the arXiv API (https://…)", as the error messages name it
    seconds: float | None = None  # the back-off before the next attempt
    status: int | None = None  # the HTTP status that asked for the back-off
    attempt: int = 0  # retries made so far (the back-off precedes retry ``attempt``)
    retries: int = 0  # retries allowed


WaitFn = Callable[[Wait], None]


def with_retries(
    call: Callable[[], T], net: Network, what: str, sleep: Callable[[float], None], on_wait: WaitFn | None = None
) -> T:
    """``call()``, again after a 429 or 5xx within ``net``'s bounds; every failure becomes one line naming ``what``.

    ``on_wait`` hears of each attempt before it starts and of each back-off before it is slept.
    """
    import requests

    waited = 0.0
    attempt = 0
    while True:
        try:
            if on_wait:
                on_wait(Wait(what, attempt=attempt, retries=net.retries))
            return call()
        except HttpStatus as exc:
            if exc.status not in RETRY_STATUSES or attempt >= net.retries:
                raise StudycardsError(_status_message(what, exc, attempt)) from None
            wait = _retry_after(exc.retry_after)
            wait = net.backoff * 2**attempt if wait is None else wait
            if waited + wait > net.max_wait:
                raise StudycardsError(
                    f"{what} answered HTTP {exc.status} and asks to wait {wait:.0f} s, longer than studycards "
                    f"waits ({net.max_wait:.0f} s); try again later"
                ) from None
            if on_wait:
                on_wait(Wait(what, wait, exc.status, attempt + 1, net.retries))
            sleep(wait)
            waited += wait
            attempt += 1
        except requests.exceptions.Timeout:
            raise StudycardsError(f"{what} did not answer within {net.timeout:g} s; try again later") from None
        except Overdue:
            late = f"{what} did not send its whole answer within {net.timeout:g} s; try again later"
            raise StudycardsError(late) from None
        except CutOff:
            raise StudycardsError(f"{what} closed the connection before the answer was complete; try again") from None
        except TooLarge as exc:
            raise StudycardsError(f"{what} sent an answer over the limit of {exc.args[0]} bytes; refused") from None
        except requests.exceptions.RequestException as exc:
            if "timed out" in str(exc):
                raise StudycardsError(f"{what} did not answer within {net.timeout:g} s; try again later") from None
            raise StudycardsError(f"cannot reach {what}: {_reason(exc)}") from None


def _status_message(what: str, exc: HttpStatus, retries: int) -> str:
    after = f" after {retries} retries" if retries else ""
    if exc.status == 429:
        return f"{what} is limiting requests (HTTP 429){after}; wait a few minutes and try again"
    if exc.status >= 500:
        return f"{what} is unavailable (HTTP {exc.status}){after}; try again later"
    detail = re.search(rb"<summary>(.*?)</summary>", exc.body, re.DOTALL)
    if detail:
        return f"{what} refused the request (HTTP {exc.status}): {detail.group(1).decode('utf-8', 'replace').strip()}"
    return f"{what} answered HTTP {exc.status}"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # ~10 ms at start-up, needed only for a dated Retry-After

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _reason(exc: Exception) -> str:
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text) or re.search(r"(Failed to resolve [^(]+?)\s*\(", text)
    if found:
        return found.group(1).strip()
    return text.splitlines()[0][:200] if text else exc.__class__.__name__
