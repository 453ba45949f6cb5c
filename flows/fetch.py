"""Network only: fetch pages politely and reliably with httpx.

No DuckDB and no Prefect here. ``Fetcher.fetch`` never raises for a network problem: it returns a
``FetchResult`` with ``ok=False`` and a reason a person can act on.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, Self
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from flows.addresses import PeerRefused, connect_guard, private_address, uses_proxy

# charset handling lives in flows.charset; both names stay importable from here too
from flows.charset import declared_charset, decode_body

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


def _version() -> str:
    try:
        return metadata.version("newsfacts")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


DEFAULT_USER_AGENT = f"newsfacts/{_version()} (+https://github.com/newsfacts/newsfacts)"


@dataclass(frozen=True)
class FetchConfig:
    """How politely and how patiently to fetch; the ``[fetch]`` table of sources.toml."""

    timeout_s: float = 20.0  # connect timeout and read timeout (silence between two chunks)
    max_bytes: int = 5_000_000  # size cap, enforced while streaming
    retries: int = 3  # extra attempts after the first, only for retryable failures
    user_agent: str = DEFAULT_USER_AGENT
    per_host_concurrency: int = 2  # requests in flight per host, across threads
    max_redirects: int = 5
    deadline_s: float | None = None  # total time for one attempt incl. redirects; None: 3 x timeout
    backoff_s: float = 1.0  # first retry waits this long, then doubles (with jitter)
    retry_after_cap_s: float = 30.0  # a longer Retry-After is shortened to this
    obey_robots: bool = True

    @property
    def deadline(self) -> float:
        """Return the total seconds one attempt may take, redirects and body included."""
        return self.deadline_s if self.deadline_s is not None else 3 * self.timeout_s


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Attempt:
    """One try at a URL (redirect hops included): what came back and how long it took."""

    url: str  # the last URL requested in this try
    status: int | None
    error: str | None
    bytes: int
    elapsed_ms: int
    started_at: datetime


@dataclass(frozen=True)
class FetchResult:
    """What fetching one URL gave: the page and its validators, or the reason it failed."""

    url: str
    final_url: str | None
    status: int | None
    ok: bool
    error: str | None
    body: bytes | None
    text: str | None  # decoded honouring the declared charset, then a detected one
    content_type: str | None
    bytes: int
    etag: str | None
    last_modified: str | None
    content_hash: str | None  # sha256 hex of body
    elapsed_ms: int
    not_modified: bool
    attempts: int
    fetched_at: datetime
    history: tuple[Attempt, ...] = ()
    # robots.txt of the host, when this fetch was the first to need it (bodies dropped)
    robots: tuple[FetchResult, ...] = ()


@dataclass
class _Outcome:
    """The result of one try, before it becomes a FetchResult."""

    url: str
    status: int | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    size: int = 0


@dataclass(frozen=True)
class _Accept:
    """What one request takes as a body."""

    page_types_only: bool = True  # HTML and XML only (robots.txt takes any text)
    gzip: bool = False  # a gzip file too, kept compressed: discovery unpacks sitemap.xml.gz
    max_bytes: int | None = None  # None: the config's max_bytes


class _Refused(Exception):
    """Raised inside one try to end it with a reason; never leaves this module."""

    def __init__(self, reason: str, *, retryable: bool = False, status: int | None = None,
                 size: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status
        self.size = size  # body bytes received before the try ended


class _Received:
    """Body bytes received so far in one request, kept when the request ends in a failure."""

    def __init__(self) -> None:
        self.size = 0


# --------------------------------------------------------------------------- fetcher

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/xml", "application/xml"})
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
GZIP_MAGIC = b"\x1f\x8b"  # the first two bytes of every gzip file
_ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks crawlers to read at least 500 KiB
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"


def _mime(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
# whitespace, controls and the characters WHATWG forbids in a host name (':', '/', '?', '#',
# '@' and brackets never reach the host part of urlsplit's answer)
_BAD_HOST_CHAR = re.compile(r"[\s\x00-\x1f\x7f\"<>\\^`{|}%]")
_PORT = re.compile(r":([^:\]]*)$")


def url_scheme(url: str) -> str:
    """Return the lower-case scheme of a URL, '' when it has none; never raises.

    >>> url_scheme(" HTTPS://[bad/x"), url_scheme("/news/a.html"), url_scheme("mailto:a@b")
    ('https', '', 'mailto')
    """
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def url_problem(url: str) -> str | None:
    """Return why a URL cannot be requested as written, or None when its host and port are fine.

    The reasons: a bad IPv6 address in brackets, a port out of range or not a number, no host,
    a space (or another character not allowed) in the host. The scheme is not judged here.

    >>> url_problem("https://news.example:8443/a") is None
    True
    >>> url_problem("http://[bad/x.html")
    'invalid URL: bad IPv6 address in [brackets]'
    >>> url_problem("https://x.example:99999/s.xml")
    'invalid URL: port 99999 is out of range (1-65535)'
    >>> url_problem("http://")
    'invalid URL: the host is missing'
    >>> url_problem("https://exa mple.com/feed")
    "invalid URL: a space in the host 'exa mple.com'"
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError as err:  # urlsplit checks only bracketed hosts (and NFKC tricks)
        text = str(err)
        if "IPv6" in text or "IPv4" in text:
            return "invalid URL: bad IPv6 address in [brackets]"
        return f"invalid URL: {text}"
    try:
        port = parts.port
    except ValueError:
        port = None
        given = _PORT.search(parts.netloc.rpartition("@")[2])
        value = given.group(1) if given else "?"
        if value.isdigit():
            return f"invalid URL: port {value} is out of range (1-65535)"
        return f"invalid URL: port {value!r} is not a number"
    if port == 0:
        return "invalid URL: port 0 is out of range (1-65535)"
    if not host:
        return "invalid URL: the host is missing"
    bad = _BAD_HOST_CHAR.search(host)
    if bad:
        what = "a space" if bad.group().isspace() else f"the character {bad.group()!r}"
        return f"invalid URL: {what} in the host {host!r}"
    return None


def is_page_type(content_type: str | None) -> bool:
    """Return True for HTML and XML media types (feeds and sitemaps are XML)."""
    mime = _mime(content_type)
    return mime is not None and (mime in _PAGE_TYPES or mime.endswith("+xml"))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks to wait (delta or HTTP date), or None.

    >>> parse_retry_after("2"), parse_retry_after("soon")
    (2.0, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """Fetch pages politely: one httpx client, robots.txt per host, a few requests per host.

    Safe to share between threads. Use as a context manager, or call ``close()``.
    ``allow_private`` lets URLs resolve to loopback/private addresses; ``allow_hosts`` names hosts
    allowed to do so even when ``allow_private`` is False (an intranet mirror, a test server).
    ``on_result`` is called with every FetchResult (from any thread) before ``fetch`` returns it,
    and with the result of every robots.txt request too.
    """

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        allow_private: bool = False,
        allow_hosts: Iterable[str] = (),
        on_result: Callable[[FetchResult], None] | None = None,
    ) -> None:
        self.config = config or FetchConfig()
        self.on_result = on_result  # sees every result, e.g. to record a fetches row; thread-safe
        self.allow_private = allow_private
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self._client = httpx.Client(
            headers={"User-Agent": self.config.user_agent, "Accept": _ACCEPT},
            follow_redirects=False,  # followed by hand: every hop is checked
            timeout=self.config.timeout_s,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._robots: dict[str, RobotFileParser | str | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._next_start: dict[str, float] = {}  # Crawl-delay: when a host may be asked again
        self._local = threading.local()  # robots.txt results made during this thread's fetch

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # ------------------------------------------------------------------ public

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_gzip: bool = False,
    ) -> FetchResult:
        """Return the page at ``url``, retrying only timeouts, connection errors, 429 and 5xx.

        Never raises for a network problem: a failure is ``ok=False`` with ``error`` saying why.
        With ``etag``/``last_modified`` the request is conditional; a 304 gives ``not_modified``.
        With ``allow_gzip`` a gzip file (sent as application/gzip or application/x-gzip, or a
        ``.gz`` URL whose body starts with the gzip magic bytes) is accepted too, its body kept
        compressed (``text`` is None): the caller unpacks it within its own cap.
        """
        fetched_at = datetime.now(UTC)
        started = time.monotonic()
        accept = _Accept(gzip=allow_gzip)
        self._local.robots = robots = []
        try:
            outcome, history = self._with_retries(
                url, lambda: self._try(url, etag=etag, last_modified=last_modified, accept=accept)
            )
        finally:
            self._local.robots = None
        result = self._result(url, outcome, fetched_at, started, history, robots=tuple(robots))
        if self.on_result is not None:
            self.on_result(result)
        return result

    def robots_allows(self, url: str) -> str | None:
        """Return None when robots.txt of the URL's host allows it, else the refusal reason."""
        origin = self._origin(url)
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one robots.txt request per host, however many threads ask
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if rules is None:
            return None
        if isinstance(rules, str):
            return rules
        if rules.can_fetch(self.config.user_agent, url):
            return None
        return "disallowed by robots.txt"

    # ------------------------------------------------------------------ one try

    def _try(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        robots: bool = True,
        accept: _Accept = _Accept(),
    ) -> _Outcome:
        """Return the outcome of one try at ``url``, following redirects by hand."""
        deadline = time.monotonic() + self.config.deadline
        current = url
        seen = {self._loop_key(url)}
        try:
            for _ in range(self.config.max_redirects + 1):
                paused = time.monotonic()
                self._check_url(current, robots=robots)
                with self._slot(current):
                    if robots and self.config.obey_robots:
                        self._pace(current)
                    # DNS, robots.txt, a free slot on a busy host and Crawl-delay are not this
                    # page's slowness: the deadline counts the page's own requests only
                    deadline += time.monotonic() - paused
                    response = self._request(current, etag, last_modified, deadline, accept)
                if isinstance(response, _Outcome):
                    return response
                try:
                    target = urljoin(current, response)
                except ValueError:  # a malformed Location: the next hop's check says why
                    target = response
                if self._loop_key(target) in seen:
                    raise _Refused("redirect loop", status=None)
                seen.add(self._loop_key(target))
                current = target
            raise _Refused(f"too many redirects: more than {self.config.max_redirects}")
        except _Refused as refused:
            return _Outcome(url=current, status=refused.status, error=refused.reason,
                            retryable=refused.retryable, size=refused.size)

    @staticmethod
    def _loop_key(url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError:  # malformed: _check_url refuses it with the reason
            return url
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                           parts.query, ""))

    def _check_url(self, url: str, *, robots: bool) -> None:
        """Raise _Refused when the URL may not be fetched: scheme, malformed host or port,
        private address, robots.txt."""
        scheme = url_scheme(url)
        if scheme not in ("http", "https"):
            raise _Refused(f"refused: only http and https are fetched, not {scheme or '?'}:")
        problem = url_problem(url)
        if problem:
            raise _Refused(problem)
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        if not self.allow_private and host.lower() not in self.allow_hosts:
            try:
                private = private_address(host, port)
            except (socket.gaierror, UnicodeError) as err:
                # EAI_AGAIN is a temporary DNS failure; a name that does not exist stays so
                temporary = isinstance(err, socket.gaierror) and err.errno == socket.EAI_AGAIN
                raise _Refused(f"DNS lookup failed for {host}: {err}", retryable=temporary) from None
            if private:
                raise _Refused(
                    f"refused: resolves to private address {private}"
                    f" (allow_hosts = [\"{host.lower()}\"] or allow_private = true for this"
                    " source allows it)"
                )
        if robots and self.config.obey_robots:
            reason = self.robots_allows(url)
            if reason:
                raise _Refused(reason)

    def _pace(self, url: str) -> None:
        """Wait until the host's robots.txt Crawl-delay since the last request has passed."""
        origin = self._origin(url)
        rules = self._robots.get(origin)
        if not isinstance(rules, RobotFileParser):
            return
        delay = rules.crawl_delay(self.config.user_agent)
        if not delay:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(origin, now))
            self._next_start[origin] = start + min(float(delay), self.config.retry_after_cap_s)
        time.sleep(start - now)

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.config.per_host_concurrency)
            return self._slots[host]

    def _guard(self, url: str) -> dict[str, Any]:
        """Return the request extensions that refuse a connection to a private address.

        The name was checked before (``_check_url``), but the address httpx connects to comes
        from another lookup, which may answer differently (DNS rebinding): the peer of every new
        connection is checked too, before anything is sent. Through a proxy the peer is the
        proxy, so there only the name check holds.
        """
        host = (urlsplit(url).hostname or "").lower()
        if self.allow_private or host in self.allow_hosts or uses_proxy(url):
            return {}
        return {"trace": connect_guard()}

    def _request(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        deadline: float,
        accept: _Accept,
    ) -> _Outcome | str:
        """Return the outcome of one GET, or the Location of a redirect to follow."""
        cfg = self.config
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Refused(f"timeout after {cfg.deadline:g} s (total deadline)", retryable=True)
        timeout = httpx.Timeout(min(cfg.timeout_s, remaining), pool=remaining)
        received = _Received()  # a failed try still reports the body bytes that came
        try:
            with self._client.stream("GET", url, headers=headers, timeout=timeout,
                                     extensions=self._guard(url)) as response:
                return self._read(url, response, deadline, accept, received)
        except _Refused as refused:
            refused.size = received.size
            raise
        except PeerRefused as refused:
            raise _Refused(refused.reason) from None
        except httpx.ConnectTimeout:
            raise _Refused(f"timeout after {cfg.timeout_s:g} s (connect)", retryable=True) from None
        except httpx.TimeoutException:
            raise _Refused(f"timeout after {cfg.timeout_s:g} s (no data)", retryable=True,
                           size=received.size) from None
        except httpx.ConnectError as err:
            raise _Refused(f"connection failed: {_plain(err)}", retryable=True) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as err:
            raise _Refused(f"invalid URL: {_plain(err)}") from None
        except httpx.DecodingError as err:
            raise _Refused(f"cannot decode the response: {_plain(err)}",
                           size=received.size) from None
        except (httpx.TransportError, httpx.StreamError) as err:
            raise _Refused(f"connection broken: {_plain(err)}", retryable=True,
                           size=received.size) from None
        except httpx.HTTPError as err:  # anything else httpx reports is not worth retrying
            raise _Refused(f"request failed: {_plain(err)}", size=received.size) from None

    def _read(
        self,
        url: str,
        response: httpx.Response,
        deadline: float,
        accept: _Accept,
        received: _Received,
    ) -> _Outcome | str:
        status = response.status_code
        if status in _REDIRECTS and response.headers.get("location"):
            return response.headers["location"]
        validators = {
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        if status == 304:
            return _Outcome(url=url, status=status, not_modified=True, **validators)
        cap = accept.max_bytes or self.config.max_bytes
        if not 200 <= status < 300:
            retryable = status == 429 or status >= 500
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            _drain(response, cap, deadline, received)
            return _Outcome(url=url, status=status, error=f"HTTP {status}", retryable=retryable,
                            retry_after=retry_after if retryable else None, size=received.size)
        content_type = response.headers.get("content-type")
        mime = _mime(content_type)
        # a .gz URL is often sent as application/octet-stream: its magic bytes decide below
        gzip = accept.gzip and (mime in _GZIP_TYPES or urlsplit(url).path.lower().endswith(".gz"))
        page_types_only = accept.page_types_only
        if page_types_only and content_type and not is_page_type(content_type) and not gzip:
            raise _Refused(f"not HTML or XML: {mime}", status=status)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Refused(f"too large: over {cap} bytes (Content-Length {declared})",
                           status=status)
        chunks: list[bytes] = []
        for chunk in response.iter_bytes():
            received.size += len(chunk)
            if received.size > cap:
                raise _Refused(f"too large: over {cap} bytes", status=status)
            if time.monotonic() > deadline:
                raise _Refused(f"timeout after {self.config.deadline:g} s (total deadline)",
                               retryable=True, status=status)
            chunks.append(chunk)
        body = b"".join(chunks)
        size = received.size
        if gzip and body.startswith(GZIP_MAGIC):
            return _Outcome(url=url, status=status, body=body, content_type=content_type,
                            size=size, **validators)
        if page_types_only:
            if content_type and not is_page_type(content_type):  # only a .gz or gzip type
                raise _Refused(f"not gzip, HTML or XML: {mime} without gzip magic bytes",
                               status=status)
            if b"\x00" in body[:1024]:
                raise _Refused(f"not HTML or XML: binary content (sent as {_mime(content_type)})",
                               status=status)
            if not content_type and not body.lstrip()[:1] == b"<":
                raise _Refused("not HTML or XML: no content type and no markup", status=status)
        return _Outcome(url=url, status=status, body=body, content_type=content_type, size=size,
                        **validators)

    # ------------------------------------------------------------------ helpers

    def _with_retries(
        self, url: str, attempt_once: Callable[[], _Outcome]
    ) -> tuple[_Outcome, tuple[Attempt, ...]]:
        """Return the last outcome of up to 1 + retries tries, and every try made."""
        history: list[Attempt] = []
        for attempt in range(1, self.config.retries + 2):
            started_at, clock = datetime.now(UTC), time.monotonic()
            outcome = attempt_once()
            history.append(Attempt(
                url=outcome.url, status=outcome.status, error=outcome.error, bytes=outcome.size,
                elapsed_ms=round((time.monotonic() - clock) * 1000), started_at=started_at,
            ))
            if not outcome.retryable or attempt > self.config.retries:
                break
            wait = self._wait_before(attempt, outcome.retry_after)
            logger.info("retrying %s in %.2f s after: %s", url, wait, outcome.error)
            time.sleep(wait)
        return outcome, tuple(history)

    def _wait_before(self, attempt: int, retry_after: float | None) -> float:
        cfg = self.config
        if retry_after is not None:
            return min(retry_after, cfg.retry_after_cap_s)
        # exponential backoff with jitter so parallel retries do not arrive together
        return min(cfg.backoff_s * 2 ** (attempt - 1) * random.uniform(0.75, 1.25),
                   cfg.retry_after_cap_s)

    def _load_robots(self, origin: str) -> RobotFileParser | str | None:
        """Return the parsed robots.txt, None (no rules: all allowed), or a refusal reason."""
        url = f"{origin}/robots.txt"
        fetched_at, started = datetime.now(UTC), time.monotonic()
        # retried like a page: one glitch must not shut a host out for the whole run
        outcome, history = self._with_retries(url, lambda: self._try(
            url, robots=False, accept=_Accept(page_types_only=False, max_bytes=_ROBOTS_MAX_BYTES)
        ))
        self._note_robots(self._result(url, outcome, fetched_at, started, history))
        # RFC 9309: 4xx means no rules; a server error or no answer means stay away for now
        if outcome.status is not None and 400 <= outcome.status < 500:
            return None
        if outcome.error and outcome.error.startswith("too large"):
            return None  # no site needs half a megabyte of rules; treat it as none
        if outcome.error or outcome.body is None:
            return f"disallowed: robots.txt unreachable ({outcome.error})"
        rules = RobotFileParser()
        rules.parse(decode_body(outcome.body, outcome.content_type).splitlines())
        return rules

    def _note_robots(self, result: FetchResult) -> None:
        """Hand a robots.txt request to on_result and to the fetch that needed it: an attempt
        like any other, so it gets its `fetches` rows."""
        if self.on_result is not None:
            self.on_result(result)
        pending = getattr(self._local, "robots", None)
        if pending is not None:
            pending.append(replace(result, body=None, text=None))

    def _result(
        self, url: str, outcome: _Outcome, fetched_at: datetime, started: float,
        history: tuple[Attempt, ...], robots: tuple[FetchResult, ...] = (),
    ) -> FetchResult:
        body = outcome.body if outcome.error is None else None
        # a gzip body (accepted with allow_gzip only) has no text until it is unpacked
        text = None if body is None or body.startswith(GZIP_MAGIC) else decode_body(
            body, outcome.content_type
        )
        return FetchResult(
            url=url,
            final_url=outcome.url,
            status=outcome.status,
            ok=outcome.error is None,
            error=outcome.error,
            body=body,
            text=text,
            content_type=outcome.content_type,
            bytes=outcome.size,
            etag=outcome.etag,
            last_modified=outcome.last_modified,
            content_hash=hashlib.sha256(body).hexdigest() if body is not None else None,
            elapsed_ms=round((time.monotonic() - started) * 1000),
            not_modified=outcome.not_modified,
            attempts=len(history),
            fetched_at=fetched_at,
            history=history,
            robots=robots,
        )


def _drain(response: httpx.Response, cap: int, deadline: float, received: _Received) -> None:
    """Read and drop an error page's body (up to the cap and the deadline), counting its bytes."""
    try:
        for chunk in response.iter_bytes():
            received.size += len(chunk)
            if received.size > cap or time.monotonic() > deadline:
                break
    except httpx.HTTPError:
        pass  # the status says what went wrong; a broken error page adds nothing to it


def _plain(err: Exception) -> str:
    """Return an exception's message without httpx's noise, or its class name when empty."""
    return str(err).strip() or type(err).__name__


__all__ = [
    "DEFAULT_USER_AGENT",
    "GZIP_MAGIC",
    "Attempt",
    "FetchConfig",
    "FetchResult",
    "Fetcher",
    "declared_charset",
    "decode_body",
    "is_page_type",
    "parse_retry_after",
    "private_address",
    "url_problem",
    "url_scheme",
]
