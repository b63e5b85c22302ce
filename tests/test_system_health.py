"""System health info: per loaded entry, reachable, version and response time."""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import get_system_health_info

from custom_components.pandora_box.const import DOMAIN
from simulators import Simulator

from .helpers import KINDS, mock_entry, new_simulator, secret_field, setup_integration


async def _info(hass: HomeAssistant) -> dict[str, Any]:
    """The info, every awaitable value awaited (as the System information page does)."""
    info: dict[str, Any] = await get_system_health_info(hass, DOMAIN)
    for key, value in info.items():
        if asyncio.iscoroutine(value):
            info[key] = await value
    return info


@pytest.fixture
async def sims(tmp_path: Path) -> Any:
    """One started simulator of every kind."""
    started: list[Simulator] = []
    for kind in KINDS:
        sim = new_simulator(kind, tmp_path)
        await sim.start()
        started.append(sim)
    yield started
    for sim in started:
        await sim.stop()


async def test_every_entry_reports_reachable_version_and_time(
    hass: HomeAssistant, sims: list[Simulator]
) -> None:
    """Each loaded entry has its three lines; a down upstream reads as failed."""
    assert await async_setup_component(hass, "system_health", {})
    entries = []
    for sim in sims:
        entry = mock_entry(sim)
        await setup_integration(hass, entry)
        entries.append(entry)

    info = await _info(hass)
    assert info["loaded_entries"] == len(KINDS)
    for entry in entries:
        assert info[f"{entry.title}: reachable"] == "ok"
        assert re.fullmatch(r"\d+ ms", info[f"{entry.title}: response time"])
        expected = entry.runtime_data.info.version or "not reported"
        assert info[f"{entry.title}: version"] == expected
    assert info["qbittorrent test: version"] == "4.5.2"
    assert info["jellyfin test: version"] == "10.10.7"

    qbittorrent = sims[KINDS.index("qbittorrent")]
    await qbittorrent.stop()
    info = await _info(hass)
    assert info["qbittorrent test: reachable"] == {"type": "failed", "error": "unreachable"}
    assert info["qbittorrent test: version"] == "-"
    assert info["qbittorrent test: response time"] == "-"
    assert info["jackett test: reachable"] == "ok"


@pytest.mark.parametrize("sim", ["jackett"], indirect=True)
async def test_refused_credentials_and_bad_answers(hass: HomeAssistant, sim: Simulator) -> None:
    """Refused credentials and a broken answer each read as their own failure."""
    assert await async_setup_component(hass, "system_health", {})
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    setattr(sim, secret_field(sim.kind), "rotated")
    info = await _info(hass)
    assert info["jackett test: reachable"] == {"type": "failed", "error": "invalid_auth"}
    sim.set_fault("malformed")
    info = await _info(hass)
    assert info["jackett test: reachable"] == {"type": "failed", "error": "bad_answer"}


@pytest.mark.parametrize("sim", ["jackett"], indirect=True)
async def test_unloaded_entries_are_left_out(hass: HomeAssistant, sim: Simulator) -> None:
    """Only loaded entries are probed."""
    assert await async_setup_component(hass, "system_health", {})
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    info = await _info(hass)
    assert info == {"loaded_entries": 0}


@pytest.mark.parametrize("sim", ["jackett"], indirect=True)
async def test_hanging_upstream_reads_as_timeout(hass: HomeAssistant, sim: Simulator) -> None:
    """An upstream that never answers is cut off and reported as a timeout."""
    assert await async_setup_component(hass, "system_health", {})
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    sim.set_fault("hang")
    with patch("custom_components.pandora_box.system_health.CHECK_TIMEOUT", 0.05):
        info = await _info(hass)
    assert info["jackett test: reachable"] == {"type": "failed", "error": "timeout"}
    assert info["jackett test: response time"] == "-"
    sim.clear_fault()
