"""Fixtures of the qBittorrent tests: a simulator of each flavour, an entry set up on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.qbittorrent import QBittorrentSimulator

from ...helpers import mock_entry, setup_integration

FLAVOURS = {
    "4.5": ("v4.5.2", "2.8.19"),
    "5.0": ("v5.0.4", "2.11.2"),
    "5.2": ("v5.2.3", "2.15.1"),
}
"""qBittorrent versions and their Web API versions, one per generation of answers."""


@pytest.fixture(params=list(FLAVOURS))
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[QBittorrentSimulator]:
    """A simulator of each flavour."""
    version, webapi = FLAVOURS[request.param]
    simulator = QBittorrentSimulator(version=version, webapi_version=webapi)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def entry(hass: HomeAssistant, sim: QBittorrentSimulator) -> MockConfigEntry:
    """An entry of ``sim``, set up."""
    config_entry = mock_entry(sim)
    await setup_integration(hass, config_entry)
    return config_entry
