"""Client of Jackett: configured indexers and torrent search across them.

Jackett proxies many torrent sites ("indexers") behind one API key.  This
client speaks two of its routes:

* Torznab XML, ``/api/v2.0/indexers/{id|all}/results/torznab/api`` with
  ``t=indexers|caps|search|movie|tvsearch``: the standard route every *arr
  tool uses.  ``async_get_info`` and ``async_indexers`` use
  ``t=indexers&configured=true`` on ``all``; ``async_search_torznab`` searches.
* JSON, ``/api/v2.0/indexers/{id|all}/results`` (the route of Jackett's own web
  UI): ``async_search`` uses it because it reports, next to the results, one
  status per indexer, so one failing indexer does not fail the search.

Library decision (see ``shared/upstreams.md``): no maintained Python library
for Jackett exists, so this is our own client on the shared ``HttpClient``;
XML is parsed with the standard library's ``ElementTree`` after the body size
cap of ``HttpClient`` (Python 3.13's Expat limits entity expansion and
ElementTree resolves no external entities; we also refuse documents that
declare entities, which Jackett never sends).

Verified in Jackett's source (``src/Jackett.Server/Controllers/
ResultsController.cs``, master of 2026-08, commit 7911696), and imitated by
``simulators/jackett.py``:

* The API key is checked first, by the ``RequiresApiKey`` action filter
  (``apikey`` or ``passkey`` query parameter, compared case-sensitively).  A
  wrong or missing key on the **Torznab** route answers **HTTP 200** with
  content type ``application/xml`` and the body
  ``<?xml version="1.0" encoding="UTF-8"?>`` + newline +
  ``<error code="100" description="Invalid API Key" />``; on the **JSON**
  route it is ``UnauthorizedResult``: **HTTP 401 with an empty body**.  Both
  become ``InvalidAuthError`` here (as do Torznab codes 101 and 102, the
  Newznab "account suspended" and "insufficient privileges").
* An unknown indexer id: Torznab answers HTTP 200
  ``<error code="201" description="Indexer is not supported" />`` (or
  ``"Indexer is not configured"``); the JSON route answers HTTP 404 with the
  same sentence as ``text/plain``.  Both become ``ResponseError`` (status 404).
* A Torznab search on one indexer that fails answers HTTP 400
  ``<error code="900" description="<exception text>" />`` (429 when the site
  rate-limits): ``ResponseError``, without the exception text, which may
  carry a private tracker's URL.  On ``all`` Jackett drops failing indexers.
* JSON ``Peers`` is already the leecher count: ``TrackerCacheResult``'s
  constructor does ``Peers -= Seeders``; Torznab's ``peers`` attribute is
  seeders plus leechers.  We report ``leechers`` as such on both routes,
  never below 0.
* JSON is Newtonsoft with Pascal-case names; enums are numbers (indexer
  ``Status`` 0 unknown, 1 error, 2 ok); ``PublishDate`` is an ISO date, usually
  with the server's offset; a date without an offset is taken as UTC.
* Unknown publish dates: Jackett keeps ``DateTime.MinValue`` for a release
  without a date; the JSON route sends it as ``0001-01-01T00:00:00``, the
  Torznab feed writes ``DateTime.Now`` as its ``pubDate`` instead
  (``ResultPage.cs`` L82), and ``BaseIndexer.FixResults`` sets every date in
  the future (a tracker's clock ahead) to ``DateTime.Now``.  "Now" on
  Jackett's clock is no date: a ``published`` within ``UNDATED_WINDOW`` of
  the answer's ``Date`` header (Jackett's clock; ours when it sends none) or
  after it is ``None``, as is year 1, so nothing counts such a release as new.
* An IMDb search (``imdb_id``): Jackett drops every indexer whose
  capabilities have no IMDb movie search before it searches
  (``ResultsController.cs`` L246, ``BaseIndexer.CanHandleQuery``), so they are
  missing from ``indexers``: neither ``ok`` nor ``error``.
* JSON query parameters: ``Query`` (ASP.NET binds it case-insensitively),
  ``Category[]`` (Jackett splits the value on commas, so we send one
  comma-joined value), ``imdbid``.  Torznab: ``q``, ``cat`` (comma-joined),
  ``imdbid``, ``season``, ``ep``, ``limit``.
* A 200 that is not Jackett's XML or JSON (a login page, a proxy's page, a
  wrong path) is ``ResponseError``, as are malformed or oversized bodies.
* No route reports Jackett's version with only the API key
  (``/api/v2.0/server/config`` needs the admin cookie), so ``UpstreamInfo``
  has no version and its name is ``Jackett (host:port)``.

Download ``link`` values point at Jackett's ``/dl/`` proxy and carry the API
key as ``jackett_apikey``: never log them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import re
from typing import Any, ClassVar, Literal
from urllib.parse import quote
from xml.etree import ElementTree as ET

import aiohttp

from ._http import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    HttpClient,
    HttpResponse,
    as_dict,
    as_list,
    http_date,
    opt_float,
    opt_int,
    opt_str,
)
from .errors import InvalidAuthError, PermissionDeniedError, ResponseError
from .magnet import (
    info_hash_from_magnet,
    normalize_info_hash as normalize_info_hash,  # noqa: PLC0414 - public re-export
)
from .models import UpstreamInfo

TORZNAB_NS = "http://torznab.com/schemas/2015/feed"
_ATTR = f"{{{TORZNAB_NS}}}attr"

TORZNAB_PATH = "api/v2.0/indexers/{indexer}/results/torznab/api"
JSON_PATH = "api/v2.0/indexers/{indexer}/results"

_AUTH_CODES = frozenset({100, 101, 102})
"""Torznab/Newznab error codes for a bad key, a suspended account, no rights."""

_IMDB_RE = re.compile(r"^(?:tt)?(\d{1,8})$")
_MIN_DATE = datetime(1, 1, 2, tzinfo=UTC)
UNDATED_WINDOW = timedelta(seconds=60)
"""A publish date this close before the answer (or after it) is Jackett's "now"."""
_ERROR_TEXT_MAX = 300

SearchMode = Literal["search", "movie", "tvsearch"]

_JSON_STATUS = {0: "unknown", 1: "error", 2: "ok"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Indexer:
    """One indexer as Jackett lists it (``t=indexers``)."""

    id: str
    name: str
    configured: bool
    description: str | None = None
    link: str | None = None
    language: str | None = None
    type: str | None = None
    """``public``, ``semi-private`` or ``private``."""
    categories: tuple[int, ...] = ()
    """Top-level category ids of its capabilities (2000, 5000, tracker ids)."""
    movie_search: bool = False
    tv_search: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TorrentResult:
    """One release found by a search."""

    title: str
    indexer: str
    """The indexer's display name."""
    indexer_id: str | None
    size: int | None
    """Bytes."""
    seeders: int | None
    leechers: int | None
    magnet_url: str | None
    link: str | None
    """Jackett's download proxy URL (carries the API key: do not log it)."""
    info_hash: str | None
    """40 lower-case hex characters, from the result or its magnet link."""
    categories: tuple[int, ...]
    published: datetime | None
    """Timezone-aware; ``None`` when Jackett does not know it (see the module docstring)."""
    imdb_id: str | None
    """``tt`` and at least 7 digits."""
    tmdb_id: int | None
    details_url: str | None
    guid: str | None
    grabs: int | None = None
    download_volume_factor: float | None = None
    upload_volume_factor: float | None = None

    @property
    def category(self) -> int | None:
        """The first standard (Newznab) category; tracker-specific ids are ≥ 100000."""
        return next((c for c in self.categories if c < 100000), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexerSearchStatus:
    """How one indexer fared in a JSON search."""

    id: str | None
    name: str | None
    status: str
    """``ok``, ``error`` or ``unknown``."""
    results: int
    error: str | None
    """First line of Jackett's error text, shortened."""
    elapsed_ms: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResults:
    """Results of a search, plus per-indexer status (JSON route only)."""

    results: tuple[TorrentResult, ...]
    indexers: tuple[IndexerSearchStatus, ...] = ()

    @property
    def failed_indexers(self) -> tuple[IndexerSearchStatus, ...]:
        """The indexers that reported an error."""
        return tuple(i for i in self.indexers if i.status == "error")


class JackettClient(HttpClient):
    """Async client of one Jackett server (API key in the ``apikey`` query parameter)."""

    service: ClassVar[str] = "Jackett"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        api_key: str,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        """Keep the session, base URL and key; nothing is sent yet."""
        super().__init__(session, url, verify_ssl=verify_ssl, timeout=timeout, max_bytes=max_bytes)
        self._api_key = api_key

    # -- public surface -------------------------------------------------------------

    async def async_get_info(self) -> UpstreamInfo:
        """Check URL and key with the Torznab indexer list; name the server."""
        await self.async_indexers()
        host = self.base_url.host or "jackett"
        port = self.base_url.explicit_port
        where = f"{host}:{port}" if port else host
        return UpstreamInfo(unique_id=str(self.base_url), name=f"Jackett ({where})")

    async def async_indexers(self, *, configured_only: bool = True) -> list[Indexer]:
        """Return the indexers (by default only the configured ones)."""
        params = {"t": "indexers"}
        if configured_only:
            params["configured"] = "true"
        root = await self._torznab("all", params)
        if root.tag != "indexers":
            raise self.bad_answer(f"a <{_local(root.tag)}> document instead of the indexer list")
        return [_parse_indexer(el) for el in root.findall("indexer") if el.get("id")]

    async def async_search(
        self,
        query: str,
        *,
        categories: Sequence[int] = (),
        indexer: str = "all",
        imdb_id: str | None = None,
    ) -> SearchResults:
        """Search over the JSON route; each indexer reports its own status.

        ``categories`` are Newznab ids (2000 movies, 5000 TV, subcategories);
        ``indexer`` is an indexer id or ``all``; ``imdb_id`` (``tt0133093``)
        narrows the search to one title where the indexers support it.
        An empty ``indexer`` or a malformed ``imdb_id`` is a caller's bug:
        ``ValueError``, before anything is sent.
        """
        params: dict[str, str] = {"apikey": self._api_key, "Query": query}
        if categories:
            # Jackett splits the value of Category[] on commas
            params["Category[]"] = ",".join(str(int(c)) for c in categories)
        if imdb_id:
            params["imdbid"] = _require_imdb(imdb_id)
        resp = await self._request(
            "GET",
            JSON_PATH.format(indexer=_segment(indexer)),
            params=params,
            encoded_path=True,
            allow_statuses=(404,),
        )
        if resp.status == 404:
            if _NOT_CONFIGURED in resp.text():
                raise self._not_configured(indexer)
            raise ResponseError(
                f"Jackett at {self.origin} has no configured indexer {indexer!r}"
                f"{_reason(resp.text())}",
                status=404,
            )
        data = as_dict(resp.json(), self, "a search answer")
        if "Results" not in data:
            raise self.bad_answer("a search answer without Results")
        answered = _answered_at(resp)
        results = tuple(
            _json_result(as_dict(item, self, "a search result"), answered)
            for item in as_list(data["Results"], self, "search results")
        )
        statuses = tuple(
            _json_indexer_status(as_dict(item, self, "an indexer status"))
            for item in as_list(data.get("Indexers") or [], self, "indexer statuses")
        )
        return SearchResults(results=results, indexers=statuses)

    async def async_search_torznab(
        self,
        query: str,
        *,
        categories: Sequence[int] = (),
        indexer: str = "all",
        imdb_id: str | None = None,
        mode: SearchMode = "search",
        season: int | None = None,
        episode: int | None = None,
        limit: int | None = None,
    ) -> SearchResults:
        """Search over the Torznab route (``t=search|movie|tvsearch``).

        Torznab reports no per-indexer status: ``indexers`` is empty, and on
        ``all`` Jackett silently leaves out indexers that failed.
        """
        params: dict[str, str] = {"t": mode}
        if query:
            params["q"] = query
        if categories:
            params["cat"] = ",".join(str(int(c)) for c in categories)
        if imdb_id:
            params["imdbid"] = _require_imdb(imdb_id)
        if season is not None:
            params["season"] = str(season)
        if episode is not None:
            params["ep"] = str(episode)
        if limit is not None:
            params["limit"] = str(limit)
        try:
            root, answered = await self._torznab_answer(indexer, params)
        except ResponseError as err:
            if err.status == 404 and _NOT_CONFIGURED in err.message:
                raise self._not_configured(indexer) from err
            raise
        channel = root.find("channel")
        if root.tag != "rss" or channel is None:
            raise self.bad_answer(f"a <{_local(root.tag)}> document instead of an RSS feed")
        return SearchResults(
            results=tuple(_xml_result(item, answered) for item in channel.iter("item"))
        )

    # -- plumbing --------------------------------------------------------------------

    async def _torznab(self, indexer: str, params: Mapping[str, str]) -> ET.Element:
        """GET a Torznab document; map its ``<error>`` answers to our errors."""
        root, _answered = await self._torznab_answer(indexer, params)
        return root

    async def _torznab_answer(
        self, indexer: str, params: Mapping[str, str]
    ) -> tuple[ET.Element, datetime]:
        """GET a Torznab document and when it was answered (see ``_answered_at``)."""
        resp = await self._request(
            "GET",
            TORZNAB_PATH.format(indexer=_segment(indexer)),
            params={"apikey": self._api_key, **params},
            encoded_path=True,
            allow_statuses=(400, 429),
        )
        if resp.status != 200:
            try:
                root = self._parse_xml(resp)
            except ResponseError:
                root = None
            if root is not None and root.tag == "error":
                raise self._torznab_error(root, resp.status)
            if resp.status == 429:
                raise self._rate_limited()
            raise ResponseError(
                f"Jackett at {self.origin} refused the request (HTTP {resp.status})",
                status=resp.status,
            )
        root = self._parse_xml(resp)
        if root.tag == "error":
            raise self._torznab_error(root, resp.status)
        return root, _answered_at(resp)

    def _not_configured(self, indexer: str) -> PermissionDeniedError:
        """Build the error for a known indexer that is not set up (disabled) in Jackett."""
        return PermissionDeniedError(
            f"Jackett at {self.origin} has the indexer {indexer!r}, but it is not "
            "configured (enabled); add it in Jackett's dashboard",
            right=f"the indexer {indexer} enabled in Jackett",
            status=404,
        )

    def _rate_limited(self) -> ResponseError:
        """Build the error for HTTP 429 (an indexer behind Jackett is rate-limited)."""
        return ResponseError(
            f"An indexer behind Jackett at {self.origin} is rate-limited; try later",
            status=429,
        )

    def _parse_xml(self, resp: HttpResponse) -> ET.Element:
        """Parse a (size-capped) body as XML, or raise ``ResponseError``."""
        if b"<!ENTITY" in resp.body:
            raise self.bad_answer("XML that declares entities; refusing it")
        try:
            # stdlib parser by design (upstreams.md): the body is size-capped,
            # entity declarations are refused above, Expat fetches nothing external
            root = ET.fromstring(resp.body)  # noqa: S314
        except ET.ParseError as err:
            raise self.bad_answer(
                "an answer that is not XML (is the URL Jackett's, without a path it does not have?)"
            ) from err
        if root.tag in ("html", "{http://www.w3.org/1999/xhtml}html"):
            raise self.bad_answer("a web page instead of Torznab XML; check the URL")
        return root

    def _torznab_error(self, root: ET.Element, status: int) -> Exception:
        """Build the error for a Torznab ``<error code=… description=…/>``."""
        code = opt_int(root.get("code"))
        if code in _AUTH_CODES:
            return InvalidAuthError(
                f"Jackett at {self.origin} rejected the API key (Torznab error {code}); check it"
            )
        if code in {201, 203}:
            return ResponseError(
                f"Jackett at {self.origin} refused the request"
                f"{_reason(root.get('description') or '')}",
                status=404 if "Indexer is not" in (root.get("description") or "") else status,
            )
        if status == 429:
            return self._rate_limited()
        return ResponseError(
            f"An indexer behind Jackett at {self.origin} failed (Torznab error {code})",
            status=status,
        )


# -- parsing helpers (module level: pure functions of the payload) ------------------------


_NOT_CONFIGURED = "Indexer is not configured"
"""Jackett's sentence for a known indexer that is not set up (``ResultsController.cs`` L97)."""


def _segment(indexer: str) -> str:
    """Return ``indexer`` quoted as one path segment (filter ids keep ``:``)."""
    if not indexer or indexer.strip() != indexer or "/" in indexer:
        raise ValueError("indexer must be an indexer id or 'all'")
    return quote(indexer, safe=":+,!")


def _reason(text: str) -> str:
    """Return ``": <first line>"`` of a short upstream sentence, or nothing."""
    line = text.strip().splitlines()[0][:120] if text.strip() else ""
    return f": {line}" if line else ""


def _local(tag: str) -> str:
    """Return an element tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _require_imdb(value: str) -> str:
    """Return ``value`` as ``tt`` + 7+ digits, or raise ``ValueError``."""
    normalised = normalize_imdb_id(value)
    if normalised is None:
        raise ValueError("imdb_id must look like tt0133093")
    return normalised


def normalize_imdb_id(value: Any) -> str | None:
    """Return an IMDb id (int ``133093``, ``"0133093"``, ``"tt0133093"``) as ``tt0133093``."""
    if value is None or isinstance(value, bool):
        return None
    match = _IMDB_RE.match(str(value).strip())
    if match is None or int(match.group(1)) == 0:
        return None
    return f"tt{int(match.group(1)):07d}"


def _first_line(text: Any) -> str | None:
    """Return the first line of an error text, shortened (stack traces dropped)."""
    s = opt_str(text)
    if s is None or not s.strip():
        return None
    return s.strip().splitlines()[0][:_ERROR_TEXT_MAX]


def _aware(value: datetime) -> datetime | None:
    """Return ``value`` with a timezone (UTC when it had none); ``None`` for year 1."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value < _MIN_DATE:
        return None
    return value


def _answered_at(resp: HttpResponse) -> datetime:
    """When Jackett answered: its ``Date`` header, or our clock when it sent none."""
    return resp.date or datetime.now(UTC)


def _dated(value: datetime | None, answered: datetime) -> datetime | None:
    """``value``, unless it is Jackett's stand-in "now" for an unknown date (``None``)."""
    if value is None or value >= answered - UNDATED_WINDOW:
        return None
    return value


def _iso_date(value: Any) -> datetime | None:
    """Parse Newtonsoft's ISO date (up to 7 fractional digits, ``Z`` or offset)."""
    s = opt_str(value)
    if s is None:
        return None
    # .NET writes up to 7 fractional digits; Python takes at most 6
    s = re.sub(r"(\.\d{6})\d+", r"\1", s.strip())
    try:
        return _aware(datetime.fromisoformat(s))
    except ValueError:
        return None


def _rfc822_date(value: str | None) -> datetime | None:
    """Parse an RSS ``pubDate`` (``Sat, 14 Mar 2015 17:10:42 -0400``), as UTC."""
    parsed = http_date(value)
    return None if parsed is None else _aware(parsed)


def _int_list(values: Any) -> tuple[int, ...]:
    """Return the integers of a JSON list (others dropped), in order, once each."""
    if not isinstance(values, list):
        return ()
    out: list[int] = []
    for v in values:
        i = opt_int(v)
        if i is not None and i not in out:
            out.append(i)
    return tuple(out)


def _non_negative(value: int | None) -> int | None:
    """Clamp a count at 0 (Jackett sends -1 or negative differences for unknown)."""
    return None if value is None else max(value, 0)


def _json_result(item: dict[str, Any], answered: datetime) -> TorrentResult:
    """Build a result from one JSON ``Results`` entry (a ``TrackerCacheResult``)."""
    magnet = opt_str(item.get("MagnetUri"))
    link = opt_str(item.get("Link"))
    if magnet is None and link is not None and link.lower().startswith("magnet:"):
        magnet, link = link, None
    info_hash = normalize_info_hash(opt_str(item.get("InfoHash"))) or info_hash_from_magnet(magnet)
    return TorrentResult(
        title=opt_str(item.get("Title")) or "",
        indexer=opt_str(item.get("Tracker")) or opt_str(item.get("TrackerId")) or "",
        indexer_id=opt_str(item.get("TrackerId")),
        size=_non_negative(opt_int(item.get("Size"))),
        seeders=_non_negative(opt_int(item.get("Seeders"))),
        leechers=_non_negative(opt_int(item.get("Peers"))),  # already Peers - Seeders
        magnet_url=magnet,
        link=link,
        info_hash=info_hash,
        categories=_int_list(item.get("Category")),
        published=_dated(_iso_date(item.get("PublishDate")), answered),
        imdb_id=normalize_imdb_id(item.get("Imdb")),
        tmdb_id=opt_int(item.get("TMDb")) or None,
        details_url=opt_str(item.get("Details")),
        guid=opt_str(item.get("Guid")),
        grabs=_non_negative(opt_int(item.get("Grabs"))),
        download_volume_factor=opt_float(item.get("DownloadVolumeFactor")),
        upload_volume_factor=opt_float(item.get("UploadVolumeFactor")),
    )


def _json_indexer_status(item: dict[str, Any]) -> IndexerSearchStatus:
    """Build one entry of the JSON ``Indexers`` list."""
    raw = item.get("Status")
    status = _JSON_STATUS.get(raw, "unknown") if isinstance(raw, int) else str(raw).lower()
    if status not in ("ok", "error"):
        status = "unknown"
    return IndexerSearchStatus(
        id=opt_str(item.get("ID")),
        name=opt_str(item.get("Name")),
        status=status,
        results=_non_negative(opt_int(item.get("Results"))) or 0,
        error=_first_line(item.get("Error")),
        elapsed_ms=opt_int(item.get("ElapsedTime")),
    )


def _text(el: ET.Element, tag: str) -> str | None:
    """Return the stripped text of child ``tag``, or ``None`` when missing or empty."""
    child = el.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _parse_indexer(el: ET.Element) -> Indexer:
    """Build an indexer from one ``<indexer>`` of ``t=indexers``."""
    caps = el.find("caps")
    categories: tuple[int, ...] = ()
    movie = tv = False
    if caps is not None:
        categories = tuple(
            i
            for i in (opt_int(c.get("id")) for c in caps.findall("categories/category"))
            if i is not None
        )
        movie = caps.find("searching/movie-search[@available='yes']") is not None
        tv = caps.find("searching/tv-search[@available='yes']") is not None
    return Indexer(
        id=el.get("id") or "",
        name=_text(el, "title") or el.get("id") or "",
        configured=(el.get("configured") or "").lower() == "true",
        description=_text(el, "description"),
        link=_text(el, "link"),
        language=_text(el, "language"),
        type=_text(el, "type"),
        categories=categories,
        movie_search=movie,
        tv_search=tv,
    )


def _xml_result(item: ET.Element, answered: datetime) -> TorrentResult:
    """Build a result from one RSS ``<item>`` with ``torznab:attr`` elements."""
    attrs: dict[str, list[str]] = {}
    for attr in item.iter(_ATTR):
        name, value = attr.get("name"), attr.get("value")
        if name and value is not None:
            attrs.setdefault(name.lower(), []).append(value)

    def one(name: str) -> str | None:
        values = attrs.get(name)
        return values[0] if values else None

    link = _text(item, "link")
    if link is None:
        enclosure = item.find("enclosure")
        link = opt_str(enclosure.get("url")) if enclosure is not None else None
    magnet = one("magneturl")
    if link is not None and link.lower().startswith("magnet:"):
        magnet = magnet or link
        link = None
    seeders = opt_int(one("seeders"))
    peers = opt_int(one("peers"))
    leechers = None if peers is None else max(peers - (seeders or 0), 0)
    indexer_el = item.find("jackettindexer")
    indexer_name = indexer_el.text.strip() if indexer_el is not None and indexer_el.text else None
    indexer_id = indexer_el.get("id") if indexer_el is not None else None
    cats = [*attrs.get("category", []), *(c.text or "" for c in item.findall("category"))]
    return TorrentResult(
        title=_text(item, "title") or "",
        indexer=indexer_name or indexer_id or "",
        indexer_id=indexer_id,
        size=_non_negative(opt_int(_text(item, "size") or one("size"))),
        seeders=_non_negative(seeders),
        leechers=leechers,
        magnet_url=magnet,
        link=link,
        info_hash=normalize_info_hash(one("infohash")) or info_hash_from_magnet(magnet),
        categories=_int_list(cats),
        published=_dated(_rfc822_date(_text(item, "pubDate")), answered),
        imdb_id=normalize_imdb_id(one("imdbid") or one("imdb")),
        tmdb_id=opt_int(one("tmdbid")) or None,
        details_url=_text(item, "comments"),
        guid=_text(item, "guid"),
        grabs=_non_negative(opt_int(_text(item, "grabs") or one("grabs"))),
        download_volume_factor=opt_float(one("downloadvolumefactor")),
        upload_volume_factor=opt_float(one("uploadvolumefactor")),
    )
