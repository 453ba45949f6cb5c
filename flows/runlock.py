"""One run at a time per warehouse: a lock file beside the DuckDB file, held for the whole run.

DuckDB itself allows one writing process, but a run opens and closes its connection several times
(start, each batch, checks, finish); without this lock a second run could slip in between. The
lock is re-entrant within a process (the command line takes it before Prefect starts, the flow
takes it again), and released when the run ends or its process dies.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from warehouse.load import WarehouseBusy

try:
    import fcntl
except ImportError:  # Windows: DuckDB's own file lock is the only guard
    fcntl = None  # type: ignore[assignment]

_HELD: dict[str, tuple[int, int]] = {}  # lock path -> (file descriptor, depth), this process
_GUARD = threading.Lock()


class RunInProgress(WarehouseBusy):
    """Another newsfacts run holds the warehouse; the message says who and what to do."""


def lock_path(db_path: str | Path) -> Path:
    """Return the lock file of a warehouse: ``<db>.lock`` beside it."""
    return Path(f"{Path(db_path).resolve()}.lock")


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


@contextmanager
def run_lock(db_path: str | Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock, waiting up to ``wait_s`` seconds for another run.

    Raises :class:`RunInProgress` when the other run does not finish in time.
    """
    path = lock_path(db_path)
    key = str(path)
    with _GUARD:
        if key in _HELD:  # this process already runs on this warehouse: re-enter
            fd, depth = _HELD[key]
            _HELD[key] = (fd, depth + 1)
            acquired = False
        else:
            acquired = True
    if not acquired:
        try:
            yield
        finally:
            with _GUARD:
                fd, depth = _HELD[key]
                _HELD[key] = (fd, depth - 1)
        return
    if fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, wait_s)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunInProgress(
                        f"{db_path} is being written by another newsfacts run{_holder(path)}; "
                        f"waited {wait_s:g} s: wait for it to finish, or use --wait SECONDS"
                    ) from None
                time.sleep(0.25)
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {started}".encode(), 0)
        with _GUARD:
            _HELD[key] = (fd, 1)
        try:
            yield
        finally:
            with _GUARD:
                _HELD.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
