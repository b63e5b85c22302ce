"""Jackett in Home Assistant: the ``search_torrents`` action and the entry's preferences.

``search_torrents`` searches one indexer or all of them over Jackett's JSON
route (``JackettClient.async_search``), which reports a status per indexer:
an indexer that fails is listed under ``failed_indexers`` and does not fail
the search.  The results are de-duplicated, filtered and scored by
``ranking.rank_with_rejections`` with the entry's preferences (options flow
below), best first, cut to ``limit``.

Jackett's download links (``/dl/…?jackett_apikey=…``) carry the API key:
the response never holds one.  A result with a magnet link has no ``link``;
one without keeps its link with every key parameter removed
(``public_link``).

Bad input is a translated ``ServiceValidationError`` before any request;
upstream faults go through ``helpers.upstream_errors``; an indexer id Jackett
does not have is its own translated error.
"""

from __future__ import annotations

from dataclasses import replace
import re
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
import homeassistant.helpers.config_validation as cv
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio as vol

from ...api.errors import PermissionDeniedError, ResponseError
from ...api.jackett import JackettClient, TorrentResult
from ...const import DOMAIN, Kind
from ...coordinator import PandoraConfigEntry, entry_client
from ...helpers import EntryResolver, invalid, upstream_errors
from ...validation import form_number, whole_number
from .ranking import (
    CATEGORY_IDS,
    CODECS,
    OPT_ALLOWED_RESOLUTIONS,
    OPT_MAX_SIZE_MOVIES_GB,
    OPT_MAX_SIZE_TV_GB,
    OPT_MIN_SEEDERS,
    OPT_PREFERRED_CODECS,
    OPT_PREFERRED_RESOLUTIONS,
    OPT_PREFERRED_SOURCES,
    RESOLUTIONS,
    SOURCES,
    Category,
    Preferences,
    RankedResult,
    rank_with_rejections,
)

SERVICE_SEARCH_TORRENTS: Final = "search_torrents"
ATTR_QUERY: Final = "query"
ATTR_CATEGORY: Final = "category"
ATTR_INDEXER: Final = "indexer"
ATTR_MIN_SEEDERS: Final = "min_seeders"
ATTR_LIMIT: Final = "limit"

CATEGORIES: Final = ("all", "movies", "tv")
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100
MAX_QUERY_LENGTH: Final = 200
MAX_SEEDERS_FILTER: Final = 100_000

_INDEXER_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+,!-]{0,99}$")
"""Jackett indexer ids (``1337x``, ``thepiratebay``, filter ids ``tag:public``), or ``all``."""

SECRET_LINK_PARAMS: Final = frozenset({"apikey", "jackett_apikey", "passkey", "api_key"})
"""Query parameters of a download link that carry a key (compared case-insensitively)."""


SEARCH_TORRENTS_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Required(ATTR_QUERY): cv.string,
    vol.Optional(ATTR_CATEGORY, default="all"): vol.In(CATEGORIES),
    vol.Optional(ATTR_INDEXER, default="all"): cv.string,
    vol.Optional(ATTR_MIN_SEEDERS): whole_number,
    vol.Optional(ATTR_LIMIT, default=DEFAULT_LIMIT): whole_number,
}
"""Types only; ranges and shapes are checked by ``_validate`` with translated errors."""


def public_link(result: TorrentResult) -> str | None:
    """Return the result's download link fit to show: none when a magnet exists, no keys."""
    if result.magnet_url or not result.link:
        return None
    try:
        parts = urlsplit(result.link)
    except ValueError:
        return None
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in SECRET_LINK_PARAMS
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _validate(data: dict[str, Any]) -> tuple[str, str, int | None, int]:
    """Return (query, indexer, min_seeders, limit) or raise a translated error."""
    query = str(data[ATTR_QUERY]).strip()
    if not query or len(query) > MAX_QUERY_LENGTH:
        raise invalid("jackett_invalid_query", max=str(MAX_QUERY_LENGTH))
    indexer = str(data[ATTR_INDEXER]).strip() or "all"
    if not _INDEXER_RE.match(indexer):
        raise invalid("jackett_invalid_indexer", indexer=indexer[:100])
    min_seeders: int | None = data.get(ATTR_MIN_SEEDERS)
    if min_seeders is not None and not 0 <= min_seeders <= MAX_SEEDERS_FILTER:
        raise invalid("jackett_invalid_min_seeders", max=str(MAX_SEEDERS_FILTER))
    limit: int = data[ATTR_LIMIT]
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid("jackett_invalid_limit", max=str(MAX_LIMIT))
    return query, indexer, min_seeders, limit


def result_response(ranked: RankedResult) -> dict[str, Any]:
    """One ranked result as the action answers it (JSON-safe, no API key)."""
    result, release = ranked.result, ranked.release
    return {
        "title": result.title,
        "indexer": result.indexer,
        "size": result.size,
        "seeders": result.seeders,
        "leechers": result.leechers,
        "magnet_url": result.magnet_url,
        "link": public_link(result),
        "info_hash": result.info_hash,
        "category": result.category,
        "published": result.published.isoformat() if result.published else None,
        "resolution": release.resolution,
        "source": release.source,
        "codec": release.codec,
        "score": ranked.score,
        "reasons": list(ranked.reasons),
    }


async def async_search_torrents(
    hass: HomeAssistant, entry: PandoraConfigEntry, data: dict[str, Any]
) -> dict[str, Any]:
    """Run ``search_torrents`` on ``entry`` with the call's (schema-checked) data."""
    query, indexer, min_seeders, limit = _validate(data)
    client = entry_client(entry, JackettClient)
    wanted: str = data[ATTR_CATEGORY]
    category: Category | None = "movies" if wanted == "movies" else "tv" if wanted == "tv" else None
    categories = list(CATEGORY_IDS.values()) if category is None else [CATEGORY_IDS[category]]
    prefs = Preferences.from_options(entry.options)
    if min_seeders is not None:
        prefs = replace(prefs, min_seeders=min_seeders)
    async with upstream_errors(hass, entry):
        try:
            answer = await client.async_search(query, categories=categories, indexer=indexer)
        except ResponseError as err:
            if err.status != 404 or isinstance(err, PermissionDeniedError):
                raise  # a disabled indexer: upstream_errors names what to enable
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="jackett_unknown_indexer",
                translation_placeholders={"title": entry.title, "indexer": indexer},
            ) from err
    ranking = rank_with_rejections(answer.results, prefs, category=category)
    return {
        "results": [result_response(r) for r in ranking.results[:limit]],
        "found": len(answer.results),
        "rejected": {str(reason): count for reason, count in sorted(ranking.rejected.items())},
        "failed_indexers": [
            {"id": status.id, "name": status.name, "error": status.error}
            for status in answer.failed_indexers
        ],
    }


def async_register_jackett_actions(
    hass: HomeAssistant, base_schema: vol.Schema, get_entry: EntryResolver
) -> None:
    """Register ``search_torrents``.

    ``base_schema`` and ``get_entry`` are ``services.py``'s ``ENTRY_SCHEMA``
    and ``async_get_entry``, passed in so this module does not import it back.
    """

    async def search_torrents(call: ServiceCall) -> ServiceResponse:
        """Search the Jackett entry the call names (or the only one)."""
        entry = get_entry(hass, call, Kind.JACKETT)
        return await async_search_torrents(hass, entry, dict(call.data))

    hass.services.async_register(
        DOMAIN,
        SERVICE_SEARCH_TORRENTS,
        search_torrents,
        schema=base_schema.extend(SEARCH_TORRENTS_FIELDS),
        supports_response=SupportsResponse.ONLY,
    )


# -- options flow ------------------------------------------------------------------------

STEP_JACKETT: Final = "jackett"
MAX_SIZE_GB: Final = 1000
MAX_MIN_SEEDERS: Final = 10_000


def _multi(options: tuple[str, ...], translation_key: str | None = None) -> SelectSelector:
    """A multiple-choice selector over ``options`` (kept in the order chosen)."""
    config = SelectSelectorConfig(
        options=list(options), multiple=True, mode=SelectSelectorMode.DROPDOWN
    )
    if translation_key is not None:
        config["translation_key"] = translation_key
    return SelectSelector(config)


def _size() -> NumberSelector:
    """A size in GB (0: no limit)."""
    return NumberSelector(
        NumberSelectorConfig(
            min=0,
            max=MAX_SIZE_GB,
            step=0.5,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="GB",
        )
    )


def _options_schema() -> vol.Schema:
    """The preference fields of a Jackett entry."""
    return vol.Schema(
        {
            vol.Required(OPT_PREFERRED_RESOLUTIONS): _multi(RESOLUTIONS),
            vol.Required(OPT_ALLOWED_RESOLUTIONS): _multi(RESOLUTIONS),
            vol.Required(OPT_MIN_SEEDERS): NumberSelector(
                NumberSelectorConfig(
                    min=0, max=MAX_MIN_SEEDERS, step=1, mode=NumberSelectorMode.BOX
                )
            ),
            vol.Required(OPT_MAX_SIZE_MOVIES_GB): _size(),
            vol.Required(OPT_MAX_SIZE_TV_GB): _size(),
            vol.Optional(OPT_PREFERRED_SOURCES): _multi(SOURCES, "release_source"),
            vol.Optional(OPT_PREFERRED_CODECS): _multi(CODECS),
        }
    )


def options_from_input(user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the options to store (normalised through ``Preferences``) and form errors."""
    errors: dict[str, str] = {}
    if not user_input.get(OPT_ALLOWED_RESOLUTIONS):
        errors[OPT_ALLOWED_RESOLUTIONS] = "no_resolution_allowed"
    elif not set(user_input.get(OPT_PREFERRED_RESOLUTIONS) or ()) <= set(
        user_input[OPT_ALLOWED_RESOLUTIONS]
    ):
        errors[OPT_PREFERRED_RESOLUTIONS] = "preferred_not_allowed"
    min_seeders = form_number(user_input[OPT_MIN_SEEDERS], whole=True)
    if min_seeders is None:
        errors[OPT_MIN_SEEDERS] = "invalid_number"  # NaN or a fraction
    for key in (OPT_MAX_SIZE_MOVIES_GB, OPT_MAX_SIZE_TV_GB):
        if form_number(user_input[key]) is None:
            errors[key] = "invalid_number"  # NaN
    if errors or min_seeders is None:
        return {}, errors
    given = {
        OPT_PREFERRED_SOURCES: [],
        OPT_PREFERRED_CODECS: [],
        **user_input,
        OPT_MIN_SEEDERS: int(min_seeders),
    }
    return Preferences.from_options(given).to_options(), {}


class JackettOptionsFlow(OptionsFlow):
    """The ranking preferences of a Jackett entry (used by ``search_torrents`` and downloads)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Go to the Jackett form (its own step id, so its strings are its own)."""
        return await self.async_step_jackett()

    async def async_step_jackett(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the preferences; they apply from the next search (no reload)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options, errors = options_from_input(user_input)
            if not errors:
                return self.async_create_entry(data={**self.config_entry.options, **options})
        current = Preferences.from_options(self.config_entry.options).to_options()
        return self.async_show_form(
            step_id=STEP_JACKETT,
            data_schema=self.add_suggested_values_to_schema(
                _options_schema(), user_input or current
            ),
            errors=errors,
        )


__all__ = [
    "SERVICE_SEARCH_TORRENTS",
    "JackettOptionsFlow",
    "async_register_jackett_actions",
    "async_search_torrents",
    "public_link",
    "result_response",
]
