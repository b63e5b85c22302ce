"""Jellyfin clients as media players and remotes, through Home Assistant's services.

Every command goes over real loopback HTTP to the simulator's
``SessionController`` routes (simulators/jellyfin_control.py), which carry it
out as the client would; the entities then read the sessions back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.media_player import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    ATTR_MEDIA_ENQUEUE,
    ATTR_MEDIA_SEEK_POSITION,
    ATTR_MEDIA_VOLUME_LEVEL,
    ATTR_MEDIA_VOLUME_MUTED,
    MediaPlayerEntityFeature,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.json import JSONEncoder
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.media.browse import media_id
from custom_components.pandora_box.upstreams.jellyfin.players import client_identifier
from simulators import JellyfinSimulator
from simulators.jellyfin import SimSession

from ...helpers import mock_entry, settle, setup_integration

ENTRY_ID = "01JFJELLYFINPLAYERS0000001"
PLAYER = "media_player.jellyfin_firefox"
PHONE = "media_player.jellyfin_pixel_8"
REMOTE = "remote.jellyfin_firefox_remote"
ALICE = "TW96aWxsYS81LjAgKFgxMTsgTGludXggeDg2XzY0KQ11"


@pytest.fixture
async def jf(freezer: FrozenDateTimeFactory) -> AsyncIterator[JellyfinSimulator]:
    """A Jellyfin simulator created at a fixed time: alice's Firefox plays The Matrix."""
    freezer.move_to("2026-11-01T12:00:00+00:00")
    sim = JellyfinSimulator()
    # read by polls (the fallback): a proxy that does not pass WebSocket upgrades
    sim.set_fault("status", status=502, path="/socket")
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def entry(hass: HomeAssistant, jf: JellyfinSimulator) -> MockConfigEntry:
    """A loaded Jellyfin entry."""
    config_entry = mock_entry(jf, title="Jellyfin", entry_id=ENTRY_ID, unique_id=jf.server_id)
    await setup_integration(hass, config_entry)
    return config_entry


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float = 31) -> None:
    """Let Home Assistant's clock run on (the next poll) and wait for what became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await settle(hass)


def _attrs(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return dict(state.attributes)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _call(hass: HomeAssistant, service: str, entity_id: str = PLAYER, /, **data: Any) -> None:
    domain = "remote" if entity_id.startswith("remote.") else "media_player"
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )
    await settle(hass)


# -- what a player shows ------------------------------------------------------------------


async def test_player_shows_what_the_client_plays(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Title, duration, position, features, device and artwork through the image proxy."""
    matrix = jf.find("The Matrix")
    attrs = _attrs(hass, PLAYER)
    assert _state(hass, PLAYER) == "playing"
    assert attrs["media_title"] == "The Matrix"
    assert attrs["media_content_type"] == "movie"
    assert attrs["media_content_id"] == media_id(ENTRY_ID, matrix.id)
    assert attrs["media_duration"] == int(matrix.runtime_s or 0)
    assert attrs["media_position"] == 1200
    assert attrs["media_position_updated_at"] == jf.now()
    assert attrs["app_name"] == "Jellyfin Web"
    assert attrs["volume_level"] == 1.0
    features = MediaPlayerEntityFeature(attrs["supported_features"])
    for feature in (
        MediaPlayerEntityFeature.PAUSE,
        MediaPlayerEntityFeature.SEEK,
        MediaPlayerEntityFeature.NEXT_TRACK,
        MediaPlayerEntityFeature.VOLUME_SET,
        MediaPlayerEntityFeature.VOLUME_MUTE,
        MediaPlayerEntityFeature.PLAY_MEDIA,
        MediaPlayerEntityFeature.MEDIA_ENQUEUE,
        MediaPlayerEntityFeature.BROWSE_MEDIA,
        MediaPlayerEntityFeature.SEARCH_MEDIA,
    ):
        assert feature in features, feature
    # bob's phone is connected but idle; carol's Kodi is outside the activity window
    assert _state(hass, PHONE) == "idle"
    assert hass.states.get("media_player.jellyfin_living_room") is None
    assert _state(hass, REMOTE) == "on"

    # one device per client, below the server's service device
    service = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    device = device_registry.async_get_device_by_identifier(
        client_identifier(ENTRY_ID, ALICE), ENTRY_ID
    )
    assert service is not None
    assert device is not None
    assert device.via_device_id == service.id
    assert (device.name, device.model, device.manufacturer) == (
        "Jellyfin Firefox",
        "Jellyfin Web",
        "Jellyfin",
    )
    for entity_id in (PLAYER, REMOTE):
        registered = entity_registry.async_get(entity_id)
        assert registered is not None
        assert registered.device_id == device.id

    # artwork: a Home Assistant URL, read from Jellyfin by the integration
    picture = attrs["entity_picture"]
    assert picture.startswith(f"/api/media_player_proxy/{PLAYER}?token=")
    shown = json.dumps(attrs, cls=JSONEncoder)
    assert jf.url not in shown
    assert jf.api_key not in shown
    client = await hass_client()
    resp = await client.get(picture)
    assert resp.status == 200
    assert (await resp.read()).startswith(b"\x89PNG")


async def test_episode_and_song_details(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An episode shows its series, season and number; a song its album and track."""
    episode = next(i for i in jf.items if i.type == "Episode" and i.season and i.episode)
    jf.play("alice", episode.id, position_s=60)
    await _tick(hass, freezer)
    attrs = _attrs(hass, PLAYER)
    assert attrs["media_content_type"] == "tvshow"
    assert attrs["media_series_title"] == episode.series_name
    assert attrs["media_season"] == str(episode.season)
    assert attrs["media_episode"] == str(episode.episode)
    assert attrs["entity_picture"].startswith("/api/media_player_proxy/")

    song = next(i for i in jf.items if i.type == "Audio")
    jf.play("alice", song.id)
    await _tick(hass, freezer)
    attrs = _attrs(hass, PLAYER)
    assert attrs["media_content_type"] == "music"
    assert attrs["media_album_name"] == song.album
    assert attrs["media_track"] == song.episode
    assert "media_series_title" not in attrs


# -- playback control ---------------------------------------------------------------------


async def test_playback_commands(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Pause, play, seek, volume, mute and stop reach the client; the state follows."""
    await _call(hass, "media_pause")
    assert jf.session("alice").paused
    assert _state(hass, PLAYER) == "paused"  # read again right after the command

    await _call(hass, "media_play")
    assert not jf.session("alice").paused
    await _tick(hass, freezer, 11)  # a second refresh waits for the cooldown
    assert _state(hass, PLAYER) == "playing"

    await _call(hass, "media_seek", **{ATTR_MEDIA_SEEK_POSITION: 3000})
    assert jf.session("alice").position_s == 3000
    assert jf.messages[-1] == {
        "session": jf.session("alice").id,
        "kind": "Playstate",
        "command": "Seek",
        "seek_ticks": 3000 * 10_000_000,
    }

    await _call(hass, "volume_set", **{ATTR_MEDIA_VOLUME_LEVEL: 0.4})
    assert jf.session("alice").volume == 40
    await _call(hass, "volume_mute", **{ATTR_MEDIA_VOLUME_MUTED: True})
    assert jf.session("alice").muted

    await _call(hass, "media_stop")
    assert jf.session("alice").item_id is None


async def test_commands_refresh_the_state(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a command the sessions are read again: volume and mute show without a poll."""
    await _call(hass, "volume_set", **{ATTR_MEDIA_VOLUME_LEVEL: 0.3})
    assert _attrs(hass, PLAYER)["volume_level"] == 0.3
    await _tick(hass, freezer, 11)  # past the refresh cooldown
    await _call(hass, "volume_mute", **{ATTR_MEDIA_VOLUME_MUTED: True})
    await _tick(hass, freezer, 11)
    assert _attrs(hass, PLAYER)["is_volume_muted"] is True


# -- the library on a player ----------------------------------------------------------------


async def test_browse_and_play_from_the_browser(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The player browses the library; an item picked there plays, queues next or last."""
    ws = await hass_ws_client(hass)
    await ws.send_json({"id": 1, "type": "media_player/browse_media", "entity_id": PLAYER})
    root = (await ws.receive_json())["result"]
    movies = next(c for c in root["children"] if c["title"] == "Movies")
    await ws.send_json(
        {
            "id": 2,
            "type": "media_player/browse_media",
            "entity_id": PLAYER,
            "media_content_id": movies["media_content_id"],
            "media_content_type": movies["media_content_type"],
        }
    )
    films = (await ws.receive_json())["result"]["children"]
    inception = next(c for c in films if c["title"].startswith("Inception"))
    interstellar = next(c for c in films if c["title"].startswith("Interstellar"))
    assert inception["can_play"] is True

    await _call(
        hass,
        "play_media",
        **{
            ATTR_MEDIA_CONTENT_ID: inception["media_content_id"],
            ATTR_MEDIA_CONTENT_TYPE: inception["media_content_type"],
        },
    )
    alice = jf.session("alice")
    assert alice.item_id == jf.find("Inception").id
    assert _attrs(hass, PLAYER)["media_title"] == "Inception"

    await _call(
        hass,
        "play_media",
        **{
            ATTR_MEDIA_CONTENT_ID: interstellar["media_content_id"],
            ATTR_MEDIA_CONTENT_TYPE: "movie",
            ATTR_MEDIA_ENQUEUE: "add",
        },
    )
    assert alice.item_id == jf.find("Inception").id  # still playing; queued last
    assert alice.queue == [jf.find("Inception").id, jf.find("Interstellar").id]
    assert jf.messages[-1]["command"] == "PlayLast"

    await _tick(hass, freezer, 11)
    await _call(hass, "media_next_track")
    assert alice.item_id == jf.find("Interstellar").id
    await _tick(hass, freezer, 11)
    assert _attrs(hass, PLAYER)["media_title"] == "Interstellar"


async def test_search_media(
    hass: HomeAssistant, jf: JellyfinSimulator, entry: MockConfigEntry
) -> None:
    """``media_player.search_media`` finds library items, playable on that player."""
    result = await hass.services.async_call(
        "media_player",
        "search_media",
        {ATTR_ENTITY_ID: PLAYER, "search_query": "Inter"},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    found = result[PLAYER].result  # type: ignore[union-attr]
    titles = [item.title for item in found]
    assert any(t.startswith("Interstellar") for t in titles)
    assert all(item.can_play for item in found)


async def test_video_only_client_cannot_play_music(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A client that plays only video refuses a song with a translated error."""
    jf.session("bob").playable_media_types = ("Video",)
    await _tick(hass, freezer)
    song = next(i for i in jf.items if i.type == "Audio")
    with pytest.raises(ServiceValidationError, match="cannot play"):
        await _call(
            hass,
            "play_media",
            PHONE,
            **{
                ATTR_MEDIA_CONTENT_ID: media_id(ENTRY_ID, song.id),
                ATTR_MEDIA_CONTENT_TYPE: "music",
            },
        )
    assert jf.session("bob").item_id is None


async def test_play_media_refuses_what_is_not_in_the_library(
    hass: HomeAssistant, jf: JellyfinSimulator, entry: MockConfigEntry
) -> None:
    """A URL or another source's id is a translated error; nothing is sent."""
    before = len(jf.messages)
    with pytest.raises(ServiceValidationError, match="is not an item of the Jellyfin library"):
        await _call(
            hass,
            "play_media",
            **{
                ATTR_MEDIA_CONTENT_ID: "http://example.com/film.mp4",
                ATTR_MEDIA_CONTENT_TYPE: "video",
            },
        )
    with pytest.raises(ServiceValidationError, match="The library has no item"):
        await _call(
            hass,
            "play_media",
            **{ATTR_MEDIA_CONTENT_ID: "0" * 32, ATTR_MEDIA_CONTENT_TYPE: "movie"},
        )
    assert len(jf.messages) == before


# -- sessions that come and go ----------------------------------------------------------------


async def test_clients_come_and_go(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A new client gets its player without a reload; a client gone loses its device."""
    tv = SimSession(
        id="c" * 32,
        user_name="dave",
        client="Jellyfin Android TV",
        device_name="Shield",
        device_id="shield-tv",
        last_activity=jf.elapsed(),
        supported_commands=("MoveUp", "Select", "Back"),
    )
    jf.sessions.append(tv)
    await _tick(hass, freezer)
    assert _state(hass, "media_player.jellyfin_shield") == "idle"
    features = MediaPlayerEntityFeature(
        _attrs(hass, "media_player.jellyfin_shield")["supported_features"]
    )
    assert MediaPlayerEntityFeature.VOLUME_SET not in features
    assert _state(hass, "remote.jellyfin_shield_remote") == "on"

    # a reconnect gives a new session id: same device, same entities
    tv.id = "d" * 32
    await _tick(hass, freezer)
    assert _state(hass, "media_player.jellyfin_shield") == "idle"

    jf.sessions.remove(tv)
    await _tick(hass, freezer)
    assert hass.states.get("media_player.jellyfin_shield") is None
    assert entity_registry.async_get("media_player.jellyfin_shield") is None
    assert (
        device_registry.async_get_device_by_identifier(
            client_identifier(ENTRY_ID, "shield-tv"), ENTRY_ID
        )
        is None
    )
    assert _state(hass, PLAYER) == "playing"  # the others stay

    jf.sessions.append(tv)  # back again
    await _tick(hass, freezer)
    assert _state(hass, "media_player.jellyfin_shield") == "idle"


async def test_uncontrollable_sessions_have_no_player(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A client without a control channel, and our own API-key session, get no player."""
    jf.session("bob").supports_media_control = False
    await _call(hass, "media_pause")  # logs our own session on the server
    assert any(s.client == "Pandora Box" for s in jf.sessions)
    await _tick(hass, freezer)
    assert hass.states.get(PHONE) is None
    assert not [s for s in hass.states.async_entity_ids("media_player") if "home_assistant" in s]


async def test_outage_and_recovery(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A server away: players unavailable (Home Assistant sends them nothing), then back."""
    await jf.stop()
    await _tick(hass, freezer)
    assert _state(hass, PLAYER) == STATE_UNAVAILABLE
    await _call(hass, "media_pause")
    assert jf.messages == []
    await jf.start()
    await _tick(hass, freezer)
    assert _state(hass, PLAYER) == "playing"


# -- remote -----------------------------------------------------------------------------------


async def test_remote_navigation(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Navigation commands arrive in order, repeated; unknown or unsupported ones are refused."""
    await _call(
        hass, "send_command", REMOTE, command=["MoveDown", "select"], num_repeats=2, delay_secs=0
    )
    sent = [m["command"] for m in jf.messages if m["kind"] == "GeneralCommand"]
    assert sent == ["MoveDown", "Select", "MoveDown", "Select"]

    before = len(jf.messages)
    with pytest.raises(ServiceValidationError, match="has no remote command Jump"):
        await _call(hass, "send_command", REMOTE, command=["Back", "Jump"])
    jf.session("alice").supported_commands = ("MoveUp",)
    await _tick(hass, freezer)
    with pytest.raises(ServiceValidationError, match="does not carry out the remote command Back"):
        await _call(hass, "send_command", REMOTE, command="Back")
    assert len(jf.messages) == before


async def test_more_playback_commands(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Volume steps, play/pause toggling and the previous item go to the client as such."""
    await _call(hass, "volume_set", **{ATTR_MEDIA_VOLUME_LEVEL: 0.5})
    await _call(hass, "volume_up")
    assert jf.session("alice").volume == 52
    await _call(hass, "volume_down")
    await _call(hass, "volume_down")
    assert jf.session("alice").volume == 48
    await _call(hass, "media_play_pause")
    assert jf.session("alice").paused
    await _call(hass, "media_previous_track")
    assert [m["command"] for m in jf.messages[-2:]] == ["PlayPause", "PreviousTrack"]
    assert jf.session("alice").item_id == jf.find("The Matrix").id
    await _tick(hass, freezer, 11)
    await _call(hass, "volume_mute", **{ATTR_MEDIA_VOLUME_MUTED: False})
    assert not jf.session("alice").muted


async def test_user_deletes_a_disconnected_client(
    hass: HomeAssistant,
    jf: JellyfinSimulator,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A connected client's device cannot be deleted; the service device never."""
    assert await async_setup_component(hass, "config", {})
    ws = await hass_ws_client(hass)
    service = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    firefox = device_registry.async_get_device_by_identifier(
        client_identifier(ENTRY_ID, ALICE), ENTRY_ID
    )
    assert service is not None
    assert firefox is not None
    old = device_registry.async_get_or_create(
        config_entry_id=ENTRY_ID, identifiers={client_identifier(ENTRY_ID, "old-tv")}
    )
    for number, device_id in enumerate((service.id, firefox.id, old.id), start=1):
        await ws.send_json(
            {
                "id": number,
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": ENTRY_ID,
                "device_id": device_id,
            }
        )
        answer = await ws.receive_json()
        assert answer["success"] is (device_id == old.id), (device_id, answer)
    assert device_registry.async_get(old.id) is None
    assert device_registry.async_get(firefox.id) is not None
