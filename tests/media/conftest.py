"""Fixtures of the post-processing tests: a finished download, the entries it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.media.postprocess import EVENT_MEDIA_READY
from simulators import CloudCmdSimulator, JellyfinSimulator, QBittorrentSimulator

from ..helpers import mock_entry, setup_integration
from .common import HASH, NAME, OPTIONS


@pytest.fixture
def root(cloudcmd_sim: CloudCmdSimulator) -> Path:
    """The folder CloudCmd serves, with a finished download in /downloads/movies."""
    folder: Path = cloudcmd_sim.root
    content = folder / "downloads" / "movies" / NAME
    content.mkdir(parents=True)
    (content / "movie.mkv").write_bytes(b"x" * 1000)
    return folder


@pytest.fixture
async def qbittorrent(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> MockConfigEntry:
    """A qBittorrent entry that files movies into /library/Movies."""
    qbittorrent_sim.insert_torrent(
        {"name": NAME, "hash": HASH, "category": "movies", "progress": 0.5, "size": 1000}
    )
    entry = mock_entry(qbittorrent_sim)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=OPTIONS)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def cloudcmd(hass: HomeAssistant, cloudcmd_sim: CloudCmdSimulator) -> MockConfigEntry:
    entry = mock_entry(cloudcmd_sim)
    await setup_integration(hass, entry)
    return entry


@pytest.fixture
async def jellyfin(hass: HomeAssistant, jellyfin_sim: JellyfinSimulator) -> MockConfigEntry:
    entry = mock_entry(jellyfin_sim)
    await setup_integration(hass, entry)
    return entry


@pytest.fixture
def ready(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    events: list[Event[dict[str, Any]]] = []
    hass.bus.async_listen(EVENT_MEDIA_READY, events.append)
    return events
