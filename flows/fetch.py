"""Network only: fetch pages politely and reliably with httpx.

No DuckDB and no Prefect here. ``Fetcher.fetch`` never raises for a network problem: it returns a
``FetchResult`` with ``ok=False`` and a reason a person can act on.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from importlib import metadata

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


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-.]+)["']""")
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    """Return Python's codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    # WHATWG: pages declaring latin-1 are decoded as windows-1252 by every browser
    return "cp1252" if codec in ("iso8859-1", "ascii") else codec


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """Return the charset a page declares (header, BOM, <meta>, XML declaration), or None."""
    if content_type:
        match = _CHARSET_PARAM.search(content_type)
        if match and _codec(match.group(1)):
            return _codec(match.group(1))
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match and _codec(match.group(1).decode("ascii", "ignore")):
            return _codec(match.group(1).decode("ascii", "ignore"))
    return None


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Return the text of a page: its declared charset when the bytes fit it, else a detected one.

    A page whose bytes do not match the declared charset (windows-1252 sent as utf-8, a common
    fault) is decoded with the detected charset instead of being filled with replacement marks.
    """
    candidates = [declared_charset(body, content_type)]
    if content_type and candidates[0] is not None:
        # the header may lie; the page's own <meta> is the next-best witness
        candidates.append(declared_charset(body, None))
    candidates.append("utf-8")
    for name in candidates:
        if not name:
            continue
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return text.removeprefix("\ufeff")
    detected = None
    try:
        import charset_normalizer

        best = charset_normalizer.from_bytes(body[:200_000]).best()
        detected = _codec(best.encoding) if best is not None else None
    except ImportError:  # optional: without it, windows-1252 is the web's usual fallback
        pass
    return body.decode(detected or "cp1252", errors="replace")
