"""Jellyfin entities against the simulator: entity set, values, scans, outages, reauth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.json import JSONEncoder
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from syrupy.assertion import SnapshotAssertion

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.jellyfin.coordinator import JellyfinCoordinator
from simulators import JellyfinSimulator

from ...helpers import mock_entry, only_platforms, settle, setup_integration, state_of

ENTRY_ID = "01JFJELLYFIN0000000000TEST"
SCAN = "binary_sensor.jellyfin_library_scan"
PROGRESS = "sensor.jellyfin_library_scan_progress"
MOVIES = "sensor.jellyfin_movies"
LATEST = "sensor.jellyfin_latest_additions"
NOW_PLAYING = "sensor.jellyfin_now_playing"
SESSIONS = "sensor.jellyfin_active_sessions"
VERSION = "sensor.jellyfin_server_version"
BUTTON = "button.jellyfin_refresh_library"


@pytest.fixture
async def jf(freezer: FrozenDateTimeFactory) -> AsyncIterator[JellyfinSimulator]:
    """A Jellyfin simulator created at a fixed time, so its dates are stable."""
    freezer.move_to("2026-11-01T12:00:00+00:00")
    sim = JellyfinSimulator()
    # These tests cover polling, the fallback: a reverse proxy that does not pass
    # WebSocket upgrades (push is test_push.py's).
    sim.set_fault("status", status=502, path="/socket")
    await sim.start()
    yield sim
    await sim.stop()


def jellyfin_entry(sim: JellyfinSimulator, **overrides: Any) -> MockConfigEntry:
    """A Jellyfin entry with a fixed id (unique ids contain it) pointing at ``sim``."""
    return mock_entry(
        sim, title="Jellyfin", entry_id=ENTRY_ID, unique_id=sim.server_id, **overrides
    )


@pytest.fixture
async def entry(hass: HomeAssistant, jf: JellyfinSimulator) -> MockConfigEntry:
    """A loaded Jellyfin entry."""
    config_entry = jellyfin_entry(jf)
    await setup_integration(hass, config_entry)
    return config_entry


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let Home Assistant's clock run on by ``seconds`` and run what became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # The coordinator polls in a background task, over real sockets.
    await settle(hass)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _attrs(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return dict(state.attributes)


# -- entity set ---------------------------------------------------------------------


@pytest.mark.parametrize("platform", [Platform.SENSOR, Platform.BINARY_SENSOR, Platform.BUTTON])
async def test_entities(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of a platform, with its state, on the entry's one device."""
    config_entry = jellyfin_entry(jf)
    with only_platforms(platform):
        await setup_integration(hass, config_entry)

    entries = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    assert entries
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, config_entry.entry_id), config_entry.entry_id
    )
    assert device is not None
    for entity_entry in sorted(entries, key=lambda e: e.entity_id):
        assert entity_entry.device_id == device.id
        assert entity_entry.disabled_by is None
        assert entity_entry == snapshot(name=f"{entity_entry.entity_id}-entry")
        state = hass.states.get(entity_entry.entity_id)
        assert state is not None
        # The simulator's port changes per run: take it out of image URLs.
        shown = json.loads(json.dumps(dict(state.attributes)).replace(jf.url, "http://jellyfin"))
        assert {"state": state.state, "attributes": shown} == snapshot(
            name=f"{entity_entry.entity_id}-state"
        )


# -- values -------------------------------------------------------------------------


async def test_values(hass: HomeAssistant, jf: JellyfinSimulator, entry: MockConfigEntry) -> None:
    """Counts, sessions, now playing, scan and version read as the server reports them."""
    counts = jf.counts()
    for key, count in (
        ("movies", "MovieCount"),
        ("series", "SeriesCount"),
        ("episodes", "EpisodeCount"),
        ("albums", "AlbumCount"),
        ("songs", "SongCount"),
    ):
        assert _state(hass, f"sensor.jellyfin_{key}") == str(counts[count])
    assert counts["MovieCount"] > 0
    assert counts["SongCount"] == 6

    # alice plays, bob is idle but recent, carol is outside the 960 s window
    assert _state(hass, SESSIONS) == "2"
    assert _attrs(hass, SESSIONS)["users"] == ["alice", "bob"]
    assert _state(hass, NOW_PLAYING) == "1"
    [playing] = _attrs(hass, NOW_PLAYING)["sessions"]
    matrix = jf.find("The Matrix")
    assert matrix.runtime_s is not None
    assert playing == {
        "user": "alice",
        "client": "Jellyfin Web",
        "device": "Firefox",
        "title": "The Matrix",
        "series": None,
        "type": "Movie",
        "progress": round(1200 / matrix.runtime_s * 100, 1),
        "position": 1200,
        "runtime": round(matrix.runtime_s),
        "paused": False,
    }
    assert _state(hass, SCAN) == STATE_OFF
    assert _attrs(hass, SCAN)["last_result"] == "Completed"
    assert _state(hass, PROGRESS) == "0.0"
    assert _state(hass, VERSION) == "10.10.7"
    assert _state(hass, BUTTON) == "unknown"


async def test_now_playing_follows_playback(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Progress moves with the server's clock; a paused or stopped session shows so."""
    jf.advance(60)
    jf.play("bob", "Breaking Bad", position_s=0)  # the series has no run time
    await _tick(hass, freezer, 30)
    assert _state(hass, NOW_PLAYING) == "2"
    by_user = {s["user"]: s for s in _attrs(hass, NOW_PLAYING)["sessions"]}
    assert by_user["alice"]["position"] == 1260
    assert by_user["bob"]["progress"] is None

    jf.pause("alice")
    jf.stop_playback("bob")
    await _tick(hass, freezer, 30)
    [alice] = _attrs(hass, NOW_PLAYING)["sessions"]
    assert alice["user"] == "alice"
    assert alice["paused"] is True
    assert _state(hass, SESSIONS) == "2"


async def test_latest_items_fit_media_cards(
    hass: HomeAssistant, jf: JellyfinSimulator, entry: MockConfigEntry
) -> None:
    """The latest additions read as upcoming-media-card data; posters need no key."""
    data = _attrs(hass, LATEST)["data"]
    assert _state(hass, LATEST) == str(len(data) - 1) == "10"
    assert data[0]["title_default"] == "$title"
    items = data[1:]
    for item in items:
        assert item["title"]
        assert item["airdate"]
        assert item["type"] in ("Movie", "Episode")
        assert {"poster", "fanart", "year", "release", "flag", "number", "episode"} <= set(item)
    dates = [item["airdate"] for item in items]
    assert dates == sorted(dates, reverse=True)

    episode = next(item for item in items if item["type"] == "Episode")
    source = jf.find(episode["id"])
    assert episode["title"] == source.series_name
    assert episode["episode"] == source.name
    assert episode["number"] == f"S{source.season:02d}E{source.episode:02d}"

    # The key is in no attribute of any entity, and posters load without it.
    for state in hass.states.async_all():
        assert jf.api_key not in json.dumps(dict(state.attributes), cls=JSONEncoder)
    posters = [item["poster"] for item in items if item["poster"]]
    assert posters
    assert all(p.startswith(f"{jf.url}/Items/") for p in posters)
    resp = await async_get_clientsession(hass).get(posters[0])
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "image/png"


# -- library scan ---------------------------------------------------------------------


async def test_scan_via_button(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Pressing the button scans at once; polling speeds up; a new item appears after."""
    coordinator = entry.runtime_data.coordinator
    assert isinstance(coordinator, JellyfinCoordinator)
    movies_before = int(_state(hass, MOVIES))
    new_id = jf.add_item("Pandora Test Movie", year=2026, wait_for_scan=True)
    assert _state(hass, MOVIES) == str(movies_before)

    await hass.services.async_call("button", "press", {"entity_id": BUTTON}, blocking=True)
    assert jf.count("/Library/Refresh", method="POST") == 1
    assert _state(hass, SCAN) == STATE_ON
    assert _state(hass, PROGRESS) == "0.0"
    assert coordinator.update_interval == timedelta(seconds=5)

    jf.advance(15)  # half of the simulator's 30 s scan
    await _tick(hass, freezer, 5)
    assert _state(hass, PROGRESS) == "50.0"
    assert _state(hass, SCAN) == STATE_ON

    jf.advance(15)
    await _tick(hass, freezer, 5)
    assert _state(hass, SCAN) == STATE_OFF
    assert _state(hass, PROGRESS) == "0.0"
    assert _state(hass, MOVIES) == str(movies_before + 1)
    newest = _attrs(hass, LATEST)["data"][1]
    assert newest["id"] == new_id
    assert newest["title"] == "Pandora Test Movie"
    assert newest["year"] == 2026
    assert coordinator.update_interval == timedelta(seconds=30)


async def test_scan_via_action(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The action scans the only Jellyfin entry (or the one named) and shows it running."""
    await hass.services.async_call(DOMAIN, "refresh_library", {}, blocking=True)
    assert _state(hass, SCAN) == STATE_ON
    jf.advance(30)
    await _tick(hass, freezer, 5)
    assert _state(hass, SCAN) == STATE_OFF
    assert _attrs(hass, SCAN)["last_result"] == "Completed"

    await hass.services.async_call(
        DOMAIN, "refresh_library", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert _state(hass, SCAN) == STATE_ON
    assert jf.count("/Library/Refresh", method="POST") == 2


async def test_polls_do_not_count_the_library(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Polls read sessions and the scan; counts and latest items only when they may have changed.

    Jellyfin's real-time monitor adds items without a scan (and tells an API
    key nothing): such an item shows once the counts are ``library_max_age``
    old.
    """
    movies_before = int(_state(hass, MOVIES))
    counts, latest, sessions = jf.count("/Items/Counts"), jf.count("/Items"), jf.count("/Sessions")
    jf.add_item("Blade Runner", year=1982)
    for _ in range(10):
        await _tick(hass, freezer, 30)
    assert jf.count("/Sessions") == sessions + 10  # it polled ...
    assert (jf.count("/Items/Counts"), jf.count("/Items")) == (counts, latest)  # ... no counts
    assert _state(hass, MOVIES) == str(movies_before)
    for _ in range(20):  # 15 min after the last read of the library
        await _tick(hass, freezer, 30)
    assert jf.count("/Items/Counts") == counts + 1
    assert _state(hass, MOVIES) == str(movies_before + 1)
    assert _attrs(hass, LATEST)["data"][1]["title"] == "Blade Runner"


async def test_scan_end_reads_the_library_again(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An item that waits for the scan shows on the poll that sees the scan ended."""
    movies_before = int(_state(hass, MOVIES))
    counts = jf.count("/Items/Counts")
    jf.add_item("Blade Runner", year=1982, wait_for_scan=True)
    jf.start_scan()
    await _tick(hass, freezer, 30)  # the poll sees the scan running
    assert _state(hass, SCAN) == STATE_ON
    assert jf.count("/Items/Counts") == counts
    jf.advance(jf.scan_seconds)
    await _tick(hass, freezer, 5)
    assert _state(hass, SCAN) == STATE_OFF
    assert jf.count("/Items/Counts") == counts + 1
    assert _state(hass, MOVIES) == str(movies_before + 1)


# -- outages and credentials ----------------------------------------------------------


async def test_outage_and_recovery(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A server that goes away makes entities unavailable; they come back by themselves."""
    await jf.stop()
    await _tick(hass, freezer, 30)
    for entity_id in (MOVIES, SCAN, BUTTON, LATEST, VERSION):
        assert _state(hass, entity_id) == STATE_UNAVAILABLE

    jf.version = "10.11.0"  # upgraded while away
    await jf.start()
    await _tick(hass, freezer, 30)
    assert _state(hass, MOVIES) == str(jf.counts()["MovieCount"])
    assert _state(hass, SCAN) == STATE_OFF
    assert _state(hass, VERSION) == "10.11.0"
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert device.sw_version == "10.11.0"


async def test_broken_answer_is_an_outage(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One endpoint answering garbage makes the entities unavailable until it heals."""
    jf.set_fault("malformed", path="/Sessions")
    await _tick(hass, freezer, 30)
    assert _state(hass, MOVIES) == STATE_UNAVAILABLE
    jf.clear_fault()
    await _tick(hass, freezer, 30)
    assert _state(hass, MOVIES) != STATE_UNAVAILABLE


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A key revoked on the server makes the next poll open a reauth flow."""
    jf.rotate_credentials(api_key="0" * 32)
    await _tick(hass, freezer, 30)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == "reauth"
    assert flows[0]["context"]["entry_id"] == entry.entry_id
    assert _state(hass, MOVIES) == STATE_UNAVAILABLE
    assert state_of(entry) is ConfigEntryState.LOADED  # reauth asks; nothing is torn down


async def test_token_without_admin_rights_is_a_repair_not_a_reauth(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A non-admin token: the scan part unavailable, the rest polled, a repair issue."""
    issue_id = f"permission_denied_{entry.entry_id}"
    jf.deny()
    await _tick(hass, freezer, 30)
    assert _state(hass, SCAN) == STATE_UNAVAILABLE
    assert _state(hass, PROGRESS) == STATE_UNAVAILABLE
    assert _state(hass, MOVIES) == str(jf.counts()["MovieCount"])
    assert _state(hass, SESSIONS) != STATE_UNAVAILABLE
    assert state_of(entry) is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "permission_denied"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["right"] == "administrator rights in Jellyfin"
    assert jf.api_key not in json.dumps(issue.translation_placeholders)

    # a command that needs the right: a translated error naming it, still no reauth
    with pytest.raises(
        HomeAssistantError,
        match="Jellyfin does not allow that: it needs administrator rights in Jellyfin",
    ) as err:
        await hass.services.async_call(DOMAIN, "refresh_library", {}, blocking=True)
    assert err.value.translation_key == "permission_denied"
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []

    jf.allow()
    await _tick(hass, freezer, 30)
    assert _state(hass, SCAN) == STATE_OFF
    assert _state(hass, PROGRESS) == "0.0"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_permission_issue_goes_with_the_entry(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Unloading the entry deletes its "a right is missing" issue."""
    jf.deny()
    await _tick(hass, freezer, 30)
    assert issue_registry.async_get_issue(DOMAIN, f"permission_denied_{entry.entry_id}")
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, f"permission_denied_{entry.entry_id}") is None
