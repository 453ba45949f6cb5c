"""Remote sources: discover the links of a feed, sitemap or URL list, then fetch each page once.

``fetch_remote_source`` is the library function (threads, no Prefect needed).
``fetch_remote_sources`` is what the ingest flow calls: one ``discover-links`` task per source
and one ``fetch-page`` task per page, submitted to the flow's task runner (threads or Dask).

Conditional GET: ``validators`` maps a canonical URL to the ``(etag, last_modified,
content_hash)`` of its last good fetch (``warehouse.fetches.previous_validators``). The etag and
last-modified date are sent back; a 304, or a 200 whose body has the same hash, gives no document
(the page is *unchanged*) and only a row in ``fetches``.

A source whose discovery fails in a way nobody foresaw (a bug, not a network problem: those are
failures already) becomes a failure of that source; the other sources go on. robots.txt
requests come back inside the results of the fetches that needed them and get rows too.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors.records import Failure
from flows.discover import discover_urls
from flows.fetch import FetchConfig, Fetcher, FetchResult
from flows.sources import RawDocument, SourceSpec, raw_document

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

REMOTE_KINDS = ("urls", "feed", "sitemap")

Validator = tuple[str | None, str | None, str | None]  # etag, last_modified, content_hash


@dataclass(frozen=True)
class Discovery:
    """The page URLs one source lists, with the fetches of its feed or sitemaps and failures."""

    source: str
    urls: tuple[str, ...]
    failures: tuple[Failure, ...] = ()
    fetches: tuple[FetchResult, ...] = ()


@dataclass(frozen=True)
class PageFetch:
    """One page: its document (None when unchanged or failed), its failure, its fetch."""

    url: str
    document: RawDocument | None
    failure: Failure | None
    fetch: FetchResult
    unchanged: bool = False


@dataclass
class RemoteBatch:
    """What fetching remote sources gave: documents to parse, failures, and every fetch."""

    documents: list[RawDocument] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    fetches: list[FetchResult] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # URLs whose page did not change

    def add_discovery(self, discovery: Discovery) -> None:
        """Add a source's discovery failures and fetches."""
        self.failures.extend(discovery.failures)
        for result in discovery.fetches:
            self._add_fetch(result)

    def add_page(self, page: PageFetch) -> None:
        """Add one page's outcome."""
        self._add_fetch(page.fetch)
        if page.document is not None:
            self.documents.append(page.document)
        if page.failure is not None:
            self.failures.append(page.failure)
        if page.unchanged:
            self.unchanged.append(page.url)

    def _add_fetch(self, result: FetchResult) -> None:
        """Add a fetch, after the robots.txt requests made on its way (each its own fetch)."""
        self.fetches.extend(result.robots)
        self.fetches.append(replace(result, robots=()))

    def items(self) -> list[RawDocument | Failure]:
        """Return documents then failures, the shape local sources have."""
        return [*self.documents, *self.failures]


class _Recorder:
    """A Fetcher front that keeps every FetchResult it returns (discovery goes through it)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self.config = fetcher.config  # discovery caps unpacked sitemaps with its max_bytes
        self.results: list[FetchResult] = []

    def fetch(self, url: str, **options: Any) -> FetchResult:
        result = self._fetcher.fetch(url, **options)
        self.results.append(_slim(result))
        return result


def _slim(result: FetchResult) -> FetchResult:
    """Return the result without its body: what the `fetches` table needs, cheap to ship."""
    return replace(result, body=None, text=None)


# --------------------------------------------------------------------------- library


def discover(spec: SourceSpec, fetcher: Fetcher) -> Discovery:
    """Return the canonical page URLs a feed, sitemap or URL list names, and how it went."""
    recorder = _Recorder(fetcher)
    problems: list[Failure] = []
    found = discover_urls(spec, recorder, problems=problems)  # type: ignore[arg-type]
    if isinstance(found, Failure):
        return Discovery(spec.name, (), (found, *problems), tuple(recorder.results))
    return Discovery(spec.name, tuple(found), tuple(problems), tuple(recorder.results))


def fetch_page(
    source: str, url: str, fetcher: Fetcher, validator: Validator | None = None
) -> PageFetch:
    """Return one page fetched conditionally: a document, a failure, or unchanged."""
    etag, last_modified, old_hash = validator or (None, None, None)
    result = fetcher.fetch(url, etag=etag, last_modified=last_modified)
    if result.not_modified:
        # keep the validators the next run needs: a 304 often repeats only the etag
        kept = replace(
            _slim(result),
            etag=result.etag or etag,
            last_modified=result.last_modified or last_modified,
            content_hash=old_hash,
        )
        return PageFetch(url, None, None, kept, unchanged=True)
    if result.ok and old_hash is not None and result.content_hash == old_hash:
        return PageFetch(url, None, None, _slim(result), unchanged=True)
    made = raw_document(source, result)
    if isinstance(made, Failure):
        return PageFetch(url, None, made, _slim(result))
    return PageFetch(url, made, None, _slim(result))


def fetch_remote_source(
    spec: SourceSpec,
    fetch_config: FetchConfig | None = None,
    validators: dict[str, Validator] | None = None,
    *,
    fetcher: Fetcher | None = None,
    max_workers: int = 8,
) -> RemoteBatch:
    """Return the documents, failures and fetches of one feed, sitemap or URL list.

    Pages are fetched in a thread pool; the Fetcher keeps at most ``per_host_concurrency``
    requests in flight per host. Never raises for network problems.
    """
    own = fetcher is None
    client = fetcher or Fetcher(fetch_config or FetchConfig(), allow_private=spec.allow_private,
                                allow_hosts=spec.allow_hosts)
    batch = RemoteBatch()
    try:
        try:
            found = discover(spec, client)
        except Exception as exc:  # a bug in discovery: this source fails, with the reason
            logger.exception("%s: discovery failed", spec.name)
            found = discovery_crashed(spec, exc)
        batch.add_discovery(found)
        known = validators or {}
        with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
            pages = pool.map(lambda u: fetch_page(spec.name, u, client, known.get(u)), found.urls)
            for page in pages:
                batch.add_page(page)
    finally:
        if own:
            client.close()
    return batch


def discovery_crashed(spec: SourceSpec, exc: BaseException) -> Discovery:
    """Return the Discovery of a source whose discovery raised: no links, one failure."""
    where = spec.location if isinstance(spec.location, str) else None
    reason = f"{spec.kind} {where or spec.name}: discovery failed: {type(exc).__name__}: {exc}"
    return Discovery(spec.name, (), (Failure(spec.name, reason, url=where, stage="discover"),))


# --------------------------------------------------------------------------- fetchers per run

_FetcherKey = tuple[str, FetchConfig, bool, tuple[str, ...]]
_FETCHERS: OrderedDict[_FetcherKey, Fetcher] = OrderedDict()
_FETCHERS_LOCK = threading.Lock()
_MAX_FETCHERS = 8


def shared_fetcher(
    run_key: str, config: FetchConfig, allow_private: bool, allow_hosts: tuple[str, ...] = ()
) -> Fetcher:
    """Return this process's Fetcher for a run: one connection pool, robots.txt cache and
    per-host limit shared by every task of the run that runs in this process."""
    key = (run_key, config, allow_private, tuple(sorted(allow_hosts)))
    with _FETCHERS_LOCK:
        fetcher = _FETCHERS.get(key)
        if fetcher is None:
            fetcher = _FETCHERS[key] = Fetcher(config, allow_private=allow_private,
                                               allow_hosts=allow_hosts)
            while len(_FETCHERS) > _MAX_FETCHERS:  # a long-lived worker serves many runs
                _, old = _FETCHERS.popitem(last=False)
                old.close()
        return fetcher


def close_fetchers(run_key: str) -> None:
    """Close this process's Fetchers of a run (Dask workers close theirs when evicted)."""
    with _FETCHERS_LOCK:
        for key in [k for k in _FETCHERS if k[0] == run_key]:
            _FETCHERS.pop(key).close()


# --------------------------------------------------------------------------- Prefect tasks


@task(name="discover-links", task_run_name="discover-links: {spec.name}", cache_policy=NO_CACHE)
def discover_task(spec: SourceSpec, fetch_config: FetchConfig, run_key: str) -> Discovery:
    """Read a feed, sitemap or URL list and return its canonical page URLs."""
    found = discover(
        spec, shared_fetcher(run_key, fetch_config, spec.allow_private, spec.allow_hosts)
    )
    log = get_run_logger()
    log.info("%s: %d page link(s)", spec.name, len(found.urls))
    for failure in found.failures:
        log.warning("%s: %s", failure.url or spec.name, failure.reason)
    return found


@task(name="fetch-page", task_run_name="fetch-page: {url}", cache_policy=NO_CACHE)
def fetch_page_task(
    source: str,
    url: str,
    allow_private: bool,
    fetch_config: FetchConfig,
    validator: Validator | None,
    run_key: str,
    allow_hosts: tuple[str, ...] = (),
) -> PageFetch:
    """Fetch one page (conditionally when validators are known); never raises for the network."""
    fetcher = shared_fetcher(run_key, fetch_config, allow_private, allow_hosts)
    page = fetch_page(source, url, fetcher, validator)
    log = get_run_logger()
    tries = f"{page.fetch.attempts} attempt{'s' if page.fetch.attempts != 1 else ''}"
    if page.failure is not None:
        log.warning("%s: %s (%s)", url, page.failure.reason, tries)
    elif page.unchanged:
        why = "304 Not Modified" if page.fetch.not_modified else "same content hash"
        log.info("%s: unchanged (%s)", url, why)
    else:
        log.info("%s: HTTP %s, %d bytes (%s)", url, page.fetch.status, page.fetch.bytes, tries)
    return page


def task_processes() -> int:
    """Return how many processes run this flow run's tasks: Dask workers, or 1."""
    from prefect.context import FlowRunContext

    runner = getattr(FlowRunContext.get(), "task_runner", None)
    if type(runner).__name__ != "DaskTaskRunner":
        return 1
    return max(1, len(runner.client.nthreads()))  # type: ignore[union-attr]


def per_process_config(config: FetchConfig, processes: int) -> FetchConfig:
    """Return the config each of ``processes`` workers fetches with, so that together they keep
    ``per_host_concurrency`` (at least one request each: more workers than that send one each).

    >>> per_process_config(FetchConfig(per_host_concurrency=2), 2).per_host_concurrency
    1
    """
    share = max(1, config.per_host_concurrency // max(1, processes))
    return config if share == config.per_host_concurrency else replace(config, per_host_concurrency=share)


def fetch_remote_sources(
    specs: Sequence[SourceSpec],
    fetch_config: FetchConfig,
    validators: dict[str, Validator],
    run_key: str,
    *,
    progress: Any = None,
) -> RemoteBatch:
    """Inside a flow: discover each source's links, then fetch every page as its own task.

    A page listed by two sources is fetched once (for the first source that lists it). The
    per-host limit is shared out between Dask worker processes. A task that raises (a bug) is a
    failure of its source or page; the others go on. ``progress`` (optional) has
    ``start(label, total)`` and ``tick()``.
    """
    batch = RemoteBatch()
    if not specs:
        return batch
    log = get_run_logger()
    fetch_config = per_process_config(fetch_config, task_processes())
    discoveries = [discover_task.submit(spec, fetch_config, run_key) for spec in specs]
    pages: list[tuple[str, str, Any]] = []
    seen: set[str] = set()
    for spec, future in zip(specs, discoveries, strict=True):
        try:
            found: Discovery = future.result()
        except Exception as exc:  # a bug: this source fails, the others go on
            log.exception("%s: discovery failed; the other sources go on", spec.name)
            found = discovery_crashed(spec, exc)
        batch.add_discovery(found)
        for url in found.urls:
            if url in seen:
                continue
            seen.add(url)
            pages.append((spec.name, url, fetch_page_task.submit(
                spec.name, url, spec.allow_private, fetch_config, validators.get(url), run_key,
                spec.allow_hosts,
            )))
    if progress is not None:
        progress.start("fetch", len(pages))
    for source, url, future in pages:
        try:
            batch.add_page(future.result())
        except Exception as exc:  # a bug: this page fails, the others go on
            log.exception("%s: fetch failed; the other pages go on", url)
            reason = f"fetch failed: {type(exc).__name__}: {exc}"
            batch.failures.append(Failure(source, reason, url=url, stage="fetch"))
        if progress is not None:
            progress.tick()
    close_fetchers(run_key)
    return batch


def remote_specs(specs: Iterable[SourceSpec]) -> list[SourceSpec]:
    """Return the sources that need the network (feeds, sitemaps, URL lists)."""
    return [spec for spec in specs if spec.kind in REMOTE_KINDS]
