"""Client of the Watchmode API v1: where a film or show streams, rents or sells.

What it does: checks the key and reads the account's quota (``/status/``),
maps a TMDB or IMDb id to a Watchmode title (``/search/``), and lists a
title's sources (``/title/{id}/sources/``) as typed ``StreamingSource`` rows;
``deduplicate_sources()`` collapses Watchmode's one-row-per-format answer for
display.

Library decision: our own client on the shared ``HttpClient``; no maintained
Watchmode library exists (see ``shared/upstreams.md``).

Decisions, verified against Watchmode's API reference (api.watchmode.com/docs,
"Errors") and public code that calls it:

* Auth is the ``apiKey`` query parameter.  Every error, a bad key included, is
  JSON ``{"success": false, "statusCode": N, "statusMessage": "..."}`` with
  the same HTTP status: 401 "Your API key is invalid" → ``InvalidAuthError``;
  402 (over the plan's quota) → ``WatchmodeQuotaError``; 403 (the key is
  good but its plan does not include the route) → ``PermissionDeniedError``
  naming the data the plan lacks, never a reauth; 429 (rate limit) →
  ``WatchmodeRateLimitError`` with ``retry_after`` from ``Retry-After`` when
  sent; 404 → ``ResponseError(status=404)``; other 4xx keep Watchmode's
  ``statusMessage`` (scrubbed of the key).  ``/status/`` costs no quota, so
  it is the credential check; ``unique_id`` is ``"watchmode-"`` + the first
  16 hex digits of the key's SHA-256.
* Title ids: the title endpoints take a Watchmode id, an IMDb id
  (``tt0133093``) or a TMDB id written ``movie-603`` / ``tv-1396`` (the
  reference's "title_id" parameter; public code calls
  ``/title/movie-{id}/sources/`` and ``/title/{imdb}/details/``).
  ``async_sources`` takes any of them, so a caller that knows the TMDB id
  spends one request, not two; ``async_find_title`` is for when the
  Watchmode record itself is wanted.
* Regions: ``regions`` is sent as a comma list; without one the client's
  ``region`` is used.
* Paths keep their trailing slash (``/status/``, ``/search/``,
  ``/title/{id}/sources/``): every route in the reference ends in one.
* Links: free plans put the text "Deeplinks available for paid plans only."
  in ``ios_url`` and ``android_url``.  A URL field keeps only what is a link
  (``scheme://`` and no blank: ``https://…``, ``nflx://…``); anything else
  becomes ``None``, so no caller can show a sentence as a link.
* ``/status/`` is documented as ``{"quota", "quotaUsed"}``; some keys answer
  ``account_calls_limit``/``account_calls_used``/``quota_reset_datetime_utc``
  instead.  Either is read, neither is required: a 200 JSON object from
  ``/status/`` proves the key, and unknown counts are ``None``.
* Secrets: the key is cut from every message, and aiohttp's errors (whose
  text may carry the URL with the key) are cut from the chain of ours.
* TLS is always verified: this is a public API, there is no ``verify_ssl``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
import re
from typing import Any, ClassVar, Final, Literal

import aiohttp

from ._http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    HttpResponse,
    as_dict,
    as_list,
    credential_digest,
    opt_float,
    opt_int,
    opt_str,
    rate_limited_error,
)
from .errors import (
    InvalidAuthError,
    PandoraError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseError,
)
from .models import UpstreamInfo

FORMAT_RANK: Final[Mapping[str, int]] = {"4K": 3, "HD": 2, "SD": 1}
"""How good a format is; unknown formats rank below SD."""

_TITLE_ID_RE: Final = re.compile(r"^(\d+|tt\d+|movie-\d+|tv-\d+)$")
_REGION_RE: Final = re.compile(r"^[A-Z]{2}$")
_LINK_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")


class WatchmodeQuotaError(ResponseError):
    """Watchmode answered 402: the key's plan quota is used up."""


class WatchmodeRateLimitError(RateLimitedError):
    """Watchmode answered 429; ``retry_after`` is in seconds when Watchmode said."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchmodeStatus:
    """The key's quota for the current period (``/status/``); ``None``: not said."""

    quota: int | None
    quota_used: int | None
    resets_at: datetime | None = None
    """When the period's count starts again (``quota_reset_datetime_utc``), UTC."""

    @property
    def remaining(self) -> int | None:
        """Calls left in this period (never negative); ``None`` when unknown."""
        if self.quota is None or self.quota_used is None:
            return None
        return max(0, self.quota - self.quota_used)


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchmodeTitle:
    """A title as Watchmode's search returns it."""

    id: int
    name: str
    type: str | None
    """``movie``, ``tv_series``, ``tv_miniseries``, ``tv_special``, ``short_film``."""
    year: int | None
    imdb_id: str | None
    tmdb_id: int | None
    tmdb_type: str | None
    """``movie`` or ``tv``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamingSource:
    """One way to watch a title: a service, how (``type``), where and in which format."""

    source_id: int
    name: str
    type: str
    """``sub``, ``free``, ``buy``, ``rent`` or ``tve`` (with a TV provider)."""
    region: str | None
    web_url: str | None
    ios_url: str | None
    """An app deep link; ``None`` on free plans (Watchmode sends a sentence)."""
    android_url: str | None
    format: str | None
    """``SD``, ``HD`` or ``4K``."""
    price: float | None
    seasons: int | None
    episodes: int | None


def deduplicate_sources(sources: Iterable[StreamingSource]) -> list[StreamingSource]:
    """Collapse rows per (source, type, region) into the row of the best format.

    Watchmode answers one row per source, format and region; for display one
    row each is enough.  The kept row is a real one: the best format (4K > HD >
    SD > unknown) and, among rows of that format, the lowest price, so a
    format is never shown with another format's price.  Groups keep the order
    in which they first appear.
    """
    best: dict[tuple[int, str, str | None], StreamingSource] = {}
    for source in sources:
        key = (source.source_id, source.type, source.region)
        current = best.get(key)
        if current is None or _better(source, current):
            best[key] = source
    return list(best.values())


def _better(source: StreamingSource, than: StreamingSource) -> bool:
    """A better format, or the same format for less (a known price beats none)."""
    if _rank(source) != _rank(than):
        return _rank(source) > _rank(than)
    if source.price is None:
        return False
    return than.price is None or source.price < than.price


def _rank(source: StreamingSource) -> int:
    return FORMAT_RANK.get((source.format or "").upper(), 0)


class WatchmodeClient(HttpClient):
    """Async client of Watchmode API v1 (see the module docstring for the decisions)."""

    service: ClassVar[str] = "Watchmode"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        api_key: str,
        region: str,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session, base URL (e.g. ``https://api.watchmode.com/v1``), key and region."""
        super().__init__(session, url, verify_ssl=True, timeout=timeout)
        self._api_key = api_key.strip()
        self._secrets = (self._api_key,)
        self._region = region.strip().upper()

    @property
    def region(self) -> str:
        """The region sources are listed for when the caller names none."""
        return self._region

    # -- requests --------------------------------------------------------------------

    async def _get(
        self, path: str, params: Mapping[str, str] | None = None, *, what: str = "resource"
    ) -> Any:
        """GET ``path`` (trailing slash kept: Watchmode's paths end in one) as JSON."""
        query = {**(params or {}), "apiKey": self._api_key}
        try:
            resp = await self._request(
                "GET",
                path,
                params=query,
                headers={"Accept": "application/json"},
                auth_statuses=(),
                allow_statuses=(400, 401, 402, 403, 404, 429),
            )
            if resp.status >= 400:
                raise self._error(resp, what, path)
            return resp.json()
        except PandoraError as err:
            # aiohttp's errors below ours can name the URL, apiKey included.
            raise err from None

    def _error(self, resp: HttpResponse, what: str, path: str) -> PandoraError:
        """Build the error for a Watchmode error answer (``statusCode``/``statusMessage``)."""
        body = resp.json_object()
        message = opt_str(body.get("statusMessage")) if body is not None else None
        detail = f": {self._redact(message)}" if message else ""
        if resp.status == 401:
            return InvalidAuthError(
                f"Watchmode at {self.origin} rejected the API key{detail}; check it on "
                "your Watchmode API dashboard"
            )
        if resp.status == 402:
            return WatchmodeQuotaError(
                f"The Watchmode API key is over its plan's quota{detail}", status=402
            )
        if resp.status == 403:
            route = _route_name(path)
            return PermissionDeniedError(
                f"Watchmode at {self.origin} refused the {route} for this API key's plan "
                f"(HTTP 403){detail}; a plan that includes it is needed",
                right=f"a Watchmode plan that includes the {route}",
            )
        if resp.status == 429:
            return rate_limited_error(
                WatchmodeRateLimitError, "Watchmode", self.origin, detail, resp.retry_after
            )
        if resp.status == 404:
            return ResponseError(f"Watchmode has no such {what}{detail}", status=404)
        return ResponseError(
            f"Watchmode at {self.origin} refused the request (HTTP {resp.status}){detail}",
            status=resp.status,
        )

    # -- account ---------------------------------------------------------------------

    async def async_status(self) -> WatchmodeStatus:
        """The key's quota and what is used of it (``/status/`` costs no quota)."""
        body = as_dict(await self._get("/status/", what="status"), self, "a status")
        quota, used = opt_int(body.get("quota")), opt_int(body.get("quotaUsed"))
        if quota is None and used is None:
            quota = opt_int(body.get("account_calls_limit"))
            used = opt_int(body.get("account_calls_used"))
        return WatchmodeStatus(
            quota=quota,
            quota_used=used,
            resets_at=_utc_datetime(body.get("quota_reset_datetime_utc")),
        )

    async def async_get_info(self) -> UpstreamInfo:
        """Check the key with ``GET /status/``."""
        await self.async_status()
        digest = credential_digest(self._api_key)
        return UpstreamInfo(unique_id=f"watchmode-{digest}", name="Watchmode")

    # -- titles ----------------------------------------------------------------------

    async def async_find_title(
        self,
        *,
        tmdb_id: int | None = None,
        media_type: Literal["movie", "tv"] | None = None,
        imdb_id: str | None = None,
    ) -> WatchmodeTitle | None:
        """Find the Watchmode title of a TMDB id (with its media type) or an IMDb id."""
        if imdb_id is not None and tmdb_id is None:
            if not re.fullmatch(r"tt\d+", imdb_id):
                raise ValueError(f"not an IMDb id: {imdb_id!r}")
            field, value = "imdb_id", imdb_id
        elif tmdb_id is not None and imdb_id is None and media_type in ("movie", "tv"):
            field, value = f"tmdb_{media_type}_id", str(int(tmdb_id))
        else:
            raise ValueError("give either tmdb_id with media_type (movie/tv), or imdb_id")
        body = as_dict(
            await self._get(
                "/search/", {"search_field": field, "search_value": value}, what="title"
            ),
            self,
            "a search answer",
        )
        for raw in as_list(body.get("title_results"), self, "search results"):
            title = _title(as_dict(raw, self, "a search result"))
            if title is None:
                continue
            if media_type is not None and title.tmdb_type not in (None, media_type):
                continue
            return title
        return None

    async def async_sources(
        self, title_id: int | str, regions: Sequence[str] | None = None
    ) -> list[StreamingSource]:
        """Every source row of a title (see the module docstring for ``title_id``)."""
        text = str(title_id).strip()
        if not _TITLE_ID_RE.match(text):
            raise ValueError(f"not a Watchmode, IMDb or movie-/tv- TMDB id: {title_id!r}")
        wanted = [r.strip().upper() for r in (regions or [self._region])]
        if not all(_REGION_RE.match(r) for r in wanted):
            raise ValueError(f"regions must be two-letter codes, not {list(regions or [])!r}")
        body = await self._get(
            f"/title/{text}/sources/", {"regions": ",".join(wanted)}, what=f"title {text}"
        )
        sources: list[StreamingSource] = []
        for raw in as_list(body, self, "sources"):
            source = _source(as_dict(raw, self, "a source"))
            if source is not None:
                sources.append(source)
        return sources


def _route_name(path: str) -> str:
    """What a person calls the data of a Watchmode route (for a plan that lacks it)."""
    if path.endswith("/sources/"):
        return "streaming sources"
    if path.startswith("/search/"):
        return "title search"
    if path.startswith("/status/"):
        return "account status"
    return f"route {path}"


def _link(value: Any) -> str | None:
    """``value`` when it is a link (``scheme://…``, no blank), else ``None``."""
    text = opt_str(value)
    if text is None or not _LINK_RE.fullmatch(text.strip()):
        return None
    return text.strip()


def _utc_datetime(value: Any) -> datetime | None:
    """Parse ``2026-12-01 00:00:00`` (or ISO 8601) as UTC; ``None`` when it is not one."""
    text = opt_str(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _title(entry: dict[str, Any]) -> WatchmodeTitle | None:
    title_id, name = opt_int(entry.get("id")), opt_str(entry.get("name"))
    if title_id is None or name is None:
        return None
    return WatchmodeTitle(
        id=title_id,
        name=name,
        type=opt_str(entry.get("type")),
        year=opt_int(entry.get("year")),
        imdb_id=opt_str(entry.get("imdb_id")),
        tmdb_id=opt_int(entry.get("tmdb_id")),
        tmdb_type=opt_str(entry.get("tmdb_type")),
    )


def _source(entry: dict[str, Any]) -> StreamingSource | None:
    source_id, name = opt_int(entry.get("source_id")), opt_str(entry.get("name"))
    kind = opt_str(entry.get("type"))
    if source_id is None or name is None or kind is None:
        return None
    return StreamingSource(
        source_id=source_id,
        name=name,
        type=kind,
        region=opt_str(entry.get("region")),
        web_url=_link(entry.get("web_url")),
        ios_url=_link(entry.get("ios_url")),
        android_url=_link(entry.get("android_url")),
        format=opt_str(entry.get("format")),
        price=opt_float(entry.get("price")),
        seasons=opt_int(entry.get("seasons")),
        episodes=opt_int(entry.get("episodes")),
    )
