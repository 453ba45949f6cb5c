"""The loader: bulk, idempotent, versioned, one transaction per batch, safe against crashes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from warehouse_support import batch_from_case

from extractors.records import Article, Figure
from warehouse.load import (
    MissingWarehouse,
    WarehouseBusy,
    WarehouseError,
    connect,
    load_batch,
)

ROOT = Path(__file__).resolve().parent.parent

CASE = {
    "id": "ningbo",
    "url": "https://example.org/ningbo",
    "published": "2013-03-01",
    "text": (
        "In 2012, 1,031,100 people took part, 173,000 more than in 2011. "
        "The rate of participation reached 96.77%."
    ),
    "figures": [
        {"surface": "1,031,100", "value": 1031100, "period": "2012", "measure": "participants"},
        {
            "surface": "173,000",
            "value": 173000,
            "period": "2012",
            "change": {"direction": "up", "reference_period": "2011", "base": 0},
        },
        {"surface": "96.77%", "value": 96.77, "unit": "percent", "kind": "percent"},
    ],
}


def _edited(case: dict, old: str, new: str) -> dict:
    """Return the case with its text edited (a new version of the same article)."""
    text = case["text"].replace(old, new)
    figures = [dict(f, surface=f["surface"].replace(old, new)) for f in case["figures"]]
    return dict(case, text=text, figures=figures)


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            table: con.execute(f"select * from {table} order by all").fetchall()
            for table in ("articles", "figures", "runs")
        }
    finally:
        con.close()


def _load(db: Path, batch, run_id: str = "r1", version: str = "x1"):
    con = connect(db)
    try:
        return load_batch(con, batch, run_id=run_id, extractor_version=version)
    finally:
        con.close()


def test_loading_twice_stores_one_copy(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = _load(db, batch_from_case(CASE))
    second = _load(db, batch_from_case(CASE), run_id="r2")
    assert (first.articles_loaded, first.figures_loaded) == (1, 3)
    assert (second.articles_loaded, second.figures_loaded, second.articles_unchanged) == (0, 0, 1)
    snap = _snapshot(db)
    assert len(snap["articles"]) == 1 and len(snap["figures"]) == 3


def test_changed_article_is_a_new_version_and_history_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load(db, batch_from_case(CASE))
    edited = _edited(CASE, "1,031,100", "1,031,200")
    result = _load(db, batch_from_case(edited), run_id="r2")
    assert result.articles_loaded == 1
    con = connect(db, read_only=True)
    versions = con.execute("select is_current, run_id from articles order by run_id").fetchall()
    assert versions == [(False, "r1"), (True, "r2")]
    by_version = con.execute(
        "select run_id, is_current, count(*) from figures group by all order by run_id"
    ).fetchall()
    assert by_version == [("r1", False, 3), ("r2", True, 3)]
    assert con.execute("select list(surface order by surface) from facts").fetchone()[0] == [
        "1,031,200",
        "173,000",
        "96.77%",
    ]
    con.close()
    # the article goes back to its first text: that version is current again, nothing is copied
    again = _load(db, batch_from_case(CASE), run_id="r3")
    assert again.articles_loaded == 1
    con = connect(db, read_only=True)
    assert con.execute("select count(*) from articles").fetchone()[0] == 2
    assert con.execute("select run_id from articles where is_current").fetchall() == [("r1",)]
    assert con.execute("select count(*) from figures where is_current").fetchone()[0] == 3
    con.close()


def test_batch_is_deduplicated_before_the_upsert(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ((article, figures),) = batch_from_case(CASE)
    doubled = [(article, figures + [figures[0]]), (article, figures)]
    result = _load(db, doubled)
    assert (result.articles_loaded, result.figures_loaded) == (1, 3)
    # two versions of one article in one batch: the later one is current
    edited_article, edited_figures = batch_from_case(_edited(CASE, "96.77%", "96.78%"))[0]
    _load(db, [(edited_article, edited_figures), (article, figures)], run_id="r2")
    con = connect(db, read_only=True)
    current = con.execute("select content_hash from articles where is_current").fetchall()
    assert current == [(article.content_hash,)]
    assert (
        con.execute(
            "select count(*) from figures where is_current and content_hash <> ?",
            [article.content_hash],
        ).fetchone()[0]
        == 0
    )
    con.close()


def test_a_failing_row_late_in_the_batch_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load(db, batch_from_case(CASE))
    before = _snapshot(db)
    new_version = batch_from_case(_edited(CASE, "96.77%", "96.70%"))[0]
    other = batch_from_case(dict(CASE, id="other", url="https://example.org/other"))[0]
    # the last figure breaks the approx check constraint: the insert fails after the old
    # version was already retired inside the transaction
    bad_figures = other[1][:-1] + [replace(other[1][-1], approx="roughly")]
    con = connect(db)
    with pytest.raises(duckdb.ConstraintException):
        load_batch(con, [new_version, (other[0], bad_figures)], run_id="r2", extractor_version="x1")
    # the connection is usable after the rollback
    assert con.execute("select count(*) from articles").fetchone()[0] == 1
    con.close()
    assert _snapshot(db) == before


def test_a_figure_that_does_not_match_its_text_is_refused_before_writing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    article, figures = batch_from_case(CASE)[0]
    wrong = replace(figures[0], surface="1,031,101")
    with pytest.raises(WarehouseError, match="does not match"):
        _load(db, [(article, [wrong])])
    assert _snapshot(db)["articles"] == []


CRASHER = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, {tests!r})
    from warehouse_support import batch_from_case
    from warehouse.load import connect, load_batch

    case = json.loads(sys.argv[2])
    def crash(step):
        if step == sys.argv[3]:
            os._exit(17)  # no rollback, no close: as if the machine lost power
    con = connect(sys.argv[1])
    load_batch(con, batch_from_case(case), run_id="crash", extractor_version="x2", on_step=crash)
    """
)


@pytest.mark.parametrize("step", ["retire_old_versions", "insert_articles", "insert_figures"])
def test_a_process_killed_mid_load_leaves_the_database_as_it_was(tmp_path: Path, step: str) -> None:
    import json

    db = tmp_path / "w.duckdb"
    _load(db, batch_from_case(CASE))
    before = _snapshot(db)
    edited = _edited(CASE, "96.77%", "96.70%")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASHER.format(tests=str(ROOT / "tests")),
            str(db),
            json.dumps(edited),
            step,
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 17, proc.stderr
    assert _snapshot(db) == before
    # and the next load of that batch goes through
    assert _load(db, batch_from_case(edited), run_id="r3").articles_loaded == 1


HOLDER = textwrap.dedent(
    """
    import sys, time
    from warehouse.load import connect
    con = connect(sys.argv[1])
    print("ready", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)


def _hold(db: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_a_second_writer_gets_warehouse_busy(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load(db, batch_from_case(CASE))
    holder = _hold(db, 60)
    try:
        with pytest.raises(WarehouseBusy, match="another newsfacts process"):
            connect(db)
        with pytest.raises(WarehouseBusy):
            connect(db, read_only=True)
    finally:
        holder.kill()
        holder.wait()


def test_a_writer_that_waits_gets_in_once_the_other_finishes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = _hold(db, 1.5)
    try:
        con = connect(db, wait_s=60)
        assert con.execute("select count(*) from runs").fetchone() == (0,)
        con.close()
    finally:
        holder.wait()


def test_readers_are_read_only_and_need_the_file(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with pytest.raises(MissingWarehouse):
        connect(db, read_only=True)
    _load(db, batch_from_case(CASE))
    reader = connect(db, read_only=True)
    other_reader = connect(db, read_only=True)
    with pytest.raises(duckdb.Error, match="read-only"):
        reader.execute("delete from figures")
    assert other_reader.execute("select count(*) from figures").fetchone() == (3,)
    reader.close()
    other_reader.close()


def test_every_figure_carries_its_lineage(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load(db, batch_from_case(CASE), run_id="run-7", version="extractor-3")
    con = connect(db, read_only=True)
    rows = con.execute(
        """
        select f.run_id, f.extractor_version, f.content_hash = a.content_hash
        from figures as f join articles as a using (article_id)
        """
    ).fetchall()
    con.close()
    assert rows and set(rows) == {("run-7", "extractor-3", True)}


def test_a_new_extractor_version_replaces_the_figures_of_an_unchanged_article(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    article, figures = batch_from_case(CASE)[0]
    _load(db, [(article, figures)], version="x1")
    result = _load(db, [(article, figures[:2])], run_id="r2", version="x2")
    assert (result.articles_reextracted, result.figures_loaded) == (1, 2)
    con = connect(db, read_only=True)
    assert con.execute(
        "select extractor_version, count(*) from figures group by all"
    ).fetchall() == [("x2", 2)]
    con.close()


def test_change_base_and_printed_interval_are_stored(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load(db, batch_from_case(CASE))
    con = connect(db, read_only=True)
    rows = {
        surface: (low, high, base)
        for surface, low, high, base in con.execute(
            """
            select f.surface, f.value_low, f.value_high, b.surface
            from figures as f left join figures as b on b.figure_id = f.change_base_figure_id
            """
        ).fetchall()
    }
    con.close()
    assert rows["173,000"] == (172500.0, 173500.0, "1,031,100")
    assert rows["96.77%"][:2] == pytest.approx((96.765, 96.775))


def _article(text: str) -> tuple[Article, list[Figure]]:
    return Article(article_id="a", text=text), []


def test_articles_without_figures_load(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = _load(db, [_article("No numbers here.")])
    assert (result.articles_loaded, result.figures_loaded) == (1, 0)


def test_opening_the_file_both_ways_in_one_process_says_why(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    writer = connect(db)
    try:
        with pytest.raises(WarehouseError, match="already has it open"):
            connect(db, read_only=True)
    finally:
        writer.close()
