"""qBittorrent actions, buttons and switch against the simulator: results and every error."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.qbittorrent.tracker import (
    EVENT_TORRENT_ADDED,
    EVENT_TORRENT_REMOVED,
)
from simulators.qbittorrent import QBittorrentSimulator

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET = f"magnet:?xt=urn:btih:{HASH}&dn=The.Office.S01.720p.WEB-DL"


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


def by_name(sim: QBittorrentSimulator, prefix: str) -> str:
    return next(h for h, f in sim.torrents.items() if str(f["name"]).startswith(prefix))


def alt_speed(sim: QBittorrentSimulator) -> bool:
    """The simulator's mode now (a call, so mypy does not keep an earlier narrowing)."""
    return sim.alt_speed


def paused_state(sim: QBittorrentSimulator) -> str:
    return "stoppedDL" if sim.stop_start else "pausedDL"


async def test_add_torrent_returns_the_hash_and_fires_added(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    added: list[Event[dict[str, Any]]] = []
    hass.bus.async_listen(EVENT_TORRENT_ADDED, added.append)
    result = await call(
        hass,
        "add_torrent",
        {"url": MAGNET, "category": "tv", "tags": ["new"], "paused": True},
        response=True,
    )
    assert result == {"hash": HASH}
    assert sim.torrents[HASH]["category"] == "tv"
    assert sim.torrents[HASH]["state"] == paused_state(sim)
    await hass.async_block_till_done()
    assert [e.data["hash"] for e in added] == [HASH]  # the refresh right after the action
    state = hass.states.get("sensor.qbittorrent_test_all_torrents")
    assert state is not None
    assert state.state == "6"


async def test_add_torrent_by_url(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    result = await call(
        hass, "add_torrent", {"url": "https://example.org/files/Sintel.torrent"}, response=True
    )
    assert set(result) == {"hash"}
    assert "Sintel" in {f["name"] for f in sim.torrents.values()}


async def test_add_torrent_errors(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    requests = sim.count("/api/v2/torrents/add")
    with pytest.raises(ServiceValidationError, match="no valid BitTorrent info hash"):
        await call(hass, "add_torrent", {"url": "magnet:?dn=nothing"})
    with pytest.raises(ServiceValidationError, match="Not a magnet link or an http"):
        await call(hass, "add_torrent", {"url": "ftp://example.org/x.torrent"})
    with pytest.raises(ServiceValidationError, match="Not a magnet link or an http"):
        await call(hass, "add_torrent", {"url": "https:///no-host"})
    present = by_name(sim, "Dune")
    with pytest.raises(ServiceValidationError, match="already has this torrent: Dune"):
        await call(hass, "add_torrent", {"url": f"magnet:?xt=urn:btih:{present}"})
    assert sim.count("/api/v2/torrents/add") == requests  # nothing reached qBittorrent
    # qBittorrent itself refuses: added elsewhere a moment ago, not polled yet
    sim.insert_torrent({"name": "Elsewhere", "hash": HASH})
    with pytest.raises(HomeAssistantError, match="added nothing"):
        await call(hass, "add_torrent", {"url": MAGNET})


async def test_pause_resume_remove(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    dune = by_name(sim, "Dune")
    await call(hass, "pause_torrents", {"hashes": [dune.upper()]})
    assert sim.torrents[dune]["state"] == paused_state(sim)
    verb = "stop" if sim.stop_start else "pause"
    assert sim.count(f"/api/v2/torrents/{verb}") == 1
    await call(hass, "resume_torrents", {"hashes": [dune]})
    assert sim.torrents[dune]["state"] == "downloading"
    await call(hass, "pause_torrents", {"all": True})
    state = hass.states.get("sensor.qbittorrent_test_paused_torrents")
    assert state is not None
    assert state.state == "5"  # refreshed right after the action
    await call(hass, "resume_torrents", {"all": True})
    removed: list[Event[dict[str, Any]]] = []
    hass.bus.async_listen(EVENT_TORRENT_REMOVED, removed.append)
    await call(hass, "remove_torrents", {"hashes": [dune], "delete_files": True})
    await hass.async_block_till_done()
    assert dune not in sim.torrents
    assert sim.deleted_files[-1].endswith(str(sim.torrents.get(dune, {"name": ""})["name"]))
    assert [e.data["hash"] for e in removed] == [dune]


async def test_hash_errors(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    unknown = "0" * 40
    with pytest.raises(ServiceValidationError, match=f"no torrent with these hashes: {unknown}"):
        await call(hass, "pause_torrents", {"hashes": [unknown]})
    with pytest.raises(ServiceValidationError, match="Not torrent hashes"):
        await call(hass, "remove_torrents", {"hashes": ["xyz"]})
    with pytest.raises(ServiceValidationError, match="either a list of hashes or all"):
        await call(hass, "resume_torrents", {})
    with pytest.raises(ServiceValidationError, match="either a list of hashes or all"):
        await call(hass, "pause_torrents", {"hashes": [by_name(sim, "Dune")], "all": True})
    assert sim.count("/api/v2/torrents/delete") == 0


async def test_hash_added_elsewhere_is_found(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    """A hash not seen yet triggers one refresh before it is called unknown."""
    new = sim.insert_torrent({"name": "Added.Elsewhere"})
    await call(hass, "pause_torrents", {"hashes": [new]})
    assert sim.torrents[new]["state"] == paused_state(sim)


async def test_get_torrents(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    result = await call(hass, "get_torrents", {}, response=True)
    torrents = result["torrents"]
    assert len(torrents) == 5
    dune = next(t for t in torrents if t["name"].startswith("Dune"))
    assert set(dune) == {
        "hash",
        "name",
        "state",
        "progress",
        "size",
        "download_speed",
        "upload_speed",
        "eta",
        "category",
        "save_path",
        "added_on",
        "completed_on",
    }
    assert dune["progress"] == 5.0
    assert dune["state"] == "downloading"
    assert dune["completed_on"] is None
    assert torrents[0]["name"].startswith("Dune")  # newest first
    done = await call(hass, "get_torrents", {"filter": "completed"}, response=True)
    assert {t["progress"] for t in done["torrents"]} == {100.0}
    assert all(t["completed_on"] for t in done["torrents"])
    paused = await call(hass, "get_torrents", {"filter": "paused"}, response=True)
    assert [t["name"][:9] for t in paused["torrents"]] == ["Inception"]
    assert paused["torrents"][0]["state"] == "pausedDL"  # one vocabulary on 4.x and 5.x
    tv = await call(hass, "get_torrents", {"category": "tv"}, response=True)
    assert {t["category"] for t in tv["torrents"]} == {"tv"}
    assert len(tv["torrents"]) == 2


async def test_upstream_fault_is_a_translated_error(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    sim.set_fault("status", status=500, path="/api/v2/torrents/")
    with pytest.raises(HomeAssistantError, match="Cannot reach qbittorrent test"):
        await call(hass, "pause_torrents", {"all": True})
    sim.clear_fault()
    await sim.stop()
    with pytest.raises(HomeAssistantError, match="Cannot reach qbittorrent test"):
        await call(hass, "get_torrents", {}, response=True)


async def test_switch_and_buttons(
    hass: HomeAssistant, entry: MockConfigEntry, sim: QBittorrentSimulator
) -> None:
    switch = "switch.qbittorrent_test_alternative_speed_limits"
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert sim.alt_speed
    state = hass.states.get(switch)
    assert state is not None
    assert state.state == "on"
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert sim.alt_speed  # on stays on: qBittorrent only toggles
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert not alt_speed(sim)
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.qbittorrent_test_pause_all_torrents"},
        blocking=True,
    )
    assert all(
        f["state"] in ("pausedDL", "pausedUP", "stoppedDL", "stoppedUP")
        for f in sim.torrents.values()
    )
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.qbittorrent_test_resume_all_torrents"},
        blocking=True,
    )
    assert not any(f["state"].startswith(("paused", "stopped")) for f in sim.torrents.values())
