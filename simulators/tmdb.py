"""A TMDB API v3 simulator serving the shared catalogue.

Same paths as ``https://api.themoviedb.org/3`` (served both at the root and
under ``/3``, so a client configured with the real base path works too), the
same auth (``api_key`` query parameter or ``Authorization: Bearer`` with the
read-access token), the same JSON shapes: pages of 20 with ``page``,
``total_pages`` and ``total_results``; list items with ``genre_ids``;
``media_type`` on trending and multi search, people included there (the
client must drop them); details with ``genres`` and, on request,
``external_ids``; the real TMDB genre ids and names (German ones for
``language=de``); error bodies ``{"success": false, "status_code": N,
"status_message": ...}`` with 401/7 for a bad key, 404/34 for an unknown
resource, 400/22 for a bad page and 429/25 with ``Retry-After`` while a rate
limit is set (``set_rate_limit``).  ``/configuration`` names the simulator
itself as the image host, which serves every catalogue poster and backdrop at
TMDB's sizes under ``/t/p/{size}/{file}`` without a key, as image.tmdb.org does.

Shows' run time, as TMDB serves it today: ``episode_run_time`` is an empty
list for most shows (TMDB stopped filling it in 2023: the TV series details
reference, developer.themoviedb.org/reference/tv-series-details, still lists
the field; ``shared/upstreams.md`` "Verified against the upstreams' source"
records it empty for most shows), so here only the older entries in
``EPISODE_RUN_TIME_KEPT`` keep their one-value list and every other show sends
``[]``.  The run time is in ``last_episode_to_air.runtime`` (an episode object:
``id``, ``name``, ``air_date``, ``episode_number``, ``season_number``,
``runtime``, ``show_id`` …; ``null`` before the first episode airs) and in
``next_episode_to_air`` for a show still running (``null`` otherwise).

State tests can change: ``rotate_credentials(api_key=...)`` (which also
re-issues the derived read-access token, as regenerating the key does on TMDB),
``set_popularity`` (reorders popular and trending lists),
``set_rate_limit``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
import hashlib
import hmac
import json
import math
import secrets
from typing import Any, ClassVar

from aiohttp import web

from .base import Handler, Simulator
from .catalogue import (
    GENRES_DE,
    MOVIE_GENRES,
    PEOPLE,
    TITLES,
    TV_GENRES,
    Person,
    Title,
    generated_titles,
)
from .images import poster_png

EPISODE_RUN_TIME_KEPT: frozenset[int] = frozenset({2316})
"""TMDB ids of the shows whose ``episode_run_time`` is still filled in (The Office)."""

PAGE_SIZE = 20
MAX_PAGE = 500
PREFIXES = ("", "/3")

INVALID_KEY = "Invalid API key: You must be granted a valid key."
NOT_FOUND = "The resource you requested could not be found."
INVALID_PAGE = "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."
RATE_LIMITED = "Your request count (#) is over the allowed limit of (40)."

IMAGE_PREFIX = "/t/p"
"""Where the images are, as on image.tmdb.org (``/t/p/{size}/{file}``)."""
POSTER_SIZES = ("w92", "w154", "w185", "w342", "w500", "w780", "original")
BACKDROP_SIZES = ("w300", "w780", "w1280", "original")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_read_access_token(api_key: str, account: str = "5f0c2a6b1b2c3d0035e4a1b2") -> str:
    """Return a TMDB-style read-access token: an HS256 JWT whose ``aud`` is the v3 key."""
    header = _b64(json.dumps({"alg": "HS256"}, separators=(",", ":")).encode())
    payload = _b64(
        json.dumps(
            {
                "aud": api_key,
                "nbf": 1700000000.0,
                "sub": account,
                "scopes": ["api_read"],
                "version": 1,
            },
            separators=(",", ":"),
        ).encode()
    )
    signature = hmac.new(api_key.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{_b64(signature.digest())}"


def _error(http_status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {"status_code": code, "status_message": message, "success": False}, status=http_status
    )


class TMDBSimulator(Simulator):
    """TMDB: the catalogue's films and shows, people for multi search, genre lists."""

    kind: ClassVar[str] = "tmdb"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        read_access_token: str | None = None,
        extra_titles: int = 0,
    ) -> None:
        """``api_key``: 32 hex digits like a v3 key (random by default).

        ``read_access_token`` defaults to a JWT derived from the key; both
        authenticate.  ``extra_titles`` adds ``catalogue.generated_titles``
        (give the Watchmode simulator the same number to keep them agreeing).
        """
        super().__init__()
        self.api_key = api_key or secrets.token_hex(16)
        self._token = read_access_token
        self.titles: tuple[Title, ...] = TITLES + generated_titles(extra_titles)
        self.people: tuple[Person, ...] = PEOPLE
        self.popularity: dict[tuple[str, int], float] = {
            (t.media_type, t.tmdb_id): t.popularity for t in self.titles
        }
        self.rate_limit: int | None = None  # Retry-After seconds while limited

    # -- control ---------------------------------------------------------------------

    @property
    def read_access_token(self) -> str:
        """The read-access token: the one given, else a JWT derived from the current key.

        Derived tokens follow the key, so rotating the key (or ``for_demo``
        setting it) re-issues the token too, as regenerating the key does on TMDB.
        """
        return self._token or make_read_access_token(self.api_key)

    @read_access_token.setter
    def read_access_token(self, value: str | None) -> None:
        self._token = value

    def set_popularity(self, media_type: str, tmdb_id: int, popularity: float) -> None:
        """Change a title's popularity (its place in popular and trending lists)."""
        if (media_type, tmdb_id) not in self.popularity:
            raise ValueError(f"no {media_type} {tmdb_id} in the catalogue")
        self.popularity[media_type, tmdb_id] = popularity

    def set_rate_limit(self, retry_after: int | None) -> None:
        """Answer 429 with this ``Retry-After`` to every request (``None``: stop)."""
        self.rate_limit = retry_after

    # -- routes ----------------------------------------------------------------------

    def setup_routes(self, app: web.Application) -> None:
        routes: list[tuple[str, Handler]] = [
            ("/authentication", self._authentication),
            ("/trending/{media_type}/{time_window}", self._trending),
            ("/movie/popular", self._popular("movie")),
            ("/tv/popular", self._popular("tv")),
            ("/movie/upcoming", self._upcoming),
            ("/tv/on_the_air", self._on_the_air),
            ("/search/{media_type}", self._search),
            ("/genre/{media_type}/list", self._genres),
            ("/movie/{id}", self._details("movie")),
            ("/tv/{id}", self._details("tv")),
            ("/configuration", self._configuration),
        ]
        for prefix in PREFIXES:
            for path, handler in routes:
                app.router.add_get(prefix + path, self._guard(handler))
        # the image host: no key, no rate limit (image.tmdb.org is a public CDN)
        app.router.add_get(IMAGE_PREFIX + "/{size}/{file}", self._image)
        app.router.add_route("*", "/{tail:.*}", self._guard(self._not_found))

    def _guard(self, handler: Handler) -> Handler:
        """Wrap a route with TMDB's rate limit and credential check."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            if self.rate_limit is not None:
                resp = _error(429, 25, RATE_LIMITED)
                resp.headers["Retry-After"] = str(self.rate_limit)
                return resp
            if not self._authorised(request):
                return _error(401, 7, INVALID_KEY)
            return await handler(request)

        return guarded

    def _authorised(self, request: web.Request) -> bool:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return secrets.compare_digest(auth[7:].strip(), self.read_access_token)
        key = request.query.get("api_key", "")
        return bool(key) and secrets.compare_digest(key, self.api_key)

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error(404, 34, NOT_FOUND)

    async def _configuration(self, request: web.Request) -> web.Response:
        """``GET /configuration`` (developer.themoviedb.org/reference/configuration-details).

        TMDB names its image host here (``https://image.tmdb.org/t/p/``);
        this simulator is its own image host, so it names itself.
        """
        base = f"{request.url.origin()}{IMAGE_PREFIX}/"
        return web.json_response(
            {
                "images": {
                    "base_url": base,
                    "secure_base_url": base,
                    "backdrop_sizes": list(BACKDROP_SIZES),
                    "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
                    "poster_sizes": list(POSTER_SIZES),
                    "profile_sizes": ["w45", "w185", "h632", "original"],
                    "still_sizes": ["w92", "w185", "w300", "original"],
                },
                "change_keys": ["adult", "images", "overview", "poster_path", "title"],
            }
        )

    async def _image(self, request: web.Request) -> web.Response:
        """An image of the catalogue: posters and backdrops at TMDB's sizes, else 404.

        image.tmdb.org serves JPEG for these ``.jpg`` names; a PNG keeps this
        free of image libraries, and clients must accept any raster type.
        """
        size, file = request.match_info["size"], "/" + request.match_info["file"]
        known = {t.poster_path for t in self.titles} | {t.backdrop_path for t in self.titles}
        if size not in {*POSTER_SIZES, *BACKDROP_SIZES} or file not in known:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=poster_png(file), content_type="image/png")

    async def _authentication(self, request: web.Request) -> web.Response:
        return web.json_response({"success": True, "status_code": 1, "status_message": "Success."})

    # -- lists -----------------------------------------------------------------------

    def _live(self, media_type: str | None = None) -> list[Title]:
        """Released titles (not upcoming) of ``media_type`` (``None``: both)."""
        return [
            t
            for t in self.titles
            if not t.upcoming and (media_type is None or t.media_type == media_type)
        ]

    def _pop(self, title: Title) -> float:
        return self.popularity[title.media_type, title.tmdb_id]

    async def _trending(self, request: web.Request) -> web.Response:
        media_type = request.match_info["media_type"]
        window = request.match_info["time_window"]
        if media_type not in ("all", "movie", "tv", "person") or window not in ("day", "week"):
            return _error(404, 34, NOT_FOUND)
        entries: list[tuple[float, dict[str, Any]]] = []
        if media_type != "person":
            titles = self._live(None if media_type == "all" else media_type)
            for t in titles:
                # The day's list favours well-rated titles; the week's is plain popularity.
                score = t.rating * 20 + self._pop(t) / 10 if window == "day" else self._pop(t)
                entries.append((score, self._list_item(t, with_type=True)))
        if media_type in ("all", "person"):
            people = self.people[:1] if media_type == "all" else self.people
            entries.extend((p.popularity, self._person_item(p)) for p in people)
        entries.sort(key=lambda e: -e[0])
        return self._paged(request, [e for _, e in entries])

    def _popular(self, media_type: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            titles = sorted(self._live(media_type), key=lambda t: -self._pop(t))
            return self._paged(request, [self._list_item(t) for t in titles])

        return handler

    async def _upcoming(self, request: web.Request) -> web.Response:
        titles = [t for t in self.titles if t.upcoming and t.media_type == "movie"]
        titles.sort(key=lambda t: t.release_date)
        dates = [t.release_date for t in titles] or ["2026-01-01"]
        extra = {"dates": {"maximum": max(dates), "minimum": min(dates)}}
        return self._paged(request, [self._list_item(t) for t in titles], extra)

    async def _on_the_air(self, request: web.Request) -> web.Response:
        titles = [t for t in self._live("tv") if t.status == "Returning Series"]
        titles.sort(key=lambda t: -self._pop(t))
        return self._paged(request, [self._list_item(t) for t in titles])

    async def _search(self, request: web.Request) -> web.Response:
        media_type = request.match_info["media_type"]
        if media_type not in ("multi", "movie", "tv"):
            return _error(404, 34, NOT_FOUND)
        query = request.query.get("query", "").strip().lower()
        if not query:
            return self._paged(request, [])
        # TMDB: films filter on primary_release_year (or year), shows on
        # first_air_date_year; multi search has no year filter at all.
        year: str | None = None
        if media_type == "movie":
            year = request.query.get("primary_release_year") or request.query.get("year")
        elif media_type == "tv":
            year = request.query.get("first_air_date_year")
        matches = [
            t
            for t in self.titles
            if query in t.title.lower()
            and media_type in ("multi", t.media_type)
            and (not year or str(t.year) == year)
        ]
        matches.sort(key=lambda t: -self._pop(t))
        multi = media_type == "multi"
        entries = [(self._pop(t), self._list_item(t, with_type=multi)) for t in matches]
        if multi:
            entries += [
                (p.popularity, self._person_item(p))
                for p in self.people
                if query in p.name.lower() or any(self._knows(p, t) for t in matches)
            ]
            entries.sort(key=lambda e: -e[0])
        return self._paged(request, [e for _, e in entries])

    @staticmethod
    def _knows(person: Person, title: Title) -> bool:
        return (title.media_type, title.tmdb_id) in person.known_for

    def _paged(
        self,
        request: web.Request,
        items: list[dict[str, Any]],
        extra: dict[str, Any] | None = None,
    ) -> web.Response:
        """One page of ``items`` as TMDB pages lists (20 a page), or the 400/22 error."""
        raw = request.query.get("page", "1")
        try:
            page = int(raw)
        except ValueError:
            return _error(400, 22, INVALID_PAGE)
        if not 1 <= page <= MAX_PAGE:
            return _error(400, 22, INVALID_PAGE)
        total_pages = max(1, math.ceil(len(items) / PAGE_SIZE))
        start = (page - 1) * PAGE_SIZE
        return web.json_response(
            {
                **(extra or {}),
                "page": page,
                "results": items[start : start + PAGE_SIZE],
                "total_pages": total_pages,
                "total_results": len(items),
            }
        )

    # -- genres and details ----------------------------------------------------------

    @staticmethod
    def _genre_names(request: web.Request, genres: dict[int, str]) -> dict[int, str]:
        if request.query.get("language", "en-US").lower().startswith("de"):
            return {gid: GENRES_DE.get(gid, name) for gid, name in genres.items()}
        return genres

    async def _genres(self, request: web.Request) -> web.Response:
        media_type = request.match_info["media_type"]
        if media_type not in ("movie", "tv"):
            return _error(404, 34, NOT_FOUND)
        genres = self._genre_names(request, MOVIE_GENRES if media_type == "movie" else TV_GENRES)
        ordered = sorted(genres.items(), key=lambda kv: kv[1])
        return web.json_response({"genres": [{"id": i, "name": n} for i, n in ordered]})

    def _details(self, media_type: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            raw_id = request.match_info["id"]
            title = next(
                (
                    t
                    for t in self.titles
                    if raw_id.isdigit() and t.media_type == media_type and t.tmdb_id == int(raw_id)
                ),
                None,
            )
            if title is None:
                return _error(404, 34, NOT_FOUND)
            body = self._details_body(request, title)
            appended = {a.strip() for a in request.query.get("append_to_response", "").split(",")}
            if "external_ids" in appended:
                body["external_ids"] = self._external_ids(title)
            return web.json_response(body)

        return handler

    def _details_body(self, request: web.Request, t: Title) -> dict[str, Any]:
        table = self._genre_names(request, MOVIE_GENRES if t.media_type == "movie" else TV_GENRES)
        genres = [{"id": g, "name": table[g]} for g in t.genre_ids if g in table]
        body = self._list_item(t)
        del body["genre_ids"]
        body.update(
            {
                "genres": genres,
                "homepage": "",
                "production_companies": [],
                "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
                "spoken_languages": [
                    {"english_name": "English", "iso_639_1": "en", "name": "English"}
                ],
                "status": t.status,
                "tagline": "",
            }
        )
        if t.media_type == "movie":
            body.update(
                {
                    "belongs_to_collection": None,
                    "budget": 0,
                    "imdb_id": t.imdb_id,
                    "origin_country": ["US"],
                    "revenue": 0,
                    "runtime": t.runtime or 0,
                }
            )
        else:
            body.update(
                {
                    "created_by": [],
                    "episode_run_time": (
                        [t.runtime] if t.runtime and t.tmdb_id in EPISODE_RUN_TIME_KEPT else []
                    ),
                    "last_episode_to_air": None if t.upcoming else self._episode(t, last=True),
                    "next_episode_to_air": (
                        self._episode(t, last=False)
                        if t.upcoming or t.status == "Returning Series"
                        else None
                    ),
                    "in_production": t.status == "Returning Series",
                    "languages": ["en"],
                    "last_air_date": t.release_date,
                    "networks": [],
                    "number_of_episodes": t.episodes or 0,
                    "number_of_seasons": t.seasons or 0,
                    "seasons": [],
                    "type": "Scripted",
                }
            )
        return body

    @staticmethod
    def _episode(t: Title, *, last: bool) -> dict[str, Any]:
        """``last_episode_to_air`` (``last``) or ``next_episode_to_air`` of show ``t``."""
        season = max(t.seasons or 1, 1)
        number = max((t.episodes or 1) // season, 1) + (0 if last else 1)
        return {
            "id": t.tmdb_id * 1000 + season * 100 + number,
            "name": f"Episode {number}",
            "overview": "",
            "vote_average": 0.0,
            "vote_count": 0,
            "air_date": (t.release_date or None) if last else None,
            "episode_number": number,
            "episode_type": "standard",
            "production_code": "",
            "runtime": t.runtime,
            "season_number": season,
            "show_id": t.tmdb_id,
            "still_path": None,
        }

    @staticmethod
    def _external_ids(t: Title) -> dict[str, Any]:
        ids: dict[str, Any] = {
            "imdb_id": t.imdb_id,
            "wikidata_id": None,
            "facebook_id": None,
            "instagram_id": None,
            "twitter_id": None,
        }
        if t.media_type == "tv":
            ids.update({"freebase_mid": None, "freebase_id": None, "tvdb_id": None})
            ids.update({"tvrage_id": None})
        return ids

    # -- item shapes -----------------------------------------------------------------

    def _list_item(self, t: Title, *, with_type: bool = False) -> dict[str, Any]:
        """A title as TMDB lists it (``media_type`` only where TMDB adds it)."""
        item: dict[str, Any] = {
            "adult": False,
            "backdrop_path": t.backdrop_path,
            "genre_ids": list(t.genre_ids),
            "id": t.tmdb_id,
            "original_language": "en",
            "overview": t.overview,
            "popularity": self._pop(t),
            "poster_path": t.poster_path,
            "vote_average": t.rating,
            "vote_count": t.vote_count,
        }
        if t.media_type == "movie":
            item.update(
                {
                    "original_title": t.title,
                    "release_date": t.release_date,
                    "title": t.title,
                    "video": False,
                }
            )
        else:
            item.update(
                {
                    "first_air_date": t.release_date,
                    "name": t.title,
                    "origin_country": ["US"],
                    "original_name": t.title,
                }
            )
        if with_type:
            item["media_type"] = t.media_type
        return item

    def _person_item(self, p: Person) -> dict[str, Any]:
        known: Iterable[Title] = (
            t for t in self.titles if (t.media_type, t.tmdb_id) in p.known_for
        )
        return {
            "adult": False,
            "gender": p.gender,
            "id": p.tmdb_id,
            "known_for": [self._list_item(t, with_type=True) for t in known],
            "known_for_department": p.department,
            "media_type": "person",
            "name": p.name,
            "original_name": p.name,
            "popularity": p.popularity,
            "profile_path": p.profile_path,
        }
