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
from webserver import ARTICLES, NewsSite

from extractors.records import Failure
from flows.fetch import FetchConfig, Fetcher
from flows.remote import fetch_page, fetch_remote_source
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
}


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
    assert set(fetched) == set(urls)
    assert fetched[urls[2]].attempts == 2  # a 500 is retried once (retries = 1), a 404 never
    assert fetched[urls[1]].attempts == 1
    assert all(r.body is None for r in batch.fetches)  # the table needs no bodies


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
        allow_private = true

        [[sources]]
        name = "test-sitemap"
        sitemap = "{site.url('/sitemap.xml')}"
        allow_private = true

        [[sources]]
        name = "faults"
        urls = [{faults}]
        allow_private = true

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
