"""Constants of the Pandora Box integration."""

from __future__ import annotations

from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "pandora_box"
LOGGER = logging.getLogger(__package__)

CONF_KIND: Final = "kind"
CONF_LANGUAGE: Final = "language"
CONF_REGION: Final = "region"
CONF_ROOT: Final = "root"


class Kind(StrEnum):
    """The seven upstreams; each config entry is exactly one of them."""

    QBITTORRENT = "qbittorrent"
    JACKETT = "jackett"
    TMDB = "tmdb"
    WATCHMODE = "watchmode"
    CLOUDCMD = "cloudcmd"
    PORTAINER = "portainer"
    JELLYFIN = "jellyfin"


TMDB_DEFAULT_URL: Final = "https://api.themoviedb.org/3"
WATCHMODE_DEFAULT_URL: Final = "https://api.watchmode.com/v1"
DEFAULT_LANGUAGE: Final = "en-US"
DEFAULT_REGION: Final = "US"
DEFAULT_CLOUDCMD_ROOT: Final = "/"

# -- the upstream stack (docs/docker-compose.yml) --
DEFAULT_MEDIA_PATH: Final = "/media"
"""Where the one media volume is mounted in qBittorrent, CloudCmd and Jellyfin.

The same path in all three, so the default path mapping of post-processing
(none: qBittorrent's save path is taken as a CloudCmd path) holds as it is.
"""
DEFAULT_DOWNLOAD_PATH: Final = "/media/downloads"
"""qBittorrent's default save path in that stack (categories are folders below it)."""
DEFAULT_LIBRARY_FOLDERS: Final = {"movies": "/media/Movies", "tv": "/media/Shows"}
"""The library folders of that stack per category, as Jellyfin's libraries read them."""
