"""Charsets: decode a page's bytes with the charset it declares, then with a detected one.

Declared means the Content-Type header, a byte-order mark, ``<meta charset>`` /
``http-equiv`` or the XML declaration; a page whose bytes do not fit what it declares (windows-1252
sent as utf-8 is a common fault) is decoded with the charset ``charset_normalizer`` detects.
No network here: ``flows.fetch`` and the local readers in ``flows.sources`` both use it.
"""

from __future__ import annotations

import codecs
import re

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
    for bom, bom_name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return bom_name
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        found = pattern.search(head)
        name = _codec(found.group(1).decode("ascii", "ignore")) if found else None
        if name:
            return name
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


__all__ = ["declared_charset", "decode_body"]
