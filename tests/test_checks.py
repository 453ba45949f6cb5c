"""Every reconciliation check against its cases: sentences where it must fire, near-misses where
it must not (fixtures/checks/<check>.jsonl), loaded into a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from warehouse_support import batch_from_case

from warehouse.load import connect, load_batch
from warehouse.reconcile import list_checks, run_checks

CASES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "checks"


def _cases() -> list:
    params = []
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                params.append(pytest.param(path.stem, case, id=f"{path.stem}/{case['id']}"))
    return params


@pytest.fixture(scope="module")
def case_db(tmp_path_factory: pytest.TempPathFactory):
    """One warehouse file for all cases, emptied before each one (the schema is kept)."""
    con = connect(tmp_path_factory.mktemp("cases") / "cases.duckdb")
    yield con
    con.close()


def _flags_of(con, case: dict) -> dict[str, list]:
    for table in ("flags", "flag_dismissals", "relations", "figures", "articles"):
        con.execute(f"delete from {table}")
    load_batch(con, batch_from_case(case), run_id="case", extractor_version="cases")
    by_check: dict[str, list] = {}
    for flag in run_checks(con, "case"):
        by_check.setdefault(flag.check_name, []).append(flag)
    return by_check


@pytest.mark.parametrize(("check", "case"), _cases())
def test_check_case(case_db, check: str, case: dict) -> None:
    flags = _flags_of(case_db, case)
    mine = flags.pop(check, [])
    others = {name: [f.message for f in found] for name, found in flags.items()}
    allowed = set(case.get("also", []))
    assert set(others) <= allowed, f"other checks fired: {others}"
    if case["expect"] == "fire":
        assert len(mine) == case.get("flags", 1), [f.message for f in mine]
        flag = mine[0]
        assert flag.message and "{}" not in flag.message
        assert "formula" in flag.details or check == "self_comparison"
        assert flag.figure_ids
    else:
        assert mine == [], [f.message for f in mine]


def test_every_check_has_cases_that_fire_and_cases_that_must_not() -> None:
    for spec in list_checks():
        path = CASES_DIR / f"{spec.name}.jsonl"
        assert path.exists(), f"no cases for {spec.name}"
        expects = [json.loads(line)["expect"] for line in path.read_text().splitlines() if line]
        assert "fire" in expects and "quiet" in expects, spec.name


def test_every_check_has_a_header_and_stays_within_joins() -> None:
    specs = list_checks()
    assert len(specs) >= 11
    for spec in specs:
        assert spec.finds and spec.why, spec.name
        # the checks join on keys; a cross join over all figures would not scale
        assert "cross join" not in spec.sql.lower(), spec.name
