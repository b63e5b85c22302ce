"""The watchlist against the TMDB simulator: to-do entity, add_to_watchlist, resolution, Store."""

from __future__ import annotations

from typing import Any, cast

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.todo import DOMAIN as TODO_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.tmdb.watchlist import split_year, store_key
from simulators import TMDBSimulator

from ...helpers import mock_entry, setup_integration

TODO = "todo.tmdb_watchlist"
NOW = "2026-12-01T12:00:00+00:00"


@pytest.fixture
async def entry(
    hass: HomeAssistant, tmdb_sim: TMDBSimulator, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """A loaded TMDB entry on 1 December 2026 (before The Count of Monte Cristo opens)."""
    freezer.move_to(NOW)
    config_entry = mock_entry(tmdb_sim, title="TMDB")
    await setup_integration(hass, config_entry)
    return config_entry


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
    return cast("list[dict[str, Any]]", cast("dict[str, Any]", result[TODO])["items"])


async def todo(hass: HomeAssistant, service: str, **data: Any) -> None:
    await hass.services.async_call(
        TODO_DOMAIN, service, data, target={"entity_id": TODO}, blocking=True
    )


@pytest.mark.usefixtures("entry")
async def test_a_released_film_by_title_is_searched(hass: HomeAssistant) -> None:
    """``add_to_watchlist`` resolves the text on TMDB and answers in a spoken sentence."""
    result = await add(hass, query="the matrix")
    assert result["added"] is True
    assert result["reason"] == "added"
    assert result["message"].startswith("I added The Matrix (1999) to the watchlist. Searching.")
    item = result["item"]
    assert (item["tmdb_id"], item["media_type"], item["state"]) == (603, "movie", "searching")
    listed = await items(hass)
    assert [(i["summary"], i["status"]) for i in listed] == [("The Matrix (1999)", "needs_action")]
    assert listed[0]["description"].startswith("Searching.")
    assert hass.states.get(TODO).state == "1"  # type: ignore[union-attr]


@pytest.mark.usefixtures("entry")
async def test_an_upcoming_film_by_id_waits_for_its_release(hass: HomeAssistant) -> None:
    result = await add(hass, tmdb_id=1084736, media_type="movie")
    assert result["item"]["state"] == "waiting"
    assert result["item"]["release_date"] == "2026-12-18"
    (listed,) = await items(hass)
    assert listed["summary"] == "The Count of Monte Cristo (2026)"
    assert listed["due"] == "2026-12-18"
    assert listed["description"] == "Waiting for release on 2026-12-18."


@pytest.mark.usefixtures("entry")
async def test_a_running_show_monitors_its_season_as_a_pack(hass: HomeAssistant) -> None:
    result = await add(hass, query="Severance")
    assert (result["item"]["media_type"], result["item"]["season"]) == ("tv", 2)
    (listed,) = await items(hass)
    assert listed["description"].startswith("Season 2 as a season pack. Searching.")


@pytest.mark.usefixtures("entry")
async def test_ambiguous_text_says_so_until_renamed(
    hass: HomeAssistant, tmdb_sim: TMDBSimulator
) -> None:
    """ "The" matches several titles: the item names them; renaming it re-resolves."""
    await todo(hass, "add_item", item="The")
    (listed,) = await items(hass)
    assert listed["summary"] == "The"
    assert listed["description"].startswith("Several titles match “The”: ")
    assert "Not monitored until you rename the item" in listed["description"]
    await todo(hass, "update_item", item=listed["uid"], rename="The Office (2005)")
    (renamed,) = await items(hass)
    assert renamed["summary"] == "The Office (2005)"
    assert renamed["description"].startswith("Season 9 as a season pack. Searching.")


@pytest.mark.usefixtures("entry")
async def test_nothing_found_says_so(hass: HomeAssistant) -> None:
    result = await add(hass, query="No Such Film Anywhere")
    assert (result["added"], result["reason"]) == (True, "not_found")
    assert "Nothing on TMDB matches" in result["message"]


@pytest.mark.usefixtures("entry")
async def test_a_title_is_listed_once(hass: HomeAssistant) -> None:
    await add(hass, query="Inception")
    again = await add(hass, tmdb_id=27205, media_type="movie")
    assert (again["added"], again["reason"]) == (False, "already_listed")
    assert again["message"].startswith("Inception (2010) is already on the watchlist.")
    with pytest.raises(ServiceValidationError, match=r"Inception \(2010\) is already on the"):
        await todo(hass, "add_item", item="inception")
    assert len(await items(hass)) == 1


@pytest.mark.usefixtures("entry")
@pytest.mark.parametrize(
    "data",
    [{}, {"query": "  "}, {"query": "x", "tmdb_id": 603, "media_type": "movie"}, {"tmdb_id": 603}],
)
async def test_bad_input_sends_nothing(
    hass: HomeAssistant, tmdb_sim: TMDBSimulator, data: dict[str, Any]
) -> None:
    before = len(tmdb_sim.requests)
    with pytest.raises(ServiceValidationError, match="Say what to put on the watchlist"):
        await add(hass, **data)
    assert len(tmdb_sim.requests) == before


@pytest.mark.usefixtures("entry")
async def test_an_unknown_id_is_a_translated_error(hass: HomeAssistant) -> None:
    with pytest.raises(HomeAssistantError, match="TMDB has no film 999999"):
        await add(hass, tmdb_id=999999, media_type="movie")
    assert await items(hass) == []


@pytest.mark.usefixtures("entry")
async def test_tmdb_down_is_a_translated_error(
    hass: HomeAssistant, tmdb_sim: TMDBSimulator
) -> None:
    tmdb_sim.set_fault("down")
    with pytest.raises(HomeAssistantError, match="TMDB"):
        await todo(hass, "add_item", item="Interstellar")
    tmdb_sim.clear_fault()
    assert hass.states.get(TODO).state == "0"  # type: ignore[union-attr]


@pytest.mark.usefixtures("entry")
async def test_complete_delete_and_move(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    for title in ("The Matrix", "Inception", "Interstellar"):
        await add(hass, query=title)
    first, second, third = await items(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "todo/item/move", "entity_id": TODO, "uid": third["uid"]}
    )
    assert (await client.receive_json())["success"] is True
    await client.send_json_auto_id(
        {"type": "todo/item/move", "entity_id": TODO, "uid": first["uid"], "previous_uid": "x"}
    )
    reply = await client.receive_json()
    assert reply["success"] is False
    assert "The watchlist has no item x" in reply["error"]["message"]
    assert [i["uid"] for i in await items(hass)] == [third["uid"], first["uid"], second["uid"]]
    await todo(hass, "update_item", item=first["uid"], status="completed")
    assert hass.states.get(TODO).state == "2"  # type: ignore[union-attr]
    await todo(hass, "remove_item", item=[second["uid"]])
    assert [i["summary"] for i in await items(hass)] == ["Interstellar (2014)", "The Matrix (1999)"]


async def test_the_list_survives_a_restart(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    await add(hass, query="Oppenheimer")
    await todo(hass, "add_item", item="The")
    assert await hass.config_entries.async_unload(entry.entry_id)
    stored = hass_storage[store_key(entry.entry_id)]["data"]["items"]
    assert [i["summary"] for i in stored] == ["Oppenheimer (2023)", "The"]
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    listed = await items(hass)
    assert [i["summary"] for i in listed] == ["Oppenheimer (2023)", "The"]
    assert listed[1]["description"].startswith("Several titles match")


async def test_removing_the_entry_deletes_its_list(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await add(hass, query="Oppenheimer")
    assert store_key(entry.entry_id) in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert store_key(entry.entry_id) not in hass_storage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Matrix (1999)", ("The Matrix", 1999)),
        ("Dune 2021", ("Dune", 2021)),
        ("Blade Runner 2049", ("Blade Runner", 2049)),
        ("1917", ("1917", None)),
        ("Severance", ("Severance", None)),
    ],
)
def test_split_year(text: str, expected: tuple[str, int | None]) -> None:
    assert split_year(text) == expected
