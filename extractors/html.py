"""HTML page -> ParsedPage: main article text, title, dates, canonical URL and tables.

Main text comes from trafilatura (boilerplate removal); everything trafilatura does not
give us reliably (title, published/modified dates, canonical URL, tables) is read with
beautifulsoup4 on the lxml parser. Pure functions: no network, no files.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from typing import Any

import trafilatura
from bs4 import BeautifulSoup, SoupStrainer, Tag
from charset_normalizer import from_bytes

from extractors.maintext import extract_main_text
from extractors.pagedate import byline_date, parse_date, plausible
from extractors.records import Table

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

PARSER_VERSION = f"newsfacts-html/1 trafilatura/{trafilatura.__version__}"

_METADATA_TAGS = SoupStrainer(["title", "meta", "link", "script", "time", "h1", "table"])


class UnreadablePage(ValueError):
    """The input is not an HTML (or text) page at all, e.g. an image or an archive."""


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """What the parser made of one page; ``text`` is "" when no main text was found."""

    text: str
    title: str | None = None
    published: datetime | date | None = None
    modified: datetime | date | None = None
    canonical_url: str | None = None
    tables: tuple[Table, ...] = ()
    parser_version: str = PARSER_VERSION


# ---------------------------------------------------------------- bytes -> str

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 audio file"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""")


def _sniff_binary(data: bytes) -> str | None:
    """Return what the bytes look like when they are clearly not a text page, else None."""
    head = data[:64]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if head[4:8] == b"ftyp":
        return "an MP4/MOV media file"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    sample = data[:4096]
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return None
    # Text pages have almost no control bytes; binary data has plenty.
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    if sample and controls / len(sample) > 0.05:
        return f"binary data ({controls} control bytes in the first {len(sample)})"
    return None


def _codec(name: bytes | str) -> str | None:
    """Return the Python codec name for a declared charset, or None when unknown."""
    label = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    label = label.strip().lower()
    # WHATWG: pages that say latin-1/ascii are decoded as windows-1252; gb2312 as gbk.
    label = {
        "iso-8859-1": "cp1252",
        "latin1": "cp1252",
        "latin-1": "cp1252",
        "us-ascii": "cp1252",
        "ascii": "cp1252",
        "gb2312": "gb18030",
        "gbk": "gb18030",
        "x-gbk": "gb18030",
    }.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    """Return the page as text: BOM, then declared charset, then detection, then UTF-8.

    Raises UnreadablePage when the bytes are clearly not a text page (an image, an archive).
    """
    if not data.strip():
        return ""
    what = _sniff_binary(data)
    if what:
        raise UnreadablePage(f"not HTML: looks like {what}")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    head = data[:4096]
    declared = _META_CHARSET_RE.search(head) or _XML_DECL_RE.search(head)
    if declared:
        codec = _codec(declared.group(1))
        # a <meta> in ASCII bytes cannot truthfully declare UTF-16/32: ignore such a claim
        if codec and not codec.startswith(("utf-16", "utf-32")):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                logger.debug("declared charset %s does not fit; detecting", codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- metadata

_PUBLISHED_META = (
    ("property", "article:published_time"),
    ("property", "og:published_time"),
    ("property", "og:article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "publish-date"),
    ("name", "published_time"),
    ("name", "sailthru.date"),
    ("name", "parsely-pub-date"),
    ("name", "dc.date.issued"),
    ("name", "dcterms.issued"),
    ("name", "dcterms.created"),
    ("name", "dc.date"),
    ("name", "date"),
    ("name", "og:published_time"),
    ("property", "article:published"),
    ("name", "pubDate"),
)
_MODIFIED_META = (
    ("property", "article:modified_time"),
    ("property", "og:updated_time"),
    ("name", "article:modified_time"),
    ("itemprop", "dateModified"),
    ("name", "lastmod"),
    ("name", "last-modified"),
    ("name", "dcterms.modified"),
    ("name", "dc.date.modified"),
)
_DESCRIPTION_META = (
    ("property", "og:description"),
    ("name", "description"),
    ("name", "twitter:description"),
)


def _metas(soup: BeautifulSoup, keys: tuple[tuple[str, str], ...]) -> list[str]:
    """Return the contents of the meta tags matching (attribute, value), in key order."""
    metas = soup.find_all("meta")
    found = []
    for attr, wanted in keys:
        for meta in metas:
            got = meta.get(attr)
            if isinstance(got, str) and got.strip().lower() == wanted.lower():
                content = meta.get("content")
                if isinstance(content, str) and content.strip():
                    found.append(content.strip())
    return found


# other sites' own names, e.g. <meta name="sn-post-date" content="2019/11/19">
_PUBLISHED_NAME_RE = re.compile(
    r"^(?!.*(?:modif|updat|expir))(?:.*(?:publish|pub|post|creat|release|issue).*(?:date|time)|date)$",
    re.IGNORECASE,
)


def _metas_named(soup: BeautifulSoup, pattern: re.Pattern[str]) -> list[str]:
    """Return the contents of meta tags whose name, property or itemprop matches pattern."""
    found = []
    for meta in soup.find_all("meta"):
        names = [meta.get(attr) for attr in ("name", "property", "itemprop")]
        content = meta.get("content")
        if isinstance(content, str) and any(
            isinstance(n, str) and pattern.match(n.strip()) for n in names
        ):
            found.append(content.strip())
    return found


def _meta(soup: BeautifulSoup, keys: tuple[tuple[str, str], ...]) -> str | None:
    """Return the content of the first meta tag matching one of (attribute, value)."""
    return next(iter(_metas(soup, keys)), None)


def _json_ld_objects(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """Return every JSON-LD object of the page, @graph members flattened."""
    found: list[dict[str, Any]] = []
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)
    return found


def _json_ld_values(objects: list[dict[str, Any]], key: str) -> list[str]:
    """Return the string values of key, those of articles first."""

    def is_article(obj: dict[str, Any]) -> bool:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        return any(isinstance(k, str) and k.endswith(("Article", "Posting")) for k in kinds)

    values = (obj.get(key) for obj in sorted(objects, key=lambda o: not is_article(o)))
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _json_ld_value(objects: list[dict[str, Any]], key: str) -> str | None:
    """Return the first string value of key, articles first."""
    return next(iter(_json_ld_values(objects, key)), None)


def _time_tags(soup: BeautifulSoup, itemprop: str) -> list[str]:
    """Return the datetime attributes of <time> tags (itemprop/pubdate ones first)."""
    times = [t for t in soup.find_all("time") if isinstance(t.get("datetime"), str)]
    preferred = [t for t in times if t.get("itemprop") == itemprop or t.has_attr("pubdate")]
    chosen = preferred or (times if itemprop == "datePublished" else [])
    return [str(t["datetime"]) for t in chosen]


def _first_date(candidates: list[str]) -> datetime | date | None:
    """Return the first plausible date among the candidate strings."""
    for raw in candidates:
        parsed = parse_date(raw)
        if plausible(parsed):
            return parsed
    return None


_INVISIBLE_RE = re.compile(
    r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG_RE = re.compile(r"<[^>]*>")


def _visible_text(html: str) -> str:
    """Return the page's visible text, roughly (tags stripped): enough to find a byline."""
    return unescape(_TAG_RE.sub(" ", _INVISIBLE_RE.sub(" ", html)))


def _byline_date(html: str, words: tuple[str, ...]) -> datetime | date | None:
    """Return a visible "Updated: 2025-07-14 19:33"-style date, as a last resort."""
    return byline_date(_visible_text(html), words)


def _published(soup: BeautifulSoup, ld: list[dict[str, Any]], html: str) -> datetime | date | None:
    """Return the publication date: meta tags, JSON-LD, <time>, then a visible byline."""
    found = _first_date(
        _metas(soup, _PUBLISHED_META)
        + _json_ld_values(ld, "datePublished")
        + _json_ld_values(ld, "dateCreated")
        + _time_tags(soup, "datePublished")
        + _metas_named(soup, _PUBLISHED_NAME_RE)
    )
    return found or _byline_date(html, ("updated", "published", "posted", "date", "release"))


def _modified(soup: BeautifulSoup, ld: list[dict[str, Any]], html: str) -> datetime | date | None:
    """Return the last-modified date: meta tags, JSON-LD, <time>, then an "Updated:" byline."""
    found = _first_date(
        _metas(soup, _MODIFIED_META)
        + _json_ld_values(ld, "dateModified")
        + _time_tags(soup, "dateModified")
    )
    return found or _byline_date(html, ("updated",))


_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—»·:]|::)\s+")


def _title(soup: BeautifulSoup, ld: list[dict[str, Any]]) -> str | None:
    """Return the headline: og:title, JSON-LD headline, the only <h1>, or <title> trimmed."""
    for raw in (
        _meta(soup, (("property", "og:title"), ("name", "og:title"), ("name", "twitter:title"))),
        _json_ld_value(ld, "headline"),
    ):
        if raw:
            return re.sub(r"\s+", " ", raw).strip()
    h1s = soup.find_all("h1")
    if len(h1s) == 1 and h1s[0].get_text(strip=True):
        return re.sub(r"\s+", " ", h1s[0].get_text(" ")).strip()
    if soup.title and soup.title.string and soup.title.string.strip():
        full = re.sub(r"\s+", " ", soup.title.string).strip()
        # "Headline - Site name": keep the longest part
        parts = _TITLE_SEPARATORS.split(full)
        return max(parts, key=len) if len(parts) > 1 else full
    return None


def _canonical(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel=lambda v: bool(v) and "canonical" in v)
    href = link.get("href") if isinstance(link, Tag) else None
    if isinstance(href, str) and href.strip():
        return href.strip()
    og = _meta(soup, (("property", "og:url"),))
    return og


# ---------------------------------------------------------------- tables


def _cell_text(cell: Tag) -> str:
    return re.sub(r"\s+", " ", cell.get_text(" ")).strip()


_MAX_CELL_CHARS = 300  # a cell holding a whole article means a layout table
# a cell that is just a value: "5040", "$1,349.00*", "-3.5%"
_VALUE_CELL_RE = re.compile(r"^[-+−–(]?\s*[$€£¥]?\s*\d[\d.,\s]*(?:%|[kKmMbB]n?)?\*?\)?$")

Cells = list[tuple[str, bool, int]]  # (text, is a <th>, columns spanned)


def _row_cells(row: Tag) -> Cells:
    """Return (text, is_th, colspan) per cell of a row."""
    cells: Cells = []
    for cell in row.find_all(["td", "th"], recursive=False):
        try:
            span = max(1, min(int(str(cell.get("colspan") or 1)), 50))
        except ValueError:
            span = 1
        cells.append((_cell_text(cell), cell.name == "th", span))
    return cells


def _spread(cells: Cells) -> tuple[str, ...]:
    """Return the row's texts, a colspan cell repeated over its columns."""
    return tuple(text for text, _, span in cells for _ in range(span))


def _looks_like_header(first: Cells, rest: list[Cells]) -> bool:
    """Return True for a first row of <th>, or of labels above rows that hold values."""
    if all(is_th for _, is_th, _ in first):
        return True
    value_rows = sum(any(_VALUE_CELL_RE.match(text) for text, _, _ in row) for row in rest)
    no_values = not any(_VALUE_CELL_RE.match(text) for text, _, _ in first)
    return no_values and bool(rest) and value_rows * 2 >= len(rest)


def _table(table: Tag) -> Table | None:
    """Return the table's header row and body rows, or None for a layout or empty table."""
    if table.get("role") == "presentation" or table.find("table") is not None:
        return None
    rows = [_row_cells(r) for r in table.find_all("tr") if r.find_parent("table") is table]
    rows = [r for r in rows if any(text for text, _, _ in r)]
    if not rows or any(len(t) > _MAX_CELL_CHARS for r in rows for t, _, _ in r):
        return None
    width = max(sum(span for _, _, span in r) for r in rows)
    caption_tag = table.find("caption")
    caption = _cell_text(caption_tag) if isinstance(caption_tag, Tag) else ""
    if width < 2:
        return None
    if len(rows[0]) == 1 and rows[0][0][2] == width:  # a title row across the whole table
        caption = caption or rows[0][0][0]
        rows = rows[1:]
    thead = table.find("thead")
    header: tuple[str, ...] = ()
    in_thead = isinstance(thead, Tag) and thead.find_parent("table") is table
    if rows and (in_thead or _looks_like_header(rows[0], rows[1:])):
        header, rows = _spread(rows[0]), rows[1:]
    body = tuple(r for r in map(_spread, rows) if r != header)  # headers repeated in the body
    if not body or (not header and len(body) < 2):
        return None
    return Table(caption=caption or None, header=header, rows=body)


def _tables(soup: BeautifulSoup) -> tuple[Table, ...]:
    found = (_table(t) for t in soup.find_all("table"))
    return tuple(t for t in found if t is not None)


# ---------------------------------------------------------------- public API


def parse_html(html: str | bytes, url: str | None = None) -> ParsedPage:
    """Return the page's main text and metadata; text is "" when no main text was found.

    Raises UnreadablePage when the input is not a text page (e.g. PNG bytes).
    """
    if isinstance(html, bytes):
        html = decode_html(html)
    elif what := _sniff_binary(html[:4096].encode("latin-1", errors="replace")):
        # binary data read as text (e.g. latin-1) keeps its magic bytes and control bytes
        raise UnreadablePage(f"not HTML: looks like {what}")
    html = html.replace("\x00", "")  # a stray NUL makes lxml refuse the whole page
    if not html.strip():
        return ParsedPage(text="")
    # only the tags metadata and tables come from: 2-3 times faster than a full soup
    soup = BeautifulSoup(html, "lxml", parse_only=_METADATA_TAGS)
    ld = _json_ld_objects(soup)
    title = _title(soup, ld)
    description = _meta(soup, _DESCRIPTION_META)
    text = extract_main_text(html, title, description)
    return ParsedPage(
        text=text,
        title=title,
        published=_published(soup, ld, html),
        modified=_modified(soup, ld, html),
        canonical_url=_canonical(soup) or url,
        tables=_tables(soup),
    )


def main_text(html: str) -> str | None:
    """Return the main text of a page, or None when there is none (html_bench callable)."""
    try:
        text = parse_html(html).text
    except UnreadablePage:
        return None
    return text or None
