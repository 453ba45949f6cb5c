"""Shared fixtures: a throwaway Prefect home, one Prefect test harness per session, paths."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Prefect reads its settings at import: point it at a throwaway home before anything imports it
# (made only when none is set, and removed when the session ends).
if "PREFECT_HOME" not in os.environ:
    _home = tempfile.mkdtemp(prefix="newsfacts-prefect-")
    os.environ["PREFECT_HOME"] = _home
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The team's ../shared folder; tests that need it skip when a clone does not have it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this clone")
    return SHARED


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The project's own fixtures folder."""
    return FIXTURES
