"""download_media against the simulators: the whole pipeline and every way it stops."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import DOMAIN
from simulators import (
    JackettSimulator,
    QBittorrentSimulator,
    TMDBSimulator,
    WatchmodeSimulator,
)

from ..helpers import mock_entry, setup_integration

ADD = "/api/v2/torrents/add"


async def download(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    result = await hass.services.async_call(
        DOMAIN, "download_media", data, blocking=True, return_response=True
    )
    assert result is not None
    return dict(result)


@pytest.fixture
async def tmdb(hass: HomeAssistant, tmdb_sim: TMDBSimulator) -> MockConfigEntry:
    entry = mock_entry(tmdb_sim)
    await setup_integration(hass, entry)
    return entry


@pytest.fixture
async def jackett(hass: HomeAssistant, jackett_sim: JackettSimulator) -> MockConfigEntry:
    entry = mock_entry(jackett_sim)
    await setup_integration(hass, entry)
    return entry


@pytest.fixture
async def qbittorrent(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> MockConfigEntry:
    entry = mock_entry(qbittorrent_sim)
    await setup_integration(hass, entry)
    return entry


async def add_watchmode(
    hass: HomeAssistant, sim: WatchmodeSimulator, services: list[str] | None
) -> MockConfigEntry:
    entry = mock_entry(sim)
    if services is not None:
        entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(entry, options={"my_services": services})
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    else:
        await setup_integration(hass, entry)
    return entry


def added_torrent(sim: QBittorrentSimulator, info_hash: str) -> dict[str, Any]:
    return dict(sim.torrents[info_hash])


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_film_by_title_is_added(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """TMDB → Jackett → ranking → qBittorrent, with a spoken answer."""
    result = await download(hass, query="the matrix")
    assert result["added"] is True
    assert result["reason"] == "added"
    assert (result["title"], result["year"], result["tmdb_id"]) == ("The Matrix", 1999, 603)
    assert result["imdb_id"] == "tt0133093"
    release = result["release"]
    assert release["resolution"] == "1080p"  # first of the default preferences
    assert "Reloaded" not in release["title"]
    assert release["seeders"] > 0
    assert "link" not in release  # Jackett's link carries its API key
    assert result["category"] == "movies"
    torrent = added_torrent(qbittorrent_sim, result["hash"])
    assert torrent["category"] == "movies"
    assert "pandora_box" in torrent["tags"]
    assert result["message"].startswith("Downloading The Matrix (1999): 1080p")
    assert "seeders on" in result["message"]


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_show_by_tmdb_id_goes_to_tv(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    result = await download(hass, tmdb_id=1396, media_type="tv", quality="720p")
    assert result["added"] is True
    assert result["title"] == "Breaking Bad"
    assert result["release"]["resolution"] == "720p"  # the call's quality comes first
    assert result["category"] == "tv"
    assert qbittorrent_sim.torrents[result["hash"]]["category"] == "tv"


@pytest.mark.usefixtures("tmdb", "jackett")
async def test_category_from_the_qbittorrent_options(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    entry = mock_entry(qbittorrent_sim)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={"movie_category": "films"})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await download(hass, query="Inception")
    assert result["category"] == "films"
    assert qbittorrent_sim.torrents[result["hash"]]["category"] == "films"
    result = await download(hass, query="Interstellar", category="scifi")
    assert qbittorrent_sim.torrents[result["hash"]]["category"] == "scifi"


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_stops_when_it_streams_on_my_service(
    hass: HomeAssistant,
    qbittorrent_sim: QBittorrentSimulator,
    watchmode_sim: WatchmodeSimulator,
) -> None:
    await add_watchmode(hass, watchmode_sim, ["netflix"])
    before = qbittorrent_sim.count(ADD)
    result = await download(hass, query="The Matrix")
    assert result["added"] is False
    assert result["reason"] == "already_streaming"
    assert result["streaming_on"] == ["Netflix"]
    assert result["message"] == (
        "The Matrix (1999) is already streaming on Netflix, so I did not download it."
    )
    assert result["release"] is None
    assert qbittorrent_sim.count(ADD) == before
    # rent and buy do not count: Inception is on Max only
    assert (await download(hass, query="Inception"))["added"] is True
    # forced
    forced = await download(hass, query="The Matrix", skip_if_streaming=False)
    assert forced["added"] is True
    assert qbittorrent_sim.count(ADD) == before + 2


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_watchmode_trouble_does_not_stop_the_download(
    hass: HomeAssistant, watchmode_sim: WatchmodeSimulator
) -> None:
    await add_watchmode(hass, watchmode_sim, ["203"])  # a Watchmode source id
    watchmode_sim.quota_used = watchmode_sim.quota
    result = await download(hass, query="The Matrix")
    assert result["added"] is True
    assert any("could not ask Watchmode" in note for note in result["notes"])


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_watchmode_without_my_services_is_not_asked(
    hass: HomeAssistant, watchmode_sim: WatchmodeSimulator
) -> None:
    await add_watchmode(hass, watchmode_sim, None)
    result = await download(hass, query="The Matrix")
    assert result["added"] is True
    assert watchmode_sim.count("/title") == 0
    assert "No streaming services are set" in result["notes"][0]


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_no_tmdb_match(hass: HomeAssistant, jackett_sim: JackettSimulator) -> None:
    searches = jackett_sim.count("/api/v2.0/indexers/all/results")
    result = await download(hass, query="Qwxyz Nothing Like It")
    assert result == {
        "added": False,
        "reason": "no_match",
        "message": "I could not find Qwxyz Nothing Like It on TMDB.",
        "title": None,
        "year": None,
        "tmdb_id": None,
        "media_type": None,
        "imdb_id": None,
        "release": None,
        "category": None,
        "hash": None,
        "streaming_on": [],
        "notes": [],
    }
    result = await download(hass, tmdb_id=99999999, media_type="movie")
    assert result["reason"] == "no_match"
    assert result["message"] == "I could not find the film with TMDB id 99999999 on TMDB."
    assert jackett_sim.count("/api/v2.0/indexers/all/results") == searches


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_no_release(hass: HomeAssistant) -> None:
    result = await download(hass, query="The Count of Monte Cristo")
    assert result["added"] is False
    assert result["reason"] == "no_release"
    assert result["message"] == "I found no release of The Count of Monte Cristo (2026)."


@pytest.mark.usefixtures("tmdb", "qbittorrent")
async def test_not_enough_seeders(
    hass: HomeAssistant,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
) -> None:
    entry = mock_entry(jackett_sim)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={"min_seeders": 100000})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    before = qbittorrent_sim.count(ADD)
    result = await download(hass, query="The Matrix")
    assert result["added"] is False
    assert result["reason"] == "too_few_seeders"
    assert result["message"].startswith("I found ")
    assert result["message"].endswith("of The Matrix (1999), but no result with enough seeders.")
    assert qbittorrent_sim.count(ADD) == before


@pytest.mark.usefixtures("tmdb", "jackett")
async def test_no_qbittorrent_says_what_it_would_have_chosen(hass: HomeAssistant) -> None:
    result = await download(hass, query="Dune: Part Two")
    assert result["added"] is False
    assert result["reason"] == "no_qbittorrent"
    assert result["release"]["title"].startswith(("Dune", "Dune.Part"))
    assert result["message"].startswith("The best release of Dune: Part Two (2024) is 1080p")
    assert result["message"].endswith("but no qBittorrent is set up to download it.")


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_already_downloading(hass: HomeAssistant) -> None:
    first = await download(hass, query="Oppenheimer")
    assert first["added"] is True
    second = await download(hass, query="Oppenheimer")
    assert second["added"] is False
    assert second["reason"] == "already_downloading"
    assert second["hash"] == first["hash"]
    assert second["message"].startswith("qbittorrent test already has Oppenheimer (2023)")


@pytest.mark.usefixtures("qbittorrent")
async def test_bad_input_and_missing_entries(
    hass: HomeAssistant, tmdb_sim: TMDBSimulator, jackett_sim: JackettSimulator
) -> None:
    with pytest.raises(ServiceValidationError, match="No loaded Pandora Box entry for tmdb"):
        await download(hass, query="The Matrix")
    tmdb = mock_entry(tmdb_sim)
    await setup_integration(hass, tmdb)
    with pytest.raises(ServiceValidationError, match="No loaded Pandora Box entry for jackett"):
        await download(hass, query="The Matrix")
    await setup_integration(hass, mock_entry(jackett_sim))
    for data, message in (
        ({}, r"Say what to download: a title \(query\), or a TMDB id"),
        ({"query": "   "}, r"Say what to download: a title \(query\), or a TMDB id"),
        ({"query": "The Matrix", "tmdb_id": 603, "media_type": "movie"}, "not both"),
        ({"tmdb_id": 603}, r"A TMDB id needs its media type \(movie or tv\)"),
    ):
        with pytest.raises(ServiceValidationError, match=message):
            await download(hass, **data)
    with pytest.raises(ServiceValidationError, match="No Pandora Box entry has the id nope"):
        await download(hass, query="The Matrix", config_entry_id="nope")
    second = mock_entry(tmdb_sim, unique_id="tmdb:second")
    await setup_integration(hass, second)
    with pytest.raises(ServiceValidationError, match="Several Pandora Box entries for tmdb"):
        await download(hass, query="The Matrix")
    assert tmdb_sim.count("/search") == 0  # nothing reached TMDB
    result = await download(hass, query="The Matrix", config_entry_id=[second.entry_id])
    assert result["added"] is True


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_upstream_faults_are_translated(
    hass: HomeAssistant, jackett_sim: JackettSimulator, tmdb_sim: TMDBSimulator
) -> None:
    jackett_sim.set_fault("status", status=500)
    with pytest.raises(HomeAssistantError, match="jackett test"):
        await download(hass, query="The Matrix")
    jackett_sim.clear_fault()
    tmdb_sim.set_fault("down")
    # "The Matrix" is cached by now (as it should be); a new title needs TMDB
    with pytest.raises(HomeAssistantError, match="tmdb test"):
        await download(hass, query="Inception")


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_second_download_of_a_title_asks_tmdb_and_watchmode_nothing_new(
    hass: HomeAssistant, tmdb_sim: TMDBSimulator, watchmode_sim: WatchmodeSimulator
) -> None:
    """download_media goes through the per-entry caches (Watchmode's quota is small)."""
    await add_watchmode(hass, watchmode_sim, ["a service it is not on"])
    await download(hass, query="The Matrix")
    tmdb_before, watchmode_before = tmdb_sim.count(), watchmode_sim.count()
    await download(hass, query="The Matrix")
    assert (tmdb_sim.count(), watchmode_sim.count()) == (tmdb_before, watchmode_before)
