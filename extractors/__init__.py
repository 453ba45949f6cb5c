"""Pure functions from text to typed records: no Prefect, no DuckDB."""

from extractors.records import Article, Change, Failure, Figure, Table

__all__ = ["Article", "Change", "Failure", "Figure", "Table"]
