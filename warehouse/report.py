"""Data-quality report from the warehouse: HTML (self-contained, inline SVG charts), Markdown, JSON.

The report reads only; open the warehouse with ``connect(db, read_only=True)``.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.charts import COLOURS, bar_chart, line_chart
from warehouse.reconcile import SEVERITIES, list_checks

FORMATS = ("html", "md", "json")
# flags shown per check in HTML and Markdown; the JSON has them all (up to MAX_FLAGS)
FLAGS_PER_CHECK = 50
MAX_FLAGS = 5000
_SEVERITY_ORDER = "case severity when 'error' then 0 when 'warning' then 1 else 2 end"


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows, read from the warehouse in one pass."""

    generated_at: datetime
    runs: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    flag_counts: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    articles: list[dict[str, Any]]
    kinds: list[dict[str, Any]]
    checks: list[dict[str, Any]] = field(default_factory=list)
    dismissed: int = 0
    totals: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the report data as JSON-ready dicts."""
        data = asdict(self)
        data["figures_per_kind"] = data.pop("kinds")
        return data


def _records(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _stages(con: duckdb.DuckDBPyConnection, run: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return the counts of the latest run, stage by stage, with failures per stage."""
    if not run:
        return []
    failed = dict(
        con.execute(
            "select stage, count(*) from failures where run_id = ? group by stage",
            [run["run_id"]],
        ).fetchall()
    )
    fetched = con.execute(
        "select count(distinct url), count(distinct url) filter (where error is null) "
        "from fetches where run_id = ?",
        [run["run_id"]],
    ).fetchall()[0]
    stages = []
    if fetched[0]:
        stages.append({"stage": "fetch", "count": fetched[1], "failed": failed.pop("fetch", 0)})
    stages.append(
        {"stage": "read", "count": run["articles_seen"] or 0, "failed": failed.pop("parse", 0)}
    )
    stages.append(
        {
            "stage": "load (new or changed articles)",
            "count": run["articles_loaded"] or 0,
            "failed": failed.pop("load", 0),
        }
    )
    stages.append(
        {
            "stage": "figures",
            "count": run["figures_loaded"] or 0,
            "failed": failed.pop("extract", 0),
        }
    )
    stages.append({"stage": "open flags", "count": run["flags_raised"] or 0, "failed": 0})
    stages.extend({"stage": stage, "count": 0, "failed": n} for stage, n in failed.items())
    return stages


_FLAGS_SQL = f"""
with ranked as (
    select *, row_number() over (partition by check_name order by flag_id) as nth
    from open_flags
),

shown as (
    select * from ranked where nth <= ?
),

flag_figures as (
    select s.flag_id, unnest(s.figure_ids) as figure_id from shown as s
),

figures_of as (
    select
        ff.flag_id,
        list({{
            'surface': f.surface, 'sentence': f.sentence, 'article_id': f.article_id,
            'offset': f.start_char - f.sentence_start, 'sentence_start': f.sentence_start,
            'kind': f.kind, 'value': f.value, 'unit': f.unit, 'period': f.period
        }} order by f.article_id, f.start_char) as figures
    from flag_figures as ff
    join figures as f on f.figure_id = ff.figure_id
    group by ff.flag_id
)

select
    s.flag_id, s.check_name, s.severity, s.article_id, s.article_title, s.article_url,
    s.message, cast(s.details as varchar) as details, s.figure_ids, s.first_seen_run,
    fo.figures
from shown as s
left join figures_of as fo on fo.flag_id = s.flag_id
order by {_SEVERITY_ORDER}, s.check_name, s.flag_id
"""


def collect(con: duckdb.DuckDBPyConnection, *, flags_per_check: int = MAX_FLAGS) -> ReportData:
    """Read the runs, failures, open flags and figure counts the report shows."""
    runs = _records(con, "select * from runs order by started_at desc limit 30")
    latest = runs[0] if runs else None
    failures = _records(
        con,
        "select source, url, stage, reason from failures where run_id = ? "
        "order by stage, source, url",
        [latest["run_id"] if latest else None],
    )
    flag_counts = _records(
        con,
        f"select check_name, severity, count(*) as flags from open_flags group by check_name, severity "
        f"order by {_SEVERITY_ORDER}, check_name",
    )
    flags = _records(con, _FLAGS_SQL, [flags_per_check])
    for flag in flags:
        flag["details"] = json.loads(flag["details"]) if flag["details"] else {}
    articles = _records(
        con,
        """
        with per_article as (
            select article_id, content_hash, count(*) as figures,
                   list_sort(list(distinct kind)) as kinds
            from figures where is_current group by all
        ),
        flagged as (
            select article_id, count(*) as flags from open_flags group by all
        )
        select a.article_id, a.title, a.url, a.published,
               coalesce(p.figures, 0) as figures, coalesce(p.kinds, []) as kinds,
               coalesce(g.flags, 0) as flags
        from articles as a
        left join per_article as p
            on p.article_id = a.article_id and p.content_hash = a.content_hash
        left join flagged as g on g.article_id = a.article_id
        where a.is_current
        order by a.published desc nulls last, a.title
        limit 500
        """,
    )
    kinds = _records(
        con,
        "select kind, count(*) as figures from figures where is_current group by kind "
        "order by figures desc, kind",
    )
    dismissed = con.execute(
        "select count(*) from flags where flag_id in (select flag_id from flag_dismissals)"
    ).fetchall()[0][0]
    totals_row = con.execute(
        "select (select count(*) from articles where is_current), "
        "(select count(*) from figures where is_current), (select count(*) from open_flags), "
        "(select count(*) from relations)"
    ).fetchall()[0]
    checks = [{"name": c.name, "severity": c.severity, "finds": c.finds} for c in list_checks()]
    return ReportData(
        generated_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
        runs=runs,
        stages=_stages(con, latest),
        failures=failures,
        flag_counts=flag_counts,
        flags=flags,
        articles=articles,
        kinds=kinds,
        checks=checks,
        dismissed=int(dismissed),
        totals=dict(
            zip(
                ("articles", "figures", "open_flags", "relations"),
                map(int, totals_row),
                strict=True,
            )
        ),
    )


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render_json(data: ReportData) -> str:
    """Return the report as JSON."""
    return json.dumps(data.to_dict(), default=_json_default, indent=2, ensure_ascii=False)


def _sentences(flag: dict[str, Any]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Return each distinct sentence of a flag with the spans of its flagged figures."""
    grouped: dict[tuple[str, int], tuple[str, list[tuple[int, int]]]] = {}
    for fig in flag.get("figures") or []:
        sentence, offset, surface = fig.get("sentence") or "", fig.get("offset"), fig["surface"]
        key = (fig.get("article_id") or "", fig.get("sentence_start") or 0)
        entry = grouped.setdefault(key, (sentence, []))
        if offset is not None and sentence[offset : offset + len(surface)] == surface:
            entry[1].append((offset, offset + len(surface)))
    return list(grouped.values())


def _href(url: str | None) -> str:
    """Return a link target that is safe to put in the page: web and file addresses only."""
    if not url:
        return ""
    scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
    if scheme not in ("", "http", "https", "file"):
        return ""  # e.g. javascript: from a hostile source list
    return html.escape(url, quote=True)


def highlight_html(sentence: str, spans: list[tuple[int, int]]) -> str:
    """Return the sentence as HTML with every span marked."""
    out, pos = [], 0
    for start, end in sorted(set(spans)):
        if start < pos:
            continue
        out += [
            html.escape(sentence[pos:start]),
            f"<mark>{html.escape(sentence[start:end])}</mark>",
        ]
        pos = end
    out.append(html.escape(sentence[pos:]))
    return "".join(out)


def highlight_markdown(sentence: str, spans: list[tuple[int, int]]) -> str:
    """Return the sentence with every span in bold."""
    out, pos = [], 0
    for start, end in sorted(set(spans)):
        if start < pos:
            continue
        out += [sentence[pos:start], f"**{sentence[start:end]}**"]
        pos = end
    out.append(sentence[pos:])
    return " ".join("".join(out).split())


_CSS = f"""
:root{{color-scheme:light}}
body{{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1040px;
color:#1d1d1f;padding:0 1rem;background:#fff}}
h1{{font-size:1.6rem;margin-bottom:.2rem}}h2{{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}}
h3{{margin:1.4rem 0 .4rem}}
table{{border-collapse:collapse;width:100%;margin:.4rem 0}}
td,th{{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:left;vertical-align:top}}
td.n,th.n{{text-align:right;font-variant-numeric:tabular-nums}}
.sev{{display:inline-block;border-radius:3px;padding:0 .4rem;color:#fff;font-size:.8rem;font-weight:600}}
.sev-error{{background:{COLOURS["error"]}}}.sev-warning{{background:{COLOURS["warning"]}}}
.sev-info{{background:{COLOURS["info"]}}}
mark{{background:#ffe38a;padding:0 .15rem;border-radius:2px}}
blockquote{{margin:.3rem 0 .3rem 0;padding:.2rem .8rem;border-left:3px solid #ccc;color:#333}}
svg text{{font:12px system-ui,sans-serif;fill:#333}}
.charts{{display:flex;flex-wrap:wrap;gap:1.5rem 2.5rem;margin-top:1rem}}
figure{{margin:0}}figcaption{{font-weight:600;margin-bottom:.3rem}}
.summary span{{display:inline-block;margin-right:1.4rem}}.muted{{color:#6b6b6b}}
.flag{{margin:.6rem 0 1rem}}.flag p{{margin:.2rem 0}}code{{font-size:.85em}}
details{{font-size:.85rem;color:#444}}details pre{{white-space:pre-wrap;margin:.2rem 0}}
"""


def _html_summary(data: ReportData) -> str:
    run = data.runs[0] if data.runs else None
    totals = data.totals
    parts = ["<p class='summary'>"]
    if run:
        parts.append(
            f"<span>Latest run <code>{html.escape(str(run['run_id']))}</code></span>"
            f"<span>status <b>{html.escape(str(run['status']))}</b></span>"
            f"<span>started {html.escape(_json_default(run['started_at']))}</span>"
        )
    parts.append(
        f"<span>{totals.get('articles', 0)} articles</span>"
        f"<span>{totals.get('figures', 0)} figures</span>"
        f"<span>{totals.get('open_flags', 0)} open flags</span>"
        f"<span>{data.dismissed} dismissed</span></p>"
    )
    return "".join(parts)


def _html_charts(data: ReportData) -> str:
    severity_of = {c["name"]: c["severity"] for c in data.checks}
    per_check: dict[str, int] = {}
    for row in data.flag_counts:
        per_check[row["check_name"]] = per_check.get(row["check_name"], 0) + row["flags"]
    runs = list(reversed(data.runs))
    return (
        "<div class='charts'>"
        + bar_chart(
            "Open flags per check",
            [(name, n, severity_of.get(name, "info")) for name, n in sorted(per_check.items())],
        )
        + bar_chart("Figures per kind", [(k["kind"], k["figures"], "bar") for k in data.kinds])
        + line_chart(
            "Runs over time",
            [str(r["started_at"])[:16] for r in runs],
            [
                ("figures loaded", [int(r["figures_loaded"] or 0) for r in runs], "figures"),
                ("open flags", [int(r["flags_raised"] or 0) for r in runs], "flags"),
            ],
        )
        + "</div>"
    )


def _html_flag(flag: dict[str, Any]) -> str:
    sev = html.escape(flag["severity"])
    quotes = "".join(
        f"<blockquote>{highlight_html(sentence, spans)}</blockquote>"
        for sentence, spans in _sentences(flag)
    )
    details = html.escape(json.dumps(flag.get("details") or {}, indent=1, ensure_ascii=False))
    title = flag.get("article_title") or flag.get("article_id") or ""
    return (
        f"<div class='flag' id='flag-{html.escape(flag['flag_id'])}'>"
        f"<p><span class='sev sev-{sev}'>{sev}</span> {html.escape(flag['message'])}</p>"
        f"{quotes}"
        f"<p class='muted'>in <a href='{_href(flag.get('article_url'))}'>"
        f"{html.escape(title)}</a> &middot; flag <code>{html.escape(flag['flag_id'])}</code></p>"
        f"<details><summary>the arithmetic</summary><pre>{details}</pre></details></div>"
    )


def _html_flags(data: ReportData) -> str:
    parts = ["<h2>Flags</h2>"]
    if not data.flags:
        parts.append("<p>No open flags.</p>")
    counts = {(r["severity"], r["check_name"]): r["flags"] for r in data.flag_counts}
    finds = {c["name"]: c["finds"] for c in data.checks}
    for severity in reversed(SEVERITIES):
        group = [f for f in data.flags if f["severity"] == severity]
        if not group:
            continue
        parts.append(f"<h3><span class='sev sev-{severity}'>{severity}</span></h3>")
        for check in sorted({f["check_name"] for f in group}):
            shown = [f for f in group if f["check_name"] == check][:FLAGS_PER_CHECK]
            total = counts.get((severity, check), len(shown))
            more = f" (first {len(shown)} shown)" if total > len(shown) else ""
            parts.append(
                f"<h3>{html.escape(check)} <span class='muted'>{total} open{more}</span></h3>"
                f"<p class='muted'>{html.escape(finds.get(check, ''))}</p>"
            )
            parts.extend(_html_flag(f) for f in shown)
    return "".join(parts)


def _html_tables(data: ReportData) -> str:
    parts = ["<h2>Latest run, stage by stage</h2>"]
    if data.stages:
        parts.append(
            "<table><tr><th>stage</th><th class='n'>count</th><th class='n'>failed</th></tr>"
        )
        parts.extend(
            f"<tr><td>{html.escape(s['stage'])}</td><td class='n'>{s['count']}</td>"
            f"<td class='n'>{s['failed']}</td></tr>"
            for s in data.stages
        )
        parts.append("</table>")
    else:
        parts.append("<p>No run recorded yet.</p>")
    parts.append("<h2>Failures</h2>")
    if data.failures:
        parts.append("<table><tr><th>stage</th><th>source</th><th>page</th><th>reason</th></tr>")
        parts.extend(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(f[k] or ''))}</td>"
                for k in ("stage", "source", "url", "reason")
            )
            + "</tr>"
            for f in data.failures
        )
        parts.append("</table>")
    else:
        parts.append("<p>No failures in the latest run.</p>")
    parts.append(
        "<h2>Figures per article</h2><table><tr><th>article</th><th>published</th>"
        "<th class='n'>figures</th><th>kinds</th><th class='n'>open flags</th></tr>"
    )
    for a in data.articles:
        parts.append(
            f"<tr><td><a href='{_href(a['url'])}'>"
            f"{html.escape(a['title'] or a['article_id'])}</a></td>"
            f"<td>{html.escape(_json_default(a['published']) if a['published'] else '')}</td>"
            f"<td class='n'>{a['figures']}</td><td>{html.escape(', '.join(a['kinds']))}</td>"
            f"<td class='n'>{a['flags']}</td></tr>"
        )
    parts.append("</table><h2>Runs</h2>")
    parts.append(
        "<table><tr><th>run</th><th>started</th><th>status</th><th class='n'>seen</th>"
        "<th class='n'>loaded</th><th class='n'>figures</th><th class='n'>failures</th>"
        "<th class='n'>flags</th></tr>"
    )
    parts.extend(
        f"<tr><td><code>{html.escape(str(r['run_id']))}</code></td>"
        f"<td>{html.escape(_json_default(r['started_at']))}</td>"
        f"<td>{html.escape(str(r['status']))}</td><td class='n'>{r['articles_seen']}</td>"
        f"<td class='n'>{r['articles_loaded']}</td><td class='n'>{r['figures_loaded']}</td>"
        f"<td class='n'>{r['failures']}</td><td class='n'>{r['flags_raised']}</td></tr>"
        for r in data.runs
    )
    parts.append("</table>")
    return "".join(parts)


def render_html(data: ReportData) -> str:
    """Return the report as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            # no favicon request: the page must not touch the network, even for that
            "<link rel='icon' href='data:,'>",
            "<title>newsfacts data-quality report</title>",
            f"<style>{_CSS}</style></head><body>",
            "<h1>newsfacts data-quality report</h1>",
            f"<p class='muted'>generated {_json_default(data.generated_at)} UTC</p>",
            _html_summary(data),
            _html_charts(data),
            _html_flags(data),
            _html_tables(data),
            "</body></html>",
        ]
    )


def render_markdown(data: ReportData) -> str:
    """Return the report as Markdown (also what the Prefect Markdown artifact shows)."""
    lines = ["# newsfacts data-quality report", ""]
    totals = data.totals
    if data.runs:
        run = data.runs[0]
        lines.append(
            f"Latest run `{run['run_id']}` ({run['status']}), started {run['started_at']}."
        )
    lines += [
        (
            f"{totals.get('articles', 0)} articles, {totals.get('figures', 0)} figures, "
            f"{totals.get('open_flags', 0)} open flags, {data.dismissed} dismissed."
        ),
        "",
    ]
    if data.stages:
        lines += ["| stage | count | failed |", "| --- | ---: | ---: |"]
        lines += [f"| {s['stage']} | {s['count']} | {s['failed']} |" for s in data.stages]
        lines.append("")
    lines += ["## Flags", ""]
    if not data.flags:
        lines.append("No open flags.")
    counts = {(r["severity"], r["check_name"]): r["flags"] for r in data.flag_counts}
    for severity in reversed(SEVERITIES):
        group = [f for f in data.flags if f["severity"] == severity]
        for check in sorted({f["check_name"] for f in group}):
            shown = [f for f in group if f["check_name"] == check][:FLAGS_PER_CHECK]
            lines += [
                f"### {severity}: `{check}` ({counts.get((severity, check), len(shown))})",
                "",
            ]
            for flag in shown:
                lines.append(f"- {flag['message']} (flag `{flag['flag_id']}`)")
                lines += [
                    f"  > {highlight_markdown(sentence, spans)}"
                    for sentence, spans in _sentences(flag)
                ]
            lines.append("")
    lines += ["## Failures", ""]
    lines += [
        f"- {f['stage']}: {f['source']} {f['url'] or ''}: {f['reason']}" for f in data.failures
    ] or ["None in the latest run."]
    lines += ["", "## Figures per article", "", "| article | published | figures | open flags |"]
    lines.append("| --- | --- | ---: | ---: |")
    lines += [
        f"| {(a['title'] or a['article_id']).replace('|', '/')} | {a['published'] or ''} "
        f"| {a['figures']} | {a['flags']} |"
        for a in data.articles
    ]
    lines += ["", "## Runs", "", "| run | started | status | figures | flags |"]
    lines.append("| --- | --- | --- | ---: | ---: |")
    lines += [
        f"| `{r['run_id']}` | {r['started_at']} | {r['status']} | {r['figures_loaded']} "
        f"| {r['flags_raised']} |"
        for r in data.runs[:10]
    ]
    return "\n".join(lines) + "\n"


def report_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """Return the Markdown report (for a Prefect Markdown artifact)."""
    return render_markdown(collect(con, flags_per_check=FLAGS_PER_CHECK))


def write_report(con: duckdb.DuckDBPyConnection, out: str | Path, fmt: str = "html") -> Path:
    """Write the report in one of FORMATS to ``out`` and return the path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = collect(con, flags_per_check=MAX_FLAGS if fmt == "json" else FLAGS_PER_CHECK)
    render = {"html": render_html, "md": render_markdown, "json": render_json}[fmt]
    path = Path(out)
    path.write_text(render(data), encoding="utf-8")
    return path
