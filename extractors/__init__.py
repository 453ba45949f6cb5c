"""Pure functions from text to typed records: no Prefect, no DuckDB.

``extract_figures``/``extract_many``/``figures_frame`` are imported lazily (PEP 562) so that
``import extractors`` (done by spaCy's entry point for ``extractors.component``) stays fast.
"""

from __future__ import annotations

from typing import Any

from extractors.records import Article, Change, Failure, Figure, Table

__all__ = [
    "Article",
    "Change",
    "Failure",
    "Figure",
    "Table",
    "extract_figures",
    "extract_many",
    "figures_frame",
]


def __getattr__(name: str) -> Any:
    if name in ("extract_figures", "extract_many", "figures_frame"):
        from extractors import figures

        return getattr(figures, name)
    raise AttributeError(f"module 'extractors' has no attribute {name!r}")
