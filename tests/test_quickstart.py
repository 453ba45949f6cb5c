"""The README's quick start, as a new user runs it: `newsfacts run` in an empty folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_newsfacts_run_in_an_empty_folder(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PREFECT_HOME": tempfile.mkdtemp(prefix="quickstart-prefect-"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_API_URL": "",
    }
    run = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--no-progress"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "newsfacts.duckdb").is_file()
    assert (tmp_path / "newsfacts-report.html").is_file()
    summary = run.stdout
    assert "2 article(s) read, 2 loaded" in summary
    assert "self_comparison" in summary and "173,000 more than in 2012" in summary
    query = subprocess.run(
        [sys.executable, "-m", "flows.cli", "query", "--format", "json",
         "select count(*) as n from figures"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120,
    )
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout)[0]["n"] >= 20
