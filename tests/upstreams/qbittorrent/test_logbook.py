"""Logbook descriptions of the torrent events, from real polls of the qBittorrent simulator."""

from __future__ import annotations

from typing import Any

from homeassistant.components.logbook.processor import EventProcessor
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import homeassistant.util.dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.pandora_box.logbook import (
    DESCRIBERS,
    describe_torrent_added,
    describe_torrent_completed,
    describe_torrent_removed,
    human_size,
)
from custom_components.pandora_box.upstreams.qbittorrent.coordinator import QBittorrentCoordinator
from custom_components.pandora_box.upstreams.qbittorrent.tracker import (
    BUS_EVENTS,
    EVENT_TORRENT_ADDED,
    EVENT_TORRENT_COMPLETED,
    EVENT_TORRENT_REMOVED,
)
from simulators import QBittorrentSimulator

from ...helpers import mock_entry, setup_integration

GIB = 1024**3


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Start the recorder before ``hass`` where a test uses it (overrides conftest's)."""
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("recorder_mock")
    request.getfixturevalue("enable_custom_integrations")


async def _poll(hass: HomeAssistant) -> None:
    for entry in hass.config_entries.async_loaded_entries("pandora_box"):
        coordinator = entry.runtime_data.coordinator
        assert isinstance(coordinator, QBittorrentCoordinator)
        await coordinator.async_refresh()
    await hass.async_block_till_done()


def test_every_torrent_event_is_described() -> None:
    assert set(BUS_EVENTS) <= set(DESCRIBERS)


def test_human_size() -> None:
    assert human_size(0) is None  # a magnet without metadata yet: no size to show
    assert human_size(1) == "1 B"
    assert human_size(1023) == "1023 B"
    assert human_size(1536) == "1.5 KB"
    assert human_size(6 * GIB + 128 * 1024**2) == "6.1 GB"
    assert human_size(3 * 1024 * GIB) == "3.0 TB"
    assert human_size(None) is None
    assert human_size(True) is None
    assert human_size(-1) is None


def test_sparse_events(hass: HomeAssistant) -> None:
    """Events without size or category (or from a removed entry) still read well."""
    bare = Event(EVENT_TORRENT_REMOVED, {"entry_id": "gone", "hash": "ab" * 20})
    assert describe_torrent_removed(hass, bare) == {
        "name": "Pandora Box",
        "message": f"removed {'ab' * 20}",
    }
    nothing: Event[dict[str, Any]] = Event(EVENT_TORRENT_ADDED, {})
    assert describe_torrent_added(hass, nothing)["message"] == "added a torrent"


async def test_describes_real_events(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """Added, completed and removed torrents, as the coordinator fires them."""
    await setup_integration(hass, mock_entry(qbittorrent_sim))
    captured = [async_capture_events(hass, event_type) for event_type in BUS_EVENTS]
    added = qbittorrent_sim.insert_torrent(
        {"name": "Arrival.2016.1080p", "size": 2 * GIB, "category": "movies"}
    )
    await _poll(hass)
    qbittorrent_sim.advance(4000)
    await _poll(hass)
    qbittorrent_sim.remove_torrent(added)
    await _poll(hass)

    events = [event for events in captured for event in events]
    describers = {
        EVENT_TORRENT_ADDED: describe_torrent_added,
        EVENT_TORRENT_COMPLETED: describe_torrent_completed,
        EVENT_TORRENT_REMOVED: describe_torrent_removed,
    }
    described = sorted(
        describers[event.event_type](hass, event)["message"]
        for event in events
        if event.data["hash"] == added
    )
    assert described == [
        "added Arrival.2016.1080p (2.0 GB) in movies",
        "finished downloading Arrival.2016.1080p (2.0 GB) in movies",
        "removed Arrival.2016.1080p (2.0 GB) in movies",
    ]
    assert {describers[e.event_type](hass, e)["name"] for e in events} == {"qbittorrent test"}


async def test_logbook_shows_torrent_events(
    recorder_mock: Any, hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """Through the real logbook: the entry's title and the message."""
    assert await async_setup_component(hass, "logbook", {})
    await setup_integration(hass, mock_entry(qbittorrent_sim))
    start = dt_util.utcnow()
    qbittorrent_sim.advance(4000)  # Breaking Bad and Dune finish
    await _poll(hass)
    await async_wait_recording_done(hass)
    processor = EventProcessor(hass, BUS_EVENTS)
    rows = await hass.async_add_executor_job(processor.get_events, start, dt_util.utcnow())
    ours = [row for row in rows if row.get("domain") == "pandora_box"]
    assert sorted((row["name"], row["message"], row["domain"]) for row in ours) == [
        (
            "qbittorrent test",
            "finished downloading Breaking.Bad.S01.1080p.BluRay.x265-GalaxyTV (6.1 GB) in tv",
            "pandora_box",
        ),
        (
            "qbittorrent test",
            (
                "finished downloading Dune.Part.Two.2024.1080p.WEB-DL.DDP5.1.H.264-FLUX (8.2 GB)"
                " in movies"
            ),
            "pandora_box",
        ),
    ]


MAGNET_HASH = "c9e15763f722f23e98a29decdfae341b98d53056"
MAGNET = f"magnet:?xt=urn:btih:{MAGNET_HASH}&dn=Oppenheimer.2023.2160p"


async def test_magnet_added_names_its_real_size_and_the_entity_line_names_it(
    recorder_mock: Any, hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """A magnet's *added* waits for its metadata; the event entity's line carries its text."""
    assert await async_setup_component(hass, "logbook", {})
    await setup_integration(hass, mock_entry(qbittorrent_sim))
    added = async_capture_events(hass, EVENT_TORRENT_ADDED)
    start = dt_util.utcnow()
    await hass.services.async_call(
        "pandora_box", "add_torrent", {"url": MAGNET}, blocking=True, return_response=True
    )
    await _poll(hass)
    assert qbittorrent_sim.torrents[MAGNET_HASH]["size"] == 0  # still fetching metadata
    assert added == []  # nothing to say about its size yet
    qbittorrent_sim.advance(5)  # the metadata arrives
    await _poll(hass)
    assert [event.data["hash"] for event in added] == [MAGNET_HASH]
    size = added[0].data["size"]
    assert size > 0
    message = describe_torrent_added(hass, added[0])["message"]
    assert message == f"added Oppenheimer.2023.2160p ({human_size(size)})"

    await async_wait_recording_done(hass)
    processor = EventProcessor(
        hass, BUS_EVENTS, entity_ids=["event.qbittorrent_test_torrents"], context_id=None
    )
    rows = await hass.async_add_executor_job(processor.get_events, start, dt_util.utcnow())
    lines = [row for row in rows if row.get("entity_id") == "event.qbittorrent_test_torrents"]
    assert len(lines) == 1  # one added torrent, one line
    assert lines[0]["context_message"] == message
    assert lines[0]["context_name"] == "qbittorrent test"


async def test_magnet_removed_before_its_metadata_is_announced_then_removed(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """Removed while it waits for metadata: *added*, then *removed*, no size shown."""
    await setup_integration(hass, mock_entry(qbittorrent_sim))
    captured = [async_capture_events(hass, event_type) for event_type in BUS_EVENTS]
    await hass.services.async_call(
        "pandora_box", "add_torrent", {"url": MAGNET}, blocking=True, return_response=True
    )
    await _poll(hass)
    qbittorrent_sim.remove_torrent(MAGNET_HASH)
    await _poll(hass)
    events = sorted((event.time_fired, event.event_type) for events in captured for event in events)
    assert [event_type for _, event_type in events] == [EVENT_TORRENT_ADDED, EVENT_TORRENT_REMOVED]
    assert describe_torrent_removed(hass, captured[2][0])["message"] == (
        "removed Oppenheimer.2023.2160p"
    )
