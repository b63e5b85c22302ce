"""TMDB, the film and show database: discovery actions, dashboard sensors, options.

``actions.py`` holds the discovery actions (search, trending, popular,
upcoming, on the air, details, ``add_to_watchlist``), the dashboard-card
shaping and the options flow; ``coordinator.py`` reads the lists behind the
sensors hourly (``sensor.py``) and keeps the entry's watchlist
(``watchlist.py``: Store, resolution, the schedule that downloads), shown as
a to-do list (``todo.py``).  Every answer goes through the entry's cache (``../cache.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_API_KEY, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.tmdb import TMDBClient
from ...const import CONF_LANGUAGE, CONF_REGION, TMDB_DEFAULT_URL, Kind
from ..base import ClientHandle, Upstream
from ..cache import async_cached_details, async_cached_search
from . import sensor, todo
from .actions import (
    TMDBOptionsFlow,
    async_register_tmdb_actions,
    cache_ttl_selector,
    valid_media_type,
    valid_tmdb_id,
)
from .coordinator import TMDBCoordinator
from .watchlist import EVENT_WATCHLIST_GRABBED, async_remove_store


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> ClientHandle:
    """A client on Home Assistant's shared session, in the entry's language and region."""
    client = TMDBClient(
        async_get_clientsession(hass),
        data[CONF_URL],
        api_key=data[CONF_API_KEY],
        language=data[CONF_LANGUAGE],
        region=data[CONF_REGION],
    )
    return ClientHandle(client)


UPSTREAM = Upstream(
    kind=Kind.TMDB,
    manufacturer="The Movie Database",
    model="TMDB API v3",
    fields=(CONF_URL, CONF_API_KEY, CONF_LANGUAGE, CONF_REGION),
    defaults={CONF_URL: TMDB_DEFAULT_URL},
    client=create_client,
    self_hosted=False,
    coordinator=TMDBCoordinator,
    platforms={
        Platform.SENSOR: sensor.async_setup_entities,
        Platform.TODO: todo.async_setup_entities,
    },
    register_actions=async_register_tmdb_actions,
    options_flow=TMDBOptionsFlow,
    redact=frozenset({"read_access_token"}),
    remove_entry=async_remove_store,
)

__all__ = [
    "EVENT_WATCHLIST_GRABBED",
    "UPSTREAM",
    "async_cached_details",
    "async_cached_search",
    "cache_ttl_selector",
    "valid_media_type",
    "valid_tmdb_id",
]
