"""Run the reconciliation checks (one .sql file each in warehouse/checks) and keep their flags."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import duckdb

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
    """Run one check read-only and return its flags."""
    body = spec.sql.strip().rstrip(";")
    wrapped = f"""
        with raised as ({body})
        select r.article_id, r.figure_ids, r.message, cast(r.details as varchar),
               (select list(f.start_char || ':' || f.end_char)
                  from figures as f
                 where list_contains(r.figure_ids, f.figure_id)) as spans
        from raised as r
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
    con: duckdb.DuckDBPyConnection, run_id: str, *, only: list[str] | None = None
) -> list[Flag]:
    """Run every check (or those named), replace the flags table with what they raise."""
    specs = [s for s in list_checks() if only is None or s.name in only]
    flags = [flag for spec in specs for flag in evaluate_check(con, spec)]
    unique = {f.flag_id: f for f in flags}
    con.execute("begin transaction")
    try:
        first_seen = dict(con.execute("select flag_id, first_seen_run from flags").fetchall())
        con.execute("delete from flags")
        if unique:
            con.executemany(
                "insert into flags values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        f.flag_id,
                        run_id,
                        f.check_name,
                        f.severity,
                        f.article_id,
                        list(f.figure_ids),
                        f.message,
                        json.dumps(f.details),
                        first_seen.get(f.flag_id) or run_id,
                    ]
                    for f in unique.values()
                ],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return list(unique.values())


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
