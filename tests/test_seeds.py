"""The two seed articles read as a careful reader reads them (../shared/seeds/README.md).

The key sentences are embedded here so the test runs without ../shared; the full seed files
are read too when present (skipped otherwise).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract_figures
from extractors.records import Figure

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CHINA_DAILY_PUBLISHED = "2025-07-14"

NINGBO = """Ningbo realized complete coverage of medical insurance

Ningbo has realized complete coverage of medical insurance. According to Ningbo Municipal \
Bureau of Human Resources and Social Security, in 2012, the number of citizens participating in \
medical insurance exceeds 1.03 million covering 96% of the whole population. This indicates that \
the city has realized the target set in the 12th Five-Year Plan, with complete coverage of \
medical insurance.

"In September 2012, the medical insurance for urban citizens was integrated at the \
municipal-level."

Exemption of payment for the medical insurance is practiced for the poverty-stricken families. \
In 2012, the government paid the insurance for 13503 people of the poverty-stricken group, 2,709 \
more than the previous year.

The number of college students participating in the medical insurance rose steadily. In 2012, \
the number of students of the 23 higher educational institutions reaches 148.600, covering \
94.22% of the total and the rate of participation increased steadily.

Statistics show that in 2012, 1,031,100 people participated in the medical insurance, 173,000 \
more than in 2012. The rate of participation reaches 96.77%, successfully exceeding the target \
of 95% set in the 12th Five-Year Plan for the reform of the medical insurance system.

f t g m"""

CHINA_DAILY = """Global EditionASIA 中文双语Français
Over 1.32b Chinese had basic medical insurance by end of 2024

By Cheng Si | chinadaily.com.cn | Updated: 2025-07-14 19:33
Share

China's medical insurance fund was in safe and effective operation in 2024, according to the \
latest report by the National Healthcare Security Administration on Monday.

As of the end of last year, the number of participants in the national basic medical insurance \
system surpassed 1.32 billion, with a coverage rate solidified at 95 percent nationwide. The \
basic medical insurance fund has seen a total revenue of 3.49 trillion yuan ($487 billion) and \
an expense of around 2.98 trillion yuan last year.

Almost 253 million people joined the nation's maternity insurance in 2024, up by 3.96 million or \
1.6 percent year-on-year.

The long-term care insurance program has also seen stable progress in the nation's 49 trial \
cities such as the northern city of Tianjin and Chengdu in the southwestern province of Sichuan. \
According to the report, about 187.9 million people have joined the program in the 49 cities, \
among whom 1.46 million people have enjoyed the benefits of the program as of last year.

The program had a revenue of 24.4 billion yuan and expense of 13.1 billion yuan last year. There \
are 8,837 institutes that have gained certificates for long-term care services and about 292,800 \
people gained professional certificates as long-term care workers in 2024, according to the \
report.

Last year, the administration organized the 10th centralized bulk-buying of drugs and high-value \
medical consumables — with the former including 62 new drugs and the latter including two new \
medical consumables like cochlear implants — which can further lower medical costs for \
patients, the report said.

Copyright 1995 - . All rights reserved. Note: Browsers with 1024*768 or higher resolution are \
suggested for this site.
License for publishing multimedia online 0108263

Registration Number: 130349"""

# surface -> expected (value, unit, kind, approx, period); None = not checked
NINGBO_FIGURES = {
    "1.03 million": (1030000, None, "count", "over", "2012"),
    "96%": (96, "percent", "percent", "exact", "2012"),
    "13503": (13503, None, "count", "exact", "2012"),
    "2,709": (2709, None, "change", "exact", "2012"),
    "148.600": (148.6, None, "count", "exact", "2012"),
    "94.22%": (94.22, "percent", "percent", "exact", "2012"),
    "1,031,100": (1031100, None, "count", "exact", "2012"),
    "173,000": (173000, None, "change", "exact", "2012"),
    "96.77%": (96.77, "percent", "percent", "exact", None),
    "95%": (95, "percent", "percent", "exact", None),
    "12th": (12, None, "ordinal", "exact", None),
    "23": (23, None, "count", "exact", "2012"),
}
CHINA_DAILY_FIGURES = {
    "1.32b": (1.32e9, None, "count", "over", "2024"),
    "1.32 billion": (1.32e9, None, "count", "over", "2024"),
    "95 percent": (95, "percent", "percent", "exact", "2024"),
    "3.49 trillion yuan": (3.49e12, "CNY", "money", "exact", "2024"),
    "$487 billion": (487e9, "USD", "money", "exact", "2024"),
    "2.98 trillion yuan": (2.98e12, "CNY", "money", "about", "2024"),
    "253 million": (253e6, None, "count", "under", "2024"),
    "3.96 million": (3.96e6, None, "change", "exact", "2024"),
    "1.6 percent": (1.6, "percent", "change", "exact", "2024"),
    "49": (49, None, "count", "exact", None),
    "187.9 million": (187.9e6, None, "count", "about", "2024"),
    "1.46 million": (1.46e6, None, "count", "exact", "2024"),
    "24.4 billion yuan": (24.4e9, "CNY", "money", "exact", "2024"),
    "13.1 billion yuan": (13.1e9, "CNY", "money", "exact", "2024"),
    "8,837": (8837, None, "count", "exact", "2024"),
    "292,800": (292800, None, "count", "about", "2024"),
    "10th": (10, None, "ordinal", "exact", None),
    "62": (62, None, "count", "exact", "2024"),
    "two": (2, None, "count", "exact", "2024"),
}
NOT_FIGURES = (
    "2012",
    "2024",
    "2025",
    "1995",
    "0108263",
    "130349",
    "1024",
    "768",
    "19",
    "33",
    "Monday",
    "14",
    "07",
    "Five-Year",
)


def by_surface(figures: list[Figure]) -> dict[str, Figure]:
    """Return the first figure for each surface."""
    out: dict[str, Figure] = {}
    for figure in figures:
        out.setdefault(figure.surface, figure)
    return out


@pytest.fixture(scope="module")
def ningbo() -> list[Figure]:
    return extract_figures(NINGBO)


@pytest.fixture(scope="module")
def china_daily() -> list[Figure]:
    return extract_figures(CHINA_DAILY, CHINA_DAILY_PUBLISHED)


def _check(figures: list[Figure], expected: dict[str, tuple], text: str) -> None:
    found = by_surface(figures)
    for surface, (value, unit, kind, approx, period) in expected.items():
        assert surface in found, f"missing {surface!r}; got {sorted(found)}"
        figure = found[surface]
        assert figure.value == pytest.approx(value, rel=1e-9), surface
        assert (figure.unit, figure.kind, figure.approx) == (unit, kind, approx), surface
        if period is not None:
            assert figure.period == period, surface
    for figure in figures:
        assert text[figure.start : figure.end] == figure.surface
        assert figure.surface not in NOT_FIGURES, figure
    assert [f.start for f in figures] == sorted(f.start for f in figures)


def test_ningbo_figures(ningbo: list[Figure]) -> None:
    _check(ningbo, NINGBO_FIGURES, NINGBO)
    assert len(ningbo) == len(NINGBO_FIGURES) + 1  # "12th" appears twice


def test_china_daily_figures(china_daily: list[Figure]) -> None:
    _check(china_daily, CHINA_DAILY_FIGURES, CHINA_DAILY)
    assert len(china_daily) == len(CHINA_DAILY_FIGURES) + 1  # "49" appears twice


def test_ambiguous_separator_is_flagged(ningbo: list[Figure]) -> None:
    students = by_surface(ningbo)["148.600"]
    assert students.warnings == ("ambiguous_thousands_separator",)
    assert all(not f.warnings for f in ningbo if f.surface != "148.600")


def test_change_with_previous_year(ningbo: list[Figure]) -> None:
    figures = by_surface(ningbo)
    change = figures["2,709"].change
    assert change is not None and change.direction == "up"
    assert change.reference_period == "2011"
    assert change.base is not None and ningbo[change.base].surface == "13503"


def test_self_comparison_is_kept_as_written(ningbo: list[Figure]) -> None:
    figure = by_surface(ningbo)["173,000"]
    assert figure.change is not None and figure.change.direction == "up"
    assert (figure.period, figure.change.reference_period) == ("2012", "2012")
    assert ningbo[figure.change.base].surface == "1,031,100"


def test_year_on_year_changes_share_their_base(china_daily: list[Figure]) -> None:
    figures = by_surface(china_daily)
    for surface in ("3.96 million", "1.6 percent"):
        change = figures[surface].change
        assert change is not None and change.direction == "up", surface
        assert change.reference_period == "2023", surface
        assert china_daily[change.base].surface == "253 million", surface


def test_china_daily_measures_and_entity(china_daily: list[Figure]) -> None:
    figures = by_surface(china_daily)
    insured = figures["1.32 billion"]
    assert insured.measure == "participants in the national basic medical insurance system"
    assert insured.entity == "China"
    assert figures["253 million"].measure == "maternity insurance"
    assert figures["8,837"].measure == (
        "institutes that have gained certificates for long-term care services"
    )


def test_china_daily_coordinated_measures(china_daily: list[Figure]) -> None:
    # "a revenue of 24.4 billion yuan and expense of 13.1 billion yuan": each its own noun
    figures = by_surface(china_daily)
    assert figures["24.4 billion yuan"].measure == "revenue"
    assert figures["13.1 billion yuan"].measure == "expense"
    assert figures["1.46 million"].measure == "people enjoyed benefits of the program"


def test_ningbo_is_the_entity_where_the_sentence_says(ningbo: list[Figure]) -> None:
    # the headline names the city; "Ningbo Municipal Bureau ..." and "the government" point at it
    figures = by_surface(ningbo)
    for surface in ("1.03 million", "96%", "13503", "2,709"):
        assert figures[surface].entity == "Ningbo", surface
    # a sentence that names no place gets none ("Statistics show that in 2012, 1,031,100 ...")
    assert figures["1,031,100"].entity is None


def test_footer_numbers_are_not_figures(china_daily: list[Figure]) -> None:
    assert all(f.start < CHINA_DAILY.index("Copyright 1995") for f in china_daily)


def test_sentence_offsets_hold_the_figure(china_daily: list[Figure]) -> None:
    for figure in china_daily:
        assert figure.sentence_start is not None and figure.sentence_end is not None
        assert figure.sentence_start <= figure.start < figure.end <= figure.sentence_end


@pytest.mark.parametrize(
    ("name", "published", "expected"),
    [
        ("000_ae7ca7f604f3d5d4.txt", None, NINGBO_FIGURES),
        ("004_4d4697935d656c0a.txt", CHINA_DAILY_PUBLISHED, CHINA_DAILY_FIGURES),
    ],
)
def test_seed_files(name: str, published: str | None, expected: dict[str, tuple]) -> None:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    text = path.read_text(encoding="utf-8")
    figures = extract_figures(text, published)
    _check(figures, expected, text)
    assert {f.surface for f in figures} == set(expected)
