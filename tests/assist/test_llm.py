"""The LLM tools, called as a conversation agent calls them: Assist API → tool → simulators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
import probatio
import pytest

from custom_components.pandora_box import llm as pandora_llm
from simulators import QBittorrentSimulator, WatchmodeSimulator

from .conftest import BUNNY

NEW: Final = pandora_llm.TOOLS_SUPPORTED
"""2026.10 and later; on 2026.9 every test checks that the tool is not there instead."""

ALL = ("tmdb", "jackett", "qbittorrent", "watchmode")


async def assist_api(hass: HomeAssistant) -> llm.APIInstance:
    """The Assist API as a conversation agent opens it."""
    assert await async_setup_component(hass, "homeassistant", {})  # exposure, as in a real HA
    assert await async_setup_component(hass, "llm", {})
    context = llm.LLMContext(
        platform="test_agent",
        context=Context(),
        language="en",
        assistant="conversation",
        device_id=None,
    )
    return await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)


@dataclass
class Answer:
    """A tool's result, with its data as the agent reads it."""

    error: bool
    data: dict[str, Any]


async def call(hass: HomeAssistant, name: str, **args: Any) -> Answer | None:
    """Call a tool through the Assist API; on 2026.9 check that it does not exist (``None``)."""
    api = await assist_api(hass)
    tool_input = llm.ToolInput(tool_name=f"pandora_box__{name}", tool_args=args)
    if not NEW:
        with pytest.raises(HomeAssistantError, match="not found"):
            await api.async_call_tool(tool_input)
        return None
    result = await api.async_call_tool(tool_input)
    assert isinstance(result, llm.ToolResult)
    assert isinstance(result.data, dict)
    return Answer(error=result.error, data=dict(result.data))


def ours(api: llm.APIInstance) -> dict[str, llm.Tool]:
    return {tool.name: tool for tool in api.tools if tool.name.startswith("pandora_box__")}


@pytest.mark.usefixtures(*ALL)
async def test_tools_and_their_annotations(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Every tool is offered, tagged with the integration, with honest annotations.

    On 2026.9 (no annotated tools) the platform loads without an error and offers nothing.
    """
    api = await assist_api(hass)
    tools = ours(api)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    if not NEW:
        assert tools == {}
        return
    assert sorted(tools) == [
        "pandora_box__add_to_watchlist",
        "pandora_box__download_media",
        "pandora_box__get_downloads",
        "pandora_box__get_streaming_sources",
        "pandora_box__pause_downloads",
        "pandora_box__resume_downloads",
        "pandora_box__search_media",
    ]
    assert {tool.integration for tool in tools.values()} == {"pandora_box"}
    notes = {name.removeprefix("pandora_box__"): tool.annotations for name, tool in tools.items()}
    for name in ("search_media", "get_streaming_sources", "get_downloads"):
        assert notes[name].read_only
        assert not notes[name].destructive
        assert notes[name].idempotent
    for name in ("download_media", "add_to_watchlist", "pause_downloads", "resume_downloads"):
        assert not notes[name].read_only
        assert not notes[name].destructive  # nothing deletes
    assert notes["download_media"].open_world
    assert not notes["download_media"].idempotent
    assert notes["search_media"].open_world  # TMDB is on the internet
    assert not notes["get_downloads"].open_world  # qBittorrent is in the home
    assert not notes["pause_downloads"].open_world
    assert notes["pause_downloads"].idempotent
    assert notes["add_to_watchlist"].idempotent  # a title is listed once
    # what an agent sends the model: every schema converts, nothing unsupported
    for tool in tools.values():
        spec = probatio.to_openapi(tool.parameters, custom_serializer=api.custom_serializer)
        assert spec["type"] == "object"
    assert "pandora_box__download_media" in api.api_prompt


async def test_no_entry_no_tools(hass: HomeAssistant) -> None:
    """Without loaded upstreams nothing is offered."""
    assert ours(await assist_api(hass)) == {}


@pytest.mark.usefixtures("qbittorrent")
async def test_only_the_loaded_upstreams_tools(hass: HomeAssistant) -> None:
    tools = ours(await assist_api(hass))
    expected = [
        "pandora_box__get_downloads",
        "pandora_box__pause_downloads",
        "pandora_box__resume_downloads",
    ]
    assert sorted(tools) == (expected if NEW else [])


@pytest.mark.usefixtures(*ALL)
async def test_search_media(hass: HomeAssistant) -> None:
    if (result := await call(hass, "search_media", query="the matrix")) is None:
        return
    assert result.error is False
    first = result.data["results"][0]
    assert (first["title"], first["year"], first["tmdb_id"], first["media_type"]) == (
        "The Matrix",
        1999,
        603,
        "movie",
    )
    assert len(result.data["results"]) <= 5
    assert set(first) == {"title", "year", "media_type", "tmdb_id", "rating", "overview"}
    assert str(result.data["message"]).startswith("Found ")
    assert "The Matrix (1999), film" in str(result.data["message"])


@pytest.mark.usefixtures(*ALL)
async def test_bad_arguments_are_an_error_result(hass: HomeAssistant) -> None:
    """Schema refusals and the actions' own validation both come back as error results."""
    if (result := await call(hass, "search_media", media_type="book")) is None:
        return
    assert result.error is True
    assert "Invalid arguments" in str(result.data["error"])
    result = await call(hass, "download_media", tmdb_id=603)  # no media_type
    assert result is not None
    assert result.error is True
    assert "tmdb_id with its media_type" in str(result.data["error"])
    result = await call(hass, "search_media", query="x" * 1000)  # the action refuses it
    assert result is not None
    assert result.error is True
    assert result.data["error"]


@pytest.mark.usefixtures(*ALL)
async def test_where_it_streams(hass: HomeAssistant) -> None:
    if (result := await call(hass, "get_streaming_sources", title="The Matrix")) is None:
        return
    assert result.error is False
    assert result.data["tmdb_id"] == 603
    names = {(s["name"], s["type"]) for s in result.data["sources"]}
    assert ("Netflix", "subscription") in names
    assert len(names) == len(result.data["sources"])  # one line per service and way
    assert "Netflix with a subscription" in str(result.data["message"])


@pytest.mark.usefixtures("tmdb", "watchmode")
async def test_watchmode_down_is_an_error_result(
    hass: HomeAssistant, watchmode_sim: WatchmodeSimulator
) -> None:
    await watchmode_sim.stop()
    if (
        result := await call(hass, "get_streaming_sources", tmdb_id=603, media_type="movie")
    ) is None:
        return
    assert result.error is True
    assert result.data["error"]


@pytest.mark.usefixtures(*ALL)
async def test_what_is_downloading(hass: HomeAssistant) -> None:
    if (result := await call(hass, "get_downloads")) is None:
        return
    assert result.error is False
    assert result.data["count"] == 2
    assert result.data["message"] == (
        "2 downloads: Sintel at 10 percent and Big Buck Bunny at 45 percent."
    ) or result.data["message"] == (
        "2 downloads: Big Buck Bunny at 45 percent and Sintel at 10 percent."
    )
    assert {t["name"] for t in result.data["torrents"]} >= {BUNNY}


@pytest.mark.usefixtures(*ALL)
async def test_pause_and_resume(hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator) -> None:
    if (result := await call(hass, "pause_downloads")) is None:
        return
    assert result.error is False
    assert result.data == {
        "message": "Paused all downloads. 2 torrents are paused now.",
        "paused": 2,
    }
    assert all(t["state"] in ("pausedDL", "stoppedDL") for t in qbittorrent_sim.torrents.values())
    result = await call(hass, "resume_downloads")
    assert result is not None
    assert result.error is False
    assert result.data["downloading"] == 2
    assert not any(
        t["state"] in ("pausedDL", "stoppedDL") for t in qbittorrent_sim.torrents.values()
    )


@pytest.mark.usefixtures(*ALL)
async def test_download(hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator) -> None:
    before = len(qbittorrent_sim.torrents)
    if (result := await call(hass, "download_media", title="Inception")) is None:
        assert len(qbittorrent_sim.torrents) == before
        return
    assert result.error is False
    assert result.data["added"] is True
    assert str(result.data["message"]).startswith("Downloading Inception (2010): ")
    assert result.data["release"]["seeders"] > 0
    assert len(qbittorrent_sim.torrents) == before + 1


@pytest.mark.usefixtures(*ALL)
async def test_add_to_watchlist(hass: HomeAssistant) -> None:
    if (result := await call(hass, "add_to_watchlist", title="The Matrix")) is None:
        return
    assert result.error is False
    assert result.data["added"] is True
    assert result.data["item"]["tmdb_id"] == 603
    assert str(result.data["message"]).startswith("I added The Matrix (1999) to the watchlist.")
    again = await call(hass, "add_to_watchlist", tmdb_id=603, media_type="movie")
    assert again is not None
    assert again.data["reason"] == "already_listed"
