"""Tests for extractors.maintext: what we add on top of trafilatura, each on a small page."""

from __future__ import annotations

import pytest

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


# a page around a short article: a menu, a byline, teasers and a footer, as news sites have
MENU = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(12))
TEASERS = "".join(
    f"<li><a href='/r{i}'>Another story about the economy {i}</a></li>" for i in range(6)
)


def _short_page(article: str) -> str:
    return _page(
        f"<header><nav><ul>{MENU}</ul></nav></header>"
        f"<main><article><h1>Tram line to grow</h1><div class='byline'>By A. Writer</div>"
        f"{article}</article><aside><h3>Related</h3><ul>{TEASERS}</ul></aside></main>"
        "<footer><p>Copyright 2024 Example Daily</p></footer>"
    )


def test_a_one_sentence_article_is_kept_without_the_page_around_it() -> None:
    sentence = "The port handled 3.5 million containers last year."  # 8 words
    text = extract_main_text(_short_page(f"<p>{sentence}</p>"), "Tram line to grow")
    assert text == sentence


def test_short_sentences_in_divs_are_kept_in_order() -> None:
    html = _page(
        "<div id='menu'><a href='/'>Home</a> <a href='/world'>World</a></div>"
        "<div class='story-body'><div>Exports rose 4% in March.</div>"
        "<div>Imports fell 2% over the same month.</div></div>"
    )
    assert extract_main_text(html).split("\n\n") == [
        "Exports rose 4% in March.",
        "Imports fell 2% over the same month.",
    ]


def test_a_short_article_on_a_bare_page_loses_the_menu_and_headline() -> None:
    # the shape of tests/webserver.py's pages: trafilatura alone returns menu + headline + text
    html = _page(
        "<nav>Home | World</nav><article><h1>Jobs report</h1>"
        "<p>Employers added 173,000 jobs in May, more than in April.</p></article>"
        "<footer>Copyright 1995-2024</footer>"
    )
    assert extract_main_text(html, "Jobs report") == (
        "Employers added 173,000 jobs in May, more than in April."
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<nav>Home World</nav>", id="nav-text"),
        pytest.param("<nav><a href='/'>Home</a> <a href='/w'>World</a></nav>", id="nav-links"),
        pytest.param("<p><a href='/'>Home</a> <a href='/w'>World</a></p>", id="links-in-p"),
        pytest.param("<p>Home World</p>", id="labels-in-p"),
        pytest.param(f"<header><nav><ul>{MENU}</ul></nav></header>", id="menu"),
        pytest.param(f"<header><nav><ul>{MENU * 3}</ul></nav></header>", id="long-menu"),
        pytest.param(
            "<nav><a href='/'>Home.</a> <a href='/w'>Read the world news today.</a></nav>",
            id="nav-with-a-sentence",
        ),
        pytest.param(
            "<header><a href='/'>Home</a> <a href='/w'>World</a></header>"
            "<footer><p>Copyright 2024 Example Daily. All rights reserved.</p></footer>",
            id="header-and-footer",
        ),
    ],
)
def test_a_page_of_navigation_only_has_no_text(body: str) -> None:
    assert extract_main_text(_page(body), "Tram line to grow") == ""


def test_a_list_of_figures_without_sentences_is_kept() -> None:
    items = "".join(f"<li>Region {i}: output {i * 13}.5 million tonnes</li>" for i in range(15))
    html = _page(f"<nav><a href='/'>Home</a></nav><main><h1>Output</h1><ul>{items}</ul></main>")
    lines = extract_main_text(html).split("\n\n")
    assert len(lines) == 15
    assert "Region 14: output 182.5 million tonnes" in lines[-1]
    assert "Home" not in lines


def test_a_one_sentence_chinese_article_is_kept() -> None:
    sentence = "港口去年处理了三百五十万个集装箱。"  # no spaces: each character counts as a word
    html = (
        "<html><head><title>港口</title></head><body>"
        "<nav><a href='/'>首页</a> <a href='/world'>国际</a></nav>"
        f"<article><h1>港口</h1><p>{sentence}</p></article><footer>版权所有</footer></body></html>"
    )
    assert extract_main_text(html, "港口") == sentence
