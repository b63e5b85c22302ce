"""``search_torrents`` and the Jackett options flow against the Jackett simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.api.jackett import TorrentResult
from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.jackett.actions import public_link
from custom_components.pandora_box.upstreams.jackett.ranking import GIB, Preferences
from simulators.jackett import JackettSimulator

from ...helpers import mock_entry, setup_integration

SEARCH_PATH = "/api/v2.0/indexers/"


@pytest.fixture
async def entry(hass: HomeAssistant, jackett_sim: JackettSimulator) -> MockConfigEntry:
    """A loaded Jackett entry on the simulator (indexers 1337x, yts, eztv)."""
    config_entry = mock_entry(jackett_sim)
    await setup_integration(hass, config_entry)
    return config_entry


async def search(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call ``search_torrents`` and return its response."""
    response = await hass.services.async_call(
        DOMAIN, "search_torrents", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def searches(sim: JackettSimulator) -> int:
    """Searches the simulator received (the indexer list at setup is Torznab)."""
    return sum(1 for r in sim.requests if r.path.endswith("/results"))


async def test_search_ranks_best_first_with_parsed_fields(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator
) -> None:
    """Results carry the contract's fields, are sorted by score, the default 1080p first."""
    response = await search(hass, query="The Matrix", category="movies")
    results = response["results"]
    assert results, response
    assert response["failed_indexers"] == []
    assert set(results[0]) >= {
        "title",
        "indexer",
        "size",
        "seeders",
        "leechers",
        "magnet_url",
        "link",
        "info_hash",
        "category",
        "published",
        "resolution",
        "source",
        "codec",
        "score",
    }
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert results[0]["resolution"] == "1080p"
    assert all(2000 <= r["category"] < 3000 for r in results)
    assert all(r["magnet_url"].startswith("magnet:") for r in results)
    hashes = [r["info_hash"] for r in results]
    assert len(hashes) == len(set(hashes))
    assert all(len(h) == 40 and h == h.lower() for h in hashes)
    # 2160p remuxes over the 30 GB default would be "too_large"; cams never appear here
    assert response["found"] >= len(results)


async def test_category_tv_and_indexer(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator
) -> None:
    """Category picks the Newznab family; one indexer searches only that one."""
    response = await search(hass, query="Breaking Bad", category="tv", indexer="eztv")
    assert response["results"]
    assert {r["indexer"] for r in response["results"]} == {"EZTV"}
    assert all(5000 <= r["category"] < 6000 for r in response["results"])
    assert jackett_sim.requests[-1].path == f"{SEARCH_PATH}eztv/results"
    assert jackett_sim.requests[-1].query["Category[]"] == "5000"
    movies = await search(hass, query="Breaking Bad", category="movies")
    assert movies["results"] == []


async def test_min_seeders_and_limit(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """``min_seeders`` filters (and is counted), ``limit`` cuts the list."""
    everything = await search(hass, query="Inception", category="movies", limit=100)
    seeders = sorted(r["seeders"] for r in everything["results"])
    threshold = seeders[len(seeders) // 2]
    filtered = await search(
        hass, query="Inception", category="movies", min_seeders=threshold, limit=100
    )
    assert filtered["results"]
    assert all(r["seeders"] >= threshold for r in filtered["results"])
    assert len(filtered["results"]) < len(everything["results"])
    assert filtered["rejected"]["too_few_seeders"] >= 1
    limited = await search(hass, query="Inception", category="movies", limit=2)
    assert limited["results"] == everything["results"][:2]


async def test_preferences_from_options_change_the_order(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The entry's options apply to the next search without a reload."""
    default = await search(hass, query="Interstellar", category="movies")
    assert default["results"][0]["resolution"] == "1080p"
    hass.config_entries.async_update_entry(
        entry,
        options=Preferences(
            preferred_resolutions=("720p",),
            allowed_resolutions=frozenset({"720p"}),
        ).to_options(),
    )
    changed = await search(hass, query="Interstellar", category="movies")
    assert changed["results"]
    assert {r["resolution"] for r in changed["results"]} == {"720p"}
    assert changed["rejected"]["resolution_not_allowed"] >= 1


async def test_api_key_never_in_the_response(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator
) -> None:
    """Jackett's links carry the key: none reaches the response."""
    response = await search(hass, query="Oppenheimer", limit=100)
    assert response["results"]
    assert jackett_sim.api_key not in repr(response)
    assert all(r["link"] is None for r in response["results"])  # every result has a magnet


def test_public_link_strips_keys() -> None:
    """Without a magnet, the link stays but loses every key parameter."""
    result = TorrentResult(
        title="x",
        indexer="i",
        indexer_id="i",
        size=None,
        seeders=None,
        leechers=None,
        magnet_url=None,
        link="http://jackett:9117/dl/i/?jackett_apikey=SECRET&path=abc&file=x&ApiKey=S2",
        info_hash=None,
        categories=(),
        published=None,
        imdb_id=None,
        tmdb_id=None,
        details_url=None,
        guid=None,
    )
    link = public_link(result)
    assert link == "http://jackett:9117/dl/i/?path=abc&file=x"


async def test_failing_indexer_does_not_fail_the_search(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator
) -> None:
    """A failing indexer is listed (first line of its error); the others answer."""
    jackett_sim.set_failing("1337x")
    response = await search(hass, query="The Matrix", category="movies")
    assert response["results"]
    assert {r["indexer"] for r in response["results"]} == {"YTS"}
    (failed,) = response["failed_indexers"]
    assert failed["id"] == "1337x"
    assert failed["name"] == "1337x"
    assert "Cloudflare" in failed["error"]
    assert "\n" not in failed["error"]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"query": "   "}, "Give a search text"),
        ({"query": "x" * 201}, "Give a search text"),
        ({"query": "Matrix", "indexer": "../admin"}, "is not an indexer id"),
        ({"query": "Matrix", "indexer": "two words"}, "is not an indexer id"),
        ({"query": "Matrix", "min_seeders": -1}, "minimum number of seeders"),
        ({"query": "Matrix", "limit": 0}, "limit must be between 1 and 100"),
        ({"query": "Matrix", "limit": 101}, "limit must be between 1 and 100"),
    ],
)
async def test_bad_input_sends_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jackett_sim: JackettSimulator,
    data: dict[str, Any],
    match: str,
) -> None:
    """Bad input is a translated ServiceValidationError before any request."""
    before = searches(jackett_sim)
    with pytest.raises(ServiceValidationError, match=match):
        await search(hass, **data)
    assert searches(jackett_sim) == before


async def test_unknown_indexer_is_translated(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """An indexer id Jackett does not have gets its own message."""
    with pytest.raises(HomeAssistantError, match='has no configured indexer "nosuch"'):
        await search(hass, query="Matrix", indexer="nosuch")


async def test_upstream_errors_are_translated(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator
) -> None:
    """Server error, malformed body, down: translated; a revoked key starts reauth."""
    jackett_sim.set_fault("status", status=500)
    with pytest.raises(HomeAssistantError, match="jackett test") as err:
        await search(hass, query="Matrix")
    assert err.value.translation_key == "cannot_connect"  # the client's reading of a 5xx
    jackett_sim.set_fault("malformed")
    with pytest.raises(HomeAssistantError) as err:
        await search(hass, query="Matrix")
    assert err.value.translation_key == "upstream_error"
    jackett_sim.clear_fault()
    jackett_sim.rotate_credentials(api_key="another-key-another-key-another12")
    with pytest.raises(HomeAssistantError) as err:
        await search(hass, query="Matrix")
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    await jackett_sim.stop()
    with pytest.raises(HomeAssistantError) as err:
        await search(hass, query="Matrix")
    assert err.value.translation_key == "cannot_connect"


async def test_options_flow_stores_preferences(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The Jackett options form: errors, then stored as ``Preferences`` reads them."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jackett"
    user_input = {
        "preferred_resolutions": ["2160p", "1080p"],
        "allowed_resolutions": [],
        "min_seeders": 3,
        "max_size_movies_gb": 0,
        "max_size_tv_gb": 4.5,
        "preferred_sources": ["web-dl", "bluray"],
        "preferred_codecs": ["x265"],
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"allowed_resolutions": "no_resolution_allowed"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**user_input, "allowed_resolutions": ["1080p"]}
    )
    assert result["errors"] == {"preferred_resolutions": "preferred_not_allowed"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**user_input, "allowed_resolutions": ["1080p", "2160p"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    prefs = Preferences.from_options(entry.options)
    assert prefs == Preferences(
        preferred_resolutions=("2160p", "1080p"),
        allowed_resolutions=frozenset({"1080p", "2160p"}),
        min_seeders=3,
        max_size_movies=None,
        max_size_tv=int(4.5 * GIB),
        preferred_sources=("web-dl", "bluray"),
        preferred_codecs=("x265",),
    )
    # the form shows what is stored
    again = await hass.config_entries.options.async_init(entry.entry_id)
    schema = again["data_schema"]
    assert schema is not None
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested["preferred_resolutions"] == ["2160p", "1080p"]
    assert suggested["min_seeders"] == 3


@pytest.mark.parametrize(
    "value", [float("inf"), float("nan"), 2.5, True, "many", [1], 10**30 + 0.5]
)
async def test_non_numbers_are_refused_by_the_schema(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator, value: Any
) -> None:
    """Limits and seeders that are no whole numbers: vol.Invalid, nothing sent."""
    before = searches(jackett_sim)
    for field in ("limit", "min_seeders"):
        with pytest.raises((vol.Invalid, ServiceValidationError)):
            await search(hass, query="Matrix", **{field: value})
    assert searches(jackett_sim) == before


async def test_disabled_indexer_names_it_and_starts_no_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator
) -> None:
    """An indexer that is not configured in Jackett: a translated error naming it."""
    jackett_sim.remove_indexer("eztv")
    with pytest.raises(
        HomeAssistantError,
        match="jackett test does not allow that: it needs the indexer eztv enabled in Jackett",
    ) as err:
        await search(hass, query="office", indexer="eztv")
    assert err.value.translation_key == "permission_denied"
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    # an indexer Jackett does not know is still "unknown indexer"
    with pytest.raises(HomeAssistantError) as unknown:
        await search(hass, query="office", indexer="nosuchindexer")
    assert unknown.value.translation_key == "jackett_unknown_indexer"
    jackett_sim.configure_indexer("eztv")
    assert (await search(hass, query="office", indexer="eztv"))["results"]


async def test_unknown_publish_date_is_said_unknown(
    hass: HomeAssistant, entry: MockConfigEntry, jackett_sim: JackettSimulator
) -> None:
    """A release without a date (or dated in the future) answers published None, "date unknown"."""
    before = await search(hass, query="The Matrix", category="movies")
    first, second = before["results"][0], before["results"][1]
    assert first["published"] is not None
    assert "date unknown" not in first["reasons"]
    jackett_sim.set_publish_date(first["info_hash"], None)
    jackett_sim.set_publish_date(second["info_hash"], datetime.now(UTC) + timedelta(days=2))
    after = await search(hass, query="The Matrix", category="movies")
    by_hash = {r["info_hash"]: r for r in after["results"]}
    for info_hash in (first["info_hash"], second["info_hash"]):
        assert by_hash[info_hash]["published"] is None
        assert by_hash[info_hash]["reasons"][-1] == "date unknown"
    # the order is the ranking's, not the dates': nothing moved for being "new"
    assert [r["info_hash"] for r in after["results"]] == [r["info_hash"] for r in before["results"]]
    others = [r for h, r in by_hash.items() if h not in (first["info_hash"], second["info_hash"])]
    assert all(r["published"] is not None for r in others)
