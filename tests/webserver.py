"""A real news site on 127.0.0.1 for tests: pages, feeds, sitemaps, robots.txt, and faults.

``NewsSite`` runs a threaded ``http.server`` on a free port in a background thread. It counts the
requests it receives per path, so tests can check what a fetcher did (robots.txt read once, a
retry waited for Retry-After, no more than N requests in flight).

Pages: ``/news/<slug>.html`` (ETag and Last-Modified; conditional requests get 304).
Discovery: ``/feed.rss``, ``/feed.atom``, ``/sitemap.xml`` (index) -> ``/sitemap-news.xml`` and
``/sitemap-pages.xml``; ``/robots.txt`` disallows ``/members/``. The RSS feed also links a
private address and a malformed URL (``BAD_IPV6_LINK``); the index lists a missing child and a
malformed one (``BAD_CHILD_SITEMAP``); the pages sitemap a port out of range (``bad_port_link``).
Faults under ``/fault/``: ``500``, ``503`` (Retry-After: 1), ``once/<key>`` (503 with
Retry-After: 1, then the page), ``500-once/<key>``, ``429`` (Retry-After: 1), ``429-bare``
(no Retry-After), ``429-once/<key>`` (429 with Retry-After: 1, then the page), ``hang``,
``endless``, ``drip``, ``loop-a`` <-> ``loop-b``, ``chain/<n>`` (n redirects), ``404``,
``image.png``, ``big-declared``, ``cp1252-as-utf8``, ``cp1252-undeclared``, ``to-private``
(302 to 10.0.0.1), ``to-localhost`` (302 to this site by the name ``localhost``),
``to-bad-url`` (302 to a malformed URL), ``slow/<n>`` (0.3 s, counts requests in flight).
Gzip: ``/sitemap-gz.xml.gz`` (application/gzip, an index) -> ``/sitemap-news.xml.gz``
(application/x-gzip), ``/sitemap-pages.xml.gz`` (application/octet-stream: only the URL and the
magic bytes say gzip) and ``/sitemap-bomb.xml.gz`` (48 KB that unpack to 50 MB);
``/sitemap-encoded.xml`` (Content-Encoding: gzip); faults ``gzip-bomb-encoded`` (a 50 MB page
sent with Content-Encoding: gzip), ``not-gzip.xml.gz`` (application/gzip, PNG bytes) and
``truncated.xml.gz`` (a gzip file cut short).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
import time
import zlib
from collections import Counter, defaultdict
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

ARTICLES = {
    "budget-2024": ("City budget tops 1.2 billion yuan",
                    "The city's budget reached 1.2 billion yuan in 2024, up 5 percent."),
    "jobs-report": ("Jobs report", "Employers added 173,000 jobs in May, more than in April."),
    "harbour-traffic": ("Harbour traffic", "The port handled 3.5 million containers last year."),
    "members-only": ("Members", "Subscribers see 42 exclusive figures."),
}
LAST_MODIFIED = formatdate(1_720_000_000, usegmt=True)
BAD_IPV6_LINK = "http://[bad/x.html"  # urlsplit raises "Invalid IPv6 URL" on it
BAD_CHILD_SITEMAP = "http://[::1/sitemap-more.xml"
ERROR_PAGE_500 = b"<h1>Internal error</h1>"

ROBOTS = """\
# newsfacts test site
User-agent: *
Disallow: /members/

User-agent: otherbot
Disallow: /
"""


def article_html(slug: str) -> bytes:
    """Return the HTML of a test article."""
    title, body = ARTICLES[slug]
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{title}</title></head><body><nav>Home | World</nav>"
        f"<article><h1>{title}</h1><p>{body}</p></article>"
        "<footer>Copyright 1995-2024</footer></body></html>"
    ).encode()


# windows-1252 bytes: é is 0xE9, the euro sign 0x80, the en dash 0x96; none is valid UTF-8 here
CP1252_PAGE = (
    "<html><head><title>Caf\u00e9 prices</title></head><body>"
    "<p>A caf\u00e9 cr\u00e8me costs 3.50 \u20ac \u2013 up 12 percent.</p></body></html>"
).encode("cp1252")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
       b"\x9a\xa0\xa7\x00\x00\x00\x00IEND\xaeB`\x82")


BOMB_SIZE = 50_000_000  # what the gzip bomb unpacks to


@functools.cache
def gzip_bomb(head: bytes = b"") -> bytes:
    """Return a gzip file of about 48 KB that unpacks to ``head`` and BOMB_SIZE spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(head)]
    block = b" " * 1_000_000
    parts.extend(packer.compress(block) for _ in range(BOMB_SIZE // len(block)))
    parts.append(packer.flush())
    return b"".join(parts)


def gz(body: bytes) -> bytes:
    """Return ``body`` gzipped (mtime 0, so the bytes are the same every time)."""
    return gzip.compress(body, mtime=0)


class NewsSite:
    """A test web site on 127.0.0.1; use as a context manager."""

    def __init__(self, *, hang_s: float = 30.0, robots: str | int = ROBOTS) -> None:
        self.hang_s = hang_s
        self.robots = robots  # the robots.txt text, or an HTTP status to answer it with
        self.hits: Counter[str] = Counter()
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        self.headers: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.site = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="news-site",
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this site."""
        return f"{self.base}{path}"

    @property
    def bad_port_link(self) -> str:
        """Return the link with a port out of range that the pages sitemap lists."""
        return "http://127.0.0.1:99999/news/jobs-report.html"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()  # ends hanging and endless handlers
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # ------------------------------------------------------------------ documents

    def rss(self) -> bytes:
        items = [
            # the same article three times: tracking parameters, a fragment, upper-case host
            f"{self.base}/news/budget-2024.html?utm_source=rss&amp;utm_medium=feed",
            f"{self.base}/news/budget-2024.html#comments",
            f"http://127.0.0.1:{self.port}/news/jobs-report.html",
            "/news/harbour-traffic.html",  # relative: resolved against the feed
            "http://10.0.0.1/internal/report.html",  # a private address
            BAD_IPV6_LINK,  # malformed: a failure with its reason, the rest goes on
        ]
        entries = "".join(
            f"<item><title>Item {i}</title><link>{link}</link>"
            f"<pubDate>Mon, 0{i + 1} Jul 2024 10:00:00 GMT</pubDate></item>"
            for i, link in enumerate(items)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Test news</title><link>{self.base}/</link><description>t</description>"
            f"{entries}</channel></rss>"
        ).encode()

    def atom(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>Test news</title>'
            f'<id>{self.base}/</id><updated>2024-07-01T10:00:00Z</updated>'
            f'<entry><title>Jobs</title><id>urn:1</id><updated>2024-07-01T10:00:00Z</updated>'
            f'<link rel="alternate" href="{self.base}/news/jobs-report.html"/></entry>'
            f'<entry><title>Harbour</title><id>urn:2</id><updated>2024-07-01T10:00:00Z</updated>'
            f'<link rel="alternate" type="text/html" '
            f'href="HTTP://127.0.0.1:{self.port}/news/harbour-traffic.html#top"/>'
            "</entry></feed>"
        ).encode()

    def sitemap_index(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/sitemap-news.xml</loc></sitemap>"
            f"<sitemap><loc>{self.base}/sitemap-pages.xml</loc></sitemap>"
            f"<sitemap><loc>{self.base}/fault/404</loc></sitemap>"
            f"<sitemap><loc>{BAD_CHILD_SITEMAP}</loc></sitemap>"
            "</sitemapindex>"
        ).encode()

    def gzip_index(self) -> bytes:
        children = ("sitemap-news.xml.gz", "sitemap-pages.xml.gz", "sitemap-bomb.xml.gz")
        return gz((
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{self.base}/{c}</loc></sitemap>" for c in children)
            + "</sitemapindex>"
        ).encode())

    def news_sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}/news/{slug}.html</loc><news:news><news:publication>"
            "<news:name>Test</news:name><news:language>en</news:language></news:publication>"
            "<news:publication_date>2024-07-01T10:00:00Z</news:publication_date>"
            f"<news:title>{slug}</news:title></news:news></url>"
            for slug in ("budget-2024", "jobs-report")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{urls}</urlset>"
        ).encode()

    def pages_sitemap(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{self.base}/news/harbour-traffic.html</loc></url>"
            f"<url><loc>{self.base}/news/budget-2024.html?utm_campaign=x</loc></url>"
            f"<url><loc>{self.bad_port_link}</loc></url>"
            "</urlset>"
        ).encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "NewsSite/1.0"

    @property
    def site(self) -> NewsSite:
        return self.server.site  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
             **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", Location=location)

    def do_GET(self) -> None:
        site = self.site
        path = self.path.split("?", 1)[0]
        with site.lock:
            site.hits[path] += 1
            site.times[path].append(time.monotonic())
            site.headers[path].append(dict(self.headers.items()))
        try:
            self.route(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should for endless and hanging pages

    def route(self, path: str) -> None:
        site = self.site
        if path == "/robots.txt":
            if isinstance(site.robots, int):
                return self.send(site.robots, b"no robots here", "text/plain")
            return self.send(200, site.robots.encode(), "text/plain")
        if path.startswith(("/news/", "/members/")):
            slug = path.rsplit("/", 1)[-1].removesuffix(".html")
            if slug not in ARTICLES:
                return self.send(404, b"<h1>Not found</h1>")
            body = article_html(slug)
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            if (self.headers.get("If-None-Match") == etag
                    or self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            return self.send(200, body, ETag=etag, Last_Modified=LAST_MODIFIED)
        documents = {
            "/feed.rss": (site.rss, "application/rss+xml"),
            "/feed.atom": (site.atom, "application/atom+xml; charset=utf-8"),
            "/sitemap.xml": (site.sitemap_index, "application/xml"),
            "/sitemap-news.xml": (site.news_sitemap, "application/xml"),
            "/sitemap-pages.xml": (site.pages_sitemap, "text/xml"),
        }
        if path in documents:
            make, content_type = documents[path]
            return self.send(200, make(), content_type)
        gzipped = {
            "/sitemap-gz.xml.gz": (site.gzip_index, "application/gzip"),
            "/sitemap-news.xml.gz": (lambda: gz(site.news_sitemap()), "application/x-gzip"),
            "/sitemap-pages.xml.gz": (lambda: gz(site.pages_sitemap()), "application/octet-stream"),
            "/sitemap-bomb.xml.gz": (lambda: gzip_bomb(b'<?xml version="1.0"?><urlset>'),
                                     "application/gzip"),
            "/fault/not-gzip.xml.gz": (lambda: PNG, "application/gzip"),
            "/fault/truncated.xml.gz": (lambda: gz(site.news_sitemap())[:-40], "application/gzip"),
        }
        if path in gzipped:
            make, content_type = gzipped[path]
            return self.send(200, make(), content_type)
        if path == "/sitemap-encoded.xml":  # gzip as a transfer detail: the client unpacks it
            return self.send(200, gz(site.news_sitemap()), "application/xml",
                             Content_Encoding="gzip")
        if path == "/fault/gzip-bomb-encoded":
            return self.send(200, gzip_bomb(b"<html><body>"), Content_Encoding="gzip")
        if path == "/fault/500":
            return self.send(500, ERROR_PAGE_500)
        if path == "/fault/429":
            return self.send(429, b"<h1>Slow down</h1>", Retry_After="1")
        if path == "/fault/429-bare":
            return self.send(429, b"<h1>Slow down</h1>")
        if path.startswith("/fault/429-once/"):
            if site.hits[path] == 1:
                return self.send(429, b"<h1>Slow down</h1>", Retry_After="1")
            return self.send(200, article_html("jobs-report"))
        if path == "/fault/503":
            return self.send(503, b"<h1>Busy</h1>", Retry_After="1")
        if path.startswith(("/fault/once/", "/fault/500-once/")):
            if site.hits[path] == 1:
                if path.startswith("/fault/once/"):
                    return self.send(503, b"<h1>Busy</h1>", Retry_After="1")
                return self.send(500, b"<h1>Oops</h1>")
            return self.send(200, article_html("jobs-report"))
        if path == "/fault/404":
            return self.send(404, b"<h1>Not found</h1>")
        if path == "/fault/hang":
            site.stopping.wait(site.hang_s)  # says nothing for longer than any test timeout
            return None
        if path in ("/fault/endless", "/fault/drip"):
            return self.endless(drip=path == "/fault/drip")
        if path == "/fault/loop-a":
            return self.redirect("/fault/loop-b")
        if path == "/fault/loop-b":
            return self.redirect(site.url("/fault/loop-a"), 301)
        if path.startswith("/fault/chain/"):
            left = int(path.rsplit("/", 1)[-1])
            return self.redirect(f"/fault/chain/{left - 1}" if left else "/news/jobs-report.html")
        if path == "/fault/image.png":
            return self.send(200, PNG, "image/png")
        if path == "/fault/png-as-html":
            return self.send(200, PNG, "text/html")
        if path == "/fault/big-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "999999999")
            self.end_headers()
            return None
        if path == "/fault/cp1252-as-utf8":
            return self.send(200, CP1252_PAGE, "text/html; charset=utf-8")
        if path == "/fault/cp1252-undeclared":
            return self.send(200, CP1252_PAGE, "text/html")
        if path == "/fault/to-private":
            return self.redirect("http://10.0.0.1/secret.html")
        if path == "/fault/to-bad-url":
            return self.redirect(BAD_IPV6_LINK)
        if path == "/fault/to-localhost":
            return self.redirect(f"http://localhost:{site.port}/news/jobs-report.html")
        if path.startswith("/fault/slow/"):
            return self.slow()
        return self.send(404, b"<h1>Not found</h1>")

    def endless(self, *, drip: bool) -> None:
        """Send a page that never ends: fast (size cap) or one byte at a time (deadline)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()  # no Content-Length: the body ends when the connection does
        self.wfile.write(b"<html><body>")
        chunk = b"x" if drip else b"<p>" + b"y" * 65_536 + b"</p>"
        while not self.site.stopping.is_set():
            self.wfile.write(chunk)
            self.wfile.flush()
            if drip:
                time.sleep(0.05)

    def slow(self) -> None:
        site = self.site
        with site.lock:
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
        try:
            time.sleep(0.3)
            self.send(200, article_html("harbour-traffic"))
        finally:
            with site.lock:
                site.in_flight -= 1
