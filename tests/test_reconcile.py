"""The check runner: relations, stable flag ids, dismissals, and the seeds end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from warehouse_support import batch_from_case

from extractors.records import Article, article_id_for
from warehouse.load import connect, load_batch
from warehouse.reconcile import (
    CheckError,
    UnknownFlag,
    count_flags,
    dismiss_flag,
    open_flag_rows,
    parse_check,
    run_checks,
)
from warehouse.relations import derive_relations

SEED_LIKE = {
    "id": "seed-like",
    "published": "2025-07-14",
    "text": (
        "The fund had a total revenue of 3.49 trillion yuan ($487 billion) last year. "
        "Almost 253 million people joined, up by 3.96 million or 1.6 percent year-on-year. "
        "The 120 staff are made up of 70 doctors and 50 nurses. "
        "The rate reaches 96.77%, successfully exceeding the target of 95%. "
        "Visitors rose from 900 to 1,200. "
        "In the town, 1,250 households, or 25 percent of the 5,000 households, have panels. "
        "Later the rate was put at 96.8%."
    ),
    "figures": [
        {"surface": "3.49 trillion yuan", "value": 3.49e12, "kind": "money", "unit": "CNY"},
        {"surface": "$487 billion", "value": 487e9, "kind": "money", "unit": "USD"},
        {"surface": "253 million", "value": 253e6, "approx": "under"},
        {
            "surface": "3.96 million",
            "value": 3.96e6,
            "kind": "change",
            "change": {"direction": "up", "reference_period": "2023"},
        },
        {
            "surface": "1.6 percent",
            "value": 1.6,
            "kind": "change",
            "unit": "percent",
            "change": {"direction": "up", "reference_period": "2023"},
        },
        {"surface": "120", "value": 120},
        {"surface": "70", "value": 70},
        {"surface": "50", "value": 50},
        {
            "surface": "96.77%",
            "value": 96.77,
            "kind": "percent",
            "unit": "percent",
            "measure": "rate",
            "period": "2012",
        },
        {"surface": "95%", "value": 95, "kind": "percent", "unit": "percent"},
        {"surface": "900", "value": 900},
        {"surface": "1,200", "value": 1200},
        {"surface": "1,250", "value": 1250},
        {"surface": "25 percent", "value": 25, "kind": "percent", "unit": "percent"},
        {"surface": "5,000", "value": 5000},
        {
            "surface": "96.8%",
            "value": 96.8,
            "kind": "percent",
            "unit": "percent",
            "measure": "rate",
            "period": "2012",
        },
    ],
}


def _relations(con) -> set[tuple[str, str, str]]:
    rows = con.execute(
        """
        select r.relation, a.surface, b.surface
        from relations as r
        join figures as a on a.figure_id = r.from_figure_id
        join figures as b on b.figure_id = r.to_figure_id
        """
    ).fetchall()
    return set(rows)


def test_relations_are_derived_from_the_sentences(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    load_batch(con, batch_from_case(SEED_LIKE), run_id="r1", extractor_version="x")
    assert derive_relations(con) > 0
    found = _relations(con)
    con.close()
    assert {
        ("equivalent_of", "$487 billion", "3.49 trillion yuan"),
        ("change_of", "3.96 million", "253 million"),
        ("change_of", "1.6 percent", "253 million"),
        ("part_of", "70", "120"),
        ("part_of", "50", "120"),
        ("target_of", "95%", "96.77%"),
        ("from_to", "900", "1,200"),
        ("share_of", "25 percent", "1,250"),
        ("share_of", "25 percent", "5,000"),
        ("restates", "96.8%", "96.77%"),
    } <= found
    # no spurious links: a target is not a restatement, a year-on-year rate is not a share
    assert not {r for r in found if r[0] == "restates" and "95%" in r}
    assert ("share_of", "1.6 percent", "3.96 million") not in found


def test_relations_are_replaced_not_accumulated(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    load_batch(con, batch_from_case(SEED_LIKE), run_id="r1", extractor_version="x")
    first = derive_relations(con)
    assert derive_relations(con) == first
    con.close()


CONFLICT = {
    "id": "conflict",
    "text": "In 2012, 14,300 students joined. Later, 17,800 students joined in 2012.",
    "figures": [
        {"surface": "14,300", "value": 14300, "period": "2012", "measure": "students"},
        {"surface": "17,800", "value": 17800, "period": "2012", "measure": "students"},
    ],
}


def test_flag_ids_are_stable_and_dismissals_stick(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    con = connect(db)
    load_batch(con, batch_from_case(CONFLICT), run_id="r1", extractor_version="x")
    first = run_checks(con, "r1")
    assert [f.check_name for f in first] == ["restatement_conflict"]
    assert count_flags(con, "warning") == 1 and count_flags(con, "error") == 0
    dismiss_flag(con, first[0].flag_id, "two different intakes")
    assert count_flags(con, "warning") == 0
    con.close()
    # a later run, after the same article was loaded again, raises the same flag id
    con = connect(db)
    load_batch(con, batch_from_case(CONFLICT), run_id="r2", extractor_version="x2")
    second = run_checks(con, "r2")
    assert [f.flag_id for f in second] == [first[0].flag_id]
    assert open_flag_rows(con) == []
    assert con.execute("select run_id, first_seen_run from flags").fetchall() == [("r2", "r1")]
    con.close()


def test_open_flag_rows_carry_the_sentence(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    load_batch(con, batch_from_case(CONFLICT), run_id="r1", extractor_version="x")
    run_checks(con, "r1")
    rows = open_flag_rows(con)
    con.close()
    assert len(rows) == 1
    assert "14,300" in rows[0]["sentence"] and "17,800" in rows[0]["sentence"]
    assert rows[0]["severity"] == "warning"


def test_unknown_flags_and_checks_are_refused(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    with pytest.raises(UnknownFlag):
        dismiss_flag(con, "0000000000000000", "nope")
    with pytest.raises(CheckError, match="no check named"):
        run_checks(con, "r1", only=["no_such_check"])
    con.close()


def test_check_headers_are_validated() -> None:
    with pytest.raises(CheckError, match="severity"):
        parse_check("x", "-- check: x\n-- severity: fatal\nselect 1")
    with pytest.raises(CheckError, match="rename"):
        parse_check("x", "-- check: y\n-- severity: info\nselect 1")
    spec = parse_check(
        "x", "-- check: x\n-- severity: info\n-- finds: a\n--   b\n-- why: c\nselect 1"
    )
    assert (spec.finds, spec.why) == ("a b", "c")


SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SEED_PUBLISHED = {"004_4d4697935d656c0a.txt": date(2025, 7, 14)}


@pytest.mark.slow
def test_the_seeds_raise_exactly_the_two_known_flags(tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this clone")
    figures_module = pytest.importorskip("extractors.figures")
    batch = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        published = SEED_PUBLISHED.get(path.name)
        article = Article(
            article_id=article_id_for(path.name),
            text=text,
            url=str(path),
            title=path.name,
            published=published,
        )
        batch.append((article, figures_module.extract_figures(text, published)))
    con = connect(tmp_path / "seeds.duckdb")
    load_batch(con, batch, run_id="seeds", extractor_version="seeds")
    flags = run_checks(con, "seeds")
    surfaces = dict(
        con.execute(
            "select o.flag_id, list(f.surface) from open_flags as o, unnest(o.figure_ids) as u(id) "
            "join figures as f on f.figure_id = u.id group by o.flag_id"
        ).fetchall()
    )
    con.close()
    serious = sorted(
        (f.check_name, tuple(surfaces[f.flag_id])) for f in flags if f.severity != "info"
    )
    assert serious == [
        ("ambiguous_number_format", ("148.600",)),
        ("self_comparison", ("173,000",)),
    ]


def test_hyphenated_goal_and_ordinals_are_not_targets(tmp_path: Path) -> None:
    case = {
        "id": "goal",
        "text": "Their first-period goals gave the team a commanding two-goal lead.",
        "figures": [
            {"surface": "first", "value": 1, "kind": "ordinal"},
            {"surface": "two", "value": 2},
        ],
    }
    con = connect(tmp_path / "w.duckdb")
    load_batch(con, batch_from_case(case), run_id="r1", extractor_version="x")
    derive_relations(con)
    assert _relations(con) == set()
    con.close()


def test_running_some_checks_keeps_the_flags_of_the_others(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    load_batch(con, batch_from_case(CONFLICT), run_id="r1", extractor_version="x")
    run_checks(con, "r1")
    assert run_checks(con, "r2", only=["self_comparison"]) == []
    kept = con.execute("select check_name, run_id from flags").fetchall()
    con.close()
    assert kept == [("restatement_conflict", "r1")]
