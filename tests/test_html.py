"""Tests for extractors.html: main text, metadata, tables, charsets, unreadable input."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from extractors.html import (
    PARSER_VERSION,
    ParsedPage,
    UnreadablePage,
    decode_html,
    main_text,
    parse_html,
)
from extractors.records import Table

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

FURNITURE = (
    "Copyright",
    "0108263",
    "130349",
    "1024*768",
    "Share",
    "FOLLOW US",
    "Global Edition",
    "BACK TO THE TOP",
    "f t g m",
)

CHINA_DAILY_PARAGRAPHS = [
    (
        "China's medical insurance fund was in safe and effective operation in 2024, according to "
        "the latest report by the National Healthcare Security Administration on Monday."
    ),
    (
        "As of the end of last year, the number of participants in the national basic medical "
        "insurance system surpassed 1.32 billion, with a coverage rate solidified at 95 percent "
        "nationwide. The basic medical insurance fund has seen a total revenue of 3.49 trillion yuan "
        "($487 billion) and an expense of around 2.98 trillion yuan last year."
    ),
    (
        "Almost 253 million people joined the nation's maternity insurance in 2024, up by 3.96 "
        "million or 1.6 percent year-on-year."
    ),
    (
        "The long-term care insurance program has also seen stable progress in the nation's 49 trial "
        "cities such as the northern city of Tianjin and Chengdu in the southwestern province of "
        "Sichuan. According to the report, about 187.9 million people have joined the program in the "
        "49 cities, among whom 1.46 million people have enjoyed the benefits of the program as of "
        "last year."
    ),
    (
        "The program had a revenue of 24.4 billion yuan and expense of 13.1 billion yuan last year. "
        "There are 8,837 institutes that have gained certificates for long-term care services and "
        "about 292,800 people gained professional certificates as long-term care workers in 2024, "
        "according to the report."
    ),
    (
        "Last year, the administration organized the 10th centralized bulk-buying of drugs and "
        "high-value medical consumables — with the former including 62 new drugs and the latter "
        "including two new medical consumables like cochlear implants — which can further lower "
        "medical costs for patients, the report said."
    ),
]

NINGBO_PARAGRAPHS = [
    (
        "Ningbo has realized complete coverage of medical insurance. According to Ningbo Municipal "
        "Bureau of Human Resources and Social Security, in 2012, the number of citizens participating "
        "in medical insurance exceeds 1.03 million covering 96% of the whole population. This "
        "indicates that the city has realized the target set in the 12th Five-Year Plan, with "
        "complete coverage of medical insurance."
    ),
    (
        "In 2012, the government paid the insurance for 13503 people of the poverty-stricken group, "
        "2,709 more than the previous year."
    ),
    (
        "In 2012, the number of students of the 23 higher educational institutions reaches 148.600, "
        "covering 94.22% of the total and the rate of participation increased steadily."
    ),
    (
        "Statistics show that in 2012, 1,031,100 people participated in the medical insurance, "
        "173,000 more than in 2012. The rate of participation reaches 96.77%, successfully exceeding "
        "the target of 95% set in the 12th Five-Year Plan for the reform of the medical insurance "
        "system. This indicates that Ningbo has basically realized complete coverage of medical "
        "insurance."
    ),
]


@pytest.fixture(scope="module")
def china_daily() -> ParsedPage:
    return parse_html((PAGES / "chinadaily-medical-insurance-2024.html").read_bytes())


@pytest.fixture(scope="module")
def ningbo() -> ParsedPage:
    return parse_html((PAGES / "ningbo-medical-insurance-2012.html").read_bytes())


def test_china_daily_metadata(china_daily: ParsedPage) -> None:
    assert china_daily.title == "Over 1.32b Chinese had basic medical insurance by end of 2024"
    assert isinstance(china_daily.published, datetime)
    assert china_daily.published.replace(tzinfo=None) == datetime(2025, 7, 14, 19, 33)
    assert china_daily.published.utcoffset() == timedelta(hours=8)
    assert china_daily.canonical_url is not None
    assert china_daily.canonical_url.startswith("https://www.chinadaily.com.cn/a/202507/14/")
    assert china_daily.parser_version == PARSER_VERSION
    assert PARSER_VERSION.startswith("newsfacts-html/")


def test_ningbo_metadata(ningbo: ParsedPage) -> None:
    assert ningbo.title == "Ningbo realized complete coverage of medical insurance"
    assert ningbo.published is None


@pytest.mark.parametrize(
    ("page", "paragraphs"),
    [
        pytest.param("china_daily", CHINA_DAILY_PARAGRAPHS, id="china-daily"),
        pytest.param("ningbo", NINGBO_PARAGRAPHS, id="ningbo"),
    ],
)
def test_main_text_keeps_the_article(
    page: str, paragraphs: list[str], request: pytest.FixtureRequest
) -> None:
    parsed: ParsedPage = request.getfixturevalue(page)
    for paragraph in paragraphs:
        assert paragraph in parsed.text
    assert "\n\n" in parsed.text
    assert not parsed.text.startswith(parsed.title or "\x00"), "title line must be dropped"


@pytest.mark.parametrize("page", ["china_daily", "ningbo"])
@pytest.mark.parametrize("furniture", FURNITURE)
def test_main_text_drops_furniture(
    page: str, furniture: str, request: pytest.FixtureRequest
) -> None:
    parsed: ParsedPage = request.getfixturevalue(page)
    assert furniture not in parsed.text


def test_fixture_text_matches_the_seed_paragraphs(
    china_daily: ParsedPage, ningbo: ParsedPage
) -> None:
    """Every article paragraph of the seed texts survives verbatim (when ../shared is here)."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not available")
    seeds = {
        "004_4d4697935d656c0a.txt": (china_daily, "Share - WeChat", "Top"),
        "000_ae7ca7f604f3d5d4.txt": (
            ningbo,
            "Ningbo realized complete coverage of medical insurance",
            "f t g m",
        ),
    }
    for name, (parsed, start_after, stop_at) in seeds.items():
        blocks = [b.strip() for b in (SEEDS / name).read_text().split("\n\n") if b.strip()]
        lines = [line for b in blocks for line in b.splitlines()]
        body = lines[lines.index(start_after) + 1 : lines.index(stop_at)]
        assert body, name
        for paragraph in body:
            assert paragraph in parsed.text, (name, paragraph[:60])
        assert parsed.text.split("\n\n") == body


def test_tables_from_inline_html() -> None:
    html = """<html><head><title>Budget</title></head><body>
    <article><p>Spending rose again this year, the ministry said in its annual report.</p>
    <table><caption>Spending by year</caption>
      <thead><tr><th>Year</th><th>Spending (billion yuan)</th><th>Change</th></tr></thead>
      <tbody>
        <tr><td>2023</td><td>1,200</td><td>+3%</td></tr>
        <tr><td>2024</td><td>1,260</td><td>+5%</td></tr>
      </tbody>
    </table>
    <table><tr><td>layout only</td></tr></table>
    </article></body></html>"""
    parsed = parse_html(html)
    assert parsed.tables == (
        Table(
            caption="Spending by year",
            header=("Year", "Spending (billion yuan)", "Change"),
            rows=(("2023", "1,200", "+3%"), ("2024", "1,260", "+5%")),
        ),
    )


def test_table_header_from_th_row_and_colspan() -> None:
    html = """<table>
      <tr><th>Region</th><th colspan="2">Population</th></tr>
      <tr><td>North</td><td>1.2 million</td><td>3%</td></tr>
    </table>"""
    (table,) = parse_html(html).tables
    assert table.header == ("Region", "Population", "Population")
    assert table.rows == (("North", "1.2 million", "3%"),)
    assert table.caption is None


ARTICLE_1252 = (
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
    "<title>Caf\u00e9 prices</title></head><body><article>"
    "<p>The caf\u00e9 on the corner raised its prices by 12% \u2013 the third rise this "
    "year \u2013 and the owner says the \u20ac2.50 espresso is here to stay for now.</p>"
    "<p>Customers in the na\u00efve hope of a discount were disappointed, according to a "
    "survey of 1,200 regulars carried out last month by the neighbourhood association.</p>"
    "</article></body></html>"
)
ARTICLE_GBK = (
    "<html><head><meta charset='gb2312'><title>\u533b\u4fdd\u8986\u76d6</title></head><body>"
    "<article><p>\u622a\u81f3\u53bb\u5e74\u5e95\uff0c\u5168\u56fd\u57fa\u672c\u533b\u7597"
    "\u4fdd\u9669\u53c2\u4fdd\u4eba\u6570\u8d85\u8fc7\u5341\u4e09\u4ebf\u4eba\uff0c\u53c2"
    "\u4fdd\u7387\u7a33\u5b9a\u5728\u767e\u5206\u4e4b\u4e5d\u5341\u4e94\u3002\u8fd9\u662f"
    "\u56fd\u5bb6\u533b\u7597\u4fdd\u969c\u5c40\u5468\u4e00\u53d1\u5e03\u7684\u62a5\u544a"
    "\u4e2d\u63d0\u5230\u7684\u3002</p></article></body></html>"
)


@pytest.mark.parametrize(
    ("html", "encoding", "needle"),
    [
        pytest.param(ARTICLE_1252, "cp1252", "caf\u00e9 on the corner", id="windows-1252"),
        pytest.param(ARTICLE_GBK, "gbk", "\u5341\u4e09\u4ebf\u4eba", id="gbk-declared-gb2312"),
        pytest.param(ARTICLE_1252, "utf-8-sig", "\u20ac2.50 espresso", id="utf-8-bom"),
    ],
)
def test_bytes_are_decoded_with_the_declared_charset(html: str, encoding: str, needle: str) -> None:
    data = html.encode(encoding)
    assert needle in decode_html(data)
    parsed = parse_html(data)
    assert needle in parsed.text
    assert parsed.title is not None and "\ufffd" not in parsed.title


def test_undeclared_charset_is_detected() -> None:
    html = ARTICLE_1252.replace("; charset=windows-1252", "")
    assert "caf\u00e9 on the corner" in decode_html(html.encode("cp1252"))


def test_png_bytes_are_unreadable() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + bytes(40)
    with pytest.raises(UnreadablePage, match="PNG image"):
        parse_html(png)
    assert main_text(png.decode("latin-1")) is None


def test_random_binary_is_unreadable() -> None:
    garbage = bytes(range(256)) * 20
    with pytest.raises(UnreadablePage, match="not HTML"):
        parse_html(garbage)


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>", "<p>Hi</p>"])
def test_no_main_text_is_an_empty_string(html: str) -> None:
    assert parse_html(html).text == ""
    assert main_text(html) is None


def test_published_from_time_tag_and_byline() -> None:
    with_time = (
        "<html><body><article><time datetime='2024-03-02'>2 March</time>"
        "<p>Text.</p></article></body></html>"
    )
    assert parse_html(with_time).published == date(2024, 3, 2)
    byline = "<html><body><div>By A. Writer | Updated: 2025-07-14 19:33</div></body></html>"
    assert parse_html(byline).published == datetime(2025, 7, 14, 19, 33)


def test_published_from_json_ld_graph() -> None:
    html = (
        '<html><head><script type="application/ld+json">{"@graph": [{"@type": "WebPage"},'
        '{"@type": "NewsArticle", "datePublished": "2023-01-05T08:00:00Z",'
        '"dateModified": "2023-01-06T09:30:00Z", "headline": "A headline"}]}</script>'
        "</head><body></body></html>"
    )
    parsed = parse_html(html)
    assert parsed.published == datetime.fromisoformat("2023-01-05T08:00:00+00:00")
    assert parsed.modified == datetime.fromisoformat("2023-01-06T09:30:00+00:00")
    assert parsed.title == "A headline"


def test_date_doctests() -> None:
    import doctest

    import extractors.pagedate

    result = doctest.testmod(extractors.pagedate)
    assert result.attempted > 0 and result.failed == 0


def test_text_has_no_trailing_whitespace_lines(china_daily: ParsedPage) -> None:
    assert all(p == p.strip() and p for p in china_daily.text.split("\n\n"))
    assert not re.search(r"\n{3,}", china_daily.text)


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        pytest.param(
            '<script type="application/ld+json">{"@type": "NewsArticle",'
            '"datePublished": "0001-01-01T00:00:00Z"}</script>'
            '<meta name="date" content="2019-11-19">',
            "",
            date(2019, 11, 19),
            id="placeholder-json-ld-skipped",
        ),
        pytest.param(
            '<meta name="sn-post-date" content="2019/11/19">',
            "",
            date(2019, 11, 19),
            id="site-meta",
        ),
        pytest.param(
            '<meta name="last-updated-date" content="2020-01-01">',
            "",
            None,
            id="not-a-publish-date",
        ),
        pytest.param(
            "",
            "<p class='byline'>Published: Nov. 18, 2019, 4:06 p.m.</p>",
            datetime(2019, 11, 18, 16, 6),
            id="month-name-byline",
        ),
        pytest.param(
            "", "<p>In September 2012, the policy changed.</p>", None, id="no-day-no-date"
        ),
    ],
)
def test_published_sources(head: str, body: str, expected: date | None) -> None:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    assert parse_html(html).published == expected


def test_td_header_row_title_row_and_repeated_header() -> None:
    html = """<table>
      <tr><td colspan="3">Standings after round 12</td></tr>
      <tr><td>Pos.</td><td>Driver</td><td>Top 5</td></tr>
      <tr><td>1</td><td>Kyle Busch</td><td>17</td></tr>
      <tr><td>Pos.</td><td>Driver</td><td>Top 5</td></tr>
      <tr><td>2</td><td>Martin Truex Jr.</td><td>15</td></tr>
    </table>"""
    (table,) = parse_html(html).tables
    assert table.caption == "Standings after round 12"
    assert table.header == ("Pos.", "Driver", "Top 5")
    assert table.rows == (("1", "Kyle Busch", "17"), ("2", "Martin Truex Jr.", "15"))


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(
            "<table><tr><td><img src='logo.png'></td><td>"
            + "An article in a layout cell. " * 20
            + "</td></tr><tr><td>Menu</td><td>More</td></tr></table>",
            id="article-in-a-cell",
        ),
        pytest.param(
            "<table><tr><td>Home</td><td>News</td><td>Sport</td></tr></table>", id="one-row-menu"
        ),
        pytest.param(
            "<table role='presentation'><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr>"
            "</table>",
            id="role-presentation",
        ),
    ],
)
def test_layout_tables_are_not_tables(html: str) -> None:
    assert parse_html(html).tables == ()


def test_a_stray_nul_does_not_lose_the_page() -> None:
    paragraph = "The council approved a budget of 3.2 billion yuan, up 5% on last year. " * 3
    html = f"<html><body><article><p>{paragraph}</p>\x00<p>{paragraph[::-1]}</p></article></body></html>"
    assert paragraph.strip() in parse_html(html).text
    assert paragraph.strip() in parse_html(html.encode("utf-8")).text


def test_a_one_sentence_article_is_parsed_with_its_title() -> None:
    html = (
        b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour traffic</title></head>'
        b"<body><nav>Home | World</nav><article><h1>Harbour traffic</h1>"
        b"<p>The port handled 3.5 million containers last year.</p></article>"
        b"<footer>Copyright 1995-2024</footer></body></html>"
    )
    page = parse_html(html)
    assert page.title == "Harbour traffic"
    assert page.text == "The port handled 3.5 million containers last year."
    assert main_text(html.decode()) == page.text


def test_a_navigation_only_page_has_a_title_but_no_text() -> None:
    links = "".join(f"<li><a href='/{s.lower()}'>{s}</a></li>" for s in ("Home", "World") * 20)
    html = (
        "<html><head><title>Example Daily</title></head>"
        f"<body><nav><ul>{links}</ul></nav><footer>Copyright 2024</footer></body></html>"
    )
    page = parse_html(html)
    assert page.title == "Example Daily"
    assert page.text == ""
    assert main_text(html) is None
