"""Sources: sources.toml loading and checking, local folders/files/JSONL, URL canonicalisation."""

from __future__ import annotations

import gzip
import hashlib
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from webserver import BAD_CHILD_SITEMAP, BAD_IPV6_LINK, BOMB_SIZE, NewsSite, gzip_bomb

from extractors.records import Failure
from flows.discover import canonical_url, dedupe_urls, discover_urls, gunzip
from flows.fetch import FetchConfig, Fetcher
from flows.sources import (
    RawDocument,
    SourcesError,
    SourceSpec,
    check_sources,
    load_sources,
    raw_document,
    read_local,
    source_from_arg,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write(tmp_path: Path, text: str, name: str = "sources.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- sources.toml


def test_bundled_sources_file_loads_and_reads_both_pages() -> None:
    config = load_sources(FIXTURES / "sources.toml")
    assert config.path == (FIXTURES / "sources.toml").resolve()
    assert config.fetch == FetchConfig()
    [spec] = config.sources
    assert spec.kind == "folder"
    assert spec.location == str((FIXTURES / "pages").resolve())
    docs = list(read_local(spec))
    assert len(docs) >= 2
    assert all(isinstance(d, RawDocument) and d.html and d.text is None for d in docs)
    assert all(Path(d.key).is_absolute() and d.source == spec.name for d in docs)


def test_every_kind_loads_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "one.html").write_text("<p>x</p>")
    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "list.txt").write_text("# comment\nhttps://a.example/1\n\nhttps://a.example/2\n")
    path = write(tmp_path, """
[fetch]
timeout_s = 5
max_bytes = 1_000
retries = 0
user_agent = "tester/1"
per_host_concurrency = 4
max_redirects = 2

[[sources]]
name = "f"
folder = "pages"
[[sources]]
name = "one"
file = "one.html"
[[sources]]
name = "arch"
jsonl = "a.jsonl"
[[sources]]
name = "list"
urls = ["https://a.example/x", "http://b.example/y"]
[[sources]]
name = "listfile"
urls = "list.txt"
[[sources]]
name = "feed"
feed = "https://news.example/rss.xml"
allow_private = true
[[sources]]
name = "map"
sitemap = "https://news.example/sitemap.xml"
allow_hosts = ["Intranet.Example", "127.0.0.1", "[::1]"]
""")
    config = load_sources(path)
    assert config.fetch == FetchConfig(
        timeout_s=5.0, max_bytes=1000, retries=0, user_agent="tester/1",
        per_host_concurrency=4, max_redirects=2,
    )
    by_name = {s.name: s for s in config.sources}
    assert [s.name for s in config.sources] == ["f", "one", "arch", "list", "listfile", "feed", "map"]
    assert by_name["f"] == SourceSpec("f", "folder", str(tmp_path / "pages"), line=10)
    assert by_name["one"].location == str(tmp_path / "one.html")
    assert by_name["arch"].kind == "jsonl"
    assert by_name["list"].location == ("https://a.example/x", "http://b.example/y")
    assert by_name["listfile"].location == ("https://a.example/1", "https://a.example/2")
    assert by_name["feed"].allow_private is True and by_name["feed"].kind == "feed"
    assert by_name["map"].kind == "sitemap" and by_name["map"].allow_private is False
    assert by_name["map"].allow_hosts == ("intranet.example", "127.0.0.1", "::1")
    assert by_name["feed"].allow_hosts == ()
    assert check_sources(path) == []


BAD_FILES = [
    pytest.param('[[sources]]\nname = "x"\nfolder = "nowhere"\n', 3, "folder not found",
                 id="missing-folder"),
    pytest.param('[[sources]]\nname = "x"\n', 1, "has no location: give exactly one of",
                 id="no-location"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss"\nsitemap = "https://a/s.xml"\n',
                 1, "2 locations", id="two-locations"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss"\nallow_privat = true\n', 4,
                 "did you mean 'allow_private'?", id="typo-key"),
    pytest.param('[[sources]]\nname = "x"\nurls = ["ftp://a/b"]\n', 3, "not an http(s) URL",
                 id="ftp-url"),
    pytest.param('[[sources]]\nname = "x"\nurls = []\n', 3, "non-empty list", id="empty-urls"),
    pytest.param('[[sources]]\nfeed = "https://a/rss"\n', 1, "has no name", id="no-name"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss"\nallow_private = "yes"\n', 4,
                 "allow_private must be true or false", id="allow-private-string"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss"\n[[sources]]\nname = "x"\n'
                 'feed = "https://b/rss"\n', 4, "already used on line 1", id="duplicate-name"),
    pytest.param('[fetch]\ntimeout_s = -1\n[[sources]]\nname = "x"\nfeed = "https://a/rss"\n', 2,
                 "too small", id="negative-timeout"),
    pytest.param('[fetch]\nretries = "3"\n[[sources]]\nname = "x"\nfeed = "https://a/rss"\n', 2,
                 "is not valid", id="retries-string"),
    pytest.param('[fetch]\ntimeout = 3\n[[sources]]\nname = "x"\nfeed = "https://a/rss"\n', 2,
                 "did you mean 'timeout_s'?", id="fetch-typo"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss\n', 3, "not valid TOML",
                 id="bad-toml"),
    pytest.param('# nothing here\n', None, "no sources", id="empty"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://[::1/feed"\n', 3,
                 "source 'x': feed 'https://[::1/feed' is not a valid URL: bad IPv6 address",
                 id="feed-bad-ipv6"),
    pytest.param('[[sources]]\nname = "x"\nsitemap = "https://x.example:99999/s.xml"\n', 3,
                 "is not a valid URL: port 99999 is out of range (1-65535)",
                 id="sitemap-port-out-of-range"),
    pytest.param('[[sources]]\nname = "x"\nurls = ["https://exa mple.com/feed"]\n', 3,
                 "'https://exa mple.com/feed' is not a valid URL: a space in the host",
                 id="space-in-host"),
    pytest.param('[[sources]]\nname = "x"\nurls = ["http://"]\n', 3,
                 "'http://' is not a valid URL: the host is missing", id="no-host"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss"\nallow_hosts = "a.example"\n',
                 4, "allow_hosts must be a list of host names", id="allow-hosts-string"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss"\n'
                 'allow_hosts = ["http://a.example:8080/"]\n', 4,
                 "allow_hosts: 'http://a.example:8080/' is not a host name", id="allow-hosts-url"),
    pytest.param('[[sources]]\nname = "x"\nfeed = "https://a/rss"\nallow_hosts = ["a b"]\n',
                 4, "allow_hosts: 'a b' is not a host name", id="allow-hosts-space"),
]


@pytest.mark.parametrize(("text", "line", "expected"), BAD_FILES)
def test_bad_sources_file_names_file_line_and_problem(
    tmp_path: Path, text: str, line: int | None, expected: str
) -> None:
    path = write(tmp_path, text)
    problems = check_sources(path)
    assert len(problems) == 1, problems
    assert expected in problems[0]
    prefix = f"{path}, line {line}: " if line else f"{path}: "
    assert problems[0].startswith(prefix), problems[0]
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert str(err.value) == problems[0]


def test_check_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[[sources]]\nname = "a"\nfolder = "x"\n[[sources]]\nname = "b"\n'
                           'urls = ["nope"]\n')
    problems = check_sources(path)
    assert len(problems) == 2
    assert "line 3" in problems[0] and "line 6" in problems[1]


def test_every_bad_url_of_a_list_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """\
[[sources]]
name = "list"
urls = [
  "https://[::1/feed",
  "https://good.example/a",
  "https://x.example:99999/s.xml",
  "https://good.example/b", "http://",
]
""")
    problems = check_sources(path)
    assert problems == [
        (f"{path}, line 4: source 'list': 'https://[::1/feed' is not a valid URL:"
        " bad IPv6 address in [brackets]"),
        (f"{path}, line 6: source 'list': 'https://x.example:99999/s.xml' is not a valid URL:"
        " port 99999 is out of range (1-65535)"),
        f"{path}, line 7: source 'list': 'http://' is not a valid URL: the host is missing",
    ]
    with pytest.raises(SourcesError):
        load_sources(path)


def test_bad_urls_of_a_list_file_are_reported_with_the_list_files_lines(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("# pages\nhttps://good.example/a\nhttps://exa mple.com/x\n\n"
                      "ftp://files.example/b\n", encoding="utf-8")
    path = write(tmp_path, '[[sources]]\nname = "list"\nurls = "list.txt"\n')
    assert check_sources(path) == [
        (f"{listed}, line 3: source 'list': 'https://exa mple.com/x' is not a valid URL:"
        " a space in the host 'exa mple.com'"),
        (f"{listed}, line 5: source 'list': 'ftp://files.example/b' is not an http(s) URL"
        " (only http and https are fetched)"),
    ]


def test_missing_sources_file_says_what_to_do(tmp_path: Path) -> None:
    [problem] = check_sources(tmp_path / "absent.toml")
    assert "sources file not found" in problem and "--sources" in problem


# --------------------------------------------------------------------------- --source


def test_source_from_arg_recognises_every_kind(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "p.html").write_text("<p>x</p>")
    assert source_from_arg(str(tmp_path)).kind == "folder"
    assert source_from_arg(str(tmp_path / "a.jsonl")).kind == "jsonl"
    assert source_from_arg(str(tmp_path / "p.html")).kind == "file"
    assert source_from_arg("https://x.example/news/1.html") == SourceSpec(
        "https://x.example/news/1.html", "urls", ("https://x.example/news/1.html",)
    )
    assert source_from_arg("https://x.example/rss.xml").kind == "feed"
    assert source_from_arg("https://x.example/sitemap-news.xml").kind == "sitemap"
    with pytest.raises(SourcesError, match="no such file or folder"):
        source_from_arg(str(tmp_path / "missing"))
    with pytest.raises(SourcesError, match="pass it with --sources"):
        source_from_arg(str(FIXTURES / "sources.toml"))
    with pytest.raises(SourcesError, match="only http and https"):
        source_from_arg("ftp://x.example/a")


@pytest.mark.parametrize(
    ("arg", "reason"),
    [("https://[::1/x", "bad IPv6 address in [brackets]"),
     ("https://x.example:99999/rss.xml", "port 99999 is out of range (1-65535)"),
     ("http://", "the host is missing")],
)
def test_source_from_arg_says_what_is_wrong_with_a_url(arg: str, reason: str) -> None:
    with pytest.raises(SourcesError) as err:
        source_from_arg(arg)
    assert str(err.value) == f"{arg}: not a valid URL: {reason}"


# --------------------------------------------------------------------------- local reading


def test_folder_reads_html_and_text_skips_others(tmp_path: Path) -> None:
    (tmp_path / "b.html").write_text("<html><body><p>B</p></body></html>", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Plain 5 million.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.htm").write_bytes(
        b'<meta charset="windows-1252"><p>caf\xe9 \x80 5</p>'
    )
    (tmp_path / "notes.md").write_text("ignored")
    (tmp_path / ".hidden.html").write_text("<p>ignored</p>")
    docs = list(read_local(source_from_arg(str(tmp_path))))
    assert [Path(d.key).name for d in docs] == ["a.txt", "b.html", "c.htm"]
    txt, html, htm = docs
    assert isinstance(txt, RawDocument) and txt.text == "Plain 5 million." and txt.html is None
    assert isinstance(html, RawDocument) and "<p>B</p>" in str(html.html)
    assert isinstance(htm, RawDocument) and "café € 5" in str(htm.html)
    # the raw hash is that of the file's bytes, not of the decoded text
    raw = (tmp_path / "sub" / "c.htm").read_bytes()
    assert htm.raw_hash == hashlib.sha256(raw).hexdigest()
    assert txt.raw_hash == hashlib.sha256(b"Plain 5 million.").hexdigest()


def test_empty_folder_is_a_failure_not_an_error(tmp_path: Path) -> None:
    [failure] = read_local(source_from_arg(str(tmp_path)))
    assert isinstance(failure, Failure) and "no .html" in failure.reason


def test_jsonl_bad_lines_are_failures_and_the_rest_goes_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "url": "https://News.example/a?utm_source=x", "title": "A",
                    "published": "2024-05-01", "text": "Sales rose 5%."}),
        "{not json",
        json.dumps({"id": 7, "html": "<p>Seven</p>"}),
        "",
        json.dumps({"id": "c", "title": "no body"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "d", "text": 5}),
        json.dumps({"id": "e", "text": "last one"}),
    ]
    path = tmp_path / "arch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = list(read_local(source_from_arg(str(path))))
    docs = [r for r in results if isinstance(r, RawDocument)]
    failures = [r for r in results if isinstance(r, Failure)]
    assert [d.doc_id for d in docs] == ["a1", "7", "e"]
    first = docs[0]
    assert (first.key, first.url, first.title, first.published, first.text) == (
        "https://news.example/a", "https://News.example/a?utm_source=x", "A", "2024-05-01",
        "Sales rose 5%.",
    )
    assert docs[1].html == "<p>Seven</p>" and docs[1].key == f"{path}#7"
    assert [f.reason.split(":")[0] for f in failures] == [f"{path}, line {n}" for n in (2, 5, 6, 7)]
    assert "not valid JSON" in failures[0].reason
    assert "no 'text' or 'html'" in failures[1].reason
    assert "expected a JSON object" in failures[2].reason
    assert "'text' must be a string" in failures[3].reason
    assert all(f.stage == "read" and f.source == str(path) for f in failures)


def test_single_file_source(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><title>T</title><p>1,000 jobs</p></html>")
    [doc] = read_local(SourceSpec("one", "file", str(page)))
    assert isinstance(doc, RawDocument) and doc.key == str(page) and "1,000 jobs" in str(doc.html)
    page.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    [failure] = read_local(SourceSpec("one", "file", str(page)))
    assert isinstance(failure, Failure) and "binary" in failure.reason


# --------------------------------------------------------------------------- URLs

CANONICAL = [
    ("HTTPS://News.Example.COM/a/b", "https://news.example.com/a/b"),
    ("http://news.example.com:80/a", "http://news.example.com/a"),
    ("https://news.example.com:8443/a", "https://news.example.com:8443/a"),
    ("https://news.example.com/a#section-2", "https://news.example.com/a"),
    ("https://news.example.com/a?z=1&a=2&utm_source=rss&utm_medium=feed",
     "https://news.example.com/a?a=2&z=1"),
    ("https://news.example.com", "https://news.example.com/"),
    ("https://news.example.com/Case/Kept?Q=A", "https://news.example.com/Case/Kept?Q=A"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL, ids=[c[0] for c in CANONICAL])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_dedupe_keeps_first_spelling_order_and_drops_non_http() -> None:
    urls = ["https://a.example/2", "https://A.example/1#x", "mailto:x@y", "https://a.example/1",
            "https://a.example/2?utm_campaign=z", "javascript:void(0)"]
    assert dedupe_urls(urls) == ["https://a.example/2", "https://a.example/1"]


def test_a_malformed_link_is_kept_as_written_for_the_fetcher_to_refuse() -> None:
    bad = [BAD_IPV6_LINK, "https://x.example:99999/s.xml", "https://exa mple.com/feed"]
    assert [canonical_url(f" {u} ") for u in bad] == bad
    assert dedupe_urls(["https://a.example/1", *bad, f"{BAD_IPV6_LINK} "]) == [
        "https://a.example/1", *bad,
    ]


# --------------------------------------------------------------------------- discovery (network)


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    # the test site is on loopback: allowed by name, while other private addresses stay refused
    config = FetchConfig(timeout_s=1.0, retries=0)
    with Fetcher(config, allow_hosts={"127.0.0.1"}) as client:
        yield client


def test_rss_feed_links_are_resolved_canonicalised_and_deduplicated(
    site: NewsSite, fetcher: Fetcher
) -> None:
    urls = discover_urls(SourceSpec("rss", "feed", site.url("/feed.rss")), fetcher, None)
    assert urls == [
        site.url("/news/budget-2024.html"),
        site.url("/news/jobs-report.html"),
        site.url("/news/harbour-traffic.html"),
        "http://10.0.0.1/internal/report.html",
        BAD_IPV6_LINK,  # malformed: kept, so that fetching it records why it fails
    ]


def test_atom_feed(site: NewsSite, fetcher: Fetcher) -> None:
    urls = discover_urls(SourceSpec("atom", "feed", site.url("/feed.atom")), fetcher, None)
    assert urls == [site.url("/news/jobs-report.html"), site.url("/news/harbour-traffic.html")]


def test_sitemap_index_with_news_sitemap(site: NewsSite, fetcher: Fetcher) -> None:
    problems: list[Failure] = []
    spec = SourceSpec("map", "sitemap", site.url("/sitemap.xml"))
    urls = discover_urls(spec, fetcher, None, problems=problems)
    assert urls == [
        site.url("/news/budget-2024.html"),
        site.url("/news/jobs-report.html"),
        site.url("/news/harbour-traffic.html"),
        site.bad_port_link,  # malformed: kept, so that fetching it records why it fails
    ]
    # the index also lists a sitemap that is not there, and one whose URL is malformed
    missing, malformed = problems
    assert missing.url == site.url("/fault/404") and missing.reason.endswith("HTTP 404")
    assert malformed.url == BAD_CHILD_SITEMAP
    assert malformed.reason == (
        f"sitemap {BAD_CHILD_SITEMAP}: invalid URL: bad IPv6 address in [brackets]"
    )
    assert {p.stage for p in problems} == {"discover"} and {p.source for p in problems} == {"map"}


def test_a_sitemap_index_on_the_web_cannot_name_local_files(tmp_path: Path) -> None:
    local = tmp_path / "secret.xml"
    local.write_text('<urlset><url><loc>https://a.example/secret</loc></url></urlset>')
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{local}</loc></sitemap><sitemap><loc>file://{local}</loc></sitemap>"
        "</sitemapindex>"
    ).encode()

    class Site(NewsSite):
        def sitemap_index(self) -> bytes:
            return index

    config = FetchConfig(timeout_s=1.0, retries=0)
    with Site() as web, Fetcher(config, allow_hosts={"127.0.0.1"}) as client:
        problems: list[Failure] = []
        spec = SourceSpec("map", "sitemap", web.url("/sitemap.xml"))
        assert discover_urls(spec, client, problems=problems) == []
    # the bare path is resolved against the index's URL (a 404 there); file:// is refused
    reasons = [p.reason for p in problems]
    assert reasons[0] == f"sitemap {web.url(str(local))}: HTTP 404"
    assert reasons[1] == (f"sitemap file://{local}: not an http(s) URL: a sitemap index on the"
                          " web can only list sitemaps on the web")


@pytest.mark.parametrize(
    ("kind", "path", "reason"),
    [("feed", "/fault/404", "HTTP 404"), ("feed", "/news/jobs-report.html", "not a usable"),
     ("sitemap", "/feed.rss", "not a sitemap: root element is <rss>"),
     ("sitemap", "/fault/500", "HTTP 500"), ("feed", "/fault/image.png", "not HTML or XML")],
)
def test_unreadable_feed_or_sitemap_is_a_failure(
    site: NewsSite, fetcher: Fetcher, kind: str, path: str, reason: str
) -> None:
    failure = discover_urls(SourceSpec("bad", kind, site.url(path)), fetcher, None)  # type: ignore[arg-type]
    assert isinstance(failure, Failure)
    assert reason in failure.reason and failure.url == site.url(path)
    assert failure.stage == "discover"


def test_url_list_and_local_feed_file(tmp_path: Path, fetcher: Fetcher) -> None:
    spec = SourceSpec("list", "urls", ("https://A.example/x#1", "https://a.example/x"))
    assert discover_urls(spec, fetcher, None) == ["https://a.example/x"]
    feed = tmp_path / "saved.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><link>https://news.example/a?utm_source=x</link></item></channel></rss>"
    )
    toml = write(tmp_path, '[[sources]]\nname = "saved"\nfeed = "saved.rss"\n')
    [saved] = load_sources(toml).sources
    assert discover_urls(saved, fetcher, None) == ["https://news.example/a"]


def test_discovered_pages_all_load_and_the_private_link_is_refused(
    site: NewsSite, fetcher: Fetcher
) -> None:
    urls = discover_urls(SourceSpec("rss", "feed", site.url("/feed.rss")), fetcher, None)
    assert isinstance(urls, list)
    results = [fetcher.fetch(url) for url in urls]
    outcomes = [raw_document("rss", result) for result in results]
    docs = [o for o in outcomes if isinstance(o, RawDocument)]
    refused, malformed = [o for o in outcomes if isinstance(o, Failure)]
    assert len(docs) == 3 and all(d.html and "<article>" in str(d.html) for d in docs)
    assert all(d.etag and d.last_modified and d.fetched_at for d in docs)
    assert [d.key for d in docs] == urls[:3]
    # the raw hash is that of the bytes as served (the fetches table's content_hash)
    assert [d.raw_hash for d in docs] == [r.content_hash for r in results[:3]]
    assert refused.url == "http://10.0.0.1/internal/report.html" and refused.stage == "fetch"
    assert refused.reason.startswith("refused: resolves to private address 10.0.0.1")
    assert (malformed.url, malformed.stage) == (BAD_IPV6_LINK, "fetch")
    assert malformed.reason == "invalid URL: bad IPv6 address in [brackets]"


def test_names_moved_to_discover_stay_importable_from_sources() -> None:
    import flows.discover
    import flows.sources

    for name in ("canonical_url", "dedupe_urls", "discover_urls", "is_http_url"):
        assert getattr(flows.sources, name) is getattr(flows.discover, name)


# --------------------------------------------------------------------------- gzipped sitemaps


def test_gzipped_sitemap_index_and_children_are_unpacked(
    site: NewsSite, fetcher: Fetcher
) -> None:
    # the index is application/gzip, one child application/x-gzip, one application/octet-stream
    problems: list[Failure] = []
    spec = SourceSpec("gz", "sitemap", site.url("/sitemap-gz.xml.gz"))
    urls = discover_urls(spec, fetcher, None, problems=problems)
    assert urls == [
        site.url("/news/budget-2024.html"),
        site.url("/news/jobs-report.html"),
        site.url("/news/harbour-traffic.html"),
        site.bad_port_link,  # the pages sitemap's malformed link, gzipped like the rest
    ]
    [bomb] = problems  # the third child is a gzip bomb: refused, the others still count
    cap = fetcher.config.max_bytes
    assert bomb.url == site.url("/sitemap-bomb.xml.gz") and bomb.stage == "discover"
    assert bomb.reason == (
        f"sitemap {bomb.url}: too large: over {cap} bytes once decompressed (gzip)"
    )
    assert len(gzip_bomb(b'<?xml version="1.0"?><urlset>')) < cap < BOMB_SIZE


def test_sitemap_sent_with_content_encoding_gzip(site: NewsSite, fetcher: Fetcher) -> None:
    urls = discover_urls(SourceSpec("enc", "sitemap", site.url("/sitemap-encoded.xml")), fetcher)
    assert urls == [site.url("/news/budget-2024.html"), site.url("/news/jobs-report.html")]


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/sitemap-bomb.xml.gz", "too large: over 1000000 bytes once decompressed (gzip)"),
     ("/fault/truncated.xml.gz", "not valid gzip: the file is cut short"),
     ("/fault/not-gzip.xml.gz", "not gzip, HTML or XML: application/gzip without gzip magic")],
)
def test_bad_gzipped_sitemap_is_a_failure_with_its_reason(
    site: NewsSite, path: str, reason: str
) -> None:
    config = FetchConfig(timeout_s=1.0, retries=0, max_bytes=1_000_000)
    with Fetcher(config, allow_hosts={"127.0.0.1"}) as small:
        failure = discover_urls(SourceSpec("bad", "sitemap", site.url(path)), small)
    assert isinstance(failure, Failure) and failure.stage == "discover"
    assert failure.reason.startswith(f"sitemap {site.url(path)}: {reason}"), failure.reason


def test_gunzip_stops_a_bomb_without_inflating_it() -> None:
    bomb = gzip_bomb(b"<urlset>")
    tracemalloc.start()
    try:
        unpacked, problem = gunzip(bomb, 1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert unpacked is None and problem == "too large: over 1000000 bytes once decompressed (gzip)"
    assert peak < 5_000_000 < BOMB_SIZE  # a few times the cap, never the 50 MB it unpacks to


def test_gunzip_reads_every_member_and_refuses_what_is_not_gzip() -> None:
    two_members = gzip.compress(b"<urlset>") + gzip.compress(b"</urlset>") + b"\x00" * 8
    assert gunzip(two_members, 100) == (b"<urlset></urlset>", None)
    assert gunzip(gzip.compress(b"x" * 100), 100) == (b"x" * 100, None)  # exactly the cap
    unpacked, problem = gunzip(b"\x1f\x8bnot really", 100)
    assert unpacked is None and problem is not None and problem.startswith("not valid gzip")


def test_local_gzipped_sitemap_and_gz_argument(tmp_path: Path, fetcher: Fetcher) -> None:
    saved = tmp_path / "sitemap.xml.gz"
    saved.write_bytes(gzip.compress(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://news.example/a?utm_source=x</loc></url></urlset>"
    ))
    toml = write(tmp_path, '[[sources]]\nname = "saved"\nsitemap = "sitemap.xml.gz"\n')
    [spec] = load_sources(toml).sources
    assert discover_urls(spec, fetcher) == ["https://news.example/a"]
    assert source_from_arg("https://x.example/sitemap-news.xml.gz").kind == "sitemap"
