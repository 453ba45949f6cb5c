"""Scale-out: run the fetch, parse and extract tasks on a Dask cluster through prefect-dask.

Only those tasks leave the flow's process. Loading, checks and the report stay in it: DuckDB has
one writer, and it is the flow. Dask workers import the project by name (``flows``,
``extractors``), so every worker needs newsfacts installed, the same version as the flow's.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

WORKER_WAIT_S = 120.0  # how long a new local cluster may take to start its worker processes


def dask_task_runner(workers: int, address: str | None = None) -> Any:
    """Return a DaskTaskRunner: a local cluster of ``workers`` processes, or the one at ``address``."""
    from prefect_dask import DaskTaskRunner

    # distributed's own configuration logs every scheduler event at INFO on the terminal
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,  # spaCy and trafilatura are CPU-bound: one task per core
            "processes": True,
            "dashboard_address": ":0",  # a free port: two runs never collide on 8787
        }
    )


class ScaleOutError(Exception):
    """A Dask cluster that cannot be used as asked; the message says what to do."""


def is_local_address(address: str) -> bool:
    """Return True when a Dask scheduler address is on this machine (loopback).

    >>> is_local_address("tcp://127.0.0.1:8786"), is_local_address("tcp://10.0.0.5:8786")
    (True, False)
    """
    host = urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def api_for_workers(address: str | None = None) -> Iterator[None]:
    """Give Dask worker processes a Prefect API to report task runs to.

    With ``PREFECT_API_URL`` set, workers use that server. Without it, Prefect would start a
    temporary server in the flow's process and another one in every worker; instead the flow's
    temporary server is started here and its URL handed to the workers through the settings
    that prefect-dask sends with each task. It listens on 127.0.0.1: a cluster on other machines
    needs a real Prefect server (``prefect server start``) and ``PREFECT_API_URL``.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    if address and not is_local_address(address):
        raise ScaleOutError(
            f"--dask-address {address}: workers on other machines report task runs to Prefect,"
            " and Prefect's temporary server listens on 127.0.0.1 only: start one with"
            " `prefect server start --host 0.0.0.0` and set PREFECT_API_URL=http://<this host>:4200/api"
        )
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same singleton Prefect's own client would start
    server.start()
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield


def describe_dask(runner: Any) -> str:
    """Return where a DaskTaskRunner runs tasks ("on a Dask cluster of 2 workers")."""
    client = runner.client  # created on first use
    expected = (getattr(runner, "cluster_kwargs", None) or {}).get("n_workers")
    if expected and not getattr(runner, "address", None):
        client.wait_for_workers(expected, timeout=WORKER_WAIT_S)
    workers = len(client.nthreads())
    where = "" if expected else f" at {client.scheduler.address}"
    return f"on a Dask cluster{where} of {workers} worker{'s' if workers != 1 else ''}"
