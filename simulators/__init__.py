"""Faithful simulators of the seven upstreams Pandora Box talks to.

``SIMULATORS`` maps each config-entry kind to its simulator class.  Tests start
them in-process on loopback; ``python -m simulators --manifest FILE`` starts all
seven for the demo and for end-to-end runs.
"""

from __future__ import annotations

from .base import Fault, RecordedRequest, Simulator
from .cloudcmd import CloudCmdSimulator
from .jackett import JackettSimulator
from .jellyfin import JellyfinSimulator
from .portainer import PortainerSimulator
from .qbittorrent import QBittorrentSimulator
from .tmdb import TMDBSimulator
from .watchmode import WatchmodeSimulator

SIMULATORS: dict[str, type[Simulator]] = {
    "qbittorrent": QBittorrentSimulator,
    "jackett": JackettSimulator,
    "tmdb": TMDBSimulator,
    "watchmode": WatchmodeSimulator,
    "cloudcmd": CloudCmdSimulator,
    "portainer": PortainerSimulator,
    "jellyfin": JellyfinSimulator,
}

__all__ = [
    "SIMULATORS",
    "CloudCmdSimulator",
    "Fault",
    "JackettSimulator",
    "JellyfinSimulator",
    "PortainerSimulator",
    "QBittorrentSimulator",
    "RecordedRequest",
    "Simulator",
    "TMDBSimulator",
    "WatchmodeSimulator",
]
