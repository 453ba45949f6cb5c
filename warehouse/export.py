"""Export the warehouse as Parquet, for users who outgrow one DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq

# articles and figures are partitioned by the year their article was published
PARTITIONED = {
    "articles": """
        select a.*, year(a.published) as published_year
        from articles as a
    """,
    "figures": """
        select f.*, year(a.published) as published_year
        from figures as f
        left join articles as a
            on a.article_id = f.article_id and a.content_hash = f.content_hash
    """,
}
TABLES = (
    "runs",
    "relations",
    "flags",
    "flag_dismissals",
    "failures",
    "fetches",
    "exchange_rates",
)


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: str | Path) -> dict[str, Path]:
    """Write every table as Parquet under ``out_dir`` and return where each one went.

    ``articles`` and ``figures`` are hive-partitioned folders (``published_year=2024/``;
    articles without a date go to ``published_year=__HIVE_DEFAULT_PARTITION__``); the other
    tables are one file each. An earlier export in the same folder is replaced. Works on a
    read-only connection.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, sql in PARTITIONED.items():
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        reader = con.sql(sql).to_arrow_reader(100_000)
        ds.write_dataset(
            reader,
            target,
            format="parquet",
            partitioning=["published_year"],
            partitioning_flavor="hive",
            existing_data_behavior="overwrite_or_ignore",
            basename_template=f"{name}-{{i}}.parquet",
        )
        target.mkdir(exist_ok=True)  # an empty table still gets its folder
        written[name] = target
    for name in TABLES:
        target = out / f"{name}.parquet"
        # the name comes from TABLES above, never from input
        reader = con.sql(f"select * from {name}").to_arrow_reader(100_000)
        # a writer, not a dataset: an empty table still gets its file with the schema
        with pq.ParquetWriter(target, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
        written[name] = target
    return written
