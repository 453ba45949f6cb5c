"""Extraction on several worker processes: one spaCy pipeline each, results in input order.

spaCy's statistical pipeline holds the GIL, so threads do not add speed; processes do. Each
worker loads the pipeline once and reads chunks of documents; the caller gets the figures of
each document in the order it gave them, while at most ``2 × processes`` chunks are in flight
(so a large batch streams instead of being held in memory).

Workers start with the ``forkserver`` method: forking a process that already runs threads
(Prefect, an HTTP client) is unsafe, and ``spawn`` would re-import everything per worker.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from extractors.figures import MODEL, Published, extract_many, load_nlp, model_installed
from extractors.records import Figure

CHUNK = 16  # documents per task: large enough to batch spaCy, small enough to balance


def default_processes() -> int:
    """Return the number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_parallel(
    items: Iterable[tuple[str, Published]],
    processes: int,
    chunk: int = CHUNK,
    model: str = MODEL,
) -> Iterator[list[Figure]]:
    """Yield the figures of each (text, published) item, in order, using ``processes`` workers.

    With ``processes <= 1``, or without the spaCy model (the blank pipeline needs no workers,
    and its warning is then logged once, here), this is ``extract_many`` in this process. The
    output is the same either way.
    """
    if processes <= 1 or not model_installed(model):
        yield from extract_many(items, nlp=load_nlp(model))
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_load, initargs=(model,)
    ) as pool:
        window: deque[Future[list[list[Figure]]]] = deque()
        iterator = iter(items)
        while batch := list(islice(iterator, chunk)):
            window.append(pool.submit(_extract_chunk, batch, model))
            if len(window) >= 2 * processes:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()


def _load(model: str) -> None:
    load_nlp(model)  # once per worker, before its first chunk


def _extract_chunk(batch: list[tuple[str, Any]], model: str) -> list[list[Figure]]:
    return list(extract_many(batch, nlp=load_nlp(model)))
