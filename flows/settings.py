"""One frozen Settings object: every default in one place, passed down, never a module global."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
DEFAULT_SOURCES = FIXTURES_DIR / "sources.toml"
DEFAULT_DB = Path("newsfacts.duckdb")
DEFAULT_REPORT = Path("newsfacts-report.html")


@dataclass(frozen=True, slots=True)
class Settings:
    """What a run reads, where it writes, and how it runs."""

    db_path: Path = DEFAULT_DB
    report_path: Path | None = DEFAULT_REPORT
    sources_file: Path | None = None
    source_args: tuple[str, ...] = field(default_factory=tuple)
    batch_size: int = 50
    workers: int = 0
    dask_address: str | None = None
    wait_s: float = 0.0
    progress: bool = False

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def uses_default_sources(self) -> bool:
        """True when neither --source nor --sources was given: the bundled fixtures are read."""
        return not self.source_args and self.sources_file is None
