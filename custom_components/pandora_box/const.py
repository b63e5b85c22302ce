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
