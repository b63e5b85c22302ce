"""The Jellyfin library in the media browser, against the simulator over loopback HTTP.

Browse (libraries → films; shows → seasons → episodes; music → artists →
albums → tracks), paging, thumbnails through Home Assistant's view, playing
through Jellyfin's stream URLs with ``ApiKey`` (also on a Jellyfin 12 that
refuses legacy auth), search through ``media_source/search_media``, errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import mimetypes
from typing import Any

from homeassistant.components import media_source
from homeassistant.components.media_player import BrowseError, MediaClass, SearchMediaQuery
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from yarl import URL

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.media.browse import media_id, parse_media_id
from custom_components.pandora_box.upstreams.jellyfin import library
from simulators import JellyfinSimulator
from simulators.jellyfin import guid

from ...helpers import mock_entry, setup_integration

ENTRY_ID = "01JFJELLYFINMEDIA000000001"
MKV = mimetypes.guess_type("film.mkv")[0]
"""What Python calls a Matroska file (``video/matroska`` on 3.14)."""


@pytest.fixture
async def jf() -> AsyncIterator[JellyfinSimulator]:
    """A Jellyfin 12 simulator: legacy authorization (``api_key``) is refused."""
    sim = JellyfinSimulator(version="12.0.0")
    assert sim.legacy_authorization is False
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def entry(hass: HomeAssistant, jf: JellyfinSimulator) -> MockConfigEntry:
    """A loaded Jellyfin entry, with the media source set up."""
    assert await async_setup_component(hass, "media_source", {})
    config_entry = mock_entry(jf, title="Jellyfin", entry_id=ENTRY_ID, unique_id=jf.server_id)
    await setup_integration(hass, config_entry)
    return config_entry


async def browse(hass: HomeAssistant, rest: str = "") -> Any:
    """Browse the node ``rest`` of the entry (its root when empty)."""
    return await media_source.async_browse_media(hass, media_id(ENTRY_ID, rest))


def titles(node: Any) -> list[str]:
    """Titles of a node's children."""
    return [child.title for child in node.children]


def child(node: Any, title: str) -> Any:
    """The child of ``node`` titled ``title``."""
    return next(c for c in node.children if c.title == title)


def rest_of(node: Any) -> str:
    """The entry-relative part of a node's media-source id."""
    parsed = parse_media_id(node.media_content_id)
    assert parsed is not None
    assert parsed[0] == ENTRY_ID
    return parsed[1]


async def test_tree_movies_shows_music(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Libraries (books left out), films, series → seasons → episodes, artists → tracks."""
    source_root = await media_source.async_browse_media(hass, f"media-source://{DOMAIN}")
    assert titles(source_root) == ["Jellyfin"]
    root = await browse(hass)
    assert titles(root) == ["Movies", "Shows", "Music"]  # Books cannot play

    movies = await browse(hass, rest_of(child(root, "Movies")))
    assert movies.children_media_class == MediaClass.MOVIE
    inception = child(movies, "Inception (2010)")
    assert inception.can_play
    assert not inception.can_expand
    assert inception.media_content_type == MKV
    assert inception.thumbnail == (
        f"/api/{DOMAIN}/jellyfin/{ENTRY_ID}/image/{rest_of(inception)}/"
        + guid("image:/media/movies/Inception (2010)/Inception (2010).mkv")
    )
    assert all(c.media_class == MediaClass.MOVIE for c in movies.children)

    shows = await browse(hass, rest_of(child(root, "Shows")))
    series = shows.children[0]
    assert series.media_class == MediaClass.TV_SHOW
    assert series.can_expand
    seasons = await browse(hass, rest_of(series))
    assert titles(seasons) == ["Season 1"]
    assert seasons.children[0].thumbnail == series.thumbnail  # the series' poster
    episodes = await browse(hass, rest_of(seasons.children[0]))
    assert titles(episodes) == ["1. Episode 1", "2. Episode 2", "3. Episode 3"]
    assert all(e.can_play and e.media_class == MediaClass.EPISODE for e in episodes.children)

    music = await browse(hass, rest_of(child(root, "Music")))
    assert titles(music) == ["Hans Zimmer"]
    albums = await browse(hass, rest_of(music.children[0]))
    assert titles(albums) == ["Inception (Music from the Motion Picture)"]
    tracks = await browse(hass, rest_of(albums.children[0]))
    assert titles(tracks)[:2] == ["01. Half Remembered Dream", "02. We Built Our Own World"]
    assert tracks.children[0].media_content_type == "audio/flac"
    assert tracks.children[0].thumbnail == albums.children[0].thumbnail


async def test_folders_are_read_a_page_at_a_time(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jf: JellyfinSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A big library is paged (StartIndex/Limit); beyond MAX_CHILDREN it is counted."""
    before = sum(1 for i in jf.items if i.type == "Movie")
    for number in range(1100):
        jf.add_item(f"Home movie {number:04d}", "Movie", year=2000)
    movies_id = guid("folder:Movies")
    jf.requests.clear()
    movies = await browse(hass, movies_id)
    assert len(movies.children) == before + 1100
    assert movies.not_shown == 0
    pages = [r.query for r in jf.requests if r.path == "/Items" and "StartIndex" in r.query]
    assert [p["StartIndex"] for p in pages] == ["0", "500", "1000"]
    assert {p["ParentId"] for p in pages} == {movies_id}

    monkeypatch.setattr(library, "MAX_CHILDREN", 30)
    capped = await browse(hass, movies_id)
    assert len(capped.children) == 30
    assert capped.not_shown == before + 1100 - 30


async def test_playing_uses_apikey_on_jellyfin_12(
    hass: HomeAssistant, entry: MockConfigEntry, jf: JellyfinSimulator
) -> None:
    """Films and tracks resolve to Jellyfin's stream URLs with ApiKey, which 12 accepts."""
    session = async_get_clientsession(hass)
    movie = jf.find("Inception")
    played = await media_source.async_resolve_media(hass, media_id(ENTRY_ID, movie.id), None)
    url = URL(played.url)
    assert played.mime_type == MKV
    assert url.path == f"/Videos/{movie.id}/stream"
    assert url.query["static"] == "true"
    assert url.query["ApiKey"] == jf.api_key
    assert "api_key" not in url.query
    async with session.get(played.url, headers={"Range": "bytes=100-199"}) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Range"] == f"bytes 100-199/{len(jf.stream_content(movie.id))}"
        assert await resp.read() == jf.stream_content(movie.id)[100:200]

    track = jf.find("Time")
    played = await media_source.async_resolve_media(hass, media_id(ENTRY_ID, track.id), None)
    assert played.mime_type == "audio/flac"
    async with session.get(played.url) as resp:
        assert resp.status == 200
        assert resp.content_type == "audio/flac"
        assert await resp.read() == jf.stream_content(track.id)
    # the legacy name is refused by Jellyfin 12 (AuthorizationContext: legacy off)
    legacy = URL(played.url).without_query_params("ApiKey").update_query(api_key=jf.api_key)
    async with session.get(legacy) as resp:
        assert resp.status == 401


async def test_search(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Search through the media source (websocket), filtered by class when asked."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "media_source/search_media",
            "media_content_id": media_id(ENTRY_ID),
            "search_query": "incep",
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    found = {(r["title"], r["media_class"]) for r in answer["result"]["result"]}
    assert ("Inception (2010)", "movie") in found
    assert ("Inception (Music from the Motion Picture)", "album") in found

    only_movies = await media_source.async_search_media(
        hass,
        media_id(ENTRY_ID),
        SearchMediaQuery(search_query="incep", media_filter_classes=[MediaClass.MOVIE]),
    )
    assert [r.title for r in only_movies.result] == ["Inception (2010)"]


async def test_thumbnails_through_home_assistant(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The thumbnail view needs Home Assistant's auth and answers the image; bad ids 404."""
    movies = await browse(hass, guid("folder:Movies"))
    thumbnail = movies.children[0].thumbnail
    assert thumbnail is not None
    authed = await hass_client()
    resp = await authed.get(thumbnail)
    assert resp.status == 200
    assert resp.content_type == "image/png"
    assert (await resp.read()).startswith(b"\x89PNG")
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(thumbnail)).status == 401
    bad = thumbnail.replace(f"/image/{rest_of(movies.children[0])}/", "/image/not-an-item-id/")
    assert (await authed.get(bad)).status == 404
    other = thumbnail.replace(ENTRY_ID, "01JFNOSUCHENTRY00000000000")
    assert (await authed.get(other)).status == 404


async def test_errors_are_translated(
    hass: HomeAssistant, entry: MockConfigEntry, jf: JellyfinSimulator
) -> None:
    """Unknown entry or item, an unplayable node, an outage, a revoked key."""
    with pytest.raises(BrowseError, match="No Pandora Box entry has the id nope"):
        await media_source.async_browse_media(hass, media_id("nope"))
    with pytest.raises(BrowseError, match=r"The library has no item 0{32}"):
        await browse(hass, "0" * 32)
    series = next(i for i in jf.items if i.type == "Series")
    with pytest.raises(media_source.Unresolvable, match="cannot be played"):
        await media_source.async_resolve_media(hass, media_id(ENTRY_ID, series.id), None)
    jf.set_fault("down")
    with pytest.raises(BrowseError) as outage:
        await browse(hass, guid("folder:Movies"))
    assert outage.value.translation_key == "cannot_connect"
    assert str(outage.value).startswith("Cannot reach Jellyfin")
    jf.clear_fault()
    jf.rotate_credentials(api_key="f" * 32)
    with pytest.raises(BrowseError, match="rejected the credentials"):
        await browse(hass)
    await hass.async_block_till_done()
    assert any(
        flow["context"]["source"] == SOURCE_REAUTH
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    )
