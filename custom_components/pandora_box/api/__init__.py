"""Typed async clients for the upstreams of Pandora Box; no Home Assistant imports here.

One module per upstream (``qbittorrent.py``, ``jackett.py`` …), the request
helpers they share (``_http.py``), their errors (``errors.py``) and the models
every client shares (``models.py``).  ``PandoraClient`` is the union of the
clients: what a config entry's runtime data holds.
"""

from __future__ import annotations

from .cloudcmd import CloudCmdClient
from .jackett import JackettClient
from .jellyfin import JellyfinClient
from .portainer import PortainerClient
from .qbittorrent import QBittorrentClient
from .tmdb import TMDBClient
from .watchmode import WatchmodeClient

type PandoraClient = (
    QBittorrentClient
    | JackettClient
    | TMDBClient
    | WatchmodeClient
    | CloudCmdClient
    | PortainerClient
    | JellyfinClient
)
"""The client of any upstream."""

__all__ = ["PandoraClient"]
