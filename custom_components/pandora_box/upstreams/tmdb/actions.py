"""TMDB in Home Assistant: the discovery actions, dashboard-card shaping, the options.

Actions (``SupportsResponse.ONLY``, ``config_entry_id`` optional with one
TMDB entry): ``search_media``, ``get_trending``, ``get_popular``,
``get_upcoming``, ``get_on_the_air`` answer ``{"results": [...], "page",
"total_pages", "total_results"}``; ``get_media_details`` answers ``{"item":
{...}}``.  Every item has the media-item shape of ``MISSION.md``
(``tmdb_id``, ``media_type``, ``title``, ``year``, ``overview``, ``rating``,
``genres``, ``poster_url``, ``backdrop_url``, plus ``release_date`` and a
``link`` to the title's TMDB page); details add ``imdb_id``, ``runtime``,
``status`` and ``number_of_seasons``.  Images are full URLs, texts and genre
names in the entry's language, lists in its region.

Answers come through the entry's cache (``upstreams/cache.py``: one hour by
default, the ``cache_ttl`` option; 429 retried after ``Retry-After`` within
a bound).  Errors: bad input is a translated ``ServiceValidationError``
before any request; a title TMDB does not have is ``tmdb_not_found``; a
rate limit that outlasts the retries is ``rate_limited``; everything else
goes through ``helpers.upstream_errors``.

Other modules (``download_media``) use :func:`async_media_details` and
:func:`async_search` (translated errors, JSON-safe dicts) or the cached reads
of ``upstreams/cache.py`` (client errors, dataclasses).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
import homeassistant.helpers.config_validation as cv
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import probatio as vol

from ...api.errors import RateLimitedError, ResponseError
from ...api.tmdb import MAX_PAGE, MediaDetails, MediaItem, MediaPage, MediaType, SearchType
from ...const import DOMAIN, Kind
from ...coordinator import PandoraConfigEntry
from ...helpers import EntryResolver, invalid, upstream_errors
from ...validation import form_number, whole_number
from ..cache import (
    CONF_CACHE_TTL,
    DEFAULT_CACHE_TTL_MIN,
    MAX_CACHE_TTL_MIN,
    async_cached_details,
    async_cached_list,
    async_cached_search,
)
from .watchlist import Phase, describe, watchlist_of

SERVICE_SEARCH_MEDIA: Final = "search_media"
SERVICE_GET_TRENDING: Final = "get_trending"
SERVICE_GET_POPULAR: Final = "get_popular"
SERVICE_GET_UPCOMING: Final = "get_upcoming"
SERVICE_GET_ON_THE_AIR: Final = "get_on_the_air"
SERVICE_GET_MEDIA_DETAILS: Final = "get_media_details"
SERVICE_ADD_TO_WATCHLIST: Final = "add_to_watchlist"

ATTR_QUERY: Final = "query"
ATTR_MEDIA_TYPE: Final = "media_type"
ATTR_YEAR: Final = "year"
ATTR_PAGE: Final = "page"
ATTR_TIME_WINDOW: Final = "time_window"
ATTR_TMDB_ID: Final = "tmdb_id"

MAX_QUERY_LENGTH: Final = 200
MIN_YEAR: Final = 1870
MAX_YEAR: Final = 2100
MAX_TMDB_ID: Final = 2**31 - 1

TMDB_WEB: Final = "https://www.themoviedb.org"
"""Where a title's page is: ``{TMDB_WEB}/{movie|tv}/{id}``."""


# Types only; ranges and shapes are checked by the helpers below, with translated errors.
SEARCH_MEDIA_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Required(ATTR_QUERY): cv.string,
    vol.Optional(ATTR_MEDIA_TYPE, default="multi"): vol.In(("multi", "movie", "tv")),
    vol.Optional(ATTR_YEAR): whole_number,
    vol.Optional(ATTR_PAGE, default=1): whole_number,
}
TRENDING_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_MEDIA_TYPE, default="all"): vol.In(("all", "movie", "tv")),
    vol.Optional(ATTR_TIME_WINDOW, default="day"): vol.In(("day", "week")),
    vol.Optional(ATTR_PAGE, default=1): whole_number,
}
POPULAR_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_MEDIA_TYPE, default="movie"): vol.In(("movie", "tv")),
    vol.Optional(ATTR_PAGE, default=1): whole_number,
}
PAGE_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_PAGE, default=1): whole_number,
}
WATCHLIST_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_QUERY): cv.string,
    vol.Optional(ATTR_TMDB_ID): whole_number,
    vol.Optional(ATTR_MEDIA_TYPE): vol.In(("movie", "tv")),
}
DETAILS_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Required(ATTR_MEDIA_TYPE): vol.In(("movie", "tv")),
    vol.Required(ATTR_TMDB_ID): whole_number,
}


# -- response shapes ---------------------------------------------------------------------


def tmdb_link(media_type: str, tmdb_id: int) -> str:
    """The title's page on themoviedb.org."""
    return f"{TMDB_WEB}/{media_type}/{tmdb_id}"


def item_response(item: MediaItem) -> dict[str, Any]:
    """A film or show in the media-item shape of ``MISSION.md`` (JSON-safe)."""
    return {
        "tmdb_id": item.tmdb_id,
        "media_type": item.media_type,
        "title": item.title,
        "year": item.year,
        "overview": item.overview,
        "rating": item.rating,
        "genres": list(item.genres),
        "poster_url": item.poster_url,
        "backdrop_url": item.backdrop_url,
        "release_date": item.release_date,
        "link": tmdb_link(item.media_type, item.tmdb_id),
    }


def details_response(details: MediaDetails) -> dict[str, Any]:
    """A film or show with its details (IMDb id, runtime, status, seasons)."""
    return {
        **item_response(details),
        "imdb_id": details.imdb_id,
        "runtime": details.runtime,
        "status": details.status,
        "number_of_seasons": details.number_of_seasons,
    }


def page_response(page: MediaPage) -> dict[str, Any]:
    """A list page as the list actions answer it."""
    return {
        "results": [item_response(item) for item in page.results],
        "page": page.page,
        "total_pages": page.total_pages,
        "total_results": page.total_results,
    }


UPCOMING_MEDIA_CARD_DEFAULTS: Final[dict[str, str]] = {
    "title_default": "$title",
    "line1_default": "$release",
    "line2_default": "$genres",
    "line3_default": "$rating",
    "line4_default": "$empty",
    "icon": "mdi:movie-open-star",
}
"""Element 0 of the ``data`` attribute: upcoming-media-card's line templates."""


def card_item(item: MediaItem) -> dict[str, Any]:
    """One title as upcoming-media-card (and similar cards) read it.

    ``airdate`` is the release date (the card skips items without one),
    ``poster``/``fanart`` full image URLs, ``genres`` a comma list,
    ``deep_link`` the TMDB page; ``tmdb_id``/``media_type``/``year`` are for
    templates and automations.
    """
    return {
        "tmdb_id": item.tmdb_id,
        "media_type": item.media_type,
        "title": item.title,
        "year": item.year,
        "airdate": item.release_date,
        "release": item.release_date,
        # TMDB says 0 for a title nobody has rated yet (most upcoming films).
        "rating": round(item.rating, 1) if item.rating else None,
        "genres": ", ".join(item.genres),
        "poster": item.poster_url,
        "fanart": item.backdrop_url or item.poster_url,
        "deep_link": tmdb_link(item.media_type, item.tmdb_id),
        "flag": False,
    }


def card_attributes(items: tuple[MediaItem, ...]) -> dict[str, Any]:
    """The ``data`` list of upcoming-media-card: templates first, then the titles."""
    return {"data": [dict(UPCOMING_MEDIA_CARD_DEFAULTS), *map(card_item, items)]}


# -- errors and validation ---------------------------------------------------------------


@asynccontextmanager
async def tmdb_errors(
    hass: HomeAssistant, entry: PandoraConfigEntry, *, what: str | None = None
) -> AsyncIterator[None]:
    """Translate client errors of TMDB reads: not found and rate limits first."""
    async with upstream_errors(hass, entry):
        try:
            yield
        except RateLimitedError as err:
            seconds = "?" if err.retry_after is None else str(err.retry_after)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"title": entry.title, "seconds": seconds},
            ) from err
        except ResponseError as err:
            if err.status != 404 or what is None:
                raise
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="tmdb_not_found",
                translation_placeholders={"title": entry.title, "what": what},
            ) from err


def _page(data: dict[str, Any]) -> int:
    """The call's page, or a translated error."""
    page: int = data.get(ATTR_PAGE, 1)
    if not 1 <= page <= MAX_PAGE:
        raise invalid("tmdb_invalid_page", max=str(MAX_PAGE))
    return page


def _query(data: dict[str, Any]) -> str:
    """The call's search text, or a translated error."""
    query = " ".join(str(data[ATTR_QUERY]).split())
    if not query or len(query) > MAX_QUERY_LENGTH:
        raise invalid("tmdb_invalid_query", max=str(MAX_QUERY_LENGTH))
    return query


def _year(data: dict[str, Any]) -> int | None:
    """The call's year, or a translated error."""
    year: int | None = data.get(ATTR_YEAR)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise invalid("tmdb_invalid_year", min=str(MIN_YEAR), max=str(MAX_YEAR))
    return year


def valid_tmdb_id(value: Any) -> int:
    """A TMDB id, or a translated error."""
    try:
        tmdb_id = int(value)
    except TypeError, ValueError:
        tmdb_id = 0
    if not 1 <= tmdb_id <= MAX_TMDB_ID:
        raise invalid("tmdb_invalid_id", tmdb_id=str(value)[:50])
    return tmdb_id


def valid_media_type(value: Any) -> MediaType:
    """``movie`` or ``tv``, or a translated error."""
    if value == "movie":
        return "movie"
    if value == "tv":
        return "tv"
    raise invalid("tmdb_invalid_media_type", media_type=str(value)[:50])


def _what(media_type: str, tmdb_id: int) -> str:
    """How a not-found title is named in the error."""
    return f"{'film' if media_type == 'movie' else 'show'} {tmdb_id}"


# -- reads for actions and other modules -------------------------------------------------


async def async_search(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    query: str,
    *,
    media_type: str = "multi",
    year: int | None = None,
    page: int = 1,
) -> dict[str, Any]:
    """Search TMDB (cached); ``{"results": [...], "page", ...}``; translated errors."""
    data = {ATTR_QUERY: query, ATTR_YEAR: year, ATTR_PAGE: page}
    text, year, page = _query(data), _year(data), _page(data)
    kind: SearchType = "multi" if media_type == "multi" else valid_media_type(media_type)
    async with tmdb_errors(hass, entry):
        result = await async_cached_search(entry, text, media_type=kind, year=year, page=page)
    return page_response(result)


async def async_media_details(
    hass: HomeAssistant, entry: PandoraConfigEntry, media_type: str, tmdb_id: int
) -> dict[str, Any]:
    """One title's details (cached) as a media item; translated errors."""
    kind, number = valid_media_type(media_type), valid_tmdb_id(tmdb_id)
    async with tmdb_errors(hass, entry, what=_what(kind, number)):
        details = await async_cached_details(entry, kind, number)
    return details_response(details)


async def async_list(
    hass: HomeAssistant, entry: PandoraConfigEntry, name: str, page: int = 1
) -> dict[str, Any]:
    """One page of a TMDB list (``cache.ListName``), cached; translated errors."""
    async with tmdb_errors(hass, entry):
        result = await async_cached_list(entry, name, page)
    return page_response(result)


async def async_add_to_watchlist(
    hass: HomeAssistant, entry: PandoraConfigEntry, data: dict[str, Any]
) -> dict[str, Any]:
    """Add a title to the entry's watchlist; answer what happened in a spoken sentence.

    ``{"added", "reason" (added/ambiguous/not_found/already_listed), "message",
    "item"}``.  Exactly one of ``query`` or ``tmdb_id`` with ``media_type``.
    """
    query = " ".join(str(data.get(ATTR_QUERY) or "").split()) or None
    tmdb_id = data.get(ATTR_TMDB_ID)
    if (query is None) == (tmdb_id is None) or (
        tmdb_id is not None and data.get(ATTR_MEDIA_TYPE) is None
    ):
        raise invalid("watchlist_what")
    watchlist = watchlist_of(entry)
    if query is not None:
        if len(query) > MAX_QUERY_LENGTH:
            raise invalid("tmdb_invalid_query", max=str(MAX_QUERY_LENGTH))
        async with tmdb_errors(hass, entry):
            outcome, item = await watchlist.async_add(query)
    else:
        kind, number = valid_media_type(data[ATTR_MEDIA_TYPE]), valid_tmdb_id(tmdb_id)
        async with tmdb_errors(hass, entry, what=_what(kind, number)):
            outcome, item = await watchlist.async_add(tmdb_id=number, media_type=kind)
    state = describe(item)
    if outcome == "already_listed":
        reason, message = "already_listed", f"{item.label} is already on the watchlist. {state}"
    elif item.phase is Phase.UNRESOLVED:
        reason = "ambiguous" if item.note and item.note.startswith("Several") else "not_found"
        message = f"I added “{item.summary}” to the watchlist, but it needs a fix. {state}"
    else:
        reason, message = "added", f"I added {item.label} to the watchlist. {state}"
    return {
        "added": outcome == "added",
        "reason": reason,
        "message": message,
        "item": item.response(),
    }


# -- registration ------------------------------------------------------------------------


def async_register_tmdb_actions(
    hass: HomeAssistant, base_schema: vol.Schema, get_entry: EntryResolver
) -> None:
    """Register the TMDB actions.

    ``base_schema`` and ``get_entry`` are ``services.py``'s ``ENTRY_SCHEMA``
    and ``async_get_entry``, passed in so this module does not import it back.
    """

    async def search_media(call: ServiceCall) -> ServiceResponse:
        """Search films and shows by title."""
        data = dict(call.data)
        text, year, page = _query(data), _year(data), _page(data)
        entry = get_entry(hass, call, Kind.TMDB)
        return await async_search(
            hass, entry, text, media_type=data[ATTR_MEDIA_TYPE], year=year, page=page
        )

    async def get_trending(call: ServiceCall) -> ServiceResponse:
        """Trending films and/or shows of the day or the week."""
        page = _page(dict(call.data))
        entry = get_entry(hass, call, Kind.TMDB)
        name = f"trending/{call.data[ATTR_MEDIA_TYPE]}/{call.data[ATTR_TIME_WINDOW]}"
        return await async_list(hass, entry, name, page)

    async def get_popular(call: ServiceCall) -> ServiceResponse:
        """Popular films or shows."""
        page = _page(dict(call.data))
        entry = get_entry(hass, call, Kind.TMDB)
        return await async_list(hass, entry, f"popular/{call.data[ATTR_MEDIA_TYPE]}", page)

    async def get_upcoming(call: ServiceCall) -> ServiceResponse:
        """Films coming to cinemas in the entry's region."""
        page = _page(dict(call.data))
        return await async_list(hass, get_entry(hass, call, Kind.TMDB), "upcoming", page)

    async def get_on_the_air(call: ServiceCall) -> ServiceResponse:
        """Shows with an episode in the next seven days."""
        page = _page(dict(call.data))
        return await async_list(hass, get_entry(hass, call, Kind.TMDB), "on_the_air", page)

    async def get_media_details(call: ServiceCall) -> ServiceResponse:
        """One title's details, with its IMDb id."""
        kind, number = (
            valid_media_type(call.data[ATTR_MEDIA_TYPE]),
            valid_tmdb_id(call.data[ATTR_TMDB_ID]),
        )
        entry = get_entry(hass, call, Kind.TMDB)
        return {"item": await async_media_details(hass, entry, kind, number)}

    async def add_to_watchlist(call: ServiceCall) -> ServiceResponse:
        """Put a title on the watchlist (resolved on TMDB, then monitored)."""
        entry = get_entry(hass, call, Kind.TMDB)
        response = await async_add_to_watchlist(hass, entry, dict(call.data))
        return response if call.return_response else None

    hass.services.async_register(
        DOMAIN,
        SERVICE_ADD_TO_WATCHLIST,
        add_to_watchlist,
        schema=base_schema.extend(WATCHLIST_FIELDS),
        supports_response=SupportsResponse.OPTIONAL,
    )
    for service, handler, fields in (
        (SERVICE_SEARCH_MEDIA, search_media, SEARCH_MEDIA_FIELDS),
        (SERVICE_GET_TRENDING, get_trending, TRENDING_FIELDS),
        (SERVICE_GET_POPULAR, get_popular, POPULAR_FIELDS),
        (SERVICE_GET_UPCOMING, get_upcoming, PAGE_FIELDS),
        (SERVICE_GET_ON_THE_AIR, get_on_the_air, PAGE_FIELDS),
        (SERVICE_GET_MEDIA_DETAILS, get_media_details, DETAILS_FIELDS),
    ):
        hass.services.async_register(
            DOMAIN,
            service,
            handler,
            schema=base_schema.extend(fields),
            supports_response=SupportsResponse.ONLY,
        )


# -- options flow ------------------------------------------------------------------------

STEP_TMDB: Final = "tmdb"


def cache_ttl_selector() -> NumberSelector:
    """The cache lifetime field (minutes; 0: no cache)."""
    return NumberSelector(
        NumberSelectorConfig(
            min=0,
            max=MAX_CACHE_TTL_MIN,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="min",
        )
    )


class TMDBOptionsFlow(OptionsFlow):
    """How long a TMDB entry keeps answers (applies from the next request, no reload)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Go to the TMDB form (its own step id, so its strings are its own)."""
        return await self.async_step_tmdb()

    async def async_step_tmdb(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the cache lifetime."""
        errors: dict[str, str] = {}
        if user_input is not None:
            ttl = form_number(user_input[CONF_CACHE_TTL], whole=True)
            if ttl is not None:
                return self.async_create_entry(
                    data={**self.config_entry.options, CONF_CACHE_TTL: int(ttl)}
                )
            errors[CONF_CACHE_TTL] = "invalid_number"  # NaN or a fraction
        schema = vol.Schema({vol.Required(CONF_CACHE_TTL): cache_ttl_selector()})
        current = {
            CONF_CACHE_TTL: self.config_entry.options.get(CONF_CACHE_TTL, DEFAULT_CACHE_TTL_MIN)
        }
        return self.async_show_form(
            step_id=STEP_TMDB,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or current),
            errors=errors,
        )


__all__ = [
    "TMDBOptionsFlow",
    "async_list",
    "async_media_details",
    "async_register_tmdb_actions",
    "async_search",
    "card_attributes",
    "details_response",
    "item_response",
]
