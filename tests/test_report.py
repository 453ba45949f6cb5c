"""The data-quality report: HTML (checked in a real headless Chromium), Markdown and JSON."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from warehouse_support import batch_from_case

from extractors.records import Failure
from warehouse.charts import COLOURS
from warehouse.load import connect, finish_run, load_batch, record_failures, start_run
from warehouse.reconcile import run_checks
from warehouse.report import collect, render_markdown, report_markdown, write_report

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "checks"


def _case(check: str, case_id: str) -> dict:
    for line in (CASES / f"{check}.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            return case
    raise KeyError(case_id)


RUNS = [
    [("self_comparison", "seed-2012-vs-2012"), ("change_arithmetic", "rate-does-not-follow")],
    [
        ("currency_conversion", "seed-yuan-dollar"),
        ("ambiguous_number_format", "seed-dot-thousands"),
    ],
    [("restatement_conflict", "two-values-one-fact"), ("currency_conversion", "wrong-scale-word")],
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after three runs, with flags of several checks and a failure."""
    db = tmp_path_factory.mktemp("report") / "w.duckdb"
    con = connect(db)
    for n, cases in enumerate(RUNS, start=1):
        run_id = f"run-{n}"
        start_run(con, run_id, task_runner="sequential", extractor_version="x")
        batch = [
            pair for check, case_id in cases for pair in batch_from_case(_case(check, case_id))
        ]
        result = load_batch(con, batch, run_id=run_id, extractor_version="x")
        failed = record_failures(
            con,
            run_id,
            [Failure(source="pages", url=f"https://example.org/{n}", reason="HTTP 404")],
        )
        flags = run_checks(con, run_id)
        finish_run(
            con,
            run_id,
            articles_seen=len(batch) + 1,
            articles_loaded=result.articles_loaded,
            figures_loaded=result.figures_loaded,
            failures=failed,
            flags_raised=sum(f.severity != "info" for f in flags),
            status="partial",
        )
    con.close()
    return db


def _read(db: Path):
    return connect(db, read_only=True)


def test_collect_reads_runs_stages_flags_and_articles(warehouse: Path) -> None:
    con = _read(warehouse)
    data = collect(con)
    con.close()
    assert [r["run_id"] for r in data.runs] == ["run-3", "run-2", "run-1"]
    assert {s["stage"] for s in data.stages} >= {"read", "figures", "open flags"}
    assert data.failures == [
        {"source": "pages", "url": "https://example.org/3", "stage": "parse", "reason": "HTTP 404"}
    ]
    checks = {f["check_name"] for f in data.flags}
    assert checks == {
        "self_comparison",
        "change_arithmetic",
        "ambiguous_number_format",
        "restatement_conflict",
        "currency_conversion",
    }
    assert sum(r["flags"] for r in data.flag_counts) == len(data.flags) == data.totals["open_flags"]
    assert len(data.articles) == 6 and all(a["figures"] > 0 for a in data.articles)


def test_markdown_groups_flags_and_bolds_the_figures(warehouse: Path) -> None:
    con = _read(warehouse)
    text = report_markdown(con)
    con.close()
    assert text.index("### error") < text.index("### warning")
    assert "**173,000**" in text and "**14,300**" in text and "**17,800**" in text
    assert "HTTP 404" in text


def test_json_has_every_open_flag_with_its_arithmetic(tmp_path: Path, warehouse: Path) -> None:
    con = _read(warehouse)
    out = write_report(con, tmp_path / "r.json", "json")
    con.close()
    data = json.loads(out.read_text())
    assert len(data["flags"]) == data["totals"]["open_flags"]
    currency = [f for f in data["flags"] if f["check_name"] == "currency_conversion"]
    assert currency and currency[0]["details"]["tolerance"] == 0.05
    assert data["figures_per_kind"]


def test_html_is_self_contained(tmp_path: Path, warehouse: Path) -> None:
    con = _read(warehouse)
    page = write_report(con, tmp_path / "r.html", "html").read_text()
    con.close()
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"\ssrc=", page), "nothing may be loaded from elsewhere"
    assert page.count("<svg") == 3
    assert "<mark>173,000</mark>" in page
    assert "<mark>3.49 trillion yuan</mark>" in page and "<mark>$487 million</mark>" in page
    assert page.index("sev-error") < page.index("sev-warning'")


def test_an_empty_warehouse_still_reports(tmp_path: Path) -> None:
    con = connect(tmp_path / "empty.duckdb")
    data = collect(con)
    con.close()
    assert "No open flags." in render_markdown(data)


# ---- a real browser ---------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--hide-scrollbars",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def _decode_png(data: bytes) -> tuple[int, int, int, bytes]:
    """Return (width, height, channels, raw pixel rows) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = bytearray(), bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = prev[x]
            upleft = prev[x - channels] if x >= channels else 0
            if filter_type == 1:
                line[x] = (line[x] + left) & 0xFF
            elif filter_type == 2:
                line[x] = (line[x] + up) & 0xFF
            elif filter_type == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                p = left + up - upleft
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else upleft)
                line[x] = (line[x] + pred) & 0xFF
        rows += line
        prev = line
    return width, height, channels, bytes(rows)


def _count_colour(png: tuple[int, int, int, bytes], hex_colour: str, top: int) -> int:
    """Return how many pixels in the first ``top`` rows have the colour (within 8 per channel)."""
    width, height, channels, rows = png
    target = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    count = 0
    for y in range(min(top, height)):
        base = y * width * channels
        for x in range(width):
            r, g, b = rows[base + x * channels : base + x * channels + 3]
            if abs(r - target[0]) <= 8 and abs(g - target[1]) <= 8 and abs(b - target[2]) <= 8:
                count += 1
    return count


@pytest.mark.slow
def test_html_renders_in_headless_chromium(tmp_path: Path, warehouse: Path) -> None:
    browser = _chromium()
    con = _read(warehouse)
    page = write_report(con, tmp_path / "report.html", "html")
    con.close()
    profile = tmp_path / "profile"
    url = page.resolve().as_uri()
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    dom = subprocess.run(
        [*common, "--enable-logging=stderr", "--v=0", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "newsfacts data-quality report" in dom.stdout and "<svg" in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    shot = tmp_path / "report.png"
    run = subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1100,900", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    png = _decode_png(shot.read_bytes())
    # the charts sit at the top of the page: each one's colour must be painted there
    for colour in ("error", "warning", "bar", "figures"):
        assert _count_colour(png, COLOURS[colour], 900) > 150, colour


def test_hostile_titles_and_urls_are_made_harmless(tmp_path: Path) -> None:
    case = dict(
        _case("self_comparison", "seed-2012-vs-2012"),
        url="javascript:alert(1)",
        title="<script>alert(1)</script>",
    )
    con = connect(tmp_path / "w.duckdb")
    load_batch(con, batch_from_case(case), run_id="r1", extractor_version="x")
    run_checks(con, "r1")
    page = write_report(con, tmp_path / "r.html", "html").read_text()
    con.close()
    assert "javascript:" not in page
    assert "<script" not in page and "&lt;script&gt;" in page
