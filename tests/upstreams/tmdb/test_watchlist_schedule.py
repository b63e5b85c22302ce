"""The watchlist's schedule on Home Assistant's clock, against TMDB, Jackett and qBittorrent.

Time moves with ``freezer`` and ``async_fire_time_changed``; every request
goes over loopback HTTP to the simulators.  Figures the tests rely on are
counted requests: Jackett searches (``/api/v2.0/indexers``) and qBittorrent
adds (``POST /api/v2/torrents/add``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.todo import DOMAIN as TODO_DOMAIN
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.logbook import DESCRIBERS, describe_watchlist_grabbed
from custom_components.pandora_box.media import download
from custom_components.pandora_box.upstreams.qbittorrent import async_add_torrent as real_add
from custom_components.pandora_box.upstreams.tmdb.watchlist import (
    EVENT_MEDIA_READY,
    EVENT_WATCHLIST_GRABBED,
    store_key,
)
from simulators import JackettSimulator, QBittorrentSimulator, TMDBSimulator, WatchmodeSimulator

from ...helpers import mock_entry, setup_integration

TODO = "todo.tmdb_watchlist"
NOW = "2026-12-01T12:00:00+00:00"
SEARCH = "/api/v2.0/indexers"
ADD = "/api/v2/torrents/add"
TMDB_ENTRY_ID = "01JFWATCHLIST0000000000TMDB"


def searches(sim: JackettSimulator) -> int:
    """Searches (the JSON results route), not the indexer list the connection check reads."""
    return sum(1 for r in sim.requests if r.path.startswith(SEARCH) and r.path.endswith("/results"))


def adds(sim: QBittorrentSimulator) -> int:
    return sim.count(ADD, "POST")


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float = 1) -> None:
    """Move the clock on and run the rounds that became due.

    Time-interval jobs run as background tasks: wait for those too, or the
    next jump of the clock would fire the timeouts of their requests.
    """
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def ticks(hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: int) -> None:
    for _ in range(count):
        await tick(hass, freezer)


async def add(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    result = await hass.services.async_call(
        DOMAIN, "add_to_watchlist", data, blocking=True, return_response=True
    )
    assert result is not None
    return dict(result)


async def items(hass: HomeAssistant) -> list[dict[str, Any]]:
    result = await hass.services.async_call(
        TODO_DOMAIN,
        "get_items",
        {},
        target={"entity_id": TODO},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    listed: Any = result[TODO]
    return list(listed["items"])


async def description(hass: HomeAssistant) -> str:
    (item,) = await items(hass)
    return str(item["description"])


@pytest.fixture(autouse=True)
def _clock(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(NOW)


@pytest.fixture
async def tmdb(hass: HomeAssistant, tmdb_sim: TMDBSimulator) -> MockConfigEntry:
    entry = mock_entry(tmdb_sim, title="TMDB", entry_id=TMDB_ENTRY_ID)
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


@pytest.fixture
def grabbed(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    events: list[Event[dict[str, Any]]] = []
    hass.bus.async_listen(EVENT_WATCHLIST_GRABBED, events.append)
    return events


def test_the_grab_event_is_described() -> None:
    assert DESCRIBERS[EVENT_WATCHLIST_GRABBED] is describe_watchlist_grabbed


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_a_released_film_is_grabbed_once_then_followed_into_the_library(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
    grabbed: list[Event[dict[str, Any]]],
) -> None:
    await add(hass, query="The Matrix")
    assert searches(jackett_sim) == 0  # nothing is searched outside the schedule
    await tick(hass, freezer)
    assert (searches(jackett_sim), adds(qbittorrent_sim)) == (1, 1)
    (event,) = grabbed
    torrent_hash = event.data["hash"]
    assert torrent_hash in qbittorrent_sim.torrents
    assert event.data["tmdb_id"] == 603
    assert event.data["title"] == "The Matrix"
    assert event.data["release"].startswith("The")
    assert event.data["category"] == "movies"
    assert "pandora_box" in qbittorrent_sim.torrents[torrent_hash]["tags"]
    logged = describe_watchlist_grabbed(hass, event)
    assert logged["name"] == "TMDB"
    assert logged["message"] == (
        f"picked {event.data['release']} for The Matrix (1999) from the watchlist"
    )
    assert (await description(hass)).startswith("Downloading 0 %: ")

    qbittorrent_sim.update_torrent(torrent_hash, progress=0.45)
    await tick(hass, freezer)
    assert (await description(hass)).startswith("Downloading 45 %: ")

    await tick(hass, freezer, minutes=7 * 60)  # past every search interval
    await ticks(hass, freezer, 3)
    assert (searches(jackett_sim), adds(qbittorrent_sim), len(grabbed)) == (1, 1, 1)

    hass.bus.async_fire(
        EVENT_MEDIA_READY,
        {"hash": torrent_hash, "path": "/media/Movies/The Matrix (1999)", "title": "x"},
    )
    await hass.async_block_till_done()
    (item,) = await items(hass)
    assert item["status"] == "completed"
    assert item["description"] == "In library: /media/Movies/The Matrix (1999)."
    await tick(hass, freezer, minutes=7 * 60)
    assert (searches(jackett_sim), adds(qbittorrent_sim)) == (1, 1)


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_a_film_waits_for_its_release_then_is_searched_every_six_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
    grabbed: list[Event[dict[str, Any]]],
) -> None:
    await add(hass, tmdb_id=1084736, media_type="movie")  # out on 2026-12-18
    await ticks(hass, freezer, 3)
    await tick(hass, freezer, minutes=24 * 60)
    assert searches(jackett_sim) == 0
    assert await description(hass) == "Waiting for release on 2026-12-18."

    freezer.move_to("2026-12-18T09:00:00+00:00")
    await tick(hass, freezer)
    assert searches(jackett_sim) == 1  # released: searched, nothing out yet
    text = await description(hass)
    assert text.startswith("Searching. I found no release of The Count of Monte Cristo (2026).")
    assert "Next search 2026-12-18 " in text
    await ticks(hass, freezer, 5)
    await tick(hass, freezer, minutes=5 * 60)
    assert searches(jackett_sim) == 1  # not again within six hours

    jackett_sim.publish(
        "1337x",
        "movie",
        1084736,
        "The.Count.of.Monte.Cristo.2026.1080p.WEB-DL.DDP5.1.H.264-FLUX",
        category=2040,
    )
    await tick(hass, freezer, minutes=90)  # six hours and the item's offset have passed
    await tick(hass, freezer)
    assert (searches(jackett_sim), adds(qbittorrent_sim)) == (2, 1)
    assert grabbed[0].data["release"] == (
        "The.Count.of.Monte.Cristo.2026.1080p.WEB-DL.DDP5.1.H.264-FLUX"
    )


@pytest.mark.usefixtures("tmdb", "qbittorrent")
async def test_a_show_gets_its_season_as_a_pack(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    jackett: MockConfigEntry,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
    grabbed: list[Event[dict[str, Any]]],
) -> None:
    """Severance airs season 2: its pack, never an episode of it or season 1's pack."""
    pack = jackett_sim.publish(
        "1337x", "tv", 95396, "Severance.S02.1080p.WEB-DL.DDP5.1.H.264-NTb", category=5040
    )
    jackett_sim.publish(
        "1337x", "tv", 95396, "Severance.S02E05.1080p.WEB-DL.DDP5.1.H.264-NTb", category=5040
    )
    await add(hass, query="Severance")
    await tick(hass, freezer)
    # packs of ten episodes pass only a show size limit made for them
    assert "no result small enough" in await description(hass)
    hass.config_entries.async_update_entry(jackett, options={"max_size_tv_gb": 60})
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=6 * 60 + 31)
    (event,) = grabbed
    assert (event.data["season"], event.data["release"]) == (2, pack.title)
    assert event.data["category"] == "tv"
    assert adds(qbittorrent_sim) == 1


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_searches_are_bounded_and_spread(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    jackett: MockConfigEntry,
    jackett_sim: JackettSimulator,
) -> None:
    """Five items no release satisfies: two searches a minute, then none for six hours."""
    hass.config_entries.async_update_entry(jackett, options={"min_seeders": 100000})
    await hass.async_block_till_done()
    for title in ("The Matrix", "Inception", "Interstellar", "Oppenheimer", "Dune: Part Two"):
        await add(hass, query=title)
    per_minute = []
    for _ in range(4):
        before = searches(jackett_sim)
        await tick(hass, freezer)
        per_minute.append(searches(jackett_sim) - before)
    assert per_minute == [2, 2, 1, 0]
    await tick(hass, freezer, minutes=5 * 60 + 50)
    assert searches(jackett_sim) == 5
    per_minute = []
    for _ in range(45):
        before = searches(jackett_sim)
        await tick(hass, freezer)
        per_minute.append(searches(jackett_sim) - before)
    assert max(per_minute) <= 2
    assert sum(per_minute) == 5  # each once more, after six hours and its own offset
    for item in await items(hass):
        assert "found 3" in item["description"] or "releases of" in item["description"]


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_jackett_errors_back_off(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
) -> None:
    await add(hass, query="Inception")
    jackett_sim.set_fault("status", status=500)
    await tick(hass, freezer)
    assert searches(jackett_sim) == 1
    assert (await description(hass)).startswith("Searching. The last search failed: ")
    await ticks(hass, freezer, 4)
    assert searches(jackett_sim) == 1  # 5 minutes of backoff
    await tick(hass, freezer)
    assert searches(jackett_sim) == 2  # failed again: 10 minutes now
    await ticks(hass, freezer, 9)
    assert searches(jackett_sim) == 2
    jackett_sim.clear_fault()
    await tick(hass, freezer)
    assert (searches(jackett_sim), adds(qbittorrent_sim)) == (3, 1)


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_what_is_ambiguous_or_completed_is_not_monitored(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, jackett_sim: JackettSimulator
) -> None:
    await add(hass, query="The")
    await add(hass, query="Interstellar")
    (_, interstellar) = await items(hass)
    await hass.services.async_call(
        TODO_DOMAIN,
        "update_item",
        {"item": interstellar["uid"], "status": "completed"},
        target={"entity_id": TODO},
        blocking=True,
    )
    await ticks(hass, freezer, 3)
    assert searches(jackett_sim) == 0


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_what_streams_on_my_services_is_not_downloaded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    watchmode_sim: WatchmodeSimulator,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
) -> None:
    entry = mock_entry(watchmode_sim)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={"my_services": ["Netflix"]})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await add(hass, query="The Matrix")
    await tick(hass, freezer)
    assert (searches(jackett_sim), adds(qbittorrent_sim)) == (0, 0)
    assert "already streaming on Netflix" in await description(hass)


# -- restarts ------------------------------------------------------------------------------


@pytest.mark.usefixtures("tmdb", "jackett", "qbittorrent")
async def test_the_intent_is_on_disk_before_the_add(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    async def add_torrent(*args: Any, **kwargs: Any) -> dict[str, Any]:
        (stored,) = hass_storage[store_key(TMDB_ENTRY_ID)]["data"]["items"]
        seen.append(stored["phase"])
        return await real_add(*args, **kwargs)

    monkeypatch.setattr(f"{download.__name__}.async_add_torrent", add_torrent)
    await add(hass, query="Oppenheimer")
    await tick(hass, freezer)
    assert seen == ["grabbing"]
    (stored,) = hass_storage[store_key(TMDB_ENTRY_ID)]["data"]["items"]
    assert stored["phase"] == "downloading"


def interrupted(tmdb_id: int, title: str, year: int) -> dict[str, Any]:
    """The Store as a restart in the middle of a grab leaves it: the intent, no outcome."""
    return {
        "version": 1,
        "key": store_key(TMDB_ENTRY_ID),
        "data": {
            "items": [
                {
                    "uid": "a1",
                    "summary": f"{title} ({year})",
                    "phase": "grabbing",
                    "tmdb_id": tmdb_id,
                    "media_type": "movie",
                    "title": title,
                    "year": year,
                    "release_date": f"{year}-01-01",
                    "intent_at": "2026-12-01T11:59:00+00:00",
                }
            ]
        },
    }


@pytest.mark.usefixtures("jackett", "qbittorrent")
async def test_a_grab_interrupted_before_the_add_is_done_once_after_the_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    tmdb_sim: TMDBSimulator,
    qbittorrent_sim: QBittorrentSimulator,
    grabbed: list[Event[dict[str, Any]]],
) -> None:
    hass_storage[store_key(TMDB_ENTRY_ID)] = interrupted(27205, "Inception", 2010)
    await setup_integration(hass, mock_entry(tmdb_sim, title="TMDB", entry_id=TMDB_ENTRY_ID))
    await ticks(hass, freezer, 3)
    assert adds(qbittorrent_sim) == 1
    assert len(grabbed) == 1
    assert (await description(hass)).startswith("Downloading 0 %: Inception")


@pytest.mark.usefixtures("jackett", "qbittorrent")
async def test_a_grab_interrupted_after_the_add_is_not_done_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    tmdb_sim: TMDBSimulator,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
) -> None:
    """qBittorrent has the torrent (added, then the restart): it is taken over, not re-added."""
    qbittorrent_sim.insert_torrent(
        {
            "name": "Inception.2010.1080p.BluRay.x264.DTS-FGT",
            "category": "movies",
            "tags": "pandora_box",
            "progress": 0.3,
            "added_on": int(datetime.fromisoformat(NOW).timestamp()),  # after the intent
        }
    )
    hass_storage[store_key(TMDB_ENTRY_ID)] = interrupted(27205, "Inception", 2010)
    await setup_integration(hass, mock_entry(tmdb_sim, title="TMDB", entry_id=TMDB_ENTRY_ID))
    await ticks(hass, freezer, 3)
    await tick(hass, freezer, minutes=7 * 60)
    assert (searches(jackett_sim), adds(qbittorrent_sim)) == (0, 0)
    assert (await description(hass)).startswith(
        "Downloading 30 %: Inception.2010.1080p.BluRay.x264.DTS-FGT"
    )


@pytest.mark.usefixtures("jackett", "qbittorrent")
async def test_a_reload_keeps_items_and_grabs_nothing_twice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmdb: MockConfigEntry,
    jackett_sim: JackettSimulator,
    qbittorrent_sim: QBittorrentSimulator,
) -> None:
    await add(hass, query="Interstellar")
    await add(hass, tmdb_id=1084736, media_type="movie")
    await tick(hass, freezer)
    assert adds(qbittorrent_sim) == 1
    assert await hass.config_entries.async_reload(tmdb.entry_id)
    await hass.async_block_till_done()
    await ticks(hass, freezer, 3)
    await tick(hass, freezer, minutes=7 * 60)
    await tick(hass, freezer)
    assert (searches(jackett_sim), adds(qbittorrent_sim)) == (1, 1)
    interstellar, monte_cristo = await items(hass)
    assert interstellar["description"].startswith("Downloading 0 %: ")
    assert monte_cristo["description"] == "Waiting for release on 2026-12-18."


@pytest.mark.usefixtures("jackett", "qbittorrent")
async def test_an_unloaded_entry_searches_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmdb: MockConfigEntry,
    jackett_sim: JackettSimulator,
) -> None:
    await add(hass, query="Interstellar")
    assert await hass.config_entries.async_unload(tmdb.entry_id)
    await ticks(hass, freezer, 3)
    assert searches(jackett_sim) == 0
