"""Scale-out and run safety: a Dask cluster of 2 workers builds the same warehouse as threads,
and a second run on a busy warehouse waits for the first or stops with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from webserver import NewsSite

from flows.runlock import RunInProgress, lock_path, run_lock
from flows.settings import FIXTURES_DIR, Settings

FIGURE_KEY = "article_id, start_char, end_char, value, unit, kind, period"


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def write_sources(folder: Path, site: NewsSite) -> Path:
    path = folder / "sources.toml"
    slow = ", ".join(f'"{site.url(f"/fault/slow/{n}")}"' for n in range(6))
    path.write_text(textwrap.dedent(f"""\
        [fetch]
        timeout_s = 2
        retries = 0

        [[sources]]
        name = "bundled"
        folder = "{FIXTURES_DIR / 'pages'}"

        [[sources]]
        name = "test-feed"
        feed = "{site.url('/feed.atom')}"
        allow_private = true

        [[sources]]
        name = "test-sitemap"
        sitemap = "{site.url('/sitemap-news.xml')}"
        allow_private = true

        [[sources]]
        name = "slow-pages"
        urls = [{slow}]
        allow_private = true
        """), encoding="utf-8")
    return path


@pytest.mark.slow
def test_two_dask_workers_build_the_same_warehouse_as_threads(
    prefect_harness, site: NewsSite, tmp_path: Path
) -> None:
    from flows.pipeline import run_ingest

    sources = write_sources(tmp_path, site)
    base = Settings(sources_file=sources, report_path=None, wait_s=30)
    threaded = run_ingest(base.with_(db_path=tmp_path / "threads.duckdb"))
    dask = run_ingest(base.with_(db_path=tmp_path / "dask.duckdb", workers=2))
    assert dask.task_runner == "on a Dask cluster of 2 workers"
    # two worker processes together keep per_host_concurrency (2, the default) on the site
    assert site.max_in_flight <= 2
    assert "Dask" not in threaded.task_runner
    assert dask.status == threaded.status
    assert dask.articles_loaded == threaded.articles_loaded >= 4  # 2 bundled, the rest fetched
    assert dask.articles_seen == threaded.articles_seen == 2 + 3 + 6
    assert {(f.url, f.reason) for f in dask.failures} == {(f.url, f.reason) for f in threaded.failures}
    figures = f"select {FIGURE_KEY} from figures order by all"
    by_threads = rows(tmp_path / "threads.duckdb", figures)
    by_dask = rows(tmp_path / "dask.duckdb", figures)
    assert len(by_threads) >= 20 and by_dask == by_threads
    articles = "select article_id, content_hash, title from articles order by all"
    assert rows(tmp_path / "dask.duckdb", articles) == rows(tmp_path / "threads.duckdb", articles)
    (runner,) = rows(tmp_path / "dask.duckdb", "select task_runner from runs")[0]
    assert runner == "on a Dask cluster of 2 workers"


# --------------------------------------------------------------------------- one run at a time


def test_a_second_run_on_a_busy_warehouse_stops_with_one_clear_line(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "PREFECT_API_URL": ""}  # it must stop before it needs Prefect at all
    with run_lock(db):
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", "--db", str(db), "--wait", "1"],
            capture_output=True, text=True, timeout=120, env=env, check=False,
        )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "being written by another newsfacts run" in lines[0]
    assert f"pid {os.getpid()}" in lines[0] and "--wait" in lines[0]
    assert not db.exists()  # it wrote nothing


def test_a_second_run_waits_for_the_first_to_finish(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    script = textwrap.dedent(f"""\
        import time
        from flows.runlock import run_lock
        with run_lock({str(db)!r}, wait_s=60):
            print("acquired", time.time(), flush=True)
        """)
    with run_lock(db):
        waiter = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)
        assert waiter.poll() is None  # still waiting while the first run holds the warehouse
        released_at = time.time()
    out, _ = waiter.communicate(timeout=60)
    assert waiter.returncode == 0
    acquired_at = float(out.split()[1])
    assert acquired_at >= released_at  # it went on only after the first run let go


def test_the_lock_is_reentrant_in_one_process_and_exclusive_across_processes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    with run_lock(db), run_lock(db):  # the command line and the flow both take it
        assert lock_path(db).exists()
    script = f"from flows.runlock import run_lock\nwith run_lock({str(db)!r}): pass\n"
    with run_lock(db):
        busy = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60, check=False)
    assert busy.returncode != 0 and RunInProgress.__name__ in busy.stderr
    free = subprocess.run([sys.executable, "-c", script], timeout=60, check=False)
    assert free.returncode == 0


@pytest.mark.slow
def test_two_real_runs_on_one_warehouse_one_after_the_other(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Exports rose 7.1% to $3.4 trillion in 2024.\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    command = [sys.executable, "-m", "flows.cli", "run", "--source", str(articles), "--db", str(db),
               "--report", str(tmp_path / "r.html"), "--no-progress"]

    def env(name: str) -> dict[str, str]:
        home = tmp_path / f"prefect-{name}"  # each run its own temporary Prefect server
        return {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
                "PREFECT_HOME": str(home), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}

    first = subprocess.Popen([*command, "--wait", "0"], env=env("first"), cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    waiting: subprocess.Popen | None = None
    try:
        deadline = time.monotonic() + 60
        while f"pid {first.pid}" not in (lock_path(db).read_text() if lock_path(db).exists() else ""):
            assert first.poll() is None and time.monotonic() < deadline, "the first run took no lock"
            time.sleep(0.2)
        refused = subprocess.run([*command, "--wait", "0"], env=env("refused"), cwd=tmp_path,
                                 capture_output=True, text=True, timeout=120, check=False)
        waiting = subprocess.Popen([*command, "--wait", "600"], env=env("second"), cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        first_out, _ = first.communicate(timeout=600)
        second_out, _ = waiting.communicate(timeout=600)
    finally:
        for process in (first, waiting):
            if process is not None and process.poll() is None:
                process.kill()
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0
    assert f"another newsfacts run (pid {first.pid}" in refused.stderr
    assert first.returncode == 0, first_out[-2000:]
    assert waiting.returncode == 0, second_out[-2000:]
    runs = rows(db, "select started_at, finished_at, status, articles_loaded from runs order by 1")
    assert [(status, n) for _, _, status, n in runs] == [("ok", 1), ("ok", 0)]
    assert runs[1][0] >= runs[0][1]  # the second run started after the first had finished


# --------------------------------------------------------------------------- same site, three ways

# what differs between two runs of the same sources: ids and times, never content
RUN_COLUMNS = {
    "articles": "run_id, loaded_at, fetched_at",
    "figures": "run_id",
    "failures": "run_id, failed_at",
    "fetches": "run_id, fetched_at, elapsed_ms",
}
# pages with one outcome whatever the timing (no hangs, no once-only faults)
STEADY_FAULTS = ("/fault/404", "/fault/500", "/fault/image.png", "/fault/to-private",
                 "/fault/chain/2", "/fault/cp1252-undeclared", "/members/members-only.html")


def table(db: Path, name: str) -> list[tuple]:
    """Return every row of a table without the columns that name the run or time it."""
    return rows(db, f"select * exclude ({RUN_COLUMNS[name]}) from {name} order by all")


def write_remote_sources(folder: Path, site: NewsSite) -> Path:
    """A sources file of the bundled pages and the test site's feed, sitemap index and faults."""
    path = folder / "sources.toml"
    faults = ", ".join(f'"{site.url(p)}"' for p in STEADY_FAULTS)
    path.write_text(textwrap.dedent(f"""\
        [fetch]
        timeout_s = 2
        retries = 1
        backoff_s = 0.05

        [[sources]]
        name = "bundled"
        folder = "{FIXTURES_DIR / 'pages'}"

        [[sources]]
        name = "test-feed"
        feed = "{site.url('/feed.atom')}"
        allow_hosts = ["127.0.0.1"]

        [[sources]]
        name = "test-sitemap"
        sitemap = "{site.url('/sitemap.xml')}"
        allow_hosts = ["127.0.0.1"]

        [[sources]]
        name = "faults"
        urls = [{faults}]
        allow_hosts = ["127.0.0.1"]
        """), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def threaded(prefect_harness, site: NewsSite, tmp_path_factory):
    """The sequential baseline: the remote sources run in threads, in this process."""
    from flows.pipeline import run_ingest

    folder = tmp_path_factory.mktemp("threaded")
    sources = write_remote_sources(folder, site)
    summary = run_ingest(Settings(sources_file=sources, db_path=folder / "w.duckdb",
                                  report_path=None, wait_s=30))
    assert "Dask" not in summary.task_runner
    assert summary.status == "partial" and summary.articles_loaded >= 5
    return sources, folder / "w.duckdb", summary


def assert_same_warehouse(db: Path, baseline: Path, robots: str, workers: int) -> None:
    """Assert two warehouses hold the same articles, figures, failures and fetches."""
    for name in ("articles", "figures", "failures"):
        assert table(db, name) == table(baseline, name), name
    assert len(table(baseline, "figures")) >= 20
    # every page and feed is fetched once, as in threads; robots.txt once per process that
    # asked the site (each worker process has its own fetcher, so its own robots.txt cache)
    fetches, expected = table(db, "fetches"), table(baseline, "fetches")
    assert [r for r in fetches if r[0] != robots] == [r for r in expected if r[0] != robots]
    mine, theirs = [r for r in fetches if r[0] == robots], [r for r in expected if r[0] == robots]
    assert len(theirs) == 1 and 1 <= len(mine) <= workers and set(mine) == set(theirs)


@pytest.mark.slow
def test_an_existing_dask_cluster_runs_the_tasks_and_builds_the_same_warehouse(
    threaded, site: NewsSite, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    from flows.pipeline import run_ingest

    sources, baseline, by_threads = threaded
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        summary = run_ingest(Settings(sources_file=sources, db_path=tmp_path / "w.duckdb",
                                      report_path=None, dask_address=address, wait_s=30))
        assert len(cluster.scheduler.workers) == 2  # the cluster outlives the run: it is not ours
        # the tasks ran on this cluster's workers: what its scheduler saw finish, by task
        done = {name: prefix.state_counts["memory"]
                for name, prefix in cluster.scheduler.task_prefixes.items()}
    assert summary.task_runner == f"on a Dask cluster at {address} of 2 workers"
    (runner,) = rows(tmp_path / "w.duckdb", "select task_runner from runs")[0]
    assert runner == summary.task_runner
    assert done.get("discover_task") == 3  # the feed, the sitemap index, the URL list
    fetched_pages = rows(tmp_path / "w.duckdb",
                         "select count(*) from articles where source <> 'bundled'")[0][0]
    assert done.get("fetch_page_task", 0) >= fetched_pages >= 3
    assert done.get("read_local_source") == 1
    assert done.get("parse_page") == summary.articles_seen
    assert done.get("extract_figures_task", 0) >= 1
    assert (summary.status, summary.articles_seen, summary.articles_loaded,
            summary.figures_loaded) == (by_threads.status, by_threads.articles_seen,
                                        by_threads.articles_loaded, by_threads.figures_loaded)
    assert_same_warehouse(tmp_path / "w.duckdb", baseline, site.url("/robots.txt"), workers=2)


@pytest.mark.slow
def test_workers_without_a_prefect_server_get_the_flows_temporary_one(
    threaded, site: NewsSite, tmp_path: Path
) -> None:
    sources, baseline, _ = threaded
    db = tmp_path / "w.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"),
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--workers", "2", "--sources", str(sources),
         "--db", str(db), "--report", str(tmp_path / "r.html"), "--no-progress", "--wait", "30"],
        capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    (summary,) = [line for line in done.stdout.splitlines() if line.startswith("run ")]
    assert "(partial, on a Dask cluster of 2 workers)" in summary
    # one temporary server, the flow's: the workers reported to it rather than start their own
    started = [line for line in (done.stdout + done.stderr).splitlines()
               if "Starting temporary server" in line]
    assert len(started) == 1, started
    for name in ("articles", "figures"):
        assert table(db, name) == table(baseline, name), name
    assert (tmp_path / "r.html").exists()


def test_a_remote_cluster_without_a_prefect_server_is_refused_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--db", str(tmp_path / "w.duckdb"),
         "--dask-address", "tcp://10.1.2.3:8786"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "prefect server start" in line and "PREFECT_API_URL" in line
