"""Watchmode in Home Assistant against the simulator: get_streaming_sources, cache, errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.coordinator import PandoraConfigEntry
from custom_components.pandora_box.upstreams import cache as media_cache
from custom_components.pandora_box.upstreams.cache import CONF_CACHE_TTL, MAX_RETRIES
from custom_components.pandora_box.upstreams.watchmode.actions import (
    CONF_MY_SERVICES,
    async_streaming_sources,
)
from simulators import WatchmodeSimulator

from ...helpers import form_input, mock_entry, setup_integration, state_of

SOURCES = "/title/"


def watchmode_entry(sim: WatchmodeSimulator, **overrides: Any) -> MockConfigEntry:
    """A Watchmode entry pointing at ``sim``."""
    return mock_entry(
        sim,
        title="Watchmode",
        entry_id="01JFWATCHMODE000000000TEST",
        unique_id="watchmode-test",
        **overrides,
    )


@pytest.fixture
async def entry(hass: HomeAssistant, watchmode_sim: WatchmodeSimulator) -> MockConfigEntry:
    """A loaded Watchmode entry (region US)."""
    config_entry = watchmode_entry(watchmode_sim)
    await setup_integration(hass, config_entry)
    assert state_of(config_entry) is ConfigEntryState.LOADED
    return config_entry


async def _sources(hass: HomeAssistant, **data: Any) -> Any:
    """Call get_streaming_sources and return its response."""
    return await hass.services.async_call(
        DOMAIN, "get_streaming_sources", data, blocking=True, return_response=True
    )


@pytest.mark.parametrize(
    "data",
    [
        {"tmdb_id": 603, "media_type": "movie"},
        {"imdb_id": "tt0133093"},
        {"tmdb_id": 603, "media_type": "movie", "regions": ["us", "DE", "GB"]},
        {"tmdb_id": 1396, "media_type": "tv"},
    ],
    ids=["tmdb_id", "imdb_id", "regions", "show"],
)
async def test_streaming_sources(
    hass: HomeAssistant, entry: MockConfigEntry, snapshot: SnapshotAssertion, data: dict[str, Any]
) -> None:
    """Sources: one row per service, type and region, with our type names (snapshot)."""
    response = await _sources(hass, **data)
    assert response == snapshot
    assert response["sources"]
    for source in response["sources"]:
        assert source["type"] in ("subscription", "free", "rent", "buy", "tve")
        assert set(source) == {"name", "type", "format", "price", "web_url", "region"}


async def test_region_of_the_entry_and_deduplication(
    hass: HomeAssistant, entry: MockConfigEntry, watchmode_sim: WatchmodeSimulator
) -> None:
    """Without regions the entry's is asked; formats collapse to the best, at its own price."""
    response = await _sources(hass, tmdb_id=603, media_type="movie")
    assert watchmode_sim.requests[-1].query["regions"] == "US"
    assert {s["region"] for s in response["sources"]} == {"US"}
    netflix = [s for s in response["sources"] if s["name"] == "Netflix"]
    assert netflix == [
        {
            "name": "Netflix",
            "type": "subscription",
            "format": "4K",
            "price": None,
            "web_url": "https://www.netflix.com/title/1116050",
            "region": "US",
        }
    ]
    buy = next(s for s in response["sources"] if s["type"] == "buy")
    assert (buy["format"], buy["price"]) == ("4K", 14.99)


async def test_entry_region_setting(hass: HomeAssistant, watchmode_sim: WatchmodeSimulator) -> None:
    """An entry set to DE asks for DE sources."""
    config_entry = watchmode_entry(watchmode_sim, region="DE")
    await setup_integration(hass, config_entry)
    response = await _sources(hass, imdb_id="tt0133093")
    assert watchmode_sim.requests[-1].query["regions"] == "DE"
    assert {s["region"] for s in response["sources"]} == {"DE"}


async def test_unknown_title_streams_nowhere(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A title Watchmode does not know: no sources, no error."""
    assert await _sources(hass, tmdb_id=999999, media_type="movie") == {"sources": []}


async def test_cache_hit_and_expiry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    watchmode_sim: WatchmodeSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Asking again within the hour costs no request (nor quota); after it, one more."""
    first = await _sources(hass, tmdb_id=603, media_type="movie")
    used = watchmode_sim.quota_used
    assert await _sources(hass, tmdb_id=603, media_type="movie") == first
    assert watchmode_sim.count(SOURCES) == 1
    assert watchmode_sim.quota_used == used
    # Another region set is another question.
    await _sources(hass, tmdb_id=603, media_type="movie", regions=["DE"])
    assert watchmode_sim.count(SOURCES) == 2
    freezer.tick(timedelta(minutes=60))
    await _sources(hass, tmdb_id=603, media_type="movie")
    assert watchmode_sim.count(SOURCES) == 3


async def test_options_ttl_and_services(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    watchmode_sim: WatchmodeSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The options flow stores the lifetime and the user's services; the TTL applies at once."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "watchmode"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CACHE_TTL: 600, CONF_MY_SERVICES: ["Netflix", " ", "203"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_CACHE_TTL: 600, CONF_MY_SERVICES: ["Netflix", "203"]}
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.LOADED

    await _sources(hass, imdb_id="tt0133093")
    freezer.tick(timedelta(hours=9))
    await _sources(hass, imdb_id="tt0133093")
    assert watchmode_sim.count(SOURCES) == 1
    freezer.tick(timedelta(hours=1))
    await _sources(hass, imdb_id="tt0133093")
    assert watchmode_sim.count(SOURCES) == 2


async def test_quota_exhausted(
    hass: HomeAssistant, entry: MockConfigEntry, watchmode_sim: WatchmodeSimulator
) -> None:
    """A used-up quota is a clear translated error, and is not cached."""
    watchmode_sim.quota_used = watchmode_sim.quota
    with pytest.raises(HomeAssistantError, match="used up its plan's requests") as err:
        await _sources(hass, tmdb_id=603, media_type="movie")
    assert err.value.translation_key == "watchmode_quota"
    watchmode_sim.quota_used = 0
    response = await _sources(hass, tmdb_id=603, media_type="movie")
    assert response["sources"]


async def test_rate_limit_retried(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    watchmode_sim: WatchmodeSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 429 is retried after Watchmode's Retry-After."""
    seen: list[float] = []

    async def wait_then_lift(seconds: float) -> None:
        seen.append(seconds)
        watchmode_sim.set_rate_limit(None)

    monkeypatch.setattr(media_cache, "async_wait", wait_then_lift)
    watchmode_sim.set_rate_limit(4)
    response = await _sources(hass, imdb_id="tt0133093")
    assert response["sources"]
    assert seen == [4]
    assert watchmode_sim.count(SOURCES) == 2


async def test_rate_limit_that_lasts(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    watchmode_sim: WatchmodeSimulator,
    waits: list[float],
) -> None:
    """Still limited after the retries: translated, bounded number of requests."""
    watchmode_sim.set_rate_limit(1)
    with pytest.raises(HomeAssistantError, match="try again in 1 seconds") as err:
        await _sources(hass, imdb_id="tt0133093")
    assert err.value.translation_key == "rate_limited"
    assert waits == [1] * MAX_RETRIES
    assert watchmode_sim.count(SOURCES) == MAX_RETRIES + 1


async def test_upstream_down(
    hass: HomeAssistant, entry: MockConfigEntry, watchmode_sim: WatchmodeSimulator
) -> None:
    """Watchmode unreachable: a translated error."""
    watchmode_sim.set_fault("down")
    with pytest.raises(HomeAssistantError) as err:
        await _sources(hass, imdb_id="tt0133093")
    assert err.value.translation_key == "cannot_connect"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "watchmode_which_title"),
        ({"tmdb_id": 603}, "watchmode_which_title"),
        ({"tmdb_id": 603, "media_type": "movie", "imdb_id": "tt0133093"}, "watchmode_which_title"),
        ({"imdb_id": "0133093"}, "watchmode_invalid_imdb_id"),
        ({"imdb_id": "tt0133093/../x"}, "watchmode_invalid_imdb_id"),
        ({"tmdb_id": 0, "media_type": "movie"}, "tmdb_invalid_id"),
        ({"imdb_id": "tt0133093", "regions": ["USA"]}, "watchmode_invalid_regions"),
        ({"imdb_id": "tt0133093", "regions": "US,D1"}, "watchmode_invalid_regions"),
    ],
)
async def test_bad_input_before_any_request(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    watchmode_sim: WatchmodeSimulator,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input is a translated validation error and reaches no upstream."""
    before = len(watchmode_sim.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _sources(hass, **data)
    assert err.value.translation_key == key
    assert len(watchmode_sim.requests) == before


async def test_exposed_helper(
    hass: HomeAssistant, entry: PandoraConfigEntry, watchmode_sim: WatchmodeSimulator
) -> None:
    """``async_streaming_sources`` answers the same rows through the same cache."""
    rows = await async_streaming_sources(hass, entry, tmdb_id=603, media_type="movie")
    assert any(row["name"] == "Netflix" for row in rows)
    response = await _sources(hass, tmdb_id=603, media_type="movie")
    assert response["sources"] == rows
    assert watchmode_sim.count(SOURCES) == 1


async def test_plan_without_sources_names_it_and_starts_no_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, watchmode_sim: WatchmodeSimulator
) -> None:
    """Watchmode's 403 (the plan lacks the route) is a translated error naming the plan."""
    watchmode_sim.deny()
    with pytest.raises(
        HomeAssistantError,
        match="Watchmode does not allow that: it needs a Watchmode plan that includes the "
        "streaming sources",
    ) as err:
        await _sources(hass, tmdb_id=603, media_type="movie")
    assert err.value.translation_key == "permission_denied"
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert state_of(entry) is ConfigEntryState.LOADED
    watchmode_sim.allow()
    assert (await _sources(hass, tmdb_id=603, media_type="movie"))["sources"]


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, watchmode_sim: WatchmodeSimulator
) -> None:
    """A 401 is authentication: the action fails and the reauth flow opens."""
    watchmode_sim.rotate_credentials(api_key="0" * 40)
    with pytest.raises(HomeAssistantError, match="refused the stored credentials"):
        await _sources(hass, tmdb_id=603, media_type="movie")
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


# -- upstream facts: free-plan deep links, the shapes of /status/ -------------------------


@pytest.mark.parametrize("paid_plan", [False, True])
async def test_no_sentence_is_shown_as_a_link(
    hass: HomeAssistant, watchmode_sim: WatchmodeSimulator, paid_plan: bool
) -> None:
    """A free plan's "Deeplinks available…" text never reaches an answer; every link is one."""
    watchmode_sim.paid_plan = paid_plan
    config_entry = watchmode_entry(watchmode_sim)
    await setup_integration(hass, config_entry)
    response = await _sources(hass, tmdb_id=603, media_type="movie", regions=["US", "DE"])
    assert response["sources"]
    assert "Deeplinks" not in repr(response)
    for source in response["sources"]:
        assert source["web_url"].startswith("https://"), source


@pytest.mark.parametrize("status_fields", ["quota", "account", "none"])
async def test_setup_with_either_status_shape(
    hass: HomeAssistant, watchmode_sim: WatchmodeSimulator, status_fields: Any
) -> None:
    """The config flow and setup take either shape of ``/status/``, and neither."""
    watchmode_sim.status_fields = status_fields
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "watchmode"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(watchmode_sim)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert any(r.path.endswith("/status/") for r in watchmode_sim.requests)
    await hass.async_block_till_done()
    assert state_of(result["result"]) is ConfigEntryState.LOADED
    response = await _sources(hass, tmdb_id=603, media_type="movie")
    assert response["sources"]
