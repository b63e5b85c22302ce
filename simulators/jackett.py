"""A Jackett simulator: Torznab XML and the JSON results route, as Jackett serves them.

Behaviour copied from Jackett's source (``ResultsController.cs``, ``ResultPage.cs``,
``TorznabCapabilities.cs``, ``TrackerCacheResult.cs``, ``DownloadController.cs``):

* ``GET /api/v2.0/indexers/{id}/results/torznab[/api]`` with ``t=caps|indexers|
  search|movie|tvsearch``.  A wrong or missing ``apikey`` (or ``passkey``)
  answers HTTP 200 ``application/xml`` ``<error code="100" description="Invalid
  API Key" />``; an unknown indexer ``<error code="201" description="Indexer is
  not supported" />`` (``…not configured`` for a known one that is not set up);
  a mode the indexer cannot do code 201 "… does not support the requested
  query …"; a failing single indexer HTTP 400 with code 900.  Feeds are
  ``application/rss+xml; charset=utf-8``, the indexer list ``application/xml``.
* ``GET /api/v2.0/indexers/{id}/results`` (JSON, Pascal case): wrong key →
  HTTP 401 with an empty body; unknown indexer → 404 ``text/plain`` "Indexer is
  not supported".  ``Indexers`` has one status per indexer (``Status`` 2 ok,
  1 error); a failing indexer reports its error and adds no results.
  ``Peers`` is leechers (Jackett subtracts the seeders), results are newest first.
* ``GET /dl/{id}/?jackett_apikey=&path=&file=`` → 302 to the magnet link
  (what Jackett does when the indexer hands it a magnet); bad key → 401.
* IMDb searches: ``BaseIndexer.CanHandleQuery`` refuses a query with an IMDb
  id on an indexer whose caps have no IMDb movie search (a TV search with an
  IMDb id only needs IMDb TV search), and the JSON route drops every indexer
  that cannot handle the query before it searches (``ResultsController.cs``
  L246: ``trackers.Where(t => t.CanHandleQuery(CurrentQuery))``), so such an
  indexer is missing from ``Indexers`` altogether.  On Torznab a single
  indexer that cannot answers HTTP 400 code 201 "… does not support the
  requested query …" (``RequiresValidQuery``); ``all`` leaves it out.  Here
  EZTV (no movie search) and LimeTorrents (``movie-search: [q]``) have no
  IMDb movie search.
* Publish dates: a release without one keeps ``DateTime.MinValue``.  The JSON
  route sends it as ``0001-01-01T00:00:00`` (Newtonsoft, sorted last by
  ``OrderByDescending(d => d.PublishDate)``); Torznab writes ``DateTime.Now``
  in its place (``ResultPage.cs`` L82: ``r.PublishDate == DateTime.MinValue ?
  XmlDateFormat(DateTime.Now)``).  A date in the future becomes
  ``DateTime.Now`` on both routes (``BaseIndexer.FixResults``: "some trackers
  do not keep their clocks up to date").  "Now" is the wall clock at the
  answer, as the ``Date`` header; ``set_publish_date`` gives a release no
  date (``None``) or another one.

Releases are generated deterministically from ``simulators.catalogue``: several
per title and indexer (2160p/1080p/720p, BluRay/WEB-DL/HDTV, x264/x265), sizes
and seeders derived from a hash of the release name, info hashes the SHA-1 of
the name, Newznab categories plus a tracker-specific one (≥ 100000).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
import hashlib
import json
import re
from typing import Any, ClassVar
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from .base import Simulator
from .catalogue import TITLES, Title

DEFAULT_API_KEY = "q2d9x7k4m1v8c3b6n5z0l7p4r2t9w6y3"
"""32 lower-case letters and digits, like ``StringUtil.GenerateRandom(32)``."""

TORZNAB_NS = "http://torznab.com/schemas/2015/feed"
ATOM_NS = "http://www.w3.org/2005/Atom"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
"""The simulator's fixed "now": no release is published after it."""

TRACKERS = (
    "udp://tracker.opentrackr.org:1337/announce",
    "udp://open.stealth.si:80/announce",
    "udp://tracker.torrent.eu.org:451/announce",
)

CATEGORY_NAMES: dict[int, str] = {
    2000: "Movies",
    2030: "Movies/SD",
    2040: "Movies/HD",
    2045: "Movies/UHD",
    5000: "TV",
    5030: "TV/SD",
    5040: "TV/HD",
    5045: "TV/UHD",
}

INVALID_KEY = (100, "Invalid API Key")


@dataclass(frozen=True, slots=True)
class IndexerDef:
    """A public indexer the simulated Jackett knows."""

    id: str
    name: str
    description: str
    link: str
    movies: bool = True
    tv: bool = True
    upper_hash: bool = False
    imdb_search: bool = True
    """Its caps have ``imdbid`` in ``movie-search`` (``MovieSearchImdbAvailable``)."""
    language: str = "en-US"
    type: str = "public"

    def tracker_cat(self, cat: int) -> int:
        """The tracker-specific category Jackett adds next to a Newznab one."""
        slot = (2000, 2030, 2040, 2045, 5000, 5030, 5040, 5045).index(cat)
        return 100000 + (_h(self.id) % 90) * 10 + slot

    @property
    def standard_cats(self) -> list[int]:
        """Newznab categories this indexer maps to."""
        cats: list[int] = []
        if self.movies:
            cats += [2000, 2030, 2040, 2045]
        if self.tv:
            cats += [5000, 5030, 5040, 5045]
        return cats


KNOWN_INDEXERS: dict[str, IndexerDef] = {
    d.id: d
    for d in (
        IndexerDef(
            "1337x",
            "1337x",
            "1337X is a Public torrent site that offers verified torrent downloads",
            "https://1337x.to/",
            upper_hash=True,
        ),
        IndexerDef(
            "yts",
            "YTS",
            "YTS is a Public torrent site specialising in HD movies of small size",
            "https://yts.mx/",
            tv=False,
            upper_hash=True,
        ),
        IndexerDef(
            "eztv",
            "EZTV",
            "EZTV is a Public torrent site for TV shows",
            "https://eztvx.to/",
            movies=False,
            imdb_search=False,
        ),
        IndexerDef(
            "thepiratebay",
            "The Pirate Bay",
            "Pirate Bay (TPB) is the galaxy's most resilient Public BitTorrent site",
            "https://thepiratebay.org/",
        ),
        IndexerDef(
            "limetorrents",
            "LimeTorrents",
            "LimeTorrents is a Public general torrent index",
            "https://www.limetorrents.lol/",
            imdb_search=False,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Release:
    """One generated release of a catalogue title on one indexer."""

    indexer: IndexerDef
    title: str
    categories: tuple[int, ...]
    size: int
    seeders: int
    leechers: int
    info_hash: str
    """40 lower-case hex characters."""
    published: datetime
    imdb: int
    tmdb: int
    details: str
    guid: str
    grabs: int
    files: int
    year: int

    @property
    def hash_as_sent(self) -> str:
        """The info hash as this indexer writes it."""
        return self.info_hash.upper() if self.indexer.upper_hash else self.info_hash

    @property
    def magnet(self) -> str:
        """A magnet URI with display name and trackers."""
        trs = "".join(f"&tr={quote(t, safe='')}" for t in TRACKERS)
        return f"magnet:?xt=urn:btih:{self.hash_as_sent}&dn={quote(self.title, safe='')}{trs}"

    @property
    def gain(self) -> float:
        """Seeders times gigabytes: Jackett's ranking on meta indexers."""
        return self.seeders * self.size / 1024**3


def _h(*parts: object) -> int:
    """A stable integer from ``parts``."""
    return int(
        hashlib.sha1("|".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()[:12], 16
    )


def _dotted(name: str) -> str:
    """``Dune: Part Two`` → ``Dune.Part.Two``."""
    return ".".join(re.findall(r"[A-Za-z0-9']+", name)).replace("'", "")


def _slug(name: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


GROUPS = ("SPARKS", "FGT", "NTb", "FLUX", "TERMiNAL", "SWTYBLZ", "CMRG", "EDITH")
GIB = 1024**3
MIB = 1024**2

# (name part, Newznab category, size range in MiB)
MOVIE_VARIANTS_SCENE = (
    ("2160p.UHD.BluRay.x265.10bit.HDR.DDP5.1", 2045, (14000, 24000)),
    ("1080p.BluRay.x264.DTS", 2040, (8000, 14000)),
    ("1080p.WEB-DL.DDP5.1.H.264", 2040, (5000, 7500)),
    ("720p.BluRay.x264", 2040, (3500, 5500)),
    ("1080p.BluRay.x265", 2040, (1800, 3200)),
)
MOVIE_VARIANTS_YTS = (
    ("[2160p] [BluRay] [5.1]", 2045, (5500, 9000)),
    ("[1080p] [BluRay] [5.1]", 2040, (2000, 3200)),
    ("[1080p] [WEBRip]", 2040, (1700, 2400)),
    ("[720p] [BluRay]", 2040, (900, 1400)),
)
TV_VARIANTS_SCENE = (
    ("{s}.1080p.BluRay.x264", 5040, (18000, 40000), "pack"),
    ("{se}.2160p.WEB.H265", 5045, (3500, 7000), "episode"),
    ("{se}.1080p.WEB-DL.DDP5.1.H.264", 5040, (1800, 3500), "episode"),
    ("{se}.720p.HDTV.x264", 5040, (500, 1200), "episode"),
)
TV_VARIANTS_EZTV = (
    ("{se} 1080p WEB H264-{g} EZTV", 5040, (1200, 3000)),
    ("{se} 720p HDTV x264-{g} EZTV", 5040, (450, 1100)),
    ("{se} 480p x264-mSD EZTV", 5030, (180, 400)),
)


def _published(title: Title, name: str) -> datetime:
    """A deterministic publish date after the title's release and before ``NOW``."""
    released = (
        date.fromisoformat(title.release_date) if title.release_date else date(title.year, 1, 1)
    )
    start = datetime(
        max(released.year, 2012), released.month, released.day, tzinfo=UTC
    ) + timedelta(days=20)
    span = max(int((NOW - start).total_seconds()), 3600)
    return start + timedelta(seconds=_h("pub", name) % span)


def _make(
    idx: IndexerDef,
    title: Title,
    name: str,
    cat: int,
    mib: tuple[int, int],
    *,
    files: int = 1,
) -> Release:
    """Build one release with everything derived from its name."""
    h = _h(idx.id, name)
    size = (mib[0] + h % (mib[1] - mib[0])) * MIB + h % MIB
    popularity = max(title.popularity, 10.0)
    base = 5 + int(popularity * (1 + (h >> 8) % 40) / 10)
    if cat in (2045, 5045):
        base //= 2
    if cat in (2030, 5030):
        base //= 3
    seeders = base + (h >> 16) % 25
    leechers = (h >> 24) % max(seeders // 3, 2)
    info_hash = hashlib.sha1(f"{idx.id}:{name}".encode(), usedforsecurity=False).hexdigest()
    num = 4_000_000 + h % 2_000_000
    if idx.id == "yts":
        details = f"https://yts.mx/movies/{_slug(title.title)}-{title.year}"
        guid = f"https://yts.mx/torrent/download/{info_hash.upper()}"
    elif idx.id == "eztv":
        details = f"https://eztvx.to/ep/{num}/{_slug(name)}/"
        guid = details
    else:
        details = f"{idx.link}torrent/{num}/{_slug(name)}/"
        guid = details
    return Release(
        indexer=idx,
        title=name,
        categories=(cat, idx.tracker_cat(cat)),
        size=size,
        seeders=seeders,
        leechers=leechers,
        info_hash=info_hash,
        published=_published(title, name),
        imdb=int(title.imdb_id[2:]),
        tmdb=title.tmdb_id,
        details=details,
        guid=guid,
        grabs=seeders * 7 + h % 500,
        files=files,
        year=title.year,
    )


def generate_releases(idx: IndexerDef) -> list[Release]:
    """Every release ``idx`` has for the catalogue (none for upcoming titles)."""
    out: list[Release] = []
    for title in TITLES:
        if title.upcoming:
            continue
        h = _h(idx.id, title.tmdb_id)
        group = GROUPS[h % len(GROUPS)]
        if title.media_type == "movie" and idx.movies:
            if idx.id == "yts":
                for part, cat, mib in MOVIE_VARIANTS_YTS:
                    name = f"{title.title} ({title.year}) {part} [YTS.MX]"
                    out.append(_make(idx, title, name, cat, mib))
            else:
                for i, (part, cat, mib) in enumerate(MOVIE_VARIANTS_SCENE):
                    g = GROUPS[(h + i) % len(GROUPS)]
                    name = f"{_dotted(title.title)}.{title.year}.{part}-{g}"
                    out.append(_make(idx, title, name, cat, mib))
        elif title.media_type == "tv" and idx.tv:
            season = 1 + h % 3
            episode = 1 + (h >> 4) % 8
            s = f"S{season:02d}"
            se = f"S{season:02d}E{episode:02d}"
            if idx.id == "eztv":
                for part, cat, mib in TV_VARIANTS_EZTV:
                    name = f"{title.title} " + part.format(se=se, g=group)
                    out.append(_make(idx, title, name, cat, mib))
            else:
                for i, (part, cat, mib, kind) in enumerate(TV_VARIANTS_SCENE):
                    g = GROUPS[(h + i) % len(GROUPS)]
                    name = f"{_dotted(title.title)}.{part.format(s=s, se=se)}-{g}"
                    out.append(_make(idx, title, name, cat, mib, files=10 if kind == "pack" else 1))
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _cat_matches(release_cats: Iterable[int], wanted: Iterable[int]) -> bool:
    """Jackett's filter: a parent category in the query also matches its subcategories."""
    expanded: set[int] = set()
    for c in wanted:
        expanded.add(c)
        if c < 100000 and c % 1000 == 0:
            expanded.update(range(c + 1, c + 1000))
    return bool(expanded.intersection(release_cats))


def _net_date(dt: datetime) -> str:
    """A ``DateTime`` as Newtonsoft writes a local time: ``2024-03-01T12:34:56+00:00``."""
    return dt.replace(microsecond=0).isoformat()


def _rfc822(dt: datetime) -> str:
    """``Sat, 14 Mar 2015 17:10:42 -0400``, as ``ResultPage.XmlDateFormat``."""
    return dt.strftime("%a, %d %b %Y %H:%M:%S ") + dt.strftime("%z")


def error_xml(code: int, description: str) -> str:
    """``ResultsController.CreateErrorXML``: declaration, newline, one element."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<error code={quoteattr(str(code))} description={quoteattr(description)} />"
    )


class JackettSimulator(Simulator):
    """Serves the Jackett routes Pandora Box uses, with generated releases."""

    kind: ClassVar[str] = "jackett"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        indexers: Iterable[str] = ("1337x", "yts", "eztv"),
        failing_indexers: Iterable[str] = (),
        timezone: tzinfo = UTC,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.configured: list[str] = []
        self.failing_indexers: set[str] = set(failing_indexers)
        self.timezone = timezone
        self._known: dict[str, IndexerDef] = dict(KNOWN_INDEXERS)
        self._releases: dict[str, list[Release]] = {}
        self._publish_dates: dict[str, datetime | None] = {}
        for indexer_id in indexers:
            self.configure_indexer(indexer_id)

    # -- control ---------------------------------------------------------------------

    def configure_indexer(self, indexer_id: str) -> None:
        """Add an indexer (an unknown id becomes a generic public one)."""
        if indexer_id not in self._known:
            self._known[indexer_id] = IndexerDef(
                indexer_id,
                indexer_id,
                f"{indexer_id} is a Public torrent site",
                f"https://{indexer_id}.example/",
            )
        if indexer_id not in self.configured:
            self.configured.append(indexer_id)

    def remove_indexer(self, indexer_id: str) -> None:
        """Unconfigure an indexer (it stays known: "Indexer is not configured")."""
        if indexer_id in self.configured:
            self.configured.remove(indexer_id)

    def set_failing(self, indexer_id: str, failing: bool = True) -> None:
        """Make an indexer fail its searches (or recover)."""
        if failing:
            self.failing_indexers.add(indexer_id)
        else:
            self.failing_indexers.discard(indexer_id)

    def set_publish_date(self, info_hash: str, when: datetime | None) -> None:
        """Give the release with ``info_hash`` another publish date (``None``: unknown)."""
        if self.release_by_hash(info_hash) is None:
            raise ValueError(f"no release {info_hash} on a configured indexer")
        self._publish_dates[info_hash.lower()] = when

    def publish_date(self, rel: Release) -> datetime | None:
        """The date Jackett holds for ``rel`` (``None``: ``DateTime.MinValue``), future → now."""
        when = self._publish_dates.get(rel.info_hash, rel.published)
        if when is None:
            return None
        now = datetime.now(UTC)
        return now if when > now else when  # BaseIndexer.FixResults

    def can_search_imdb(self, indexer_id: str, mode: str = "search") -> bool:
        """``CanHandleQuery`` for a query with an IMDb id in ``mode``."""
        idx = self._known[indexer_id]
        if mode == "tvsearch" and idx.tv:
            return True
        return idx.movies and idx.imdb_search

    def releases(self, indexer_id: str) -> list[Release]:
        """All releases an indexer serves (generated once, deterministically)."""
        if indexer_id not in self._releases:
            self._releases[indexer_id] = generate_releases(self._known[indexer_id])
        return self._releases[indexer_id]

    def publish(
        self, indexer_id: str, media_type: str, tmdb_id: int, name: str, *, category: int
    ) -> Release:
        """Add a release of a catalogue title to an indexer, as a tracker posting it.

        Sizes, seeders and the info hash are derived from the name like every
        generated release (a season pack counts ten files).  For a title
        released after the catalogue's releases were made (an upcoming film
        coming out) or a season the generator does not make.
        """
        title = next(t for t in TITLES if (t.media_type, t.tmdb_id) == (media_type, tmdb_id))
        tv = category // 1000 == 5
        mib = (18000, 40000) if tv else (8000, 14000)
        release = _make(self._known[indexer_id], title, name, category, mib, files=10 if tv else 1)
        self.releases(indexer_id).append(release)
        return release

    def release_by_hash(self, info_hash: str) -> Release | None:
        """Find a release of any configured indexer by its info hash."""
        wanted = info_hash.lower()
        for indexer_id in self.configured:
            for rel in self.releases(indexer_id):
                if rel.info_hash == wanted:
                    return rel
        return None

    # -- routes ----------------------------------------------------------------------

    def setup_routes(self, app: web.Application) -> None:
        base = "/api/v2.0/indexers/{indexer}/results"
        app.router.add_get(base, self._json_results)
        app.router.add_get(base + "/torznab", self._torznab)
        app.router.add_get(base + "/torznab/{ignored}", self._torznab)
        app.router.add_get("/dl/{indexer}/", self._download)
        app.router.add_get("/health", self._health)
        app.router.add_get("/", self._dashboard)
        app.router.add_get("/UI/Dashboard", self._dashboard)

    def _key_ok(self, request: web.Request) -> bool:
        key = request.query.get("apikey", request.query.get("passkey"))
        return key == self.api_key

    def _server_url(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}/"

    def _indexer_problem(self, indexer_id: str) -> str | None:
        if indexer_id == "all":
            return None
        if indexer_id not in self._known:
            return "Indexer is not supported"
        if indexer_id not in self.configured:
            return "Indexer is not configured"
        return None

    @staticmethod
    def _xml(text: str, content_type: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type=content_type, charset="utf-8")

    @staticmethod
    def _bare_error_xml(code: int, description: str) -> web.Response:
        """What ``GetErrorActionResult`` answers on Torznab: 200, no charset."""
        resp = web.Response(body=error_xml(code, description).encode(), status=200)
        resp.headers["Content-Type"] = "application/xml"
        return resp

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "OK"})

    async def _dashboard(self, request: web.Request) -> web.Response:
        """The web UI: an HTML page (what a wrong path or a proxy might return)."""
        return web.Response(
            text="<!DOCTYPE html><html><head><title>Jackett</title></head><body></body></html>",
            content_type="text/html",
        )

    def _search(
        self,
        indexer_id: str,
        *,
        query: str,
        categories: list[int],
        imdb: int | None,
        season: int | None = None,
        episode: int | None = None,
    ) -> list[Release]:
        """What one configured indexer returns for a query (Jackett's filters applied)."""
        idx = self._known[indexer_id]
        if categories and not _cat_matches(
            [*idx.standard_cats, *(idx.tracker_cat(c) for c in idx.standard_cats)], categories
        ):
            return []  # CanHandleCategories: nothing this indexer supports was asked
        words = _words(query)
        out: list[Release] = []
        for rel in self.releases(indexer_id):
            tokens = set(_words(rel.title))
            if any(w not in tokens for w in words):
                continue
            if categories and not _cat_matches(rel.categories, categories):
                continue
            if imdb is not None and rel.imdb != imdb:
                continue
            if season is not None:
                marks = _words(rel.title)
                wanted = f"s{season:02d}" + (f"e{episode:02d}" if episode is not None else "")
                if not any(m.startswith(wanted) for m in marks):
                    continue
            out.append(rel)
        return out

    # JSON --------------------------------------------------------------------------------

    async def _json_results(self, request: web.Request) -> web.Response:
        if not self._key_ok(request):
            return web.Response(status=401)  # UnauthorizedResult: no body
        indexer_id = request.match_info["indexer"]
        problem = self._indexer_problem(indexer_id)
        if problem is not None:
            return web.Response(status=404, text=problem, content_type="text/plain")
        q = request.query
        query = q.get("Query", q.get("query", "")).strip()
        try:
            categories = [
                int(c) for v in q.getall("Category[]", []) for c in v.split(",") if c.strip()
            ]
        except ValueError:
            return web.Response(status=500, text="Input string was not in a correct format.")
        imdb_raw = q.get("imdbid") or q.get("ImdbId")
        imdb = None
        if query.startswith("tt") and len(query) <= 10 and query[2:].isdigit():
            imdb_raw, query = query, ""
        if imdb_raw:
            m = re.fullmatch(r"(?:tt)?(\d{1,8})", imdb_raw)
            imdb = int(m.group(1)) if m else -1
        trackers = self.configured if indexer_id == "all" else [indexer_id]
        if imdb is not None:  # dropped before the search: not in Indexers either
            trackers = [t for t in trackers if self.can_search_imdb(t)]
        server = self._server_url(request)
        results: list[dict[str, Any]] = []
        statuses: list[dict[str, Any]] = []
        for tid in trackers:
            idx = self._known[tid]
            if tid in self.failing_indexers:
                statuses.append(
                    {
                        "ID": idx.id,
                        "Name": idx.name,
                        "Status": 1,
                        "Results": 0,
                        "Error": self._failure_text(idx),
                        "ElapsedTime": 0,
                    }
                )
                continue
            found = self._search(tid, query=query, categories=categories, imdb=imdb)
            statuses.append(
                {
                    "ID": idx.id,
                    "Name": idx.name,
                    "Status": 2,
                    "Results": len(found),
                    "Error": None,
                    "ElapsedTime": 150 + _h(tid, query) % 900,
                }
            )
            results.extend(self._json_release(rel, server) for rel in found)
        results.sort(key=lambda r: r["_sort"], reverse=True)
        for r in results:
            del r["_sort"]
        body = json.dumps({"Results": results, "Indexers": statuses}, separators=(",", ":"))
        return web.Response(text=body, content_type="application/json", charset="utf-8")

    @staticmethod
    def _failure_text(idx: IndexerDef) -> str:
        return (
            f"Jackett.Common.IndexerException: Exception ({idx.id}): The website is protected "
            "by Cloudflare. To bypass it you need to configure FlareSolverr.\n"
            " ---> System.Exception: Challenge detected but FlareSolverr is not configured\n"
            "   at Jackett.Common.Utils.Clients.WebClient.GetResultAsync(WebRequest request)"
        )

    def _download_link(self, rel: Release, server: str) -> str:
        path = base64.urlsafe_b64encode(rel.info_hash.encode()).decode().rstrip("=")
        return (
            f"{server}dl/{rel.indexer.id}/?jackett_apikey={self.api_key}"
            f"&path={path}&file={quote_plus(rel.title)}"
        )

    def _json_release(self, rel: Release, server: str) -> dict[str, Any]:
        """A ``TrackerCacheResult`` in Newtonsoft's default (Pascal case) shape."""
        when = self.publish_date(rel)
        published = None if when is None else when.astimezone(self.timezone)
        return {
            "FirstSeen": "0001-01-01T00:00:00",
            "Tracker": rel.indexer.name,
            "TrackerId": rel.indexer.id,
            "TrackerType": rel.indexer.type,
            "CategoryDesc": ", ".join(
                CATEGORY_NAMES[c] for c in rel.categories if c in CATEGORY_NAMES
            ),
            "BlackholeLink": None,
            "Title": rel.title,
            "Guid": rel.guid,
            "Link": self._download_link(rel, server),
            "Details": rel.details,
            "PublishDate": "0001-01-01T00:00:00" if published is None else _net_date(published),
            "Category": list(rel.categories),
            "Size": rel.size,
            "Files": rel.files,
            "Grabs": rel.grabs,
            "Description": None,
            "RageID": None,
            "TVDBId": None,
            "Imdb": rel.imdb,
            "TMDb": rel.tmdb,
            "TVMazeId": None,
            "TraktId": None,
            "DoubanId": None,
            "Genres": None,
            "Languages": [],
            "Subs": [],
            "Year": rel.year,
            "Author": None,
            "BookTitle": None,
            "Publisher": None,
            "Artist": None,
            "Album": None,
            "Label": None,
            "Track": None,
            "Seeders": rel.seeders,
            "Peers": rel.leechers,  # TrackerCacheResult: Peers -= Seeders
            "Poster": None,
            "InfoHash": rel.hash_as_sent,
            "MagnetUri": rel.magnet,
            "MinimumRatio": 1.0,
            "MinimumSeedTime": 0,
            "DownloadVolumeFactor": 0.0,
            "UploadVolumeFactor": 1.0,
            "Gain": rel.gain,
            "_sort": float("-inf") if when is None else when.timestamp(),
        }

    # Torznab -------------------------------------------------------------------------

    async def _torznab(self, request: web.Request) -> web.Response:
        if not self._key_ok(request):
            return self._bare_error_xml(*INVALID_KEY)
        indexer_id = request.match_info["indexer"]
        problem = self._indexer_problem(indexer_id)
        if problem is not None:
            return self._bare_error_xml(201, problem)
        q = request.query
        mode = q.get("t", "search").lower()
        is_meta = indexer_id == "all"
        members = self.configured if is_meta else [indexer_id]
        defs = [self._known[i] for i in members]
        supported = {"caps", "search"}
        if any(d.movies for d in defs):
            supported.add("movie")
        if any(d.tv for d in defs):
            supported.add("tvsearch")
        if is_meta:
            supported.add("indexers")
        if mode not in supported:
            return self._bare_error_xml(
                201,
                f"{indexer_id} does not support the requested query. Please check the "
                "capabilities (t=caps) and make sure the search mode and parameters are supported.",
            )
        if mode == "caps":
            return self._xml(_caps_xml(defs, meta=is_meta), "application/rss+xml")
        if mode == "indexers":
            return self._xml(self._indexers_xml(q.get("configured")), "application/xml")
        return self._torznab_search(request, indexer_id, members, mode)

    def _torznab_search(
        self, request: web.Request, indexer_id: str, members: list[str], mode: str
    ) -> web.Response:
        q = request.query
        try:
            categories = [int(c) for c in q.get("cat", "").split(",") if c.strip()]
            season = int(q["season"]) if q.get("season") else None
            episode = int(q["ep"]) if q.get("ep") else None
            limit = int(q["limit"]) if q.get("limit") else 0
            offset = int(q["offset"]) if q.get("offset") else 0
        except ValueError:
            return self._xml(
                error_xml(900, "Input string was not in a correct format."), "application/xml", 400
            )
        imdb = None
        if q.get("imdbid"):
            m = re.fullmatch(r"(?:tt)?(\d{1,8})", q["imdbid"])
            if m is None or int(m.group(1)) == 0:
                return self._xml(
                    error_xml(201, "Incorrect parameter: invalid imdbid format"),
                    "application/xml",
                    400,
                )
            imdb = int(m.group(1))
            if mode == "movie" and not categories:
                categories = [2000]  # TorznabRequest: movie + imdbid defaults to Movies
            if indexer_id != "all" and not self.can_search_imdb(indexer_id, mode):
                return self._xml(
                    error_xml(
                        201,
                        f"{indexer_id} does not support the requested query. Please check the "
                        "capabilities (t=caps) and make sure the search mode and parameters "
                        "are supported.",
                    ),
                    "application/xml",
                    400,
                )
            members = [i for i in members if self.can_search_imdb(i, mode)]
        if mode == "movie":
            members = [i for i in members if self._known[i].movies]
        elif mode == "tvsearch":
            members = [i for i in members if self._known[i].tv]
        is_meta = indexer_id == "all"
        if not is_meta and indexer_id in self.failing_indexers:
            return self._xml(
                error_xml(900, self._failure_text(self._known[indexer_id])), "application/xml", 400
            )
        found: list[Release] = []
        if not (is_meta and offset > 0):
            for tid in members:
                if tid in self.failing_indexers:
                    continue  # the meta indexer logs the failure and carries on
                found += self._search(
                    tid,
                    query=q.get("q", ""),
                    categories=categories,
                    imdb=imdb,
                    season=season,
                    episode=episode,
                )
        if is_meta:
            found.sort(key=lambda r: r.gain, reverse=True)
        if limit > 0:
            found = found[:limit]
        if is_meta:
            title, desc, link = (
                "AggregateSearch",
                "This feed includes all configured trackers",
                "http://127.0.0.1/",
            )
        else:
            d = self._known[indexer_id]
            title, desc, link = d.name, d.description, d.link
        return self._xml(
            self._rss(self._server_url(request), title, desc, link, found), "application/rss+xml"
        )

    def _indexers_xml(self, configured: str | None) -> str:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<indexers>"]
        for d in self._known.values():
            is_conf = d.id in self.configured
            if configured is not None and configured.lower() == "true" and not is_conf:
                continue
            if configured is not None and configured.lower() == "false" and is_conf:
                continue
            lines += [
                f"  <indexer id={quoteattr(d.id)} configured={quoteattr(str(is_conf).lower())}>",
                f"    <title>{escape(d.name)}</title>",
                f"    <description>{escape(d.description)}</description>",
                f"    <link>{escape(d.link)}</link>",
                f"    <language>{escape(d.language)}</language>",
                f"    <type>{escape(d.type)}</type>",
                _indent(_caps_body([d], meta=False), "    "),
                "  </indexer>",
            ]
        lines.append("</indexers>")
        return "\n".join(lines)

    def _feed_date(self, rel: Release) -> datetime:
        """``pubDate``: the release's date, or ``DateTime.Now`` for none (``ResultPage.cs`` L82)."""
        when = self.publish_date(rel)
        return (when or datetime.now(UTC)).astimezone(self.timezone)

    def _rss(self, server: str, title: str, desc: str, link: str, releases: list[Release]) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<rss version="2.0" xmlns:atom="{ATOM_NS}" xmlns:torznab="{TORZNAB_NS}">',
            "  <channel>",
            f'    <atom:link href={quoteattr(server)} rel="self" type="application/rss+xml" />',
            f"    <title>{escape(title)}</title>",
            f"    <description>{escape(desc)}</description>",
            f"    <link>{escape(link)}</link>",
            "    <language>en-US</language>",
            "    <category>search</category>",
        ]
        for rel in releases:
            dl = self._download_link(rel, server)

            def attr(name: str, value: object) -> str:
                return (
                    f"      <torznab:attr name={quoteattr(name)} value={quoteattr(str(value))} />"
                )

            out += [
                "    <item>",
                f"      <title>{escape(rel.title)}</title>",
                f"      <guid>{escape(rel.guid)}</guid>",
                (
                    f"      <jackettindexer id={quoteattr(rel.indexer.id)}>"
                    f"{escape(rel.indexer.name)}</jackettindexer>"
                ),
                f"      <type>{rel.indexer.type}</type>",
                f"      <comments>{escape(rel.details)}</comments>",
                f"      <pubDate>{_rfc822(self._feed_date(rel))}</pubDate>",
                f"      <size>{rel.size}</size>",
                f"      <files>{rel.files}</files>",
                f"      <grabs>{rel.grabs}</grabs>",
                "      <description />",
                f"      <link>{escape(dl)}</link>",
                *(f"      <category>{c}</category>" for c in rel.categories),
                (
                    f"      <enclosure url={quoteattr(dl)} length={quoteattr(str(rel.size))} "
                    'type="application/x-bittorrent" />'
                ),
                *(attr("category", c) for c in rel.categories),
                attr("imdb", f"{rel.imdb:07d}"),
                attr("imdbid", f"tt{rel.imdb:07d}"),
                attr("tmdbid", rel.tmdb),
                attr("year", rel.year),
                attr("seeders", rel.seeders),
                attr("peers", rel.seeders + rel.leechers),
                attr("infohash", rel.hash_as_sent),
                attr("magneturl", rel.magnet),
                attr("minimumratio", 1),
                attr("minimumseedtime", 0),
                attr("downloadvolumefactor", 0),
                attr("uploadvolumefactor", 1),
                "    </item>",
            ]
        out += ["  </channel>", "</rss>"]
        return "\n".join(out)

    # downloads ---------------------------------------------------------------------

    async def _download(self, request: web.Request) -> web.Response:
        if request.query.get("jackett_apikey") != self.api_key:
            return web.Response(status=401)
        path = request.query.get("path", "")
        try:
            info_hash = base64.urlsafe_b64decode(path + "=" * (-len(path) % 4)).decode()
        except ValueError:
            return web.Response(status=404)
        rel = self.release_by_hash(info_hash)
        if rel is None or rel.indexer.id != request.match_info["indexer"]:
            return web.Response(status=404)
        # set the header as is: HTTPFound would re-encode the magnet through yarl
        return web.Response(status=302, headers={"Location": rel.magnet})


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _caps_body(defs: list[IndexerDef], *, meta: bool) -> str:
    """The ``<caps>`` element of ``TorznabCapabilities.GetXDocument``."""
    movies = any(d.movies for d in defs)
    tv = any(d.tv for d in defs)
    movie_params = "q,imdbid" if any(d.movies and d.imdb_search for d in defs) else "q"

    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    lines = ["<caps>", '  <server title="Jackett" />']
    if meta:
        lines.append('  <limits default="1000" max="1000" />')
    else:
        lines.append('  <limits default="100" max="100" />')
    lines += [
        "  <searching>",
        '    <search available="yes" supportedParams="q" />',
        f'    <tv-search available="{yes(tv)}" supportedParams="q,season,ep,imdbid" />',
        f'    <movie-search available="{yes(movies)}" supportedParams="{movie_params}" />',
        '    <music-search available="no" supportedParams="q" />',
        '    <audio-search available="no" supportedParams="q" />',
        '    <book-search available="no" supportedParams="q" />',
        "  </searching>",
        "  <categories>",
    ]
    parents = [p for p in (2000, 5000) if any(p in d.standard_cats for d in defs)]
    for parent in parents:
        lines.append(f'    <category id="{parent}" name="{CATEGORY_NAMES[parent]}">')
        for sub in sorted(
            {c for d in defs for c in d.standard_cats if c // 1000 == parent // 1000}
        ):
            if sub != parent:
                lines.append(f'      <subcat id="{sub}" name="{CATEGORY_NAMES[sub]}" />')
        lines.append("    </category>")
    custom = sorted(
        {(d.tracker_cat(c), CATEGORY_NAMES[c]) for d in defs for c in d.standard_cats if c % 1000}
    )
    lines += [f'    <category id="{cid}" name="{escape(name)}" />' for cid, name in custom]
    lines += ["  </categories>", "</caps>"]
    return "\n".join(lines)


def _caps_xml(defs: list[IndexerDef], *, meta: bool) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _caps_body(defs, meta=meta)
