"""Parquet export: every table, articles and figures partitioned by publication year."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from warehouse_support import batch_from_case

from warehouse.export import TABLES, export_parquet
from warehouse.load import connect, load_batch
from warehouse.reconcile import run_checks

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "checks"


def _load_cases(db: Path) -> None:
    con = connect(db)
    for line in (CASES / "currency_conversion.jsonl").read_text().splitlines():
        load_batch(con, batch_from_case(json.loads(line)), run_id="r1", extractor_version="x")
    # one article without a publication date
    case = json.loads((CASES / "parts_sum.jsonl").read_text().splitlines()[0])
    load_batch(con, batch_from_case(case), run_id="r1", extractor_version="x")
    run_checks(con, "r1")
    con.close()


def test_export_writes_every_table_and_partitions_by_year(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load_cases(db)
    con = connect(db, read_only=True)
    out = tmp_path / "parquet"
    written = export_parquet(con, out)
    expected = {
        name: con.execute(f"select count(*) from {name}").fetchall()[0][0]
        for name in ("articles", "figures", *TABLES)
    }
    con.close()
    assert set(written) == set(expected)
    years = sorted(p.name for p in (out / "figures").iterdir())
    assert "published_year=2025" in years and "published_year=__HIVE_DEFAULT_PARTITION__" in years
    check = duckdb.connect()
    for name, count in expected.items():
        path = written[name]
        pattern = f"{path}/**/*.parquet" if path.is_dir() else str(path)
        got = check.execute(
            "select count(*) from read_parquet(?, hive_partitioning = true)", [pattern]
        ).fetchall()[0][0]
        assert got == count, name
    # a second export replaces the first instead of adding to it
    con = connect(db, read_only=True)
    export_parquet(con, out)
    con.close()
    again = check.execute(
        "select count(*) from read_parquet(?, hive_partitioning = true)",
        [f"{out}/figures/**/*.parquet"],
    ).fetchall()[0][0]
    assert again == expected["figures"]
