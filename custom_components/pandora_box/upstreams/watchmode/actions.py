"""Watchmode in Home Assistant: the ``get_streaming_sources`` action and the options.

``get_streaming_sources`` takes ``tmdb_id`` + ``media_type`` or ``imdb_id``
(exactly one of the two ways) and ``regions`` (two-letter codes; default the
entry's region) and answers ``{"sources": [{"name", "type", "format",
"price", "web_url", "region"}]}``.  Watchmode's one row per format is
collapsed per service, type and region (best format, at that format's price), and its
types are named for people: ``sub`` → ``subscription``, ``purchase``/``buy``
→ ``buy``; ``free``, ``rent`` and ``tve`` (with a TV provider) stay.  A
title Watchmode does not know streams nowhere: an empty list.

Watchmode needs no coordinator and no entities: a free key has about a
thousand calls a month, and a poll would spend them.  Answers are cached per
entry (``upstreams/cache.py``, ``cache_ttl`` option, one hour by default); a
used-up quota is the translated ``watchmode_quota`` error, a rate limit
that outlasts the retries ``rate_limited``.

The options flow also holds ``my_services``, the services the user
subscribes to, which ``download_media`` (``media/download.py``) reads to decide
whether a title already streams for the user.

Other modules use :func:`async_streaming_sources` (translated errors,
JSON-safe dicts) or ``cache.async_cached_sources`` (client errors,
dataclasses).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
import re
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
import homeassistant.helpers.config_validation as cv
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio as vol

from ...api.errors import RateLimitedError, ResponseError
from ...api.watchmode import StreamingSource, WatchmodeQuotaError, deduplicate_sources
from ...const import DOMAIN, Kind
from ...coordinator import PandoraConfigEntry
from ...helpers import EntryResolver, invalid, upstream_errors
from ...validation import form_number, has_control_character, valid_name, whole_number
from ..cache import CONF_CACHE_TTL, DEFAULT_CACHE_TTL_MIN, async_cached_sources
from ..tmdb import cache_ttl_selector, valid_media_type, valid_tmdb_id

SERVICE_GET_STREAMING_SOURCES: Final = "get_streaming_sources"
ATTR_TMDB_ID: Final = "tmdb_id"
ATTR_MEDIA_TYPE: Final = "media_type"
ATTR_IMDB_ID: Final = "imdb_id"
ATTR_REGIONS: Final = "regions"

CONF_MY_SERVICES: Final = "my_services"
"""The services the user subscribes to (names or Watchmode source ids); ``media/download.py``."""

MAX_REGIONS: Final = 10
MAX_MY_SERVICES: Final = 50
"""Most services the options take (Watchmode knows a few hundred sources in all)."""
_IMDB_RE: Final = re.compile(r"^tt\d{1,10}$")
_REGION_RE: Final = re.compile(r"^[A-Z]{2}$")

SOURCE_TYPES: Final[dict[str, str]] = {
    "sub": "subscription",
    "free": "free",
    "purchase": "buy",
    "buy": "buy",
    "rent": "rent",
    "tve": "tve",
}
"""Watchmode's source types → the names our answers use."""

STREAMING_SOURCES_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_TMDB_ID): whole_number,
    vol.Optional(ATTR_MEDIA_TYPE): vol.In(("movie", "tv")),
    vol.Optional(ATTR_IMDB_ID): cv.string,
    vol.Optional(ATTR_REGIONS): vol.All(cv.ensure_list_csv, [cv.string]),
}
"""Types only; combinations and shapes are checked by ``title_id`` with translated errors."""


def title_id(
    *, tmdb_id: Any = None, media_type: str | None = None, imdb_id: str | None = None
) -> str:
    """Watchmode's title id for a TMDB id with its type (``movie-603``) or an IMDb id."""
    if (tmdb_id is None) == (imdb_id is None) or (tmdb_id is not None and media_type is None):
        raise invalid("watchmode_which_title")
    if imdb_id is not None:
        text = imdb_id.strip()
        if not _IMDB_RE.match(text):
            raise invalid("watchmode_invalid_imdb_id", imdb_id=text[:50])
        return text
    number = valid_tmdb_id(tmdb_id)
    return f"{valid_media_type(media_type)}-{number}"


def regions_of(regions: Sequence[str] | None) -> list[str] | None:
    """The call's regions upper-cased (``None``: the entry's), or a translated error."""
    if not regions:
        return None
    wanted = list(dict.fromkeys(r.strip().upper() for r in regions if r.strip()))
    if not wanted:
        return None
    if len(wanted) > MAX_REGIONS or not all(_REGION_RE.match(r) for r in wanted):
        raise invalid(
            "watchmode_invalid_regions",
            regions=", ".join(regions)[:100],
            max=str(MAX_REGIONS),
        )
    return wanted


def source_response(source: StreamingSource) -> dict[str, Any]:
    """One way to watch a title, as the action answers it."""
    return {
        "name": source.name,
        "type": SOURCE_TYPES.get(source.type.lower(), source.type.lower()),
        "format": source.format,
        "price": source.price,
        "web_url": source.web_url,
        "region": source.region,
    }


@asynccontextmanager
async def watchmode_errors(hass: HomeAssistant, entry: PandoraConfigEntry) -> AsyncIterator[None]:
    """Translate client errors of Watchmode reads: quota and rate limit first."""
    async with upstream_errors(hass, entry):
        try:
            yield
        except WatchmodeQuotaError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="watchmode_quota",
                translation_placeholders={"title": entry.title},
            ) from err
        except RateLimitedError as err:
            seconds = "?" if err.retry_after is None else str(err.retry_after)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"title": entry.title, "seconds": seconds},
            ) from err


async def async_streaming_sources(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    *,
    tmdb_id: int | None = None,
    media_type: str | None = None,
    imdb_id: str | None = None,
    regions: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Where a title streams, rents or sells (cached); translated errors.

    Give ``tmdb_id`` with ``media_type`` (``movie``/``tv``), or ``imdb_id``.
    A title Watchmode does not know gives an empty list.
    """
    wanted_id = title_id(tmdb_id=tmdb_id, media_type=media_type, imdb_id=imdb_id)
    wanted_regions = regions_of(regions)
    async with watchmode_errors(hass, entry):
        try:
            rows = await async_cached_sources(entry, wanted_id, wanted_regions)
        except ResponseError as err:
            if err.status != 404 or isinstance(err, WatchmodeQuotaError):
                raise
            rows = []
    return [source_response(source) for source in deduplicate_sources(rows)]


def async_register_watchmode_actions(
    hass: HomeAssistant, base_schema: vol.Schema, get_entry: EntryResolver
) -> None:
    """Register ``get_streaming_sources`` (``services.py`` passes its schema and resolver)."""

    async def get_streaming_sources(call: ServiceCall) -> ServiceResponse:
        """Where the title streams, for the call's regions or the entry's."""
        data = call.data
        title_id(  # validate before resolving the entry
            tmdb_id=data.get(ATTR_TMDB_ID),
            media_type=data.get(ATTR_MEDIA_TYPE),
            imdb_id=data.get(ATTR_IMDB_ID),
        )
        regions = regions_of(data.get(ATTR_REGIONS))
        entry = get_entry(hass, call, Kind.WATCHMODE)
        sources = await async_streaming_sources(
            hass,
            entry,
            tmdb_id=data.get(ATTR_TMDB_ID),
            media_type=data.get(ATTR_MEDIA_TYPE),
            imdb_id=data.get(ATTR_IMDB_ID),
            regions=regions,
        )
        response: dict[str, Any] = {"sources": sources}
        return response

    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_STREAMING_SOURCES,
        get_streaming_sources,
        schema=base_schema.extend(STREAMING_SOURCES_FIELDS),
        supports_response=SupportsResponse.ONLY,
    )


# -- options flow ------------------------------------------------------------------------

STEP_WATCHMODE: Final = "watchmode"


def _services_selector() -> SelectSelector:
    """Free-text list of service names (``Netflix``) or Watchmode source ids (``203``)."""
    return SelectSelector(
        SelectSelectorConfig(
            options=[], multiple=True, custom_value=True, mode=SelectSelectorMode.DROPDOWN
        )
    )


class WatchmodeOptionsFlow(OptionsFlow):
    """Cache lifetime and the user's services of a Watchmode entry (no reload needed)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Go to the Watchmode form (its own step id, so its strings are its own)."""
        return await self.async_step_watchmode()

    async def async_step_watchmode(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            ttl = form_number(user_input[CONF_CACHE_TTL], whole=True)
            if ttl is None:
                errors[CONF_CACHE_TTL] = "invalid_number"  # NaN or a fraction
            given = [str(s) for s in user_input.get(CONF_MY_SERVICES, [])]
            services = list(dict.fromkeys(s.strip() for s in given if s.strip()))
            if (
                len(services) > MAX_MY_SERVICES
                or not all(map(valid_name, services))
                or any(map(has_control_character, given))  # stripping would hide it
            ):
                errors[CONF_MY_SERVICES] = "invalid_services"
            if ttl is not None and not errors:
                return self.async_create_entry(
                    data={
                        **self.config_entry.options,
                        CONF_CACHE_TTL: int(ttl),
                        CONF_MY_SERVICES: services,
                    }
                )
        schema = vol.Schema(
            {
                vol.Required(CONF_CACHE_TTL): cache_ttl_selector(),
                vol.Optional(CONF_MY_SERVICES): _services_selector(),
            }
        )
        options = self.config_entry.options
        current = {
            CONF_CACHE_TTL: options.get(CONF_CACHE_TTL, DEFAULT_CACHE_TTL_MIN),
            CONF_MY_SERVICES: list(options.get(CONF_MY_SERVICES, [])),
        }
        return self.async_show_form(
            step_id=STEP_WATCHMODE,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or current),
            errors=errors,
        )
