"""Derive typed relations between figures (warehouse/relations.sql) after each load."""

from __future__ import annotations

from importlib import resources

import duckdb


def relations_sql() -> str:
    """Return the text of warehouse/relations.sql."""
    return resources.files("warehouse").joinpath("relations.sql").read_text(encoding="utf-8")


def derive_relations(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the relations table with the links between current figures; return how many."""
    con.execute("begin transaction")
    try:
        con.execute(relations_sql())
        count = con.execute("select count(*) from relations").fetchall()[0][0]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return int(count)
