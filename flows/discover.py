"""Link discovery: the page URLs a feed, sitemap (or sitemap index) or URL list names.

``discover_urls`` reads RSS/Atom feeds with feedparser and XML sitemaps (news sitemaps and sitemap
indexes too) with lxml, then canonicalises and de-duplicates the links (``canonical_url``,
``dedupe_urls``) so two spellings of one page are fetched once. Network access goes through a
``Fetcher``; a feed or sitemap saved to disk is read from the file. A gzipped one
(``sitemap.xml.gz``) is unpacked with a cap on its decompressed size too (``gunzip``), so a gzip
bomb is refused with a reason instead of filling the memory.

A malformed link (``http://[bad/x.html``, a port out of range) never stops discovery: it is kept
as written, and the fetcher refuses it with the reason, as it refuses a link to a private
address; a feed or sitemap saved to disk may name local files, one on the web only web pages.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from extractors.records import Failure
from flows.fetch import GZIP_MAGIC, FetchConfig, Fetcher, url_problem, url_scheme

if TYPE_CHECKING:  # sources.py imports this module: only the type is needed here
    from flows.sources import SourceSpec


def is_web_url(value: str) -> bool:
    """Return True when the URL's scheme is http or https, however malformed the rest is.

    >>> is_web_url("http://[bad/x.html"), is_web_url("mailto:a@b.example"), is_web_url("/x")
    (True, False, False)
    """
    return url_scheme(value) in ("http", "https")


def is_http_url(value: str) -> bool:
    """Return True for an absolute http(s) URL with a valid host and port; never raises.

    >>> is_http_url("https://a.example/x"), is_http_url("ftp://a.example/x"), is_http_url("/x")
    (True, False, False)
    >>> is_http_url("http://[bad/x.html"), is_http_url("https://a.example:99999/")
    (False, False)
    """
    return is_web_url(value) and url_problem(value) is None


# --------------------------------------------------------------------------- URLs

_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """Return the URL with lower-case scheme and host, no default port, fragment or utm_* params,
    and its query sorted, so two spellings of one page are fetched once.

    A malformed URL is returned as written (stripped): the fetcher refuses it with the reason.

    >>> canonical_url("HTTPS://News.Example.com:443/a?b=2&utm_source=x&a=1#top")
    'https://news.example.com/a?a=1&b=2'
    >>> canonical_url(" http://[bad/x.html ")
    'http://[bad/x.html'
    """
    if url_problem(url) is not None:
        return url.strip()
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def dedupe_urls(urls: list[str]) -> list[str]:
    """Return the http(s) URLs canonicalised, first occurrence kept, in their original order.

    Other schemes (mailto:, javascript:) are dropped; a malformed http(s) URL is kept as
    written, so that fetching it records the failure and its reason.
    """
    seen: dict[str, None] = {}
    for url in urls:
        if is_web_url(url):
            seen.setdefault(canonical_url(url), None)
    return list(seen)


def _join(base: str, link: str) -> str:
    """Return ``link`` resolved against a web ``base``; a malformed link as it is."""
    try:
        return urljoin(base, link)
    except ValueError:
        return link


# --------------------------------------------------------------------------- discovery

MAX_SITEMAPS = 200  # child sitemaps read from one source: index files can list thousands


def discover_urls(
    spec: SourceSpec,
    client: Fetcher,
    config: FetchConfig | None = None,
    *,
    problems: list[Failure] | None = None,
) -> list[str] | Failure:
    """Return the canonical, de-duplicated page URLs a feed, sitemap or URL list names.

    A Failure when the feed or top sitemap cannot be read or parsed; a child sitemap of an index
    that fails is skipped and, when ``problems`` is given, appended to it. The client's own
    config governs fetching; ``config.max_bytes`` (default: the client's) also caps what a gzipped
    feed or sitemap may unpack to.
    """
    max_bytes = (config or client.config).max_bytes
    if spec.kind == "urls":
        locations = spec.location if isinstance(spec.location, tuple) else (spec.location,)
        return dedupe_urls(list(locations))
    if spec.kind not in ("feed", "sitemap") or not isinstance(spec.location, str):
        raise ValueError(f"discover_urls needs a urls, feed or sitemap source, not {spec.kind}")
    if spec.kind == "feed":
        return _feed_urls(spec, client, max_bytes)
    found: list[str] = []
    queue = [spec.location]
    done: set[str] = set()
    while queue and len(done) < MAX_SITEMAPS:
        location = queue.pop(0)
        done.add(location)
        if location != spec.location and is_web_url(spec.location) and not is_web_url(location):
            # a sitemap index on the web names sitemaps on the web, never files on this machine
            if problems is not None:
                problems.append(Failure(
                    spec.name, f"sitemap {location}: not an http(s) URL: a sitemap index on the"
                    " web can only list sitemaps on the web", url=location, stage="discover"))
            continue
        body = _read_location(spec, location, client, max_bytes)
        if isinstance(body, Failure):
            if location == spec.location:
                return body
            if problems is not None:
                problems.append(body)
            continue
        parsed = _parse_sitemap(body, location)
        if isinstance(parsed, str):
            failure = Failure(spec.name, f"sitemap {location}: {parsed}", url=location,
                              stage="discover")
            if location == spec.location:
                return failure
            if problems is not None:
                problems.append(failure)
            continue
        pages, children = parsed
        found.extend(pages)
        queue.extend(c for c in children if c not in done and c not in queue)
    return dedupe_urls(found)


def _read_location(
    spec: SourceSpec, location: str, client: Fetcher, max_bytes: int
) -> bytes | Failure:
    """Return the bytes of a feed or sitemap, from the web or a local file, gunzipped if need be."""
    if not is_web_url(location):
        try:
            body = Path(location).read_bytes()
        except OSError as err:
            return Failure(spec.name, f"cannot read {location}: {err.strerror or err}",
                           stage="discover")
    else:
        result = client.fetch(location, allow_gzip=True)
        if not result.ok or result.body is None:
            return Failure(spec.name, f"{spec.kind} {location}: {result.error}", url=location,
                           stage="discover")
        body = result.body
    if not body.startswith(GZIP_MAGIC):
        return body
    unpacked, problem = gunzip(body, max_bytes)
    if unpacked is None:
        return Failure(spec.name, f"{spec.kind} {location}: {problem}",
                       url=location if is_web_url(location) else None, stage="discover")
    return unpacked


def gunzip(data: bytes, max_bytes: int) -> tuple[bytes | None, str | None]:
    """Return (the unpacked bytes, None), or (None, why not) when ``data`` is not valid gzip or
    unpacks to more than ``max_bytes``: a gzip bomb is stopped there, never inflated whole.

    >>> import gzip
    >>> gunzip(gzip.compress(b"<urlset/>"), 100)
    (b'<urlset/>', None)
    >>> gunzip(gzip.compress(b" " * 1000), 100)
    (None, 'too large: over 100 bytes once decompressed (gzip)')
    """
    out = bytearray()
    rest = data
    while rest:  # a gzip file may hold several members, one after the other
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            # never more than one byte past the cap comes out, however small the input
            out += inflater.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error as err:
            return None, f"not valid gzip: {err}"
        if len(out) > max_bytes:
            return None, f"too large: over {max_bytes} bytes once decompressed (gzip)"
        if not inflater.eof:
            return None, "not valid gzip: the file is cut short"
        rest = inflater.unused_data.lstrip(b"\x00")  # zero padding after a member is allowed
        if not rest.startswith(GZIP_MAGIC):
            break  # trailing bytes that are no gzip member: ignored, as gzip(1) does
    return bytes(out), None


def _feed_urls(spec: SourceSpec, client: Fetcher, max_bytes: int) -> list[str] | Failure:
    import feedparser  # a well-kept RSS/Atom parser; imported here, only feeds need it

    location = str(spec.location)
    body = _read_location(spec, location, client, max_bytes)
    if isinstance(body, Failure):
        return body
    feed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not feed.entries:
        reason = feed.get("bozo_exception") or "no entries"
        return Failure(spec.name, f"feed {location}: not a usable RSS or Atom feed: {reason}",
                       url=location, stage="discover")
    links: list[str] = []
    for entry in feed.entries:
        link = entry.get("link") or next(
            (ln.get("href") for ln in entry.get("links", []) if ln.get("href")), None
        )
        if link:
            links.append(_join(location, link.strip()) if is_web_url(location) else link)
    return dedupe_urls(links)


def _parse_sitemap(body: bytes, location: str) -> tuple[list[str], list[str]] | str:
    """Return (page URLs, child sitemap URLs) of a sitemap or sitemap index, or what is wrong."""
    from lxml import etree  # lxml comes with trafilatura

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError as err:
        return f"not valid XML: {err}"
    if root is None:
        return "not valid XML: empty document"
    tag = etree.QName(root).localname
    if tag not in ("urlset", "sitemapindex"):
        return f"not a sitemap: root element is <{tag}>, expected <urlset> or <sitemapindex>"
    locs = [
        (loc.text or "").strip()
        for loc in root.iter()
        if isinstance(loc.tag, str) and etree.QName(loc).localname == "loc"
        # image and video extensions also use <loc>; only the sitemap's own count
        and etree.QName(loc.getparent()).localname in ("url", "sitemap")
    ]
    locs = [_join(location, u) if is_web_url(location) else u for u in locs if u]
    return ([], locs) if tag == "sitemapindex" else (locs, [])


__all__ = [
    "MAX_SITEMAPS", "canonical_url", "dedupe_urls", "discover_urls", "gunzip", "is_http_url",
    "is_web_url",
]
