"""TMDB in Home Assistant against the simulator: actions, cache, rate limits, sensors, options."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.coordinator import PandoraConfigEntry
from custom_components.pandora_box.upstreams import cache as media_cache
from custom_components.pandora_box.upstreams.cache import CONF_CACHE_TTL, MAX_RETRIES
from custom_components.pandora_box.upstreams.tmdb.actions import async_media_details, async_search
from simulators import TMDBSimulator

from ...helpers import mock_entry, only_platforms, setup_integration, state_of

ENTRY_ID = "01JFTMDB00000000000000TEST"
TRENDING_MOVIES = "sensor.tmdb_trending_films"
TRENDING_SHOWS = "sensor.tmdb_trending_shows"
UPCOMING = "sensor.tmdb_upcoming_films"


def tmdb_entry(sim: TMDBSimulator, **overrides: Any) -> MockConfigEntry:
    """A TMDB entry with a fixed id (unique ids contain it) pointing at ``sim``."""
    return mock_entry(sim, title="TMDB", entry_id=ENTRY_ID, unique_id="tmdb-test", **overrides)


@pytest.fixture
async def entry(hass: HomeAssistant, tmdb_sim: TMDBSimulator) -> MockConfigEntry:
    """A loaded TMDB entry (its first poll already read the dashboard lists)."""
    config_entry = tmdb_entry(tmdb_sim)
    await setup_integration(hass, config_entry)
    assert state_of(config_entry) is ConfigEntryState.LOADED
    return config_entry


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a TMDB action and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Move Home Assistant's clock on and run what became due."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


# -- actions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("search_media", {"query": "matrix"}),
        ("search_media", {"query": "the", "media_type": "tv"}),
        ("search_media", {"query": "the", "media_type": "movie", "year": 1999}),
        ("get_trending", {}),
        ("get_trending", {"media_type": "tv", "time_window": "week"}),
        ("get_popular", {"media_type": "movie"}),
        ("get_popular", {"media_type": "tv"}),
        ("get_upcoming", {}),
        ("get_on_the_air", {}),
        ("get_media_details", {"media_type": "movie", "tmdb_id": 603}),
        ("get_media_details", {"media_type": "tv", "tmdb_id": 1396}),
    ],
    ids=[
        "search_multi",
        "search_tv",
        "search_movie_year",
        "trending_default",
        "trending_tv_week",
        "popular_movie",
        "popular_tv",
        "upcoming",
        "on_the_air",
        "details_movie",
        "details_tv",
    ],
)
async def test_action_responses(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
    service: str,
    data: dict[str, Any],
) -> None:
    """Every action answers media items with full image URLs (snapshot)."""
    response = await _call(hass, service, **data)
    assert response == snapshot
    items = [response["item"]] if "item" in response else response["results"]
    assert items
    for item in items:
        assert item["poster_url"].startswith("https://image.tmdb.org/t/p/w500/")
        assert item["backdrop_url"].startswith("https://image.tmdb.org/t/p/w1280/")


async def test_search_drops_people_and_filters_year(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Multi search answers films and shows only; a year narrows it."""
    response = await _call(hass, "search_media", query="matrix", year=1999)
    assert [item["title"] for item in response["results"]] == ["The Matrix"]
    assert {item["media_type"] for item in response["results"]} <= {"movie", "tv"}


async def test_details_carry_imdb_runtime_status(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Details add the IMDb id (films and shows), runtime and status."""
    film = (await _call(hass, "get_media_details", media_type="movie", tmdb_id=603))["item"]
    assert (film["imdb_id"], film["runtime"], film["status"]) == ("tt0133093", 136, "Released")
    show = (await _call(hass, "get_media_details", media_type="tv", tmdb_id=1396))["item"]
    assert show["imdb_id"] == "tt0903747"
    assert show["link"] == "https://www.themoviedb.org/tv/1396"
    # TMDB sends episode_run_time [] for this show: the runtime is its last episode's
    assert show["runtime"] == 47
    running = (await _call(hass, "get_media_details", media_type="tv", tmdb_id=95396))["item"]
    assert running["runtime"] == 50


async def test_language_and_region_of_the_entry(
    hass: HomeAssistant, tmdb_sim: TMDBSimulator
) -> None:
    """Requests carry the entry's language and region; genre names come in its language."""
    config_entry = tmdb_entry(tmdb_sim, language="de-DE", region="DE")
    await setup_integration(hass, config_entry)
    response = await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert response["item"]["genres"] == ["Action", "Science Fiction"]
    popular = await _call(hass, "get_popular", media_type="movie")
    genres = {g for item in popular["results"] for g in item["genres"]}
    assert "Abenteuer" in genres
    assert "Adventure" not in genres
    assert tmdb_sim.requests
    for request in tmdb_sim.requests:
        assert request.query["language"] == "de-DE"
        assert request.query["region"] == "DE"


async def test_read_access_token(hass: HomeAssistant, tmdb_sim: TMDBSimulator) -> None:
    """A v4 read-access token works as well as a v3 key (sent as a Bearer header)."""
    config_entry = tmdb_entry(tmdb_sim, api_key=tmdb_sim.read_access_token)
    await setup_integration(hass, config_entry)
    response = await _call(hass, "search_media", query="matrix", media_type="movie")
    assert response["results"][0]["tmdb_id"] == 603
    assert all("api_key" not in request.query for request in tmdb_sim.requests)


# -- cache -------------------------------------------------------------------------------


async def test_cache_hit_makes_no_request(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator
) -> None:
    """The same question twice reaches TMDB once; another question reaches it again."""
    first = await _call(hass, "search_media", query="matrix")
    before = len(tmdb_sim.requests)
    second = await _call(hass, "search_media", query="  Matrix ")
    assert second == first
    assert len(tmdb_sim.requests) == before
    await _call(hass, "search_media", query="matrix", page=2)
    assert tmdb_sim.count("/search/multi") == 2


async def test_dashboard_poll_fills_the_cache(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator
) -> None:
    """The sensors' lists are the actions' lists: asking for them costs no request."""
    before = len(tmdb_sim.requests)
    await _call(hass, "get_trending", media_type="movie", time_window="day")
    await _call(hass, "get_upcoming")
    assert len(tmdb_sim.requests) == before


async def test_cache_expires_after_ttl(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    tmdb_sim: TMDBSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An answer is kept for an hour by default, then TMDB is asked again."""
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    freezer.tick(timedelta(minutes=59))
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert tmdb_sim.count("/movie/603") == 1
    freezer.tick(timedelta(minutes=1))
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert tmdb_sim.count("/movie/603") == 2


async def test_ttl_option(
    hass: HomeAssistant,
    tmdb_sim: TMDBSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The options flow sets the lifetime; it applies without a reload; 0 turns it off."""
    config_entry = tmdb_entry(tmdb_sim)
    await setup_integration(hass, config_entry)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "tmdb"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CACHE_TTL: 5}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options[CONF_CACHE_TTL] == 5
    await hass.async_block_till_done()

    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    freezer.tick(timedelta(minutes=4))
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert tmdb_sim.count("/movie/603") == 1
    freezer.tick(timedelta(minutes=1))
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert tmdb_sim.count("/movie/603") == 2

    hass.config_entries.async_update_entry(config_entry, options={CONF_CACHE_TTL: 0})
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert tmdb_sim.count("/movie/603") == 4


async def test_errors_are_not_cached(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator
) -> None:
    """A failed request is asked again next time."""
    tmdb_sim.set_fault("status", status=500)
    with pytest.raises(HomeAssistantError, match="answered HTTP 500"):
        await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    tmdb_sim.clear_fault()
    response = await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert response["item"]["title"] == "The Matrix"
    assert tmdb_sim.count("/movie/603") == 2


async def test_reload_starts_an_empty_cache(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator
) -> None:
    """A reload (a new key, language or region) forgets the answers."""
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert tmdb_sim.count("/movie/603") == 2


# -- rate limits and errors --------------------------------------------------------------


async def test_rate_limit_retried_after_retry_after(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    tmdb_sim: TMDBSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 429 is retried after the seconds TMDB asked for, then answers."""
    seen: list[float] = []

    async def wait_then_lift(seconds: float) -> None:
        seen.append(seconds)
        tmdb_sim.set_rate_limit(None)

    monkeypatch.setattr(media_cache, "async_wait", wait_then_lift)
    tmdb_sim.set_rate_limit(3)
    response = await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert response["item"]["tmdb_id"] == 603
    assert seen == [3]
    assert tmdb_sim.count("/movie/603") == 2


async def test_rate_limit_that_lasts_is_translated(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator, waits: list[float]
) -> None:
    """Still limited after the retries: a translated error naming the wait."""
    tmdb_sim.set_rate_limit(2)
    with pytest.raises(HomeAssistantError, match="too many requests; try again in 2 seconds"):
        await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    assert waits == [2] * MAX_RETRIES
    assert tmdb_sim.count("/movie/603") == MAX_RETRIES + 1


async def test_rate_limit_beyond_the_bound_is_not_waited_for(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator, waits: list[float]
) -> None:
    """A Retry-After longer than the bound fails at once."""
    tmdb_sim.set_rate_limit(120)
    with pytest.raises(HomeAssistantError, match="try again in 120 seconds"):
        await _call(hass, "search_media", query="matrix")
    assert waits == []
    assert tmdb_sim.count("/search") == 1


async def test_unknown_title(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator
) -> None:
    """A TMDB id TMDB does not have is a translated not-found error."""
    with pytest.raises(HomeAssistantError, match="TMDB has no film 999999") as err:
        await _call(hass, "get_media_details", media_type="movie", tmdb_id=999999)
    assert err.value.translation_key == "tmdb_not_found"


async def test_upstream_errors_translated(
    hass: HomeAssistant, entry: MockConfigEntry, tmdb_sim: TMDBSimulator
) -> None:
    """Unreachable TMDB and a revoked key give translated errors; the key starts reauth."""
    tmdb_sim.set_fault("down")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "get_upcoming", page=2)
    assert err.value.translation_key == "cannot_connect"
    tmdb_sim.clear_fault()
    tmdb_sim.rotate_credentials(api_key="0" * 32)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "get_on_the_air", page=2)
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert any(flow["context"]["source"] == "reauth" for flow in flows)


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("search_media", {"query": "   "}, "tmdb_invalid_query"),
        ("search_media", {"query": "x" * 201}, "tmdb_invalid_query"),
        ("search_media", {"query": "matrix", "year": 1500}, "tmdb_invalid_year"),
        ("search_media", {"query": "matrix", "page": 0}, "tmdb_invalid_page"),
        ("get_trending", {"page": 501}, "tmdb_invalid_page"),
        ("get_media_details", {"media_type": "movie", "tmdb_id": 0}, "tmdb_invalid_id"),
        ("get_media_details", {"media_type": "movie", "tmdb_id": -3}, "tmdb_invalid_id"),
    ],
)
async def test_bad_input_before_any_request(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    tmdb_sim: TMDBSimulator,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input is a translated validation error and reaches no upstream."""
    before = len(tmdb_sim.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, **data)
    assert err.value.translation_key == key
    assert len(tmdb_sim.requests) == before


async def test_no_entry(hass: HomeAssistant, tmdb_sim: TMDBSimulator) -> None:
    """Without a TMDB entry the action says so."""
    other = tmdb_entry(tmdb_sim)
    await setup_integration(hass, other)
    await hass.config_entries.async_unload(other.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "get_upcoming")
    assert err.value.translation_key == "no_entry_of_kind"


# -- helpers for other modules -----------------------------------------------------------


async def test_exposed_helpers_share_the_cache(
    hass: HomeAssistant, entry: PandoraConfigEntry, tmdb_sim: TMDBSimulator
) -> None:
    """``async_media_details``/``async_search`` answer dicts and go through the cache."""
    details = await async_media_details(hass, entry, "movie", 603)
    assert details["imdb_id"] == "tt0133093"
    found = await async_search(hass, entry, "matrix", media_type="movie", year=1999)
    assert found["results"][0]["tmdb_id"] == 603
    before = len(tmdb_sim.requests)
    await _call(hass, "get_media_details", media_type="movie", tmdb_id=603)
    await _call(hass, "search_media", query="matrix", media_type="movie", year=1999)
    assert len(tmdb_sim.requests) == before


# -- sensors -----------------------------------------------------------------------------


async def test_sensors(
    hass: HomeAssistant,
    tmdb_sim: TMDBSimulator,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Three dashboard sensors: state is the count, ``data`` the upcoming-media-card list."""
    config_entry = tmdb_entry(tmdb_sim)
    with only_platforms(Platform.SENSOR):
        await setup_integration(hass, config_entry)
    await snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)
    for entity_id in (TRENDING_MOVIES, TRENDING_SHOWS, UPCOMING):
        state = hass.states.get(entity_id)
        assert state is not None
        data = state.attributes["data"]
        assert data[0]["title_default"] == "$title"
        assert int(state.state) == len(data) - 1 > 0
        for item in data[1:]:
            assert item["poster"].startswith("https://image.tmdb.org/t/p/w500/")
            assert item["fanart"].startswith("https://image.tmdb.org/t/p/w1280/")
            assert item["deep_link"].startswith("https://www.themoviedb.org/")
            assert item["airdate"]


async def test_sensor_card_data_not_recorded(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The large card list is excluded from the recorder."""
    component = hass.data["entity_components"][Platform.SENSOR]
    entity = component.get_entity(UPCOMING)
    assert entity is not None
    assert "data" in entity._unrecorded_attributes


async def test_sensors_refresh_hourly_and_recover(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    tmdb_sim: TMDBSimulator,
) -> None:
    """Sensors poll hourly; TMDB down makes them unavailable, back by themselves."""
    polls = tmdb_sim.count("/trending/movie/day")
    assert polls == 1
    await _tick(hass, freezer, timedelta(minutes=30))
    assert tmdb_sim.count("/trending/movie/day") == 1
    await _tick(hass, freezer, timedelta(minutes=31))
    assert tmdb_sim.count("/trending/movie/day") == 2

    tmdb_sim.set_fault("down")
    await _tick(hass, freezer, timedelta(minutes=61))
    state = hass.states.get(UPCOMING)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    tmdb_sim.clear_fault()
    await _tick(hass, freezer, timedelta(minutes=61))
    state = hass.states.get(UPCOMING)
    assert state is not None
    assert state.state != STATE_UNAVAILABLE
