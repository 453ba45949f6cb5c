"""Tests for extractors.maintext: what we add on top of trafilatura, each on a small page."""

from __future__ import annotations

from extractors.maintext import extract_main_text

LOREM = (
    "The city council voted on Tuesday to extend the tram line by four kilometres, a project "
    "that officials say will cost 1.2 billion yuan and carry 30,000 passengers a day."
)


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>Tram line to grow</title>{head}</head><body>{body}</body></html>"


def _paragraphs(n: int, prefix: str) -> str:
    return "".join(
        f"<p>{prefix} paragraph {i}: {LOREM} Residents near the route were asked for their "
        f"views at {i + 3} public meetings held over the summer months.</p>"
        for i in range(n)
    )


def test_headline_and_standfirst_are_dropped_but_section_headings_stay() -> None:
    description = "Four more kilometres of tram, at a cost of 1.2 billion yuan"
    html = _page(
        "<article><h1>Tram line to grow</h1>"
        f"<h2>{description}</h2>"
        f"{_paragraphs(2, 'Intro')}<h2>What residents say</h2>{_paragraphs(2, 'Later')}"
        "</article>",
        head=f'<meta name="description" content="{description}.">',
    )
    text = extract_main_text(html, "Tram line to grow", description + ".")
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Intro paragraph 0")
    assert "What residents say" in paragraphs
    assert description not in text
    assert "Tram line to grow" not in text


def test_share_rows_and_teasers_are_dropped() -> None:
    html = _page(
        "<article>"
        f"{_paragraphs(3, 'Body')}"
        "<p>Read more: Metro fares to rise 20% next year</p>"
        "<p>f t g m</p><p>Share</p><p>Copyright 2024 Example Daily. All rights reserved.</p>"
        "<p>Updated at 1:23 p.m.</p>"
        "</article>"
    )
    text = extract_main_text(html)
    assert text.count("Body paragraph") == 3
    for furniture in ("Read more", "20%", "f t g m", "Share", "Copyright", "Updated at"):
        assert furniture not in text


def test_body_split_around_an_ad_is_joined_in_order() -> None:
    chunk = '<div class="article__body body">{}</div>'
    html = _page(
        '<main><div class="chunks">'
        f'<div class="grid">{chunk.format(_paragraphs(4, "First"))}</div>'
        '<div class="ad">Advertisement</div>'
        f'<div class="grid">{chunk.format(_paragraphs(4, "Second"))}</div>'
        "</div></main>"
    )
    text = extract_main_text(html)
    assert text.count("First paragraph") == 4
    assert text.count("Second paragraph") == 4
    assert text.index("First paragraph 3") < text.index("Second paragraph 0")


def test_same_class_boxes_far_away_or_short_are_not_joined() -> None:
    chunk = '<div class="article__body body">{}</div>'
    teasers = "".join(f"<li><a href='/s{i}'>Other story number {i}</a></li>" for i in range(40))
    html = _page(
        '<main><div class="chunks">'
        f'<div class="grid">{chunk.format(_paragraphs(4, "Story"))}</div>'
        f'<div class="grid">{chunk.format("<p>About us: Example Daily since 1995.</p>")}</div>'
        "</div></main>"
        f"<aside><ul>{teasers}</ul></aside>"
        f'<footer><div class="x">{chunk.format(_paragraphs(3, "Unrelated"))}</div></footer>'
    )
    text = extract_main_text(html)
    assert text.count("Story paragraph") == 4
    assert "About us" not in text
    assert "Unrelated" not in text


def test_no_article_gives_an_empty_string() -> None:
    assert extract_main_text("") == ""
    assert extract_main_text("<html><body><nav><a href='/'>Home</a></nav></body></html>") == ""
