"""Remote sources end to end against a real HTTP server on 127.0.0.1.

The library (``fetch_remote_source``, ``record_fetches``, ``previous_validators``) is tested
without Prefect; the ingest flow runs twice over a feed, a sitemap index and a list of faults
under the session's Prefect harness: the good pages load, every fault is a `fetches` row with
its reason, the run ends on its own, and the second run asks conditionally and loads nothing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from webserver import (
    ARTICLES,
    BAD_CHILD_SITEMAP,
    BAD_IPV6_LINK,
    ERROR_PAGE_500,
    ROBOTS,
    NewsSite,
)

from extractors.records import Failure
from flows.fetch import FetchConfig, Fetcher
from flows.remote import fetch_page, fetch_remote_source, fetch_remote_sources
from flows.sources import SourceSpec
from warehouse.fetches import fetch_rows, previous_validators, record_fetches
from warehouse.load import connect, finish_run, record_failures, start_run

FAST = FetchConfig(timeout_s=1.0, deadline_s=3.0, retries=1, backoff_s=0.05, max_bytes=200_000,
                   retry_after_cap_s=2.0, max_redirects=5)
GOOD = ("budget-2024", "jobs-report", "harbour-traffic")
SHORT = "harbour-traffic"  # one sentence of 8 words

# fault path -> words its reason must contain
FAULTS = {
    "/fault/500": "HTTP 500",
    "/fault/503": "HTTP 503",
    "/fault/hang": "timeout",
    "/fault/endless": "too large",
    "/fault/loop-a": "redirect loop",
    "/fault/404": "HTTP 404",
    "/fault/image.png": "not HTML or XML",
    "/members/members-only.html": "robots.txt",
    "/fault/429": "HTTP 429",
    "/fault/to-private": "refused: resolves to private address 10.0.0.1",
}
PRIVATE_LINK = "http://10.0.0.1/internal/report.html"  # in the feed: never requested


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite(hang_s=20) as running:
        yield running


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------- library


def test_fetch_remote_source_returns_documents_failures_and_every_fetch(site: NewsSite) -> None:
    urls = tuple(site.url(p) for p in ("/news/jobs-report.html", "/fault/404", "/fault/500"))
    spec = SourceSpec(name="list", kind="urls", location=urls, allow_private=True)
    batch = fetch_remote_source(spec, FAST)
    assert [d.url for d in batch.documents] == [urls[0]]
    assert "173,000" in str(batch.documents[0].html)
    reasons = {f.url: f.reason for f in batch.failures}
    assert reasons == {urls[1]: "HTTP 404", urls[2]: "HTTP 500"}
    assert all(f.stage == "fetch" for f in batch.failures)
    fetched = {r.url: r for r in batch.fetches}
    assert set(fetched) == {*urls, site.url("/robots.txt")}  # robots.txt is an attempt too
    assert [r.url for r in batch.fetches].count(site.url("/robots.txt")) == 1
    assert fetched[site.url("/robots.txt")].status == 200
    assert fetched[urls[2]].attempts == 2  # a 500 is retried once (retries = 1), a 404 never
    assert fetched[urls[1]].attempts == 1
    assert all(r.body is None and r.robots == () for r in batch.fetches)  # no bodies, flat


def test_a_source_whose_discovery_crashes_is_a_failure_and_the_rest_goes_on(
    site: NewsSite,
) -> None:
    # a feed given a tuple of URLs: discover_urls raises (a bug, as a config never makes it)
    broken = SourceSpec(name="broken", kind="feed", location=(site.url("/feed.rss"),))
    batch = fetch_remote_source(broken, FAST)
    [failure] = batch.failures
    assert failure.source == "broken" and failure.stage == "discover"
    assert "discovery failed: ValueError: discover_urls needs" in failure.reason


def test_a_page_with_validators_is_unchanged_on_304_and_on_the_same_hash(site: NewsSite) -> None:
    url = site.url("/news/harbour-traffic.html")
    with Fetcher(FAST, allow_private=True) as client:
        first = fetch_page("s", url, client)
        assert first.document is not None and not first.unchanged
        etag, modified, digest = first.fetch.etag, first.fetch.last_modified, first.fetch.content_hash
        assert etag and modified and digest
        before = site.hits["/news/harbour-traffic.html"]
        again = fetch_page("s", url, client, (etag, None, digest))
        assert again.unchanged and again.document is None and again.failure is None
        assert again.fetch.status == 304
        # the 304 keeps every validator the next run needs
        assert (again.fetch.etag, again.fetch.content_hash) == (etag, digest)
        sent = site.headers["/news/harbour-traffic.html"][before]
        assert sent.get("If-None-Match") == etag
        # a server that ignores validators: the same body hash is unchanged too
        same = fetch_page("s", url, client, (None, None, digest))
        assert same.unchanged and same.fetch.status == 200


def test_the_private_address_refusal_is_a_failure_with_its_reason(site: NewsSite) -> None:
    spec = SourceSpec(name="guarded", kind="urls", location=(site.url("/news/jobs-report.html"),))
    batch = fetch_remote_source(spec, FAST)
    assert batch.documents == []
    (failure,) = batch.failures
    assert "private address 127.0.0.1" in failure.reason


def test_record_fetches_writes_one_row_per_attempt_and_validators_come_back(
    site: NewsSite, tmp_path: Path
) -> None:
    good, busy = site.url("/news/budget-2024.html"), site.url("/fault/503")
    with Fetcher(FAST, allow_private=True) as client:
        results = [client.fetch(good), client.fetch(busy)]
    frame = fetch_rows("r1", results)
    assert list(frame["attempts"]) == [1, 1, 2]
    con = connect(tmp_path / "w.duckdb")
    try:
        start_run(con, "r1", task_runner="test", extractor_version="t")
        assert record_fetches(con, "r1", results) == 3
        # a run that did not finish gives no validators: its pages are fetched in full again
        assert previous_validators(con) == {}
        finish_run(con, "r1", articles_seen=1, articles_loaded=1, figures_loaded=0, failures=1,
                   flags_raised=0, status="partial")
        validators = previous_validators(con)
        stored = con.execute(
            "select url, status, error, attempts from fetches order by url, attempts"
        ).fetchall()
    finally:
        con.close()
    assert validators == {good: (results[0].etag, results[0].last_modified, results[0].content_hash)}
    assert stored == [(busy, 503, "HTTP 503", 1), (busy, 503, "HTTP 503", 2), (good, 200, None, 1)]


def test_a_429_is_retried_after_retry_after_and_ends_as_rows_with_reasons(
    site: NewsSite, tmp_path: Path
) -> None:
    before = len(site.times["/fault/429"])
    with Fetcher(FAST, allow_hosts={"127.0.0.1"}) as client:
        result = client.fetch(site.url("/fault/429"))
    first, second = site.times["/fault/429"][before:]
    assert second - first >= 0.9  # Retry-After: 1 honoured (the cap is 2 s)
    con = connect(tmp_path / "w.duckdb")
    try:
        start_run(con, "r1", task_runner="test", extractor_version="t")
        assert record_fetches(con, "r1", [result]) == 2
        stored = con.execute(
            "select status, error, bytes, attempts from fetches order by attempts"
        ).fetchall()
    finally:
        con.close()
    slow_down = len(b"<h1>Slow down</h1>")
    assert stored == [(429, "HTTP 429", slow_down, 1), (429, "HTTP 429", slow_down, 2)]


def test_a_page_that_failed_after_its_fetch_gets_no_validators(site: NewsSite, tmp_path: Path) -> None:
    url = site.url("/news/jobs-report.html")
    with Fetcher(FAST, allow_private=True) as client:
        result = client.fetch(url)
    con = connect(tmp_path / "w.duckdb")
    try:
        start_run(con, "r1", task_runner="test", extractor_version="t")
        record_fetches(con, "r1", [result])
        record_failures(con, "r1", [Failure("s", "no main text found", url=url, stage="parse")])
        finish_run(con, "r1", articles_seen=1, articles_loaded=0, figures_loaded=0, failures=1,
                   flags_raised=0, status="failed")
        # fetched fine but never loaded: the next run must fetch it in full, not get a 304
        assert previous_validators(con) == {}
    finally:
        con.close()


# --------------------------------------------------------------------------- the flow


def write_sources(folder: Path, site: NewsSite) -> Path:
    faults = ", ".join(f'"{site.url(p)}"' for p in (*FAULTS, "/fault/cp1252-as-utf8",
                                                      "/fault/once/remote"))
    path = folder / "sources.toml"
    path.write_text(textwrap.dedent(f"""\
        [fetch]
        timeout_s = 1
        deadline_s = 3
        retries = 1
        backoff_s = 0.05
        max_bytes = 200_000
        retry_after_cap_s = 2
        per_host_concurrency = 2

        [[sources]]
        name = "test-feed"
        feed = "{site.url('/feed.rss')}"
        allow_hosts = ["127.0.0.1"]  # the test site only: 10.0.0.1 stays refused

        [[sources]]
        name = "test-sitemap"
        sitemap = "{site.url('/sitemap.xml')}"
        allow_hosts = ["127.0.0.1"]

        [[sources]]
        name = "faults"
        urls = [{faults}]
        allow_hosts = ["127.0.0.1"]

        [[sources]]
        name = "guarded"
        urls = ["{site.url('/fault/to-localhost')}"]
        """), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_runs(prefect_harness, site: NewsSite, tmp_path_factory):
    """Run the ingest flow twice against the unchanged site, into one warehouse."""
    from flows.pipeline import ingest

    folder = tmp_path_factory.mktemp("remote")
    sources, db = write_sources(folder, site), folder / "w.duckdb"
    first = ingest(sources_file=str(sources), db=str(db), report=None)
    hits_after_first = {f"/news/{slug}.html": site.hits[f"/news/{slug}.html"] for slug in GOOD}
    second = ingest(sources_file=str(sources), db=str(db), report=None)
    return site, db, first, second, hits_after_first


@pytest.mark.slow
def test_the_good_pages_load(two_runs) -> None:
    site, db, first, _, _ = two_runs
    assert first.status == "partial"
    urls = {u for (u,) in rows(db, "select url from articles")}
    for slug in GOOD:
        assert site.url(f"/news/{slug}.html") in urls
    assert site.url("/fault/cp1252-as-utf8") in urls  # a wrong charset is decoded, not lost
    assert site.url("/fault/once/remote") in urls  # a 503 with Retry-After, then the page
    titles = {t for (t,) in rows(db, "select title from articles")}
    assert {ARTICLES[s][0] for s in GOOD} <= titles
    assert "Caf\u00e9 prices" in titles
    (n_figures,) = rows(db, "select count(*) from figures")[0]
    assert n_figures > 0 and n_figures == first.figures_loaded


@pytest.mark.slow
def test_a_one_sentence_article_loads(two_runs) -> None:
    site, db, _, _, _ = two_runs
    urls = {u for (u,) in rows(db, "select url from articles")}
    assert site.url(f"/news/{SHORT}.html") in urls


@pytest.mark.slow
def test_raw_hash_is_the_hash_of_the_bytes_fetched(two_runs) -> None:
    from extractors.html import PARSER_VERSION

    site, db, first, _, _ = two_runs
    stored = rows(db, """
        select a.url, a.raw_hash, f.content_hash, a.parser_version
        from articles as a join fetches as f on f.url = a.url and f.run_id = ?
        where f.content_hash is not null""", [first.run_id])
    by_url = {url: (raw, served, version) for url, raw, served, version in stored}
    # a windows-1252 page: its text re-encoded as UTF-8 would hash differently
    assert site.url("/fault/cp1252-as-utf8") in by_url
    assert {site.url(f"/news/{slug}.html") for slug in GOOD} <= set(by_url)
    for url, (raw, served, version) in by_url.items():
        assert raw == served, url
        assert version == PARSER_VERSION, url


@pytest.mark.slow
def test_every_fault_is_a_fetches_row_and_a_failure_with_its_reason(two_runs) -> None:
    site, db, first, _, _ = two_runs
    errors = dict(rows(db, """
        select url, string_agg(error, ' | ') from fetches
        where run_id = ? and error is not null group by url""", [first.run_id]))
    for path, reason in FAULTS.items():
        assert reason in errors.get(site.url(path), ""), (path, errors.get(site.url(path)))
    guarded = site.url("/fault/to-localhost")
    assert "private address" in errors[guarded]
    failed = {f.url: f.reason for f in first.failures if isinstance(f, Failure)}
    assert set(failed) >= {site.url(p) for p in FAULTS} | {guarded}
    stored = rows(db, "select url, reason from failures where run_id = ?", [first.run_id])
    assert {u for u, _ in stored} >= {site.url(p) for p in FAULTS}


@pytest.mark.slow
def test_private_addresses_are_refused_before_anything_is_sent(two_runs) -> None:
    site, db, first, _, _ = two_runs
    refused = dict(rows(db, """
        select url, string_agg(error, ' | ') from fetches where run_id = ? group by url""",
        [first.run_id]))
    # the feed's link and the redirect both end at 10.0.0.1: allow_hosts lets 127.0.0.1 only
    for url in (PRIVATE_LINK, site.url("/fault/to-private")):
        assert refused[url].startswith("refused: resolves to private address 10.0.0.1"), url
    (status,) = rows(db, "select status from fetches where run_id = ? and url = ?",
                     [first.run_id, PRIVATE_LINK])[0]
    assert status is None  # no answer: no request went out
    failed = dict(rows(db, "select url, reason from failures where run_id = ?", [first.run_id]))
    assert failed[PRIVATE_LINK].startswith("refused: resolves to private address 10.0.0.1")


@pytest.mark.slow
def test_malformed_links_are_failures_and_the_run_goes_on(two_runs) -> None:
    site, db, first, _, _ = two_runs
    assert first.status == "partial"  # it ended on its own, with the good pages loaded
    expected = {
        BAD_IPV6_LINK: ("fetch", "invalid URL: bad IPv6 address in [brackets]"),
        site.bad_port_link: ("fetch", "invalid URL: port 99999 is out of range (1-65535)"),
        BAD_CHILD_SITEMAP: (
            "discover", f"sitemap {BAD_CHILD_SITEMAP}: invalid URL: bad IPv6 address in [brackets]",
        ),
    }
    failed = {u: (stage, reason) for u, stage, reason in rows(
        db, "select url, stage, reason from failures where run_id = ?", [first.run_id])}
    for url, row in expected.items():
        assert failed.get(url) == row, url
    # like every refused URL, each is a fetches row with its reason (no status, no bytes)
    fetched = {u: (status, error, size) for u, status, error, size in rows(
        db, "select url, status, error, bytes from fetches where run_id = ?", [first.run_id])}
    assert fetched[BAD_IPV6_LINK] == (None, "invalid URL: bad IPv6 address in [brackets]", 0)
    assert fetched[site.bad_port_link][1] == "invalid URL: port 99999 is out of range (1-65535)"
    assert fetched[BAD_CHILD_SITEMAP][1] == "invalid URL: bad IPv6 address in [brackets]"


@pytest.mark.slow
def test_robots_txt_is_a_fetches_row_and_failures_keep_their_bytes(two_runs) -> None:
    site, db, first, _, _ = two_runs
    robots = rows(db, "select status, error, bytes, content_hash from fetches "
                      "where run_id = ? and url = ?", [first.run_id, site.url("/robots.txt")])
    [(status, error, size, digest)] = robots  # read once in the run, by the one fetcher
    assert (status, error, size, len(digest)) == (200, None, len(ROBOTS), 64)
    sizes = rows(db, "select url, bytes from fetches where run_id = ? and url in (?, ?, ?)"
                     " order by url, attempts",
                 [first.run_id, *(site.url(p) for p in ("/fault/500", "/fault/endless",
                                                        "/fault/image.png"))])
    by_url: dict[str, list[int]] = {}
    for url, size in sizes:
        by_url.setdefault(url, []).append(size)
    assert by_url[site.url("/fault/500")] == [len(ERROR_PAGE_500)] * 2  # both tries' bodies
    assert by_url[site.url("/fault/endless")][0] > 200_000  # up to the cap, then refused
    assert by_url[site.url("/fault/image.png")] == [0]  # refused on its type before the body


@pytest.mark.slow
def test_a_crashed_discover_task_loses_no_other_source(prefect_harness) -> None:
    from prefect import flow

    with NewsSite() as own:  # its own site: the two runs above count the shared one's hits
        page = own.url("/news/jobs-report.html")
        broken = SourceSpec(name="broken", kind="sitemap", location=(own.url("/sitemap.xml"),))
        good = SourceSpec(name="good", kind="urls", location=(page,), allow_hosts=("127.0.0.1",))

        @flow(name="crashed-discovery")
        def both() -> object:
            return fetch_remote_sources([broken, good], FAST, {}, "crashed-discovery")

        batch = both()
    assert [d.url for d in batch.documents] == [page]
    [failure] = batch.failures
    assert (failure.source, failure.stage) == ("broken", "discover")
    assert "discovery failed: ValueError: discover_urls needs" in failure.reason


@pytest.mark.slow
def test_every_attempt_is_a_row_and_each_page_is_fetched_once(two_runs) -> None:
    site, db, first, _, _ = two_runs
    attempts = rows(db, """
        select url, count(*), max(attempts) from fetches where run_id = ?
        group by url""", [first.run_id])
    by_url = {u: (n, top) for u, n, top in attempts}
    assert by_url[site.url("/fault/503")] == (2, 2)  # retried once, honouring Retry-After
    # a 404 is never retried (it is fetched twice: as a child sitemap and as a listed page)
    assert by_url[site.url("/fault/404")] == (2, 1)
    assert by_url[site.url("/fault/image.png")] == (1, 1)
    # the budget page is listed by the feed three times and by both sitemaps: fetched once
    assert by_url[site.url("/news/budget-2024.html")] == (1, 1)
    feeds = {site.url(p) for p in ("/feed.rss", "/sitemap.xml", "/sitemap-news.xml")}
    assert feeds <= set(by_url)  # discovery fetches are recorded too
    (row,) = rows(db, "select status, bytes, etag, last_modified, content_hash, elapsed_ms "
                      "from fetches where run_id = ? and url = ?",
                  [first.run_id, site.url("/news/jobs-report.html")])
    assert row[0] == 200 and row[1] > 0 and row[2] and row[3] and len(row[4]) == 64
    assert row[5] >= 0


@pytest.mark.slow
def test_a_second_run_asks_conditionally_and_loads_nothing_new(two_runs) -> None:
    site, db, first, second, hits_after_first = two_runs
    assert second.articles_loaded == 0 and second.figures_loaded == 0
    assert second.status == "partial"  # the faults fail again; nothing is lost
    (n_articles,) = rows(db, "select count(*) from articles")[0]
    assert n_articles == first.articles_loaded
    loaded = {u for (u,) in rows(db, "select url from articles")}
    asked = [f"/news/{slug}.html" for slug in GOOD if site.url(f"/news/{slug}.html") in loaded]
    assert asked, "no page of the site loaded in the first run"
    assert second.articles_unchanged >= len(asked)
    for path in asked:
        assert site.hits[path] == hits_after_first[path] + 1
        sent = site.headers[path][-1]
        assert sent.get("If-None-Match") and sent.get("If-Modified-Since")
    statuses = dict(rows(db, "select url, status from fetches where run_id = ? and url like '%/news/%'",
                         [second.run_id]))
    assert {statuses[site.url(path)] for path in asked} == {304}
