"""What to ingest: local folders, files and JSONL archives, URL lists, RSS/Atom feeds and sitemaps.

``load_sources`` reads a ``sources.toml`` file into a frozen ``SourcesConfig``; a bad file raises
``SourcesError`` naming the file, the line, what is wrong and what to do. ``read_local`` turns a local
source into ``RawDocument`` values; ``raw_document`` turns a fetched page into one. Link discovery
(feeds, sitemaps, URL canonicalisation) lives in ``flows.discover``; ``discover_urls``,
``canonical_url`` and ``dedupe_urls`` are re-exported here for the callers that import them from here.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from extractors.records import Failure
from flows.charset import decode_body
from flows.discover import canonical_url, dedupe_urls, discover_urls, is_http_url, is_web_url
from flows.fetch import FetchConfig, FetchResult, url_problem

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

SourceKind = Literal["folder", "file", "jsonl", "urls", "feed", "sitemap"]
KINDS: tuple[str, ...] = ("folder", "file", "jsonl", "urls", "feed", "sitemap")
LOCAL_KINDS: tuple[str, ...] = ("folder", "file", "jsonl")
PAGE_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".txt")
SOURCE_KEYS: tuple[str, ...] = ("name", "allow_private", "allow_hosts", *KINDS)


class SourcesError(ValueError):
    """A sources file or --source argument that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class SourceSpec:
    """One source: its name, what kind it is, and where (a path, a URL, or a tuple of URLs)."""

    name: str
    kind: SourceKind
    location: str | tuple[str, ...]
    allow_private: bool = False
    line: int | None = None  # line of its [[sources]] header in the sources file, for messages
    # hosts whose private addresses may be fetched all the same (an intranet mirror, a test
    # server); lower case, IPv6 without brackets, as urlsplit gives the host
    allow_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourcesConfig:
    """Everything a sources file says: the sources in file order and how to fetch them."""

    sources: tuple[SourceSpec, ...]
    fetch: FetchConfig
    path: Path | None = None


@dataclass(frozen=True)
class RawDocument:
    """One document before parsing: HTML or plain text, with what the source said about it."""

    source: str
    key: str  # the URL, or the absolute path (``path#id`` for a JSONL line without URL): dedupe key
    url: str | None
    html: str | bytes | None
    text: str | None
    title: str | None = None
    published: str | None = None
    doc_id: str | None = None
    fetched_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    # SHA-256 of the raw bytes: as fetched (fetches.content_hash) or as read from the file;
    # None for a JSONL record, whose html or text is hashed as UTF-8 instead
    raw_hash: str | None = None


# --------------------------------------------------------------------------- sources.toml


_HEADER = re.compile(r"^\s*\[\[\s*sources\s*\]\]")
_TABLE = re.compile(r"^\s*\[")
_FETCH_HEADER = re.compile(r"^\s*\[\s*fetch\s*\]")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")

# [fetch] key -> (type(s) accepted, lowest value allowed, what the value means)
_FETCH_KEYS: dict[str, tuple[tuple[type, ...], float | None, str]] = {
    "timeout_s": ((int, float), 0.001, "seconds"),
    "max_bytes": ((int,), 1, "bytes"),
    "retries": ((int,), 0, "extra attempts"),
    "user_agent": ((str,), None, "a User-Agent header"),
    "per_host_concurrency": ((int,), 1, "requests in flight per host"),
    "max_redirects": ((int,), 0, "redirects"),
    "deadline_s": ((int, float), 0.001, "seconds"),
    "backoff_s": ((int, float), 0, "seconds"),
    "retry_after_cap_s": ((int, float), 0, "seconds"),
    "obey_robots": ((bool,), None, "true or false"),
}


class _Lines:
    """Line numbers of tables and keys in a TOML text (tomllib keeps none)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.source_headers = [i + 1 for i, ln in enumerate(self.lines) if _HEADER.match(ln)]
        self.fetch_header = next(
            (i + 1 for i, ln in enumerate(self.lines) if _FETCH_HEADER.match(ln)), None
        )

    def source(self, index: int) -> int | None:
        return self.source_headers[index] if index < len(self.source_headers) else None

    def key(self, table_line: int | None, key: str) -> int | None:
        """Return the line of ``key = ...`` inside the table starting at ``table_line``."""
        if table_line is None:
            return None
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for i in range(table_line, len(self.lines)):
            if _TABLE.match(self.lines[i]):
                break
            if pattern.match(self.lines[i]):
                return i + 1
        return table_line

    def value(self, start: int | None, text: str) -> int | None:
        """Return the first line from ``start`` on that holds ``text`` in quotes, else ``start``."""
        if start is None:
            return None
        for i in range(start - 1, len(self.lines)):
            if i >= start and _TABLE.match(self.lines[i]):
                break
            if f'"{text}"' in self.lines[i] or f"'{text}'" in self.lines[i]:
                return i + 1
        return start


def _where(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line else str(path)


def _suggest(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"


def _parse_fetch(
    table: Any, path: Path, lines: _Lines, problems: list[str]
) -> FetchConfig:
    if not isinstance(table, dict):
        problems.append(f"{_where(path, lines.fetch_header)}: 'fetch' must be a table, [fetch]")
        return FetchConfig()
    values: dict[str, Any] = {}
    for key, value in table.items():
        line = lines.key(lines.fetch_header, key)
        if key not in _FETCH_KEYS:
            problems.append(
                f"{_where(path, line)}: unknown [fetch] key '{key}': {_suggest(key, tuple(_FETCH_KEYS))}"
            )
            continue
        types, lowest, meaning = _FETCH_KEYS[key]
        # bool is an int in Python; only obey_robots takes one
        bad_type = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        if bad_type:
            problems.append(
                f"{_where(path, line)}: [fetch] {key} = {value!r} is not valid: give {meaning}"
                f" ({' or '.join(t.__name__ for t in types)})"
            )
        elif lowest is not None and value < lowest:
            problems.append(
                f"{_where(path, line)}: [fetch] {key} = {value!r} is too small: give at least {lowest}"
            )
        elif key == "user_agent" and not value.strip():
            problems.append(f"{_where(path, line)}: [fetch] user_agent is empty: give a name")
        else:
            values[key] = float(value) if float in types and key != "obey_robots" else value
    return FetchConfig(**values)


def _parse_source(
    index: int, table: Any, path: Path, lines: _Lines, problems: list[str]
) -> SourceSpec | None:
    header = lines.source(index)
    where = _where(path, header)
    if not isinstance(table, dict):
        problems.append(f"{where}: each source must be a [[sources]] table")
        return None
    ok = True
    for key in table:
        if key not in SOURCE_KEYS:
            problems.append(
                f"{_where(path, lines.key(header, key))}: unknown source key '{key}': "
                f"{_suggest(key, SOURCE_KEYS)}"
            )
            ok = False
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}: source #{index + 1} has no name: add name = \"...\"")
        ok = False
        name = f"source #{index + 1}"
    allow_private = table.get("allow_private", False)
    if not isinstance(allow_private, bool):
        line = lines.key(header, "allow_private")
        problems.append(f"{_where(path, line)}: allow_private must be true or false")
        ok = False
    given = [k for k in KINDS if k in table]
    if len(given) != 1:
        what = "no location" if not given else f"{len(given)} locations ({', '.join(given)})"
        problems.append(
            f"{where}: source '{name}' has {what}: give exactly one of {', '.join(KINDS)}"
        )
        return None
    kind = given[0]
    line = lines.key(header, kind)
    location = _location(kind, table[kind], path, lines, line, name, problems)
    allow_hosts = _allow_hosts(
        table.get("allow_hosts", []), _where(path, lines.key(header, "allow_hosts")), name,
        problems,
    )
    if location is None or not ok or allow_hosts is None:
        return None
    return SourceSpec(name=name, kind=kind, location=location,  # type: ignore[arg-type]
                      allow_private=allow_private, line=header, allow_hosts=allow_hosts)


def _allow_hosts(
    value: Any, where: str, name: str, problems: list[str]
) -> tuple[str, ...] | None:
    """Return the hosts of an allow_hosts list, lower case, or None after noting what is wrong."""
    example = 'allow_hosts = ["intranet.example", "127.0.0.1"]'
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        problems.append(
            f"{where}: source '{name}': allow_hosts must be a list of host names, e.g. {example}"
        )
        return None
    hosts: list[str] = []
    for given in value:
        host = given.strip().lower().removeprefix("[").removesuffix("]")
        literal = f"[{host}]" if ":" in host else host
        try:
            parsed = urlsplit(f"http://{literal}/").hostname
        except ValueError:
            parsed = None
        if not host or parsed != host or url_problem(f"http://{literal}/") is not None:
            problems.append(
                f"{where}: source '{name}': allow_hosts: {given!r} is not a host name: give"
                f" the name or address alone, without scheme, port or path, e.g. {example}"
            )
            return None
        hosts.append(host)
    return tuple(hosts)


def web_url_problem(url: str) -> str | None:
    """Return what is wrong with a URL to fetch, in words for a sources file, or None.

    >>> web_url_problem("https://[::1/feed")
    'not a valid URL: bad IPv6 address in [brackets]'
    >>> web_url_problem("ftp://a.example/b")
    'not an http(s) URL (only http and https are fetched)'
    """
    if not is_web_url(url):
        return "not an http(s) URL (only http and https are fetched)"
    problem = url_problem(url)
    return f"not a valid URL: {problem.removeprefix('invalid URL: ')}" if problem else None


def _location(
    kind: str, value: Any, path: Path, lines: _Lines, line: int | None, name: str,
    problems: list[str],
) -> str | tuple[str, ...] | None:
    where = _where(path, line)
    if kind == "urls":
        return _url_list(value, path, lines, line, name, problems)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: source '{name}': {kind} must be a string")
        return None
    if kind in ("feed", "sitemap"):
        if is_web_url(value):
            problem = web_url_problem(value)
            if problem:
                problems.append(f"{where}: source '{name}': {kind} {value!r} is {problem}")
                return None
            return value
        local = (path.parent / value).resolve()
        if local.is_file():  # a feed or sitemap saved to disk is fine too
            return str(local)
        problems.append(
            f"{where}: source '{name}': {kind} must be an http(s) URL or an existing file: {value!r}"
        )
        return None
    local = (path.parent / value).resolve()
    if kind == "folder" and not local.is_dir():
        problems.append(f"{where}: source '{name}': folder not found: {local}")
        return None
    if kind in ("file", "jsonl") and not local.is_file():
        problems.append(f"{where}: source '{name}': {kind} not found: {local}")
        return None
    return str(local)


def _url_list(
    value: Any, path: Path, lines: _Lines, line: int | None, name: str, problems: list[str]
) -> tuple[str, ...] | None:
    """Return the URLs of a urls key (a list, or a file of one URL a line); note every bad one
    with its line (in the sources file, or in the list file)."""
    where = _where(path, line)
    if isinstance(value, str):  # a text file with one URL a line
        listed = (path.parent / value).resolve()
        if not listed.is_file():
            problems.append(f"{where}: source '{name}': URL list file not found: {listed}")
            return None
        entries = [
            (_where(listed, number), ln.strip())
            for number, ln in enumerate(listed.read_text(encoding="utf-8").splitlines(), 1)
            if ln.strip() and not ln.strip().startswith("#")
        ]
    elif isinstance(value, list) and all(isinstance(u, str) for u in value):
        entries, at = [], line
        for url in value:  # each URL's own line when the list spans several
            at = lines.value(at, url)
            entries.append((_where(path, at), url))
    else:
        entries = []
    if not entries:
        problems.append(
            f"{where}: source '{name}': urls must be a non-empty list of URLs,"
            ' urls = ["https://..."], or the path of a text file with one URL a line'
        )
        return None
    bad = [(at, url, web_url_problem(url)) for at, url in entries]
    for at, url, problem in bad:
        if problem:
            problems.append(f"{at}: source '{name}': {url!r} is {problem}")
    if any(problem for _, _, problem in bad):
        return None
    return tuple(url for _, url in entries)


def _read_config(path: Path) -> tuple[SourcesConfig | None, list[str]]:
    """Return the parsed config (None when unusable) and every problem found."""
    if not path.is_file():
        return None, [f"{path}: sources file not found: check the path, or pass --sources FILE"]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, [f"{path}: cannot read the sources file: {err}"]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = _TOML_POSITION.search(str(err))
        message = _TOML_POSITION.sub("", str(err)).strip()
        line = int(match.group(1)) if match else None
        return None, [f"{_where(path, line)}: not valid TOML: {message}"]
    lines = _Lines(text)
    problems: list[str] = []
    for key in data:
        if key not in ("sources", "fetch"):
            problems.append(
                f"{path}: unknown top-level key '{key}': use [fetch] and [[sources]] tables"
            )
    fetch = _parse_fetch(data.get("fetch", {}), path, lines, problems)
    raw_sources = data.get("sources")
    if raw_sources is None or raw_sources == []:
        problems.append(f"{path}: no sources: add a [[sources]] table with a name and a location")
        return None, problems
    if not isinstance(raw_sources, list):
        problems.append(f"{path}: 'sources' must be an array of tables, written [[sources]]")
        return None, problems
    specs: list[SourceSpec] = []
    seen: dict[str, int | None] = {}
    for index, table in enumerate(raw_sources):
        spec = _parse_source(index, table, path, lines, problems)
        if spec is None:
            continue
        if spec.name in seen:
            problems.append(
                f"{_where(path, spec.line)}: source name '{spec.name}' is already used"
                f" on line {seen[spec.name]}: names must be unique"
            )
            continue
        seen[spec.name] = spec.line
        specs.append(spec)
    return SourcesConfig(sources=tuple(specs), fetch=fetch, path=path), problems


def load_sources(path: str | Path) -> SourcesConfig:
    """Return the sources and fetch settings of a sources.toml; raise SourcesError if invalid."""
    resolved = Path(path).expanduser().resolve()
    config, problems = _read_config(resolved)
    if problems or config is None:
        raise SourcesError("\n".join(problems))
    return config


def check_sources(path: str | Path) -> list[str]:
    """Return every problem in a sources file, one line each; an empty list means it is valid."""
    _, problems = _read_config(Path(path).expanduser().resolve())
    return problems


def source_from_arg(arg: str, *, allow_private: bool = False) -> SourceSpec:
    """Return the source a --source argument names: folder, file, .jsonl or http(s) URL."""
    text = arg.strip()
    if is_web_url(text):
        problem = web_url_problem(text)
        if problem:
            raise SourcesError(f"{arg}: {problem}")
        lowered = urlsplit(text).path.lower()
        if "sitemap" in lowered and lowered.endswith((".xml", ".xml.gz")):
            kind: SourceKind = "sitemap"
        elif lowered.endswith((".rss", ".atom", "/feed", "/feed/", "/rss", "/rss/", "rss.xml",
                               "atom.xml", "feed.xml")):
            kind = "feed"
        else:
            return SourceSpec(name=text, kind="urls", location=(text,),
                              allow_private=allow_private)
        return SourceSpec(name=text, kind=kind, location=text, allow_private=allow_private)
    if "://" in text:
        raise SourcesError(f"{arg}: only http and https URLs can be fetched")
    local = Path(text).expanduser().resolve()
    if local.is_dir():
        return SourceSpec(name=text, kind="folder", location=str(local))
    if local.is_file() and local.suffix.lower() == ".toml":
        raise SourcesError(f"{arg}: this is a sources file: pass it with --sources {arg}")
    if local.is_file():
        kind = "jsonl" if local.suffix.lower() in (".jsonl", ".ndjson") else "file"
        return SourceSpec(name=text, kind=kind, location=str(local))
    raise SourcesError(
        f"{arg}: no such file or folder: give a folder of .html/.txt files, a file, a .jsonl"
        " archive, or an http(s) URL"
    )


# --------------------------------------------------------------------------- local sources


def read_local(spec: SourceSpec) -> Iterator[RawDocument | Failure]:
    """Yield the documents of a folder, file or JSONL source; an unreadable one yields a Failure."""
    if spec.kind not in LOCAL_KINDS or not isinstance(spec.location, str):
        raise ValueError(f"read_local needs a folder, file or jsonl source, not {spec.kind}")
    location = Path(spec.location)
    if spec.kind == "jsonl":
        yield from _read_jsonl(spec.name, location)
    elif spec.kind == "file":
        yield _read_file(spec.name, location)
    elif not location.is_dir():
        yield Failure(spec.name, f"folder not found: {location}", stage="read")
    else:
        pages = sorted(
            p for p in location.rglob("*")
            if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(location).parts)
        )
        if not pages:
            yield Failure(
                spec.name, f"no .html, .htm or .txt files in {location}", stage="read"
            )
        for page in pages:
            yield _read_file(spec.name, page)


def _read_file(source: str, path: Path) -> RawDocument | Failure:
    key = str(path.resolve())
    try:
        body = path.read_bytes()
    except OSError as err:
        return Failure(source, f"cannot read {path}: {err.strerror or err}", url=None, stage="read")
    if b"\x00" in body[:2048]:
        return Failure(source, f"{path}: binary file, not HTML or text", stage="read")
    content = decode_body(body)
    is_text = path.suffix.lower() == ".txt" or (
        path.suffix.lower() not in (".html", ".htm") and not content.lstrip().startswith("<")
    )
    raw_hash = hashlib.sha256(body).hexdigest()
    if is_text:
        return RawDocument(source=source, key=key, url=None, html=None, text=content,
                           raw_hash=raw_hash)
    return RawDocument(source=source, key=key, url=None, html=content, text=None,
                       raw_hash=raw_hash)


def _read_jsonl(source: str, path: Path) -> Iterator[RawDocument | Failure]:
    try:
        handle = path.open("rb")
    except OSError as err:
        yield Failure(source, f"cannot read {path}: {err.strerror or err}", stage="read")
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield _jsonl_document(source, path, number, raw)


def _jsonl_document(source: str, path: Path, number: int, raw: bytes) -> RawDocument | Failure:
    where = f"{path}, line {number}"
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Failure(source, f"{where}: not UTF-8 text", stage="read")
    except json.JSONDecodeError as err:
        return Failure(source, f"{where}: not valid JSON: {err.msg} (column {err.colno})",
                       stage="read")
    if not isinstance(record, dict):
        return Failure(source, f"{where}: expected a JSON object, got {type(record).__name__}",
                       stage="read")
    text, html = record.get("text"), record.get("html")
    url = record.get("url")
    for field_name in ("url", "title", "published", "text", "html"):
        if record.get(field_name) is not None and not isinstance(record[field_name], str):
            return Failure(source, f"{where}: '{field_name}' must be a string",
                           url=url if isinstance(url, str) else None, stage="read")
    if isinstance(record.get("id"), bool) or not isinstance(record.get("id"), str | int | None):
        return Failure(source, f"{where}: 'id' must be a string or a number", stage="read")
    if not (text and text.strip()) and not (html and html.strip()):
        return Failure(source, f"{where}: no 'text' or 'html': give one of them", url=url,
                       stage="read")
    doc_id = _str(record.get("id"))
    if url:
        key = canonical_url(url) if is_http_url(url) else url
    else:
        key = f"{path.resolve()}#{doc_id if doc_id is not None else number}"
    return RawDocument(
        source=source,
        key=key,
        url=url or None,
        html=html if html and html.strip() else None,
        text=text if text and text.strip() else None,
        title=record.get("title"),
        published=record.get("published"),
        doc_id=doc_id,
    )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def raw_document(source: str, result: FetchResult) -> RawDocument | Failure:
    """Return the RawDocument of a successful fetch, or a Failure carrying its reason."""
    if not result.ok or result.text is None:
        reason = result.error or ("not modified" if result.not_modified else "empty response")
        return Failure(source, reason, url=result.url, stage="fetch")
    return RawDocument(
        source=source,
        key=canonical_url(result.url),
        url=result.final_url or result.url,
        html=result.text,
        text=None,
        fetched_at=result.fetched_at,
        etag=result.etag,
        last_modified=result.last_modified,
        raw_hash=result.content_hash,  # of the bytes as served, before any decoding
    )


__all__ = [
    "FetchConfig",
    "FetchResult",
    "RawDocument",
    "SourceSpec",
    "SourcesConfig",
    "SourcesError",
    "canonical_url",
    "check_sources",
    "dedupe_urls",
    "discover_urls",
    "is_http_url",
    "load_sources",
    "raw_document",
    "read_local",
    "source_from_arg",
    "web_url_problem",
]
