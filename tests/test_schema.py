"""The schema: applied idempotently, upgrades older files, documented with COMMENT ON."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.load import connect, schema_sql

TABLES = (
    "runs",
    "articles",
    "figures",
    "relations",
    "flags",
    "flag_dismissals",
    "failures",
    "fetches",
    "exchange_rates",
)


def test_schema_applies_twice_and_has_the_tables(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    connect(db).close()
    con = connect(db)
    con.execute(schema_sql())
    names = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    con.close()
    assert set(TABLES) | {"facts", "open_flags"} <= names


def test_every_table_and_the_columns_users_query_have_comments(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    tables = dict(
        con.execute(
            "select table_name, comment from duckdb_tables() union all "
            "select view_name, comment from duckdb_views() where not internal"
        ).fetchall()
    )
    missing = [t for t in TABLES + ("facts", "open_flags") if not tables.get(t)]
    assert not missing, f"tables without COMMENT ON: {missing}"
    undocumented = con.execute(
        """
        select table_name || '.' || column_name from duckdb_columns()
        where table_name in ('articles', 'figures', 'flags', 'relations', 'runs', 'exchange_rates')
          and comment is null
        """
    ).fetchall()
    con.close()
    assert undocumented == []


def test_an_older_file_gets_the_new_columns(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    old = duckdb.connect(str(db))
    # the figures table as the first schema had it
    old.execute(
        """
        create table figures (figure_id varchar primary key, article_id varchar not null,
            content_hash varchar not null, start_char integer not null, end_char integer not null,
            surface varchar not null, value double not null, unit varchar, kind varchar not null,
            approx varchar not null, measure varchar, entity varchar, period varchar,
            change_direction varchar, change_reference_period varchar,
            change_base_figure_id varchar, sentence varchar, sentence_start integer,
            warnings varchar[], is_current boolean not null default true,
            run_id varchar not null, extractor_version varchar)
        """
    )
    old.close()
    con = connect(db)
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where table_name = 'figures'"
        ).fetchall()
    }
    con.close()
    assert {"precision", "value_low", "value_high"} <= columns
