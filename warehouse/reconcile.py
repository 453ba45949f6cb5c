"""Run the reconciliation checks (one .sql file each in warehouse/checks) and keep their flags."""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.relations import derive_relations

SEVERITIES = ("info", "warning", "error")
_HEADER = re.compile(r"^--\s*(check|severity|finds|why):\s*(.*)$")


class CheckError(Exception):
    """A check file is malformed or its SQL failed."""


class UnknownFlag(Exception):
    """No flag with that id exists."""


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One check: its name (the file name), default severity, what it finds and why."""

    name: str
    severity: str
    finds: str
    why: str
    sql: str


@dataclass(frozen=True, slots=True)
class Flag:
    """One finding of a check, about one or more figures of an article."""

    flag_id: str
    check_name: str
    severity: str
    article_id: str | None
    figure_ids: tuple[str, ...]
    message: str
    details: dict[str, Any]


def parse_check(name: str, sql: str) -> CheckSpec:
    """Return the check described by a .sql file's header comment and body."""
    fields: dict[str, list[str]] = {}
    current = None
    for line in sql.splitlines():
        if not line.startswith("--"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if match:
            current = match.group(1)
            fields[current] = [match.group(2).strip()]
        elif current:
            fields[current].append(line.lstrip("- ").strip())
    severity = " ".join(fields.get("severity", [""])).strip()
    if severity not in SEVERITIES:
        raise CheckError(f"check {name}: header needs '-- severity: info|warning|error'")
    declared = " ".join(fields.get("check", [name])).strip()
    if declared != name:
        raise CheckError(f"check {name}: header names it {declared!r}; rename one of them")
    return CheckSpec(
        name=name,
        severity=severity,
        finds=" ".join(fields.get("finds", [])).strip(),
        why=" ".join(fields.get("why", [])).strip(),
        sql=sql,
    )


def list_checks() -> list[CheckSpec]:
    """Return every check shipped in warehouse/checks, sorted by name."""
    folder = resources.files("warehouse").joinpath("checks")
    specs = [
        parse_check(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(specs, key=lambda s: s.name)


def flag_id_for(check_name: str, article_id: str | None, spans: list[str]) -> str:
    """Return a stable flag id from the check, the article and the figures' spans."""
    key = f"{check_name}|{article_id}|{','.join(sorted(spans))}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def evaluate_check(con: duckdb.DuckDBPyConnection, spec: CheckSpec) -> list[Flag]:
    """Run one check (it only reads) and return its flags."""
    body = spec.sql.strip().rstrip(";")
    # the spans ("article:start:end") of each flag's figures make its id stable across runs
    wrapped = f"""
        with raised as ({body}),
        numbered as (select row_number() over () as n, * from raised),
        spans as (
            select u.n, list(f.article_id || ':' || f.start_char || ':' || f.end_char) as spans
            from (select n, unnest(figure_ids) as figure_id from numbered) as u
            join figures as f on f.figure_id = u.figure_id
            group by u.n
        )
        select r.article_id, r.figure_ids, r.message, cast(r.details as varchar), s.spans
        from numbered as r
        left join spans as s on s.n = r.n
    """
    try:
        rows = con.execute(wrapped).fetchall()
    except duckdb.Error as exc:
        raise CheckError(f"check {spec.name} failed: {exc}") from exc
    flags = []
    for article_id, figure_ids, message, details, spans in rows:
        flags.append(
            Flag(
                flag_id=flag_id_for(spec.name, article_id, list(spans or [])),
                check_name=spec.name,
                severity=spec.severity,
                article_id=article_id,
                figure_ids=tuple(figure_ids or ()),
                message=message,
                details=json.loads(details) if details else {},
            )
        )
    return flags


def run_checks(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    only: list[str] | None = None,
    timings: dict[str, float] | None = None,
) -> list[Flag]:
    """Derive relations, run every check (or those named), replace their flags with their finds.

    ``timings``, when given, receives the seconds each step took (``relations`` and each check).
    """
    specs = [s for s in list_checks() if only is None or s.name in only]
    unknown = sorted(set(only or ()) - {s.name for s in specs})
    if unknown:
        names = ", ".join(s.name for s in list_checks())
        raise CheckError(f"no check named {', '.join(unknown)}; the checks are: {names}")
    started = time.perf_counter()
    derive_relations(con)
    if timings is not None:
        timings["relations"] = time.perf_counter() - started
    flags: list[Flag] = []
    for spec in specs:
        started = time.perf_counter()
        flags.extend(evaluate_check(con, spec))
        if timings is not None:
            timings[spec.name] = time.perf_counter() - started
    unique = {f.flag_id: f for f in flags}
    _store_flags(con, run_id, list(unique.values()), [s.name for s in specs])
    return list(unique.values())


def _store_flags(
    con: duckdb.DuckDBPyConnection, run_id: str, flags: list[Flag], checks: list[str]
) -> None:
    """Replace the flags of the checks that ran; other checks' flags stay as they were."""
    table = pa.Table.from_pylist(
        [
            {
                "flag_id": f.flag_id,
                "check_name": f.check_name,
                "severity": f.severity,
                "article_id": f.article_id,
                "figure_ids": list(f.figure_ids),
                "message": f.message,
                "details": json.dumps(f.details),
            }
            for f in flags
        ],
        schema=pa.schema(
            [
                ("flag_id", pa.string()),
                ("check_name", pa.string()),
                ("severity", pa.string()),
                ("article_id", pa.string()),
                ("figure_ids", pa.list_(pa.string())),
                ("message", pa.string()),
                ("details", pa.string()),
            ]
        ),
    )
    con.register("new_flags", table)
    con.execute("begin transaction")
    try:
        con.execute(
            """
            create or replace temp table kept as
            select flag_id, first_seen_run from flags
            """
        )
        con.execute("delete from flags where list_contains(?, check_name)", [checks])
        con.execute(
            """
            insert into flags by name
            select n.flag_id, ? as run_id, n.check_name, n.severity, n.article_id, n.figure_ids,
                   n.message, cast(n.details as json) as details,
                   coalesce(k.first_seen_run, ?) as first_seen_run
            from new_flags as n
            left join kept as k using (flag_id)
            """,
            [run_id, run_id],
        )
        con.execute("drop table kept")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("new_flags")


def open_flag_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Return the open (not dismissed) flags, worst first, as rows for a table artifact."""
    cursor = con.execute(
        """
        select severity, check_name, message, sentence, article_title, flag_id
        from open_flags
        order by case severity when 'error' then 0 when 'warning' then 1 else 2 end,
                 check_name, flag_id
        """
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def count_flags(con: duckdb.DuckDBPyConnection, at_least: str = "warning") -> int:
    """Return how many open flags are at least as severe as ``at_least`` (for --fail-on)."""
    if at_least not in SEVERITIES:
        raise ValueError(f"unknown severity {at_least!r}; choose one of {', '.join(SEVERITIES)}")
    wanted = list(SEVERITIES[SEVERITIES.index(at_least) :])
    rows = con.execute(
        "select count(*) from open_flags where list_contains(?, severity)", [wanted]
    ).fetchall()
    return int(rows[0][0])


def dismiss_flag(con: duckdb.DuckDBPyConnection, flag_id: str, reason: str) -> None:
    """Mark a flag as a false alarm; it stays dismissed in later runs."""
    known = con.execute("select count(*) from flags where flag_id = ?", [flag_id]).fetchall()[0]
    if not known or not known[0]:
        raise UnknownFlag(
            f'no flag {flag_id!r}; list them with: newsfacts query "select * from open_flags"'
        )
    con.execute(
        "insert or replace into flag_dismissals values (?, ?, ?)",
        [flag_id, reason, datetime.now(UTC).replace(tzinfo=None)],
    )
