"""The answer cache and rate-limit retry of the TMDB and Watchmode entries.

The original Pandora Box kept TMDB answers for an hour; Watchmode's free
keys have a tiny monthly quota, so its answers are worth keeping too.  Each
loaded entry gets one :class:`ResponseCache`, kept in its runtime data: a
reload or an unload builds new runtime data, so the cache survives nothing it
must not (a new key, language or region starts empty), and nothing is kept in
``hass.data`` or at module level.

* What is cached: the client's parsed answers (frozen dataclasses), keyed by
  the request (list, type, query, page...); never an error.  Two identical
  requests at the same time share one upstream request.
* For how long: the entry's ``cache_ttl`` option in minutes (default 60; 0
  turns the cache off).  The age is compared with the option at every
  lookup, so a changed option applies at once, without a reload.  Time is
  Home Assistant's clock (``dt_util.utcnow``).  At most
  :data:`MAX_CACHE_ENTRIES` answers per entry are kept (least recently used
  dropped first).
* 429: retried after the ``Retry-After`` seconds the upstream asked for (1 s
  when it named none), at most :data:`MAX_RETRIES` times and only while the
  wait is at most :data:`MAX_RETRY_WAIT_S`; otherwise the rate-limit error
  goes to the caller, which translates it.

The TMDB dashboard poll (``tmdb/coordinator.py``) reads through the same
cache as the actions, so an action asking for a list the dashboard just read
costs no request.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, cast

from homeassistant.util import dt as dt_util

from ..api.errors import RateLimitedError
from ..api.tmdb import MediaDetails, MediaPage, MediaType, SearchType, TMDBClient
from ..api.watchmode import StreamingSource, WatchmodeClient
from ..coordinator import PandoraConfigEntry, entry_client

CONF_CACHE_TTL: Final = "cache_ttl"
"""Option of TMDB and Watchmode entries: minutes an answer is kept (0: not at all)."""
DEFAULT_CACHE_TTL_MIN: Final = 60
MAX_CACHE_TTL_MIN: Final = 7 * 24 * 60
MAX_CACHE_ENTRIES: Final = 256
"""Answers kept per entry; a dashboard and a few searches fit many times over."""

MAX_RETRIES: Final = 2
"""Retries of one request after 429 answers (so at most three requests)."""
MAX_RETRY_WAIT_S: Final = 10
"""Longest ``Retry-After`` worth waiting for inside an action or a poll."""
DEFAULT_RETRY_WAIT_S: Final = 1
"""Wait when a 429 names no ``Retry-After``."""


async def async_wait(seconds: float) -> None:
    """Wait before a retry (a function of its own so tests can watch the waits)."""
    await asyncio.sleep(seconds)


async def async_retry_rate_limited[T](fetch: Callable[[], Awaitable[T]]) -> T:
    """Run ``fetch``; after a 429 wait what the upstream asked and try again (bounded)."""
    attempt = 0
    while True:
        try:
            return await fetch()
        except RateLimitedError as err:
            wait = DEFAULT_RETRY_WAIT_S if err.retry_after is None else err.retry_after
            if attempt >= MAX_RETRIES or wait > MAX_RETRY_WAIT_S:
                raise
            attempt += 1
            await async_wait(wait)


def cache_ttl(options: Mapping[str, Any]) -> timedelta:
    """The entry's cache lifetime from its options (default one hour)."""
    raw = options.get(CONF_CACHE_TTL, DEFAULT_CACHE_TTL_MIN)
    try:
        minutes = int(raw)
    except TypeError, ValueError:
        minutes = DEFAULT_CACHE_TTL_MIN
    return timedelta(minutes=min(max(minutes, 0), MAX_CACHE_TTL_MIN))


class ResponseCache:
    """Parsed answers of one client, each with the time it was fetched."""

    def __init__(self, max_entries: int = MAX_CACHE_ENTRIES) -> None:
        """Start empty; keep at most ``max_entries`` answers."""
        self._items: OrderedDict[Hashable, tuple[datetime, Any]] = OrderedDict()
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        """Number of answers held (fresh or not)."""
        return len(self._items)

    def _fresh(self, key: Hashable, ttl: timedelta) -> tuple[bool, Any]:
        """Return (found, value) for an answer younger than ``ttl``."""
        held = self._items.get(key)
        if held is None:
            return False, None
        fetched_at, value = held
        if dt_util.utcnow() - fetched_at >= ttl:
            del self._items[key]
            return False, None
        self._items.move_to_end(key)
        return True, value

    async def async_get[T](
        self, key: Hashable, ttl: timedelta, fetch: Callable[[], Awaitable[T]]
    ) -> T:
        """Return the fresh answer for ``key``, or fetch, keep and return it."""
        if ttl <= timedelta(0):
            self.misses += 1
            return await fetch()
        found, value = self._fresh(key, ttl)
        if found:
            self.hits += 1
            return cast("T", value)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                # Someone holding the lock before us may have fetched it meanwhile.
                found, value = self._fresh(key, ttl)
                if found:
                    self.hits += 1
                    return cast("T", value)
                self.misses += 1
                # Aged from when it was asked: never younger than what TMDB said.
                asked_at = dt_util.utcnow()
                result = await fetch()
                self._items[key] = (asked_at, result)
                self._items.move_to_end(key)
                while len(self._items) > self._max:
                    self._items.popitem(last=False)
                return result
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

    def clear(self) -> None:
        """Forget every answer."""
        self._items.clear()


def cache_for(entry: PandoraConfigEntry) -> ResponseCache:
    """The cache of a loaded entry (made on first use, gone with its runtime data)."""
    runtime = entry.runtime_data
    if not isinstance(runtime.cache, ResponseCache):
        runtime.cache = ResponseCache()
    return runtime.cache


async def _async_cached[T](
    entry: PandoraConfigEntry,
    key: Hashable,
    fetch: Callable[[], Awaitable[T]],
    max_age: timedelta | None = None,
) -> T:
    """Fetch through the entry's cache (at most ``max_age`` old), retrying 429 answers."""
    ttl = cache_ttl(entry.options)
    if max_age is not None:
        ttl = min(ttl, max_age)
    return await cache_for(entry).async_get(key, ttl, lambda: async_retry_rate_limited(fetch))


# -- TMDB: cached reads (client errors pass through; callers translate them) --


type ListName = str
"""``trending/{all|movie|tv}/{day|week}``, ``popular/{movie|tv}``, ``upcoming``, ``on_the_air``."""


async def async_cached_list(
    entry: PandoraConfigEntry, name: ListName, page: int = 1, *, max_age: timedelta | None = None
) -> MediaPage:
    """One page of a TMDB list, cached (see :data:`ListName`); ``max_age`` caps the TTL."""
    client = entry_client(entry, TMDBClient)
    parts = name.split("/")
    fetch: Callable[[], Awaitable[MediaPage]]
    match parts:
        case ["trending", ("all" | "movie" | "tv") as kind, ("day" | "week") as window]:
            fetch = lambda: client.async_trending(kind, window, page)  # noqa: E731
        case ["popular", ("movie" | "tv") as kind]:
            fetch = lambda: client.async_popular(kind, page)  # noqa: E731
        case ["upcoming"]:
            fetch = lambda: client.async_upcoming(page)  # noqa: E731
        case ["on_the_air"]:
            fetch = lambda: client.async_on_the_air(page)  # noqa: E731
        case _:
            raise ValueError(f"no TMDB list named {name!r}")
    return await _async_cached(entry, ("list", name, page), fetch, max_age)


async def async_cached_search(
    entry: PandoraConfigEntry,
    query: str,
    *,
    media_type: SearchType = "multi",
    year: int | None = None,
    page: int = 1,
) -> MediaPage:
    """A TMDB search, cached (``media_type`` multi, movie or tv)."""
    client = entry_client(entry, TMDBClient)
    text = " ".join(query.split())
    return await _async_cached(
        entry,
        ("search", media_type, text.casefold(), year, page),
        lambda: client.async_search(text, media_type=media_type, year=year, page=page),
    )


async def async_cached_details(
    entry: PandoraConfigEntry, media_type: MediaType, tmdb_id: int
) -> MediaDetails:
    """A film's or show's details with its IMDb id, cached."""
    client = entry_client(entry, TMDBClient)
    return await _async_cached(
        entry,
        ("details", media_type, int(tmdb_id)),
        lambda: client.async_details(media_type, int(tmdb_id)),
    )


# -- Watchmode: cached reads --


async def async_cached_sources(
    entry: PandoraConfigEntry, title_id: str, regions: Sequence[str] | None = None
) -> list[StreamingSource]:
    """Every source row of a Watchmode title id (``movie-603``, ``tt0133093``...), cached."""
    client = entry_client(entry, WatchmodeClient)
    wanted = tuple(sorted({r.strip().upper() for r in (regions or [client.region])}))
    rows = await _async_cached(
        entry,
        ("sources", title_id, wanted),
        lambda: _async_sources_tuple(client, title_id, wanted),
    )
    return list(rows)


async def _async_sources_tuple(
    client: WatchmodeClient, title_id: str, regions: tuple[str, ...]
) -> tuple[StreamingSource, ...]:
    """The sources as a tuple, so a cached answer cannot be changed by a caller."""
    return tuple(await client.async_sources(title_id, list(regions)))
