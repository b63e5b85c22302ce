"""A Watchmode API v1 simulator serving the shared catalogue.

Same paths as ``https://api.watchmode.com/v1`` (served at the root and under
``/v1``), auth by the ``apiKey`` query parameter, and Watchmode's error shape
for every failure: ``{"success": false, "statusCode": N, "statusMessage":
...}`` with HTTP N (401 bad key, 402 over quota, 404 unknown title or path,
429 while ``set_rate_limit`` is on, with ``Retry-After``).

Routes: ``/status/`` (free), ``/search/`` (``search_field`` =
``tmdb_movie_id``, ``tmdb_tv_id``, ``imdb_id`` or ``name``) and
``/title/{id}/sources/`` where ``id`` is a Watchmode id, an IMDb id or
``movie-603`` / ``tv-1396``; one row per source, format and region, filtered
by ``regions`` (all regions when absent).  Every answered call but
``/status/`` uses one unit of quota (``quota_used``), as on a real key.

Facts it honours (Watchmode is closed source: its API reference,
https://api.watchmode.com/docs, and ``shared/upstreams.md`` "Verified against
the upstreams' source"):

* Routes end with a slash.  Every path in the reference ends in ``/``
  (``/v1/status/``, ``/v1/search/``, ``/v1/title/{title_id}/sources/``); the
  path without it is not a route here: it gets the catch-all 404 "The
  resource does not exist." (after the key check, as every path).  What the
  real server answers there (a 404 or a redirect) is not written anywhere
  public; a client that sends the slash never meets either.
* Free plans do not get deep links: ``ios_url`` and ``android_url`` carry the
  text "Deeplinks available for paid plans only." instead of a URL (the
  reference's ``/title/{title_id}/sources/`` fields; recorded in
  ``shared/upstreams.md``); ``paid_plan=True`` sends app links.  ``web_url``
  is a link on every plan.
* ``/status/`` is documented as ``{"quota", "quotaUsed"}``; callers in the
  wild read ``account_calls_limit``/``account_calls_used``/
  ``quota_reset_datetime_utc``.  ``status_fields`` picks ``"quota"``
  (documented), ``"account"`` (the other names) or ``"none"`` (neither: the
  key is good, the counts are not said).

State tests can change: ``rotate_credentials(api_key=...)``, ``quota`` and
``quota_used``, ``set_sources`` (replace a title's rows), ``set_rate_limit``,
``paid_plan``, ``status_fields``, and ``deny()`` (``POST /_sim/denied``): a
good key whose plan does not include the title routes (``/search/``,
``/title/{id}/sources/``; ``/status/`` stays open). Watchmode's API reference
("Errors", api.watchmode.com/docs) lists 403 as "the API key does not have
access to this endpoint" (a plan restriction, see ``shared/upstreams.md``);
the body has Watchmode's error shape, its exact ``statusMessage`` is not
documented and is ours. It is answered after the key check and before the
quota check, and costs no quota.
"""

from __future__ import annotations

from collections.abc import Callable
import secrets
from typing import Any, ClassVar, Literal

from aiohttp import web

from .base import Handler, Simulator
from .catalogue import SOURCE_URLS, TITLES, Title, generated_titles

PREFIXES = ("", "/v1")

NO_DEEPLINKS = "Deeplinks available for paid plans only."
"""What a free plan's ``ios_url`` and ``android_url`` hold instead of a link."""

QUOTA_RESET = "2026-12-01 00:00:00"
"""``quota_reset_datetime_utc`` as the ``account`` status shape writes it."""

StatusFields = Literal["quota", "account", "none"]

Source = tuple[int, str, str, str, str, float | None]


def _error(status: int, message: str) -> web.Response:
    return web.json_response(
        {"success": False, "statusCode": status, "statusMessage": message}, status=status
    )


class WatchmodeSimulator(Simulator):
    """Watchmode: the catalogue's titles and where they stream."""

    kind: ClassVar[str] = "watchmode"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)
    restricted: ClassVar[tuple[str, ...]] = (r"(/v1)?/search/?$", r"(/v1)?/title/[^/]+/sources/?$")

    def __init__(
        self,
        *,
        api_key: str | None = None,
        quota: int = 1000,
        extra_titles: int = 0,
        paid_plan: bool = False,
        status_fields: StatusFields = "quota",
    ) -> None:
        """``api_key``: 40 characters like a Watchmode key (random by default).

        ``extra_titles`` adds ``catalogue.generated_titles`` (match the TMDB
        simulator's number); ``paid_plan`` sends app deep links instead of the
        free plan's text; ``status_fields`` is the shape of ``/status/``.
        """
        super().__init__()
        self.api_key = api_key or secrets.token_urlsafe(30)[:40]
        self.quota = quota
        self.quota_used = 0
        self.titles: tuple[Title, ...] = TITLES + generated_titles(extra_titles)
        self.sources: dict[int, tuple[Source, ...]] = {
            t.watchmode_id: t.sources for t in self.titles
        }
        self.rate_limit: int | None = None
        self.paid_plan = paid_plan
        self.status_fields: StatusFields = status_fields

    # -- control ---------------------------------------------------------------------

    def set_sources(self, watchmode_id: int, rows: tuple[Source, ...]) -> None:
        """Replace a title's source rows (a service adds or drops it)."""
        if watchmode_id not in self.sources:
            raise ValueError(f"no title {watchmode_id} in the catalogue")
        self.sources[watchmode_id] = rows

    def set_rate_limit(self, retry_after: int | None) -> None:
        """Answer 429 with this ``Retry-After`` to every request (``None``: stop)."""
        self.rate_limit = retry_after

    # -- routes ----------------------------------------------------------------------

    def setup_routes(self, app: web.Application) -> None:
        routes: list[tuple[str, Handler, bool]] = [
            ("/status/", self._status, False),
            ("/search/", self._search, True),
            ("/title/{title_id}/sources/", self._sources, True),
        ]
        for prefix in PREFIXES:
            for path, handler, costs in routes:
                guarded = self._guard(handler, costs=costs)
                app.router.add_get(prefix + path, guarded)  # without the slash: 404
        app.router.add_route("*", "/{tail:.*}", self._guard(self._not_found, costs=False))

    def _guard(self, handler: Handler, *, costs: bool) -> Handler:
        """Wrap a route with Watchmode's rate limit, key check and quota."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            if self.rate_limit is not None:
                resp = _error(429, "Too many requests hit the API too quickly.")
                resp.headers["Retry-After"] = str(self.rate_limit)
                return resp
            key = request.query.get("apiKey", "")
            if not key or not secrets.compare_digest(key, self.api_key):
                return _error(401, "Your API key is invalid.")
            if (refused := self.refusal(request)) is not None:
                return refused
            if costs and self.quota_used >= self.quota:
                return _error(402, "Over plan quota on this API Key.")
            answer = await handler(request)
            if costs and answer.status < 400:
                self.quota_used += 1
            return answer

        return guarded

    def denied_response(self, request: web.Request) -> web.Response:
        """Watchmode's 403: the key is good, its plan does not include this endpoint."""
        return _error(403, "Your plan does not include access to this endpoint.")

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error(404, "The resource does not exist.")

    async def _status(self, request: web.Request) -> web.Response:
        if self.status_fields == "account":
            return web.json_response(
                {
                    "account_calls_limit": self.quota,
                    "account_calls_used": self.quota_used,
                    "quota_reset_datetime_utc": QUOTA_RESET,
                }
            )
        if self.status_fields == "none":
            return web.json_response({})
        return web.json_response({"quota": self.quota, "quotaUsed": self.quota_used})

    # -- titles ----------------------------------------------------------------------

    def _lookup(self, title_id: str) -> Title | None:
        """A title by Watchmode id, IMDb id or ``movie-``/``tv-`` TMDB id."""
        kind, _, number = title_id.partition("-")
        for t in self.titles:
            if (
                (title_id.isdigit() and t.watchmode_id == int(title_id))
                or t.imdb_id == title_id
                or (kind == t.media_type and number.isdigit() and t.tmdb_id == int(number))
            ):
                return t
        return None

    async def _search(self, request: web.Request) -> web.Response:
        field = request.query.get("search_field", "")
        value = request.query.get("search_value", "").strip()
        if not field or not value:
            return _error(400, "Please set a valid search_field and search_value.")
        matchers: dict[str, Callable[[Title], bool]] = {
            "tmdb_movie_id": lambda t: t.media_type == "movie" and str(t.tmdb_id) == value,
            "tmdb_tv_id": lambda t: t.media_type == "tv" and str(t.tmdb_id) == value,
            "imdb_id": lambda t: t.imdb_id == value,
            "name": lambda t: value.lower() in t.title.lower(),
        }
        matcher = matchers.get(field)
        if matcher is None:
            return _error(400, "Please set a valid search_field.")
        results = [self._title_result(t) for t in self.titles if matcher(t)]
        return web.json_response({"title_results": results, "people_results": []})

    @staticmethod
    def _title_result(t: Title) -> dict[str, Any]:
        return {
            "resultType": "title",
            "id": t.watchmode_id,
            "name": t.title,
            "type": t.watchmode_type,
            "year": t.year,
            "imdb_id": t.imdb_id,
            "tmdb_id": t.tmdb_id,
            "tmdb_type": t.media_type,
        }

    async def _sources(self, request: web.Request) -> web.Response:
        title = self._lookup(request.match_info["title_id"])
        if title is None:
            return _error(404, "The resource does not exist.")
        raw_regions = request.query.get("regions", "")
        regions = {r.strip().upper() for r in raw_regions.split(",") if r.strip()}
        rows = [
            self._row(title, row, paid_plan=self.paid_plan)
            for row in self.sources[title.watchmode_id]
            if not regions or row[3] in regions
        ]
        return web.json_response(rows)

    @staticmethod
    def _row(title: Title, row: Source, *, paid_plan: bool) -> dict[str, Any]:
        source_id, name, kind, region, fmt, price = row
        base = SOURCE_URLS.get(source_id, "https://www.example.com/watch/")
        slug = f"{base}{title.watchmode_id}"
        return {
            "source_id": source_id,
            "name": name,
            "type": kind,
            "region": region,
            "ios_url": f"{slug}?platform=ios" if paid_plan else NO_DEEPLINKS,
            "android_url": f"{slug}?platform=android" if paid_plan else NO_DEEPLINKS,
            "web_url": slug,
            "format": fmt,
            "price": price,
            "seasons": title.seasons,
            "episodes": title.episodes,
        }
