"""Jackett, torrent search across indexers: ``search_torrents``, ranking, preferences.

``actions.py`` holds the action and the options flow (the entry's
preferences); ``ranking.py`` parses release names and ranks results, for the
action and for ``download_media``.  Jackett has no coordinator and no
entities of its own.
"""

from __future__ import annotations

from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL

from ...api.jackett import JackettClient
from ...const import Kind
from ..base import Upstream, api_key_client
from .actions import JackettOptionsFlow, async_register_jackett_actions
from .ranking import (
    CATEGORY_IDS,
    RESOLUTIONS,
    Preferences,
    RankedResult,
    Rejection,
    parse_release,
    rank_with_rejections,
)

UPSTREAM = Upstream(
    kind=Kind.JACKETT,
    manufacturer="Jackett",
    model="Jackett",
    fields=(CONF_URL, CONF_API_KEY, CONF_VERIFY_SSL),
    client=api_key_client(JackettClient),
    register_actions=async_register_jackett_actions,
    options_flow=JackettOptionsFlow,
    # download links carry the Jackett key
    redact=frozenset({"link", "magnet_url"}),
)

__all__ = [
    "CATEGORY_IDS",
    "RESOLUTIONS",
    "UPSTREAM",
    "Preferences",
    "RankedResult",
    "Rejection",
    "parse_release",
    "rank_with_rejections",
]
