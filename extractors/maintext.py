"""Main article text of an HTML page: trafilatura, tuned and cleaned on html_bench.

Measured with benchmarks/html_bench.py on ../shared/html_bench (181 pages): trafilatura's
defaults score F1 0.953; this module 0.974, with every ground-truth figure mention kept.
Pure functions: no network, no files.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import trafilatura
from lxml.etree import _Element
from trafilatura.settings import DEFAULT_CONFIG, use_config
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

# trafilatura settings, measured on html_bench (benchmarks/html_bench.py)
_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,  # comment sections cost precision on 28 of 181 pages
    "include_tables": True,  # tables carry figures the ground truth keeps
    "output_format": "python",
}
_MIN_PROSE_SHARE = 0.3
_MIN_TEXT_WITHOUT_PROSE = 200  # characters; the shortest html_bench body has 369

# When its main-content pass finds fewer than MIN_EXTRACTED_SIZE (250) characters, trafilatura
# swaps in a dump of the whole page: menus, bylines and footers around a short article. For
# such pages we also run it with that rescue off: sentences found are the article, and when
# nothing is found the page has none (see extract_main_text).
_RESCUE_SIZE = DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")
_NO_RESCUE_CONFIG = use_config()
_NO_RESCUE_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "0")


_FURNITURE_RES = (
    re.compile(
        r"^(?:share|share this|share on \w+|share - \w+|tweet|print|email|e-mail)$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:[a-z]\s){2,}[a-z]$"),  # share icon rows such as "f t g m"
    re.compile(r"^(?:copyright\b|©|\(c\)\s*\d{4}|all rights reserved)", re.IGNORECASE),
    re.compile(
        r"^(?:follow us|back to the top|top|advertisement|related articles?)\W*$", re.IGNORECASE
    ),
    re.compile(r"^registration number\b", re.IGNORECASE),
    re.compile(r"^license for publishing\b", re.IGNORECASE),
    # teasers for other stories: "Read more: Alibaba poised to launch ..."
    re.compile(r"^(?:read more|see also|related|recommended|more on this)\s*[:>|]", re.IGNORECASE),
    # a timestamp line on its own: "Updated at 1:23 p.m.", "Published: 2019-11-19 08:00"
    re.compile(
        r"^(?:last )?(?:updated|published|posted)\b(?=.*\d)[^.!?]{0,50}(?:[ap]\.?m\.?)?$",
        re.IGNORECASE,
    ),
)


def _is_furniture(line: str) -> bool:
    """Return True for a line that is page furniture rather than article text."""
    return any(rx.search(line) for rx in _FURNITURE_RES)


def _normalise(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _same_heading(text: str, wanted: set[str]) -> bool:
    """Return True when a heading is (a prefix of, or starts with) the title or description."""
    norm = _normalise(text)
    if len(norm) < 8:
        return norm in wanted
    return any(w.startswith(norm) or norm.startswith(w) for w in wanted if len(w) >= 8)


def _drop_leading_headings(body: _Element, title: str | None, description: str | None) -> None:
    """Remove the headline and standfirst that trafilatura keeps above the first paragraph.

    Measured on html_bench: the ground truth never has the <h1> headline, nor an <h2>/<h3>
    standfirst that repeats the meta description; other leading headings are kept.
    """
    wanted = {_normalise(x) for x in (title, description) if x and _normalise(x)}
    for element in list(body):
        if element.tag != "head":
            break
        if element.get("rend") == "h1" or _same_heading("".join(element.itertext()), wanted):
            body.remove(element)
        else:
            break


def _clean_text(raw: str, title: str | None) -> str:
    """Return text as paragraphs separated by blank lines, furniture and title line removed."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.splitlines()]
    lines = [line for line in lines if line and not _is_furniture(line)]
    if lines and title and _normalise(lines[0]) == _normalise(title):
        lines = lines[1:]
    return "\n\n".join(lines)


# Chinese, Japanese and Korean write without spaces: count their characters as words.
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _words(line: str) -> int:
    """Return the number of words in line (a CJK character counts as one)."""
    return len(line.split()) + len(_CJK_RE.findall(line))


def _is_prose(line: str) -> bool:
    """Return True for a prose line: 10+ words or 80+ characters."""
    return _words(line) >= 10 or len(line) >= 80


# a sentence ends with . ! ? (or their CJK forms), perhaps inside quotes or brackets
_SENTENCE_END_RE = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u201d\u2019\u00bb)\]]*$")


def _is_sentence(line: str) -> bool:
    """Return True for a short sentence: 4+ words ending in . ! or ?, not all capitals."""
    return (
        _words(line) >= 4
        and bool(_SENTENCE_END_RE.search(line))
        and any(c.isalpha() for c in line)
        and not line.isupper()
    )


def _prose_chars(text: str) -> int:
    """Return the number of characters in prose lines."""
    return sum(len(line) for line in text.split("\n\n") if _is_prose(line))


def _prose_share(text: str) -> float:
    """Return the share of characters in prose-like lines, 0.0 for no text."""
    total = len(text.replace("\n\n", ""))
    return _prose_chars(text) / total if total else 0.0


def _main_body(tree: _Element, *, fast: bool, rescue: bool = True) -> _Element | None:
    """Return trafilatura's main-content tree, or None when it finds none.

    With rescue=False, a short main text is not swapped for a dump of the whole page.
    """
    config = DEFAULT_CONFIG if rescue else _NO_RESCUE_CONFIG
    try:
        # trafilatura works on a copy of the tree it is given: ours stays intact
        document = trafilatura.bare_extraction(
            tree, fast=fast, config=config, **_TRAFILATURA_OPTIONS
        )
    except Exception:  # lxml and trafilatura raise many things on broken markup
        logger.debug("trafilatura failed", exc_info=True)
        return None
    return getattr(document, "body", None)


def _body_text(body: _Element | None, title: str | None, description: str | None) -> str:
    if body is None:
        return ""
    _drop_leading_headings(body, title, description)
    return _clean_text(xmltotxt(body, include_formatting=False), title)


def _branch(element: _Element, ancestor: _Element) -> _Element:
    """Return the child of ancestor that holds element."""
    while (parent := element.getparent()) is not None and parent is not ancestor:
        element = parent
    return element


def _text_between(ancestor: _Element, first: _Element, second: _Element) -> int:
    """Return how many characters of text lie between two children of ancestor."""
    kids = [k for k in ancestor if isinstance(k.tag, str)]
    lo, hi = sorted((kids.index(first), kids.index(second)))
    return sum(len(k.text_content().strip()) for k in kids[lo + 1 : hi])


def _precedes(first: _Element, second: _Element) -> bool:
    """Return True when first starts before second in document order."""
    for element in first.getroottree().iter():
        if element is first:
            return True
        if element is second:
            return False
    return False


def _article_container(tree: _Element, paragraphs: list[str]) -> _Element | None:
    """Return the classed element that holds every extracted <p>, or None."""
    wanted = {_normalise(p) for p in paragraphs}
    matched = [
        el
        for el in tree.iter("p")
        if len(el.text_content().split()) >= 5 and _normalise(el.text_content()) in wanted
    ]
    if not matched:
        return None
    others = [set(m.iterancestors()) for m in matched[1:]]
    container = next((a for a in matched[0].iterancestors() if all(a in o for o in others)), None)
    while container is not None and not container.get("class"):
        container = container.getparent()
    if container is None or container.tag in ("body", "html"):
        return None
    return container


def _continuation_chunks(tree: _Element, text: str) -> str:
    """Return text with the article's other chunks added, when the page splits the body.

    Some sites cut the article body into sibling containers of the same class with ads in
    between (Wired: two html_bench pages where trafilatura keeps 35-45% of the body). A chunk
    is added only if it has that exact tag and class, sits within 4 levels of the extracted
    container with at most 150 characters of text between them, and holds 400+ characters of
    prose (2+ paragraphs of 15+ words): "About us" boxes and teasers fail these tests.
    """
    paragraphs = text.split("\n\n")
    container = _article_container(tree, paragraphs)
    if container is None:
        return text
    seen = {_normalise(p) for p in paragraphs}
    lineage = list(container.iterancestors())
    before: list[str] = []
    after: list[str] = []
    for chunk in container.getroottree().iter(container.tag):
        if chunk is container or chunk.get("class") != container.get("class"):
            continue
        common = next((a for a in list(chunk.iterancestors())[:4] if a in lineage), None)
        if common is None or chunk in lineage or container in set(chunk.iterancestors()):
            continue
        if _text_between(common, _branch(container, common), _branch(chunk, common)) > 150:
            continue
        new = [" ".join(p.text_content().split()) for p in chunk.iter("p")]
        new = [p for p in new if p and _normalise(p) not in seen]
        if sum(map(len, new)) < 400 or sum(len(p.split()) >= 15 for p in new) < 2:
            continue
        (before if _precedes(chunk, container) else after).extend(new)
    return "\n\n".join(before + paragraphs + after) if before or after else text


def _has_sentence(text: str) -> bool:
    """Return True when a line of the text is a sentence (see _is_sentence)."""
    return any(_is_sentence(line) for line in text.split("\n\n"))


def extract_main_text(html: str, title: str | None = None, description: str | None = None) -> str:
    """Return the main text ("" when none): trafilatura fast mode, full mode for menu-like output.

    Fast mode (no readability/jusText fallback) scores higher on html_bench; but when its
    output is mostly short lines (a site menu), the full mode with fallbacks is tried. When
    it holds under 250 characters of prose, the page may be a short article that trafilatura
    padded with the whole page. Its own main-content pass (no rescue) decides: sentences are
    a short article; nothing at all means the page has none (a menu is not an article).
    """
    if not html.strip():
        return ""
    try:
        tree = load_html(html)
    except Exception:  # lxml raises many things on broken markup
        logger.debug("lxml could not parse the page", exc_info=True)
        return ""
    if tree is None:
        return ""
    text = _body_text(_main_body(tree, fast=True), title, description)
    if _prose_share(text) < _MIN_PROSE_SHARE:
        fallback = _body_text(_main_body(tree, fast=False), title, description)
        if _prose_share(fallback) > _prose_share(text):
            text = fallback
    if _prose_chars(text) < _RESCUE_SIZE:
        own = _body_text(_main_body(tree, fast=True, rescue=False), title, description)
        if not own or _has_sentence(own):
            text = own  # a short article, or nothing but the page around it
        elif _prose_share(text) == 0 and len(text) < _MIN_TEXT_WITHOUT_PROSE:
            return ""  # a few link labels ("Home") are not an article
    return _continuation_chunks(tree, text) if text else text
