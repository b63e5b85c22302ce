"""Client of The Movie Database (TMDB) API v3: trending, popular, search, details, genres.

What it does: every read Pandora Box needs from TMDB, parsed at the edge into
frozen dataclasses (``MediaItem``, ``MediaDetails``, ``MediaPage``) whose
fields are the public names of a media item (``tmdb_id``, ``media_type``,
``title``, ``year``, ``overview``, ``rating``, ``genres``, ``poster_url``,
``backdrop_url``; details add ``imdb_id``, ``runtime``, ``status``).

Library decision: our own client on the shared ``HttpClient``.  ``themoviedb``
2.0.2 is async but silently reads ``TMDB_*`` environment variables, pulls in
``requests``, has no read-access-token auth and no public base-URL override;
``tmdbsimple`` is synchronous (see ``shared/upstreams.md``).

Decisions (checked against developer.themoviedb.org, "Errors" and
"Authentication"):

* Credentials: a read-access token is a JWT (starts with ``eyJ`` and has
  exactly two dots) and goes in ``Authorization: Bearer``; anything else is a
  v3 key sent as the ``api_key`` query parameter.  One config field holds
  either.  ``unique_id`` is ``"tmdb-"`` + the first 16 hex digits of the
  SHA-256 of that string, so the entry is tied to the account credential
  without storing it twice.
* Errors: TMDB answers errors as ``{"success": false, "status_code": N,
  "status_message": ...}``.  HTTP 401 (codes 3, 7, 10, 14...) is
  ``InvalidAuthError``; 404 (code 34, or 6) is ``ResponseError(status=404)``
  saying what was not found; 429 (code 25) is ``TMDBRateLimitError`` whose
  ``retry_after`` holds the ``Retry-After`` seconds; other 4xx keep TMDB's
  message.  A 404 or 200 without TMDB's JSON shape means something other than
  TMDB answers at that URL: ``ResponseError``.
* Secrets: the key never appears in a message (upstream text is scrubbed of
  it), and aiohttp errors are cut from the chain of the errors we raise,
  because aiohttp's own messages may carry the request URL and with it the
  ``api_key`` query parameter.
* Genres: list endpoints give only ``genre_ids``; names come from
  ``/genre/{movie,tv}/list`` fetched once per client (per language, which is
  fixed per client) and kept for the client's lifetime.
* ``year`` on a multi search: TMDB's ``/search/multi`` has no year filter, so
  the client drops results of other years from the page it got.  ``page``
  and ``total_pages`` stay TMDB's, since TMDB's paging is what the next
  request must follow.
* ``person`` results of multi search and ``/trending/all`` are dropped.
* ``total_results`` is TMDB's count less what the client dropped from the
  page it got (people, other years, entries without id or name): exact for
  an answer of one page ("Inception": one film, not TMDB's 2 with the
  person), an upper bound when there are more pages (what later pages drop
  is not known without reading them).
* Arguments outside TMDB's vocabulary (a ``media_type`` of ``"person"``, page
  0 or above 500) are a caller's bug and raise ``ValueError`` before any
  request; actions validate user input before they get here.
* ``language`` and ``region`` go on every request (TMDB ignores ``region``
  where it does not apply), so genre names and titles come in the entry's
  language.
* ``Retry-After`` comes from the shared request helper (``HttpResponse.retry_after``).
* TLS is always verified: this is a public API, there is no ``verify_ssl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any, ClassVar, Final, Literal

import aiohttp
from yarl import URL

from ._http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    HttpResponse,
    Image,
    as_dict,
    as_list,
    credential_digest,
    opt_float,
    opt_int,
    opt_str,
    rate_limited_error,
)
from .errors import InvalidAuthError, PandoraError, RateLimitedError, ResponseError
from .models import UpstreamInfo

type MediaType = Literal["movie", "tv"]
type TrendingType = Literal["all", "movie", "tv"]
type SearchType = Literal["multi", "movie", "tv"]
type TimeWindow = Literal["day", "week"]

IMAGE_BASE: Final = "https://image.tmdb.org/t/p"
POSTER_SIZE: Final = "w500"
BACKDROP_SIZE: Final = "w1280"
MAX_PAGE: Final = 500
"""TMDB refuses pages above 500 (status_code 22)."""
IMAGE_SIZES: Final = frozenset(
    {"w92", "w154", "w185", "w300", "w342", "w500", "w780", "w1280", "original"}
)
"""Poster and backdrop sizes of TMDB's ``/configuration`` (``poster_sizes``, ``backdrop_sizes``)."""
_IMAGE_FILE_RE: Final = re.compile(r"/[A-Za-z0-9_-]{1,64}\.(?:jpg|jpeg|png|webp)")

_MEDIA_TYPES: Final = ("movie", "tv")
_YEAR_RE: Final = re.compile(r"^(\d{4})-")


def is_read_access_token(credential: str) -> bool:
    """Return whether ``credential`` looks like a TMDB read-access token (a JWT)."""
    return credential.startswith("eyJ") and credential.count(".") == 2


class TMDBRateLimitError(RateLimitedError):
    """TMDB answered 429: too many requests; ``retry_after`` is in seconds when known."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaItem:
    """A film or show as it appears in any TMDB list."""

    tmdb_id: int
    media_type: MediaType
    title: str
    year: int | None
    overview: str | None
    rating: float | None
    genres: tuple[str, ...]
    poster_url: str | None
    backdrop_url: str | None
    release_date: str | None
    """Release date (films) or first air date (shows), ``YYYY-MM-DD``."""
    popularity: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Episode:
    """A show's ``last_episode_to_air`` or ``next_episode_to_air``."""

    season: int
    episode: int
    name: str | None
    air_date: str | None
    """``YYYY-MM-DD``; ``None`` while TMDB does not know it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaDetails(MediaItem):
    """A film or show with what only its details carry."""

    imdb_id: str | None
    runtime: int | None
    """Minutes: a film's runtime; a show's episode run time (``episode_run_time``,
    else the last or next episode's ``runtime``)."""
    status: str | None
    number_of_seasons: int | None
    last_episode: Episode | None = None
    """Shows: the latest episode that aired."""
    next_episode: Episode | None = None
    """Shows: the next episode to air, when TMDB knows one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaPage:
    """One page of a TMDB list (20 items at most), people dropped."""

    page: int
    total_pages: int
    total_results: int
    results: tuple[MediaItem, ...]


class TMDBClient(HttpClient):
    """Async client of TMDB API v3 (see the module docstring for the decisions)."""

    service: ClassVar[str] = "TMDB"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        api_key: str,
        language: str,
        region: str,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session, base URL (e.g. ``https://api.themoviedb.org/3``) and credential."""
        super().__init__(session, url, verify_ssl=True, timeout=timeout)
        self._api_key = api_key.strip()
        self._secrets = (self._api_key,)
        self._language = language
        self._region = region
        self._bearer = is_read_access_token(self._api_key)
        self._genres: dict[MediaType, dict[int, str]] = {}
        self._image_base: URL | None = None

    @property
    def uses_read_access_token(self) -> bool:
        """Whether the credential goes in a Bearer header (else the ``api_key`` parameter)."""
        return self._bearer

    # -- requests --------------------------------------------------------------------

    async def _get(
        self, path: str, params: Mapping[str, str | int] | None = None, *, what: str = "resource"
    ) -> dict[str, Any]:
        """GET ``path`` and return its JSON object, mapping TMDB's errors to ours."""
        # language and region on every request: TMDB ignores region where it
        # does not apply (genre lists, details) and uses it on lists.
        query: dict[str, str] = {"language": self._language, "region": self._region}
        headers = {"Accept": "application/json"}
        if self._bearer:
            headers["Authorization"] = f"Bearer {self._api_key}"
        else:
            query["api_key"] = self._api_key
        for key, value in (params or {}).items():
            query[key] = str(value)
        try:
            resp = await self._request(
                "GET",
                path,
                params=query,
                headers=headers,
                auth_statuses=(403,),
                allow_statuses=(400, 401, 404, 405, 406, 422, 429),
            )
            if resp.status >= 400:
                raise self._error(resp, what)
            return as_dict(resp.json(), self, "an answer")
        except PandoraError as err:
            # aiohttp's errors below ours can name the URL, api_key included.
            raise err from None

    def _error(self, resp: HttpResponse, what: str) -> PandoraError:
        """Build the error for a TMDB error answer (``status_code``/``status_message``)."""
        body = resp.json_object()
        code = opt_int(body.get("status_code")) if body is not None else None
        message = opt_str(body.get("status_message")) if body is not None else None
        detail = f" (status {code}: {self._redact(message)})" if code and message else ""
        if resp.status == 401:
            kind = "read-access token" if self._bearer else "API key"
            return InvalidAuthError(
                f"TMDB at {self.origin} rejected the {kind}{detail}; check it in your "
                "TMDB account settings"
            )
        if code is None:
            return ResponseError(
                f"{self.origin} answered HTTP {resp.status} without TMDB's error shape; "
                "is this the TMDB API URL (https://api.themoviedb.org/3)?",
                status=resp.status,
            )
        if resp.status == 404:
            return ResponseError(f"TMDB has no such {what}{detail}", status=404)
        if resp.status == 429:
            return rate_limited_error(
                TMDBRateLimitError, "TMDB", self.origin, detail, resp.retry_after
            )
        return ResponseError(
            f"TMDB at {self.origin} refused the request (HTTP {resp.status}){detail}",
            status=resp.status,
        )

    # -- validation ------------------------------------------------------------------

    async def async_get_info(self) -> UpstreamInfo:
        """Check the credential with ``GET /authentication``."""
        body = await self._get("/authentication", what="authentication service")
        if body.get("success") is not True:
            raise self.bad_answer("an answer to /authentication that is not TMDB's")
        return UpstreamInfo(unique_id=f"tmdb-{credential_digest(self._api_key)}", name="TMDB")

    # -- lists -----------------------------------------------------------------------

    async def async_trending(
        self, media_type: TrendingType = "all", time_window: TimeWindow = "day", page: int = 1
    ) -> MediaPage:
        """Trending films and/or shows of the day or week (people dropped)."""
        _check(media_type, ("all", *_MEDIA_TYPES), "media_type")
        _check(time_window, ("day", "week"), "time_window")
        body = await self._get(
            f"/trending/{media_type}/{time_window}", {"page": _page(page)}, what="trending list"
        )
        return await self._page(body, None if media_type == "all" else media_type)

    async def async_popular(self, media_type: MediaType = "movie", page: int = 1) -> MediaPage:
        """Popular films or shows, in the client's region."""
        _check(media_type, _MEDIA_TYPES, "media_type")
        body = await self._get(f"/{media_type}/popular", {"page": _page(page)}, what="popular list")
        return await self._page(body, media_type)

    async def async_upcoming(self, page: int = 1) -> MediaPage:
        """Films coming to cinemas soon in the client's region."""
        body = await self._get("/movie/upcoming", {"page": _page(page)}, what="upcoming list")
        return await self._page(body, "movie")

    async def async_on_the_air(self, page: int = 1) -> MediaPage:
        """Shows with an episode airing in the next seven days."""
        body = await self._get("/tv/on_the_air", {"page": _page(page)}, what="on-the-air list")
        return await self._page(body, "tv")

    async def async_search(
        self,
        query: str,
        *,
        media_type: SearchType = "multi",
        year: int | None = None,
        page: int = 1,
    ) -> MediaPage:
        """Search films and/or shows by name; ``year`` narrows (see module docstring)."""
        _check(media_type, ("multi", *_MEDIA_TYPES), "media_type")
        if not query.strip():
            raise ValueError("query must not be empty")
        params: dict[str, str | int] = {
            "query": query.strip(),
            "page": _page(page),
            "include_adult": "false",
        }
        if year is not None and media_type == "movie":
            params["primary_release_year"] = year
        elif year is not None and media_type == "tv":
            params["first_air_date_year"] = year
        body = await self._get(f"/search/{media_type}", params, what="search")
        result = await self._page(body, None if media_type == "multi" else media_type)
        if year is not None and media_type == "multi":
            kept = tuple(item for item in result.results if item.year == year)
            result = MediaPage(
                page=result.page,
                total_pages=result.total_pages,
                total_results=result.total_results - (len(result.results) - len(kept)),
                results=kept,
            )
        return result

    async def async_details(self, media_type: MediaType, tmdb_id: int) -> MediaDetails:
        """Details of one film or show, with its IMDb id (``external_ids``)."""
        _check(media_type, _MEDIA_TYPES, "media_type")
        what = f"{'film' if media_type == 'movie' else 'show'} with id {tmdb_id}"
        body = await self._get(
            f"/{media_type}/{int(tmdb_id)}", {"append_to_response": "external_ids"}, what=what
        )
        return self._details(body, media_type)

    async def async_genres(self, media_type: MediaType) -> dict[int, str]:
        """Genre id → name for films or shows, in the client's language (cached)."""
        _check(media_type, _MEDIA_TYPES, "media_type")
        cached = self._genres.get(media_type)
        if cached is not None:
            return dict(cached)
        body = await self._get(f"/genre/{media_type}/list", what="genre list")
        genres: dict[int, str] = {}
        for raw in as_list(body.get("genres"), self, "a genre list"):
            entry = as_dict(raw, self, "a genre")
            genre_id, name = opt_int(entry.get("id")), opt_str(entry.get("name"))
            if genre_id is not None and name is not None:
                genres[genre_id] = name
        self._genres[media_type] = genres
        return dict(genres)

    async def async_poster(self, url: str) -> Image:
        """Fetch a poster or backdrop by the URL this client gave it (``poster_url``).

        Only ``{IMAGE_BASE}/{size}/{file}`` with one of TMDB's sizes and a
        plain file name is accepted (``ValueError`` otherwise); the image is
        fetched from the ``secure_base_url`` TMDB's ``/configuration`` names
        (read once per client; image.tmdb.org on TMDB itself), without the
        key: TMDB's images are public.
        """
        parts = tmdb_image_parts(url)
        if parts is None:
            raise ValueError("not a TMDB image URL")
        size, file = parts
        if self._image_base is None:
            body = await self._get("/configuration", what="configuration")
            images = as_dict(body.get("images"), self, "an image configuration")
            base = URL(opt_str(images.get("secure_base_url")) or "")
            if base.scheme not in ("http", "https") or not base.host:
                raise self.bad_answer("an image configuration without a secure_base_url")
            self._image_base = base
        base_path = self._image_base.path.rstrip("/")
        return await self._get_image(self._image_base.with_path(f"{base_path}/{size}{file}"))

    # -- parsing ---------------------------------------------------------------------

    async def _page(self, body: dict[str, Any], fixed_type: MediaType | None) -> MediaPage:
        """Parse a paged list; ``fixed_type`` is the type when items carry no media_type."""
        raw_results = as_list(body.get("results"), self, "a page without a results list")
        page, total_pages = opt_int(body.get("page")), opt_int(body.get("total_pages"))
        total_results = opt_int(body.get("total_results"))
        if page is None or total_pages is None or total_results is None:
            raise self.bad_answer("a page without page numbers")
        entries: list[tuple[MediaType, dict[str, Any]]] = []
        for raw in raw_results:
            entry = as_dict(raw, self, "a list item")
            kind = entry.get("media_type", fixed_type) if fixed_type is None else fixed_type
            if kind in _MEDIA_TYPES:  # people (and anything new) are dropped
                entries.append(("movie" if kind == "movie" else "tv", entry))
        genres: dict[MediaType, dict[int, str]] = {}
        for kind in {kind for kind, _ in entries}:
            genres[kind] = await self.async_genres(kind)
        items = tuple(
            item
            for kind, entry in entries
            if (item := self._item(entry, kind, genres[kind])) is not None
        )
        # what this page dropped is not counted: exact for a one-page answer
        dropped = len(raw_results) - len(items)
        return MediaPage(
            page=page,
            total_pages=total_pages,
            total_results=max(total_results - dropped, len(items)),
            results=items,
        )

    def _common(self, entry: dict[str, Any], media_type: MediaType) -> dict[str, Any] | None:
        """Fields every item has; ``None`` when the entry has no id or name."""
        tmdb_id = opt_int(entry.get("id"))
        title = opt_str(entry.get("title" if media_type == "movie" else "name"))
        if tmdb_id is None or title is None:
            return None
        date = opt_str(entry.get("release_date" if media_type == "movie" else "first_air_date"))
        year_match = _YEAR_RE.match(date or "")
        return {
            "tmdb_id": tmdb_id,
            "media_type": media_type,
            "title": title,
            "year": int(year_match.group(1)) if year_match else None,
            "overview": opt_str(entry.get("overview")),
            "rating": opt_float(entry.get("vote_average")),
            "poster_url": _image(entry.get("poster_path"), POSTER_SIZE),
            "backdrop_url": _image(entry.get("backdrop_path"), BACKDROP_SIZE),
            "release_date": date,
            "popularity": opt_float(entry.get("popularity")),
        }

    def _item(
        self, entry: dict[str, Any], media_type: MediaType, genres: Mapping[int, str]
    ) -> MediaItem | None:
        """Parse one list item; genre ids become names (unknown ids are skipped)."""
        common = self._common(entry, media_type)
        if common is None:
            return None
        ids = entry.get("genre_ids")
        names = tuple(
            genres[gid]
            for gid in (opt_int(g) for g in (ids if isinstance(ids, list) else ()))
            if gid is not None and gid in genres
        )
        return MediaItem(genres=names, **common)

    def _details(self, body: dict[str, Any], media_type: MediaType) -> MediaDetails:
        """Parse a film's or show's details."""
        common = self._common(body, media_type)
        if common is None:
            raise self.bad_answer("details without an id or a title")
        genres: list[str] = []
        raw_genres = body.get("genres")
        for raw in raw_genres if isinstance(raw_genres, list) else ():
            name = opt_str(raw.get("name")) if isinstance(raw, dict) else None
            if name is not None:
                genres.append(name)
        external = body.get("external_ids")
        imdb_id = opt_str(body.get("imdb_id"))
        if imdb_id is None and isinstance(external, dict):
            imdb_id = opt_str(external.get("imdb_id"))
        runtime = opt_int(body.get("runtime")) if media_type == "movie" else _show_runtime(body)
        return MediaDetails(
            genres=tuple(genres),
            imdb_id=imdb_id,
            runtime=runtime or None,  # TMDB says 0 when it does not know
            status=opt_str(body.get("status")),
            number_of_seasons=opt_int(body.get("number_of_seasons")),
            last_episode=_episode(body.get("last_episode_to_air")),
            next_episode=_episode(body.get("next_episode_to_air")),
            **common,
        )


def _episode(raw: Any) -> Episode | None:
    """An episode object of TV details, or ``None`` (``null`` or no season number)."""
    if not isinstance(raw, dict):
        return None
    season, number = opt_int(raw.get("season_number")), opt_int(raw.get("episode_number"))
    if season is None or number is None:
        return None
    return Episode(
        season=season,
        episode=number,
        name=opt_str(raw.get("name")),
        air_date=opt_str(raw.get("air_date")),
    )


def _show_runtime(body: Mapping[str, Any]) -> int | None:
    """A show's episode run time in minutes, or ``None``.

    ``episode_run_time`` has been an empty list for most shows since 2023, so
    the run time of ``last_episode_to_air`` (then ``next_episode_to_air``) is
    taken when it is empty; 0 is TMDB's "not known".
    """
    run_times = body.get("episode_run_time")
    if isinstance(run_times, list):
        for value in run_times:
            minutes = opt_int(value)
            if minutes:
                return minutes
    for key in ("last_episode_to_air", "next_episode_to_air"):
        episode = body.get(key)
        minutes = opt_int(episode.get("runtime")) if isinstance(episode, dict) else None
        if minutes:
            return minutes
    return None


def tmdb_image_parts(url: str) -> tuple[str, str] | None:
    """Size and file (``/abc.jpg``) of a TMDB image URL as ``_image`` builds it, else ``None``."""
    size, slash, file = url.removeprefix(f"{IMAGE_BASE}/").partition("/")
    if not url.startswith(f"{IMAGE_BASE}/") or not slash or size not in IMAGE_SIZES:
        return None
    return (size, f"/{file}") if _IMAGE_FILE_RE.fullmatch(f"/{file}") else None


def _image(path: Any, size: str) -> str | None:
    """Full image URL of a TMDB image path, or ``None``."""
    text = opt_str(path)
    if text is None or not text.startswith("/"):
        return None
    return f"{IMAGE_BASE}/{size}{text}"


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    """Raise ``ValueError`` when ``value`` is not one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _page(page: int) -> int:
    """Return ``page`` if TMDB accepts it (1 to 500), else raise ``ValueError``."""
    if not 1 <= page <= MAX_PAGE:
        raise ValueError(f"page must be between 1 and {MAX_PAGE}, not {page}")
    return page
