"""Entries of the assistant tests: TMDB, Jackett, qBittorrent and Watchmode on simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators import JackettSimulator, QBittorrentSimulator, TMDBSimulator, WatchmodeSimulator

from ..helpers import loaded_entry

BUNNY = "Big.Buck.Bunny.2008.1080p.BluRay.x264-GRP"
SINTEL = "Sintel.2010.720p.WEB-DL.x264-GRP"


@pytest.fixture
async def qbittorrent_sim() -> AsyncIterator[QBittorrentSimulator]:
    """qBittorrent with just two torrents, downloading and standing still (percentages hold)."""
    sim = QBittorrentSimulator(torrents=[])
    sim.insert_torrent({"name": BUNNY, "progress": 0.45, "dlspeed": 0})
    sim.insert_torrent({"name": SINTEL, "progress": 0.1, "dlspeed": 0})
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def tmdb(hass: HomeAssistant, tmdb_sim: TMDBSimulator) -> MockConfigEntry:
    return await loaded_entry(hass, tmdb_sim)


@pytest.fixture
async def jackett(hass: HomeAssistant, jackett_sim: JackettSimulator) -> MockConfigEntry:
    return await loaded_entry(hass, jackett_sim)


@pytest.fixture
async def watchmode(hass: HomeAssistant, watchmode_sim: WatchmodeSimulator) -> MockConfigEntry:
    return await loaded_entry(hass, watchmode_sim)


@pytest.fixture
async def qbittorrent(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> MockConfigEntry:
    return await loaded_entry(hass, qbittorrent_sim)
