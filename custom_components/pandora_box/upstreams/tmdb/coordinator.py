"""The TMDB coordinator: the lists behind the dashboard sensors, read hourly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final, override

from homeassistant.core import HomeAssistant

from ...api.tmdb import MediaItem
from ...coordinator import PandoraConfigEntry, PandoraCoordinator
from ..cache import async_cached_list
from .watchlist import Watchlist


@dataclass(frozen=True, slots=True, kw_only=True)
class TMDBData:
    """What the TMDB dashboard sensors show: three lists, first page each."""

    trending_movies: tuple[MediaItem, ...]
    trending_shows: tuple[MediaItem, ...]
    upcoming_movies: tuple[MediaItem, ...]


DASHBOARD_LISTS: Final = {
    "trending_movies": "trending/movie/day",
    "trending_shows": "trending/tv/day",
    "upcoming_movies": "upcoming",
}
"""The TMDB list behind each dashboard sensor (the same cache as the actions)."""

DASHBOARD_MAX_AGE: Final = timedelta(minutes=50)
"""Oldest cached list an hourly dashboard poll accepts, whatever the TTL option says."""


async def async_fetch_tmdb_dashboard(entry: PandoraConfigEntry) -> TMDBData:
    """Read the dashboard lists (through the cache, so actions share them)."""
    # One after the other: the client reads each genre list once, and a
    # concurrent first poll would read it twice.
    pages = {
        key: await async_cached_list(entry, name, max_age=DASHBOARD_MAX_AGE)
        for key, name in DASHBOARD_LISTS.items()
    }
    return TMDBData(
        trending_movies=pages["trending_movies"].results,
        trending_shows=pages["trending_shows"].results,
        upcoming_movies=pages["upcoming_movies"].results,
    )


class TMDBCoordinator(PandoraCoordinator[TMDBData]):
    """Reads the TMDB lists behind the dashboard sensors, hourly.

    Trending films and shows (of the day) and upcoming films, through the
    entry's answer cache (``upstreams/cache.py``), so an action asking for the
    same list within the cache lifetime costs no request.  Watchmode has no
    coordinator: its quota is too small to poll.
    """

    interval = timedelta(hours=1)

    def __init__(self, hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
        """Poll hourly; the entry's watchlist rides along (``watchlist.py``)."""
        super().__init__(hass, entry)
        self.watchlist = Watchlist(hass, entry)

    @override
    async def _async_setup(self) -> None:
        """Read the watchlist's Store and start its schedule (stopped on unload)."""
        await self.watchlist.async_load()
        self.watchlist.async_start()
        self.config_entry.async_on_unload(self.watchlist.async_stop)

    @override
    async def _async_fetch(self) -> TMDBData:
        """Read the three lists."""
        return await async_fetch_tmdb_dashboard(self.config_entry)
