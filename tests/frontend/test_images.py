"""The poster view: TMDB and Jellyfin images through Home Assistant, and nothing else.

Real loopback HTTP all the way: Home Assistant's test client asks the view,
the view's client asks the simulator.  The refusals are checked on what
reached the simulators: a foreign URL sends nothing upstream.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pandora_box.frontend.images import IMAGE_URL
from simulators import JellyfinSimulator, QBittorrentSimulator, TMDBSimulator

from ..helpers import mock_entry, setup_integration

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _entity(hass: HomeAssistant, entry: MockConfigEntry, translation_key: str) -> str:
    """The entity id of ``entry``'s entity with ``translation_key``."""
    found = [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.translation_key == translation_key
    ]
    assert len(found) == 1, found
    return found[0]


def _poster(hass: HomeAssistant, entity_id: str) -> str:
    """The first poster URL of ``entity_id``'s ``data`` attribute (element 0 is the defaults)."""
    state = hass.states.get(entity_id)
    assert state is not None
    posters = [item["poster"] for item in state.attributes["data"][1:] if item.get("poster")]
    assert posters, state.attributes
    poster: str = posters[0]
    return poster


async def _set_up(
    hass: HomeAssistant, sim: Any, translation_key: str
) -> tuple[MockConfigEntry, str, str]:
    """Set up an entry of ``sim``: the entry, its entity of ``translation_key``, a poster URL."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    entity_id = _entity(hass, entry, translation_key)
    return entry, entity_id, _poster(hass, entity_id)


def _view(entity_id: str) -> str:
    return IMAGE_URL.format(entity_id=entity_id)


def _upstream_paths(sim: Any, prefix: str) -> list[str]:
    return [r.path for r in sim.requests if r.path.startswith(prefix)]


@pytest.fixture
async def http(hass: HomeAssistant) -> None:
    """Home Assistant's HTTP server (the view needs it), set up before the integration."""
    assert await async_setup_component(hass, "http", {})


async def test_tmdb_poster_comes_through_home_assistant(
    hass: HomeAssistant, http: None, hass_client: ClientSessionGenerator, tmdb_sim: TMDBSimulator
) -> None:
    """A trending poster loads through the view, from the image host TMDB's configuration names."""
    _, entity_id, poster = await _set_up(hass, tmdb_sim, "trending_movies")
    assert poster.startswith("https://image.tmdb.org/t/p/w500/")  # the public URL stays TMDB's
    client = await hass_client()

    resp = await client.get(_view(entity_id), params={"url": poster})

    assert resp.status == 200, await resp.text()
    assert resp.content_type == "image/png"
    assert (await resp.read()).startswith(PNG_MAGIC)
    assert "private" in resp.headers["Cache-Control"]
    file = poster.removeprefix("https://image.tmdb.org/t/p/w500")
    assert _upstream_paths(tmdb_sim, "/t/p/") == [f"/t/p/w500{file}"]
    # the key goes to the API (configuration), never to the image host
    images = [r for r in tmdb_sim.requests if r.path.startswith("/t/p/")]
    assert all("api_key" not in r.query for r in images)
    # the configuration is read once per client
    assert await (await client.get(_view(entity_id), params={"url": poster})).read()
    assert len([r for r in tmdb_sim.requests if r.path.endswith("/configuration")]) == 1


async def test_jellyfin_image_comes_through_home_assistant(
    hass: HomeAssistant,
    http: None,
    hass_client: ClientSessionGenerator,
    jellyfin_sim: JellyfinSimulator,
) -> None:
    """A latest addition's primary image loads through the view, scaled down."""
    _, entity_id, poster = await _set_up(hass, jellyfin_sim, "latest_items")
    client = await hass_client()

    resp = await client.get(_view(entity_id), params={"url": poster})

    assert resp.status == 200, await resp.text()
    assert (await resp.read()).startswith(PNG_MAGIC)
    images = [r for r in jellyfin_sim.requests if "/Images/Primary" in r.path]
    assert images[-1].query["maxWidth"] == "400"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://127.0.0.1:1/anything.png", 403),
        ("https://example.com/t/p/w500/abc.jpg", 403),
        # Home Assistant's security filter refuses a traversal before any view
        ("https://image.tmdb.org/t/p/w500/../../3/authentication", 400),
        ("https://image.tmdb.org/t/p/w500/..%2F..%2F3%2Fauthentication", 400),
        ("https://image.tmdb.org/t/p/w500/abc.jpg/3/authentication", 403),
        ("https://image.tmdb.org/t/p/w9999/abc.jpg", 403),
        ("https://image.tmdb.org/t/p/w500/abc.svg", 403),
        ("https://image.tmdb.org/t/p/w500/abc.jpg?api_key=1", 403),
        ("https://image.tmdb.org.evil.example/t/p/w500/abc.jpg", 403),
        ("", 403),
    ],
)
async def test_tmdb_view_refuses_other_urls(
    hass: HomeAssistant,
    http: None,
    hass_client: ClientSessionGenerator,
    tmdb_sim: TMDBSimulator,
    url: str,
    status: int,
) -> None:
    """No open proxy: anything but a TMDB image URL is refused and reaches no upstream."""
    _, entity_id, _ = await _set_up(hass, tmdb_sim, "trending_movies")
    before = len(tmdb_sim.requests)
    client = await hass_client()

    resp = await client.get(_view(entity_id), params={"url": url})

    assert resp.status == status
    assert len(tmdb_sim.requests) == before


async def test_jellyfin_view_refuses_other_urls(
    hass: HomeAssistant,
    http: None,
    hass_client: ClientSessionGenerator,
    jellyfin_sim: JellyfinSimulator,
    tmdb_sim: TMDBSimulator,
) -> None:
    """Only this server's primary images: its other routes, other hosts and ports are refused."""
    _, entity_id, poster = await _set_up(hass, jellyfin_sim, "latest_items")
    item = poster.split("/Items/")[1].split("/")[0]
    base = jellyfin_sim.url
    client = await hass_client()
    before = len(jellyfin_sim.requests)

    for url, status in (
        (f"{base}/System/Info", 403),
        (f"{base}/Items/{item}/Images/Backdrop", 403),
        (f"{base}/Items/{item}/Images/Primary?api_key=x", 403),
        (f"{base}/Items/{item}/Images/Primary/../../../System/Info", 400),  # security filter
        (f"{base}/Items/System/Images/Primary", 403),
        (f"{tmdb_sim.url}/Items/{item}/Images/Primary", 403),
        (poster.replace("http://", "https://"), 403),
        ("https://image.tmdb.org/t/p/w500/abc.jpg", 403),
    ):
        resp = await client.get(_view(entity_id), params={"url": url})
        assert resp.status == status, url
    assert len(jellyfin_sim.requests) == before
    assert not tmdb_sim.requests


async def test_view_needs_authentication_or_a_signed_path(
    hass: HomeAssistant,
    http: None,
    hass_client_no_auth: ClientSessionGenerator,
    tmdb_sim: TMDBSimulator,
) -> None:
    """No token or signature: 401; a signed path (as the card asks for) loads; forged: 401."""
    _, entity_id, poster = await _set_up(hass, tmdb_sim, "trending_movies")
    client = await hass_client_no_auth()
    path = f"{_view(entity_id)}?{urlencode({'url': poster})}"

    assert (await client.get(path)).status == 401
    signed = async_sign_path(hass, path, timedelta(minutes=5))
    resp = await client.get(signed)
    assert resp.status == 200
    assert (await resp.read()).startswith(PNG_MAGIC)
    other = signed.replace("w500", "w342")  # the signature covers the query
    assert (await client.get(other)).status == 401


async def test_view_refuses_entities_without_images(
    hass: HomeAssistant,
    http: None,
    hass_client: ClientSessionGenerator,
    qbittorrent_sim: QBittorrentSimulator,
    tmdb_sim: TMDBSimulator,
) -> None:
    """Unknown entities and entries not loaded are 404; an upstream without images 403."""
    qbt = mock_entry(qbittorrent_sim)
    await setup_integration(hass, qbt)
    tmdb, trending, poster = await _set_up(hass, tmdb_sim, "trending_movies")
    client = await hass_client()

    speed = _entity(hass, qbt, "download_speed")
    assert (await client.get(_view(speed), params={"url": poster})).status == 403
    assert (await client.get(_view("sensor.nothing"), params={"url": poster})).status == 404
    await hass.config_entries.async_unload(tmdb.entry_id)
    assert (await client.get(_view(trending), params={"url": poster})).status == 404


async def test_view_answers_missing_and_failing_images(
    hass: HomeAssistant,
    http: None,
    hass_client: ClientSessionGenerator,
    tmdb_sim: TMDBSimulator,
) -> None:
    """An image the host does not have is 404; a host that fails is 502, and then recovers."""
    _, entity_id, poster = await _set_up(hass, tmdb_sim, "trending_movies")
    client = await hass_client()

    missing = "https://image.tmdb.org/t/p/w500/NoSuchPosterAtAll.jpg"
    assert (await client.get(_view(entity_id), params={"url": missing})).status == 404
    tmdb_sim.set_fault("status", status=503, path="/t/p/")
    assert (await client.get(_view(entity_id), params={"url": poster})).status == 502
    tmdb_sim.clear_fault()
    assert (await client.get(_view(entity_id), params={"url": poster})).status == 200
