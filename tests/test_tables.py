"""Tables in the text: figures in cells take their context from the row, column and caption."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import extractors.tables
from extractors import extract_figures
from extractors.html import parse_html
from extractors.records import Figure
from extractors.tables import find_tables

PAGE = """<html><head><title>Provincial exports rise</title>
<meta property="article:published_time" content="2025-03-02"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Provincial exports rise</h1>
<p>Exports from China's coastal provinces rose again last year, according to customs data
released on Sunday. Guangdong remained the largest exporter by far, while Jiangsu grew fastest.</p>
<table><caption>Exports by province (billion yuan)</caption>
<thead><tr><th>Province</th><th>2023</th><th>2024</th><th>Change (%)</th></tr></thead>
<tbody><tr><td>Guangdong</td><td>5,440</td><td>5,850</td><td>7.5</td></tr>
<tr><td>Jiangsu</td><td>3,370</td><td>3,700</td><td>9.8</td></tr>
<tr><td>Zhejiang</td><td>3,570</td><td>3,830</td><td>-1.2</td></tr></tbody></table>
<p>Officials expect exports to grow by about 5 percent this year as demand in Southeast Asia
stays strong and new trade routes open across Central Asia, the ministry said.</p>
</article><footer>Copyright 2025</footer></body></html>"""


def _by_surface(figures: list[Figure]) -> dict[str, Figure]:
    return {f.surface: f for f in figures}


@pytest.fixture(scope="module")
def page_figures() -> tuple[str, list[Figure]]:
    page = parse_html(PAGE)
    return page.text, extract_figures(page.text, published=page.published)


def test_cells_of_an_html_table_read_their_headers(page_figures: tuple[str, list[Figure]]) -> None:
    text, figures = page_figures
    found = _by_surface(figures)
    cell = found["5,850"]
    assert (cell.value, cell.unit, cell.kind) == (5.85e12, "CNY", "money")
    assert (cell.measure, cell.entity, cell.period) == ("Exports", "Guangdong", "2024")
    assert (found["3,370"].entity, found["3,370"].period) == ("Jiangsu", "2023")
    for figure in figures:
        assert text[figure.start : figure.end] == figure.surface


def test_a_change_column_holds_signed_changes(page_figures: tuple[str, list[Figure]]) -> None:
    found = _by_surface(page_figures[1])
    growth = found["7.5"]
    assert (growth.value, growth.unit, growth.kind) == (7.5, "percent", "change")
    assert growth.change is not None and growth.change.direction == "up"
    assert (growth.period, growth.change.reference_period) == ("2024", "2023")
    fall = found["-1.2"]
    assert fall.value == -1.2 and fall.change is not None and fall.change.direction == "down"
    assert fall.entity == "Zhejiang"


def test_prose_around_the_table_keeps_its_own_context(
    page_figures: tuple[str, list[Figure]],
) -> None:
    outlook = _by_surface(page_figures[1])["5 percent"]
    assert (outlook.kind, outlook.approx, outlook.period) == ("change", "about", "2025")


def test_units_in_row_labels_and_periods_in_columns() -> None:
    text = (
        "Key figures for the economy.\n\n"
        "| Indicator | 2023 | 2024 |\n\n|---|---|---|\n\n"
        "| GDP growth (%) | 5.2 | 5.0 |\n\n| Rail network (km) | 155,000 | 159,000 |\n\n"
        "| Exports ($ billion) | 3,380 | 3,580 |\n\nSource: statistics bureau."
    )
    found = _by_surface(extract_figures(text))
    assert (found["5.2"].unit, found["5.2"].kind, found["5.2"].period) == (
        "percent",
        "percent",
        "2023",
    )
    assert found["5.2"].measure == "GDP growth"
    assert (found["159,000"].unit, found["159,000"].measure) == ("km", "Rail network")
    assert (found["3,580"].value, found["3,580"].unit) == (3.58e12, "USD")
    assert found["3,580"].period == "2024" and found["3,580"].entity is None


def test_a_table_without_header_uses_its_row_labels() -> None:
    text = "Medal table:\n| Norway | 16 |\n| Germany | 12 |\nEnd of table."
    figures = extract_figures(text)
    assert [(f.surface, f.measure, f.unit) for f in figures] == [
        ("16", "Norway", None),
        ("12", "Germany", None),
    ]


def test_a_cell_with_its_own_unit_keeps_it() -> None:
    text = "| Team | Budget (million euros) | Share |\n|---|---|---|\n| Reds | 120 | 12% |"
    found = _by_surface(extract_figures(text))
    assert (found["120"].value, found["120"].unit, found["120"].entity) == (1.2e8, "EUR", "Reds")
    assert (found["12%"].value, found["12%"].unit, found["12%"].measure) == (12, "percent", "Share")


@pytest.mark.parametrize(
    "text",
    [
        "By Cheng Si | chinadaily.com.cn | Updated: 2025-07-14",
        "A single | row | of 5 |",
        "| only one row | 5 |",
        "|" * 5000,
        "| a |\n" * 3000,
    ],
)
def test_pipes_that_are_not_tables(text: str) -> None:
    tables = find_tables(text)
    assert all(len(t.rows) >= 1 for t in tables)
    for figure in extract_figures(text):
        assert text[figure.start : figure.end] == figure.surface
    if not text.startswith("| a |"):
        assert tables == []


def test_doctests_pass() -> None:
    result = doctest.testmod(extractors.tables)
    assert result.attempted > 0 and result.failed == 0


def test_module_is_pure() -> None:
    source = Path(extractors.tables.__file__).read_text(encoding="utf-8")
    assert "prefect" not in source and "duckdb" not in source


@pytest.mark.slow
def test_a_table_page_loads_its_cells_as_facts(prefect_harness, tmp_path: Path) -> None:
    import duckdb

    from flows.pipeline import ingest

    page = tmp_path / "exports.html"
    page.write_text(PAGE, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    summary = ingest(sources=[str(page)], db=str(db), report=None)
    assert summary.status == "ok" and summary.articles_loaded == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        facts = con.execute(
            "select surface, value, unit, kind, measure, entity, period, change_direction,"
            " change_reference_period from figures where sentence like '| Guangdong |%'"
            " order by start_char"
        ).fetchall()
        flags = con.execute("select check_name, message from open_flags").fetchall()
    finally:
        con.close()
    assert facts == [
        ("5,440", 5.44e12, "CNY", "money", "Exports", "Guangdong", "2023", None, None),
        ("5,850", 5.85e12, "CNY", "money", "Exports", "Guangdong", "2024", None, None),
        ("7.5", 7.5, "percent", "change", "Exports", "Guangdong", "2024", "up", "2023"),
    ]
    # the page's Zhejiang row is wrong on purpose: 3,570 -> 3,830 is +7.3%, not -1.2%;
    # Guangdong (+7.5%) and Jiangsu (+9.8%) add up and raise nothing
    assert [(name, "3,570" in message) for name, message in flags] == [
        ("implied_prior_conflict", True)
    ]
