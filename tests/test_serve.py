"""`newsfacts serve` for real: a Prefect server on 127.0.0.1 with its own PREFECT_HOME, the
deployment registered with its cron schedule, a run of it triggered, and articles in DuckDB.
Without a server, `serve` says so in one line and exits 2."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

CRON = "0 * * * *"
PREFECT = Path(sys.executable).parent / "prefect"
NEWSFACTS = [sys.executable, "-m", "flows.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """Return an environment with its own Prefect home and none of the test session's API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", **extra)
    return env


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process we started, and its children, by its process (group) id."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory) -> Iterator[str]:
    """A real `prefect server start` on a free port; yields its API URL."""
    if not PREFECT.exists():
        pytest.skip("the prefect command is not installed beside this Python")
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_port()
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=clean_env(home, PREFECT_UI_ENABLED="false"), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prefect server did not start: {(home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        stop(server)
        log.close()


def test_serve_without_a_server_says_so_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run([*NEWSFACTS, "serve", "--cron", CRON], cwd=tmp_path,
                          env=clean_env(tmp_path / "home"), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "needs a Prefect server" in line and "prefect server start" in line
    assert "PREFECT_API_URL=" in line


def test_serve_with_an_unreachable_server_or_a_bad_cron_says_so(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "home", PREFECT_API_URL=f"http://127.0.0.1:{free_port()}/api")
    done = subprocess.run([*NEWSFACTS, "serve", "--cron", CRON], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "none answers at PREFECT_API_URL" in line
    done = subprocess.run([*NEWSFACTS, "serve", "--cron", "61 * * *"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and "not a cron schedule" in done.stderr


@pytest.mark.slow
def test_serve_registers_the_cron_deployment_and_its_runs_load_articles(
    prefect_server: str, tmp_path: Path
) -> None:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.exceptions import ObjectNotFound

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "port.txt").write_text(
        "The port handled 3.5 million containers in 2024, up 4 percent on 2023.\n", encoding="utf-8")
    (articles / "budget.txt").write_text(
        "The city's budget reached 1.2 billion yuan in 2024.\n", encoding="utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text(textwrap.dedent("""\
        [[sources]]
        name = "notes"
        folder = "articles"
        """), encoding="utf-8")
    db = tmp_path / "served.duckdb"
    log = (tmp_path / "serve.log").open("w")
    served = subprocess.Popen(
        [*NEWSFACTS, "serve", "--sources", str(sources), "--cron", CRON, "--db", str(db),
         "--name", "test-serve"],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env=clean_env(tmp_path / "serve-home", PREFECT_API_URL=prefect_server,
                      PREFECT_RUNNER_POLL_FREQUENCY="2"),
    )
    try:
        with SyncPrefectClient(api=prefect_server) as client:
            deadline = time.monotonic() + 90
            while True:
                try:
                    deployment = client.read_deployment_by_name("ingest/test-serve")
                    break
                except ObjectNotFound:
                    assert served.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                    assert time.monotonic() < deadline, "the deployment was never registered"
                    time.sleep(1)
            (schedule,) = deployment.schedules
            assert schedule.schedule.cron == CRON and schedule.active
            assert deployment.parameters["db"] == str(db.resolve())

            run = client.create_flow_run_from_deployment(deployment.id)
            deadline = time.monotonic() + 240
            while True:
                state = client.read_flow_run(run.id).state
                if state is not None and state.is_final():
                    break
                assert served.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                assert time.monotonic() < deadline, f"the run did not finish: {state}"
                time.sleep(2)
            assert state.is_completed(), (tmp_path / "serve.log").read_text()[-3000:]
    finally:
        stop(served, signal.SIGINT)  # Ctrl-C: stop serving
        log.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        titles = con.execute("select count(*), count(distinct url) from articles").fetchone()
        figures = con.execute("select count(*) from figures").fetchone()
        (status,) = con.execute("select status from runs").fetchone()
    finally:
        con.close()
    assert titles == (2, 2) and figures[0] >= 3 and status == "ok"


# --------------------------------------------------------------------------- prefect.yaml

ROOT = Path(__file__).resolve().parent.parent


def test_prefect_yaml_describes_the_served_deployment() -> None:
    import inspect

    import yaml

    from flows.pipeline import ingest

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = config["deployments"]
    assert deployment["entrypoint"] == "flows/pipeline.py:ingest"
    assert (ROOT / deployment["entrypoint"].split(":")[0]).is_file()
    assert [s["cron"] for s in deployment["schedules"]] == [CRON]
    accepted = set(inspect.signature(ingest.fn).parameters)
    assert set(deployment["parameters"]) <= accepted
    assert (ROOT / deployment["parameters"]["sources_file"]).is_file()
    assert deployment["work_pool"]["name"]


@pytest.mark.slow
def test_prefect_yaml_deploys_to_a_work_pool(prefect_server: str, tmp_path: Path) -> None:
    from prefect.client.orchestration import SyncPrefectClient

    env = clean_env(tmp_path / "home", PREFECT_API_URL=prefect_server, NEWSFACTS_HOME=str(ROOT))
    prefect = [str(PREFECT), "--no-prompt"]
    subprocess.run([*prefect, "work-pool", "create", "newsfacts", "--type", "process"],
                   cwd=ROOT, env=env, capture_output=True, timeout=120, check=True)
    # Prefect 3.8.8's `deploy` saves the deployment, then fails its "any workers online?" query
    # with a 422 from the server; the deployment itself is what this test checks
    subprocess.run([*prefect, "deploy", "--name", "newsfacts-hourly"], cwd=ROOT, env=env,
                   capture_output=True, timeout=180, check=False)
    with SyncPrefectClient(api=prefect_server) as client:
        deployment = client.read_deployment_by_name("ingest/newsfacts-hourly")
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == CRON
    assert deployment.work_pool_name == "newsfacts"
    assert deployment.entrypoint == "flows/pipeline.py:ingest"
    assert deployment.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
    ]
