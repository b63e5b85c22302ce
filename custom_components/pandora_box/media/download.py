"""``download_media``: from a title to a running download in one call.

The steps, each a reason to stop with an answer rather than an error:

1. **TMDB** resolves the title: a ``query`` is searched (``media_type`` and
   ``year`` narrow it; the result whose title is the query wins, else TMDB's
   first), then its details give the year and the IMDb id; a ``tmdb_id`` with
   its ``media_type`` goes to the details directly.  Nothing found: stop
   (``no_match``).
2. **Watchmode** (only when an entry is loaded, ``skip_if_streaming`` is on,
   the default, and the Watchmode entry's ``my_services`` option names the
   services the user subscribes to): where the title streams in the entry's
   region.  On one of the user's services by subscription, for free or with
   a TV provider: stop (``already_streaming``).  Watchmode failing (down, out
   of quota) does not stop the download; the response notes it.
3. **Jackett** is searched for the title (and year, for films) in the
   movies or TV category.  Releases named after the title are preferred over
   ones that only contain its words (``The Matrix`` over ``The Matrix
   Reloaded``).  A show's ``season`` asks for that season as a season pack
   (``Title S02``; single episodes are dropped).
   ``ranking.rank_with_rejections`` applies the Jackett entry's preferences
   (``quality`` puts a resolution first).  Nothing found (``no_release``)
   or nothing good enough (the ranking's main rejection, e.g.
   ``too_few_seeders``): stop.
4. **qBittorrent** gets the best release (magnet, else Jackett's link) in
   the ``category`` of the call, else the qBittorrent entry's
   ``movie_category``/``tv_category`` option, else ``movies``/``tv``, tagged
   ``pandora_box``.  No qBittorrent entry (``no_qbittorrent``) or the torrent is
   already there (``already_downloading``): stop, saying what would have been
   chosen.

Every outcome answers ``{"added", "reason", "message", "title", "year",
"tmdb_id", "media_type", "imdb_id", "release", "category", "hash",
"streaming_on", "notes"}``; ``message`` is one English sentence meant to be
spoken by a voice assistant.  Bad input (neither a query nor an id, no TMDB
or Jackett entry, several entries of a kind and none named) is a translated
``ServiceValidationError`` before any request; an upstream fault of TMDB,
Jackett or qBittorrent a translated ``HomeAssistantError``.

``config_entry_id`` may name one entry per kind (a list): an upstream with
several loaded entries needs one named; one with a single loaded entry is
found by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import re
from typing import Any, Final, Literal
import unicodedata

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
import homeassistant.helpers.config_validation as cv
import probatio as vol

from ..api.errors import PandoraError, ResponseError
from ..api.jackett import JackettClient, TorrentResult
from ..api.tmdb import MediaDetails, MediaItem, MediaType
from ..api.watchmode import StreamingSource
from ..const import CONF_KIND, DOMAIN, LOGGER, Kind
from ..coordinator import PandoraConfigEntry, entry_client
from ..helpers import invalid, loaded_entries, upstream_errors
from ..upstreams.jackett import (
    CATEGORY_IDS,
    RESOLUTIONS,
    Preferences,
    RankedResult,
    Rejection,
    parse_release,
    rank_with_rejections,
)
from ..upstreams.qbittorrent import (
    CONF_MOVIE_CATEGORY,
    CONF_TV_CATEGORY,
    DEFAULT_MOVIE_CATEGORY,
    DEFAULT_TV_CATEGORY,
    async_add_torrent,
)
from ..upstreams.tmdb import async_cached_details, async_cached_search
from ..upstreams.watchmode import CONF_MY_SERVICES, async_cached_sources
from ..validation import whole_number

SERVICE_DOWNLOAD_MEDIA: Final = "download_media"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_QUERY: Final = "query"
ATTR_TMDB_ID: Final = "tmdb_id"
ATTR_MEDIA_TYPE: Final = "media_type"
ATTR_YEAR: Final = "year"
ATTR_QUALITY: Final = "quality"
ATTR_CATEGORY: Final = "category"
ATTR_SKIP_IF_STREAMING: Final = "skip_if_streaming"
ATTR_SEASON: Final = "season"

STREAMING_TYPES: Final = frozenset({"sub", "free", "tve"})
"""Source types that mean "you can already watch it" (not rent or buy)."""

TAG: Final = "pandora_box"
"""Tag of every torrent ``download_media`` adds."""

QUALITIES: Final = ("any", *RESOLUTIONS)

DOWNLOAD_MEDIA_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_QUERY): cv.string,
        vol.Optional(ATTR_TMDB_ID): vol.All(whole_number, vol.Range(min=1)),
        vol.Optional(ATTR_MEDIA_TYPE): vol.In(("movie", "tv")),
        vol.Optional(ATTR_YEAR): vol.All(whole_number, vol.Range(min=1870, max=2100)),
        vol.Optional(ATTR_QUALITY, default="any"): vol.In(QUALITIES),
        vol.Optional(ATTR_CATEGORY): cv.string,
        vol.Optional(ATTR_SKIP_IF_STREAMING, default=True): cv.boolean,
        vol.Optional(ATTR_SEASON): vol.All(whole_number, vol.Range(min=0, max=1000)),
    }
)

_WORD_RE: Final = re.compile(r"[a-z0-9]+")


# -- entries -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Entries:
    """The entries one call works with (``None``: that upstream is not set up)."""

    tmdb: PandoraConfigEntry
    jackett: PandoraConfigEntry
    qbittorrent: PandoraConfigEntry | None
    watchmode: PandoraConfigEntry | None


def resolve_entries(hass: HomeAssistant, call: ServiceCall) -> Entries:
    """Find the entry of each kind: the one named, else the only loaded one."""
    named: dict[str, list[PandoraConfigEntry]] = {}
    for entry_id in call.data.get(ATTR_CONFIG_ENTRY_ID, []):
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise invalid("entry_not_found", entry_id=entry_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise invalid("entry_not_loaded", title=entry.title)
        named.setdefault(str(entry.data.get(CONF_KIND)), []).append(entry)

    def pick(kind: Kind) -> PandoraConfigEntry | None:
        candidates = named.get(kind.value) or loaded_entries(hass, kind)
        if len(candidates) > 1:
            raise invalid("several_entries_of_kind", kind=kind.value, action=call.service)
        return candidates[0] if candidates else None

    tmdb, jackett = pick(Kind.TMDB), pick(Kind.JACKETT)
    for kind, found in ((Kind.TMDB, tmdb), (Kind.JACKETT, jackett)):
        if found is None:
            raise invalid("no_entry_of_kind", kind=kind.value, action=call.service)
    assert tmdb is not None
    assert jackett is not None
    return Entries(
        tmdb=tmdb,
        jackett=jackett,
        qbittorrent=pick(Kind.QBITTORRENT),
        watchmode=pick(Kind.WATCHMODE),
    )


# -- words ----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case ASCII words of ``text`` (accents dropped), for comparing titles."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _WORD_RE.findall(plain.replace("'", "").replace("&", " and "))


def label(title: str, year: int | None) -> str:
    """``The Matrix (1999)``: how a title is named in messages."""
    return f"{title} ({year})" if year else title


def spoken_size(size: int | None) -> str | None:
    """``8.2 gigabytes``, ``700 megabytes``."""
    if size is None:
        return None
    gib = size / 1024**3
    if gib >= 1:
        return f"{gib:.1f} gigabytes"
    return f"{max(1, round(size / 1024**2))} megabytes"


def _series(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# -- the steps --------------------------------------------------------------------------------


def best_match(results: Sequence[MediaItem], query: str, year: int | None) -> MediaItem | None:
    """The search result whose title is the query (and year, if given), else the first."""
    if not results:
        return None
    wanted = words(query)
    exact = [item for item in results if words(item.title) == wanted]
    if year is not None:
        same_year = [item for item in exact if item.year == year]
        exact = same_year or exact
    return exact[0] if exact else results[0]


async def _async_resolve(
    hass: HomeAssistant, entry: PandoraConfigEntry, call: ServiceCall
) -> MediaDetails | None:
    """Find the title on TMDB (``None``: no match)."""
    query: str | None = call.data.get(ATTR_QUERY)
    media_type: MediaType | None = call.data.get(ATTR_MEDIA_TYPE)
    async with upstream_errors(hass, entry):
        try:
            if query is not None:
                page = await async_cached_search(
                    entry, query, media_type=media_type or "multi", year=call.data.get(ATTR_YEAR)
                )
                found = best_match(page.results, query, call.data.get(ATTR_YEAR))
                if found is None:
                    return None
                media_type, tmdb_id = found.media_type, found.tmdb_id
            else:
                tmdb_id = call.data[ATTR_TMDB_ID]
            assert media_type is not None
            return await async_cached_details(entry, media_type, tmdb_id)
        except ResponseError as err:
            if err.status == 404:
                return None
            raise


@dataclass(slots=True)
class Streaming:
    """What Watchmode said: the user's services it streams on, or why it was not asked."""

    on: list[str]
    note: str | None = None


def my_services(entry: PandoraConfigEntry) -> set[str]:
    """The user's services of a Watchmode entry, folded for comparing."""
    raw = entry.options.get(CONF_MY_SERVICES, [])
    values = [raw] if isinstance(raw, str | int) else raw if isinstance(raw, list) else []
    return {str(value).strip().casefold() for value in values if str(value).strip()}


def streams_on(sources: Sequence[StreamingSource], services: set[str]) -> list[str]:
    """Names of the user's services among ``sources`` (subscription, free, TV provider)."""
    names: list[str] = []
    for source in sources:
        if source.type not in STREAMING_TYPES:
            continue
        mine = source.name.casefold() in services or str(source.source_id) in services
        if mine and source.name not in names:
            names.append(source.name)
    return names


async def _async_streaming(entry: PandoraConfigEntry | None, media: MediaDetails) -> Streaming:
    """Ask Watchmode where the title streams; failures become a note, not an error."""
    if entry is None:
        return Streaming(on=[])
    services = my_services(entry)
    if not services:
        return Streaming(
            on=[],
            note=f"No streaming services are set in the options of {entry.title}, "
            "so I did not check where it streams.",
        )
    try:
        # cached: Watchmode's free quota is small
        sources = await async_cached_sources(entry, f"{media.media_type}-{media.tmdb_id}")
    except ResponseError as err:
        if err.status == 404:
            return Streaming(on=[])
        return Streaming(on=[], note=f"I could not ask Watchmode: {err.message}")
    except PandoraError as err:
        LOGGER.debug("Watchmode check failed for %s: %s", media.title, err.message)
        return Streaming(on=[], note=f"I could not ask Watchmode: {err.message}")
    return Streaming(on=streams_on(sources, services))


def named_after(result: TorrentResult, title: str) -> bool:
    """Whether a release name starts with the title (not just contains its words)."""
    wanted = words(title)
    if not wanted:
        return True
    parsed = parse_release(result.title).title
    for name in (parsed, result.title):
        if name is not None and words(name)[: len(wanted)] == wanted:
            return True
    return False


@dataclass(slots=True)
class Search:
    """The Jackett step: how many releases were found and how they ranked."""

    found: int
    best: RankedResult | None
    rejection: Rejection | None


def season_pack(result: TorrentResult, season: int) -> bool:
    """Whether a release is a pack of ``season`` (not one of its episodes)."""
    release = parse_release(result.title)
    return release.season == season and release.episode is None


async def _async_search(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    media: MediaDetails,
    quality: str,
    season: int | None = None,
) -> Search:
    """Search Jackett for the title (a show's ``season`` as a pack) and rank what it found."""
    client = entry_client(entry, JackettClient)
    category: Literal["movies", "tv"] = "movies" if media.media_type == "movie" else "tv"
    year = media.year if media.media_type == "movie" else None
    if media.media_type != "tv":
        season = None
    query = f"{media.title} {year}" if year else media.title
    if season is not None:
        query = f"{media.title} S{season:02d}"
    async with upstream_errors(hass, entry):
        answer = await client.async_search(query, categories=[CATEGORY_IDS[category]])
    results = list(answer.results)
    if season is not None:
        results = [result for result in results if season_pack(result, season)]
    own = [result for result in results if named_after(result, media.title)]
    prefs = Preferences.from_options(entry.options)
    if quality != "any":
        prefs = prefs.prefer_resolution(quality)
    ranking = rank_with_rejections(own or results, prefs, category=category, year=year)
    best = ranking.results[0] if ranking.results else None
    return Search(found=len(results), best=best, rejection=ranking.main_rejection)


def release_response(ranked: RankedResult) -> dict[str, Any]:
    """The chosen release in the response (never Jackett's link: it carries the key)."""
    result, release = ranked.result, ranked.release
    return {
        "title": result.title,
        "indexer": result.indexer,
        "size": result.size,
        "seeders": result.seeders,
        "leechers": result.leechers,
        "info_hash": result.info_hash,
        "magnet_url": result.magnet_url,
        "resolution": release.resolution,
        "source": release.source,
        "codec": release.codec,
        "published": result.published.isoformat() if result.published else None,
        "score": ranked.score,
        "reasons": list(ranked.reasons),
    }


_SOURCE_WORDS: Final = {
    "remux": "Remux",
    "bluray": "BluRay",
    "web-dl": "WEB-DL",
    "webrip": "WEBRip",
    "hdtv": "HDTV",
    "dvd": "DVD",
}


def describe_release(ranked: RankedResult) -> str:
    """``1080p BluRay, 8.2 gigabytes, 120 seeders on 1337x``: a release in words."""
    result, release = ranked.result, ranked.release
    source = _SOURCE_WORDS.get(release.source or "", release.source)
    quality = " ".join(part for part in (release.resolution, source) if part)
    seeders = result.seeders or 0
    parts = [
        quality,
        spoken_size(result.size),
        "1 seeder" if seeders == 1 else f"{seeders} seeders",
    ]
    text = ", ".join(part for part in parts if part)
    return f"{text} on {result.indexer}" if result.indexer else text


# -- the action -------------------------------------------------------------------------------


def _check_input(call: ServiceCall) -> None:
    """Exactly one of ``query`` or ``tmdb_id`` (with ``media_type``); each miss says which."""
    query = call.data.get(ATTR_QUERY)
    tmdb_id = call.data.get(ATTR_TMDB_ID)
    if query is not None and not query.strip():
        query = None
    if query is None and tmdb_id is None:
        raise invalid("download_media_nothing")
    if query is not None and tmdb_id is not None:
        raise invalid("download_media_what")
    if tmdb_id is not None and call.data.get(ATTR_MEDIA_TYPE) is None:
        raise invalid("download_media_no_type")


async def async_download_media(hass: HomeAssistant, call: ServiceCall) -> dict[str, Any]:
    """Run the pipeline for one call (see the module docstring)."""
    _check_input(call)
    entries = resolve_entries(hass, call)
    response: dict[str, Any] = {
        "added": False,
        "reason": None,
        "message": "",
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

    def stop(reason: str, message: str) -> dict[str, Any]:
        response["reason"] = reason
        response["message"] = message
        return response

    media = await _async_resolve(hass, entries.tmdb, call)
    if media is None:
        kind = "film" if call.data.get(ATTR_MEDIA_TYPE) == "movie" else "show"
        what = call.data.get(ATTR_QUERY) or (
            f"the {kind} with TMDB id {call.data.get(ATTR_TMDB_ID)}"
        )
        return stop("no_match", f"I could not find {what.strip()} on TMDB.")
    name = label(media.title, media.year)
    response.update(
        title=media.title,
        year=media.year,
        tmdb_id=media.tmdb_id,
        media_type=media.media_type,
        imdb_id=media.imdb_id,
    )

    if call.data[ATTR_SKIP_IF_STREAMING]:
        streaming = await _async_streaming(entries.watchmode, media)
        if streaming.note:
            response["notes"].append(streaming.note)
        if streaming.on:
            response["streaming_on"] = streaming.on
            return stop(
                "already_streaming",
                f"{name} is already streaming on {_series(streaming.on)}, so I did not "
                "download it.",
            )

    search = await _async_search(
        hass, entries.jackett, media, call.data[ATTR_QUALITY], call.data.get(ATTR_SEASON)
    )
    if search.best is None:
        if search.found == 0 or search.rejection is None:
            return stop("no_release", f"I found no release of {name}.")
        count = "one release" if search.found == 1 else f"{search.found} releases"
        return stop(
            search.rejection.value,
            f"I found {count} of {name}, but {search.rejection.phrase}.",
        )
    best = search.best
    response["release"] = release_response(best)
    described = describe_release(best)

    if entries.qbittorrent is None:
        return stop(
            "no_qbittorrent",
            f"The best release of {name} is {described}, but no qBittorrent is set up "
            "to download it.",
        )
    qbittorrent = entries.qbittorrent
    category = (
        call.data.get(ATTR_CATEGORY)
        or qbittorrent.options.get(
            CONF_MOVIE_CATEGORY if media.media_type == "movie" else CONF_TV_CATEGORY
        )
        or (DEFAULT_MOVIE_CATEGORY if media.media_type == "movie" else DEFAULT_TV_CATEGORY)
    )
    response["category"] = category
    url = best.result.magnet_url or best.result.link
    assert url is not None  # the ranking drops results without either
    try:
        added = await async_add_torrent(
            qbittorrent, url, category=category, save_path=None, tags=[TAG], paused=False
        )
    except ServiceValidationError as err:
        if err.translation_key != "torrent_already_present":
            raise
        response["hash"] = best.result.info_hash
        return stop("already_downloading", f"{qbittorrent.title} already has {name}: {described}.")
    response["hash"] = added.get("hash")
    response["added"] = True
    return stop("added", f"Downloading {name}: {described}.")


def async_register_download_media(hass: HomeAssistant) -> None:
    """Register ``download_media`` (called from ``services.py``)."""

    async def download_media(call: ServiceCall) -> ServiceResponse:
        """Resolve, check, search, rank and add; answer what happened."""
        response = await async_download_media(hass, call)
        return response if call.return_response else None

    hass.services.async_register(
        DOMAIN,
        SERVICE_DOWNLOAD_MEDIA,
        download_media,
        schema=DOWNLOAD_MEDIA_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
