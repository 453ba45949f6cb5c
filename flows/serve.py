"""Scheduled ingestion: serve the ingest flow as a Prefect deployment with a cron schedule.

Schedules only fire on a real Prefect server: Prefect's temporary (ephemeral) server refuses
them ("Cannot schedule flows on an ephemeral server"). ``serve_ingest`` therefore checks first
that ``PREFECT_API_URL`` names a server that answers, and raises :class:`NoPrefectServer` with
one line saying what to do when it does not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

DEFAULT_NAME = "newsfacts-ingest"
START_A_SERVER = (
    "start one with `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api"
)


class NoPrefectServer(Exception):
    """No Prefect server to register a schedule with; the message says how to start one."""


class BadSchedule(ValueError):
    """A cron expression Prefect cannot use."""


@dataclass(frozen=True)
class ServeRequest:
    """What to serve: the deployment's name, schedule and the ingest flow's parameters."""

    cron: str
    sources_file: Path | None = None
    db_path: Path = Path("newsfacts.duckdb")
    report_path: Path | None = Path("newsfacts-report.html")
    name: str = DEFAULT_NAME

    def parameters(self) -> dict[str, Any]:
        """Return the flow's parameters, with absolute paths: runs start in another folder."""
        return {
            "sources_file": str(self.sources_file.resolve()) if self.sources_file else None,
            "db": str(self.db_path.resolve()),
            "report": str(self.report_path.resolve()) if self.report_path else None,
            "progress": False,
        }


def check_cron(cron: str) -> str:
    """Return the cron expression when Prefect accepts it; raise BadSchedule saying what is wrong."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    text = cron.strip()
    try:
        CronSchedule(cron=text)
    except ValidationError:
        raise BadSchedule(
            f"not a cron schedule: {cron!r}: give five fields, e.g. \"0 * * * *\" (every hour)"
        ) from None
    return text


def prefect_server_url(timeout_s: float = 5.0) -> str:
    """Return the API URL of the Prefect server to use; raise NoPrefectServer when there is none."""
    from prefect.settings import PREFECT_API_URL

    url = (PREFECT_API_URL.value() or "").rstrip("/")
    if not url:
        raise NoPrefectServer(f"newsfacts serve needs a Prefect server: {START_A_SERVER}")
    try:
        response = httpx.get(f"{url}/health", timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise NoPrefectServer(
            f"newsfacts serve needs a Prefect server, and none answers at PREFECT_API_URL={url}"
            f" ({type(exc).__name__}): {START_A_SERVER}"
        ) from None
    if response.status_code != 200:
        raise NoPrefectServer(
            f"newsfacts serve needs a Prefect server: {url}/health answered HTTP"
            f" {response.status_code}; check PREFECT_API_URL, or {START_A_SERVER}"
        )
    return url


def serve_ingest(request: ServeRequest) -> None:
    """Register the ingest deployment with its cron schedule and run its flow runs until stopped.

    Blocks (Ctrl-C stops serving and pauses the schedule). Flow runs start in subprocesses
    that import ``flows.pipeline``; at most one runs at a time.
    """
    from prefect.deployments.runner import EntrypointType

    from flows.pipeline import ingest

    cron = check_cron(request.cron)
    url = prefect_server_url()
    logger.info("serving %s on %s with schedule %r", request.name, url, cron)
    ingest.serve(
        name=request.name,
        cron=cron,
        parameters=request.parameters(),
        tags=["newsfacts"],
        description="Ingest the sources into the newsfacts warehouse on a schedule.",
        limit=1,  # one run at a time: the warehouse has one writer anyway
        entrypoint_type=EntrypointType.MODULE_PATH,  # runs import flows.pipeline, from any folder
    )
