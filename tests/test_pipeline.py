"""The ingest flow end to end under one Prefect test harness, on real files and a real DuckDB."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from extractors.records import Article, Failure
from flows.pipeline import article_from_document, ingest, parse_published
from flows.sources import RawDocument

pytestmark = pytest.mark.slow


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_parse_published_reads_iso_dates_and_ignores_junk() -> None:
    assert str(parse_published("2025-07-14")) == "2025-07-14"
    assert parse_published("2025-07-14T19:33:00+08:00").hour == 19
    assert parse_published("last tuesday") is None
    assert parse_published(None) is None


def test_article_from_document_reports_why_a_page_is_unusable() -> None:
    png = RawDocument(source="t", key="/x.html", url=None, html=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, text=None)
    failure = article_from_document(png)
    assert isinstance(failure, Failure) and "PNG" in failure.reason
    empty = RawDocument(source="t", key="/y.html", url=None, html="<html><body></body></html>", text=None)
    failure = article_from_document(empty)
    assert isinstance(failure, Failure) and failure.reason == "no main text found"
    text = RawDocument(source="t", key="/z.txt", url=None, html=None, text="Sales rose 5%.\n",
                       published="2024-02-01")
    article = article_from_document(text)
    assert isinstance(article, Article) and article.text == "Sales rose 5%."
    assert str(article.published) == "2024-02-01"
    # no raw bytes (a JSONL record): the text as UTF-8 is what is hashed
    assert article.raw_hash == hashlib.sha256(b"Sales rose 5%.\n").hexdigest()


def test_raw_hash_is_the_documents_own_hash_of_its_raw_bytes() -> None:
    served = ("<html><head><title>Caf\u00e9 prices</title></head><body><article>"
              "<p>A caf\u00e9 cr\u00e8me costs 3.50 \u20ac \u2013 up 12 percent on last year,"
              " the owners of the caf\u00e9 said on Monday.</p></article></body></html>"
              ).encode("cp1252")
    digest = hashlib.sha256(served).hexdigest()
    doc = RawDocument(source="t", key="https://a.example/c", url="https://a.example/c",
                      html=served.decode("cp1252"), text=None, raw_hash=digest)
    article = article_from_document(doc)
    assert isinstance(article, Article) and article.raw_hash == digest
    assert article.raw_hash != hashlib.sha256(str(doc.html).encode()).hexdigest()
    assert article.parser_version


@pytest.fixture(scope="module")
def bundled_run(prefect_harness, tmp_path_factory):
    """Run the flow twice on the bundled fixtures into one warehouse."""
    out = tmp_path_factory.mktemp("bundled")
    db, report = out / "w.duckdb", out / "report.html"
    first = ingest(db=str(db), report=str(report))
    counts_after_first = rows(db, "select (select count(*) from articles), (select count(*) from figures)")
    second = ingest(db=str(db), report=str(report))
    return db, report, first, second, counts_after_first


def test_bundled_articles_load_with_their_figures(bundled_run) -> None:
    db, _, first, _, _ = bundled_run
    assert first.status == "ok" and first.articles_loaded == 2
    titles = {t for (t,) in rows(db, "select title from articles")}
    assert any("1.32b" in t for t in titles) and any("Ningbo" in t for t in titles)
    (n_figures,) = rows(db, "select count(*) from figures")[0]
    assert n_figures >= 20 and n_figures == first.figures_loaded
    # every figure points into its article's text
    bad = rows(db, """
        select f.surface from figures f join articles a using (article_id, content_hash)
        where substring(a.text, f.start_char + 1, f.end_char - f.start_char) != f.surface""")
    assert bad == []
    published = dict(rows(db, "select title, published from articles"))
    china = next(v for k, v in published.items() if "1.32b" in k)
    assert str(china) == "2025-07-14 19:33:00"  # the page's own time, as printed


def test_raw_hash_is_the_files_bytes_and_the_parser_version_is_stored(
    bundled_run, fixtures_dir: Path
) -> None:
    from extractors.html import PARSER_VERSION

    db = bundled_run[0]
    stored = rows(db, "select url, raw_hash, parser_version from articles")
    assert len(stored) == 2
    for url, raw_hash, version in stored:
        assert raw_hash == hashlib.sha256(Path(url).read_bytes()).hexdigest(), url
        assert version == PARSER_VERSION


def test_no_figure_comes_from_page_furniture(bundled_run) -> None:
    db = bundled_run[0]
    surfaces = {s for (s,) in rows(db, "select surface from figures")}
    for furniture in ("1995", "0108263", "130349", "1024", "768", "1024*768"):
        assert not any(furniture in s for s in surfaces), furniture
    texts = " ".join(t for (t,) in rows(db, "select text from articles"))
    assert "Copyright" not in texts and "Registration Number" not in texts


def test_self_comparison_fires_on_2012_compared_with_itself_only(bundled_run) -> None:
    db = bundled_run[0]
    flags = rows(db, "select check_name, message, sentence from open_flags where check_name = 'self_comparison'")
    assert len(flags) == 1
    _, message, sentence = flags[0]
    assert "173,000 more than in 2012" in sentence
    assert message == "2012 is compared with itself: '173,000 more than in 2012' in a sentence about 2012"


def test_second_run_on_the_same_input_loads_nothing_new(bundled_run) -> None:
    db, _, first, second, counts_after_first = bundled_run
    assert second.articles_loaded == 0 and second.figures_loaded == 0
    assert second.articles_unchanged == 2
    assert rows(db, "select (select count(*) from articles), (select count(*) from figures)") == [
        counts_after_first[0]
    ]
    assert [r for (r,) in rows(db, "select status from runs order by started_at")] == ["ok", "ok"]
    # the flag id is stable across runs
    assert {f.flag_id for f in first.flags} == {f.flag_id for f in second.flags}


def test_report_is_written_beside_the_database(bundled_run) -> None:
    _, report, _, _, _ = bundled_run
    page = report.read_text(encoding="utf-8")
    assert "self_comparison" in page and "<svg" in page
    assert "173,000" in page


def test_a_broken_page_is_a_failure_and_the_run_goes_on(prefect_harness, tmp_path, fixtures_dir) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    good = fixtures_dir / "pages" / "ningbo-medical-insurance-2012.html"
    (folder / "good.html").write_bytes(good.read_bytes())
    (folder / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "empty.html").write_text(
        "<html><head><title>Loading</title></head><body><script>var app = 1;</script></body></html>",
        encoding="utf-8",
    )
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        json.dumps({"id": "wire-1", "url": "https://example.org/a", "title": "Wire",
                    "published": "2024-03-01", "text": "In 2023, exports reached $3.4 trillion, the agency said."})
        + "\n{not json\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    summary = ingest(sources=[str(folder), str(articles)], db=str(db), report=None)
    assert summary.status == "partial"
    assert summary.articles_loaded == 2
    reasons = [f"{f.url or f.source}: {f.reason}" for f in summary.failures]
    assert any("image.html" in r and "binary" in r for r in reasons), reasons
    assert any("empty.html" in r and r.endswith("no main text found") for r in reasons), reasons
    assert any("articles.jsonl" in r and "line 2" in r for r in reasons), reasons
    stored = rows(db, "select url, reason from failures")
    assert len(stored) == len(summary.failures) == 3
    wire = rows(db, "select surface, value, unit, period from figures where article_id = 'wire-1' order by start_char")
    assert ("$3.4 trillion", 3.4e12, "USD", "2023") in wire


def test_report_is_published_as_prefect_artifacts(bundled_run) -> None:
    import httpx
    from prefect.settings import PREFECT_API_URL

    # the REST API itself: Prefect 3.8.8's client sends nulls this endpoint refuses
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={"limit": 200, "offset": 0, "sort": "CREATED_DESC"},
        timeout=30,
    )
    response.raise_for_status()
    by_key = {a["key"]: a for a in response.json()}
    assert {"newsfacts-report", "newsfacts-flags"} <= set(by_key)
    assert by_key["newsfacts-report"]["type"] == "markdown"
    assert "self_comparison" in str(by_key["newsfacts-report"]["data"])
    assert by_key["newsfacts-flags"]["type"] == "table"
    assert "self_comparison" in str(by_key["newsfacts-flags"]["data"])
