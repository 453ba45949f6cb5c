"""Data-quality report from the warehouse: HTML (self-contained, inline SVG charts), Markdown, JSON."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

FORMATS = ("html", "md", "json")


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows, read from the warehouse in one pass."""

    runs: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    articles: list[dict[str, Any]]
    kinds: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """Return the report data as JSON-ready dicts."""
        return {
            "runs": self.runs,
            "failures": self.failures,
            "flags": self.flags,
            "articles": self.articles,
            "figures_per_kind": self.kinds,
        }


def _records(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def collect(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Read the runs, failures, open flags and figure counts the report shows."""
    runs = _records(con, "select * from runs order by started_at desc limit 30")
    latest = runs[0]["run_id"] if runs else None
    failures = _records(
        con,
        "select source, url, stage, reason from failures where run_id = ? order by source, url",
        [latest],
    )
    flags = _records(
        con,
        """
        select o.flag_id, o.check_name, o.severity, o.article_id, o.article_title, o.article_url,
               o.message, o.details, o.figure_ids,
               (select list({'surface': f.surface, 'sentence': f.sentence,
                             'offset': f.start_char - f.sentence_start}
                            order by f.start_char)
                  from figures as f where list_contains(o.figure_ids, f.figure_id)) as figures
        from open_flags as o
        order by case o.severity when 'error' then 0 when 'warning' then 1 else 2 end,
                 o.check_name, o.flag_id
        """,
    )
    articles = _records(
        con,
        """
        select a.article_id, a.title, a.url, a.published, count(f.figure_id) as figures
        from articles as a
        left join figures as f on f.article_id = a.article_id and f.content_hash = a.content_hash
        where a.is_current
        group by all order by a.published nulls last, a.title
        """,
    )
    kinds = _records(
        con,
        "select kind, count(*) as figures from figures where is_current group by kind "
        "order by figures desc",
    )
    return ReportData(runs=runs, failures=failures, flags=flags, articles=articles, kinds=kinds)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def render_json(data: ReportData) -> str:
    """Return the report as JSON."""
    return json.dumps(data.to_dict(), default=_json_default, indent=2, ensure_ascii=False)


def _bar_chart(title: str, items: list[tuple[str, int]]) -> str:
    """Return an inline SVG horizontal bar chart."""
    if not items:
        return f"<figure><figcaption>{html.escape(title)}</figcaption><p>nothing yet</p></figure>"
    width, bar_h, label_w = 520, 22, 190
    top = max(v for _, v in items) or 1
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * (bar_h + 6)
        w = max(2, int((width - label_w - 50) * value / top))
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" class="bar"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}">{value}</text>'
        )
    height = len(items) * (bar_h + 6)
    return (
        f"<figure><figcaption>{html.escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(rows)}</svg></figure>'
    )


def _highlight(figure: dict[str, Any]) -> str:
    sentence = figure.get("sentence") or ""
    surface = figure.get("surface") or ""
    offset = figure.get("offset")
    if offset is None or sentence[offset : offset + len(surface)] != surface:
        return html.escape(sentence)
    return (
        html.escape(sentence[:offset])
        + f"<mark>{html.escape(surface)}</mark>"
        + html.escape(sentence[offset + len(surface) :])
    )


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:left;vertical-align:top}
.sev-error{color:#b00020;font-weight:600}.sev-warning{color:#a15c00;font-weight:600}.sev-info{color:#555}
mark{background:#ffe38a;padding:0 .1rem}svg text{font:12px system-ui,sans-serif}.bar{fill:#3b6ea5}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}
.summary span{display:inline-block;margin-right:1.5rem}.muted{color:#777}
"""


def render_html(data: ReportData) -> str:
    """Return the report as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    run = data.runs[0] if data.runs else {}
    by_check: dict[str, int] = {}
    for flag in data.flags:
        by_check[flag["check_name"]] = by_check.get(flag["check_name"], 0) + 1
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>newsfacts data-quality report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>newsfacts data-quality report</h1>",
    ]
    if run:
        parts.append(
            "<p class='summary'>"
            f"<span>Run <code>{html.escape(str(run['run_id']))}</code></span>"
            f"<span>status <b>{html.escape(str(run['status']))}</b></span>"
            f"<span>{run['articles_seen']} articles seen</span>"
            f"<span>{run['articles_loaded']} loaded</span>"
            f"<span>{run['figures_loaded']} figures loaded</span>"
            f"<span>{run['failures']} failures</span>"
            f"<span>{len(data.flags)} open flags</span></p>"
        )
    parts.append("<div class='charts'>")
    parts.append(_bar_chart("Open flags per check", sorted(by_check.items())))
    parts.append(_bar_chart("Figures per kind", [(k["kind"], k["figures"]) for k in data.kinds]))
    parts.append(
        _bar_chart(
            "Figures loaded per run",
            [(str(r["run_id"])[:19], int(r["figures_loaded"] or 0)) for r in reversed(data.runs)],
        )
    )
    parts.append("</div><h2>Flags</h2>")
    if not data.flags:
        parts.append("<p>No open flags.</p>")
    for flag in data.flags:
        sev = html.escape(flag["severity"])
        sentences = "".join(
            f"<blockquote>{_highlight(f)}</blockquote>" for f in (flag.get("figures") or [])
        )
        parts.append(
            f"<section class='flag' id='flag-{html.escape(flag['flag_id'])}'>"
            f"<p><span class='sev-{sev}'>{sev}</span> <b>{html.escape(flag['check_name'])}</b> "
            f"<span class='muted'>{html.escape(flag['flag_id'])}</span><br>"
            f"{html.escape(flag['message'])}</p>{sentences}"
            f"<p class='muted'>in <a href='{html.escape(flag.get('article_url') or '')}'>"
            f"{html.escape(flag.get('article_title') or flag.get('article_id') or '')}</a></p>"
            "</section>"
        )
    parts.append("<h2>Failures</h2>")
    if data.failures:
        parts.append("<table><tr><th>source</th><th>page</th><th>stage</th><th>reason</th></tr>")
        for f in data.failures:
            parts.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(f[k] or ''))}</td>"
                    for k in ("source", "url", "stage", "reason")
                )
                + "</tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No failures in the latest run.</p>")
    parts.append(
        "<h2>Articles</h2><table><tr><th>title</th><th>published</th><th>figures</th></tr>"
    )
    for a in data.articles:
        parts.append(
            f"<tr><td><a href='{html.escape(a['url'] or '')}'>{html.escape(a['title'] or a['article_id'])}</a></td>"
            f"<td>{html.escape(str(a['published'] or ''))}</td><td>{a['figures']}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)


def render_markdown(data: ReportData) -> str:
    """Return the report as Markdown."""
    lines = ["# newsfacts data-quality report", ""]
    if data.runs:
        run = data.runs[0]
        lines.append(
            f"Run `{run['run_id']}` ({run['status']}): {run['articles_seen']} articles seen, "
            f"{run['articles_loaded']} loaded, {run['figures_loaded']} figures, "
            f"{run['failures']} failures, {len(data.flags)} open flags."
        )
        lines.append("")
    lines += ["## Flags", ""]
    if not data.flags:
        lines.append("No open flags.")
    for flag in data.flags:
        lines.append(
            f"- **{flag['severity']}** `{flag['check_name']}` ({flag['flag_id']}): {flag['message']}"
        )
        for f in flag.get("figures") or []:
            lines.append(f"  > {f.get('sentence') or ''}")
    lines += ["", "## Failures", ""]
    lines += [
        f"- {f['source']}: {f['url'] or ''} ({f['stage']}): {f['reason']}" for f in data.failures
    ] or ["None in the latest run."]
    lines += ["", "## Articles", "", "| title | published | figures |", "| --- | --- | --- |"]
    lines += [
        f"| {a['title'] or a['article_id']} | {a['published'] or ''} | {a['figures']} |"
        for a in data.articles
    ]
    return "\n".join(lines) + "\n"


def write_report(con: duckdb.DuckDBPyConnection, out: str | Path, fmt: str = "html") -> Path:
    """Write the report in one of FORMATS to ``out`` and return the path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = collect(con)
    render = {"html": render_html, "md": render_markdown, "json": render_json}[fmt]
    path = Path(out)
    path.write_text(render(data), encoding="utf-8")
    return path
