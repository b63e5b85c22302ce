"""qBittorrent in Home Assistant, against the simulator: coordinator, entities, events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.qbittorrent.coordinator import QBittorrentCoordinator
from custom_components.pandora_box.upstreams.qbittorrent.tracker import (
    EVENT_TORRENT_ADDED,
    EVENT_TORRENT_COMPLETED,
    EVENT_TORRENT_REMOVED,
    FAST_INTERVAL,
    SLOW_INTERVAL,
    store_key,
)
from simulators.qbittorrent import QBittorrentSimulator

from ...helpers import mock_entry, setup_integration, state_of

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET = f"magnet:?xt=urn:btih:{HASH}&dn=The.Office.S01.720p.WEB-DL"
PREFIX = "sensor.qbittorrent_test"


def coordinator_of(entry: MockConfigEntry) -> QBittorrentCoordinator:
    coordinator = entry.runtime_data.coordinator
    assert isinstance(coordinator, QBittorrentCoordinator)
    return coordinator


def by_name(sim: QBittorrentSimulator, prefix: str) -> str:
    return next(h for h, f in sim.torrents.items() if str(f["name"]).startswith(prefix))


def value(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # the coordinator polls in a background task, over real sockets
    await hass.async_block_till_done(wait_background_tasks=True)


def torrent_events(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    """Capture the three torrent events in one list, in firing order."""
    captured: list[Event[dict[str, Any]]] = []
    for event_type in (EVENT_TORRENT_ADDED, EVENT_TORRENT_COMPLETED, EVENT_TORRENT_REMOVED):
        hass.bus.async_listen(event_type, captured.append)
    return captured


# -- coordinator and entities ---------------------------------------------------------


async def test_entities_show_the_state(hass: HomeAssistant, sim: QBittorrentSimulator) -> None:
    """Speeds, counts, free space, connection, switch; paused* and stopped* both count."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    assert state_of(entry) is ConfigEntryState.LOADED
    assert value(hass, f"{PREFIX}_downloading_torrents") == "2"
    assert value(hass, f"{PREFIX}_seeding_torrents") == "2"
    assert value(hass, f"{PREFIX}_paused_torrents") == "1"
    assert value(hass, f"{PREFIX}_torrents_with_errors") == "0"
    assert value(hass, f"{PREFIX}_active_torrents") == "3"
    assert value(hass, f"{PREFIX}_all_torrents") == "5"
    assert value(hass, f"{PREFIX}_bittorrent_network") == "connected"
    speed = hass.states.get(f"{PREFIX}_download_speed")
    assert speed is not None
    assert speed.attributes["unit_of_measurement"] == "MiB/s"
    assert float(speed.state) == pytest.approx((3_200_000 + 8_000_000) / 1024**2, abs=0.01)
    free = hass.states.get(f"{PREFIX}_free_space")
    assert free is not None
    assert free.attributes["unit_of_measurement"] == "GiB"
    assert float(free.state) == pytest.approx(2048, abs=0.1)
    assert value(hass, "switch.qbittorrent_test_alternative_speed_limits") == "off"
    assert value(hass, "event.qbittorrent_test_torrents") == "unknown"


async def test_adaptive_interval(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """Fast while something downloads, slow when idle, fast again when a download starts."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    coordinator = coordinator_of(entry)
    assert coordinator.update_interval == FAST_INTERVAL
    for torrent_hash in list(sim.torrents):
        sim.update_torrent(torrent_hash, state="stalledUP", dlspeed=0, upspeed=0)
    polls = sim.count("/api/v2/sync/maindata")
    await tick(hass, freezer, 5)
    assert sim.count("/api/v2/sync/maindata") == polls + 1
    assert coordinator.update_interval == SLOW_INTERVAL
    await tick(hass, freezer, 30)
    assert sim.count("/api/v2/sync/maindata") == polls + 1  # idle: no poll yet
    sim.update_torrent(by_name(sim, "Dune"), state="downloading")
    await tick(hass, freezer, 31)
    assert sim.count("/api/v2/sync/maindata") == polls + 2
    assert coordinator.update_interval == FAST_INTERVAL


async def test_polls_fast_for_a_while_after_an_action(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """An idle qBittorrent is polled fast after an action (its state lags 1.5 s), then slow."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    coordinator = coordinator_of(entry)
    for torrent_hash in list(sim.torrents):
        sim.update_torrent(torrent_hash, state="stalledUP", dlspeed=0, upspeed=0)
    await tick(hass, freezer, 5)
    assert coordinator.update_interval == SLOW_INTERVAL
    await hass.services.async_call(DOMAIN, "pause_torrents", {"all": True}, blocking=True)
    assert coordinator.update_interval == FAST_INTERVAL
    polls = sim.count("/api/v2/sync/maindata")
    await tick(hass, freezer, 5)
    assert sim.count("/api/v2/sync/maindata") == polls + 1
    assert coordinator.update_interval == FAST_INTERVAL
    for _ in range(3):
        await tick(hass, freezer, 5)
    assert coordinator.update_interval == SLOW_INTERVAL


async def test_polls_ask_only_for_diffs(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """After the first full answer every poll sends the last rid."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    await tick(hass, freezer, 5)
    await tick(hass, freezer, 5)
    rids = [r.query.get("rid") for r in sim.requests if r.path == "/api/v2/sync/maindata"]
    assert rids == ["0", "1", "2"]


async def test_session_expiry_is_transparent(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """A 403 (expired session) logs in once again; entities never go unavailable."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    logins = sim.count("/api/v2/auth/login")
    sim.expire_sessions()
    await tick(hass, freezer, 5)
    assert sim.count("/api/v2/auth/login") == logins + 1
    assert value(hass, f"{PREFIX}_all_torrents") == "5"
    assert coordinator_of(entry).last_update_success


async def test_outage_and_recovery(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """Down → unavailable; back → values again, nothing fired twice."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    events = torrent_events(hass)
    await sim.stop()
    await tick(hass, freezer, 5)
    assert value(hass, f"{PREFIX}_all_torrents") == STATE_UNAVAILABLE
    assert value(hass, "switch.qbittorrent_test_alternative_speed_limits") == STATE_UNAVAILABLE
    await sim.start()
    await tick(hass, freezer, 5)
    assert value(hass, f"{PREFIX}_all_torrents") == "5"
    assert events == []


async def test_bad_password_starts_reauth(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """A password changed upstream: the relogin is refused → reauth flow."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    sim.rotate_credentials(password="rotated-pw-7f3a")
    sim.expire_sessions()
    await tick(hass, freezer, 5)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


# -- events ---------------------------------------------------------------------------


async def test_no_events_for_existing_torrents(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """A fresh install: what is there at the first refresh fires nothing."""
    events = torrent_events(hass)
    await setup_integration(hass, mock_entry(qbittorrent_sim))
    assert events == []


async def test_events_fire_once_per_transition(
    hass: HomeAssistant, sim: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """Added, completed, removed: once each, with the data of MISSION.md."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    events = torrent_events(hass)
    dune = by_name(sim, "Dune")
    sim.insert_torrent({"name": "Big.Buck.Bunny", "hash": HASH, "category": "movies"})
    await tick(hass, freezer, 5)
    assert [(e.event_type, e.data["hash"]) for e in events] == [(EVENT_TORRENT_ADDED, HASH)]
    assert events[0].data == {
        "entry_id": entry.entry_id,
        "hash": HASH,
        "name": "Big.Buck.Bunny",
        "category": "movies",
        "save_path": "/downloads/movies",
        "size": 1024**3,
    }
    sim.advance(4000)  # the downloads finish
    await tick(hass, freezer, 5)
    completed = [e.data["hash"] for e in events if e.event_type == EVENT_TORRENT_COMPLETED]
    assert set(completed) == {dune, by_name(sim, "Breaking.Bad"), HASH}
    sim.advance(60)
    await tick(hass, freezer, 60)
    await tick(hass, freezer, 60)
    assert len(events) == 4  # seeding on fires nothing more
    sim.remove_torrent(dune)
    await tick(hass, freezer, 60)
    assert events[-1].event_type == EVENT_TORRENT_REMOVED
    assert events[-1].data["hash"] == dune
    assert events[-1].data["name"].startswith("Dune")
    assert len(events) == 5
    state = hass.states.get("event.qbittorrent_test_torrents")
    assert state is not None
    assert state.attributes["event_type"] == "torrent_removed"
    assert state.attributes["hash"] == dune


async def test_restart_fires_what_happened_meanwhile(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    qbittorrent_sim: QBittorrentSimulator,
) -> None:
    """Unload, change qBittorrent, set up again: exactly one event per change."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[store_key(entry.entry_id)]["data"]["torrents"]
    assert set(stored) == set(sim.torrents)
    matrix = by_name(sim, "The.Matrix")
    dune = by_name(sim, "Dune")
    for torrent_hash in list(sim.torrents):
        if torrent_hash != dune:
            sim.update_torrent(torrent_hash, state="pausedDL", dlspeed=0)
    sim.update_torrent(dune, progress=1, state="stalledUP", amount_left=0)
    sim.remove_torrent(matrix)
    events = torrent_events(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert sorted((e.event_type, e.data["hash"]) for e in events) == sorted(
        [(EVENT_TORRENT_COMPLETED, dune), (EVENT_TORRENT_REMOVED, matrix)]
    )
    removed = next(e for e in events if e.event_type == EVENT_TORRENT_REMOVED)
    assert removed.data["category"] == "movies"
    assert removed.data["name"].startswith("The.Matrix")
    # and a second restart with nothing changed fires nothing
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert len(events) == 2


# -- options and per-torrent entities -------------------------------------------------


async def test_options_flow_only_for_kinds_that_have_options(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """qBittorrent entries have options; a kind without an options flow shows none."""
    entry = mock_entry(qbittorrent_sim)
    await setup_integration(hass, entry)
    other = MockConfigEntry(domain=DOMAIN, data={"kind": "portainer", "url": "http://x"})
    other.add_to_hass(hass)
    assert entry.supports_options
    assert not other.supports_options


async def test_per_torrent_entities_follow_the_option(
    hass: HomeAssistant,
    qbittorrent_sim: QBittorrentSimulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off by default; on: N most recently active torrents get a device; gone → removed."""
    sim = qbittorrent_sim
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    assert len(dr.async_entries_for_config_entry(device_registry, entry.entry_id)) == 1

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"torrent_entities": True, "torrent_count": 2}
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    # the library-folders field left empty is stored empty: post-processing off
    assert entry.options == {"torrent_entities": True, "torrent_count": 2, "library_folders": {}}
    assert state_of(entry) is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert len(devices) == 3  # the entry's and two torrents'
    recent = coordinator_of(entry).data.recent
    assert len(recent) == 2
    first = recent[0]
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_{first}"), entry.entry_id
    )
    assert device is not None
    assert device.via_device_id is not None
    entities = er.async_entries_for_device(entity_registry, device.id)
    assert {e.translation_key for e in entities} == {
        "torrent_progress",
        "torrent_state",
        "torrent_download_speed",
        "torrent_upload_speed",
    }
    sim.remove_torrent(first)
    await tick(hass, freezer, 5)
    assert device_registry.async_get(device.id) is None
    assert er.async_entries_for_device(entity_registry, device.id) == []
    assert len(dr.async_entries_for_config_entry(device_registry, entry.entry_id)) == 3

    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"torrent_entities": False, "torrent_count": 2}
    )
    await hass.async_block_till_done()
    assert len(dr.async_entries_for_config_entry(device_registry, entry.entry_id)) == 1


async def test_deleting_the_entry_deletes_its_known_torrents(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    qbittorrent_sim: QBittorrentSimulator,
) -> None:
    """Removing the entry leaves no stored torrent list behind."""
    entry = mock_entry(qbittorrent_sim)
    await setup_integration(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert store_key(entry.entry_id) in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert store_key(entry.entry_id) not in hass_storage
