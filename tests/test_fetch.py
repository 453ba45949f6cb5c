"""Fetching against a real HTTP server on 127.0.0.1: good pages load, every fault has its reason.

The test site is on a loopback address, which the fetcher refuses by default: tests that load it
pass ``allow_private=True`` (or ``allow_hosts``), and the refusal itself is tested without them.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from typing import Any

import httpx
import pytest
from webserver import (
    BAD_IPV6_LINK,
    BOMB_SIZE,
    ERROR_PAGE_500,
    LAST_MODIFIED,
    ROBOTS,
    NewsSite,
    article_html,
    gzip_bomb,
)

from flows.addresses import peer_refusal, uses_proxy
from flows.charset import declared_charset, decode_body
from flows.fetch import (
    FetchConfig,
    Fetcher,
    FetchResult,
    is_page_type,
    parse_retry_after,
    private_address,
    url_problem,
)

# small timeouts keep the whole file quick; backoff small, Retry-After honoured up to 2 s
FAST = FetchConfig(timeout_s=0.5, deadline_s=1.5, retries=1, backoff_s=0.05, max_bytes=200_000,
                   retry_after_cap_s=2.0, max_redirects=5)


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST, allow_private=True) as client:
        yield client


# --------------------------------------------------------------------------- good pages


@pytest.mark.parametrize("slug", ["budget-2024", "jobs-report", "harbour-traffic"])
def test_good_pages_load_with_validators_and_hash(
    site: NewsSite, fetcher: Fetcher, slug: str
) -> None:
    url = site.url(f"/news/{slug}.html")
    result = fetcher.fetch(url)
    body = article_html(slug)
    assert (result.ok, result.error, result.status, result.attempts) == (True, None, 200, 1)
    assert result.body == body and result.bytes == len(body)
    assert result.text == body.decode("utf-8")
    assert result.content_hash == hashlib.sha256(body).hexdigest()
    assert result.final_url == url and result.url == url
    assert result.etag and result.last_modified == LAST_MODIFIED
    assert result.content_type == "text/html; charset=utf-8"
    assert not result.not_modified
    assert result.fetched_at.tzinfo is UTC and result.elapsed_ms >= 0
    assert [a.status for a in result.history] == [200]


def test_sends_the_configured_user_agent(site: NewsSite, fetcher: Fetcher) -> None:
    fetcher.fetch(site.url("/news/jobs-report.html"))
    assert site.headers["/news/jobs-report.html"][-1]["User-Agent"] == FAST.user_agent
    assert FetchConfig().user_agent.startswith("newsfacts/")


def test_conditional_get_gives_not_modified(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.url("/news/budget-2024.html")
    first = fetcher.fetch(url)
    again = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert (again.ok, again.status, again.not_modified, again.body, again.text) == (
        True, 304, True, None, None,
    )
    sent = site.headers["/news/budget-2024.html"][-1]
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified
    by_date = fetcher.fetch(url, last_modified=first.last_modified)
    assert by_date.not_modified and by_date.status == 304
    stale = fetcher.fetch(url, etag='"something-else"')
    assert stale.status == 200 and stale.body == first.body and not stale.not_modified


def test_redirects_are_followed(site: NewsSite, fetcher: Fetcher) -> None:
    result = fetcher.fetch(site.url("/fault/chain/3"))
    assert result.ok and result.final_url == site.url("/news/jobs-report.html")
    assert result.body == article_html("jobs-report")


# --------------------------------------------------------------------------- faults

FAULTS = [
    pytest.param("/fault/500", "HTTP 500", 500, 2, id="500-retried"),
    pytest.param("/fault/404", "HTTP 404", 404, 1, id="404-not-retried"),
    pytest.param("/fault/hang", "timeout after 0.5 s (no data)", None, 2, id="hang"),
    pytest.param("/fault/endless", "too large: over 200000 bytes", 200, 1, id="endless-body"),
    pytest.param("/fault/big-declared", "too large: over 200000 bytes (Content-Length 999999999)",
                 200, 1, id="declared-too-large"),
    pytest.param("/fault/loop-a", "redirect loop", None, 1, id="redirect-loop"),
    pytest.param("/fault/chain/9", "too many redirects: more than 5", None, 1, id="long-chain"),
    pytest.param("/fault/image.png", "not HTML or XML: image/png", 200, 1, id="png"),
    pytest.param("/fault/png-as-html", "not HTML or XML: binary content (sent as text/html)", 200,
                 1, id="png-sent-as-html"),
    pytest.param("/fault/to-private", "refused: resolves to private address 10.0.0.1", None, 1,
                 id="redirect-to-private"),
    pytest.param("/members/members-only.html", "disallowed by robots.txt", None, 1,
                 id="robots-disallowed"),
    pytest.param("/fault/to-bad-url", "invalid URL: bad IPv6 address in [brackets]", None, 1,
                 id="redirect-to-malformed-url"),
    pytest.param("/fault/429", "HTTP 429", 429, 2, id="429-retried"),
]


@pytest.mark.parametrize(("path", "reason", "status", "attempts"), FAULTS)
def test_each_fault_ends_as_a_result_with_its_reason(
    site: NewsSite, path: str, reason: str, status: int | None, attempts: int
) -> None:
    # allow_hosts, not allow_private: the site is allowed, the private 10.0.0.1 hop is not
    with Fetcher(FAST, allow_hosts={"127.0.0.1"}) as fetcher:
        result = fetcher.fetch(site.url(path))
    assert not result.ok
    assert result.error is not None and result.error.startswith(reason), result.error
    assert (result.status, result.attempts) == (status, attempts)
    assert result.body is None and result.text is None and result.content_hash is None
    assert len(result.history) == attempts


MALFORMED = [
    pytest.param(BAD_IPV6_LINK, "invalid URL: bad IPv6 address in [brackets]", id="bad-ipv6"),
    pytest.param("http://[bad]/x", "invalid URL: bad IPv6 address in [brackets]",
                 id="not-an-address-in-brackets"),
    pytest.param("https://x.example:99999/s.xml",
                 "invalid URL: port 99999 is out of range (1-65535)", id="port-out-of-range"),
    pytest.param("http://x.example:abc/", "invalid URL: port 'abc' is not a number",
                 id="port-not-a-number"),
    pytest.param("https://exa mple.com/feed", "invalid URL: a space in the host 'exa mple.com'",
                 id="space-in-host"),
    pytest.param("http://", "invalid URL: the host is missing", id="no-host"),
    pytest.param("http://user@/x", "invalid URL: the host is missing", id="only-user"),
]


@pytest.mark.parametrize(("url", "reason"), MALFORMED)
def test_a_malformed_url_is_a_result_with_its_reason_not_an_exception(
    fetcher: Fetcher, url: str, reason: str
) -> None:
    assert url_problem(url) == reason
    result = fetcher.fetch(url)
    assert (result.ok, result.error, result.status, result.attempts) == (False, reason, None, 1)
    assert result.url == url and result.bytes == 0


def test_bytes_received_are_counted_on_failures_too(site: NewsSite, fetcher: Fetcher) -> None:
    server_error = fetcher.fetch(site.url("/fault/500"))  # retried once: two bodies received
    assert server_error.error == "HTTP 500" and server_error.bytes == len(ERROR_PAGE_500)
    assert [a.bytes for a in server_error.history] == [len(ERROR_PAGE_500)] * 2
    assert fetcher.fetch(site.url("/fault/404")).bytes == len(b"<h1>Not found</h1>")
    endless = fetcher.fetch(site.url("/fault/endless"))
    assert endless.error == f"too large: over {FAST.max_bytes} bytes"
    assert endless.bytes > FAST.max_bytes  # the chunk that went over the cap counts too
    assert endless.body is None
    declared = fetcher.fetch(site.url("/fault/big-declared"))  # refused before any body
    assert declared.error is not None and declared.bytes == 0


def test_slow_drip_hits_the_total_deadline(site: NewsSite) -> None:
    config = FetchConfig(timeout_s=0.5, deadline_s=0.8, retries=0)
    with Fetcher(config, allow_private=True) as fetcher:
        result = fetcher.fetch(site.url("/fault/drip"))
    assert not result.ok and result.error == "timeout after 0.8 s (total deadline)"


def test_retries_only_retryable_failures(site: NewsSite) -> None:
    config = FetchConfig(timeout_s=0.5, retries=3, backoff_s=0.01)
    before_500, before_404 = site.hits["/fault/500"], site.hits["/fault/404"]
    with Fetcher(config, allow_private=True) as fetcher:
        assert fetcher.fetch(site.url("/fault/500")).attempts == 4
        assert fetcher.fetch(site.url("/fault/404")).attempts == 1
    assert site.hits["/fault/500"] - before_500 == 4
    assert site.hits["/fault/404"] - before_404 == 1


def test_server_error_once_then_success(site: NewsSite, fetcher: Fetcher) -> None:
    path = f"/fault/500-once/{uuid.uuid4().hex}"
    result = fetcher.fetch(site.url(path))
    assert result.ok and result.attempts == 2
    assert [a.status for a in result.history] == [500, 200]
    assert result.history[0].error == "HTTP 500"


def test_retry_after_is_honoured(site: NewsSite, fetcher: Fetcher) -> None:
    path = f"/fault/once/{uuid.uuid4().hex}"
    result = fetcher.fetch(site.url(path))
    assert result.ok and result.attempts == 2 and site.hits[path] == 2
    first, second = site.times[path]
    assert second - first >= 0.9  # the server asked for 1 s (Retry-After: 1)


def test_429_with_retry_after_is_retried_after_the_wait(site: NewsSite, fetcher: Fetcher) -> None:
    path = f"/fault/429-once/{uuid.uuid4().hex}"
    result = fetcher.fetch(site.url(path))
    assert result.ok and result.attempts == 2 and site.hits[path] == 2
    assert [(a.status, a.error) for a in result.history] == [(429, "HTTP 429"), (200, None)]
    first, second = site.times[path]
    assert second - first >= 0.9  # the server asked for 1 s (Retry-After: 1)


def test_429_that_persists_ends_as_a_failure_after_the_retries(site: NewsSite) -> None:
    config = FetchConfig(timeout_s=0.5, retries=2, backoff_s=0.01, retry_after_cap_s=2.0)
    before = len(site.times["/fault/429"])
    with Fetcher(config, allow_private=True) as fetcher:
        result = fetcher.fetch(site.url("/fault/429"))
    assert (result.ok, result.error, result.status, result.attempts) == (False, "HTTP 429", 429, 3)
    assert [(a.status, a.error) for a in result.history] == [(429, "HTTP 429")] * 3
    assert all(a.bytes == len(b"<h1>Slow down</h1>") for a in result.history)
    times = site.times["/fault/429"][before:]
    assert len(times) == 3
    assert all(later - earlier >= 0.9 for earlier, later in pairwise(times))


def test_429_without_retry_after_backs_off_and_a_long_one_is_capped(site: NewsSite) -> None:
    config = FetchConfig(timeout_s=0.5, retries=1, backoff_s=0.05, retry_after_cap_s=0.3)
    before_bare, before_long = len(site.times["/fault/429-bare"]), len(site.times["/fault/429"])
    with Fetcher(config, allow_private=True) as fetcher:
        bare = fetcher.fetch(site.url("/fault/429-bare"))
        capped = fetcher.fetch(site.url("/fault/429"))  # asks for 1 s; the cap is 0.3 s
    assert (bare.error, bare.attempts, capped.error, capped.attempts) == (
        "HTTP 429", 2, "HTTP 429", 2,
    )
    first, second = site.times["/fault/429-bare"][before_bare:]
    assert 0.03 <= second - first < 0.5  # backoff_s = 0.05 with jitter, no Retry-After
    first, second = site.times["/fault/429"][before_long:]
    assert 0.25 <= second - first < 0.9


def test_503_with_retry_after_gives_up_after_the_retries(site: NewsSite, fetcher: Fetcher) -> None:
    result = fetcher.fetch(site.url("/fault/503"))
    assert (result.ok, result.error, result.status, result.attempts) == (False, "HTTP 503", 503, 2)


def test_only_http_and_https(fetcher: Fetcher) -> None:
    for url in ("ftp://127.0.0.1/a.html", "file:///etc/passwd"):
        result = fetcher.fetch(url)
        assert not result.ok and result.error is not None
        assert result.error.startswith("refused: only http and https"), result.error


# --------------------------------------------------------------------------- charsets


@pytest.mark.parametrize("path", ["/fault/cp1252-as-utf8", "/fault/cp1252-undeclared"])
def test_wrong_or_missing_charset_is_detected(site: NewsSite, fetcher: Fetcher, path: str) -> None:
    result = fetcher.fetch(site.url(path))
    assert result.ok and result.text is not None
    assert "A café crème costs 3.50 € – up 12 percent." in result.text
    assert "\ufffd" not in result.text


DECODING = [
    pytest.param("Fête 5 €".encode(), None, "Fête 5 €", id="utf8-undeclared"),
    pytest.param('<meta charset="gbk"><p>增长5%</p>'.encode("gbk"), None,
                 '<meta charset="gbk"><p>增长5%</p>', id="gbk-meta"),
    pytest.param('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>医保</p>'
                 .encode("gb2312"), "text/html",
                 '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>医保</p>',
                 id="gb2312-http-equiv"),
    pytest.param("<p>naïve</p>".encode("latin-1"), "text/html; charset=ISO-8859-1",
                 "<p>naïve</p>", id="latin1-header"),
    pytest.param(b"\xef\xbb\xbf<p>BOM \xe2\x82\xac</p>", None, "<p>BOM €</p>", id="utf8-bom"),
    pytest.param('<?xml version="1.0" encoding="windows-1252"?><rss>\x80</rss>'
                 .encode("latin-1"), "application/xml",
                 '<?xml version="1.0" encoding="windows-1252"?><rss>€</rss>', id="xml-decl"),
]


GBK_PAGE = ("<html><head><title>医疗保险</title></head><body><p>"
            + "截至2024年底，全国基本医疗保险参保人数达到13.3亿人，参保率稳定在95%以上。" * 3
            + "</p></body></html>")
DECODING.append(pytest.param(GBK_PAGE.encode("gbk"), "text/html", GBK_PAGE, id="gbk-undeclared"))


@pytest.mark.parametrize(("body", "content_type", "expected"), DECODING)
def test_decode_body(body: bytes, content_type: str | None, expected: str) -> None:
    assert decode_body(body, content_type) == expected


def test_declared_charset_prefers_the_header() -> None:
    assert declared_charset(b'<meta charset="gbk">', "text/html; charset=utf-8") == "utf-8"
    assert declared_charset(b'<meta charset="gbk">') == "gbk"
    assert declared_charset(b"<p>none</p>") is None


# --------------------------------------------------------------------------- private addresses


def test_private_addresses_are_refused_unless_allowed(site: NewsSite) -> None:
    url = site.url("/news/harbour-traffic.html")
    before = site.hits["/news/harbour-traffic.html"]
    with Fetcher(FAST) as fetcher:
        result = fetcher.fetch(url)
        assert not result.ok and result.error is not None
        assert result.error.startswith("refused: resolves to private address 127.0.0.1")
        assert fetcher.fetch("http://10.0.0.1/x").error.startswith(  # type: ignore[union-attr]
            "refused: resolves to private address 10.0.0.1"
        )
    assert site.hits["/news/harbour-traffic.html"] == before  # nothing was sent


def test_every_redirect_hop_is_checked(site: NewsSite) -> None:
    # the site itself is allowed by name; its redirect to "localhost" is another host
    with Fetcher(FAST, allow_hosts={"127.0.0.1"}) as fetcher:
        refused = fetcher.fetch(site.url("/fault/to-localhost"))
    assert refused.error is not None and refused.error.startswith(
        "refused: resolves to private address"
    )
    assert refused.final_url == f"http://localhost:{site.port}/news/jobs-report.html"
    with Fetcher(FAST, allow_private=True) as fetcher:
        assert fetcher.fetch(site.url("/fault/to-localhost")).ok


@pytest.mark.parametrize(
    ("host", "private"),
    [("10.0.0.1", "10.0.0.1"), ("127.0.0.1", "127.0.0.1"), ("169.254.169.254", "169.254.169.254"),
     ("192.168.1.20", "192.168.1.20"), ("100.64.0.1", "100.64.0.1"), ("::1", "::1"),
     ("[::ffff:10.1.2.3]", "10.1.2.3"), ("0.0.0.0", "0.0.0.0"), ("localhost", None),
     ("93.184.216.34", None), ("2606:2800:220:1:248:1893:25c8:1946", None)],
)
def test_private_address(host: str, private: str | None) -> None:
    found = private_address(host)
    if host == "localhost":
        assert found in ("127.0.0.1", "::1")
    else:
        assert found == private


# --------------------------------------------------------------------------- robots.txt


def test_robots_txt_is_read_once_per_host(fetcher: Fetcher) -> None:
    with NewsSite() as fresh:
        for slug in ("budget-2024", "jobs-report", "harbour-traffic", "budget-2024"):
            assert fetcher.fetch(fresh.url(f"/news/{slug}.html")).ok
        assert fetcher.fetch(fresh.url("/members/members-only.html")).error == (
            "disallowed by robots.txt"
        )
        assert fresh.hits["/robots.txt"] == 1


def test_the_robots_txt_request_comes_back_with_the_fetch_that_needed_it() -> None:
    seen: list[FetchResult] = []
    with NewsSite() as fresh, Fetcher(FAST, allow_private=True, on_result=seen.append) as fetcher:
        first = fetcher.fetch(fresh.url("/news/budget-2024.html"))
        second = fetcher.fetch(fresh.url("/news/jobs-report.html"))
    [robots] = first.robots
    assert robots.url == fresh.url("/robots.txt") and robots.ok
    assert (robots.status, robots.bytes, robots.attempts) == (200, len(ROBOTS), 1)
    assert robots.content_hash == hashlib.sha256(ROBOTS.encode()).hexdigest()
    assert robots.body is None and robots.text is None  # only what a fetches row needs
    assert second.robots == ()  # read once per host
    assert [r.url for r in seen] == [robots.url, first.url, second.url]  # on_result sees it too


def test_an_unreachable_robots_txt_is_a_result_with_every_try(fetcher: Fetcher) -> None:
    with NewsSite(robots=503) as broken:
        result = fetcher.fetch(broken.url("/news/jobs-report.html"))
    [robots] = result.robots
    assert (robots.ok, robots.error, robots.status, robots.attempts) == (False, "HTTP 503", 503, 2)
    assert robots.bytes == len(b"no robots here")


def test_robots_can_be_turned_off(site: NewsSite) -> None:
    config = FetchConfig(timeout_s=0.5, obey_robots=False)
    with Fetcher(config, allow_private=True) as fetcher:
        assert fetcher.fetch(site.url("/members/members-only.html")).ok


def test_missing_robots_allows_and_unreachable_robots_disallows(fetcher: Fetcher) -> None:
    with NewsSite(robots=404) as no_rules:
        assert fetcher.fetch(no_rules.url("/members/members-only.html")).ok
    with NewsSite(robots=503) as broken:
        result = fetcher.fetch(broken.url("/news/jobs-report.html"))
        assert result.error == "disallowed: robots.txt unreachable (HTTP 503)"
        assert broken.hits["/news/jobs-report.html"] == 0
        assert broken.hits["/robots.txt"] == 1 + FAST.retries  # retried like a page, once


def test_robots_group_for_another_agent_does_not_apply(fetcher: Fetcher) -> None:
    rules = "User-agent: newsfacts\nDisallow: /news/\n\nUser-agent: *\nDisallow:\n"
    with NewsSite(robots=rules) as strict:
        assert fetcher.fetch(strict.url("/news/jobs-report.html")).error == (
            "disallowed by robots.txt"
        )
        assert fetcher.fetch(strict.url("/fault/chain/0")).error == "disallowed by robots.txt"


# --------------------------------------------------------------------------- threads


def test_threads_share_one_fetcher_within_the_per_host_limit() -> None:
    config = FetchConfig(timeout_s=2.0, per_host_concurrency=2, retries=0)
    with NewsSite() as busy, Fetcher(config, allow_private=True) as fetcher:
        results: list[str | None] = []
        lock = threading.Lock()

        def work(i: int) -> None:
            error = fetcher.fetch(busy.url(f"/fault/slow/{i}")).error
            with lock:
                results.append(error)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [None] * 8  # no error
        assert 1 <= busy.max_in_flight <= 2
        assert busy.hits["/robots.txt"] == 1


# --------------------------------------------------------------------------- helpers


def test_parse_retry_after() -> None:
    now = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0
    assert parse_retry_after("later") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("content_type", "page"),
    [("text/html; charset=utf-8", True), ("application/xhtml+xml", True), ("text/xml", True),
     ("application/rss+xml", True), ("application/atom+xml", True), ("application/xml", True),
     ("image/png", False), ("application/pdf", False), ("text/plain", False),
     ("application/json", False), (None, False)],
)
def test_is_page_type(content_type: str | None, page: bool) -> None:
    assert is_page_type(content_type) is page


def test_connection_refused_is_retried_then_reported(fetcher: Fetcher) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetcher.fetch(f"http://127.0.0.1:{port}/news.html")
    assert not result.ok and result.status is None
    # robots.txt comes first: a host that cannot be reached is refused by that rule
    assert result.error is not None
    assert result.error.startswith("disallowed: robots.txt unreachable (connection failed")
    with Fetcher(FetchConfig(timeout_s=0.5, retries=2, backoff_s=0.01, obey_robots=False),
                 allow_private=True) as no_robots:
        direct = no_robots.fetch(f"http://127.0.0.1:{port}/news.html")
    assert direct.attempts == 3 and [a.status for a in direct.history] == [None] * 3
    assert direct.error is not None and direct.error.startswith("connection failed")


def test_crawl_delay_spaces_requests_to_a_host(fetcher: Fetcher) -> None:
    with NewsSite(robots="User-agent: *\nCrawl-delay: 1\n") as polite:
        for slug in ("budget-2024", "jobs-report", "harbour-traffic"):
            assert fetcher.fetch(polite.url(f"/news/{slug}.html")).ok
        starts = sorted(t for path, times in polite.times.items() if path.startswith("/news/")
                        for t in times)
    assert len(starts) == 3
    assert all(later - earlier >= 0.9 for earlier, later in pairwise(starts))


def test_charset_names_stay_importable_from_fetch() -> None:
    import flows.charset
    import flows.fetch

    assert flows.fetch.decode_body is flows.charset.decode_body
    assert flows.fetch.declared_charset is flows.charset.declared_charset


# --------------------------------------------------------------------------- gzip


def test_gzip_files_only_when_asked_and_kept_compressed(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.url("/sitemap-news.xml.gz")  # sent as application/x-gzip
    refused = fetcher.fetch(url)
    assert refused.error == "not HTML or XML: application/x-gzip"
    result = fetcher.fetch(url, allow_gzip=True)
    assert result.ok and result.body is not None and result.text is None
    assert gzip.decompress(result.body).startswith(b'<?xml version="1.0"')
    assert result.bytes == len(result.body)  # the bytes on the wire, still compressed
    octet = fetcher.fetch(site.url("/sitemap-pages.xml.gz"), allow_gzip=True)
    assert octet.ok and octet.content_type == "application/octet-stream"
    # allow_gzip lets a gzip file in, not any other binary
    png = fetcher.fetch(site.url("/fault/image.png"), allow_gzip=True)
    assert png.error == "not HTML or XML: image/png"


def test_content_encoding_gzip_bomb_is_cut_at_the_size_cap(site: NewsSite, fetcher: Fetcher) -> None:
    result = fetcher.fetch(site.url("/fault/gzip-bomb-encoded"))
    assert not result.ok and result.error == f"too large: over {FAST.max_bytes} bytes"
    assert len(gzip_bomb(b"<html><body>")) < FAST.max_bytes < BOMB_SIZE


# --------------------------------------------------------------------------- DNS rebinding

PUBLIC = "93.184.216.34"  # a public address: what the rebinding name answers first


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make 'localhost' a rebinding name: its first lookup answers a public address, every
    later one the real answer (127.0.0.1). Only the DNS answer is made up, as a rebinding DNS
    server would; the connection is real. Returns the hosts looked up, in order."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def lookup(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(str(host))
        if host == "localhost" and asked.count("localhost") == 1:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port or 80))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return asked


def test_dns_rebinding_to_loopback_is_refused_before_sending(
    site: NewsSite, rebinding_dns: list[str]
) -> None:
    path = "/news/budget-2024.html"
    before = site.hits[path]
    config = FetchConfig(timeout_s=0.5, retries=1, obey_robots=False)
    with Fetcher(config) as fetcher:  # allow_private is False
        result = fetcher.fetch(f"http://localhost:{site.port}{path}")
    assert rebinding_dns[:2] == ["localhost", "localhost"]  # the check, then httpx's connect
    assert not result.ok and result.error is not None
    assert result.error.startswith("refused: connected to private address 127.0.0.1"), result.error
    assert "allow_private = true" in result.error
    assert result.attempts == 1 and result.status is None  # a refusal is not retried
    assert site.hits[path] == before  # the connection was closed before the request went out


def test_the_connect_check_leaves_allowed_hosts_alone(site: NewsSite) -> None:
    # no made-up DNS: 'localhost' is 127.0.0.1, allowed by name or by allow_private
    config = FetchConfig(timeout_s=0.5, retries=0, obey_robots=False)
    url = f"http://localhost:{site.port}/news/jobs-report.html"
    for allowed in ({"allow_hosts": {"localhost"}}, {"allow_private": True}):
        with Fetcher(config, **allowed) as fetcher:  # type: ignore[arg-type]
            result = fetcher.fetch(url)
        assert result.ok and result.body == article_html("jobs-report"), allowed


def test_peer_refusal_on_a_real_connection(site: NewsSite) -> None:
    with httpx.Client() as client, client.stream("GET", site.url("/news/jobs-report.html")) as r:
        peer = r.extensions["network_stream"].get_extra_info("server_addr")
    assert peer[0] == "127.0.0.1" and peer[1] == site.port
    reason = peer_refusal(peer)
    assert reason is not None and reason.startswith("refused: connected to private address 127.0.0.1")
    assert peer_refusal((PUBLIC, 80)) is None
    assert peer_refusal(None) == "refused: cannot tell which address the connection went to"


def test_connections_through_a_proxy_are_not_peer_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
                 "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert not uses_proxy("http://news.example/a")
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.5:3128")  # the peer would be the proxy
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    assert uses_proxy("http://news.example/a")
    assert not uses_proxy("https://news.example/a")
    assert not uses_proxy("http://intranet.example/a")
