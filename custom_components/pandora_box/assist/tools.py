"""LLM tools of Pandora Box (Home Assistant 2026.10 and later; ``../llm.py`` hands over).

Modelled on core's ``calendar/llm.py``: each tool is a ``llm.Tool`` with a
``pandora_box__`` name, ``integration`` set, a probatio schema for its
arguments and honest ``ToolAnnotations``; ``async_get_tools`` offers the
tools whose upstreams are loaded, to the Assist API only.

Every tool runs one or more of our actions as the conversation's user, so
the checks and translated errors are the actions' own.  A bad argument
(schema, or an action's ``ServiceValidationError``) and an upstream fault
are a ``ToolResult`` with ``error=True`` and the translated message, never an
exception.  Answers are short: a ``message`` the agent can speak and a few
structured fields (at most ``MAX_ITEMS`` titles or torrents).

Annotations: a tool is ``open_world`` when it talks to a service on the
internet (TMDB, Watchmode, Jackett and the BitTorrent swarm); qBittorrent in
the home is not.  Searching and listing are ``read_only``; none of the tools
deletes anything, so none is ``destructive``; adding to the watchlist and
pausing or resuming are ``idempotent`` (a title is listed once; a paused
torrent stays paused), downloading is not (a repeated call may pick another
release when the indexers answer differently).
"""

from __future__ import annotations

from typing import Any, Final, override

from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
import homeassistant.helpers.config_validation as cv
from homeassistant.helpers.llm import (
    LLM_API_ASSIST,
    LLMContext,
    Tool,
    ToolAnnotations,
    ToolInput,
    ToolResult,
)
import probatio as vol

from ..const import DOMAIN, Kind
from ..helpers import loaded_entries
from ..media.download import QUALITIES, words
from .speech import (
    async_call,
    async_pause_resume_all,
    async_torrents,
    downloads_sentence,
    paused_sentence,
)

MAX_ITEMS: Final = 5
"""Titles, sources or torrents in one answer; the rest are counted."""

MAX_OVERVIEW: Final = 200
"""Characters of a title's overview in a search answer."""

READ_ONLY: Final = ToolAnnotations(
    read_only=True, destructive=False, idempotent=True, open_world=True
)
"""Asks a service on the internet, changes nothing."""

READ_ONLY_HOME: Final = ToolAnnotations(
    read_only=True, destructive=False, idempotent=True, open_world=False
)
"""Asks qBittorrent in the home, changes nothing."""

PROMPT: Final = (
    "Pandora Box tools manage the user's media box. Search or check where a title "
    "streams before downloading it, and ask the user before calling "
    "pandora_box__download_media."
)

_TITLE_OR_ID: Final[dict[vol.Marker, Any]] = {
    vol.Optional("title", description="Title of the film or show"): cv.string,
    vol.Optional("tmdb_id", description="TMDB id, from a search result"): vol.All(
        vol.Coerce(int), vol.Range(min=1)
    ),
    vol.Optional("media_type", description="movie or tv; required with tmdb_id"): vol.In(
        ["movie", "tv"]
    ),
}


class ToolArgumentError(Exception):
    """Arguments a tool refuses before calling anything (the message says why)."""


def _what(data: dict[str, Any]) -> dict[str, Any]:
    """``query`` or ``tmdb_id`` + ``media_type`` for an action, from a title or an id."""
    title = str(data.get("title") or "").strip()
    if title and "tmdb_id" not in data:
        return {"query": title} | (
            {"media_type": data["media_type"]} if "media_type" in data else {}
        )
    if not title and "tmdb_id" in data and "media_type" in data:
        return {"tmdb_id": data["tmdb_id"], "media_type": data["media_type"]}
    raise ToolArgumentError("Give either a title, or a tmdb_id with its media_type.")


def _label(item: dict[str, Any]) -> str:
    """``The Matrix (1999)``."""
    year = item.get("year")
    return f"{item.get('title')} ({year})" if year else str(item.get("title"))


def _short(text: str | None, most: int = MAX_OVERVIEW) -> str | None:
    """The text cut at a word before ``most`` characters."""
    if not text or len(text) <= most:
        return text
    return text[:most].rsplit(" ", 1)[0] + "…"


class PandoraTool(Tool):
    """A Pandora Box tool: validates its arguments, maps every failure to an error result."""

    integration = DOMAIN

    @override
    async def async_call(
        self, hass: HomeAssistant, tool_input: ToolInput, llm_context: LLMContext
    ) -> ToolResult:
        """Validate, run, and turn refusals and faults into an error result."""
        try:
            data = self.parameters(tool_input.tool_args)
            answer = await self.async_run(hass, data, llm_context)
        except vol.Invalid as err:
            return ToolResult(data={"error": f"Invalid arguments: {err}"}, error=True)
        except (ToolArgumentError, HomeAssistantError) as err:
            return ToolResult(data={"error": str(err)}, error=True)
        return ToolResult(data=answer)

    async def async_run(
        self, hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
    ) -> dict[str, Any]:
        """What the tool does with valid arguments."""
        raise NotImplementedError


class SearchMediaTool(PandoraTool):
    """Search films and shows on TMDB."""

    name = "pandora_box__search_media"
    title = "Search films and shows"
    description = (
        "Search TMDB for films and shows by title. Returns the best matches with "
        "their TMDB id, type and year."
    )
    annotations = READ_ONLY
    parameters = vol.Schema(
        {
            vol.Required("query", description="Title or words of the title"): cv.string,
            vol.Optional("media_type", description="movie, tv or multi (both)"): vol.In(
                ["multi", "movie", "tv"]
            ),
            vol.Optional("year", description="Release year"): vol.All(
                vol.Coerce(int), vol.Range(min=1870, max=2100)
            ),
        }
    )

    @override
    async def async_run(
        self, hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
    ) -> dict[str, Any]:
        """Call ``search_media``; the first ``MAX_ITEMS`` results, shortened."""
        answer = await async_call(hass, "search_media", data, llm_context.context)
        results = answer.get("results", [])
        items = [
            {
                "title": item["title"],
                "year": item["year"],
                "media_type": item["media_type"],
                "tmdb_id": item["tmdb_id"],
                "rating": item["rating"],
                "overview": _short(item.get("overview")),
            }
            for item in results[:MAX_ITEMS]
        ]
        if not items:
            message = f"TMDB has nothing for {data['query']}."
        else:
            names = ", ".join(
                f"{_label(item)}, {'film' if item['media_type'] == 'movie' else 'show'}"
                for item in items
            )
            message = f"Found {answer.get('total_results', len(results))}: {names}."
        return {"message": message, "results": items}


async def _async_find(
    hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
) -> dict[str, Any] | None:
    """The TMDB item a title or id names (the result titled as asked, else the first)."""
    what = _what(data)
    if "tmdb_id" in what:
        details = await async_call(hass, "get_media_details", what, llm_context.context)
        item: dict[str, Any] = details["item"]
        return item
    answer = await async_call(hass, "search_media", what, llm_context.context)
    results: list[dict[str, Any]] = answer.get("results", [])
    wanted = words(what["query"])
    exact = [item for item in results if words(str(item["title"])) == wanted]
    found = exact or results
    return found[0] if found else None


_SOURCE_WORDS: Final = {
    "subscription": "with a subscription",
    "free": "for free",
    "tv_provider": "with a TV provider",
    "rent": "to rent",
    "buy": "to buy",
}


class StreamingSourcesTool(PandoraTool):
    """Where a title streams (Watchmode)."""

    name = "pandora_box__get_streaming_sources"
    title = "Where a title streams"
    description = (
        "Say where a film or show streams, rents or sells in the user's region "
        "(Watchmode). Give a title, or a tmdb_id with media_type from a search."
    )
    annotations = READ_ONLY
    parameters = vol.Schema(_TITLE_OR_ID)

    @override
    async def async_run(
        self, hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
    ) -> dict[str, Any]:
        """Find the title on TMDB, then ask ``get_streaming_sources``."""
        item = await _async_find(hass, data, llm_context)
        if item is None:
            return {"message": f"TMDB has nothing for {data.get('title')}.", "sources": []}
        answer = await async_call(
            hass,
            "get_streaming_sources",
            {"tmdb_id": item["tmdb_id"], "media_type": item["media_type"]},
            llm_context.context,
        )
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for source in answer.get("sources", []):
            key = (str(source["name"]), str(source["type"]))
            if key not in seen:  # one line per service and way (SD, HD, 4K alike)
                seen[key] = {"name": key[0], "type": key[1], "price": source.get("price")}
        sources = list(seen.values())
        name = _label(item)
        if not sources:
            message = f"{name} does not stream anywhere Watchmode knows of."
        else:
            ways = [
                f"{s['name']} {_SOURCE_WORDS.get(s['type'], s['type'])}"
                for s in sources[:MAX_ITEMS]
            ]
            more = f", and {len(sources) - len(ways)} more" if len(sources) > len(ways) else ""
            message = f"{name} is on {', '.join(ways)}{more}."
        return {
            "message": message,
            "title": item["title"],
            "year": item["year"],
            "media_type": item["media_type"],
            "tmdb_id": item["tmdb_id"],
            "sources": sources,
        }


FILTERS: Final = ["downloading", "all", "active", "paused", "seeding", "completed", "errored"]


class ListDownloadsTool(PandoraTool):
    """What qBittorrent is downloading."""

    name = "pandora_box__get_downloads"
    title = "What is downloading"
    description = (
        "List the torrents in qBittorrent: by default those downloading now, with "
        "progress in percent and the time left in seconds."
    )
    annotations = READ_ONLY_HOME
    parameters = vol.Schema(
        {vol.Optional("filter", description="Which torrents; default downloading"): vol.In(FILTERS)}
    )

    @override
    async def async_run(
        self, hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
    ) -> dict[str, Any]:
        """``get_torrents`` of every qBittorrent entry."""
        wanted = data.get("filter", "downloading")
        torrents = await async_torrents(hass, wanted, llm_context.context)
        rows = [
            {
                "name": t["name"],
                "hash": t["hash"],
                "state": t["state"],
                "progress": round(float(t.get("progress") or 0)),
                "eta": t.get("eta"),
                "size": t.get("size"),
            }
            for t in torrents[:MAX_ITEMS]
        ]
        if wanted == "downloading":
            message = downloads_sentence(torrents, "en")
        else:
            message = f"{len(torrents)} {'torrent' if len(torrents) == 1 else 'torrents'}."
        return {"message": message, "count": len(torrents), "torrents": rows}


class AddToWatchlistTool(PandoraTool):
    """Put a title on the watchlist (then it downloads by itself once released)."""

    name = "pandora_box__add_to_watchlist"
    title = "Add to the watchlist"
    description = (
        "Add a film or show to the user's watchlist; it is downloaded by itself when "
        "it is released. Give a title, or a tmdb_id with media_type from a search."
    )
    annotations = ToolAnnotations(
        read_only=False, destructive=False, idempotent=True, open_world=True
    )
    parameters = vol.Schema(_TITLE_OR_ID)

    @override
    async def async_run(
        self, hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
    ) -> dict[str, Any]:
        """Call ``add_to_watchlist``."""
        answer = await async_call(hass, "add_to_watchlist", _what(data), llm_context.context)
        item = answer.get("item") or {}
        return {
            "message": answer.get("message"),
            "added": answer.get("added"),
            "reason": answer.get("reason"),
            "item": {
                key: item.get(key)
                for key in ("summary", "state", "title", "year", "media_type", "tmdb_id")
            },
        }


class DownloadMediaTool(PandoraTool):
    """Download a title: TMDB, Watchmode, Jackett, qBittorrent in one step."""

    name = "pandora_box__download_media"
    title = "Download a film or show"
    description = (
        "Download a film or show: it is found on TMDB, skipped when it already "
        "streams on the user's services, searched on the indexers and the best "
        "release is added to qBittorrent. Give a title (and year), or a tmdb_id "
        "with media_type."
    )
    annotations = ToolAnnotations(
        read_only=False, destructive=False, idempotent=False, open_world=True
    )
    parameters = vol.Schema(
        {
            **_TITLE_OR_ID,
            vol.Optional("year", description="Release year, to tell remakes apart"): vol.All(
                vol.Coerce(int), vol.Range(min=1870, max=2100)
            ),
            vol.Optional("quality", description="Preferred resolution"): vol.In(list(QUALITIES)),
            vol.Optional(
                "skip_if_streaming",
                description="Do not download what streams on the user's services (default true)",
            ): cv.boolean,
        }
    )

    @override
    async def async_run(
        self, hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
    ) -> dict[str, Any]:
        """Call ``download_media``; the chosen release in a few fields."""
        call = _what(data) | {
            key: data[key] for key in ("year", "quality", "skip_if_streaming") if key in data
        }
        answer = await async_call(hass, "download_media", call, llm_context.context)
        release = answer.get("release") or None
        return {
            "message": answer.get("message"),
            "added": answer.get("added"),
            "reason": answer.get("reason"),
            "title": answer.get("title"),
            "year": answer.get("year"),
            "streaming_on": answer.get("streaming_on", []),
            "release": None
            if release is None
            else {
                key: release.get(key)
                for key in ("title", "resolution", "size", "seeders", "indexer")
            },
        }


class PauseResumeTool(PandoraTool):
    """Pause or resume every download."""

    annotations = ToolAnnotations(
        read_only=False, destructive=False, idempotent=True, open_world=False
    )
    parameters = vol.Schema({})
    pause: bool

    @override
    async def async_run(
        self, hass: HomeAssistant, data: dict[str, Any], llm_context: LLMContext
    ) -> dict[str, Any]:
        """Every qBittorrent entry, then count what is paused (or downloading) now."""
        count = await async_pause_resume_all(hass, pause=self.pause, context=llm_context.context)
        key = "paused" if self.pause else "downloading"
        return {
            "message": paused_sentence(pause=self.pause, count=count, language="en"),
            key: count,
        }


class PauseDownloadsTool(PauseResumeTool):
    """Pause every download."""

    name = "pandora_box__pause_downloads"
    title = "Pause all downloads"
    description = "Pause every torrent in qBittorrent."
    pause = True


class ResumeDownloadsTool(PauseResumeTool):
    """Resume every download."""

    name = "pandora_box__resume_downloads"
    title = "Resume all downloads"
    description = "Resume every paused torrent in qBittorrent."
    pause = False


TOOLS_BY_KIND: Final[tuple[tuple[frozenset[Kind], tuple[type[PandoraTool], ...]], ...]] = (
    (frozenset({Kind.TMDB}), (SearchMediaTool, AddToWatchlistTool)),
    (frozenset({Kind.TMDB, Kind.WATCHMODE}), (StreamingSourcesTool,)),
    (frozenset({Kind.QBITTORRENT}), (ListDownloadsTool, PauseDownloadsTool, ResumeDownloadsTool)),
    (frozenset({Kind.TMDB, Kind.JACKETT}), (DownloadMediaTool,)),
)
"""Which upstreams a tool needs loaded before it is offered."""


@callback
def async_get_tools(hass: HomeAssistant, llm_context: LLMContext, api_id: str) -> LLMTools | None:
    """The tools whose upstreams are loaded, for the Assist API; else nothing."""
    if api_id != LLM_API_ASSIST:
        return None
    loaded = {kind for kind in Kind if loaded_entries(hass, kind)}
    tools: list[Tool] = [
        tool() for needs, tool_classes in TOOLS_BY_KIND if needs <= loaded for tool in tool_classes
    ]
    if not tools:
        return None
    return LLMTools(tools=tools, prompt=PROMPT)
