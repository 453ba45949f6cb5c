"""Inline SVG charts for the report: no scripts, no fonts or files to fetch."""

from __future__ import annotations

import html

# one colour per meaning, shared with the report's CSS
COLOURS = {
    "error": "#b3261e",
    "warning": "#c77700",
    "info": "#6b6b6b",
    "bar": "#3b6ea5",
    "figures": "#2e7d32",
    "flags": "#b3261e",
    "grid": "#dddddd",
}


def _empty(title: str) -> str:
    return f"<figure class='chart'><figcaption>{html.escape(title)}</figcaption><p>nothing yet</p></figure>"


def bar_chart(title: str, items: list[tuple[str, int, str]], *, width: int = 460) -> str:
    """Return a horizontal bar chart; each item is (label, value, colour key of COLOURS)."""
    if not items:
        return _empty(title)
    bar_h, gap, label_w = 22, 6, 180
    top = max(v for _, v, _ in items) or 1
    rows = []
    for i, (label, value, colour) in enumerate(items):
        y = i * (bar_h + gap)
        w = max(3, int((width - label_w - 50) * value / top))
        fill = COLOURS.get(colour, COLOURS["bar"])
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{fill}">'
            f"<title>{html.escape(label)}: {value}</title></rect>"
            f'<text x="{label_w + w + 6}" y="{y + 15}">{value}</text>'
        )
    height = len(items) * (bar_h + gap)
    return (
        f"<figure class='chart'><figcaption>{html.escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(rows)}</svg></figure>'
    )


def line_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[int], str]],
    *,
    width: int = 460,
    height: int = 200,
) -> str:
    """Return a line chart of several series over the same labels (oldest first)."""
    if not labels:
        return _empty(title)
    left, right, top, bottom = 44, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((max(values) for _, values, _ in series if values), default=0) or 1
    step = plot_w / max(1, len(labels) - 1)

    def point(i: int, v: int) -> tuple[float, float]:
        x = left + (i * step if len(labels) > 1 else plot_w / 2)
        return round(x, 1), round(top + plot_h - plot_h * v / peak, 1)

    parts = [
        (
            f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
            f'stroke="{COLOURS["grid"]}"/>'
        ),
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
        f'<text x="{left}" y="{height - 22}">{html.escape(labels[0])}</text>',
    ]
    if len(labels) > 1:
        parts.append(
            f'<text x="{width - right}" y="{height - 22}" text-anchor="end">'
            f"{html.escape(labels[-1])}</text>"
        )
    legend_x = left
    for name, values, colour in series:
        stroke = COLOURS.get(colour, COLOURS["bar"])
        points = [point(i, v) for i, v in enumerate(values)]
        if len(points) > 1:
            path = " ".join(f"{x},{y}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{stroke}" stroke-width="3"/>'
            )
        parts.extend(
            f'<circle cx="{x}" cy="{y}" r="5" fill="{stroke}"><title>{html.escape(name)}: '
            f"{v}</title></circle>"
            for (x, y), v in zip(points, values, strict=True)
        )
        parts.append(
            f'<rect x="{legend_x}" y="{height - 12}" width="12" height="10" fill="{stroke}"/>'
            f'<text x="{legend_x + 16}" y="{height - 3}">{html.escape(name)}</text>'
        )
        legend_x += 24 + 8 * len(name)
    return (
        f"<figure class='chart'><figcaption>{html.escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg></figure>'
    )
